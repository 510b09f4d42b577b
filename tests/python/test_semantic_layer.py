"""The MetricFlow semantic layer equals the marts, and its breakdowns add up as they must.

One private sample warehouse (dbt seed + run, whose parse writes
target/semantic_manifest.json) and one MetricFlow engine in this process
(behavior.metrics.SemanticLayer) serve every query: `mf` is slow to start.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from behavior.cli import main
from behavior.metrics import SemanticLayer

DAY = "metric_time__day"


@pytest.fixture(scope="module")
def built(sample_build: dict[str, Path]) -> tuple[Path, Path]:
    """(database, semantic manifest) of the sample build (conftest), read only."""
    return sample_build["database"], sample_build["target"] / "semantic_manifest.json"


@pytest.fixture(scope="module")
def layer(built: tuple[Path, Path]):
    semantic_layer = SemanticLayer(*built)
    yield semantic_layer
    semantic_layer.close()


@pytest.fixture(scope="module")
def warehouse(built: tuple[Path, Path]):
    con = duckdb.connect(str(built[0]), read_only=True)
    yield con
    con.close()


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def metric_rows(layer: SemanticLayer, metrics: list[str], group_by: list[str]) -> dict:
    """{(day, *other group-by values): {metric: value}} of one MetricFlow query."""
    rows = {}
    for row in layer.query(metrics=metrics, group_by=group_by).to_pylist():
        key = (_day(row.pop(group_by[0])), *(row.pop(name) for name in group_by[1:]))
        rows[key] = row
    return rows


def engagement_mart_sql(by_platform: bool) -> str:
    """The one place the parity test reads the daily engagement marts: the whole
    app in marts.fct_engagement_daily (one row per day), the breakdown in
    marts.fct_engagement_daily_by_platform (day x platform)."""
    columns = """
        dau, wau, mau, stickiness,
        new_users_count as new_signups,
        installs_count as installs,
        uninstalls_count as uninstalls,
        sessions_count as sessions,
        sessions_per_user,
        avg_session_seconds as average_session_seconds,
        median_session_seconds,
        bounced_sessions_count as bounced_sessions,
        bounce_rate,
        crashed_sessions_count as crashed_sessions
    """
    if by_platform:
        return f"""
            select activity_date, platform, {columns}
            from marts.fct_engagement_daily_by_platform
        """
    return f"""
        select activity_date, {columns}
        from marts.fct_engagement_daily
    """


def kpi_sql(pairs: dict[str, tuple[str, str]]) -> str:
    """rpt_mis_daily_kpis pivoted: metric name -> (kpi_name, value column)."""
    selects = " union all ".join(
        f"select report_date, '{metric}' as metric, {column} as value"
        f" from reports.rpt_mis_daily_kpis where kpi_name = '{kpi}'"
        for metric, (kpi, column) in pairs.items()
    )
    return f"pivot ({selects}) on metric using first(value) order by report_date"


# Every metric with a mart twin: (metrics, MetricFlow group-by, mart SQL whose first
# columns are the group-by values and the others are named after the metrics,
# money metrics the mart rounds to the cent). Metrics without a twin (and why):
# purchase_conversion_rate (the MIS funnel_conversion_rate is the strict ordered
# funnel over 28-day click cohorts, which a conversion metric cannot express),
# completion_rate, completed_enrollments, average_quiz_score, active_seconds,
# submitted / passed quiz attempts (no mart keeps them per day).
ENGAGEMENT = [
    "dau",
    "wau",
    "mau",
    "stickiness",
    "new_signups",
    "installs",
    "uninstalls",
    "sessions",
    "sessions_per_user",
    "average_session_seconds",
    "median_session_seconds",
    "bounced_sessions",
    "bounce_rate",
    "crashed_sessions",
]
PAYMENTS_SQL = """
    select payment_date{platform},
        sum(attempts_count) as payment_attempts,
        sum(failed_attempts_count) as failed_payment_attempts,
        cast(sum(failed_attempts_count) as double)
            / nullif(sum(attempts_count), 0) as payment_failure_rate,
        sum(failed_orders_count) as failed_orders,
        sum(recovered_orders_count) as recovered_orders,
        cast(sum(recovered_orders_count) as double)
            / nullif(sum(failed_orders_count), 0) as payment_recovery_rate,
        sum(paid_orders_count) as paid_orders,
        sum(refunded_orders_count) as refunded_paid_orders,
        cast(sum(refunded_orders_count) as double)
            / nullif(sum(paid_orders_count), 0) as refund_rate
    from marts.fct_payments_daily
    group by all
