"""`behavior generate --continue`: the next day(s) of a history, as a daily feed sends them.

One small history (120 users x 15 days from 2026-09-01, 2 % duplicates, 5 % late) and
its continuations: one day from the manifest (twice, for determinism), two more days
from that delivery's manifest (a chain), and one day from a warehouse the history was
loaded into.
"""

from __future__ import annotations

import filecmp
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from behavior import cli
from behavior.contract import CATALOG_TABLES, EVENT_TABLES
from behavior.generate import continuation
from behavior.generate.continuation import ID_PREFIX
from behavior.load import load_paths

SEED = 11
NEXT_DAY = datetime(2026, 9, 16)  # 2026-09-01 + 15 days
# e-mail and phone too: from a warehouse they come back from its private contacts file
# (raw.users holds only the contact key), and a changed e-mail would change the key.
USERS_FACTS = (
    "signed_up_at",
    "installed_at",
    "platform",
    "acquisition_channel",
    "country_code",
    "email",
    "phone",
)


@dataclass(frozen=True)
class Deliveries:
    history: Path
    day1: Path
    day1_again: Path
    days2_3: Path
    from_warehouse: Path


def _generate(*args: str) -> None:
    assert cli.main(["generate", *args, "--quiet"]) == 0


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> Deliveries:
    root = tmp_path_factory.mktemp("continue")
    d = Deliveries(*(root / name for name in ("h", "d1", "d1b", "d23", "dw")))
    _generate(
        "--users", "120", "--days", "15", "--start", "2026-09-01", "--seed", str(SEED),
        "--out", str(d.history), "--duplicate-rate", "0.02", "--late-rate", "0.05",
    )  # fmt: skip
    _generate("--continue", str(d.history / "_manifest.json"), "--out", str(d.day1))
    _generate("--continue", str(d.history), "--out", str(d.day1_again))
    _generate(
        "--continue", str(d.day1 / "_manifest.json"), "--out", str(d.days2_3), "--days", "2",
        "--late-rate", "0.3",
    )  # fmt: skip
    database = root / "w.duckdb"
    assert not load_paths([d.history], database).rejected
    _generate(
        "--continue", str(database), "--seed", str(SEED), "--out", str(d.from_warehouse),
        "--duplicate-rate", "0.02", "--late-rate", "0.05",
    )  # fmt: skip
    return d


def rows(folder: Path, table: str, columns: str = "*", group: bool = False) -> list[tuple]:
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(
            f"select {columns} from read_parquet('{folder / table}.parquet')"
            + (" group by 1" if group else "")
        ).fetchall()
    finally:
        con.close()


def test_same_history_and_options_give_identical_files(deliveries: Deliveries) -> None:
    names = sorted(p.name for p in deliveries.day1.iterdir() if p.suffix == ".parquet")
    assert names == sorted(f"{t}.parquet" for t in ("users", *EVENT_TABLES))
    match, mismatch, errors = filecmp.cmpfiles(deliveries.day1, deliveries.day1_again, names)
    assert (mismatch, errors) == ([], []) and len(match) == len(names)


def test_the_catalog_is_not_re_emitted(deliveries: Deliveries) -> None:
    for folder in (deliveries.day1, deliveries.days2_3, deliveries.from_warehouse):
        assert not [p for p in folder.iterdir() if p.stem in CATALOG_TABLES]


def test_ids_never_collide_with_the_history_or_earlier_deliveries(deliveries: Deliveries) -> None:
    seen: dict[str, set[str]] = {}
    for folder in (deliveries.history, deliveries.day1, deliveries.days2_3):
        for table, (column, prefix, width) in ID_PREFIX.items():
            ids = {r[0] for r in rows(folder, table, column)}
            if table != "users":  # a user has a row per version: only new ids matter
                assert not ids & seen.get(table, set()), (folder.name, table)
            assert all(i.startswith(prefix) and len(i) == len(prefix) + width for i in ids)
            seen.setdefault(table, set()).update(ids)
        orders = {r[0] for r in rows(folder, "user_purchases", "distinct order_id")}
        assert not orders & seen.get("orders", set()), folder.name
        seen.setdefault("orders", set()).update(orders)
    # the same holds when the ids are read back from the warehouse
    history_sessions = {r[0] for r in rows(deliveries.history, "user_app_sessions", "session_id")}
    warehouse_sessions = {
        r[0] for r in rows(deliveries.from_warehouse, "user_app_sessions", "session_id")
    }
    assert warehouse_sessions and not warehouse_sessions & history_sessions


def _facts(folder: Path) -> dict[str, set[tuple]]:
    found: dict[str, set[tuple]] = {}
    for user_id, *facts in rows(folder, "users", "user_id, " + ", ".join(USERS_FACTS)):
        found.setdefault(user_id, set()).add(tuple(facts))
    return found


def test_users_keep_their_immutable_facts(deliveries: Deliveries) -> None:
    history = _facts(deliveries.history)
    assert all(len(v) == 1 for v in history.values())  # the generator's own invariant
    for folder in (deliveries.day1, deliveries.days2_3, deliveries.from_warehouse):
        delivered = _facts(folder)
        returning = [u for u in delivered if u in history]
        new = [u for u in delivered if u not in history]
        assert returning and new, folder.name
        for user in returning:
            assert delivered[user] == history[user], (folder.name, user)
        # new users sign up in the delivery's days, with ids after the history's
        assert min(new) > max(history)
        for user in new:
            ((signed_up_at, *_),) = delivered[user]
            assert signed_up_at >= NEXT_DAY


