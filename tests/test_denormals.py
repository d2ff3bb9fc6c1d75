"""cs231n.denormals: flush-to-zero and denormals-are-zero around the training loops."""
import platform

import numpy as np
import pytest

from cs231n import optim
from cs231n.classifiers.neural_net import TwoLayerNet
from cs231n.denormals import denormals_are_zero
from cs231n.solver import Solver

SUPPORTED = platform.system() == "Linux" and platform.machine() == "x86_64"


def _is_subnormal(a):
    a = np.asarray(a)
    return (a != 0) & (np.abs(a) < np.finfo(a.dtype).tiny)


def _flushes():
    """Whether this thread now flushes subnormal results to zero (FTZ)."""
    tiny = np.finfo(np.float32).tiny
    half_tiny = np.array([tiny], np.float32) / 2        # subnormal unless FTZ is on
    return bool(half_tiny[0] == 0)


def test_modes_are_set_inside_and_restored_after():
    tiny32, tiny64 = np.finfo(np.float32).tiny, np.finfo(np.float64).tiny
    subnormal = np.array([tiny32 / 4], np.float32)      # made before: only DAZ can hide it
    assert not _flushes() and _is_subnormal(subnormal).all()
    with denormals_are_zero() as active:
        assert active == SUPPORTED
        if not active:
            pytest.skip("flush-to-zero is set only on Linux x86-64")
        assert _flushes()                                               # FTZ, float32
        assert (np.array([tiny64]) / 2)[0] == 0                         # FTZ, float64
        assert (subnormal * np.float32(4))[0] == 0                      # DAZ: read as zero
        # Normal weights whose products are subnormal, inside a matrix product.
        assert np.all(np.full((3, 4), 1e-30, np.float32) @ np.full((4, 2), 1e-10, np.float32) == 0)
    assert not _flushes()


def test_previous_modes_are_restored_after_an_exception_and_when_nested():
    with pytest.raises(RuntimeError):
        with denormals_are_zero():
            raise RuntimeError
    assert not _flushes()
    with denormals_are_zero() as active:
        with denormals_are_zero():
            pass
        assert _flushes() == active                     # the inner exit restores the outer state
    assert not _flushes()


@pytest.mark.skipif(not SUPPORTED, reason="flush-to-zero is set only on Linux x86-64")
@pytest.mark.parametrize("rule", ["adam", "rmsprop"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adaptive_rules_make_no_subnormals_inside(rule, dtype):
    # A weight pulled only by L2 regularisation, from just above the subnormal range: the adaptive
    # rules make subnormal weights or state of it within a few hundred steps (the control run),
    # which inside the context become zero.
    def subnormal_steps():
        w, config = np.full(4, 100 * np.finfo(dtype).tiny, dtype=dtype), {"learning_rate": 1e-3}
        found = []
        for step in range(300):
            w, config = getattr(optim, rule)(w, 5e-3 * w, config)
            arrays = [w, *(config[k] for k in ("m", "v", "cache") if k in config)]
            if any(_is_subnormal(a).any() for a in arrays):
                found.append(step)
        return found

    assert subnormal_steps()
    with denormals_are_zero():
        assert subnormal_steps() == []


def _flushing_inside_loss(model):
    """Wrap model.loss (or TwoLayerNet._loss) to record whether each call ran with flushing on."""
    seen = []
    name = "_loss" if isinstance(model, TwoLayerNet) else "loss"
    loss = getattr(model, name)

    def recording(*args, **kwargs):
        seen.append(_flushes())
        return loss(*args, **kwargs)

    setattr(model, name, recording)
    return seen


@pytest.mark.skipif(not SUPPORTED, reason="flush-to-zero is set only on Linux x86-64")
def test_training_loops_run_with_flushing_and_restore_it():
    from cs231n.classifiers.fc_net import FullyConnectedNet
    rng = np.random.default_rng(0)
    data = {"X_train": rng.standard_normal((40, 6)), "y_train": rng.integers(3, size=40),
            "X_val": rng.standard_normal((10, 6)), "y_val": rng.integers(3, size=10)}
    model = FullyConnectedNet([5], input_dim=6, num_classes=3, seed=0)
    seen = _flushing_inside_loss(model)
    Solver(model, data, update_rule="adam", num_epochs=2, batch_size=10, verbose=False, seed=0).train()
    assert seen and all(seen) and not _flushes()

    np.random.seed(0)
    net = TwoLayerNet(6, 5, 3)
    seen = _flushing_inside_loss(net)
    net.train(data["X_train"], data["y_train"], data["X_val"], data["y_val"], num_iters=5, batch_size=10)
    assert seen and all(seen) and not _flushes()
