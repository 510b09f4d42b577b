"""Smoke tests of the benchmark helpers at a tiny size (no dbt run here)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from behavior.bench import command as bench
from behavior.bench import plain as bench_plain
from behavior.bench import plan
from behavior.bench import results as bench_results
from behavior.bench.measure import Measurement, measure
from behavior.bench.split import split_raw
from behavior.contract import CATALOG_TABLES, TABLES
from behavior.errors import UserError


@pytest.mark.parametrize(
    ("text", "rows", "label"),
    [("1M", 1_000_000, "1M"), ("200k", 200_000, "200k"), ("2.5M", 2_500_000, "2.5M"),
     ("100M", 100_000_000, "100M"), ("1500", 1_500, "1.5k"), ("12", 12, "12")],
)  # fmt: skip
def test_sizes_parse_and_label(text: str, rows: int, label: str):
    assert plan.parse_size(text) == rows
    assert plan.size_label(rows) == label


def test_bad_size_is_refused():
    with pytest.raises(ValueError):
        plan.parse_size("0")


def test_the_bench_runs_dbt_in_this_project_by_default():
    # the project the bench builds unless a test passes another one (a module moved
    # one folder down once pointed it at scripts/)
    assert plan.Options(sizes=[1]).project_dir == Path(__file__).resolve().parents[2]
    assert (plan.Options(sizes=[1]).project_dir / "dbt_project.yml").is_file()


def test_measure_reads_time_and_peak_rss_of_the_child(tmp_path: Path):
    # The child holds ~60 MB for a moment; the wrapper's own memory is not counted.
    code = "import time; b = b'x' * (60 * 2**20); time.sleep(0.3)"
    m = measure([sys.executable, "-c", code], tmp_path / "a.log", tmp_path / "a.json", timeout=60)
    assert m.ok and m.seconds >= 0.3
    assert 60 <= m.peak_rss_mb < 400


def test_measure_stops_a_command_at_its_timeout(tmp_path: Path):
    cmd = [sys.executable, "-c", "import time; time.sleep(30)"]
    m = measure(cmd, tmp_path / "b.log", tmp_path / "b.json", timeout=1)
    assert m.timed_out and not m.ok and m.seconds < 20


def _node(name: str, materialized: str, parents: list[str], code: str) -> dict:
    return {
        "unique_id": f"model.p.{name}",
        "resource_type": "model",
        "database": "plain",
        "schema": "marts",
        "name": name,
        "relation_name": f'"plain"."marts"."{name}"',
        "config": {"materialized": materialized, "enabled": True},
        "depends_on": {"nodes": [f"model.p.{p}" for p in parents] + ["seed.p.s"]},
        "compiled_code": code,
    }


def test_plain_sql_runs_models_in_dependency_order(tmp_path: Path):
    manifest = {
        "nodes": {
            # Listed children first, to prove the ordering.
            "model.p.c": _node("c", "table", ["b"], 'select n * 2 as n from "plain"."marts"."b"'),
            "model.p.b": _node(
                "b",
                "incremental",
                ["a", "e"],
                'with __dbt__cte__e as (select 1 as k) select n from "plain"."marts"."a";',
            ),
            "model.p.e": _node("e", "ephemeral", [], "select 1 as k"),
            "model.p.a": _node("a", "view", [], "select 21 as n -- trailing comment"),
            "seed.p.s": {"resource_type": "seed"},
        }
    }
    order = [node["name"] for node in bench_plain.ordered_models(manifest)]
    assert order.index("a") < order.index("b") < order.index("c")
    statements = bench_plain.plain_statements(manifest)
    assert statements[0] == ("schema", 'create schema if not exists "plain"."marts"')
    assert [uid for uid, _ in statements[1:]] == ["model.p.a", "model.p.b", "model.p.c"]
    assert statements[1][1].startswith('create or replace view "plain"."marts"."a"')
    assert statements[2][1].startswith('create or replace table "plain"."marts"."b"')
    database = tmp_path / "plain.duckdb"
    seconds = bench_plain.run_plain(database, statements, {"threads": "1"})
    assert seconds >= 0
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute("select n from marts.c").fetchall() == [(42,)]
    kinds = dict(
        con.execute("select table_name, table_type from information_schema.tables").fetchall()
    )
    con.close()
    assert kinds == {"a": "VIEW", "b": "BASE TABLE", "c": "BASE TABLE"}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> bench.SizeRun:
    """Generator and loader steps of the bench at ~2k rows (one run each)."""
    work = tmp_path_factory.mktemp("bench")
    opts = plan.Options(sizes=[2_000], repeat=1, workdir=work, days=5, timeout=300)
    run = bench.SizeRun(opts, 2_000, log=lambda _: None)
    run.dir.mkdir(parents=True)
    run.generate()
    run.run(
        "load",
        run.behavior("load", str(run.gen), "--database", str(run.db)),
        required=True,
    )
    return run


def test_bench_generator_and_loader_steps(tiny_run: bench.SizeRun):
    result = tiny_run.result
    assert 1_000 < result.rows < 4_000
    for step in ("generate", "load"):
        measured = result.steps[step]
        assert not measured.failed and measured.seconds and measured.peak_rss_mb
    con = duckdb.connect(str(tiny_run.db), read_only=True)
    loaded = sum(con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in TABLES)
    con.close()
    assert 0 < loaded <= result.rows  # the generator adds no duplicates by default


def test_repeated_single_runs_keep_their_own_logs(tiny_run: bench.SizeRun):
    for _ in range(2):
        tiny_run.run("noop", [sys.executable, "-c", "print('hi')"], times=1)
    assert len(tiny_run.result.steps["noop"].runs) == 2
    assert (tiny_run.logs / "noop-1.log").read_text() == "hi\n"
    assert (tiny_run.logs / "noop-2.json").exists()


def test_split_by_arrival_keeps_every_row_once(tiny_run: bench.SizeRun, tmp_path: Path):
    cut = datetime(2026, 9, 5)
    first, last = tmp_path / "history", tmp_path / "new"
    counts = split_raw(tiny_run.gen, [first, last], [cut])
    assert set(counts) == set(TABLES)
    con = duckdb.connect()
    for table, (before, after) in counts.items():
        whole = con.execute(f"select count(*) from '{tiny_run.gen / table}.parquet'").fetchone()
        assert before + after == whole[0], table
        if table in CATALOG_TABLES:
            assert after == 0
        elif table != "users":
            late = con.execute(
                f"select count(*) from '{first / table}.parquet' where received_at >= '{cut}'"
            ).fetchone()
            assert late == (0,)
    con.close()
    assert sum(after for _, after in counts.values()) > 0


def test_render_has_every_metric_and_growth():
    def result(
        label: str, rows: int, full: float, incremental: float, daily: float
    ) -> bench_results.SizeResult:
        r = bench_results.SizeResult(
            label=label, target_rows=rows, rows=rows, new_day_rows=rows // 50
        )
        r.steps["build"] = bench_results.Step([Measurement(full, 300.0, 0)])
        r.steps["incremental"] = bench_results.Step([Measurement(incremental, 300.0, 0)])
        r.steps["incremental_daily"] = bench_results.Step([Measurement(daily, 300.0, 0)])
        r.steps["run"] = bench_results.Step([Measurement(full / 2, 300.0, 0)])
        r.steps["plain"] = bench_results.Step([Measurement(full / 4, 200.0, 1)])
        return r

    results = [
        result("1M", 1_000_000, 40.0, 10.0, 8.0),
        result("10M", 10_000_000, 300.0, 20.0, 12.0),
    ]
    results[0].steps["build_threads_1"] = results[0].steps["build"]
    text = bench_results.render(results, plan.Options(sizes=[1, 2]), bench_results.environment())
    for name, _ in bench_results.METRICS:
        assert f"| {name} |" in text
    assert "| incremental build / full build | 25 % | 7 % |" in text
    assert "| dbt run / plain SQL (process) | 2.00x | 2.00x |" in text
    assert "| `make daily` / full build | 20 % | 4 % |" in text
    assert "incremental build x2.00, `make daily` x1.50, full build x7.50" in text
    assert "10.0 †" in text  # the plain SQL run exited 1
    assert "| 1 | 40.0 | 300 |" in text


def test_a_failing_size_is_reported_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def broken(self: bench.SizeRun) -> None:
        raise UserError("generate failed (exit 2)")

    monkeypatch.setattr(bench.SizeRun, "generate", broken)
    opts = plan.Options(sizes=[1_000], repeat=1, workdir=tmp_path, out=tmp_path / "r.md")
    results = bench.run_bench(opts, log=lambda _: None)
    assert results[0].error == "stopped at generator: generate failed (exit 2)"
    text = (tmp_path / "r.md").read_text()
    assert "**1k incomplete**, stopped at generator" in text
    assert "| raw rows generated (all tables) | — |" in text


def test_daily_runs_load_every_row_once_and_record_file_sizes(
    tiny_run: bench.SizeRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """--daily-runs: history, then one folder per day; dbt is replaced by a no-op here."""
    run = bench.SizeRun(
        plan.Options(sizes=[2_000], repeat=1, workdir=tmp_path, days=5, daily_runs=2),
        2_000,
        log=lambda _: None,
    )
    run.dir.mkdir(parents=True)
    shutil.copytree(tiny_run.gen, run.gen)
    monkeypatch.setattr(run, "dbt_cmd", lambda *args: [sys.executable, "-c", "pass"])
    run.daily()
    result = run.result
    assert len(result.steps["daily_load"].runs) == 2
    assert len(result.steps["daily_build"].runs) == 2
    assert len(result.daily_file_mb) == 3
    assert 0 < result.daily_compacted_mb <= result.daily_file_mb[-1]
    # The history and the two days together are exactly the one-shot load.
    whole = duckdb.connect(str(tiny_run.db), read_only=True)
    daily = duckdb.connect(str(run.db), read_only=True)
    for table in TABLES:
        query = f"select count(*) from raw.{table}"
        assert daily.execute(query).fetchone() == whole.execute(query).fetchone(), table
    whole.close()
    daily.close()


def test_compacted_size_is_the_live_data(tmp_path: Path):
    database = tmp_path / "bloated.duckdb"
    con = duckdb.connect(str(database))
    # A dropped table's blocks stay in the file (DuckDB reuses them, never shrinks
    # it); a fresh copy holds only the small table that is left.
    con.execute(
        "create table big as select range as n, md5(range::varchar) as s from range(300000)"
    )
    con.execute("checkpoint")
    con.execute(
        "create table small as select range as n, md5(range::varchar) as s from range(1000)"
    )
    con.execute("drop table big")
    con.execute("checkpoint")
    con.close()
    compacted = bench._compacted_mb(database, tmp_path / "work")
    assert compacted < bench._mb(database) / 2
    assert not list((tmp_path / "work").glob("compacted.duckdb*"))


def test_render_daily_runs_section():
    r = bench_results.SizeResult(label="1M", target_rows=1_000_000, rows=1_000_000)
    r.steps["daily_build_history"] = bench_results.Step([Measurement(30.0, 500.0, 0)])
    r.steps["daily_build"] = bench_results.Step(
        [Measurement(s, 500.0, 0) for s in (10.0, 12.0, 11.0, 14.0)]
    )
    r.daily_file_mb = [100.0, 104.0, 108.0, 112.0, 116.0]
    r.daily_compacted_mb = 90.0
    lines = bench_results.daily_lines(r)
    text = "\n".join(lines)
    assert "| | after history | after run 1 | after run 2 | after run 4 |" in text
    assert "| DuckDB file (MB) | 100.0 | 104.0 | 108.0 | 116.0 |" in text
    assert "| `make daily` (s) | — | 10.0 | 12.0 | 14.0 |" in text
    assert "Median daily build 11.5 s" in text  # median of 10, 11, 12, 14
    assert "90.0 MB of live data" in text


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--skip", "plain,bogus"], "unknown step"),
        (["--daily-runs", "61"], "--daily-runs"),
    ],
)
def test_bad_bench_options_are_refused(flags: list[str], message: str):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    with pytest.raises(UserError, match=message):
        bench.options_from(parser.parse_args(flags))


def test_render_contenders_side_by_side_with_the_issue_ratios():
    """Made-up medians whose ratios are worked out by hand: at 1M pandas 20 s / build 40 s
    = 0.50, dbt run 13 s / floor 10 s = 1.30x, daily 4 s / build 40 s = 10 %, daily with
    its 2 s publish 6 / 40 = 15 %; at 10M 60 / 120 = 0.50, 52 / 20 = 2.60x, 6 / 120 = 5 %,
    with a 6 s publish 12 / 120 = 10 %; daily 1M -> 10M 6 / 4 = x1.50, with the publish
    12 / 6 = x2.00."""

    def result(label: str, rows: int, seconds: dict[str, float]) -> bench_results.SizeResult:
        r = bench_results.SizeResult(label=label, target_rows=rows, rows=rows, core_models=21)
        for step, value in seconds.items():
            r.steps[step] = bench_results.Step([Measurement(value, 250.0, 0)])
        r.equality = {"floor": "7/7 equal", "pandas": "6/7 equal; sessions: 1 of 9 rows"}
        return r

    steps = ("core_floor", "core_pandas", "core_run", "core_build", "core_daily")
    steps += ("core_daily_publish",)
    results = [
        result("1M", 1_000_000, dict(zip(steps, (10, 20, 13, 40, 4, 2), strict=True))),
        result("10M", 10_000_000, dict(zip(steps, (20, 60, 52, 120, 6, 6), strict=True))),
    ]
    text = "\n".join(bench_results.contenders_table(results))
    assert "| hand-written DuckDB SQL, one connection | the seven core outputs | " in text
    assert "| 10.0 s (250 MB) | 20.0 s (250 MB) | |" in text
    assert "| 13.0 s (250 MB) (21 models) | 52.0 s (250 MB) (21 models) | |" in text
    assert "| pandas / full build | 0.50 | 0.50 | >= 1.0 |" in text
    assert "| `dbt run` (7 + parents) / floor | 1.30x | 2.60x | <= 1.3x |" in text
    assert "| `make daily` (dbt) / full build | 10 % | 5 % | <= 10 % |" in text
    assert "| `make daily` (dbt + publish) / full build | 15 % | 10 % | <= 10 % |" in text
    assert "| `make daily`'s publish after it | the serving file" in text
    assert "| floor = marts (row for row) | 7/7 equal | 7/7 equal | 7/7 equal |" in text
    assert "| pandas = marts (row for row) | 6/7 equal; sessions: 1 of 9 rows |" in text
    assert "`make daily` 1M → 10M (raw rows x10.0): x1.50 (dbt), x2.00 (dbt + publish" in text
    assert "Per repetition" not in text  # one run each: nothing to pair
    full = bench_results.render(results, plan.Options(sizes=[1, 2]), bench_results.environment())
    assert text in full
    assert (
        bench_results.contenders_table([bench_results.SizeResult(label="1M", target_rows=1)]) == []
    )
    # A second 10M repetition: pandas 90 / build 100 = 0.90, dbt run 30 / floor 25 =
    # 1.20x, daily 12 / 100 = 12 %, each against its own repetition's build and floor.
    second = dict(zip(steps, (25, 90, 30, 100, 12, 6), strict=True))
    for step, value in second.items():
        results[1].steps[step].runs.append(Measurement(value, 250.0, 0))
    text = "\n".join(bench_results.contenders_table(results))
    assert (
        "Per repetition at 10M: pandas / full build 0.50, 0.90; `dbt run` / floor "
        "2.60x, 1.20x; `make daily` (dbt) / full build 5 %, 12 %."
    ) in text
    assert "Per repetition at 1M" not in text


def test_growth_sets_keep_the_daily_volume_and_the_last_day():
    """60 history days at 1M; at 10M the history is 10x as long, 600 days, and starts
    540 days before 2026-09-01, on 2025-03-10 (2025-03-10 + 540 = 2026-09-01), so both
    sets end on 2026-10-31. A 100x history (6,000 days from 2026-09-01 back, in 2010)
    would start before the loader's earliest_at (2015-01-01): no growth step there."""
    opts = plan.Options(sizes=[1_000_000, 10_000_000, 100_000_000], days=60)
    assert plan.growth_sets(opts, 1_000_000) is None
    small, long = plan.growth_sets(opts, 10_000_000)
    assert small == plan.GrowthSet("small", 1_000_000, 61, "2026-09-01")
    assert long == plan.GrowthSet("long", 10_000_000, 601, "2025-03-10")
    for data in (small, long):
        last = date.fromisoformat(data.start) + timedelta(days=data.days - 1)
        assert last == date(2026, 10, 31)
    assert plan.growth_sets(opts, 100_000_000) is None


