"""cs231n.classifiers.neural_net.TwoLayerNet: the handout's reference numbers, gradients, training."""
import numpy as np
import pytest

from cs231n.classifiers.neural_net import TwoLayerNet
from cs231n.gradient_check import eval_numerical_gradient, grad_check_sparse, rel_error


@pytest.fixture
def toy():
    np.random.seed(0)
    net = TwoLayerNet(4, 10, 3, std=1e-1)
    np.random.seed(1)
    return net, 10 * np.random.randn(5, 4), np.array([0, 1, 2, 2, 1])


def test_reference_scores_and_loss(toy):
    net, X, y = toy
    correct_scores = np.asarray([[-1.07260209, 0.05083871, -0.87253915], [-2.02778743, -0.10832494, -1.52641362],
                                 [-0.74225908, 0.15259725, -0.39578548], [-0.38172726, 0.10835902, -0.17328274],
                                 [-0.64417314, -0.18886813, -0.41106892]])
    assert np.sum(np.abs(net.loss(X) - correct_scores)) < 1e-7
    assert abs(net.loss(X, y, reg=0.05)[0] - 1.071696123862817) < 1e-12


def test_gradients_match_numerical(toy):
    net, X, y = toy
    _, grads = net.loss(X, y, reg=0.05)
    for name, grad in grads.items():
        assert grad.shape == net.params[name].shape
        numerical = eval_numerical_gradient(lambda _: net.loss(X, y, reg=0.05)[0], net.params[name], verbose=False)
        assert rel_error(grad, numerical) < 1e-8, name


def test_train_history_and_predict(toy):
    net, X, y = toy
    stats = net.train(X, y, X, y, learning_rate=1e-1, reg=5e-6, num_iters=100)
    assert len(stats["loss_history"]) == 100 and stats["loss_history"][-1] < 0.02
    assert len(stats["val_acc_history"]) == 100  # 5 examples, batch 200: an epoch is one iteration
    assert np.array_equal(net.predict(X), y)


def test_keep_best_keeps_the_parameters_of_the_best_validation_check():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 5)), rng.integers(3, size=60)
    X_val, y_val = rng.standard_normal((40, 5)), rng.integers(3, size=40)   # noise labels: accuracy wanders
    runs = {}
    for keep_best in (False, True):
        np.random.seed(1)
        net = TwoLayerNet(5, 8, 3, std=1e-1)
        # 28 iterations: the last, 27, begins an epoch (3 iterations each), so both runs check alike.
        stats = net.train(X, y, X_val, y_val, learning_rate=0.5, num_iters=28, batch_size=20, keep_best=keep_best)
        runs[keep_best] = net, stats
    history = runs[True][1]["val_acc_history"]
    assert history == runs[False][1]["val_acc_history"]          # the same run either way
    assert max(history) > history[-1]                            # so the best check is not the last one
    assert (runs[True][0].predict(X_val) == y_val).mean() == max(history)
    assert not np.array_equal(runs[True][0].params["W1"], runs[False][0].params["W1"])   # not the last ones


def test_keep_best_checks_the_final_parameters_too():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 5)), rng.integers(3, size=60)
    np.random.seed(1)
    net = TwoLayerNet(5, 8, 3, std=1e-1)
    stats = net.train(X, y, X, y, learning_rate=0.5, num_iters=29, batch_size=20, keep_best=True)
    # Checks after iterations 0, 3, ..., 27, and after 28, the last.
    assert stats["check_iterations"] == [*range(0, 28, 3), 28] and len(stats["val_acc_history"]) == 11
    assert (net.predict(X) == y).mean() == max(stats["val_acc_history"])
    # When the last iteration began an epoch, it was checked already: no second check.
    np.random.seed(1)
    stats = TwoLayerNet(5, 8, 3, std=1e-1).train(X, y, X, y, learning_rate=0.5, num_iters=28, batch_size=20,
                                                 keep_best=True)
    assert stats["check_iterations"] == list(range(0, 28, 3)) and len(stats["val_acc_history"]) == 10


