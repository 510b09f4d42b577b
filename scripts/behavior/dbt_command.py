"""`behavior dbt ARGS`: dbt's own command line, with Python's garbage collector tuned
and the manifest written once.

Runs `dbt ARGS` in this process, exactly as the `dbt` command would (same arguments,
output and exit status), after one change to Python's cyclic garbage collector: each
full collection's survivors are frozen (`gc.freeze()`), so later full collections
skip them instead of walking them again.

Why: dbt-core keeps its manifest alive for the whole invocation (about 200,000 of
the objects the collector tracks, for this project), and each full collection (nine
in a build of the sample) walked every one of them: about 1.0 s of that build's 1.5
s of collecting, all of it holding the interpreter lock that every dbt thread needs
(bench/profile-2026-12-07g.md). Memory is freed as before: reference counting frees
every object that is not in a reference cycle; only a cycle among frozen objects
that becomes garbage later is never collected (the sample build's peak RSS did not
change).

`make` runs every DuckDB dbt command through this (the Makefile's DBT), and so do
the bench's dbt steps and `behavior reprocess`; a plain `dbt` works the same,
without the tuning. The Spark target keeps the plain `dbt` (SPARK_DBT): its session
runs a JVM inside dbt's process whose objects py4j frees when Python collects their
proxies, and a frozen proxy would never be collected.

A second change: the manifest is written once per invocation, not twice. dbt writes
target/manifest.json (and semantic_manifest.json) right after parsing and, in the
commands that run a graph of nodes (END_WRITERS: build, run, test, seed, snapshot,
compile), again at the end, over the first copy: about 0.25 s each at this project's
size. In those commands the write after parsing waits: the end writes the manifest
as before, and if the command stops before its end (an error that ends the run, such
as a database file that cannot be opened), the waiting write is made when dbt
returns. The files left behind are the ones dbt leaves; only a reader of the target
folder during the run would see the previous invocation's manifest (none does:
`behavior` reads it after dbt returns). Every other command (`parse`, `list`, `docs
generate`, which may read the file back) writes it right after parsing, as dbt does.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import Any

OLDEST_GENERATION = 2  # a full collection (CPython 3.11-3.13 have generations 0-2)
# dbt commands whose task writes the manifest again at its end (GraphRunnableTask.run).
END_WRITERS = frozenset({"build", "compile", "run", "seed", "snapshot", "test"})


def command(*dbt_args: str) -> list[str]:
    """The command line of `behavior dbt DBT_ARGS` with this interpreter, as a
    subprocess runs it (the bench, `behavior reprocess`, the tests)."""
    return [sys.executable, "-m", "behavior.cli", "dbt", *dbt_args]


def freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    """gc.callbacks hook: after a full collection, freeze what survived it."""
    if phase == "stop" and info["generation"] == OLDEST_GENERATION:
        gc.freeze()


class ManifestWrites:
    """One write of the manifest per invocation (the module's docstring says why).

    `after_parse` replaces the write_manifest that dbt's parse_manifest calls (module
    dbt.parser.manifest): in a command named in END_WRITERS it only remembers its
    arguments, in any other it writes. `at_end` replaces the one the end of a graph
    task calls (dbt.task.runnable): it writes, and forgets the remembered write.
    `flush` makes a remembered write that no end made. `command` names the running
    dbt command (dbt's flags.WHICH)."""

    def __init__(self, write: Callable[..., None], command: Callable[[], str | None]) -> None:
        self.write = write
        self.command = command
        self.pending: tuple[tuple, dict] | None = None

    def after_parse(self, *args: Any, **kwargs: Any) -> None:
        if self.command() in END_WRITERS:
            self.pending = (args, kwargs)
        else:
            self.write(*args, **kwargs)

    def at_end(self, *args: Any, **kwargs: Any) -> None:
        self.pending = None
        self.write(*args, **kwargs)

    def flush(self) -> None:
        if self.pending is not None:
            args, kwargs = self.pending
            self.pending = None
            self.write(*args, **kwargs)


def write_manifest_once() -> ManifestWrites | None:
    """Install ManifestWrites into dbt's modules; None (dbt unchanged) when this dbt
    has not the two call sites it was written for."""
    from dbt.flags import get_flags
    from dbt.parser import manifest as parser
    from dbt.task import runnable

    write = getattr(parser, "write_manifest", None)
    if write is None or getattr(runnable, "write_manifest", None) is not write:
        return None
    writes = ManifestWrites(write, lambda: getattr(get_flags(), "WHICH", None))
    parser.write_manifest = writes.after_parse
    runnable.write_manifest = writes.at_end
    return writes


def run(dbt_args: list[str]) -> int:
    """dbt's command line on dbt_args; its exit status."""
    gc.callbacks.append(freeze_survivors)
    from dbt.cli.main import cli  # imported only when the command runs

    writes = write_manifest_once()
    sys.argv = ["dbt", *dbt_args]
    try:
        status = cli()  # as the `dbt` script's sys.exit(cli()): click exits itself
    except SystemExit as exit_:
        status = exit_.code
    finally:
        if writes is not None:
            writes.flush()
    if status is None or isinstance(status, int):
        return status or 0
    print(status, file=sys.stderr)
    return 1


def register(subparsers: Any, name: str) -> None:
    # Listed for `behavior --help`; behavior.cli hands the arguments over unparsed.
    subparsers.add_parser(name, add_help=False)