"""
PAYMENTS = [
    "payment_attempts",
    "failed_payment_attempts",
    "payment_failure_rate",
    "failed_orders",
    "recovered_orders",
    "payment_recovery_rate",
    "paid_orders",
    "refunded_paid_orders",
    "refund_rate",
]
TWINS = {
    "engagement by day": (ENGAGEMENT, [DAY], engagement_mart_sql(False), ()),
    "active users by day x platform": (
        ["dau", "wau", "mau", "stickiness"],
        [DAY, "user_platform_day__platform"],
        "select activity_date, platform, dau, wau, mau, stickiness from ("
        + engagement_mart_sql(True)
        + ")",
        (),
    ),
    "sessions by day x platform": (
        [m for m in ENGAGEMENT if "session" in m and m != "sessions_per_user"],
        [DAY, "session__platform"],
        "select activity_date, platform, sessions, average_session_seconds,"
        " median_session_seconds, bounced_sessions, bounce_rate, crashed_sessions"
        " from (" + engagement_mart_sql(True) + ")",
        (),
    ),
    "sign-ups and installs by day x sign-up platform": (
        ["new_signups", "installs", "uninstalls"],
        [DAY, "user__platform"],
        "select activity_date, platform, new_signups, installs, uninstalls from ("
        + engagement_mart_sql(True)
        + ")",
        (),
    ),
    "revenue by day": (
        [
            "gross_revenue_usd",
            "refunds_usd",
            "net_revenue_usd",
            "paying_users",
            "transactions",
            "arpu_usd",
            "arppu_usd",
        ],
        [DAY],
        """
        select revenue_date, gross_revenue_usd, refunds_usd, net_revenue_usd,
            paying_users_count as paying_users, transactions_count as transactions,
            arpu_usd, arppu_usd
        from marts.fct_revenue_daily
        """,
        ("arpu_usd", "arppu_usd"),
    ),
    "payments by day": (PAYMENTS, [DAY], PAYMENTS_SQL.format(platform=""), ()),
    "payments by day x platform": (
        PAYMENTS,
        [DAY, "purchase_order__platform"],
        PAYMENTS_SQL.format(platform=", platform"),
        (),
    ),
    "MIS course, quiz and enrollment KPIs by day": (
        [
            "course_clicks",
            "wishlist_adds",
            "cart_adds",
            "quiz_attempts",
            "quiz_pass_rate",
            "enrollments",
            "course_completions",
        ],
        [DAY],
        kpi_sql(
            {
                "course_clicks": ("course_clicks", "value"),
                "wishlist_adds": ("wishlist_adds", "value"),
                "cart_adds": ("cart_adds", "value"),
                "quiz_attempts": ("quizzes_attempted", "value"),
                "quiz_pass_rate": ("quiz_pass_rate", "value"),
                "enrollments": ("course_starts", "value"),
                "course_completions": ("course_completions", "value"),
            }
        ),
        (),
    ),
}


def _as_mart(warehouse, value, money: bool):
    """A metric value in the mart's type: money cast to decimal(18, 2) by DuckDB, as in the mart."""
    if value is None or not money:
        return value
    return warehouse.execute("select cast(? as decimal(18, 2))", [value]).fetchall()[0][0]


