"""The README's daily recipe on a generated history: the next day is really new.

A history (150 users x 20 days from 2026-09-01, 2 % duplicates, no late rows: a
generated history's late rows are received after its end, see README) is loaded and
built; `behavior generate --continue` writes 2026-09-21 with 30 % late activity of
earlier days (so the test sees some), which is loaded and built as `make daily`.
- the new day's events are loaded, not counted as duplicates, and nothing conflicts or
  is quarantined;
- no user's sign-up changed (raw versions and dim_users), and returning users are
  active on the new day;
- the warehouse equals a full rebuild from the same files, row for row.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

import incremental_helpers as h
from behavior import cli
from behavior.contract import EVENT_TABLES

pytestmark = pytest.mark.slow

START = date(2026, 9, 1)
NEW_DAY = date(2026, 9, 21)


def test_a_continued_day_loads_as_new_and_equals_a_full_rebuild(tmp_path: Path) -> None:
    history = tmp_path / "history"
    h.generate(history, users=150, days=20, seed=20261130, start=START,
               duplicate_rate=0.02)  # fmt: skip
    a, b = tmp_path / "a" / "daily.duckdb", tmp_path / "b" / "rebuilt.duckdb"
    h.load(history, a)
    h.build(a, tmp_path / "a" / "target")
    signups_before = dict(h.query(a, "select user_id, signed_up_at from marts.dim_users"))

    new_day = tmp_path / "day_2026-09-21"
    code = cli.main(
        ["generate", "--continue", str(history / "_manifest.json"), "--out", str(new_day),
         "--late-rate", "0.3", "--quiet"]
    )  # fmt: skip
    assert code == 0
    loaded = h.load(new_day, a)  # fails on rejected or quarantined rows
    for table in ("users", *EVENT_TABLES):
        counts = loaded.tables[table]
        # new rows, not duplicates: only the 2 % re-sent copies are duplicates
        assert counts.rows_loaded > 0, table
        assert counts.rows_duplicate <= 0.1 * counts.rows_read, (table, counts)
        assert counts.rows_conflicting == 0, table

    with ThreadPoolExecutor(max_workers=1) as pool:
        h.load([history, new_day], b)
        full = h.build_in_background(pool, b, tmp_path / "b" / "target", full_refresh=True)
        h.build(a, tmp_path / "a" / "target", dbt_vars=h.DAILY_VARS)  # make daily
        full.result()

    # no sign-up changed: one sign-up per user in raw, and dim_users as before
    assert h.query(
        a,
        "select count(*) from (select user_id from raw.users group by 1 "
        "having count(distinct signed_up_at) > 1)",
    ) == [(0,)]
    signups_after = dict(h.query(a, "select user_id, signed_up_at from marts.dim_users"))
    assert {u: signups_after[u] for u in signups_before} == signups_before
    assert len(signups_after) > len(signups_before)  # new users signed up
    # returning users (signed up before the new day) are active on it
    ((returning,),) = h.query(
        a,
        "select count(*) from marts.fct_user_daily_activity as activity "
        "inner join marts.dim_users as users on users.user_id = activity.user_id "
        "where activity.activity_date = ? and users.signed_up_date < ?",
        [NEW_DAY, NEW_DAY],
    )
    assert returning > 0
    ((last_day,),) = h.query(a, "select max(date_day) from utilities.util_days")
    assert last_day >= NEW_DAY

    differences = h.compare_databases(a, b)
    assert not differences, h.describe(differences)
