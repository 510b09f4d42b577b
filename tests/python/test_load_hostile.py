"""Hostile input to `behavior load` (issue 11): implausible values, broken lines.

Each case is one hand-written row or line; its expected reason is written next to
it. The base catalog and users come from test_load (u_1, u_2, course c_1 with
module m_1, quiz q_1 whose only question is qq_1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from behavior.load import load_paths
from test_load import SESSIONS_HEADER, USERS_CSV, fetch, write_catalog_and_users

NAV_OK = '"[{""screen"":""home"",""viewed_at"":""2026-01-05T10:00:00Z""}]"'


def _session(session_id: str, **changes: str) -> str:
    row = {
        "session_id": session_id,
        "user_id": "u_1",
        "platform": "android",
        "app_version": "4.2.0",
        "opened_at": "2026-01-05 10:00:00",
        "closed_at": "2026-01-05 10:10:00",
        "active_seconds": "600",
        "features_used": '"[""search""]"',
        "navigation_history": NAV_OK,
        "received_at": "2026-01-05 10:10:05",
    }
    row.update(changes)
    return ",".join(row.values())


# session id -> (csv line, expected reason); None = loads.
SESSIONS = {
    "ok": (_session("ok"), None),
    # event time 59 min after received_at is inside the 60-minute skew
    "skew_ok": (_session("skew_ok", closed_at="2026-01-05 11:09:05"), None),
    # opened 30 min after received_at (a device clock ahead of the collector): inside
    # the skew, so loaded; the warehouse counts it (rpt_data_quality,
    # app_sessions_received_before_occurring)
    "opened_skew_ok": (
        _session(
            "opened_skew_ok",
            opened_at="2026-01-05 10:40:05",
            closed_at="",
            navigation_history="",
        ),
        None,
    ),
    # opened 2 hours after received_at: outside the skew
    "opened_late": (
        _session("opened_late", opened_at="2026-01-05 12:10:05", closed_at=""),
        "opened_at after received_at: 2026-01-05 12:10:05",
    ),
    "inf": (
        _session("inf", opened_at="infinity", closed_at=""),
        "opened_at is not finite: infinity",
    ),
    "neg_inf": (
        _session("neg_inf", opened_at="-infinity"),
        "opened_at is not finite: -infinity",
    ),
    "year_one": (
        _session("year_one", opened_at="0001-01-01 00:00:00"),
        "opened_at before 2015-01-01: 0001-01-01 00:00:00",
    ),
    "year_2100": (
        _session(
            "year_2100",
            opened_at="2100-01-01 00:00:00",
            closed_at="",
            received_at="2100-01-01 00:00:05",
        ),
        "opened_at after the load time: 2100-01-01 00:00:00",
    ),
    # received_at in 2100 but the session in 2026: received_at is the culprit
    "received_2100": (
        _session("received_2100", received_at="2100-01-01 00:00:05"),
        "received_at after the load time: 2100-01-01 00:00:05",
    ),
    # 10:00 +25:00 would be 09:00 the day before: no such offset exists
    "offset": (
        _session("offset", opened_at="2026-01-05T10:00:00+25:00"),
        "impossible UTC offset in opened_at: 2026-01-05T10:00:00+25:00",
    ),
    # +14:00 is real (Kiribati): 2026-01-05 23:00 +14:00 = 2026-01-05 09:00 UTC
    "offset_14": (_session("offset_14", opened_at="2026-01-05T23:00:00+14:00"), None),
    # closed 2 hours after received (skew is 1 hour)
    "closed_late": (
        _session("closed_late", closed_at="2026-01-05 12:10:05"),
        "closed_at after received_at: 2026-01-05 12:10:05",
    ),
    "active_max": (
        _session("active_max", active_seconds="2147483647"),
        "active_seconds above 86400: 2147483647",
    ),
    # 25 hours open: 2026-01-04 09:00 to 2026-01-05 10:00
    "long": (
        _session("long", opened_at="2026-01-04 09:00:00"),
        "closed_at more than 86400 s after opened_at",
    ),
    "feature": (
        _session("feature", features_used='"[""search"",""teleport""]"'),
        "unknown feature in features_used",
    ),
    "screen_42": (
        _session(
            "screen_42",
            navigation_history='"[{""screen"":42,""viewed_at"":""2026-01-05T10:00:00Z""}]"',
        ),
        "unknown screen in navigation_history",
    ),
    "screen_name": (
        _session(
            "screen_name",
            navigation_history='"[{""screen"":""moon"",""viewed_at"":""2026-01-05T10:00:00Z""}]"',
        ),
        "unknown screen in navigation_history",
    ),
    "viewed_0001": (
        _session(
            "viewed_0001",
            navigation_history='"[{""screen"":""home"",""viewed_at"":""0001-01-01T00:00:00Z""}]"',
        ),
        "viewed_at out of bounds in navigation_history",
    ),
}


def _attempt(attempt_id: str, responses: list | None = None, **changes: object) -> str:
    row: dict[str, object] = {
        "attempt_id": attempt_id,
        "user_id": "u_2",
        "quiz_id": "q_1",
        "platform": "web",
        "started_at": "2026-01-06T09:00:00Z",
        "submitted_at": "2026-01-06T09:05:00Z",
        "score_percent": 100,
        "responses": json.dumps(
            responses
            if responses is not None
            else [
                {
                    "question_id": "qq_1",
                    "chosen_option": "a",
                    "is_correct": True,
                    "seconds_spent": 5,
                }
            ]
        ),
        "received_at": "2026-01-06T09:05:01Z",
    }
    row.update(changes)
    return json.dumps(row)


def _answer(**changes: object) -> list[dict[str, object]]:
    answer: dict[str, object] = {"question_id": "qq_1", "chosen_option": "a", "is_correct": True}
    answer.update(changes)
    return [answer]


ATTEMPTS = {
    "a_ok": (_attempt("a_ok"), None),
    "a_option": (
        _attempt("a_option", _answer(chosen_option="z")),
        "unknown chosen_option in responses",
    ),
    "a_option_type": (
        _attempt("a_option_type", _answer(chosen_option=1)),
        "wrong value type in responses",
    ),
    "a_question": (
        _attempt("a_question", _answer(question_id="qq_other")),
        "question of another quiz in responses",
    ),
    "a_seconds": (
        _attempt("a_seconds", _answer(seconds_spent=10**9)),
        "seconds_spent out of 0-86400 in responses",
    ),
    # started 2026-01-04 09:00, submitted 2026-01-06 09:05: 48 h 5 min
    "a_long": (
        _attempt("a_long", started_at="2026-01-04T09:00:00Z"),
        "submitted_at more than 86400 s after started_at",
    ),
    "a_score_inf": (
        _attempt("a_score_inf", score_percent="-infinity"),
        "score_percent below 0: -infinity",
    ),
}

PURCHASE_HEADER = (
    "event_id,order_id,user_id,course_id,event_type,amount,currency,payment_method,"
    "payment_status,failure_reason,platform,occurred_at,received_at"
)


def _purchase(event_id: str, amount: str) -> str:
    return (
        f"{event_id},o_1,u_1,c_1,transaction_completed,{amount},USD,card,succeeded,,web,"
        "2026-01-07 10:00:00,2026-01-07 10:00:01"
    )


PURCHASES = {
    "p_ok": (_purchase("p_ok", "9.99"), None),
    # 10.000 is exactly 10.00: not rounded, so accepted
    "p_zeros": (_purchase("p_zeros", "10.000"), None),
    "p_round": (_purchase("p_round", "9.999"), "amount has more than 2 decimals: 9.999"),
    # more decimals than a DECIMAL(38,12) keeps: the cast alone would round them away
    "p_13_decimals": (
        _purchase("p_13_decimals", "19.9900000000001"),
        "amount has more than 2 decimals: 19.9900000000001",
    ),
    "p_21_decimals": (
        _purchase("p_21_decimals", "99999.999999999999999999"),
        "amount has more than 2 decimals: 99999.999999999999999999",
    ),
    # trailing zeros, however many, are not decimals
    "p_many_zeros": (_purchase("p_many_zeros", "10.0000000000000000"), None),
    "p_huge": (_purchase("p_huge", "9999999999.99"), "amount above 100000: 9999999999.99"),
    "p_max": (_purchase("p_max", "100000.00"), None),
}


def _quarantine(database: Path, table: str) -> dict[str, str]:
    """Quarantined rows by their id (the record's first value), with their reason."""
    key = {"user_app_sessions": "session_id", "quiz_attempts": "attempt_id"}.get(table, "event_id")
    rows = fetch(
        database,
        f"select json_extract_string(record, '$.{key}'), reason from raw.{table}__quarantine",
    )
    return dict(rows)


def test_rows_outside_the_bounds_are_quarantined_with_their_reason(tmp_path: Path) -> None:
    events = tmp_path / "events"
    events.mkdir()
    sessions = events / "user_app_sessions.csv"
    sessions.write_text("\n".join([SESSIONS_HEADER, *(v[0] for v in SESSIONS.values())]) + "\n")
    attempts = events / "quiz_attempts.jsonl"
    attempts.write_text("".join(v[0] + "\n" for v in ATTEMPTS.values()))
    purchases = events / "user_purchases.csv"
    purchases.write_text("\n".join([PURCHASE_HEADER, *(v[0] for v in PURCHASES.values())]) + "\n")
    database = tmp_path / "w.duckdb"

    result = load_paths([*write_catalog_and_users(tmp_path / "base"), events], database)

    assert not result.rejected
    for table, cases in (
        ("user_app_sessions", SESSIONS),
        ("quiz_attempts", ATTEMPTS),
        ("user_purchases", PURCHASES),
    ):
        expected = {key: reason for key, (_, reason) in cases.items() if reason}
        assert _quarantine(database, table) == expected, table
        loaded = {key for key, (_, reason) in cases.items() if reason is None}
        id_column = TABLE_KEYS[table]
        stored = fetch(database, f"select {id_column} from raw.{table}")
        assert {key for (key,) in stored} == loaded, table
    # never altered: 10.000 is stored as 10.00, and nothing was rounded to 10.00 from 9.999
    assert fetch(
        database, "select event_id, amount::VARCHAR from raw.user_purchases order by 1"
    ) == [
        ("p_many_zeros", "10.00"),
        ("p_max", "100000.00"),
        ("p_ok", "9.99"),
        ("p_zeros", "10.00"),
    ]


TABLE_KEYS = {
    "user_app_sessions": "session_id",
    "quiz_attempts": "attempt_id",
    "user_purchases": "event_id",
}


def test_bounds_are_configurable_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = tmp_path / "events"
    events.mkdir()
    (events / "user_purchases.csv").write_text(
        "\n".join([PURCHASE_HEADER, _purchase("p_1", "150000.00"), _purchase("p_2", "9.99")]) + "\n"
    )
    monkeypatch.setenv("BEHAVIOR_BOUND_MAX_AMOUNT", "5")
    database = tmp_path / "w.duckdb"
    load_paths([*write_catalog_and_users(tmp_path / "base"), events], database)
    assert _quarantine(database, "user_purchases") == {
        "p_1": "amount above 5: 150000.00",
        "p_2": "amount above 5: 9.99",
    }


@pytest.mark.parametrize(
    ("decimals", "expected"),
    [
        # whole units only: 10.50 and 9.999 have decimals, 10.00 (= 10) does not
        (
            "0",
            {
                "p_half": "amount has more than 0 decimals: 10.50",
                "p_round": "amount has more than 0 decimals: 9.999",
            },
        ),
        # the raw column keeps 2 decimals: 9.999 cannot be stored unrounded, so it is
        # still quarantined, under the bound it really broke
        ("3", {"p_round": "amount has more than 2 decimals: 9.999"}),
    ],
)
def test_money_decimals_bound_is_configurable_up_to_the_column_scale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, decimals: str, expected: dict
) -> None:
    events = tmp_path / "events"
    events.mkdir()
    rows = [_purchase("p_half", "10.50"), _purchase("p_whole", "10.00")]
    rows.append(_purchase("p_round", "9.999"))
    (events / "user_purchases.csv").write_text("\n".join([PURCHASE_HEADER, *rows]) + "\n")
    monkeypatch.setenv("BEHAVIOR_BOUND_MONEY_DECIMALS", decimals)
    database = tmp_path / "w.duckdb"
    load_paths([*write_catalog_and_users(tmp_path / "base"), events], database)
    assert _quarantine(database, "user_purchases") == expected


