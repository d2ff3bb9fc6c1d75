"""Argument checks shared by the package's entry points, so that every count (a batch size, a
number of iterations, of workers, of components) is refused the same way and with the same
message, and every positive number (a weight scale, a decay factor, a kernel's hyperparameter)
by the same test.

Python counts True and False as the integers 1 and 0, so `isinstance(True, numbers.Integral)`
holds; a bool passed for a count or a number is nearly always a mistake (an argument in the
wrong place), so it is refused here too.
"""
import math
import numbers


def is_count(value, least=0):
    """Whether value is an integer (a Python or numpy integer, not a bool) of at least least."""
    return (isinstance(value, numbers.Integral) and not isinstance(value, bool)
            and bool(value >= least))


def is_positive_number(value):
    """Whether value is a real number (a Python or numpy one, not a bool) with
    0 < value < inf."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and bool(0 < value < math.inf))


def check_count(name, value, least=1, meaning=""):
    """Raise ValueError unless is_count(value, least).

    name: the argument's name, shown first in the message; meaning: optional words shown after
    the bound, e.g. " (steps between records)".
    """
    if not is_count(value, least):
        raise ValueError(f"{name} must be an integer of at least {least}{meaning}, "
                         f"got {value!r}")
