"""Layer sandwiches: common sequences of layers, with the same (out, cache) / backward
contract."""
import numpy as np

from cs231n.layers import (
    _CONVOLUTION,
    _later_assignment_getattr,
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,  # noqa: F401 -- still importable from here, as from the course's layer_utils
)


def affine_relu_forward(x, w, b):
    """Affine layer followed by ReLU: out = max(0, x.reshape(N, D) @ w + b).

    x: (N, d_1, ..., d_k); w: (D, M); b: (M,).
    Returns out (N, M) and cache (affine cache, out). out serves as the ReLU's cache in place of
    its input: relu_backward needs only where that input was positive, which is where out is. So
    cache[1] holds the ReLU's output, not its input, and out must not be changed in place before
    the backward pass.
    """
    out, fc_cache = affine_forward(x, w, b)
    np.maximum(out, 0, out=out)  # the ReLU in place on the fresh affine output: no second array
    return out, (fc_cache, out)


def affine_relu_backward(dout, cache, need_dx=True):
    """Backward pass of affine_relu_forward. dout: (N, M).

    Returns dx (x's shape; None when need_dx is False), dw (D, M), db (M,).
    """
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache, need_dx)


__getattr__ = _later_assignment_getattr(__name__, dict.fromkeys(
    ["conv_relu_forward", "conv_relu_backward", "conv_bn_relu_forward", "conv_bn_relu_backward",
     "conv_relu_pool_forward", "conv_relu_pool_backward"], _CONVOLUTION))
