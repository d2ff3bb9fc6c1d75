"""Checks on the committed notebooks: no paths of the machine they ran on in their outputs, and
every measured figure that the prose cites backed by an output.

The prose check (`test_the_prose_cites_only_figures_the_outputs_show`) reads every Markdown cell
of a notebook and finds the figures a run produces:

- percentages (`52.3%`, and ranges `59–71%`): an output must show the same value at the prose's
  decimals, either as a percentage or as a fraction (`0.523` for 52.3%);
- times (`27 s`, `2.4 minutes`): an output time in s or min that rounds to it;
- numbers in scientific notation with a mantissa (`2.21e-05`, `$3.4\\times10^{-8}$`): an output
  number equal to it at the prose's significant digits. A bare power of ten (`$10^{-7}$`) is an
  order of magnitude or a tolerance, not a measurement, and is not checked;
- ratios (`1.3×`, `1.2–1.4x`, `$2\\times$` not followed by a number, which would be a shape
  such as `32\\times32`): an output ratio (a number followed by × or x) that rounds to it.

A figure is also backed when a code cell of the notebook sets it (the same literal, e.g. a
learning rate `2e-4` cited as `$2\\times10^{-4}$`): it is then an input, not a result.
`IPython.display.Markdown` outputs are outputs: a summary rendered from the measured variables
passes by construction, and its own text is not checked.

Exemptions are explicit: a figure that is not a measurement (a budget, an aim, a threshold the
handout sets) is exempt when the three words before it say so with one of EXEMPT_PHRASES
("budget", "aim", "at least", "at most", "asked for", "the handout's", "asserted", "must",
"tolerance", "≥", "≤"), as in "our aim of 53%", "(budget: 6 minutes)", "asserted ≥ 50%".
Nothing else is skipped.
"""
import base64
import re

import nbformat
import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
# Absolute paths of a machine: home folders, /root, /work, /tmp, macOS's temporary folders, and
# Windows drive letters. Relative paths (datasets/cifar-10-batches-py) are fine.
MACHINE_PATH = re.compile(r"(?<![\w.~-])(?:/home/|/root/|/work/|/Users/|/tmp/|/var/folders/|[A-Za-z]:\\)")
EXEMPT_PHRASES = ("budget", "aim", "at least", "at most", "asked for", "the handout's", "asserted", "must",
                  "tolerance", "≥", "≤")

NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
DASH = r"\s*(?:–|-|--|to)\s*"
# Each kind of cited figure: its pattern in the prose (groups: an optional range start, the
# number; for scientific notation: mantissa and exponent).
PERCENT = re.compile(rf"(?<![\w.])(?:({NUMBER}){DASH})?({NUMBER})\s*(?:\\?%)")
TIME = re.compile(rf"(?<![\w.])(?:({NUMBER}){DASH})?({NUMBER})\s*(s|seconds?|min|minutes?)\b")
RATIO = re.compile(rf"(?<![\w.])(?:({NUMBER}){DASH})?({NUMBER})\s*(?:×|x\b|\\times)(?!\s*\d|\s*10\^)")
SCIENTIFIC = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?:e([-+]?\d+)|\s*(?:\\times|\\cdot|×)\s*10\^\{?([-+−]?\d+)\}?)")
# Numbers in outputs, with the unit that follows them, if any.
OUTPUT_NUMBER = re.compile(r"(?<![\w.])([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*"
                           r"(%|×|x\b|s\b|sec\b|seconds?\b|min\b|minutes?\b)?")


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def output_texts(cell):
    """The text of a code cell's outputs (streams, and the text of every rich output)."""
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            yield output.text
        for mime in ("text/plain", "text/markdown", "text/html", "text/latex"):
            if mime in output.get("data", {}):
                yield output.data[mime]
        if output.output_type == "error":
            yield "\n".join(output.traceback)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_machine_paths_in_the_outputs(path):
    found = [f"cell {i}: {line.strip()}" for i, cell in enumerate(_cells(path), 1) if cell.cell_type == "code"
             for text in output_texts(cell) for line in text.splitlines() if MACHINE_PATH.search(line)]
    assert found == [], "outputs show paths of the machine they ran on"


def _value(number):
    return float(number.replace(",", ""))


def _decimals(number):
    return len(number.split(".")[1]) if "." in number else 0


def _rounds_to(value, cited):
    """Whether value, rounded as the prose rounds `cited` (a number as written), equals it."""
    return round(value, _decimals(cited)) == _value(cited)


def _significant(mantissa):
    return len(mantissa.replace(".", "").lstrip("0"))


def evidence(cells):
    """What the notebook shows: numbers in outputs as (value, unit or ''), and the numbers that the
    code sets (literals in code cells)."""
    shown, set_by_code = [], set()
    for cell in cells:
        if cell.cell_type != "code":
            continue
        for text in output_texts(cell):
            shown += [(float(n), (unit or "").lower()) for n, unit in OUTPUT_NUMBER.findall(text)]
        set_by_code |= {float(n) for n, _ in OUTPUT_NUMBER.findall(cell.source)}
    return shown, set_by_code


