"""cs231n.search: results independent of the number of workers, shared arrays memory-mapped once,
functions defined where loky must pickle them by value, and the refusals."""
import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from cs231n.search import run_search


def gradient_descent(learning_rate, seed, X, y, num_steps=20):
    """Least squares by gradient descent on (N, D) = (400, 300) rows: big enough matrix products
    for a multithreaded BLAS to split them. Returns the weights (D,)."""
    w = np.random.default_rng(seed).standard_normal(X.shape[1])
    for _ in range(num_steps):
        w -= learning_rate * X.T @ (X @ w - y) / len(X)
    return w


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    return {"X": rng.standard_normal((400, 300)), "y": rng.standard_normal(400)}


CONFIGS = [{"learning_rate": lr, "seed": seed} for lr in (0.01, 0.05) for seed in (0, 1, 2)]


def test_results_are_bitwise_identical_for_any_number_of_workers(problem):
    with threadpool_limits(limits=1):
        expected = [gradient_descent(**config, **problem) for config in CONFIGS]
    for n_jobs in (1, 2, 3):
        results = list(run_search(gradient_descent, CONFIGS, n_jobs=n_jobs, **problem))
        assert len(results) == len(CONFIGS)
        for got, want in zip(results, expected, strict=True):     # in the order of the configurations
            np.testing.assert_array_equal(got, want)


def test_each_configuration_runs_with_one_blas_thread():
    # OpenBLAS happens to split its products so that thread count does not change the rounding,
    # other BLAS libraries (MKL, Accelerate) do not promise that: check the limit itself.
    def blas_threads(seed):
        return sorted({pool["num_threads"] for pool in threadpool_info()})

    # Two threads around the search, so that the check can fail also where BLAS defaults to one.
    with threadpool_limits(limits=2):
        for n_jobs in (1, 2):
            assert list(run_search(blas_threads, [{"seed": s} for s in range(3)], n_jobs=n_jobs)) == [[1]] * 3


def test_shared_arrays_reach_the_workers_memory_mapped_once(problem):
    def where_is_X(seed, X, y):                      # local: loky must pickle it by value
        base = X
        while not isinstance(base, np.memmap) and base.base is not None:
            base = base.base
        return (isinstance(base, np.memmap) and base.filename, X.flags.writeable, float(X[3, 7]), len(y))

    data = {"X": problem["X"], "y": problem["y"][:10]}      # X is 960 kB; make it bigger than 1 MB
    data["X"] = np.concatenate([data["X"], data["X"]])
    results = list(run_search(where_is_X, [{"seed": s} for s in range(4)], n_jobs=2, **data))
    filenames = {filename for filename, _, _, _ in results}
    assert len(filenames) == 1 and None not in filenames and False not in filenames   # one file for all tasks
    assert all(not writeable for _, writeable, _, _ in results)
    assert all(value == data["X"][3, 7] and n == 10 for _, _, value, n in results)   # small y passed as is


def test_refusals_say_what_to_change(problem):
    with pytest.raises(ValueError, match="configs is empty"):
        run_search(gradient_descent, [], **problem)
    with pytest.raises(ValueError, match="dict of keyword arguments.*0.01"):
        run_search(gradient_descent, [0.01], **problem)
    with pytest.raises(ValueError, match=r"\['X'\] given both"):
        run_search(gradient_descent, [{"learning_rate": 0.01, "seed": 0, "X": None}], **problem)
    for n_jobs in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match=f"n_jobs must be an integer of at least 1.*got {n_jobs}"):
            run_search(gradient_descent, CONFIGS, n_jobs=n_jobs, **problem)
    # numpy's integers are integers (a count computed with numpy).
    assert len(list(run_search(gradient_descent, CONFIGS, n_jobs=np.int64(1), **problem))) == len(CONFIGS)


def test_errors_in_a_configuration_reach_the_caller(problem):
    with pytest.raises(TypeError, match="seed"):
        list(run_search(gradient_descent, [{"learning_rate": 0.01}], n_jobs=2, **problem))   # no seed