# --- line-level rejects ------------------------------------------------------------


def test_bad_csv_lines_are_quarantined_and_the_good_lines_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = [_session(f"s_{i}") for i in range(1, 5)]
    # "s_2,u_1,android,4.2.0,...": the 0 of 4.2.0 is byte 21 (1-based); it becomes 0xff
    assert good[1].index("4.2.0") + 5 == 21
    long_line = "s_z," + "a" * 3000
    lines = [
        b"\xef\xbb\xbf" + SESSIONS_HEADER.encode(),  # line 1, after a byte-order mark
        good[0].encode(),  # line 2 -> row 1
        good[1].encode().replace(b"4.2.0", b"4.2.\xff"),  # line 3: non-UTF-8 byte
        b"s_x,u_1,android",  # line 4: ragged
        good[2].encode(),  # line 5 -> row 4
        b's_y,u_1,"android,4.2.0',  # line 6: unterminated quote
        long_line.encode(),  # line 7: over the 2,000-byte limit set below
        good[3].encode(),  # line 8 -> row 7
    ]
    events = tmp_path / "events"
    events.mkdir()
    (events / "user_app_sessions.csv").write_bytes(b"\n".join(lines) + b"\n")
    database = tmp_path / "w.duckdb"
    monkeypatch.setenv("BEHAVIOR_LOAD_MAX_LINE_BYTES", "2000")

    result = load_paths([*write_catalog_and_users(tmp_path / "base"), events], database)

    (file_result,) = [f for f in result.files if f.table == "user_app_sessions"]
    assert file_result.status == "loaded"
    # 7 data lines read = 3 loaded + 0 duplicate + 4 quarantined
    counts = (file_result.rows_read, file_result.rows_loaded, file_result.rows_quarantined)
    assert counts == (7, 3, 4)
    assert fetch(database, "select session_id from raw.user_app_sessions order by 1") == [
        ("s_1",),
        ("s_3",),
        ("s_4",),
    ]
    rows = fetch(
        database,
        "select source_row, reason, record from raw.user_app_sessions__quarantine order by 1",
    )
    assert rows == [
        (
            2,
            "line 3: invalid UTF-8 byte 0xff at position 21",
            good[1].replace("4.2.0", "4.2.\\xff"),
        ),
        (3, "line 4: expected 10 fields, found 3", "s_x,u_1,android"),
        (5, "line 6: CSV error: unexpected end of data", 's_y,u_1,"android,4.2.0'),
        (6, "line 7: line longer than 2000 bytes", long_line[:2000]),
    ]


