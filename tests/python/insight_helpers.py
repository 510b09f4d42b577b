"""A tiny warehouse with the event stream's schema, for the insight known-answer tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

# marts.fct_user_events, column by column (test_insights checks it against the yml).
STREAM_COLUMNS = {
    "event_id": "varchar",
    "event_source": "varchar",
    "event_name": "varchar",
    "user_id": "varchar",
    "event_at": "timestamp",
    "event_date": "date",
    "platform": "varchar",
    "session_id": "varchar",
    "course_id": "varchar",
    "module_id": "varchar",
    "quiz_id": "varchar",
    "order_id": "varchar",
    "screen_name": "varchar",
    "feature_name": "varchar",
    "progress_percent": "double",
    "score_percent": "double",
    "amount_usd": "double",
    "payment_method": "varchar",
    "payment_status": "varchar",
    "received_at": "timestamp",
}


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def make_warehouse(
    path: Path,
    events: list[tuple],
    users: dict[str, str] | None = None,
) -> Path:
    """Write marts.fct_user_events from (user_id, event_name, 'YYYY-MM-DD HH:MM:SS'
    [, {property: value}]) tuples (event ids e1, e2, ... in list order) and
    marts.dim_users from {user_id: signed_up_at}."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    columns = ", ".join(f"{name} {kind}" for name, kind in STREAM_COLUMNS.items())
    con.execute(f"create table marts.fct_user_events ({columns})")
    names = list(STREAM_COLUMNS)
    rows = []
    for number, event in enumerate(events, 1):
        user_id, event_name, at = event[:3]
        properties = event[3] if len(event) > 3 else {}
        row = dict.fromkeys(names)
        row.update(
            event_id=f"e{number}",
            event_source="test",
            event_name=event_name,
            user_id=user_id,
            event_at=ts(at),
            event_date=ts(at).date(),
            platform="ios",
            received_at=ts(at),
        )
        row.update(properties)
        rows.append([row[name] for name in names])
    if rows:
        con.executemany(
            f"insert into marts.fct_user_events values ({', '.join('?' for _ in names)})", rows
        )
    con.execute("create table marts.dim_users (user_id varchar, signed_up_at timestamp)")
    for user_id, signed_up_at in (users or {}).items():
        con.execute("insert into marts.dim_users values (?, ?)", [user_id, ts(signed_up_at)])
    con.close()
    return path
