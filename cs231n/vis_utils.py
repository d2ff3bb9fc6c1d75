"""Pictures of images and weights, and numbers written for the page."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from cs231n.checks import check_count, is_count
from cs231n.metrics import confusion_matrix


def visualize_grid(Xs, ubound=255.0, padding=1, background=0.0):
    """Tile a batch of images into one grid image, each image rescaled to [0, ubound].

    Xs: (N, H, W, C) images (or weights viewed as images).
    ubound: the top of the output range; padding: pixels between tiles.
    background: the value of the padding and of the last row's empty tiles: 0, black, as in the
    course's code, or ubound, white, where the empty tiles then read as no tile at all.
    Returns grid (R*(H+padding)-padding, G*(W+padding)-padding, C):
    G = ceil(sqrt(N)) tiles a row, R = ceil(N / G) rows, so that no row is left empty
    (50 tiles: 7 rows of 8, not 8 of 8).
    """
    check_count("padding", padding, least=0, meaning=" (pixels between tiles)")
    # float64: differences of signed integer pixels would wrap around in their own dtype
    Xs = np.asarray(Xs, dtype=np.float64)
    if Xs.ndim != 4 or Xs.shape[0] == 0:
        raise ValueError("visualize_grid needs at least one image, of shape (N, H, W, C), "
                         f"got {Xs.shape}")
    N, H, W, C = Xs.shape
    grid_size = int(np.ceil(np.sqrt(N)))
    num_rows = int(np.ceil(N / grid_size))
    lo = Xs.min(axis=(1, 2, 3), keepdims=True)
    hi = Xs.max(axis=(1, 2, 3), keepdims=True)
    # Each tile is stretched to the full range on its own, so weak and strong filters both show.
    scaled = ubound * (Xs - lo) / np.where(hi > lo, hi - lo, 1.0)
    # Every tile with its padding below and to its right (background; empty tiles too), laid out
    # row by row; the padding after the last row and column is cut off.
    cells = np.full((num_rows * grid_size, H + padding, W + padding, C), float(background))
    cells[:N, :H, :W] = scaled
    grid = cells.reshape(num_rows, grid_size, H + padding, W + padding, C)
    grid = grid.transpose(0, 2, 1, 3, 4).reshape(num_rows * (H + padding),
                                                 grid_size * (W + padding), C)
    return grid[:grid.shape[0] - padding, :grid.shape[1] - padding]


def plot_training(loss_history, train_acc_history, val_acc_history, title, loss_x=None,
                  train_label="train", acc_x=None, acc_xlabel="epoch", figsize=(8, 3.5),
                  kept=None):
    """Two panels: the training loss, and train and validation accuracy at each check.

    loss_history: (T,) losses per iteration (or per loss_x if given);
    *_acc_history: (E,) per check.
    train_label: the legend entry of the training accuracy, to say what it was measured on (one
    minibatch, a subset of the training rows).
    acc_x: (E,) where the checks were made, e.g. their iterations, on the loss's axis; by
    default 0, 1, ..., E - 1, one check per epoch. acc_xlabel: the accuracy panel's x label.
    figsize: in inches; a narrower figure is printed at a larger scale, so its text is larger.
    kept: None, or the index of the check whose parameters training kept (the best validation
        check, for the Solver and keep_best), marked with a star on the validation curve.
    Returns the figure.
    """
    # Checked before the figure is made: a refused call leaves no half-drawn figure behind.
    if len(train_acc_history) != len(val_acc_history):
        raise ValueError(f"got {len(train_acc_history)} training and {len(val_acc_history)} "
                         "validation accuracies; each check gives one of each")
    checks = np.arange(len(train_acc_history)) if acc_x is None else np.asarray(acc_x)
    if checks.shape != (len(train_acc_history),):
        raise ValueError(f"acc_x must be one position per check, ({len(train_acc_history)},), "
                         f"got shape {checks.shape}")
    if kept is not None and not (is_count(kept) and kept < len(checks)):
        raise ValueError(f"kept must be the index of a check, 0..{len(checks) - 1}, "
                         f"got {kept!r}")
    if loss_x is not None and np.shape(loss_x) != (len(loss_history),):
        raise ValueError(f"loss_x must be one position per loss, ({len(loss_history)},), "
                         f"got shape {np.shape(loss_x)}")
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    ax_loss.plot(np.arange(len(loss_history)) if loss_x is None else loss_x,
                 loss_history, lw=0.6)
    ax_loss.set(xlabel="iteration", ylabel="training loss", title="Loss")
    ax_acc.plot(checks, train_acc_history, "o-", label=train_label)
    ax_acc.plot(checks, val_acc_history, "o-", label="validation")
    if kept is not None:
        ax_acc.plot(checks[kept], val_acc_history[kept], "*", color="k", markersize=12,
                    zorder=3, label="kept parameters")
    ax_acc.set(xlabel=acc_xlabel, ylabel="accuracy", title="Classification accuracy")
    # Under the panels, where no curve can run beneath it: inside the panel, "best" still
    # covered the first checks, where the curves rise steeply.
    fig.legend(loc="outside lower right", ncol=2)
    # Iterations and epochs are whole numbers, at steps of 1, 2 or 5 times a power of ten (so
    # that 10 epochs end on a tick); at most six intervals keep 30000-wide labels apart.
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, steps=[1, 2, 5, 10]))
    fig.suptitle(title)
    return fig


def scientific_latex(value, digits=2):
    """value in scientific notation for LaTeX, as in $9.8\\times10^{-3}$: at most `digits`
    significant digits, trailing zeros dropped ($1\\times10^{-3}$, not $1.0\\times10^{-3}$).
    Returns a string with its dollar signs, for Markdown text. Raises ValueError for a value
    that is not a finite number."""
    check_count("digits", digits, meaning=" (significant digits)")
    if not np.isfinite(value):
        raise ValueError(f"scientific_latex writes finite numbers, got {value!r}")
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"${float(mantissa):g}\\times10^{{{int(exponent)}}}$"


def plot_confusion_matrix(y_true, y_pred, class_names, title):
    """Row-normalised confusion matrix as an image, per-class accuracy on the diagonal.
    Returns the figure."""
    counts = confusion_matrix(y_true, y_pred, len(class_names))
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.2, 5.2))
    im = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i, j in np.ndindex(rates.shape):
        ax.text(j, i, f"{rates[i, j]:.2f}", ha="center", va="center", fontsize=9,
                color="white" if rates[i, j] > 0.5 else "black")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45)
    ax.set_yticks(ticks, class_names)
    ax.set(xlabel="predicted class", ylabel="true class", title=title)
    fig.colorbar(im, ax=ax, label="fraction of the true class")
    fig.tight_layout()
    return fig


def show_weights(W, image_shape, title, ax=None):
    """First-layer weights as images: W (K, H*W*C) rows, one tile each, on white. Returns the
    axes. Raises ValueError unless W's rows hold H*W*C values: a FullyConnectedNet's W1 is
    (D, K), so pass W1.T."""
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[1] != np.prod(image_shape):
        raise ValueError(f"show_weights draws each row of W (K, {np.prod(image_shape)}) as an "
                         f"image of shape {tuple(image_shape)}, got W {W.shape}; for (D, K) "
                         "weights such as a FullyConnectedNet's W1, pass W1.T")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(visualize_grid(W.reshape(-1, *image_shape), padding=3,
                             background=255).astype("uint8"))
    ax.axis("off")
    ax.set_title(title)
    return ax