def test_a_bad_line_among_duplicates_is_quarantined_and_the_file_loads(tmp_path: Path) -> None:
    """A resent file: its good lines are all loaded already (duplicates), and one line is
    ragged. The line goes to the quarantine with its reason; the file is not rejected
    (DuckDB 2 refused to register the rejected lines while the duplicate check's result
    was still open: the whole file was rejected, its bad line kept nowhere)."""
    good = [_session(f"s_{i}") for i in range(1, 4)]
    first, again = tmp_path / "day1", tmp_path / "day1_resent"
    first.mkdir()
    again.mkdir()
    (first / "user_app_sessions.csv").write_text("\n".join([SESSIONS_HEADER, *good]) + "\n")
    (again / "user_app_sessions.csv").write_text(
        "\n".join([SESSIONS_HEADER, good[0], "s_x,u_1,android", *good[1:]]) + "\n"
    )
    database = tmp_path / "w.duckdb"
    load_paths([*write_catalog_and_users(tmp_path / "base"), first], database)

    result = load_paths([again], database)

    (file_result,) = result.files
    assert (file_result.status, file_result.reason) == ("loaded", None)
    # 4 data lines read = 0 loaded + 3 duplicate + 1 quarantined
    counts = (
        file_result.rows_read,
        file_result.rows_loaded,
        file_result.rows_duplicate,
        file_result.rows_quarantined,
    )
    assert counts == (4, 0, 3, 1)
    assert fetch(database, "select count(*) from raw.user_app_sessions") == [(3,)]
    assert fetch(database, "select source_row, reason from raw.user_app_sessions__quarantine") == [
        (2, "line 3: expected 10 fields, found 3")
    ]


