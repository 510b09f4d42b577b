"""Write, audit, publish: `behavior publish`, `serve-check`, `lock-check` and the report's
failed-build banner, on one sample build per module (issue 13, issue 11 items).

The tests run in file order on one build file: first passing builds (publish,
readers during a build and publish, a publish killed half-way), then a build with a
planted failing data test (nothing published, serve-check and report say so).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from behavior import build_status
from behavior.build_status import BuildStatus, Invocation
from behavior.dbt_command import command as behavior_dbt
from behavior.errors import UserError
from behavior.publish import SYNCED
from conftest import ROOT, dbt_env

BIN = Path(sys.executable).parent
BEHAVIOR = str(BIN / "behavior")
PLANTED_TEST = "assert_planted_failure_is_absent"

# Net revenue, summed in two serving tables that must agree: the daily revenue mart
# (gross by payment day minus refunds by refund day) and the orders (gross minus
# refunds per order). Over all days both are every completed amount minus every
# refund, so a read mixing tables of two publishes, or a half-written file, shows
# up as a difference or an error.
TOTALS_SQL = (
    "select (select sum(net_revenue_usd) from marts.fct_revenue_daily), "
    "(select sum(net_revenue_usd) from marts.fct_purchases), "
    "(select dbt_invocation_id from main.meta)"
)

READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    serving, stop, sql = sys.argv[1], sys.argv[2], sys.argv[3]
    import os
    reads, errors, mismatches, seen = 0, [], [], []
    while not os.path.exists(stop):
        try:
            con = duckdb.connect(serving, read_only=True)
            try:
                daily, orders, invocation = con.execute(sql).fetchone()
            finally:
                con.close()
        except Exception as exc:
            errors.append(str(exc)[:300])
            continue
        reads += 1
        if abs(float(daily) - float(orders)) >= 0.005:
            mismatches.append([float(daily), float(orders), invocation])
        if invocation not in seen:
            seen.append(invocation)
        time.sleep(0.05)
    print(json.dumps({"reads": reads, "errors": errors, "mismatches": mismatches, "seen": seen}))
    """
)

