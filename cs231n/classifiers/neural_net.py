"""Problem 3: a two-layer fully connected network trained with minibatch SGD.

input -> affine -> ReLU -> affine -> softmax, with the handout's convention: W1 is (H, D) and W2
is (C, H), so scores = ReLU(X W1^T + b1) W2^T + b2. (The modular layers of Problem 4 store
weights as (D, M); this class passes them transposed views, and computes dW1 itself in W1's own
layout.)
"""
import numpy as np

from cs231n.checks import check_count
from cs231n.denormals import denormals_are_zero
from cs231n.layer_utils import affine_relu_forward
from cs231n.layers import (
    affine_backward,
    affine_forward,
    check_labels,
    l2_regularization,
    relu_backward,
    softmax_loss,
)
from cs231n.optim import sgd


class TwoLayerNet:
    """Two-layer network: D inputs, H hidden ReLU units, C classes.

    params: W1 (H, D), b1 (H,), W2 (C, H), b2 (C,); weights std * standard normal, biases
    zero, drawn from np.random in the order W1, b1, W2, b2 (the handout's reference numbers
    rely on it).
    """

    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        self.params = {
            "W1": std * np.random.randn(hidden_size, input_size),
            "b1": np.zeros(hidden_size),
            "W2": std * np.random.randn(output_size, hidden_size),
            "b2": np.zeros(output_size),
        }

    def _check_inputs(self, X, y=None):
        H, D = self.params["W1"].shape
        C = self.params["W2"].shape[0]
        if X.ndim != 2 or X.shape[1] != D:
            raise ValueError(f"X must be (N, {D}) for this network, got {X.shape}")
        if y is not None:
            check_labels(y, X, C)

    def loss(self, X, y=None, reg=0.0):
        """Scores, or loss and gradients.

        X: (N, D) inputs; y: (N,) labels in 0..C-1, or None; reg: L2 regularisation strength.
        Returns scores (N, C) when y is None; else (loss, grads) with
        loss = mean softmax cross-entropy + 0.5 * reg * (||W1||^2 + ||W2||^2) and grads a dict
        with the keys and shapes of params.
        """
        self._check_inputs(X, y)
        return self._loss(X, y, reg)

    def _loss(self, X, y, reg):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        hidden, cache1 = affine_relu_forward(X, W1.T, b1)
        scores, cache2 = affine_forward(hidden, W2.T, b2)
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        dhidden, dW2t, db2 = affine_backward(dscores, cache2)
        _, relu_cache1 = cache1
        da = relu_backward(dhidden, relu_cache1)
        # dW1 = da^T X straight in W1's (H, D) layout: transposing affine_backward's (D, H)
        # result would cost a strided pass over all H*D entries, as much as the matrix
        # product itself.
        grads = {"W1": da.T @ X, "b1": da.sum(axis=0), "W2": dW2t.T, "b2": db2}
        # The L2 term's loss, and its gradient reg * W added into the fresh dW in place.
        loss += (l2_regularization(W1, grads["W1"], reg)
                 + l2_regularization(W2, grads["W2"], reg))
        return loss, grads

    def train(self, X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95, reg=1e-5,
              num_iters=100, batch_size=200, verbose=False, keep_best=False):
        """Minibatch SGD (cs231n.optim.sgd: the arrays in self.params are updated in place).

        X: (N, D), y: (N,) training data; X_val: (N_val, D), y_val: (N_val,) validation data.
        Minibatches of batch_size rows are sampled with replacement. An epoch is
        E = max(N // batch_size, 1) iterations; after the update of iterations 0, E, 2E, ...
        (each epoch's first, as in the course's code) the accuracies on the current batch and on
        the validation set are recorded and the learning rate is multiplied by
        learning_rate_decay: the first update uses learning_rate, the next E use
        learning_rate * learning_rate_decay, and so on.
        keep_best: if True, the parameters at the check with the best validation accuracy are
        kept at the end (early stopping, as the Solver keeps best_params), instead of the last
        ones. The final parameters are then checked too, after the last iteration (unless that
        iteration began an epoch and was checked already), and that check is appended to the
        histories.
        Returns a dict with loss_history (num_iters,), train_acc_history and val_acc_history
        (per check), and check_iterations, the iteration after whose update each check was made.
        Raises ValueError if batch_size is not a positive integer or num_iters not a
        non-negative one, if X_val holds no examples, or if the loss stops being finite
        (diverging learning rate); with keep_best, the best check's parameters are restored
        first, as the Solver does.
        """
        self._check_inputs(X, y)
        self._check_inputs(X_val, y_val)
        for name, data in (("X", X), ("X_val", X_val)):
            if len(data) == 0:
                raise ValueError(f"train draws its minibatches from X and measures accuracy on "
                                 f"X_val, so both need at least one example, got {name} "
                                 f"{data.shape}")
        check_count("batch_size", batch_size)
        check_count("num_iters", num_iters, least=0)
        num_train = X.shape[0]
        # Integer division: with a float, `it % iterations_per_epoch` is 0 only at it = 0.
        iterations_per_epoch = max(num_train // batch_size, 1)
        loss_history, train_acc_history, val_acc_history, check_iterations = [], [], [], []
        best_params = None
        initial_learning_rate = learning_rate

        def check_accuracies(it, X_batch, y_batch):
            nonlocal best_params
            check_iterations.append(it)
            train_acc_history.append(float((self.predict(X_batch) == y_batch).mean()))
            val_acc_history.append(float((self.predict(X_val) == y_val).mean()))
            # The first best, as the Solver keeps it.
            if keep_best and val_acc_history[-1] > max(val_acc_history[:-1], default=-1.0):
                best_params = {k: v.copy() for k, v in self.params.items()}

        with denormals_are_zero():   # subnormal floats as zero: see cs231n.denormals
            for it in range(num_iters):
                batch = np.random.choice(num_train, batch_size)
                X_batch, y_batch = X[batch], y[batch]
                loss, grads = self._loss(X_batch, y_batch, reg)
                if not np.isfinite(loss):
                    kept = ""
                    if best_params is not None:
                        self.params = best_params
                        kept = (" The parameters of the best check (validation accuracy "
                                f"{max(val_acc_history):.3f}) were restored.")
                    raise ValueError(f"loss became {loss} at iteration {it} (learning rate "
                                     f"{learning_rate:.3g} by then, from "
                                     f"learning_rate={initial_learning_rate}; reg={reg}); "
                                     f"lower the learning rate.{kept}")
                loss_history.append(loss)
                for name, grad in grads.items():
                    sgd(self.params[name], grad, {"learning_rate": learning_rate})   # in place
                if verbose and it % 100 == 0:
                    print(f"iteration {it} / {num_iters}: loss {loss:f}")
                if it % iterations_per_epoch == 0:
                    check_accuracies(it, X_batch, y_batch)
                    # not *=, which would change a caller's 0-d array
                    learning_rate = learning_rate * learning_rate_decay
            # Without this check, keep_best would discard updates since the last epoch began.
            if keep_best and num_iters > 0 and (num_iters - 1) % iterations_per_epoch != 0:
                check_accuracies(num_iters - 1, X_batch, y_batch)
        if best_params is not None:
            self.params = best_params
        return {"loss_history": loss_history, "train_acc_history": train_acc_history,
                "val_acc_history": val_acc_history, "check_iterations": check_iterations}

    def predict(self, X):
        """Predicted labels (N,) for inputs X (N, D): the class with the highest score."""
        self._check_inputs(X)
        return np.argmax(self._loss(X, None, 0.0), axis=1)
