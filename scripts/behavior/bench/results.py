"""What `behavior bench` measured (Step, SizeResult) and the results file it writes
(render): the table per size, the contenders side by side, the history growth."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb

from behavior.bench.core.check import OutputCheck, summary
from behavior.bench.measure import Measurement
from behavior.bench.plan import CONTENDERS, DAILY_ARGS, ROOT, Options, size_label
from behavior.errors import UserError

# --- results -------------------------------------------------------------------------


@dataclass
class Step:
    """The runs of one measured command."""

    runs: list[Measurement] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return any(r.timed_out for r in self.runs)

    @property
    def failed(self) -> bool:
        return any(not r.ok for r in self.runs)

    def _usable(self) -> list[Measurement]:
        done = [r for r in self.runs if not r.timed_out]
        return [r for r in done if r.ok] or done

    @property
    def seconds(self) -> float | None:
        usable = self._usable()
        return statistics.median(r.seconds for r in usable) if usable else None

    @property
    def peak_rss_mb(self) -> float | None:
        usable = self._usable()
        return statistics.median(r.peak_rss_mb for r in usable) if usable else None


@dataclass
class SizeResult:
    """Everything measured for one data size."""

    label: str
    target_rows: int
    rows: int = 0
    new_day_rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    file_mb: dict[str, float] = field(default_factory=dict)
    plain_sql_seconds: list[float] = field(default_factory=list)
    daily_file_mb: list[float] = field(default_factory=list)  # after history, run 1..N
    daily_compacted_mb: float | None = None  # the last database, freshly copied
    core_models: int | None = None  # models in the `dbt run` of the 7 core marts
    # history growth: set name -> target_rows, rows, days, new_day_rows
    growth: dict[str, dict[str, int]] = field(default_factory=dict)
    equality: dict[str, str] = field(default_factory=dict)  # contender -> summary
    equality_checks: dict[str, list[dict]] = field(default_factory=dict)  # details
    steps: dict[str, Step] = field(default_factory=dict)
    error: str | None = None  # why the size stopped early

    def step(self, name: str) -> Step:
        return self.steps.setdefault(name, Step())


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def equality_text(checks: Sequence[OutputCheck]) -> str:
    return summary(list(checks))


# --- report --------------------------------------------------------------------------


def _num(value: float | None, digits: int = 0, suffix: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{suffix}"


def _seconds(step: Step | None, digits: int = 1) -> str:
    if step is None or not step.runs:
        return "—"
    if step.timed_out and step.seconds is None:
        return "timeout"
    text = _num(step.seconds, digits)
    return text + (" †" if step.failed else "")


def _rows_per_second(rows: int, step: Step | None) -> str:
    if step is None or not step.seconds:
        return "—"
    return _num(rows / step.seconds) + (" †" if step.failed else "")


def _rss(step: Step | None) -> str:
    return "—" if step is None else _num(step.peak_rss_mb)


METRICS: list[tuple[str, Callable[[SizeResult], str]]] = [
    ("raw rows generated (all tables)", lambda r: _num(r.rows or None)),
    ("generator: rows/s", lambda r: _rows_per_second(r.rows, r.steps.get("generate"))),
    ("generator: peak RSS (MB)", lambda r: _rss(r.steps.get("generate"))),
    ("loader, Parquet: rows/s", lambda r: _rows_per_second(r.rows, r.steps.get("load"))),
    ("loader: peak RSS (MB)", lambda r: _rss(r.steps.get("load"))),
    ("raw DuckDB file after load (MB)", lambda r: _num(r.file_mb.get("raw"), 1)),
    ("dbt parse --no-partial-parse (s)", lambda r: _seconds(r.steps.get("parse"), 2)),
    (
        "models / data tests / unit tests",
        lambda r: (
            f"{r.counts.get('models', '—')} / {r.counts.get('data_tests', '—')} / "
            f"{r.counts.get('unit_tests', '—')}"
        ),
    ),
    ("dbt build, full (s)", lambda r: _seconds(r.steps.get("build"))),
    ("dbt build: peak RSS (MB)", lambda r: _rss(r.steps.get("build"))),
    ("dbt run, models only (s)", lambda r: _seconds(r.steps.get("run"))),
    ("plain SQL, one connection: process (s)", lambda r: _seconds(r.steps.get("plain"))),
    (
        "plain SQL: statements only (s)",
        lambda r: _num(statistics.median(r.plain_sql_seconds) if r.plain_sql_seconds else None, 1),
    ),
    (
        "dbt run / plain SQL (process)",
        lambda r: _num(_ratio(_step_s(r, "run"), _step_s(r, "plain")), 2, "x"),
    ),
    ("rows in the new (last) day", lambda r: _num(r.new_day_rows or None)),
    ("dbt build after loading +1 day (s)", lambda r: _seconds(r.steps.get("incremental"))),
    (
        "incremental build / full build",
        lambda r: _num(_percent(_step_s(r, "incremental"), _step_s(r, "build")), 0, " %"),
    ),
    (
        "`make daily` (recent-rows tests) after +1 day (s)",
        lambda r: _seconds(r.steps.get("incremental_daily")),
    ),
    (
        "`make daily` / full build",
        lambda r: _num(_percent(_step_s(r, "incremental_daily"), _step_s(r, "build")), 0, " %"),
    ),
    ("DuckDB file after full build (MB)", lambda r: _num(r.file_mb.get("built"), 1)),
    ("`behavior publish` of the full build (s)", lambda r: _seconds(r.steps.get("publish"))),
    ("serving file after publish (MB)", lambda r: _num(r.file_mb.get("serving"), 1)),
]


def _step_s(result: SizeResult, name: str) -> float | None:
    step = result.steps.get(name)
    return step.seconds if step else None


def _percent(part: float | None, whole: float | None) -> float | None:
    ratio = _ratio(part, whole)
    return None if ratio is None else 100 * ratio


def growth_lines(results: Sequence[SizeResult]) -> list[str]:
    """How incremental and full builds grow between consecutive sizes."""
    lines = []
    ordered = sorted(results, key=lambda r: r.rows or r.target_rows)
    for small, large in zip(ordered, ordered[1:], strict=False):
        rows = _ratio(large.rows, small.rows)
        incremental = _ratio(_step_s(large, "incremental"), _step_s(small, "incremental"))
        daily = _ratio(_step_s(large, "incremental_daily"), _step_s(small, "incremental_daily"))
        full = _ratio(_step_s(large, "build"), _step_s(small, "build"))
        if incremental is None and daily is None and full is None:
            continue  # those steps were skipped
        lines.append(
            f"- {small.label} → {large.label} (raw rows x{_num(rows, 1)}, history and new "
            f"day alike): incremental build "
            f"x{_num(incremental, 2)}, `make daily` x{_num(daily, 2)}, full build x{_num(full, 2)}."
        )
    return lines


def threads_table(results: Sequence[SizeResult]) -> list[str]:
    for result in results:
        one, two = result.steps.get("build_threads_1"), result.steps.get("build_threads_2")
        if one or two:
            return [
                f"Full `dbt build` at {result.label} by dbt thread count:",
                "",
                "| dbt --threads | build (s) | peak RSS (MB) |",
                "|---:|---:|---:|",
                f"| 1 | {_seconds(one)} | {_rss(one)} |",
                f"| 2 | {_seconds(two)} | {_rss(two)} |",
            ]
    return []


def daily_lines(result: SizeResult) -> list[str]:
    """The --daily-runs section: build time and file size, run after run."""
    sizes, step = result.daily_file_mb, result.steps.get("daily_build")
    if not sizes or step is None or not step.runs:
        return []
    seconds = [r.seconds for r in step.runs]
    runs, mid = len(seconds), max(len(seconds) // 2, 1)
    history = result.steps.get("daily_build_history")
    return [
        "",
        f"Daily runs at {result.label}: the last {runs} days loaded one day at a time, "
        f"`make daily` (`dbt build` {' '.join(DAILY_ARGS)} with the recent-rows "
        f"test scope) after each (the history build before them, a full `dbt build`, took "
        f"{_seconds(history)} s):",
        "",
        f"| | after history | after run 1 | after run {mid} | after run {runs} |",
        "|---|---:|---:|---:|---:|",
        f"| DuckDB file (MB) | {_num(sizes[0], 1)} | {_num(sizes[1], 1)} | "
        f"{_num(sizes[mid], 1)} | {_num(sizes[-1], 1)} |",
        f"| `make daily` (s) | — | {_num(seconds[0], 1)} | {_num(seconds[mid - 1], 1)} | "
        f"{_num(seconds[-1], 1)} |",
        "",
        f"Median daily build {_num(statistics.median(seconds), 1)} s. After run {runs} the "
        f"file holds {_num(result.daily_compacted_mb, 1)} MB of live data (the same "
        "database copied into a new file).",
    ]


def _seconds_rss(step: Step | None) -> str:
    if step is None or not step.runs:
        return "—"
    seconds, mark = _seconds(step), ""
    if seconds.endswith(" †"):  # a failed run: the mark goes after the figure
        seconds, mark = seconds[: -len(" †")], " †"
    return f"{seconds} s ({_rss(step)} MB){mark}"


def _daily_total(result: SizeResult, daily: str = "core_daily") -> float | None:
    """`make daily`'s dbt build (step `daily`) and its publish (`<daily>_publish`), each
    a median."""
    build, publish = _step_s(result, daily), _step_s(result, f"{daily}_publish")
    return None if build is None or publish is None else build + publish


def contenders_table(results: Sequence[SizeResult]) -> list[str]:
    """Issue 12's side-by-side table: the contenders' median times (peak RSS), the ratios
    against the issue's targets and the equality check of the contenders."""
    shown = [r for r in results if any(r.steps.get(step) for step, _, _ in CONTENDERS)]
    if not shown:
        return []
    labels = [r.label for r in shown]

    def row(name: str, cell: Callable[[SizeResult], str], target: str = "") -> str:
        return f"| {name} | " + " | ".join(cell(r) for r in shown) + f" | {target} |"

    def models(r: SizeResult) -> str:
        return "" if r.core_models is None else f" ({r.core_models} models)"

    lines = [
        "Side by side (issue 12): the same seven core outputs (sessions fact, user daily "
        "activity, DAU/WAU/MAU, day-cohort retention, ordered funnel, daily revenue, quiz "
        "attempt numbers) computed by each contender, interleaved in every repetition; "
        "median wall time (peak RSS):",
        "",
        "| contender | computes | " + " | ".join(labels) + " | target |",
        "|---|---|" + "---:|" * len(labels) + "---|",
    ]
    for step, name, computes in CONTENDERS:
        cells = " | ".join(
            _seconds_rss(r.steps.get(step)) + (models(r) if step == "core_run" else "")
            for r in shown
        )
        lines.append(f"| {name} | {computes} | {cells} | |")
    lines += [
        "",
        "| ratio (same run) | " + " | ".join(labels) + " | target |",
        "|---|" + "---:|" * len(labels) + "---|",
        row(
            "pandas / full build",
            lambda r: _num(_ratio(_step_s(r, "core_pandas"), _step_s(r, "core_build")), 2),
            ">= 1.0",
        ),
        row(
            "`dbt run` (7 + parents) / floor",
            lambda r: _num(_ratio(_step_s(r, "core_run"), _step_s(r, "core_floor")), 2, "x"),
            "<= 1.3x",
        ),
        row(
            "`make daily` (dbt) / full build",
            lambda r: _num(_percent(_step_s(r, "core_daily"), _step_s(r, "core_build")), 0, " %"),
            "<= 10 %",
        ),
        row(
            "`make daily` (dbt + publish) / full build",
            lambda r: _num(_percent(_daily_total(r), _step_s(r, "core_build")), 0, " %"),
            "<= 10 %",
        ),
        row(
            "floor = marts (row for row)",
            lambda r: r.equality.get("floor", "—"),
            "7/7 equal",
        ),
        row(
            "pandas = marts (row for row)",
            lambda r: r.equality.get("pandas", "—"),
            "7/7 equal",
        ),
    ]
    for r in shown:
        per_run = _contender_runs(r)
        if per_run:
            lines += ["", f"Per repetition at {r.label}: " + "; ".join(per_run) + "."]
    ordered = sorted(shown, key=lambda r: r.rows or r.target_rows)
    growth = [
        f"- `make daily` {small.label} → {large.label} (raw rows "
        f"x{_num(_ratio(large.rows, small.rows), 1)}): "
        f"x{_num(_ratio(_step_s(large, 'core_daily'), _step_s(small, 'core_daily')), 2)} "
        f"(dbt), x{_num(_ratio(_daily_total(large), _daily_total(small)), 2)} "
        "(dbt + publish; history and new day both grow: the growth target's measure, "
        "at a constant daily volume, is the history-growth table)."
        for small, large in zip(ordered, ordered[1:], strict=False)
    ]
    if growth:
        lines += ["", *growth]
    return lines


