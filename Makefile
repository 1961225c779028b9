# The two commands of the README's quick start: `make run` and `make test`. Each installs what it needs first
# (system packages through scripts/deps, the package into .venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# What a build reads: a change to any of these files or folders (or a missing store) rebuilds; nothing else does.
SOURCES := $(shell find ontology triples queries kg ! -name '*.pyc' ! -name __pycache__ 2>/dev/null)
BUILT := .kg/store.built
ANSWERS := .kg/answers.txt

.PHONY: run test deps lint docs clean bench axe

$(STAMP): pyproject.toml
	scripts/deps run
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Build into .kg/store only when a source changed since the last build that passed (or the store is gone).
$(BUILT): $(STAMP) $(SOURCES) $(if $(wildcard .kg/store),,FORCE)
	$(BIN)/kg build $(if $(VERBOSE),,--quiet)
	touch $@

$(ANSWERS): $(BUILT)
	$(BIN)/kg query --all > $@.tmp
	mv $@.tmp $@

# Quiet by default: the answers go to .kg/answers.txt, one line per question here; `make run VERBOSE=1` prints all.
run: $(ANSWERS)
ifdef VERBOSE
	@cat $(ANSWERS)
else
	@echo "The story's questions, answered by the store .kg/store (each answer in full in $(ANSWERS)):"
	@awk '/^## /{name=$$2; sub(/:$$/, "", name)} /^[0-9,]+ rows?$$/{printf "  %-17s %s\n", name, $$0}' $(ANSWERS)
	@echo "make run VERBOSE=1 prints every answer and the build's progress."
	@echo "To run the README's examples (kg query ...), first: . $(BIN)/activate"
endif

FORCE:

deps:
	scripts/deps test

# The tests run on every core (pytest-xdist), each test module's on one worker so its fixtures are made once, the
# modules marked heavy first (tests/conftest.py) rather than those with the most tests (xdist's default order).
test: deps $(STAMP) axe
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/python -m mypy kg
	$(BIN)/python -m pytest -n auto --dist loadscope --no-loadscope-reorder --durations=25

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
