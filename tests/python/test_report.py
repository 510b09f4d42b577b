"""`behavior report` on the sample warehouse: the KPI values read back from the HTML, the
PDF and the Excel file equal the marts; the staleness banner and the findings' status
have known answers; errors are one clear line; headless Chromium renders the page at
1366 and 390 px with no console error and no horizontal scroll."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as html_module
import json
import math
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from behavior import cli
from behavior.report import data as report_data
from behavior.report import page, pdf, write_report
from behavior.report.kpis import HEADLINE, KPIS
from pdf_text import text_runs

CHROMIUM_MISSING = pdf.chromium_problem()
needs_chromium = pytest.mark.skipif(
    CHROMIUM_MISSING is not None, reason=f"no PDF / rendering test: {CHROMIUM_MISSING}"
)


@pytest.fixture(scope="session")
def sample_warehouse(sample_build: dict[str, Path]) -> Path:
    """The sample build (conftest), read only."""
    return sample_build["database"]


@pytest.fixture(scope="session")
def report(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("report_out")
    paths = write_report(sample_warehouse, out)
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        day = con.execute(
            "select report_date from reports.rpt_mis_daily where is_latest_complete_day"
        ).fetchone()[0]
        units = dict(
            con.execute("select distinct kpi_name, kpi_unit from reports.rpt_mis_daily_kpis")
            .fetchall()
        )  # fmt: skip
        frame = con.execute("select * from reports.rpt_mis_daily where report_date = ?", [day]).df()
        # Every finding of the day but the users' (a table of their own), with its
        # status; a resolved one under yesterday's finding id, as the page shows it.
        statuses = dict(
            con.execute(
                "select f.finding_id, coalesce(c.change_status, 'not_tracked') "
                "from reports.rpt_recommendations as f "
                "left join reports.rpt_recommendation_changes as c "
                "on f.finding_id = c.finding_id "
                "where f.report_date = ? and f.entity_type != 'user' "
                "union all "
                "select previous_day_finding_id, change_status "
                "from reports.rpt_recommendation_changes "
                "where report_date = ? and change_status = 'resolved' "
                "and entity_type != 'user'",
                [day, day],
            ).fetchall()
        )
    finally:
        con.close()
    expected = {kpi: frame.iloc[0][kpi] for kpi in units}
    return {
        "paths": paths,
        "database": sample_warehouse,
        "day": day,
        "expected": expected,
        "units": units,
        "statuses": statuses,
    }


def same(a: object, b: object) -> bool:
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def assert_all_kpis(found: dict[str, object], expected: dict[str, object]) -> None:
    assert set(found) == set(expected)
    wrong = {k: (found[k], expected[k]) for k in expected if not same(found[k], expected[k])}
    assert not wrong, wrong


def shown(value: float | None, unit: str) -> str:
    """How the page prints a KPI value, written out here on its own: integers for counts,
    one decimal for %, cents for dollars, minutes and seconds for durations."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "usd":
        return f"${value:,.2f}"
    if unit == "seconds":
        return f"{int(round(value)) // 60} min {int(round(value)) % 60:02d} s"
    return f"{int(round(value)):,}"


class Attributes(HTMLParser):
    """Collects data-* attributes of the page's elements."""

    def __init__(self) -> None:
        super().__init__()
        self.kpis: dict[str, float | None] = {}
        self.headline: dict[str, float | None] = {}
        self.statuses: dict[str, str] = {}
        self.scripts: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        raw = attributes.get("data-value") or ""
        if "data-kpi" in attributes:
            self.kpis[attributes["data-kpi"]] = float(raw) if raw else None
        if "data-headline-kpi" in attributes:
            self.headline[attributes["data-headline-kpi"]] = float(raw) if raw else None
        if "data-finding-id" in attributes:
            self.statuses[attributes["data-finding-id"]] = attributes["data-status"]
        if tag == "script":
            self.scripts.append(attributes)


@pytest.fixture(scope="session")
def html_attributes(report: dict) -> Attributes:
    parser = Attributes()
    parser.feed(report["paths"]["html"].read_text(encoding="utf-8"))
    return parser


def test_default_day_is_latest_complete_day(report: dict) -> None:
    assert report["paths"]["html"].name == f"mis_report_{report['day']}.html"
    assert all(p.exists() and p.stat().st_size > 0 for p in report["paths"].values())


