"""Layers with the CS231n contract: forward(...) -> (out, cache), backward(dout, cache) -> gradients.

Weights are (D, M): a layer maps rows x (N, D) to x @ w + b (N, M). Losses return (loss, dx) with
the loss averaged over the N examples.
"""
import numpy as np


def affine_forward(x, w, b):
    """Affine (fully connected) layer, forward.

    out = x.reshape(N, D) @ w + b

    x: (N, d_1, ..., d_k) inputs; D = d_1 * ... * d_k
    w: (D, M) weights;  b: (M,) biases
    Returns out (N, M) and cache (x, w, b).
    """
    D = int(np.prod(x.shape[1:]))
    if w.ndim != 2 or w.shape[0] != D or b.shape != (w.shape[1],):
        raise ValueError(f"affine_forward: x {x.shape} flattens to D = {D}; need w (D, M) and b (M,), "
                         f"got w {w.shape}, b {b.shape}")
    out = x.reshape(x.shape[0], D) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache, need_dx=True):
    """Affine layer, backward.

    dout: (N, M) upstream gradient; cache: (x, w, b) from affine_forward.
    need_dx: False for a network's first layer, whose input needs no gradient (saves a third of
        that layer's work); dx is then None.
    Returns dx (x's shape) = dout @ w^T, dw (D, M) = x^T dout, db (M,) = sum of dout over rows.
    """
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape) if need_dx else None
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """ReLU, forward: out = max(0, x), element-wise. x: any shape. Returns out and cache x."""
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """ReLU, backward: dx = dout where x > 0, else 0. dout and cache x: same shape. Returns dx."""
    return dout * (cache > 0)


def check_labels(y, X, num_classes):
    """Raise ValueError unless y is (N,) for the N rows of X, with labels in 0..num_classes-1."""
    if y.shape != (X.shape[0],):
        raise ValueError(f"labels must be (N,) = ({X.shape[0]},) to match {X.shape}, got labels {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1} for {num_classes} classes, "
                         f"got range {y.min()}..{y.max()}")


def _check_scores(x, y):
    if x.ndim != 2:
        raise ValueError(f"scores must be (N, C), got {x.shape}")
    check_labels(y, x, x.shape[1])


def softmax_loss(x, y):
    """Softmax cross-entropy loss, averaged over examples.

    loss = -1/N sum_i log(exp(x[i, y_i]) / sum_j exp(x[i, j]))

    x: (N, C) scores; y: (N,) integer labels in 0..C-1.
    Returns loss (float) and dx (N, C) = (softmax(x) - onehot(y)) / N.
    """
    _check_scores(x, y)
    N = x.shape[0]
    # Subtracting each row's max leaves the softmax unchanged and keeps exp from overflowing.
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -float(log_probs[np.arange(N), y].mean())
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    return loss, dx / N


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss, averaged over examples.

    loss = 1/N sum_i sum_{j != y_i} max(0, x[i, j] - x[i, y_i] + 1)

    x: (N, C) scores; y: (N,) integer labels in 0..C-1.
    Returns loss (float) and dx (N, C).
    """
    _check_scores(x, y)
    N = x.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, x - x[rows, y][:, None] + 1.0)
    margins[rows, y] = 0
    loss = float(margins.sum() / N)
    dx = (margins > 0).astype(x.dtype)
    dx[rows, y] -= dx.sum(axis=1)
    return loss, dx / N
