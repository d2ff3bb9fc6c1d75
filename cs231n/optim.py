"""First-order update rules.

Each rule has the interface
    next_w, config = rule(w, dw, config=None)
w: array of parameters; dw: gradient of the loss with respect to w (same shape);
config: dict of hyperparameters and state (learning rate, moments, ...), created with the rule's
defaults when None and returned updated, so that the caller passes it back at the next step.
A key the rule does not take (a misspelt hyperparameter, such as learnig_rate) is refused
rather than ignored. Each parameter needs a config of its own: one shared by parameters of
different shapes is refused, but one shared by parameters of the same shape cannot be told
apart from their own.
Every rule updates w and its state arrays (velocity, cache, m, v) in place and returns that
same w as next_w, as CS231n's own sgd does: no new array per step. Copy w first if you need
its old values.
The arithmetic is each docstring's formula, evaluated operation by operation from left to right,
so the values are those of that formula in whole-array numpy ((1 - decay_rate) * dw * dw, for
instance; code that squares dw first can differ in the last bit). sgd's is one axpy
(cs231n.in_place), which rounds w - learning_rate * dw once instead of twice on large arrays.
"""
import math
import numbers

import numpy as np

from cs231n.in_place import axpy, blocks

# Each rule's hyperparameters with their defaults, and the state it keeps between steps.
DEFAULTS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
STATE_KEYS = {"sgd": (), "sgd_momentum": ("velocity",), "rmsprop": ("cache",),
              "adam": ("m", "v", "t")}
_CONFIG_KEYS = {rule: frozenset(DEFAULTS[rule]) | frozenset(STATE_KEYS[rule])
                for rule in DEFAULTS}


def rule_named(name):
    """The update rule called name (a key of DEFAULTS); ValueError naming the rules for any
    other name, such as one of the helpers this module imports (axpy, blocks)."""
    if not isinstance(name, str) or name not in DEFAULTS:
        raise ValueError(f"unknown update rule '{name}'; use one of {', '.join(DEFAULTS)}")
    return globals()[name]


def check_config(rule, config):
    """Raise ValueError naming every key of config (a dict) that the rule named rule does not
    take, and the keys it does take."""
    if not config.keys() <= _CONFIG_KEYS[rule]:     # one set comparison on the per-step path
        unknown = sorted(config.keys() - _CONFIG_KEYS[rule])
        raise ValueError(f"{rule}: unknown config key(s) {unknown}; it takes "
                         f"{', '.join(sorted(_CONFIG_KEYS[rule]))}")


# The hyperparameters' ranges: (lowest, whether the lowest is allowed, the bound above).
_RANGES = {"learning_rate": (0, True, math.inf), "momentum": (0, True, 1),
           "decay_rate": (0, True, 1), "beta1": (0, True, 1), "beta2": (0, True, 1),
           "epsilon": (0, False, math.inf)}


def check_hyperparameters(rule, config):
    """Raise ValueError naming the first hyperparameter of config (a dict for the rule named
    rule) whose value is not a real number in its range: 0 <= learning_rate < inf; momentum,
    decay_rate, beta1 and beta2 in [0, 1); 0 < epsilon < inf. The state (velocity, cache, m, v,
    t) is not checked. The Solver calls this once, before training, rather than every step."""
    for key, value in config.items():
        if key not in _RANGES:
            continue
        low, low_allowed, high = _RANGES[key]
        in_range = (isinstance(value, numbers.Real) and not isinstance(value, bool)
                    and (low <= value if low_allowed else low < value) and value < high)
        if not in_range:
            bound = f"{low} {'<=' if low_allowed else '<'} {key} < {high}"
            raise ValueError(f"{rule}: {key} must be a number with {bound}, got {value!r}")


def _config(config, rule):
    """config (a new dict if None), checked by check_config, with the rule's defaults filled
    in."""
    config = {} if config is None else config
    check_config(rule, config)
    for key, value in DEFAULTS[rule].items():
        config.setdefault(key, value)
    return config


