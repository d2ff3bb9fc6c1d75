"""Input preprocessing for the fully connected nets: PCA whitening and horizontal flips.

A fully connected net's first layer costs D x H multiply-adds per example. CIFAR-10's D = 3072
pixels are strongly correlated: 512 principal components keep 99% of their variance, so projecting
onto them cuts the first layer's cost six-fold, and whitening them (unit variance per component)
gives the optimiser a better-conditioned input.
"""
import numpy as np


def horizontal_flip(X):
    """Mirror images left to right. X: (N, C, H, W), channels first. Returns a view of X."""
    if X.ndim != 4:
        raise ValueError(f"horizontal_flip expects images (N, C, H, W), got shape {X.shape}")
    return X[..., ::-1]


def pca_whitening(X, num_components, epsilon=1e-3, num_rows=10000, seed=0):
    """Fit PCA whitening on the rows of X.

        z = x U / sqrt(lambda + epsilon * lambda_1)

    with U (D, K) the top K eigenvectors of the covariance of the rows, lambda their eigenvalues
    and lambda_1 the largest. epsilon keeps the weakest components (mostly noise and fine texture)
    from being blown up to unit variance: they come out with variance about lambda / (epsilon * lambda_1).

    X: (N, d_1, ..., d_k) inputs, centred (get_CIFAR10_data subtracts the mean image);
        D = d_1 * ... * d_k.
    num_components: K, 1 <= K <= D. epsilon: >= 0, relative to lambda_1.
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
    scale = eigenvalues + epsilon * eigenvalues[0]
    if scale[-1] <= 0:
        raise ValueError(f"component {num_components} has zero variance: use fewer components or epsilon > 0")
    P = eigenvectors / np.sqrt(scale)
    return P.astype(X.dtype), float(eigenvalues.sum() / np.trace(covariance))
