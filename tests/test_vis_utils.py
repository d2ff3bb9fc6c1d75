import numpy as np
import pytest

from cs231n.vis_utils import scientific_latex, visualize_grid


def test_grid_layout_and_per_tile_scaling():
    Xs = np.stack([np.full((2, 3, 1), v, dtype=float) for v in range(5)])
    Xs[:, 0, 0, 0] = -1.0  # give each tile a range to stretch
    grid = visualize_grid(Xs, ubound=1.0, padding=1)
    assert grid.shape == (2 * 3 - 1, 3 * 4 - 1, 1)  # 5 tiles -> 2 rows of 3 (a third row would be empty)
    assert visualize_grid(np.ones((50, 2, 2, 1)), padding=0).shape == (7 * 2, 8 * 2, 1)
    assert visualize_grid(np.ones((9, 2, 2, 1)), padding=0).shape == (3 * 2, 3 * 2, 1)
    tile_4 = grid[3:5, 4:7, 0]  # row 1, column 1
    assert tile_4[0, 0] == 0.0 and tile_4[1, 2] == 1.0
    assert np.all(grid[2, :, 0] == 0) and np.all(grid[:, 3, 0] == 0)  # padding stays black
    assert np.all(grid[3:, 8:, 0] == 0)                                # and so does the empty sixth tile
    white = visualize_grid(Xs, ubound=1.0, padding=1, background=1.0)
    assert np.all(white[2, :, 0] == 1) and np.all(white[3:, 8:, 0] == 1)
    assert np.array_equal(white[3:5, 4:7, 0], tile_4)


def test_constant_tile_does_not_divide_by_zero():
    assert np.all(np.isfinite(visualize_grid(np.ones((1, 2, 2, 3)))))


def test_wrong_rank_and_no_images_are_refused():
    with pytest.raises(ValueError, match=r"\(N, H, W, C\).*\(2, 3\)"):
        visualize_grid(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"at least one image.*got \(0, 2, 2, 3\)"):
        visualize_grid(np.zeros((0, 2, 2, 3)))


def test_plots_have_titles_and_labels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cs231n.vis_utils import plot_confusion_matrix, plot_training, show_weights
    fig = plot_training([3.0, 2.0, 1.0], [0.1, 0.5], [0.1, 0.4], "run")
    assert fig._suptitle.get_text() == "run" and all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["train", "validation"]
    # The legend sits under the panels, where it cannot hide a curve.
    fig.canvas.draw()
    legend_box = fig.legends[0].get_window_extent()
    assert all(legend_box.y1 < ax.get_window_extent().y0 for ax in fig.axes)
    assert list(fig.axes[0].get_lines()[0].get_xdata()) == [0, 1, 2]
    fig = plot_training([3.0, 2.0, 1.0], [0.1, 0.5], [0.1, 0.4], "run", loss_x=[10, 20, 30])
    assert list(fig.axes[0].get_lines()[0].get_xdata()) == [10, 20, 30]
    fig = plot_training([1.0], [0.1], [0.1], "run", train_label="train (one minibatch)")
    assert fig.legends[0].get_texts()[0].get_text() == "train (one minibatch)"
    fig = plot_training([3.0, 2.0, 1.0], [0.1, 0.5], [0.1, 0.4], "run", acc_x=[0, 2], acc_xlabel="iteration",
                        figsize=(8, 3))
    assert list(fig.axes[1].get_lines()[1].get_xdata()) == [0, 2] and fig.axes[1].get_xlabel() == "iteration"
    assert tuple(fig.get_size_inches()) == (8, 3)
    assert list(fig.axes[1].get_lines()[0].get_xdata()) == [0, 2]
    # Whole-number ticks: epochs 0-3 are not labelled 0.5, 1.5, 2.5; long runs get few, wide-apart labels.
    fig = plot_training(np.ones(7350), [0.1, 0.5, 0.6, 0.6], [0.1, 0.5, 0.5, 0.6], "run")
    assert all(float(t).is_integer() for t in fig.axes[1].get_xticks())

    def shown_ticks(ax):
        low, high = ax.get_xlim()
        return [t for t in ax.get_xticks() if low <= t <= high]

    assert all(len(shown_ticks(ax)) <= 7 for ax in fig.axes)
    # Ten epochs end on a tick (the tick steps once gave 0, 3, 6, 9).
    fig = plot_training(np.ones(100), np.linspace(0.1, 0.5, 11), np.linspace(0.1, 0.4, 11), "run")
    assert shown_ticks(fig.axes[1]) == [0, 2, 4, 6, 8, 10]
    with pytest.raises(ValueError, match=r"acc_x must be one position per check, \(2,\), got shape \(3,\)"):
        plot_training([1.0], [0.1, 0.2], [0.1, 0.2], "run", acc_x=[0, 1, 2])
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        plot_training([1.0], [0.1, 0.2], [0.1, 0.2], "run", acc_x=3)
    plt.close("all")
    with pytest.raises(ValueError, match="got 2 training and 1 validation accuracies"):
        plot_training([1.0], [0.1, 0.2], [0.1], "run")
    for bad in [2, -1, 1.0]:
        with pytest.raises(ValueError, match=rf"kept must be the index of a check, 0\.\.1, got {bad!r}"):
            plot_training([1.0], [0.1, 0.2], [0.1, 0.2], "run", kept=bad)
    assert plt.get_fignums() == []     # refused before any figure was made: none left half drawn
    # The kept check is starred on the validation curve, at its position on the x axis.
    fig = plot_training([3.0, 2.0, 1.0], [0.1, 0.5, 0.6], [0.1, 0.4, 0.3], "run", acc_x=[0, 5, 9], kept=1)
    star = [line for line in fig.axes[1].get_lines() if line.get_label() == "kept parameters"]
    assert len(star) == 1 and list(star[0].get_xdata()) == [5] and list(star[0].get_ydata()) == [0.4]
    plt.close("all")
    # Rows are true classes, normalised to fractions of each: class a (3 examples) predicted a, a, b.
    fig = plot_confusion_matrix(np.array([0, 0, 0, 1]), np.array([0, 0, 1, 0]), ["a", "b"], "cm")
    assert fig.axes[0].get_title() == "cm"
    np.testing.assert_allclose(fig.axes[0].get_images()[0].get_array(), [[2 / 3, 1 / 3], [1, 0]])
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.67", "0.33", "1.00", "0.00"]
    # The weights' rows as tiles of the grid, each stretched to 0..255 on its own, on white.
    W = np.random.default_rng(0).standard_normal((3, 12))
    ax = show_weights(W, (2, 2, 3), "w")
    assert ax.get_title() == "w"
    shown = ax.get_images()[0].get_array()
    expected = visualize_grid(W.reshape(3, 2, 2, 3), padding=3, background=255).astype("uint8")
    np.testing.assert_array_equal(shown, expected)
    assert np.all(shown[5:, 5:] == 255)     # the fourth tile of the 2 x 2 grid is empty: white
    # (D, K) weights, a FullyConnectedNet's W1, would be cut into tiles of mixed columns.
    with pytest.raises(ValueError, match=r"each row of W \(K, 12\).*got W \(12, 3\); .*pass W1.T"):
        show_weights(W.T, (2, 2, 3), "w")
    plt.close("all")


