"""Problem 2: the GP-LVM log-likelihood (Lawrence, NIPS 2004) and its gradients by backprop.

    K  = alpha X X^T + beta^{-1} I                      (N, N)
    L  = -c + L1 + L2,   c = (N D / 2) log(2 pi)
    L1 = -(D/2) log|K|                dL1/dK = -(D/2) K^{-1}
    L2 = -1/2 tr(K^{-1} Y Y^T)        dL2/dK = 1/2 K^{-1} Y Y^T K^{-1}
Both paths from X into X X^T add up: for G = dL/dK symmetric,
dL/dX = alpha (G + G^T) X = 2 alpha G X:
    dL1/dX = -D alpha K^{-1} X        dL2/dX = alpha K^{-1} Y Y^T K^{-1} X

X: (N, q) latent points, one per row of Y: (N, D) data. K is never inverted: products with
K^{-1} are linear solves, and log|K| comes from slogdet.
"""
import numpy as np

from cs231n import optim
from cs231n.checks import check_count, is_count, is_positive_number


def _check(X, Y, alpha, beta):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise ValueError("X must be (N, q) and Y (N, D) with the same N, "
                         f"got X {X.shape}, Y {Y.shape}")
    _check_positive(alpha=alpha, beta=beta)
    return X, Y


def _check_positive(**values):
    """Raise ValueError naming the first of the keyword arguments (alpha, beta) that is not a
    positive, finite number."""
    for name, value in values.items():
        if not is_positive_number(value):
            raise ValueError(f"{name} must be a positive, finite number, got {value!r}")


def kernel(X, alpha, beta):
    """K = alpha X X^T + beta^{-1} I, (N, N), for X (N, q)."""
    return alpha * X @ X.T + np.eye(len(X)) / beta


def L1(X, Y, alpha, beta):
    """L1 = -(D/2) log|K|, a float; X (N, q), Y (N, D)."""
    X, Y = _check(X, Y, alpha, beta)
    _, logdet = np.linalg.slogdet(kernel(X, alpha, beta))   # K is positive definite: sign 1
    return -0.5 * Y.shape[1] * logdet


def L2(X, Y, alpha, beta):
    """L2 = -1/2 tr(K^{-1} Y Y^T) = -1/2 sum(Y * K^{-1} Y), a float."""
    X, Y = _check(X, Y, alpha, beta)
    return -0.5 * float(np.sum(Y * np.linalg.solve(kernel(X, alpha, beta), Y)))


def log_likelihood(X, Y, alpha, beta):
    """L = -c + L1 + L2 with c = (N D / 2) log(2 pi): the GP-LVM log-likelihood, a float."""
    log_det_term = L1(X, Y, alpha, beta)   # checks X and Y before their shape is used
    N, D = np.shape(Y)
    return -0.5 * N * D * np.log(2 * np.pi) + log_det_term + L2(X, Y, alpha, beta)


def grad_L1(X, Y, alpha, beta):
    """dL1/dX = -D alpha K^{-1} X, (N, q)."""
    X, Y = _check(X, Y, alpha, beta)
    return -Y.shape[1] * alpha * np.linalg.solve(kernel(X, alpha, beta), X)


def grad_L2(X, Y, alpha, beta):
    """dL2/dX = alpha K^{-1} Y Y^T K^{-1} X, (N, q); computed from the right, as
    alpha K^{-1} (Y (Y^T (K^{-1} X))): two solves for the q columns of X and two products
    with Y, so that neither the (N, N) product Y Y^T nor K^{-1} Y (a solve for D columns,
    most of the cost of a step at N = 300, D = 3072) is formed."""
    X, Y = _check(X, Y, alpha, beta)
    K = kernel(X, alpha, beta)
    return alpha * np.linalg.solve(K, Y @ (Y.T @ np.linalg.solve(K, X)))


def grad_L(X, Y, alpha, beta):
    """dL/dX = dL1/dX + dL2/dX = alpha (K^{-1} Y Y^T K^{-1} - D K^{-1}) X, (N, q)."""
    return grad_L1(X, Y, alpha, beta) + grad_L2(X, Y, alpha, beta)


