"""First-order update rules.

Each rule has the interface
    next_w, config = rule(w, dw, config=None)
w: array of parameters; dw: gradient of the loss with respect to w (same shape);
config: dict of hyperparameters and state (learning rate, moments, ...), created with the rule's
defaults when None and returned updated, so that the caller passes it back at the next step.
sgd updates w in place and returns that same array as next_w (as CS231n's own sgd does); copy w
first if you need its old values. The other rules return a new array.
"""
import numpy as np

# Elements per block of an in-place update (here and in layers.l2_regularization): 32768 (128 KB in
# float32, 256 KB in float64) keeps a block of each operand and of the temporary in a core's L2 cache;
# measured faster than whole-array passes and than blocks of 8192 or 131072 elements.
IN_PLACE_BLOCK = 32768


FLUSH_EVERY = 100


def flush_subnormals(*arrays):
    """Set the subnormal entries of each array (0 < |a| < the smallest normal float) to zero, in place.

    The adaptive rules shrink a weight that only L2 regularisation pulls on (a dead ReLU unit's)
    geometrically, and its moments with it, until they are subnormal; x86 CPUs handle subnormal
    operands in microcode, and a few thousand of them made a [1024, 512] float32 training step
    3-10 times slower after about 2000 Adam steps (measured). Zero is what those values tend to.
    The rules call it every FLUSH_EVERY steps: subnormals build up over hundreds of steps, and a
    flush costs about half a step of a large net.
    """
    for a in arrays:
        a[np.abs(a) < np.finfo(a.dtype).tiny] = 0


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: w -= learning_rate * dw, in place.

    w: parameters, a writeable floating-point array of any shape; updated in place and returned as
        next_w (the same array): no new array per step.
    dw: gradient of the loss with respect to w, w's shape.
    config: learning_rate (default 1e-2).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    _check_in_place(w, dw, "sgd")
    lr = config["learning_rate"]
    if w.size <= IN_PLACE_BLOCK or not (w.flags.c_contiguous and dw.flags.c_contiguous):
        w -= lr * dw   # one block; or views (a transposed gradient), which reshape(-1) would copy
    else:
        # In blocks: `w -= lr * dw` on the whole array would write and re-read a temporary as big as w.
        w_flat, dw_flat = w.reshape(-1), dw.reshape(-1)
        for start in range(0, w_flat.size, IN_PLACE_BLOCK):
            w_flat[start:start + IN_PLACE_BLOCK] -= lr * dw_flat[start:start + IN_PLACE_BLOCK]
    return w, config


def _check_in_place(w, dw, rule):
    """Raise ValueError unless w can be updated in place by dw (an update rule's boundary check)."""
    if not isinstance(w, np.ndarray):
        problem = f"got {type(w).__name__}"
    elif w.dtype.kind != "f":   # np.issubdtype would cost more than the update of a small w
        problem = f"got dtype {w.dtype}"
    elif not w.flags.writeable:
        problem = "got a read-only array"
    else:
        problem = None
    if problem:
        raise ValueError(f"{rule} updates w in place, so w must be a writeable floating-point numpy array; "
                         f"{problem}. Pass np.array(w, dtype=float) (a copy) instead.")
    if np.shape(dw) != w.shape:
        raise ValueError(f"{rule}: dw must have w's shape {w.shape}, got {np.shape(dw)}")


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: v = momentum * v - learning_rate * dw; w += v.

    config: learning_rate (1e-2), momentum (0.9), velocity (zeros like w).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w, dw, config=None):
    """RMSProp: cache = decay_rate * cache + (1 - decay_rate) dw^2; w -= lr dw / (sqrt(cache) + eps).

    config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8), cache (zeros like w), t (steps, 0).
    Every FLUSH_EVERY steps, subnormal entries of next_w and cache are set to zero (flush_subnormals).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w))
    cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * dw * dw
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    t = config.get("t", 0) + 1
    if t % FLUSH_EVERY == 0:
        flush_subnormals(next_w, cache)
    config.update(t=t, cache=cache)
    return next_w, config


def adam(w, dw, config=None):
    """Adam with bias correction (Kingma & Ba, 2015).

    m = beta1 m + (1 - beta1) dw;  v = beta2 v + (1 - beta2) dw^2;  t += 1
    w -= learning_rate * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
    config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8), m, v (zeros), t (0).
    Every FLUSH_EVERY steps, subnormal entries of next_w, m and v are set to zero (flush_subnormals).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw * dw
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    if t % FLUSH_EVERY == 0:
        flush_subnormals(next_w, m, v)
    config.update(t=t, m=m, v=v)
    return next_w, config
