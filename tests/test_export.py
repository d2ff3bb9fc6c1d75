"""cs231n.export (run by export_pdf.sh): the PDF built once from the committed notebooks, checked
against the notebooks and the manifest; the manifest's errors; the refusals; --execute."""
import ast
import base64
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata

import nbformat
import pytest
from pypdf import PdfReader
from test_notebooks import MACHINE_PATH

from conftest import REPO
from cs231n.export import (
    ExportError,
    _bookmark_symbols,
    _clock,
    _write_atomically,
    check_notebooks,
    combined_notebook,
    execute_notebook,
    latex_document,
    load_manifest,
    read_notebook,
)

SCRIPT = REPO / "export_pdf.sh"
MANIFEST = load_manifest(REPO / "submission.toml")

# In CI the TeX tests must run (.ci/run installs TeX); elsewhere they are skipped without it.
needs_tex = pytest.mark.skipif(not (shutil.which("xelatex") and shutil.which("pandoc")) and not os.environ.get("CI"),
                               reason="xelatex and pandoc are installed by .ci/run")


def export(*args, path=None, cwd=None):
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(["bash", str(SCRIPT), *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=cwd)


def squeeze(text):
    """Text reduced to lower-case letters and digits, so that a bookmark ('(b) \\partial L_1 /
    \\partial X') and the page's typeset text ('(b) ∂L1/∂X') compare equal."""
    text = html.unescape(text)  # a heading's '(15&nbsp;points)' is typeset '(15 points)'
    text = unicodedata.normalize("NFKC", re.sub(r"\\[A-Za-z]+", "", text))  # NFKC: math italic 𝑊 -> W
    return "".join(ch for ch in text.lower() if ch.isalnum())


def notebook_headings(path, prefix):
    """The Markdown headings starting with prefix ('## ') of the cells that are not hidden."""
    cells = nbformat.read(path, as_version=4).cells
    shown = [c for c in cells if c.cell_type == "markdown" and "remove-cell" not in c.metadata.get("tags", [])]
    return [line[len(prefix):] for c in shown for line in c.source.splitlines() if line.startswith(prefix)]


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory):
    """The PDF of the committed notebooks, built once."""
    out = tmp_path_factory.mktemp("pdf") / "submission.pdf"
    result = export("-o", out)
    assert result.returncode == 0, result.stderr
    assert not list(out.parent.glob(".*.part"))
    return out


@pytest.fixture(scope="module")
def pdf(pdf_path):
    """(page texts, outline as (depth, title, page)) of the PDF of the committed notebooks."""
    return read_pdf(pdf_path)


def read_pdf(path):
    """(page texts, outline as (depth, title, page)) of the PDF at path."""
    reader = PdfReader(path)
    outline = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):  # the children of the entry before it
                walk(item, depth + 1)
            else:
                outline.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return [page.extract_text() for page in reader.pages], outline


@pytest.mark.slow
@needs_tex
def test_outline_is_the_manifest_and_the_notebooks_headings(pdf):
    _, outline = pdf
    top = [title for depth, title, _ in outline if depth == 0]
    assert top == ["Contents", *[title for title, _ in MANIFEST.problems], "Code"]
    parts = [[]]
    for depth, title, _ in outline[1:]:
        if depth == 0:
            parts.append([])
        elif depth == 1:
            parts[-1].append(squeeze(title))
    for (_, notebook), headings in zip(MANIFEST.problems, parts[1:-1], strict=True):
        assert headings == [squeeze(h) for h in notebook_headings(notebook, "## ")], notebook.name
    assert parts[-1] == [squeeze(name) for name, _ in MANIFEST.code_files]


@pytest.mark.slow
@needs_tex
def test_every_outline_entry_opens_the_page_with_its_heading(pdf):
    texts, outline = pdf
    assert len(outline) > 50
    # A problem's manifest title is in the contents and outline only; its page shows the notebook's
    # own title line instead, as the one heading of the problem.
    shown = {title: notebook_headings(notebook, "# ")[0] for title, notebook in MANIFEST.problems}
    wrong = [(title, page) for _, title, page in outline
             if squeeze(shown.get(title, title)) not in squeeze(texts[page - 1])]
    assert not wrong
    # The page holds the manifest title only as often as the notebook's title line does (which may
    # repeat it, as the manifest's titles are the title lines without their points).
    printed_twice = [title for _, title, page in outline if title in shown
                     and squeeze(texts[page - 1]).count(squeeze(title)) != squeeze(shown[title]).count(squeeze(title))]
    assert not printed_twice


