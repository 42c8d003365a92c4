# Reproducible analysis of TACE with irinotecan microspheres for NET liver metastases.
# `make` or `make help` lists the targets. Every target bootstraps .venv/ first (make setup).

SHELL       := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3.11
VENV        := .venv
PY          := $(VENV)/bin/python
KERNEL      := tace-net
DATA        ?= data/synthetic
OUT         ?= reports
PARAMS      ?=
DRAWS       ?= 10000
STAMP       := $(VENV)/.installed

PARAM_FLAGS := $(foreach p,$(PARAMS),-p $(p))
# the package's bytecode (a no-op when up to date): every notebook kernel imports the package, and where
# PYTHONDONTWRITEBYTECODE is set (as in many containers) each kernel would compile it from source again
BYTECODE    := @$(PY) -m compileall -q analysis >/dev/null

.PHONY: docs help setup reproduce numbers validate audit synthesize sensitivity notebooks test test-fast lint bench r-fixtures lab clean

help: ## Show this help (the default target)
	@echo "Usage: make TARGET [DATA=dir] [OUT=dir] [PARAMS='name=value ...']"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Defaults: DATA=$(DATA) OUT=$(OUT)"

$(STAMP): requirements.txt requirements-lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || { echo "error: $(PYTHON) is not Python 3.11" >&2; exit 1; }
	@echo "==> creating $(VENV)/ and installing the pinned environment (first run only, a few minutes)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c requirements-lock.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(BYTECODE)
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python 3.11 ($(KERNEL))" >/dev/null
	@touch $(STAMP)
	@echo "==> environment ready: $(VENV)/ (Jupyter kernel '$(KERNEL)')"

setup: $(STAMP) ## Create .venv/ with the pinned packages and register the Jupyter kernel

reproduce: $(STAMP) ## Run the whole analysis: DATA -> OUT (notebooks, html, tables, figures, numbers.json)
	$(BYTECODE)
	$(PY) -m analysis reproduce --data $(DATA) --out $(OUT) $(PARAM_FLAGS)

numbers: $(STAMP) ## Compute every number in-process (no notebooks) -> OUT/numbers.json
	$(PY) -m analysis numbers --data $(DATA) --out $(OUT)/numbers.json $(PARAM_FLAGS)

validate: $(STAMP) ## Check DATA against the dataset contract (lists every problem)
	$(PY) -m analysis validate $(DATA)

audit: $(STAMP) ## Consistency audit of the publication -> OUT/audit.csv, OUT/audit.md
	$(PY) -m analysis audit --out $(OUT)

synthesize: $(STAMP) ## Rebuild the bundled synthetic cohort in data/synthetic/ (default seed)
	$(PY) -m analysis synthesize --out data/synthetic

sensitivity: $(STAMP) ## p-values over cohorts that reproduce the printed quartiles -> OUT/sensitivity [DRAWS=10000 SEED=n SCHEDULER=tcp://host:8786]
	$(PY) -m analysis sensitivity --draws $(DRAWS) --out $(OUT)/sensitivity $(if $(SEED),--seed $(SEED)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

notebooks: $(STAMP) ## Re-execute the committed notebooks in place on the synthetic cohort
	$(PY) -m analysis notebooks

test: $(STAMP) ## Run every test (lint, unit, doctests, R parity, bad input, end-to-end, nbval notebooks)
	$(PY) -m ruff check analysis tests bench
	$(PY) -m pytest tests analysis --doctest-modules
	$(PY) -m pytest --nbval notebooks --nbval-kernel-name $(KERNEL) --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-kernel-startup-timeout 300 --nbval-cell-timeout 600 -p no:cacheprovider

lint: $(STAMP) ## Check the code style (ruff, configured in pyproject.toml)
	$(PY) -m ruff check analysis tests bench

test-fast: $(STAMP) ## Unit tests and doctests only (skips notebooks and whole-pipeline runs)
	$(PY) -m pytest tests analysis --doctest-modules -m "not slow"

bench: $(STAMP) ## Time the speed targets (reproduce vs papermill one by one, cached reproduce, audit, synthesize, sensitivity; 34 vs 34,000 patients)
	$(BYTECODE)
	$(PY) bench/run.py
	$(PY) bench/sensitivity_bench.py
	$(PY) bench/scale.py

r-fixtures: ## Regenerate the R reference values in tests/r/ (needs R 4.2: apt-get install r-base-core r-cran-jsonlite)
	Rscript tests/r/make_fixtures.R

docs: $(STAMP) ## Regenerate the data dictionary (README.md and data/DATA_DICTIONARY.md) from the schema
	$(PY) -c "from analysis.docs import write_docs; print('\\n'.join(write_docs()) or 'docs up to date')"

lab: $(STAMP) ## Start JupyterLab (token auth on, localhost only)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root)

clean: ## Remove generated output (reports/ except its README, caches); keeps .venv/ (`rm -rf .venv` drops it)
	find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf reports.failed build bench/out .cache .pytest_cache
	find analysis tests -name __pycache__ -type d -prune -exec rm -rf {} +
