"""Lint as part of the test suite: ruff on the code and notebooks (configured in pyproject.toml),
shellcheck on the shell scripts, actionlint on the GitHub Actions workflows.

ruff and actionlint come with requirements.txt; shellcheck is a system package. Where it is missing
the test is skipped, except in CI (CI set), where a linter that does not run must fail."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHELL_SCRIPTS = ["export_pdf.sh", "datasets/get_datasets.sh", ".ci/run"]


def find_tool(name, install_hint):
    # Beside this Python first: a venv's bin/ is not on PATH unless the venv is activated.
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if path is None:
        message = f"{name} is not installed; {install_hint}"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{message} (in CI the lint must run, not be skipped)")
        pytest.skip(message)
    return path


def run(args, stdin=None):
    return subprocess.run(args, cwd=REPO, input=stdin, capture_output=True, text=True, timeout=120)


def ruff(*args, stdin=None):
    return run([find_tool("ruff", "pip install -r requirements.txt"), "check", *args], stdin=stdin)


def test_ruff_finds_nothing():
    # The whole repository: the package, tests, benchmarks and notebooks, and whatever is added.
    result = ruff("--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_configuration_selects_the_intended_rules():
    # Guards the configuration itself: a linter that selects nothing passes everything.
    probe = (
        "import os\n"                                  # I001 (order), F401 (unused)
        "l = 1 \n"                                     # E741 (ambiguous name), W291 (trailing space)
        "for a, b in zip([1], [2]):\n"                 # B905 (zip without strict=)
        "    print(a, b);\n"                           # E703 (semicolon)
        "import sys\n"                                 # E402 (import after code)
        f"x = '{'a' * 117}'\n"                         # 123 columns: E501 at 120
        f"y = '{'a' * 114}'\n"                         # 120 columns: allowed
    )
    # In tests/, which keeps the project's 120 columns.
    result = ruff("--output-format", "json", "--stdin-filename", "tests/lint_probe.py", "-", stdin=probe)
    found = sorted((d["code"], d["location"]["row"]) for d in json.loads(result.stdout))
    assert found == [("B905", 3), ("E402", 5), ("E501", 6), ("E703", 4), ("E741", 2), ("F401", 1),
                     ("F401", 5), ("I001", 1), ("I001", 5), ("W291", 2)], result.stderr


def test_notebooks_may_end_plotting_lines_with_a_semicolon_and_import_after_the_first_cell():
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": []}
    notebook = {"cells": [dict(cell, source="try:\n    x = 1\nexcept NameError:\n    x = 0\n"),
                          dict(cell, source="import os\n\nprint(os.sep, x);\nl = 1\n")],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    result = ruff("--output-format", "json", "--stdin-filename", "notebooks/lint_probe.ipynb", "-",
                  stdin=json.dumps(notebook))
    assert [d["code"] for d in json.loads(result.stdout)] == ["E741"], result.stderr


@pytest.mark.parametrize("path", ["cs231n/lint_probe.py", "notebooks/lint_probe.ipynb"])
def test_code_printed_in_the_pdf_is_held_to_96_columns(path):
    # cs231n/ruff.toml and notebooks/ruff.toml: 96 columns, so that no line of the package or the
    # notebooks is wrapped in the submission PDF, which holds 97 (tests and benchmarks keep 120).
    source = f"x = '{'a' * 90}'\ny = '{'a' * 91}'\n"   # 96 and 97 columns
    if path.endswith(".ipynb"):
        cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}
        source = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    result = ruff("--output-format", "json", "--stdin-filename", path, "-", stdin=source)
    assert [(d["code"], d["location"]["row"]) for d in json.loads(result.stdout)] == [("E501", 2)], result.stderr


def test_shell_scripts_pass_shellcheck():
    shellcheck = find_tool("shellcheck", "Debian/Ubuntu: apt-get install shellcheck; macOS: brew install shellcheck")
    result = run([shellcheck, *SHELL_SCRIPTS])
    assert result.returncode == 0, result.stdout + result.stderr


def test_github_workflows_pass_actionlint():
    workflows = sorted(str(p.relative_to(REPO)) for p in (REPO / ".github" / "workflows").glob("*.y*ml"))
    assert workflows, "no workflow in .github/workflows"
    # actionlint also runs shellcheck on the workflows' run: scripts when shellcheck is installed.
    result = run([find_tool("actionlint", "pip install -r requirements.txt"), "-oneline", *workflows])
    assert result.returncode == 0, result.stdout + result.stderr
