"""Time one training step of the homework's networks next to its floor, the matrix products alone.

    .venv/bin/python benchmarks/train_step.py

A step is the forward and backward pass on one batch of 200 CIFAR-sized rows, with L2
regularisation 0.1, plus the SGD update; forward+backward alone is timed too. The floor is the time
of the same matrix products on arrays of the same shapes and dtype: per layer x @ W forward,
x^T @ dout for dW and dout @ W^T for dx (not for the first layer, whose input needs no gradient).
The ratio step / floor says how much the rest (ReLU, softmax, bias sums, the L2 term, the update,
Python) costs. Random data is enough: the time does not depend on the values. When PyTorch is
installed, the same net and batch are timed with it too (CPU, same dtype and thread count, the L2
term as SGD weight decay).
"""
import time

import numpy as np

from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.classifiers.neural_net import TwoLayerNet

BATCH, INPUT_DIM, NUM_CLASSES, REG = 200, 3 * 32 * 32, 10, 0.1


def best_times(fns, repeats=30):
    """Fastest of `repeats` runs of each function, in milliseconds (after two warm-up runs each).

    The functions take turns within every repeat, so that a slow spell of the machine (other
    processes, the hypervisor) hits all of them alike and their ratios stay meaningful.
    """
    for fn in fns:
        fn(), fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, fn_times in zip(fns, times):
            start = time.perf_counter()
            fn()
            fn_times.append(time.perf_counter() - start)
    return [1e3 * min(fn_times) for fn_times in times]


def matmul_products(dims, dtype, rng):
    """A function doing the matrix products of one step through layers of sizes dims."""
    acts = [rng.standard_normal((BATCH, d)).astype(dtype) for d in dims]
    weights = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(dims[:-1], dims[1:])]

    def products():
        for l, W in enumerate(weights):
            acts[l] @ W                      # forward
            acts[l].T @ acts[l + 1]          # dW
            if l > 0:
                acts[l + 1] @ W.T            # dx

    return products


def sgd_step(model_loss, params, X, y):
    def step():
        _, grads = model_loss(X, y)
        for k, g in grads.items():
            params[k] -= 1e-5 * g
    return step


def torch_step(dims, dtype, reg):
    """A function doing the same step in PyTorch (CPU, same thread count), or None without torch.

    The L2 term is given to SGD as weight decay on the weights (not the biases), the same gradient
    reg * W that the numpy models add."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(max(1, torch.get_num_threads()))
    tdtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    layers = []
    for a, b in zip(dims[:-1], dims[1:]):
        layers += [torch.nn.Linear(a, b, dtype=tdtype), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1])
    weights = [layer.weight for layer in net if isinstance(layer, torch.nn.Linear)]
    biases = [layer.bias for layer in net if isinstance(layer, torch.nn.Linear)]
    opt = torch.optim.SGD([{"params": weights, "weight_decay": reg}, {"params": biases}], lr=1e-5)
    X = torch.randn(BATCH, dims[0], dtype=tdtype)
    y = torch.randint(dims[-1], (BATCH,))

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X), y).backward()
        opt.step()

    return step


def report(name, dims, dtype, model_loss, params, X, y, rng):
    """One line: forward+backward time, full step time (with the SGD update), the floor, their ratios."""
    fns = [lambda: model_loss(X, y), sgd_step(model_loss, params, X, y), matmul_products(dims, dtype, rng)]
    pass_ms, step_ms, floor_ms = best_times(fns)
    line = (f"{name:40s} {np.dtype(dtype).name:8s} fwd+bwd {pass_ms:6.2f} ms ({pass_ms / floor_ms:4.2f}x)"
            f"   step {step_ms:6.2f} ms ({step_ms / floor_ms:4.2f}x)   matmul floor {floor_ms:6.2f} ms")
    # Timed on its own: PyTorch's thread pool, still spinning after a call, slows numpy's next one.
    torch_fn = torch_step(dims, dtype, REG)
    if torch_fn:
        line += f"   PyTorch {best_times([torch_fn])[0]:7.2f} ms"
    print(line)


def main():
    rng = np.random.default_rng(0)
    y = rng.integers(NUM_CLASSES, size=BATCH)
    print(f"batch {BATCH}, input {INPUT_DIM}; best of 30 runs")
    for hidden in [50, 500]:
        for dtype in [np.float64, np.float32]:
            np.random.seed(0)
            net = TwoLayerNet(INPUT_DIM, hidden, NUM_CLASSES)
            net.params = {k: v.astype(dtype) for k, v in net.params.items()}
            X = rng.standard_normal((BATCH, INPUT_DIM)).astype(dtype)
            report(f"neural_net.TwoLayerNet hidden {hidden}", [INPUT_DIM, hidden, NUM_CLASSES], dtype,
                   lambda X_, y_: net.loss(X_, y_, reg=REG), net.params, X, y, rng)
            train_ms = 1e3 * min(_time_train(net, X, y) for _ in range(3))
            print(f"{'':40s} {'':8s} train(): {train_ms:6.2f} ms per iteration, with sampling and bookkeeping")
    for hidden_dims in [[100] * 4, [512, 256]]:
        for dtype in [np.float64, np.float32]:
            model = FullyConnectedNet(hidden_dims, reg=REG, dtype=dtype, seed=0)
            X = rng.standard_normal((BATCH, INPUT_DIM)).astype(dtype)
            report(f"fc_net.FullyConnectedNet {hidden_dims}", [INPUT_DIM, *hidden_dims, NUM_CLASSES], dtype,
                   model.loss, model.params, X, y, rng)


def _time_train(net, X, y, iterations=50):
    """Seconds per iteration of TwoLayerNet.train on a 4000-row training set built from X."""
    X_train = np.tile(X, (20, 1))
    y_train = np.tile(y, 20)
    start = time.perf_counter()
    net.train(X_train, y_train, X[:100], y[:100], learning_rate=1e-5, num_iters=iterations, batch_size=BATCH)
    return (time.perf_counter() - start) / iterations


if __name__ == "__main__":
    main()