def test_a_bad_users_line_keeps_no_personal_data_in_the_warehouse(tmp_path: Path) -> None:
    # users.csv with a ragged line carrying an e-mail and a phone: the line is
    # quarantined (reason and line number), but its raw text, which holds the
    # contacts, is withheld; the good line loads.
    header, good = USERS_CSV.splitlines()[:2]
    folder = tmp_path / "users"
    folder.mkdir()
    (folder / "users.csv").write_text(
        "\n".join([header, good, "u_9,2026-01-01 00:00:00,leak@example.com,+15550100"]) + "\n"
    )
    database = tmp_path / "w.duckdb"
    base = [p for p in write_catalog_and_users(tmp_path / "base") if p.name != "users.csv"]

    load_paths([*base, folder], database)

    assert fetch(database, "select user_id from raw.users") == [("u_1",)]
    rows = fetch(database, "select source_row, reason, record from raw.users__quarantine")
    assert rows == [(2, "line 3: expected 13 fields, found 4", "(personal data withheld)")]
    for column in ("reason", "record", "source_file"):
        leaked = fetch(
            database,
            f"select count(*) from raw.users__quarantine where {column} like '%leak@%'"
            f" or {column} like '%5550100%'",
        )
        assert leaked == [(0,)], column


def test_bad_json_lines_are_quarantined_with_the_original_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEHAVIOR_LOAD_MAX_LINE_BYTES", "2000")
    long_line = _attempt("a_long", platform="web" + " " * 3000)
    lines = [
        _attempt("a_1"),  # line 1
        "{not json",  # line 2
        "[1, 2]",  # line 3: not an object
        "",  # line 4: blank, skipped
        '"just text"',  # line 5: not an object
        _attempt("a_2"),  # line 6
        long_line,  # line 7: over the 2,000-byte limit
    ]
    events = tmp_path / "events"
    events.mkdir()
    (events / "quiz_attempts.jsonl").write_text("\n".join(lines) + "\n")
    database = tmp_path / "w.duckdb"

    result = load_paths([*write_catalog_and_users(tmp_path / "base"), events], database)

    (file_result,) = [f for f in result.files if f.table == "quiz_attempts"]
    # 6 non-blank lines = 2 loaded + 4 quarantined
    assert (file_result.rows_read, file_result.rows_loaded, file_result.rows_quarantined) == (
        6,
        2,
        4,
    )
    rows = fetch(
        database,
        "select source_row, regexp_replace(reason, ':.*', ''), reason like '%object%', record "
        "from raw.quiz_attempts__quarantine order by 1",
    )
    assert rows == [
        (2, "line 2", False, "{not json"),
        (3, "line 3", True, "[1, 2]"),
        (5, "line 5", True, '"just text"'),
        (7, "line 7", False, long_line[:2000]),
    ]
    assert fetch(database, "select attempt_id from raw.quiz_attempts order by 1") == [
        ("a_1",),
        ("a_2",),
    ]


