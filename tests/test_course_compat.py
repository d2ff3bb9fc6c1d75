"""The course's own notebooks (UCLA HW3, CS231n 2017-2019) run against cs231n unchanged (issue 11).

Each test writes its code the way those notebooks do, so that a change that breaks them fails here.
"""
import contextlib
import importlib
import inspect
import io
import re

import numpy as np
import pytest

import cs231n.layer_utils
import cs231n.layers
from cs231n.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
from cs231n.solver import Solver


def _star_import(module_name):
    namespace = {}
    exec(f"from {module_name} import *", namespace)   # the notebooks' own first line
    return namespace


def _public_functions(module):
    return {name for name, f in inspect.getmembers(module, inspect.isfunction)
            if f.__module__ == module.__name__ and not name.startswith("_")}


def test_star_import_of_fc_net_provides_every_layer_and_sandwich():
    namespace = _star_import("cs231n.classifiers.fc_net")
    expected = _public_functions(cs231n.layers) | _public_functions(cs231n.layer_utils)
    assert {"relu_forward", "relu_backward", "svm_loss", "affine_relu_forward"} <= expected
    for name in expected:
        module = cs231n.layer_utils if name in _public_functions(cs231n.layer_utils) else cs231n.layers
        assert namespace[name] is getattr(module, name), name
    assert namespace["FullyConnectedNet"] is FullyConnectedNet and namespace["TwoLayerNet"] is TwoLayerNet
    # __all__ is explicit: no numpy, no private helpers leak into the notebook's namespace.
    assert "np" not in namespace and not any(name.startswith("_") for name in namespace if name != "__builtins__")


def test_star_imported_layers_pass_the_notebooks_checks():
    ns = _star_import("cs231n.classifiers.fc_net")
    # The notebooks' relu_forward check, against their reference output.
    out, _ = ns["relu_forward"](np.linspace(-0.5, 0.5, num=12).reshape(3, 4))
    correct_out = np.array([[0., 0., 0., 0.], [0., 0., 0.04545455, 0.13636364],
                            [0.22727273, 0.31818182, 0.40909091, 0.5]])
    assert np.max(np.abs(out - correct_out)) < 1e-8
    # The notebooks' svm_loss check ("loss should be around 9"), against a loop over examples.
    rng = np.random.default_rng(0)
    scores, y = 1e-3 * rng.standard_normal((50, 10)), rng.integers(10, size=50)
    loss, _ = ns["svm_loss"](scores, y)
    by_hand = np.mean([sum(max(0.0, s[j] - s[c] + 1) for j in range(10) if j != c)
                       for s, c in zip(scores, y, strict=True)])
    assert abs(loss - by_hand) < 1e-12 and abs(loss - 9) < 0.05


@pytest.mark.parametrize("module_name, name", [
    ("cs231n.layers", "dropout_forward"), ("cs231n.layers", "batchnorm_forward"),
    ("cs231n.layers", "batchnorm_backward_alt"), ("cs231n.layers", "layernorm_backward"),
    ("cs231n.layers", "conv_forward_naive"), ("cs231n.layers", "max_pool_backward_naive"),
    ("cs231n.layers", "spatial_groupnorm_forward"), ("cs231n.layer_utils", "conv_relu_pool_forward")])
def test_importing_a_later_assignments_layer_says_so(module_name, name):
    with pytest.raises(ImportError, match=rf"{name} \(.*\) is not part of this homework: it belongs to a later "
                                          "assignment"):
        exec(f"from {module_name} import {name}", {})
    with pytest.raises(ImportError, match="not part of this homework"):
        exec(f"from {module_name} import (relu_forward,\n    {name})", {})
    module = importlib.import_module(module_name)
    # Attribute access keeps Python's protocol: hasattr is False, getattr with a default returns it.
    assert not hasattr(module, name)
    assert getattr(module, name, "default") == "default"
    with pytest.raises(AttributeError, match="not part of this homework"):
        getattr(module, name)


def test_other_unknown_names_keep_pythons_own_errors():
    with pytest.raises(ImportError, match=r"cannot import name 'relu_fwd' from 'cs231n.layers'"):
        exec("from cs231n.layers import relu_fwd", {})
    with pytest.raises(AttributeError, match=r"module 'cs231n.layer_utils' has no attribute 'affine_relu'$"):
        cs231n.layer_utils.affine_relu  # noqa: B018


def test_two_layer_net_takes_either_spelling_of_the_hidden_size():
    for kwargs in [dict(hidden_dim=13), dict(hidden_dims=13)]:
        model = TwoLayerNet(input_dim=5, num_classes=7, **kwargs)
        assert model.params["W1"].shape == (5, 13) and model.params["W2"].shape == (13, 7)
    assert TwoLayerNet(input_dim=5).params["b1"].shape == (100,)   # both courses' default
    with pytest.raises(ValueError, match="give the hidden size once, as hidden_dims or hidden_dim"):
        TwoLayerNet(hidden_dims=13, hidden_dim=13)
    for bad in [[13], 0, 2.5, True]:
        with pytest.raises(ValueError, match="hidden size must be an integer of at least 1, got"):
            TwoLayerNet(hidden_dim=bad)


