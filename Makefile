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
# Every dbt call runs under a timeout, so a hung run fails instead of blocking CI,
# and through `behavior dbt`: dbt's own command line, with Python's full garbage
# collections no longer walking dbt's manifest again and again (behavior.dbt_command).
DBT_TIMEOUT ?= 1200
DBT := timeout $(DBT_TIMEOUT) $(BIN)/behavior dbt
# The other long commands too (seconds): lint (sqlfluff renders every model),
# pytest (builds warehouses), the report, the benchmark.
LINT_TIMEOUT ?= 900
PYTEST_TIMEOUT ?= 3600
REPORT_TIMEOUT ?= 600
BENCH_TIMEOUT ?= 86400
SETUP_TIMEOUT ?= 1200

.PHONY: help setup chromium run test lint seed build daily docs structure semantic pytest bench report clean

help:
	@echo "make run    install, build the warehouse on the sample data, write the daily report"
	@echo "make test   install, then lint, dbt build (data + unit tests), structure check, pytest"
	@echo "make daily  incremental build after loading new data (recent-rows tests)"
	@echo "make bench  benchmark generator, loader and dbt at several sizes (slow)"
	@echo "make docs   dbt docs generate (browsable site in target/)"
	@echo "make dashboard    the interactive dashboard (Streamlit) on the serving file"
	@echo "make test-spark   build the sample on local Apache Spark, compare with DuckDB"

