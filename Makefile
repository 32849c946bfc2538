# opspack — every target sets itself up: on a fresh machine `make demo` and `make test` are the whole set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
PYTEST_ARGS ?=
PY_DIRS := agents connectors mocks governance observability opspack tests fixtures

.PHONY: demo test lint bench venv clean mocks

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

demo: venv
	$(BIN)/opspack demo

lint: venv
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy

test: venv lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m pytest tests/bench -p no:cacheprovider -s -q --override-ini="norecursedirs=.* *.egg-info build"

mocks: venv
	$(BIN)/opspack mocks serve

clean:
	rm -rf $(VENV) .opspack .pytest_cache .mypy_cache .ruff_cache *.egg-info
