"""Interleaved timing of the daily run's dbt build, for A/B and growth comparisons by
hand (what `make bench` times as `make daily`, without the bench).

usage: python new_day_runs.py ROUNDS WORKDIR SPEC [SPEC ...]
  SPEC  LABEL=PROJECT_DIR,TEMPLATE,NEW_DAY   after one new day
        LABEL=PROJECT_DIR,DATABASE           on a built file as it is
        PROJECT_DIR  a checkout of the project (e.g. `git worktree add` of a commit)
        TEMPLATE     a built warehouse file (a bench's templates/history_built.duckdb
                     or growth_*_history_built.duckdb, kept with `--keep`)
        NEW_DAY      the folder of the day to load (the bench's inc/new)
        DATABASE     a built warehouse file, written in place: with nothing new
                     loaded, every node runs and has no row to add

With a TEMPLATE, each run copies it to WORKDIR/<LABEL>/db/bench.duckdb and loads
NEW_DAY into it with `behavior load` (neither is timed). Each run then times the
daily run's command from PROJECT_DIR: `dbt build --exclude-resource-type unit_test
--log-level-file info` (through `behavior dbt` when PROJECT_DIR has it, as its
Makefile runs dbt, with PROJECT_DIR's `behavior` package first on the path) with
BEHAVIOR_TEST_RECENT_ONLY=true, target `warehouse`, 2 threads, its own target folder
per label (so from the second run on the parse is partial, as in a daily cycle). One
warm-up round first (on a DATABASE it also rebuilds what the other side materializes
differently), then ROUNDS rounds, the spec order reversed in every other round.
Prints one line per run (process wall time, dbt's elapsed time, the sum of node
times) and each label's medians over the timed rounds.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

VENV = Path(__file__).resolve().parents[2] / ".venv" / "bin"


def run(label: str, project: Path, files: list[Path], workdir: Path) -> tuple:
    folder = workdir / label
    template, new_day = files if len(files) == 2 else (None, None)
    database = files[0]
    if template is not None:
        shutil.rmtree(folder / "db", ignore_errors=True)
        (folder / "db").mkdir(parents=True)
        database = folder / "db" / "bench.duckdb"
        shutil.copyfile(template, database)
        os.sync()
    env = {
        **os.environ,
        "BEHAVIOR_TARGET": "warehouse",
        "BEHAVIOR_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(project),
        "DBT_PROJECT_DIR": str(project),
        # PROJECT_DIR's own Python package, not the one this venv installed
        "PYTHONPATH": str(project / "scripts"),
    }
    if new_day is not None:
        load = [str(VENV / "python"), "-m", "behavior.cli", "load", str(new_day)]
        load += ["--database", str(database), "--demo-secret", "--quiet"]
        subprocess.run(load, env=env, cwd=project, check=True, stdout=subprocess.DEVNULL)
    target = folder / "target"
    # As PROJECT_DIR's Makefile runs dbt: through `behavior dbt` where it has it.
    if (project / "scripts" / "behavior" / "dbt_command.py").exists():
        dbt = [str(VENV / "python"), "-m", "behavior.cli", "dbt"]
    else:
        dbt = [str(VENV / "dbt")]
    build = [*dbt, "build", "--exclude-resource-type", "unit_test"]
    build += ["--log-level-file", "info", "-q", "--target-path", str(target)]
    start = time.perf_counter()
    done = subprocess.run(
        build,
        env={**env, "BEHAVIOR_TEST_RECENT_ONLY": "true"},
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    results = json.loads((target / "run_results.json").read_text())
    node = sum(result["execution_time"] for result in results["results"])
    print(
        f"{label} wall {wall:.2f} s  dbt {results['elapsed_time']:.2f} s  "
        f"node {node:.2f} s  exit {done.returncode}",
        flush=True,
    )
    return wall, results["elapsed_time"], node


def main(rounds: int, workdir: Path, specs: list[str]) -> None:
    parsed = []
    for spec in specs:
        label, paths = spec.split("=", 1)
        project, *files = (Path(part).resolve() for part in paths.split(","))
        if len(files) not in (1, 2):
            raise SystemExit(f"{spec}: give PROJECT_DIR,TEMPLATE,NEW_DAY or PROJECT_DIR,DATABASE")
        parsed.append((label, project, files))
    times: dict[str, list[tuple]] = {label: [] for label, *_ in parsed}
    for round_number in range(rounds + 1):  # round 0 is the warm-up
        order = parsed if round_number % 2 == 0 else parsed[::-1]
        for label, project, files in order:
            figures = run(label, project, files, workdir)
            if round_number:
                times[label].append(figures)
    for label, figures in times.items():
        wall, dbt, node = (statistics.median(column) for column in zip(*figures, strict=True))
        print(
            f"{label}: medians over {rounds} rounds: "
            f"wall {wall:.2f} s, dbt {dbt:.2f} s, node {node:.2f} s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