@pytest.mark.slow
@needs_tex
def test_no_heading_is_left_alone_at_the_foot_of_a_page(pdf):
    texts, outline = pdf
    # What follows each part's heading on its page, footer (the page number) aside.
    following = {title: squeeze(texts[page - 1].strip().rsplit("\n", 1)[0]).split(squeeze(title), 1)
                 for depth, title, page in outline if depth >= 1 and title != "Contents"}
    assert all(len(parts) == 2 for parts in following.values())
    alone = [title for title, (_, after) in following.items() if len(after) < 150]
    assert not alone


@pytest.mark.slow
@needs_tex
def test_no_code_cell_starts_as_an_empty_box_at_the_foot_of_a_page(pdf):
    texts, _ = pdf
    # A page's last line before the footer's page number: a bare prompt '[17]:' is a box whose code
    # is all on the next page.
    last_lines = {page: [line for line in text.splitlines() if line.strip()][-2:-1] for page, text in
                  enumerate(texts, 1)}
    assert not [page for page, last in last_lines.items() if last and re.fullmatch(r"\s*\[\d+\]:\s*", last[0])]


@pytest.mark.slow
@needs_tex
def markdown_results():
    """(execution count, Markdown text) of every Markdown result of the committed notebooks."""
    return [(cell.execution_count, output.data["text/markdown"])
            for _, path in MANIFEST.problems
            for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
            for output in cell.outputs
            if output.output_type == "execute_result" and "text/markdown" in output.data]


def first_word(markdown):
    return re.sub(r"[>*`\s]+", " ", markdown).split()[0]


def test_a_markdown_results_prompt_is_on_the_line_of_its_first_words(pdf):
    # nbconvert puts it on a line of its own above them; the template moves it.
    texts, _ = pdf
    results = markdown_results()
    assert results
    first_words = [(count, first_word(text)) for count, text in results]
    text = "\n".join(texts)
    apart = [(count, word) for count, word in first_words
             if not re.search(rf"^\[{count}\]: *{re.escape(word)}", text, re.MULTILINE)]
    assert not apart, f"prompts not on the line of their result's first word: {apart}"


@pytest.mark.slow
@needs_tex
def test_a_quoted_markdown_results_first_line_starts_where_its_next_line_does(pdf_path):
    # A prompt that started the paragraph itself set the first words off by a space and more.
    lines = [line for page in PdfReader(pdf_path).pages
             for line in page.extract_text(extraction_mode="layout").splitlines()]
    quoted = {(count, first_word(text)) for count, text in markdown_results() if text.startswith(">")}
    checked, apart = 0, []
    for k, line in enumerate(lines[:-1]):
        m = re.match(r"\[(\d+)\]: +(\S+)", line)
        following = lines[k + 1]
        if not m or (int(m[1]), m[2]) not in quoted or following.lstrip()[:1] in ("", "•"):
            continue     # not a quoted result, or a one-line paragraph before a list or a gap
        checked += 1
        if len(following) - len(following.lstrip()) != m.start(2):
            apart.append(line[:40])
    assert checked >= 5 and not apart, (checked, apart)


@pytest.mark.slow
@needs_tex
def test_no_page_is_blank(pdf, pdf_path):
    # A page whose only text is its footer's number, and no figure: a page break forced on a page that a
    # figure had already filled once left one (cs231n/export_templates/submission.tex.j2, \needlines).
    texts, _ = pdf
    has_figure = [bool(page.images) for page in PdfReader(pdf_path).pages]
    blank = [page for page, text in enumerate(texts, 1)
             if not text.strip().removesuffix(str(page)).strip() and not has_figure[page - 1]]
    assert not blank, f"blank pages {blank}"