$(UV):
	python3 -m venv $(TOOLS)
	timeout $(SETUP_TIMEOUT) $(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

# --compile-bytecode: the packages' .pyc files are written once, at install. Python
# writes them on first import otherwise, but not where PYTHONDONTWRITEBYTECODE is set
# (as on our CI machines): there every dbt call compiled dbt's sources again, about
# 4.5 s of CPU before it read a model (`dbt --version`: 7.9 s -> 3.4 s compiled).
# The stamp's name changed with that flag, so an existing checkout syncs once more.
$(VENV)/.synced-bytecode: pyproject.toml uv.lock | $(UV)
	timeout $(SETUP_TIMEOUT) $(UV) sync --frozen --all-groups --python python3.11 \
		--compile-bytecode --quiet
	touch $@

# The DuckDB files live in warehouse/ (kept in git, contents ignored); dbt and
# sqlfluff's dbt templater open them, and DuckDB does not create the folder.
setup: $(VENV)/.synced-bytecode
	@mkdir -p warehouse

# Headless Chromium (Debian package) prints the report's PDF and runs its rendering
# tests. Installed with apt-get when missing and running as root; otherwise one line
# says what to install (no root needed when it is there; the tests skip without it).
chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing chromium (apt-get) for the report's PDF and rendering tests"; \
			timeout $(SETUP_TIMEOUT) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				timeout $(SETUP_TIMEOUT) apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "chromium is not installed: install the Debian package chromium (as root)" \
				"for the report's PDF and its rendering tests (skipped until then)"; \
		fi; }

# The README's screenshots of the report (docs/img/) at 1366 and 390 px, from the
# report `make run` wrote.
.PHONY: report-screenshots
report-screenshots: run chromium
	timeout $(REPORT_TIMEOUT) $(BIN)/python -m behavior.report.screenshots \
		"$$(ls output/mis_report_*.html | tail -1)" docs/img

# lock-check: one clear line, not dbt's tracebacks, when a BI tool holds the build file.
seed: setup
	timeout $(REPORT_TIMEOUT) $(BIN)/behavior lock-check
	$(DBT) seed --quiet

# `dbt build` runs the seeds itself: one dbt invocation, one parse (partial when
# the project has not changed since the last run).
build: setup
	timeout $(REPORT_TIMEOUT) $(BIN)/behavior lock-check
	$(DBT) build

# The daily run, after `behavior load` of the new files: incremental models rebuild
# what the new rows touch; data tests on them check those recent rows only
# (BEHAVIOR_TEST_RECENT_ONLY, read at execution: unlike --vars it keeps dbt's
# partial-parse cache, so a daily run never re-parses the whole project); unit
# tests, which read no data, stay in `make test`. One dbt invocation: seeds included.
# Then publish: the passed build becomes the serving file BI and the report read.
# dbt's file log (logs/dbt.log) at info, not debug: the debug log writes every SQL
# statement in full (about 1,700 per run) and cost 0.9-2.4 s of each daily run in
# interleaved pairs (bench/profile-2026-12-03.md). A failing node's error and the path
# of its SQL (target/run/) are logged at info; DAILY_LOG_LEVEL=debug make daily
# writes the full log.
DAILY_LOG_LEVEL ?= info
DAILY_FLAGS := --exclude-resource-type unit_test --log-level-file $(DAILY_LOG_LEVEL)
daily: setup
	timeout $(REPORT_TIMEOUT) $(BIN)/behavior lock-check
	BEHAVIOR_TEST_RECENT_ONLY=true $(DBT) build $(DAILY_FLAGS)
	timeout $(REPORT_TIMEOUT) $(BIN)/behavior publish

# publish copies the passed build into the serving file BI and the report read.
# chromium prints the report's PDF (installed when root, else named as missing).
run: build chromium
	timeout $(REPORT_TIMEOUT) $(BIN)/behavior publish
	timeout $(REPORT_TIMEOUT) $(BIN)/behavior report
	timeout $(REPORT_TIMEOUT) $(BIN)/behavior summary --database warehouse/sample.duckdb

lint: setup
	timeout $(LINT_TIMEOUT) $(BIN)/ruff check scripts tests/python
	timeout $(LINT_TIMEOUT) $(BIN)/ruff format --check scripts tests/python
	timeout $(LINT_TIMEOUT) $(BIN)/behavior contract --check
	timeout $(LINT_TIMEOUT) $(BIN)/sqlfluff lint models analyses tests/singular --processes 2

structure: setup
	timeout $(LINT_TIMEOUT) $(BIN)/behavior check-structure target/manifest.json

# MetricFlow validates the semantic models and metrics (target/semantic_manifest.json,
# written by the build) against the built warehouse.
semantic: setup
	timeout $(LINT_TIMEOUT) $(BIN)/mf validate-configs

pytest: setup chromium
	timeout $(PYTEST_TIMEOUT) $(BIN)/pytest -q

# lint runs after the build: sqlfluff's dbt templater renders models against the
# warehouse (util_days reads its date range at compile time; incremental models
# render their incremental branch), so linting an unbuilt warehouse skips files.
test: build lint structure semantic pytest

docs: build
	$(DBT) docs generate

bench: setup
	timeout $(BENCH_TIMEOUT) $(BIN)/behavior bench

# The interactive dashboard (Streamlit, headless) on the serving file, read-only; it
# prints its URL. DASHBOARD_PORT=8600 make dashboard picks another port. The timeout
# only bounds a forgotten server (a day).
DASHBOARD_PORT ?= 8501
DASHBOARD_TIMEOUT ?= 86400
.PHONY: dashboard
dashboard: setup
	timeout $(DASHBOARD_TIMEOUT) $(BIN)/behavior dashboard --port $(DASHBOARD_PORT)

clean:
	rm -rf target logs output warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*.tmp \
		warehouse/*.duckdb.previous warehouse/*.fingerprints.json

# Apache Spark (README "Running on Spark"): the same project through dbt-spark's
# session method (a local SparkSession in dbt's process; pyspark comes from the
# `spark` dependency group, Java from Debian's openjdk-17-jre-headless).
# build-spark starts from an empty Spark warehouse (warehouse/spark/, gitignored):
# it exports the DuckDB sample build's raw tables to Parquet, registers them as
# Spark tables raw.* (run-operation), then runs dbt build on the spark target
# (seeds: the lookups; the sample seeds are the sample target's only). dbt's
# target/ and logs/ for Spark are separate folders, so DuckDB's partial-parse
# cache and manifest (make structure, semantic) are left alone.
# Unit tests whose fixtures are DuckDB SQL (list literals, ::) do not run on Spark, nor
# the incremental test of int_user_periods_classified (a table on Spark).
# Seconds per Spark command (a hang guard): the pytest step of test-spark, which builds
# two generated histories on Spark (hostile rows; deliveries), takes about 12 minutes.
SPARK_TIMEOUT ?= 2700
SPARK_DIR := warehouse/spark
SPARK_ENV := SPARK_LOCAL_IP=127.0.0.1 BEHAVIOR_TARGET=spark \
	BEHAVIOR_SPARK_DIR=$(CURDIR)/$(SPARK_DIR) DBT_TARGET_PATH=target-spark DBT_LOG_PATH=logs-spark
# The plain `dbt` script: no frozen objects beside py4j's JVM (behavior.dbt_command).
SPARK_DBT := $(SPARK_ENV) timeout $(SPARK_TIMEOUT) $(BIN)/dbt
SPARK_EXCLUDE := test_int_session_transitions_aggregated_pairs_and_exits \
	test_stg_app__user_app_sessions_first_copy_and_normalized_lists \
	test_stg_app__quiz_attempts_typed_responses \
	test_fct_app_sessions_duration_bounce_and_sequence \
	test_fct_app_sessions_incremental_late_session \
	test_int_user_periods_classified_incremental_users \
	test_int_quiz_first_attempt_responses_totalled_incremental_new_and_restaged \
	test_fct_feature_adoption_first_week_and_day_30 \
	test_int_user_features_aggregated_first_week_per_feature \
	test_int_user_features_aggregated_incremental_users \
	test_rpt_data_quality_event_checks

.PHONY: java
java:
	@command -v java >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing openjdk-17-jre-headless (apt-get): Spark needs a Java runtime"; \
			timeout $(SETUP_TIMEOUT) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				timeout $(SETUP_TIMEOUT) apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
		else \
			echo "Spark needs Java: install Debian's openjdk-17-jre-headless" \
				"(Debian: sudo apt install openjdk-17-jre-headless)" >&2; exit 1; \
		fi; }

.PHONY: build-spark
build-spark: build java
	rm -rf $(SPARK_DIR)
	mkdir -p $(SPARK_DIR)
	timeout $(SPARK_TIMEOUT) $(BIN)/behavior spark-export \
		--database warehouse/sample.duckdb --out $(SPARK_DIR)/raw
	$(SPARK_DBT) run-operation spark_register_raw_tables \
		--args '{location: "$(CURDIR)/$(SPARK_DIR)/raw"}'
	$(SPARK_DBT) build --exclude $(SPARK_EXCLUDE)

# The cross-engine equality tests (tests/python/test_spark_equality.py): the sample's
# read both builds; the hostile rows' test builds a small generated history with
# planted anomalies on both engines itself (about 5 minutes), and the incremental test
# builds one on Spark delivery by delivery against a DuckDB full build (about 6.5).
.PHONY: test-spark
test-spark: build-spark
	BEHAVIOR_SPARK_TESTS=1 $(SPARK_ENV) \
		timeout $(SPARK_TIMEOUT) $(BIN)/pytest -q tests/python/test_spark_equality.py
