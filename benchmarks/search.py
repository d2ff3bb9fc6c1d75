"""Wall time of the notebooks' hyperparameter searches, in miniature: sequential, and through
cs231n.search on 1 and on N workers.

- Problem 3's screening: TwoLayerNet, hidden 50, on 49,000 rows of 512 projected inputs, SGD, batch
  400, learning-rate decay 0.98; the notebook's 3 learning rates x 2 regularisation strengths, for
  --iterations (the notebook: 5,000).
- Problem 4's screening: FullyConnectedNet [1024, 512] on 98,000 rows of 512 whitened inputs, Adam,
  batch 200, regularisation 0.005; the notebook's 4 learning rates, for --epochs (the notebook: 2).

Both run on random rows of the notebooks' shapes: the cost of a step does not depend on the values,
and no dataset is needed.

- sequential: a plain loop, BLAS with all its threads (how the notebooks searched before);
- 1 worker:   run_search(n_jobs=1), in this process, one BLAS thread;
- N workers:  run_search(n_jobs=N), one configuration per worker process, one BLAS thread each.

The three take turns within each round, so that a slow spell of a shared machine does not bias their
ratios; the medians over rounds are reported. The results (validation accuracies) of 1 and N workers
are checked to be identical.

    .venv/bin/python benchmarks/search.py [--problem 3|4] [--rounds 3] [--workers 2] [--configs K]
        [--iterations 2000] [--epochs 1] [--rows R]
"""
import argparse
import time

import numpy as np
from joblib import cpu_count

from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.classifiers.neural_net import TwoLayerNet
from cs231n.search import run_search
from cs231n.solver import Solver


def screen_two_layer(learning_rate, reg, num_iters, data):
    """One configuration of Problem 3's screening; returns its validation accuracy."""
    np.random.seed(0)
    net = TwoLayerNet(data["X_train"].shape[1], 50, 10, std=1e-2)
    net.params = {k: v.astype(np.float32) for k, v in net.params.items()}
    net.train(data["X_train"], data["y_train"], data["X_val"], data["y_val"], learning_rate=learning_rate,
              learning_rate_decay=0.98, reg=reg, num_iters=num_iters, batch_size=400)
    return float((net.predict(data["X_val"]) == data["y_val"]).mean())


def screen_fc(learning_rate, reg, num_epochs, data):
    """One configuration of Problem 4's screening; returns its best validation accuracy."""
    model = FullyConnectedNet([1024, 512], input_dim=data["X_train"].shape[1], reg=reg, weight_scale="he", seed=0)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": learning_rate},
                    lr_decay=0.9, num_epochs=num_epochs, batch_size=200, verbose=False, seed=0)
    solver.train()
    return solver.best_val_acc


def search(problem, configs, iterations, epochs):
    """One notebook's screening in miniature: (train function, its K configurations, training rows, the
    name of the configurations' length argument and its unit)."""
    if problem == 3:
        grid = [(lr, reg) for lr in (0.03, 0.05, 0.08) for reg in (0.003, 0.01)]
        return screen_two_layer, [dict(learning_rate=lr, reg=reg, num_iters=iterations)
                                  for lr, reg in grid[:configs or len(grid)]], 49000, "num_iters", "iterations"
    rates = (3e-4, 6e-4, 1e-3, 2e-3, 3e-3, 5e-3)
    return (screen_fc, [dict(learning_rate=lr, reg=5e-3, num_epochs=epochs) for lr in rates[:configs or 4]], 98000,
            "num_epochs", "epoch(s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problem", type=int, choices=[3, 4], default=4, help="whose screening (default 4)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=cpu_count())
    parser.add_argument("--configs", type=int, help="configurations in the search, at most 6 (default: the "
                        "notebook's, 6 for Problem 3, 4 for Problem 4)")
    parser.add_argument("--iterations", type=int, default=2000, help="Problem 3: iterations per configuration")
    parser.add_argument("--epochs", type=int, default=1, help="Problem 4: epochs per configuration")
    parser.add_argument("--rows", type=int, help="training rows (default: the notebook's, 49,000 or 98,000)")
    args = parser.parse_args()
    for name in ("rounds", "workers", "configs", "iterations", "epochs", "rows"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    if args.configs is not None and args.configs > 6:
        parser.error(f"--configs must be at most 6 (the grid's size), got {args.configs}")

    train, configs, rows, length_key, length_unit = search(args.problem, args.configs, args.iterations, args.epochs)
    rows = args.rows or rows
    rng = np.random.default_rng(0)
    data = {"X_train": rng.standard_normal((rows, 512), dtype=np.float32), "y_train": rng.integers(10, size=rows),
            "X_val": rng.standard_normal((1000, 512), dtype=np.float32), "y_val": rng.integers(10, size=1000)}
    modes = {
        "sequential": lambda: [train(**config, data=data) for config in configs],
        "1 worker": lambda: list(run_search(train, configs, n_jobs=1, data=data)),
        f"{args.workers} workers": lambda: list(run_search(train, configs, n_jobs=args.workers, data=data)),
    }
    # Starts the worker processes: the first configuration with no training.
    list(run_search(train, [dict(configs[0], **{length_key: 0})] * args.workers, n_jobs=args.workers, data=data))
    times = {mode: [] for mode in modes}
    results = {}
    print(f"Problem {args.problem}'s screening: {len(configs)} configurations x {configs[0][length_key]} "
          f"{length_unit} on {rows} rows, "
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
    print(f"validation accuracies identical for 1 and {args.workers} workers: {results['1 worker']}")


if __name__ == "__main__":
    main()