@pytest.mark.slow
@needs_tex
def test_no_line_is_wrapped_with_an_arrow(pdf):
    # nbconvert and the code listings break a line too wide for the page and start the rest with a
    # red arrow. The package's and the notebooks' code is held to 96 columns (cs231n/ruff.toml,
    # notebooks/ruff.toml), which fit, and nbconvert wraps printed output to 80 columns itself.
    texts, _ = pdf
    wrapped = [page for page, text in enumerate(texts, 1) if "\u21aa" in text]
    assert not wrapped, f"lines wrapped with an arrow on pages {wrapped}"


@pytest.mark.slow
@needs_tex
def test_footer_page_numbers_run_from_1_to_n(pdf):
    texts, _ = pdf
    footers = [text.strip().splitlines()[-1].strip() for text in texts]
    assert footers == [str(k) for k in range(1, len(texts) + 1)]


@pytest.mark.slow
@needs_tex
def test_contents_page_numbers_are_the_pages_where_the_sections_start(pdf):
    texts, outline = pdf
    entries = [(squeeze(title), page) for depth, title, page in outline[1:] if depth <= 1]
    first_part = entries[0][1]
    # The contents pages, without their footers; in this text the digits between one entry's title
    # and the next entry's are the printed page number of the first.
    contents = squeeze("".join(text.strip().rsplit("\n", 1)[0] for text in texts[:first_part - 1]))
    at = 0
    starts = []
    for title, _ in entries:
        at = contents.index(title, at)
        starts.append((at, at + len(title)))
        at += len(title)
    ends, next_starts = [end for _, end in starts], [start for start, _ in starts[1:]] + [len(contents)]
    printed = [contents[end:nxt] for end, nxt in zip(ends, next_starts, strict=True)]
    assert printed == [str(page) for _, page in entries]


@pytest.mark.slow
@needs_tex
def test_one_section_numbering_the_notebooks_own(pdf):
    texts, _ = pdf
    text = "\n".join(texts)
    assert "9. Tuning the hyperparameters" in text
    assert not re.findall(r"\b\d+\.\d+\.? +\d+\. ", text)  # e.g. '1.9 9. Tuning', a LaTeX number before the notebook's


@pytest.mark.slow
@needs_tex
def test_no_machine_paths_in_the_pdf_and_the_code_is_listed(pdf):
    texts, _ = pdf
    lines = "\n".join(texts).splitlines()
    assert [line for line in lines if MACHINE_PATH.search(line)] == []
    text = "\n".join(lines)
    assert "Traceback" not in text
    for listed in ["def affine_forward", "class Solver", "class FullyConnectedNet", "def grad_L2", "class TwoLayerNet"]:
        assert listed in text, listed


def test_the_manifest_lists_every_module_the_notebooks_import():
    imported = set()
    for _, notebook in MANIFEST.problems:
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cs231n"):
                    # 'from cs231n.x import f' imports x; 'from cs231n import x' may import module x
                    imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
                elif isinstance(node, ast.Import):
                    imported |= {alias.name for alias in node.names if alias.name.startswith("cs231n.")}
    modules = {name.replace(".", "/") + ".py" for name in imported} & {
        path.relative_to(REPO).as_posix() for path in (REPO / "cs231n").rglob("*.py")}
    assert len(modules) >= 10
    assert modules <= {name for name, _ in MANIFEST.code_files}


def write_manifest(folder, notebooks, code_files, author=None):
    """A manifest in folder listing the given absolute paths (and the author, if given)."""
    problems = "".join(f'[[problems]]\ntitle = "Problem {k}"\nnotebook = "{nb}"\n\n'
                       for k, nb in enumerate(notebooks, 1))
    files = ", ".join(f'"{p}"' for p in code_files)
    path = folder / "submission.toml"
    author_line = "" if author is None else f"author = {json.dumps(author)}\n"
    path.write_text(f'title = "t"\n{author_line}\n{problems}[code]\nfiles = [{files}]\n')
    return path


