"""Pictures of images and weights."""
import numpy as np


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Tile a batch of images into one grid image, each image rescaled to [0, ubound].

    Xs: (N, H, W, C) images (or weights viewed as images).
    ubound: the top of the output range; padding: pixels between tiles.
    Returns grid (G*(H+padding)-padding, G*(W+padding)-padding, C), G = ceil(sqrt(N)).
    """
    Xs = np.asarray(Xs)
    if Xs.ndim != 4:
        raise ValueError(f"visualize_grid needs images of shape (N, H, W, C), got {Xs.shape}")
    N, H, W, C = Xs.shape
    grid_size = int(np.ceil(np.sqrt(N)))
    grid = np.zeros((grid_size * (H + padding) - padding, grid_size * (W + padding) - padding, C))
    lo = Xs.min(axis=(1, 2, 3), keepdims=True)
    hi = Xs.max(axis=(1, 2, 3), keepdims=True)
    # Each tile is stretched to the full range on its own, so weak and strong filters both show.
    scaled = ubound * (Xs - lo) / np.where(hi > lo, hi - lo, 1.0)
    for i in range(N):
        row, col = divmod(i, grid_size)
        y0, x0 = row * (H + padding), col * (W + padding)
        grid[y0:y0 + H, x0:x0 + W] = scaled[i]
    return grid
