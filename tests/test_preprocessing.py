"""cs231n.preprocessing on rows with a known covariance spectrum, and on small image arrays."""
import numpy as np
import pytest

from cs231n.preprocessing import copy_rows, horizontal_flip, pca_whitening, principal_components_with_copies, translate


def correlated_rows(n=4000, d=30, seed=0):
    """Centred rows with a known, strongly decaying covariance spectrum."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    stds = 2.0 ** -np.arange(d / 2, step=0.5)
    X = (rng.standard_normal((n, d)) * stds) @ basis.T
    return X - X.mean(axis=0), basis, stds ** 2


def test_whitened_components_are_uncorrelated_with_unit_variance():
    X, _, variances = correlated_rows()
    P, kept = pca_whitening(X, 8, epsilon=0.0, num_rows=len(X))
    Z = X @ P
    assert P.shape == (30, 8) and P.dtype == X.dtype
    np.testing.assert_allclose(Z.T @ Z / len(Z), np.eye(8), atol=1e-10)
    assert abs(kept - variances[:8].sum() / variances.sum()) < 0.02


def test_epsilon_damps_the_weak_components_and_images_are_flattened():
    X, _, _ = correlated_rows()
    images = X.reshape(len(X), 3, 5, 2)               # any (N, d_1, ..., d_k) works
    P, _ = pca_whitening(images, 30, epsilon=1e-2, num_rows=len(X))
    component_variance = np.var(X @ P, axis=0)
    # lambda / (lambda + eps * lambda_1): about 1 for the top component, decreasing after it.
    assert abs(component_variance[0] - 1 / 1.01) < 1e-6
    assert np.all(np.diff(component_variance) < 0) and component_variance[-1] < 0.01


def test_without_whitening_the_components_keep_their_variances():
    X, _, variances = correlated_rows()
    P, kept = pca_whitening(X, 8, num_rows=len(X), whiten=False)
    np.testing.assert_allclose(P.T @ P, np.eye(8), atol=1e-12)          # orthonormal: a rotation, no scaling
    Z = X @ P
    np.testing.assert_allclose(Z.T @ Z / len(Z), np.diag(np.var(Z, axis=0)), atol=1e-10)   # uncorrelated
    np.testing.assert_allclose(np.var(Z, axis=0), variances[:8], rtol=0.1)   # the spectrum, largest first
    assert abs(kept - variances[:8].sum() / variances.sum()) < 0.02
    # All components: distances between rows are kept exactly.
    P_all, _ = pca_whitening(X, 30, num_rows=len(X), whiten=False)
    np.testing.assert_allclose(np.linalg.norm((X[:5] - X[5:10]) @ P_all, axis=1),
                               np.linalg.norm(X[:5] - X[5:10], axis=1), rtol=1e-12)


def test_subsampled_fit_recovers_the_principal_subspace():
    X, basis, _ = correlated_rows(n=20000)
    P, _ = pca_whitening(X.astype(np.float32), 4, num_rows=5000, seed=1)
    # Directions of P span the top four basis vectors: projecting them out leaves almost nothing.
    residual = P - basis[:, :4] @ (basis[:, :4].T @ P)
    assert np.linalg.norm(residual) / np.linalg.norm(P) < 0.05
    assert P.dtype == np.float32


def test_a_sample_of_centred_rows_is_accepted_although_its_own_mean_is_not_zero():
    X = np.random.default_rng(0).standard_normal((5000, 100))
    X -= X.mean(axis=0)
    # 200 rows have a mean of about 1 / sqrt(200) = 0.07 standard deviations in each column.
    P, _ = pca_whitening(X, 10, num_rows=200)
    assert P.shape == (100, 10)


def test_bad_inputs_are_refused():
    X, _, _ = correlated_rows(n=200, d=6)
    with pytest.raises(ValueError, match="num_components must be in 1..6"):
        pca_whitening(X, 7)
    for bad in [3.0, True, 0]:
        with pytest.raises(ValueError, match=f"num_components must be an integer of at least 1, got {bad!r}"):
            pca_whitening(X, bad)
    for bad in [1, 100.0]:
        with pytest.raises(ValueError, match=f"num_rows must be an integer of at least 2 .*got {bad!r}"):
            pca_whitening(X, 2, num_rows=bad)
    for bad in [-1, float("nan"), float("inf")]:   # NaN made P all NaN
        with pytest.raises(ValueError, match=f"epsilon must be a finite number >= 0, got {bad}"):
            pca_whitening(X, 2, epsilon=bad)
    with pytest.raises(ValueError, match="centred inputs"):
        pca_whitening(X + 10, 2)
    with pytest.raises(ValueError, match="the 200 sampled rows span only 6 of the 7 components asked for"):
        pca_whitening(np.hstack([X, np.zeros((200, 1))]), 7, epsilon=0)
    # 4 centred rows span 3 dimensions: further components would be rounding noise, blown up by whitening.
    with pytest.raises(ValueError, match="the 4 sampled rows span only 3 of the 5 components"):
        pca_whitening(X[:4] - X[:4].mean(axis=0), 5)
    with pytest.raises(ValueError, match="at least 2 rows"):
        pca_whitening(X[:1], 1)
    with pytest.raises(ValueError, match="floating-point.*got dtype int16"):
        pca_whitening(np.round(100 * X).astype(np.int16), 2)


def test_horizontal_flip_mirrors_the_width_axis_only():
    X = np.arange(2 * 3 * 2 * 4).reshape(2, 3, 2, 4)
    flipped = horizontal_flip(X)
    assert flipped[1, 2, 1, 0] == X[1, 2, 1, 3] and flipped.shape == X.shape
    np.testing.assert_array_equal(horizontal_flip(flipped), X)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        horizontal_flip(X.reshape(2, -1))
    # The same images channels last: the width axis is now the third.
    np.testing.assert_array_equal(horizontal_flip(X.transpose(0, 2, 3, 1), channels_last=True),
                                  flipped.transpose(0, 2, 3, 1))
    with pytest.raises(ValueError, match=r"\(N, H, W, C\).*\(2, 24\)"):
        horizontal_flip(X.reshape(2, -1), channels_last=True)
    # CIFAR's (N, 3, 32, 32) read as channels last would be flipped upside down.
    with pytest.raises(ValueError, match=r"32 channels of 3x32 pixels.*Try channels_last=False"):
        horizontal_flip(np.zeros((2, 3, 32, 32)), channels_last=True)


def test_translate_moves_the_content_and_repeats_the_edge_pixels():
    image = np.arange(3 * 4).reshape(1, 1, 3, 4)     # one 3x4 image, one channel: rows [0 1 2 3], [4 5 6 7], ...
    # Two pixels right: the first column repeats into the two uncovered ones.
    np.testing.assert_array_equal(translate(image, 0, 2)[0, 0], [[0, 0, 0, 1], [4, 4, 4, 5], [8, 8, 8, 9]])
    # One pixel up: the bottom row repeats.
    np.testing.assert_array_equal(translate(image, -1, 0)[0, 0], [[4, 5, 6, 7], [8, 9, 10, 11], [8, 9, 10, 11]])
    np.testing.assert_array_equal(translate(image, 1, -1)[0, 0], [[1, 2, 3, 3], [1, 2, 3, 3], [5, 6, 7, 7]])
    unmoved = translate(image, 0, 0)
    np.testing.assert_array_equal(unmoved, image)
    assert not np.shares_memory(unmoved, image)


def test_translate_channels_last_and_refusals():
    X = np.random.default_rng(0).standard_normal((2, 3, 5, 6))       # (N, C, H, W)
    moved = translate(X, 2, -3)
    assert moved.shape == X.shape and moved.dtype == X.dtype
    np.testing.assert_array_equal(translate(X.transpose(0, 2, 3, 1), 2, -3, channels_last=True),
                                  moved.transpose(0, 2, 3, 1))
    with pytest.raises(ValueError, match=r"translate expects images \(N, C, H, W\)"):
        translate(X.reshape(2, -1), 1, 1)
    with pytest.raises(ValueError, match="smaller than the 5x6 image, got dy=5"):
        translate(X, 5, 0)
    with pytest.raises(ValueError, match="smaller than the 5x6 image, got dx=-6"):
        translate(X, 0, -6)
    for bad in [1.0, True]:
        with pytest.raises(ValueError, match=f"whole number of pixels .* got dy={bad!r}"):
            translate(X, bad, 0)


@pytest.mark.parametrize("channels_last", [False, True])
def test_whitened_training_set_is_the_images_then_their_mirror_images(channels_last):
    rng = np.random.default_rng(3)
    images = rng.standard_normal((300, 2, 3, 4))                  # (N, C, H, W)
    images -= images[:200].mean(axis=0)          # centred on the training images, as get_CIFAR10_data does
    data = {"X_train": images[:200], "y_train": rng.integers(10, size=200),
            "X_val": images[200:], "y_val": rng.integers(10, size=100)}
    if channels_last:
        data = {k: (v.transpose(0, 2, 3, 1) if k.startswith("X_") else v) for k, v in data.items()}
    whitened, P, kept = principal_components_with_copies(data, num_components=5, channels_last=channels_last)
    P_direct, kept_direct = pca_whitening(data["X_train"], 5)
    np.testing.assert_array_equal(P, P_direct)
    assert kept == kept_direct
    rows = data["X_train"].reshape(200, -1)
    # Mirror image of image i, built by hand in (N, C, H, W) and laid out like the data.
    mirrors = images[:200, :, :, ::-1]
    mirror_rows = (mirrors.transpose(0, 2, 3, 1) if channels_last else mirrors).reshape(200, -1)
    np.testing.assert_allclose(whitened["X_train"], np.concatenate([rows, mirror_rows]) @ P, rtol=1e-12)
    np.testing.assert_array_equal(whitened["y_train"], np.tile(data["y_train"], 2))
    np.testing.assert_allclose(whitened["X_val"], data["X_val"].reshape(100, -1) @ P, rtol=1e-12)
    assert whitened["y_val"] is data["y_val"] and set(whitened) == set(data)
    projected, P_plain, _ = principal_components_with_copies(data, num_components=5, channels_last=channels_last,
                                                      whiten=False)
    np.testing.assert_array_equal(P_plain, pca_whitening(data["X_train"], 5, whiten=False)[0])
    np.testing.assert_allclose(projected["X_train"], np.concatenate([rows, mirror_rows]) @ P_plain, rtol=1e-12)


@pytest.mark.parametrize("channels_last", [False, True])
def test_translated_copies_follow_the_images_and_their_mirror_images(channels_last):
    rng = np.random.default_rng(4)
    images = rng.standard_normal((50, 2, 6, 5)).astype(np.float32)   # (N, C, H, W)
    images -= images.mean(axis=0)
    layout = (lambda X: X.transpose(0, 2, 3, 1)) if channels_last else (lambda X: X)
    data = {"X_train": layout(images), "y_train": rng.integers(10, size=50)}
    # chunk_rows=7 splits the 50 images unevenly, as the default 4096 splits 49,000.
    plain, P, _ = principal_components_with_copies(data, num_components=4, channels_last=channels_last, chunk_rows=7)
    augmented, P_augmented, _ = principal_components_with_copies(data, num_components=4, channels_last=channels_last,
                                                          translations=[(0, 2), (-1, 0)], chunk_rows=7)
    np.testing.assert_array_equal(P_augmented, P)
    assert augmented["X_train"].shape == (300, 4) and augmented["X_train"].dtype == np.float32
    # The first 100 rows are exactly those without translations; then each translation, then its mirror.
    np.testing.assert_array_equal(augmented["X_train"][:100], plain["X_train"])
    for copy, (dy, dx) in enumerate([(0, 2), (-1, 0)], start=1):
        moved = images.take(np.clip(np.arange(6) - dy, 0, 5), axis=2).take(np.clip(np.arange(5) - dx, 0, 4), axis=3)
        for flip, expected in enumerate([moved, moved[..., ::-1]]):
            rows = slice((2 * copy + flip) * 50, (2 * copy + flip + 1) * 50)
            np.testing.assert_allclose(augmented["X_train"][rows], layout(expected).reshape(50, -1) @ P, rtol=1e-5,
                                       atol=1e-5)
    np.testing.assert_array_equal(augmented["y_train"], np.tile(data["y_train"], 6))
    # copy_rows finds each image's copies: here image i moved by translation i % 2, and mirrored.
    images_i = np.arange(50)
    for flip in (False, True):
        rows = copy_rows(images_i, 50, 2, images_i % 2, flip=flip)
        for i, row in zip(images_i, rows, strict=True):
            dy, dx = [(0, 2), (-1, 0)][i % 2]
            moved = images[i:i + 1].take(np.clip(np.arange(6) - dy, 0, 5), axis=2).take(
                np.clip(np.arange(5) - dx, 0, 4), axis=3)
            expected = moved[..., ::-1] if flip else moved
            np.testing.assert_allclose(augmented["X_train"][row], (layout(expected).reshape(1, -1) @ P)[0],
                                       rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(augmented["X_train"][copy_rows(images_i, 50, 2)], augmented["X_train"][:50])
    np.testing.assert_array_equal(augmented["X_train"][copy_rows(images_i, 50, 2, flip=True)],
                                  augmented["X_train"][50:100])


def test_whitening_refuses_bad_translations_before_fitting():
    data = {"X_train": np.zeros((10, 1, 4, 4)), "y_train": np.zeros(10, int)}
    with pytest.raises(ValueError, match="smaller than the 4x4 image, got dy=4"):
        principal_components_with_copies(data, 2, translations=[(4, 0)])
    # One pair where a list of pairs belongs, and pairs that are not two integers.
    for bad in [(1, 0), [(1, 0, 0)], [(0.5, 1)]]:
        with pytest.raises(ValueError, match=r"a list of \(dy, dx\) pairs of integers, such as \[\(0, 2\)\]"):
            principal_components_with_copies(data, 2, translations=bad)
    with pytest.raises(ValueError, match="chunk_rows must be an integer of at least 1, got 0"):
        principal_components_with_copies(data, 2, chunk_rows=0)


def test_whitening_refuses_flat_rows_before_fitting():
    with pytest.raises(ValueError, match=r"horizontal_flip expects images \(N, C, H, W\)"):
        principal_components_with_copies({"X_train": np.zeros((10, 12)), "y_train": np.zeros(10, int)}, 2)


def test_copy_rows_by_hand_and_refusals():
    assert copy_rows(7, 100, 4) == 7 and copy_rows(7, 100, 4, flip=True) == 107
    np.testing.assert_array_equal(copy_rows([0, 1, 2], 100, 4, [0, 1, 2]), [200, 401, 602])
    np.testing.assert_array_equal(copy_rows([0, 1], 100, 4, 3, flip=True), [900, 901])
    # Small integer types are widened first: 3 * 49000 wraps around in uint16.
    assert copy_rows(np.uint16(5), 49000, 4, np.uint16(3)) == 8 * 49000 + 5
    assert copy_rows([], 100, 4).shape == (0,)
    for args, kwargs, message in [
        (([100], 100, 4), {}, r"indices must be integer indices in 0..99, got array\(\[100\]\)"),
        (([0.5], 100, 4), {}, "indices must be integer indices in 0..99"),
        (([1], 100, 4, -1), {}, "translation must be integer indices in 0..3"),
        (([1], 100, 4, 4), {}, "translation must be integer indices in 0..3"),
        (([1], 100, 4, 1.0), {}, "translation must be integer indices"),
        (([1, 2], 100, 4), {"flip": [True, False]}, r"flip must be True or False \(one for every copy\)"),
        (([1], 0, 4), {}, r"num_images must be an integer of at least 1 \(N, the training images\), got 0"),
        (([1], 100.0, 4), {}, "num_images must be an integer of at least 1 .*got 100.0"),
        (([1], 100, -1), {}, "num_translations must be an integer of at least 0, got -1"),
        (([1], 100, True), {}, "num_translations must be .*got True"),
    ]:
        with pytest.raises(ValueError, match=message):
            copy_rows(*args, **kwargs)


def test_empty_validation_and_test_splits_project_to_empty_rows():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 3, 4, 4))
    X -= X.mean(axis=0)
    data = {"X_train": X, "y_train": rng.integers(10, size=40), "X_val": X[:0], "y_val": np.zeros(0, int)}
    projected, _, _ = principal_components_with_copies(data, num_components=3)
    assert projected["X_val"].shape == (0, 3)
