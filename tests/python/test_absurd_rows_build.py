"""One absurd row in each event table, loaded by the loader, changes nothing
downstream (issue 11): the build stays green and every staging, intermediate, mart
and report relation equals the build without it.

The absurd rows are the ones that broke or bent the build before the bounds:
a session received in 2100 (stalled the incremental cutoff), an interaction at
`infinity` (failed util_days), a quiz attempt started on 0001-01-01 (a 739,889-day
date spine) and a purchase of 9,999,999,999.99 (no upper bound). Each references
a real user, course and quiz of the generated data, so the bound is the only
reason to refuse it.
"""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import incremental_helpers as h
from behavior.contract import TABLES
from behavior.load import load_paths

USERS, DAYS, SEED, START = 40, 8, 11, date(2026, 9, 1)


def _write_csv(folder: Path, table: str, row: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table}.csv"
    names = TABLES[table].column_names
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerow([row.get(name, "") for name in names])
    return path


def _absurd_rows(database: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """One CSV per event table with one absurd row; table -> (file, expected reason)."""
    ((user_id,),) = h.query(database, "select min(user_id) from raw.users")
    ((course_id,),) = h.query(database, "select min(course_id) from raw.courses")
    ((quiz_id,),) = h.query(database, "select min(quiz_id) from raw.quizzes")
    common = {"user_id": user_id, "platform": "android"}
    return {
        "user_app_sessions": (
            _write_csv(
                folder,
                "user_app_sessions",
                {
                    **common,
                    "session_id": "absurd_s",
                    "opened_at": "2026-09-05 10:00:00",
                    "closed_at": "2026-09-05 10:05:00",
                    "active_seconds": "300",
                    "received_at": "2100-01-01 00:00:00",
                },
            ),
            "received_at after the load time: 2100-01-01 00:00:00",
        ),
        "user_course_interactions": (
            _write_csv(
                folder,
                "user_course_interactions",
                {
                    **common,
                    "event_id": "absurd_i",
                    "course_id": course_id,
                    "event_type": "course_click",
                    "occurred_at": "infinity",
                    "received_at": "2026-09-05 10:00:00",
                },
            ),
            "occurred_at is not finite: infinity",
        ),
        "quiz_attempts": (
            _write_csv(
                folder,
                "quiz_attempts",
                {
                    **common,
                    "attempt_id": "absurd_q",
                    "quiz_id": quiz_id,
                    "started_at": "0001-01-01 00:00:00",
                    "received_at": "2026-09-05 10:00:00",
                },
            ),
            "started_at before 2015-01-01: 0001-01-01 00:00:00",
        ),
        "user_purchases": (
            _write_csv(
                folder,
                "user_purchases",
                {
                    **common,
                    "event_id": "absurd_p",
                    "order_id": "absurd_o",
                    "course_id": course_id,
                    "event_type": "transaction_completed",
                    "amount": "9999999999.99",
                    "currency": "USD",
                    "payment_method": "card",
                    "payment_status": "succeeded",
                    "occurred_at": "2026-09-05 10:00:00",
                    "received_at": "2026-09-05 10:00:01",
                },
            ),
            "amount above 100000: 9999999999.99",
        ),
    }


def test_one_absurd_row_per_event_table_changes_no_model(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    h.generate(generated, users=USERS, days=DAYS, seed=SEED, start=START)
    clean, absurd = tmp_path / "a" / "clean.duckdb", tmp_path / "b" / "absurd.duckdb"
    h.load(generated, clean)  # fails on any quarantined row: the generator's data is plausible
    h.load(generated, absurd)

    rows = _absurd_rows(absurd, tmp_path / "absurd")
    result = load_paths([path for path, _ in rows.values()], absurd)

    assert not result.rejected
    for table, (_, reason) in rows.items():
        counts = result.tables[table]
        assert (counts.rows_read, counts.rows_loaded, counts.rows_quarantined) == (1, 0, 1)
        assert h.query(absurd, f"select reason from raw.{table}__quarantine") == [(reason,)]
    for table in TABLES:  # the raw tables the models read are the same
        assert h.query(clean, f"select * from raw.{table} order by all") == h.query(
            absurd, f"select * from raw.{table} order by all"
        ), table

    with ThreadPoolExecutor(max_workers=2) as pool:
        builds = [
            h.build_in_background(pool, clean, tmp_path / "a" / "target", threads=1),
            h.build_in_background(pool, absurd, tmp_path / "b" / "target", threads=1),
        ]
        for build in builds:
            assert build.result().returncode == 0  # DbtFailed (with the failures) otherwise

    differences = h.compare_databases(clean, absurd, (*h.COMPARED_SCHEMAS, "utilities"))
    assert not differences, h.describe(differences)
    # the date spine spans the generated days (with late arrivals), not year 1 or 2100
    ((first, last),) = h.query(
        absurd, "select min(date_day), max(date_day) from utilities.util_days"
    )
    assert first >= START and last <= date(2026, 12, 31), (first, last)
