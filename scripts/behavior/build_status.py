"""Where the warehouse files are, and whether the last dbt build of one passed.

Every dbt command that writes or tests the warehouse (build, run, seed, snapshot,
test) records itself in the file it builds, in `ops.dbt_invocations` (macro
record_invocation, on-run-start / on-run-end hooks): status 'running' at the start,
'passed' or 'failed' (with the failing nodes) at the end. A build killed before its
end stays 'running'. We read that table rather than target/run_results.json: it
always describes this very file (not the last target/ written by whichever command
and database), and `dbt compile`, `ls`, `docs generate` or `show`, which run no
hooks, never count.

A build file is *publishable* when its last complete build (`dbt build` without
--select / --exclude / --selector; `make daily`'s --exclude-resource-type is complete)
passed and every command after it is a `build` or `test` that passed too: a partial
build or a `dbt test` may follow, but a failed one, an unfinished one, or a
`dbt run` / `seed` / `snapshot` (which change tables without testing them) may not.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from behavior.errors import UserError
from behavior.warehouse_file import has_relation

STATUS_TABLE = "ops.dbt_invocations"
TARGET_FILES = {"sample": "warehouse/sample.duckdb", "warehouse": "warehouse/behavior.duckdb"}
PASSED = "passed"
TESTED_COMMANDS = ("build", "test")


def default_build_database() -> Path:
    """The file dbt builds: $BEHAVIOR_DUCKDB_PATH, else the file of $BEHAVIOR_TARGET."""
    if os.environ.get("BEHAVIOR_DUCKDB_PATH"):
        return Path(os.environ["BEHAVIOR_DUCKDB_PATH"])
    target = os.environ.get("BEHAVIOR_TARGET", "sample")
    return Path(TARGET_FILES.get(target, TARGET_FILES["sample"]))


def serving_path(build_database: Path) -> Path:
    """The serving file beside a build file: warehouse/x.duckdb -> warehouse/x.serving.duckdb."""
    return build_database.with_name(f"{build_database.stem}.serving{build_database.suffix}")


def lock_holder(message: str) -> str:
    """'(pid N)' from DuckDB's "Conflicting lock is held in PROGRAM (PID N)" message."""
    match = re.search(r"held in (\S+) \(PID (\d+)\)", message)
    return f"pid {match.group(2)}, {match.group(1)}" if match else "pid unknown"


def is_lock_error(exc: BaseException) -> bool:
    return "Conflicting lock" in str(exc) or "Could not set lock" in str(exc)


def locked_message(database: Path, exc: BaseException) -> str:
    return (
        f"{database} is locked by another process ({lock_holder(str(exc))}): "
        "close it or point BI at the serving file"
    )


@dataclass
class Invocation:
    invocation_id: str
    command: str
    is_complete_selection: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    failed_nodes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        scope = "" if self.is_complete_selection else " (partial selection)"
        return f"dbt {self.command}{scope} started {self.started_at:%Y-%m-%d %H:%M:%S} UTC"

    def failure(self) -> str:
        """'The last dbt build, started ..., failed: nodes' (or 'never finished')."""
        scope = "" if self.is_complete_selection else " (partial selection)"
        head = f"The last dbt {self.command}{scope}, started {self.started_at:%Y-%m-%d %H:%M} UTC,"
        if self.status == "running":
            return f"{head} never finished (still running, or killed)"
        return f"{head} failed: {', '.join(self.failed_nodes) or 'unknown nodes'}"


@dataclass
class BuildStatus:
    """The invocations recorded in one build file, oldest first, and what they mean."""

    database: Path
    invocations: list[Invocation]

    @property
    def latest(self) -> Invocation | None:
        return self.invocations[-1] if self.invocations else None

    @property
    def last_failed(self) -> bool:
        """The latest dbt command did not pass (failed, or never finished)."""
        return self.latest is not None and self.latest.status != PASSED

    def last_complete_build(self) -> Invocation | None:
        for invocation in reversed(self.invocations):
            if invocation.command == "build" and invocation.is_complete_selection:
                return invocation
        return None

    def blocking_reason(self) -> str | None:
        """Why the file must not be published; None when it may be."""
        latest = self.latest
        if latest is not None and latest.status != PASSED:
            return latest.failure()
        base = self.last_complete_build()
        if base is None:
            return f"no complete `dbt build` is recorded in {self.database}"
        for invocation in self.invocations[self.invocations.index(base) :]:
            if invocation.status == "running":
                return f"{invocation.describe()} never finished (still running, or killed)"
            if invocation.status != PASSED:
                nodes = ", ".join(invocation.failed_nodes) or "unknown nodes"
                return f"{invocation.describe()} failed: {nodes}"
            if invocation.command not in TESTED_COMMANDS:
                return (
                    f"{invocation.describe()} changed the warehouse after the last build "
                    "without testing it: run `dbt build`"
                )
        return None

    def published_build(self) -> Invocation:
        """The invocation a publish stands for (the latest one, all of them having passed)."""
        assert self.latest is not None
        return self.latest


def read_status(con: duckdb.DuckDBPyConnection, database: Path, catalog: str) -> BuildStatus:
    """The invocations recorded in the attached build file `catalog`."""
    if not has_relation(con, "ops", "dbt_invocations", catalog):
        return BuildStatus(database, [])
    rows = con.execute(
        f"select invocation_id, command, is_complete_selection, started_at, finished_at, "
        f'status, coalesce(failed_nodes, []) from "{catalog}".{STATUS_TABLE} '
        "order by started_at, invocation_id"
    ).fetchall()
    return BuildStatus(database, [Invocation(*row) for row in rows])


def catalog_name(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchone()[0]


def load_status(database: Path) -> BuildStatus:
    """Open `database` read-only and read its build status; UserError when it cannot."""
    if not database.is_file():
        raise UserError(f"no build file at {database}: run `make build` first")
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            return read_status(con, database, catalog_name(con))
    except duckdb.Error as exc:
        if is_lock_error(exc):
            raise UserError(
                f"{database} is being written by another process ({lock_holder(str(exc))}), "
                "probably a dbt build: try again when it ends"
            ) from exc
        raise UserError(f"cannot read {database} as a DuckDB warehouse: {exc}") from exc


def bi_file(database: Path) -> Path:
    """The file BI tools open for `database`: itself when it is a serving file (it has
    the meta table), else the serving file beside the build file (`serving_path`)."""
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            if has_relation(con, "main", "meta", catalog_name(con)):
                return database
    except duckdb.Error:
        pass
    return serving_path(database)


def report_warning(database: Path) -> str | None:
    """A banner for reports read from `database` when the last build failed, else None.

    `database` is a serving file (its meta table names the build file, whose status
    is read) or a build file (its own status). An unreadable or locked build file, or
    one without recorded builds, gives no banner: nothing is known to have failed.
    """
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            catalog = catalog_name(con)
            if has_relation(con, "main", "meta", catalog):
                source, built_at, day = con.execute(
                    "select source_database, built_at, latest_complete_day from main.meta"
                ).fetchone()
                status = None
            else:
                status = read_status(con, database, catalog)
    except duckdb.Error:
        return None
    if status is None:
        try:
            status = load_status(Path(source))
        except UserError:
            return None
        if not status.last_failed:
            return None
        return (
            f"{status.latest.failure()}. This report shows the last published build "
            f"(finished {built_at:%Y-%m-%d %H:%M} UTC, latest complete day {day})."
        )
    if not status.last_failed:
        return None
    return (
        f"{status.latest.failure()}. The figures below come from this build file, "
        "which did not pass its tests."
    )
