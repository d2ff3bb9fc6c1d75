"""Problem 4: fully connected networks built from the modular layers.

Weights are (D, M) here (input dimension first), as the layers in cs231n/layers.py expect; the
two-layer net of Problem 3 keeps the handout's (H, D) instead.

The course's fc_net.py re-exports its layers, and its notebooks call relu_forward, svm_loss, ...
after `from cs231n.classifiers.fc_net import *`; __all__ keeps that working.
"""
import math
import numbers

import numpy as np

from cs231n.checks import check_count, is_count, is_positive_number
from cs231n.layer_utils import affine_relu_backward, affine_relu_forward
from cs231n.layers import (
    affine_backward,
    affine_forward,
    check_labels,
    l2_regularization,
    relu_backward,
    relu_forward,
    softmax_loss,
    svm_loss,
)

__all__ = ["FullyConnectedNet", "TwoLayerNet", "affine_backward", "affine_forward",
           "affine_relu_backward", "affine_relu_forward", "check_labels", "l2_regularization",
           "relu_backward", "relu_forward", "softmax_loss", "svm_loss"]


def _check_batch(X, y, input_dim, num_classes):
    if X.ndim < 2 or math.prod(X.shape[1:]) != input_dim:   # not np.prod: see affine_forward
        raise ValueError(f"X must be (N, ...) with {input_dim} values per example, "
                         f"got {X.shape}")
    if y is not None:
        check_labels(y, X, num_classes)


def _not_in_this_homework(dropout, use_batchnorm=False, normalization=None,
                          dropout_keep_ratio=1, dropout_hint=""):
    """Accept every course version's "off" setting of dropout and normalisation; refuse the
    rest.

    dropout is a drop probability in UCLA's and CS231n 2017's code (off: 0) and a keep
    probability in later CS231n versions (off: 1); dropout_keep_ratio, CS231n's latest name, is
    off at 1. dropout_hint: a sentence added to the refusal of a dropout.
    """
    for name, value, off in [("dropout", dropout, (0, 1)),
                             ("dropout_keep_ratio", dropout_keep_ratio, (1,))]:
        if not isinstance(value, numbers.Real) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
        if value not in off:
            raise NotImplementedError(
                "dropout is not part of this homework (it comes in a later assignment), "
                f"got {name}={value!r}: leave dropout at 0 (UCLA, CS231n 2017) or 1 "
                f"(later CS231n), dropout_keep_ratio at 1.{dropout_hint}")
    if normalization not in (None, "batchnorm", "layernorm"):
        raise ValueError("normalization must be None, 'batchnorm' or 'layernorm', "
                         f"got {normalization!r}")
    if use_batchnorm or normalization is not None:
        kind = "layer" if normalization == "layernorm" else "batch"
        raise NotImplementedError(
            f"{kind} normalisation is not part of this homework (it comes in a later "
            f"assignment), got use_batchnorm={use_batchnorm!r}, "
            f"normalization={normalization!r}: use use_batchnorm=False, normalization=None")


def _layer_sizes(hidden_dims, input_dim, num_classes):
    """[input_dim, *hidden_dims, num_classes], or ValueError unless all are positive
    integers."""
    if isinstance(hidden_dims, numbers.Integral):
        raise ValueError("hidden_dims must be a list of hidden-layer sizes, got the number "
                         f"{hidden_dims!r}; for one hidden layer write [{hidden_dims!r}]")
    try:
        dims = [input_dim, *hidden_dims, num_classes]
    except TypeError:
        raise ValueError("hidden_dims must be a list of hidden-layer sizes, "
                         f"got {hidden_dims!r}") from None
    bad = [d for d in dims if not is_count(d, 1)]
    if bad:
        raise ValueError(f"layer sizes must be positive integers, got {bad[0]!r} among "
                         f"input_dim={input_dim!r}, hidden_dims={hidden_dims!r}, "
                         f"num_classes={num_classes!r}")
    return dims


