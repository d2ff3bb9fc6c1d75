"""cs231n.solver.Solver: training, reproducibility, best-parameter restore, checkpoints, errors."""
import numpy as np
import pytest

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


def test_checkpoints_are_written_and_resume_the_same_run(tmp_path):
    data = small_data()
    full = make_solver(data, checkpoint_name=str(tmp_path / "full"))
    full.train()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"full_epoch_{k}.pkl" for k in range(1, 5)]
    resumed = make_solver(data, seed=99)
    resumed.load_checkpoint(tmp_path / "full_epoch_2.pkl")
    assert resumed.epoch == 2
    resumed.train()
    assert resumed.loss_history == full.loss_history
    assert all(np.array_equal(resumed.model.params[k], full.model.params[k]) for k in full.model.params)


def test_non_finite_loss_stops_training_and_keeps_the_best_parameters():
    solver = make_solver(small_data(), optim_config={"learning_rate": 1e9})
    with pytest.raises(ValueError, match="loss became .* lower the learning rate"), np.errstate(all="ignore"):
        solver.train()
    assert all(np.all(np.isfinite(v)) for v in solver.model.params.values())
    assert all(np.array_equal(solver.model.params[k], solver.best_params[k]) for k in solver.best_params)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match=r"unknown Solver argument\(s\) \['learning_rate'\]"):
        make_solver(small_data(), learning_rate=1e-3)
    with pytest.raises(ValueError, match="unknown update rule 'adagrad'"):
        make_solver(small_data(), update_rule="adagrad")
    with pytest.raises(ValueError, match="missing"):
        make_solver({"X_train": np.zeros((2, 20)), "y_train": np.zeros(2, int)})


@pytest.mark.parametrize("rule", ["sgd_momentum", "rmsprop", "adam"])
def test_every_update_rule_trains(rule):
    lr = {"sgd_momentum": 0.02, "rmsprop": 1e-3, "adam": 1e-3}[rule]
    solver = make_solver(small_data(), update_rule=rule, optim_config={"learning_rate": lr})
    solver.train()
    assert solver.best_val_acc >= 0.9