def test_html_kpis_equal_rpt_mis_daily(report: dict, html_attributes: Attributes) -> None:
    assert_all_kpis(html_attributes.kpis, report["expected"])
    headline = {k: report["expected"][k] for k in HEADLINE}
    assert_all_kpis(html_attributes.headline, headline)
    assert 5 <= len(headline) <= 8


def test_html_shows_values_as_people_read_them(report: dict) -> None:
    """Counts as integers, no True/False, no 64-character hex key, rates in points."""
    text = report["paths"]["html"].read_text(encoding="utf-8")
    body = re.sub(r"<script>.*?</script>|<style>.*?</style>", "", text, flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", body)
    assert not re.search(r"\b[0-9a-f]{64}\b", visible)
    assert not re.search(r"\b(True|False|None|nan)\b", visible)
    # No count printed as "6.0" (a rate "25.0%", "+5.0 pts" or a z-score "z 4.0" may be).
    assert not re.search(r"(?<![\d.,])(?<!z )(?<!z [+-])\d+\.0(?![\d%]| pts)", visible)
    assert " pts" in visible
    for kpi in HEADLINE:
        assert KPIS[kpi][0] in visible


def test_html_is_self_contained(report: dict, html_attributes: Attributes) -> None:
    text = report["paths"]["html"].read_text(encoding="utf-8")
    markup = re.sub(r"<script>.*?</script>", "<script></script>", text, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert "<link" not in text and "@import" not in text
    assert all("src" not in script for script in html_attributes.scripts)
    assert "Plotly.newPlot" in text  # the charts draw with the inlined plotly.js


def test_findings_show_their_status_since_yesterday(
    report: dict, html_attributes: Attributes
) -> None:
    """Every finding of the day (the users' aside) is on the page, each with the status
    rpt_recommendation_changes gives it; no other finding is."""
    assert report["statuses"]
    assert html_attributes.statuses == report["statuses"]


def test_finding_groups_rank_entities(report: dict) -> None:
    """Hand-made findings: course c1 has two (one high), the app one medium KPI anomaly,
    course c2 one low. Groups: c1 (best rank 1), the app (2), c2 (3); in c1 the high
    finding comes first; the KPI anomaly's evidence is in the KPI's unit."""
    rows = [
        ("f1", "course", "c1", "Course 1", "funnel_step_dropoff", "step_conversion_rate",
         "medium", 2, "not_tracked", 0.25, 0.5, 120, 0.004, None),
        ("f2", "course", "c1", "Course 1", "course_wishlist_no_buy", "wishlist_to_paid_rate",
         "high", 1, "not_tracked", 0.02, 0.2, 300, 0.0001, None),
        ("f3", "platform", "all", "whole app", "kpi_anomaly", "net_revenue_usd",
         "medium", 2, "new", 536.9, 159.98, 8, None, -4.2),
        ("f4", "course", "c2", "Course 2", "course_bought_not_started", "start_rate",
         "low", 3, "not_tracked", 0.5, 0.8, 10, 0.2, None),
    ]  # fmt: skip
    columns = ["finding_id", "entity_type", "entity_id", "entity_name", "detector", "metric",
               "severity", "severity_rank", "change_status", "value", "baseline",
               "sample_size", "p_value", "test_statistic"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns).assign(finding="x", recommended_action="y")
    groups = page.finding_groups(frame, {"net_revenue_usd": "usd"})
    assert [g["entity_id"] for g in groups] == ["c1", "all", "c2"]
    assert [f["id"] for f in groups[0]["findings"]] == ["f2", "f1"]
    assert groups[1]["name"] == "The whole app"
    assert groups[1]["findings"][0]["evidence"] == (
        "Net revenue $536.90 vs $159.98 expected · n = 8 · robust z -4.2"
    )
    assert groups[0]["findings"][0]["evidence"] == (
        "wishlist to paid rate 2.0% vs 20.0% expected · n = 300 · p < 0.001"
    )


@pytest.mark.parametrize("kind", ["xlsx", "pdf"])
def test_a_folder_in_the_way_of_a_report_file_is_one_line_and_nothing_is_written(
    report: dict, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder named as the day's .xlsx or .pdf: the command says so in one line, exit 2,
    and writes no file (the PDF case printed success before; the Excel one a traceback
    after the HTML was written)."""
    out = tmp_path / "out"
    blocker = out / f"mis_report_{report['day']}.{kind}"
    blocker.mkdir(parents=True)
    database = report["database"]

    code = cli.main(["report", "--database", str(database), "--out", str(out), "--quiet"])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"behavior report: error: cannot write {blocker}: a folder has that name"]
    assert sorted(p.name for p in out.iterdir()) == [blocker.name]


def test_a_resolved_finding_shows_as_resolved_without_its_action(sample_warehouse: Path) -> None:
    """A finding of the day before that is gone (the sample's last day has none): one of
    the day's course findings, given as resolved under yesterday's id, shows with that
    id, the badge "resolved since yesterday" and no recommended action; the day's own
    findings keep theirs."""
    data = _loaded(sample_warehouse)
    today = data.recommendations[data.recommendations["entity_type"] == "course"]
    assert len(today) > 0  # the check below could not fail without one
    resolved = today.head(1).assign(
        finding_id="yesterday_f", change_status="resolved", recommended_action="DO NOT SHOW"
    )
    html = page.render(dataclasses.replace(data, resolved=resolved), dt.datetime.now(dt.UTC))

    blocks = re.findall(r'<div class="finding" (.*?)\n</div>', html, flags=re.S)
    by_id = {re.search(r'data-finding-id="([^"]+)"', b).group(1): b for b in blocks}
    shown = by_id["yesterday_f"]
    assert 'data-status="resolved"' in shown
    assert "resolved since yesterday" in shown
    assert '<div class="action">' not in shown and "DO NOT SHOW" not in html
    day_finding = by_id[today.iloc[0]["finding_id"]]
    assert '<div class="action">' in day_finding


@pytest.mark.parametrize(
    ("days_after_latest", "is_stale"), [(0, False), (1, False), (2, False), (3, True), (30, True)]
)
def test_staleness_banner(sample_warehouse: Path, days_after_latest: int, is_stale: bool) -> None:
    """Known answer: the banner shows when the generation day is more than 2 days after
    the data's latest complete day, and says how many days."""
    data = _loaded(sample_warehouse)
    generated = dt.datetime.combine(
        data.latest_date + dt.timedelta(days=days_after_latest), dt.time(6), dt.UTC
    )
    html = page.render(data, generated, stale_after_days=2)
    assert ('data-stale="true"' in html) is is_stale
    if is_stale:
        assert f'data-stale-days="{days_after_latest}"' in html


_CACHE: dict[Path, report_data.ReportData] = {}


def _loaded(database: Path) -> report_data.ReportData:
    if database not in _CACHE:
        _CACHE[database] = report_data.load(database)
    return _CACHE[database]


def pdf_kpis(path: Path, units: dict[str, str]) -> dict[str, str]:
    """The value printed after each KPI's name in the PDF's 'All KPIs' table. Chromium
    splits text runs where letters kern, so a name may span runs: the runs are joined
    with a separator that the name may contain between any two letters."""
    runs = text_runs(path)
    start = runs.index("All KPIs")
    joined = "\x00".join(runs[start:])
    found = {}
    for kpi in units:
        name = "\x00?".join(re.escape(ch) for ch in KPIS[kpi][0])
        match = re.search(rf"\x00{name}\x00([^\x00]+)\x00", joined)
        if match:
            found[kpi] = match.group(1)
    return found


@needs_chromium
def test_pdf_kpis_equal_rpt_mis_daily(report: dict) -> None:
    path = report["paths"]["pdf"]
    found = pdf_kpis(path, report["units"])
    expected = {k: shown(v, report["units"][k]) for k, v in report["expected"].items()}
    assert found == expected
    text = "".join(text_runs(path))
    assert "Daily MIS report" in text and "Headline KPIs" in text
    # One page size: A4 (595 x 842 points) on every page.
    boxes = re.findall(rb"/MediaBox \[([^\]]+)\]", path.read_bytes())
    sizes = {tuple(round(float(x)) for x in box.split()) for box in boxes}
    assert sizes == {(0, 0, 595, 842)}, sizes
    assert len(boxes) >= 2


def test_excel_kpis_equal_rpt_mis_daily_with_tables_formats_and_charts(report: dict) -> None:
    book = openpyxl.load_workbook(report["paths"]["xlsx"])
    sheets = {"KPIs", "Findings", "Engagement", "Commerce", "Learning", "Retention", "Funnel",
              "Top courses", "Payments", "Data quality", "Users at risk"}  # fmt: skip
    assert sheets <= set(book.sheetnames)
    for sheet in book.worksheets:
        assert sheet.tables, f"{sheet.title} has no Excel table"
        assert sheet.freeze_panes, f"{sheet.title} has no frozen header"
        for table in sheet.tables.values():
            assert table.autoFilter is not None
            header_row = int(re.match(r"[A-Z]+(\d+)", table.ref).group(1))
            assert sheet.freeze_panes.endswith(str(header_row + 1)), (sheet.title, table.ref)
    sheet = book["KPIs"]
    table = sheet.tables["KPIs"]
    header_row = int(re.match(r"[A-Z]+(\d+)", table.ref).group(1))
    header = [cell.value for cell in sheet[header_row]]
    name_col, value_col = header.index("kpi_name"), header.index("value")
    found, formats = {}, {}
    for row in sheet.iter_rows(min_row=header_row + 1):
        if row[name_col].value:
            found[row[name_col].value] = row[value_col].value
            formats[row[name_col].value] = row[value_col].number_format
    assert_all_kpis(found, report["expected"])
    assert formats["payment_failure_rate"] == "0.0%"
    assert formats["net_revenue_usd"] == '"$"#,##0.00'
    assert formats["dau"] == "#,##0"
    assert sheet.conditional_formatting, "no conditional formatting on anomalies"
    date_cell = book["Engagement"].cell(row=header_row_of(book["Engagement"]) + 1, column=1)
    assert isinstance(date_cell.value, dt.datetime) and date_cell.number_format == "yyyy-mm-dd"
    with zipfile.ZipFile(report["paths"]["xlsx"]) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4


def header_row_of(sheet) -> int:
    table = next(iter(sheet.tables.values()))
    return int(re.match(r"[A-Z]+(\d+)", table.ref).group(1))


def test_explicit_day(sample_warehouse: Path, report: dict, tmp_path: Path) -> None:
    day = report["day"] - dt.timedelta(days=3)
    paths = write_report(sample_warehouse, tmp_path, str(day))
    assert paths["html"].name == f"mis_report_{day}.html"
    assert f'data-report-date="{day}"' in paths["html"].read_text(encoding="utf-8")


def run_cli(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    code = cli.main(["report", *args])
    return code, capsys.readouterr().err.strip()


def test_missing_warehouse_is_one_clear_line(tmp_path: Path, capsys) -> None:
    code, err = run_cli(
        ["--database", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path)], capsys
    )
    assert code == 2
    assert err.count("\n") == 0 and "no warehouse at" in err


def test_unbuilt_warehouse_is_one_clear_line(tmp_path: Path, capsys) -> None:
    """...and the --out folder it would have written is not created (a report that
    failed before writing left an empty folder behind)."""
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    out = tmp_path / "reports" / "daily"
    code, err = run_cli(["--database", str(empty), "--out", str(out)], capsys)
    assert code == 2
    assert err.count("\n") == 0 and "build it first" in err
    assert not (tmp_path / "reports").exists()


def test_day_without_data_is_one_clear_line(sample_warehouse: Path, tmp_path: Path, capsys) -> None:
    args = ["--database", str(sample_warehouse), "--out", str(tmp_path), "--date", "2020-01-01"]
    code, err = run_cli(args, capsys)
    assert code == 2
    assert err.count("\n") == 0 and "no data for 2020-01-01" in err
    assert not list(tmp_path.glob("mis_report_*"))


def test_a_warehouse_without_a_complete_day_gets_a_status_page(
    first_day_warehouse: Path, tmp_path: Path, capsys
) -> None:
    """Not an error: the page says what the warehouse holds (counts read back equal the
    marts), the Excel file the same; a --date there is no data for still is one."""
    with duckdb.connect(str(first_day_warehouse), read_only=True) as con:
        assert con.execute("select count(*) from reports.rpt_mis_daily").fetchone() == (0,)
        expected = dict(
            con.execute(
                "select 'users (sign-ups)', count(*) from marts.dim_users union all "
                "select replace(event_source, '_', ' '), count(*) from marts.fct_user_events "
                "group by event_source"
            ).fetchall()
        )
    assert expected["users (sign-ups)"] == 20  # the generated users, each loaded once
    assert expected.get("installs", 0) > 0  # install events come with the users
    code, err = run_cli(["--database", str(first_day_warehouse), "--out", str(tmp_path)], capsys)
    assert code == 0
    assert err.splitlines()[-1] == (
        "behavior report: no complete day yet: wrote a status page of what the warehouse holds"
    )
    page_html = (tmp_path / "mis_report_no_complete_day.html").read_text(encoding="utf-8")
    shown = {
        html_module.unescape(what): int(rows)
        for what, rows in re.findall(r'data-what="([^"]*)" data-rows="(\d+)"', page_html)
    }
    assert shown == expected
    assert '<section id="status" data-last-received="">' in page_html  # no event yet
    book = openpyxl.load_workbook(tmp_path / "mis_report_no_complete_day.xlsx")
    status = [row for row in book["Status"].iter_rows(values_only=True) if row[0] in expected]
    assert {row[0]: row[1] for row in status} == expected
    assert "Data quality" in book.sheetnames
    args = ["--database", str(first_day_warehouse), "--out", str(tmp_path / "dated")]
    code, err = run_cli([*args, "--date", "2026-09-01"], capsys)
    assert code == 2
    assert err.count("\n") == 0 and "no complete day yet" in err
    assert not (tmp_path / "dated").exists()


def test_without_chromium_html_and_excel_are_written_and_the_install_is_named(
    sample_warehouse: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Chromium: exit 0, HTML and Excel written, one line says what to install; the
    progress lines go to stderr, and --quiet leaves only that line."""
    monkeypatch.setenv("BEHAVIOR_CHROMIUM", str(tmp_path / "no-such-chromium"))
    args = ["--database", str(sample_warehouse), "--out", str(tmp_path / "a")]
    code, err = run_cli(args, capsys)
    assert code == 0
    assert sorted(p.suffix for p in (tmp_path / "a").iterdir()) == [".html", ".xlsx"]
    lines = err.splitlines()
    assert lines[-1] == f"behavior report: no PDF: {pdf.INSTALL_HINT}"
    assert "apt-get install chromium" in lines[-1]
    assert any(line.startswith("behavior report: [") for line in lines[:-1])
    code, err = run_cli([*args, "--quiet"], capsys)
    assert code == 0 and err.splitlines() == [f"behavior report: no PDF: {pdf.INSTALL_HINT}"]


# Injected at the top of a copy of the page, which a wrapper page shows in an iframe of
# the tested width (headless Chromium keeps windows at least 500 px wide): records
# errors, then after the charts have drawn posts the layout facts to the wrapper, which
# writes them into its DOM for --dump-dom.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });
var __error = console.error;
console.error = function () { window.__errors.push(Array.from(arguments).join(' '));
  __error.apply(console, arguments); };
window.addEventListener('load', function () { setTimeout(function () {
  parent.postMessage(JSON.stringify({
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    charts: document.querySelectorAll('.js-plotly-plot .main-svg').length,
    errors: window.__errors}), '*'); }, 1500); });
</script>"""
WRAPPER = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="probed.html" style="border:0;width:{width}px;height:{height}px"></iframe>
<script>window.addEventListener('message', function (e) {{
  var probe = document.createElement('pre'); probe.id = 'layout-probe';
  probe.textContent = e.data; document.body.appendChild(probe); }});</script>
</body></html>"""


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = pdf.chromium_command(profile, "--enable-logging=stderr", "--v=0", *args)
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


@needs_chromium
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_chromium_renders_without_errors_or_horizontal_scroll(
    report: dict, tmp_path: Path, width: int, height: int
) -> None:
    probed = tmp_path / "probed.html"
    html = report["paths"]["html"].read_text(encoding="utf-8")
    probed.write_text(html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    wrapper = tmp_path / "wrapper.html"
    wrapper.write_text(WRAPPER.format(width=width, height=height), encoding="utf-8")
    result = chromium(
        tmp_path / "profile",
        f"--window-size={max(width, 800) + 50},{height + 50}",
        "--virtual-time-budget=15000",
        "--dump-dom",
        wrapper.as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    match = re.search(r'<pre id="layout-probe">(.*?)</pre>', result.stdout, re.S)
    assert match, result.stderr[-2000:]
    facts = json.loads(html_module.unescape(match.group(1)))
    assert facts["innerWidth"] == width
    assert facts["scrollWidth"] <= facts["innerWidth"], facts
    assert facts["errors"] == []
    assert facts["charts"] >= len(HEADLINE)
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    shot = tmp_path / f"mis_report_{width}.png"
    result = chromium(
        tmp_path / "profile2",
        f"--window-size={width},{height}",
        "--virtual-time-budget=15000",
        "--hide-scrollbars",
        f"--screenshot={shot}",
        report["paths"]["html"].resolve().as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_summary_shows_the_days_headline_kpis(sample_warehouse: Path, report: dict) -> None:
    """`behavior summary`: each headline KPI with the mart's value of the latest complete
    day as the page prints it; the stale-data warning only when the day is old."""
    from behavior.summary import headline_lines

    day = report["day"]
    fresh = headline_lines(sample_warehouse, today=day + dt.timedelta(days=1))
    assert fresh[0].startswith(f"Daily MIS, {day:%A %d %B %Y}")
    assert not any(line.startswith("WARNING: stale data") for line in fresh)
    for kpi in HEADLINE:
        line = next(line for line in fresh if line.strip().startswith(KPIS[kpi][0] + " "))
        assert shown(report["expected"][kpi], report["units"][kpi]) in line.split()
    assert not any(re.search(r"\brows?\b.*\btable", line) for line in fresh)
    stale = headline_lines(sample_warehouse, today=day + dt.timedelta(days=30))
    assert stale[1].startswith("WARNING: stale data: the latest complete day is 30 days")


def test_data_quality_summary(sample_warehouse: Path) -> None:
    """rpt_data_quality as the page shows it: on the sample no check flags a row; with
    one check flagging 3 rows (a hand-made variant of the day's data), the page says
    1 of N checks and lists that check with its count."""
    import dataclasses

    data = _loaded(sample_warehouse)
    now = dt.datetime.combine(data.latest_date, dt.time(6), dt.UTC)
    total = len(data.data_quality)
    assert total > 0 and not data.data_quality["is_flagged"].any()
    assert f"0 of {total} checks flag rows" in page.render(data, now)
    checks = data.data_quality.copy()
    checks.loc[checks["check_name"] == "orphan_refunds", ["flagged_rows_count", "is_flagged"]] = (
        3,
        True,
    )
    html = page.render(dataclasses.replace(data, data_quality=checks), now)
    assert f"1 of {total} checks flag rows" in html and "(3 rows)" in html
    assert 'data-check="orphan_refunds" data-flagged-rows="3"' in html


def test_a_failing_chromium_leaves_html_and_excel(
    sample_warehouse: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chromium that crashes: exit 0, HTML and Excel written, one line names the failure."""
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'fake chromium crashed' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BEHAVIOR_CHROMIUM", str(fake))
    out = tmp_path / "out"
    code, err = run_cli(["--database", str(sample_warehouse), "--out", str(out), "--quiet"], capsys)
    assert code == 0
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".xlsx"]
    assert err.splitlines() == [
        f"behavior report: no PDF: chromium could not print {next(out.glob('*.html')).name}: "
        "fake chromium crashed"
    ]


def test_excel_writes_text_from_the_data_as_text(tmp_path: Path) -> None:
    """A course title another writer stored as a formula or a URL stays text in the
    manager's workbook (xlsxwriter's defaults made them a live formula and a link)."""
    from behavior.report.excel import Book

    titles = ['=HYPERLINK("http://example.com","click")', "https://example.com/course", "+1"]
    path = tmp_path / "t.xlsx"
    book = Book(path)
    sheet = book.book.add_worksheet("courses")
    book.table(sheet, pd.DataFrame({"course_title": titles}), 0, "courses")
    book.book.close()
    cells = openpyxl.load_workbook(path)["courses"]
    assert [(c.value, c.data_type, c.hyperlink) for (c,) in cells["A2:A4"]] == [
        (title, "s", None) for title in titles
    ]
