"""benchmarks/: the timing scripts of `make bench` run end to end on tiny settings (the figures themselves
are not tested: they depend on the machine), print their tables, and refuse bad arguments."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def run(script, *args):
    return subprocess.run([sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True,
                          timeout=300)


def test_train_step_prints_every_net_and_dtype_with_its_ratio_to_the_floor():
    done = run("train_step.py", "--rounds", "1", "--repeats", "1", "--threads", "1")
    assert done.returncode == 0, done.stderr
    for net in ("TwoLayerNet hidden 50", "TwoLayerNet hidden 500", "FullyConnectedNet [100]*4",
                "FullyConnectedNet [512, 256]"):
        for dtype in ("float32", "float64"):
            # ours, PyTorch (none given: -), ours / PyTorch, floor, ours / floor, PyTorch / floor
            row = re.search(rf"^{re.escape(net)} +{dtype} +([\d.]+) ms +- +- +([\d.]+) ms +([\d.]+)x +-$",
                            done.stdout, re.M)
            assert row, f"no row for {net} {dtype} in:\n{done.stdout}"
            ours, floor, ratio = map(float, row.groups())
            assert ours > 0 and floor > 0
            # The script divides unrounded times, printed to 0.005 ms: with steps of about a
            # millisecond, that rounding alone moves ours / floor by more than 0.01.
            half = 0.005
            assert (ours - half) / (floor + half) - half <= ratio <= (ours + half) / (floor - half) + half


@pytest.mark.parametrize("problem, length", [("3", ["--iterations", "20"]), ("4", ["--epochs", "1"])])
def test_search_times_the_three_modes_and_finds_identical_results(problem, length):
    done = run("search.py", "--problem", problem, "--rounds", "1", "--workers", "2", "--configs", "2", "--rows", "2000",
               *length)
    assert done.returncode == 0, done.stderr
    assert f"Problem {problem}'s screening: 2 configurations" in done.stdout
    for mode in ("sequential", "1 worker", "2 workers"):
        assert re.search(rf"{mode}: median +[\d.]+ s, [\d.]+ x sequential", done.stdout), done.stdout
    assert "validation accuracies identical for 1 and 2 workers" in done.stdout


@pytest.mark.parametrize("script, args, message", [
    ("train_step.py", ["--rounds", "0"], "--rounds, --repeats and --threads must be at least 1"),
    ("train_step.py", ["--torch-python", "/nonexistent/python"], "does not exist"),
    ("search.py", ["--iterations", "0"], "--iterations must be at least 1, got 0"),
    ("search.py", ["--problem", "5"], "invalid choice"),
    ("search.py", ["--configs", "7"], "--configs must be at most 6"),
])
def test_bad_arguments_are_refused_with_a_message(script, args, message):
    done = run(script, *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