def test_a_json_key_written_twice_is_quarantined_with_both_values(tmp_path: Path) -> None:
    """`{"platform": "web", "platform": "ios"}`: DuckDB reads the first value, Python
    the last; which one the app meant is not known, so the line is quarantined whole
    (both values in its record), in a JSON Lines file and in a JSON array document."""
    twice = _attempt("a_twice").replace('"platform": "web"', '"platform": "web", "platform": "ios"')
    cased = _attempt("a_cased").replace('"quiz_id": "q_1"', '"quiz_id": "q_1", " Quiz_ID": "q_2"')
    assert twice.count('"platform"') == 2 and cased.count("Quiz_ID") == 1
    events = tmp_path / "events"
    events.mkdir()
    # both files with a UTF-8 byte-order mark, as some editors save them: the lines
    # read line by line (after the repeated key) keep their first row
    (events / "quiz_attempts.jsonl").write_bytes(
        b"\xef\xbb\xbf"
        + ("\n".join([_attempt("a_1"), twice, cased, _attempt("a_2")]) + "\n").encode()
    )
    document = [json.loads(_attempt("a_3")), "placeholder"]
    array_text = json.dumps(document).replace('"placeholder"', twice.replace("a_twice", "a_4"))
    (events / "quiz_attempts_document.json").write_bytes(b"\xef\xbb\xbf" + array_text.encode())
    database = tmp_path / "w.duckdb"

    result = load_paths([*write_catalog_and_users(tmp_path / "base"), events], database)

    assert not result.rejected
    counts = sorted(
        (f.rows_read, f.rows_loaded, f.rows_quarantined)
        for f in result.files
        if f.table == "quiz_attempts"
    )
    assert counts == [(2, 1, 1), (4, 2, 2)]
    rows = fetch(
        database,
        "select source_row, reason, record from raw.quiz_attempts__quarantine "
        "order by source_file like '%document%', source_row",
    )
    assert [(row, reason) for row, reason, _ in rows] == [
        (2, "line 2: duplicated key: platform"),
        (3, "line 3: duplicated key: quiz_id"),
        (2, "line 2: duplicated key: platform"),
    ]
    assert rows[0][2] == twice and rows[1][2] == cased
    assert '"platform": "web", "platform": "ios"' in rows[2][2]  # both values kept
    stored = fetch(database, "select attempt_id, platform from raw.quiz_attempts order by 1")
    assert stored == [("a_1", "web"), ("a_2", "web"), ("a_3", "web")]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_column_named_twice_in_the_header_rejects_the_file(tmp_path: Path, kind: str) -> None:
    """DuckDB reads a second `event_id` column as `event_id_1` (and `Event_ID` beside
    `event_id` too): the loader would take the first silently. The file is rejected,
    naming the column, and nothing of it loads."""
    events = tmp_path / "events"
    events.mkdir()
    header = PURCHASE_HEADER + ",Event_ID"
    line = _purchase("p_1", "9.99") + ",p_other"
    if kind == "csv":
        (events / "user_purchases.csv").write_text(f"{header}\n{line}\n")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        names = header.split(",")
        values = line.split(",")
        table = pa.table([pa.array([v or None], pa.string()) for v in values], names=names)
        pq.write_table(table, events / "user_purchases.parquet")
    database = tmp_path / "w.duckdb"

    result = load_paths([*write_catalog_and_users(tmp_path / "base"), events], database)

    (rejected,) = result.rejected
    assert rejected.table == "user_purchases"
    assert rejected.reason == "column named twice in the header: event_id"
    assert fetch(database, "select count(*) from raw.user_purchases") == [(0,)]