def test_history_growth_interleaves_both_sets_with_the_same_new_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """2k rows over 2 + 1 days against 4k rows over 4 + 1 days; dbt and publish are
    replaced by stand-ins here (the publish writes an empty serving file), so only the
    data handling is real."""
    opts = plan.Options(sizes=[2_000, 4_000], repeat=2, workdir=tmp_path, days=2, timeout=300)
    run = bench.SizeRun(opts, 4_000, log=lambda _: None)
    run.dir.mkdir(parents=True)
    monkeypatch.setattr(run, "dbt_cmd", lambda *args: [sys.executable, "-c", "pass"])
    real_behavior = run.behavior
    monkeypatch.setattr(
        run,
        "behavior",
        lambda *args: (
            # a publish that writes an empty serving file (its last argument)
            [sys.executable, "-c", "import sys; open(sys.argv[-1], 'w').close()", *args]
            if args[0] == "publish"
            else real_behavior(*args)
        ),
    )
    run.history_growth()
    small, long = run.result.growth["small"], run.result.growth["long"]
    assert (small["days"], long["days"]) == (3, 5)
    assert 1_000 < small["rows"] < 4_000
    assert 1.5 * small["rows"] < long["rows"] < 3 * small["rows"]
    assert small["new_day_rows"] > 0 and long["new_day_rows"] > 0
    # Each set's history and new day hold every generated row once, and the new day is
    # the same calendar day in both.
    for name in ("small", "long"):
        inc = run.dir / "growth" / name / "inc"
        con = duckdb.connect()
        newest = con.execute(
            f"select max(received_at)::date from '{inc / 'new'}/user_app_sessions.parquet'"
        ).fetchone()[0]
        oldest_new = con.execute(
            f"select min(received_at)::date from '{inc / 'new'}/user_app_sessions.parquet'"
        ).fetchone()[0]
        latest_history = con.execute(
            f"select max(received_at) from '{inc / 'history'}/user_app_sessions.parquet'"
        ).fetchone()[0]
        con.close()
        assert oldest_new >= date(2026, 9, 3) > latest_history.date(), name
        assert newest >= date(2026, 9, 3), name
    for step in ("load_new_day", "daily", "daily_publish"):
        for name in ("small", "long"):
            assert len(run.result.steps[f"growth_{name}_{step}"].runs) == 2, (name, step)
    assert not (run.dir / "growth" / "small" / "gen").exists()  # split, then removed


