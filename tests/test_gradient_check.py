"""cs231n.gradient_check against functions whose gradients are known in closed form."""
import numpy as np
import pytest

from cs231n.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    gradient_tolerance_ratio,
    rel_error,
)


def test_rel_error_definition():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert rel_error(np.array([0.0]), np.array([1e-9])) == pytest.approx(1e-9 / 1e-8)
    assert rel_error(2.0, 2.0) == 0.0
    assert rel_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0   # an empty batch's gradient
    assert gradient_tolerance_ratio(np.zeros(0), np.zeros(0), 1.0) == 0.0


@pytest.mark.parametrize("compare", [rel_error, lambda a, n: gradient_tolerance_ratio(a, n, 1.0)])
def test_comparisons_refuse_arrays_of_different_shapes(compare):
    # Broadcast, (3,) against (3, 1) would compare all 9 pairs, and these equal arrays would
    # "differ"; a gradient (N, D) against its flattened numerical twin would say nothing, and the
    # ratio of a (3, 1) gradient of ones to a (3,) one would be 0, a pass.
    with pytest.raises(ValueError, match=r"need one shape, got \(3,\) and \(3, 1\)\. A gradient of another"):
        compare(np.arange(3.0), np.arange(3.0)[:, None])


@pytest.mark.parametrize("shape", [(3,), (4, 5), (2, 3, 4)])
def test_numerical_gradient_of_a_cubic(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    x0 = x.copy()
    grad = eval_numerical_gradient(lambda z: np.sum(z ** 3), x, verbose=False)
    assert rel_error(grad, 3 * x0 ** 2) < 1e-8
    np.testing.assert_array_equal(x, x0)


def test_numerical_gradient_array_of_a_matrix_product():
    rng = np.random.default_rng(1)
    A, x, dout = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    grad = eval_numerical_gradient_array(lambda z: A @ z, x, dout)
    assert rel_error(grad, A.T @ dout) < 1e-8


def test_numerical_gradient_array_of_a_curved_function_is_centred():
    # A linear f cannot tell a centred difference from a one-sided one (error h/2 |f''|, 5e-6 here).
    rng = np.random.default_rng(4)
    x, dout = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    assert rel_error(eval_numerical_gradient_array(np.sin, x, dout), np.cos(x) * dout) < 1e-8


def test_numerical_gradient_array_of_a_function_returning_a_view_of_x():
    # f(x + h) and f(x - h) are then the same array, changed in place by the next probe: each must
    # be copied when taken, or every difference is 0.
    x = np.arange(4.0).reshape(2, 2)
    grad = eval_numerical_gradient_array(lambda z: z.reshape(4), x, np.ones(4))
    np.testing.assert_allclose(grad, np.ones((2, 2)), rtol=1e-9)


def test_x_is_restored_when_f_raises():
    x = np.arange(4.0)
    calls = []

    def f(z):
        calls.append(z.copy())
        if len(calls) == 2:
            raise RuntimeError("boom")
        return float(z.sum())

    with pytest.raises(RuntimeError, match="boom"):
        eval_numerical_gradient(f, x, verbose=False)
    np.testing.assert_array_equal(x, np.arange(4.0))


def test_sparse_check_is_seeded_and_small_for_a_correct_gradient(capsys):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 7))

    def f(z):
        return float(np.sum(np.sin(z)))

    errors = grad_check_sparse(f, x, np.cos(x), num_checks=5, seed=3)
    first = capsys.readouterr().out
    assert len(errors) == 5 and max(errors) < 1e-8
    grad_check_sparse(f, x, np.cos(x), num_checks=5, seed=3)
    assert capsys.readouterr().out == first
    assert max(grad_check_sparse(f, x, np.cos(x) + 1, num_checks=5, seed=3)) > 1e-2
    # A transposed gradient would be probed at the wrong entries, some passing by chance.
    with pytest.raises(ValueError, match=r"grad_check_sparse compares .* got \(6, 7\) and \(7, 6\)"):
        grad_check_sparse(f, x, np.cos(x).T, num_checks=5, seed=3)


def test_tolerance_ratio_is_relative_above_the_rounding_floor_and_absolute_below():
    f_value, h = 2.3, 1e-5
    atol = 10 * np.finfo(np.float64).eps * 2.3 / h              # about 5e-10
    large = np.array([1.0, -0.5])
    assert gradient_tolerance_ratio(large * (1 + 0.5e-5), large, f_value, h) == pytest.approx(0.5, rel=1e-3)
    assert gradient_tolerance_ratio(large * (1 + 2e-5), large, f_value, h) > 1       # relative error too big
    tiny = np.array([5e-8])                                   # below what centred differences resolve
    assert gradient_tolerance_ratio(tiny + 0.5 * atol, tiny, f_value, h) < 1
    assert gradient_tolerance_ratio(tiny + 2 * atol, tiny, f_value, h) > 1
    assert rel_error(tiny + 0.5 * atol, tiny) > 1e-3          # what the fixed-floor measure says of it


def test_tolerance_ratio_passes_a_correct_gradient_and_fails_a_wrong_one():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 6))

    def f(z):
        return float(np.sum(np.log1p(z ** 2)))

    numerical = eval_numerical_gradient(f, x, verbose=False)
    correct = 2 * x / (1 + x ** 2)
    assert gradient_tolerance_ratio(correct, numerical, f(x)) < 1
    wrong = correct.copy()
    wrong[2, 3] *= 1.001
    assert gradient_tolerance_ratio(wrong, numerical, f(x)) > 1


@pytest.mark.parametrize("x", [np.array([1, 2, 3]), [1.0, 2.0, 3.0]], ids=["integer array", "list"])
def test_a_point_that_cannot_be_perturbed_in_place_is_refused(x):
    # An integer x would round x + h back to x, and a gradient of zeros or nonsense would come back.
    for check in (lambda: eval_numerical_gradient(lambda z: float(np.sum(z ** 2)), x, verbose=False),
                  lambda: eval_numerical_gradient_array(lambda z: z * 2, x, np.ones(3)),
                  lambda: grad_check_sparse(lambda z: float(np.sum(z ** 2)), x, np.zeros(3), num_checks=1)):
        with pytest.raises(ValueError, match="floating-point numpy array.*np.asarray"):
            check()