def _same(got, expected) -> bool:
    """Exact equality; the MIS KPIs are stored as double, so counts compare as numbers."""
    if got is None or expected is None:
        return got is None and expected is None
    if isinstance(got, Decimal) or isinstance(expected, Decimal):
        return Decimal(str(got)) == Decimal(str(expected))
    return got == expected


@pytest.mark.parametrize("twin", list(TWINS))
def test_metrics_equal_their_mart_twins(layer, warehouse, twin: str) -> None:
    metrics, group_by, mart_sql, money = TWINS[twin]
    got = metric_rows(layer, metrics, group_by)
    relation = warehouse.sql(mart_sql)
    columns = relation.columns
    mart_rows = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    assert mart_rows, f"{twin}: the mart is empty, nothing compared"
    key_columns = columns[: len(group_by)]
    mismatches = []
    for row in mart_rows:
        key = tuple(row[column] for column in key_columns)
        # A day x platform with no event at all has no MetricFlow row: its counts
        # are 0 and its ratios null, as in the mart (checked below, not assumed).
        got_row = got.pop(key, {})
        for metric in metrics:
            expected = row[metric]
            value = _as_mart(warehouse, got_row.get(metric), metric in money)
            if not got_row and value is None and expected in (0, None):
                continue
            if not _same(value, expected):
                mismatches.append((key, metric, value, expected))
    assert not mismatches, f"{twin}: {len(mismatches)} differ, first {mismatches[:5]}"
    # Rows MetricFlow has and the mart lacks (days without any payment, say) are empty.
    leftovers = {
        key: row for key, row in got.items() if any(v not in (0, None) for v in row.values())
    }
    assert not leftovers, f"{twin}: rows only in MetricFlow {list(leftovers.items())[:3]}"


def test_offset_metrics_equal_the_mis_comparisons(layer, warehouse) -> None:
    """Offset windows give the MIS report's previous-day and same-weekday values.

    On the first day (the first 7 days for last week) the MIS has no earlier
    value (null); the offset reads the time spine, which starts on the first
    day, and dau's fill_nulls_with makes it 0. That difference is documented
    in the metric's description, and asserted here rather than skipped.
    """
    pairs = {
        "dau": ("dau", "value"),
        "dau_previous_day": ("dau", "previous_day_value"),
        "dau_same_weekday_last_week": ("dau", "same_weekday_last_week_value"),
        "dau_change_vs_previous_day": ("dau", "delta_vs_previous_day"),
        "dau_change_vs_last_week": ("dau", "delta_vs_last_week"),
        "sessions_change_vs_previous_day": ("sessions", "delta_vs_previous_day"),
        "sessions_change_vs_last_week": ("sessions", "delta_vs_last_week"),
        "net_revenue_change_vs_previous_day": ("net_revenue_usd", "delta_vs_previous_day"),
        "net_revenue_change_vs_last_week": ("net_revenue_usd", "delta_vs_last_week"),
    }
    got = metric_rows(layer, list(pairs), [DAY])
    relation = warehouse.sql(kpi_sql(pairs))
    columns = relation.columns
    compared = before_data = 0
    for row in relation.fetchall():
        mart = dict(zip(columns, row, strict=True))
        got_row = got[(mart["report_date"],)]
        for metric in pairs:
            value, expected = got_row[metric], mart[metric]
            if expected is None and metric in ("dau_previous_day", "dau_same_weekday_last_week"):
                assert value == 0, (mart["report_date"], metric, value)
                before_data += 1
                continue
            if expected is None or value is None:
                assert value is None and expected is None, (mart["report_date"], metric)
                continue
            assert value == pytest.approx(expected, rel=1e-12, abs=0), (
                mart["report_date"],
                metric,
            )
            compared += 1
    # 1 day without a previous day + 7 without a last week, for dau's two values.
    assert before_data == 8
    assert compared > 100