@pytest.mark.parametrize("which", ["notebook", "code file"])
def test_a_listed_file_that_is_missing_is_an_error_naming_it(tmp_path, which):
    notebooks = [nb for _, nb in MANIFEST.problems]
    code_files = [path for _, path in MANIFEST.code_files]
    missing = tmp_path / ("gone.ipynb" if which == "notebook" else "gone.py")
    (notebooks if which == "notebook" else code_files).insert(1, missing)
    with pytest.raises(ExportError, match=f"do not exist: {re.escape(str(missing))}; restore them "
                                          r"\(the repository's with git checkout -- FILE\) or correct"):
        load_manifest(write_manifest(tmp_path, notebooks, code_files))


def test_a_manifest_entry_that_is_no_notebook_is_a_manifest_error_not_a_broken_notebook(tmp_path):
    # Advice to restore README.md with git checkout would be wrong: the manifest names the wrong file.
    with pytest.raises(ExportError, match=r"README.md is not a Jupyter notebook \(.ipynb\): correct the manifest"):
        read_notebook(REPO / "README.md")


@pytest.mark.parametrize("script", ["export_pdf.sh", "datasets/get_datasets.sh"])
def test_the_scripts_run_by_sh_say_to_use_bash(script):
    if shutil.which("sh") is None or shutil.which("bash") == shutil.which("sh"):
        pytest.skip("sh is bash here")
    result = subprocess.run(["sh", str(REPO / script)], capture_output=True, text=True)
    assert result.returncode == 2 and f"run this script with bash: bash {script}" in result.stderr


def test_a_manifest_entry_without_its_notebook_says_what_it_expects(tmp_path):
    (tmp_path / "submission.toml").write_text('title = "t"\n[[problems]]\ntitle = "P"\n' + CODE)
    with pytest.raises(ExportError, match='expected in each \\[\\[problems\\]\\] entry, title = "..." and notebook'):
        load_manifest(tmp_path / "submission.toml")


PROBLEM = '[[problems]]\ntitle = "P"\nnotebook = "p.ipynb"\n'
CODE = '[code]\nfiles = ["a.py"]\n'


@pytest.mark.parametrize("manifest, message", [
    ('title = "t"\n[[problems]]\ntitle = "P"\nnotebook = 5\n' + CODE,
     'expected in each \\[\\[problems\\]\\] entry, title = "..." and notebook = "..."'),
    ('title = "t"\nproblems = []\n' + CODE, "expected a \\[\\[problems\\]\\] entry \\(two brackets\\) per notebook"),
    ('title = "t"\n[problems]\ntitle = "P"\nnotebook = "p.ipynb"\n' + CODE, "\\(two brackets\\) per notebook"),
    (PROBLEM + CODE, 'expected a title: title = "..."'),
    ('title = "t"\n' + PROBLEM + '[code]\nfiles = "a.py"\n', 'expected a \\[code\\] table with files = \\["cs231n/'),
    ('title = "t"\n[[problems', "cannot read the manifest"),
    ('title = "t"\nauthor = ["A", "B"]\n' + PROBLEM + CODE, 'expected author = "..." as one string'),
])
def test_a_malformed_manifest_says_what_it_expects_instead(tmp_path, manifest, message):
    (tmp_path / "submission.toml").write_text(manifest)
    with pytest.raises(ExportError, match=message):
        load_manifest(tmp_path / "submission.toml")


def test_files_that_are_not_utf8_and_a_folder_that_cannot_be_written_are_errors_not_tracebacks(tmp_path):
    (tmp_path / "submission.toml").write_bytes('title = "Problème"\n'.encode("latin-1"))
    with pytest.raises(ExportError, match="submission.toml: it is not UTF-8 .*save it as UTF-8"):
        load_manifest(tmp_path / "submission.toml")
    code = tmp_path / "latin.py"
    code.write_bytes('# problème\n'.encode("latin-1"))
    manifest = load_manifest(write_manifest(tmp_path, [small_notebook(tmp_path, ["x = 1"])], [code]))
    with pytest.raises(ExportError, match=f"cannot read the code file {code}: .*list UTF-8 Python files only"):
        combined_notebook(manifest)
    missing = tmp_path / "no-such-folder" / "submission.pdf"
    with pytest.raises(ExportError, match=f"cannot write {missing}: No such file or directory; choose a folder"):
        _write_atomically(missing, b"%PDF")


