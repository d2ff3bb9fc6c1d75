"""cs231n.blas: which OpenBLAS numpy computes with, and the sentence the notebooks print about it."""
import os

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from cs231n import blas

NUMPY_ON_OPENBLAS = "openblas" in np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
NUMPY_DIR = os.path.dirname(np.__file__)


def loaded(*paths):
    return [{"user_api": "blas", "internal_api": "openblas", "filepath": path, "version": "0.3.31",
             "architecture": f"Kernel{i}", "num_threads": 2} for i, path in enumerate(paths)]


@pytest.mark.skipif(not NUMPY_ON_OPENBLAS, reason="numpy is not built with OpenBLAS here")
def test_numpy_openblas_is_the_loaded_library_with_its_kernels_and_integer_width():
    info = blas.numpy_openblas()
    assert info["filepath"] in [i["filepath"] for i in threadpool_info() if i["internal_api"] == "openblas"]
    assert info["architecture"] and info["version"] and info["num_threads"] >= 1
    configuration = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["openblas configuration"]
    assert info["ilp64"] == ("USE64BITINT" in configuration)


def test_numpy_openblas_prefers_the_copy_inside_numpy_and_refuses_to_guess(monkeypatch):
    monkeypatch.setattr(np, "show_config", lambda mode: {"Build Dependencies": {"blas": {
        "name": "scipy-openblas", "openblas configuration": "USE64BITINT DYNAMIC_ARCH"}}})
    inside = os.path.join(NUMPY_DIR + ".libs", "libscipy_openblas64_.so")
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded("/opt/other/libopenblas.so", inside))
    assert blas.numpy_openblas()["filepath"] == inside and blas.numpy_openblas()["ilp64"] is True
    # Two shared libraries, neither inside numpy: which one numpy uses is unknown.
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded("/opt/a/libopenblas.so", "/opt/b/libopenblas.so"))
    assert blas.numpy_openblas() is None
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded("/opt/a/libopenblas.so"))
    assert blas.numpy_openblas()["filepath"] == "/opt/a/libopenblas.so"


def test_numpy_openblas_is_none_for_numpy_on_another_blas(monkeypatch):
    monkeypatch.setattr(np, "show_config", lambda mode: {"Build Dependencies": {"blas": {"name": "accelerate"}}})
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded(os.path.join(NUMPY_DIR, "libopenblas.so")))
    assert blas.numpy_openblas() is None


def test_describe_names_numpy_openblas_and_its_kernels(monkeypatch):
    monkeypatch.setattr(blas, "numpy_openblas", lambda: {"version": "0.3.31", "architecture": "Haswell"})
    sentence = blas.describe()
    assert f"numpy {np.__version__}" in sentence and "OpenBLAS 0.3.31" in sentence and "Haswell kernels" in sentence
    monkeypatch.setattr(blas, "numpy_openblas", lambda: None)
    assert f"numpy {np.__version__} on a BLAS other than its own OpenBLAS" in blas.describe()
