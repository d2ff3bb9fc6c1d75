"""cs231n.gplvm: likelihood against a direct formula, gradients against numerical ones."""
import numpy as np
import pytest

from cs231n import gplvm
from cs231n.gradient_check import eval_numerical_gradient, rel_error
from cs231n.optim import adam


def problem(N, q, D, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, q)), rng.standard_normal((N, D)), rng.uniform(0.5, 2), rng.uniform(0.5, 2)


def test_log_likelihood_equals_the_direct_formula():
    X, Y, alpha, beta = problem(6, 2, 3, 0)
    N, D = Y.shape
    K = alpha * X @ X.T + np.eye(N) / beta
    direct = (-N * D / 2 * np.log(2 * np.pi) - D / 2 * np.log(np.linalg.det(K))
              - 0.5 * np.trace(np.linalg.inv(K) @ Y @ Y.T))
    assert gplvm.log_likelihood(X, Y, alpha, beta) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("N, q, D", [(3, 1, 2), (6, 2, 4), (9, 3, 5)])
@pytest.mark.parametrize("name", ["L1", "L2", "log_likelihood"])
def test_gradients_match_numerical(N, q, D, name):
    X, Y, alpha, beta = problem(N, q, D, N)
    f = getattr(gplvm, name)
    grad_f = {"L1": gplvm.grad_L1, "L2": gplvm.grad_L2, "log_likelihood": gplvm.grad_L}[name]
    numerical = eval_numerical_gradient(lambda X_: f(X_, Y, alpha, beta), X.copy(), verbose=False)
    analytic = grad_f(X, Y, alpha, beta)
    assert np.linalg.norm(analytic - numerical) / np.linalg.norm(numerical) < 1e-8
    assert rel_error(analytic, numerical) < 1e-6


def test_grad_L_is_the_sum_and_the_closed_form():
    X, Y, alpha, beta = problem(7, 2, 3, 1)
    D = Y.shape[1]
    Kinv = np.linalg.inv(gplvm.kernel(X, alpha, beta))
    closed = alpha * (Kinv @ Y @ Y.T @ Kinv - D * Kinv) @ X
    assert rel_error(gplvm.grad_L(X, Y, alpha, beta), closed) < 1e-9


def test_closed_form_solution_is_a_stationary_point_and_fit_reaches_it():
    rng = np.random.default_rng(3)
    Y = rng.standard_normal((40, 2)) @ rng.standard_normal((2, 30)) * 0.3 + 0.05 * rng.standard_normal((40, 30))
    Y -= Y.mean(0)
    X_star, beta = gplvm.ml_solution(Y, 2, alpha=1.0)
    g = gplvm.grad_L(X_star, Y, 1.0, beta)
    assert np.abs(g).max() < 1e-8 * np.abs(gplvm.grad_L(X_star * 1.1, Y, 1.0, beta)).max() + 1e-9
    X, history = gplvm.fit(Y, 2, 1.0, beta, adam, {"learning_rate": 0.05}, num_iters=1500)
    L_star = gplvm.log_likelihood(X_star, Y, 1.0, beta)
    assert history["log_likelihood"][-1] == pytest.approx(L_star, rel=1e-3)
    assert history["log_likelihood"][0] < L_star - 100
    # Given beta, the same closed form with that noise level: still stationary, and the better fit
    # of the two when beta is the maximum-likelihood one.
    X_given, beta_given = gplvm.ml_solution(Y, 2, alpha=1.0, beta=2 * beta)
    assert beta_given == 2 * beta and X_given.shape == (40, 2)
    assert np.abs(gplvm.grad_L(X_given, Y, 1.0, 2 * beta)).max() < 1e-8 * np.abs(gplvm.grad_L(X_given * 1.1, Y, 1.0,
                                                                                               2 * beta)).max() + 1e-9
    assert gplvm.log_likelihood(X_given, Y, 1.0, 2 * beta) < L_star


@pytest.mark.parametrize("alpha, beta, bad", [(0.0, 1.0, "alpha"), (1.0, -2.0, "beta"), (np.inf, 1.0, "alpha"),
                                             ("1", 1.0, "alpha"), (1.0, np.nan, "beta"), (True, 1.0, "alpha")])
def test_hyperparameters_that_are_not_positive_finite_numbers_are_refused_by_name(alpha, beta, bad):
    X, Y, _, _ = problem(4, 2, 3, 0)
    with pytest.raises(ValueError, match=f"{bad} must be a positive, finite number, got"):
        gplvm.grad_L(X, Y, alpha, beta)
    with pytest.raises(ValueError, match=f"{bad} must be a positive, finite number, got"):
        gplvm.ml_solution(Y, 1, alpha, beta)
    if bad == "alpha":   # beta=None (estimated) is not named
        with pytest.raises(ValueError, match="^alpha must be"):
            gplvm.ml_solution(Y, 1, alpha)


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match=r"X \(4, 2\), Y \(5, 3\)"):
        gplvm.L1(np.zeros((4, 2)), np.zeros((5, 3)), 1.0, 1.0)
    # log_likelihood checks before it unpacks Y's shape, so a 1-D Y gets the same message.
    with pytest.raises(ValueError, match=r"X \(4, 2\), Y \(4,\)"):
        gplvm.log_likelihood(np.zeros((4, 2)), np.zeros(4), 1.0, 1.0)