def test_two_layer_net_hidden_dim_reproduces_cs231n_reference_values():
    # CS231n's FullyConnectedNets cell, spelled hidden_dim: same numbers as with UCLA's hidden_dims.
    np.random.seed(231)
    N, D, H, C = 3, 5, 50, 7
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-2)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    # Independent forward pass: ReLU hidden layer, then scores; then the softmax loss by hand.
    hidden = np.maximum(X @ model.params["W1"] + model.params["b1"], 0)
    scores = hidden @ model.params["W2"] + model.params["b2"]
    assert np.allclose(model.loss(X), scores, rtol=1e-12, atol=0)
    y = np.array([0, 5, 1])
    expected = np.mean(np.log(np.exp(scores).sum(axis=1)) - scores[np.arange(N), y])
    assert abs(model.loss(X, y)[0] - 3.4702243556) < 1e-10 and abs(expected - 3.4702243556) < 1e-10


@pytest.mark.parametrize("off", [
    dict(dropout=0), dict(dropout=1), dict(dropout=0.0), dict(dropout=1.0), dict(use_batchnorm=False),
    dict(normalization=None), dict(dropout_keep_ratio=1), dict(dropout=1, normalization=None),
    dict(dropout=0, use_batchnorm=False)])
def test_every_course_versions_off_setting_is_accepted_as_off(off):
    plain = FullyConnectedNet([6, 4], input_dim=5, num_classes=3, dtype=np.float64, seed=0)
    model = FullyConnectedNet([6, 4], input_dim=5, num_classes=3, dtype=np.float64, seed=0, **off)
    X, y = np.random.default_rng(1).standard_normal((4, 5)), np.array([0, 2, 1, 2])
    assert model.loss(X, y)[0] == plain.loss(X, y)[0]


@pytest.mark.parametrize("on, message", [
    (dict(dropout=0.5), r"dropout is not part of this homework .*got dropout=0.5"),
    (dict(dropout=0.25), r"dropout is not part of this homework .*got dropout=0.25"),
    (dict(dropout_keep_ratio=0.5), r"dropout is not part of this homework .*got dropout_keep_ratio=0.5"),
    (dict(use_batchnorm=True), r"batch normalisation is not part of this homework .*use_batchnorm=True"),
    (dict(normalization="batchnorm"), r"batch normalisation is not part of this homework .*'batchnorm'"),
    (dict(normalization="layernorm"), r"layer normalisation is not part of this homework .*'layernorm'")])
def test_asking_for_dropout_or_normalisation_is_refused(on, message):
    with pytest.raises(NotImplementedError, match=message):
        FullyConnectedNet([10], **on)
    if "dropout" in on:   # UCLA's TwoLayerNet takes dropout too
        with pytest.raises(NotImplementedError, match=message):
            TwoLayerNet(hidden_dim=10, **on)


@pytest.mark.parametrize("bad, message", [
    (dict(dropout=1.5), r"dropout must be a probability in \[0, 1\], got 1.5"),
    (dict(dropout=-0.1), r"dropout must be a probability in \[0, 1\], got -0.1"),
    (dict(dropout="0.5"), r"dropout must be a probability in \[0, 1\], got '0.5'"),
    (dict(dropout_keep_ratio=2), r"dropout_keep_ratio must be a probability in \[0, 1\], got 2"),
    (dict(normalization="groupnorm"), r"normalization must be None, 'batchnorm' or 'layernorm', got 'groupnorm'")])
def test_meaningless_switch_values_are_value_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        FullyConnectedNet([10], **bad)


def _solver_log(**solver_kwargs):
    rng = np.random.default_rng(0)
    data = {"X_train": rng.standard_normal((40, 6)), "y_train": rng.integers(3, size=40),
            "X_val": rng.standard_normal((10, 6)), "y_val": rng.integers(3, size=10)}
    model = TwoLayerNet(input_dim=6, hidden_dim=8, num_classes=3, weight_scale=0.1)
    solver = Solver(model, data, num_epochs=2, batch_size=10, print_every=3, seed=0,
                    optim_config={"learning_rate": 1e-2}, **solver_kwargs)
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        solver.train()
    return solver, log.getvalue().splitlines()


def test_solver_log_lines_have_the_course_solvers_format():
    solver, lines = _solver_log()
    # The course Solver: '(Iteration %d / %d) loss: %f' every print_every iterations from the first,
    # '(Epoch %d / %d) train acc: %f; val_acc: %f' after the first update and after each epoch, in
    # this order (4 iterations per epoch): iteration 1, epoch 0, iteration 4, epoch 1, iteration 7, epoch 2.
    iteration = ["(Iteration %d / %d) loss: %f" % (t + 1, 8, solver.loss_history[t]) for t in (0, 3, 6)]
    accuracies = zip(solver.train_acc_history, solver.val_acc_history, strict=True)
    epoch = ["(Epoch %d / %d) train acc: %f; val_acc: %f" % (e, 2, tr, va) for e, (tr, va) in enumerate(accuracies)]
    assert lines == [iteration[0], epoch[0], iteration[1], epoch[1], iteration[2], epoch[2]]
    assert all(re.fullmatch(r"\(Epoch \d+ / 2\) train acc: \d\.\d{6}; val_acc: \d\.\d{6}", line)
               for line in epoch)
    assert _solver_log(verbose=False)[1] == []
