"""Rows that break every reference and catalog rule, written straight into raw (the
loader quarantines most of them; the sample seeds and other writers of raw do not go
through it), never stop the build and are never dropped: the full build and the next
daily run pass (anomaly tests only warn), every such row reaches the marts, and
rpt_data_quality counts each kind exactly. The daily run's warehouse then equals a full
rebuild of the same raw tables.

Planted on a small generated history (course C, its modules M1 and M2, M1's quiz Q1
and Q1's first question X1; user U; u_ghost has no user record):

- catalog: module M_TIE at C's position 2 (shared with M2), module M_ORPHAN of course
  c_ghost; quiz QZ_SECOND on M1 (two quizzes there), quiz QZ_ORPHAN of module m_ghost;
  question QQ_TIE at Q1's position 1 (shared with X1), question QQ_ORPHAN of quiz
  qz_ghost;
- events: u_ghost's session, module start in M1, quiz attempt on Q1 answering only X1
  and scored against another key, and completed transaction; U's click on c_ghost and
  module start in M_ORPHAN (under c_ghost), an order on c_ghost (cart, attempt,
  transaction), a transaction in JPY (no fx rate), and an attempt on QZ_ORPHAN
  answering QQ_ORPHAN and qq_ghost (unknown); U's course interaction of a type
  outside the contract (teleport), a session whose lists are not JSON lists and an
  attempt whose responses are not JSON; a session closed before it opened;
- the daily delivery: u_ghost2's session, U's module start in M_TIE, U's paid order
  whose attempt and transaction name no payment method (the contract does not require
  one), and U's session with a step time that does not parse.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import incremental_helpers as h

pytestmark = pytest.mark.slow

USERS, DAYS, SEED, START = 40, 8, 23, date(2026, 9, 1)

# rpt_data_quality after the full build, worked out from the list above
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
}
# partial_quiz_submissions: QQ_TIE gives Q1 one question more than any generated
# attempt answered, so every submitted attempt of Q1 counts (the planted ones too:
# one response, and none that parse); the test counts them in raw
# ... and after the daily delivery
FLAGGED_AFTER_DAILY = {**FLAGGED_AFTER_FULL, "app_sessions_of_unknown_users": 2}


def _catalog(database: Path) -> dict[str, str]:
    """C (a course with modules at positions 1 and 2 and a quiz on module 1), M1, M2,
    Q1, X1 (Q1's first question) and its key, and U (a user with a record)."""
    ((course, m1, m2, q1, x1, key, user),) = h.query(
        database,
        """
        select m1.course_id, m1.module_id, m2.module_id, q.quiz_id, x.question_id,
            x.correct_option, (select min(user_id) from raw.users)
        from raw.modules as m1
        inner join raw.modules as m2
            on m1.course_id = m2.course_id and m2.module_position = 2
        inner join raw.quizzes as q on q.module_id = m1.module_id
        inner join raw.quiz_questions as x
            on x.quiz_id = q.quiz_id and x.question_position = 1
        where m1.module_position = 1
        order by all limit 1
        """,
    )
    return {"C": course, "M1": m1, "M2": m2, "Q1": q1, "X1": x1, "KEY": key, "U": user}


def _other_option(option: str) -> str:
    return "b" if option == "a" else "a"


def _write(database: Path, rows_by_table: dict[str, list[dict]]) -> None:
    """Insert the rows straight into raw (not through the loader)."""
    con = duckdb.connect(str(database))
    try:
        for table, rows in rows_by_table.items():
            for row in rows:
                names, marks = ", ".join(row), ", ".join("?" for _ in row)
                con.execute(
                    f"insert into raw.{table} ({names}) values ({marks})", list(row.values())
                )
    finally:
        con.close()


def _plant_full(database: Path, at: datetime) -> None:
    c = _catalog(database)
    received = at + timedelta(minutes=5)
    rows: dict[str, list[dict]] = {}
    rows["modules"] = (
        [
            {"module_id": "m_tie", "course_id": c["C"], "module_position": 2,
             "module_title": "Tied", "estimated_minutes": 10},
            {"module_id": "m_orphan", "course_id": "c_ghost", "module_position": 1,
             "module_title": "Orphan", "estimated_minutes": 10},
        ]
    )  # fmt: skip
    rows["quizzes"] = (
        [
            {"quiz_id": "qz_second", "module_id": c["M1"], "quiz_title": "Second",
             "pass_mark_percent": 50},
            {"quiz_id": "qz_orphan", "module_id": "m_ghost", "quiz_title": "Orphan",
             "pass_mark_percent": 50},
        ]
    )  # fmt: skip
    rows["quiz_questions"] = (
        [
            {"question_id": "qq_tie", "quiz_id": c["Q1"], "question_position": 1,
             "question_text": "Tied", "correct_option": "a"},
            {"question_id": "qq_orphan", "quiz_id": "qz_ghost", "question_position": 1,
             "question_text": "Orphan", "correct_option": "c"},
        ]
    )  # fmt: skip
    rows["user_app_sessions"] = (
        [
            {"session_id": "s_ghost", "user_id": "u_ghost", "platform": "ios",
             "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=5),
             "active_seconds": 200, "features_used": '["lessons"]',
             "navigation_history": '[{"screen":"home","viewed_at":"'
             + at.strftime("%Y-%m-%dT%H:%M:%SZ") + '"}]',
             "received_at": received},
            {"session_id": "s_bad_json", "user_id": c["U"], "platform": "ios",
             "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=5),
             "active_seconds": 100, "features_used": '{"lessons": 1}',
             "navigation_history": "not json", "received_at": received},
            # closed before it opened, a step an hour before the open, negative
            # active seconds: its length is estimated, and never below 0
            {"session_id": "s_closed_early", "user_id": c["U"], "platform": "ios",
             "app_version": "4.1.3", "opened_at": at, "closed_at": at - timedelta(minutes=5),
             "active_seconds": -50, "features_used": "[]",
             "navigation_history": '[{"screen":"home","viewed_at":"'
             + (at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ") + '"}]',
             "received_at": received},
        ]
    )  # fmt: skip
    interaction = {"platform": "android", "occurred_at": at, "received_at": received}
    rows["user_course_interactions"] = (
        [
            {**interaction, "event_id": "ci_ghost_user", "user_id": "u_ghost",
             "course_id": c["C"], "module_id": c["M1"], "event_type": "module_start"},
            {**interaction, "event_id": "ci_ghost_course", "user_id": c["U"],
             "course_id": "c_ghost", "module_id": None, "event_type": "course_click"},
            {**interaction, "event_id": "ci_orphan_module", "user_id": c["U"],
             "course_id": "c_ghost", "module_id": "m_orphan", "event_type": "module_start"},
            {**interaction, "event_id": "ci_unknown_type", "user_id": c["U"],
             "course_id": c["C"], "module_id": None, "event_type": "teleport"},
        ]
    )  # fmt: skip
    purchase = {"platform": "android", "occurred_at": at, "received_at": received,
                "amount": 10, "currency": "USD", "payment_method": "card",
                "payment_status": "succeeded"}  # fmt: skip
    rows["user_purchases"] = (
        [
            {**purchase, "event_id": "pe_ghost_1", "order_id": "ord_ghost_course",
             "user_id": c["U"], "course_id": "c_ghost", "event_type": "cart_add",
             "payment_method": None, "payment_status": "pending"},
            {**purchase, "event_id": "pe_ghost_2", "order_id": "ord_ghost_course",
             "user_id": c["U"], "course_id": "c_ghost", "event_type": "purchase_attempt"},
            {**purchase, "event_id": "pe_ghost_3", "order_id": "ord_ghost_course",
             "user_id": c["U"], "course_id": "c_ghost",
             "event_type": "transaction_completed"},
            {**purchase, "event_id": "pe_ghost_4", "order_id": "ord_ghost_user",
             "user_id": "u_ghost", "course_id": c["C"],
             "event_type": "transaction_completed"},
            {**purchase, "event_id": "pe_ghost_5", "order_id": "ord_no_rate",
             "user_id": c["U"], "course_id": c["C"], "event_type": "transaction_completed",
             "amount": 2000, "currency": "JPY"},
        ]
    )  # fmt: skip
    wrong = _other_option(c["KEY"])
    attempt = {"platform": "ios", "started_at": at,
               "submitted_at": at + timedelta(minutes=2), "received_at": received}  # fmt: skip
    rows["quiz_attempts"] = (
        [
            # scored correct although the catalog's key is another option
            {**attempt, "attempt_id": "qa_ghost_user", "user_id": "u_ghost",
             "quiz_id": c["Q1"], "score_percent": 20.0,
             "responses": f'[{{"question_id":"{c["X1"]}","chosen_option":"{wrong}",'
             '"is_correct":true,"seconds_spent":5}]'},
            {**attempt, "attempt_id": "qa_orphan_quiz", "user_id": c["U"],
             "quiz_id": "qz_orphan", "score_percent": 50.0,
             "responses": '[{"question_id":"qq_orphan","chosen_option":"c",'
             '"is_correct":true,"seconds_spent":5},{"question_id":"qq_ghost",'
             '"chosen_option":"a","is_correct":false,"seconds_spent":5}]'},
            {**attempt, "attempt_id": "qa_bad_json", "user_id": c["U"],
             "quiz_id": c["Q1"], "score_percent": 40.0, "responses": "not json"},
        ]
    )  # fmt: skip
    _write(database, rows)


