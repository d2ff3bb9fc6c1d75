"""Problem 1: the linear autoencoder L = 1/2 ||W^T W x - x||^2 and its gradient by backprop.

The graph (notebook, part (b)):  h = W x,  x_hat = W^T h,  r = x_hat - x,  L = 1/2 ||r||^2.
W is used twice (encoder and decoder), so dL/dW is the sum of two path contributions (part (c)):
    encoder path  dL/dW = (W r) x^T      decoder path  dL/dW = h r^T = (W x) r^T
    total         dL/dW = W (r x^T + x r^T)
For a batch X (N, n), L is the sum over rows and the outer products become X^T R and R^T X.
"""
import numpy as np

from cs231n.checks import check_count, is_count, is_positive_number


def _check(W, x):
    W, x = np.asarray(W), np.asarray(x)
    if W.ndim != 2:
        raise ValueError(f"W must be a matrix (m, n), got shape {W.shape}")
    if x.ndim not in (1, 2) or x.shape[-1] != W.shape[1]:
        raise ValueError(f"x must be (n,) or (N, n) with n = {W.shape[1]} "
                         f"to match W {W.shape}, got shape {x.shape}")
    return W, x


def _residual(W, x):
    """The graph's nodes up to the residual: (W, x, h, r) as forward's cache."""
    W, x = _check(W, x)
    h = x @ W.T          # h = W x, row by row
    r = h @ W            # x_hat = W^T h ...
    r -= x               # ... and r = x_hat - x in place: no second array of x's size
    return W, x, h, r


def forward(W, x):
    """Forward pass through the graph.

    W: (m, n) encoder weights; x: (n,) one input or (N, n) a batch (one input per row).
    Returns L (float, summed over the batch) and cache (W, x, h, r) with
    h = W x (m,) or (N, m) the code and r = W^T W x - x, x's shape, the residual.
    """
    W, x, h, r = _residual(W, x)
    return 0.5 * float(np.sum(r * r)), (W, x, h, r)


def loss(W, x):
    """L = 1/2 ||W^T W x - x||^2, summed over rows when x is a batch (N, n)."""
    return forward(W, x)[0]


def grad_paths(W, x):
    """The two contributions to dL/dW, one per use of W.

    W: (m, n); x: (n,) or (N, n).
    Returns (dW_encoder, dW_decoder), each (m, n):
        dW_encoder = (W r) x^T   through h = W x   (dL/dh = W r)
        dW_decoder = h r^T       through x_hat = W^T h
    """
    W, x, h, r = _residual(W, x)   # the gradient needs the nodes, not the loss
    dh = r @ W.T                     # dL/dh = W dL/dx_hat = W r
    X, H, R, dH = (np.atleast_2d(a) for a in (x, h, r, dh))
    return dH.T @ X, H.T @ R


def grad(W, x):
    """dL/dW = W (r x^T + x r^T), (m, n): the sum of the two path contributions."""
    dW_encoder, dW_decoder = grad_paths(W, x)
    return dW_encoder + dW_decoder


def train(X, m, learning_rate, num_iters, seed=0, record_every=10, W_start=None):
    """Minimise the summed loss over the rows of X by full-batch gradient descent.

    X: (N, n) data (centred); m: code size. W starts at 0.01 * standard normal (m, n) from seed,
    or at a copy of W_start (m, n), e.g. to continue an earlier run.
    Returns W (m, n) and history, a dict of 'iteration' and 'loss' lists every record_every
    steps.
    Raises ValueError for a learning_rate that is not a positive number, and when a recorded
    loss is not finite (a learning rate too large for X: the steps diverged).
    """
    if not is_positive_number(learning_rate):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    check_count("m", m, meaning=" (the code size)")
    check_count("num_iters", num_iters, least=0)
    check_count("record_every", record_every, meaning=" (steps between records)")
    if np.ndim(X) != 2:
        raise ValueError(f"X must be (N, n), one example per row, got shape {np.shape(X)}")
    shape = (m, np.shape(X)[1])
    if W_start is None:
        W = 0.01 * np.random.default_rng(seed).standard_normal(shape)
    elif np.shape(W_start) != shape:
        raise ValueError(f"W_start must be (m, n) = {shape} for m = {m} and X {np.shape(X)}, "
                         f"got {np.shape(W_start)}")
    else:
        W = np.array(W_start, dtype=float)   # a copy: the caller's array is left as it is
    history = {"iteration": [], "loss": []}
    for it in range(num_iters + 1):
        if it % record_every == 0:
            history["iteration"].append(it)
            history["loss"].append(loss(W, X))
            if not np.isfinite(history["loss"][-1]):
                raise ValueError(f"the loss is {history['loss'][-1]} at iteration {it}: "
                                 f"learning_rate {learning_rate} is too large for this X; "
                                 "gradient descent needs it below about 0.5 / lambda_1, "
                                 "lambda_1 the largest eigenvalue of X^T X")
        if it < num_iters:
            W -= learning_rate * grad(W, X)
    return W, history


