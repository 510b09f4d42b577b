"""The daily run's test scope (macro get_where_subquery) and its parse cache.

With BEHAVIOR_TEST_RECENT_ONLY=true (`make daily`), a data test on a model whose meta
names a `test_window_column` reads only that model's rows within the lookback of the
column's newest value; tests on other models, and every test without the switch, read
the whole model. Checked on the SQL dbt compiles for ten tests (the equality proof
runs the scoped tests for real); two are singular tests, which scope the rows they
check with the macro recent_rows, and run on hand-made rows with a known answer. In
the daily scope a unique rule of an incremental model counts the recent keys that
occur more than once among all its rows (known answer below). Tests on a raw event
table are scoped on its loaded_at_field (received_at), those on a catalog table are
not. A view's checks also hold its contract's NOT NULLs (not enforced on a view),
scoped or not.

The switch is read at execution, so a daily run after a full one reuses dbt's
partial-parse cache: the daily compile below must not re-parse the project (before,
`make daily` passed --vars, and every run after a `dbt seed` parsed from scratch).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

import incremental_helpers as h

TESTS = {
    # test name -> the window column of its model (None: no window)
    "stg_app__session_screen_views__checks": "received_at",
    "fct_app_sessions__checks": "last_received_at",
    # an incremental model with a one-column and a compound unique key
    "int_quiz_attempts_numbered__checks": "last_received_at",
    # a view: its contract's NOT NULLs are not enforced, the test checks them
    "fct_user_events__checks": "received_at",
    "dim_users__checks": None,
    # a raw event table's checks: its loaded_at_field
    "source_app__user_app_sessions__anomaly_checks": "received_at",
    # a catalog table has none
    "source_app__courses__anomaly_checks": None,
    # singular tests: the active days they check (macro recent_rows)
    "assert_engagement_active_days_have_sessions": "last_received_at",
    "assert_engagement_daily_dau_matches_user_daily_activity": "last_received_at",
    # meta test_window: latest_build: the rows of the newest built_at
    "int_user_periods_classified__checks": "built_at",
}
LATEST_BUILD = {"int_user_periods_classified__checks"}
FULL_PARSE = "Unable to do partial parsing"
PARTIAL_PARSE = "Partial parsing enabled"


def _compiled(target_path: Path) -> dict[str, str]:
    found = {}
    for name in TESTS:
        paths = list((target_path / "compiled").rglob(f"{name}.sql"))
        assert len(paths) == 1, f"{name}: compiled file not found once: {paths}"
        # One line per test, for substring checks: line comments (a `-- noqa`) go first.
        text = re.sub(r"--[^\n]*", "", paths[0].read_text())
        found[name] = " ".join(text.split())
    return found


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Full mode, then daily mode, in one target dir (one parse cache), as a full
    build followed by `make daily` would run."""
    root = tmp_path_factory.mktemp("scope")
    target_path = root / "target"
    result: dict[str, dict[str, str]] = {}
    for mode, env in (("full", None), ("daily", h.DAILY_ENV)):
        proc = h.run_dbt(
            ["--debug", "compile", "--select", *TESTS],
            root / "empty.duckdb",
            target_path,
            extra_env=env,
        )
        result[mode] = _compiled(target_path)
        result[mode]["__log__"] = proc.stdout
    return result


@pytest.mark.parametrize("name", list(TESTS))
def test_full_builds_test_every_row(compiled: dict[str, dict[str, str]], name: str) -> None:
    assert "dbt_subquery" not in compiled["full"][name]


@pytest.mark.parametrize("name", list(TESTS))
def test_daily_runs_test_recent_rows_of_incremental_models(
    compiled: dict[str, dict[str, str]], name: str
) -> None:
    sql = compiled["daily"][name]
    column = TESTS[name]
    if column is None:
        assert "dbt_subquery" not in sql
    elif name in LATEST_BUILD:
        assert f"where {column} >= (select max({column}) from" in sql
        assert "interval" not in sql
    else:
        assert f"where {column} > (select" in sql
        assert f"max({column}) + cast(-72 as bigint) * interval 1 hour" in sql


