"""cs231n.solver.Solver: training, reproducibility, best-parameter restore, checkpoints, errors."""
import copy
import json
import os
import pathlib
import pickle
import zipfile

import numpy as np
import pytest

from conftest import Payload
from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.solver import Solver


def small_data(seed=0, n=200, d=20, c=3):
    """Separable blobs: a task a small net learns in a few epochs."""
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((c, d))
    y = rng.integers(c, size=n)
    X = centres[y] + rng.standard_normal((n, d))
    return {"X_train": X[:150], "y_train": y[:150], "X_val": X[150:], "y_val": y[150:]}


def make_solver(data, **kwargs):
    model = FullyConnectedNet([16], input_dim=20, num_classes=3, dtype=np.float64, seed=0)
    options = dict(update_rule="sgd", optim_config={"learning_rate": 0.05}, num_epochs=4, batch_size=25,
                   verbose=False, seed=1)
    options.update(kwargs)
    return Solver(model, data, **options)


def test_training_learns_and_records_histories():
    solver = make_solver(small_data())
    solver.train()
    assert len(solver.loss_history) == 4 * (150 // 25)
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 5  # start + each epoch
    assert solver.best_val_acc >= 0.9 and solver.loss_history[-1] < solver.loss_history[0]


def test_every_parameters_learning_rate_decays_once_per_epoch():
    solver = make_solver(small_data(), lr_decay=0.5)
    solver.train()
    assert len(solver.optim_configs) == 4
    for name, config in solver.optim_configs.items():
        assert config["learning_rate"] == pytest.approx(0.05 * 0.5 ** 4, rel=1e-12), name


def test_accuracy_checks_on_a_subsample_score_the_rows_drawn_with_their_labels():
    solver = make_solver(small_data(), num_train_samples=30, num_val_samples=20)
    solver.train()
    assert solver.train_acc_history[-1] >= 0.9 and solver.val_acc_history[-1] >= 0.9
    # The same draw by hand, from a copy of the solver's generator.
    X, y = solver.X_train, solver.y_train
    subset = copy.deepcopy(solver.rng).choice(len(X), 30)
    expected = np.mean(np.argmax(solver.model.loss(X[subset]), axis=1) == y[subset])
    assert solver.check_accuracy(X, y, num_samples=30) == expected


def test_the_same_seed_gives_the_same_run():
    a, b = make_solver(small_data()), make_solver(small_data())
    a.train()
    b.train()
    assert a.loss_history == b.loss_history
    assert all(np.array_equal(a.model.params[k], b.model.params[k]) for k in a.model.params)


def test_best_parameters_are_restored_into_the_model():
    solver = make_solver(small_data())
    solver.train()
    assert all(np.array_equal(solver.model.params[k], solver.best_params[k]) for k in solver.best_params)
    assert solver.check_accuracy(solver.X_val, solver.y_val) == solver.best_val_acc


@pytest.mark.parametrize("rule", ["sgd", "adam"])
def test_checkpoints_are_written_and_resume_the_same_run(tmp_path, rule):
    data = small_data()
    config = {"learning_rate": 0.05 if rule == "sgd" else 1e-2}
    full = make_solver(data, update_rule=rule, optim_config=config, lr_decay=0.9,
                       checkpoint_name=str(tmp_path / "full"))
    full.train()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"full_epoch_{k}.npz" for k in range(1, 5)]
    resumed = make_solver(data, seed=99)
    resumed.load_checkpoint(tmp_path / "full_epoch_2.npz")
    assert resumed.epoch == 2 and resumed.update_rule == rule
    resumed.train()
    assert resumed.loss_history == full.loss_history
    assert resumed.val_acc_history == full.val_acc_history
    assert all(np.array_equal(resumed.model.params[k], full.model.params[k]) for k in full.model.params)


def test_a_checkpoint_keeps_numpy_scalars_of_the_configuration(tmp_path):
    # JSON has no numpy scalars (np.float64 is a float, np.float32 and np.int64 are not). The Solver
    # takes them as the Python numbers they equal, so that a float32 rate decays in the same
    # arithmetic before a checkpoint and after it, and the resumed run repeats the full one.
    data = small_data()
    full = make_solver(data, optim_config={"learning_rate": np.float32(0.05)}, lr_decay=np.float32(0.9),
                       num_epochs=3, batch_size=np.int64(25), checkpoint_name=str(tmp_path / "run"))
    full.train()
    resumed = make_solver(data, num_epochs=3)
    resumed.load_checkpoint(tmp_path / "run_epoch_1.npz")
    assert resumed.batch_size == 25 and type(resumed.batch_size) is int
    resumed.train()
    assert resumed.optim_configs["W1"]["learning_rate"] == full.optim_configs["W1"]["learning_rate"]
    assert resumed.loss_history == full.loss_history
    assert all(np.array_equal(resumed.model.params[k], full.model.params[k]) for k in full.model.params)


