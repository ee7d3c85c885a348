# segkit — `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install cycle test test-fast lab screenshot clean-outputs

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name segkit --display-name "Python (segkit)" >/dev/null
	touch $(STAMP)

## install: create .venv, install segkit with its dependencies, register the "segkit" Jupyter kernel
install: $(STAMP)

## cycle: run the whole sample cycle (both shipped cycles) and write reports/<cycle>/index.html
cycle: $(STAMP)
	$(BIN)/segkit cycle

## test: run the whole test suite (unit, notebooks under nbval, end-to-end cycle)
test: $(STAMP)
	$(BIN)/python -m pytest

## test-fast: unit tests only (no notebook execution)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

## lab: open the notebooks in JupyterLab
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## screenshot: redraw docs/index.png (README's picture of the index) from reports/2011-12-09/ (run `make cycle` first)
screenshot: $(STAMP)
	$(BIN)/python docs/screenshot.py

## clean-outputs: delete every cycle's artefacts and reports (data/processed, reports)
clean-outputs:
	find data/processed reports -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
