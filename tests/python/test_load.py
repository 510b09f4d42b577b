"""`behavior load`: small hand-written files whose answers were worked out by hand."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from behavior import cli
from behavior.contract import TABLES
from behavior.errors import UserError
from behavior.load import (
    PAUSE_ENV,
    PAUSE_MARKER,
    PAUSE_MATCH_ENV,
    file_format,
    load_paths,
    table_for,
)

# --- input files ---------------------------------------------------------------------

CATALOG = {
    "courses.csv": """\
course_id,course_title,category,difficulty_level,price_amount,currency,published_at
c_1,Python,programming,beginner,49.00,USD,2025-01-01 00:00:00
c_2,SQL,Data,INTERMEDIATE,0,eur,2025-02-01T00:00:00Z
""",
    "modules.csv": """\
module_id,course_id,module_position,module_title,estimated_minutes
m_1,c_1,1,Basics,30
m_2,c_2,1,Select,
""",
    "quizzes.csv": """\
quiz_id,module_id,quiz_title,pass_mark_percent
q_1,m_1,Basics quiz,60
""",
    "quiz_questions.csv": """\
question_id,quiz_id,question_position,question_text,correct_option
qq_1,q_1,1,What prints 2?,A
""",
}

USERS_CSV = """\
user_id,updated_at,signed_up_at,email,phone,country_code,acquisition_channel,platform,\
device_model,installed_at,uninstalled_at,reinstalled_at,last_seen_at
u_1,2026-01-01 00:00:00,2026-01-01 00:00:00,a@x.io,,IN,organic,Android ,Pixel,\
2026-01-01 00:00:00,,,2026-01-02 00:00:00
u_2,2026-01-01 00:00:00,2026-01-01 00:00:00,,,US,Paid_Search,web,,,,,
"""

SESSIONS_HEADER = (
    "session_id,user_id,platform,app_version,opened_at,closed_at,active_seconds,"
    "features_used,navigation_history,received_at"
)
NAVIGATION = '"[{""screen"":""home"",""viewed_at"":""2026-01-05T10:00:00Z""}]"'
# row number -> (csv line, expected reason or None)
SESSIONS = [
    (
        f"s_1,u_1,android,4.2.0,2026-01-05 10:00:00,2026-01-05 10:10:00,600,"
        f'"[""search"",""quiz""]",{NAVIGATION},2026-01-05 10:10:05',
        None,
    ),
    ("s_2,u_1,Android ,4.2.0,2026-01-05T11:00:00Z,,60,[],[],2026-01-05T11:05:00Z", None),
    (
        "s_3,u_1,android,4.2.0,2026-13-45,,60,,,2026-01-05 11:00:00",
        "bad TIMESTAMP in opened_at: '2026-13-45'",
    ),
    (
        "s_4,u_1,blackberry,4.2.0,2026-01-05 11:00:00,,60,,,2026-01-05 11:00:00",
        "unknown platform 'blackberry'",
    ),
    (
        ",u_1,android,4.2.0,2026-01-05 11:00:00,,60,,,2026-01-05 11:00:00",
        "missing required session_id",
    ),
    (
        "s_6,u_999,android,4.2.0,2026-01-05 11:00:00,,60,,,2026-01-05 11:00:00",
        "unknown user_id 'u_999'",
    ),
    (
        "s_7,u_1,android,4.2.0,2026-01-05 12:00:00,2026-01-05 11:00:00,60,,,2026-01-05 12:00:05",
        "closed_at before opened_at: 2026-01-05 11:00:00 < 2026-01-05 12:00:00",
    ),
    (
        's_8,u_1,android,4.2.0,2026-01-05 11:00:00,,60,"{""search"":1}",,2026-01-05 11:00:00',
        "wrong JSON shape in features_used: expected a JSON list of strings",
    ),
    (
        's_9,u_1,android,4.2.0,2026-01-05 11:00:00,,60,,"[{""screen"":""home""}]",'
        "2026-01-05 11:00:00",
        "wrong JSON shape in navigation_history: expected a JSON list of objects with "
        "screen, viewed_at, each written once",
    ),
    (
        's_10,u_1,android,4.2.0,2026-01-05 11:00:00,,60,"[""search"",",,2026-01-05 11:00:00',
        "broken JSON in features_used",
    ),
    (
        "s_11,u_1,android,4.2.0,2026-01-05 11:00:00,,-1,,,2026-01-05 11:00:00",
        "active_seconds below 0: -1",
    ),
    # a step that writes a key staging reads twice: which screen was it?
    (
        's_12,u_1,android,4.2.0,2026-01-05 11:00:00,,60,,"[{""screen"":""home"",'
        '""viewed_at"":""2026-01-05T11:00:00Z"",""screen"":""quiz""}]",2026-01-05 11:00:00',
        "wrong JSON shape in navigation_history: expected a JSON list of objects with "
        "screen, viewed_at, each written once",
    ),
    # keys staging does not read ("Screen" is not "screen") may repeat
    (
        's_13,u_1,ios,4.2.0,2026-01-05 11:00:00,,60,,"[{""Screen"":""x"",""screen"":""home"",'
        '""note"":1,""note"":2,""viewed_at"":""2026-01-05T11:00:00Z""}]",2026-01-05 11:00:00',
        None,
    ),
]

RESPONSES_OK = json.dumps(
    [{"question_id": "qq_1", "chosen_option": "a", "is_correct": True, "seconds_spent": 12.5}]
)


def _attempt(attempt_id: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "attempt_id": attempt_id,
        "user_id": "u_2",
        "quiz_id": "q_1",
        "platform": "web",
        "started_at": "2026-01-06T09:00:00Z",
        "submitted_at": "2026-01-06T10:05:00+01:00",  # 09:05 UTC
        "score_percent": 100,
        "responses": RESPONSES_OK,
        "received_at": "2026-01-06T09:05:01Z",
    }
    row.update(changes)
    return row


class RawJson(str):
    """JSON text written into a JSON Lines row as it is (json.dumps cannot write a
    key twice)."""


DUPLICATED_RESPONSE_KEY = (
    "wrong JSON shape in responses: expected a JSON list of objects with "
    "question_id, chosen_option, is_correct, each written once"
)


def _json_line(row: dict[str, object]) -> str:
    raw = {key: value for key, value in row.items() if isinstance(value, RawJson)}
    line = json.dumps({key: f"@raw:{key}" if key in raw else v for key, v in row.items()})
    for key, text in raw.items():
        line = line.replace(json.dumps(f"@raw:{key}"), text)
    return line


ATTEMPTS = [
    (_attempt("a_1"), None),
    (_attempt("a_2", responses='[{"question_id": '), "broken JSON in responses"),
    (
        _attempt("a_3", responses='[{"question_id": "qq_1", "chosen_option": "b"}]'),
        "wrong JSON shape in responses: expected a JSON list of objects with "
        "question_id, chosen_option, is_correct, each written once",
    ),
    (_attempt("a_4", quiz_id="q_404"), "unknown quiz_id 'q_404'"),
    # the nested list sent as real JSON instead of JSON text is accepted as its text
    (_attempt("a_5", responses=json.loads(RESPONSES_OK)), None),
    (_attempt("a_6", score_percent=101), "score_percent above 100: 101"),
    # a key staging reads written twice in one answer, as JSON text and as real JSON
    (
        _attempt(
            "a_7",
            responses='[{"question_id": "qq_1", "chosen_option": "a", "is_correct": true, '
            '"chosen_option": "b"}]',
        ),
        DUPLICATED_RESPONSE_KEY,
    ),
    (
        _attempt(
            "a_8",
            responses=RawJson(
                '[{"question_id": "qq_1", "chosen_option": "a", "is_correct": true, '
                '"seconds_spent": 3, "seconds_spent": 300}]'
            ),
        ),
        DUPLICATED_RESPONSE_KEY,
    ),
    # a key staging does not read may repeat; seconds_spent is optional
    (
        _attempt(
            "a_9",
            responses='[{"question_id": "qq_1", "chosen_option": "a", "is_correct": false, '
            '"hint": 1, "hint": 2}]',
        ),
        None,
    ),
]


def _purchases() -> pa.Table:
    """Typed Parquet: decimals, timestamps; rows 2 and 3 are faulty."""
    at = pd.Timestamp("2026-01-07 10:00:00")
    rows = [
        ("p_1", "u_1", "c_1", "transaction_completed", "49.00", "USD", "card", "succeeded"),
        ("p_2", "u_1", "c_1", "refund", "-5.00", "USD", "card", "refunded"),
        ("p_3", "u_1", "c_404", "cart_add", "10.00", "USD", None, "pending"),
        ("p_4", "u_2", "c_2", "purchase_attempt", "0.00", "usd", "Card", "FAILED"),
    ]
    return pa.table(
        {
            "event_id": [r[0] for r in rows],
            "order_id": ["o_" + r[0] for r in rows],
            "user_id": [r[1] for r in rows],
            "course_id": [r[2] for r in rows],
            "event_type": [r[3] for r in rows],
            "amount": pa.array([Decimal(r[4]) for r in rows], pa.decimal128(12, 2)),
            "currency": [r[5] for r in rows],
            "payment_method": [r[6] for r in rows],
            "payment_status": [r[7] for r in rows],
            "failure_reason": [None, None, None, "card_declined"],
            "platform": ["android", "ios", "web", "web"],
            "occurred_at": pa.array([at] * 4, pa.timestamp("us")),
            "received_at": pa.array([at] * 4, pa.timestamp("us")),
        }
    )


PURCHASE_REASONS = {2: "amount below 0: -5.00", 3: "unknown course_id 'c_404'"}


def write_catalog_and_users(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in {**CATALOG, "users.csv": USERS_CSV}.items():
        (folder / name).write_text(text)
        paths.append(folder / name)
    return paths


def write_event_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    sessions = folder / "user_app_sessions.csv"
    sessions.write_text("\n".join([SESSIONS_HEADER, *(line for line, _ in SESSIONS)]) + "\n")
    attempts = folder / "quiz_attempts_2026-01-06.jsonl"
    attempts.write_text("".join(_json_line(row) + "\n" for row, _ in ATTEMPTS))
    purchases = folder / "user_purchases" / "part-00000.parquet"
    purchases.parent.mkdir()
    pq.write_table(_purchases(), purchases)
    return {"sessions": sessions, "attempts": attempts, "purchases": purchases}


def fetch(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(database: Path) -> dict[str, list[tuple]]:
    """Full contents of every raw and quarantine table, sorted; run-specific ids left out."""
    tables = {}
    for name in TABLES:
        tables[name] = fetch(database, f"select * from raw.{name} order by all")
        tables[name + "__quarantine"] = fetch(
            database,
            "select source_file, source_row, reason, record, file_sha256 "
            f"from raw.{name}__quarantine order by all",
        )
    return tables


def quarantine(database: Path, table: str) -> dict[int, str]:
    rows = fetch(database, f"select source_row, reason from raw.{table}__quarantine")
    return dict(rows)


# --- file names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("users.csv", "users"),
        ("data/user_purchases.parquet", "user_purchases"),
        ("user_purchases/part-00003.parquet", "user_purchases"),
        ("user_purchases/event_date=2026-01-01/part-0.parquet", "user_purchases"),
        ("quiz_attempts_2026-09-01.jsonl", "quiz_attempts"),
        ("quiz_questions.csv.gz", "quiz_questions"),
        ("users_2026-01-02.csv", "users"),
        ("exports/foo.csv", None),
    ],
)
def test_file_maps_to_table_by_stem_or_folder(path: str, table: str | None) -> None:
    detected = file_format(Path(path))
    assert detected is not None
    assert table_for(Path(path), detected[1]) == table


# --- validation ----------------------------------------------------------------------


def test_each_fault_class_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    files = write_event_files(tmp_path / "events")
    result = load_paths([*write_catalog_and_users(tmp_path / "base"), *files.values()], database)
    assert not result.rejected

    expected_sessions = {row: reason for row, (_, reason) in enumerate(SESSIONS, 1) if reason}
    assert quarantine(database, "user_app_sessions") == expected_sessions
    assert fetch(database, "select session_id, platform from raw.user_app_sessions order by 1") == [
        ("s_1", "android"),
        ("s_13", "ios"),
        ("s_2", "Android "),  # enum casing is accepted and stored as given
    ]
    expected_attempts = {row: reason for row, (_, reason) in enumerate(ATTEMPTS, 1) if reason}
    assert quarantine(database, "quiz_attempts") == expected_attempts
    attempts = fetch(
        database,
        "select attempt_id, submitted_at::VARCHAR, responses from raw.quiz_attempts order by 1",
    )
    assert [a[:2] for a in attempts] == [
        ("a_1", "2026-01-06 09:05:00"),  # +01:00 offset converted to UTC
        ("a_5", "2026-01-06 09:05:00"),
        ("a_9", "2026-01-06 09:05:00"),
    ]
    assert json.loads(attempts[1][2]) == json.loads(RESPONSES_OK)
    assert quarantine(database, "user_purchases") == PURCHASE_REASONS
    assert fetch(database, "select event_id, amount from raw.user_purchases order by 1") == [
        ("p_1", Decimal("49.00")),
        ("p_4", Decimal("0.00")),
    ]
    # the quarantined record keeps the original row, every value as text
    (record,) = fetch(
        database, "select record from raw.user_app_sessions__quarantine where source_row = 3"
    )[0]
    assert json.loads(record)["opened_at"] == "2026-13-45"
    assert json.loads(record)["active_seconds"] == "60"
    # catalog rows with enum casing variants load; blank optional values become null
    assert fetch(database, "select course_id, category, currency from raw.courses order by 1") == [
        ("c_1", "programming", "USD"),
        ("c_2", "Data", "eur"),
    ]
    assert fetch(database, "select estimated_minutes from raw.modules order by 1") == [
        (30,),
        (None,),
    ]
    # raw.users stores whether there is a phone, not the number (behavior.pseudonymize)
    assert fetch(database, "select count(*) from raw.users where not has_phone") == [(2,)]


INTERACTIONS = [
    # event_id, user_id, course_id, module_id, event_type, progress, platform, occurred, received
    ("e_1", "u_1", "c_1", None, "course_click", None, "android", "10:00:00", "10:00:01"),
    ("e_2", "u_1", "c_1", "m_1", "progress_update", 50.0, "ios", "10:01:00", "10:01:01"),
    ("e_1", "u_2", "c_2", None, "course_click", None, "web", "10:05:00", "10:05:01"),  # dup
    ("e_3", "u_1", "c_1", "m_9", "module_start", None, "android", "10:02:00", "10:02:01"),
    ("e_4", "u_1", "c_1", None, "course_click", 150.0, "web", "10:03:00", "10:03:01"),
    ("e_5", "u_2", "c_2", "m_2", "module_complete", 100.0, "Web", "10:04:00", "10:04:00"),
]
INTERACTION_COLUMNS = TABLES["user_course_interactions"].column_names


def _interactions_frame() -> pd.DataFrame:
    frame = pd.DataFrame(INTERACTIONS, columns=INTERACTION_COLUMNS)
    for column in ("occurred_at", "received_at"):
        frame[column] = pd.to_datetime("2026-01-05 " + frame[column])
    return frame


def _write_interactions(folder: Path, kind: str) -> Path:
    frame = _interactions_frame()
    if kind == "parquet":
        path = folder / "user_course_interactions.parquet"
        frame.to_parquet(path, index=False)
    elif kind == "csv":
        path = folder / "user_course_interactions.csv"
        frame.to_csv(path, index=False)
    else:
        path = folder / "user_course_interactions.jsonl"
        frame.to_json(path, orient="records", lines=True, date_format="iso")
    return path


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl"])
def test_counts_add_up_for_every_format(tmp_path: Path, kind: str) -> None:
    database = tmp_path / "w.duckdb"
    path = _write_interactions(tmp_path, kind)
    result = load_paths([*write_catalog_and_users(tmp_path / "base"), path], database)
    counts = result.tables["user_course_interactions"]
    assert (counts.rows_read, counts.rows_loaded) == (6, 3)
    assert (counts.rows_duplicate, counts.rows_quarantined) == (1, 2)
    for table in result.tables.values():
        assert table.rows_read == (
            table.rows_loaded + table.rows_duplicate + table.rows_quarantined
        )
    reasons = quarantine(database, "user_course_interactions")
    assert reasons[4] == "unknown module_id 'm_9'"
    assert reasons[5].startswith("progress_percent above 100: 150")
    loaded = fetch(
        database,
        "select event_id, user_id, module_id, progress_percent, platform, occurred_at::VARCHAR "
        "from raw.user_course_interactions order by 1",
    )
    assert loaded == [
        ("e_1", "u_1", None, None, "android", "2026-01-05 10:00:00"),  # the first e_1 wins
        ("e_2", "u_1", "m_1", 50.0, "ios", "2026-01-05 10:01:00"),
        ("e_5", "u_2", "m_2", 100.0, "Web", "2026-01-05 10:04:00"),
    ]


def test_duplicates_in_file_and_across_files_are_skipped(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    base = write_catalog_and_users(tmp_path / "base")
    header = USERS_CSV.splitlines()[0]
    later = tmp_path / "later" / "users_2026-01-02.csv"
    later.parent.mkdir()
    later.write_text(
        f"""{header}
