"""A late event inside the lookback updates the right cells (hand-worked numbers).

Batch 1 (received 2026-09-01..03): user u1 signs up on 09-01 and, in session s1,
clicks, wishlists and carts course c1 (order o1 created), and on 09-03 answers quiz
q1 wrong (attempt a0); user u2 signs up and has one session on 09-03. Batch 2
(received 09-04, i.e. two days late): u1's session s2 on 09-02 with a purchase
attempt and the completed transaction of o1, and a quiz attempt a1 at q1 answered
right.

Worked out by hand, after the incremental run on batch 2:
- fct_app_sessions: s2 is u1's session 2, opened 31.5 h (113,400 s) after s1 ended;
- fct_user_daily_activity: (u1, 09-02) exists with 1 session, 1,000 active
  seconds, 1 course interaction and 1 purchase;
- fct_engagement_daily (whole app): DAU on 09-02 goes 0 -> 1; WAU on 09-03 stays 2;
- fct_retention_cohorts: day cohort 09-01 (size 1), D1 returned-on 0 -> 1;
- fct_purchase_funnel (c1, all platforms): purchase attempt and payment 0 -> 1 user;
- fct_purchases: o1 becomes paid, 10.00 USD net; fct_revenue_daily 09-02: 10.00;
- item analysis: a1 (09-02) precedes a0, so it becomes u1's first attempt at q1 and
  a0 the second: the first-attempt responses go from a0's to a1's (the incremental
  run deletes a0's rows), and qq1's difficulty from 0 to 1.
And the incrementally built marts equal a full rebuild of both batches.
"""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from behavior.contract import TABLES
from behavior.dbt_command import command as behavior_dbt
from behavior.load import load_paths
from conftest import ROOT, dbt_env
from incremental_helpers import compare_databases, relations

# The lifecycle periods too: their incremental run rebuilds from the first period
# that can have changed, and `behavior reprocess` rebuilds their users whole. And
# the users' features (int_user_features_aggregated), rebuilt per user with a new
# or reprocessed session.
MODELS = (
    "+fct_app_sessions +fct_user_daily_activity +fct_engagement_daily "
    "+fct_retention_cohorts +fct_purchase_funnel +fct_purchases +fct_revenue_daily "
    "+rpt_pipeline_late_events +int_user_periods_classified +fct_feature_adoption "
    "+fct_quiz_question_stats"
)


def _nav(*steps: tuple[str, str]) -> str:
    return json.dumps([{"screen": s, "viewed_at": t} for s, t in steps])


def _responses(chosen: str) -> str:
    return json.dumps(
        [
            {
                "question_id": "qq1",
                "chosen_option": chosen,
                "is_correct": chosen == "b",
                "seconds_spent": 30,
            }
        ]
    )


CATALOG = {
    "courses": [
        ["c1", "Test course", "programming", "beginner", "10.00", "USD", "2026-08-01 00:00:00"]
    ],
    "modules": [["m1", "c1", "1", "Intro", "30"]],
    "quizzes": [["q1", "m1", "Intro quiz", "60"]],
    "quiz_questions": [["qq1", "q1", "1", "2 + 2?", "b"]],
    "users": [
        [
            "u1",
            "2026-09-01 09:00:00",
            "2026-09-01 09:00:00",
            "a@example.org",
            "",
            "US",
            "organic",
            "android",
            "Pixel 8",
            "2026-09-01 09:00:00",
            "",
            "",
            "2026-09-01 09:00:00",
        ],
        [
            "u2",
            "2026-09-03 11:59:00",
            "2026-09-03 11:59:00",
            "b@example.org",
            "",
            "DE",
            "referral",
            "ios",
            "iPhone 15",
            "2026-09-03 11:59:00",
            "",
            "",
            "2026-09-03 11:59:00",
        ],
    ],
}