HOLDER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop, sql = sys.argv[1], sys.argv[2], sys.argv[3]
    con = duckdb.connect(path, read_only=True)
    before = [str(v) for v in con.execute(sql).fetchone()]
    print("ready", flush=True)
    while not os.path.exists(stop):
        time.sleep(0.1)
    after = [str(v) for v in con.execute(sql).fetchone()]
    con.close()
    print(json.dumps({"before": before, "after": after}), flush=True)
    """
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("publish")
    database = base / "sample.duckdb"
    return {
        "base": base,
        "database": database,
        "serving": base / "sample.serving.duckdb",
        "env": dbt_env(database, base / "target"),
    }


def dbt(workspace: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        behavior_dbt(*args),
        cwd=ROOT,
        env=workspace["env"],
        capture_output=True,
        text=True,
        timeout=1200,
    )


def behavior(workspace: dict, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BEHAVIOR, *args],
        cwd=ROOT,
        env=env or workspace["env"],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def built(workspace: dict) -> dict:
    """One full `dbt build` of the sample (seeds, models, data and unit tests)."""
    result = dbt(workspace, "build", "--quiet")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return workspace


@pytest.fixture(scope="module")
def published(built: dict) -> dict:
    result = behavior(built, "publish", "--database", str(built["database"]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert built["serving"].is_file()
    return built


def invocation(command: str, status: str, complete: bool = True, n: int = 0) -> Invocation:
    return Invocation(
        invocation_id=f"i{n}",
        command=command,
        is_complete_selection=complete,
        started_at=dt.datetime(2026, 11, 30, 1, n),
        finished_at=None if status == "running" else dt.datetime(2026, 11, 30, 1, n, 30),
        status=status,
        failed_nodes=["test.x.t (fail)"] if status == "failed" else [],
    )


@pytest.mark.parametrize(
    ("history", "publishable"),
    [
        # seed, then a complete build that passed: the make run / make daily case.
        ([("seed", "passed", True), ("build", "passed", True)], True),
        # a partial build and a dbt test after it, both passed: still tested.
        (
            [("build", "passed", True), ("build", "passed", False), ("test", "passed", True)],
            True,
        ),
        # the last complete build failed; a partial build that passed does not clear it.
        ([("build", "failed", True), ("build", "passed", False)], False),
        # a failed partial build after a good complete build.
        ([("build", "passed", True), ("build", "failed", False)], False),
        # dbt run after the build changed marts without testing them.
        ([("build", "passed", True), ("run", "passed", True)], False),
        # a build killed half-way (never reached on-run-end).
        ([("build", "passed", True), ("build", "running", True)], False),
        # only partial builds recorded.
        ([("build", "passed", False)], False),
        ([], False),
    ],
)
def test_blocking_reason(history: list[tuple[str, str, bool]], publishable: bool) -> None:
    status = BuildStatus(
        Path("w.duckdb"),
        [invocation(c, s, complete, n) for n, (c, s, complete) in enumerate(history)],
    )
    assert (status.blocking_reason() is None) == publishable


@pytest.mark.parametrize(
    ("history", "says", "exit_one"),
    [
        # the published build (i0) is the last command
        ([("build", "passed", True)], "passed", False),
        # a newer complete build passed: awaits publishing
        ([("build", "passed", True), ("build", "passed", True)], "a newer build passed", False),
        # the last command failed: BI keeps the published day
        ([("build", "passed", True), ("test", "failed", True)], "FAILED", True),
        # a complete build failed, then a partial test passed: still not publishable
        (
            [("build", "passed", True), ("build", "failed", True), ("test", "passed", False)],
            "not publishable",
            True,
        ),
        # dbt run changed the marts without testing them
        ([("build", "passed", True), ("run", "passed", True)], "not publishable", True),
    ],
)
def test_serve_check_exits_one_while_the_build_cannot_be_published(
    monkeypatch: pytest.MonkeyPatch, history: list, says: str, exit_one: bool
) -> None:
    from behavior import serve_check

    status = BuildStatus(
        Path("w.duckdb"),
        [invocation(c, s, complete, n) for n, (c, s, complete) in enumerate(history)],
    )
    monkeypatch.setattr(build_status, "load_status", lambda path: status)
    line, failed = serve_check.build_state({"dbt_invocation_id": "i0"}, Path("w.duckdb"))
    assert line.startswith(says), line
    assert failed is exit_one


def test_serving_path_is_beside_the_build_file() -> None:
    assert build_status.serving_path(Path("warehouse/sample.duckdb")) == Path(
        "warehouse/sample.serving.duckdb"
    )


def test_bi_file_is_the_serving_file_for_a_build_or_a_serving_file(published: dict) -> None:
    # `behavior summary --database <serving file>` named <x>.serving.serving.duckdb
    serving = published["serving"]
    assert build_status.bi_file(published["database"]) == serving
    assert build_status.bi_file(serving) == serving


def test_publish_copies_serving_schemas_and_meta(published: dict) -> None:
    build = duckdb.connect(str(published["database"]), read_only=True)
    serving = duckdb.connect(str(published["serving"]), read_only=True)
    try:
        invocation_id, finished_at = build.execute(
            "select invocation_id, finished_at from ops.dbt_invocations "
            "order by started_at desc limit 1"
        ).fetchone()
        latest_day = build.execute("select max(report_date) from reports.rpt_mis_daily").fetchone()[
            0
        ]
        build_tables = build.execute(  # views (fct_user_events) are stored as tables
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('marts', 'reports', 'lookups', 'utilities') "
            "union all select schema_name, view_name from duckdb_views() "
            "where not internal and schema_name in ('marts', 'reports', 'lookups', 'utilities') "
            "order by 1, 2"
        ).fetchall()
        serving_tables = serving.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name <> 'main' order by 1, 2"
        ).fetchall()
        meta = serving.execute(
            "select dbt_invocation_id, built_at, latest_complete_day, source_database, "
            "project_version, tables_count from main.meta"
        ).fetchall()
        assert serving_tables == build_tables  # nothing from raw, staging, ops
        assert meta == [
            (
                invocation_id,
                finished_at,
                latest_day,
                str(published["database"].resolve()),
                "0.1.0",
                len(build_tables),
            )
        ]
        for schema, table in build_tables:
            count = f'select count(*) from "{schema}"."{table}"'
            assert serving.execute(count).fetchone() == build.execute(count).fetchone(), table
    finally:
        build.close()
        serving.close()
    assert not list(published["base"].glob("*.publishing-*"))


def test_serve_check_after_publish(published: dict) -> None:
    result = behavior(published, "serve-check", "--serving", str(published["serving"]))
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(published["serving"]), read_only=True) as con:
        invocation_id, day = con.execute(
            "select dbt_invocation_id, latest_complete_day from main.meta"
        ).fetchone()
    assert f"serving file:        {published['serving']}" in result.stdout
    assert f"latest complete day: {day}" in result.stdout
    assert invocation_id in result.stdout
    assert "the serving file holds it" in result.stdout


def test_serve_check_without_serving_file(tmp_path: Path, workspace: dict) -> None:
    result = behavior(workspace, "serve-check", "--serving", str(tmp_path / "none.duckdb"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no serving file" in result.stderr


@pytest.mark.parametrize("kind", ["text", "folder", "empty"])
def test_publish_refuses_to_replace_what_is_not_a_serving_file(
    published: dict, tmp_path: Path, kind: str
) -> None:
    """--serving names a CSV, a folder or an empty file: one line, exit 2, and the
    file is left as it was (a publish replaces its serving file)."""
    target = tmp_path / "notes.csv"
    if kind == "folder":
        target.mkdir()
    else:
        target.write_text("" if kind == "empty" else "a,b\n1,2\n")

    result = behavior(
        published,
        "publish",
        "--database",
        str(published["database"]),
        "--serving",
        str(target),
    )

    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("behavior publish: error: --serving ")
    assert line.endswith("; refusing to replace it")
    if kind == "folder":
        assert target.is_dir() and not any(target.iterdir())
    else:
        assert target.read_text() == ("" if kind == "empty" else "a,b\n1,2\n")
    assert not Path(str(target) + ".previous").exists()


def test_readers_during_build_and_publish(published: dict) -> None:
    """A reader looping over new connections and a reader holding one connection open
    through a whole `dbt build` and `behavior publish`: both commands pass, no read
    fails, every read is consistent, the loop sees the new file after the swap, and
    the held connection keeps its snapshot of the old one."""
    serving, base = published["serving"], published["base"]
    stop = base / "stop-readers"
    with duckdb.connect(str(serving), read_only=True) as con:
        old_invocation = con.execute("select dbt_invocation_id from main.meta").fetchone()[0]
    loop = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving), str(stop), TOTALS_SQL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(serving), str(stop), TOTALS_SQL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        build = dbt(published, "build", "--quiet", "--exclude-resource-type", "unit_test")
        publish = behavior(published, "publish", "--database", str(published["database"]))
        time.sleep(1)  # let the loop read the new file a few times
    finally:
        stop.touch()
    loop_out, loop_err = loop.communicate(timeout=60)
    holder_out, holder_err = holder.communicate(timeout=60)
    stop.unlink()
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert publish.returncode == 0, publish.stdout + publish.stderr
    # The second publish starts from the first one's file: the largest tables are
    # brought up to date in place, and hold exactly the build's rows.
    in_place = publish.stdout.split("brought up to date in place: ")[-1]
    with duckdb.connect() as con:
        con.execute(f"attach '{published['database']}' as b (read_only)")
        con.execute(f"attach '{serving}' as s (read_only)")
        for schema, table in SYNCED:
            assert f"{schema}.{table} (" in in_place, publish.stdout
            for one, other in (("b", "s"), ("s", "b")):
                assert not con.execute(
                    f"select * from {one}.{schema}.{table} "
                    f"except all select * from {other}.{schema}.{table}"
                ).fetchall()
    assert loop.returncode == 0, loop_err
    assert holder.returncode == 0, holder_err
    reads = json.loads(loop_out)
    assert reads["errors"] == []
    assert reads["mismatches"] == []
    assert reads["reads"] > 10
    with duckdb.connect(str(serving), read_only=True) as con:
        new_invocation = con.execute("select dbt_invocation_id from main.meta").fetchone()[0]
    assert new_invocation != old_invocation
    assert reads["seen"] == [old_invocation, new_invocation]
    held = json.loads(holder_out.strip().splitlines()[-1])
    assert held["before"] == held["after"]
    assert held["after"][2] == old_invocation


def test_sigkill_during_publish_keeps_the_previous_serving_file(published: dict) -> None:
    serving = published["serving"]
    before = sha256(serving)
    env = dict(published["env"], BEHAVIOR_PUBLISH_PAUSE_SECONDS="120")
    process = subprocess.Popen(
        [BEHAVIOR, "publish", "--database", str(published["database"])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stderr.readline()
        assert "paused after copying" in line, line
        copies = list(serving.parent.glob(serving.name + ".publishing-*"))
        assert copies, "the half-written copy should exist while the publish pauses"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert sha256(serving) == before
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_revenue_daily").fetchone()[0] > 0
    # The next publish removes the dead one's leftover and swaps in a new file.
    result = behavior(published, "publish", "--database", str(published["database"]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list(serving.parent.glob(serving.name + ".publishing-*"))


def test_lock_check_names_the_holder(published: dict) -> None:
    database = published["database"]
    stop = published["base"] / "stop-holder"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database), str(stop), "select 1, 2, 3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        locked = behavior(published, "lock-check", "--database", str(database))
    finally:
        stop.touch()
        holder.communicate(timeout=60)
        stop.unlink()
    assert locked.returncode == 1
    message = locked.stderr.strip()
    assert message.count("\n") == 0
    assert message.startswith(f"{database} is locked by another process (pid {holder.pid},")
    assert message.endswith(": close it or point BI at the serving file")
    free = behavior(published, "lock-check", "--database", str(database))
    assert free.returncode == 0 and free.stderr == ""


@pytest.fixture(scope="module")
def failed_build(published: dict) -> dict:
    """A build whose planted data test fails, after a good build was published."""
    published["serving_sha256"] = sha256(published["serving"])
    result = dbt(
        published,
        "build",
        "--select",
        PLANTED_TEST,
        "--vars",
        "{behavior__plant_failing_test: true}",
    )
    assert result.returncode != 0
    assert PLANTED_TEST in result.stdout
    return published


def test_failed_build_publishes_nothing(failed_build: dict) -> None:
    serving = failed_build["serving"]
    result = behavior(failed_build, "publish", "--database", str(failed_build["database"]))
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.count("\n") == 0
    assert "nothing published" in message
    assert f"test.user_behavior.{PLANTED_TEST} (fail)" in message
    assert sha256(serving) == failed_build["serving_sha256"]
    assert not list(serving.parent.glob(serving.name + ".publishing-*"))


def test_serve_check_after_failed_build(failed_build: dict) -> None:
    result = behavior(failed_build, "serve-check", "--serving", str(failed_build["serving"]))
    assert result.returncode == 1
    assert "last build:          FAILED" in result.stdout
    assert PLANTED_TEST in result.stdout


def test_report_on_failed_build(failed_build: dict, tmp_path: Path) -> None:
    """Read from the serving file (the default) and from the build file: the report is
    written with a banner in all three files, and the command exits 1 with one line."""
    import openpyxl

    from behavior.report.pdf import chromium_problem
    from pdf_text import text_runs

    for source, says in (
        (failed_build["serving"], "This report shows the last published build"),
        (failed_build["database"], "which did not pass its tests"),
    ):
        out = tmp_path / source.stem
        result = behavior(
            failed_build, "report", "--quiet", "--database", str(source), "--out", str(out)
        )
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        if chromium_problem():  # no PDF: one more line says what to install
            lines = [line for line in lines if "no PDF" not in line]
        assert len(lines) == 1, result.stderr
        assert "The last dbt build" in lines[0] and PLANTED_TEST in lines[0]
        html = next(out.glob("*.html")).read_text(encoding="utf-8")
        assert 'data-build-failed="true"' in html and says in html
        if not chromium_problem():
            pdf = "".join(text_runs(next(out.glob("*.pdf"))))
            assert "The last dbt build" in pdf
        sheet = openpyxl.load_workbook(next(out.glob("*.xlsx")))["KPIs"]
        assert str(sheet.cell(row=2, column=1).value).startswith("WARNING: The last dbt build")


def _record_passed_build(con: duckdb.DuckDBPyConnection) -> None:
    """The build record of a hand-made build file: one complete `dbt build` (b1) that
    started at 10:00 on 2026-10-03 and passed."""
    con.execute("create schema ops")
    con.execute(
        "create table ops.dbt_invocations (invocation_id varchar, command varchar, "
        "selection varchar, is_complete_selection boolean, target_name varchar, "
        "dbt_version varchar, started_at timestamp, finished_at timestamp, "
        "status varchar, nodes_count integer, failed_nodes varchar[])"
    )
    con.execute(
        "insert into ops.dbt_invocations values ('b1', 'build', '{}', true, 'warehouse', "
        "'1.11', '2026-10-03 10:00', '2026-10-03 10:05', 'passed', 3, [])"
    )


def test_meta_names_the_load_the_build_saw(tmp_path: Path) -> None:
    """A hand-made build file (no dbt): one passed complete build started at 10:00, one
    load finished before it (l1, 09:00) and one after (l2, 11:00). The serving file's
    meta names l1, the last load the build could contain; the latest complete day is
    the last rpt_mis_daily day (2026-10-02); raw and ops are not copied."""
    from behavior.publish import publish

    build = tmp_path / "w.duckdb"
    with duckdb.connect(str(build)) as con:
        _record_passed_build(con)
        con.execute("create schema raw")
        con.execute(
            "create table raw._load_files as select * from (values "
            "('l1', 'a.csv', timestamp '2026-10-03 08:59', timestamp '2026-10-03 09:00'), "
            "('l2', 'b.csv', timestamp '2026-10-03 10:59', timestamp '2026-10-03 11:00')) "
            "as t(load_id, source_file, started_at, finished_at)"
        )
        con.execute("create schema marts")
        con.execute("create table marts.fct_x as select range as x from range(5)")
        con.execute("create schema reports")
        con.execute(
            "create table reports.rpt_mis_daily as select * from (values "
            "(date '2026-10-01'), (date '2026-10-02')) as t(report_date)"
        )
    meta = publish(build, tmp_path / "w.serving.duckdb", ("marts", "reports", "semantic"))
    assert (meta["raw_load_id"], meta["raw_load_file"]) == ("l1", "a.csv")
    assert meta["latest_complete_day"] == dt.date(2026, 10, 2)
    assert (meta["tables_count"], meta["rows_count"]) == (2, 7)  # 5 + 2 rows
    assert meta["serving_schemas"] == "marts, reports"  # semantic is absent: skipped
    with duckdb.connect(str(tmp_path / "w.serving.duckdb"), read_only=True) as con:
        schemas = {
            row[0] for row in con.execute("select schema_name from duckdb_tables()").fetchall()
        }
        assert schemas == {"main", "marts", "reports"}
        assert con.execute("select raw_load_id, dbt_invocation_id from meta").fetchone() == (
            "l1",
            "b1",
        )


def test_publish_keeps_the_dbt_descriptions(published: dict) -> None:
    """persist_docs comments of tables and columns reach the serving file BI tools open."""
    comments = (
        "select schema_name, table_name, comment from duckdb_tables() "
        "where schema_name in ('marts', 'reports') and comment is not null order by 1, 2",
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where schema_name in ('marts', 'reports') and comment is not null order by 1, 2, 3",
    )
    build = duckdb.connect(str(published["database"]), read_only=True)
    serving = duckdb.connect(str(published["serving"]), read_only=True)
    try:
        for sql in comments:
            expected = build.execute(sql).fetchall()
            assert expected, "the build has no descriptions to copy"
            assert serving.execute(sql).fetchall() == expected
        grain = serving.execute(
            "select comment from duckdb_tables() "
            "where schema_name = 'marts' and table_name = 'fct_app_sessions'"
        ).fetchone()[0]
        assert "session" in grain.lower()
    finally:
        build.close()
        serving.close()


@contextlib.contextmanager
def _passed_build(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A new hand-made build file (no dbt) at `path` whose last build passed, open."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        _record_passed_build(con)
        yield con


def _table(con: duckdb.DuckDBPyConnection, name: str, columns: str, rows: list[tuple]) -> None:
    """Create table `name` (`columns`, as in a create statement) holding `rows`."""
    con.execute(f"create table {name} ({columns})")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into {name} values ({marks})", rows)


def _event_build(path: Path, events: list[tuple], extra_column: bool = False) -> None:
    """A hand-made build file (no dbt): a passed build, the event stream as a view over
    a staging table (as in the project) and one other mart."""
    with _passed_build(path) as con:
        con.execute("create schema staging")
        _table(
            con,
            "staging.events",
            "event_id varchar, platform varchar, received_at timestamp",
            events,
        )
        con.execute("create schema marts")
        extra = ", 1 as version" if extra_column else ""
        con.execute(f"create view marts.fct_user_events as select *{extra} from staging.events")
        con.execute(f"create table marts.fct_x as select {len(events)} as events_count")


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(con.execute(sql).fetchall(), key=str)


def test_publish_brings_the_event_stream_up_to_date_in_place(tmp_path: Path) -> None:
    """Worked out by hand. The first publish copies everything (no serving file yet).
    Then e2 gets a newer version (received later), e3 arrives and the install event i1,
    which has no received_at, changes platform: the next publish replaces exactly those
    3 rows in the previous file (watermark: e2's old received_at, 02:00). A row that
    changes without a newer received_at (e1), a row that vanishes (e3), a new column, or
    `full` make the checks fail or skip the in-place path: the table is copied in full.
    Every time the serving copy holds exactly the build's rows. Each publish starts from
    a copy of the serving file (no previous file kept: the next test reuses it)."""
    from behavior.publish import publish

    build, serving = tmp_path / "w.duckdb", tmp_path / "w.serving.duckdb"
    events_sql = "select * from marts.fct_user_events"
    t = dt.datetime(2026, 10, 3)
    e1, e2 = ("e1", "ios", t.replace(hour=1)), ("e2", "ios", t.replace(hour=2))
    i1 = ("i1", "ios", None)
    e2_new, e3 = ("e2", "web", t.replace(hour=3)), ("e3", "ios", t.replace(hour=3))
    i1_new = ("i1", "android", None)
    steps = [
        # (the build's events, a new column, full, the rows replaced in place or None)
        ([e1, e2, i1], False, False, None),
        ([e1, e2_new, e3, i1_new], False, False, 3),
        ([("e1", "web", e1[2]), e2_new, e3, i1_new], False, False, None),
        ([("e1", "web", e1[2]), e2_new, i1_new], False, False, None),
        ([("e1", "web", e1[2]), e2_new, i1_new], False, False, 1),  # i1 only
        ([("e1", "web", e1[2]), e2_new, i1_new], False, True, None),
        ([("e1", "web", e1[2]), e2_new, i1_new], True, False, None),
    ]
    for n, (events, extra_column, full, replaced) in enumerate(steps):
        _event_build(build, events, extra_column)
        meta = publish(build, serving, ("marts",), full=full, keep_previous=False)
        assert meta["started_from"] == ("empty" if n == 0 or full else "copy"), n
        assert not (tmp_path / "w.serving.duckdb.previous").exists()
        expected = None if replaced is None else f"marts.fct_user_events ({replaced} rows replaced)"
        assert meta["synced_tables"] == expected, n
        assert _rows(serving, events_sql) == _rows(build, events_sql), n
        assert _rows(serving, "select * from marts.fct_x") == [(len(events),)], n
        assert _rows(serving, "select synced_tables from meta") == [(expected,)], n
    # A file that is no DuckDB file at all is not the serving file: refused, untouched.
    published = serving.read_bytes()
    serving.write_bytes(b"not a database" * 1000)
    with pytest.raises(UserError, match="not a DuckDB warehouse .*; refusing to replace it"):
        publish(build, serving, ("marts",), keep_previous=False)
    assert serving.read_bytes() == b"not a database" * 1000
    # A serving file that cannot be opened (its DuckDB header, the rest cut short) is not
    # reused: everything is copied.
    serving.write_bytes(published[:5000])
    meta = publish(build, serving, ("marts",), keep_previous=False)
    assert meta["synced_tables"] is None
    assert meta["started_from"] == "empty"
    assert _rows(serving, events_sql) == _rows(build, events_sql)
    # A schema no longer published leaves the reused file.
    publish(build, serving, ("staging",), keep_previous=False)
    assert _rows(serving, "select schema_name from duckdb_schemas() where not internal") == [
        ("staging",)
    ]
    assert not list(tmp_path.glob("*.publishing-*"))


def _orders_build(path: Path, attempts: list[tuple], quiz_attempts: list[tuple]) -> None:
    """A hand-made build file (no dbt): a passed build and two marts whose rows are
    rebuilt per key, the payment attempts (per order) and the quiz attempts (per user x
    quiz), each with the columns that matter here."""
    with _passed_build(path) as con:
        con.execute("create schema marts")
        _table(
            con,
            "marts.fct_payment_attempts",
            "payment_attempt_id varchar, order_id varchar, is_last_attempt boolean, "
            "last_received_at timestamp",
            attempts,
        )
        _table(
            con,
            "marts.fct_quiz_attempts",
            "attempt_id varchar, user_id varchar, quiz_id varchar, attempt_number integer, "
            "last_received_at timestamp",
            quiz_attempts,
        )


def test_publish_replaces_every_row_of_a_key_with_a_new_row(tmp_path: Path, monkeypatch) -> None:
    """Worked out by hand. The payment attempts and the quiz attempts are rebuilt per
    order and per user x quiz: a new row can change an earlier row of its key without a
    newer received time. 1: o1 has p1 (the last attempt), o2 has p3; u1 has a1 at q1
    and a2 at q2, u2 has a3 at q1 (all received 01:00). 2: p2 arrives for o1 (03:00)
    and p1 is no longer the last attempt; a4, an attempt of u1 at q1 started before a1,
    arrives (03:00) and a1 becomes attempt 2. The publish replaces every row of o1 (p1,
    p2: 2 rows) and of (u1, q1) only (a1, a4: 2 rows; a2 shares the user, a3 the quiz).
    3: p3 changes with no newer received time: no key has a new row, the checksum
    differs and the table is copied in full. Replacing only the new rows (no
    rows_per_key) would leave p1 as the last attempt at step 2: the checksums differ
    and the table is copied in full. Every time the serving copy holds exactly the
    build's rows."""
    from behavior import publish as publish_module
    from behavior.publish import Synced, publish

    build, serving = tmp_path / "w.duckdb", tmp_path / "w.serving.duckdb"
    t1, t3 = dt.datetime(2026, 10, 3, 1), dt.datetime(2026, 10, 3, 3)
    first = (
        [("p1", "o1", True, t1), ("p3", "o2", True, t1)],
        [("a1", "u1", "q1", 1, t1), ("a2", "u1", "q2", 1, t1), ("a3", "u2", "q1", 1, t1)],
    )
    second = (
        [("p1", "o1", False, t1), ("p2", "o1", True, t3), ("p3", "o2", True, t1)],
        [
            ("a1", "u1", "q1", 2, t1),
            ("a2", "u1", "q2", 1, t1),
            ("a3", "u2", "q1", 1, t1),
            ("a4", "u1", "q1", 1, t3),
        ],
    )
    third = ([*second[0][:2], ("p3", "o2", False, t1)], second[1])
    payments, quizzes = "marts.fct_payment_attempts", "marts.fct_quiz_attempts"
    steps = [
        (first, None),
        (second, f"{payments} (2 rows replaced), {quizzes} (2 rows replaced)"),
        (third, f"{quizzes} (0 rows replaced)"),
    ]
    for n, ((attempts, quiz_attempts), expected) in enumerate(steps):
        _orders_build(build, attempts, quiz_attempts)
        meta = publish(build, serving, ("marts",), keep_previous=False)
        assert meta["synced_tables"] == expected, n
        for table in (payments, quizzes):
            sql = f"select * from {table}"
            assert _rows(serving, sql) == _rows(build, sql), (n, table)
    # Without rows_per_key, step 2 leaves p1 stale: caught, copied in full.
    monkeypatch.setitem(
        publish_module.SYNCED,
        ("marts", "fct_payment_attempts"),
        Synced("order_id", "last_received_at"),
    )
    for n, ((attempts, quiz_attempts), _) in enumerate(steps[:2]):
        _orders_build(build, attempts, quiz_attempts)
        meta = publish(build, serving, ("marts",), full=n == 0, keep_previous=False)
        assert meta["synced_tables"] == (None if n == 0 else f"{quizzes} (2 rows replaced)")
        sql = f"select * from {payments}"
        assert _rows(serving, sql) == _rows(build, sql), n


HOLD_OPEN = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    sql = "select event_id, platform from marts.fct_user_events order by 1"
    print(con.execute(sql).fetchall(), flush=True)
    sys.stdin.readline()
    print(con.execute(sql).fetchall(), flush=True)
    """
)


def _stored_rows(path: Path, schema: str, table: str) -> int:
    """The table's stored rows, deleted ones included (DuckDB's estimated_size)."""
    return _rows(
        path,
        "select estimated_size from duckdb_tables() "
        f"where schema_name = '{schema}' and table_name = '{table}'",
    )[0][0]


def test_publish_compacts_a_synced_table_once_a_quarter_of_its_rows_are_deleted(
    tmp_path: Path,
) -> None:
    """Worked out by hand. The publish turns DuckDB's vacuum off, so the rows a sync
    replaces stay stored, marked deleted. 8 events are published; then 3 of them get a
    newer version: the sync deletes 3 of 11 stored rows (27 % > 25 %) and the table is
    compacted (8 stored); then 1 more: 1 of 9 (11 %), left as it is (9 stored). The
    served rows equal the build's every time."""
    from behavior.publish import publish

    build, serving = tmp_path / "w.duckdb", tmp_path / "w.serving.duckdb"
    events_sql = "select * from marts.fct_user_events"
    t = dt.datetime(2026, 10, 3)
    events = [(f"e{n}", "ios", t.replace(hour=1)) for n in range(1, 9)]
    steps = [
        # (events given a newer version, rows replaced in place, compacted, stored rows)
        (0, None, [], 8),
        (3, "marts.fct_user_events (3 rows replaced)", ["marts.fct_user_events"], 8),
        (1, "marts.fct_user_events (1 rows replaced)", [], 9),
    ]
    for n, (newer, synced, compacted, stored) in enumerate(steps):
        events = [
            (event_id, "web", t.replace(hour=1 + n)) if i < newer else (event_id, p, at)
            for i, (event_id, p, at) in enumerate(events)
        ]
        _event_build(build, events)
        meta = publish(build, serving, ("marts",), keep_previous=False)
        assert meta["synced_tables"] == synced, n
        assert meta["compacted_tables"] == compacted, n
        assert _rows(serving, events_sql) == _rows(build, events_sql), n
        assert _stored_rows(serving, "marts", "fct_user_events") == stored, n


