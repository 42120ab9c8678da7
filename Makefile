# The README's two commands are `make warehouse` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PERSONS ?= 20000
DAYS ?= 90
SEED ?= 42
export JOURNEY_LANDING_PATH ?= data/landing
export JOURNEY_DUCKDB_PATH ?= warehouse.duckdb
export JOURNEY_HASH_SALT ?= change-me
export DBT_PROFILES_DIR := $(CURDIR)
export DO_NOT_TRACK := 1

.PHONY: warehouse test setup simulate build docs lint bench lock clean

warehouse: setup simulate build docs  ## set up, simulate the default data set, dbt build, docs

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

simulate: setup
	$(BIN)/journey simulate --persons $(PERSONS) --days $(DAYS) --seed $(SEED) --out data

build: setup
	$(BIN)/dbt build

docs: setup
	$(BIN)/dbt docs generate

lint: setup
	$(BIN)/sqlfluff lint models tests/data analyses

test: setup  ## the whole test suite
	$(BIN)/pytest

bench: setup
	$(BIN)/journey bench --persons $(PERSONS) --days $(DAYS)

lock:  ## re-resolve pyproject.toml's dependencies into requirements.lock
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv && .lockenv/bin/pip install --quiet . \
	&& .lockenv/bin/pip freeze --exclude customer-journey-warehouse > requirements.lock \
	&& rm -rf .lockenv

clean:
	rm -rf $(VENV) target logs data warehouse.duckdb
