# The README's two commands are `make warehouse` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PERSONS ?= 20000
DAYS ?= 90
SEED ?= 42
# Spark names the files it reads by their absolute paths: the default root
# is absolute on the spark target (macro check_landing_root), and so is the
# default warehouse folder, which holds the metastore (profiles.yml)
ifeq ($(JOURNEY_DBT_TARGET),spark)
export JOURNEY_LANDING_PATH ?= $(CURDIR)/data/landing
export JOURNEY_SPARK_WAREHOUSE ?= $(CURDIR)/spark-warehouse
endif
export JOURNEY_LANDING_PATH ?= data/landing
export JOURNEY_DUCKDB_PATH ?= warehouse.duckdb
export JOURNEY_HASH_SALT ?= change-me
export DBT_PROFILES_DIR := $(CURDIR)
export DO_NOT_TRACK := 1
export SEND_ANONYMOUS_USAGE_STATS := no
NPM_STAMP := dashboards/node_modules/.installed

.PHONY: warehouse test setup java node browser dashboards-setup dashboards simulate build docs screenshots lint bench lock clean

warehouse: setup simulate build docs dashboards  ## set up, simulate the default data set, dbt build, docs, dashboards

$(STAMP): requirements.lock requirements-reference.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements-reference.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) java

java:  ## Java 17 or later for the spark target, Debian's headless JRE when missing
	@command -v java >/dev/null 2>&1 || { \
		SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
	@java -version 2>&1 | awk -F'"' '/version/ { split($$2, v, "."); exit (v[1] < 17) }' || { \
		echo "the spark target needs Java 17 or later: found $$(java -version 2>&1 | head -1)"; exit 1; }

# Evidence and its pinned dependencies: the versions in package-lock.json, which
# --no-save leaves as it is. (Not `npm ci`: npm leaves other platforms' optional
# packages out of the lock file and `npm ci` then refuses it, npm/cli#4828.)
# The postinstall script applies dashboards/patches (README, Dashboards).
$(NPM_STAMP): dashboards/package.json dashboards/package-lock.json $(wildcard dashboards/patches/*) | node
	cd dashboards && npm install --no-save --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

dashboards-setup: $(NPM_STAMP)

node:  ## Node.js 18 or later and npm, from Debian when missing (for the dashboards)
	@command -v npm >/dev/null 2>&1 || { \
		SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0] < 18))' || { \
		echo "the dashboards need Node.js 18 or later: found $$(node --version)"; exit 1; }

browser:  ## Debian's headless Chromium, for the docs-site tests (no browser download)
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

simulate: setup
	$(BIN)/journey simulate --persons $(PERSONS) --days $(DAYS) --seed $(SEED) --out data

build: setup
	$(BIN)/dbt build

docs: setup
	$(BIN)/dbt docs generate --static

dashboards: setup dashboards-setup  ## the Evidence site over the built warehouse, in dashboards/build
	$(BIN)/journey dashboards --warehouse $(JOURNEY_DUCKDB_PATH)

screenshots: browser docs dashboards  ## the README's screenshots of the docs site and the dashboards
	$(BIN)/journey screenshots --target target --dashboards dashboards/build --out docs/img

lint: setup
	$(BIN)/sqlfluff lint models tests/data analyses
	cd dashboards && ../$(BIN)/sqlfluff lint sources

test: setup browser dashboards-setup  ## the whole test suite
	$(BIN)/pytest

bench: setup
	$(BIN)/journey bench --persons $(PERSONS) --days $(DAYS)

lock:  ## re-resolve pyproject.toml's dependencies into requirements.lock
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv && .lockenv/bin/pip install --quiet . \
	&& .lockenv/bin/pip freeze --exclude customer-journey-warehouse > requirements.lock \
	&& rm -rf .lockenv

clean:
	rm -rf $(VENV) target logs data spark-warehouse warehouse.duckdb warehouse.duckdb.build* warehouse.duckdb.next* dashboards/node_modules dashboards/build dashboards/.evidence
