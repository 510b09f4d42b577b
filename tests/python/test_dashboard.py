"""The Streamlit dashboard (behavior dashboard) on the sample warehouse: every page loads
without an exception (AppTest), filtered numbers equal the marts queried directly for
the same filter, the hover definitions are the manifest's, and a real headless Chromium
draws the running server with no exception."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from behavior import cli
from behavior.dashboard import queries as q
from conftest import ROOT

APP = ROOT / "scripts" / "behavior" / "dashboard" / "app.py"
PAGES = {
    "overview": "Overview",
    "engagement": "Engagement",
    "learning": "Learning",
    "commerce": "Commerce",
    "recommendations": "Recommendations",
    "at_risk_users": "At-risk users",
}
CHROMIUM = Path("/usr/bin/chromium")
# Streamlit's frontend first probes /<page>/_stcore/health and /host-config on a page's
# own URL, gets a 404 and falls back to the root: its own behaviour, not an app error.
STREAMLIT_PROBE = "/_stcore/"


@pytest.fixture(scope="module")
def warehouse(sample_build: dict[str, Path]) -> dict[str, Path]:
    """The sample build (conftest) and its manifest, read only."""
    return sample_build


@pytest.fixture
def app_env(warehouse: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv(q.DATABASE_ENV, str(warehouse["database"]))
    monkeypatch.setenv("DBT_TARGET_PATH", str(warehouse["target"]))
    return warehouse


def mart(database: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchone()


def app_test():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=120)


def money(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def test_every_page_loads_without_an_exception(app_env: dict[str, Path]) -> None:
    at = app_test().run()
    for page, title in PAGES.items():
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert [t.value for t in at.title] == [title], page
        assert len(at.metric) > 0, page
    # the overview shows one tile per MIS KPI of the latest complete day
    at.switch_page("views/overview.py").run()
    kpis = mart(
        app_env["database"],
        "select count(*) from reports.rpt_mis_daily_kpis where report_date = "
        "(select max(report_date) from reports.rpt_mis_daily)",
    )[0]
    assert len(at.metric) == kpis == 25


@pytest.mark.parametrize(
    ("dates", "platforms", "courses"),
    [
        ((dt.date(2026, 10, 5), dt.date(2026, 10, 25)), ["ios"], ["c01", "c03"]),
        # one day, one platform, one course: most tables are empty
        ((dt.date(2026, 9, 1), dt.date(2026, 9, 1)), ["web"], ["c12"]),
    ],
)
def test_every_page_and_drill_down_loads_under_filters(
    app_env: dict[str, Path], dates: tuple, platforms: list, courses: list
) -> None:
    at = app_test()
    at.session_state["filter_dates"] = dates
    at.session_state["filter_platforms"] = platforms
    at.session_state["filter_courses"] = courses
    at.run()
    for page in PAGES:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert all(m.value for m in at.metric), page
    kpis = [
        row[0]
        for row in duckdb.connect(str(app_env["database"]), read_only=True)
        .execute("select distinct kpi_name from reports.rpt_mis_daily_kpis order by 1")
        .fetchall()
    ]
    assert len(kpis) == 25
    at.switch_page("views/overview.py")
    for kpi in kpis:
        at.session_state["drill_kpi"] = kpi
        at.run()
        assert not at.exception, (kpi, [e.value for e in at.exception])
        assert at.selectbox(key="drill_kpi").value == kpi


def test_kpi_help_is_the_manifest_description(app_env: dict[str, Path]) -> None:
    manifest = json.loads((app_env["target"] / "manifest.json").read_text())
    node = next(n for n in manifest["nodes"].values() if n.get("name") == "rpt_mis_daily")
    expected = " ".join(node["columns"]["dau"]["description"].split())
    at = app_test().run()
    tile = next(m for m in at.metric if m.label == "Daily active users")
    assert tile.help == expected
    assert expected.startswith("dau (engagement, count")


def test_filtered_numbers_equal_the_marts(app_env: dict[str, Path]) -> None:
    database = app_env["database"]
    start, end = dt.date(2026, 10, 5), dt.date(2026, 10, 25)
    at = app_test()
    # The filters are the sidebar's widgets, drawn by the entry script. AppTest (1.67)
    # drops the entry script's widgets from its element tree after the first run of an
    # st.navigation app, so the test sets their values through Session State, as a
    # user's earlier choice would be, before the first run.
    at.session_state["filter_dates"] = (start, end)
    at.session_state["filter_platforms"] = ["android"]
    at.session_state["filter_courses"] = ["c01", "c03"]
    at.run()
    assert at.session_state["dashboard_filters"] == q.Filters(
        start, end, ("android",), ("c01", "c03")
    )
    at.switch_page("views/commerce.py").run()
    assert not at.exception, [e.value for e in at.exception]
    gross = mart(
        database,
        "select sum(amount_usd), count(*) from marts.fct_commerce_events "
        "where event_type = 'transaction_completed' "
        "and platform = 'android' and course_id in ('c01', 'c03') "
        "and occurred_date between ? and ?",
        [start, end],
    )
    tiles = {m.label: m.value for m in at.metric}
    assert gross[1] > 0  # the filter keeps some transactions, so the comparison means something
    assert money(tiles["Gross revenue"]) == pytest.approx(float(gross[0]), abs=0.005)
    assert int(tiles["Successful payments"]) == gross[1]
    (refunds,) = mart(
        database,
        "select coalesce(sum(coalesce(amount_usd, 0)), 0) from marts.fct_commerce_events "
        "where event_type = 'refund' "
        "and platform = 'android' and course_id in ('c01', 'c03') "
        "and occurred_date between ? and ?",
        [start, end],
    )
    assert refunds > 0  # a refund in the filter: the net differs from the gross
    assert money(tiles["Refunds"]) == pytest.approx(float(refunds), abs=0.005)
    assert money(tiles["Net revenue"]) == pytest.approx(float(gross[0] - refunds), abs=0.005)

    at.switch_page("views/engagement.py").run()
    sessions = mart(
        database,
        "select sum(sessions_count), sum(bounced_sessions_count) "
        "from marts.fct_engagement_daily_by_platform "
        "where platform = 'android' and activity_date between ? and ?",
        [start, end],
    )
    tiles = {m.label: m.value for m in at.metric}
    assert int(tiles["Sessions"].replace(",", "")) == sessions[0]
    assert tiles["Bounce rate"] == f"{sessions[1] / sessions[0]:.1%}"

    at.switch_page("views/learning.py").run()
    quizzes = mart(
        database,
        "select count(*), count(case when is_passed then 1 end) from marts.fct_quiz_attempts "
        "where platform = 'android' and course_id in ('c01', 'c03') "
        "and started_date between ? and ?",
        [start, end],
    )
    tiles = {m.label: m.value for m in at.metric}
    assert quizzes[0] > 0
    assert int(tiles["Quiz attempts"]) == quizzes[0]
    assert int(tiles["Passed"]) == quizzes[1]


def test_per_course_tables_keep_rows_outside_the_catalog() -> None:
    """Enrollments and quiz attempts of a course dim_courses does not hold, and attempts
    of a quiz outside the catalog (no course), stay in the learning page's tables and
    totals, as in the marts and the MIS report; the pass rate's denominator is the
    judged attempts (submitted, with a pass mark). Worked by hand: c1 has a passed, a
    failed and an abandoned attempt; c9 (not in dim_courses) a passed one; a quiz
    outside the catalog a submitted one with is_passed null. Totals: 5 attempts, 4
    submitted, 2 passed, 3 judged, pass rate 2/3 (the inner join to dim_courses gave 3
    attempts and 1/2)."""
    day = dt.date(2026, 9, 1)
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_courses (course_id varchar, course_title varchar)")
        con.execute("insert into marts.dim_courses values ('c1', 'Course one')")
        con.execute(
            "create table marts.fct_quiz_attempts (course_id varchar, platform varchar, "
            "started_date date, is_abandoned boolean, is_passed boolean)"
        )
        con.execute(
            "insert into marts.fct_quiz_attempts values "
            "('c1', 'ios', ?, false, true), ('c1', 'ios', ?, false, false), "
            "('c1', 'ios', ?, true, false), ('c9', 'ios', ?, false, true), "
            "(null, 'ios', ?, false, null)",
            [day] * 5,
        )
        con.execute(
            "create table marts.fct_course_enrollments (course_id varchar, "
            "started_date date, is_completed boolean, is_stalled boolean)"
        )
        con.execute(
            "insert into marts.fct_course_enrollments values "
            "('c1', ?, true, false), ('c9', ?, false, true)",
            [day] * 2,
        )
        filters = q.Filters(day, day)
        rows = q.run(con, q.quizzes_by_course(filters))
        by_course = {
            (None if pd.isna(row.course_id) else row.course_id, row.course_title): (
                row.attempts_count,
                row.submitted_count,
                row.passed_count,
                row.judged_count,
            )
            for row in rows.itertuples()
        }
        assert by_course == {
            ("c1", "Course one"): (3, 2, 1, 2),
            ("c9", q.NOT_IN_CATALOG): (1, 1, 1, 1),
            (None, q.NOT_IN_CATALOG): (1, 1, 0, 0),
        }
        totals = q.run(con, q.quiz_totals(filters)).iloc[0]
        assert (totals.attempts_count, totals.submitted_count, totals.passed_count) == (5, 4, 2)
        assert totals.pass_rate == pytest.approx(2 / 3)
        enrollments = q.run(con, q.enrollment_totals(filters)).iloc[0]
        assert (enrollments.enrollments_count, enrollments.completed_count) == (2, 1)
        assert enrollments.stalled_count == 1


def test_drill_down_by_platform_is_the_mart_at_its_grain(app_env: dict[str, Path]) -> None:
    at = app_test()
    at.session_state["drill_kpi"] = "dau"
    at.run()
    assert not at.exception
    # tabs by day, by platform, by course: DAU has no course grain, so two tables
    assert len(at.dataframe) == 2
    shown = at.dataframe[1].value
    with duckdb.connect(str(app_env["database"]), read_only=True) as con:
        latest = con.execute("select max(report_date) from reports.rpt_mis_daily").fetchone()[0]
        expected = con.execute(
            "select activity_date, platform, dau from marts.fct_engagement_daily_by_platform "
            "where activity_date between ? and ? order by 1, 2",
            [latest - dt.timedelta(days=27), latest],
        ).fetchall()
    assert len(shown) == len(expected) == 28 * 3
    got = [
        (day.date(), platform, value)
        for day, platform, value in zip(
            shown["day"], shown["platform"], shown["value"], strict=True
        )
    ]
    assert got == [(day, platform, value) for day, platform, value in expected]


def test_drill_down_says_which_filters_it_ignores(app_env: dict[str, Path]) -> None:
    """With ios and a course chosen: the DAU trend is the whole app's (both filters
    ignored), DAU by platform has no course (course ignored); gross revenue by platform
    and by course takes both, so the only such line is the trend's."""
    ignored = {
        "both": "The platform and course filters do not apply here (not in this mart).",
        "course": "The course filter does not apply here (not in this mart).",
    }
    for kpi, expected in (("dau", ["both", "course"]), ("gross_revenue_usd", ["both"])):
        at = app_test()
        at.session_state["filter_platforms"] = ["ios"]
        at.session_state["filter_courses"] = ["c01"]
        at.session_state["drill_kpi"] = kpi
        at.run()
        assert not at.exception
        lines = [c.value for c in at.caption if "do not apply" in c.value or "does not" in c.value]
        assert lines == [ignored[name] for name in expected], kpi


