"""Measures of a classifier's results: the confusion matrix, and how far apart two accuracies can
be by chance."""
import math

import numpy as np


def confusion_matrix(y_true, y_pred, num_classes):
    """counts (C, C): counts[i, j] = number of examples of class i predicted as class j."""
    return np.bincount(num_classes * np.asarray(y_true) + np.asarray(y_pred),
                       minlength=num_classes ** 2).reshape(num_classes, num_classes)


def accuracy_difference_se(accuracy_a, n_a, accuracy_b, n_b):
    """One standard error of the difference between two accuracies, each the fraction of n examples
    classified correctly, the examples independent (a binomial count per accuracy):

        se = sqrt(a (1 - a) / n_a + b (1 - b) / n_b)

    A difference under two standard errors is within what the choice of examples alone produces.
    For two models on the same examples, whose errors are positively correlated, this is an upper
    bound. accuracy_a, accuracy_b: in [0, 1]; n_a, n_b: positive example counts. Returns a float.
    """
    for name, accuracy in (("accuracy_a", accuracy_a), ("accuracy_b", accuracy_b)):
        if not 0 <= accuracy <= 1:
            raise ValueError(f"{name} must be a fraction in [0, 1], got {accuracy!r} (divide a percentage by 100)")
    for name, n in (("n_a", n_a), ("n_b", n_b)):
        if not n >= 1:
            raise ValueError(f"{name} must be a positive number of examples, got {n!r}")
    return math.sqrt(accuracy_a * (1 - accuracy_a) / n_a + accuracy_b * (1 - accuracy_b) / n_b)
