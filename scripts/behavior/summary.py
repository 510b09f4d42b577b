"""`behavior summary`: one screen on the latest complete day, printed after `make run`.

The headline KPIs of the daily MIS report with their change since the day before (rates
in percentage points), the anomalies, findings and users at risk, the data-quality
checks, a staleness warning, and where the report and the serving file are. Values come
from reports.rpt_mis_daily_kpis, rpt_recommendation_changes and rpt_data_quality; none
is computed here. `--tables` prints the relations and row counts per schema instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

import duckdb

from behavior import warehouse_file
from behavior.build_status import bi_file
from behavior.errors import UserError

SCHEMAS = ("raw", "staging", "intermediate", "marts", "reports", "utilities", "lookups")
STALE_AFTER_DAYS = 2


def default_database() -> Path:
    return Path(os.environ.get("BEHAVIOR_DUCKDB_PATH", "warehouse/sample.duckdb"))


def _open(database: Path) -> duckdb.DuckDBPyConnection:
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run `make run` first")
    warehouse_file.require_warehouse(database)
    return warehouse_file.limit_reader(duckdb.connect(str(database), read_only=True))


def summarize(database: Path) -> list[tuple[str, int, int]]:
    """(schema, relations, rows in its tables) for each schema present."""
    con = _open(database)
    try:
        rows = []
        for schema in SCHEMAS:
            relations = con.execute(
                "select table_name, table_type from information_schema.tables "
                "where table_schema = ? order by table_name",
                [schema],
            ).fetchall()
            if not relations:
                continue
            total = 0
            for name, kind in relations:
                if kind == "BASE TABLE":
                    total += con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            rows.append((schema, len(relations), total))
        return rows
    finally:
        con.close()


def headline_lines(database: Path, today: dt.date | None = None) -> list[str]:
    """The day's headline screen as text lines."""
    from behavior.report import kpis as k

    today = today or dt.datetime.now(dt.UTC).date()
    con = _open(database)
    try:
        if not warehouse_file.has_relation(con, "reports", "rpt_mis_daily_kpis"):
            raise UserError(f"warehouse {database} has no reports: build it first (`make build`)")
        first, day = con.execute(
            "select min(report_date), max(report_date) from reports.rpt_mis_daily_kpis"
        ).fetchone()
        if day is None:
            return ["No complete day in the warehouse yet: no KPIs to show."]
        rows = con.execute(
            "select kpi_name, kpi_unit, value, change_vs_previous_day, delta_vs_previous_day, "
            "is_higher_better, is_anomaly, anomaly_direction "
            "from reports.rpt_mis_daily_kpis where report_date = ? order by kpi_order",
            [day],
        ).fetchall()
        findings = None
        if warehouse_file.has_relation(con, "reports", "rpt_recommendation_changes"):
            findings = con.execute(
                "select count(case when entity_type != 'user' and change_status != 'resolved' "
                "then 1 end), count(case when entity_type != 'user' and severity = 'high' "
                "and change_status != 'resolved' then 1 end), "
                "count(case when change_status = 'new' then 1 end), "
                "count(case when change_status = 'resolved' then 1 end), "
                "count(case when entity_type = 'user' then 1 end) "
                "from reports.rpt_recommendation_changes where report_date = ?",
                [day],
            ).fetchone()
        checks = None
        if warehouse_file.has_relation(con, "reports", "rpt_data_quality"):
            checks = con.execute(
                "select count(*), count(case when is_flagged then 1 end), "
                "coalesce(sum(flagged_rows_count), 0) from reports.rpt_data_quality"
            ).fetchone()
    finally:
        con.close()
    by_name = {row[0]: row for row in rows}
    lines = [f"Daily MIS, {day:%A %d %B %Y} (latest complete day; data from {first})"]
    stale_days = (today - day).days
    if stale_days > STALE_AFTER_DAYS:
        lines.append(
            f"WARNING: stale data: the latest complete day is {stale_days} days before "
            f"today ({today}); load and build new data."
        )
    lines.append("")
    for name in k.HEADLINE:
        if name not in by_name:
            continue
        _, unit, value, change, relative, _better, anomaly, direction = by_name[name]
        flag = f"  unusual ({'high' if direction == 'up' else 'low'})" if anomaly else ""
        lines.append(
            f"  {k.label(name):<30}{k.format_value(value, unit):>14}"
            f"  {k.format_change(change, relative, unit):>10} vs yesterday{flag}"
        )
    lines.append("")
    anomalies = [
        f"{k.label(r[0])} unusually {'high' if r[7] == 'up' else 'low'}" for r in rows if r[6]
    ]
    lines.append(
        f"{len(anomalies)} KPI anomal{'y' if len(anomalies) == 1 else 'ies'}"
        + (f": {', '.join(anomalies)}" if anomalies else "")
    )
    if findings:
        total, high, new, resolved, users = findings
        lines.append(
            f"{total} findings ({high} high severity), {new} new and {resolved} resolved "
            f"since yesterday; {users} users at risk of churning"
        )
    if checks:
        count, flagged, flagged_rows = checks
        lines.append(f"Data quality: {flagged} of {count} checks flag rows ({flagged_rows:,} rows)")
    return lines


def run(args: argparse.Namespace) -> int:
    database = Path(args.database)
    if args.tables:
        rows = summarize(database)
        print(f"Warehouse: {database.resolve()} ({database.stat().st_size / 1e6:.1f} MB)")
        print(f"{'schema':<14}{'relations':>10}{'table rows':>14}")
        for schema, relations, total in rows:
            print(f"{schema:<14}{relations:>10}{total:>14,}")
        return 0
    lines = headline_lines(database)
    print()
    print("\n".join(lines))
    reports = sorted(Path("output").glob("**/mis_report_*.html"))
    if reports:
        print(f"Report: {reports[-1].resolve()} (and .pdf, .xlsx beside it)")
    print(
        f"Warehouse: {database} ({database.stat().st_size / 1e6:.1f} MB). BI tools: open "
        f"{bi_file(database)} read-only (`behavior serve-check`: its age and build)."
    )
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument("--database", default=str(default_database()))
    parser.add_argument(
        "--tables", action="store_true", help="relations and row counts per schema instead"
    )
    parser.set_defaults(func=run)
