"""`behavior report`: the daily MIS report as HTML, PDF and Excel.

Reads only the dbt marts and reports (reports.rpt_mis_daily_kpis, rpt_mis_daily,
rpt_recommendations and a few marts for the charts); no metric is computed here.
The default day is the latest complete day: the latest day in reports.rpt_mis_daily,
where a day is complete once the warehouse has received data stamped on a later day.

Writes <out>/mis_report_<day>.html (self-contained, opens offline), .pdf and .xlsx.

By default it reads the serving file (warehouse/sample.serving.duckdb, the last
published build that passed its tests, see `behavior publish`), not the build file;
--database FILE reads any file with the marts and reports (a serving or a build file).
When the last dbt build failed, the report still is written, with a banner saying so
(HTML, PDF, Excel), and the command exits 1 with one line on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from behavior import build_status, load_guard, report_data, report_files, report_html
from behavior.arguments import iso_date_text, writable_folder


def default_database() -> Path:
    """The serving file beside the build file ($BEHAVIOR_DUCKDB_PATH or the target's)."""
    return build_status.serving_path(build_status.default_build_database())


def write_report(database: Path, out: Path, day: str | None = None) -> dict[str, Path]:
    """Write the three report files; returns {'html': path, 'pdf': path, 'xlsx': path}."""
    data = report_data.load(database, day)
    data.build_warning = build_status.report_warning(database)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"mis_report_{data.report_date}"
    paths = {kind: stem.with_suffix(f".{kind}") for kind in ("html", "pdf", "xlsx")}
    generated_at = dt.datetime.now(dt.UTC)
    paths["html"].write_text(report_html.render(data, generated_at), encoding="utf-8")
    report_files.write_pdf(data, paths["pdf"])
    report_files.write_xlsx(data, paths["xlsx"])
    return paths


def run(args: argparse.Namespace) -> int:
    load_guard.require_warehouse(Path(args.database))
    writable_folder(Path(args.out), "--out")
    paths = write_report(Path(args.database), Path(args.out), args.date)
    for path in paths.values():
        print(path)
    warning = build_status.report_warning(Path(args.database))
    if warning:
        print(f"behavior report: {warning}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(
        name,
        help="write the daily MIS report (HTML, PDF, Excel)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--date",
        type=iso_date_text,
        help="report day YYYY-MM-DD (default: the latest complete day)",
    )
    parser.add_argument(
        "--database",
        default=str(default_database()),
        help="DuckDB file to read (default: the serving file beside the build file, "
        "warehouse/sample.serving.duckdb)",
    )
    parser.add_argument("--out", default="output", help="output directory (default: output/)")
    parser.set_defaults(func=run)
