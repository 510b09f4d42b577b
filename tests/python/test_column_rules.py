"""The combined column tests and contract constraints still catch what the per-column
tests they replaced caught (issue 12): a broken row fails the build (error severity) or
warns (warn severity), as before.

One small warehouse (the sample seeds, the quiz and purchase chains only) gets one
broken row per rule kind; one `dbt test --store-failures` then reads, per combined
test, its status and the rules it reports, and `dbt run` of a contract model on a null
key fails. Known answers: each break touches exactly one row, so each rule reports 1,
but the duplicated quiz in dim_quizzes, which has three copies: 2 surplus copies.

Breaks (each replaces, before -> now):
- raw.quizzes, a copy of a quiz with a null quiz_id: not_null on the source ->
  source_app__quizzes__anomaly_checks (warn: a data anomaly another writer than the
  loader can store; staging leaves the row out, so it reaches no model);
- staging.stg_app__quizzes, a quiz with a null quiz_id (what that staging filter
  prevents: the view replaced by one that adds it): not_null on stg ->
  stg_app__quizzes__checks (error);
- raw.quizzes, a second copy of a quiz: unique on the source ->
  source_app__quizzes__anomaly_checks (warn: another writer than the loader can store
  it; staging keeps one copy, macro catalog_first_copies);
- staging.stg_app__quizzes, a quiz twice (what that staging rule prevents: the view
  replaced by one that adds it): unique on stg -> stg_app__quizzes__checks (error);
- that null quiz_id reaching dim_quizzes: not_null on dim_quizzes -> the enforced
  contract's NOT NULL, `dbt run` fails;
- dim_quizzes, one row twice more: unique -> dim_quizzes__checks (error), 2 surplus copies;
- dim_quizzes, pass mark 150: accepted_range (warn) -> dim_quizzes__anomaly_checks (warn);
- fct_payment_attempts, attempt_number 0: accepted_range -> fct_payment_attempts__checks;
- fct_payment_attempts, payment method 'cheque': accepted_values (warn) ->
  fct_payment_attempts__anomaly_checks (warn);
- fct_purchases, outcome 'lost' on an unpaid order: accepted_values ->
  fct_purchases__checks (error);
- dim_quizzes, a module that is not in dim_modules: relationships (warn) ->
  dim_quizzes__anomaly_checks (warn), beside its pass-mark rule;
- stg_app__user_course_interactions, a course interaction named session_open: once it
  broke the uniqueness of fct_user_events.event_id (the view's keys are
  `<event_name>:<source key>`) and failed fct_user_events__checks (error); now a type
  outside the contract enters the stream as other_course_interaction, so the keys stay
  apart by construction: fct_user_events__checks passes, the view's keys are unique,
  and stg_app__user_course_interactions__anomaly_checks' accepted_values warns;
- stg_app__user_course_interactions, a module event naming a module of another course:
  the compound relationship (course_id, module_id) to stg_app__modules ->
  stg_app__user_course_interactions__anomaly_checks (warn), where a module_id
  relationship alone passed;
- stg_app__user_app_sessions, a session twice: its unique key, which is also what keeps
  the keys of stg_app__session_screen_views and stg_app__session_features unique (their
  grouped unique rules are gone: the keys are unique by construction) ->
  stg_app__user_app_sessions__checks (error);
- stg_app__user_app_sessions, a session whose features list names one feature twice
  (what the unique rule on stg_app__session_features caught) -> the same test's
  distinct-elements rule;
- int_user_periods_classified, a week row twice: the unique rules of
  fct_user_lifecycle_weekly (on user_week_id, and on user_id with week_start_date),
  which only filters that table to its week rows -> int_user_periods_classified__checks
  (error), whose unique rule reads every row in every run (the view's key is unique by
  construction: meta primary_key_from);
- dim_modules, a quiz that is not in dim_quizzes: relationships (warn) ->
  dim_modules__anomaly_checks (warn), a test whose rules are all subqueries, so it
  also pins that such a test counts each broken row once, not once per row;
- dim_courses, a category outside the enum: accepted_values (warn), a warn rule of
  dim_courses__checks, whose error rules hold: the test warns and does not fail;
- dim_users, one user on platform 'tv' with -1 sessions: a warn rule (platform
  accepted_values) and an error rule (sessions_count range) of dim_users__checks:
  the test fails, and reports both rules with their severity;
- the two lookup seeds, one broken row per rule: fx_rates_to_usd, a second copy of a
  currency, a null currency, a null rate, a negative rate (unique, not_null,
  not_null, accepted_range on its columns) -> fx_rates_to_usd__checks (error);
  recommendation_thresholds, an unknown detector, a null parameter, a second copy of
  a detector's parameter, a null value, a negative value, a null description
  (accepted_values, not_null, unique_combination_of_columns, not_null,
  accepted_range, not_null) -> recommendation_thresholds__checks (error). A null
  detector is the one rule not broken (its row would also break accepted_values).
Each test's failure count (what dbt compares to its thresholds) is the sum of its rules.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

import incremental_helpers as h

MODELS = (
    "dim_courses",
    "dim_modules",
    "dim_quizzes",
    "dim_users",
    "fct_payment_attempts",
    "fct_purchases",
    "fct_user_events",
    "fct_user_lifecycle_weekly",
)
BREAKS = [
    # a quiz whose id is null, and a second copy of a real quiz (raw is append-only)
    "insert into raw.quizzes select null, module_id, quiz_title, pass_mark_percent "
    "from raw.quizzes where quiz_id = (select min(quiz_id) from raw.quizzes)",
    "insert into raw.quizzes select * from raw.quizzes "
    "where quiz_id = (select max(quiz_id) from raw.quizzes)",
    # a null key and a duplicate key in staging (its filter and its copy rule keep the
    # raw ones out): the view as built, a copy of its first quiz without the id, and
    # its last quiz twice
    *h.null_key_in_staging_view("stg_app__quizzes", "quiz_id", twice=True),
    "insert into marts.dim_quizzes select dim_quizzes.* from marts.dim_quizzes, range(2) "
    "where quiz_id = (select min(quiz_id) from marts.dim_quizzes)",
    "update marts.dim_quizzes set pass_mark_percent = 150 "
    "where quiz_id = (select max(quiz_id) from marts.dim_quizzes)",
    "update marts.fct_payment_attempts set attempt_number = 0 where payment_attempt_id = "
    "(select min(payment_attempt_id) from marts.fct_payment_attempts where attempt_number = 1)",
    "update marts.fct_payment_attempts set payment_method = 'cheque' "
    "where payment_attempt_id = (select max(payment_attempt_id) from marts.fct_payment_attempts)",
    "update marts.fct_purchases set payment_outcome = 'lost' "
    "where order_id = (select min(order_id) from marts.fct_purchases where not is_paid)",
    # references to nothing: neither the min nor the max quiz (both broken above)
    "update marts.dim_quizzes set module_id = 'no-such-module' where quiz_id = "
    "(select min(quiz_id) from marts.dim_quizzes "
    "where quiz_id > (select min(quiz_id) from marts.dim_quizzes))",
    "update marts.dim_modules set quiz_id = 'no-such-quiz' "
    "where module_id = (select min(module_id) from marts.dim_modules where quiz_id is not null)",
    # a course interaction named like a session event: without the stream's renaming of
    # unknown types, its key `<event_name>:<source key>` could take a session's
    "update staging.stg_app__user_course_interactions set event_type = 'session_open' "
    "where event_id = (select min(event_id) from staging.stg_app__user_course_interactions)",
    # a module event naming a module of another course (its module exists)
    "update staging.stg_app__user_course_interactions set module_id = "
    "(select min(module_id) from staging.stg_app__modules where course_id <> "
    "(select course_id from staging.stg_app__user_course_interactions where event_id = "
    "(select max(event_id) from staging.stg_app__user_course_interactions "
    "where module_id is not null))) "
    "where event_id = (select max(event_id) from staging.stg_app__user_course_interactions "
    "where module_id is not null)",
    # a session twice, and a session that uses one feature twice
    "insert into staging.stg_app__user_app_sessions select * from "
    "staging.stg_app__user_app_sessions where session_id = "
    "(select min(session_id) from staging.stg_app__user_app_sessions)",
    "update staging.stg_app__user_app_sessions set features_used = ['quiz', 'quiz'] "
    "where session_id = (select max(session_id) from staging.stg_app__user_app_sessions)",
    # a warn rule alone in a test with error rules; a warn and an error rule together
    "update marts.dim_courses set category = 'cooking' "
    "where course_id = (select min(course_id) from marts.dim_courses)",
    "update marts.dim_users set platform = 'tv', sessions_count = -1 "
    "where user_id = (select min(user_id) from marts.dim_users)",
    # a user's week twice (the stored rows of an old period a run failed to delete)
    "insert into intermediate.int_user_periods_classified "
    "select * from intermediate.int_user_periods_classified where user_period_id = "
    "(select min(user_period_id) from intermediate.int_user_periods_classified "
    "where period_granularity = 'week')",
    # the lookup seeds: each row breaks one rule
    "insert into lookups.fx_rates_to_usd "
    "select * from lookups.fx_rates_to_usd where currency = 'USD'",
    "insert into lookups.fx_rates_to_usd values (null, 1.5)",
    "insert into lookups.fx_rates_to_usd values ('XXA', null)",
    "insert into lookups.fx_rates_to_usd values ('XXB', -0.5)",
    "insert into lookups.recommendation_thresholds values "
    "('no_such_detector', 'recent_days', 7, 'unknown detector'), "
    "('kpi_anomaly', null, 1, 'no parameter'), "
    "('churn_risk_user', 'no_such_parameter', null, 'no value'), "
    "('churn_risk_user', 'negative_parameter', -1, 'negative'), "
    "('churn_risk_user', 'undescribed_parameter', 1, null)",
    "insert into lookups.recommendation_thresholds select * from "
    "lookups.recommendation_thresholds "
    "where detector = 'churn_risk_user' and parameter = 'inactive_days'",
    # an incremental table as built before its columns got their NOT NULL (CTAS keeps none)
    "create or replace table marts.fct_payment_attempts as "
    "select * from marts.fct_payment_attempts",
]
CONSTRAINTS_TEST = "assert_contract_not_nulls_are_in_incremental_tables"
# test name -> (status, {rule reported: failing rows})
EXPECTED = {
    "source_app__quizzes__anomaly_checks": (
        "warn",
        {"quiz_id not_null": 1, "quiz_id unique": 1},
    ),
    "stg_app__quizzes__checks": ("fail", {"quiz_id not_null": 1, "quiz_id unique": 1}),
    "dim_quizzes__checks": ("fail", {"quiz_id unique": 2}),
    "dim_quizzes__anomaly_checks": (
        "warn",
        {"pass_mark_percent range": 1, "module_id relationship dim_modules.module_id": 1},
    ),
    "dim_modules__anomaly_checks": ("warn", {"quiz_id relationship dim_quizzes.quiz_id": 1}),
    "fct_payment_attempts__checks": ("fail", {"attempt_number range": 1}),
    "fct_payment_attempts__anomaly_checks": ("warn", {"payment_method accepted_values": 1}),
    "fct_purchases__checks": ("fail", {"payment_outcome accepted_values": 1}),
    # passes: the unknown type is renamed other_course_interaction (see the docstring)
    "fct_user_events__checks": ("pass", {}),
    "stg_app__user_course_interactions__anomaly_checks": (
        "warn",
        {
            "event_type accepted_values": 1,
            "course_id, module_id relationship stg_app__modules.course_id, module_id": 1,
        },
    ),
    "int_user_periods_classified__checks": ("fail", {"user_period_id unique": 1}),
    "dim_courses__checks": ("warn", {"category accepted_values": 1}),
    "dim_users__checks": ("fail", {"platform accepted_values": 1, "sessions_count range": 1}),
    "stg_app__user_app_sessions__checks": (
        "fail",
        {"session_id unique": 1, "features_used elements are distinct": 1},
    ),
    "fx_rates_to_usd__checks": (
        "fail",
        {
            "currency not_null": 1,
            "currency unique": 1,
            "usd_per_unit not_null": 1,
            "usd_per_unit range": 1,
        },
    ),
    "recommendation_thresholds__checks": (
        "fail",
        {
            "detector accepted_values": 1,
            "parameter not_null": 1,
            "detector, parameter unique": 1,
            "value not_null": 1,
            "value range": 1,
            "description not_null": 1,
        },
    ),
}


def _test_results(target: Path) -> list[dict]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return [r for r in results if r["unique_id"].startswith("test.")]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample seeds and the models under test, built and tested clean."""
    work = tmp_path_factory.mktemp("rules")
    database, target = work / "clean.duckdb", work / "target"
    h.run_dbt(["seed"], database, target, target="sample")
    h.run_dbt(["run", "--select", *(f"+{m}" for m in MODELS)], database, target, target="sample")
    return database, target


