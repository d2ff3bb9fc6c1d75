"""Time one SGD training step of the homework's networks against PyTorch CPU and the matrix-product floor.

    .venv/bin/python benchmarks/train_step.py [--torch-python /tmp/torch-env/bin/python] [--rounds 3] [--threads N]

A step is what a training loop does per minibatch: forward and backward pass on a batch of 200
CIFAR-sized rows (3072 values) with L2 regularisation reg = 0.1, then the SGD update of every
parameter (cs231n.optim.sgd, as the Solver and TwoLayerNet.train apply it). Nets: Problem 3's
neural_net.TwoLayerNet at hidden 50 and 500, and FullyConnectedNet [100]*4 and [512, 256]; each in
float32 (the dtype training uses) and float64 (the one gradient checks use).

The floor is the time of the step's matrix products alone, on arrays of the same shapes, layout and
dtype: per layer x @ W forward, x^T @ dout for dW and dout @ W^T for dx (not for the first layer,
whose input needs no gradient); for the TwoLayerNet, whose weights are (out, in), x @ W^T and
dout @ W, and dout^T @ x for the first layer's dW. ours / floor says what the rest (ReLU, softmax,
bias sums, the L2 term, the update, Python) costs; PyTorch / floor puts PyTorch's whole step against
the same (OpenBLAS) floor. Step and floor take turns within each repeat, so that a slow spell of the
machine hits both alike.

PyTorch (optional, from another interpreter, e.g. a venv with torch and numpy) runs the same net,
batch and dtype with the same number of threads as numpy's OpenBLAS, the L2 term given to
torch.optim.SGD as weight decay on the weights (the same gradient reg * W; PyTorch does not compute
the loss term 0.5 * reg * ||W||^2, ours does). numpy and PyTorch run in separate processes: in one
process, PyTorch's OpenMP threads spin after each op and take the cores from OpenBLAS. The two
alternate over rounds, a fresh process each; the table shows medians over rounds of per-round
medians. Random data is enough: the time does not depend on the values.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

BATCH, INPUT_DIM, NUM_CLASSES, REG, LEARNING_RATE = 200, 3 * 32 * 32, 10, 0.1, 1e-5
# (label, hidden sizes, whether the net is Problem 3's TwoLayerNet); the 4 nets x 2 dtypes = 8 rows.
NETS = [("TwoLayerNet hidden 50", [50], True), ("TwoLayerNet hidden 500", [500], True),
        ("FullyConnectedNet [100]*4", [100] * 4, False), ("FullyConnectedNet [512, 256]", [512, 256], False)]
DTYPES = ["float32", "float64"]


def median_times(fns, repeats):
    """Median of `repeats` timed calls of each function, in ms; the functions take turns per repeat."""
    for fn in fns:
        fn(), fn(), fn()   # warm-up: first-touch page faults, BLAS buffers, caches
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, fn_times in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            fn_times.append(time.perf_counter() - start)
    return [1e3 * statistics.median(t) for t in times]


def matmul_products(dims, dtype, rng, out_by_in=False):
    """A function doing the matrix products of one step through layers of sizes dims.

    out_by_in: weights held (out, in), as Problem 3's TwoLayerNet holds them (the handout's layout,
    also PyTorch's), so that the products are x @ W^T, dout @ W and, as the net computes them,
    dout^T @ x for the first layer's dW (in W's layout) and x^T @ dout for the others' (through
    affine_backward); else (in, out), as FullyConnectedNet holds them: x @ W, x^T @ dout, dout @ W^T.
    """
    acts = [rng.standard_normal((BATCH, d)).astype(dtype) for d in dims]
    shapes = zip(dims[1:], dims[:-1], strict=True) if out_by_in else zip(dims[:-1], dims[1:], strict=True)
    weights = [rng.standard_normal(shape).astype(dtype) for shape in shapes]

    def products():
        for i, W in enumerate(weights):
            x, dout = acts[i], acts[i + 1]
            x @ (W.T if out_by_in else W)                # forward
            if out_by_in and i == 0:                     # dW
                dout.T @ x
            else:
                x.T @ dout
            if i > 0:                                    # dx
                dout @ (W if out_by_in else W.T)

    return products


def numpy_step(hidden, two_layer, dtype, rng):
    """A function doing one SGD step of our net (loss, gradients, cs231n.optim.sgd on every parameter)."""
    from cs231n.classifiers.fc_net import FullyConnectedNet
    from cs231n.classifiers.neural_net import TwoLayerNet
    from cs231n.optim import sgd

    X = rng.standard_normal((BATCH, INPUT_DIM)).astype(dtype)
    y = rng.integers(NUM_CLASSES, size=BATCH)
    if two_layer:
        np.random.seed(0)
        model = TwoLayerNet(INPUT_DIM, hidden[0], NUM_CLASSES, std=1e-2)
        model.params = {k: v.astype(dtype) for k, v in model.params.items()}
        loss_fn = lambda: model.loss(X, y, reg=REG)   # noqa: E731
    else:
        model = FullyConnectedNet(hidden, reg=REG, weight_scale="he", dtype=dtype, seed=0)
        loss_fn = lambda: model.loss(X, y)   # noqa: E731
    configs = {p: {"learning_rate": LEARNING_RATE} for p in model.params}

    def step():
        _, grads = loss_fn()
        for p, w in model.params.items():
            model.params[p], configs[p] = sgd(w, grads[p], configs[p])

    return step


def torch_step(torch, hidden, dtype):
    """A function doing the same step in PyTorch: Linear-ReLU layers, cross-entropy, SGD with weight decay."""
    tdtype = getattr(torch, dtype)
    dims = [INPUT_DIM, *hidden, NUM_CLASSES]
    layers = []
    for a, b in zip(dims[:-1], dims[1:], strict=True):
        layers += [torch.nn.Linear(a, b, dtype=tdtype), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1])
    linears = [layer for layer in net if isinstance(layer, torch.nn.Linear)]
    opt = torch.optim.SGD([{"params": [m.weight for m in linears], "weight_decay": REG},
                           {"params": [m.bias for m in linears]}], lr=LEARNING_RATE)
    X = torch.randn(BATCH, INPUT_DIM, dtype=tdtype)
    y = torch.randint(NUM_CLASSES, (BATCH,))

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X), y).backward()
        opt.step()

    return step


def worker(kind, repeats, threads):
    """Run in a child process: time every (net, dtype) case; print a JSON dict case -> timings (ms)."""
    results = {}
    if kind == "numpy":
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads, user_api="blas")
        rng = np.random.default_rng(0)
        for label, hidden, two_layer in NETS:
            for dtype in DTYPES:
                dims = [INPUT_DIM, *hidden, NUM_CLASSES]
                fns = [numpy_step(hidden, two_layer, dtype, rng), matmul_products(dims, dtype, rng, two_layer)]
                step_ms, floor_ms = median_times(fns, repeats)
                results[f"{label}|{dtype}"] = {"ours": step_ms, "floor": floor_ms}
    else:
        import torch
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        for label, hidden, _ in NETS:
            for dtype in DTYPES:
                results[f"{label}|{dtype}"] = {"torch": median_times([torch_step(torch, hidden, dtype)], repeats)[0]}
        results["_torch_version"] = torch.__version__
    print(json.dumps(results))


def run_worker(python, kind, repeats, threads):
    cmd = [python, os.path.abspath(__file__), "--worker", kind, "--repeats", str(repeats), "--threads", str(threads)]
    env = dict(os.environ)
    # The PyTorch interpreter need not have cs231n installed; the numpy worker finds it from the checkout.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                      env.get("PYTHONPATH")]))
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker ({python}) failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def blas_description():
    """(description, threads): numpy's OpenBLAS version, kernels and threads, and its thread count.

    When numpy's OpenBLAS is not identified (another BLAS), the description says so and the thread
    count is taken to be the number of cores.
    """
    from cs231n.blas import numpy_blas_name, numpy_openblas
    info = numpy_openblas()
    if info is None:
        return (f"BLAS {numpy_blas_name() or '(unnamed)'}, not identified as numpy's OpenBLAS; threads taken to be "
                "the cores"), os.cpu_count() or 1
    return (f"openblas {info['version'] or '(version not reported)'}, kernel "
            f"{info['architecture'] or '(not reported)'}, {info['num_threads']} threads"), info["num_threads"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--torch-python", help="a Python interpreter with torch and numpy, for the PyTorch column")
    parser.add_argument("--rounds", type=int, default=3, help="alternating numpy/PyTorch rounds (default 3)")
    parser.add_argument("--repeats", type=int, default=25, help="timed steps per case and round (default 25)")
    parser.add_argument("--worker", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help="BLAS threads for numpy and threads for PyTorch (default: numpy's "
                        "OpenBLAS default, the number of cores); 1 gives steadier figures on a busy machine")
    args = parser.parse_args()
    if args.rounds < 1 or args.repeats < 1 or (args.threads is not None and args.threads < 1):
        parser.error("--rounds, --repeats and --threads must be at least 1")
    if args.worker:
        return worker(args.worker, args.repeats, args.threads)
    if args.torch_python and not os.path.exists(args.torch_python):
        parser.error(f"--torch-python {args.torch_python} does not exist; give the path of a Python with torch")

    blas, default_threads = blas_description()
    threads = args.threads or default_threads
    print(f"numpy {np.__version__}, {blas} by default, {threads} used; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(not set)')}")
    runs = {"numpy": [], "torch": []}
    for r in range(args.rounds):
        runs["numpy"].append(run_worker(sys.executable, "numpy", args.repeats, threads))
        if args.torch_python:
            runs["torch"].append(run_worker(args.torch_python, "torch", args.repeats, threads))
        print(f"round {r + 1} / {args.rounds} done", file=sys.stderr)
    if runs["torch"]:
        print(f"PyTorch {runs['torch'][0]['_torch_version']} CPU, {threads} threads, in its own processes")
    print(f"batch {BATCH}, input {INPUT_DIM}, reg {REG}; medians over {args.rounds} alternating rounds "
          f"of the medians of {args.repeats} steps\n")

    def med(kind, case, key):
        return statistics.median(run[case][key] for run in runs[kind])

    header = (f"{'net':30s} {'dtype':8s} {'ours':>9s} {'PyTorch':>9s} {'ours/PyTorch':>12s} {'floor':>9s} "
              f"{'ours/floor':>10s} {'PyTorch/floor':>13s}")
    print(header + "\n" + "-" * len(header))
    for label, _, _ in NETS:
        for dtype in DTYPES:
            case = f"{label}|{dtype}"
            ours, floor = med("numpy", case, "ours"), med("numpy", case, "floor")
            if runs["torch"]:
                torch_ms = med("torch", case, "torch")
                torch_cols = f"{torch_ms:6.2f} ms {ours / torch_ms:11.2f}x"
                torch_floor = f"{torch_ms / floor:12.2f}x"
            else:
                torch_cols, torch_floor = f"{'-':>9s} {'-':>12s}", f"{'-':>13s}"
            print(f"{label:30s} {dtype:8s} {ours:6.2f} ms {torch_cols} {floor:6.2f} ms {ours / floor:9.2f}x "
                  f"{torch_floor}")


if __name__ == "__main__":
    main()
