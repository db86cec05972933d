# The two commands a newcomer needs: `make demo` and `make test`.
# Installs come from the hashed lock files; `make lock` remakes them after pyproject.toml changes.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV     := uv==0.13.8
LOCKENV := build/lock-env

.PHONY: demo test lint types contracts pytest lock lock-upgrade lock-check clean

$(STAMP): pyproject.toml requirements-dev.lock requirements-build.lock
	$(PYTHON) tools/lockfile.py check
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock -r requirements-build.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsbot demo

test: $(STAMP) lock-check lint types contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy bot

contracts: $(STAMP)
	$(BIN)/lint-imports

# The whole suite (store tests on SQLite and PostgreSQL) and, beside it in a second process,
# every test that builds an App again with its database on PostgreSQL (that pass skips itself
# when none is reachable). Its output goes to build/pytest-postgresql.log, printed at the end.
PG_LOG := build/pytest-postgresql.log
pytest: $(STAMP)
	@mkdir -p build
	@NEWSBOT_TEST_DATABASE=postgresql $(BIN)/pytest -m app_db -p no:cacheprovider \
	    > $(PG_LOG) 2>&1 & pg=$$!; \
	$(BIN)/pytest; sqlite=$$?; \
	wait $$pg; postgresql=$$?; \
	echo "== NEWSBOT_TEST_DATABASE=postgresql pytest -m app_db (exit $$postgresql) =="; \
	cat $(PG_LOG); \
	test $$sqlite -eq 0 && test $$postgresql -eq 0

# Remake requirements.lock and requirements-dev.lock from pyproject.toml, keeping every pin
# that still fits (lock-upgrade moves them all to the newest releases). uv comes from PyPI.
$(LOCKENV)/bin/uv:
	$(PYTHON) -m venv $(LOCKENV)
	$(LOCKENV)/bin/pip install --quiet '$(UV)'

lock: $(LOCKENV)/bin/uv
	$(PYTHON) tools/lockfile.py write $(LOCKENV)/bin/uv

lock-upgrade: $(LOCKENV)/bin/uv
	$(PYTHON) tools/lockfile.py write $(LOCKENV)/bin/uv --upgrade

lock-check:
	$(PYTHON) tools/lockfile.py check

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
