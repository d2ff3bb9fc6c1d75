# The two commands (see README.md):
#   make homework   set up, fetch CIFAR-10, execute every notebook in place, write submission.pdf
#   make test       set up, fetch CIFAR-10, run the unit tests, the lint and every notebook under nbval
# While working:
#   make check      unit tests and lint only: no notebooks, no tests marked slow
#   make problem3   Problem 3's unit tests and notebook (likewise problem1, problem2, problem4)
#   make pdf        submission.pdf from the notebooks as they are (run and saved in Jupyter), no re-run
#   make kernel     register this environment as the Jupyter kernel 'Python (cs231n)'
#   make bench      run the timing scripts in benchmarks/
#   make setup      create .venv and fetch CIFAR-10 only (every target above that needs them does
#                   this first; make data fetches CIFAR-10 alone)
#   make            (or make help) print this list
# A local CIFAR-10 archive is used with CIFAR10_ARCHIVE=FILE (and CIFAR10_ACCEPT_CHECKSUM=1 for
# an archive that is not the official one); both are read by datasets/get_datasets.sh.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NBVAL_FLAGS := --nbval-lax --nbval-current-env --nbval-cell-timeout=900 \
               --nbval-sanitize-with notebooks/nbval_sanitize.cfg

PROBLEMS := problem1 problem2 problem3 problem4

# The repository's folders are no targets: without a rule, make would take `make tests` (for make
# test) to mean the folder, say "Nothing to be done" and succeed.
FOLDERS := tests notebooks datasets benchmarks cs231n

.PHONY: help homework test check $(PROBLEMS) pdf kernel bench setup data $(FOLDERS)
.DELETE_ON_ERROR:

# A bare `make` lists the targets rather than starting minutes of training.
help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

homework: setup
	bash export_pdf.sh --execute

pdf: $(VENV)/.installed
	bash export_pdf.sh

test: setup
	$(PY) -m pytest $(NBVAL_FLAGS) tests notebooks

# Needs no CIFAR-10: the unit tests make their own tiny data set.
check: $(VENV)/.installed
	$(PY) -m pytest -m "not slow" tests

# Each test file and notebook is marked with its problems in tests/conftest.py (PROBLEMS).
$(PROBLEMS): setup
	$(PY) -m pytest $(NBVAL_FLAGS) -m $@ tests notebooks

# For Jupyter installed elsewhere (VS Code, a system JupyterLab). make test and make homework do
# not need it: they run the notebooks with this environment's own python3 kernel.
kernel: $(VENV)/.installed
	$(PY) -m ipykernel install --user --name cs231n --display-name "Python (cs231n)"

bench: setup
	$(PY) benchmarks/train_step.py
	$(PY) benchmarks/search.py --problem 3
	$(PY) benchmarks/search.py --problem 4

setup: $(VENV)/.installed data

# PYTHONWARNINGS: setuptools warns at every editable install that a folder named cs231n in the
# working directory could shadow the package; here that folder is the package itself.
$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0] + "; run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet --no-deps -e .
	touch $@

data:
	bash datasets/get_datasets.sh

$(FOLDERS):
	@echo "make: '$@' is a folder, not a target$(if $(filter tests,$@), (did you mean 'make test'?),);" \
	      "a bare 'make' lists the targets" >&2; exit 2
