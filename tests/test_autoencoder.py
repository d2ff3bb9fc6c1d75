"""cs231n.autoencoder: loss and gradient against a hand-computed case and numerical gradients."""
import re

import numpy as np
import pytest

from cs231n import autoencoder as ae
from cs231n.gradient_check import eval_numerical_gradient, rel_error


def test_loss_on_a_hand_computed_case():
    W = np.array([[1.0, 0.0, 0.0]])      # keeps the first coordinate only
    x = np.array([2.0, 3.0, -1.0])
    assert ae.loss(W, x) == pytest.approx(0.5 * (9 + 1))


@pytest.mark.parametrize("m, n, N", [(1, 2, None), (2, 5, None), (3, 7, 4), (5, 9, 2)])
def test_grad_matches_numerical_gradient(m, n, N):
    rng = np.random.default_rng(m * 100 + n)
    W = rng.standard_normal((m, n)) / np.sqrt(n)
    x = rng.standard_normal(n if N is None else (N, n))
    numerical = eval_numerical_gradient(lambda W_: ae.loss(W_, x), W.copy(), verbose=False)
    assert rel_error(ae.grad(W, x), numerical) < 1e-7


def test_batch_is_the_sum_over_rows():
    rng = np.random.default_rng(0)
    W, X = rng.standard_normal((3, 6)), rng.standard_normal((4, 6))
    assert ae.loss(W, X) == pytest.approx(sum(ae.loss(W, x) for x in X))
    assert rel_error(ae.grad(W, X), sum(ae.grad(W, x) for x in X)) < 1e-12


def test_paths_match_closed_forms_and_add_up():
    rng = np.random.default_rng(1)
    W, x = rng.standard_normal((2, 5)), rng.standard_normal(5)
    r = (W.T @ W - np.eye(5)) @ x
    dW_encoder, dW_decoder = ae.grad_paths(W, x)
    assert rel_error(dW_encoder, np.outer(W @ r, x)) < 1e-12
    assert rel_error(dW_decoder, np.outer(W @ x, r)) < 1e-12
    expanded = W @ W.T @ W @ np.outer(x, x) + W @ np.outer(x, x) @ W.T @ W - 2 * W @ np.outer(x, x)
    assert rel_error(ae.grad(W, x), expanded) < 1e-10


def test_training_reaches_the_pca_subspace():
    rng = np.random.default_rng(2)
    # Data with a clear top-2 subspace: variances 9, 4 and then 0.1.
    X = rng.standard_normal((500, 6)) * np.array([3, 2, 0.3, 0.3, 0.3, 0.3])
    X = (X - X.mean(0)) @ np.linalg.qr(rng.standard_normal((6, 6)))[0]
    V, L_opt = ae.pca(X, 2)
    W, history = ae.train(X, 2, learning_rate=0.3 / np.linalg.norm(X, 2) ** 2, num_iters=400)
    assert ae.principal_angles(W, V).max() < 0.1
    assert history["loss"][-1] == pytest.approx(L_opt, rel=1e-3)    # L_opt is the least any W reaches
    assert history["loss"][0] > history["loss"][-1]
    assert history["iteration"] == list(range(0, 401, 10))        # record_every=10, the last step included
    assert history["loss"][-1] == ae.loss(W, X)


def test_principal_angles_of_known_subspaces():
    e = np.eye(3)
    tilted = np.array([[1.0, 0, 0], [0, np.cos(0.3), np.sin(0.3)]])
    np.testing.assert_allclose(ae.principal_angles(e[:2], tilted), [0, np.degrees(0.3)], atol=1e-10)
    # angles both sides of 45 degrees, in any basis of the two spaces
    rotation = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))[0]
    wide = np.array([[1.0, 0, 0], [0, np.cos(1.2), np.sin(1.2)]]) @ rotation
    np.testing.assert_allclose(ae.principal_angles(e[:2] @ rotation, [[2.0, 1, 0], [1, 1, 0]] @ rotation),
                               [0, 0], atol=1e-6)
    np.testing.assert_allclose(ae.principal_angles(e[:2] @ rotation, wide), [0, np.degrees(1.2)], atol=1e-10)


def test_principal_angles_resolve_tiny_angles():
    # cos(1e-9) rounds to 1, so the arccosine alone returned 0; the sine keeps the angle.
    tilted = np.array([[1.0, 0, 0], [0, np.cos(1e-9), np.sin(1e-9)]])
    np.testing.assert_allclose(ae.principal_angles(np.eye(3)[:2], tilted), [0, np.degrees(1e-9)], rtol=1e-6,
                               atol=1e-20)