def test_ties_keep_the_first_best_parameters(monkeypatch):
    # Every check scores 0.5: the parameters of the first check (after the first update) are kept.
    solver = make_solver(small_data())
    seen = []

    def constant_accuracy(X, y, num_samples=None, batch_size=100):
        seen.append({k: v.copy() for k, v in solver.model.params.items()})
        return 0.5

    monkeypatch.setattr(solver, "check_accuracy", constant_accuracy)
    solver.train()
    assert len(seen) == 2 * 5     # train and validation, at the first update and after 4 epochs
    assert all(np.array_equal(solver.model.params[k], seen[1][k]) for k in seen[1])
    assert not np.array_equal(seen[1]["W1"], seen[-1]["W1"])


def test_checkpoint_holds_arrays_and_json_only(tmp_path):
    solver = make_solver(small_data(), update_rule="adam", optim_config={"learning_rate": 1e-2}, num_epochs=1,
                         checkpoint_name=str(tmp_path / "run"))
    solver.train()
    with np.load(tmp_path / "run_epoch_1.npz", allow_pickle=False) as npz:
        files = set(npz.files)
        meta = json.loads(npz["meta"].item())
        W1 = npz["optim/W1/m"]
    names = set(solver.model.params)
    assert files == {"meta"} | {f"{group}/{k}" for group in ("param", "best") for k in names} | {
        f"optim/{k}/{key}" for k in names for key in ("m", "v")}
    assert meta["format"] == "cs231n.solver.checkpoint/1" and meta["epoch"] == 1
    assert meta["optim_scalars"]["W1"]["t"] == 150 // 25 and meta["loss_history"] == solver.loss_history
    assert meta["rng_state"]["bit_generator"] == "PCG64"
    np.testing.assert_array_equal(W1, solver.optim_configs["W1"]["m"])


def test_failed_checkpoint_write_leaves_nothing_behind(tmp_path, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(np, "savez", full_disk)
    solver = make_solver(small_data(), num_epochs=1, checkpoint_name=str(tmp_path / "run"))
    with pytest.raises(OSError, match="No space left"):
        solver.train()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["evil_epoch_1.pkl", "evil_epoch_1.npz"])
def test_pickled_checkpoint_is_refused_without_being_unpickled(tmp_path, name):
    marker = tmp_path / "MARKER"
    payload = pickle.dumps({"params": Payload(os.system, f"touch '{marker}'"), "epoch": 1}, protocol=4)
    pickle.loads(payload)   # control: plain pickle does run it
    assert marker.exists()
    marker.unlink()
    (tmp_path / name).write_bytes(payload)
    solver = make_solver(small_data())
    before = {k: v.copy() for k, v in solver.model.params.items()}
    with pytest.raises(ValueError) as err:
        solver.load_checkpoint(tmp_path / name)
    message = str(err.value)
    assert str(tmp_path / name) in message and "not a Solver checkpoint" in message
    assert "a pickle (an old .pkl checkpoint?)" in message and "can run code" in message
    assert not marker.exists()
    assert all(np.array_equal(solver.model.params[k], before[k]) for k in before) and solver.epoch == 0


def test_npz_holding_a_pickled_object_array_is_refused_without_being_unpickled(tmp_path):
    marker = tmp_path / "MARKER"
    trained = make_solver(small_data(), num_epochs=1, checkpoint_name=str(tmp_path / "run"))
    trained.train()
    with np.load(tmp_path / "run_epoch_1.npz") as npz:
        entries = dict(npz)
    entries["param/W1"] = np.array([Payload(pathlib.Path.touch, marker)], dtype=object)
    np.savez(tmp_path / "evil.npz", **entries)   # np.savez pickles object arrays
    with pytest.raises(ValueError) as err:
        make_solver(small_data()).load_checkpoint(tmp_path / "evil.npz")
    assert str(tmp_path / "evil.npz") in str(err.value) and "allow_pickle=False" in str(err.value)
    assert not marker.exists()


