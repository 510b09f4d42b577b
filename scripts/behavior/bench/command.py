"""`python -m behavior.bench` (`make bench`): time the pipeline at several data sizes.

For each size (raw rows over all tables) it generates a Parquet data set of --days + 1
days, then measures, each --repeat times (the table shows medians):

- generator rows/s and peak RSS; loader rows/s on Parquet and peak RSS;
- `dbt parse --no-partial-parse` and the number of models and tests;
- full `dbt build` (seeds, models, data and unit tests) time, peak RSS and the DuckDB
  file size after it; `dbt run` (models only) time;
- plain SQL: the same models from `dbt compile --full-refresh`'s manifest, run as
  `create or replace view|table ... as <compiled_code>` in one DuckDB connection
  (behavior.bench.plain), and the dbt run / plain SQL ratio;
- incremental: load all but the last day, build, then load the last day and time
  `dbt build`, as a share of the full build;
- at the smallest size, the full build with --threads 1 and --threads 2;
- contenders (issue 12), interleaved in each repetition: the hand-written DuckDB floor
  and the vectorized pandas script for the seven core outputs (behavior.bench.core),
  `dbt run` of the seven core marts and their parents, the full `dbt build`, and
  `make daily` after one more day; peak RSS of each; after the first full build, both
  contenders' outputs are checked equal to the marts, row for row; the side-by-side
  table gives the issue's ratios;
- with --daily-runs N: the last N days loaded one day at a time, each followed by
  `dbt build`, with the build time and the DuckDB file size after every run, and the
  size of the same database freshly copied (how much the daily runs bloat the file).

- history growth (issue 12's growth target), at each size but the smallest: `make daily`
  (dbt build and publish) on the smallest size's data set and on this size's rows over
  a history as many times longer (same last day, so about the same new-day volume),
  interleaved in each repetition; each history is built once (function growth_sets).

--skip leaves out steps (build, threads, run, plain, incremental, contenders, growth), e.g.
for a single 100M build: `--sizes 100M --repeat 1 --skip threads,run,plain,incremental,
contenders,growth`; the history growth alone: `--sizes 1M,10M --skip build,plain,
incremental,contenders`.

Every command runs in a fresh wrapper process (behavior.bench.measure) that reads the
command's peak RSS and kills it after --timeout seconds. dbt runs on target
`warehouse` against a database file in --workdir, never the project's warehouse/.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path

from behavior.arguments import non_negative_int, positive_float, positive_int, writable_folder
from behavior.bench.core.check import check_contender
from behavior.bench.measure import measure
from behavior.bench.plan import (
    CORE_SELECT,
    DAILY_ARGS,
    DAILY_ENV,
    DEFAULT_DAYS,
    DEFAULT_SIZES,
    DEFAULT_START,
    PROFILE_DUCKDB_THREADS,
    PROFILE_MEMORY_LIMIT,
    ROOT,
    SKIPPABLE,
    Options,
    growth_sets,
    parse_size,
    size_label,
)
from behavior.bench.results import (
    SizeResult,
    Step,
    environment,
    equality_text,
    render,
    render_saved,
)
from behavior.bench.split import split_raw
from behavior.compact import copy_database
from behavior.dbt_command import command as behavior_dbt
from behavior.errors import UserError


def _mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    return round(total / 2**20, 1)


def _compacted_mb(database: Path, workdir: Path) -> float:
    """Size of `database` copied into a new file (`behavior compact`'s copy): its live data."""
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / "compacted.duckdb"
    for stale in workdir.glob(copy.name + "*"):
        stale.unlink()
    copy_database(database, copy)
    size = _mb(copy)
    for leftover in workdir.glob(copy.name + "*"):
        leftover.unlink()
    return size


def _models_run(run_results: Path) -> int | None:
    """How many models a `dbt run` ran (its run_results.json), None if unknown."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return None
    return sum(1 for r in results if r.get("unique_id", "").startswith("model."))


def _copy_database(source: Path, target: Path) -> None:
    for stale in target.parent.glob(target.name + "*"):  # the file and its .wal
        stale.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    # Written to disk before the step it prepares starts: the kernel's writeback of a
    # fresh copy (1.8 GB for the 601-day history) would otherwise run during the timed
    # step, as nothing does in a daily cycle, and slow the larger history most.
    os.sync()


def _prepare_serving(source: Path, serving: Path) -> None:
    """A daily publish's starting point: the history's serving file as the serving file
    and as the previous one kept beside it (behavior.publish.previous_path), which the
    publish brings up to date instead of copying the serving file. In a daily cycle the
    previous file is a day older than the serving file; here it is as new. The copies
    keep the file's modification time, and the record the history's publish wrote
    beside it comes along: as in a daily cycle, the publish finds the previous file
    unchanged since it was published and carries its checksums."""
    from behavior.publish import fingerprints_path, previous_path

    _copy_database(source, serving)
    shutil.copystat(source, serving)
    shutil.copy2(source, previous_path(serving))
    record = fingerprints_path(source)
    if record.exists():
        shutil.copyfile(record, fingerprints_path(serving))
    else:
        fingerprints_path(serving).unlink(missing_ok=True)
    os.sync()


class SizeRun:
    """Measure one data size in `<workdir>/<label>/`."""

    def __init__(self, opts: Options, rows: int, log: Callable[[str], None]):
        self.opts = opts
        self.log = log
        self.result = SizeResult(label=size_label(rows), target_rows=rows)
        self.dir = opts.workdir / self.result.label
        self.gen = self.dir / "gen"
        self.db = self.dir / "db" / "bench.duckdb"  # one path, so partial parse stays valid
        self.templates = self.dir / "templates"
        self.logs = self.dir / "logs"
        self.target = self.dir / "target"
        self.tmp = self.dir / "tmp"

    # -- plumbing

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DBT_PROFILES_DIR=str(self.opts.project_dir),
            DBT_PROJECT_DIR=str(self.opts.project_dir),
            BEHAVIOR_TARGET="warehouse",
            BEHAVIOR_DUCKDB_PATH=str(self.db),
            BEHAVIOR_DBT_THREADS=str(self.opts.threads),
            DBT_TARGET_PATH=str(self.target),
            DBT_LOG_PATH=str(self.dir / "dbt-logs"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            DBT_USE_COLORS="false",
        )
        return env

    def run(
        self,
        step: str,
        cmd: Sequence[str],
        times: int | None = None,
        prepare: Callable[[], None] | None = None,
        required: bool = False,
    ) -> Step:
        """Measure `cmd` `times` times (default --repeat), calling `prepare` before each."""
        record = self.result.step(step)
        for _ in range(times or self.opts.repeat):
            if prepare:
                prepare()
            name = f"{step}-{len(record.runs) + 1}"
            measured = measure(
                cmd,
                log=self.logs / f"{name}.log",
                result=self.logs / f"{name}.json",
                timeout=self.opts.timeout,
                env=self.env(),
                cwd=self.opts.project_dir,
            )
            record.runs.append(measured)
            status = "timeout" if measured.timed_out else f"exit {measured.returncode}"
            self.log(
                f"  {name}: {measured.seconds:.2f} s, peak RSS {measured.peak_rss_mb:,.0f} MB, "
                f"{status}"
            )
            if not measured.ok and required:
                raise UserError(f"{step} failed ({status}); see {self.logs / name}.log")
            if measured.timed_out:
                break
        return record

    def behavior(self, *args: str) -> list[str]:
        # Generated data: loads key its contacts with the public demo secret.
        demo = ("--demo-secret",) if args[:1] == ("load",) else ()
        return [sys.executable, "-m", "behavior.cli", *args, *demo]

    def dbt_cmd(self, *args: str) -> list[str]:
        # As the Makefile runs it: `behavior dbt` (collector tuned, manifest written once).
        return behavior_dbt(*args)

    # -- steps

    def generate_cmd(self, rows: int, days: int, start: str, out: Path) -> list[str]:
        return self.behavior(
            "generate",
            "--target-rows",
            str(rows),
            "--days",
            str(days),
            "--start",
            start,
            "--seed",
            str(self.opts.seed),
            "--out",
            str(out),
            "--format",
            "parquet",
            "--quiet",
        )

    def generate(self) -> None:
        self.run(
            "generate",
            self.generate_cmd(self.result.target_rows, self.opts.days + 1, DEFAULT_START, self.gen),
            required=True,
        )
        manifest = json.loads((self.gen / "_manifest.json").read_text())
        self.result.rows = int(sum(manifest["row_counts"].values()))

    def load(self) -> None:
        def fresh() -> None:
            for stale in self.db.parent.glob(self.db.name + "*"):
                stale.unlink()

        self.run(
            "load",
            self.behavior("load", str(self.gen), "--database", str(self.db)),
            prepare=fresh,
            required=True,
        )
        self.result.file_mb["raw"] = _mb(self.db)
        self.run("seed", self.dbt_cmd("seed"), times=1, required=True)
        _copy_database(self.db, self.templates / "raw.duckdb")

    def parse(self) -> None:
        self.run("parse", self.dbt_cmd("parse", "--no-partial-parse"), required=True)
        manifest = json.loads((self.target / "manifest.json").read_text())
        kinds = [node["resource_type"] for node in manifest["nodes"].values()]
        self.result.counts = {
            "models": kinds.count("model"),
            "data_tests": kinds.count("test"),
            "unit_tests": len(manifest.get("unit_tests", {})),
            "seeds": kinds.count("seed"),
        }
        # The parse also leaves the partial-parse state the timed builds start from.

    def load_new_day(self, load_new: list[str], prefix: str = "") -> None:
        """Step <prefix>load_new_day: the built history (template
        <prefix>history_built.duckdb) copied in, then the new day loaded on it."""
        self.run(
            f"{prefix}load_new_day",
            load_new,
            times=1,
            prepare=self.from_template(f"{prefix}history_built.duckdb"),
            required=True,
        )

    def from_template(self, name: str) -> Callable[[], None]:
        return lambda: _copy_database(self.templates / name, self.db)

    def build(self, with_threads: bool) -> None:
        threads = str(self.opts.threads)
        self.run(
            "build",
            self.dbt_cmd("build", "--threads", threads),
            prepare=self.from_template("raw.duckdb"),
        )
        self.result.file_mb["built"] = _mb(self.db)
        # dbt compile runs introspective queries (util_days reads a built model).
        _copy_database(self.db, self.templates / "built.duckdb")
        # Publish the built file to a new serving file beside it (what BI reads); no
        # previous file kept beside it (at 100M it would be another 12 GB on disk).
        serving = self.serving()
        self.run(
            "publish",
            self.behavior(
                "publish",
                "--database",
                str(self.db),
                "--serving",
                str(serving),
                "--full",
                "--no-previous",
            ),
        )
        if serving.exists():
            self.result.file_mb["serving"] = _mb(serving)
        if with_threads and "threads" not in self.opts.skip:
            for n in (1, 2):
                if n != self.opts.threads:
                    self.run(
                        f"build_threads_{n}",
                        self.dbt_cmd("build", "--threads", str(n)),
                        prepare=self.from_template("raw.duckdb"),
                    )
                else:
                    self.result.steps[f"build_threads_{n}"] = self.result.steps["build"]
        if "run" in self.opts.skip:
            return
        self.run(
            "run",
            self.dbt_cmd("run", "--threads", threads),
            prepare=self.from_template("raw.duckdb"),
        )

    def plain(self) -> None:
        self.run(
            "compile",
            self.dbt_cmd("compile", "--full-refresh"),
            times=1,
            prepare=self.from_template("built.duckdb"),
            required=True,
        )
        manifest = self.dir / "plain" / "manifest.json"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.target / "manifest.json", manifest)
        database = self.dir / "plain" / self.db.name  # same stem: same catalog name
        out = self.dir / "plain" / "result.json"
        cmd = [
            sys.executable,
            "-m",
            "behavior.bench.plain",
            "--manifest",
            str(manifest),
            "--database",
            str(database),
            "--out",
            str(out),
            "--memory-limit",
            os.environ.get("BEHAVIOR_DUCKDB_MEMORY_LIMIT", PROFILE_MEMORY_LIMIT),
            "--temp-directory",
            str(self.tmp),
            "--threads",
            PROFILE_DUCKDB_THREADS,
        ]
        step = self.result.step("plain")
        for _ in range(self.opts.repeat):
            before = len(step.runs)
            out.unlink(missing_ok=True)
            self.run(
                "plain",
                cmd,
                times=1,
                prepare=lambda: _copy_database(self.templates / "raw.duckdb", database),
            )
            # self.run appended to the same Step; keep the statements-only time too.
            if len(step.runs) > before and step.runs[-1].ok and out.exists():
                self.result.plain_sql_seconds.append(json.loads(out.read_text())["seconds"])
            if step.timed_out:
                break

    def prepare_history(self) -> list[str]:
        """Split off the last day, load and build the history once, save that state
        (templates/history_built.duckdb); return the command loading the new day."""
        load_new, new_day_rows = self.history_state(self.gen, self.dir / "inc", "")
        if new_day_rows is not None:
            self.result.new_day_rows = new_day_rows
        return load_new

    def history_state(self, gen: Path, inc: Path, prefix: str) -> tuple[list[str], int | None]:
        """Split the data set in `gen` before its last day (the bench's new day, the
        day after --days from DEFAULT_START) into inc/history and inc/new; load the
        history, build it and publish it once, saving both files as templates
        (`<prefix>history_built.duckdb`, `<prefix>history_serving.duckdb`). Return the
        command loading the new day, and the new day's rows (None when the templates
        were already there)."""
        history, new = inc / "history", inc / "new"
        load_new = self.behavior("load", str(new), "--database", str(self.db))
        built = self.templates / f"{prefix}history_built.duckdb"
        if built.exists():
            return load_new, None
        start = date.fromisoformat(DEFAULT_START)
        new_day = datetime.combine(start + timedelta(days=self.opts.days), datetime.min.time())
        counts = split_raw(gen, [history, new], [new_day])

        def fresh() -> None:
            for stale in self.db.parent.glob(self.db.name + "*"):
                stale.unlink()

        load_history = self.behavior("load", str(history), "--database", str(self.db))
        self.run(f"{prefix}load_history", load_history, times=1, prepare=fresh, required=True)
        self.run(
            f"{prefix}build_history",
            self.dbt_cmd("build", "--threads", str(self.opts.threads)),
            times=1,
        )
        _copy_database(self.db, built)
        # The serving file of the history: a daily publish starts from it.
        serving = self.templates / f"{prefix}history_serving.duckdb"
        serving.unlink(missing_ok=True)  # a kept workdir's, from an earlier run
        self.run(
            f"{prefix}publish_history",
            self.behavior("publish", "--database", str(self.db), "--serving", str(serving)),
            times=1,
        )
        return load_new, sum(rows[1] for rows in counts.values())

    def serving(self) -> Path:
        return self.db.with_name(f"{self.db.stem}.serving{self.db.suffix}")

    def incremental(self) -> None:
        load_new = self.prepare_history()
        incremental_build = self.dbt_cmd("build", "--threads", str(self.opts.threads))
        # The same saved state and new day, built as a plain `dbt build`, then as `make daily`.
        for step, build in (
            ("incremental", incremental_build),
            ("incremental_daily", [*DAILY_ENV, *incremental_build, *DAILY_ARGS]),
        ):
            for _ in range(self.opts.repeat):
                self.load_new_day(load_new)
                self.run(step, build, times=1)
                if self.result.step(step).timed_out:
                    break

    def daily(self) -> None:
        """Load the last --daily-runs days one at a time, `dbt build` after each."""
        runs = self.opts.daily_runs
        start = date.fromisoformat(DEFAULT_START)
        first_daily = self.opts.days + 1 - runs
        cutoffs = [
            datetime.combine(start + timedelta(days=first_daily + i), datetime.min.time())
            for i in range(runs)
        ]
        folders = [self.dir / "daily" / f"{i:02d}" for i in range(runs + 1)]
        split_raw(self.gen, folders, cutoffs)

        def fresh() -> None:
            for stale in self.db.parent.glob(self.db.name + "*"):
                stale.unlink()

        build = self.dbt_cmd("build", "--threads", str(self.opts.threads))
        load = self.behavior("load", str(folders[0]), "--database", str(self.db))
        self.run("daily_load_history", load, times=1, prepare=fresh, required=True)
        self.run("daily_build_history", build, times=1, required=True)
        build = [*DAILY_ENV, *build, *DAILY_ARGS]  # every later day runs as `make daily`
        self.result.daily_file_mb.append(_mb(self.db))
        for folder in folders[1:]:
            load = self.behavior("load", str(folder), "--database", str(self.db))
            self.run("daily_load", load, times=1, required=True)
            self.run("daily_build", build, times=1, required=True)
            self.result.daily_file_mb.append(_mb(self.db))
        self.result.daily_compacted_mb = _compacted_mb(self.db, self.tmp)

    def contenders(self) -> None:
        """Issue 12: per repetition, interleaved: the floor, the pandas script, `dbt run`
        of the seven core marts and their parents, the full `dbt build` and `make daily`
        after one more day. The first repetition's outputs are checked against the marts
        of its full build."""
        threads = str(self.opts.threads)
        load_new = self.prepare_history()
        core = self.dir / "core"
        floor_db = core / "floor" / self.db.name
        pandas_dir = core / "pandas"
        memory = os.environ.get("BEHAVIOR_DUCKDB_MEMORY_LIMIT", PROFILE_MEMORY_LIMIT)
        floor_cmd = [
            sys.executable,
            "-m",
            "behavior.bench.core.floor",
            "--database",
            str(floor_db),
            "--memory-limit",
            memory,
            "--threads",
            PROFILE_DUCKDB_THREADS,
            "--out",
            str(core / "floor.json"),
        ]
        pandas_cmd = [
            sys.executable,
            "-m",
            "behavior.bench.core.pandas_script",
            "--database",
            str(self.templates / "raw.duckdb"),
            "--out-dir",
            str(pandas_dir),
            "--out",
            str(core / "pandas.json"),
        ]
        run_cmd = self.dbt_cmd("run", "--threads", threads, "--select", *CORE_SELECT)
        build_cmd = self.dbt_cmd("build", "--threads", threads)
        daily_cmd = [*DAILY_ENV, *self.dbt_cmd("build", "--threads", threads), *DAILY_ARGS]
        publish_cmd = self.behavior(
            "publish", "--database", str(self.db), "--serving", str(self.serving())
        )

        def fresh_pandas() -> None:
            shutil.rmtree(pandas_dir, ignore_errors=True)

        for repetition in range(self.opts.repeat):
            self.run(
                "core_floor",
                floor_cmd,
                times=1,
                prepare=lambda: _copy_database(self.templates / "raw.duckdb", floor_db),
            )
            self.run("core_pandas", pandas_cmd, times=1, prepare=fresh_pandas)
            self.run("core_run", run_cmd, times=1, prepare=self.from_template("raw.duckdb"))
            if self.result.core_models is None:
                self.result.core_models = _models_run(self.target / "run_results.json")
            self.run("core_build", build_cmd, times=1, prepare=self.from_template("raw.duckdb"))
            if repetition == 0:
                self.check_equality(floor_db, pandas_dir)
            self.load_new_day(load_new)
            self.run("core_daily", daily_cmd, times=1)
            if not (self.templates / "history_serving.duckdb").exists():
                # The history's publish failed: nothing to start from; no figure, no crash.
                self.log("  core_daily_publish: skipped (no serving file of the history)")
            elif not self.result.step("core_daily").failed:
                self.run(
                    "core_daily_publish",
                    publish_cmd,
                    times=1,
                    prepare=lambda: _prepare_serving(
                        self.templates / "history_serving.duckdb", self.serving()
                    ),
                )

    def history_growth(self) -> None:
        """Issue 12's growth target (function growth_sets): `make daily` (its dbt build
        and its publish) on the smallest size's data set and on this size's rows over
        a history as many times longer, interleaved in each repetition."""
        sets = growth_sets(self.opts, self.result.target_rows)
        if sets is None:
            self.log("  skipped: smallest size, or the long history would start too early")
            return
        threads = str(self.opts.threads)
        daily_cmd = [*DAILY_ENV, *self.dbt_cmd("build", "--threads", threads), *DAILY_ARGS]
        publish_cmd = self.behavior(
            "publish", "--database", str(self.db), "--serving", str(self.serving())
        )
        loads = {}
        for data in sets:
            folder = self.dir / "growth" / data.name
            gen = folder / "gen"
            self.run(
                f"growth_{data.name}_generate",
                self.generate_cmd(data.target_rows, data.days, data.start, gen),
                times=1,
                required=True,
            )
            manifest = json.loads((gen / "_manifest.json").read_text())
            load_new, new_day_rows = self.history_state(gen, folder / "inc", f"growth_{data.name}_")
            loads[data.name] = load_new
            self.result.growth[data.name] = {
                "target_rows": data.target_rows,
                "rows": int(sum(manifest["row_counts"].values())),
                "days": data.days,
                "new_day_rows": new_day_rows or 0,
            }
            if not self.opts.keep:
                shutil.rmtree(gen)  # split into inc/ already
        for _ in range(self.opts.repeat):
            for data in sets:
                prefix = f"growth_{data.name}_"
                self.load_new_day(loads[data.name], prefix)
                self.run(f"{prefix}daily", daily_cmd, times=1)
                serving = self.templates / f"{prefix}history_serving.duckdb"
                if serving.exists() and not self.result.step(f"{prefix}daily").failed:
                    self.run(
                        f"{prefix}daily_publish",
                        publish_cmd,
                        times=1,
                        prepare=lambda s=serving: _prepare_serving(s, self.serving()),
                    )

    def check_equality(self, floor_db: Path, pandas_dir: Path) -> None:
        """Both contenders' outputs against the marts of the build just made (self.db)."""
        for contender, step, kwargs in (
            ("floor", "core_floor", {"floor_database": floor_db}),
            ("pandas", "core_pandas", {"pandas_dir": pandas_dir}),
        ):
            if self.result.step(step).failed or self.result.step("core_build").failed:
                self.result.equality[contender] = "not checked (a run failed)"
                continue
            checks = check_contender(self.db, **kwargs)
            self.result.equality[contender] = equality_text(checks)
            self.result.equality_checks[contender] = [asdict(c) for c in checks]
            self.log(f"  {contender} = marts: {self.result.equality[contender]}")
            for check in checks:
                for example in check.examples:
                    self.log(f"    {check.name}: {example}")

    def cleanup(self) -> None:
        if self.opts.keep:
            return
        for name in ("gen", "inc", "daily", "db", "templates", "plain", "tmp", "core", "growth"):
            shutil.rmtree(self.dir / name, ignore_errors=True)

    def measure_all(self, with_threads: bool) -> SizeResult:
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        current = ""
        try:
            for title, action in (
                ("generator", self.generate),
                ("loader", self.load),
                ("dbt parse", self.parse),
                ("dbt build / run", lambda: self.build(with_threads)),
                ("plain SQL", self.plain),
                ("incremental", self.incremental),
                ("contenders", self.contenders),
                ("history growth", self.history_growth),
                ("daily runs", self.daily),
            ):
                key = {
                    "dbt build / run": "build",
                    "plain SQL": "plain",
                    "daily runs": "daily",
                    "history growth": "growth",
                }.get(title, title)
                if key in self.opts.skip or (key == "daily" and not self.opts.daily_runs):
                    continue
                current = title
                self.log(f"[{self.result.label}] {title}")
                action()
        except (UserError, OSError, subprocess.SubprocessError, ValueError) as exc:
            # Keep what was measured; the report says where this size stopped.
            self.result.error = f"stopped at {current}: {exc}"
            self.log(f"[{self.result.label}] {self.result.error}")
        finally:
            self.cleanup()
        return self.result