BATCH_1 = {
    "user_app_sessions": [
        [
            "s1",
            "u1",
            "android",
            "4.0.0",
            "2026-09-01 10:00:00",
            "2026-09-01 10:30:00",
            "1500",
            '["lessons"]',
            _nav(("home", "2026-09-01T10:00:00Z"), ("course_detail", "2026-09-01T10:01:00Z")),
            "2026-09-01 10:30:05",
        ],
        [
            "s3",
            "u2",
            "ios",
            "4.0.0",
            "2026-09-03 12:00:00",
            "2026-09-03 12:10:00",
            "500",
            "[]",
            _nav(("home", "2026-09-03T12:00:00Z")),
            "2026-09-03 12:10:05",
        ],
    ],
    "user_course_interactions": [
        [
            "e1",
            "u1",
            "c1",
            "",
            "course_click",
            "",
            "android",
            "2026-09-01 10:02:00",
            "2026-09-01 10:02:05",
        ],
        [
            "e2",
            "u1",
            "c1",
            "",
            "wishlist_add",
            "",
            "android",
            "2026-09-01 10:05:00",
            "2026-09-01 10:05:05",
        ],
        [
            "e3",
            "u1",
            "c1",
            "",
            "cart_add",
            "",
            "android",
            "2026-09-01 10:10:00",
            "2026-09-01 10:10:05",
        ],
    ],
    "user_purchases": [
        [
            "p1",
            "o1",
            "u1",
            "c1",
            "cart_add",
            "10.00",
            "USD",
            "",
            "pending",
            "",
            "android",
            "2026-09-01 10:10:01",
            "2026-09-01 10:10:06",
        ],
    ],
    "quiz_attempts": [
        [
            "a0",
            "u1",
            "q1",
            "android",
            "2026-09-03 09:00:00",
            "2026-09-03 09:02:00",
            "0",
            _responses("a"),
            "2026-09-03 09:02:05",
        ],
    ],
}

BATCH_2_LATE = {
    "user_app_sessions": [
        [
            "s2",
            "u1",
            "android",
            "4.0.0",
            "2026-09-02 18:00:00",
            "2026-09-02 18:20:00",
            "1000",
            '["cart"]',
            _nav(("home", "2026-09-02T18:00:00Z"), ("checkout", "2026-09-02T18:05:00Z")),
            "2026-09-04 08:00:00",
        ],
    ],
    "user_course_interactions": [
        [
            "e4",
            "u1",
            "c1",
            "",
            "purchase_attempt",
            "",
            "android",
            "2026-09-02 18:05:00",
            "2026-09-04 08:00:00",
        ],
    ],
    "user_purchases": [
        [
            "p2",
            "o1",
            "u1",
            "c1",
            "purchase_attempt",
            "10.00",
            "USD",
            "card",
            "succeeded",
            "",
            "android",
            "2026-09-02 18:05:30",
            "2026-09-04 08:00:00",
        ],
        [
            "p3",
            "o1",
            "u1",
            "c1",
            "transaction_completed",
            "10.00",
            "USD",
            "card",
            "succeeded",
            "",
            "android",
            "2026-09-02 18:05:31",
            "2026-09-04 08:00:00",
        ],
    ],
    "quiz_attempts": [
        [
            "a1",
            "u1",
            "q1",
            "android",
            "2026-09-02 18:10:00",
            "2026-09-02 18:12:00",
            "100",
            _responses("b"),
            "2026-09-04 08:00:00",
        ],
    ],
}


