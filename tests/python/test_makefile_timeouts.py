"""Every long command of the Makefile runs under `timeout` (issue 11: `make lint` had none)."""

from __future__ import annotations

import re

from conftest import ROOT

LONG = re.compile(r"\$\(BIN\)/|\$\(UV\)|apt-get |pip install")


def test_every_long_make_command_runs_under_a_timeout() -> None:
    recipe_lines = [
        line.strip()
        for line in (ROOT / "Makefile").read_text().splitlines()
        if line.startswith("\t")
    ]
    commands = [
        part.strip()
        for line in recipe_lines
        for part in re.split(r"&&|;|\|\|", line)
        if LONG.search(part)
    ]
    assert any("sqlfluff" in c for c in commands)  # the lint line is among them
    unbounded = [c for c in commands if not re.search(r"(^|\s)timeout \$\(\w+_TIMEOUT\)", c)]
    assert not unbounded, unbounded
    # dbt goes through $(DBT), itself a timeout
    assert re.search(r"^DBT := timeout \$\(DBT_TIMEOUT\) ", (ROOT / "Makefile").read_text(), re.M)