def test_truncated_checkpoint_is_refused(tmp_path):
    solver = make_solver(small_data(), num_epochs=1, checkpoint_name=str(tmp_path / "run"))
    solver.train()
    whole = (tmp_path / "run_epoch_1.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError) as err:
        make_solver(small_data()).load_checkpoint(tmp_path / "cut.npz")
    assert str(tmp_path / "cut.npz") in str(err.value) and "the file is truncated, corrupt" in str(err.value)


def test_checkpoint_from_another_model_is_refused(tmp_path):
    solver = make_solver(small_data(), num_epochs=1, checkpoint_name=str(tmp_path / "run"))
    solver.train()
    other = Solver(FullyConnectedNet([32], input_dim=20, num_classes=3, dtype=np.float64, seed=0), small_data(),
                   verbose=False)
    before = {k: v.copy() for k, v in other.model.params.items()}
    with pytest.raises(ValueError) as err:
        other.load_checkpoint(tmp_path / "run_epoch_1.npz")
    message = str(err.value)
    assert "run_epoch_1.npz: checkpoint from another model" in message
    assert "W1 (20, 16) float64" in message and "W1 (20, 32) float64" in message
    assert all(np.array_equal(other.model.params[k], before[k]) for k in before) and other.epoch == 0


def test_npz_that_is_not_a_checkpoint_is_refused(tmp_path):
    np.savez(tmp_path / "weights.npz", W1=np.zeros((20, 16)))
    with pytest.raises(ValueError, match=r"weights\.npz: not a Solver checkpoint: expected format "
                                         r"'cs231n\.solver\.checkpoint/1' in its 'meta' entry, found None"):
        make_solver(small_data()).load_checkpoint(tmp_path / "weights.npz")
    with zipfile.ZipFile(tmp_path / "notes.zip", "w") as z:
        z.writestr("meta.txt", "hello")
    with pytest.raises(ValueError, match=r"notes\.zip: not a Solver checkpoint: a zip file with members that are not"):
        make_solver(small_data()).load_checkpoint(tmp_path / "notes.zip")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"notes\.txt: not a Solver checkpoint: the file is not an \.npz file"):
        make_solver(small_data()).load_checkpoint(tmp_path / "notes.txt")


def test_non_finite_loss_stops_training_and_keeps_the_best_parameters():
    solver = make_solver(small_data(), optim_config={"learning_rate": 1e9})
    with pytest.raises(ValueError, match="loss became .* lower the learning rate"), np.errstate(all="ignore"):
        solver.train()
    assert all(np.all(np.isfinite(v)) for v in solver.model.params.values())
    assert all(np.array_equal(solver.model.params[k], solver.best_params[k]) for k in solver.best_params)


def test_a_loss_that_fails_at_the_first_step_leaves_the_model_as_it_started():
    solver = make_solver(small_data(), optim_config={"learning_rate": 0.05}, lr_decay=0.5)
    solver.model.params["W1"][0, 0] = np.nan   # so that the very first loss is NaN
    start = {k: v.copy() for k, v in solver.model.params.items()}
    with pytest.raises(ValueError, match=r"iteration 1 \(update rule sgd, learning rate 0.05\).*No update was "
                                         r"made, so the model keeps the parameters it started with"):
        solver.train()
    assert solver.model.params.keys() == start.keys()
    assert all(np.array_equal(solver.model.params[k], start[k], equal_nan=True) for k in start)


def test_the_message_of_a_failed_step_gives_the_rate_in_use():
    # The rule's default (sgd: 1e-2) when none was given, halved by lr_decay after each of 3 epochs.
    solver = make_solver(small_data(), optim_config={}, lr_decay=0.5, num_epochs=3)
    solver.train()
    solver.num_epochs = 4
    solver.model.params["b2"][:] = np.inf
    with pytest.raises(ValueError, match=r"learning rate 0.00125\)"), np.errstate(all="ignore"):
        solver.train()