@pytest.mark.parametrize("mode", ["full", "daily"])
def test_a_views_checks_hold_its_contract_not_nulls_in_every_mode(
    compiled: dict[str, dict[str, str]], mode: str
) -> None:
    # Before, the daily run's scope hid the view's name from the lookup of its
    # contract, and the scoped test checked no NOT NULL at all.
    sql = compiled[mode]["fct_user_events__checks"]
    for column in ("event_id", "event_source", "event_name", "user_id", "event_at", "event_date"):
        assert f"'{column} not_null' as rule_checked" in sql
        assert f"when {column} is null then 1" in sql
    assert "platform not_null" not in sql  # no constraint, no rule


def test_a_singular_test_looks_up_the_sessions_that_can_touch_the_checked_days(
    compiled: dict[str, dict[str, str]],
) -> None:
    # The active days are scoped by their window; the sessions they are checked
    # against by date only (opened or ended on or after the earliest checked day),
    # whatever their received time. A complete build reads every session.
    daily = compiled["daily"]["assert_engagement_active_days_have_sessions"]
    assert daily.count("dbt_subquery") == 1
    assert 'fct_user_daily_activity" where last_received_at > (select' in daily
    earliest = "(select min(activity_date) from user_daily_activity)"
    assert f"fct_app_sessions.opened_date >= {earliest}" in daily
    assert f"fct_app_sessions.ended_date >= {earliest}" in daily
    full = compiled["full"]["assert_engagement_active_days_have_sessions"]
    assert 'from "empty"."marts"."fct_app_sessions" as fct_app_sessions )' in full


def _compiled_sql_database(schema: str) -> duckdb.DuckDBPyConnection:
    """An in-memory database named like the compiled SQL's ("empty"), with `schema`."""
    con = duckdb.connect()
    con.execute("attach ':memory:' as empty")
    con.execute(f"create schema empty.{schema}")
    return con


