"""Input preprocessing for the fully connected nets: PCA whitening, horizontal flips and
translations.

A fully connected net's first layer costs D x H multiply-adds per example. CIFAR-10's D = 3072
pixels are strongly correlated: 512 principal components keep 99% of their variance, so
projecting onto them cuts the first layer's cost six-fold, and whitening them (unit variance per
component) gives the optimiser a better-conditioned input.
"""
import math
import numbers

import numpy as np

from cs231n.checks import check_count, is_count


def _check_images(X, channels_last, name):
    """Raise ValueError unless X is images (N, C, H, W), or (N, H, W, C) with channels_last, and
    not with more than 4 channels and more channels than pixels along a side, a layout misread:
    (N, 3, 32, 32) read as (N, H, W, C) would be 32 channels of 3x32 images, flipped upside
    down."""
    layout = "(N, H, W, C)" if channels_last else "(N, C, H, W)"
    if X.ndim != 4:
        raise ValueError(f"{name} expects images {layout}, got shape {X.shape}")
    C, H, W = (X.shape[3], X.shape[1], X.shape[2]) if channels_last else X.shape[1:]
    if C > 4 and C > min(H, W):
        raise ValueError(f"{name} expects images {layout}, got shape {X.shape}, which would be "
                         f"{C} channels of {H}x{W} pixels: are the images laid out the other "
                         f"way? Try channels_last={not channels_last}")


def horizontal_flip(X, channels_last=False):
    """Mirror images left to right. X: (N, C, H, W), or (N, H, W, C) with channels_last.
    Returns a view of X."""
    _check_images(X, channels_last, "horizontal_flip")
    return X[:, :, ::-1] if channels_last else X[..., ::-1]


def translate(X, dy, dx, channels_last=False):
    """Images moved dy pixels down and dx pixels right (negative: up, left), the uncovered
    border filled by repeating the nearest edge pixels:
    out[..., i, j] = X[..., clip(i - dy), clip(j - dx)].

    X: (N, C, H, W), or (N, H, W, C) with channels_last; dy, dx: integers, |dy| < H and
        |dx| < W.
    Returns a new array of X's shape and dtype.
    """
    _check_images(X, channels_last, "translate")
    row_axis = 1 if channels_last else 2
    H, W = X.shape[row_axis], X.shape[row_axis + 1]
    for name, shift, size in (("dy", dy, H), ("dx", dx, W)):
        if not (is_count(shift, least=1 - size) and shift < size):
            raise ValueError(f"a translation must be a whole number of pixels smaller than the "
                             f"{H}x{W} image, got {name}={shift!r}")
    rows = np.clip(np.arange(H) - dy, 0, H - 1)
    cols = np.clip(np.arange(W) - dx, 0, W - 1)
    return X.take(rows, axis=row_axis).take(cols, axis=row_axis + 1)