# --- command line --------------------------------------------------------------------


def run_bench(opts: Options, log: Callable[[str], None] = print) -> list[SizeResult]:
    """Measure every size, write --out and a JSON next to the work files."""
    env = environment()
    opts.workdir.mkdir(parents=True, exist_ok=True)
    results: list[SizeResult] = []
    smallest = min(opts.sizes)
    started = time.perf_counter()
    saved = opts.workdir / "results.json"

    def save() -> None:
        saved.write_text(
            json.dumps({"environment": env, "results": [asdict(r) for r in results]}, indent=2)
        )

    for rows in opts.sizes:
        results.append(SizeRun(opts, rows, log).measure_all(with_threads=rows == smallest))
        save()
    env["load_end"] = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    save()
    text = render(results, opts, env)
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(text)
    log("")
    log(text)
    elapsed = time.perf_counter() - started
    log(f"wrote {opts.out} and {opts.workdir / 'results.json'} in {elapsed:.0f} s")
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"comma-separated raw row counts, e.g. 200k,1M,10M,100M (default {DEFAULT_SIZES})",
    )
    parser.add_argument("--repeat", type=positive_int, default=3, help="runs per figure (median)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/behavior-bench"))
    parser.add_argument("--keep", action="store_true", help="keep data and databases")
    parser.add_argument(
        "--days", type=positive_int, default=DEFAULT_DAYS, help="history days (+1 new)"
    )
    parser.add_argument("--seed", type=non_negative_int, default=42)
    parser.add_argument(
        "--threads", type=positive_int, default=2, help="dbt --threads for the builds"
    )
    parser.add_argument(
        "--timeout", type=positive_float, default=3600.0, help="seconds per command"
    )
    parser.add_argument(
        "--skip",
        default="",
        help=f"comma-separated steps to leave out: {', '.join(SKIPPABLE)}",
    )
    parser.add_argument(
        "--render-from",
        type=Path,
        help="measure nothing: write --out again from an earlier run's results.json "
        "(give that run's --repeat, --days, --threads and --skip)",
    )
    parser.add_argument(
        "--daily-runs",
        type=int,
        default=0,
        help="load the last N days one at a time with a build after each (file growth)",
    )


