"""export_pdf.sh: the real PDF from the committed notebooks, and its refusals."""
import json
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from conftest import REPO

SCRIPT = REPO / "export_pdf.sh"


def export(*args, path=None):
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(["bash", str(SCRIPT), *map(str, args)], capture_output=True, text=True, env=env)


needs_tex = pytest.mark.skipif(not (shutil.which("xelatex") and shutil.which("pandoc")),
                               reason="xelatex and pandoc are installed by .ci/run")


@needs_tex
def test_submission_pdf_from_the_committed_notebooks(tmp_path):
    out = tmp_path / "submission.pdf"
    result = export("-o", out)
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    outline = [item.title for item in reader.outline if not isinstance(item, list)]  # lists: sub-headings
    assert outline[0] == "Contents"
    for title in ["Problem 1: Linear autoencoder backprop", "Problem 2: GP-LVM backprop",
                  "Problem 3: Two-layer neural network", "Problem 4: Fully connected networks",
                  "Code: cs231n/layers.py", "Code: cs231n/solver.py", "Code: cs231n/classifiers/fc_net.py", "Code: cs231n/gplvm.py",
                  "Code: cs231n/autoencoder.py", "Code: cs231n/classifiers/neural_net.py"]:
        assert title in outline
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ["Problem 1", "Problem 2", "Problem 3", "Problem 4", "(d)", "(e)", "def affine_forward",
                     "class Solver", "class FullyConnectedNet",
                     "def grad_L2", "class TwoLayerNet", "def rel_error", "def adam"]:
        assert expected in text, expected
    assert "Traceback" not in text
    assert 20 <= len(reader.pages) <= 200
    assert not list(tmp_path.glob(".*.part"))


def notebook_dir_with(tmp_path, edit):
    """A notebook folder holding one copy of Problem 1's notebook, changed by edit(cells)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = json.loads((REPO / "notebooks" / "autoencoder_backprop.ipynb").read_text())
    edit(nb["cells"])
    (folder / "autoencoder_backprop.ipynb").write_text(json.dumps(nb))
    return folder


def code_cells(cells):
    return [c for c in cells if c["cell_type"] == "code"]


@needs_tex
@pytest.mark.parametrize("edit, message", [
    (lambda cells: code_cells(cells)[1].update(execution_count=None), "was not executed"),
    (lambda cells: code_cells(cells)[2].update(execution_count=1), "ran out of order"),
    (lambda cells: code_cells(cells)[1]["outputs"].append(
        {"output_type": "error", "ename": "E", "evalue": "", "traceback": []}), "holds an error output"),
])
def test_bad_notebooks_are_refused_and_nothing_is_written(tmp_path, edit, message):
    out = tmp_path / "out.pdf"
    result = export("--notebook-dir", notebook_dir_with(tmp_path, edit), "-o", out)
    assert result.returncode != 0
    assert message in result.stderr and "autoencoder_backprop.ipynb: code cell" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_missing_tex_is_explained_with_install_commands_and_an_html_fallback(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ["bash", "dirname", "sed", "mktemp", "rm", "mkdir", "tail", "basename", "cat"]:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    out = tmp_path / "out.pdf"
    result = export("-o", out, path=str(bin_dir))
    assert result.returncode != 0
    assert "xelatex pandoc not found" in result.stderr
    assert "apt-get install texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc" in result.stderr
    assert "brew install" in result.stderr and "MiKTeX" in result.stderr and "HTML" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
