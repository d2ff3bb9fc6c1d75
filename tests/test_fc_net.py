"""cs231n.classifiers.fc_net: the handout's reference values and numerical gradient checks."""
import numpy as np
import pytest

from conftest import assert_axpy_result
from cs231n.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
from cs231n.gradient_check import eval_numerical_gradient, grad_check_sparse, gradient_tolerance_ratio
from cs231n.in_place import MIN_BLAS_SIZE


def test_two_layer_net_initialisation_and_reference_values():
    np.random.seed(0)
    N, D, H, C, std = 3, 5, 50, 7, 1e-3
    model = TwoLayerNet(input_dim=D, hidden_dims=H, num_classes=C, weight_scale=std)
    assert abs(model.params["W1"].std() - std) < std / 10 and abs(model.params["W2"].std() - std) < std / 10
    assert np.all(model.params["b1"] == 0) and np.all(model.params["b2"] == 0)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    correct_scores = np.asarray(
        [[11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
         [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
         [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319]])
    assert np.abs(model.loss(X) - correct_scores).sum() < 1e-6
    y = np.array([0, 5, 1])
    assert abs(model.loss(X, y)[0] - 3.4702243556) < 1e-10
    model.reg = 1.0
    assert abs(model.loss(X, y)[0] - 26.5948426952) < 1e-10


def test_two_layer_net_is_float64_unless_asked_for_float32():
    assert {v.dtype for v in TwoLayerNet(input_dim=5, hidden_dims=4).params.values()} == {np.dtype(np.float64)}
    np.random.seed(0)
    model = TwoLayerNet(input_dim=5, hidden_dims=4, num_classes=3, reg=0.1, dtype=np.float32)
    assert {v.dtype for v in model.params.values()} == {np.dtype(np.float32)}
    X, y = np.random.default_rng(1).standard_normal((6, 5)), np.array([0, 2, 1, 1, 0, 2])
    loss, grads = model.loss(X, y)   # float64 inputs are cast
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    # The same weights in float64: the same loss and gradients, to float32's precision.
    exact = TwoLayerNet(input_dim=5, hidden_dims=4, num_classes=3, reg=0.1)
    exact.params = {k: v.astype(np.float64) for k, v in model.params.items()}
    exact_loss, exact_grads = exact.loss(X, y)
    assert loss == pytest.approx(exact_loss, rel=1e-6)
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, exact_grads[name], rtol=1e-5, atol=1e-6, err_msg=name)


# Weight scales keep the activations of order one, so that the probes (h = 1e-5) do not cross ReLU kinks.
# A numpy float32 reg must not round the float64 loss to float32 (the check would fail by far).
@pytest.mark.parametrize("hidden_dims, reg, weight_scale", [
    ([20], 0.0, 5e-2), ([20, 30], 0.0, 5e-2), ([20, 30], 3.14, 5e-2), ([8, 8, 8, 8], 0.7, 0.4),
    ([20, 30], np.float32(3.14), 5e-2)])
def test_gradients_match_numerical_in_float64(hidden_dims, reg, weight_scale):
    rng = np.random.default_rng(len(hidden_dims))
    N, D, C = 2, 15, 10
    X, y = rng.standard_normal((N, D)), rng.integers(C, size=N)
    model = FullyConnectedNet(hidden_dims, input_dim=D, num_classes=C, reg=reg, weight_scale=weight_scale,
                              dtype=np.float64, seed=0)
    loss, grads = model.loss(X, y)
    for name, grad in grads.items():
        numerical = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5)
        # |analytic - numerical| <= 1e-5 |numerical| + the differences' rounding floor, entry by entry.
        assert gradient_tolerance_ratio(grad, numerical, loss) < 1, name


def test_dtype_seed_and_initial_loss():
    a = FullyConnectedNet([10, 10], input_dim=12, seed=3)
    b = FullyConnectedNet([10, 10], input_dim=12, seed=3)
    assert all(v.dtype == np.float32 for v in a.params.values())
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    X = np.random.default_rng(0).standard_normal((50, 3, 2, 2))  # flattened to 12 inside
    loss, _ = a.loss(X, np.arange(50) % 10)
    assert abs(loss - np.log(10)) < 0.05


