"""`behavior report`: the daily MIS report as HTML, PDF and Excel.

Reads only the dbt marts and reports (reports.rpt_mis_daily_kpis, rpt_mis_daily,
rpt_recommendations, rpt_recommendation_changes, rpt_mis_period_funnel,
rpt_mis_period_courses, rpt_data_quality and a few marts); no metric is computed here.
The default day is the latest complete day: the latest day in reports.rpt_mis_daily,
where a day is complete once the warehouse has received data stamped on a later day.

Writes <out>/mis_report_<day>.html (self-contained, opens offline), .pdf (printed from
the same HTML by headless Chromium) and .xlsx. Without Chromium the HTML and Excel files
are still written and one line says what to install.

By default it reads the serving file (warehouse/sample.serving.duckdb, the last
published build that passed its tests, see `behavior publish`), not the build file;
--database FILE reads any file with the marts and reports (a serving or a build file).
When the warehouse holds no complete day yet (its first day) and no --date is given, it
writes mis_report_no_complete_day.html (.pdf, .xlsx): a status page of what the warehouse
holds and its data-quality checks, with one line on stderr; the exit code is 0 (1 when the
last build failed). A --date without data is an error (exit 2).
When the last dbt build failed, the report still is written, with a banner saying so
(HTML, PDF, Excel), and the command exits 1 with one line on stderr. When the data's
latest complete day is older than --stale-after-days (default 2) before today, the page
shows a staleness banner.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import subprocess
import sys
from pathlib import Path

from behavior import build_status, warehouse_file
from behavior.arguments import iso_date_text, non_negative_int, writable_folder
from behavior.errors import UserError
from behavior.progress import Progress

STALE_AFTER_DAYS = 2
# The files of a warehouse without a complete day (its first day): a status page.
PENDING_STEM = "mis_report_no_complete_day"


def default_database() -> Path:
    """The serving file beside the build file ($BEHAVIOR_DUCKDB_PATH or the target's)."""
    return build_status.serving_path(build_status.default_build_database())


def write_report(
    database: Path,
    out: Path,
    day: str | None = None,
    *,
    generated_at: dt.datetime | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
    progress: Progress | None = None,
    problems: list[str] | None = None,
) -> dict[str, Path]:
    """Write the report files; returns {'html': path, 'xlsx': path, 'pdf': path}, 'pdf'
    only when Chromium printed it. Why there is no PDF (Chromium missing, or failing)
    is appended to `problems`: it never stops the HTML and Excel files."""
    from behavior.report import data as report_data
    from behavior.report import excel, page, pdf

    progress = progress or Progress(quiet=True)
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    try:
        data = report_data.load(database, day)
    except report_data.NoCompleteDayYet:
        pending = report_data.load_pending(database)
        progress.step("read the marts and reports: no complete day yet")
        pending.build_warning = build_status.report_warning(database)
        stem = out / PENDING_STEM
        html = page.render_pending(pending, generated_at)
        write_xlsx = functools.partial(excel.write_pending_xlsx, pending)
    else:
        progress.step(f"read the marts and reports for {data.report_date}")
        data.build_warning = build_status.report_warning(database)
        stem = out / f"mis_report_{data.report_date}"
        html = page.render(data, generated_at, stale_after_days)
        write_xlsx = functools.partial(excel.write_xlsx, data)
    out.mkdir(parents=True, exist_ok=True)
    paths = {kind: stem.with_suffix(f".{kind}") for kind in ("html", "xlsx")}
    for path in (*paths.values(), stem.with_suffix(".pdf")):
        if path.is_dir():  # checked before any file is written: nothing half-written
            raise UserError(f"cannot write {path}: a folder has that name")
    progress.step(f"writing {paths['html'].name}")
    paths["html"].write_text(html, encoding="utf-8")
    progress.step(f"writing {paths['xlsx'].name}")
    write_xlsx(paths["xlsx"])
    problems = problems if problems is not None else []
    problem = pdf.chromium_problem()
    if problem is None:
        progress.step(f"printing {stem.with_suffix('.pdf').name} with headless Chromium")
        try:
            paths["pdf"] = pdf.print_pdf(paths["html"], stem.with_suffix(".pdf"))
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            problems.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    else:
        problems.append(problem)
    return paths


def run(args: argparse.Namespace) -> int:
    warehouse_file.require_warehouse(Path(args.database))
    out = Path(args.out)
    created = [folder for folder in (out, *out.parents) if not folder.exists()]
    writable_folder(out, "--out")
    progress = Progress(quiet=args.quiet, prefix="behavior report")
    problems: list[str] = []
    try:
        paths = write_report(
            Path(args.database),
            out,
            args.date,
            stale_after_days=args.stale_after_days,
            progress=progress,
            problems=problems,
        )
    except BaseException:
        # a report that failed before writing (a locked or unbuilt database, a day
        # without data) leaves no empty folder behind: the ones made here go again
        for folder in created:  # deepest first; rmdir removes only empty ones
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    progress.done(f"{len(paths)} files")
    for path in paths.values():
        print(path)
    code = 0
    if paths["html"].stem == PENDING_STEM:
        print(
            "behavior report: no complete day yet: wrote a status page of what the warehouse holds",
            file=sys.stderr,
        )
    for problem in problems:
        print(f"behavior report: no PDF: {problem}", file=sys.stderr)
    warning = build_status.report_warning(Path(args.database))
    if warning:
        print(f"behavior report: {warning}", file=sys.stderr)
        code = 1
    return code


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
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
    parser.add_argument(
        "--stale-after-days",
        type=non_negative_int,
        default=STALE_AFTER_DAYS,
        help="warn on the page when the data's latest complete day is more than this many "
        f"days before today (default {STALE_AFTER_DAYS})",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress lines on stderr (errors only)"
    )
    parser.set_defaults(func=run)
