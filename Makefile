# Two commands on a fresh clone: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# Every dbt call runs under a timeout, so a hung run fails instead of blocking CI.
DBT_TIMEOUT ?= 1200
DBT := timeout $(DBT_TIMEOUT) $(BIN)/dbt

.PHONY: help setup chromium run test lint seed build daily docs structure semantic pytest bench report clean

help:
	@echo "make run    install, build the warehouse on the sample data, write the daily report"
	@echo "make test   install, then lint, dbt build (data + unit tests), structure check, pytest"
	@echo "make daily  incremental build after loading new data (recent-rows tests)"
	@echo "make bench  benchmark generator, loader and dbt at several sizes (slow)"
	@echo "make docs   dbt docs generate (browsable site in target/)"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python python3.11 --quiet
	touch $@

# The DuckDB files live in warehouse/ (kept in git, contents ignored); dbt and
# sqlfluff's dbt templater open them, and DuckDB does not create the folder.
setup: $(VENV)/.synced
	@mkdir -p warehouse

# Headless Chromium (Debian package) for the report's rendering test.
chromium:
	@command -v chromium >/dev/null || { \
		echo "installing chromium (apt-get) for the report rendering test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium >/dev/null; }

seed: setup
	$(DBT) seed --quiet

build: seed
	$(DBT) build

# The daily run, after `behavior load` of the new files: incremental models rebuild
# what the new rows touch; data tests on them check those recent rows only (var
# behavior__test_recent_only); unit tests, which read no data, stay in `make test`.
DAILY_FLAGS := --vars '{behavior__test_recent_only: true}' --exclude-resource-type unit_test
daily: seed
	$(DBT) build $(DAILY_FLAGS)

run: build
	$(BIN)/behavior report --database warehouse/sample.duckdb
	$(BIN)/behavior summary --database warehouse/sample.duckdb

lint: setup
	$(BIN)/ruff check scripts tests/python
	$(BIN)/ruff format --check scripts tests/python
	$(BIN)/behavior contract --check
	$(BIN)/sqlfluff lint models analyses tests/singular --processes 2

structure: setup
	$(BIN)/behavior check-structure target/manifest.json

# MetricFlow validates the semantic models and metrics (target/semantic_manifest.json,
# written by the build) against the built warehouse.
semantic: setup
	timeout 600 $(BIN)/mf validate-configs

pytest: setup chromium
	$(BIN)/pytest -q

# lint runs after the build: sqlfluff's dbt templater renders models against the
# warehouse (util_days reads its date range at compile time; incremental models
# render their incremental branch), so linting an unbuilt warehouse skips files.
test: build lint structure semantic pytest

docs: build
	$(DBT) docs generate

bench: setup
	$(BIN)/behavior bench

clean:
	rm -rf target logs output warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*.tmp
