"""Hyperparameter searches on every core: one configuration per worker process, one BLAS
thread each.

A search trains many small, independent models. Running them side by side in processes keeps
every core busy for the whole run, where one process with a multithreaded BLAS leaves the cores
idle between matrix products (sampling minibatches, element-wise layers, the update rule).
Workers come from joblib's loky backend; threadpoolctl pins each configuration to one BLAS
thread so that the workers do not oversubscribe the cores.

    # train(learning_rate=..., reg=..., data=...) returns, say, a validation accuracy
    for config, val_acc in zip(configs, run_search(train, configs, data=data)):
        print(config, val_acc)
"""
import joblib
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from cs231n.checks import check_count


def _one_blas_thread(train, config, shared):
    # The same single thread whether the configuration runs in a worker or in this process: a
    # multithreaded matrix product splits its sums by thread count, so its float rounding would
    # depend on n_jobs. With one thread, results are bitwise identical for any number of
    # workers.
    with threadpool_limits(limits=1):
        return train(**config, **shared)


def run_search(train, configs, n_jobs=None, **shared):
    """Evaluate train(**config, **shared) for every config, n_jobs configurations at a time.

    train: the function that trains and evaluates one configuration. It may be defined in a
        notebook (loky pickles it by value), but then it must not refer to large global arrays,
        which would be pickled with it for every task: pass them in shared.
    configs: list of K dicts of keyword arguments, one per configuration; seed inside train (or
        pass a seed in each config) so a configuration's result does not depend on where it
        runs.
    n_jobs: worker processes; None: one per core (joblib.cpu_count()), at most K. 1 runs every
        configuration in this process, one after the other.
    shared: keyword arguments common to all configurations, e.g. data=... . Arrays larger than
        1 MB among them (also inside dicts and lists) are written once per search to a temporary
        folder and memory-mapped read-only by the workers, not copied per task; so train must
        not modify them in place.
    Returns a generator of the K results in the order of configs, each yielded as soon as it and
    the ones before it are done (so a notebook can print a line per configuration).
    """
    configs = list(configs)
    if not configs:
        raise ValueError("configs is empty: give at least one dict of keyword arguments "
                         "for train")
    not_dicts = [c for c in configs if not isinstance(c, dict)]
    if not_dicts:
        raise ValueError("each configuration must be a dict of keyword arguments for train, "
                         f"got {not_dicts[0]!r}")
    clashes = sorted({k for c in configs for k in c} & shared.keys())
    if clashes:
        raise ValueError(f"{clashes} given both in a configuration and as a shared argument; "
                         "pass each once")
    if n_jobs is None:
        n_jobs = min(joblib.cpu_count(), len(configs))
    check_count("n_jobs", n_jobs, meaning=" (or None for one per core)")
    parallel = Parallel(n_jobs=n_jobs, backend="loky", max_nbytes="1M", mmap_mode="r",
                        return_as="generator")
    return parallel(delayed(_one_blas_thread)(train, config, shared) for config in configs)
