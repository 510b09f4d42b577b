"""A week of real-world data arrives in batches: anomalies never stop the build.

A generated history with malformed rows (quarantined by the loader), late events,
duplicates and every planted effect is split by arrival into 3 deliveries, loaded and
built one after the other as a real week would arrive (incremental after the first,
with the daily run's test scope). Two orphan refunds are planted on top, so the test
does not depend on the generator happening to make one:

- order LATE: cart, attempt and refund arrive in delivery 1; its completed
  transaction is late and only arrives with delivery 3. After deliveries 1 and 2 it
  is an orphan refund (net = minus the refund); after delivery 3 it is a normal
  paid-and-refunded order (net 0).
- order MISSING: cart, attempt and refund arrive in delivery 2; its transaction
  never arrives (as when the loader quarantined it). It stays an orphan.

After every delivery: `dbt build` passes (anomaly tests only warn), the report models
are built, total net revenue is the same in fct_purchases, fct_revenue_daily and
dim_users, and the MIS report equals fct_revenue_daily on the days it covers, to the
cent; rpt_data_quality counts exactly the orphan refunds a recount from staging
finds (orders with a refund and no completed transaction), the planted ones among
them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import incremental_helpers as h
from behavior.load import load_paths
from conftest import ROOT

pytestmark = pytest.mark.slow

START = date(2026, 9, 1)
USERS = 150
DAYS = 14
SEED = 20261001
BATCHES = 3
LATE_ORDER = "ord_planted_late"
MISSING_ORDER = "ord_planted_missing"
PRICE = Decimal("20.00")


@dataclass(frozen=True)
class Snapshot:
    """Figures read after one delivery was loaded and built."""

    quarantined_rows: int
    purchases_net: Decimal
    revenue_daily_net: Decimal
    dim_users_net: Decimal
    known_users_purchases_net: Decimal
    report_net: Decimal
    revenue_daily_report_days_net: Decimal
    report_days: int
    report_kpi_rows: int
    data_quality_checks: int
    orphans_counted: int
    orphans_recounted: int
    planted: dict[str, tuple[bool, bool, Decimal]]  # order -> (is_orphan, is_paid, net)


def _generate(out: Path) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "behavior.cli",
        "generate",
        "--users",
        str(USERS),
        "--days",
        str(DAYS),
        "--start",
        START.isoformat(),
        "--seed",
        str(SEED),
        "--out",
        str(out),
        "--format",
        "parquet",
        "--duplicate-rate",
        "0.01",
        "--late-rate",
        "0.02",
        "--malformed-rate",
        "0.005",
        "--plant",
        "all",
        "--quiet",
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, timeout=300)
    return json.loads((out / "_manifest.json").read_text())


def _purchase(event_id, order_id, user_id, course_id, event_type, at, received):
    status = {
        "cart_add": "pending",
        "purchase_attempt": "succeeded",
        "transaction_completed": "succeeded",
        "refund": "refunded",
    }[event_type]
    return {
        "event_id": event_id,
        "order_id": order_id,
        "user_id": user_id,
        "course_id": course_id,
        "event_type": event_type,
        "amount": PRICE,
        "currency": "USD",
        "payment_method": None if event_type == "cart_add" else "card",
        "payment_status": status,
        "failure_reason": None,
        "platform": "android",
        "occurred_at": at,
        "received_at": received,
    }


def _plant_orphans(generated: Path, root: Path, cutoffs: list[datetime]) -> list[Path]:
    """One extra folder per delivery with the planted purchase rows."""
    con = duckdb.connect()
    try:
        (user_id,) = con.execute(
            f"select user_id from read_parquet('{generated / 'users.parquet'}') "
            "where try_cast(signed_up_at as timestamp) < timestamp '2026-09-02' "
            "order by user_id limit 1"
        ).fetchone()
        (course_id,) = con.execute(
            f"select course_id from read_parquet('{generated / 'courses.parquet'}') "
            "where price_amount > 0 order by course_id limit 1"
        ).fetchone()
    finally:
        con.close()
    day = datetime.combine(START, datetime.min.time())
    d2 = cutoffs[0] + timedelta(hours=10)  # inside delivery 2's days
    late_received = cutoffs[-1] + timedelta(hours=12)  # arrives with delivery 3

    def at(base: datetime, minutes: int) -> datetime:
        return base + timedelta(minutes=minutes)

    t1 = day + timedelta(days=1, hours=10)
    rows_by_batch = [
        [
            _purchase("pp_late_1", LATE_ORDER, user_id, course_id, "cart_add", t1, at(t1, 1)),
            _purchase(
                "pp_late_2",
                LATE_ORDER,
                user_id,
                course_id,
                "purchase_attempt",
                at(t1, 1),
                at(t1, 2),
            ),
            _purchase(
                "pp_late_4", LATE_ORDER, user_id, course_id, "refund", at(t1, 600), at(t1, 601)
            ),
        ],
        [
            _purchase("pp_miss_1", MISSING_ORDER, user_id, course_id, "cart_add", d2, at(d2, 1)),
            _purchase(
                "pp_miss_2",
                MISSING_ORDER,
                user_id,
                course_id,
                "purchase_attempt",
                at(d2, 1),
                at(d2, 2),
            ),
            _purchase(
                "pp_miss_4", MISSING_ORDER, user_id, course_id, "refund", at(d2, 300), at(d2, 301)
            ),
        ],
        [
            # The transaction of LATE happened a second after its attempt on day 2,
            # and is received at the end of the week.
            _purchase(
                "pp_late_3",
                LATE_ORDER,
                user_id,
                course_id,
                "transaction_completed",
                at(t1, 1) + timedelta(seconds=1),
                late_received,
            ),
        ],
    ]
    folders = []
    for i, rows in enumerate(rows_by_batch):
        folders.append(root / f"planted_{i + 1}")
        h.write_rows(folders[-1], "user_purchases", rows)
    return folders


def _one(database: Path, sql: str):
    return h.query(database, sql)[0][0]


def _snapshot(database: Path, quarantined_rows: int) -> Snapshot:
    planted = {
        order: (is_orphan, is_paid, net)
        for order, is_orphan, is_paid, net in h.query(
            database,
            "select order_id, is_orphan_refund, is_paid, net_revenue_usd "
            "from marts.fct_purchases where order_id in (?, ?)",
            [LATE_ORDER, MISSING_ORDER],
        )
    }
    report_days_net = (
        "select coalesce(sum(fct_revenue_daily.net_revenue_usd), 0) "
        "from marts.fct_revenue_daily inner join reports.rpt_mis_daily "
        "on fct_revenue_daily.revenue_date = rpt_mis_daily.report_date"
    )
    return Snapshot(
        quarantined_rows=quarantined_rows,
        purchases_net=_one(database, "select sum(net_revenue_usd) from marts.fct_purchases"),
        revenue_daily_net=_one(
            database, "select sum(net_revenue_usd) from marts.fct_revenue_daily"
        ),
        dim_users_net=_one(database, "select sum(lifetime_net_revenue_usd) from marts.dim_users"),
        known_users_purchases_net=_one(
            database,
            "select sum(fct_purchases.net_revenue_usd) from marts.fct_purchases "
            "inner join marts.dim_users on fct_purchases.user_id = dim_users.user_id",
        ),
        report_net=_one(
            database, "select coalesce(sum(net_revenue_usd), 0) from reports.rpt_mis_daily"
        ),
        revenue_daily_report_days_net=_one(database, report_days_net),
        report_days=_one(database, "select count(*) from reports.rpt_mis_daily"),
        report_kpi_rows=_one(database, "select count(*) from reports.rpt_mis_daily_kpis"),
        data_quality_checks=_one(database, "select count(*) from reports.rpt_data_quality"),
        orphans_counted=_one(
            database,
            "select flagged_rows_count from reports.rpt_data_quality "
            "where check_name = 'orphan_refunds'",
        ),
        # Independent recount from staging: orders with a refund and no completed
        # transaction.
        orphans_recounted=_one(
            database,
            "select count(*) from (select order_id from staging.stg_app__user_purchases "
            "group by 1 having count(case when event_type = 'refund' then 1 end) > 0 "
            "and count(case when event_type = 'transaction_completed' then 1 end) = 0)",
        ),
        planted=planted,
    )


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[Snapshot]]:
    root = tmp_path_factory.mktemp("anomalies")
    generated = root / "generated"
    manifest = _generate(generated)
    cutoffs = h.day_cutoffs(START, DAYS, BATCHES)
    batches = h.write_batches(generated, root / "batches", cutoffs)
    planted = _plant_orphans(generated, root, cutoffs)
    database = root / "week.duckdb"
    snapshots = []
    for i, (batch, extra) in enumerate(zip(batches, planted, strict=True)):
        result = load_paths([batch, extra], database)
        assert not result.rejected, [(f.path, f.reason) for f in result.rejected]
        quarantined = sum(c.rows_quarantined for c in result.tables.values())
        # Raises (with the failing nodes) if any build fails.
        h.build(database, root / "target", dbt_vars=h.DAILY_VARS if i else None)
        snapshots.append(_snapshot(database, quarantined))
    return manifest, snapshots


def test_the_generated_week_has_anomalies(week):
    manifest, snapshots = week
    # The loader quarantined malformed rows and the builds still passed.
    assert sum(s.quarantined_rows for s in snapshots) > 0
    assert manifest["planted"], "every planted effect is in the data"


def test_every_delivery_builds_the_reports(week):
    _, snapshots = week
    for snapshot in snapshots:
        assert snapshot.report_days > 0
        assert snapshot.report_kpi_rows > 0
        assert snapshot.data_quality_checks > 0


def test_net_revenue_reconciles_after_every_delivery(week):
    _, snapshots = week
    for n, s in enumerate(snapshots, start=1):
        assert s.purchases_net == s.revenue_daily_net, f"delivery {n}"
        assert s.dim_users_net == s.known_users_purchases_net, f"delivery {n}"
        assert abs(Decimal(str(s.report_net)) - s.revenue_daily_report_days_net) < Decimal(
            "0.005"
        ), f"delivery {n}"


def test_data_quality_counts_the_orphan_refunds(week):
    _, snapshots = week
    for n, s in enumerate(snapshots, start=1):
        assert s.orphans_counted == s.orphans_recounted, f"delivery {n}"
    first, second, third = snapshots
    # Delivery 1: LATE's refund arrived without its transaction.
    assert first.planted[LATE_ORDER] == (True, False, -PRICE)
    assert MISSING_ORDER not in first.planted
    assert first.orphans_counted >= 1
    # Delivery 2: MISSING too.
    assert second.planted[LATE_ORDER] == (True, False, -PRICE)
    assert second.planted[MISSING_ORDER] == (True, False, -PRICE)
    assert second.orphans_counted >= 2
    # Delivery 3: LATE's transaction arrived: paid 20, refunded 20, net 0; one fewer
    # orphan than the recount would give had it stayed orphan.
    assert third.planted[LATE_ORDER] == (False, True, Decimal("0.00"))
    assert third.planted[MISSING_ORDER] == (True, False, -PRICE)
    assert third.orphans_counted >= 1
