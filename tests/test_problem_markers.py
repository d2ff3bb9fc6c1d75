"""The per-problem selection (`pytest -m problem3`) set up by PROBLEMS in tests/conftest.py."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NBVAL = ["--nbval-lax", "--nbval-current-env"]


def pytest_run(*args, cwd=REPO, env=None):
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_a_problem_marker_selects_its_own_tests_and_notebook_only():
    files = ["tests/test_gplvm.py", "tests/test_optim.py", "tests/test_neural_net.py", "tests/test_kernel.py",
             "notebooks/gplvm_backprop.ipynb", "notebooks/autoencoder_backprop.ipynb"]
    result = pytest_run("--collect-only", "-q", *NBVAL, "-m", "problem2", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    selected = [line for line in result.stdout.splitlines() if "::" in line]
    assert {node.split("::")[0] for node in selected} == {"tests/test_gplvm.py", "tests/test_optim.py",
                                                          "tests/test_kernel.py", "notebooks/gplvm_backprop.ipynb"}
    # test_kernel.py's tests are in the problem of the notebook they take; its others are in none.
    assert all(node.endswith("[gplvm_backprop]") for node in selected if node.startswith("tests/test_kernel.py"))
    summary = re.search(r"(\d+)/(\d+) tests collected \((\d+) deselected\)", result.stdout)
    assert summary and int(summary[3]) > 0       # Problems 1 and 3's files were collected, then left out


def test_an_unmapped_test_file_stops_the_run(tmp_path):
    (tmp_path / "tests").mkdir()
    shutil.copy(REPO / "tests" / "conftest.py", tmp_path / "tests" / "conftest.py")
    (tmp_path / "tests" / "test_new_module.py").write_text("def test_something():\n    pass\n")
    # No plugins (nbval and others) are needed here: loading them would only slow the start.
    result = pytest_run("tests", cwd=tmp_path, env=dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"))
    assert result.returncode == 4, result.stdout + result.stderr       # pytest's usage error: nothing ran
    assert "passed" not in result.stdout
    assert "tests/test_new_module.py: not in PROBLEMS in tests/conftest.py" in result.stderr