def test_training_for_no_epochs_keeps_the_model():
    solver = make_solver(small_data(), num_epochs=0)
    start = {k: v.copy() for k, v in solver.model.params.items()}
    solver.train()
    assert solver.loss_history == [] and solver.best_params == {}
    assert solver.model.params.keys() == start.keys()
    assert all(np.array_equal(solver.model.params[k], start[k]) for k in start)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match=r"unknown Solver argument\(s\) \['learning_rate'\]"):
        make_solver(small_data(), learning_rate=1e-3)
    with pytest.raises(ValueError, match="unknown update rule 'adagrad'"):
        make_solver(small_data(), update_rule="adagrad")
    with pytest.raises(ValueError, match=r"adam: unknown config key\(s\) \['beta_1'\]"):   # before training
        make_solver(small_data(), update_rule="adam", optim_config={"learning_rate": 1e-3, "beta_1": 0.5})
    with pytest.raises(ValueError, match="missing"):
        make_solver({"X_train": np.zeros((2, 20)), "y_train": np.zeros(2, int)})
    with pytest.raises(ValueError, match=r"X and y differ in length: X_train \(150, 20\), y_train \(149,\)"):
        make_solver(dict(small_data(), y_train=small_data()["y_train"][:-1]))
    with pytest.raises(ValueError, match="X_val hold no examples.*both need at least one"):
        make_solver(dict(small_data(), X_val=np.zeros((0, 20)), y_val=np.zeros(0, int)))
    solver = make_solver(small_data())
    with pytest.raises(ValueError, match=r"check_accuracy needs at least one example, got X of shape \(0, 20\)"):
        solver.check_accuracy(np.zeros((0, 20)), np.zeros(0, int))
    with pytest.raises(ValueError, match="batch_size must be an integer of at least 1, got 0"):
        solver.check_accuracy(solver.X_val, solver.y_val, batch_size=0)


@pytest.mark.parametrize("option, value, message", [
    ("batch_size", 0, "batch_size must be an integer of at least 1, got 0"),
    ("batch_size", 2.5, "batch_size must be an integer of at least 1, got 2.5"),
    ("num_epochs", -1, "num_epochs must be an integer of at least 0, got -1"),
    ("print_every", 0, "print_every must be an integer of at least 1, got 0"),
    ("num_train_samples", True, r"num_train_samples must be an integer of at least 1 \(or None: every"),
    ("num_val_samples", 0, "num_val_samples must be an integer of at least 1"),
    ("lr_decay", "0.9", "lr_decay, the factor of the learning rate after each epoch, must be a positive number"),
    ("lr_decay", float("nan"), "must be a positive number"),
    ("lr_decay", float("inf"), "must be a positive number"),
])
def test_bad_numeric_options_are_refused_by_name(option, value, message):
    with pytest.raises(ValueError, match=message):
        make_solver(small_data(), **{option: value})


@pytest.mark.parametrize("name", ["no_such_folder/run", "no_such_folder/"])
def test_a_checkpoint_folder_that_does_not_exist_is_refused_before_training(tmp_path, name):
    missing = tmp_path / "no_such_folder"
    with pytest.raises(ValueError, match=f"the folder {missing} does not exist; create it"):
        make_solver(small_data(), checkpoint_name=f"{tmp_path}/{name}")
    assert not missing.exists()


@pytest.mark.parametrize("rule, default", [("sgd", "0.01"), ("adam", "0.001")])
def test_the_message_of_a_first_step_without_a_given_rate_gives_the_rules_default(rule, default):
    solver = make_solver(small_data(), update_rule=rule, optim_config=None)
    solver.model.params["W1"][0, 0] = np.nan
    with pytest.raises(ValueError, match=rf"\(update rule {rule}, learning rate {default}\)"):
        solver.train()


def test_one_iteration_epochs_are_checked_once_each_as_in_the_course():
    # batch_size >= the training rows: every update ends an epoch. The course's Solver then checks
    # after each update once, the first as epoch 1, so E epochs give E checks.
    solver = make_solver(small_data(), batch_size=len(small_data()["X_train"]), num_epochs=3)
    solver.train()
    assert len(solver.loss_history) == len(solver.train_acc_history) == len(solver.val_acc_history) == 3


@pytest.mark.parametrize("rule", ["sgd_momentum", "rmsprop", "adam"])
def test_every_update_rule_trains(rule):
    lr = {"sgd_momentum": 0.02, "rmsprop": 1e-3, "adam": 1e-3}[rule]
    solver = make_solver(small_data(), update_rule=rule, optim_config={"learning_rate": lr})
    solver.train()
    assert solver.best_val_acc >= 0.9


def test_helpers_of_optim_are_not_update_rules():
    # cs231n.optim also holds the helpers it imports (axpy, blocks): none is a rule.
    for name in ["axpy", "blocks", "_check_in_place"]:
        with pytest.raises(ValueError, match=f"unknown update rule '{name}'"):
            make_solver(small_data(), update_rule=name)