def backed(kind, cited, shown, set_by_code):
    """Whether one cited figure (kind: '%', 'min', 's', 'x', 'e'; cited: as written) is backed."""
    if kind == "e":
        mantissa, exponent = cited
        value = _value(mantissa) * 10.0 ** int(exponent)
        digits = _significant(mantissa) - 1
        return value in set_by_code or any(v != 0 and f"{v:.{digits}e}" == f"{value:.{digits}e}" for v, _ in shown)
    if _value(cited) in set_by_code:
        return True
    if kind == "%":
        return any((unit == "%" and _rounds_to(v, cited)) or (not unit and 0 <= v <= 1 and _rounds_to(100 * v, cited))
                   for v, unit in shown)
    if kind in ("s", "min"):
        seconds = [v * 60 if unit.startswith("min") else v for v, unit in shown if unit.startswith(("s", "min"))]
        scale = 60 if kind == "min" else 1
        return any(_rounds_to(t / scale, cited) for t in seconds)
    return any(unit in ("×", "x") and _rounds_to(v, cited) for v, unit in shown)


def exempt(prose, start):
    """Whether the three words before the figure at `start` say that it is no measurement."""
    before = " ".join(prose[:start].lower().split()[-3:])
    return any(phrase in before for phrase in EXEMPT_PHRASES)


def cited_figures(prose):
    """Every measured figure the prose cites: (kind, cited as written, the text around it, offset)."""
    found = []
    for pattern, kind in ((PERCENT, "%"), (TIME, "t"), (RATIO, "x")):
        for m in pattern.finditer(prose):
            if kind == "x" and SCIENTIFIC.match(prose, m.start(2)):
                continue
            unit = kind if kind != "t" else ("min" if m.group(3).startswith("min") else "s")
            for number in filter(None, m.groups()[:2]):
                found.append((unit, number, m.group(0), m.start()))
    for m in SCIENTIFIC.finditer(prose):
        exponent = (m.group(2) or m.group(3)).replace("−", "-")
        found.append(("e", (m.group(1), exponent), m.group(0), m.start()))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_prose_cites_only_figures_the_outputs_show(path):
    cells = _cells(path)
    shown, set_by_code = evidence(cells)
    unbacked = []
    for i, cell in enumerate(cells, 1):
        if cell.cell_type != "markdown":
            continue
        for kind, cited, text, start in cited_figures(cell.source):
            if not exempt(cell.source, start) and not backed(kind, cited, shown, set_by_code):
                unbacked.append(f"cell {i}: {text.strip()}")
    assert unbacked == [], ("the prose cites figures that no output shows (render them from the measured "
                            "values, or mark a budget or aim as the module docstring says)")


# A format field such as {solver_train:.1%} left in an output: a string that lost its f prefix.
UNFORMATTED_FIELD = re.compile(r"\{[A-Za-z_][\w.]*(?:\[[^\]]*\])?:[<>^+,]?\d*(?:\.\d+)?[%fegd]\}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_unformatted_fields_in_the_outputs(path):
    found = [f"cell {i}: {match.group()}" for i, cell in enumerate(_cells(path), 1) if cell.cell_type == "code"
             for text in output_texts(cell) for match in UNFORMATTED_FIELD.finditer(text)]
    assert found == [], "outputs show format fields that were never filled in (a missing f prefix?)"


def test_the_unformatted_field_check_finds_one():
    assert UNFORMATTED_FIELD.findall("accuracy, {solver_train:.1%} at the last check, {x[0]:.3f}; "
                                     "$10^{-3}$, \\mathrm{diag}, {100 * se:.1f}") == ["{solver_train:.1%}",
                                                                                     "{x[0]:.3f}"]


# The PDF prints a figure at most 0.9 x 6.5 in wide (nbconvert's LaTeX template on letter paper),
# scaling a wider one down, its text with it: beyond 9 in, matplotlib's 10-pt labels print below
# 6.5 pt. The notebooks draw at 90 dpi, so 9 in is 810 pixels.
FIGURE_DPI, MAX_FIGURE_INCHES = 90, 9


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_are_narrow_enough_to_print_their_labels_legibly(path):
    cells = _cells(path)
    # (cell, width in pixels) of every figure; a cell may draw several.
    widths = [(i, int.from_bytes(base64.b64decode(output["data"]["image/png"])[16:20], "big"))   # PNG IHDR
              for i, cell in enumerate(cells, 1) if cell.cell_type == "code"
              for output in cell.outputs if "image/png" in output.get("data", {})]
    assert widths, f"{path.name} has no figure"
    assert any(f'plt.rcParams["figure.dpi"] = {FIGURE_DPI}' in cell.source for cell in cells)
    wide = [(i, f"{width / FIGURE_DPI:.1f} in") for i, width in widths if width > MAX_FIGURE_INCHES * FIGURE_DPI]
    assert not wide, f"figures wider than {MAX_FIGURE_INCHES} in (cell, width), printed too small: {wide}"