def _plant_daily(database: Path, at: datetime) -> None:
    c = _catalog(database)
    received = at + timedelta(minutes=5)
    rows: dict[str, list[dict]] = {}
    rows["user_app_sessions"] = (
        [
            {"session_id": "s_ghost_2", "user_id": "u_ghost2", "platform": "web",
             "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=3),
             "active_seconds": 100, "features_used": "[]", "navigation_history": "[]",
             "received_at": received},
            {"session_id": "s_bad_step", "user_id": c["U"], "platform": "web",
             "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=3),
             "active_seconds": 100, "features_used": "[]",
             "navigation_history": '[{"screen":"home","viewed_at":"garbage"}]',
             "received_at": received},
        ]
    )  # fmt: skip
    purchase = {"order_id": "ord_no_method", "user_id": c["U"], "course_id": c["C"],
                "amount": 10, "currency": "USD", "payment_method": None,
                "payment_status": "succeeded", "platform": "web", "occurred_at": at,
                "received_at": received}  # fmt: skip
    rows["user_purchases"] = [
        {**purchase, "event_id": "pe_no_method_1", "event_type": "purchase_attempt"},
        {**purchase, "event_id": "pe_no_method_2", "event_type": "transaction_completed"},
    ]
    rows["user_course_interactions"] = (
        [
            {"event_id": "ci_tied_module", "user_id": c["U"], "course_id": c["C"],
             "module_id": "m_tie", "event_type": "module_start", "platform": "android",
             "occurred_at": at, "received_at": received},
        ]
    )  # fmt: skip
    _write(database, rows)


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
                "where order_id in ('ord_ghost_course', 'ord_ghost_user', 'ord_no_rate')",
            )
        ),
        "ghost_days": h.query(
            database,
            "select user_id, is_new_user from marts.fct_user_daily_activity "
            "where user_id like 'u_ghost%' order by 1",
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
            "select session_id, navigation_steps, features_used "
            "from staging.stg_app__user_app_sessions where session_id = 's_bad_json' "
            "union all select attempt_id, responses, null "
            "from staging.stg_app__quiz_attempts where attempt_id = 'qa_bad_json'",
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


def test_hostile_references_are_kept_flagged_and_counted(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    h.generate(generated, users=USERS, days=DAYS, seed=SEED, start=START)
    daily, full = tmp_path / "a" / "daily.duckdb", tmp_path / "b" / "full.duckdb"
    for database in (daily, full):
        h.load(generated, database)
    ((last_received,),) = h.query(daily, "select max(received_at) from raw.user_app_sessions")
    first_at = datetime.combine(START + timedelta(days=2), datetime.min.time()) + timedelta(
        hours=10
    )
    daily_at = last_received + timedelta(hours=1)

    q1 = _catalog(daily)["Q1"]
    _plant_full(daily, first_at)
    ((q1_submitted,),) = h.query(
        daily,
        "select count(*) from raw.quiz_attempts where quiz_id = ? and submitted_at is not null",
        [q1],
    )
    assert q1_submitted >= 2  # the two planted ones, and any generated attempt of Q1
    partial = {"partial_quiz_submissions": q1_submitted}
    h.build(daily, tmp_path / "a" / "target")
    first = _snapshot(daily)
    assert first["flagged"] == {**FLAGGED_AFTER_FULL, **partial}
    assert first["lost"] == dict.fromkeys(first["lost"], 0)
    # kept: the order of an unknown course and the unknown user's order count in USD;
    # the JPY order has no USD amount
    assert first["orders"]["ord_ghost_course"] == 10
    assert first["orders"]["ord_ghost_user"] == 10
    assert "ord_no_rate" in first["orders"]
    assert first["ghost_days"] == [("u_ghost", False)]
    assert first["orphan_enrollment"] == [(None, "m_orphan")]
    assert first["last_modules"] == 0
    assert first["closed_early"] == [(0, True)]
    # a type outside the contract stays in the stream under one canonical name
    assert first["unknown_type_events"] == [("other_course_interaction:ci_unknown_type",)]
    # text that is not a JSON list stages as null lists (the source check warns)
    assert sorted(first["bad_json"]) == [("qa_bad_json", None, None), ("s_bad_json", None, None)]

    _plant_daily(daily, daily_at)
    _plant_full(full, first_at)
    _plant_daily(full, daily_at)
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
    assert second["lost"] == dict.fromkeys(second["lost"], 0)
    assert second["ghost_days"] == [("u_ghost", False), ("u_ghost2", False)]
    assert second["last_modules"] == 0

    differences = h.compare_databases(daily, full, h.COMPARED_SCHEMAS)
    assert not differences, h.describe(differences)