u_1,2026-01-01T00:00:00Z,2026-01-01 00:00:00,changed@x.io,,IN,organic,android,,,,,
u_3,2026-01-02 00:00:00,2026-01-02 00:00:00,,,DE,referral,blackberry,,,,,
u_3,2026-01-02 00:00:00,2026-01-02 00:00:00,,,DE,referral,ios,,,,,
u_1,2026-01-03 00:00:00,2026-01-01 00:00:00,,,IN,organic,android,,,,,
u_1,2026-01-03 00:00:00,2026-01-01 00:00:00,second@x.io,,IN,organic,android,,,,,
"""
    )
    result = load_paths([*base, later], database)
    by_file = {Path(f.path).name: f for f in result.files}
    # row 1 repeats a key already loaded from users.csv (same instant, other spelling);
    # row 2 is invalid, so row 3 is the first valid u_3; row 5 repeats row 4
    second = by_file["users_2026-01-02.csv"]
    assert (second.rows_read, second.rows_loaded) == (5, 2)
    assert (second.rows_duplicate, second.rows_quarantined) == (2, 1)
    # the e-mails are in the private contacts file beside the warehouse, one row per
    # loaded raw.users row (the same first-wins rule)
    private = database.with_name(database.stem + ".private.duckdb")
    assert fetch(
        private, "select user_id, updated_at::VARCHAR, email from users_contacts order by all"
    ) == [
        ("u_1", "2026-01-01 00:00:00", "a@x.io"),
        ("u_1", "2026-01-03 00:00:00", None),
        ("u_2", "2026-01-01 00:00:00", None),
        ("u_3", "2026-01-02 00:00:00", None),
    ]


def test_reloading_the_same_files_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    paths = [
        *write_catalog_and_users(tmp_path / "base"),
        *write_event_files(tmp_path / "e").values(),
    ]
    first = load_paths(paths, database)
    before = snapshot(database)
    second = load_paths(paths, database)
    assert snapshot(database) == before
    for name, counts in second.tables.items():
        assert counts.rows_loaded == 0
        assert (
            counts.rows_duplicate
            == first.tables[name].rows_loaded + first.tables[name].rows_duplicate
        )
        assert counts.rows_quarantined == first.tables[name].rows_quarantined
    audit = fetch(database, "select status, count(*) from raw._load_files group by 1")
    assert audit == [("loaded", 2 * len(paths))]


# --- atomicity -----------------------------------------------------------------------


def _behavior_load(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "behavior.cli", "load", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_a_killed_load_leaves_the_file_out_and_a_rerun_finishes(tmp_path: Path) -> None:
    paths = [
        *write_catalog_and_users(tmp_path / "base"),
        *write_event_files(tmp_path / "e").values(),
    ]
    args = [str(p) for p in paths]
    database = tmp_path / "killed.duckdb"
    process = _behavior_load(
        *args,
        "--database",
        str(database),
        env={PAUSE_ENV: "120", PAUSE_MATCH_ENV: "user_app_sessions"},
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:  # files before the sessions file commit, then it pauses
            if line.startswith(PAUSE_MARKER):
                assert line.strip().endswith("user_app_sessions.csv")
                break
        else:
            pytest.fail(f"no pause marker; stderr: {process.communicate()[1]}")
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    # the sessions file was inside its transaction: nothing of it is left
    assert fetch(database, "select count(*) from raw.user_app_sessions") == [(0,)]
    assert fetch(database, "select count(*) from raw.user_app_sessions__quarantine") == [(0,)]
    audited = fetch(database, "select source_file from raw._load_files order by 1")
    assert [Path(f).name for (f,) in audited] == sorted(
        ["courses.csv", "modules.csv", "quizzes.csv", "quiz_questions.csv", "users.csv"]
    )
    assert fetch(database, "select count(*) from raw.users") == [(2,)]

    rerun = _behavior_load(*args, "--database", str(database))
    assert rerun.wait(timeout=60) == 0, rerun.communicate()[1]
    fresh = tmp_path / "fresh.duckdb"
    assert not load_paths(paths, fresh).rejected
    assert snapshot(database) == snapshot(fresh)


# --- whole-file rejections -----------------------------------------------------------


def test_unreadable_files_are_rejected_and_the_rest_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "w.duckdb"
    base = write_catalog_and_users(tmp_path / "base")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "user_purchases.parquet").write_text("event_id,user_id\np_1,u_1\n")
    (bad / "quizzes_extra.csv").write_text("quiz_id,module_id\nq_9,m_1\n")
    (bad / "clickstream.csv").write_text("a,b\n1,2\n")

    code = cli.main(["load", *map(str, base), str(bad), "--database", str(database)])

    assert code == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 4  # one line per rejected file, then the summary line
    assert any(
        "quizzes_extra.csv: missing contract columns: quiz_title, pass_mark_percent" in e
        for e in errors
    )
    assert any("user_purchases.parquet: cannot read as Parquet" in e for e in errors)
    assert any("clickstream.csv: no contract table matches 'clickstream'" in e for e in errors)
    audit = fetch(
        database,
        "select regexp_extract(source_file, '[^/]+$'), table_name, status, rows_loaded "
        "from raw._load_files where status = 'rejected' order by 1",
    )
    assert audit == [
        ("clickstream.csv", None, "rejected", 0),
        ("quizzes_extra.csv", "quizzes", "rejected", 0),
        ("user_purchases.parquet", "user_purchases", "rejected", 0),
    ]
    assert fetch(database, "select count(*) from raw.users") == [(2,)]


def test_default_database_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "nested" / "env.duckdb"
    monkeypatch.setenv("BEHAVIOR_DUCKDB_PATH", str(database))
    result = load_paths(write_catalog_and_users(tmp_path / "base"))
    assert result.database == str(database)
    assert fetch(database, "select count(*) from raw.courses") == [(2,)]


def test_loader_runs_under_the_profile_memory_limit(tmp_path: Path, monkeypatch):
    from behavior import load

    expected = duckdb.connect()
    expected.execute("set memory_limit = '512MB'")
    want = expected.execute("select current_setting('memory_limit')").fetchone()
    expected.close()
    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "512MB")
    con = load.connect(tmp_path / "w.duckdb")
    assert con.execute("select current_setting('memory_limit')").fetchone() == want
    assert con.execute("select current_setting('threads')").fetchone() == (2,)
    con.close()
    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(UserError, match="expected a size such as 3GB"):
        load.connect(tmp_path / "w.duckdb")