def _growth_row(
    name: str, small: float | None, long: float | None, digits: int, target: str = ""
) -> str:
    return (
        f"| {name} | {_num(small, digits)} | {_num(long, digits)} | "
        f"x{_num(_ratio(long, small), 2)} |{' ' + target if target else ''} |"
    )


def _growth_steps(result: SizeResult, name: str) -> tuple[float | None, float | None]:
    return _step_s(result, f"growth_small_{name}"), _step_s(result, f"growth_long_{name}")


def growth_table(results: Sequence[SizeResult]) -> list[str]:
    """The history-growth step (issue 12's growth target): the smallest size's data set
    against a size's rows over a history as many times longer, side by side."""
    lines: list[str] = []
    for r in results:
        small, long = r.growth.get("small"), r.growth.get("long")
        if not small or not long:
            continue
        small_label = size_label(small["target_rows"])
        factor = _ratio(long["days"] - 1, small["days"] - 1)
        daily_small, daily_long = _growth_steps(r, "daily")
        build_small, build_long = _growth_steps(r, "build_history")
        lines += [
            f"History growth at a constant daily volume (issue 12: `make daily` grows < 1.3x "
            f"when history grows 10x): the {small_label} data set ({small['days'] - 1} + 1 "
            f"days) against {r.label} rows over {long['days'] - 1} + 1 days (history "
            f"x{_num(factor, 1)}), both ending on the same day, so the new day is about as "
            "large in both; `make daily` interleaved in each repetition, medians (the "
            "history builds: one run each):",
            "",
            f"| | {small_label}, {small['days'] - 1} + 1 days | {r.label}, "
            f"{long['days'] - 1} + 1 days | ratio | target |",
            "|---|---:|---:|---:|---|",
            _growth_row("raw rows", small["rows"], long["rows"], 0),
            _growth_row("rows in the new day", small["new_day_rows"], long["new_day_rows"], 0),
            _growth_row("full `dbt build` of the history (s)", build_small, build_long, 1),
            _growth_row("`make daily`: dbt build (s)", daily_small, daily_long, 1, "< 1.3x"),
            _growth_row("`make daily`: publish (s)", *_growth_steps(r, "daily_publish"), 1),
            _growth_row(
                "`make daily`: dbt build + publish (s)",
                _daily_total(r, "growth_small_daily"),
                _daily_total(r, "growth_long_daily"),
                1,
                "< 1.3x",
            ),
            f"| `make daily` (dbt) / full build of the history | "
            f"{_num(_percent(daily_small, build_small), 0, ' %')} | "
            f"{_num(_percent(daily_long, build_long), 0, ' %')} | | <= 10 % |",
        ]
        pairs = _growth_pairs(r)
        if pairs:
            lines += [
                "",
                "Per repetition, `make daily` long / small: "
                + ", ".join(
                    f"x{_num(build, 2)} (with the publish x{_num(total, 2)})"
                    for build, total in pairs
                )
                + ".",
            ]
    return lines


