import numpy as np
import pytest

from cs231n.metrics import (
    accuracy_difference_se,
    bonferroni_z,
    confusion_matrix,
    paired_accuracy_difference_se,
    paired_accuracy_difference_z,
)


def test_confusion_matrix_counts():
    counts = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_standard_error_of_a_difference_by_hand():
    # sqrt(0.5 * 0.5 / 100 + 0.9 * 0.1 / 400) = sqrt(0.0025 + 0.000225)
    assert accuracy_difference_se(0.5, 100, 0.9, 400) == pytest.approx(np.sqrt(0.002725), rel=1e-12)
    assert accuracy_difference_se(1.0, 10, 0.0, 10) == 0.0


def test_standard_error_matches_the_spread_of_simulated_accuracies():
    # Two classifiers with true accuracies 0.55 and 0.6, each scored on its own 1000 random examples.
    rng = np.random.default_rng(0)
    differences = rng.binomial(1000, 0.55, size=20000) / 1000 - rng.binomial(1000, 0.6, size=20000) / 1000
    assert differences.std() == pytest.approx(accuracy_difference_se(0.55, 1000, 0.6, 1000), rel=0.03)


@pytest.mark.parametrize("args, message", [
    ((53.5, 1000, 0.5, 1000), r"accuracy_a must be a fraction in \[0, 1\], got 53.5 \(divide a percentage by 100\)"),
    ((0.5, 1000, -0.1, 1000), r"accuracy_b must be a fraction in \[0, 1\], got -0.1"),
    ((0.5, 0, 0.5, 1000), "n_a must be a positive number of examples, got 0"),
    ((0.5, 1000, 0.5, float("nan")), "n_b must be a positive number of examples, got nan"),
])
def test_bad_input_is_refused_with_what_was_wrong(args, message):
    with pytest.raises(ValueError, match=message):
        accuracy_difference_se(*args)


def test_paired_standard_error_by_hand():
    # 10 examples: a alone right on 3, b alone right on 1, both right on 4, both wrong on 2.
    a = np.array([1, 1, 1, 0, 1, 1, 1, 1, 0, 0], dtype=bool)
    b = np.array([0, 0, 0, 1, 1, 1, 1, 1, 0, 0], dtype=bool)
    # d = (1, 1, 1, -1, 0 x 6): mean 0.2, population variance 0.4 - 0.04 = 0.36, se = 0.6 / sqrt(10)
    assert paired_accuracy_difference_se(a, b) == pytest.approx(0.6 / np.sqrt(10), rel=1e-12)
    assert paired_accuracy_difference_se(a, a) == 0.0
    # In standard errors, signed: 0.2 / (0.6 / sqrt(10)).
    assert paired_accuracy_difference_z(a, b) == pytest.approx(np.sqrt(10) / 3, rel=1e-12)
    assert paired_accuracy_difference_z(b, a) == pytest.approx(-np.sqrt(10) / 3, rel=1e-12)
    assert paired_accuracy_difference_z(a, a) == 0.0
    assert paired_accuracy_difference_z(np.ones(5, bool), np.zeros(5, bool)) == np.inf   # a difference, no noise


def test_paired_standard_error_matches_the_spread_over_resampled_examples():
    # Two models that share most of their errors: each example has a difficulty; b is a with 10% of
    # its answers redrawn. The spread of the accuracy difference over fresh draws of 1000 examples
    # matches the paired standard error, and is well under the unpaired one.
    rng = np.random.default_rng(0)

    def draw():
        a = rng.random(1000) < rng.beta(2, 2, size=1000)
        b = np.where(rng.random(1000) < 0.1, rng.random(1000) < 0.55, a)
        return a, b

    draws = [draw() for _ in range(4000)]
    differences = np.array([a.mean() - b.mean() for a, b in draws])
    paired = np.mean([paired_accuracy_difference_se(a, b) for a, b in draws[:200]])
    assert differences.std() == pytest.approx(paired, rel=0.05)
    a, b = draws[0]
    assert paired < 0.5 * accuracy_difference_se(a.mean(), 1000, b.mean(), 1000)


@pytest.mark.parametrize("a, b, message", [
    (np.array([3, 1, 2]), np.array([3, 1, 1]), r"correct_a must be a non-empty 1-d boolean array .* got dtype int64 "
                                                r"and shape \(3,\) \(pass predictions == labels\)"),
    (np.ones(3, bool), np.ones((3, 1), bool), r"correct_b must be a non-empty 1-d boolean array"),
    (np.ones(0, bool), np.ones(0, bool), r"correct_a must be a non-empty"),
    (np.ones(3, bool), np.ones(4, bool), r"must score the same examples, got shapes \(3,\) and \(4,\)"),
])
def test_paired_bad_input_is_refused_with_what_was_wrong(a, b, message):
    with pytest.raises(ValueError, match=message):
        paired_accuracy_difference_se(a, b)


def test_confusion_matrix_of_no_examples_and_of_lists():
    assert np.array_equal(confusion_matrix([], [], 3), np.zeros((3, 3), int))
    assert np.array_equal(confusion_matrix([0, 1], [1, 1], 2), [[0, 1], [0, 1]])


@pytest.mark.parametrize("y_true, y_pred, match", [
    ([0, 1, 1], [0, 1, 3], r"y_pred must lie in 0\.\.2 for 3 classes, got range 0\.\.3"),   # not another row
    ([0, 1, 2], [[0], [1], [2]], r"\(N,\) arrays of one length, got \(3,\) and \(3, 1\)"),
    (np.array([0.0, 1, 2]), [0, 1, 2], r"y_true must hold integer labels, got dtype float64"),
])
def test_confusion_matrix_refuses_labels_it_would_miscount(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(y_true, y_pred, 3)


def test_confusion_matrix_refuses_a_class_count_that_is_not_a_positive_integer():
    for bad in [3.0, 0, True]:
        with pytest.raises(ValueError, match=f"num_classes must be an integer of at least 1, got {bad!r}"):
            confusion_matrix([0, 1], [1, 0], bad)


def test_bonferroni_z_values_and_coverage():
    assert bonferroni_z(1) == pytest.approx(1.959964, abs=1e-6)
    assert bonferroni_z(15) == pytest.approx(2.935199, abs=1e-6)
    assert bonferroni_z(1, level=0.01) == pytest.approx(2.575829, abs=1e-6)
    # The largest of 15 independent null differences exceeds it about 5% of the time (4.9%, plus
    # simulation noise), where a plain 1.96 would be exceeded about half the time.
    rng = np.random.default_rng(0)
    largest = np.abs(rng.standard_normal((20000, 15))).max(axis=1)
    assert 0.04 < np.mean(largest > bonferroni_z(15)) < 0.06 and np.mean(largest > 1.96) > 0.4
    for bad, match in [((0,), "num_comparisons must be an integer of at least 1, got 0"), ((2.5,), "got 2.5"),
                       ((True,), "got True"), ((3, 1.5), "level must be")]:
        with pytest.raises(ValueError, match=match):
            bonferroni_z(*bad)