def test_additive_breakdowns_add_up_to_the_mis_kpi(warehouse: dict[str, Path]) -> None:
    """Every count / amount breakdown sums, on every day, to the MIS KPI: the breakdown
    reads the same population as the KPI (same day column, same events)."""
    with duckdb.connect(str(warehouse["database"]), read_only=True) as con:
        first, last = con.execute(
            "select min(report_date), max(report_date) from reports.rpt_mis_daily"
        ).fetchone()
        filters = q.Filters(first, last)
        checked = 0
        for kpi, spec in q.BREAKDOWNS.items():
            if not spec.value.startswith(("sum(", "count(")):
                continue  # rates and distinct users do not add up
            mis = dict(
                con.execute(
                    "select report_date, value from reports.rpt_mis_daily_kpis where kpi_name = ?",
                    [kpi],
                ).fetchall()
            )
            for dimension in spec.dimensions:
                rows = q.run(con, q.kpi_breakdown(kpi, dimension, filters))
                sums = rows.groupby(rows["day"].dt.date)["value"].sum().to_dict()
                for day, value in mis.items():
                    assert float(sums.get(day, 0)) == pytest.approx(value, abs=0.005), (
                        kpi,
                        dimension,
                        day,
                    )
                checked += 1
    assert checked == 23


def test_ledger_breakdowns_list_only_the_groups_with_their_kpis_rows() -> None:
    """Known answer, worked out by hand. On 2026-01-02 course c1 (ios) has a completed
    transaction of $30 and course c2 (android) only a refund of $10; c3 (web) has a
    purchase attempt, which no ledger KPI counts. Successful payments and gross list c1
    only, refunds c2 only, net both (c1 +30, c2 -10); c3 is in none."""
    day = dt.date(2026, 1, 2)
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_commerce_events (occurred_date date, platform varchar, "
            "course_id varchar, event_type varchar, amount_usd decimal(18, 2))"
        )
        con.execute(
            "insert into marts.fct_commerce_events values "
            "(?, 'ios', 'c1', 'transaction_completed', 30), (?, 'android', 'c2', 'refund', 10), "
            "(?, 'web', 'c3', 'purchase_attempt', 50)",
            [day, day, day],
        )
        con.execute("create table marts.dim_courses (course_id varchar, course_title varchar)")
        con.execute("insert into marts.dim_courses values ('c1', 'One'), ('c2', 'Two')")
        filters = q.Filters(day, day)
        expected = {
            "successful_payments": {"c1 One": 1},
            "gross_revenue_usd": {"c1 One": 30},
            "refunds_usd": {"c2 Two": 10},
            "net_revenue_usd": {"c1 One": 30, "c2 Two": -10},
        }
        by_platform = {"c1 One": "ios", "c2 Two": "android"}
        for kpi, values in expected.items():
            by_course = q.run(con, q.kpi_breakdown(kpi, "course_id", filters))
            assert dict(zip(by_course["course"], by_course["value"], strict=True)) == values, kpi
            platforms = q.run(con, q.kpi_breakdown(kpi, "platform", filters))
            assert dict(zip(platforms["platform"], platforms["value"], strict=True)) == {
                by_platform[course]: value for course, value in values.items()
            }, kpi