def test_divergence_with_keep_best_restores_the_best_check_and_names_the_rate_in_use():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 5)), rng.integers(3, size=60)
    np.random.seed(1)
    net = TwoLayerNet(5, 8, 3, std=1e-1)
    # A rate that grows by 3 per epoch of 3 iterations: fine at first, then the loss overflows.
    with pytest.raises(ValueError, match=r"learning rate \d.* by then, from learning_rate=0.5; reg=1e-05\); lower "
                                         r"the learning rate. The parameters of the best check \(validation "
                                         r"accuracy 0\.\d+\) were restored"), np.errstate(all="ignore"):
        net.train(X, y, X, y, learning_rate=0.5, learning_rate_decay=3.0, num_iters=300, batch_size=20,
                  keep_best=True)
    assert all(np.all(np.isfinite(v)) for v in net.params.values())
    assert (net.predict(X) == y).mean() > 1 / 3


def test_epochs_are_counted_when_the_batch_does_not_divide_the_data():
    np.random.seed(0)
    net = TwoLayerNet(3, 4, 2)
    X, y = np.random.randn(30, 3), np.random.randint(2, size=30)
    stats = net.train(X, y, X, y, num_iters=20, batch_size=7)  # 30 // 7 = 4 iterations an epoch
    assert len(stats["train_acc_history"]) == 5 and stats["check_iterations"] == [0, 4, 8, 12, 16]


def test_bad_inputs_and_divergence_are_reported(toy):
    net, X, y = toy
    with pytest.raises(ValueError, match=r"X must be \(N, 4\).*\(5, 3\)"):
        net.loss(X[:, :3])
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        net.loss(X, np.array([0, 1, 2, 3, 1]))
    with pytest.raises(ValueError, match=r"\(5,\).*\(4,\)"):
        net.loss(X, y[:4])
    with pytest.raises(ValueError, match="reg must be a number with 0 <= reg < inf, got -1.0"):
        net.loss(X, y, reg=-1.0)
    with pytest.raises(ValueError, match="loss became .* lower the learning rate"), np.errstate(all="ignore"):
        net.train(X, y, X, y, learning_rate=1e6, num_iters=50)
    with pytest.raises(ValueError, match="batch_size must be an integer of at least 1, got 0"):
        net.train(X, y, X, y, batch_size=0)
    with pytest.raises(ValueError, match="num_iters must be an integer of at least 0, got 2.5"):
        net.train(X, y, X, y, num_iters=2.5)
    with pytest.raises(ValueError, match=r"need at least one example, got X_val \(0, 4\)"):   # not NaN accuracies
        net.train(X, y, X[:0], y[:0], num_iters=2)
    with pytest.raises(ValueError, match=r"need at least one example, got X \(0, 4\)"):   # not numpy's choice error
        net.train(X[:0], y[:0], X, y, num_iters=2)


def test_train_updates_the_parameters_in_place_by_sgd():
    np.random.seed(0)
    net = TwoLayerNet(40, 8, 3, std=1e-1)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 40)), rng.integers(3, size=30)
    arrays = dict(net.params)
    np.random.seed(7)
    batch = np.random.choice(30, 10)                     # train's first draw after the same seed
    _, grads = net.loss(X[batch], y[batch], reg=0.3)
    expected = {k: v - 0.05 * grads[k] for k, v in net.params.items()}
    np.random.seed(7)
    net.train(X, y, X, y, learning_rate=0.05, reg=0.3, num_iters=1, batch_size=10)
    for name, value in net.params.items():
        assert value is arrays[name] and rel_error(value, expected[name]) < 1e-15, name


def test_regularised_gradients_match_numerical_when_W1_is_above_min_blas_size():
    np.random.seed(0)
    net = TwoLayerNet(4000, 10, 3, std=1e-2)             # W1 has 40000 entries >= in_place.MIN_BLAS_SIZE
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 4000)), np.array([0, 1, 2, 2, 1])
    loss, grads = net.loss(X, y, reg=0.7)
    penalty = 0.5 * 0.7 * (np.sum(net.params["W1"] ** 2) + np.sum(net.params["W2"] ** 2))
    assert abs(loss - (net.loss(X, y)[0] + penalty)) < 1e-12
    for name in ["W1", "W2"]:
        errors = grad_check_sparse(lambda _: net.loss(X, y, reg=0.7)[0], net.params[name], grads[name],
                                   num_checks=15, seed=2)
        assert max(errors) < 1e-7, name


def test_train_leaves_a_0d_array_learning_rate_of_the_caller_unchanged(toy):
    net, X, y = toy
    rate = np.array(1e-3)   # decayed in place by *= before
    net.train(X, y, X, y, learning_rate=rate, num_iters=3, batch_size=5)
    assert rate == 1e-3