def _write(folder: Path, tables: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        with (folder / f"{table}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(TABLES[table].column_names)
            writer.writerows(rows)
    return folder


def _dbt(args: list[str], database: Path, work: Path, command: str = "dbt") -> None:
    env = dbt_env(database, work / "target", target="warehouse")
    if command == "dbt":
        line = behavior_dbt(*args)
    else:
        line = [str(ROOT / ".venv" / "bin" / command), *args]
    result = subprocess.run(
        line,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def _one(database: Path, sql: str):
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


CELLS = {
    "s2_session": "select user_session_number, seconds_since_previous_session "
    "from marts.fct_app_sessions where session_id = 's2'",
    "u1_day2": "select sessions_count, active_seconds, course_interactions_count, "
    "purchases_count from marts.fct_user_daily_activity "
    "where user_id = 'u1' and activity_date = date '2026-09-02'",
    "dau_day2": "select dau from marts.fct_engagement_daily "
    "where activity_date = date '2026-09-02'",
    "wau_day3": "select wau from marts.fct_engagement_daily "
    "where activity_date = date '2026-09-03'",
    "d1_cohort": "select cohort_size, returned_on_count from marts.fct_retention_cohorts "
    "where cohort_granularity = 'day' and cohort_date = date '2026-09-01' "
    "and period_offset = 1",
    "funnel_paid": "select list(users_count order by step_number) "
    "from marts.fct_purchase_funnel where course_id = 'c1' "
    "and step_number <= 5",
    "order": "select is_paid, net_revenue_usd from marts.fct_purchases where order_id = 'o1'",
    "revenue_day2": "select gross_revenue_usd from marts.fct_revenue_daily "
    "where revenue_date = date '2026-09-02'",
    "first_attempts": "select list(attempt_id order by quiz_response_id) "
    "from intermediate.int_quiz_first_attempt_responses_totalled",
    "qq1_stats": "select responses_count, difficulty_index from marts.fct_quiz_question_stats "
    "where question_id = 'qq1'",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("late")
    incremental, full = work / "incremental.duckdb", work / "full.duckdb"
    catalog = _write(work / "catalog", CATALOG)
    first = _write(work / "batch1", BATCH_1)
    late = _write(work / "batch2", BATCH_2_LATE)
    for database in (incremental, full):
        load_paths([catalog], database)
        _dbt(["seed", "--quiet"], database, work)
    load_paths([first], incremental)
    _dbt(["run", "--quiet", "--select", MODELS], incremental, work)
    before = {name: _one(incremental, sql) for name, sql in CELLS.items()}
    load_paths([late], incremental)
    _dbt(["run", "--quiet", "--select", MODELS], incremental, work)
    after = {name: _one(incremental, sql) for name, sql in CELLS.items()}
    load_paths([first, late], full)
    _dbt(["run", "--quiet", "--full-refresh", "--select", MODELS], full, work)
    return before, after, incremental, full


def test_before_the_late_batch(built):
    before, _, _, _ = built
    assert before["s2_session"] is None
    assert before["u1_day2"] is None
    assert before["dau_day2"] == (0,)
    assert before["wau_day3"] == (2,)
    assert before["d1_cohort"] == (1, 0)
    assert before["funnel_paid"] == ([1, 1, 1, 0, 0],)
    assert before["order"][0] is False
    assert before["first_attempts"] == (["a0"],)
    assert before["qq1_stats"] == (1, 0.0)


def test_late_event_updates_session_day_funnel_cohort_and_revenue(built):
    _, after, _, _ = built
    assert after["s2_session"] == (2, 113_400)
    assert after["u1_day2"] == (1, 1000, 1, 1)
    assert after["dau_day2"] == (1,)
    assert after["wau_day3"] == (2,)
    assert after["d1_cohort"] == (1, 1)
    assert after["funnel_paid"] == ([1, 1, 1, 1, 1],)
    assert after["order"] == (True, pytest.approx(10.00))
    assert after["revenue_day2"] == (pytest.approx(10.00),)
    # a1 (09-02) came late and precedes a0 (09-03): a1 is u1's first attempt now,
    # a0 the second, so the item analysis holds a1's right answer only.
    assert after["first_attempts"] == (["a1"],)
    assert after["qq1_stats"] == (1, 1.0)


def test_incremental_equals_full_rebuild(built):
    _, _, incremental, full = built
    _assert_equal_marts(incremental, full)


SCHEMAS = ("intermediate", "marts")


def _assert_equal_marts(incremental: Path, full: Path) -> None:
    """The same tables and views in intermediate and marts, with the same columns and
    the same rows (exactly: no rounding), both ways; build-time columns left out."""
    con = duckdb.connect(str(incremental), read_only=True)
    try:
        compared = relations(con, incremental.stem, SCHEMAS)
    finally:
        con.close()
    assert len(compared) >= 10  # the check below could not fail on an empty build
    differences = compare_databases(incremental, full, schemas=SCHEMAS, float_digits=None)
    assert not differences, "\n".join(f"{d.relation}: {d.message}" for d in differences)


# A session of u2 that happened and was received on 09-03 20:00, with a course
# click, a completed transaction (a new order) and a quiz attempt in it, all only
# loaded after the batch-2 run, whose newest received_at was 09-04 08:00 in each of the four
# event tables: received before that run's watermark, loaded after it.
OUT_OF_ORDER = {
    "user_app_sessions": [
        [
            "s4",
            "u2",
            "ios",
            "4.0.0",
            "2026-09-03 20:00:00",
            "2026-09-03 20:05:00",
            "300",
            "[]",
            _nav(("home", "2026-09-03T20:00:00Z")),
            "2026-09-03 20:05:05",
        ],
    ],
    "user_course_interactions": [
        [
            "e5",
            "u2",
            "c1",
            "",
            "course_click",
            "",
            "ios",
            "2026-09-03 20:01:00",
            "2026-09-03 20:05:05",
        ],
    ],
    "user_purchases": [
        [
            "p4",
            "o2",
            "u2",
            "c1",
            "transaction_completed",
            "10.00",
            "USD",
            "card",
            "succeeded",
            "",
            "ios",
            "2026-09-03 20:02:00",
            "2026-09-03 20:05:05",
        ],
    ],
    "quiz_attempts": [
        [
            "a2",
            "u2",
            "q1",
            "ios",
            "2026-09-03 20:01:00",
            "2026-09-03 20:03:00",
            "0",
            _responses("a"),
            "2026-09-03 20:05:05",
        ],
    ],
}
SHORT_LOOKBACK = ["--vars", '{"behavior__incremental_lookback_hours": 1}']
MISSED = (
    "select list(event_table || '=' || missed_events_count order by event_table) "
    "from reports.rpt_pipeline_late_events"
)
NONE_MISSED = (
    ["quiz_attempts=0", "user_app_sessions=0", "user_course_interactions=0", "user_purchases=0"],
)
ONE_MISSED_PER_TABLE = (
    ["quiz_attempts=1", "user_app_sessions=1", "user_course_interactions=1", "user_purchases=1"],
)
SESSIONS_OF_U2 = "select count(*) from marts.fct_app_sessions where user_id = 'u2'"


def _out_of_order_copy(built, tmp_path: Path) -> Path:
    _, _, incremental, _ = built
    database = tmp_path / "out_of_order.duckdb"
    database.write_bytes(incremental.read_bytes())
    load_paths([_write(tmp_path / "batch3", OUT_OF_ORDER)], database)
    return database


@pytest.fixture(scope="module")
def full_with_batch3(built, tmp_path_factory) -> Path:
    """A full rebuild of the catalog and the three batches."""
    work, full_dir = built[2].parent, tmp_path_factory.mktemp("full3")
    full = full_dir / "full3.duckdb"
    batch3 = _write(full_dir / "batch3", OUT_OF_ORDER)
    load_paths([work / "catalog", work / "batch1", work / "batch2", batch3], full)
    _dbt(["seed", "--quiet"], full, full_dir)
    _dbt(["run", "--quiet", "--full-refresh", "--select", MODELS], full, full_dir)
    return full


def test_a_file_loaded_out_of_received_order_is_reprocessed_from_its_own_rows(
    built, tmp_path, full_with_batch3
):
    """The batch-3 files' earliest received_at (09-03 20:05:05, raw._load_files) is
    before the newest received_at the models hold (09-04 08:00), and the files were
    loaded after their last build (ops.incremental_builds): the run reprocesses from 09-03
    20:05:05, even with a one-hour lookback, so u2 gets a second session and nothing
    is missed in any table; the result equals a full rebuild of the three batches."""
    database = _out_of_order_copy(built, tmp_path)
    _dbt(["run", "--quiet", "--select", MODELS, *SHORT_LOOKBACK], database, tmp_path)
    assert _one(database, MISSED) == NONE_MISSED
    assert _one(database, SESSIONS_OF_U2) == (2,)
    assert _one(
        database,
        "select user_session_number, seconds_since_previous_session "
        "from marts.fct_app_sessions where session_id = 's4'",
    ) == (2, 28_200)  # u2's s3 ended 09-03 12:10:00; s4 opened 20:00:00: 7 h 50 min

    _assert_equal_marts(database, full_with_batch3)


def test_rows_beyond_the_lookback_are_counted_then_reprocessed(built, tmp_path, full_with_batch3):
    """Without the load record (a file audited by an older loader: no
    min_received_at) the run falls back to the lookback: with one hour, its watermark
    is 09-04 07:00 in each event table's first model, so the session, the click, the
    completed transaction and the quiz attempt are missed and counted, one per table,
    and `behavior reprocess` takes them in: then every mart equals a full rebuild (the
    09-03 DAU, WAU and MAU too). The run is a `dbt build` with the models' data
    tests: a missed event only warns (the revenue reconciliations compare the marts
    with the events they were built from; with staging, the missed completed
    transaction failed them and stopped the build)."""
    database = _out_of_order_copy(built, tmp_path)
    con = duckdb.connect(str(database))
    con.execute(
        "update raw._load_files set min_received_at = null where source_file like '%batch3%'"
    )
    con.close()
    _dbt(
        ["build", "--quiet", "--exclude-resource-type", "unit_test", "--indirect-selection",
         "cautious", "--select", MODELS,
         *SHORT_LOOKBACK],
        database,
        tmp_path,
    )  # fmt: skip
    assert _one(database, MISSED) == ONE_MISSED_PER_TABLE
    assert _one(database, SESSIONS_OF_U2) == (1,)

    _dbt(
        ["reprocess", "--from", "2026-09-03", "--to", "2026-09-03", "--select", MODELS],
        database,
        tmp_path,
        command="behavior",
    )
    assert _one(database, MISSED) == NONE_MISSED
    assert _one(database, SESSIONS_OF_U2) == (2,)
    _assert_equal_marts(database, full_with_batch3)


# A copy of each of u2's batch-1 events under a new id, received in the year 9999 (a
# collector clock ahead, written straight into raw: the loader refuses a time after
# the load), and dated on 09-04 (u2's session s9 on ios, 10:00-10:10).
RECEIVED_AFTER_THE_RUN = (
    "insert into raw.user_app_sessions by name select * replace ("
    "'s9' as session_id, timestamp '2026-09-04 10:00:00' as opened_at, "
    "timestamp '2026-09-04 10:10:00' as closed_at, '[]' as navigation_history, "
    "timestamp '9999-12-31 23:59:59' as received_at) "
    "from raw.user_app_sessions where session_id = 's3'",
    "insert into raw.user_course_interactions by name select * replace ("
    "'e9' as event_id, 'u2' as user_id, 'ios' as platform, "
    "timestamp '2026-09-04 10:01:00' as occurred_at, "
    "timestamp '9999-12-31 23:59:59' as received_at) "
    "from raw.user_course_interactions where event_id = 'e1'",
    "insert into raw.user_purchases by name select * replace ("
    "'p9' as event_id, 'o9' as order_id, 'u2' as user_id, 'ios' as platform, "
    "timestamp '2026-09-04 10:02:00' as occurred_at, "
    "timestamp '9999-12-31 23:59:59' as received_at) "
    "from raw.user_purchases where event_id = 'p1'",
    "insert into raw.quiz_attempts by name select * replace ("
    "'a9' as attempt_id, 'u2' as user_id, 'ios' as platform, "
    "timestamp '2026-09-04 10:03:00' as started_at, "
    "timestamp '2026-09-04 10:05:00' as submitted_at, "
    "timestamp '9999-12-31 23:59:59' as received_at) "
    "from raw.quiz_attempts where attempt_id = 'a0'",
)
NO_LOAD_RECORD = "update raw._load_files set min_received_at = null"


def test_a_received_time_after_the_run_leaves_the_lookback_watermark(built, tmp_path):
    """In the lookback fallback (no load record) the watermark is the newest received
    time not after the run's start, less the 72-hour lookback. After batch 2 (newest
    09-04 08:00), raw gets one event per table received in the year 9999 and a run
    takes them in; then batch 3, received 09-03 20:05:05, is loaded: the watermark
    stays 09-01 08:00 (it was 9999-12-28 23:59:59, which left each of batch 3's four
    events missed), so nothing is missed and u2 has sessions s3, s4 and s9. The rows
    received in 9999 are reprocessed by every run and counted nowhere twice: a full
    rebuild of the same raw tables equals the incremental result."""
    database = tmp_path / "received_after.duckdb"
    database.write_bytes(built[2].read_bytes())
    con = duckdb.connect(str(database))
    for statement in RECEIVED_AFTER_THE_RUN:
        con.execute(statement)
    con.execute(NO_LOAD_RECORD)
    con.close()
    _dbt(["run", "--quiet", "--select", MODELS], database, tmp_path)
    assert _one(database, SESSIONS_OF_U2) == (2,)  # s3 and s9

    load_paths([_write(tmp_path / "batch3", OUT_OF_ORDER)], database)
    con = duckdb.connect(str(database))
    con.execute(NO_LOAD_RECORD)
    con.close()
    _dbt(["run", "--quiet", "--select", MODELS], database, tmp_path)
    assert _one(database, MISSED) == NONE_MISSED
    assert _one(database, SESSIONS_OF_U2) == (3,)

    full = tmp_path / "full.duckdb"
    full.write_bytes(database.read_bytes())
    _dbt(["run", "--quiet", "--full-refresh", "--select", MODELS], full, tmp_path)
    _assert_equal_marts(database, full)
