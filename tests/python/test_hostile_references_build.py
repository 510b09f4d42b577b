"""Rows that break every reference and catalog rule, written straight into raw (the
loader quarantines most of them; the sample seeds and other writers of raw do not go
through it), never stop the build and are never dropped: the full build and the next
daily run pass (anomaly tests only warn), every such row reaches the marts, and
rpt_data_quality counts each kind exactly. The daily run's warehouse then equals a full
rebuild of the same raw tables.

The planted rows: tests/python/hostile_rows.py.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import hostile_rows as hostile
import incremental_helpers as h

pytestmark = pytest.mark.slow

# the calendar's last second: infinity and times beyond the year 9999 stage as it
CALENDAR_END = datetime(9999, 12, 31, 23, 59, 59)
# rpt_data_quality after the full build, worked out from the list in hostile_rows.py
FLAGGED_AFTER_FULL = {
    "modules_sharing_a_position": 2,
    "modules_of_unknown_courses": 1,
    "quizzes_sharing_a_module": 2,
    "quizzes_of_unknown_modules": 1,
    "quiz_questions_sharing_a_position": 2,
    "quiz_questions_of_unknown_quizzes": 1,
    "app_sessions_of_unknown_users": 1,
    "course_interactions_of_unknown_users": 1,
    "course_interactions_of_unknown_courses": 2,
    "quiz_attempts_of_unknown_users": 1,
    "quiz_attempts_of_unknown_quizzes": 0,
    "quiz_responses_of_unknown_questions": 1,
    "responses_scored_against_another_key": 1,
    "purchase_events_of_unknown_users": 1,
    "purchase_events_of_unknown_courses": 3,
    "purchase_events_without_fx_rate": 1,
    "course_interactions_of_unknown_types": 1,
    "purchase_events_of_unknown_types": 0,
    "app_sessions_with_unparsable_lists": 2,
    # s_step_294247 (a step text in the year 294247)
    "app_sessions_with_unparsable_step_times": 1,
    "quiz_attempts_with_unparsable_responses": 2,
    "quiz_attempts_with_incomplete_responses": 1,
    "app_sessions_closed_before_opened": 1,
    "navigation_steps_without_screen": 0,
    "purchase_events_with_status_not_fitting_type": 0,
    "purchase_events_of_conflicting_orders": 0,
    "quiz_responses_repeating_a_question": 0,
    # qa_orphan_quiz answers qq_orphan, a question of qz_ghost, in an attempt of qz_orphan
    "quiz_responses_of_another_quizs_questions": 1,
    # u_uninstall_first's uninstall, two hours before its install
    "install_events_before_first_install": 1,
    "payment_attempts_with_failure_reason_not_fitting_status": 0,
    "quiz_attempts_submitted_without_score": 0,
    "course_enrollments_completed_before_started": 0,
    # c_yen
    "courses_without_fx_rate": 1,
    # plant_absurd_values: s_year_1, s_year_1900, s_infinite (9999-12-31), s_year_2099,
    # s_year_bc (0001-01-01)
    "app_sessions_dated_outside_the_date_spine": 5,
    # pe_year_1
    "purchase_events_dated_outside_the_date_spine": 1,
    # s_on_windows, s_platform_all (staged as "(all)")
    "app_sessions_of_unknown_platforms": 2,
    # ci_platform_all
    "course_interactions_of_unknown_platforms": 1,
    # ci_year_1, ci_year_294247
    "course_interactions_dated_outside_the_date_spine": 2,
    # m_no_course, s_no_user, pe_no_amount, U's version without a sign-up
    "modules_rows_missing_required_values": 1,
    "user_app_sessions_rows_missing_required_values": 1,
    "user_purchases_rows_missing_required_values": 1,
    "users_rows_missing_required_values": 1,
    "user_course_interactions_rows_missing_required_values": 0,
    "courses_rows_missing_required_values": 0,
    "quizzes_rows_missing_required_values": 0,
    "quiz_questions_rows_missing_required_values": 0,
    "quiz_attempts_rows_missing_required_values": 0,
    # C's second copy differs (its price); M1's and X1's read the same once staged
    "courses_keys_with_conflicting_copies": 1,
    "modules_keys_with_conflicting_copies": 0,
    "quizzes_keys_with_conflicting_copies": 0,
    "quiz_questions_keys_with_conflicting_copies": 0,
}
# partial_quiz_submissions: QQ_TIE gives Q1 one question more than any generated
# attempt answered, so every submitted attempt of Q1 counts (the planted ones too:
# one response, and none that parse); the test counts them in raw
# ... and after the daily delivery
# (s_bad_step's step time "garbage" is the daily delivery's, after s_step_294247)
FLAGGED_AFTER_DAILY = {
    **FLAGGED_AFTER_FULL,
    "app_sessions_of_unknown_users": 2,
    "app_sessions_with_unparsable_step_times": 2,
    # s_no_screen's two steps; pe_failed_paid; ord_two_currencies' two events
    "navigation_steps_without_screen": 2,
    "purchase_events_with_status_not_fitting_type": 1,
    "purchase_events_of_conflicting_orders": 2,
    # pe_failed_no_reason
    "payment_attempts_with_failure_reason_not_fitting_status": 1,
    # qa_no_score
    "quiz_attempts_submitted_without_score": 1,
    # U's enrollment in c_clock
    "course_enrollments_completed_before_started": 1,
    # ci_no_time
    "user_course_interactions_rows_missing_required_values": 1,
}


def _snapshot(database: Path) -> dict:
    one = lambda sql: h.query(database, sql)[0][0]  # noqa: E731
    return {
        "flagged": dict(
            h.query(
                database,
                "select check_name, flagged_rows_count from reports.rpt_data_quality "
                f"where check_name in {(*FLAGGED_AFTER_FULL, 'partial_quiz_submissions')}",
            )
        ),
        "lost": {
            name: one(f"select (select count(*) from {a}) - (select count(*) from {b})")
            for name, a, b in (
                ("modules", "staging.stg_app__modules", "marts.dim_modules"),
                ("quizzes", "staging.stg_app__quizzes", "marts.dim_quizzes"),
                ("questions", "staging.stg_app__quiz_questions", "marts.dim_quiz_questions"),
                (
                    "question stats",
                    "staging.stg_app__quiz_questions",
                    "marts.fct_quiz_question_stats",
                ),
                ("attempts", "staging.stg_app__quiz_attempts", "marts.fct_quiz_attempts"),
                ("sessions", "staging.stg_app__user_app_sessions", "marts.fct_app_sessions"),
            )
        },
        "orders": dict(
            h.query(
                database,
                "select order_id, gross_amount_usd from marts.fct_purchases "
                "where order_id in "
                "('ord_ghost_course', 'ord_ghost_user', 'ord_no_rate', 'ord_huge_eur', "
                "'ord_year_1')",
            )
        ),
        "ghost_days": h.query(
            database,
            "select user_id, is_new_user from marts.fct_user_daily_activity "
            "where user_id like 'u_ghost%' order by 1",
        ),
        # the date spine, and the days in raw that it can hold (the README: from the
        # first to the last day with data, none before 2014-12-31 or after tomorrow;
        # users' sign-ups and installs count, as events)
        "spine": h.query(database, "select min(date_day), max(date_day) from utilities.util_days"),
        "days_with_data": h.query(
            database,
            "select min(d), max(d) from (select cast(opened_at as date) as d "
            "from raw.user_app_sessions where user_id is not null "
            "union all select cast(occurred_at as date) from raw.user_course_interactions "
            "where occurred_at is not null union all select cast(started_at as date) "
            "from raw.quiz_attempts union all select cast(occurred_at as date) "
            "from raw.user_purchases where amount is not null "
            "union all select cast(signed_up_at as date) from raw.users "
            "union all select cast(installed_at as date) from raw.users "
            "union all select cast(uninstalled_at as date) from raw.users "
            "union all select cast(reinstalled_at as date) from raw.users) "
            "where d between date '2014-12-31' and current_date + 1",
        ),
        # rows of a day the spine cannot hold, in the daily marts and the lifecycle
        "off_spine_rows": one(
            "select (select count(*) from marts.fct_user_daily_activity where activity_date "
            "not in (select date_day from utilities.util_days)) + (select count(*) from "
            "marts.fct_payments_daily where payment_date not in "
            "(select date_day from utilities.util_days)) + (select count(*) from "
            "marts.fct_user_lifecycle_weekly where week_start_date > "
            "(select max(date_day) from utilities.util_days))"
        ),
        # the late-events report: no missed event after a full build or a daily
        # run, and no delay from a sentinel date (2,026 years before)
        "late_events": h.query(
            database,
            "select event_table, missed_events_count, max_delay_hours < 24 * 365 "
            "from reports.rpt_pipeline_late_events order by 1",
        ),
        # the rows missing a required value: in raw, in no staging model
        "missing_required": [
            (
                name,
                one(f"select count(*) from raw.{raw} where {where}"),
                one(f"select count(*) from staging.stg_app__{staged} where {where}"),
            )
            for name, raw, staged, where in (
                ("module", "modules", "modules", "module_id = 'm_no_course'"),
                ("session", "user_app_sessions", "user_app_sessions", "session_id = 's_no_user'"),
                ("purchase", "user_purchases", "user_purchases", "event_id = 'pe_no_amount'"),
                (
                    "click",
                    "user_course_interactions",
                    "user_course_interactions",
                    "event_id = 'ci_no_time'",
                ),
                ("sign-up", "users", "users", "signed_up_at is null"),
            )
        ],  # fmt: skip
        # the copies of catalog keys: one row each in staging and the dimensions; C's
        # list price is the lower of its two (sorts first), X1's key as stored
        "catalog_copies": h.query(
            database,
            "select 'course', raw_copies_count, has_conflicting_copies, "
            "(select count(*) from marts.dim_courses where course_id = s.course_id) "
            "from staging.stg_app__courses as s where raw_copies_count > 1 "
            "union all select 'module', raw_copies_count, has_conflicting_copies, "
            "(select count(*) from marts.dim_modules where module_id = s.module_id) "
            "from staging.stg_app__modules as s where raw_copies_count > 1 "
            "union all select 'question', raw_copies_count, has_conflicting_copies, "
            "(select count(*) from marts.dim_quiz_questions "
            "where question_id = s.question_id) "
            "from staging.stg_app__quiz_questions as s where raw_copies_count > 1 "
            "order by 1",
        ),
        # what the dimensions keep of them: C's list price (the lower of its two
        # sorts first), X1's answer key
        "catalog_copies_kept": h.query(
            database,
            "select (select price_amount = (select min(price_amount) from raw.courses "
            "where course_id = c.course_id) from marts.dim_courses as d "
            "where d.course_id = c.course_id), "
            "(select correct_option from marts.dim_quiz_questions as d "
            "where d.question_id = x.question_id) "
            "from (select course_id from staging.stg_app__courses "
            "where has_conflicting_copies) as c "
            "cross join (select question_id from staging.stg_app__quiz_questions "
            "where raw_copies_count > 1) as x",
        ),
        # rows that stopped the build before 2026-12-06 (hostile_rows.py)
        "stopped_the_build": {
            "score_improvement": one(
                "select score_improvement from marts.fct_quiz_attempts "
                "where attempt_id = 'qa_score_150'"
            ),
            "key_e": one(
                "select correct_option from marts.dim_quiz_questions where question_id = 'qq_key_e'"
            ),
            "platform_all": h.query(
                database,
                "select platform from staging.stg_app__user_app_sessions "
                "where session_id = 's_platform_all' union all select platform "
                "from staging.stg_app__user_course_interactions "
                "where event_id = 'ci_platform_all'",
            ),
            "long_modules_minutes": one(
                "select estimated_minutes from marts.dim_courses where course_id = 'c_yen'"
            ),
            "step_2100": h.query(
                database,
                "select session_seconds, is_duration_estimated, ended_at "
                "from marts.fct_app_sessions where session_id = 's_step_2100'",
            ),
            "feature_keys": h.query(
                database,
                "select session_feature_id from staging.stg_app__session_features "
                "where session_id like 's_colon%' union all select event_id "
                "from marts.fct_user_events where session_id like 's_colon%' "
                "and event_name = 'feature_use' order by 1",
            ),
            "screen_exit": h.query(
                database,
                "select from_screen, to_screen, is_exit from marts.fct_navigation_transitions "
                "where '(exit)' in (from_screen, to_screen) order by all",
            ),
            "time_travel": h.query(
                database,
                "select (select count(*) from staging.stg_app__session_features "
                "where feature_name = 'time_travel'), (select count(*) from "
                "marts.fct_feature_adoption where feature_name = 'time_travel')",
            ),
            # times beyond the calendar's years 1-9999 (hostile_rows.BC_END, AD_END)
            "range_ends": h.query(
                database,
                "select session_id, opened_at, session_seconds, is_duration_estimated, "
                "(select has_unparsable_step_times from staging.stg_app__user_app_sessions "
                "as s where s.session_id = f.session_id) from marts.fct_app_sessions as f "
                "where session_id in ('s_year_bc', 's_step_294247') union all "
                "select event_id, event_at, null, null, null "
                "from marts.fct_user_events where event_id = 'course_click:ci_year_294247' "
                "union all "
                "select user_id, signed_up_at, null, null, null from marts.dim_users "
                "where user_id = 'u_year_294247' union all select user_id || ':' || "
                "install_event_type, occurred_at, null, null, null "
                "from staging.stg_app__user_install_events where user_id = 'u_year_294247' "
                "order by 1",
            ),
        },
        "tiny_price": h.query(
            database,
            "select price_amount, price_usd, is_free from marts.dim_courses "
            "where course_id = 'c_tiny_price'",
        ),
        "orphan_enrollment": h.query(
            database,
            "select is_free_course, furthest_module_id from marts.fct_course_enrollments "
            "where course_id = 'c_ghost'",
        ),
        "unknown_type_events": h.query(
            database,
            "select event_id from marts.fct_user_events "
            "where event_name = 'other_course_interaction'",
        ),
        "bad_json": h.query(
            database,
            "select session_id, navigation_steps, features_used, has_unparsable_lists "
            "from staging.stg_app__user_app_sessions "
            "where session_id in ('s_bad_json', 's_object_json') "
            "union all select attempt_id, responses, null, has_unparsable_responses "
            "from staging.stg_app__quiz_attempts where attempt_id = 'qa_bad_json'",
        ),
        "offset_step": h.query(
            database,
            "select session_seconds, is_duration_estimated from marts.fct_app_sessions "
            "where session_id = 's_offset_step'",
        ),
        "text_values": h.query(
            database,
            "select responses, has_unparsable_responses, has_incomplete_responses "
            "from staging.stg_app__quiz_attempts "
            "where attempt_id = 'qa_text_values'",
        ),
        "closed_early": h.query(
            database,
            "select session_seconds, is_duration_estimated from marts.fct_app_sessions "
            "where session_id = 's_closed_early'",
        ),
        "last_modules": one(
            "select count(*) from (select course_id from marts.dim_modules group by 1 "
            "having count(case when is_last_module then 1 end) != 1)"
        ),
    }


def _metric_values_off_the_spine(database: Path, target: Path) -> dict:
    """Every metric of the semantic layer by day (`behavior metrics`): the values other
    than null and 0 on days outside utilities.util_days, {(day, metric): value}."""
    import csv
    import json

    from behavior.cli import main

    manifest = target / "semantic_manifest.json"
    metrics = sorted(m["name"] for m in json.loads(manifest.read_text())["metrics"])
    out = target / "metrics_by_day.csv"
    args = ["metrics", "--metrics", ",".join(metrics), "--group-by", "metric_time__day"]
    assert main([*args, "--database", str(database), "--manifest", str(manifest),
                 "--out", str(out)]) == 0  # fmt: skip
    spine = {str(day) for (day,) in h.query(database, "select date_day from utilities.util_days")}
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= len(spine)
    return {
        (row["metric_time__day"], metric): value
        for row in rows
        if row["metric_time__day"] not in spine
        for metric, value in row.items()
        if metric != "metric_time__day" and value not in ("", "0", "0.0", "0.00")
    }


def test_hostile_references_are_kept_flagged_and_counted(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    h.generate(
        generated, users=hostile.USERS, days=hostile.DAYS, seed=hostile.SEED, start=hostile.START
    )
    daily, full = tmp_path / "a" / "daily.duckdb", tmp_path / "b" / "full.duckdb"
    for database in (daily, full):
        h.load(generated, database)
    first_at, daily_at = hostile.plant_times(daily)

    q1, key = (hostile.catalog(daily)[name] for name in ("Q1", "KEY"))
    hostile.plant_full(daily, first_at)
    hostile.plant_absurd_values(daily, first_at)
    ((q1_submitted,),) = h.query(
        daily,
        "select count(*) from raw.quiz_attempts where quiz_id = ? and submitted_at is not null",
        [q1],
    )
    assert q1_submitted >= 3  # the three planted ones, and any generated attempt of Q1
    partial = {"partial_quiz_submissions": q1_submitted}
    h.build(daily, tmp_path / "a" / "target")
    first = _snapshot(daily)
    assert first["flagged"] == {**FLAGGED_AFTER_FULL, **partial}
    assert first["lost"] == dict.fromkeys(first["lost"], 0)
    assert first["catalog_copies"] == [
        ("course", 2, True, 1),
        ("module", 2, False, 1),
        ("question", 2, False, 1),
    ]
    assert first["catalog_copies_kept"] == [(True, key)]
    # paid, though its USD price rounds to 0.00 (was an error: is_free = (price_usd = 0))
    step_2100_seconds = int((datetime(2100, 1, 1) - first_at).total_seconds()) + 30
    assert first["stopped_the_build"] == {
        "score_improvement": 150.0,
        "key_e": "e",
        "platform_all": [("(all)",), ("(all)",)],
        "long_modules_minutes": 2 * 2_147_483_647,
        "step_2100": [(step_2100_seconds, True, datetime(2100, 1, 1, 0, 0, 30))],
        "feature_keys": [
            ("feature_use:s_colon:b:c",),
            ("feature_use:s_colon:b~cc",),
            ("s_colon:b:c",),
            ("s_colon:b~cc",),
        ],
        # a screen named exit is no exit: home -> (exit), then the session's end
        "screen_exit": [("(exit)", "exit", True), ("home", "(exit)", False)],
        # staged, in no adoption: its only session is dated 2099
        "time_travel": [(1, 0)],
        # times beyond the calendar stage at its ends (they stopped the build: an
        # interval past DuckDB's range, a funnel window, a day window after a sign-up);
        # the step text in 294247 does not parse, so the crash estimate is the
        # session's active seconds
        "range_ends": [
            ("course_click:ci_year_294247", CALENDAR_END, None, None, None),
            ("s_step_294247", first_at, 100, True, True),
            (
                "s_year_bc",
                datetime(1, 1, 1),
                int((first_at - datetime(1, 1, 1)).total_seconds()) + 30,
                True,
                False,
            ),
            ("u_year_294247", CALENDAR_END, None, None, None),
            ("u_year_294247:install", CALENDAR_END, None, None, None),
        ],
    }
    assert first["tiny_price"] == [(Decimal("0.01"), Decimal("0.00"), False)]
    # kept: the order of an unknown course and the unknown user's order count in USD;
    # the JPY order has no USD amount
    assert first["orders"]["ord_ghost_course"] == 10
    assert first["orders"]["ord_ghost_user"] == 10
    assert "ord_no_rate" in first["orders"]
    assert first["ghost_days"] == [("u_ghost", False)]
    # U's sessions on 0001-01-01, 1900-01-01 and at infinity stretch neither end of the
    # spine (they did, to 2014-12-31 and tomorrow: 12 years of empty days in every
    # daily mart and the MIS report), and are no active day, payment day or period
    assert first["spine"] == first["days_with_data"]
    assert first["spine"][0][0] > date(2015, 1, 1)
    assert first["off_spine_rows"] == 0
    assert first["late_events"] == [
        (table, 0, True)
        for table in ("quiz_attempts", "user_app_sessions", "user_course_interactions",
                      "user_purchases")
    ]  # fmt: skip
    # 9,999,999,999.99 EUR x 1.08 = 10,799,999,999.9892, kept to the cent; the
    # revenue reconciliations (singular tests) recompute it
    assert first["orders"]["ord_huge_eur"] == Decimal("10799999999.99")
    # money dated 0001-01-01: in its order, on no day (the reconciliations leave it out
    # of the daily side only)
    assert first["orders"]["ord_year_1"] == 10
    # the ends of the calendar: exact second counts past 32 bits; infinity stages as
    # the calendar's last second, so U's session before it has a gap to it
    assert h.query(
        daily,
        "select session_id, opened_at, session_seconds, user_session_number "
        "from marts.fct_app_sessions where session_id in ('s_year_1', 's_year_1900') "
        "order by opened_at",
    ) == [
        ("s_year_1", datetime(1, 1, 1), 300, 1),
        ("s_year_1900", datetime(1900, 1, 1), (first_at - datetime(1900, 1, 1)).days * 86400
         + (first_at - datetime(1900, 1, 1)).seconds, 2),
    ]  # fmt: skip
    ((second_gap,),) = h.query(
        daily,
        "select seconds_since_previous_session from marts.fct_app_sessions "
        "where session_id = 's_year_1900'",
    )
    assert second_gap == (datetime(1900, 1, 1) - datetime(1, 1, 1, 0, 5)).total_seconds()
    # web, android, ios, windows and "(all)" (s_platform_all)
    assert h.query(
        daily,
        "select platforms_count from marts.fct_user_daily_activity "
        "where user_id = ? and activity_date = ?",
        [hostile.catalog(daily)["U"], first_at.date()],
    ) == [(5,)]
    assert h.query(
        daily,
        "select opened_at, is_crashed, seconds_since_previous_session > 2147483647 "
        "from marts.fct_app_sessions where session_id = 's_infinite'",
    ) == [(CALENDAR_END, True, True)]
    assert first["missing_required"] == [
        ("module", 1, 0),
        ("session", 1, 0),
        ("purchase", 1, 0),
        ("click", 0, 0),  # the daily delivery's
        ("sign-up", 1, 0),
    ]
    assert first["orphan_enrollment"] == [(None, "m_orphan")]
    assert first["last_modules"] == 0
    assert first["closed_early"] == [(0, True)]
    # the step's offset is applied: the step is at the open, so the crash estimate is
    # the 30 s tail (2 h 30 s if the offset were dropped)
    assert first["offset_step"] == [(30, True)]
    # a verdict "yes" stages as null and seconds "7" as 7.0, flagged unparsable; the
    # response that names no question is kept, flagged incomplete
    key = hostile.catalog(daily)["KEY"]
    x1 = hostile.catalog(daily)["X1"]
    assert first["text_values"] == [
        (
            [
                {"question_id": x1, "chosen_option": key, "is_correct": None, "seconds_spent": 7.0},
                {
                    "question_id": None,
                    "chosen_option": "a",
                    "is_correct": False,
                    "seconds_spent": 3.0,
                },
            ],
            True,
            True,
        )
    ]
    # the semantic layer: every metric by day gives a day outside the date spine (U's
    # sessions on 0001-01-01 and at infinity, the click in 294247, ...) no value, as no
    # daily mart has one (the session averages and medians and the quiz score average
    # had one: they did not join the time spine)
    assert _metric_values_off_the_spine(daily, tmp_path / "a" / "target") == {}
    # a type outside the contract stays in the stream under one canonical name
    assert first["unknown_type_events"] == [("other_course_interaction:ci_unknown_type",)]
    # text that is not a JSON list (s_bad_json's features and s_object_json's navigation
    # are JSON objects) stages as null lists, flagged (the staging anomaly checks warn;
    # rpt_data_quality counts); the session's other list is kept
    assert sorted(first["bad_json"]) == [
        ("qa_bad_json", None, None, True),
        ("s_bad_json", None, None, True),
        ("s_object_json", None, ["lessons"], True),
    ]

    hostile.plant_daily(daily, daily_at)
    hostile.plant_full(full, first_at)
    hostile.plant_absurd_values(full, first_at)
    hostile.plant_daily(full, daily_at)
    with ThreadPoolExecutor(max_workers=2) as pool:
        builds = [
            h.build_in_background(
                pool, daily, tmp_path / "a" / "target", extra_env=h.DAILY_ENV, threads=1
            ),
            h.build_in_background(pool, full, tmp_path / "b" / "target", threads=1),
        ]
        for build in builds:
            assert build.result().returncode == 0
    second = _snapshot(daily)
    assert h.query(
        daily,
        "select payment_method from marts.fct_payment_attempts where order_id = 'ord_no_method'",
    ) == [("unknown",)]
    ((unknown_paid,),) = h.query(
        daily,
        "select sum(paid_orders_count) from marts.fct_payments_daily "
        "where payment_method = 'unknown'",
    )
    assert unknown_paid == 1
    # the step whose time did not parse is stamped at the session's open
    assert h.query(
        daily,
        "select count(*) from marts.fct_user_events where session_id = 's_bad_step' "
        "and event_name = 'screen_view' and event_at = ?",
        [daily_at],
    ) == [(1,)]
    assert second["flagged"] == {**FLAGGED_AFTER_DAILY, **partial}
    assert second["spine"] == second["days_with_data"]
    assert second["off_spine_rows"] == 0
    assert second["late_events"] == first["late_events"]
    assert second["missing_required"][3] == ("click", 1, 0)
    # kept: the transaction marked failed pays its order; the order paid in GBP has
    # its USD amount from its GBP transaction (10 x 1.27), and the order's first
    # event's currency
    assert h.query(
        daily,
        "select order_id, is_paid, currency, gross_amount_usd from marts.fct_purchases "
        "where order_id in ('ord_failed_paid', 'ord_two_currencies') order by order_id",
    ) == [("ord_failed_paid", True, "USD", Decimal("10.00")),
          ("ord_two_currencies", True, "USD", Decimal("12.70"))]  # fmt: skip
    # the steps without a screen are screen views without one, and the transitions
    # home -> (no screen) -> (no screen) -> exit
    assert h.query(
        daily,
        "select count(*) from marts.fct_user_events where session_id = 's_no_screen' "
        "and event_name = 'screen_view' and screen_name is null",
    ) == [(2,)]
    ((no_screen_exits,),) = h.query(
        daily,
        "select transitions_count from marts.fct_navigation_transitions "
        "where from_screen = '(no screen)' and to_screen = 'exit'",
    )
    assert no_screen_exits == 1
    assert second["lost"] == dict.fromkeys(second["lost"], 0)
    assert second["ghost_days"] == [("u_ghost", False), ("u_ghost2", False)]
    assert second["last_modules"] == 0

    differences = h.compare_databases(daily, full, h.COMPARED_SCHEMAS)
    assert not differences, h.describe(differences)

    # ... and the reports on it: the publish, the MIS report (HTML, Excel, and the PDF
    # when Chromium is there), the summary and each insight question on its default
    # range all run (an event dated 9999-12-31, infinity as staged, made the insights'
    # default range leave the calendar)
    from behavior.cli import main

    serving = tmp_path / "a" / "daily.serving.duckdb"
    assert main(["publish", "--database", str(daily), "--serving", str(serving)]) == 0
    report = ["report", "--database", str(serving), "--out", str(tmp_path / "report")]
    assert main([*report, "--quiet"]) == 0
    assert main(["summary", "--database", str(serving)]) == 0
    for question in (
        ["funnel", "course_click", "cart_add"],
        ["retention"],
        ["lifecycle"],
        ["trends"],
        ["stickiness"],
    ):
        assert main(["insight", *question, "--database", str(serving)]) == 0, question