def test_a_0d_array_learning_rate_decays_once_per_epoch_and_is_left_unchanged():
    # One 0-d array shared by every parameter's config was decayed in place once per parameter.
    rate = np.array(0.05)
    solver = make_solver(small_data(), optim_config={"learning_rate": rate}, lr_decay=0.5, num_epochs=2)
    solver.train()
    assert rate == 0.05
    assert {config["learning_rate"] for config in solver.optim_configs.values()} == {0.05 * 0.5 ** 2}


def _rewrite_meta(src, dst, **changes):
    """A copy of checkpoint src with some of its meta entries changed."""
    with np.load(src, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(arrays.pop("meta").item())
    for key, value in changes.items():
        meta[key] = value
    np.savez(dst, meta=np.array(json.dumps(meta)), **arrays)


@pytest.mark.parametrize("changes, message", [
    (dict(batch_size=0), "batch_size must be an integer of at least 1"),
    (dict(epoch=-1), "epoch must be an integer of at least 0"),
    (dict(lr_decay=-1.0), r"lr_decay, the factor of the learning rate after each epoch, must be a positive number "
                          r"\(1\.0: no decay\), got -1\.0"),
    (dict(optim_scalars={k: {"learning_rate": 0.05, "momentum": 0.9} for k in ("W1", "b1", "W2", "b2")}),
     r"sgd: unknown config key\(s\) \['momentum'\]"),
])
def test_a_checkpoint_with_values_out_of_range_is_refused_before_anything_changes(tmp_path, changes, message):
    make_solver(small_data(), num_epochs=1, checkpoint_name=str(tmp_path / "run")).train()
    _rewrite_meta(tmp_path / "run_epoch_1.npz", tmp_path / "edited.npz", **changes)
    solver = make_solver(small_data())
    before = {k: v.copy() for k, v in solver.model.params.items()}
    with pytest.raises(ValueError, match=rf"edited\.npz: {message}.*; the checkpoint is corrupt"):
        solver.load_checkpoint(tmp_path / "edited.npz")
    assert all(np.array_equal(solver.model.params[k], before[k]) for k in before) and solver.epoch == 0


@pytest.mark.parametrize("split, labels, found", [
    ("y_val", lambda y: y[:, None], r"shape \(50, 1\) and dtype int64"),
    ("y_train", lambda y: y.astype(float), r"shape \(150,\) and dtype float64"),
])
def test_labels_that_are_not_one_integer_per_example_are_refused_by_name(split, labels, found):
    # A column y_val broadcast against the (N,) predictions into an (N, N) comparison: accuracies
    # near chance, and the Solver kept the wrong parameters, without an error.
    data = small_data()
    data[split] = labels(data[split])
    with pytest.raises(ValueError, match=rf"{split} must hold one integer label per example, shape "
                                         rf"\({len(data[split])},\) .*got {found}; .*y.ravel\(\)"):
        make_solver(data)


def test_check_accuracy_refuses_column_labels_and_bad_sample_counts():
    solver = make_solver(small_data())
    with pytest.raises(ValueError, match=r"y must hold one integer label per example, shape \(50,\)"):
        solver.check_accuracy(solver.X_val, solver.y_val[:, None])
    for bad in (0, -1, 5.0, True):
        with pytest.raises(ValueError, match=rf"num_samples must be an integer of at least 1 .*got {bad!r}"):
            solver.check_accuracy(solver.X_val, solver.y_val, num_samples=bad)


@pytest.mark.parametrize("rule, config, message", [
    ("sgd", {"learning_rate": -0.5}, r"sgd: learning_rate must be a number with 0 <= learning_rate < inf, got -0.5"),
    ("sgd", {"learning_rate": "1e-3"}, r"learning_rate must be a number .*got '1e-3'"),
    ("adam", {"beta1": 1.0}, r"adam: beta1 must be a number with 0 <= beta1 < 1, got 1.0"),
    ("rmsprop", {"epsilon": 0}, r"rmsprop: epsilon must be a number with 0 < epsilon < inf, got 0"),
    ("sgd_momentum", {"momentum": float("nan")}, r"momentum must be a number .*got nan"),
])
def test_hyperparameters_out_of_range_are_refused_before_training(rule, config, message):
    # A negative rate used to train uphill, and a string one failed at the first minibatch.
    with pytest.raises(ValueError, match=message):
        make_solver(small_data(), update_rule=rule, optim_config=config)
