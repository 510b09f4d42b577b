"""`behavior insight funnel|retention|lifecycle|trends|stickiness ...`: ask the event
stream (marts.fct_user_events) a question; the answer is printed as a table or written
to --out FILE as CSV, JSON or Parquet (by extension, or --format).

An event is `name[:property<op>value[,...]]`, e.g. `cart_add:platform=ios|android`,
`quiz_submit:score_percent>=80`, or `any` (every event). Dates are YYYY-MM-DD in the
reporting time zone (dbt var behavior__reporting_timezone, or --timezone); the default
range is the last 30 days up to the newest event dated on the date spine.
Definitions: README "Questions on demand".
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _default_database() -> Path:
    """The published, tested copy when there is one (behavior publish), else the build
    file: the stream and dim_users are both published."""
    from behavior.build_status import default_build_database, serving_path

    build = default_build_database()
    serving = serving_path(build)
    return serving if serving.exists() else build


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", help="first day YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", help="last day YYYY-MM-DD (inclusive)")
    parser.add_argument(
        "--timezone", help="reporting time zone (default: the dbt var in dbt_project.yml)"
    )
    parser.add_argument("--week-start", default="monday", help="monday (default) or sunday")
    parser.add_argument(
        "--database",
        default=str(_default_database()),
        help="DuckDB file (default: the serving file beside the build file, "
        "warehouse/sample.serving.duckdb, when it exists; else the build file)",
    )
    parser.add_argument("--out", help="write the table to FILE (.csv, .json, .parquet)")
    parser.add_argument("--format", help="table, csv, json or parquet (default: by --out)")
    parser.add_argument(
        "--show-sql", action="store_true", help="print the query and its parameters, not the table"
    )


def run(args: argparse.Namespace) -> int:
    from behavior.insights import common

    if args.format is not None:
        common.choice(args.format, common.OUTPUT_FORMATS, "output format")
    timezone = args.timezone or common.project_timezone()
    calendar = common.Calendar(timezone, args.week_start)
    con = common.connect(Path(args.database))
    try:
        result = _ask(args, con, calendar)
    finally:
        con.close()
    if args.show_sql:
        print(result.sql)
        print(result.params)
        return 0
    common.write_result(result, args.out, args.format)
    return 0


def _ask(args: argparse.Namespace, con, calendar):
    dates = {"date_from": args.date_from, "date_to": args.date_to, "calendar": calendar}
    if args.insight == "funnel":
        from behavior.insights.funnel import funnel

        return funnel(
            con,
            args.steps,
            order=args.order,
            window=args.window,
            window_unit=args.window_unit,
            exclusions=args.exclude or (),
            breakdown=args.breakdown,
            people=args.people,
            dropped=args.dropped,
            **dates,
        )
    if args.insight == "retention":
        from behavior.insights.retention import retention

        return retention(
            con,
            args.cohort_event,
            args.return_event,
            period=args.period,
            retention_type=args.type,
            mode=args.mode,
            periods=args.periods,
            **dates,
        )
    if args.insight == "lifecycle":
        from behavior.insights.lifecycle import lifecycle

        return lifecycle(con, args.event, period=args.period, **dates)
    if args.insight == "trends":
        from behavior.insights.trends import trends

        return trends(
            con,
            args.events or ["any"],
            math=args.math,
            interval=args.interval,
            breakdown=args.breakdown,
            **dates,
        )
    from behavior.insights.stickiness import stickiness

    return stickiness(con, args.event, interval=args.interval, block_days=args.block_days, **dates)


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    kinds = parser.add_subparsers(dest="insight", required=True)

    funnel = kinds.add_parser("funnel", help="users through ordered steps in a window")
    funnel.add_argument("steps", nargs="+", metavar="STEP", help="2 or more events, in order")
    funnel.add_argument("--order", default="ordered", help="ordered (default), strict, unordered")
    funnel.add_argument("--window", default="14", help="conversion window length (default 14)")
    funnel.add_argument(
        "--window-unit", default="day", help="second, minute, hour, day (default), week"
    )
    funnel.add_argument(
        "--exclude",
        action="append",
        metavar="EVENT[@A-B]",
        help="void an attempt with this event between steps A and B (default: first-last)",
    )
    funnel.add_argument("--breakdown", metavar="PROPERTY", help="by the step-1 event's property")
    funnel.add_argument("--people", metavar="STEP", help="list the users who reached STEP")
    funnel.add_argument("--dropped", metavar="STEP", help="list the users who dropped at STEP")

    retention = kinds.add_parser("retention", help="cohorts returning k periods later")
    retention.add_argument("--cohort-event", default="any", help="cohort event (default any)")
    retention.add_argument("--return-event", default="any", help="return event (default any)")
    retention.add_argument("--period", default="week", help="day, week (default) or month")
    retention.add_argument("--type", default="first_time", help="first_time (default), recurring")
    retention.add_argument("--mode", default="on", help="on (default) or on_or_after")
    retention.add_argument("--periods", default="8", help="periods after the cohort (default 8)")

    lifecycle = kinds.add_parser("lifecycle", help="new, returning, resurrecting, dormant")
    lifecycle.add_argument("event", nargs="?", default="any", help="the activity (default any)")
    lifecycle.add_argument("--period", default="week", help="day, week (default) or month")

    trends = kinds.add_parser("trends", help="totals, DAU/WAU/MAU, unique users per interval")
    trends.add_argument("events", nargs="*", metavar="EVENT", help="series (default: any)")
    trends.add_argument("--math", default="total", help="total (default), unique/dau, wau, mau")
    trends.add_argument("--interval", default="day", help="day (default), week or month")
    trends.add_argument("--breakdown", metavar="PROPERTY", help="one property")

    stickiness = kinds.add_parser("stickiness", help="users by number of active intervals")
    stickiness.add_argument("event", nargs="?", default="any", help="the event (default any)")
    stickiness.add_argument("--interval", default="day", help="day (default), week or days")
    stickiness.add_argument("--block-days", default="1", help="n for --interval days")

    for sub in (funnel, retention, lifecycle, trends, stickiness):
        _common(sub)
        sub.set_defaults(func=run)