def test_default_database_prefers_the_serving_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = tmp_path / "sample.duckdb"
    monkeypatch.setenv("BEHAVIOR_DUCKDB_PATH", str(build))
    assert q.default_database() == build
    serving = tmp_path / "sample.serving.duckdb"
    serving.write_bytes(b"")
    assert q.default_database() == serving


def test_missing_database_is_one_clear_line(tmp_path: Path, capsys) -> None:
    code = cli.main(["dashboard", "--database", str(tmp_path / "none.duckdb")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "no warehouse at" in err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the dashboard server exited"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def not_blank(png: bytes) -> tuple[int, float]:
    """(distinct grey levels, share of dark pixels) of a screenshot: a blank page or
    Streamlit's grey loading skeleton has a handful of levels and no dark text."""
    import io

    from PIL import Image

    histogram = Image.open(io.BytesIO(png)).convert("L").histogram()  # 256 grey levels
    return sum(1 for count in histogram if count), sum(histogram[:100]) / sum(histogram)


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed: `sudo make chromium` (apt-get install chromium)",
)
def test_browser_draws_the_running_dashboard(app_env: dict[str, Path], tmp_path: Path) -> None:
    from dashboard_browser import Browser

    port = free_port()
    url = f"http://localhost:{port}"
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "behavior"),
                "dashboard",
                "--database",
                str(app_env["database"]),
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
        )
    browser = None
    try:
        wait_healthy(url, server)
        browser = Browser(tmp_path / "chromium-profile")
        # a page's own URL first, on the cold server: it must run the entry script too
        # (filters, connection), as it does when a user opens a bookmarked page
        shots = {page: browser.shoot(f"{url}/{page}") for page in ("commerce", "")}
    finally:
        if browser is not None:
            browser.close()
        server.terminate()
        server.wait(timeout=30)
    server_log = log.read_text()
    assert f"http://localhost:{port}" in server_log
    assert "Traceback" not in server_log and "Exception" not in server_log, server_log[-3000:]
    for page, shot in shots.items():
        (tmp_path / f"dashboard-{page or 'overview'}.png").write_bytes(shot.png)
        assert shot.png[:8] == b"\x89PNG\r\n\x1a\n"
        levels, dark = not_blank(shot.png)
        assert levels > 50 and dark > 0.002, (page, levels, dark)
        assert not shot.exceptions, (page, shot.exceptions)
        assert shot.metrics > 0, page
        errors = [e for e in shot.console_errors if STREAMLIT_PROBE not in e]
        assert not errors, (page, errors)
    assert shots[""].title == "Overview" and shots["commerce"].title == "Commerce"
    assert "Daily active users" in shots[""].text


def test_a_warehouse_without_a_complete_day_says_so_on_every_page(
    first_day_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(q.DATABASE_ENV, str(first_day_warehouse))
    at = app_test().run()
    for page in PAGES:
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, page
        assert [i.value.split(":")[0] for i in at.info] == ["No complete day yet"], page
        assert len(at.metric) == 0, page