def ml_solution(Y, q, alpha, beta=None):
    """Closed-form maximum of L over X for this linear kernel (the dual of probabilistic PCA).

    With (lambda_i, u_i) the eigenpairs of Y Y^T / D in decreasing order: dL/dX = 0 holds at
    X = U diag(sqrt((lambda_i - 1/beta) / alpha)), U the columns u_i, for any q eigenpairs with
    lambda_i > 1/beta; the largest q give the maximum X* (Tipping & Bishop), unique up to X* R
    for any orthogonal R (q, q).
    beta=None uses the maximum-likelihood noise level 1/beta = mean of the discarded lambda_i.
    Y: (N, D); q: latent dimension, 1 <= q < N (q <= N when beta is given).
    Returns X* (N, q) and beta.
    """
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2:
        raise ValueError(f"Y must be (N, D), got {Y.shape}")
    N, D = Y.shape
    # the noise level is the mean of the N - q discarded eigenvalues
    q_max = N if beta is not None else N - 1
    if not (is_count(q, 1) and q <= q_max):
        raise ValueError(f"q must be an integer from 1 to {q_max} for Y {Y.shape}"
                         + (" (beta=None estimates the noise from the eigenvalues beyond the "
                            "q-th, so q < N)"
                            if beta is None else "") + f", got {q!r}")
    _check_positive(alpha=alpha, **({} if beta is None else {"beta": beta}))
    lam, U = np.linalg.eigh(Y @ Y.T / D)
    lam, U = lam[::-1], U[:, ::-1]
    if beta is None:
        noise = lam[q:].mean()
        # eigenvalues of a rank-q YY^T beyond the q-th are rounding noise, of either sign
        if noise <= N * np.finfo(float).eps * lam[0]:
            raise ValueError(f"Y {Y.shape} has rank at most q = {q}: the eigenvalues beyond "
                             "the q-th are zero to rounding, so they give no noise level; "
                             "pass beta")
        beta = 1.0 / noise
    if lam[q - 1] <= 1.0 / beta:
        raise ValueError(f"noise variance 1/beta = {1 / beta:.3g} is not below the q-th "
                         f"eigenvalue {lam[q - 1]:.3g} of YY^T/D: no latent signal to fit")
    return U[:, :q] * np.sqrt((lam[:q] - 1.0 / beta) / alpha), float(beta)


def fit(Y, q, alpha, beta, update_rule, optim_config, num_iters, seed=0, record_every=10):
    """Maximise L over the latent points X by gradient ascent with grad_L.

    Y: (N, D) data; q: latent dimension; X starts at 0.1 * standard normal (N, q) from seed.
    update_rule: a rule from cs231n.optim, or its name as the Solver takes it ('adam'); it
        descends, so it is given -dL/dX. optim_config: its config (copied), or None for its
        defaults.
    Returns X (N, q), the last iterate, and history, a dict of 'iteration' and
    'log_likelihood' lists: L before the update of iterations 0, record_every, 2 record_every,
    ... (and after the last update when num_iters is a multiple of record_every).
    """
    check_count("q", q, meaning=" (the latent dimension)")
    check_count("num_iters", num_iters, least=0)
    check_count("record_every", record_every, meaning=" (steps between records)")
    if isinstance(update_rule, str):
        update_rule = optim.rule_named(update_rule)
    elif not callable(update_rule):
        raise ValueError("update_rule must be a function of cs231n.optim (such as optim.adam) "
                         f"or its name, got {update_rule!r}")
    X = 0.1 * np.random.default_rng(seed).standard_normal((len(Y), q))
    config = dict(optim_config or {})
    history = {"iteration": [], "log_likelihood": []}
    for it in range(num_iters + 1):
        if it % record_every == 0:
            history["iteration"].append(it)
            history["log_likelihood"].append(log_likelihood(X, Y, alpha, beta))
        if it < num_iters:
            X, config = update_rule(X, -grad_L(X, Y, alpha, beta), config)
    return X, history