def _check_in_place(w, dw, rule):
    """Raise ValueError unless w can be updated in place by dw (an update rule's
    boundary check)."""
    if not isinstance(w, np.ndarray):
        problem = f"got {type(w).__name__}"
    elif w.dtype.kind != "f":   # np.issubdtype would cost more than the update of a small w
        problem = f"got dtype {w.dtype}"
    elif not w.flags.writeable:
        problem = "got a read-only array"
    else:
        problem = None
    if problem:
        raise ValueError(f"{rule} updates w in place, so w must be a writeable floating-point "
                         f"numpy array; {problem}. "
                         f"Pass np.array(w, dtype=float) (a copy) instead.")
    if not isinstance(dw, np.ndarray) or dw.shape != w.shape:
        found = dw.shape if isinstance(dw, np.ndarray) else f"a {type(dw).__name__}"
        raise ValueError(f"{rule}: dw must be a numpy array of w's shape {w.shape}, "
                         f"got {found}")


def _state(config, key, w):
    """config[key], the rule's state array for w, created as zeros like w at the first step.

    Raises ValueError if config holds a state of another shape: the config of another
    parameter (each parameter needs a config of its own, as the Solver keeps one per parameter;
    another parameter's config of the same shape goes undetected).
    """
    if key not in config:
        config[key] = np.zeros_like(w)
    state = config[key]
    if np.shape(state) != w.shape:
        raise ValueError(f"config['{key}'] has shape {np.shape(state)}, but w has {w.shape}: "
                         f"is this another parameter's config? Keep one config dict per "
                         f"parameter, e.g. configs[name], and pass each one back with its "
                         f"own parameter")
    return state


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: w -= learning_rate * dw.

    w: parameters, a writeable floating-point array of any shape; dw: the gradient, w's shape.
    config: learning_rate (default 1e-2).
    """
    config = _config(config, "sgd")
    _check_in_place(w, dw, "sgd")
    axpy(-config["learning_rate"], dw, w)   # through OpenBLAS: see cs231n.in_place
    return w, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: v = momentum * v - learning_rate * dw; w += v.

    config: learning_rate (1e-2), momentum (0.9), velocity (zeros like w).
    """
    config = _config(config, "sgd_momentum")
    _check_in_place(w, dw, "sgd_momentum")
    lr, momentum = config["learning_rate"], config["momentum"]
    for w_b, dw_b, v_b in blocks(w, dw, _state(config, "velocity", w)):
        v_b *= momentum
        v_b -= lr * dw_b
        w_b += v_b
    return w, config


def rmsprop(w, dw, config=None):
    """RMSProp: cache = decay_rate * cache + (1 - decay_rate) * dw * dw;
    w -= lr * dw / (sqrt(cache) + eps).

    config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8), cache (zeros like w).
    """
    config = _config(config, "rmsprop")
    _check_in_place(w, dw, "rmsprop")
    lr, decay, eps = config["learning_rate"], config["decay_rate"], config["epsilon"]
    cache = _state(config, "cache", w)
    for w_b, dw_b, cache_b in blocks(w, dw, cache):
        cache_b *= decay
        cache_b += (1 - decay) * dw_b * dw_b
        step = lr * dw_b
        step /= np.sqrt(cache_b) + eps
        w_b -= step
    return w, config


def adam(w, dw, config=None):
    """Adam with bias correction (Kingma & Ba, 2015).

    m = beta1 * m + (1 - beta1) * dw;  v = beta2 * v + (1 - beta2) * dw * dw;  t += 1
    w -= learning_rate * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
    config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8), m, v (zeros),
        t (0).
    """
    config = _config(config, "adam")
    _check_in_place(w, dw, "adam")
    lr, b1, b2, eps = (config["learning_rate"], config["beta1"], config["beta2"],
                       config["epsilon"])
    m, v = _state(config, "m", w), _state(config, "v", w)   # checked before t changes
    t = config["t"] = config.get("t", 0) + 1
    bias1, bias2 = 1 - b1 ** t, 1 - b2 ** t           # the bias corrections, once per step
    for w_b, dw_b, m_b, v_b in blocks(w, dw, m, v):
        m_b *= b1
        m_b += (1 - b1) * dw_b
        v_b *= b2
        v_b += (1 - b2) * dw_b * dw_b
        step = lr * (m_b / bias1)                      # learning_rate * m_hat
        step /= np.sqrt(v_b / bias2) + eps             # / (sqrt(v_hat) + epsilon)
        w_b -= step
    return w, config