def _run_seconds(result: SizeResult, step: str) -> list[float | None]:
    """A step's seconds in each repetition, in order (None for a failed run)."""
    found = result.steps.get(step)
    return [run.seconds if run.ok else None for run in found.runs] if found else []


def _paired_ratios(tops: list[float | None], bottoms: list[float | None]) -> list[float | None]:
    """Each repetition's ratio, the n-th run of one step over the n-th of another (None
    where either failed); as many as both steps have runs."""
    return [_ratio(top, bottom) for top, bottom in zip(tops, bottoms, strict=False)]


def _contender_runs(result: SizeResult) -> list[str]:
    """The side-by-side ratios within each repetition (the contenders run interleaved,
    so a step's n-th run pairs with the other steps' n-th): the medians of the table
    can come from different repetitions, these cannot. Empty with fewer than 2 runs."""
    if len(_run_seconds(result, "core_build")) < 2:
        return []

    def per_run(numerator: str, denominator: str) -> list[float | None]:
        return _paired_ratios(_run_seconds(result, numerator), _run_seconds(result, denominator))

    def joined(values: list[float | None], digits: int, suffix: str) -> str:
        return ", ".join(_num(v, digits, suffix) for v in values) or "—"

    daily = [None if v is None else v * 100 for v in per_run("core_daily", "core_build")]
    return [
        f"pandas / full build {joined(per_run('core_pandas', 'core_build'), 2, '')}",
        f"`dbt run` / floor {joined(per_run('core_run', 'core_floor'), 2, 'x')}",
        f"`make daily` (dbt) / full build {joined(daily, 0, ' %')}",
    ]