def test_additive_breakdowns_add_up(layer) -> None:
    """Counts and money of events split by a property of the event sum to the total."""
    for metrics, dimension in (
        (["sessions", "bounced_sessions"], "session__platform"),
        (["installs", "uninstalls", "new_signups"], "user__platform"),
        (["gross_revenue_usd", "refunds_usd", "transactions"], "commerce_event__platform"),
        (["paid_orders"], "purchase_order__platform"),
        (["payment_attempts", "failed_payment_attempts"], "payment_attempt__platform"),
        (["course_clicks", "cart_adds"], "course__category"),
    ):
        totals = metric_rows(layer, metrics, [DAY])
        parts = metric_rows(layer, metrics, [DAY, dimension])
        for metric in metrics:
            summed: dict = {}
            for (day, _), row in parts.items():
                summed[day] = summed.get(day, 0) + (row[metric] or 0)
            for (day,), row in totals.items():
                assert summed.get(day, 0) == row[metric], (metric, dimension, day)
        assert any(row[metrics[0]] for row in totals.values()), (metrics, "all zero")


def test_active_users_by_platform_sum_to_at_least_the_total(layer) -> None:
    """DAU / WAU / MAU are distinct users: a user active on two platforms in the
    window counts once in the total and once on each platform, so the platform
    values sum to at least the total and never less. (On the sample every user
    sticks to one platform, so the sums are equal there; the hand-made
    warehouse below shows them differ.)"""
    totals = metric_rows(layer, ["dau", "wau", "mau"], [DAY])
    parts = metric_rows(layer, ["dau", "wau", "mau"], [DAY, "user_platform_day__platform"])
    for metric in ("dau", "wau", "mau"):
        for (day,), row in totals.items():
            platform_sum = sum(
                part[metric] or 0 for (part_day, _), part in parts.items() if part_day == day
            )
            assert platform_sum >= row[metric], (metric, day)


def _hand_made_warehouse(tmp_path: Path, schema: str) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """A DuckDB file named as the sample's (the manifest's relations name its catalog),
    with `schema` and the time spine utilities.util_days for Jan 1-3 2026; the caller
    adds the tables its metrics read and closes the connection."""
    database = tmp_path / "sample.duckdb"
    con = duckdb.connect(str(database))
    con.execute(f"create schema {schema}; create schema utilities")
    con.execute(
        "create table utilities.util_days as select cast(d as date) as date_day"
        " from range(date '2026-01-01', date '2026-01-04', interval 1 day) t(d)"
    )
    return database, con


def test_active_users_on_two_platforms_count_once(built, tmp_path: Path) -> None:
    """Known answer on a hand-made warehouse with the two tables dau/wau/mau read.

    u1 is active on ios and web on Jan 1 and on android on Jan 3; u2 on ios on Jan 1.
      Jan 1: DAU = 2 (u1, u2); ios 2 + web 1 = 3 > 2.
      Jan 2: DAU = 0; WAU = 2 (u1, u2 in Jan 1-2).
      Jan 3: DAU = 1 (u1, android 1); MAU = 2; ios 2 + web 1 + android 1 = 4 > 2.
    """
    database, con = _hand_made_warehouse(tmp_path, "intermediate")
    con.execute(
        "create table intermediate.int_user_platform_days_aggregated as"
        " select * from (values"
        " ('a', 'u1', date '2026-01-01', 'ios'), ('b', 'u1', date '2026-01-01', 'web'),"
        " ('c', 'u2', date '2026-01-01', 'ios'), ('d', 'u1', date '2026-01-03', 'android')"
        ") t(user_platform_day_id, user_id, activity_date, platform)"
    )
    con.close()
    layer = SemanticLayer(database, built[1])
    try:
        totals = metric_rows(layer, ["dau", "wau", "mau"], [DAY])
        parts = metric_rows(layer, ["dau", "mau"], [DAY, "user_platform_day__platform"])
    finally:
        layer.close()
    jan = [dt.date(2026, 1, day) for day in (1, 2, 3)]
    assert [totals[(day,)]["dau"] for day in jan] == [2, 0, 1]
    assert [totals[(day,)]["wau"] for day in jan] == [2, 2, 2]
    assert [totals[(day,)]["mau"] for day in jan] == [2, 2, 2]
    assert parts[(jan[0], "ios")]["dau"] + parts[(jan[0], "web")]["dau"] == 3
    assert sum(row["mau"] for (day, _), row in parts.items() if day == jan[2]) == 4