def options_from(args: argparse.Namespace) -> Options:
    try:
        sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as exc:
        raise UserError(f"--sizes: {exc}") from exc
    if not sizes:
        raise UserError("--sizes: give at least one size")
    if args.repeat < 1 or args.days < 1 or args.threads < 1:
        raise UserError("--repeat, --days and --threads must be at least 1")
    skip = frozenset(s.strip() for s in args.skip.split(",") if s.strip())
    if skip - set(SKIPPABLE):
        raise UserError(f"--skip: unknown step(s) {sorted(skip - set(SKIPPABLE))}")
    if not 0 <= args.daily_runs <= args.days:
        raise UserError("--daily-runs must be between 0 and --days")
    return Options(
        sizes=sizes,
        repeat=args.repeat,
        out=args.out,
        workdir=args.workdir,
        keep=args.keep,
        days=args.days,
        seed=args.seed,
        threads=args.threads,
        timeout=args.timeout,
        skip=skip,
        daily_runs=args.daily_runs,
    )


def _run(args: argparse.Namespace) -> int:
    options = options_from(args)
    writable_folder(Path(args.out).parent, "--out folder")  # hours later is too late
    if args.render_from:
        options.out.write_text(render_saved(args.render_from, options))
        print(f"wrote {options.out} from {args.render_from}")
        return 0
    run_bench(options)
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    """Hook for `behavior bench` in behavior.cli (SUBCOMMANDS)."""
    parser = subparsers.add_parser(name)
    add_arguments(parser)
    parser.set_defaults(func=_run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m behavior.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except UserError as exc:
        print(f"behavior bench: error: {exc}", file=sys.stderr)
        return 2
