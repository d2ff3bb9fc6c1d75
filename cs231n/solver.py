"""Solver: trains a classification model with minibatch gradient descent and an update rule.

The model needs `params` (dict name -> array) and `loss(X, y=None)` returning scores (N, C), or
(loss, grads) with grads keyed like params. Example:

    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, num_epochs=10, batch_size=100, print_every=100, seed=0)
    solver.train()          # model.params are the best parameters on validation afterwards
"""
import os
import pickle

import numpy as np

from cs231n import optim

DEFAULTS = dict(update_rule="sgd", optim_config=None, lr_decay=1.0, batch_size=100, num_epochs=10,
                num_train_samples=1000, num_val_samples=None, checkpoint_name=None, print_every=10,
                verbose=True, seed=None)


class Solver:
    """Minibatch training with per-epoch accuracy checks, best-model tracking and checkpoints.

    data: dict with X_train (N, ...), y_train (N,), X_val (N_val, ...), y_val (N_val,).
    update_rule: name of a rule in cs231n.optim ('sgd', 'sgd_momentum', 'rmsprop', 'adam').
    optim_config: hyperparameters of the rule (e.g. learning_rate), copied for every parameter.
    lr_decay: factor applied to every learning rate after each epoch.
    num_train_samples / num_val_samples: how many examples the per-epoch accuracy checks use
        (None: all). checkpoint_name: write '<name>_epoch_<k>.pkl' after each epoch.
    seed: seeds minibatch sampling and subsampling; None draws the seed from np.random, so
        np.random.seed(...) before construction makes a run reproducible too.
    Afterwards: loss_history (per iteration), train_acc_history and val_acc_history (per epoch,
    and at the start), best_val_acc and best_params (restored into the model by train()).
    """

    def __init__(self, model, data, **kwargs):
        unknown = set(kwargs) - DEFAULTS.keys()
        if unknown:
            raise ValueError(f"unknown Solver argument(s) {sorted(unknown)}; accepted: {sorted(DEFAULTS)}")
        options = {**DEFAULTS, **kwargs}
        for name, value in options.items():
            setattr(self, name, value)
        self.optim_config = dict(self.optim_config or {})
        if not hasattr(optim, self.update_rule) or self.update_rule.startswith("_"):
            raise ValueError(f"unknown update rule '{self.update_rule}'; "
                             "use one of 'sgd', 'sgd_momentum', 'rmsprop', 'adam'")
        self._update = getattr(optim, self.update_rule)
        missing = {"X_train", "y_train", "X_val", "y_val"} - data.keys()
        if missing:
            raise ValueError(f"data is missing {sorted(missing)}")
        if len(data["X_train"]) != len(data["y_train"]) or len(data["X_val"]) != len(data["y_val"]):
            raise ValueError(f"X and y differ in length: X_train {data['X_train'].shape}, y_train "
                             f"{data['y_train'].shape}, X_val {data['X_val'].shape}, y_val {data['y_val'].shape}")
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        seed = np.random.randint(2 ** 31) if self.seed is None else self.seed
        self.rng = np.random.default_rng(seed)
        self._reset()

    def _reset(self):
        self.epoch = 0
        self.best_val_acc = -1.0   # below any accuracy, so the first check always stores parameters
        self.best_params = {}
        self.loss_history, self.train_acc_history, self.val_acc_history = [], [], []
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _step(self):
        """One update of every parameter from one minibatch; returns the minibatch loss."""
        batch = self.rng.choice(len(self.X_train), self.batch_size)
        loss, grads = self.model.loss(self.X_train[batch], self.y_train[batch])
        if not np.isfinite(loss):
            return loss
        for p, w in self.model.params.items():
            self.model.params[p], self.optim_configs[p] = self._update(w, grads[p], self.optim_configs[p])
        return loss

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of correct predictions on X (N, ...), y (N,); on a random subset of num_samples
        examples if given; predicted batch_size examples at a time to bound memory."""
        if num_samples is not None and len(X) > num_samples:
            subset = self.rng.choice(len(X), num_samples)
            X, y = X[subset], y[subset]
        predictions = np.concatenate([np.argmax(self.model.loss(X[i:i + batch_size]), axis=1)
                                      for i in range(0, len(X), batch_size)])
        return float(np.mean(predictions == y))

    def _record_accuracies(self):
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if self.verbose:
            # The course Solver's format, so students can compare their logs line by line.
            print(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}")
        if val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}

    def train(self):
        """Train for the remaining epochs (all of them, or from a loaded checkpoint on).

        Raises ValueError if the loss is not finite (the best parameters so far are restored first).
        """
        iterations_per_epoch = max(len(self.X_train) // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        if self.epoch == 0 and not self.val_acc_history:
            self._record_accuracies()
        for t in range(self.epoch * iterations_per_epoch, num_iterations):
            loss = self._step()
            if not np.isfinite(loss):
                self._restore_best()
                lr = self.optim_config.get("learning_rate")
                raise ValueError(f"loss became {loss} at iteration {t + 1} (update rule {self.update_rule}, "
                                 f"learning rate {lr}); lower the learning rate. The best parameters so "
                                 f"far (val acc {self.best_val_acc:.3f}) were restored.")
            self.loss_history.append(float(loss))
            if self.verbose and t % self.print_every == 0:
                print(f"(Iteration {t + 1} / {num_iterations}) loss: {loss:f}")
            if (t + 1) % iterations_per_epoch == 0:
                self.epoch += 1
                for config in self.optim_configs.values():
                    config["learning_rate"] *= self.lr_decay
                self._record_accuracies()
                self._save_checkpoint()
        self._restore_best()

    def _restore_best(self):
        self.model.params = {k: v.copy() for k, v in self.best_params.items()}

    _STATE = ("epoch", "best_val_acc", "best_params", "loss_history", "train_acc_history",
              "val_acc_history", "optim_configs", "update_rule", "lr_decay", "batch_size")

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        state = {k: getattr(self, k) for k in self._STATE}
        state.update(params=self.model.params, rng_state=self.rng.bit_generator.state)
        path = f"{self.checkpoint_name}_epoch_{self.epoch}.pkl"
        tmp = f"{path}.tmp"
        try:
            with open(tmp, "wb") as f:
                pickle.dump(state, f)
            os.replace(tmp, path)   # atomic: a reader never sees half a checkpoint
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        if self.verbose:
            print(f"saved checkpoint {path}")

    def load_checkpoint(self, path):
        """Restore model parameters, update-rule state, histories and epoch from a checkpoint, so
        that train() resumes where the checkpointed run stopped (and runs to this Solver's num_epochs)."""
        with open(path, "rb") as f:
            state = pickle.load(f)
        if state["params"].keys() != self.model.params.keys():
            raise ValueError(f"checkpoint {path} holds parameters {sorted(state['params'])}, "
                             f"the model has {sorted(self.model.params)}")
        self.model.params = state.pop("params")
        self.rng.bit_generator.state = state.pop("rng_state")
        for k, v in state.items():
            setattr(self, k, v)
        self._update = getattr(optim, self.update_rule)