def test_revenue_counts_each_transaction_and_refund_on_its_day(built, tmp_path: Path) -> None:
    """Known answer on a hand-made ledger: an order charged twice on two days and refunded
    twice on two more is counted as fct_revenue_daily counts it, each event on its day.

    o1 (u1): transactions Jan 1 10.00 and Jan 2 10.00 (a double charge), refunds Jan 2
    4.00 and Jan 3 6.00. o2 (u2): cart add and attempt (not money), transaction Jan 1
    5.50. o3 (u1): transaction Jan 1 in a currency without a rate (amount_usd null:
    0 USD, still a transaction and a paying user).
      Jan 1: gross 15.50, refunds 0, net 15.50, 3 transactions, 2 paying users.
      Jan 2: gross 10.00, refunds 4.00, net 6.00, 1 transaction, 1 paying user.
      Jan 3: gross 0, refunds 6.00, net -6.00, 0 transactions, 0 paying users.
    Paid orders (fct_purchases, the first transaction's day): 3 on Jan 1, 0 after.
    The week of Jan 1-3: gross 25.50, 4 transactions, 2 paying users (distinct).
    Measures on fct_purchases (one row per order, on its paid and first refund days)
    would put o1's 20.00 and 10.00 on Jan 1 and Jan 2.
    """
    database, con = _hand_made_warehouse(tmp_path, "marts")
    con.execute(
        "create table marts.fct_commerce_events as select event_id, order_id, user_id,"
        " 'c1' as course_id, event_type, 'web' as platform, 'card' as payment_method,"
        " 'USD' as currency, cast(occurred_date as date) as occurred_date,"
        " cast(amount_usd as decimal(18, 2)) as amount_usd from (values"
        " ('e1', 'o1', 'u1', 'transaction_completed', '2026-01-01', 10.00),"
        " ('e2', 'o1', 'u1', 'transaction_completed', '2026-01-02', 10.00),"
        " ('e3', 'o1', 'u1', 'refund', '2026-01-02', 4.00),"
        " ('e4', 'o1', 'u1', 'refund', '2026-01-03', 6.00),"
        " ('e5', 'o2', 'u2', 'cart_add', '2026-01-01', 5.50),"
        " ('e6', 'o2', 'u2', 'purchase_attempt', '2026-01-01', 5.50),"
        " ('e7', 'o2', 'u2', 'transaction_completed', '2026-01-01', 5.50),"
        " ('e8', 'o3', 'u1', 'transaction_completed', '2026-01-01', null)"
        ") t(event_id, order_id, user_id, event_type, occurred_date, amount_usd)"
    )
    con.execute(
        "create table marts.fct_purchases as select order_id, user_id, 'c1' as course_id,"
        " 'web' as platform, true as is_paid, date '2026-01-01' as paid_date"
        " from (values ('o1', 'u1'), ('o2', 'u2'), ('o3', 'u1')) t(order_id, user_id)"
    )
    con.close()
    metrics = [
        "gross_revenue_usd",
        "refunds_usd",
        "net_revenue_usd",
        "transactions",
        "paying_users",
        "paid_orders",
    ]
    layer = SemanticLayer(database, built[1])
    try:
        days = metric_rows(layer, metrics, [DAY])
        weeks = metric_rows(
            layer, ["gross_revenue_usd", "transactions", "paying_users"], ["metric_time__week"]
        )
    finally:
        layer.close()
    got = [
        tuple(float(days[(dt.date(2026, 1, day),)][metric]) for metric in metrics)
        for day in (1, 2, 3)
    ]
    assert got == [
        (15.50, 0.0, 15.50, 3.0, 2.0, 3.0),
        (10.00, 4.00, 6.00, 1.0, 1.0, 0.0),
        (0.0, 6.00, -6.00, 0.0, 0.0, 0.0),
    ]
    week_metrics = ("gross_revenue_usd", "transactions", "paying_users")
    assert [tuple(float(row[m]) for m in week_metrics) for row in weeks.values()] == [
        (25.50, 4.0, 2.0)
    ]