def test_unsupported_options_and_bad_inputs_are_refused():
    with pytest.raises(NotImplementedError, match="dropout"):
        FullyConnectedNet([10], dropout=0.5)
    # CS231n's TwoLayerNet takes weight_scale fourth, UCLA's (this one) dropout.
    with pytest.raises(NotImplementedError, match=r"if you meant CS231n's fourth argument, the weight scale, "
                                                  r"pass it by name: weight_scale=0\.001"):
        TwoLayerNet(3072, 50, 10, 1e-3)
    assert TwoLayerNet(3072, 50, 10, weight_scale=1e-3).params["W1"].std() == pytest.approx(1e-3, rel=0.01)
    with pytest.raises(NotImplementedError, match="batch normalisation"):
        FullyConnectedNet([10], use_batchnorm=True)
    with pytest.raises(ValueError, match="dtype must be a float type such as np.float32 or np.float64, got int64"):
        FullyConnectedNet([10], dtype=np.int64)
    model = FullyConnectedNet([10], input_dim=12, num_classes=3)
    with pytest.raises(ValueError, match=r"12 values per example, got \(4, 10\)"):
        model.loss(np.zeros((4, 10)))
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        model.loss(np.zeros((2, 12)), np.array([0, 3]))


def test_he_initialisation_scales_each_layer_by_its_fan_in():
    model = FullyConnectedNet([400, 300], input_dim=800, weight_scale="he", seed=0)
    for name, fan_in in [("W1", 800), ("W2", 400), ("W3", 300)]:
        assert abs(model.params[name].std() / np.sqrt(2 / fan_in) - 1) < 0.05, name
    # Unit-variance inputs keep activations of order one through the ReLU layers.
    X = np.random.default_rng(1).standard_normal((500, 800))
    hidden = X
    for layer in (1, 2):
        hidden = np.maximum(hidden @ model.params[f"W{layer}"], 0)
        assert 0.7 < np.sqrt(np.mean(hidden ** 2)) < 1.3
    for bad in [0, -1e-2, "xavier", None, True, np.inf]:
        with pytest.raises(ValueError, match="weight_scale must be a positive number or 'he'"):
            FullyConnectedNet([10], weight_scale=bad)
    # numpy's scalars are numbers too (a scale read from an array, or np.float32(1e-2)).
    for scale in [np.float32(1e-2), np.float64(1e-2), np.int64(1)]:
        assert FullyConnectedNet([10], weight_scale=scale, seed=0).params["W1"].std() > 0


@pytest.mark.parametrize("kwargs, match", [
    (dict(hidden_dims=100), r"a list of hidden-layer sizes, got the number 100; for one hidden layer write \[100\]"),
    (dict(hidden_dims=None), "a list of hidden-layer sizes, got None"),
    (dict(hidden_dims=[100.0]), r"positive integers, got 100.0 among"),
    (dict(hidden_dims=[50, 0]), r"positive integers, got 0 among"),
    (dict(hidden_dims=[50], num_classes=-3), r"got -3 among .*num_classes=-3"),
])
def test_layer_sizes_that_are_not_positive_integers_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FullyConnectedNet(**kwargs)


def test_hidden_sizes_may_be_any_sequence_of_integers():
    for hidden in ([64, 32], (64, 32), np.array([64, 32])):
        model = FullyConnectedNet(hidden, input_dim=20, seed=0)
        assert model.num_layers == 3 and model.params["W2"].shape == (64, 32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regularised_loss_and_gradients_add_the_l2_terms(dtype):
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((20, 300)), rng.integers(10, size=20)
    kwargs = dict(input_dim=300, weight_scale="he", dtype=dtype, seed=1)
    plain, regularised = FullyConnectedNet([120, 40], **kwargs), FullyConnectedNet([120, 40], reg=0.7, **kwargs)
    loss0, grads0 = plain.loss(X, y)
    loss, grads = regularised.loss(X, y)
    penalty = 0.5 * 0.7 * sum(np.sum(regularised.params[f"W{k}"].astype(np.float64) ** 2) for k in (1, 2, 3))
    assert abs(loss - (loss0 + penalty)) < (1e-5 if dtype == np.float32 else 1e-12) * loss
    for name, grad in grads.items():
        if name.startswith("W"):   # the data gradient (the same parameters' in both nets) + 0.7 W
            assert_axpy_result(grad, grads0[name], 0.7, regularised.params[name])
        else:
            assert grad.dtype == dtype and np.array_equal(grad, grads0[name]), name


def test_gradients_of_a_net_with_weights_above_min_blas_size_match_numerical_in_float64():
    # W1 is 400 x 90 = 36000 entries >= MIN_BLAS_SIZE: its L2 gradient comes from OpenBLAS's axpy
    # where numpy is built with OpenBLAS (cs231n.in_place).
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((6, 400)), rng.integers(10, size=6)
    model = FullyConnectedNet([90, 30], input_dim=400, reg=0.5, weight_scale=0.1, dtype=np.float64, seed=0)
    assert model.params["W1"].size >= MIN_BLAS_SIZE
    _, grads = model.loss(X, y)
    for name in ["W1", "W2", "W3", "b1"]:
        errors = grad_check_sparse(lambda _: model.loss(X, y)[0], model.params[name], grads[name], num_checks=15,
                                   seed=3)
        assert max(errors) < 1e-5, name   # as the dense checks above: h = 1e-5 probes of a loss of order 10
