import numpy as np
import pytest

from cs231n.metrics import accuracy_difference_se, confusion_matrix


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