def test_purchase_conversion_counts_payments_up_to_14_days_after_the_click(
    built, tmp_path: Path
) -> None:
    """Known answer for purchase_conversion_rate (README: paid on the click's day or on
    one of the 14 calendar days after it, same user and course).

    Five course clicks on Jan 1, each by another user on c1 but u4's on c2. Paid
    orders: u1's on c1 on Jan 1 (the same day: converts), u2's on Jan 15 (14 days
    later: converts), u3's on Jan 16 (15 days: does not), u4's on c1 (not the course
    clicked: does not); u5 never pays. A wishlist add of u2 on Jan 1 is not a click.
    Jan 1: 2 conversions / 5 clicks = 0.4.
    """
    database, con = _hand_made_warehouse(tmp_path, "marts")
    con.execute("create schema staging")
    con.execute(
        "insert into utilities.util_days select cast(d as date)"
        " from range(date '2026-01-04', date '2026-01-21', interval 1 day) t(d)"
    )
    con.execute(
        "create table staging.stg_app__user_course_interactions as select event_id, user_id,"
        " course_id, event_type, cast(occurred_date as date) as occurred_date,"
        " 'web' as platform from (values"
        " ('e1', 'u1', 'c1', 'course_click', '2026-01-01'),"
        " ('e2', 'u2', 'c1', 'course_click', '2026-01-01'),"
        " ('e3', 'u3', 'c1', 'course_click', '2026-01-01'),"
        " ('e4', 'u4', 'c2', 'course_click', '2026-01-01'),"
        " ('e5', 'u5', 'c1', 'course_click', '2026-01-01'),"
        " ('e6', 'u2', 'c1', 'wishlist_add', '2026-01-01')"
        ") t(event_id, user_id, course_id, event_type, occurred_date)"
    )
    con.execute(
        "create table marts.fct_purchases as select order_id, user_id, course_id,"
        " 'web' as platform, true as is_paid, cast(paid_date as date) as paid_date from (values"
        " ('o1', 'u1', 'c1', '2026-01-01'), ('o2', 'u2', 'c1', '2026-01-15'),"
        " ('o3', 'u3', 'c1', '2026-01-16'), ('o4', 'u4', 'c1', '2026-01-02')"
        ") t(order_id, user_id, course_id, paid_date)"
    )
    con.close()
    layer = SemanticLayer(database, built[1])
    try:
        days = metric_rows(layer, ["purchase_conversion_rate"], [DAY])
    finally:
        layer.close()
    assert float(days[(dt.date(2026, 1, 1),)]["purchase_conversion_rate"]) == pytest.approx(0.4)


def test_ratios_are_computed_from_parts_at_the_queried_grain(layer, warehouse) -> None:
    """bounce_rate by week = bounced / sessions of the week, not a mean of daily rates."""
    got = metric_rows(layer, ["bounce_rate"], ["metric_time__week"])
    expected = dict(
        warehouse.sql(
            "select cast(date_trunc('week', opened_date) as date),"
            " cast(count(case when is_bounce then 1 end) as double) / count(*)"
            " from marts.fct_app_sessions group by 1"
        ).fetchall()
    )
    assert len(got) == len(expected) > 4
    for (week,), row in got.items():
        assert row["bounce_rate"] == expected[week], week
    daily_mean = warehouse.sql(
        "select avg(rate) from (select date_trunc('week', opened_date) as week, opened_date,"
        " avg(case when is_bounce then 1.0 else 0 end) as rate"
        " from marts.fct_app_sessions group by 1, 2) group by week"
    ).fetchall()
    # The mean of daily rates differs from the pooled rate for some week, so the
    # equality above tells the two apart.
    assert sorted(r[0] for r in daily_mean) != sorted(expected.values())