def test_principal_angles_refuse_rows_that_span_fewer_dimensions():
    # QR of a 1-D row space written as two rows makes up a second direction: this pair came out
    # [0, 0], "the same subspace".
    e = np.eye(3)
    with pytest.raises(ValueError, match="the 2 rows of A have rank 1, so its row space is not 2-dimensional"):
        ae.principal_angles(e[[0, 0]], e[:2])
    with pytest.raises(ValueError, match="the 2 rows of B have rank 0"):
        ae.principal_angles(e[:2], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="the 4 rows of A have rank 3"):   # more rows than dimensions
        ae.principal_angles(np.eye(4, 3), np.eye(4, 3))
    with pytest.raises(ValueError, match=r"both be \(k, n\), got \(2, 3\) and \(3, 3\)"):
        ae.principal_angles(e[:2], e)


@pytest.mark.parametrize("W, x, message", [
    (np.zeros(3), np.zeros(3), "W must be a matrix"),
    (np.zeros((2, 3)), np.zeros(4), "n = 3"),
    (np.zeros((2, 3)), np.zeros((5, 2)), "(5, 2)"),
])
def test_bad_shapes_are_refused(W, x, message):
    with pytest.raises(ValueError) as err:
        ae.grad(W, x)
    assert message in str(err.value)


def test_a_code_size_or_record_interval_out_of_range_is_refused():
    X = np.random.default_rng(0).standard_normal((20, 5))
    with pytest.raises(ValueError, match=r"m must be an integer from 1 to min\(N, n\) = 5 for X \(20, 5\), got 6"):
        ae.pca(X, 6)
    with pytest.raises(ValueError, match=r"m must be an integer from 1 .*got 1\.5"):   # not a slicing TypeError
        ae.pca(X, 1.5)
    with pytest.raises(ValueError, match=r"record_every must be an integer of at least 1 \(steps between .*got 0"):
        ae.train(X, 2, learning_rate=1e-3, num_iters=5, record_every=0)
    for kwargs, message in [(dict(m=0), "m must be an integer of at least 1 .*got 0"),
                            (dict(m=2.0), "m must be .*got 2.0"),
                            (dict(num_iters=-1), "num_iters must be an integer of at least 0, got -1"),
                            (dict(record_every=True), "record_every must be .*got True")]:
        with pytest.raises(ValueError, match=message):
            ae.train(X, **{"m": 2, "learning_rate": 1e-3, "num_iters": 5, **kwargs})
    with pytest.raises(ValueError, match=r"X must be \(N, n\), one example per row, got shape \(5,\)"):
        ae.train(X[0], 2, learning_rate=1e-3, num_iters=5)


def test_training_continued_from_W_start_repeats_one_longer_run():
    X = np.random.default_rng(3).standard_normal((30, 6))
    X -= X.mean(axis=0)
    W_full, _ = ae.train(X, 2, learning_rate=1e-2, num_iters=15)
    W_half, _ = ae.train(X, 2, learning_rate=1e-2, num_iters=10)
    start = W_half.copy()
    W_continued, history = ae.train(X, 2, learning_rate=1e-2, num_iters=5, W_start=W_half)
    np.testing.assert_array_equal(W_continued, W_full)
    np.testing.assert_array_equal(W_half, start)   # the caller's array is not trained in place
    assert history["loss"][0] == ae.loss(W_half, X)
    with pytest.raises(ValueError, match=r"W_start must be \(m, n\) = \(2, 6\) .*got \(6, 2\)"):
        ae.train(X, 2, learning_rate=1e-2, num_iters=5, W_start=W_half.T)


def test_pca_refuses_data_that_is_not_one_example_per_row():
    # np.linalg.svd took a 4-D array for a stack of matrices and returned a meaningless V.
    for X in (np.ones((50, 8, 8, 3)), np.ones(5)):
        message = r"X must be \(N, n\), one example per row, got shape " + re.escape(str(X.shape))
        with pytest.raises(ValueError, match=message):
            ae.pca(X, 2)


def test_train_refuses_a_bad_learning_rate_and_stops_when_it_diverges():
    X = np.random.default_rng(0).standard_normal((100, 6))
    for bad in (-1e-3, float("nan"), "1e-3", 0):
        with pytest.raises(ValueError, match=rf"learning_rate must be a positive number, got {bad!r}"):
            ae.train(X, 2, learning_rate=bad, num_iters=5)
    # far above 0.5 / lambda_1: it used to return NaN weights as if it had converged
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=r"the loss is (nan|inf) at iteration \d+: "
                                                                    r"learning_rate 1.0 is too large"):
        ae.train(X, 2, learning_rate=1.0, num_iters=200)