def test_render_history_growth_table():
    """Hand-worked: 60 s -> 90 s daily build is x1.50; publish 4 -> 6 s; with it 64 ->
    96 s, x1.50; history builds 50 s and 300 s: the daily build is 60 / 50 = 120 % and
    90 / 300 = 30 % of them; 31,632 -> 37,015 new-day rows is x1.17. A second
    repetition (daily 40 -> 80 s, publish 4 -> 8 s) gives the medians (50 -> 85 s,
    x1.70, etc.) and its own pair ratios, 80 / 40 = x2.00 and 88 / 44 = x2.00."""
    r = bench_results.SizeResult(label="10M", target_rows=10_000_000, rows=9_900_000)
    r.growth = {
        "small": {"target_rows": 1_000_000, "rows": 990_000, "days": 61, "new_day_rows": 31_632},
        "long": {"target_rows": 10_000_000, "rows": 9_950_000, "days": 601, "new_day_rows": 37_015},
    }
    for step, value in {
        "growth_small_daily": 60.0,
        "growth_long_daily": 90.0,
        "growth_small_daily_publish": 4.0,
        "growth_long_daily_publish": 6.0,
        "growth_small_build_history": 50.0,
        "growth_long_build_history": 300.0,
    }.items():
        r.steps[step] = bench_results.Step([Measurement(value, 100.0, 0)])
    text = "\n".join(bench_results.growth_table([r]))
    assert "against 10M rows over 600 + 1 days (history x10.0)" in text
    assert "| | 1M, 60 + 1 days | 10M, 600 + 1 days | ratio | target |" in text
    assert "| rows in the new day | 31,632 | 37,015 | x1.17 | |" in text
    assert "| `make daily`: dbt build (s) | 60.0 | 90.0 | x1.50 | < 1.3x |" in text
    assert "| `make daily`: dbt build + publish (s) | 64.0 | 96.0 | x1.50 | < 1.3x |" in text
    assert "| `make daily` (dbt) / full build of the history | 120 % | 30 % | | <= 10 % |" in text
    assert "Per repetition, `make daily` long / small: x1.50 (with the publish x1.50)." in text
    for step, value in {
        "growth_small_daily": 40.0,
        "growth_long_daily": 80.0,
        "growth_small_daily_publish": 4.0,
        "growth_long_daily_publish": 8.0,
    }.items():
        r.steps[step].runs.append(Measurement(value, 100.0, 0))
    text = "\n".join(bench_results.growth_table([r]))
    assert "| `make daily`: dbt build (s) | 50.0 | 85.0 | x1.70 | < 1.3x |" in text
    assert "| `make daily`: dbt build + publish (s) | 54.0 | 92.0 | x1.70 | < 1.3x |" in text
    assert "long / small: x1.50 (with the publish x1.50), x2.00 (with the publish x2.00)." in text
    opts = plan.Options(sizes=[1, 2], skip=frozenset({"plain", "build"}))
    full = bench_results.render([r], opts, bench_results.environment())
    assert text in full
    assert "--repeat 3 --skip build,plain`" in full
    assert bench_results.growth_table([bench_results.SizeResult(label="1M", target_rows=1)]) == []


def test_a_saved_run_renders_again_as_it_did(tmp_path: Path):
    """--render-from: results.json back into the same report; a file that is not one
    is refused with a clear error."""
    r = bench_results.SizeResult(label="10M", target_rows=10_000_000, rows=9_900_000)
    r.growth = {"small": {"target_rows": 1, "rows": 2, "days": 3, "new_day_rows": 1}}
    r.steps["build"] = bench_results.Step(
        [Measurement(12.5, 300.0, 0), Measurement(13.5, 310.0, 1)]
    )
    env = bench_results.environment()
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps({"environment": env, "results": [asdict(r)]}))
    opts = plan.Options(sizes=[10_000_000], skip=frozenset({"plain"}))
    again = bench_results.render_saved(saved, opts)
    assert again == bench_results.render([r], opts, env)
    # the median of the runs that passed (12.5 s), marked: one of them failed
    assert "| dbt build, full (s) | 12.5 † |" in again
    saved.write_text("{}")
    with pytest.raises(UserError, match="not a bench results.json"):
        bench_results.render_saved(saved, opts)