@pytest.fixture(scope="module")
def broken(clean: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The clean warehouse with one broken row per rule kind, then its tests."""
    source, target = clean
    # Same file name: the stem is DuckDB's catalog name, which dbt's views refer to.
    database = tmp_path_factory.mktemp("broken") / source.name
    shutil.copy(source, database)
    con = duckdb.connect(str(database))
    try:
        for statement in BREAKS:
            con.execute(statement)
    finally:
        con.close()
    tested = h.run_dbt(
        ["test", "--store-failures", "--select", *EXPECTED, CONSTRAINTS_TEST],
        database,
        target,
        target="sample",
        check=False,
    )
    results = _test_results(target)
    status = {r["unique_id"].split(".")[2]: r["status"] for r in results}
    failures = {r["unique_id"].split(".")[2]: r["failures"] for r in results}
    reported, severities = {}, {}
    for name in EXPECTED:
        rows = h.query(
            database,
            f"select rule_checked, failing_rows, rule_severity, blocking_rows "
            f"from dbt_test__audit.{name}",
        )
        reported[name] = {rule: count for rule, count, _, _ in rows}
        severities[name] = {rule: (severity, blocking) for rule, _, severity, blocking in rows}
        assert len(reported[name]) == len(rows), f"{name} reports a rule twice: {rows}"
    reported[CONSTRAINTS_TEST] = _nullable(database)
    run = h.run_dbt(["run", "--select", "dim_quizzes"], database, target, "sample", check=False)
    renamed = h.query(
        database,
        "select event_source from marts.fct_user_events where event_id = "
        "'other_course_interaction:' || "
        "(select min(event_id) from staging.stg_app__user_course_interactions)",
    )
    named_like_a_session = h.query(
        database,
        "select count(*) from marts.fct_user_events where event_id = 'session_open:' || "
        "(select min(event_id) from staging.stg_app__user_course_interactions)",
    )
    return {
        "renamed": renamed,
        "named_like_a_session": named_like_a_session[0][0],
        "tested": tested,
        "status": status,
        "failures": failures,
        "reported": reported,
        "severities": severities,
        "run": run,
    }


def _nullable(database: Path) -> set[str]:
    """Columns of fct_payment_attempts the singular constraint test reported."""
    rows = h.query(
        database,
        f"select column_name from dbt_test__audit.{CONSTRAINTS_TEST} "
        "where table_name = 'fct_payment_attempts'",
    )
    return {column for (column,) in rows}


def test_the_clean_warehouse_passes_every_rule(clean: tuple[Path, Path]) -> None:
    # Without this, a test failing for another reason would pass the checks below.
    database, target = clean
    h.run_dbt(["test", "--select", *EXPECTED], database, target, target="sample")
    results = _test_results(target)
    assert {r["unique_id"].split(".")[2] for r in results} == set(EXPECTED)
    assert {r["status"] for r in results} == {"pass"}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_broken_row_fails_or_warns_by_severity(broken: dict, name: str) -> None:
    status, rules = EXPECTED[name]
    assert broken["status"][name] == status
    assert broken["reported"][name] == rules
    assert broken["failures"][name] == sum(rules.values())


def test_a_test_with_warn_rules_reports_each_rules_severity(broken: dict) -> None:
    # A broken warn rule counts among the failures but not among the blocking rows:
    # dim_courses__checks warns (status above), dim_users__checks fails on its error
    # rule alone. A warn-severity test's rules are all warn.
    assert broken["severities"]["dim_courses__checks"] == {"category accepted_values": ("warn", 0)}
    assert broken["severities"]["dim_users__checks"] == {
        "platform accepted_values": ("warn", 0),
        "sessions_count range": ("error", 1),
    }
    assert broken["severities"]["dim_quizzes__anomaly_checks"] == {
        "pass_mark_percent range": ("warn", 0),
        "module_id relationship dim_modules.module_id": ("warn", 0),
    }


def test_an_unknown_interaction_type_keeps_the_stream_keys_apart(broken: dict) -> None:
    assert broken["renamed"] == [("course_interactions",)]
    assert broken["named_like_a_session"] == 0


def test_error_rules_fail_the_command(broken: dict) -> None:
    assert broken["tested"].returncode != 0


def test_a_null_key_fails_the_contract_model(broken: dict) -> None:
    run = broken["run"]
    assert run.returncode != 0
    assert "NOT NULL constraint failed: dim_quizzes.quiz_id" in run.stdout


def test_an_incremental_table_without_its_not_nulls_is_reported(
    clean: tuple[Path, Path], broken: dict
) -> None:
    # In the clean warehouse, fct_payment_attempts carries its constraints (the other
    # incremental models are not built there, so the test itself fails on them).
    database, target = clean
    h.run_dbt(
        ["test", "--store-failures", "--select", CONSTRAINTS_TEST],
        database,
        target,
        target="sample",
        check=False,
    )
    assert _nullable(database) == set()
    rows = h.query(
        database,
        "select column_name from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'fct_payment_attempts' and is_nullable = 'NO'",
    )
    not_nulls = {column for (column,) in rows}
    assert {"payment_attempt_id", "order_id"} <= not_nulls
    assert broken["reported"][CONSTRAINTS_TEST] == not_nulls


def test_incremental_contract_tables_carry_the_not_null(clean: tuple[Path, Path]) -> None:
    # The constraint is in the table, so an incremental run's insert is checked too.
    rows = h.query(
        clean[0],
        "select column_name, is_nullable from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'fct_payment_attempts' "
        "and column_name in ('payment_attempt_id', 'order_id', 'failure_reason')",
    )
    assert dict(rows) == {"payment_attempt_id": "NO", "order_id": "NO", "failure_reason": "YES"}