def test_new_versions_come_after_the_history_and_events_after_sign_up(
    deliveries: Deliveries,
) -> None:
    last_update = dict(rows(deliveries.history, "users", "user_id, max(updated_at)", group=True))
    signed = dict(rows(deliveries.history, "users", "user_id, min(signed_up_at)", group=True))
    signed.update(rows(deliveries.day1, "users", "user_id, min(signed_up_at)", group=True))
    for user, updated_at in rows(deliveries.day1, "users", "user_id, updated_at"):
        if user in last_update:
            assert updated_at > last_update[user]
    for user, opened_at in rows(deliveries.day1, "user_app_sessions", "user_id, opened_at"):
        assert opened_at >= signed[user], user


def test_new_day_events_arrive_on_time_and_late_ones_for_earlier_days(
    deliveries: Deliveries,
) -> None:
    # days2_3: 2026-09-17 and 09-18, late rate 0.3 (day1 with 5 % of ~20 returning
    # users may draw none)
    first, end = datetime(2026, 9, 17), datetime(2026, 9, 19)
    sessions = rows(deliveries.days2_3, "user_app_sessions", "opened_at, received_at")
    on_days = [(o, r) for o, r in sessions if o >= first]
    late = [(o, r) for o, r in sessions if o < first]
    assert on_days and late
    # received within seconds of the close; a duplicate re-send up to 1 h later
    slack = timedelta(hours=1, minutes=5)
    assert all(o < end and o <= r < end + slack for o, r in on_days)
    # late: opened 1-10 days before a new day (not before the history), received on it
    assert all(datetime(2026, 9, 7) <= o and first <= r < end + slack for o, r in late)
    chained_late = json.loads((deliveries.days2_3 / "_manifest.json").read_text())
    assert chained_late["continuation"]["late_user_days"] > 0
    manifest = json.loads((deliveries.day1 / "_manifest.json").read_text())
    assert manifest["arguments"]["start"] == "2026-09-16"
    chained = json.loads((deliveries.days2_3 / "_manifest.json").read_text())
    assert chained["arguments"]["start"] == "2026-09-17"
    assert chained["continuation"]["deliveries"] == [
        str(deliveries.history.resolve()),
        str(deliveries.day1.resolve()),
    ]


def test_bad_continue_arguments_give_one_line(tmp_path: Path, deliveries: Deliveries, capsys):
    code = cli.main(["generate", "--continue", str(tmp_path / "nothing"), "--out", "x"])
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1
    code = cli.main(
        ["generate", "--continue", str(deliveries.history), "--users", "5", "--out", "x"]
    )
    assert code == 2


def test_a_continuation_that_fails_half_way_writes_nothing(tmp_path, monkeypatch):
    """generate --continue writes beside --out too: one that fails after its first table
    leaves no --out and no staging folder (a load would take the tables it left as a
    delivery without its manifest)."""
    history = tmp_path / "history"
    cli.main(["generate", "--users", "30", "--days", "4", "--out", str(history), "--quiet"])
    real = continuation.fmt.TableWriter
    writers = []

    def failing_writer(*args, **kwargs):
        writers.append(1)
        if len(writers) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(continuation.fmt, "TableWriter", failing_writer)
    day = tmp_path / "day"
    with pytest.raises(RuntimeError, match="killed"):
        cli.main(["generate", "--continue", str(history / "_manifest.json"), "--out", str(day),
                  "--quiet"])  # fmt: skip

    assert len(writers) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history"]


def test_a_warehouse_with_sessions_at_sentinel_times_continues_after_its_real_days(
    tmp_path, capsys
):
    """Another writer's sessions opened on 0001-01-01, on 9999-12-31 and at infinity
    (times the loader refuses) are no days of the history: the continuation of the
    warehouse starts the day after its last real day (2026-09-01 + 4 days) and keeps
    the real days' users per day, as from a copy without them, and the warning counts
    them. (Before, 9999-12-31 made the first new day 10000-01-01: "date value out of
    range".)"""
    history = tmp_path / "history"
    _generate(
        "--users", "30", "--days", "4", "--start", "2026-09-01", "--seed", str(SEED),
        "--out", str(history),
    )  # fmt: skip
    clean, planted = tmp_path / "clean.duckdb", tmp_path / "planted.duckdb"
    for database in (clean, planted):
        assert not load_paths([history], database).rejected
    con = duckdb.connect(str(planted))
    for at in ("0001-01-01", "9999-12-31 23:59:59", "infinity"):
        con.execute(
            "insert into raw.user_app_sessions by name select * replace ("
            "'s_sentinel_' || md5(?) as session_id, cast(? as timestamp) as opened_at) "
            "from raw.user_app_sessions order by session_id limit 1",
            [at, at],
        )
    con.close()
    manifests = {}
    for database in (clean, planted):
        out = tmp_path / f"day_{database.stem}"
        capsys.readouterr()
        _generate("--continue", str(database), "--seed", str(SEED), "--out", str(out))
        manifests[database.stem] = json.loads((out / "_manifest.json").read_text())
        manifests[database.stem]["stderr"] = capsys.readouterr().err
    for name, manifest in manifests.items():
        assert manifest["arguments"]["start"] == "2026-09-05", name
        assert manifest["continuation"]["origin"]["days"] == 4, name
    assert (
        manifests["planted"]["continuation"]["origin"]
        == manifests["clean"]["continuation"]["origin"]
    )
    assert manifests["planted"]["continuation"]["history_sessions_outside_its_days"] == 3
    assert "WARNING: 3 raw sessions" in manifests["planted"]["stderr"]
    assert "WARNING" not in manifests["clean"]["stderr"]
