#!/usr/bin/env bash
# Build the Gradescope PDF: the executed notebooks in problem order, then the cs231n code, with a
# contents page and a bookmark per problem and per code file.
#
#   bash export_pdf.sh                  check the notebooks, write submission.pdf
#   bash export_pdf.sh --execute        re-run every notebook in place first (fresh kernels)
#   bash export_pdf.sh -o NAME.pdf      write another file
#   bash export_pdf.sh --notebook-dir DIR   take the notebooks from DIR (default: notebooks/)
#
# A notebook that was not executed, ran out of order, or holds an error output is refused. The PDF
# is written to a temporary file and renamed only when it is complete.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
output="$repo/submission.pdf"
notebook_dir="$repo/notebooks"
execute=0

die() { printf 'export_pdf.sh: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'export_pdf.sh: %s\n' "$*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --execute) execute=1; shift ;;
    -o|--output) [ $# -ge 2 ] || die "$1 needs a file name"; output="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --notebook-dir) [ $# -ge 2 ] || die "--notebook-dir needs a folder"; notebook_dir="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

if [ -x "$repo/.venv/bin/python" ]; then PY="$repo/.venv/bin/python"; else PY="$(command -v python3)"; fi
"$PY" -c 'import nbconvert, pypdf, pygments' 2>/dev/null \
  || die "nbconvert, pypdf and pygments are needed: run 'make setup' (or pip install -r requirements.txt)"

# Problem order, with the titles used for the bookmarks and the contents page.
notebooks=(autoencoder_backprop gplvm_backprop two_layer_net fc_net)
titles=("Problem 1: Linear autoencoder backprop" "Problem 2: GP-LVM backprop"
        "Problem 3: Two-layer neural network" "Problem 4: Fully connected networks")
code_files=(cs231n/layers.py cs231n/layer_utils.py cs231n/classifiers/neural_net.py
            cs231n/classifiers/fc_net.py cs231n/solver.py cs231n/optim.py cs231n/preprocessing.py
            cs231n/autoencoder.py cs231n/gplvm.py cs231n/gradient_check.py cs231n/data_utils.py
            cs231n/vis_utils.py cs231n/graph_vis.py)

present=() present_titles=()
for i in "${!notebooks[@]}"; do
  nb="$notebook_dir/${notebooks[$i]}.ipynb"
  if [ -f "$nb" ]; then present+=("$nb"); present_titles+=("${titles[$i]}")
  else say "WARNING: $nb not found; ${titles[$i]} is left out of the PDF"; fi
done
[ ${#present[@]} -gt 0 ] || die "no notebooks found in $notebook_dir"

missing_tools=()
for tool in xelatex pandoc; do command -v "$tool" >/dev/null 2>&1 || missing_tools+=("$tool"); done
if [ ${#missing_tools[@]} -gt 0 ]; then
  html_dir="$repo/build/html"
  mkdir -p "$html_dir"
  "$PY" -m nbconvert --to html --output-dir "$html_dir" "${present[@]}" >/dev/null 2>&1 || true
  die "${missing_tools[*]} not found: the PDF needs TeX (xelatex) and pandoc. Install them with
  Debian/Ubuntu: sudo apt-get install texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc
  macOS:         brew install --cask mactex-no-gui && brew install pandoc
  Windows:       install MiKTeX (https://miktex.org) and pandoc (https://pandoc.org)
Meanwhile the notebooks were written as HTML to $html_dir: open them in a browser and print to PDF."
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "$execute" = 1 ]; then
  for nb in "${present[@]}"; do
    say "executing $(basename "$nb")"
    (cd "$(dirname "$nb")" && "$PY" -m nbconvert --to notebook --execute --inplace \
        --ExecutePreprocessor.timeout=1200 "$nb" >"$work/execute.log" 2>&1) \
      || { tail -n 30 "$work/execute.log" >&2; die "executing $nb failed (log above)"; }
  done
fi

"$PY" - "${present[@]}" <<'PY' || exit 1
import json, sys
bad = []
for path in sys.argv[1:]:
    cells = json.load(open(path))["cells"]
    last = 0
    for i, cell in enumerate(cells, 1):
        if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
            continue
        count = cell.get("execution_count")
        if count is None:
            bad.append(f"{path}: code cell {i} was not executed"); break
        if count <= last:
            bad.append(f"{path}: code cell {i} ran out of order (execution count {count} after {last})"); break
        last = count
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            bad.append(f"{path}: code cell {i} holds an error output"); break
for line in bad:
    print(f"export_pdf.sh: error: {line}", file=sys.stderr)
if bad:
    print("export_pdf.sh: run the notebooks top to bottom (Restart & Run All), or use --execute", file=sys.stderr)
    sys.exit(1)
PY

parts=()
for i in "${!present[@]}"; do
  nb="${present[$i]}"
  say "rendering $(basename "$nb")"
  name="nb$i"
  (cd "$(dirname "$nb")" && "$PY" -m nbconvert --to pdf --output-dir "$work" --output "$name" "$nb" \
      >"$work/$name.log" 2>&1) \
    || { tail -n 40 "$work/$name.log" >&2; die "nbconvert could not render $nb to PDF (its log above)"; }
  parts+=("$work/$name.pdf" "${present_titles[$i]}")
done

say "rendering the code"
"$PY" - "$repo" "$work" "${code_files[@]}" <<'PY' || die "could not typeset the code listings"
import subprocess, sys
from pathlib import Path
from pygments import highlight
from pygments.formatters import LatexFormatter
from pygments.lexers import PythonLexer

repo, work, files = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
formatter = LatexFormatter(linenos=True, style="friendly", verboptions=r"fontsize=\footnotesize")
for k, name in enumerate(files):
    path = repo / name
    if not path.is_file():
        continue
    body = highlight(path.read_text(), PythonLexer(), formatter)
    title = name.replace("_", r"\_")
    tex = work / f"code{k}.tex"
    tex.write_text("\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage[a4paper,margin=1.6cm]{geometry}",
        r"\usepackage{fancyvrb,xcolor}",
        formatter.get_style_defs(),
        r"\pagestyle{plain}\begin{document}",
        rf"\section*{{\texttt{{{title}}}}}",
        body,
        r"\end{document}"]))
    result = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                            cwd=work, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-3000:], file=sys.stderr)
        sys.exit(f"xelatex failed on {name}")
PY
while IFS=$'\t' read -r pdf name; do parts+=("$pdf" "Code: $name"); done < <(
  for k in "${!code_files[@]}"; do
    [ -f "$work/code$k.pdf" ] && printf '%s\t%s\n' "$work/code$k.pdf" "${code_files[$k]}"
  done)

say "assembling $(basename "$output")"
"$PY" - "$work" "$output" "${parts[@]}" <<'PY' || die "could not assemble the PDF"
import os, subprocess, sys
from pathlib import Path
from pypdf import PdfReader, PdfWriter

work, output, rest = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
parts = list(zip(rest[0::2], rest[1::2]))
pages = [len(PdfReader(pdf).pages) for pdf, _ in parts]

# The contents page comes first; its entries give page numbers in the final PDF.
lines, page = [], 2
for (_, title), n in zip(parts, pages):
    lines.append(rf"{title.replace('_', chr(92) + '_')} \dotfill {page}\\")
    page += n
(work / "contents.tex").write_text("\n".join([
    r"\documentclass[12pt]{article}", r"\usepackage[a4paper,margin=2.5cm]{geometry}",
    r"\pagestyle{empty}\begin{document}", r"\section*{Backpropagation and fully connected networks: submission}",
    r"\noindent", *lines, r"\end{document}"]))
subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "contents.tex"], cwd=work,
               check=True, capture_output=True)
assert len(PdfReader(work / "contents.pdf").pages) == 1, "contents page overflowed"

writer = PdfWriter()
writer.append(str(work / "contents.pdf"), outline_item="Contents")
for pdf, title in parts:
    writer.append(pdf, outline_item=title)
tmp = output.with_name(f".{output.name}.part")
try:
    with open(tmp, "wb") as f:
        writer.write(f)
    os.replace(tmp, output)
finally:
    tmp.unlink(missing_ok=True)
print(f"export_pdf.sh: wrote {output} ({sum(pages) + 1} pages)")
PY
