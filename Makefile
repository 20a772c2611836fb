# Two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format setup clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Serve Python 3.11 ($(PYTHON) non trovato)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)
	$(BIN)/sportello compile_translations
	$(BIN)/sportello migrate --noinput
	$(BIN)/sportello collectstatic --noinput --verbosity 0

run: setup
	$(BIN)/sportello demo --if-empty
	$(BIN)/sportello serve

test: $(STAMP)
	$(BIN)/sportello compile_translations
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
