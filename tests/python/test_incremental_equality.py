"""Building delivery by delivery gives the same warehouse as one full refresh.

A small generated data set (150 users x 20 days, fixed seed) with duplicate (2%) and
late (5%) events is split by arrival into 3 deliveries; later ones carry late events
and re-sent duplicates of earlier ones.
- Database A: for each delivery, load it, then `dbt build` (incremental after the first,
  with the daily run's recent-rows test scope).
- Database B: load all deliveries, then `dbt build --full-refresh` once.
Every table and view of the intermediate, marts and reports schemas must then be the
same in A and B, row for row. This holds trivially for table models and is the proof
for incremental ones (with their lookback for late events).

Every build must pass, data tests included: a failing test makes `dbt build` skip
the models below it, which would leave A and B different for a reason that has
nothing to do with incrementality.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import incremental_helpers as h

pytestmark = pytest.mark.slow

START = date(2026, 9, 1)
USERS = 150
DAYS = 20
SEED = 20260901
BATCHES = 3
DUPLICATE_RATE = 0.02
LATE_RATE = 0.05


@dataclass(frozen=True)
class Deliveries:
    manifest: dict
    cutoffs: list[datetime]
    batches: list[Path]


@dataclass(frozen=True)
class Warehouses:
    incremental: Path  # A: built after each delivery
    full_refresh: Path  # B: built once from everything


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> Deliveries:
    root = tmp_path_factory.mktemp("deliveries")
    manifest = h.generate(
        root / "generated",
        users=USERS,
        days=DAYS,
        seed=SEED,
        start=START,
        duplicate_rate=DUPLICATE_RATE,
        late_rate=LATE_RATE,
    )
    cutoffs = h.day_cutoffs(START, DAYS, BATCHES)
    batches = h.write_batches(root / "generated", root / "batches", cutoffs)
    return Deliveries(manifest, cutoffs, batches)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory, deliveries: Deliveries) -> Warehouses:
    root = tmp_path_factory.mktemp("warehouses")
    a, b = root / "a" / "incremental.duckdb", root / "b" / "full_refresh.duckdb"
    for batch in deliveries.batches:
        h.load(batch, b)
    # B's one build runs alongside A's delivery-by-delivery builds.
    with ThreadPoolExecutor(max_workers=1) as pool:
        full = h.build_in_background(pool, b, root / "b" / "target", full_refresh=True)
        for number, batch in enumerate(deliveries.batches, start=1):
            h.load(batch, a)
            try:
                # After the first delivery, A builds as the daily run does (`make
                # daily`): data tests on incremental models check recent rows only.
                daily = h.DAILY_ENV if number > 1 else None
                h.build(a, root / "a" / "target", extra_env=daily)
            except h.DbtFailed as exc:
                raise h.DbtFailed(f"A, after delivery {number} of {BATCHES}: {exc}") from exc
        try:
            full.result()
        except h.DbtFailed as exc:
            raise h.DbtFailed(f"B, full refresh: {exc}") from exc
    return Warehouses(a, b)


def _batch_rows(batch: Path, table: str, sql: str) -> int:
    con = duckdb.connect()
    try:
        source = f"read_parquet('{batch / (table + '.parquet')}')"
        return con.execute(sql.format(source=source)).fetchone()[0]
    finally:
        con.close()


def test_later_deliveries_carry_late_events_and_resent_duplicates(deliveries: Deliveries):
    """The scenario is what it claims: later deliveries bring events from before their
    window (late) and rows whose key an earlier delivery already brought (re-sent)."""
    late = resent = 0
    for i, batch in enumerate(deliveries.batches[1:], start=1):
        window_start = deliveries.cutoffs[i - 1]
        for table, event_time in h.EVENT_TIME.items():
            late += _batch_rows(
                batch,
                table,
                f"select count(*) from {{source}} where {event_time} < '{window_start}'",
            )
            key = h.TABLES[table].key[0]
            earlier = ", ".join(f"'{b / (table + '.parquet')}'" for b in deliveries.batches[:i])
            resent += _batch_rows(
                batch,
                table,
                f"select count(*) from {{source}} where {key} in "
                f"(select {key} from read_parquet([{earlier}]))",
            )
    assert late > 0, "no late events in later deliveries"
    assert resent > 0, "no re-sent duplicates in later deliveries"
    generated = sum(deliveries.manifest["row_counts"].values())
    written = sum(
        _batch_rows(batch, table, "select count(*) from {source}")
        for batch in deliveries.batches
        for table in h.RAW_TABLES
    )
    assert written == generated, "splitting lost or invented rows"


def test_raw_tables_match(warehouses: Warehouses):
    """Loading delivery by delivery lands the same raw rows as loading them together."""
    differences = h.compare_databases(
        warehouses.incremental, warehouses.full_refresh, ("raw",), tables=h.RAW_TABLES
    )
    assert not differences, h.describe(differences)


def test_marts_are_not_empty(warehouses: Warehouses):
    for database in (warehouses.incremental, warehouses.full_refresh):
        counts = h.row_counts(database, ("marts",))
        assert counts, f"no mart tables in {database.name}"
        empty = sorted(name for name, rows in counts.items() if rows == 0)
        assert not empty, f"empty marts in {database.name}: {empty}"


def test_incremental_builds_equal_one_full_refresh(warehouses: Warehouses):
    differences = h.compare_databases(warehouses.incremental, warehouses.full_refresh)
    assert not differences, h.describe(differences)
    compared = h.row_counts(warehouses.incremental)
    assert any(name.startswith("marts.") for name in compared), "nothing compared"


def test_hand_made_late_event_loads(deliveries: Deliveries, tmp_path: Path):
    """`write_rows` makes a one-row delivery the loader accepts (for late-event tests)."""
    database = tmp_path / "late.duckdb"
    h.load(deliveries.batches[0], database)
    [(user_id,)] = h.query(database, "select min(user_id) from raw.users")
    [(course_id,)] = h.query(database, "select min(course_id) from raw.courses")
    late = {
        "event_id": "late-event-1",
        "order_id": "late-order-1",
        "user_id": user_id,
        "course_id": course_id,
        "event_type": "cart_add",
        "amount": "19.99",
        "currency": "USD",
        "payment_status": "pending",
        "platform": "web",
        "occurred_at": "2026-09-03 10:00:00",
        "received_at": "2026-09-12 08:00:00",
    }
    h.load(h.write_rows(tmp_path / "late", "user_purchases", [late]).parent, database)
    loaded = h.query(
        database,
        "select amount, occurred_at, received_at from raw.user_purchases "
        "where event_id = 'late-event-1'",
    )
    assert loaded == [
        (Decimal("19.99"), datetime(2026, 9, 3, 10), datetime(2026, 9, 12, 8)),
    ]