class FullyConnectedNet:
    """{affine - ReLU} x (L - 1) - affine - softmax, with L2 regularisation
    0.5 * reg * sum ||W_l||^2.

    hidden_dims: list of the L - 1 hidden sizes; input_dim: D; num_classes: C.
    params: W1 (D, H1), b1 (H1,), ..., WL (H_{L-1}, C), bL (C,), weights weight_scale * standard
    normal (from seed, or from np.random when seed is None), biases zero, all of dtype.
    weight_scale: a float, or "he" for sqrt(2 / fan_in) per layer (He et al., 2015), the scale
    that keeps the size of the activations constant through ReLU layers when the inputs have
    unit variance.
    Use float64 for gradient checks; float32 trains about twice as fast.
    dropout, use_batchnorm, normalization, dropout_keep_ratio: the course versions' switches for
    later assignments, accepted only when off (dropout 0 or 1, use_batchnorm False,
    normalization None, dropout_keep_ratio 1); anything else raises NotImplementedError.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout=0,
                 use_batchnorm=False, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None,
                 *, normalization=None, dropout_keep_ratio=1):
        _not_in_this_homework(dropout, use_batchnorm, normalization, dropout_keep_ratio)
        dims = _layer_sizes(hidden_dims, input_dim, num_classes)
        if weight_scale != "he" and not is_positive_number(weight_scale):
            raise ValueError("weight_scale must be a positive number or 'he', "
                             f"got {weight_scale!r}")
        if np.dtype(dtype).kind != "f":   # integer weights of scale 1e-2 would all be 0
            raise ValueError(f"dtype must be a float type such as np.float32 or np.float64, "
                             f"got {np.dtype(dtype)}")
        self.reg = reg
        self.dtype = dtype
        self.num_layers = len(dims) - 1
        self.input_dim, self.num_classes = input_dim, num_classes
        # np.random when seed is None, so that np.random.seed(...) reproduces the handout's
        # numbers.
        standard_normal = (lambda shape: np.random.randn(*shape)) if seed is None else \
            np.random.default_rng(seed).standard_normal
        self.params = {}
        for layer, (d_in, d_out) in enumerate(zip(dims[:-1], dims[1:], strict=True), start=1):
            scale = np.sqrt(2 / d_in) if weight_scale == "he" else weight_scale
            self.params[f"W{layer}"] = (scale * standard_normal((d_in, d_out))).astype(dtype)
            self.params[f"b{layer}"] = np.zeros(d_out, dtype=dtype)

    def loss(self, X, y=None):
        """Scores, or loss and gradients.

        X: (N, d_1, ..., d_k) inputs with d_1 * ... * d_k = input_dim, cast to self.dtype;
        y: (N,) labels in 0..C-1, or None.
        Returns scores (N, C) when y is None; else (loss, grads), grads with the keys and shapes
        of params.
        """
        _check_batch(X, y, self.input_dim, self.num_classes)
        out = X.astype(self.dtype, copy=False)
        L = self.num_layers
        caches = []
        for layer in range(1, L):
            out, cache = affine_relu_forward(out, self.params[f"W{layer}"],
                                             self.params[f"b{layer}"])
            caches.append(cache)
        scores, last_cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores
        loss, dout = softmax_loss(scores, y)
        grads = {}
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, last_cache)
        for layer in range(L - 1, 0, -1):
            dout, grads[f"W{layer}"], grads[f"b{layer}"] = affine_relu_backward(
                dout, caches[layer - 1], need_dx=layer > 1)
        for layer in range(1, L + 1):
            # Adds reg * W into the fresh gradient in place, without a temporary
            # (cs231n.in_place).
            loss += l2_regularization(self.params[f"W{layer}"], grads[f"W{layer}"], self.reg)
        return loss, grads


class TwoLayerNet(FullyConnectedNet):
    """affine - ReLU - affine - softmax: a FullyConnectedNet with one hidden layer.

    params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,); weights weight_scale * standard normal from
    np.random.
    The hidden size H is hidden_dims (UCLA's name) or hidden_dim (CS231n's), 100 when neither is
    given.
    dtype: float64 by default, which the course's checks of the scores and gradients need;
    float32 trains about twice as fast.
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dims=None, num_classes=10, dropout=0,
                 weight_scale=1e-3, reg=0.0, *, hidden_dim=None, dtype=np.float64):
        if hidden_dims is not None and hidden_dim is not None:
            raise ValueError("give the hidden size once, as hidden_dims or hidden_dim "
                             f"(the same thing), got hidden_dims={hidden_dims!r} and "
                             f"hidden_dim={hidden_dim!r}")
        # CS231n's TwoLayerNet(input_dim, hidden_dim, num_classes, weight_scale, reg) puts
        # weight_scale fourth, where UCLA's (and this one) put dropout.
        _not_in_this_homework(dropout, dropout_hint=(
            f" TwoLayerNet takes dropout fourth, in UCLA's order; if you meant CS231n's fourth "
            f"argument, the weight scale, pass it by name: weight_scale={dropout!r}"))
        H = next((h for h in (hidden_dims, hidden_dim) if h is not None), 100)
        check_count("the hidden size", H)
        super().__init__([H], input_dim=input_dim, num_classes=num_classes, dropout=dropout,
                         reg=reg, weight_scale=weight_scale, dtype=dtype)
