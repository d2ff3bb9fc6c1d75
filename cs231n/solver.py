"""Solver: trains a classification model with minibatch gradient descent and an update rule.

The model needs `params` (dict name -> array) and `loss(X, y=None)` returning scores (N, C), or
(loss, grads) with grads keyed like params. Example:

    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, num_epochs=10, batch_size=100, print_every=100, seed=0)
    solver.train()          # model.params are the best parameters on validation afterwards
"""
import json
import os
import zipfile
import zlib

import numpy as np

from cs231n import optim
from cs231n.checks import check_count, is_positive_number
from cs231n.denormals import denormals_are_zero

# The rules of cs231n.optim by name (the module also holds helpers such as axpy and blocks).
UPDATE_RULES = tuple(optim.DEFAULTS)
DEFAULTS = dict(update_rule="sgd", optim_config=None, lr_decay=1.0, batch_size=100,
                num_epochs=10, num_train_samples=1000, num_val_samples=None,
                checkpoint_name=None, print_every=10, verbose=True, seed=None)
# the tag in every checkpoint's meta; /1 is the layout
CHECKPOINT_FORMAT = "cs231n.solver.checkpoint/1"


class Solver:
    """Minibatch training with per-epoch accuracy checks, best-model tracking and checkpoints.

    data: dict with X_train (N, ...), y_train (N,), X_val (N_val, ...), y_val (N_val,).
    update_rule: name of a rule in cs231n.optim ('sgd', 'sgd_momentum', 'rmsprop', 'adam').
    optim_config: hyperparameters of the rule (e.g. learning_rate), copied for every parameter.
    lr_decay: factor applied to every learning rate after each epoch.
    num_train_samples / num_val_samples: how many examples the per-epoch accuracy checks use
        (None: all). checkpoint_name: write '<name>_epoch_<k>.npz' after each epoch (arrays and
        JSON, no pickle), which load_checkpoint reads back.
    seed: seeds minibatch sampling and the checks' subsampling; None draws the seed from
        np.random, so np.random.seed(...) before construction makes a run reproducible too.
        Both draw from one generator, as the course's Solver draws both from np.random, so a
        change of num_train_samples or num_val_samples also changes the minibatches after the
        first check.
    Afterwards: loss_history (per iteration), train_acc_history and val_acc_history (after the
    first update, then per epoch, as the course's Solver; once when that update ends epoch 1),
    best_val_acc and best_params (copies, restored into the model by train()). The update rule
    may change model.params in place (cs231n.optim's rules all do).
    """

    def __init__(self, model, data, **kwargs):
        unknown = set(kwargs) - DEFAULTS.keys()
        if unknown:
            raise ValueError(f"unknown Solver argument(s) {sorted(unknown)}; "
                             f"accepted: {sorted(DEFAULTS)}")
        options = {**DEFAULTS, **kwargs}
        for name, value in options.items():
            setattr(self, name, value)
        # numpy scalars and 0-d arrays as the Python numbers they equal, as a checkpoint stores
        # them (JSON), so that a resumed run computes its decayed rates in the same arithmetic;
        # a shared 0-d array would also be decayed in place once per parameter
        self.optim_config = {k: v.item() if _is_numpy_scalar(v) else v
                             for k, v in (self.optim_config or {}).items()}
        self._update = optim.rule_named(self.update_rule)
        # a misspelt key or a value out of range is refused now, not after the first minibatch
        optim.check_config(self.update_rule, self.optim_config)
        optim.check_hyperparameters(self.update_rule, self.optim_config)
        self._check_options()
        missing = {"X_train", "y_train", "X_val", "y_val"} - data.keys()
        if missing:
            raise ValueError(f"data is missing {sorted(missing)}")
        if (len(data["X_train"]) != len(data["y_train"])
                or len(data["X_val"]) != len(data["y_val"])):
            raise ValueError(f"X and y differ in length: X_train {data['X_train'].shape}, "
                             f"y_train {data['y_train'].shape}, X_val {data['X_val'].shape}, "
                             f"y_val {data['y_val'].shape}")
        for split in ("train", "val"):
            _check_label_shape(f"y_{split}", data[f"y_{split}"], data[f"X_{split}"])
        empty = [name for name in ("X_train", "X_val") if len(data[name]) == 0]
        if empty:
            raise ValueError(f"{' and '.join(empty)} hold no examples: "
                             f"the Solver trains on X_train and measures accuracy on X_val, "
                             f"so both need at least one")
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        seed = np.random.randint(2 ** 31) if self.seed is None else self.seed
        self.rng = np.random.default_rng(seed)
        self._reset()

    def _check_options(self):
        """Raise ValueError naming the first numeric option out of range, or a checkpoint folder
        that does not exist (found before training, not after its first epoch)."""
        for name, least in (("batch_size", 1), ("num_epochs", 0), ("print_every", 1),
                            ("num_train_samples", 1), ("num_val_samples", 1)):
            value = getattr(self, name)
            if value is None and name.endswith("_samples"):
                continue
            every = " (or None: every example)" if name.endswith("_samples") else ""
            check_count(name, value, least, meaning=every)
        _check_lr_decay(self.lr_decay)
        self.lr_decay = float(self.lr_decay)
        if self.checkpoint_name is not None:
            # The folder of the files it names ('ckpt/run' and 'ckpt/' both name files in ckpt)
            folder = os.path.dirname(os.path.abspath(f"{self.checkpoint_name}_epoch_0.npz"))
            if not os.path.isdir(folder):
                raise ValueError(f"checkpoint_name {self.checkpoint_name!r}: the folder "
                                 f"{folder} does not exist; create it, or name a file in an "
                                 "existing one")

    def _reset(self):
        self.epoch = 0
        # below any accuracy, so the first check always stores parameters
        self.best_val_acc = -1.0
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
            self.model.params[p], self.optim_configs[p] = self._update(w, grads[p],
                                                                       self.optim_configs[p])
        return loss

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of correct predictions on X (N, ...), y (N,); on num_samples examples drawn
        at random with replacement (as the course's Solver draws them) if given; predicted
        batch_size examples at a time to bound memory. Raises ValueError for no examples, labels
        that are not (N,), or a num_samples or batch_size that is not a positive integer."""
        if len(X) == 0:
            raise ValueError("check_accuracy needs at least one example, got X of shape "
                             f"{np.shape(X)}")
        _check_label_shape("y", y, X)
        check_count("batch_size", batch_size)
        if num_samples is not None:
            check_count("num_samples", num_samples, meaning=" (or None: every example)")
            if len(X) > num_samples:
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
            print(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; "
                  f"val_acc: {val_acc:f}")
        if val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}

    def train(self):
        """Train for the remaining epochs (all of them, or from a loaded checkpoint on).

        Raises ValueError if the loss is not finite (the best parameters so far are restored
        first). Runs with subnormal floats flushed to zero (cs231n.denormals), which keeps
        Adam's tiny weights from slowing the matrix products down.
        """
        with denormals_are_zero():
            self._train()

    def _train(self):
        iterations_per_epoch = max(len(self.X_train) // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        for t in range(self.epoch * iterations_per_epoch, num_iterations):
            loss = self._step()
            if not np.isfinite(loss):
                # The rate in use, after any decay so far; if no update was made and
                # optim_config gave none, the rule's default, which the rule itself fills in.
                lr = next(iter(self.optim_configs.values()), {}).get("learning_rate")
                if lr is None:
                    lr = self._update(np.zeros(1), np.zeros(1), {})[1]["learning_rate"]
                if self.best_params:
                    self._restore_best()
                    state = (f"The best parameters so far (val acc {self.best_val_acc:.3f}) "
                             "were restored.")
                else:   # the first step: no accuracy check has run, and no update was made
                    state = ("No update was made, so the model keeps the parameters it "
                             "started with.")
                raise ValueError(f"loss became {loss} at iteration {t + 1} "
                                 f"(update rule {self.update_rule}, learning rate {lr}); "
                                 f"lower the learning rate. {state}")
            self.loss_history.append(float(loss))
            if self.verbose and t % self.print_every == 0:
                print(f"(Iteration {t + 1} / {num_iterations}) loss: {loss:f}")
            if t == 0 and iterations_per_epoch > 1:
                # Epoch 0's accuracies after the first update, as the course Solver takes them,
                # so that its log and this one read alike line by line (when that update ends
                # epoch 1, the course checks it once, as epoch 1).
                self._record_accuracies()
            if (t + 1) % iterations_per_epoch == 0:
                self.epoch += 1
                for config in self.optim_configs.values():
                    config["learning_rate"] *= self.lr_decay
                self._record_accuracies()
                self._save_checkpoint()
        self._restore_best()

    def _restore_best(self):
        # none when no accuracy check has run (num_epochs=0): keep the model's
        if self.best_params:
            self.model.params = {k: v.copy() for k, v in self.best_params.items()}

    # Checkpoints hold no pickle, so loading one can never run code (like np.load with
    # allow_pickle=False). One .npz: arrays param/<name> (model), best/<name> (best_params) and
    # optim/<name>/<key> (update-rule arrays, e.g. Adam's m and v); everything else is one JSON
    # string, `meta`: the format tag, the attributes below, the rule's scalars
    # (learning_rate, t, ...) and the random generator's state (a dict of ints). JSON keeps ints
    # and floats exact, so a resumed run repeats the uninterrupted one. _STATE maps each
    # attribute to its JSON type.
    _STATE = {"epoch": int, "best_val_acc": (int, float), "loss_history": list,
              "train_acc_history": list, "val_acc_history": list, "update_rule": str,
              "lr_decay": (int, float), "batch_size": int}

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        arrays = {f"param/{k}": v for k, v in self.model.params.items()}
        arrays.update({f"best/{k}": v for k, v in self.best_params.items()})
        arrays.update({f"optim/{p}/{k}": v for p, config in self.optim_configs.items()
                       for k, v in config.items() if isinstance(v, np.ndarray)})
        meta = {k: getattr(self, k) for k in self._STATE}
        meta.update(format=CHECKPOINT_FORMAT, rng_state=self.rng.bit_generator.state,
                    optim_scalars={p: {k: v for k, v in config.items()
                                       if not isinstance(v, np.ndarray)}
                                   for p, config in self.optim_configs.items()},
                    optim_arrays={p: [k for k, v in config.items() if isinstance(v, np.ndarray)]
                                  for p, config in self.optim_configs.items()})
        path = f"{self.checkpoint_name}_epoch_{self.epoch}.npz"
        tmp = f"{path}.tmp"
        try:
            with open(tmp, "wb") as f:   # a file object, so np.savez does not append ".npz"
                np.savez(f, meta=np.array(json.dumps(meta, default=_json_scalar)), **arrays)
            os.replace(tmp, path)   # atomic: a reader never sees half a checkpoint
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        if self.verbose:
            print(f"saved checkpoint {path}")

    def load_checkpoint(self, path):
        """Restore model parameters, update-rule state, histories, epoch and random generator
        from a checkpoint written by this class ('<name>_epoch_<k>.npz'), so that train()
        resumes where the checkpointed run stopped (and runs to this Solver's num_epochs).
        The checkpointed run's update_rule, lr_decay and batch_size replace this Solver's, so
        that the resumed run continues it exactly.

        The file is read with np.load(allow_pickle=False) and checked in full before anything is
        changed. Raises ValueError naming the file when it is not such a checkpoint (an old
        pickled .pkl one is refused unread), is truncated or corrupt, or comes from another
        model (other parameter names, shapes or dtypes).
        """
        meta, arrays = _read_checkpoint(path)
        shapes = {k: (v.shape, v.dtype) for k, v in self.model.params.items()}
        params = _group(arrays, "param/")
        best = _group(arrays, "best/")
        for name, group in (("parameters", params), ("best parameters", best)):
            found = {k: (v.shape, v.dtype) for k, v in group.items()}
            if found != shapes:
                raise ValueError(f"{path}: checkpoint from another model: its {name} are "
                                 f"{_describe(found)}; the model has {_describe(shapes)}")
        if (meta["optim_scalars"].keys() != shapes.keys()
                or meta["optim_arrays"].keys() != shapes.keys()):
            raise ValueError(f"{path}: the update-rule state does not cover the model's "
                             f"parameters {sorted(shapes)}; the checkpoint is corrupt")
        try:
            optim_configs = {p: {**meta["optim_scalars"][p],
                                 **{k: arrays[f"optim/{p}/{k}"] for k in keys}}
                             for p, keys in meta["optim_arrays"].items()}
        except (KeyError, TypeError) as e:
            raise ValueError(f"{path}: the update-rule state is incomplete ({e!r}); "
                             "the checkpoint is corrupt") from None
        if any(v.shape != params[p].shape for p, config in optim_configs.items()
               for v in config.values() if isinstance(v, np.ndarray)):
            raise ValueError(f"{path}: an update-rule array's shape differs from its "
                             "parameter's; the checkpoint is corrupt")
        rule = meta["update_rule"]
        if rule not in UPDATE_RULES:
            raise ValueError(f"{path}: unknown update rule '{rule}' in the checkpoint")
        try:   # values the Solver's constructor would refuse
            check_count("batch_size", meta["batch_size"])
            check_count("epoch", meta["epoch"], least=0)
            _check_lr_decay(meta["lr_decay"])
            for scalars in meta["optim_scalars"].values():
                optim.check_config(rule, scalars)
                optim.check_hyperparameters(rule, scalars)
        except ValueError as e:
            raise ValueError(f"{path}: {e}; the checkpoint is corrupt") from None
        rng = np.random.Generator(type(self.rng.bit_generator)())
        try:
            rng.bit_generator.state = meta["rng_state"]
        except (TypeError, ValueError, KeyError) as e:
            raise ValueError(f"{path}: the random generator state is unusable ({e}); "
                             "the checkpoint is corrupt") from None
        # Everything checked: only now change this Solver.
        for k in self._STATE:
            setattr(self, k, meta[k])
        (self.model.params, self.best_params,
         self.optim_configs, self.rng) = params, best, optim_configs, rng
        self._update = getattr(optim, self.update_rule)


def _check_lr_decay(lr_decay):
    """Raise ValueError unless lr_decay is a positive number (the constructor's check, also
    made on a checkpoint's value)."""
    if not is_positive_number(lr_decay):
        raise ValueError("lr_decay, the factor of the learning rate after each epoch, must be "
                         f"a positive number (1.0: no decay), got {lr_decay!r}")


def _check_label_shape(name, y, X):
    """Raise ValueError unless y holds one integer label per row of X, shape (N,): a column
    (N, 1) would broadcast against the predictions into an (N, N) comparison."""
    dtype = np.asarray(y).dtype
    if np.shape(y) != (len(X),) or dtype.kind not in "iu":
        raise ValueError(f"{name} must hold one integer label per example, shape "
                         f"({len(X)},) for X {np.shape(X)}, got shape {np.shape(y)} and dtype "
                         f"{dtype}; a column (N, 1) becomes (N,) with y.ravel(), floats "
                         "become labels with y.astype(int)")


def _is_numpy_scalar(value):
    """True for a numpy scalar (np.float32(1e-3)) or a 0-d array (np.array(1e-3))."""
    return isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0)


def _json_scalar(value):
    """json.dumps hook: numpy scalars (e.g. an np.float64 learning rate) as Python numbers."""
    if _is_numpy_scalar(value):
        return value.item()
    raise TypeError(f"a checkpoint cannot store {type(value).__name__} {value!r}")


def _group(arrays, prefix):
    """The arrays whose key starts with prefix, keyed by the rest: {'W1': ...} for 'param/'."""
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


def _describe(shapes):
    """'W1 (20, 16) float64, b1 (16,) float64' from {name: (shape, dtype)}."""
    return ", ".join(f"{k} {shape} {dtype}"
                     for k, (shape, dtype) in sorted(shapes.items())) or "none"


def _read_checkpoint(path):
    """Read a checkpoint written by Solver without unpickling anything.

    Returns meta (dict, from the JSON string, with every key Solver writes) and arrays (dict
    key -> array of all other entries). Raises ValueError naming the file for anything else.
    """
    with open(path, "rb") as f:
        head = f.read(4)
    if not head.startswith(b"PK\x03\x04"):   # every .npz is a zip file
        # b"\x80" is the PROTO opcode that starts every pickle of protocol 2 or later.
        kind = ("a pickle (an old .pkl checkpoint?); pickled checkpoints are no longer read, "
                "because unpickling a file can run code in it. "
                "Train again to write an .npz checkpoint"
                if head[:1] == b"\x80" or str(path).endswith(".pkl") else "not an .npz file")
        raise ValueError(f"{path}: not a Solver checkpoint: the file is {kind}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path}: cannot read the checkpoint ({e}); the file is truncated, "
                         "corrupt, or holds pickled objects, which are never loaded. "
                         "Use another epoch's checkpoint, or train again") from None
    # np.load gives other members as bytes
    if not all(isinstance(v, np.ndarray) for v in arrays.values()):
        raise ValueError(f"{path}: not a Solver checkpoint: a zip file with members that are "
                         "not .npy arrays")
    meta = arrays.pop("meta", np.array(""))
    try:
        meta = json.loads(meta.item()) if meta.dtype.kind == "U" and meta.shape == () else None
    except ValueError:   # not JSON
        meta = None
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ValueError(f"{path}: not a Solver checkpoint: expected format "
                         f"'{CHECKPOINT_FORMAT}' in its 'meta' entry, found {found!r}")
    types = {**Solver._STATE, "optim_scalars": dict, "optim_arrays": dict, "rng_state": dict}
    wrong = sorted(k for k, t in types.items() if not isinstance(meta.get(k), t))
    if wrong:
        raise ValueError(f"{path}: checkpoint entries {wrong} are missing or of the wrong "
                         "type; the checkpoint is corrupt")
    return meta, arrays
