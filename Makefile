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
	$(BIN)/sportello certificates_demo_seal
	$(BIN)/sportello migrate --noinput
	$(BIN)/sportello spid_setup
	$(BIN)/sportello collectstatic --noinput --verbosity 0

run: setup
	$(BIN)/sportello demo --if-empty
	$(BIN)/sportello serve

PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/sportello

# AgID's conformance tool for SPID / CIE service providers, in a venv of its own: it pins old
# versions of libraries our own dependencies need newer. The tests that run it against the live
# SP skip with a reason when it could not be installed (and fail under CI=true).
SPID_SP_TEST_VERSION := 1.2.18
SPID_SP_TEST := .tools/spid-sp-test/bin/spid_sp_test
$(SPID_SP_TEST):
	@$(PYTHON) -m venv .tools/spid-sp-test && \
	.tools/spid-sp-test/bin/pip install --quiet spid-sp-test==$(SPID_SP_TEST_VERSION) || \
	echo "spid-sp-test non installato: i test di conformità SPID saranno saltati."

# The suite runs on SQLite, then again on PostgreSQL when one answers on 127.0.0.1:5432
# (under CI=true it must): that second pass runs the tests that use the database, the others
# would only repeat themselves. Tests needing Redis skip with a reason when it is absent.
# Two processes (pytest-xdist), each test file in one of them: files that share a peer or a
# Redis database keep their tests in order.
PYTEST_PARALLEL ?= -n 2 --dist loadfile
test: $(STAMP)
	@$(MAKE) --no-print-directory $(SPID_SP_TEST)
	$(BIN)/sportello compile_translations
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_PARALLEL)
	@if $(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 1)' 2>/dev/null; then \
		echo "== Seconda passata su PostgreSQL ($(PG_TEST_URL)): i test che usano il database =="; \
		SPORTELLO_DB_TESTS_ONLY=1 TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q $(PYTEST_PARALLEL); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL non raggiungibile su 127.0.0.1:5432, ma CI=true lo richiede."; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL non raggiungibile su 127.0.0.1:5432, seconda passata saltata."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .tools
