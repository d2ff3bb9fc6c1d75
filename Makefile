# The two commands (see README.md):
#   make homework   set up, fetch CIFAR-10, execute every notebook in place, write submission.pdf
#   make test       set up, fetch CIFAR-10, run the unit tests and every notebook under nbval
# A local CIFAR-10 archive is used with CIFAR10_ARCHIVE=FILE (and CIFAR10_ACCEPT_CHECKSUM=1 for
# an archive that is not the official one); both are read by datasets/get_datasets.sh.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NBVAL_FLAGS := --nbval-lax --nbval-current-env --nbval-cell-timeout=900 \
               --nbval-sanitize-with notebooks/nbval_sanitize.cfg

.PHONY: homework test setup data
.DELETE_ON_ERROR:

homework: setup
	bash export_pdf.sh --execute

test: setup
	$(PY) -m pytest $(NBVAL_FLAGS) tests notebooks

setup: $(VENV)/.installed data

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0] + "; run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

data:
	bash datasets/get_datasets.sh