@pytest.mark.parametrize("text, bookmark", [
    (r"(b) \textbackslash partial L\_1", "(b) ∂L₁"), (r"\textbackslash alpha x", "αx"),
    (r"\textbackslash mathbf x", r"\textbackslash mathbf x"),     # unknown: left as it was, not 'mathbfx'
])
def test_bookmarks_spell_known_math_in_symbols_and_leave_the_rest(text, bookmark):
    assert _bookmark_symbols(text) == bookmark


@needs_tex
@pytest.mark.parametrize("author, expected", [(None, None),
                                              ("Ada Lovelace & Co_1, ID 12", r"\author{Ada Lovelace \& Co\_1, ID 12}")])
def test_the_manifests_author_is_printed_under_the_title_escaped(tmp_path, author, expected):
    notebook = small_notebook(tmp_path, ["x = 1"])
    tex, _ = latex_document(load_manifest(write_manifest(tmp_path, [notebook], [REPO / "cs231n" / "layer_utils.py"],
                                                         author=author)))
    authors = re.findall(r"^\s*\\author\{.*\}$", tex, flags=re.M)
    assert [line.strip() for line in authors] == ([] if expected is None else [expected])


def test_a_notebook_that_is_not_json_is_refused_by_name(tmp_path):
    folder = notebook_dir_with(tmp_path, lambda cells: None)
    broken = folder / MANIFEST.problems[1][1].name
    broken.write_text('{"cells": [')   # cut short, as by a crash while saving
    out = tmp_path / "out.pdf"
    result = export("--notebook-dir", folder, "-o", out)
    assert result.returncode != 0
    assert f"{broken} is not a readable notebook (" in result.stderr and "git checkout --" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("content", ["{}", "[]", '{"cells": 3}'])
def test_json_that_is_no_notebook_is_refused_by_name(tmp_path, content):
    (tmp_path / "p.ipynb").write_text(content)
    with pytest.raises(ExportError, match="p.ipynb is not a readable notebook"):
        check_notebooks([tmp_path / "p.ipynb"])


