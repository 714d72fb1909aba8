# The two set-up commands of the README. Both work on a fresh machine:
# they create .venv when it is missing and install what they need into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS ?= --disable-pip-version-check --quiet

.PHONY: demo test lint typecheck layers pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[demo]'
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[dev,demo]'
	touch $@ $(VENV)/.demo-installed

## make demo: open the console on the embedded incident world
demo: $(VENV)/.demo-installed
	$(BIN)/shipdeck --demo

## make test: every check CI runs (lint, format, types, layers, tests)
test: $(VENV)/.dev-installed lint typecheck layers pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy --strict

layers:
	$(BIN)/lint-imports

# pytest's exit code 5 (no tests collected) is a failure here, as any non-zero code.
pytest:
	$(BIN)/pytest -q

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
