"""`behavior report` on the sample warehouse: the three files agree with rpt_mis_daily,
errors are one clear line, and the HTML renders offline in headless Chromium."""

from __future__ import annotations

import datetime as dt
import math
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import openpyxl
import pytest

from behavior import cli
from behavior.report import write_report
from conftest import ROOT, dbt_env

DBT = str(Path(sys.executable).parent / "dbt")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample seeds built into a private DuckDB file (dbt seed + dbt run)."""
    base = tmp_path_factory.mktemp("report_sample")
    database = base / "sample.duckdb"
    env = dbt_env(database, base / "target")
    for command in (["seed", "--quiet"], ["run", "--quiet"]):
        result = subprocess.run(
            [DBT, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return database


@pytest.fixture(scope="session")
def report(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("report_out")
    paths = write_report(sample_warehouse, out)
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        day = con.execute(
            "select report_date from reports.rpt_mis_daily where is_latest_complete_day"
        ).fetchone()[0]
        kpis = [
            row[0]
            for row in con.execute(
                "select distinct kpi_name from reports.rpt_mis_daily_kpis"
            ).fetchall()
        ]
        frame = con.execute("select * from reports.rpt_mis_daily where report_date = ?", [day]).df()
    finally:
        con.close()
    expected = {kpi: frame.iloc[0][kpi] for kpi in kpis}
    return {"paths": paths, "day": day, "expected": expected}


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


class KpiTiles(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, float | None] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if "data-kpi" in attributes:
            raw = attributes.get("data-value") or ""
            self.values[attributes["data-kpi"]] = float(raw) if raw else None


def test_default_day_is_latest_complete_day(report: dict) -> None:
    assert report["paths"]["html"].name == f"mis_report_{report['day']}.html"
    assert all(p.exists() and p.stat().st_size > 0 for p in report["paths"].values())


def test_html_kpis_equal_rpt_mis_daily(report: dict) -> None:
    parser = KpiTiles()
    parser.feed(report["paths"]["html"].read_text(encoding="utf-8"))
    assert_all_kpis(parser.values, report["expected"])


def test_html_is_self_contained(report: dict) -> None:
    text = report["paths"]["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert "data:image/png;base64," in text


def pdf_text_lines(path: Path) -> list[str]:
    """Strings drawn with Tj in an uncompressed PDF using the core fonts (what
    report_files.write_pdf writes), with PDF string escapes undone."""
    data = path.read_bytes().decode("latin-1")
    lines = []
    for match in re.finditer(r"\(((?:\\.|[^\\)])*)\)\s*Tj", data):
        lines.append(re.sub(r"\\(.)", r"\1", match.group(1)))
    return lines


def test_pdf_kpis_equal_rpt_mis_daily(report: dict) -> None:
    found: dict[str, float | None] = {}
    for line in pdf_text_lines(report["paths"]["pdf"]):
        match = re.match(r"(\w+)\s.*\svalue=(\S+)", line)
        if match:
            found[match.group(1)] = None if match.group(2) == "null" else float(match.group(2))
    assert_all_kpis(found, report["expected"])
    assert any(
        f"Daily MIS report {report['day']}" in line
        for line in pdf_text_lines(report["paths"]["pdf"])
    )


def test_excel_kpis_equal_rpt_mis_daily_and_has_native_charts(report: dict) -> None:
    book = openpyxl.load_workbook(report["paths"]["xlsx"])
    assert {"KPIs", "Recommendations", "Engagement", "Commerce", "Learning", "Retention"} <= set(
        book.sheetnames
    )
    sheet = book["KPIs"]
    header = [cell.value for cell in sheet[3]]
    name_col, value_col = header.index("kpi_name"), header.index("value")
    found = {
        row[name_col]: row[value_col]
        for row in sheet.iter_rows(min_row=4, values_only=True)
        if row[name_col]
    }
    assert_all_kpis(found, report["expected"])
    with __import__("zipfile").ZipFile(report["paths"]["xlsx"]) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4


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
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    code, err = run_cli(["--database", str(empty), "--out", str(tmp_path)], capsys)
    assert code == 2
    assert err.count("\n") == 0 and "build it first" in err


def test_day_without_data_is_one_clear_line(sample_warehouse: Path, tmp_path: Path, capsys) -> None:
    args = ["--database", str(sample_warehouse), "--out", str(tmp_path), "--date", "2020-01-01"]
    code, err = run_cli(args, capsys)
    assert code == 2
    assert err.count("\n") == 0 and "no data for 2020-01-01" in err
    assert not list(tmp_path.glob("mis_report_*"))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_chromium_renders_without_console_errors(report: dict, tmp_path: Path) -> None:
    shot = tmp_path / "mis_report.png"
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    result = subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2400",
            f"--screenshot={shot}",
            report["paths"]["html"].resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
