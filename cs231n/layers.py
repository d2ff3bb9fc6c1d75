"""Layers with the CS231n contract: forward(...) -> (out, cache),
backward(dout, cache) -> gradients.

Weights are (D, M): a layer maps rows x (N, D) to x @ w + b (N, M). Losses return (loss, dx)
with the loss averaged over the N examples.
"""
import dis
import math
import sys

import numpy as np

from cs231n.in_place import axpy, blocks


def affine_forward(x, w, b):
    """Affine (fully connected) layer, forward.

    out = x.reshape(N, D) @ w + b

    x: (N, d_1, ..., d_k) inputs; D = d_1 * ... * d_k
    w: (D, M) weights;  b: (M,) biases
    Returns out (N, M) and cache (x, w, b).
    """
    if x.ndim < 2:
        raise ValueError(f"affine_forward: x must be (N, d_1, ..., d_k), examples along the "
                         f"first axis, got {x.shape}; one example x0 is x0[None]")
    # not np.prod: called per layer and step, it would cost more than a small layer
    D = math.prod(x.shape[1:])
    if w.ndim != 2 or w.shape[0] != D or b.shape != (w.shape[1],):
        raise ValueError(f"affine_forward: x {x.shape} flattens to D = {D}; need w (D, M) "
                         f"and b (M,), got w {w.shape}, b {b.shape}")
    out = x.reshape(x.shape[0], D) @ w
    if out.dtype == b.dtype:
        out += b                 # in place: no second (N, M) array
    else:
        # mixed dtypes (float32 x and w, float64 b; integers) promote as usual
        out = out + b
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
    dw = x.reshape(x.shape[0], w.shape[0]).T @ dout    # not -1, which N = 0 leaves undetermined
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """ReLU, forward: out = max(0, x), element-wise. x: any shape. Returns out and cache x."""
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """ReLU, backward: dx = dout where x > 0, else 0. dout and cache x: same shape.
    Returns dx."""
    if dout.shape != cache.shape:   # would broadcast into a gradient of the wrong shape
        raise ValueError(f"relu_backward: dout and the cached input need one shape, "
                         f"got {dout.shape} and {cache.shape}")
    return dout * (cache > 0)


def l2_regularization(w, dw, reg):
    """L2 weight penalty: returns its loss 0.5 * reg * ||w||^2 and adds its gradient reg * w to
    dw in place.

    w: weights, any shape; dw: the data loss's gradient with respect to w, w's shape, writeable
    (a model's freshly computed gradient); reg: a real number, 0 <= reg < inf.
    Returns the loss term (a Python float, also for a numpy float32 reg, so that it does not
    round a float64 loss to float32); dw then holds dw + reg * w.
    Raises ValueError for a negative, infinite or NaN reg.
    """
    reg = float(reg)
    if not 0 <= reg < math.inf:
        raise ValueError("the regularisation strength reg must be a number with "
                         f"0 <= reg < inf, got {reg}")
    if not reg:
        return 0.0
    # ||w||^2 block by block, summed in a Python float: a float32 vdot over millions of entries
    # would accumulate rounding errors of order 1e-6 relative. No temporary w * w or reg * w.
    sum_sq = sum(float(np.vdot(w_block, w_block)) for (w_block,) in blocks(w))
    axpy(reg, w, dw)                    # through OpenBLAS: see cs231n.in_place
    return 0.5 * reg * sum_sq


def check_labels(y, X, num_classes):
    """Raise ValueError unless y is an integer array (N,) for the N rows of X, with labels in
    0..num_classes-1."""
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu":
        found = f"dtype {y.dtype}" if isinstance(y, np.ndarray) else type(y).__name__
        raise ValueError("labels must be a numpy array of integers (they index the scores), "
                         f"got {found}; pass np.asarray(y).astype(int)")
    if y.shape != (X.shape[0],):
        raise ValueError(f"labels must be (N,) = ({X.shape[0]},) to match {X.shape}, "
                         f"got labels {y.shape}")
    _check_label_range(y, num_classes)


def _check_label_range(labels, num_classes, name="labels"):
    """Raise ValueError unless the integer array labels lies in 0..num_classes-1 (name: for the
    message)."""
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{name} must lie in 0..{num_classes - 1} for {num_classes} classes, "
                         f"got range {labels.min()}..{labels.max()}")


def _check_scores(x, y):
    if x.ndim != 2 or 0 in x.shape:   # the loss averages over N; with C = 0 no label fits
        raise ValueError(f"scores must be (N, C) with at least one example and one class, "
                         f"got {x.shape}")
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


_IMPORT_FROM = dis.opmap["IMPORT_FROM"]


def _later_assignment_getattr(module_name, later):
    """A module __getattr__ (PEP 562) that names the assignment a missing course function
    belongs to.

    later: dict name -> what the function is and where the course teaches it. Other names keep
    Python's plain AttributeError.
    """
    def __getattr__(name):
        if name not in later:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        message = (f"{module_name}.{name} ({later[name]}) is not part of this homework: "
                   "it belongs to a later assignment of the course, "
                   "and this package does not provide it")
        # `from module import name` replaces an AttributeError with a bare "cannot import name"
        # (even one that is also an ImportError), so raise ImportError there. Elsewhere
        # AttributeError, so that hasattr(module, name) stays False and
        # getattr(module, name, default) works.
        caller = sys._getframe(1)
        if caller.f_code.co_code[caller.f_lasti] == _IMPORT_FROM:
            raise ImportError(message, name=module_name)
        raise AttributeError(message)
    return __getattr__


_NORMALISATION = "normalisation: CS231n assignment 2, UCLA HW 4"
_CONVOLUTION = "convolutional networks: CS231n assignment 2, UCLA HW 5"
__getattr__ = _later_assignment_getattr(__name__, {
    **dict.fromkeys(["batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
                     "layernorm_forward", "layernorm_backward", "spatial_batchnorm_forward",
                     "spatial_batchnorm_backward", "spatial_groupnorm_forward",
                     "spatial_groupnorm_backward"], _NORMALISATION),
    **dict.fromkeys(["dropout_forward", "dropout_backward"],
                    "dropout: CS231n assignment 2, UCLA HW 4"),
    **dict.fromkeys(["conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive",
                     "max_pool_backward_naive"], _CONVOLUTION),
})
