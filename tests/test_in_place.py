"""cs231n.in_place: blocks, and axpy through numpy's OpenBLAS or numpy."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from conftest import assert_axpy_result, needs_numpy_openblas
from cs231n import in_place
from cs231n.in_place import IN_PLACE_BLOCK, MIN_BLAS_SIZE, axpy, blocks, uses_openblas


@needs_numpy_openblas
def test_axpy_is_found_in_numpys_openblas_for_both_float_dtypes():
    assert set(in_place.OPENBLAS_AXPY) == {np.dtype(np.float32), np.dtype(np.float64)}
    large = np.ones(MIN_BLAS_SIZE)
    assert uses_openblas(large, large.copy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3,), (MIN_BLAS_SIZE - 1,), (MIN_BLAS_SIZE,), (IN_PLACE_BLOCK + 5,), (3072, 50)])
def test_axpy_adds_alpha_x_into_y_in_place(dtype, shape):
    rng = np.random.default_rng(len(shape))
    x0, y0 = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    x, y = x0.copy(), y0.copy()
    assert axpy(-0.37, x, y) is y
    assert_axpy_result(y, y0, -0.37, x0)
    assert np.array_equal(x, x0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpy_without_openblas_is_numpys_formula_exactly(dtype, monkeypatch):
    # numpy on MKL or Accelerate: no OpenBLAS axpy, so numpy's arithmetic, block by block.
    monkeypatch.setattr(in_place, "OPENBLAS_AXPY", {})
    rng = np.random.default_rng(0)
    x, y0 = (rng.standard_normal(3 * IN_PLACE_BLOCK + 7).astype(dtype) for _ in range(2))
    y = y0.copy()
    assert not uses_openblas(x, y)
    axpy(0.3, x, y)
    assert np.array_equal(y, y0 + 0.3 * x)


def test_axpy_on_views_and_other_layouts_goes_through_numpy():
    base = np.ones((400, 200))
    view = base[:, ::2]                                   # not contiguous: updated in place as a whole
    x = np.full((400, 100), 2.0)
    assert not uses_openblas(x, view)
    axpy(0.5, x, view)
    assert np.all(base[:, ::2] == 2.0) and np.all(base[:, 1::2] == 1.0)
    y = np.zeros((200, 200))
    x_t = np.arange(40000.0).reshape(200, 200).T          # a transposed x: numpy reads it in y's order
    assert not uses_openblas(x_t, y)
    axpy(1.0, x_t, y)
    assert np.array_equal(y, x_t)


def test_axpy_on_overlapping_arrays_is_numpys_result():
    # Raw BLAS (and a block loop) would read x after writing the y it overlaps; numpy resolves it.
    a, b = np.arange(MIN_BLAS_SIZE + 1.0), np.arange(MIN_BLAS_SIZE + 1.0)
    assert not uses_openblas(a[:-1], a[1:])
    axpy(1.0, a[:-1], a[1:])
    b[1:] += b[:-1].copy()
    assert np.array_equal(a, b)
    y = np.arange(float(MIN_BLAS_SIZE))
    assert uses_openblas(y, y)                            # x is y: element by element, no overlap problem
    assert np.array_equal(axpy(2.0, y, y), 3 * np.arange(float(MIN_BLAS_SIZE)))


def test_axpy_refuses_a_different_shape_before_changing_y():
    y = np.zeros((3, 40000))
    with pytest.raises(ValueError, match=r"x must have y's shape \(3, 40000\), got \(40000,\)"):
        axpy(1.0, np.ones(40000), y)
    assert not y.any()


def test_axpy_with_zero_alpha_is_numpys_result_on_every_path():
    # OpenBLAS skips the work when alpha is 0; numpy computes 0 * inf = nan. axpy gives numpy's.
    x = np.full(MIN_BLAS_SIZE, np.inf)
    with np.errstate(invalid="ignore"):
        assert np.all(np.isnan(axpy(0.0, x, np.zeros(MIN_BLAS_SIZE))))


def test_axpy_with_one_or_all_blas_threads_gives_the_same_values():
    # Element-wise: the threads split the elements, not sums, so a search worker's one thread and the
    # notebook's all threads agree bit for bit (outside cs231n.denormals' modes, which OpenBLAS's helper
    # threads do not share: there a subnormal result may be flushed by one thread and not another).
    rng = np.random.default_rng(1)
    x, y0 = rng.standard_normal(10 * MIN_BLAS_SIZE), rng.standard_normal(10 * MIN_BLAS_SIZE)
    y_all = axpy(1e-3, x, y0.copy())
    with threadpool_limits(limits=1):
        y_one = axpy(1e-3, x, y0.copy())
    assert np.array_equal(y_all, y_one)


def test_axpy_refuses_a_read_only_y():
    y = np.zeros(MIN_BLAS_SIZE)
    y.flags.writeable = False
    with pytest.raises(ValueError, match="y must be writeable"):
        axpy(1.0, np.ones(MIN_BLAS_SIZE), y)


@pytest.mark.parametrize("size", [10, MIN_BLAS_SIZE])
def test_axpy_refuses_an_alpha_that_is_not_one_real_number_on_every_path(size):
    # A learning rate drawn as np.random.uniform(size=1) is an array: refused below and above
    # MIN_BLAS_SIZE alike, not broadcast by numpy on small weights and a ctypes error on large ones.
    y = np.zeros(size)
    for alpha, hint in ((np.array([0.1]), "take it out of its array with float"), ([0.1], "pass a float"),
                        (1j, "pass a float"), ("0.1", "pass a float")):
        with pytest.raises(ValueError, match=f"must be one real number, got .*; {hint}"):
            axpy(alpha, np.ones(size), y)
    assert not y.any()
    axpy(np.float32(0.5), np.ones(size), y)            # numpy's scalars and 0-d arrays are numbers
    axpy(np.array(0.5), np.ones(size), y)
    assert np.array_equal(y, np.ones(size))


def test_blocks_cut_contiguous_arrays_into_matching_pieces():
    a, b = np.arange(2 * IN_PLACE_BLOCK + 3), np.zeros(2 * IN_PLACE_BLOCK + 3)
    pieces = list(blocks(a, b))
    assert [len(p[0]) for p in pieces] == [IN_PLACE_BLOCK, IN_PLACE_BLOCK, 3]
    for a_block, b_block in pieces:
        b_block += a_block                               # views: the arrays themselves change
    assert np.array_equal(a, b)
    small, view = np.zeros(5), np.zeros((4, 2 * IN_PLACE_BLOCK))[:, ::2]
    assert [p[0] is small for p in blocks(small)] == [True]
    assert [p[0] is view for p in blocks(view)] == [True]   # not contiguous: the array itself
