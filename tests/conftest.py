"""Shared fixtures: a tiny data set in CIFAR-10's own file format, built here, never downloaded."""
import io
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest

from cs231n.blas import numpy_blas_name

REPO = Path(__file__).resolve().parent.parent
# For the tests that look at numpy's own OpenBLAS (its kernels, its axpy).
needs_numpy_openblas = pytest.mark.skipif("openblas" not in (numpy_blas_name() or ""),
                                          reason="numpy is not built with OpenBLAS here")
BATCH_NAMES = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]
IMAGES_PER_BATCH = 10


class Python2Pickler(pickle._Pickler):
    """Writes bytes as Python 2 `str` opcodes, so the file is what Python 2's cPickle wrote."""
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str


class Payload:
    """Unpickles into a call of `function(*args)`: what an attacker puts in a data file or a
    checkpoint."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


def make_batch(seed, n=IMAGES_PER_BATCH):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 3072), dtype=np.uint8), [int(v) for v in rng.integers(0, 10, n)]


def write_batch(path, data, labels, key_style="py2"):
    """key_style 'py2': keys are Python 2 str (official files); 'bytes': keys are bytes, as Python 3
    and numpy 2 pickle them (protocol 4: bytes and numpy._core names, no _codecs.encode call)."""
    if key_style == "py2":
        buf = io.BytesIO()
        Python2Pickler(buf, protocol=2).dump({b"batch_label": b"tiny", b"labels": labels, b"data": data})
        path.write_bytes(buf.getvalue())
    else:
        path.write_bytes(pickle.dumps({b"batch_label": b"tiny", b"labels": labels, b"data": data}, protocol=4))


def make_dataset_folder(folder, key_style="py2"):
    folder.mkdir(parents=True)
    for i, name in enumerate(BATCH_NAMES):
        write_batch(folder / name, *make_batch(i), key_style=key_style)
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": ["a"] * 10}, protocol=2))
    return folder


@pytest.fixture
def tiny_cifar_dir(tmp_path):
    return make_dataset_folder(tmp_path / "cifar-10-batches-py")


@pytest.fixture
def tiny_archive(tmp_path):
    """A .tar.gz laid out as cifar-10-python.tar.gz, holding the tiny batches."""
    src = make_dataset_folder(tmp_path / "src" / "cifar-10-batches-py")
    archive = tmp_path / "tiny-cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(src, arcname="cifar-10-batches-py")
    return archive


def assert_axpy_result(result, y0, alpha, x):
    """Assert that result is y0 + alpha * x as cs231n.in_place.axpy computes it: numpy's formula,
    rounded after alpha * x and after the sum, or OpenBLAS's fused multiply-add, rounded once. The
    two differ by at most half a unit in the last place (ulp) of alpha * x plus one ulp of the sum."""
    alpha = y0.dtype.type(alpha)        # as both paths use it: in y's precision
    term = alpha * x
    expected = y0 + term
    bound = 0.5 * np.spacing(np.abs(term)) + np.spacing(np.abs(expected))
    assert result.dtype == y0.dtype and result.shape == y0.shape
    assert np.all(np.abs(result - expected) <= bound)


# Problem markers: `pytest -m problem3` selects Problem 3's unit tests and notebook. Test files
# mirror cs231n's modules, so a module used by several problems puts its tests in each of them;
# tooling tests are in none. A test file or notebook missing here stops the run, so that a new
# file is never silently left out of a selection.
BY_NOTEBOOK = "the problem of the notebook that the test takes as a parameter (a Path)"
PROBLEMS = {
    "tests/test_autoencoder.py": (1, 2),      # Problem 2 compares subspaces with principal_angles
    "tests/test_gplvm.py": (2,),
    "tests/test_graph_vis.py": (1, 2),        # the computational graphs of Problems 1 and 2
    "tests/test_neural_net.py": (3,),
    "tests/test_layers.py": (3, 4),           # Problem 3's TwoLayerNet is built on Problem 4's layers
    "tests/test_vis_utils.py": (3, 4),
    "tests/test_metrics.py": (3, 4),         # the results sections of Problems 3 and 4
    "tests/test_search.py": (3, 4),           # the hyperparameter searches
    "tests/test_fc_net.py": (4,),
    "tests/test_solver.py": (4,),
    "tests/test_optim.py": (2, 4),            # Problem 2 fits the GP-LVM with Adam
    "tests/test_in_place.py": (3, 4),         # the update and the L2 gradient of Problems 3 and 4
    "tests/test_denormals.py": (3, 4),        # the training loops of Problems 3 and 4
    "tests/test_blas.py": (3, 4),             # what the trained accuracies were computed with
    "tests/test_preprocessing.py": (4,),
    "tests/test_course_compat.py": (4,),
    "tests/test_data_utils.py": (1, 2, 3, 4),     # every notebook loads CIFAR-10
    "tests/test_checks.py": (1, 2, 3, 4),         # every problem's entry points check their counts
    "tests/test_get_datasets.py": (1, 2, 3, 4),
    "tests/test_gradient_check.py": (1, 2, 3, 4),
    "tests/test_notebooks.py": BY_NOTEBOOK,
    "tests/test_kernel.py": BY_NOTEBOOK,      # each notebook's first cell; `make kernel` itself in none
    "tests/test_export.py": (),
    "tests/test_benchmarks.py": (),
    "tests/test_lint.py": (),
    "tests/test_makefile.py": (),
    "tests/test_problem_markers.py": (),
    "notebooks/autoencoder_backprop.ipynb": (1,),
    "notebooks/gplvm_backprop.ipynb": (2,),
    "notebooks/two_layer_net.ipynb": (3,),
    "notebooks/fc_net.ipynb": (4,),
}


def pytest_collection_modifyitems(config, items):
    unmapped = set()
    for item in items:
        names = [item.path.relative_to(REPO).as_posix() if item.path.is_relative_to(REPO) else str(item.path)]
        if PROBLEMS.get(names[0]) == BY_NOTEBOOK:
            params = item.callspec.params.values() if hasattr(item, "callspec") else ()
            names = [f"notebooks/{value.name}" for value in params if isinstance(value, Path)]
        unmapped.update(name for name in names if name not in PROBLEMS)
        for problem in {problem for name in names for problem in PROBLEMS.get(name, ())}:
            item.add_marker(getattr(pytest.mark, f"problem{problem}"))
    if unmapped:
        raise pytest.UsageError(
            f"{', '.join(sorted(unmapped))}: not in PROBLEMS in tests/conftest.py, so `-m problemN` would "
            "never select it. Add it there with the problems it belongs to, or () for a tooling test.")