def pca_whitening(X, num_components, epsilon=1e-3, num_rows=10000, seed=0, whiten=True):
    """Fit PCA whitening on the rows of X.

        z = x U / sqrt(s + epsilon * s_1)      (whiten=False: z = x U)

    with U (D, K) the top K eigenvectors of the covariance of the rows, s their eigenvalues (the
    variances along them) and s_1 the largest. epsilon keeps the weakest components (mostly
    noise and fine texture) from being blown up to unit variance: they come out with variance
    about s / (epsilon * s_1).

    X: (N, d_1, ..., d_k) inputs, centred (get_CIFAR10_data subtracts the mean image);
        D = d_1 * ... * d_k.
    num_components: K, 1 <= K <= D, and at most the number of dimensions the sampled rows span.
    epsilon: >= 0, relative to s_1.
    whiten: False for the projection alone, P = U with orthonormal columns: each component keeps
        its own variance, so the inputs keep their scale and the distances between them (up to
        the variance left out); epsilon is then not used.
    num_rows: the covariance is estimated on this many random rows (all if fewer), plenty for
        3072 pixels at a fifth of the work of all 49,000; seed picks them.
    Returns P (D, K) in X's dtype, so that X.reshape(N, D) @ P is the whitened data, and the
    fraction of the total variance the K components keep.
    Raises ValueError for X that is not floating-point, not centred or with fewer than 2 rows,
    for counts that are not integers (K from 1, num_rows from 2), and for K beyond the
    dimensions the rows span (those components would be directions of rounding noise).
    """
    N, D = X.shape[0], int(np.prod(X.shape[1:]))
    if X.dtype.kind != "f":
        raise ValueError(f"X must be floating-point (centred inputs), got dtype {X.dtype}: "
                         "pass X.astype(np.float32)")
    if N < 2:
        raise ValueError("pca_whitening needs at least 2 rows to estimate a covariance, "
                         f"got X {X.shape}")
    check_count("num_components", num_components)
    if num_components > D:
        raise ValueError(f"num_components must be in 1..{D} for {D} input values, "
                         f"got {num_components}")
    if not 0 <= epsilon < math.inf:   # also refuses NaN, which would make P all NaN
        raise ValueError(f"epsilon must be a finite number >= 0, got {epsilon}")
    check_count("num_rows", num_rows, least=2, meaning=" (rows for the covariance)")
    rows = np.random.default_rng(seed).choice(N, min(num_rows, N), replace=False)
    sample = X.reshape(N, D)[np.sort(rows)].astype(np.float64)
    # The mean of all rows: a sample of centred rows has a mean of order std / sqrt(num_rows).
    if np.abs(X.reshape(N, D).mean(axis=0, dtype=np.float64)).max() > 0.05 * sample.std():
        raise ValueError("pca_whitening expects centred inputs (mean image subtracted, as "
                         "get_CIFAR10_data(subtract_mean=True) does); the rows' mean is far "
                         "from zero")
    covariance = sample.T @ sample / len(sample)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)        # ascending order
    # rounding can make 0 slightly negative
    eigenvalues = np.maximum(eigenvalues[::-1][:num_components], 0)
    eigenvectors = eigenvectors[:, ::-1][:, :num_components]
    # An eigenvalue at the rounding level of the largest belongs to a direction the rows do not
    # span.
    spanned = eigenvalues > D * np.finfo(np.float64).eps * eigenvalues[0]
    if not spanned.all():
        raise ValueError(f"the {len(sample)} sampled rows span only {int(spanned.sum())} "
                         f"of the {num_components} components asked for (the others have no "
                         "variance): use at most that many components, or more rows")
    P = eigenvectors
    if whiten:
        P = eigenvectors / np.sqrt(eigenvalues + epsilon * eigenvalues[0])
    return P.astype(X.dtype), float(eigenvalues.sum() / np.trace(covariance))


