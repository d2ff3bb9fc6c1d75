"""Any Jupyter finds the package: `make kernel` registers this environment as the kernel
'Python (cs231n)', and the first code cell of every notebook says what to do, without a traceback,
when its kernel cannot import cs231n."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
MESSAGE = ("This Jupyter kernel cannot import cs231n. From the repository root run `make kernel`, then "
           "choose the kernel 'Python (cs231n)' (Kernel > Change Kernel), or start Jupyter with "
           "`.venv/bin/jupyter lab`.")
HIDE_CS231N = 'import sys; sys.modules["cs231n"] = None'   # `import cs231n` then raises ImportError

# Each notebook's first cell in a fresh, real IPython shell, with cs231n hidden and importable; what
# the shell printed, and how the cell ended ("ok", "ImportError" or another exception's name), go
# back as JSON.
RUN_IN_IPYTHON = f"""
import contextlib, io, json, sys
from IPython.core.interactiveshell import InteractiveShell
results = {{}}
for name, cell in json.load(sys.stdin).items():
    for case in ("hidden", "importable"):
        if case == "hidden":
            {HIDE_CS231N}
        else:
            sys.modules.pop("cs231n")
        InteractiveShell.clear_instance()
        shell = InteractiveShell.instance()
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()) as err:
            result = shell.run_cell(cell)
        error = result.error_before_exec or result.error_in_exec
        ended = "ok" if error is None else "ImportError" if isinstance(error, ImportError) else type(error).__name__
        results[name, case] = out.getvalue() + err.getvalue(), ended
json.dump([[*key, *value] for key, value in results.items()], sys.__stdout__)
"""


def first_code_cell(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    return "".join(next(cell for cell in cells if cell["cell_type"] == "code")["source"])


@pytest.fixture(scope="module")
def first_cells_run(tmp_path_factory):
    """{(notebook name, "hidden" or "importable"): (what the shell printed, how the cell ended)}"""
    cells = {notebook.name: first_code_cell(notebook) for notebook in NOTEBOOKS}
    env = dict(os.environ, IPYTHONDIR=str(tmp_path_factory.mktemp("ipython")))   # not the user's history
    result = subprocess.run([sys.executable, "-c", RUN_IN_IPYTHON], input=json.dumps(cells), cwd=REPO / "notebooks",
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return {(name, case): (printed, ended) for name, case, printed, ended in json.loads(result.stdout)}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_without_cs231n_says_what_to_do_and_shows_no_traceback(notebook, first_cells_run):
    assert first_cells_run[notebook.name, "hidden"] == (MESSAGE + "\n", "ImportError")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_with_cs231n_is_silent(notebook, first_cells_run):
    assert first_cells_run[notebook.name, "importable"] == ("", "ok")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_use_the_plain_python3_kernel(notebook):
    # make test and make homework then run them with this environment's own Python, registered or not.
    name = json.loads(notebook.read_text())["metadata"]["kernelspec"]["name"]
    assert name == "python3", (
        f"{notebook.name} is saved with the kernel '{name}' (Kernel > Change Kernel in Jupyter): make homework "
        f"runs it with python3 and saves it so, or pick 'Python 3' in Jupyter and save it again")


@pytest.fixture(scope="module")
def kernel_dirs(tmp_path_factory):
    """`make kernel` run into a temporary Jupyter data folder: the user's own kernels are not touched."""
    assert VENV_PYTHON.exists(), "no .venv: run `make setup` first"
    home = tmp_path_factory.mktemp("home")
    env = dict(os.environ, HOME=str(home), JUPYTER_DATA_DIR=str(home / "jupyter"))
    # -o: the environment is set up already; do not let make reinstall it from inside a test.
    result = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "kernel"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return [str(home / "jupyter" / "kernels")]


def test_make_kernel_registers_the_environments_python(kernel_dirs):
    spec = json.loads((Path(kernel_dirs[0]) / "cs231n" / "kernel.json").read_text())
    assert spec["display_name"] == "Python (cs231n)" and spec["language"] == "python"
    argv = spec["argv"]
    assert argv[0] == str(VENV_PYTHON) and argv[argv.index("-m") + 1] == "ipykernel_launcher"


def test_registered_kernel_imports_cs231n_and_shows_the_first_cells_message(kernel_dirs, tmp_path):
    manager = KernelManager(kernel_name="cs231n", kernel_spec_manager=KernelSpecManager(kernel_dirs=kernel_dirs))
    manager.start_kernel(cwd=str(tmp_path))        # away from the repository: cs231n comes from the install
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)

        def run(code):
            messages = []
            client.execute_interactive(code, timeout=60, output_hook=messages.append)
            return [(m["msg_type"], m["content"]) for m in messages if m["msg_type"] in ("stream", "error")]

        assert run("import cs231n; print(cs231n.__file__)") == [
            ("stream", {"name": "stdout", "text": str(REPO / "cs231n" / "__init__.py") + "\n"})]
        run(HIDE_CS231N)
        for notebook in NOTEBOOKS:
            # What Jupyter shows for an error is its traceback list: here the message alone.
            [(kind, content)] = run(first_code_cell(notebook))
            assert (kind, content["traceback"]) == ("error", [MESSAGE]), notebook.name
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
