"""cs231n.layers and cs231n.layer_utils: the handout's reference values and numerical gradients."""
import numpy as np
import pytest

from conftest import assert_axpy_result
from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n.in_place import MIN_BLAS_SIZE
from cs231n.layer_utils import affine_relu_backward, affine_relu_forward
from cs231n.layers import (
    affine_backward,
    affine_forward,
    l2_regularization,
    relu_backward,
    relu_forward,
    softmax_loss,
    svm_loss,
)


def test_affine_forward_reference_values():
    x = np.linspace(-0.1, 0.5, num=240).reshape(2, 4, 5, 6)
    w = np.linspace(-0.2, 0.3, num=360).reshape(120, 3)
    b = np.linspace(-0.3, 0.1, num=3)
    out, _ = affine_forward(x, w, b)
    correct = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
    assert rel_error(out, correct) < 1e-7


def test_relu_forward_reference_values():
    out, _ = relu_forward(np.linspace(-0.5, 0.5, num=12).reshape(3, 4))
    correct = np.array([[0, 0, 0, 0], [0, 0, 0.04545455, 0.13636364], [0.22727273, 0.31818182, 0.40909091, 0.5]])
    assert rel_error(out, correct) < 1e-7


@pytest.mark.parametrize("shape", [(10, 6), (4, 2, 3, 2)])
def test_affine_backward_numerically(shape):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(shape), rng.standard_normal((int(np.prod(shape[1:])), 5)), rng.standard_normal(5)
    dout = rng.standard_normal((shape[0], 5))
    dx, dw, db = affine_backward(dout, affine_forward(x, w, b)[1])
    assert dx.shape == x.shape
    assert rel_error(dx, eval_numerical_gradient_array(lambda x_: affine_forward(x_, w, b)[0], x, dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(lambda w_: affine_forward(x, w_, b)[0], w, dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(lambda b_: affine_forward(x, w, b_)[0], b, dout)) < 1e-8


def test_relu_and_sandwich_backward_numerically():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((10, 10))
    dout = rng.standard_normal(x.shape)
    dx = relu_backward(dout, relu_forward(x)[1])
    assert rel_error(dx, eval_numerical_gradient_array(lambda x_: relu_forward(x_)[0], x, dout)) < 1e-8
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((12, 10)), rng.standard_normal(10)
    dout = rng.standard_normal((2, 10))
    dx, dw, db = affine_relu_backward(dout, affine_relu_forward(x, w, b)[1])
    assert rel_error(dx, eval_numerical_gradient_array(lambda x_: affine_relu_forward(x_, w, b)[0], x, dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(lambda w_: affine_relu_forward(x, w_, b)[0], w, dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(lambda b_: affine_relu_forward(x, w, b_)[0], b, dout)) < 1e-8


def test_in_place_forward_passes_match_the_textbook_formulas_and_leave_inputs_alone():
    rng = np.random.default_rng(3)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in [(6, 4), (4, 5), (5,)])
    originals = [a.copy() for a in (x, w, b)]
    out, _ = affine_forward(x, w, b)
    np.testing.assert_array_equal(out, x @ w + b)          # the same additions, in place
    assert out.dtype == np.float32
    w_transposed_view = np.ascontiguousarray(w.T).T         # not C-contiguous, as TwoLayerNet's W1.T
    np.testing.assert_array_equal(affine_forward(x, w_transposed_view, b)[0], x @ w + b)
    relu_out, (fc_cache, relu_cache) = affine_relu_forward(x, w, b)
    np.testing.assert_array_equal(relu_out, np.maximum(x @ w + b, 0))
    assert relu_cache is relu_out and fc_cache[0] is x
    dout = rng.standard_normal(relu_out.shape).astype(np.float32)
    np.testing.assert_array_equal(relu_backward(dout, relu_cache), relu_backward(dout, x @ w + b))
    for array, original in zip((x, w, b), originals, strict=True):
        np.testing.assert_array_equal(array, original)
    # The ReLU's output marks the same entries as its input, also at the edge values.
    edges = np.array([[np.nan], [0.0], [-0.0], [np.inf], [-np.inf], [-1.0], [1e-45]], dtype=np.float32)
    one, zero = np.ones((1, 1), np.float32), np.zeros(1, np.float32)
    _, (_, edge_cache) = affine_relu_forward(edges, one, zero)
    np.testing.assert_array_equal(relu_backward(np.ones_like(edges), edge_cache),
                                  relu_backward(np.ones_like(edges), edges @ one + zero))
    assert relu_backward(np.ones_like(edges), edge_cache).ravel().tolist() == [0, 0, 0, 1, 0, 0, 1]
    # Mixed dtypes promote as x @ w + b would: float64 biases, integer inputs.
    assert affine_forward(x, w, b.astype(np.float64))[0].dtype == np.float64
    out, _ = affine_forward(np.arange(6).reshape(2, 3), np.ones((3, 2), dtype=int), np.array([0.5, -0.5]))
    np.testing.assert_array_equal(out, [[3.5, 2.5], [12.5, 11.5]])


@pytest.mark.parametrize("loss_fn, expected", [(softmax_loss, np.log(10)), (svm_loss, 9.0)])
def test_losses_at_small_scores_and_their_gradients(loss_fn, expected):
    rng = np.random.default_rng(2)
    x, y = 0.001 * rng.standard_normal((50, 10)), rng.integers(10, size=50)
    loss, dx = loss_fn(x, y)
    assert loss == pytest.approx(expected, abs=0.01)
    assert rel_error(dx, eval_numerical_gradient(lambda x_: loss_fn(x_, y)[0], x, verbose=False)) < 1e-7


def test_svm_loss_where_some_margins_are_inactive():
    # Scores of order 3: many margins x_j - x_y + 1 are negative, so the hinge and its mask matter
    # (at the 1e-3 scale of the test above every margin is about 1, active).
    rng = np.random.default_rng(3)
    x, y = 3 * rng.standard_normal((40, 6)), rng.integers(6, size=40)
    loss, dx = svm_loss(x, y)
    by_hand = np.mean([sum(max(0.0, s[j] - s[c] + 1) for j in range(6) if j != c) for s, c in zip(x, y, strict=True)])
    margins = x - x[np.arange(40), y][:, None] + 1
    assert 0.2 < np.mean(margins < 0) < 0.8                       # both sides of the hinge occur
    assert loss == pytest.approx(by_hand, rel=1e-12)
    assert rel_error(dx, eval_numerical_gradient(lambda x_: svm_loss(x_, y)[0], x, verbose=False)) < 1e-7


@pytest.mark.parametrize("loss_fn, expected_loss, expected_dx", [
    # Row 0 puts all probability on class 0 against label 1 (loss 2e4), row 1 on its label (loss 0).
    (softmax_loss, 1e4, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]]),
    # Row 0's margins 20001 and 10001, row 1's both negative: (30002 + 0) / 2.
    (svm_loss, 15001.0, [[0.5, -1.0, 0.5], [0.0, 0.0, 0.0]]),
])
def test_losses_are_exact_and_stable_for_huge_scores(loss_fn, expected_loss, expected_dx):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        loss, dx = loss_fn(x, np.array([1, 1]))
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(dx, expected_dx, atol=1e-12)


def test_bad_inputs_name_the_shapes():
    with pytest.raises(ValueError, match=r"\(N,\) = \(4,\) to match \(4, 3\), got labels \(5,\)"):
        softmax_loss(np.zeros((4, 3)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"0\.\.2.*range 0\.\.3"):
        svm_loss(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"D = 6.*w \(5, 2\)"):
        affine_forward(np.zeros((2, 6)), np.zeros((5, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"examples along the first axis, got \(5,\); one example x0 is x0\[None\]"):
        affine_forward(np.zeros(5), np.zeros((5, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"need one shape, got \(2, 3\) and \(3,\)"):
        relu_backward(np.ones((2, 3)), np.ones(3))                  # would broadcast to (2, 3)
    for loss_fn in (softmax_loss, svm_loss):
        for scores in (np.zeros((0, 3)), np.zeros((2, 0))):        # nan, and labels in 0..-1
            with pytest.raises(ValueError, match="at least one example and one class, got"):
                loss_fn(scores, np.zeros(len(scores), dtype=int))


@pytest.mark.parametrize("labels, found", [(np.array([0.0, 2.0]), "dtype float64"), ([0, 2], "list"),
                                           (np.array([True, False]), "dtype bool")])
def test_labels_that_are_not_integers_are_refused_by_name(labels, found):
    # Float labels (np.loadtxt's) would fail deep in numpy's indexing; boolean ones would mask rows.
    for loss_fn in (softmax_loss, svm_loss):
        with pytest.raises(ValueError, match=f"numpy array of integers.*got {found}; pass np.asarray"):
            loss_fn(np.zeros((2, 3)), labels)


def test_affine_backward_of_an_empty_batch():
    x, w, b = np.zeros((0, 2, 3)), np.ones((6, 4)), np.zeros(4)
    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(np.zeros_like(out), cache)
    assert out.shape == (0, 4) and dx.shape == x.shape
    assert np.array_equal(dw, np.zeros((6, 4))) and np.array_equal(db, np.zeros(4))


# layers.l2_regularization adds reg * w by in_place.axpy: shapes below and above MIN_BLAS_SIZE (numpy's
# arithmetic, then OpenBLAS's), and a transposed (non-contiguous) gradient, which numpy updates.
@pytest.mark.parametrize("shape", [(3,), (7, 5), (MIN_BLAS_SIZE,), (3072, 50), (2, 100, 200)])
@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-5), (np.float64, 1e-12)])
def test_l2_regularization_matches_its_formula(shape, dtype, rtol):
    rng = np.random.default_rng(len(shape))
    w, dw0 = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    for dw in [dw0.copy(), dw0.T.copy().T]:   # C-ordered, and (ndim > 1) a transposed view
        loss = l2_regularization(w, dw, 0.3)
        expected_loss = 0.5 * 0.3 * np.sum(w.astype(np.float64) ** 2)
        assert abs(loss - expected_loss) <= rtol * expected_loss
        assert_axpy_result(dw, dw0, 0.3, w)                              # in place
    dw = dw0.copy()
    assert l2_regularization(w, dw, 0.0) == 0.0 and np.array_equal(dw, dw0)


def test_l2_loss_of_millions_of_float32_weights_keeps_its_precision():
    # A net on raw pixels with 1024 first-layer units has 3M weights in W1: one float32 dot product over
    # all of them is off by about 6e-6 relative.
    w = np.random.default_rng(0).standard_normal((1024, 3072)).astype(np.float32)
    loss = l2_regularization(w, np.zeros_like(w), 0.3)
    expected = 0.5 * 0.3 * np.sum(w.astype(np.float64) ** 2)
    assert abs(loss - expected) <= 1e-7 * expected


def test_l2_loss_is_a_python_float_for_a_numpy_float32_reg_and_bad_regs_are_refused():
    w = np.random.default_rng(1).standard_normal((4, 3))
    # A float32 loss term would round a float64 model's loss, and its gradient checks would fail.
    loss = l2_regularization(w, np.zeros_like(w), np.float32(0.3))
    assert type(loss) is float and loss == pytest.approx(0.5 * 0.3 * np.sum(w ** 2), rel=1e-7)
    for bad in [-0.1, np.nan, np.inf]:
        dw = np.zeros_like(w)
        with pytest.raises(ValueError, match=f"reg must be a number with 0 <= reg < inf, got {bad}"):
            l2_regularization(w, dw, bad)
        assert not dw.any()