def _growth_pairs(result: SizeResult) -> list[tuple[float | None, float | None]]:
    """The long / small ratios of each repetition: the dbt build, and with the publish
    (only when every daily build had its publish, so the runs pair up)."""

    def with_publish(builds: list[float | None], publishes: list[float | None]) -> list:
        if len(publishes) != len(builds):
            return [None] * len(builds)
        return [
            None if None in pair else pair[0] + pair[1]
            for pair in zip(builds, publishes, strict=True)
        ]

    small = _run_seconds(result, "growth_small_daily")
    long = _run_seconds(result, "growth_long_daily")
    small_total = with_publish(small, _run_seconds(result, "growth_small_daily_publish"))
    long_total = with_publish(long, _run_seconds(result, "growth_long_daily_publish"))
    return list(
        zip(_paired_ratios(long, small), _paired_ratios(long_total, small_total), strict=True)
    )


def environment() -> dict[str, str]:
    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "?"

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        memory = f"{int(first[1]) / 2**20:.0f} GB RAM"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {memory}, {platform.system()} {platform.machine()}",
        "load": "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()),
        "versions": (
            f"Python {platform.python_version()}, dbt-core {version('dbt-core')}, "
            f"dbt-duckdb {version('dbt-duckdb')}, duckdb {duckdb.__version__}"
        ),
        "commit": commit or "?",
    }