def test_output_into_a_missing_folder_is_refused_and_nothing_is_written(tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    before = {folder: set(os.listdir(folder)) for folder in (REPO, cwd, "/")}
    result = export("-o", "no_such_dir/x.pdf", cwd=cwd)
    assert result.returncode != 0
    assert f"the folder {cwd / 'no_such_dir'} for the output does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert {folder: set(os.listdir(folder)) for folder in before} == before
    assert not (REPO / "x.pdf").exists() and not (cwd / "x.pdf").exists() and not os.path.exists("/x.pdf")


def notebook_dir_with(tmp_path, edit):
    """A notebook folder holding a small executed notebook under each manifest name, Problem 1's
    changed by edit(cells); small so that the refusals do not depend on the real notebooks' state."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for k, (_, path) in enumerate(MANIFEST.problems):
        cells = [nbformat.v4.new_markdown_cell("# A problem")]
        cells += [nbformat.v4.new_code_cell(f"x = {n}", execution_count=n) for n in (1, 2, 3)]
        nb = nbformat.v4.new_notebook(cells=cells)
        if k == 0:
            edit(nb.cells)
        nbformat.write(nb, folder / path.name)
    return folder


def code_cells(cells):
    return [c for c in cells if c["cell_type"] == "code"]


@needs_tex
@pytest.mark.parametrize("edit, where, message", [
    (lambda cells: code_cells(cells)[1].update(execution_count=None), "cell 2/3 (cell 3 of the notebook)",
     "was not executed"),
    (lambda cells: code_cells(cells)[2].update(execution_count=1), "cell 3/3 (cell 4 of the notebook)",
     "ran out of order"),
    (lambda cells: code_cells(cells)[1].outputs.append(
        nbformat.v4.new_output("error", ename="E", evalue="", traceback=[])), "cell 2/3 (cell 3 of the notebook)",
     "holds an error output"),
])
def test_bad_notebooks_are_refused_and_nothing_is_written(tmp_path, edit, where, message):
    out = tmp_path / "out.pdf"
    result = export("--notebook-dir", notebook_dir_with(tmp_path, edit), "-o", out)
    assert result.returncode != 0
    # The same cell numbers as --execute's log: among the code cells, and among all cells.
    assert f"autoencoder_backprop.ipynb: {where} {message}" in result.stderr
    assert "Restart & Run All) and save it, or re-run them all with --execute" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


@needs_tex
def test_a_notebook_without_its_title_line_is_refused(tmp_path):
    out = tmp_path / "out.pdf"
    result = export("--notebook-dir", notebook_dir_with(tmp_path, lambda cells: cells.pop(0)), "-o", out)
    assert result.returncode != 0
    assert "autoencoder_backprop.ipynb: the first cell must be a Markdown cell opening with the title line" \
        in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_notebook_missing_from_the_notebook_dir_is_an_error(tmp_path):
    folder = notebook_dir_with(tmp_path, lambda cells: None)
    (folder / "fc_net.ipynb").unlink()
    result = export("--notebook-dir", folder, "-o", tmp_path / "out.pdf")
    assert result.returncode != 0
    assert f"the --notebook-dir folder {folder} lacks fc_net.ipynb: give the folder that holds" in result.stderr
    assert not (tmp_path / "out.pdf").exists()
    result = export("--notebook-dir", tmp_path / "gone", "-o", tmp_path / "out.pdf")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"the --notebook-dir folder {tmp_path / 'gone'} does not exist" in result.stderr


def path_without_tex(tmp_path):
    """A PATH holding only what export_pdf.sh itself runs (bash, dirname): no xelatex, no pandoc."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ["bash", "dirname"]:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    return str(bin_dir)


def test_missing_tex_is_explained_with_install_commands_and_an_html_fallback(tmp_path):
    out = tmp_path / "out.pdf"
    result = export("-o", out, path=path_without_tex(tmp_path))
    assert result.returncode != 0
    assert "xelatex and pandoc not found" in result.stderr
    assert "apt-get install texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc" in result.stderr
    assert "brew install" in result.stderr and "MiKTeX" in result.stderr and "HTML" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    for _, notebook in MANIFEST.problems:
        assert (REPO / "build" / "html" / f"{notebook.stem}.html").is_file()


def test_without_tex_unexecuted_notebooks_are_refused_before_any_html_is_written(tmp_path):
    folder = notebook_dir_with(tmp_path, lambda cells: code_cells(cells)[0].update(execution_count=None))
    html_files = {f.name: f.stat().st_mtime_ns for f in (REPO / "build" / "html").glob("*.html")}
    result = export("--notebook-dir", folder, "-o", tmp_path / "out.pdf", path=path_without_tex(tmp_path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "warning: xelatex and pandoc not found" in result.stdout and "was not executed" in result.stderr
    assert "HTML" not in result.stderr
    assert {f.name: f.stat().st_mtime_ns for f in (REPO / "build" / "html").glob("*.html")} == html_files


def problems_part(tex):
    """The problems' LaTeX in a submission's tex: from \\begin{document} (the preamble defines the
    macros, \\needfigure and \\codepart among them) to the last \\codepart, where the code listings
    start."""
    return tex[tex.index(r"\begin{document}"):tex.rindex(r"\codepart")]


def small_notebook(folder, sources, tags=None, kernel="python3"):
    """A notebook of code cells with the given sources (tags: {cell index: [tag, ...]}), saved with
    the kernel of that name."""
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for i, cell_tags in (tags or {}).items():
        cells[i].metadata["tags"] = cell_tags
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": kernel, "language": "python",
                                                                          "display_name": kernel}})
    path = folder / "small.ipynb"
    nbformat.write(nb, path)
    return path


