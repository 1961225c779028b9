# The two commands of the README's quick start: `make run` and `make test`. Each creates .venv if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint docs clean bench axe

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kg build
	$(BIN)/kg query --all

test: $(STAMP) axe
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/python -m mypy kg
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks --sizes 1e3,1e5,1e6 --repeat 3
	$(BIN)/python -m benchmarks.report

docs: $(STAMP)
	$(BIN)/python -m kg.docs

# axe-core (the accessibility checker) for tests/test_reader.py, installed once under .cache/, never fetched by a test.
axe: .cache/axe/node_modules/axe-core/axe.min.js

.cache/axe/node_modules/axe-core/axe.min.js:
	npm install --no-save --no-audit --no-fund --prefix .cache/axe axe-core@4.14.1

clean:
	rm -rf .kg $(VENV)
