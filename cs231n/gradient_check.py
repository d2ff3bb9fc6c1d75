"""Numerical gradients by centred differences, to check analytic backward passes against.

Every probe changes one element of x in place and puts the original value back, also when f
raises, so x is unchanged afterwards. Use float64: in float32 the differences drown in rounding.
"""
import numpy as np


def rel_error(x, y):
    """Maximum relative error max |x - y| / max(1e-8, |x| + |y|), element-wise.

    x, y: numbers or arrays of one shape; ValueError otherwise (broadcasting would compare
    every entry of one with every entry of the other, which says nothing).
    """
    x, y = _same_shape_float64("rel_error", x, y)
    # initial=0: arrays with no entries (an empty batch's gradient) do not differ
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)), initial=0.0))


def _same_shape_float64(caller, x, y):
    """x and y as float64 arrays; ValueError, naming caller, unless they have one shape."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    _check_same_shape(caller, x.shape, y.shape)
    return x, y


def _check_same_shape(caller, x_shape, y_shape):
    """ValueError, naming caller, unless two arrays to be compared entry by entry have one
    shape."""
    if x_shape != y_shape:
        raise ValueError(f"{caller} compares two arrays entry by entry, so they need one "
                         f"shape, got {x_shape} and {y_shape}. A gradient of another shape "
                         f"than its parameter is usually a bug (a transposed weight, say); "
                         f"reshape only arrays whose entries correspond, e.g. (M,) and (1, M)")


def centred_difference_atol(f_value, h=1e-5):
    """Absolute accuracy of a centred-difference gradient of a float64 function of size
    |f_value|.

    The last operation alone rounds f(x + h) and f(x - h) by up to half a unit in the last
    place, about eps * |f| / 2 with eps = 2.2e-16, and their difference is divided by 2h: an
    error of eps * |f| / (2h). The bound is 20 times that, 10 * eps * |f| / h, for the rounding
    that accumulates inside f. Gradient entries smaller than this cannot be resolved. The
    truncation error of a centred difference, of order h**2, is not in this bound: a relative
    tolerance beside it has to cover that.
    """
    return 10 * np.finfo(np.float64).eps * max(1.0, abs(f_value)) / h


def gradient_tolerance_ratio(analytic, numerical, f_value, h=1e-5, rtol=1e-5):
    """How far an analytic gradient is from a numerical one, against an element-wise tolerance.

    Each entry must satisfy |analytic - numerical| <= rtol * |numerical| + atol, the test of
    np.testing.assert_allclose and torch.autograd.gradcheck, with
    atol = centred_difference_atol: a relative tolerance wherever the numerical gradient can
    resolve the entry, an absolute one at its rounding floor. (rel_error is relative only: an
    entry of 1e-7 whose numerical value carries a rounding error of 1e-11 has a relative error
    of 5e-5, and fails a 1e-5 threshold.)

    analytic, numerical: arrays of one shape (ValueError otherwise, as in rel_error);
    f_value: the function's value at the point; h: the step the numerical gradient used.
    Returns the largest |analytic - numerical| / (rtol * |numerical| + atol): at most 1 passes.
    """
    atol = centred_difference_atol(f_value, h)
    analytic, numerical = _same_shape_float64("gradient_tolerance_ratio", analytic,
                                              numerical)
    return float(np.max(np.abs(analytic - numerical) / (rtol * np.abs(numerical) + atol),
                        initial=0.0))


def _check_point(x):
    """Raise ValueError unless x is a floating-point numpy array, which x[ix] += h can
    perturb."""
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        found = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(f"x must be a floating-point numpy array, since it is perturbed by h "
                         f"in place (an integer array would round x + h back to x); "
                         f"got {found}. Pass np.asarray(x, dtype=np.float64).")


def _values_either_side(f, x, ix, h):
    """f(x + h e_ix) and f(x - h e_ix), the two values a centred difference at entry ix
    subtracts, with x[ix] restored afterwards."""
    old = x[ix]
    try:
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
    finally:
        x[ix] = old
    return fxph, fxmh


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Numerical gradient of a scalar function at x.

    f: function of one array argument returning a float.
    x: (any shape) float array, the point; perturbed in place and restored.
    Returns grad, an array of x's shape: grad[i] = (f(x + h e_i) - f(x - h e_i)) / 2h.
    Raises ValueError if x is not a floating-point numpy array.
    """
    _check_point(x)
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        fxph, fxmh = _values_either_side(f, x, ix, h)
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) at x: the backward pass of an array-valued f.

    f: function of one array argument returning an array of df's shape.
    x: (any shape) float array, perturbed in place and restored.
    df: upstream gradient, shape of f(x).
    Returns grad, an array of x's shape. Raises ValueError if x is not a floating-point numpy
    array.
    """
    _check_point(x)
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        pos, neg = _values_either_side(lambda z: np.copy(f(z)), x, ix, h)
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=None):
    """Compare analytic_grad with centred differences at num_checks random elements of x.

    f: scalar function of x; x: float array (restored after each probe);
    analytic_grad: array of x's shape. seed: int or None, for which elements are probed.
    Prints one line per probe and returns the list of relative errors. Raises ValueError if x is
    not a floating-point numpy array, or analytic_grad not an array of x's shape (as rel_error).
    """
    _check_point(x)
    _check_same_shape("grad_check_sparse", x.shape, np.shape(analytic_grad))
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(n)) for n in x.shape)
        fxph, fxmh = _values_either_side(f, x, ix, h)
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        error = (abs(grad_numerical - grad_analytic)
                 / max(1e-8, abs(grad_numerical) + abs(grad_analytic)))
        print(f"numerical: {grad_numerical:f} analytic: {grad_analytic:f}, "
              f"relative error: {error:e}")
        errors.append(error)
    return errors
