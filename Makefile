# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint types contracts pytest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsbot demo

test: $(STAMP) lint types contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy bot

contracts: $(STAMP)
	$(BIN)/lint-imports

# The whole suite (store tests on SQLite and PostgreSQL), then every test that builds an App
# again with its database on PostgreSQL; that pass skips itself when none is reachable.
pytest: $(STAMP)
	$(BIN)/pytest
	NEWSBOT_TEST_DATABASE=postgresql $(BIN)/pytest -m app_db

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
