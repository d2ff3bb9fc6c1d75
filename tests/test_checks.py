import math

import numpy as np
import pytest

from cs231n.checks import check_count, is_count, is_positive_number


@pytest.mark.parametrize("value, least, expected", [
    (0, 0, True), (1, 1, True), (5, 1, True), (np.int64(3), 1, True), (np.uint8(0), 0, True),
    (0, 1, False), (-1, 0, False),
    (2.0, 1, False), (np.float32(2), 1, False), ("2", 1, False), (None, 0, False), ([2], 1, False),
    (True, 0, False), (False, 0, False),   # bools are ints to Python, never counts here
])
def test_is_count(value, least, expected):
    assert is_count(value, least) is expected


def test_check_count_names_the_argument_its_bound_and_the_value():
    check_count("batch_size", 200)
    check_count("num_iters", 0, least=0)
    with pytest.raises(ValueError, match=r"^batch_size must be an integer of at least 1, got 0$"):
        check_count("batch_size", 0)
    with pytest.raises(ValueError, match=r"^n_jobs must be an integer of at least 1 \(or None\), got 1.5$"):
        check_count("n_jobs", 1.5, meaning=" (or None)")
    with pytest.raises(ValueError, match=r"^num_iters must be an integer of at least 0, got 'ten'$"):
        check_count("num_iters", "ten", least=0)


@pytest.mark.parametrize("value, expected", [
    (1, True), (0.5, True), (np.float32(2), True), (np.int64(3), True), (1e308, True),
    (0, False), (-1.0, False), (math.inf, False), (math.nan, False), ("1", False), (None, False),
    (True, False),   # a bool is a number to Python, never one here
])
def test_is_positive_number(value, expected):
    assert is_positive_number(value) is expected