def pca(X, m):
    """Top-m principal directions of centred data X (N, n) and the best rank-m reconstruction
    loss.

    Returns V (m, n), orthonormal rows, and L_opt = 1/2 sum of the discarded squared singular
    values, the smallest L any W (m, n) can reach (Eckart-Young). Raises ValueError unless
    1 <= m <= min(N, n).
    """
    if np.ndim(X) != 2:   # np.linalg.svd would take more axes for a stack of matrices
        raise ValueError(f"X must be (N, n), one example per row, got shape {np.shape(X)}")
    rank_bound = min(np.shape(X))   # checked before the SVD, which is the costly part
    if not (is_count(m, 1) and m <= rank_bound):
        raise ValueError(f"m must be an integer from 1 to min(N, n) = {rank_bound} for X "
                         f"{np.shape(X)}, got {m!r}")
    _, S, Vt = np.linalg.svd(X, full_matrices=False)
    return Vt[:m], 0.5 * float(np.sum(S[m:] ** 2))


def principal_angles(A, B):
    """Principal angles in degrees between the row spaces of A (k, n) and B (k, n),
    ascending.

    With orthonormal bases Qa, Qb (n, k) of the two spaces, the cosines of the angles are the
    singular values of Qa^T Qb and their sines those of Qb - Qa Qa^T Qb. Angles below 45 degrees
    come from the sines: the arccosine of a cosine near 1 loses them (below about 1e-6 degrees,
    the cosine rounds to 1 and the angle to 0).
    Raises ValueError unless A and B have one shape and each has k independent rows: with
    fewer, its row space has fewer than k dimensions, and k angles would say nothing.
    """
    if np.shape(A) != np.shape(B) or np.ndim(A) != 2:
        raise ValueError(f"A and B must both be (k, n), got {np.shape(A)} and {np.shape(B)}")
    Qa, Qb = _row_space_basis("A", A), _row_space_basis("B", B)
    overlap = Qa.T @ Qb
    cosines = np.linalg.svd(overlap, compute_uv=False)                # descending
    sines = np.linalg.svd(Qb - Qa @ overlap, compute_uv=False)[::-1]  # ascending
    angles = np.where(cosines ** 2 > 0.5, np.arcsin(np.clip(sines, 0.0, 1.0)),
                      np.arccos(np.clip(cosines, -1.0, 1.0)))
    return np.degrees(angles)


def _row_space_basis(name, A):
    """Orthonormal basis (n, k) of the row space of A (k, n); ValueError if its rank is below k
    (np.linalg.matrix_rank's tolerance)."""
    k = np.shape(A)[0]
    U, S, _ = np.linalg.svd(np.asarray(A, dtype=np.float64).T, full_matrices=False)
    rank = int(np.sum(S > S.max(initial=0.0) * max(np.shape(A)) * np.finfo(np.float64).eps))
    if rank < k:
        raise ValueError(f"principal_angles: the {k} rows of {name} have rank {rank}, so its "
                         f"row space is not {k}-dimensional (collapsed weights or latent "
                         f"points?)")
    return U
