"""Measure one command: wall time and peak resident memory, in a fresh wrapper process.

    python -m behavior.bench.measure --out RESULT.json --log LOG --timeout S -- CMD ...

The wrapper starts CMD as its only child, waits for it and then reads
`getrusage(RUSAGE_CHILDREN).ru_maxrss`: the peak RSS of the largest process it (or
its waited-for descendants) had. A new wrapper per measurement keeps one command's
peak from leaking into the next. The child gets its own process group, so a timeout
stops the command and anything it started. CMD's stdout and stderr go to LOG.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    """One run of one command."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def run_child(
    cmd: Sequence[str], log: Path, timeout: float, cwd: Path | None = None
) -> Measurement:
    """Run `cmd` (this process's only child) and measure it. Call in a fresh process."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), stdout=handle, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )
        timed_out = False
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            returncode = proc.wait()
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kB
    return Measurement(round(seconds, 3), round(peak_kb / 1024.0, 1), returncode, timed_out)


def measure(
    cmd: Sequence[str],
    log: Path,
    result: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Measurement:
    """Measure `cmd` through a fresh wrapper process; the JSON lands in `result`."""
    wrapper = [
        sys.executable,
        "-m",
        "behavior.bench.measure",
        "--out",
        str(result),
        "--log",
        str(log),
        "--timeout",
        str(timeout),
        *(["--cwd", str(cwd)] if cwd else []),
        "--",
        *cmd,
    ]
    result.parent.mkdir(parents=True, exist_ok=True)
    result.unlink(missing_ok=True)
    # The wrapper enforces the timeout; this outer one only guards a stuck wrapper.
    subprocess.run(wrapper, env=dict(env) if env is not None else None, timeout=timeout + 120)
    return Measurement(**json.loads(result.read_text()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m behavior.bench.measure", description=__doc__)
    parser.add_argument("--out", required=True, type=Path, help="where to write the JSON result")
    parser.add_argument("--log", required=True, type=Path, help="the command's output")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before the kill")
    parser.add_argument("--cwd", type=Path, help="working directory of the command")
    parser.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("give the command after --")
    measurement = run_child(cmd, args.log, args.timeout, args.cwd)
    args.out.write_text(json.dumps(asdict(measurement)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
