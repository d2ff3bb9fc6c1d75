"""cs231n.blas: which OpenBLAS numpy computes with, and the sentence the notebooks print about it."""
import os

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from conftest import needs_numpy_openblas
from cs231n import blas

SITE = os.path.dirname(os.path.dirname(os.path.realpath(np.__file__)))
INSIDE_NUMPY = os.path.join(SITE, "numpy.libs", "libscipy_openblas64_.so")


def loaded(*paths):
    return [{"user_api": "blas", "internal_api": "openblas", "filepath": path, "version": "0.3.31",
             "architecture": f"Kernel{i}", "num_threads": 2} for i, path in enumerate(paths)]


def built_with(monkeypatch, name, configuration=""):
    monkeypatch.setattr(np, "show_config", lambda mode: {"Build Dependencies": {"blas": {
        "name": name, "openblas configuration": configuration}}})


@needs_numpy_openblas
def test_numpy_openblas_is_the_loaded_library_with_its_kernels():
    info = blas.numpy_openblas()
    assert info is not None, f"numpy's OpenBLAS not identified among {threadpool_info()}"
    assert info["architecture"] and info["version"] and info["num_threads"] >= 1
    # numpy's wheels use 64-bit integers, and name their symbols with the suffix 64_.
    assert info["ilp64"] == ("64_" in os.path.basename(info["filepath"]))
    assert f"OpenBLAS {info['version']}, running the {info['architecture']} kernels" in blas.describe()


def test_numpy_openblas_prefers_the_copy_inside_numpy_and_refuses_to_guess(monkeypatch):
    built_with(monkeypatch, "scipy-openblas", "USE64BITINT DYNAMIC_ARCH")
    # A sibling folder whose name merely starts with "numpy" is not numpy's.
    sibling = os.path.join(SITE, "numpy_quaddtype.libs", "libopenblas.so")
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded(sibling, INSIDE_NUMPY))
    assert blas.numpy_openblas()["filepath"] == INSIDE_NUMPY and blas.numpy_openblas()["ilp64"] is True
    in_dylibs = os.path.join(SITE, "numpy", ".dylibs", "libscipy_openblas64_.dylib")   # macOS wheels
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded(sibling, in_dylibs))
    assert blas.numpy_openblas()["filepath"] == in_dylibs
    # Two libraries, neither inside numpy: which one numpy uses is unknown.
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded("/opt/a/libopenblas.so", sibling))
    assert blas.numpy_openblas() is None
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded())
    assert blas.numpy_openblas() is None
    built_with(monkeypatch, "openblas", "DYNAMIC_ARCH")   # a 32-bit-integer build, linked as the only one
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded("/opt/a/libopenblas.so"))
    assert blas.numpy_openblas()["filepath"] == "/opt/a/libopenblas.so" and blas.numpy_openblas()["ilp64"] is False


def test_numpy_openblas_is_none_for_numpy_on_another_blas_or_silent_about_it(monkeypatch):
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded(INSIDE_NUMPY))
    built_with(monkeypatch, "accelerate")
    assert blas.numpy_openblas() is None and blas.numpy_blas_name() == "accelerate"

    def numpy_1_show_config(mode):   # numpy before 2.0: show_config() prints and has no mode
        raise TypeError("show_config() got an unexpected keyword argument 'mode'")
    monkeypatch.setattr(np, "show_config", numpy_1_show_config)
    assert blas.numpy_openblas() is None and blas.numpy_blas_name() is None


def test_describe_names_numpy_openblas_and_its_kernels(monkeypatch):
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    monkeypatch.setattr(blas, "numpy_openblas", lambda: {"version": "0.3.31", "architecture": "Haswell"})
    sentence = blas.describe()
    assert f"numpy {np.__version__} and OpenBLAS 0.3.31" in sentence
    assert "the Haswell kernels it picked for this CPU" in sentence and "a few points" in sentence
    monkeypatch.setenv("OPENBLAS_CORETYPE", "HASWELL")
    assert "the Haswell kernels that OPENBLAS_CORETYPE asks for" in blas.describe()
    # Set but not taken (a name OpenBLAS does not know, or set after numpy was imported).
    monkeypatch.setenv("OPENBLAS_CORETYPE", "SkylakeX")
    assert "the Haswell kernels it picked for this CPU" in blas.describe()
    monkeypatch.setattr(blas, "numpy_openblas", lambda: {"version": None, "architecture": None})
    assert "kernels it does not report" in blas.describe() and "None" not in blas.describe()
    # The thread count changes results too (a notebook re-run with one thread differed), so it is named.
    monkeypatch.setattr(blas, "numpy_openblas", lambda: {"version": "0.3.31", "architecture": "Haswell",
                                                         "num_threads": 2})
    assert "it picked for this CPU on 2 threads. Other kernels, another number of BLAS threads" in blas.describe()
    monkeypatch.setattr(blas, "numpy_openblas", lambda: {"version": "0.3.31", "architecture": "Haswell",
                                                         "num_threads": 1})
    assert "for this CPU on 1 thread." in blas.describe()


@pytest.mark.parametrize("name, says", [("accelerate", "accelerate as its BLAS"),
                                        ("scipy-openblas", "an OpenBLAS (scipy-openblas) that could not be told apart"),
                                        (None, "a BLAS it does not name")])
def test_describe_without_numpys_openblas_names_what_numpy_says(monkeypatch, name, says):
    monkeypatch.setattr(blas, "numpy_openblas", lambda: None)
    monkeypatch.setattr(blas, "numpy_blas_name", lambda: name)
    assert blas.describe().startswith(f"Computed with numpy {np.__version__} and {says}")


def test_numpy_openblas_is_found_when_numpy_is_imported_through_a_symlink(monkeypatch, tmp_path):
    # threadpoolctl reports resolved paths; numpy's own folder must be resolved the same way.
    (tmp_path / "site").symlink_to(SITE, target_is_directory=True)
    monkeypatch.setattr(np, "__file__", str(tmp_path / "site" / "numpy" / "__init__.py"))
    built_with(monkeypatch, "scipy-openblas", "USE64BITINT")
    sibling = os.path.join(SITE, "numpy_quaddtype.libs", "libopenblas.so")
    monkeypatch.setattr(blas, "threadpool_info", lambda: loaded(sibling, INSIDE_NUMPY))
    assert blas.numpy_openblas()["filepath"] == INSIDE_NUMPY
