"""The submission PDF: the executed notebooks in problem order, then the package code.

The manifest (`submission.toml` at the repository root) names the document's title, each
problem's notebook and title, and the code files. The notebooks' cells and the code listings are
rendered as ONE LaTeX document (nbconvert's LaTeX template, extended in
`export_templates/submission.tex.j2`), so LaTeX itself numbers the pages and writes the contents
page and the PDF outline: a bookmark, a contents entry and the number at the foot of a page all
count pages of the same document.

`export_pdf.sh` runs `main`; `python -m cs231n.export --help` lists the options. nbconvert and
nbclient are imported where they are used: they take seconds to import, and a refusal needs
neither.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

PROG = "export_pdf.sh"
TEMPLATES = Path(__file__).resolve().parent / "export_templates"
REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_MANIFEST = REPOSITORY / "submission.toml"
PYTHON3_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
HIDDEN_TAG = "remove-cell"  # cells tagged so (cell metadata tags) stay out of the PDF
CELL_TIMEOUT = 1200  # seconds per cell under --execute; the CIFAR-10 searches take minutes
INSTALL_TEX = (
    "  Debian/Ubuntu: sudo apt-get install texlive-xetex texlive-fonts-recommended "
    "texlive-plain-generic pandoc\n"
    "  macOS:         brew install --cask mactex-no-gui && brew install pandoc\n"
    "  Windows:       install MiKTeX (https://miktex.org) and pandoc (https://pandoc.org)")


class ExportError(ValueError):
    """Why the PDF was not written, in words for the person who ran the export."""


@dataclass(frozen=True)
class Manifest:
    """What the PDF holds: its title; problems as (title, notebook path); code files as (name,
    which heads the file's listing, and path); root, the manifest's folder; author, the line
    printed under the title ("" for none)."""

    root: Path
    title: str
    problems: tuple[tuple[str, Path], ...]
    code_files: tuple[tuple[str, Path], ...]
    author: str = ""


def load_manifest(path=DEFAULT_MANIFEST, notebook_dir=None):
    """Read the manifest; notebook_dir, if given, replaces the folder of every listed notebook.

    Raises ExportError when the manifest is unreadable or malformed, or names a file that does
    not exist (all such files in one message).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ExportError(f"cannot read the manifest {path}: {e}") from None
    except UnicodeDecodeError as e:
        raise ExportError(f"cannot read the manifest {path}: it is not UTF-8 ({e}); save it "
                          "as UTF-8, as TOML requires") from None
    root = path.resolve().parent
    entries, code = data.get("problems"), data.get("code")
    for ok, expected in [
            (isinstance(data.get("title"), str), 'a title: title = "..."'),
            (isinstance(data.get("author", ""), str),
             'author = "..." as one string, such as "Ada Lovelace, ID 123", or no author'),
            (isinstance(entries, list) and entries,
             "a [[problems]] entry (two brackets) per notebook"),
            (all(isinstance(e, dict) and isinstance(e.get("title"), str)
                 and isinstance(e.get("notebook"), str) for e in entries or []),
             'in each [[problems]] entry, title = "..." and notebook = "..."'),
            (isinstance(code, dict) and isinstance(code.get("files"), list)
             and all(isinstance(f, str) for f in code["files"]),
             'a [code] table with files = ["cs231n/...", ...], a list of strings')]:
        if not ok:
            raise ExportError(f"{path}: expected {expected}")
    title = data["title"]
    problems = tuple((e["title"], root / e["notebook"]) for e in entries)
    code_files = tuple((_listing_name(name, root / name), root / name)
                       for name in code["files"])
    if notebook_dir is not None:
        folder = Path(notebook_dir).resolve()
        if not folder.is_dir():
            raise ExportError(f"the --notebook-dir folder {folder} does not exist "
                              "(or is not a folder)")
        problems = tuple((t, folder / nb.name) for t, nb in problems)
        absent = [nb.name for _, nb in problems if not nb.is_file()]
        if absent:
            raise ExportError(f"the --notebook-dir folder {folder} lacks {', '.join(absent)}: "
                              f"give the folder that holds the executed notebooks")
    missing = [str(p) for _, p in problems + code_files if not p.is_file()]
    if missing:
        raise ExportError(f"{path} lists files that do not exist: {', '.join(missing)}; "
                          "restore them (the repository's with git checkout -- FILE) or "
                          "correct the manifest")
    return Manifest(root, title, problems, code_files, data.get("author", "").strip())


def _listing_name(name, path):
    """The heading of a code file's listing: its path in this repository when it lies in it (so
    that a manifest in build/ listing ../cs231n/layers.py heads it cs231n/layers.py), else the
    name as the manifest gives it."""
    try:
        return path.resolve().relative_to(REPOSITORY).as_posix()
    except ValueError:
        return name


def read_notebook(path):
    """The notebook at path (nbformat 4); ExportError if it cannot be read as one."""
    if Path(path).suffix != ".ipynb":
        raise ExportError(f"{path} is not a Jupyter notebook (.ipynb): correct the manifest")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as e:   # not JSON, JSON that is no notebook, unreadable, ...
        detail = f"{type(e).__name__}: {e}"[:200]
        raise ExportError(f"{path} is not a readable notebook ({detail}); restore it, e.g. "
                          f"with git checkout -- {path}") from None


def check_notebooks(notebooks):
    """Raise ExportError unless every notebook opens with its title and ran top to bottom
    without errors.

    A notebook fails when a non-empty code cell has no execution count, when counts do not
    increase down the notebook (cells run out of order), or when a cell holds an error output;
    and when it does not open with its title line ('# Problem 1 -- ...'), the problem's one
    printed heading in the PDF.
    """
    bad = []
    for path in notebooks:
        cells = read_notebook(path).cells
        if (not cells or cells[0].cell_type != "markdown"
                or not cells[0].source.startswith("# ")):
            bad.append(f"{path}: the first cell must be a Markdown cell opening with the title "
                       "line '# Problem ...', which heads the problem in the PDF")
        code = _code_cells(cells)
        last = 0
        for k, i in enumerate(code, 1):
            cell, where = cells[i], f"{path}: {_cell_name(k, len(code), i)}"
            count = cell.get("execution_count")
            if count is None:
                bad.append(f"{where} was not executed")
                break
            if count <= last:
                bad.append(f"{where} ran out of order (execution count {count} after {last})")
                break
            last = count
            if any(o.output_type == "error" for o in cell.outputs):
                bad.append(f"{where} holds an error output")
                break
    if bad:
        raise ExportError("\n".join(bad) + "\nrun each such notebook top to bottom "
                          "(Kernel > Restart & Run All) and save it, or re-run them all with "
                          "--execute (make homework), which takes minutes")


def _code_cells(cells):
    """The indices of the non-empty code cells, the cells a run executes."""
    return [i for i, c in enumerate(cells) if c.cell_type == "code" and c.source.strip()]


def _cell_name(k, num_code, index):
    """How messages name a cell: its number among the code cells, and its place among all
    cells."""
    return f"cell {k}/{num_code} (cell {index + 1} of the notebook)"


def _clock(seconds):
    minutes, seconds = divmod(round(seconds, 1), 60)   # rounded first: 59.96 s is 1:00.0
    return f"{int(minutes)}:{seconds:04.1f}"


def execute_notebook(path, timeout=CELL_TIMEOUT, log=print):
    """Run a notebook in a fresh kernel from its own folder and write it back only if all
    succeeds.

    Prints one line per code cell: its number out of the notebook's code cells, the notebook's
    elapsed time when it started, and its duration. Raises ExportError naming the cell that
    failed, with its error; the notebook file is then left as it was. Returns the time
    taken (s).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = read_notebook(path)
    code = _code_cells(nb.cells)
    ordinal = {cell_index: k for k, cell_index in enumerate(code, 1)}
    start = time.monotonic()
    started = {}

    def on_cell_execute(cell, cell_index):
        started[cell_index] = time.monotonic()
        log(f"{PROG}: {path.name} cell {ordinal[cell_index]}/{len(code)} "
            f"at {_clock(started[cell_index] - start)} ...", end="", flush=True)

    def on_cell_executed(cell, cell_index, execute_reply):
        log(f" {time.monotonic() - started[cell_index]:.1f} s", flush=True)

    # Always this environment's own Python ("python3"), whatever kernel the notebook was last
    # saved with in Jupyter (a registered one such as "Python (cs231n)" may be gone, or be
    # another environment's); the notebook is written back with that plain kernel.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            on_cell_execute=on_cell_execute, on_cell_executed=on_cell_executed)
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        where = "start-up"
        if started:  # the cell that failed is the last one started
            failed = max(started, key=started.get)
            where = _cell_name(ordinal[failed], len(code), failed)
        error = re.sub(r"\x1b\[[0-9;]*m", "", str(e))  # the traceback's terminal colours
        raise ExportError(f"executing {path} failed at {where}; the notebook file is "
                          f"unchanged:\n{error}") from None
    nb.metadata["kernelspec"] = dict(PYTHON3_KERNELSPEC)
    _write_atomically(path, nbformat.writes(nb).encode("utf-8"))
    elapsed = time.monotonic() - start
    log(f"{PROG}: {path.name} executed in {_clock(elapsed)}")
    return elapsed


def _write_atomically(path, data):
    """Write data to a temporary file beside path and rename it over path only once complete.
    Raises ExportError if the folder cannot be written to."""
    part = path.with_name(f".{path.name}.part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e.strerror or e}; choose a folder you can "
                          "write to (-o for the PDF)") from None
    finally:
        part.unlink(missing_ok=True)


def _raw_latex(source):
    return nbformat.v4.new_raw_cell(source, metadata={"raw_mimetype": "text/latex"})


def combined_notebook(manifest):
    """One notebook holding, in order, each problem's heading and cells, then the code listings.

    Cell ids are dropped: the notebooks' ids need not be unique across notebooks.
    """
    from nbconvert.filters import escape_latex
    from pygments import highlight
    from pygments.formatters import LatexFormatter
    from pygments.lexers import PythonLexer

    cells = []
    first = None
    for title, path in manifest.problems:
        nb = read_notebook(path)
        first = first or nb
        cells.append(_raw_latex(rf"\submissionpart{{{escape_latex(title)}}}"))
        cells.extend(nb.cells)
    cells.append(_raw_latex(r"\codepart"))
    # The same Pygments style as nbconvert's code cells, whose \PY macros the template defines.
    formatter = LatexFormatter(style="default", linenos=True,
                               verboptions=r"fontsize=\footnotesize")
    for name, path in manifest.code_files:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ExportError(f"cannot read the code file {path}: {e}; list UTF-8 Python "
                              "files only") from None
        listing = highlight(source, PythonLexer(), formatter)
        cells.append(_raw_latex(rf"\codefile{{{escape_latex(name)}}}" + "\n" + listing))
    for cell in cells:
        cell.pop("id", None)
    return nbformat.v4.new_notebook(cells=cells, metadata=first.metadata, nbformat_minor=4)


# Math in a heading's bookmark: pandoc spells it out ('(b) \textbackslash partial L\_1'), which
# the outline would show as '(b) \partial L_1'; a grader reads '(b) ∂L₁' better.
MATH_SYMBOLS = {"partial": "∂", "nabla": "∇", "top": "⊤", "times": "×", "cdot": "·",
                "approx": "≈", "le": "≤", "ge": "≥", "sum": "Σ", "sigma": "σ", "Sigma": "Σ",
                "lambda": "λ", "theta": "θ", "epsilon": "ε", "alpha": "α", "beta": "β",
                "gamma": "γ", "delta": "δ", "mu": "μ", "pi": "π", "Lambda": "Λ"}
SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _group_end(tex, start):
    """The index just after the brace group that opens at tex[start] ('{'); escaped braces
    skipped."""
    depth, k = 0, start
    while True:
        if tex[k] == "\\":
            k += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[k], 0)
        k += 1
        if depth == 0:
            return k


def _bookmark_symbols(text):
    """Pandoc's plain-text spelling of a heading's math in symbols (see MATH_SYMBOLS):
    '... L\\_1' -> '... L₁'; a command not in MATH_SYMBOLS is left as it was."""
    text = re.sub(r"\\textbackslash (\w+) ?", lambda m: MATH_SYMBOLS.get(m[1], m[0]), text)
    text = re.sub(r"\\_(\d)", lambda m: m[1].translate(SUBSCRIPT_DIGITS), text)
    return text.replace("\\^{}", "")


def _with_symbol_bookmarks(tex):
    """tex with the bookmark text (second argument) of every \\texorpdfstring put in symbols."""
    parts, at = [], 0
    for m in re.finditer(r"\\texorpdfstring\{", tex):
        if m.start() < at:  # inside the previous one's arguments
            continue
        second = _group_end(tex, m.end() - 1)
        end = _group_end(tex, second)
        parts += [tex[at:second + 1], _bookmark_symbols(tex[second + 1:end - 1]), "}"]
        at = end
    return "".join(parts) + tex[at:]


def _exporter_config():
    """nbconvert's settings for both outputs: cells tagged HIDDEN_TAG left out, and each cell's
    runs of printed text merged into one block (a cell that prints while it runs, as training
    does, leaves one output per flush, which would be typeset as separate boxes with gaps
    between them)."""
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {HIDDEN_TAG}
    config.CoalesceStreamsPreprocessor.enabled = True
    return config


def latex_document(manifest):
    """The submission as LaTeX: returns (tex source, {file name: bytes} of the extracted
    figures)."""
    from nbconvert.exporters import LatexExporter

    config = _exporter_config()
    config.LatexPreprocessor.title = manifest.title
    if manifest.author:
        config.LatexPreprocessor.author_names = [manifest.author]
    exporter = LatexExporter(config=config, extra_template_paths=[str(TEMPLATES)],
                             template_file="submission.tex.j2")
    tex, resources = exporter.from_notebook_node(
        combined_notebook(manifest),
        resources={"unique_key": "figure", "metadata": {"name": "submission"}})
    return _with_symbol_bookmarks(tex), resources.get("outputs", {})


def _xelatex(work, tex_name):
    """Typeset until the contents, outline and page references stop changing (at most
    4 runs)."""
    aux = [work / Path(tex_name).with_suffix(ext) for ext in (".aux", ".toc", ".out")]
    before = None
    for _ in range(4):
        result = subprocess.run(
            ["xelatex", "-interaction=nonstopmode", "-halt-on-error", tex_name],
            cwd=work, capture_output=True, text=True, errors="replace")
        if result.returncode != 0:
            raise ExportError("xelatex could not typeset the PDF; the end of its log:\n"
                              + result.stdout[-3000:])
        after = [p.read_bytes() if p.exists() else b"" for p in aux]
        if after == before:
            return
        before = after
    raise ExportError("the contents page and outline did not settle after 4 xelatex runs")


def missing_tools():
    return [tool for tool in ("xelatex", "pandoc") if shutil.which(tool) is None]


def write_html(manifest, folder):
    """The notebooks as HTML in folder (hidden cells left out): the fallback when TeX is
    missing."""
    from nbconvert.exporters import HTMLExporter

    config = _exporter_config()
    folder.mkdir(parents=True, exist_ok=True)
    for _, path in manifest.problems:
        html, _ = HTMLExporter(config=config).from_filename(str(path))
        _write_atomically(folder / f"{path.stem}.html", html.encode("utf-8"))


def export(manifest, output, execute=False, log=print):
    """Check (or first --execute) the manifest's notebooks and write the PDF to output.

    output: path of the PDF; its folder must exist. The PDF is typeset in a temporary folder,
    copied beside output as a hidden .part file and renamed to output only when complete.
    Raises ExportError (nothing written to output) on any refusal or failure.
    """
    output = Path(output).absolute()
    if not output.parent.is_dir():
        raise ExportError(f"the folder {output.parent} for the output does not exist: "
                          "create it first or choose another -o")
    if output.is_dir():
        raise ExportError(f"the output {output} is a folder: give a file name such as "
                          f"{output / 'submission.pdf'}")
    tools = missing_tools()
    if tools:
        log(f"{PROG}: warning: {' and '.join(tools)} not found, so no PDF can be written; "
            f"the notebooks will be checked{' (after running them)' if execute else ''} "
            "and written as HTML instead")
    notebooks = [path for _, path in manifest.problems]
    if execute:
        times = []
        for path in notebooks:
            log(f"{PROG}: executing {path.name}")
            times.append(f"{path.name} {_clock(execute_notebook(path, log=log))}")
        log(f"{PROG}: executed {', '.join(times)} (min:s)")
    check_notebooks(notebooks)
    if tools:
        html = manifest.root / "build" / "html"
        write_html(manifest, html)
        raise ExportError(f"{' and '.join(tools)} not found: the PDF needs TeX (xelatex) and "
                          f"pandoc. Install them with\n{INSTALL_TEX}\n"
                          "Meanwhile the notebooks (not the code files) were written as HTML "
                          f"to {html}: open them in a browser and print to PDF.")
    log(f"{PROG}: rendering {_counted(len(notebooks), 'notebook')} and "
        f"{_counted(len(manifest.code_files), 'code file')}")
    tex, figures = latex_document(manifest)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, data in figures.items():
            (work / name).write_bytes(data)
        (work / "submission.tex").write_text(tex, encoding="utf-8")
        _xelatex(work, "submission.tex")
        _write_atomically(output, (work / "submission.pdf").read_bytes())
    log(f"{PROG}: wrote {output}")


def _counted(n, noun):
    """'1 notebook', '4 notebooks'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=PROG, description="Build the Gradescope PDF: the executed notebooks in problem "
        "order, then the cs231n code, with a contents page and a bookmark per problem, part "
        "and code file. A notebook that was not executed, ran out of order, holds an error "
        "output, or does not open with its '# ' title line is refused.")
    parser.add_argument("--execute", action="store_true",
                        help="re-run every notebook in place first (fresh kernels, each from "
                        "its folder)")
    parser.add_argument("-o", "--output",
                        help="the PDF to write (default: submission.pdf beside the manifest)")
    parser.add_argument("--notebook-dir",
                        help="take the notebooks from this folder (default: the manifest's)")
    parser.add_argument("--manifest", default=str(DEFAULT_MANIFEST),
                        help="the notebooks with their problem titles, and the code files "
                        "(default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        manifest = load_manifest(args.manifest, args.notebook_dir)
        export(manifest, args.output or manifest.root / "submission.pdf", execute=args.execute)
    except ExportError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted: no PDF was written, and a notebook being executed was not "
              "written back (those executed before it were)", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
