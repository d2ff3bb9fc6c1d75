"""cs231n.optim: CS231n's reference values for each update rule."""
import numpy as np
import pytest

from conftest import assert_axpy_result
from cs231n import optim
from cs231n.gradient_check import rel_error
from cs231n.in_place import IN_PLACE_BLOCK, MIN_BLAS_SIZE

N, D = 4, 5
w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)


def test_sgd_defaults_and_step():
    w_in = w.copy()
    next_w, config = optim.sgd(w_in, dw)
    assert config["learning_rate"] == 1e-2 and rel_error(next_w, w - 1e-2 * dw) < 1e-15


# Sizes below and above MIN_BLAS_SIZE (numpy's arithmetic, then OpenBLAS's axpy) and across IN_PLACE_BLOCK.
@pytest.mark.parametrize("shape", [(), (7,), (5, 4, 3), (MIN_BLAS_SIZE,), (IN_PLACE_BLOCK + 1,), (3072, 50),
                                   (2, 3 * 32 * 32, 11)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_updates_in_place_to_the_formula(shape, dtype):
    rng = np.random.default_rng(len(shape))
    w0, dw0 = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    lr = 3e-3
    w_in, dw_in = w0.copy(), dw0.copy()
    next_w, _ = optim.sgd(w_in, dw_in, {"learning_rate": lr})
    assert next_w is w_in
    assert_axpy_result(next_w, w0, -lr, dw0)            # w - lr * dw, rounded once or twice
    assert np.array_equal(dw_in, dw0)                   # the gradient is left alone


def _textbook(rule, w, dw, state, lr):
    """One step of rule by its formula, on new arrays, in numpy's whole-array arithmetic: (next_w, state)."""
    if rule == "sgd_momentum":
        v = 0.9 * state["velocity"] - lr * dw
        return w + v, {"velocity": v}
    if rule == "rmsprop":
        cache = 0.99 * state["cache"] + (1 - 0.99) * dw * dw
        return w - lr * dw / (np.sqrt(cache) + 1e-8), {"cache": cache}
    t = state["t"] + 1
    m = 0.9 * state["m"] + (1 - 0.9) * dw
    v = 0.999 * state["v"] + (1 - 0.999) * dw * dw
    m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + 1e-8), {"m": m, "v": v, "t": t}


@pytest.mark.parametrize("rule", ["sgd_momentum", "rmsprop", "adam"])
@pytest.mark.parametrize("shape", [(7,), (IN_PLACE_BLOCK + 1,), (3072, 50)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rules_update_in_place_to_the_textbook_formula(rule, shape, dtype):
    # In place and block by block (in_place.blocks), each operation is still the formula's: equal values.
    rng = np.random.default_rng(len(shape))
    w0, dw0 = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    state = {"sgd_momentum": {"velocity": rng.standard_normal(shape).astype(dtype)},
             "rmsprop": {"cache": rng.random(shape).astype(dtype)},
             "adam": {"m": rng.standard_normal(shape).astype(dtype), "v": rng.random(shape).astype(dtype), "t": 4},
             }[rule]
    lr = 3e-3
    expected_w, expected_state = _textbook(rule, w0, dw0, state, lr)
    w_in, dw_in = w0.copy(), dw0.copy()
    config = {"learning_rate": lr, **{k: v.copy() if isinstance(v, np.ndarray) else v for k, v in state.items()}}
    arrays = {k: v for k, v in config.items() if isinstance(v, np.ndarray)}
    next_w, config = getattr(optim, rule)(w_in, dw_in, config)
    assert next_w is w_in and np.array_equal(next_w, expected_w) and np.array_equal(dw_in, dw0)
    for k, v in expected_state.items():
        assert np.array_equal(config[k], v), k
        if k in arrays:
            assert config[k] is arrays[k], f"{k} was not updated in place"


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_rules_on_a_view_update_its_base(rule):
    base = np.ones((6, 8))
    view = base[:, ::2]                                  # not contiguous: updated as a whole, in place
    next_w, _ = getattr(optim, rule)(view, np.full((6, 4), 0.5), {"learning_rate": 0.1})
    assert next_w is view and np.all(base[:, ::2] < 1) and np.all(base[:, 1::2] == 1)


def test_sgd_updates_views_in_place():
    rng = np.random.default_rng(0)
    big = rng.standard_normal((300, 400))
    dw_t = rng.standard_normal((200, 300))
    expected_big = big.copy()
    expected_big[:, ::2] -= 0.1 * dw_t.T
    w_view = big[:, ::2]                                 # a strided view and a transposed gradient
    next_w, _ = optim.sgd(w_view, dw_t.T, {"learning_rate": 0.1})
    assert next_w is w_view and np.array_equal(big, expected_big)


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_rules_refuse_what_they_cannot_update_in_place(rule):
    update = getattr(optim, rule)
    with pytest.raises(ValueError, match="writeable floating-point numpy array; got list"):
        update([1.0, 2.0], np.ones(2))
    with pytest.raises(ValueError, match="got dtype int64"):
        update(np.arange(3, dtype=np.int64), np.ones(3))
    read_only = np.ones(3)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match=f"{rule} updates w in place.*got a read-only array.*np.array"):
        update(read_only, np.ones(3))
    with pytest.raises(ValueError, match=r"dw must be a numpy array of w's shape \(4, 5\), got \(5,\)"):
        update(w.copy(), np.ones(5))                  # would broadcast silently
    with pytest.raises(ValueError, match=r"dw must be a numpy array of w's shape \(3,\), got a list"):
        update(np.ones(3), [1.0, 1.0, 1.0])


@pytest.mark.parametrize("rule", ["sgd_momentum", "rmsprop", "adam"])
def test_one_config_shared_by_two_parameters_is_refused(rule):
    # A common slip: one config dict for every parameter, whose state then has the first one's shape.
    update, config = getattr(optim, rule), {"learning_rate": 1e-3}
    update(np.ones((4, 3)), np.ones((4, 3)), config)
    with pytest.raises(ValueError, match=r"has shape \(4, 3\), but w has \(3,\).*one config dict per parameter"):
        update(np.ones(3), np.ones(3), config)
    assert config.get("t", 1) == 1          # a refused call leaves the config as it was (Adam's step count)


@pytest.mark.parametrize("rule, misspelt", [("sgd", "learnig_rate"), ("sgd_momentum", "momentm"),
                                            ("rmsprop", "decay"), ("adam", "beta_1")])
def test_a_misspelt_config_key_is_refused_not_ignored(rule, misspelt):
    w0 = np.ones(3)
    message = rf"{rule}: unknown config key\(s\) \['{misspelt}'\]; it takes .*learning_rate"
    with pytest.raises(ValueError, match=message):
        getattr(optim, rule)(w0, np.ones(3), {"learning_rate": 1e-3, misspelt: 0.5})
    assert np.array_equal(w0, np.ones(3))


def test_sgd_momentum_reference():
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    expected_v = 0.9 * v - 1e-3 * dw
    next_w, config = optim.sgd_momentum(w.copy(), dw, {"learning_rate": 1e-3, "velocity": v})
    assert abs(next_w[0, 0] - 0.1406) < 1e-12 and abs(next_w[-1, -1] - 1.4096) < 1e-12
    assert rel_error(config["velocity"], expected_v) < 1e-15 and rel_error(next_w, w + expected_v) < 1e-15


def test_rmsprop_reference():
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = optim.rmsprop(w.copy(), dw, {"learning_rate": 1e-2, "cache": cache})
    expected_next_w = np.asarray([
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]])
    expected_cache = np.asarray([
        [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
        [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
        [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
        [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]])
    assert rel_error(next_w, expected_next_w) < 1e-7 and rel_error(config["cache"], expected_cache) < 1e-7


def test_adam_reference():
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    next_w, config = optim.adam(w.copy(), dw, {"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    expected_next_w = np.asarray([
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
    expected_v = np.asarray([
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
    expected_m = np.asarray([
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])
    # The reference is rounded to 8 decimals: 1e-7 relative for entries near 0.02.
    assert rel_error(next_w, expected_next_w) < 2e-7
    assert rel_error(config["v"], expected_v) < 1e-7 and rel_error(config["m"], expected_m) < 1e-7
    assert config["t"] == 6


@pytest.mark.parametrize("rule, defaults", [
    ("sgd", {"learning_rate": 1e-2}),
    ("sgd_momentum", {"learning_rate": 1e-2, "momentum": 0.9}),
    ("rmsprop", {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}),
    ("adam", {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
])
def test_defaults_are_the_courses(rule, defaults):
    _, config = getattr(optim, rule)(w.copy(), dw)
    assert {k: config[k] for k in defaults} == defaults


def test_defaults_are_filled_in_without_overriding():
    _, config = optim.adam(w.copy(), dw, {"learning_rate": 5e-4})
    assert config["learning_rate"] == 5e-4 and config["beta1"] == 0.9 and config["beta2"] == 0.999


def test_check_hyperparameters_accepts_every_default_and_the_state():
    from cs231n.optim import DEFAULTS, check_hyperparameters
    for rule, defaults in DEFAULTS.items():
        check_hyperparameters(rule, {**defaults, "learning_rate": 0})   # a frozen run is allowed
    check_hyperparameters("adam", {"m": np.zeros(3), "v": np.zeros(3), "t": 5, "learning_rate": np.float32(1e-3)})
    with pytest.raises(ValueError, match="adam: beta2 must be a number with 0 <= beta2 < 1, got -0.1"):
        check_hyperparameters("adam", {"beta2": -0.1})
    with pytest.raises(ValueError, match="learning_rate must be a number .*got None"):
        check_hyperparameters("sgd", {"learning_rate": None})