@pytest.mark.parametrize("q, beta, match", [(0, None, r"from 1 to 4 .* got 0"), (5, None, r"from 1 to 4 .*so q < N"),
                                            (2.0, None, "got 2.0"), (6, 10.0, r"from 1 to 5 for Y \(5, 8\), got 6")])
def test_ml_solution_refuses_a_latent_dimension_it_cannot_fit(q, beta, match):
    # q = N with beta=None would estimate the noise from no eigenvalues: NaNs, not an error.
    Y = np.random.default_rng(0).standard_normal((5, 8))
    with pytest.raises(ValueError, match=match):
        gplvm.ml_solution(Y, q, alpha=1.0, beta=beta)


def test_ml_solution_estimates_the_noise_as_the_mean_discarded_eigenvalue():
    Y = np.random.default_rng(4).standard_normal((6, 9))
    eigenvalues = np.sort(np.linalg.eigvalsh(Y @ Y.T / 9))[::-1]   # of YY^T/D, largest first
    _, beta = gplvm.ml_solution(Y, 2, alpha=1.0)
    assert 1 / beta == pytest.approx(eigenvalues[2:].mean(), rel=1e-12)


def test_ml_solution_refuses_a_1d_y_and_a_noise_level_with_no_signal_above_it():
    with pytest.raises(ValueError, match=r"Y must be \(N, D\), got \(5,\)"):
        gplvm.ml_solution(np.ones(5), 1, alpha=1.0)
    Y = np.random.default_rng(0).standard_normal((5, 8))
    with pytest.raises(ValueError, match="is not below the q-th eigenvalue .*: no latent signal to fit"):
        gplvm.ml_solution(Y, 2, alpha=1.0, beta=1e-3)   # noise variance 1000


def test_fit_records_the_likelihood_at_iterations_0_10_and_20():
    _, Y, alpha, beta = problem(6, 2, 4, 0)
    X, history = gplvm.fit(Y, 2, alpha, beta, adam, {"learning_rate": 0.01}, num_iters=20, record_every=10)
    assert history["iteration"] == [0, 10, 20]
    X_start = 0.1 * np.random.default_rng(0).standard_normal((6, 2))   # fit's start, from seed=0
    assert history["log_likelihood"][0] == gplvm.log_likelihood(X_start, Y, alpha, beta)
    assert history["log_likelihood"][-1] == gplvm.log_likelihood(X, Y, alpha, beta)   # after the last step
    # optim_config=None: the rule's defaults, as every cs231n.optim rule takes None
    X_default, _ = gplvm.fit(Y, 2, alpha, beta, adam, None, num_iters=20, record_every=10)
    X_explicit, _ = gplvm.fit(Y, 2, alpha, beta, adam, {"learning_rate": 1e-3}, num_iters=20, record_every=10)
    assert np.array_equal(X_default, X_explicit)


def test_fit_refuses_counts_out_of_range():
    X, Y, alpha, beta = problem(6, 2, 4, 0)
    for kwargs, message in [(dict(record_every=0), r"record_every must be an integer of at least 1 \(steps .* got 0"),
                            (dict(record_every=True), "record_every must be .*got True"),
                            (dict(num_iters=2.5), "num_iters must be an integer of at least 0, got 2.5"),
                            (dict(q=0), r"q must be an integer of at least 1 \(the latent dimension\), got 0")]:
        with pytest.raises(ValueError, match=message):
            gplvm.fit(Y, **{"q": 2, "alpha": alpha, "beta": beta, "update_rule": adam,
                            "optim_config": {"learning_rate": 0.05}, "num_iters": 5, **kwargs})


@pytest.mark.parametrize("seed", [0, 1])
def test_ml_solution_refuses_to_estimate_the_noise_of_data_of_rank_q(seed):
    # Y of rank 2 = q: the discarded eigenvalues are rounding noise (1e-17, of either sign), which gave
    # beta = +-5e15 before.
    Y = np.random.default_rng(seed).standard_normal((6, 2))
    with pytest.raises(ValueError, match=r"Y \(6, 2\) has rank at most q = 2.*pass beta"):
        gplvm.ml_solution(Y, 2, alpha=1.0)
    assert type(gplvm.ml_solution(Y, 1, alpha=1.0)[1]) is float


def test_fit_takes_a_rule_by_name_as_the_solver_does_and_refuses_others():
    _, Y, alpha, beta = problem(6, 2, 4, 0)
    by_function = gplvm.fit(Y, 2, alpha, beta, adam, {"learning_rate": 0.01}, num_iters=20)
    by_name = gplvm.fit(Y, 2, alpha, beta, "adam", {"learning_rate": 0.01}, num_iters=20)
    assert np.array_equal(by_function[0], by_name[0]) and by_function[1] == by_name[1]
    with pytest.raises(ValueError, match="unknown update rule 'adamm'; use one of sgd, sgd_momentum, rmsprop, adam"):
        gplvm.fit(Y, 2, alpha, beta, "adamm", None, num_iters=2)
    with pytest.raises(ValueError, match="update_rule must be a function of cs231n.optim .*got 3"):
        gplvm.fit(Y, 2, alpha, beta, 3, None, num_iters=2)
