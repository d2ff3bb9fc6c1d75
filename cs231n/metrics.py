"""Measures of a classifier's results: the confusion matrix, and how far apart two accuracies
can be by chance, on separate examples or on the same ones."""
import math
import statistics

import numpy as np

from cs231n.checks import check_count
from cs231n.layers import _check_label_range


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts of (true class, predicted class) pairs.

    y_true, y_pred: (N,) integer labels in 0..C-1 (arrays or lists), C = num_classes.
    Returns counts (C, C): counts[i, j] = number of examples of class i predicted as class j.
    Raises ValueError for labels of another shape or type, or outside 0..C-1, and for C that is
    not a positive integer.
    """
    check_count("num_classes", num_classes)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.shape != y_true.shape:
        raise ValueError(f"y_true and y_pred must be (N,) arrays of one length, got "
                         f"{y_true.shape} and {y_pred.shape}")
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and labels.dtype.kind not in "iu":
            raise ValueError(f"{name} must hold integer labels, got dtype {labels.dtype}; "
                             f"pass it .astype(int)")
        _check_label_range(labels, num_classes, name)
    return np.bincount(num_classes * y_true.astype(np.intp) + y_pred.astype(np.intp),
                       minlength=num_classes ** 2).reshape(num_classes, num_classes)


def accuracy_difference_se(accuracy_a, n_a, accuracy_b, n_b):
    """One standard error of the difference between two accuracies, each the fraction of its
    n_a or n_b examples classified correctly, the examples independent (a binomial count per
    accuracy):

        se = sqrt(a (1 - a) / n_a + b (1 - b) / n_b)

    A difference under two standard errors is within what the choice of examples alone produces.
    For two models on the same examples use paired_accuracy_difference_se, which counts only the
    examples where they disagree.
    accuracy_a, accuracy_b: in [0, 1]; n_a, n_b: positive example counts. Returns a float.
    """
    for name, accuracy in (("accuracy_a", accuracy_a), ("accuracy_b", accuracy_b)):
        if not 0 <= accuracy <= 1:
            raise ValueError(f"{name} must be a fraction in [0, 1], got {accuracy!r} "
                             f"(divide a percentage by 100)")
    for name, n in (("n_a", n_a), ("n_b", n_b)):
        if not n >= 1:
            raise ValueError(f"{name} must be a positive number of examples, got {n!r}")
    return math.sqrt(accuracy_a * (1 - accuracy_a) / n_a + accuracy_b * (1 - accuracy_b) / n_b)


def paired_accuracy_difference_se(correct_a, correct_b):
    """One standard error of accuracy(a) - accuracy(b) for two models scored on the same
    n examples.

    correct_a, correct_b: boolean arrays (n,), whether each model classified example i
    correctly, e.g. model.predict(X_val) == y_val. The difference is the mean of
    d_i = a_i - b_i, so

        se = std(d) / sqrt(n) = sqrt(n_ab + n_ba - (n_ab - n_ba)**2 / n) / n,

    with n_ab the examples only a gets right and n_ba those only b gets right (the counts
    McNemar's test uses, which takes sqrt(n_ab + n_ba) / n, the standard error if the two
    accuracies were equal). Examples both get right or both get wrong add nothing, so this
    is smaller than accuracy_difference_se's when the two models' errors are alike.
    Returns a float.
    """
    correct_a, correct_b = np.asarray(correct_a), np.asarray(correct_b)
    for name, correct in (("correct_a", correct_a), ("correct_b", correct_b)):
        if correct.dtype != bool or correct.ndim != 1 or correct.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-d boolean array of per-example "
                             f"correctness, got dtype {correct.dtype} and shape "
                             f"{correct.shape} (pass predictions == labels)")
    if correct_a.shape != correct_b.shape:
        raise ValueError(f"correct_a and correct_b must score the same examples, got shapes "
                         f"{correct_a.shape} and {correct_b.shape}")
    n = correct_a.size
    only_a = int(np.count_nonzero(correct_a & ~correct_b))
    only_b = int(np.count_nonzero(correct_b & ~correct_a))
    return math.sqrt(only_a + only_b - (only_a - only_b) ** 2 / n) / n


def paired_accuracy_difference_z(correct_a, correct_b):
    """accuracy(a) - accuracy(b) in standard errors of the paired difference
    (paired_accuracy_difference_se; same arguments), signed: positive when a is ahead.
    Returns a float: 0.0 when the two are right on the same examples, +-inf when they differ
    with no noise (one right on every example, the other on none).
    """
    se = paired_accuracy_difference_se(correct_a, correct_b)
    difference = float(np.mean(correct_a) - np.mean(correct_b))
    if se == 0:
        return math.copysign(math.inf, difference) if difference else 0.0
    return difference / se


def bonferroni_z(num_comparisons, level=0.05):
    """How many standard errors a difference must exceed to stand out at `level` (two-sided)
    when it is one of num_comparisons looked at, such as the most distant pair of a grid
    (Bonferroni):
    z = Phi^-1(1 - level / (2 num_comparisons)), 1.96 for one comparison at 5%, 2.94 for 15.
    num_comparisons: a positive integer; level: in (0, 1). Returns a float.
    """
    check_count("num_comparisons", num_comparisons)
    if not 0 < level < 1:
        raise ValueError(f"level must be a probability in (0, 1), got {level!r}")
    return statistics.NormalDist().inv_cdf(1 - level / (2 * num_comparisons))