def render(results: Sequence[SizeResult], opts: Options, env: dict[str, str]) -> str:
    labels = [r.label for r in results]
    lines = [
        "# Benchmark results",
        "",
        f"Run {env['date']} on {env['machine']} (load average at start {env['load']}, "
        f"at end {env.get('load_end', '?')}); "
        f"{env['versions']}; commit {env['commit']}.",
        f"`python -m behavior.bench --sizes {','.join(labels)} --repeat {opts.repeat}"
        f"{' --skip ' + ','.join(sorted(opts.skip)) if opts.skip else ''}`: "
        f"medians of {opts.repeat} runs, dbt --threads {opts.threads}, "
        f"{opts.days} + 1 days of data. What each figure means: bench/README.md.",
        "",
        "| metric | " + " | ".join(labels) + " |",
        "|---|" + "---:|" * len(labels),
    ]
    for name, cell in METRICS:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")
    if any(step.failed for r in results for step in r.steps.values()):
        lines += ["", "† at least one run exited non-zero (failed tests?): see the logs."]
    for result in results:
        if result.error:
            lines += ["", f"**{result.label} incomplete**, {result.error}"]
    growth = growth_lines(results)
    if growth:
        lines += ["", "Growth between sizes:", "", *growth]
    threads = threads_table(results)
    if threads:
        lines += ["", *threads]
    contenders = contenders_table(results)
    if contenders:
        lines += ["", *contenders]
    history_growth = growth_table(results)
    if history_growth:
        lines += ["", *history_growth]
    for result in results:
        lines += daily_lines(result)
    return "\n".join(lines) + "\n"


def result_from_dict(data: dict) -> SizeResult:
    """A SizeResult back from its results.json form (dataclasses.asdict)."""
    fields = dict(data)
    steps = fields.pop("steps", {})
    result = SizeResult(**fields)
    result.steps = {
        name: Step([Measurement(**run) for run in step["runs"]]) for name, step in steps.items()
    }
    return result


def render_saved(saved: Path, opts: Options) -> str:
    """The report of an earlier run again, from its results.json (after the report's
    format changed); --repeat, --days, --threads and --skip must be that run's."""
    try:
        data = json.loads(saved.read_text())
        results = [result_from_dict(item) for item in data["results"]]
        env = data["environment"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"--render-from {saved}: not a bench results.json ({exc})") from exc
    return render(results, opts, env)
