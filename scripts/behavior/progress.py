"""Short progress lines on stderr for the long commands (generate, load, report).

`Progress(quiet=False, prefix="behavior load")` prints one line per step with the time
since the start, e.g. `behavior load: [3.2s] loading users.csv`; `quiet=True` prints
nothing (errors still go to stderr through the CLI). stdout stays for results.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, quiet: bool = False, prefix: str = "behavior", stream: TextIO | None = None):
        self.quiet = quiet
        self.prefix = prefix
        self.stream = stream
        self.started = time.monotonic()

    def _write(self, text: str) -> None:
        if self.quiet:
            return
        stream = self.stream or sys.stderr
        print(f"{self.prefix}: [{time.monotonic() - self.started:.1f}s] {text}", file=stream)
        stream.flush()

    def step(self, text: str) -> None:
        """One line saying what starts now."""
        self._write(text)

    def done(self, text: str = "") -> None:
        self._write("done" + (f": {text}" if text else ""))
