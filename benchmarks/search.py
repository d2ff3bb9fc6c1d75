"""Wall time of a representative hyperparameter search: sequential, and through cs231n.search on 1 and
on N workers.

The search is Problem 4's screening in miniature: FullyConnectedNet [1024, 512] on 512 whitened
inputs, Adam, batch 200, one configuration per learning rate and regularisation strength, on random
rows of the notebook's shapes (the cost of a step does not depend on the values; no dataset needed).

- sequential: a plain loop, BLAS with all its threads (how the notebooks searched before);
- 1 worker:   run_search(n_jobs=1), in this process, one BLAS thread;
- N workers:  run_search(n_jobs=N), one configuration per worker process, one BLAS thread each.

The three take turns within each round, so that a slow spell of a shared machine does not bias their
ratios; the medians over rounds are reported. The best validation accuracies of 1 and N workers are
checked to be identical.

    .venv/bin/python benchmarks/search.py [--rounds 3] [--workers 2] [--configs 4] [--epochs 1]
"""
import argparse
import time

import numpy as np
from joblib import cpu_count

from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.search import run_search
from cs231n.solver import Solver


def screen(learning_rate, reg, num_epochs, data):
    """One configuration of the screening; returns its best validation accuracy."""
    model = FullyConnectedNet([1024, 512], input_dim=data["X_train"].shape[1], reg=reg, weight_scale="he", seed=0)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": learning_rate},
                    lr_decay=0.9, num_epochs=num_epochs, batch_size=200, verbose=False, seed=0)
    solver.train()
    return solver.best_val_acc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=cpu_count())
    parser.add_argument("--configs", type=int, default=4, help="configurations in the search")
    parser.add_argument("--epochs", type=int, default=1, help="epochs of 98,000 rows per configuration")
    parser.add_argument("--rows", type=int, default=98000)
    args = parser.parse_args()
    for name in ("rounds", "workers", "configs", "epochs", "rows"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")

    rng = np.random.default_rng(0)
    data = {"X_train": rng.standard_normal((args.rows, 512), dtype=np.float32),
            "y_train": rng.integers(10, size=args.rows),
            "X_val": rng.standard_normal((1000, 512), dtype=np.float32), "y_val": rng.integers(10, size=1000)}
    grid = [(lr, reg) for lr in (3e-4, 1e-3, 3e-3) for reg in (2e-3, 5e-3, 1e-2)]
    configs = [dict(learning_rate=lr, reg=reg, num_epochs=args.epochs) for lr, reg in grid[:args.configs]]

    modes = {
        "sequential": lambda: [screen(**config, data=data) for config in configs],
        "1 worker": lambda: list(run_search(screen, configs, n_jobs=1, data=data)),
        f"{args.workers} workers": lambda: list(run_search(screen, configs, n_jobs=args.workers, data=data)),
    }
    warm_up = [dict(configs[0], num_epochs=0)] * args.workers     # starts the worker processes
    list(run_search(screen, warm_up, n_jobs=args.workers, data=data))
    times = {mode: [] for mode in modes}
    results = {}
    print(f"{len(configs)} configurations x {args.epochs} epoch(s) of {args.rows} rows, "
          f"{cpu_count()} cores, {args.rounds} rounds")
    for r in range(args.rounds):
        for mode, run in modes.items():
            start = time.perf_counter()
            results[mode] = run()
            times[mode].append(time.perf_counter() - start)
        print(f"round {r + 1}: " + ", ".join(f"{mode} {t[-1]:.1f} s" for mode, t in times.items()), flush=True)
    medians = {mode: float(np.median(t)) for mode, t in times.items()}
    sequential = medians["sequential"]
    for mode, median in medians.items():
        print(f"{mode:>12}: median {median:6.1f} s, {median / sequential:.2f} x sequential")
    if results["1 worker"] != results[f"{args.workers} workers"]:
        raise SystemExit(f"results differ between 1 and {args.workers} workers: "
                         f"{results['1 worker']} vs {results[f'{args.workers} workers']}")
    print(f"best validation accuracies identical for 1 and {args.workers} workers: {results['1 worker']}")


if __name__ == "__main__":
    main()
