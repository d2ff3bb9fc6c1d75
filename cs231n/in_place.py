"""In-place arithmetic for the training loop's passes over the weights: blocks, and axpy.

The update rules (cs231n.optim) and the L2 gradient (cs231n.layers.l2_regularization) read and
write every weight once per step. They change arrays in place, so that no temporary as big as
the weights is made:

- blocks(*arrays) cuts same-shaped arrays into matching pieces small enough for a core's cache,
  for formulas of several numpy operations (momentum, RMSProp, Adam);
- axpy(alpha, x, y), y += alpha * x, goes through the axpy of the OpenBLAS that numpy itself
  uses. numpy runs element-wise arithmetic on one core, while OpenBLAS's threads, idle between
  the step's matrix products, keep the others; OpenBLAS's axpy runs on those threads (and obeys
  threadpoolctl's limits, such as a search worker's one thread), in one pass. Its kernels use
  fused multiply-adds: each element is rounded once instead of twice (after alpha * x and after
  the sum), so a result can differ from numpy's `y += alpha * x` in the last bit. Like the
  matrix products' helper threads, its helper threads keep the default floating-point modes
  under cs231n.denormals.

The library is the OpenBLAS numpy was built with (cs231n.blas.numpy_openblas), and axpy is
looked up by the names OpenBLAS builds give it (numpy's wheels prefix it scipy_ and suffix it
64_). Without it (numpy on MKL or Accelerate, or unknown names), axpy is numpy's
`y += alpha * x`, block by block.
"""
import ctypes
import numbers

import numpy as np

from cs231n.blas import numpy_openblas

# Elements per block: 32768 (128 KB in float32, 256 KB in float64) keeps a block of each operand
# and of the temporaries in a core's L2 cache; measured faster than whole-array passes and than
# blocks of 8192 or 131072 elements.
IN_PLACE_BLOCK = 32768
# Up to one block, numpy's y += alpha * x runs in cache and was measured as fast as OpenBLAS's
# axpy (faster, at 25,600 elements, than waking OpenBLAS's threads); above, axpy was up to twice
# as fast.
MIN_BLAS_SIZE = IN_PLACE_BLOCK + 1


def blocks(*arrays):
    """Matching pieces of same-shaped arrays, for arithmetic that updates some of them in place.

    Yields tuples of flat views of IN_PLACE_BLOCK elements (the last one shorter) when every
    array is C-contiguous, so that a formula's temporaries stay in cache instead of being as big
    as the arrays; otherwise (small arrays, views such as a transposed gradient, whose
    reshape(-1) would be a copy) one tuple of the arrays themselves.
    """
    size = arrays[0].size
    if size <= IN_PLACE_BLOCK or not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for start in range(0, size, IN_PLACE_BLOCK):
        yield tuple(f[start:start + IN_PLACE_BLOCK] for f in flat)


def _load_openblas_axpy():
    """{dtype: ctypes function axpy(n, alpha, x, incx, y, incy)} from numpy's
    OpenBLAS, or {}."""
    found = numpy_openblas()
    if found is None:
        return {}
    path, ilp64 = found["filepath"], found["ilp64"]
    try:
        library = ctypes.CDLL(path)   # already loaded by numpy: this returns its handle
    except OSError:
        return {}
    functions = {}
    for dtype, letter, real in ((np.dtype(np.float32), "s", ctypes.c_float),
                                (np.dtype(np.float64), "d", ctypes.c_double)):
        # The names of numpy's and scipy's wheels (scipy_ ... 64_), then plain builds'.
        for name in (f"scipy_cblas_{letter}axpy64_", f"scipy_cblas_{letter}axpy",
                     f"cblas_{letter}axpy64_", f"cblas_{letter}axpy"):
            function = getattr(library, name, None)
            if function is not None:
                integer = ctypes.c_int64 if ilp64 or name.endswith("64_") else ctypes.c_int
                function.argtypes = [integer, real, ctypes.c_void_p, integer,
                                     ctypes.c_void_p, integer]
                function.restype = None
                functions[dtype] = function
                break
    return functions


OPENBLAS_AXPY = _load_openblas_axpy()


def uses_openblas(x, y):
    """Whether axpy(alpha, x, y) with alpha != 0 goes through OpenBLAS: axpy found for y's dtype
    (float32, float64), x of y's dtype and shape, both C-contiguous and aligned, MIN_BLAS_SIZE
    to 2**31 - 1 elements, and x either y itself or not overlapping it in memory."""
    return (y.dtype in OPENBLAS_AXPY and x.dtype == y.dtype and x.shape == y.shape
            and MIN_BLAS_SIZE <= y.size < 2 ** 31 and x.flags.c_contiguous
            and y.flags.c_contiguous and x.flags.aligned and y.flags.aligned
            and (x is y or not np.may_share_memory(x, y)))


def axpy(alpha, x, y):
    """y += alpha * x, in place; returns y.

    alpha: a real number; x: an array of y's shape; y: a writeable float array.
    Large C-contiguous float32 and float64 arrays go through OpenBLAS
    (threads, fused multiply-adds: see the module docstring), anything else through numpy, block
    by block unless x and y overlap.
    Raises ValueError if alpha is not one real number, y is read-only or x's shape is not y's.
    """
    # numbers.Real takes Python's and numpy's real scalars; a 0-d array is one number too.
    if not (isinstance(alpha, numbers.Real)
            or isinstance(alpha, np.ndarray) and alpha.ndim == 0 and alpha.dtype.kind in "fiu"):
        hint = ("take it out of its array with float(...)" if isinstance(alpha, np.ndarray)
                else "pass a float")
        raise ValueError(f"axpy's alpha (a learning rate or regularisation strength) must be "
                         f"one real number, got {alpha!r}; {hint}")
    if not y.flags.writeable:
        raise ValueError("axpy updates y in place, so y must be writeable; "
                         "got a read-only array")
    if x.shape != y.shape:
        raise ValueError(f"axpy: x must have y's shape {y.shape}, got {x.shape}")
    # alpha == 0: OpenBLAS returns at once, numpy computes 0 * x (NaN where x is not finite).
    if alpha != 0 and uses_openblas(x, y):
        OPENBLAS_AXPY[y.dtype](y.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)
    elif x is not y and np.may_share_memory(x, y):
        y += alpha * x                  # numpy resolves the overlap; blocks would not
    else:
        for x_block, y_block in blocks(x, y):
            y_block += alpha * x_block
    return y