def principal_components_with_copies(data, num_components=512, epsilon=1e-3,
                                     channels_last=False, whiten=True, translations=(),
                                     chunk_rows=4096):
    """Principal components of images, whitened unless whiten=False, the training set doubled
    by its mirror images and optionally enlarged by translated copies.

    A mirrored car is still a car, and so is a car moved by two pixels: both kinds of copies
    counter overfitting. The projection is linear and fitted on the original training images,
    so the copies go through the same P.

    data: dict with X_train (N, C, H, W) (or (N, H, W, C) with channels_last) centred images,
        y_train (N,), and any of X_val, y_val, X_test, y_test of the same layout.
    num_components, epsilon, whiten: as in pca_whitening (K = num_components); whiten=False
        projects onto the principal components without rescaling them.
    translations: (dy, dx) offsets in pixels (see translate); each adds the translated training
        images and their mirror images.
    chunk_rows: images projected at a time, which bounds the temporary copies' memory.
    Returns (projected, P, variance_kept): projected a dict with X_train (2N(1 + T), K) for T
    translations: the N images, then their N mirror images, then the same two for each
    translation in order; y_train (2N(1 + T),) to match; the other splits projected to (M, K),
    labels as they were (copy_rows finds given images' copies). P (D, K) and variance_kept as
    pca_whitening returns them.
    """
    X_train = data["X_train"]
    # Refused here rather than after the slow fit: the flip and the translations need the image
    # axes.
    horizontal_flip(X_train, channels_last)
    translations = list(translations)
    for offset in translations:
        if not (isinstance(offset, (tuple, list)) and len(offset) == 2
                and all(isinstance(v, numbers.Integral) for v in offset)):
            raise ValueError("translations must be a list of (dy, dx) pairs of integers, "
                             f"such as [(0, 2)], got {offset!r} in it")
        translate(X_train[:1], *offset, channels_last)
    check_count("chunk_rows", chunk_rows)
    P, variance_kept = pca_whitening(X_train, num_components, epsilon, whiten=whiten)

    def project(X, out=None):
        # P's row count, not -1, which numpy cannot resolve for an empty split
        return np.matmul(X.reshape(len(X), P.shape[0]), P, out=out)

    projected = {k: (project(v) if k.startswith("X_") else v) for k, v in data.items()
                if k != "X_train"}
    N = len(X_train)
    copies = [(0, 0, flip) for flip in (False, True)] + [(dy, dx, flip)
                                                         for dy, dx in translations
                                                         for flip in (False, True)]
    projected["X_train"] = np.empty((len(copies) * N, P.shape[1]),
                                   dtype=np.result_type(X_train, P))
    for c, (dy, dx, flip) in enumerate(copies):
        for start in range(0, N, chunk_rows):
            images = X_train[start:start + chunk_rows]
            if (dy, dx) != (0, 0):
                images = translate(images, dy, dx, channels_last)
            if flip:
                images = horizontal_flip(images, channels_last)
            rows = slice(c * N + start, c * N + start + len(images))
            project(images, out=projected["X_train"][rows])
    projected["y_train"] = np.tile(data["y_train"], len(copies))
    return projected, P, variance_kept


def copy_rows(indices, num_images, num_translations, translation=None, flip=False):
    """The rows of principal_components_with_copies's X_train that hold copies of given training
    images.

    That X_train holds the N = num_images images, then their mirror images, then the same two
    for each of the T = num_translations translations in order: the copy of image i is in block
    2 (1 + t) + flip for translation t, in block flip without one, at row block * N + i.

    indices: an index or integer array of training images, each in 0..N-1.
    num_images: N, the number of training images (not the 2N(1 + T) rows).
    num_translations: T, how many translations principal_components_with_copies was given.
    translation: None (no translation), or an index or integer array into those translations,
        each in 0..T-1, broadcast against indices (e.g. one per image).
    flip: True or False, whether to take the mirror image of every copy.
    Returns the row indices, np.intp, of the broadcast shape of indices and translation.
    Raises ValueError for a count that is not a positive (N) or non-negative (T) integer, an
    index out of range, or a flip that is not a bool.
    """
    check_count("num_images", num_images, meaning=" (N, the training images)")
    check_count("num_translations", num_translations, least=0)
    if not isinstance(flip, (bool, np.bool_)):
        raise ValueError(f"flip must be True or False (one for every copy), got {flip!r}")
    block = int(flip)
    if translation is not None:
        block = 2 * (1 + _checked_indices(translation, num_translations, "translation")) + block
    return block * num_images + _checked_indices(indices, num_images, "indices")


def _checked_indices(values, size, name):
    """values as an np.intp array, or ValueError unless they are integer indices in
    0..size-1."""
    values = np.asarray(values)
    if values.size and (not np.issubdtype(values.dtype, np.integer) or values.min() < 0
                        or values.max() >= size):
        raise ValueError(f"{name} must be integer indices in 0..{size - 1}, got {values!r}")
    # a small integer type would wrap around in the row arithmetic
    return values.astype(np.intp)
