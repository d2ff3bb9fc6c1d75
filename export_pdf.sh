#!/usr/bin/env bash
# Build the Gradescope PDF: the executed notebooks in problem order, then the cs231n code, with a
# contents page and a bookmark per problem, part and code file (see submission.toml).
#
#   bash export_pdf.sh                  check the notebooks, write submission.pdf
#   bash export_pdf.sh --execute        re-run every notebook in place first (fresh kernels)
#   bash export_pdf.sh -o NAME.pdf      write another file (its folder must exist)
#   bash export_pdf.sh --notebook-dir DIR   take the notebooks from DIR (default: notebooks/)
#   bash export_pdf.sh --manifest FILE      another list of notebooks and code files than
#                                           submission.toml (e.g. one problem, with --execute)
#
# A notebook that was not executed, ran out of order, holds an error output, or does not open with
# its '# ' title line is refused. The PDF is written to a temporary file and renamed only when it
# is complete. The work is done by cs231n/export.py; this script finds the project's Python for it.
# sh would stop at the next line with "Illegal option -o pipefail", which names no cause.
[ -n "${BASH_VERSION:-}" ] || { echo "export_pdf.sh: error: run this script with bash: bash export_pdf.sh" >&2; exit 2; }
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -x "$repo/.venv/bin/python" ]; then PY="$repo/.venv/bin/python"; else PY="$(command -v python3)"; fi
# find_spec, not import: the check costs no time (nbconvert alone takes seconds to import).
"$PY" -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in sys.argv[1:]))' \
    cs231n nbconvert nbclient pygments 2>/dev/null || {
  printf 'export_pdf.sh: error: %s\n' "cs231n, nbconvert, nbclient and pygments are needed: run 'make setup' (or pip install -r requirements.txt && pip install -e .)" >&2
  exit 1
}
exec "$PY" -m cs231n.export --manifest "$repo/submission.toml" "$@"
