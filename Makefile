# The README's commands. Each sets up .venv first when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: setup demo test lint typecheck unit bench lock clean

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
	$(BIN)/uv pip compile pyproject.toml --extra test --extra serve --extra xlsx \
	  --python-version 3.11 --quiet -o requirements.lock

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
	$(BIN)/pytest -m "not e2e and not slow" -n auto -q $(PYTEST_ARGS)

# The whole suite, as CI runs it.
test: lint typecheck
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