def _failing_rules(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    """A columns_valid test's compiled SQL run on `con`: failing rows per broken rule."""
    return dict(con.execute(f"select rule_checked, failing_rows from ({sql})").fetchall())


def _user_days_database(user_days: list[tuple[str, str, str]]) -> duckdb.DuckDBPyConnection:
    """A database with fct_user_daily_activity holding `user_days` (user, day, received
    time), keyed `<user>:<day>` as the model keys them."""
    con = _compiled_sql_database("marts")
    con.execute(
        "create table empty.marts.fct_user_daily_activity (user_day_id varchar, "
        "user_id varchar, activity_date date, last_received_at timestamp)"
    )
    con.executemany(
        "insert into empty.marts.fct_user_daily_activity values (?, ?, ?, ?)",
        [(f"{user_id}:{day}", user_id, day, received) for user_id, day, received in user_days],
    )
    return con


# Received times of hand-made rows: an earlier run's, and the daily run's.
OLD, NEW = "2026-08-01 00:00:00", "2026-08-26 00:00:00"


# Known answer for the singular test above, on hand-made rows (its SQL finds the days a
# session opened that day covers by an equality join, then looks the rest up among the
# sessions that span days): user u1 has a session on 08-20 and one from 08-22 to 08-24;
# u3 one on 08-22; u4 one from 08-18 to 08-21, opened before the earliest day the daily
# run checks (08-20). Covered: u1's 08-20 (opened that day), 08-23 and 08-24 (inside the
# long session, its end day included), u4's 08-21 (inside u4's session: the daily run
# must still find it by its end day). Not covered: u1's 08-21 (between sessions) and
# 08-25 (after the long one ended), u2's 08-20 (only another user had a session that
# day), u3's 08-21 (the session opened the day after) and u5's 08-01, received on 08-01:
# a full build reports it, the daily run does not check it (outside its window).
ACTIVE_DAYS = [
    ("u1", "2026-08-20", NEW),
    ("u1", "2026-08-21", NEW),
    ("u1", "2026-08-23", NEW),
    ("u1", "2026-08-24", NEW),
    ("u1", "2026-08-25", NEW),
    ("u2", "2026-08-20", NEW),
    ("u3", "2026-08-21", NEW),
    ("u4", "2026-08-21", NEW),
    ("u5", "2026-08-01", OLD),
]
SESSIONS = [
    ("u1", "2026-08-20", "2026-08-20"),
    ("u1", "2026-08-22", "2026-08-24"),
    ("u3", "2026-08-22", "2026-08-22"),
    ("u4", "2026-08-18", "2026-08-21"),
]
DAYS_WITHOUT_SESSIONS = ["u1:2026-08-21", "u1:2026-08-25", "u2:2026-08-20", "u3:2026-08-21"]


@pytest.mark.parametrize("mode", ["full", "daily"])
def test_active_days_without_sessions_known_answer(
    compiled: dict[str, dict[str, str]], mode: str
) -> None:
    con = _user_days_database(ACTIVE_DAYS)
    con.execute(
        "create table empty.marts.fct_app_sessions "
        "(user_id varchar, opened_date date, ended_date date)"
    )
    con.executemany("insert into empty.marts.fct_app_sessions values (?, ?, ?)", SESSIONS)
    sql = compiled[mode]["assert_engagement_active_days_have_sessions"]
    found = sorted(row[0] for row in con.execute(f"select user_day_id from ({sql})").fetchall())
    expected = DAYS_WITHOUT_SESSIONS + (["u5:2026-08-01"] if mode == "full" else [])
    assert found == sorted(expected)


# Known answer for assert_engagement_daily_dau_matches_user_daily_activity: the days
# whose DAU differs from the distinct users of fct_user_daily_activity that day. The
# daily run's window (the 72 hours before the newest last_received_at) holds the
# user-days received on 08-26, the earliest of them on 08-20: it checks the days from
# 08-20 on, counting every user-day of those days, recent or not. 08-01 matches (1
# user). 08-02 says 5 for 1 user: reported by a full build only (before 08-20). 08-20
# matches (2). 08-21 says 1, but two users were active, one of them received on 08-01:
# reported in both modes. 08-22 says 0 with nobody active: matches. 08-23 says 3 with
# nobody active: reported in both modes (a day after the earliest rebuilt one).
DAU_DAYS = [
    ("2026-08-01", 1),
    ("2026-08-02", 5),
    ("2026-08-20", 2),
    ("2026-08-21", 1),
    ("2026-08-22", 0),
    ("2026-08-23", 3),
]
DAU_USER_DAYS = [
    ("u1", "2026-08-01", OLD),
    ("u1", "2026-08-02", OLD),
    ("u1", "2026-08-20", NEW),
    ("u2", "2026-08-20", NEW),
    ("u3", "2026-08-21", OLD),
    ("u4", "2026-08-21", NEW),
]
DAU_MISMATCHES = {
    "full": ["2026-08-02", "2026-08-21", "2026-08-23"],
    "daily": ["2026-08-21", "2026-08-23"],
}


@pytest.mark.parametrize("mode", ["full", "daily"])
def test_dau_mismatches_known_answer(compiled: dict[str, dict[str, str]], mode: str) -> None:
    con = _user_days_database(DAU_USER_DAYS)
    con.execute("create table empty.marts.fct_engagement_daily (activity_date date, dau bigint)")
    con.executemany("insert into empty.marts.fct_engagement_daily values (?, ?)", DAU_DAYS)
    sql = compiled[mode]["assert_engagement_daily_dau_matches_user_daily_activity"]
    found = sorted(
        str(row[0]) for row in con.execute(f"select activity_date from ({sql})").fetchall()
    )
    assert found == DAU_MISMATCHES[mode]


# Known answer for the unique rules of int_quiz_attempts_numbered__checks, on hand-made
# rows: attempt_id unique, and (user_id, quiz_id, attempt_number) unique. Stored rows were
# received on 08-01, the daily run's rows on 08-26 (its window: the 72 hours before the
# newest). a1 is stored and rebuilt under another number: an old and a recent copy of
# one attempt id (what a delete+insert that missed the stored row leaves). a2 is
# twice among the recent rows, so is its key (u2, q1, 1). a3 is twice among the stored
# rows only, and so is its key. a4 (stored) and a5 (recent) are two attempts with the
# same key (u4, q2, 1). a6 is clean. A full build counts every duplicate: attempt ids
# a1, a2, a3 (1 surplus copy each), keys (u2, q1, 1), (u3, q1, 1), (u4, q2, 1). The daily
# run counts those with a recent copy: a1, a2 and (u2, q1, 1), (u4, q2, 1); checking
# the recent rows alone, as it did before, it saw only a2 and (u2, q1, 1).
ATTEMPTS = [
    ("a1", "u1", "q1", 1, OLD),
    ("a1", "u1", "q1", 2, NEW),
    ("a2", "u2", "q1", 1, NEW),
    ("a2", "u2", "q1", 1, NEW),
    ("a3", "u3", "q1", 1, OLD),
    ("a3", "u3", "q1", 1, OLD),
    ("a4", "u4", "q2", 1, OLD),
    ("a5", "u4", "q2", 1, NEW),
    ("a6", "u5", "q2", 1, NEW),
]
UNIQUE_RULES = {
    "full": {"attempt_id unique": 3, "user_id, quiz_id, attempt_number unique": 3},
    "daily": {"attempt_id unique": 2, "user_id, quiz_id, attempt_number unique": 2},
}


@pytest.mark.parametrize("mode", ["full", "daily"])
def test_daily_unique_rules_count_recent_keys_among_all_rows_known_answer(
    compiled: dict[str, dict[str, str]], mode: str
) -> None:
    con = _compiled_sql_database("intermediate")
    con.execute(
        "create table empty.intermediate.int_quiz_attempts_numbered (attempt_id varchar, "
        "user_id varchar, quiz_id varchar, attempt_number integer, last_received_at timestamp)"
    )
    con.executemany(
        "insert into empty.intermediate.int_quiz_attempts_numbered values (?, ?, ?, ?, ?)",
        ATTEMPTS,
    )
    found = _failing_rules(con, compiled[mode]["int_quiz_attempts_numbered__checks"])
    assert found == UNIQUE_RULES[mode]


# Known answer for int_user_periods_classified__checks in the daily run (meta
# test_window: latest_build): it reads the rows of the newest built_at, whatever their
# received time. Three runs wrote rows: a full build on 08-01, a run on 08-26 09:00 and
# the daily run on 08-26 10:00. p1 was built on 08-01 and again by the daily run (a
# delete that missed the stored row). p2 (run of 09:00, one hour before the newest:
# inside a 72-hour lookback) has an unknown lifecycle state. p3, written by the daily
# run, is a dormant row marked active; its last_received_at is old (a new dormant row
# keeps the received time of the activity before it), so a window on last_received_at
# would not have read it. p4 and p5 are clean. A full build counts p1's surplus copy,
# p2 and p3; the daily run p1 (its recent copy against all rows) and p3, not p2.
BUILT_08_01, BUILT_09, BUILT_10 = (
    "2026-08-01 00:00:00",
    "2026-08-26 09:00:00",
    "2026-08-26 10:00:00",
)
PERIODS = [
    # user_period_id, user_id, lifecycle_state, is_active, last_received_at, built_at
    ("p1", "u1", "new", True, "2026-08-01 00:00:00", BUILT_08_01),
    ("p1", "u1", "new", True, "2026-08-01 00:00:00", BUILT_10),
    ("p2", "u2", "lapsed", False, "2026-08-25 00:00:00", BUILT_09),
    ("p3", "u3", "dormant", True, "2026-07-20 00:00:00", BUILT_10),
    ("p4", "u4", "returning", True, "2026-08-26 08:00:00", BUILT_10),
    ("p5", "u5", "new", True, "2026-07-01 00:00:00", BUILT_08_01),
]
ACTIVE_RULE = "is_active = (lifecycle_state in (new, returning, resurrecting))"
PERIOD_RULES = {
    "full": {
        "user_period_id unique": 1,
        "lifecycle_state accepted_values": 1,
        ACTIVE_RULE: 1,
    },
    "daily": {"user_period_id unique": 1, ACTIVE_RULE: 1},
}


@pytest.mark.parametrize("mode", ["full", "daily"])
def test_daily_checks_of_a_latest_build_window_read_the_newest_build_known_answer(
    compiled: dict[str, dict[str, str]], mode: str
) -> None:
    con = _compiled_sql_database("intermediate")
    con.execute(
        "create table empty.intermediate.int_user_periods_classified (user_period_id varchar, "
        "user_id varchar, period_granularity varchar, period_start_date date, "
        "signup_period_start_date date, lifecycle_state varchar, is_active boolean, "
        "active_days_count integer, latest_install_event_type varchar, "
        "install_events_count integer, last_received_at timestamp, built_at timestamp)"
    )
    for period_id, user_id, state, active, received, built in PERIODS:
        con.execute(
            "insert into empty.intermediate.int_user_periods_classified values "
            "(?, ?, 'week', date '2026-08-03', date '2026-08-03', ?, ?, 1, null, 0, ?, ?)",
            [period_id, user_id, state, active, received, built],
        )
    found = _failing_rules(con, compiled[mode]["int_user_periods_classified__checks"])
    assert found == PERIOD_RULES[mode]


def test_first_run_parses_the_whole_project(compiled: dict[str, dict[str, str]]) -> None:
    # The check below could not fail if the log never said which parse it did.
    assert FULL_PARSE in compiled["full"]["__log__"]


def test_daily_run_after_a_full_run_parses_partially(compiled: dict[str, dict[str, str]]) -> None:
    log = compiled["daily"]["__log__"]
    assert FULL_PARSE not in log, [line for line in log.splitlines() if FULL_PARSE in line]
    assert PARTIAL_PARSE in log


# A loaded warehouse's record, made by hand: the last passed complete build started on
# 10-01 00:00; since then an event file (earliest row received 10-01 06:00:00) and a
# users file (no received_at) were loaded; an older event file came before the build.
AUDITED = [
    "create schema ops",
    "create table ops.dbt_invocations (invocation_id varchar, command varchar, "
    "selection varchar, is_complete_selection boolean, target_name varchar, "
    "dbt_version varchar, started_at timestamp, finished_at timestamp, status varchar, "
    "nodes_count integer, failed_nodes varchar[])",
    "insert into ops.dbt_invocations values "
    "('a', 'build', '{}', true, 'warehouse', '1.11', '2026-10-01 00:00:00', "
    "'2026-10-01 00:05:00', 'passed', 1, []), "
    "('b', 'build', '{}', false, 'warehouse', '1.11', '2026-10-03 00:00:00', "
    "'2026-10-03 00:05:00', 'passed', 1, [])",
    "create schema raw",
    "create table raw._load_files (load_id varchar, source_file varchar, "
    "file_sha256 varchar, table_name varchar, status varchar, reason varchar, "
    "rows_read bigint, rows_loaded bigint, rows_duplicate bigint, rows_quarantined bigint, "
    "started_at timestamp, finished_at timestamp, rows_conflicting bigint, "
    "min_received_at timestamp)",
    "insert into raw._load_files values "
    "('l1', 'old.parquet', 'x', 'user_app_sessions', 'loaded', null, 5, 5, 0, 0, "
    "'2026-09-30 00:00:00', '2026-09-30 00:01:00', 0, '2026-09-01 00:00:00'), "
    "('l2', 'new.parquet', 'y', 'user_app_sessions', 'loaded', null, 5, 5, 0, 0, "
    "'2026-10-02 00:00:00', '2026-10-02 00:01:00', 0, '2026-10-01 06:00:00'), "
    "('l2', 'users.parquet', 'z', 'users', 'loaded', null, 5, 5, 0, 0, "
    "'2026-10-02 00:00:00', '2026-10-02 00:01:00', 0, null)",
]


@pytest.mark.parametrize("old_loader", [False, True])
def test_daily_window_starts_at_the_files_loaded_since_the_last_passed_build(
    tmp_path: Path, old_loader: bool
) -> None:
    """One second before the earliest received_at of the event files loaded since the
    last passed complete build (the partial one after it does not count), as a literal;
    the lookback window when one of those files was audited without min_received_at."""
    import duckdb

    database = tmp_path / "audited.duckdb"
    con = duckdb.connect(str(database))
    for statement in AUDITED:
        con.execute(statement)
    if old_loader:
        con.execute("update raw._load_files set min_received_at = null where load_id = 'l2'")
    con.close()
    h.run_dbt(["compile", "--select", *TESTS], database, tmp_path / "target", extra_env=h.DAILY_ENV)
    compiled = _compiled(tmp_path / "target")
    for name, column in TESTS.items():
        sql = compiled[name]
        if column is None:
            assert "dbt_subquery" not in sql
        elif name in LATEST_BUILD:  # the loader's audit says nothing about build times
            assert f"where {column} >= (select max({column}) from" in sql
        elif old_loader:
            assert f"max({column}) + cast(-72 as bigint) * interval 1 hour" in sql
        else:
            assert f"where {column} > cast('2026-10-01 05:59:59.000000' as timestamp)" in sql


def test_an_audit_from_an_older_loader_gets_its_column_when_the_run_starts(
    tmp_path: Path,
) -> None:
    """An audit written before the loader recorded min_received_at has no such
    column. `dbt compile` (no hooks) looks the columns up and falls back to the
    lookback; a command that runs the hooks adds the column at on-run-start (macro
    prepare_watermark_tables), with nulls for the files already audited, and its
    nodes then read it without looking: the scoped test runs, on the lookback window
    (those files' received times are unknown), and passes on its two good rows."""
    import yaml

    database = tmp_path / "older.duckdb"
    con = duckdb.connect(str(database))
    for statement in AUDITED:
        statement = statement.replace(", rows_conflicting bigint, min_received_at timestamp)", ")")
        statement = re.sub(r", 0, ('[^']*'|null)\)", ")", statement)
        con.execute(statement)
    sources = yaml.safe_load((h.ROOT / "models/staging/app/_app__sources.yml").read_text())
    (sessions,) = (t for t in sources["sources"][0]["tables"] if t["name"] == "user_app_sessions")
    columns = [c["name"] for c in sessions["columns"]]
    typed = ", ".join(f"{c} {'timestamp' if c == 'received_at' else 'varchar'}" for c in columns)
    con.execute(f"create table raw.user_app_sessions ({typed})")
    for received_at in ("2026-09-01 10:00:00", "2026-10-02 10:00:00"):
        values = ", ".join("?" if c == "received_at" else f"'{c}'" for c in columns)
        con.execute(f"insert into raw.user_app_sessions values ({values})", [received_at])
    con.close()

    def has_column() -> bool:
        query = (
            "select count(*) from duckdb_columns() "
            "where table_name = '_load_files' and column_name = 'min_received_at'"
        )
        return bool(h.query(database, query)[0][0])

    def sql_of(folder: Path) -> str:
        (path,) = folder.rglob(f"{test}.sql")
        return " ".join(path.read_text().split())

    test = "source_app__user_app_sessions__anomaly_checks"
    lookback = (
        "where received_at > (select (max(received_at) + cast(-72 as bigint) * interval 1 hour)"
    )
    h.run_dbt(["compile", "--select", test], database, tmp_path / "t1", extra_env=h.DAILY_ENV)
    assert lookback in sql_of(tmp_path / "t1" / "compiled")
    assert not has_column()

    h.run_dbt(["test", "--select", test], database, tmp_path / "t2", extra_env=h.DAILY_ENV)
    assert has_column()
    audited = "select count(*), count(min_received_at) from raw._load_files"
    assert h.query(database, audited) == [(3, 0)]
    assert lookback in sql_of(tmp_path / "t2" / "run")