def test_metrics_command_writes_csv_and_parquet(built, tmp_path: Path, capsys) -> None:
    database, manifest = built
    common = ["--database", str(database), "--manifest", str(manifest)]
    csv_out, parquet_out = tmp_path / "mis.csv", tmp_path / "kpis.parquet"
    assert main(["metrics", "--saved-query", "mis_daily_kpis", *common, "--out", str(csv_out)]) == 0
    header = csv_out.read_text().splitlines()[0]
    assert '"dau"' in header and '"net_revenue_usd"' in header
    args = ["--metrics", "dau,sessions", "--group-by", DAY, "--start", "2026-09-01"]
    assert main(["metrics", *args, *common, "--out", str(parquet_out)]) == 0
    con = duckdb.connect()
    days, spine = con.execute(
        f"select count(*), count(distinct {DAY}) from read_parquet(?)", [str(parquet_out)]
    ).fetchall()[0]
    con.close()
    with duckdb.connect(str(database), read_only=True) as warehouse:
        expected = warehouse.sql("select count(*) from utilities.util_days").fetchall()[0][0]
    assert days == spine == expected


def test_metrics_command_reads_a_warehouse_of_any_file_name(built, tmp_path: Path) -> None:
    """The compiled SQL names the build's catalog (`sample`); a copy of the build under
    another name (a serving file, another target's file) answers the same query."""
    database, manifest = built
    copy = tmp_path / "served copy.duckdb"
    shutil.copyfile(database, copy)
    outputs = []
    for source in (database, copy):
        out = tmp_path / f"{source.stem}.csv"
        argv = ["metrics", "--database", str(source), "--manifest", str(manifest)]
        argv += ["--metrics", "dau,net_revenue_usd", "--group-by", DAY, "--order-by", DAY]
        assert main([*argv, "--out", str(out)]) == 0
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) > 30  # the sample's days, not an empty answer


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metrics", "no_such_metric"], "does not exactly match any known metrics"),
        (["--saved-query", "no_such_query"], "Did not find saved query `no_such_query`"),
        (["--metrics", "dau", "--group-by", "session__platform"], "does not match any of"),
        (["--metrics", "dau", "--out", "x.txt"], "--out must end in .csv or .parquet"),
        (["--metrics", "dau", "--start", "yesterday"], "not a day"),
        (
            ["--metrics", "dau", "--start", "2026-10-01", "--end", "2026-09-01"],
            "--start 2026-10-01 is after --end 2026-09-01",
        ),
    ],
)
def test_metrics_command_bad_arguments_are_one_line(built, tmp_path, capsys, args, message):
    database, manifest = built
    argv = ["metrics", "--database", str(database), "--manifest", str(manifest)]
    argv += ["--out", str(tmp_path / "out.csv"), *args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_marts_and_reports_carry_their_descriptions_in_duckdb(warehouse) -> None:
    """persist_docs writes model and column descriptions as DuckDB comments (for BI tools)."""
    tables = warehouse.sql(
        "select table_name, coalesce(comment, '') from duckdb_tables()"
        " where schema_name in ('marts', 'reports')"
    ).fetchall()
    assert len(tables) > 20
    assert [name for name, comment in tables if not comment.strip()] == []
    comment = warehouse.sql(
        "select comment from duckdb_columns()"
        " where schema_name = 'marts' and table_name = 'dim_users' and column_name = 'user_id'"
    ).fetchall()[0][0]
    assert comment and comment.strip()
