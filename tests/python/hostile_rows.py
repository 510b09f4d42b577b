"""Rows that break every reference and catalog rule, written straight into raw (the
loader quarantines most of them; the sample seeds and other writers of raw do not go
through it), for the tests that build them: test_hostile_references_build (DuckDB, a
full build and a daily run) and test_spark_equality (the same rows built on Spark).

Planted on a small generated history (course C, its modules M1 and M2, M1's quiz Q1
and Q1's first question X1; user U; u_ghost has no user record):

- catalog: course c_yen priced in JPY (no fx rate), course c_tiny_price priced 0.01 INR
  (paid, 0.00 USD once rounded to cents), module M_TIE at C's position 2
  (shared with M2), module M_ORPHAN of course c_ghost; quiz QZ_SECOND on M1 (two
  quizzes there), quiz QZ_ORPHAN of module m_ghost;
  question QQ_TIE at Q1's position 1 (shared with X1), question QQ_ORPHAN of quiz
  qz_ghost;
- events (plant_full): u_ghost's session, module start in M1, quiz attempt on Q1
  answering only X1 and scored against another key, and completed transaction; U's
  click on c_ghost and module start in M_ORPHAN (under c_ghost), an order on c_ghost
  (cart, attempt, transaction), a transaction in JPY (no fx rate), and an attempt on
  QZ_ORPHAN answering QQ_ORPHAN and qq_ghost (unknown); U's course interaction of a
  type outside the contract (teleport), a session whose lists are not JSON lists (text
  that is not JSON, and a JSON object), a session whose navigation is one JSON object
  instead of a list of one, an attempt whose responses are not JSON and one whose
  verdict is "yes" and seconds "7" (text, not a boolean and a number) and whose
  second response names no question; a crashed
  session whose step time has an offset (+02:00); a session closed before it opened;
  user u_uninstall_first, whose record dates the uninstall before the install;
  rows missing a value the contract requires (the loader quarantines them): module
  m_no_course (no course), session s_no_user (no user), U's completed transaction
  pe_no_amount (no amount) and a newer version of U's record without a sign-up;
  second copies of catalog keys: C at a price one unit higher (conflicting), M1 as
  stored, X1 with its key as " A " (the same once staged); U's attempts of QZ_SECOND
  scored 0 then 150, quiz QZ_KEY_E (on M_TIE) whose question QQ_KEY_E has the key
  "e", U's session s_platform_all and click ci_platform_all on platform "all" (the
  totals' label), modules M_LONG_1 and M_LONG_2 of c_yen of 2,147,483,647 minutes,
  U's sessions s_colon using feature "b:c" and s_colon:b using feature "c", U's
  session s_screen_exit whose second screen is " EXIT ";
- the daily delivery (plant_daily): u_ghost2's session, U's module start in M_TIE,
  U's paid order whose attempt and transaction name no payment method (the contract
  does not require one), U's session with a step time that does not parse, U's
  session with two steps without a screen (a JSON null, no key), U's order whose
  completed transaction is marked failed, U's failed attempt without a failure
  reason, U's submitted quiz attempt without a score, U's order carted in USD and
  paid in GBP, course c_clock (one module) whose module U completed an hour before
  starting it,
  U's starts of M1 under C and under another course, and U's course click
  ci_no_time without an occurred_at (a required value);
- DuckDB only (plant_absurd_values; Spark stores no infinite time): U's sessions
  opened on 0001-01-01 (closed five minutes later), on 1900-01-01 (closed 126 years
  later, at the planted time) and at `infinity` (not closed), with times
  that no 32-bit second count holds, U's sessions on one day on web, android, ios and
  windows (an unknown platform), U's crashed session s_step_2100 whose step is on
  2100-01-01, U's session s_year_2099 using the feature time_travel, U's course click
  dated 0001-01-01, U's order ord_year_1 paid 10 USD on 0001-01-01, and U's order
  paid 9,999,999,999.99 EUR (the
  largest amount the raw column holds: its USD amount overflowed DuckDB's 18-digit
  decimal product).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

import incremental_helpers as h

USERS, DAYS, SEED, START = 40, 8, 23, date(2026, 9, 1)
# times near the ends of DuckDB's range (290309 BC to 294247 AD), as raw stores them
BC_END, AD_END = "290309-12-23 (BC) 00:00:00", "294247-01-01 00:00:00"


def plant_times(database: Path) -> tuple[datetime, datetime]:
    """When the planted rows happen: plant_full's on the history's third day, the
    daily delivery's an hour after the newest loaded session arrived."""
    ((last_received,),) = h.query(database, "select max(received_at) from raw.user_app_sessions")
    first_at = datetime.combine(START + timedelta(days=2), datetime.min.time())
    return first_at + timedelta(hours=10), last_received + timedelta(hours=1)