@pytest.mark.parametrize("value, digits, text", [
    (9.8e-3, 2, r"$9.8\times10^{-3}$"), (1e-3, 2, r"$1\times10^{-3}$"), (2.5e-3, 2, r"$2.5\times10^{-3}$"),
    (1e-10, 2, r"$1\times10^{-10}$"), (123456.0, 2, r"$1.2\times10^{5}$"), (9.96e-3, 2, r"$1\times10^{-2}$"),
    (5.6e-11, 1, r"$6\times10^{-11}$"), (-3e4, 3, r"$-3\times10^{4}$"),
])
def test_scientific_latex(value, digits, text):
    # One- and two-digit exponents alike (an earlier formatter broke LaTeX at 1e-10), rounding carried into
    # the exponent, trailing zeros dropped.
    assert scientific_latex(value, digits) == text
    with pytest.raises(ValueError, match=r"digits must be an integer of at least 1 \(significant digits\), got 0"):
        scientific_latex(value, 0)
    for bad in [np.inf, np.nan]:
        with pytest.raises(ValueError, match=f"scientific_latex writes finite numbers, got {bad}"):
            scientific_latex(bad)


def test_signed_integer_images_are_scaled_without_wrapping_around():
    Xs = np.array([-100, 0, 100], dtype=np.int8).reshape(1, 1, 3, 1)
    np.testing.assert_allclose(visualize_grid(Xs, padding=0).ravel(), [0.0, 127.5, 255.0])


def test_bad_padding_and_loss_positions_are_refused_before_any_figure_is_made():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cs231n.vis_utils import plot_training
    for bad in (-1, 1.5):
        with pytest.raises(ValueError, match=rf"padding must be an integer of at least 0 .*got {bad!r}"):
            visualize_grid(np.zeros((2, 2, 2, 3)), padding=bad)
    plt.close("all")
    with pytest.raises(ValueError, match=r"loss_x must be one position per loss, \(3,\), got shape \(2,\)"):
        plot_training([3.0, 2.0, 1.0], [0.1], [0.1], "run", loss_x=[10, 20])
    assert plt.get_fignums() == []   # it used to fail inside matplotlib, leaving a figure open