def figure_notebook(folder, paragraphs, code_lines=1):
    """A problem notebook: its title line, `paragraphs` paragraphs of text, then one executed cell of
    code_lines lines, the last draw_the_figure(), with the 6 x 4 inch figure it drew."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=90)
    ax.plot([0, 1], [0, 1])
    png = io.BytesIO()
    fig.savefig(png, format="png")
    plt.close(fig)
    source = "".join(f"setting_{k} = {k}\n" for k in range(code_lines - 1)) + "draw_the_figure()"
    cell = nbformat.v4.new_code_cell(source, execution_count=1, outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": base64.b64encode(png.getvalue()).decode()})])
    text = [nbformat.v4.new_markdown_cell("# Problem 1 — t")]
    text += [nbformat.v4.new_markdown_cell(" ".join(["Words that fill the page."] * 20)) for _ in range(paragraphs)]
    path = folder / "figure.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[*text, cell]), path)
    return path


@pytest.mark.slow
@needs_tex
@pytest.mark.parametrize("code_lines, paragraphs, pages_on", [(1, 3, 0), (1, 5, 1), (17, 1, 0), (17, 3, 1)])
def test_a_cell_is_printed_on_the_page_of_its_figure(tmp_path, code_lines, paragraphs, pages_on):
    # For one line, 3 paragraphs leave room for the cell and its figure under them; 5 for the cell's
    # line but not its figure (without the template's \needfigure, the line stayed behind: 4 to 6
    # paragraphs). For 17 lines, 1 paragraph leaves room for both; 3 for the cell alone.
    notebook = figure_notebook(tmp_path, paragraphs, code_lines)
    manifest = write_manifest(tmp_path, [notebook], [REPO / "cs231n" / "layer_utils.py"])
    out = tmp_path / "figure.pdf"
    result = export("--manifest", manifest, "-o", out)
    assert result.returncode == 0, result.stderr
    pages = PdfReader(out).pages
    texts = [page.extract_text() for page in pages]
    title_page = next(k for k, text in enumerate(texts) if "Problem 1" in text and "Words" in text)
    code_pages = [k for k, text in enumerate(texts) if "draw_the_figure()" in text or "setting_0 " in text]
    figure_pages = [k for k, page in enumerate(pages) if page.images]
    assert code_pages == figure_pages == [title_page + pages_on]


@needs_tex
def test_every_figure_of_the_notebooks_is_kept_on_the_page_of_its_cell():
    # The template asks for room for the cell and its figure (\needfigure) only for cells of up to 20
    # lines with what they print: a longer figure cell in a notebook may be split from its figure.
    tex, _ = latex_document(MANIFEST)
    notebook_part = problems_part(tex)
    figures = re.findall(r"\\adjustimage\{[^}]*\}\{([^}]+)\}", notebook_part)
    kept = re.findall(r"\\needfigure\{\d+\}\{([^}]+)\}", notebook_part)
    assert len(figures) > 10 and set(kept) == set(figures)


@needs_tex
def test_a_heading_goes_with_the_figure_cell_after_it_even_when_an_earlier_heading_reads_the_same(tmp_path):
    figure_cell = nbformat.read(figure_notebook(tmp_path, 0), as_version=4).cells[-1]
    heading = "## The same heading"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Problem 1 — t"), nbformat.v4.new_markdown_cell(heading),
        nbformat.v4.new_code_cell("no_figure = 1"), nbformat.v4.new_markdown_cell(heading), figure_cell])
    path = tmp_path / "headings.ipynb"
    nbformat.write(nb, path)
    tex, _ = latex_document(load_manifest(write_manifest(tmp_path, [path], [REPO / "cs231n" / "layer_utils.py"])))
    notebook_part = problems_part(tex)
    # One \needfigure before the second heading, none before the first, one in the figure cell.
    first_heading, second_heading = (m.start() for m in re.finditer("The same heading", notebook_part))
    assert notebook_part.count(r"\needfigure{", first_heading, second_heading) == 1
    assert notebook_part.count(r"\needfigure{") == 2


def test_execute_shows_each_cell_and_writes_the_outputs_back(tmp_path):
    path = small_notebook(tmp_path, ["import os\nprint(os.getcwd())", "", "print(6 * 7)"])
    lines = []
    execute_notebook(path, log=lambda *args, **kwargs: lines.append("".join(args)))
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text.strip() == str(tmp_path)  # the kernel ran in the notebook's folder
    assert nb.cells[2].outputs[0].text == "42\n" and nb.cells[2].execution_count == 2
    assert [line.split(" at ")[0] for line in lines[0:4:2]] == ["export_pdf.sh: small.ipynb cell 1/2",
                                                              "export_pdf.sh: small.ipynb cell 2/2"]
    assert re.fullmatch(r" \d+\.\d s", lines[1]) and lines[-1].startswith("export_pdf.sh: small.ipynb executed in ")
    assert not list(tmp_path.glob(".*.part"))


def test_execute_runs_this_environments_python_whatever_kernel_the_notebook_was_saved_with(tmp_path):
    # Saved after Kernel > Change Kernel to a registered kernel, since removed: run and saved as python3.
    path = small_notebook(tmp_path, ["import sys\nprint(sys.prefix)"], kernel="cs231n-removed-long-ago")
    execute_notebook(path, log=lambda *args, **kwargs: None)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text.strip() == sys.prefix
    assert nb.metadata.kernelspec == {"display_name": "Python 3", "language": "python", "name": "python3"}


def test_a_failing_cell_names_the_cell_shows_the_error_and_leaves_the_notebook_as_it_was(tmp_path):
    path = small_notebook(tmp_path, ["x = 1", "raise ValueError('the planted failure')", "print(x)"])
    before = path.read_bytes()
    with pytest.raises(ExportError, match=r"(?s)small.ipynb failed at cell 2/3 \(cell 2 of the notebook\); "
                                          r"the notebook file is unchanged.*ValueError: the planted failure"):
        execute_notebook(path, log=lambda *args, **kwargs: None)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".*.part"))


@needs_tex
def test_cells_tagged_remove_cell_are_left_out(tmp_path):
    notebook = small_notebook(tmp_path, ["shown_cell = 1", "hidden_cell = 2"], tags={1: ["remove-cell"]})
    manifest = load_manifest(write_manifest(tmp_path, [notebook], [REPO / "cs231n" / "layer_utils.py"]))
    tex, _ = latex_document(manifest)
    assert "shown" in tex and "hidden" not in tex


@needs_tex
def test_a_cells_printed_text_is_one_block_however_often_it_was_flushed(tmp_path):
    path = small_notebook(tmp_path, ["for epoch in range(3): print(epoch)"])
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"epoch {k}\n") for k in range(3)]
    nbformat.write(nb, path)
    tex, _ = latex_document(load_manifest(write_manifest(tmp_path, [path], [REPO / "cs231n" / "layer_utils.py"])))
    notebook_part = problems_part(tex)
    assert re.search(r"epoch 0\n\s*epoch 1\n\s*epoch 2", notebook_part)
    assert notebook_part.count(r"\begin{Verbatim}") == 2   # the cell's code, and one block of its output


def test_an_interrupt_is_reported_in_one_line_not_a_traceback(monkeypatch, capsys):
    import cs231n.export as export_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module, "export", interrupted)
    assert export_module.main([]) == 130
    assert capsys.readouterr().err == ("export_pdf.sh: interrupted: no PDF was written, and a notebook being "
                                       "executed was not written back (those executed before it were)\n")


def test_clock_rounds_before_it_splits_minutes():
    assert [_clock(s) for s in (0, 59.94, 59.96, 119.97, 61.25)] == ["0:00.0", "0:59.9", "1:00.0", "2:00.0", "1:01.2"]


def test_code_files_of_this_repository_are_headed_by_their_path_in_it(tmp_path):
    # A manifest outside the repository (as one in build/ listing ../cs231n/...) heads the
    # listings of the repository's files cs231n/..., and a file outside it keeps its given name.
    outside = tmp_path / "helper.py"
    outside.write_text("x = 1\n")
    manifest = write_manifest(tmp_path, [REPO / "notebooks" / "fc_net.ipynb"],
                              [REPO / "cs231n" / "layers.py", outside])
    names = [name for name, _ in load_manifest(manifest).code_files]
    assert names == ["cs231n/layers.py", str(outside)]
