# The README's commands. Each sets up .venv first when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# `make unit`'s selection: everything but whole-room crawls, browser, LibreOffice and kill loops.
UNIT_PYTEST = pytest -m "not e2e and not slow" -n auto --dist worksteal -q
# The throwaway environment `make test-lowest` builds (removed and made again each time).
LOWEST ?= /tmp/pressarchive-lowest
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --extra test --extra serve --extra xlsx \
  --python-version 3.11 --quiet

.PHONY: setup demo test lint typecheck unit bench lock test-lowest clean

# The exact versions the suite was run with (requirements.lock, renewed by
# `make lock` within pyproject's bounds), then the project itself.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

lock: setup
	$(BIN)/python -m pip install --quiet uv
	$(UV_COMPILE) -o requirements.lock

setup: $(STAMP)

demo: setup
	$(BIN)/pressarchive demo --db data/demo.db

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy pressarchive spiders pipelines

# The quick loop: everything but whole-room crawls, browser, LibreOffice and kill loops.
unit: setup
	$(BIN)/$(UNIT_PYTEST) $(PYTEST_ARGS)

# pyproject's lower bounds, proven: the oldest allowed version of every direct
# dependency (requirements-lowest.txt; dependencies of dependencies at their
# newest, as uv's lowest-direct resolves them) in a throwaway venv, running
# `make unit`'s tests. A few minutes; not part of `make test` or CI.
test-lowest: setup
	$(BIN)/python -m pip install --quiet uv
	$(UV_COMPILE) --resolution lowest-direct -o requirements-lowest.txt
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(BIN)/python $(LOWEST)
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python -r requirements-lowest.txt
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python --no-deps -e .
	$(LOWEST)/bin/$(UNIT_PYTEST) $(PYTEST_ARGS)

# The whole suite, as CI runs it. worksteal: an idle worker takes tests queued
# for the other, so the few long crawl tests do not leave one core idle at
# the end. Measured on a slow day, one run each: 268 s, and 298 s from a clean
# clone, against 293 s without it; the tests' durations sum to ~506 s, so on 2
# cores the floor is ~253 s and most of the spread is the machine's.
test: lint typecheck
	$(BIN)/pytest -n 2 --dist worksteal $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
