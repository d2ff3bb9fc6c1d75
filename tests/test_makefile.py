"""The Makefile: a bare `make` lists the targets instead of starting the homework's training."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args, cwd=REPO):
    # As typed in a shell: without the flags of a make that runs these tests (make test), which
    # would add its own options, such as printing the folder it enters.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    return subprocess.run(["make", *args], capture_output=True, text=True, cwd=cwd, env=env)


@needs_make
def test_a_bare_make_prints_the_targets_and_runs_nothing(tmp_path):
    dry = make("-n")
    assert dry.returncode == 0 and dry.stdout.startswith("sed ")   # the help's one command, nothing else
    result = make()
    assert result.returncode == 0
    assert result.stdout.startswith("The two commands (see README.md):\n  make homework   set up")
    # Every target the list names exists in the Makefile.
    listed = set(re.findall(r"^  make (\w+)", result.stdout, flags=re.MULTILINE))
    targets = set(re.findall(r"^([\w$()]+):", (REPO / "Makefile").read_text(), flags=re.MULTILINE))
    assert {"homework", "test", "check", "pdf", "kernel", "bench", "problem3"} <= listed
    assert listed - {"problem3"} <= targets and "$(PROBLEMS)" in targets
    # From another folder, through -f, the same list.
    assert make("-f", str(REPO / "Makefile"), cwd=tmp_path).stdout == result.stdout


@needs_make
@pytest.mark.parametrize("folder", ["tests", "notebooks"])
def test_a_folder_name_typed_as_a_target_fails_instead_of_doing_nothing(folder):
    # `make tests` for `make test` said "Nothing to be done for 'tests'" and succeeded.
    result = make(folder)
    assert result.returncode != 0 and result.stdout == ""
    hint = " (did you mean 'make test'?)" if folder == "tests" else ""
    expected = f"make: '{folder}' is a folder, not a target{hint}; a bare 'make' lists the targets"
    assert result.stderr.splitlines()[0] == expected


@needs_make
def test_pdf_exports_the_notebooks_as_they_are():
    assert make("-n", "pdf", "-o", ".venv/.installed").stdout.strip() == "bash export_pdf.sh"
