"""Input preprocessing for the fully connected nets: PCA whitening and horizontal flips.

A fully connected net's first layer costs D x H multiply-adds per example. CIFAR-10's D = 3072
pixels are strongly correlated: 512 principal components keep 99% of their variance, so projecting
onto them cuts the first layer's cost six-fold, and whitening them (unit variance per component)
gives the optimiser a better-conditioned input.
"""
import numpy as np


def horizontal_flip(X, channels_last=False):
    """Mirror images left to right. X: (N, C, H, W), or (N, H, W, C) with channels_last.
    Returns a view of X."""
    if X.ndim != 4:
        layout = "(N, H, W, C)" if channels_last else "(N, C, H, W)"
        raise ValueError(f"horizontal_flip expects images {layout}, got shape {X.shape}")
    return X[:, :, ::-1] if channels_last else X[..., ::-1]


def pca_whitening(X, num_components, epsilon=1e-3, num_rows=10000, seed=0, whiten=True):
    """Fit PCA whitening on the rows of X.

        z = x U / sqrt(lambda + epsilon * lambda_1)      (whiten=False: z = x U)

    with U (D, K) the top K eigenvectors of the covariance of the rows, lambda their eigenvalues
    and lambda_1 the largest. epsilon keeps the weakest components (mostly noise and fine texture)
    from being blown up to unit variance: they come out with variance about lambda / (epsilon * lambda_1).

    X: (N, d_1, ..., d_k) inputs, centred (get_CIFAR10_data subtracts the mean image);
        D = d_1 * ... * d_k.
    num_components: K, 1 <= K <= D. epsilon: >= 0, relative to lambda_1.
    whiten: False for the projection alone, P = U with orthonormal columns: each component keeps
        its own variance, so the inputs keep their scale and the distances between them (up to
        the variance left out); epsilon is then not used.
    num_rows: the covariance is estimated on this many random rows (all if fewer), plenty for
        3072 pixels at a fifth of the work of all 49,000; seed picks them.
    Returns P (D, K) in X's dtype, so that X.reshape(N, D) @ P is the whitened data, and the
    fraction of the total variance the K components keep.
    """
    N, D = X.shape[0], int(np.prod(X.shape[1:]))
    if not 1 <= num_components <= D:
        raise ValueError(f"num_components must be in 1..{D} for {D} input values, got {num_components}")
    if epsilon < 0:
        raise ValueError(f"epsilon must be >= 0, got {epsilon}")
    rows = np.random.default_rng(seed).choice(N, min(num_rows, N), replace=False)
    sample = X.reshape(N, D)[np.sort(rows)].astype(np.float64)
    mean = sample.mean(axis=0)
    if np.abs(mean).max() > 0.05 * sample.std():
        raise ValueError("pca_whitening expects centred inputs (mean image subtracted, as "
                         "get_CIFAR10_data(subtract_mean=True) does); the rows' mean is far from zero")
    covariance = sample.T @ sample / len(sample)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)        # ascending order
    eigenvalues = np.maximum(eigenvalues[::-1][:num_components], 0)   # rounding can make 0 slightly negative
    eigenvectors = eigenvectors[:, ::-1][:, :num_components]
    P = eigenvectors
    if whiten:
        scale = eigenvalues + epsilon * eigenvalues[0]
        if scale[-1] <= 0:
            raise ValueError(f"component {num_components} has zero variance: use fewer components or epsilon > 0")
        P = eigenvectors / np.sqrt(scale)
    return P.astype(X.dtype), float(eigenvalues.sum() / np.trace(covariance))


def whiten_with_mirror_images(data, num_components=512, epsilon=1e-3, channels_last=False, whiten=True):
    """Whitened principal components of images, the training set doubled by its mirror images.

    A mirrored car is still a car: the mirror images counter overfitting. The projection is
    linear and fitted on the original training images, so the mirror images go through the same P.

    data: dict with X_train (N, C, H, W) (or (N, H, W, C) with channels_last) centred images,
        y_train (N,), and any of X_val, y_val, X_test, y_test of the same layout.
    num_components, epsilon, whiten: as in pca_whitening (K = num_components); whiten=False
        projects onto the principal components without rescaling them.
    Returns (whitened, P, variance_kept): whitened a dict with X_train (2N, K), the N images then
    their N mirror images, y_train (2N,), the other splits projected to (M, K), labels as they
    were; P (D, K) and variance_kept as pca_whitening returns them.
    """
    X_train = data["X_train"]
    # Refused here rather than after the slow fit: the flip needs the image axes.
    horizontal_flip(X_train, channels_last)
    P, variance_kept = pca_whitening(X_train, num_components, epsilon, whiten=whiten)

    def project(X):
        return X.reshape(len(X), -1) @ P

    whitened = {k: (project(v) if k.startswith("X_") else v) for k, v in data.items() if k != "X_train"}
    whitened["X_train"] = np.concatenate([project(X_train), project(horizontal_flip(X_train, channels_last))])
    whitened["y_train"] = np.concatenate([data["y_train"], data["y_train"]])
    return whitened, P, variance_kept