def catalog(database: Path) -> dict[str, str]:
    """C (a course with modules at positions 1 and 2 and a quiz on module 1), M1, M2,
    Q1, X1 (Q1's first question) and its key, and U (a user with a record)."""
    ((course, m1, m2, q1, x1, key, user),) = h.query(
        database,
        """
        select m1.course_id, m1.module_id, m2.module_id, q.quiz_id, x.question_id,
            lower(trim(x.correct_option)), (select min(user_id) from raw.users)
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


def stored_row(database: Path, table: str, key: str, value: str) -> dict:
    """A raw row's non-null values (the newest version of a user), to plant a
    variant of it."""
    order = " order by updated_at desc" if table == "users" else ""
    ((record,),) = h.query(
        database,
        f"select to_json(r)::varchar from raw.{table} as r where {key} = ?{order} limit 1",
        [value],
    )
    return {name: stored for name, stored in json.loads(record).items() if stored is not None}


def write(database: Path, rows_by_table: dict[str, list[dict]]) -> None:
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


def plant_full(database: Path, at: datetime) -> None:
    c = catalog(database)
    received = at + timedelta(minutes=5)
    rows: dict[str, list[dict]] = {}
    # a course priced in a currency the fx seed has no rate for (no USD price)
    rows["courses"] = [{**stored_row(database, "courses", "course_id", c["C"]),
                        "course_id": "c_yen", "currency": "JPY"}]  # fmt: skip
    # a paid course whose USD price rounds to 0.00: 0.01 INR is 0.00012 USD
    rows["courses"].append(
        {**stored_row(database, "courses", "course_id", c["C"]),
         "course_id": "c_tiny_price", "price_amount": Decimal("0.01"), "currency": "INR"}
    )  # fmt: skip
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
            # a navigation step as a JSON object, not a list of one (Spark's from_json
            # would read it as a list of one struct; DuckDB gives null)
            {"session_id": "s_object_json", "user_id": c["U"], "platform": "ios",
             "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=5),
             "active_seconds": 100, "features_used": '["lessons"]',
             "navigation_history": '{"screen":"home","viewed_at":"'
             + at.strftime("%Y-%m-%dT%H:%M:%SZ") + '"}',
             "received_at": received},
            # a crashed session whose step time carries an offset: 2 h ahead of the
            # open at +02:00 is the open itself in UTC, so its length is the 30 s tail
            # (a reader that drops the offset gets 2 h 30 s)
            {"session_id": "s_offset_step", "user_id": c["U"], "platform": "ios",
             "app_version": "4.1.3", "opened_at": at, "closed_at": None,
             "active_seconds": 10, "features_used": "[]",
             "navigation_history": '[{"screen":"home","viewed_at":"'
             + (at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S") + '+02:00"}]',
             "received_at": received},
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
            # a verdict that is not a JSON boolean, seconds as a string, and a
            # response that names no question
            {**attempt, "attempt_id": "qa_text_values", "user_id": c["U"],
             "quiz_id": c["Q1"], "score_percent": 100.0,
             "responses": f'[{{"question_id":"{c["X1"]}","chosen_option":"{c["KEY"]}",'
             '"is_correct":"yes","seconds_spent":"7"},'
             '{"chosen_option":"a","is_correct":false,"seconds_spent":3}]'},
        ]
    )  # fmt: skip
    # a user whose record dates the uninstall two hours before the (first) install
    user = stored_row(database, "users", "user_id", c["U"])
    rows["users"] = [
        {**user, "user_id": "u_uninstall_first", "signed_up_at": at - timedelta(days=1),
         "updated_at": at, "installed_at": at, "uninstalled_at": at - timedelta(hours=2),
         "last_seen_at": at},
        # a newer version of U's record without its sign-up (a required value)
        {**user, "updated_at": at + timedelta(days=1), "signed_up_at": None},
    ]  # fmt: skip
    # rows missing a value the contract requires: staging leaves them out, counted
    rows["modules"].append(
        {"module_id": "m_no_course", "course_id": None, "module_position": 3,
         "module_title": "No course", "estimated_minutes": 10}
    )  # fmt: skip
    rows["user_app_sessions"].append(
        {"session_id": "s_no_user", "user_id": None, "platform": "ios",
         "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=5),
         "active_seconds": 100, "features_used": "[]", "navigation_history": "[]",
         "received_at": received}
    )  # fmt: skip
    rows["user_purchases"].append(
        {**purchase, "event_id": "pe_no_amount", "order_id": "ord_no_amount",
         "user_id": c["U"], "course_id": c["C"], "event_type": "transaction_completed",
         "amount": None}
    )  # fmt: skip
    # rows that stopped the build (an error test or an overflow) before 2026-12-06:
    # U's two submitted attempts of QZ_SECOND scored 0 and 150 (an improvement of
    # 150 points); quiz QZ_KEY_E on M_TIE, whose one question's key is "e"; a session
    # and a course click whose platform is "all", the label of the totals' rows; two
    # modules of c_yen of 2,147,483,647 minutes each (the largest integer)
    attempt_150 = {**attempt, "user_id": c["U"], "quiz_id": "qz_second", "responses": "[]"}
    rows["quiz_attempts"] += [
        {**attempt_150, "attempt_id": "qa_score_0", "score_percent": 0.0},
        {**attempt_150, "attempt_id": "qa_score_150", "score_percent": 150.0,
         "started_at": at + timedelta(hours=1), "submitted_at": at + timedelta(hours=2)},
    ]  # fmt: skip
    rows["quizzes"].append(
        {"quiz_id": "qz_key_e", "module_id": "m_tie", "quiz_title": "Key e",
         "pass_mark_percent": 50}
    )  # fmt: skip
    rows["quiz_questions"].append(
        {"question_id": "qq_key_e", "quiz_id": "qz_key_e", "question_position": 1,
         "question_text": "Key e", "correct_option": "e"}
    )  # fmt: skip
    rows["user_app_sessions"].append(
        {"session_id": "s_platform_all", "user_id": c["U"], "platform": " ALL ",
         "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=5),
         "active_seconds": 100, "features_used": "[]", "navigation_history": "[]",
         "received_at": received}
    )  # fmt: skip
    rows["user_course_interactions"].append(
        {**interaction, "event_id": "ci_platform_all", "user_id": c["U"],
         "course_id": c["C"], "module_id": None, "event_type": "course_click",
         "platform": "All"}
    )  # fmt: skip
    # a session whose second screen is named " EXIT ", the label of a session's end in
    # the navigation transitions (it added to the exits)
    rows["user_app_sessions"].append(
        {"session_id": "s_screen_exit", "user_id": c["U"], "platform": "ios",
         "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=5),
         "active_seconds": 100, "features_used": "[]",
         "navigation_history": '[{"screen":"home","viewed_at":"'
         + at.strftime("%Y-%m-%dT%H:%M:%SZ") + '"},{"screen":" EXIT ","viewed_at":"'
         + (at + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ") + '"}]',
         "received_at": received}
    )  # fmt: skip
    # session s_colon using feature "b:c" and session s_colon:b using feature "c": both
    # feature uses were keyed "s_colon:b:c" (fct_user_events' unique key failed)
    rows["user_app_sessions"] += [
        {"session_id": session_id, "user_id": c["U"], "platform": "ios",
         "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=5),
         "active_seconds": 100, "features_used": f'["{feature}"]',
         "navigation_history": "[]", "received_at": received}
        for session_id, feature in (("s_colon", "b:c"), ("s_colon:b", "c"))
    ]  # fmt: skip
    rows["modules"] += [
        {"module_id": f"m_long_{n}", "course_id": "c_yen", "module_position": n,
         "module_title": "Long", "estimated_minutes": 2_147_483_647}
        for n in (1, 2)
    ]  # fmt: skip
    # copies of catalog keys (another writer; the loader keeps the first it received):
    # course C again at one more unit of price (a conflicting copy: staging keeps the
    # stored one, whose lower price sorts first), module M1 again as it is (the same),
    # and question X1 again with its key in capitals and spaces (the same once staged)
    course = stored_row(database, "courses", "course_id", c["C"])
    rows["courses"].append({**course, "price_amount": course["price_amount"] + 1})
    rows["modules"].append(stored_row(database, "modules", "module_id", c["M1"]))
    question = stored_row(database, "quiz_questions", "question_id", c["X1"])
    rows["quiz_questions"].append({**question, "correct_option": f" {c['KEY'].upper()} "})
    write(database, rows)


def plant_daily(database: Path, at: datetime) -> None:
    c = catalog(database)
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
            # two steps without a screen: a JSON null, and no screen key at all
            {"session_id": "s_no_screen", "user_id": c["U"], "platform": "web",
             "app_version": "4.1.3", "opened_at": at, "closed_at": at + timedelta(minutes=3),
             "active_seconds": 100, "features_used": "[]",
             "navigation_history": '[{"screen":"home","viewed_at":"'
             + at.strftime("%Y-%m-%dT%H:%M:%SZ") + '"},{"screen":null,"viewed_at":"'
             + at.strftime("%Y-%m-%dT%H:%M:%SZ") + '"},{"viewed_at":"'
             + at.strftime("%Y-%m-%dT%H:%M:%SZ") + '"}]',
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
        # a completed transaction marked failed: it still pays its order
        {**purchase, "event_id": "pe_failed_paid", "order_id": "ord_failed_paid",
         "event_type": "transaction_completed", "payment_method": "card",
         "payment_status": "failed", "failure_reason": "card_declined"},
        # a failed attempt without a failure reason (the loader accepts it; the
        # mart's rule that a failed attempt has one stopped the build)
        {**purchase, "event_id": "pe_failed_no_reason", "order_id": "ord_failed_no_reason",
         "event_type": "purchase_attempt", "payment_method": "card",
         "payment_status": "failed"},
        # an order carted in USD and paid in GBP
        {**purchase, "event_id": "pe_two_currencies_1", "order_id": "ord_two_currencies",
         "event_type": "cart_add", "payment_status": "pending"},
        {**purchase, "event_id": "pe_two_currencies_2", "order_id": "ord_two_currencies",
         "event_type": "transaction_completed", "payment_method": "card",
         "currency": "GBP"},
    ]  # fmt: skip
    # a submitted attempt without a score (the loader accepts it; the mart's rule
    # that a submitted attempt has one stopped the build), of QZ_SECOND, a quiz
    # without catalog questions (so no partial submission)
    rows["quiz_attempts"] = [
        {"attempt_id": "qa_no_score", "user_id": c["U"], "quiz_id": "qz_second",
         "platform": "web", "started_at": at, "submitted_at": at + timedelta(minutes=2),
         "score_percent": None, "responses": "[]", "received_at": received},
    ]  # fmt: skip
    ((other_course,),) = h.query(
        database, "select min(course_id) from raw.courses where course_id <> ?", [c["C"]]
    )
    learning = {
        "user_id": c["U"],
        "module_id": c["M1"],
        "event_type": "module_start",
        "platform": "android",
        "occurred_at": at,
        "received_at": received,
    }
    rows["user_course_interactions"] = (
        [
            {"event_id": "ci_tied_module", "user_id": c["U"], "course_id": c["C"],
             "module_id": "m_tie", "event_type": "module_start", "platform": "android",
             "occurred_at": at, "received_at": received},
            # M1 started under its own course and under another one (an anomaly:
            # counted, and a row of its own per course, never a duplicate key)
            {**learning, "event_id": "ci_m1_own_course", "course_id": c["C"]},
            {**learning, "event_id": "ci_m1_other_course", "course_id": other_course},
            # course c_clock's one module completed an hour before it was started
            # (the loader accepts it; the enrollment's negative time to complete
            # stopped the build)
            {**learning, "event_id": "ci_clock_complete", "course_id": "c_clock",
             "module_id": "m_clock", "event_type": "module_complete",
             "occurred_at": at - timedelta(hours=1)},
            {**learning, "event_id": "ci_clock_start", "course_id": "c_clock",
             "module_id": "m_clock"},
            # a click without its time (a required value): left out of staging
            {"event_id": "ci_no_time", "user_id": c["U"], "course_id": c["C"],
             "module_id": None, "event_type": "course_click", "platform": "android",
             "occurred_at": None, "received_at": received},
        ]
    )  # fmt: skip
    rows["courses"] = [
        {**stored_row(database, "courses", "course_id", c["C"]), "course_id": "c_clock"}
    ]
    rows["modules"] = [
        {"module_id": "m_clock", "course_id": "c_clock", "module_position": 1,
         "module_title": "Clock", "estimated_minutes": 10},
    ]  # fmt: skip
    write(database, rows)


def plant_absurd_values(database: Path, at: datetime) -> None:
    """U's sessions at the ends of the calendar and an order of the largest amount
    (module docstring): each stopped the build (an overflow, or a null gap)."""
    c = catalog(database)
    session = {"user_id": c["U"], "platform": "web", "app_version": "4.1.3",
               "active_seconds": 100, "features_used": "[]", "navigation_history": "[]",
               "received_at": at + timedelta(minutes=5)}  # fmt: skip
    write(
        database,
        {
            "user_app_sessions": [
                {**session, "session_id": "s_year_1", "opened_at": datetime(1, 1, 1),
                 "closed_at": datetime(1, 1, 1, 0, 5)},
                {**session, "session_id": "s_year_1900", "opened_at": datetime(1900, 1, 1),
                 "closed_at": at},
                {**session, "session_id": "s_infinite", "opened_at": "infinity",
                 "closed_at": None},
                # one day on four platforms, one of them unknown (the loader refuses
                # it; the mart's limit of three stopped the build)
                *({**session, "session_id": f"s_on_{platform}", "platform": platform,
                   "opened_at": at, "closed_at": at + timedelta(minutes=1)}
                  for platform in ("web", "android", "ios", "windows")),
                # a crashed session whose one step is on 2100-01-01: its estimated
                # length passes 2^31 seconds (a 32-bit interval stopped the build)
                {**session, "session_id": "s_step_2100", "opened_at": at, "closed_at": None,
                 "navigation_history": '[{"screen":"home","viewed_at":"2100-01-01T00:00:00Z"}]'},
                # a session dated 2099 that used a feature no other session used: no
                # active day, so no adoption (a user adopting without being active
                # made the adoption rate pass 1)
                {**session, "session_id": "s_year_2099", "opened_at": datetime(2099, 1, 1),
                 "closed_at": datetime(2099, 1, 1, 0, 5), "features_used": '["time_travel"]'},
                # near the ends of DuckDB's range, beyond the calendar's years 1-9999:
                # u_year_294247's crashed session opened in 290309 BC with a step at
                # the planted time (its length passed DuckDB's interval), and U's
                # crashed session whose one step text is in the year 294247
                {**session, "session_id": "s_year_bc", "user_id": "u_year_294247",
                 "opened_at": BC_END,
                 "closed_at": None, "navigation_history":
                     f'[{{"screen":"home","viewed_at":"{at.isoformat()}Z"}}]'},
                {**session, "session_id": "s_step_294247", "opened_at": at, "closed_at": None,
                 "navigation_history": '[{"screen":"home","viewed_at":"294247-01-01T00:00:00Z"}]'},
            ],
            # a click dated 0001-01-01: no active day, not a missed event
            "user_course_interactions": [
                {"event_id": "ci_year_1", "user_id": c["U"], "course_id": c["C"],
                 "module_id": None, "event_type": "course_click", "platform": "web",
                 "occurred_at": datetime(1, 1, 1), "received_at": at + timedelta(minutes=5)},
                # a click in the year 294247: its 14-day funnel window left DuckDB's range
                {"event_id": "ci_year_294247", "user_id": c["U"], "course_id": c["C"],
                 "module_id": None, "event_type": "course_click", "platform": "web",
                 "occurred_at": AD_END, "received_at": at + timedelta(minutes=5)},
            ],
            # a user signed up and installed in the year 294247: the day windows after
            # the sign-up (feature adoption, retention) left DuckDB's range
            "users": [
                {**stored_row(database, "users", "user_id", c["U"]),
                 "user_id": "u_year_294247", "signed_up_at": AD_END, "installed_at": AD_END,
                 "uninstalled_at": None, "reinstalled_at": None, "last_seen_at": AD_END},
            ],
            "user_purchases": [
                {"event_id": "pe_huge_eur", "order_id": "ord_huge_eur", "user_id": c["U"],
                 "course_id": c["C"], "event_type": "transaction_completed",
                 "amount": "9999999999.99", "currency": "EUR", "payment_method": "card",
                 "payment_status": "succeeded", "platform": "web", "occurred_at": at,
                 "received_at": at + timedelta(minutes=5)},
                # money dated 0001-01-01: in fct_purchases, on no day of
                # fct_revenue_daily (the reconciliations counted it on one side)
                {"event_id": "pe_year_1", "order_id": "ord_year_1", "user_id": c["U"],
                 "course_id": c["C"], "event_type": "transaction_completed",
                 "amount": "10.00", "currency": "USD", "payment_method": "card",
                 "payment_status": "succeeded", "platform": "web",
                 "occurred_at": datetime(1, 1, 1), "received_at": at + timedelta(minutes=5)},
            ],
        },
    )  # fmt: skip