def test_publish_reuses_the_previous_serving_file(tmp_path: Path) -> None:
    """Worked out by hand. Each publish keeps the file it replaces as <serving>.previous
    (a second name for it), and the one after brings that file up to date instead of
    copying the serving file: the new serving file is the previous file's inode, two
    versions old, so its watermark is older and more rows are replaced. A previous
    file that a reader in another process has open, that has a .wal, or that is the
    serving file itself (a publish killed between keeping it and the rename) is not
    written: the publish copies the serving file. Every time the serving file holds
    exactly the build's rows and the earlier files theirs."""
    from behavior.publish import publish

    build, serving = tmp_path / "w.duckdb", tmp_path / "w.serving.duckdb"
    previous = tmp_path / "w.serving.duckdb.previous"
    events_sql = "select * from marts.fct_user_events"
    t = dt.datetime(2026, 10, 3)
    e1, e2, i1 = (
        ("e1", "ios", t.replace(hour=1)),
        ("e2", "ios", t.replace(hour=2)),
        ("i1", "ios", None),
    )
    e2_new, e3 = ("e2", "web", t.replace(hour=3)), ("e3", "ios", t.replace(hour=3))
    e4, e5 = ("e4", "ios", t.replace(hour=4)), ("e5", "web", t.replace(hour=5))
    i1_new = ("i1", "android", None)

    def step(events: list[tuple], **kwargs: object) -> dict:
        _event_build(build, events)
        meta = publish(build, serving, ("marts",), **kwargs)
        assert _rows(serving, events_sql) == sorted(events, key=str)
        assert not list(tmp_path.glob("*.publishing-*"))
        return meta

    v1 = [e1, e2, i1]
    meta = step(v1)
    assert meta["started_from"] == "empty"
    assert not previous.exists()  # there was no serving file to keep
    # v2 starts from a copy of v1 (no previous file yet): e2_new, e3 and i1_new.
    v2 = [e1, e2_new, e3, i1_new]
    v1_inode = serving.stat().st_ino
    meta = step(v2)
    assert (meta["started_from"], meta["synced_tables"]) == (
        "copy",
        "marts.fct_user_events (3 rows replaced)",
    )
    assert previous.stat().st_ino == v1_inode
    assert _rows(previous, events_sql) == sorted(v1, key=str)
    # v3 reuses v1's file: its watermark is 02:00, so e2_new, e3, e4 and i1_new.
    v3 = [e1, e2_new, e3, e4, i1_new]
    v2_inode = serving.stat().st_ino
    meta = step(v3)
    assert (meta["started_from"], meta["synced_tables"]) == (
        "previous",
        "marts.fct_user_events (4 rows replaced)",
    )
    assert serving.stat().st_ino == v1_inode
    assert previous.stat().st_ino == v2_inode
    assert _rows(previous, events_sql) == sorted(v2, key=str)
    assert _rows(previous, "select started_from from meta") == [("copy",)]

    # A reader in another process holds the previous file (v2) open: v4 copies v3
    # (watermark 04:00: e5 and i1_new) and the reader's file is not written.
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(previous)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen_before = reader.stdout.readline()
        v4 = [*v3, e5]
        v3_inode = serving.stat().st_ino
        meta = step(v4)
        out, err = reader.communicate("\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    assert seen_before == out == f"{[(e[0], e[1]) for e in sorted(v2, key=str)]}\n"
    assert (meta["started_from"], meta["synced_tables"]) == (
        "copy",
        "marts.fct_user_events (2 rows replaced)",
    )
    assert previous.stat().st_ino == v3_inode

    # The previous file is the serving file itself: not written, the serving file copied.
    kept = tmp_path / "v4-kept"
    previous.unlink()
    os.link(serving, previous)
    os.link(serving, kept)
    before = sha256(kept)
    meta = step(v4)
    assert meta["started_from"] == "copy"
    assert sha256(kept) == before
    assert previous.stat().st_ino == kept.stat().st_ino
    # The previous file has a .wal (something wrote to it): dropped, the serving file copied.
    Path(str(previous) + ".wal").write_bytes(b"written outside publish")
    meta = step(v4)
    assert meta["started_from"] == "copy"
    assert not Path(str(previous) + ".wal").exists()
    assert previous.exists()
    # --no-previous keeps no second file; --full starts from an empty file.
    meta = step(v4, keep_previous=False)
    assert meta["started_from"] == "copy"
    assert not previous.exists()
    meta = step(v4)
    assert (meta["started_from"], previous.exists()) == ("copy", True)
    meta = step(v4, full=True)
    assert meta["started_from"] == "empty"


def test_publish_carries_the_serving_checksum_while_the_file_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worked out by hand. Each publish records the serving file's size, modification
    time and the checksum of its event stream (row count, sum of the rows' hashes) in
    <serving>.fingerprints.json. The next publish, starting from a copy of that file
    while it is unchanged, carries that checksum (minus the replaced rows, plus the new
    ones) instead of hashing every served row, and the result equals a direct checksum.
    A file written outside publish (a changed row, no .wal left) no longer matches its
    record: every row is hashed again, the tampered row is caught and the table is
    copied in full. An unreadable record only costs the full checksum."""
    from behavior import publish as publishing

    build, serving = tmp_path / "w.duckdb", tmp_path / "w.serving.duckdb"
    record = tmp_path / "w.serving.duckdb.fingerprints.json"
    events_sql = "select * from marts.fct_user_events"
    served = 'serving."marts"."fct_user_events"'
    t = dt.datetime(2026, 10, 3)
    e1, e2, i1 = (
        ("e1", "ios", t.replace(hour=1)),
        ("e2", "ios", t.replace(hour=2)),
        ("i1", "ios", None),
    )
    e3 = ("e3", "ios", t.replace(hour=3))
    e2_new, e4 = ("e2", "web", t.replace(hour=4)), ("e4", "ios", t.replace(hour=4))
    hashed: list[str] = []
    real = publishing._fingerprint

    def spy(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int]:
        hashed.append(relation)
        return real(con, relation)

    monkeypatch.setattr(publishing, "_fingerprint", spy)

    def direct() -> list:
        with duckdb.connect(str(serving), read_only=True) as con:
            rows, hashes = con.execute(
                "select count(*), sum(hash(r)) from marts.fct_user_events r"
            ).fetchone()
        return [rows, str(hashes)]

    def step(events: list[tuple]) -> dict:
        hashed.clear()
        _event_build(build, events)
        meta = publishing.publish(build, serving, ("marts",), keep_previous=False)
        assert _rows(serving, events_sql) == sorted(events, key=str)
        entry = json.loads(record.read_text())[0]
        stat = serving.stat()
        assert entry["file"] == [stat.st_size, stat.st_mtime_ns]
        return meta, entry["tables"]

    meta, tables = step([e1, e2, i1])
    assert meta["started_from"] == "empty"  # copied in full, its checksum recorded
    assert tables == {"marts.fct_user_events": direct()}
    meta, tables = step([e1, e2, e3, i1])
    # e3 and i1 (no received_at: always replaced), the served rows' checksum carried.
    assert meta["synced_tables"] == "marts.fct_user_events (2 rows replaced)"
    assert served not in hashed
    assert tables == {"marts.fct_user_events": direct()}
    meta, tables = step([e1, e2_new, e3, e4, i1])
    assert meta["synced_tables"] == "marts.fct_user_events (3 rows replaced)"  # e2, e4, i1
    assert served not in hashed
    assert tables == {"marts.fct_user_events": direct()}

    # Written outside publish: e1 changes in the serving file, which leaves no .wal.
    with duckdb.connect(str(serving)) as con:
        con.execute("update marts.fct_user_events set platform = 'tampered' where event_id = 'e1'")
    assert not Path(str(serving) + ".wal").exists()
    meta, tables = step([e1, e2_new, e3, e4, i1])
    assert served in hashed
    assert meta["synced_tables"] is None  # the checksums differ: copied in full
    assert tables == {"marts.fct_user_events": direct()}

    v6 = [e1, e2_new, e3, e4, i1, ("e5", "web", t.replace(hour=5))]
    meta, tables = step(v6)
    assert served not in hashed
    assert meta["synced_tables"] == "marts.fct_user_events (2 rows replaced)"  # e5, i1
    record.write_text("not json")
    meta, tables = step(v6)
    assert served in hashed
    assert meta["synced_tables"] == "marts.fct_user_events (1 rows replaced)"  # i1
    assert tables == {"marts.fct_user_events": direct()}


def test_publish_runs_under_the_profile_memory_limit(tmp_path: Path, monkeypatch) -> None:
    """The publish's DuckDB connection has the dbt profile's limits (at DuckDB's default,
    80 % of the RAM, a 100M publish peaked at 18.5 GB): BEHAVIOR_DUCKDB_MEMORY_LIMIT, 2
    threads, spilling beside the new copy, which is removed with it. A value that is no
    size stops the publish before it writes anything."""
    from behavior import publish as publish_module

    build, serving = tmp_path / "w.duckdb", tmp_path / "w.serving.duckdb"
    _event_build(build, [("e1", "ios", dt.datetime(2026, 10, 3, 1))])
    expected = duckdb.connect()
    expected.execute("set memory_limit = '300MB'")
    (limit,) = expected.execute("select current_setting('memory_limit')").fetchone()
    expected.close()
    seen = {}
    real_copy = publish_module._copy

    def recording_copy(con, *args):
        seen["settings"] = con.execute(
            "select current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('temp_directory')"
        ).fetchone()
        return real_copy(con, *args)

    monkeypatch.setattr(publish_module, "_copy", recording_copy)
    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "300MB")
    publish_module.publish(build, serving, ("marts",), full=False, keep_previous=False)
    memory, threads, spill = seen["settings"]
    assert (memory, threads) == (limit, 2)
    assert Path(spill).name.startswith("w.serving.duckdb.publishing-")
    assert Path(spill).name.endswith(".tmp")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "w.duckdb",
        "w.serving.duckdb",
        "w.serving.duckdb.fingerprints.json",
    ]

    serving.unlink()
    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(UserError, match="expected a size such as 3GB"):
        publish_module.publish(build, serving, ("marts",), full=False, keep_previous=False)
    assert not serving.exists()
