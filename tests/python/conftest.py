"""Shared pytest fixtures and paths."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from behavior.dbt_command import command as behavior_dbt

ROOT = Path(__file__).resolve().parents[2]
# `behavior load` refuses to run without a pseudonymization secret (behavior.pseudonymize);
# tests load generated data with this one unless they set their own.
TEST_SECRET = "pytest secret for contact keys (not a real one)"
os.environ.setdefault("BEHAVIOR_PSEUDONYMIZATION_SECRET", TEST_SECRET)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


def dbt_env(database: Path, target_path: Path, target: str = "sample") -> dict[str, str]:
    """Environment for a dbt subprocess on its own database file and target dir."""
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(ROOT),
        DBT_PROJECT_DIR=str(ROOT),
        BEHAVIOR_TARGET=target,
        BEHAVIOR_DUCKDB_PATH=str(database),
        DBT_TARGET_PATH=str(target_path),
        DBT_LOG_PATH=str(target_path / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample seeds built once into a private DuckDB file (dbt seed + dbt run), with
    that build's target directory (manifest, semantic manifest). Shared by the modules
    that only read it (report, dashboard, semantic layer, personal data): none may
    write to it."""
    base = tmp_path_factory.mktemp("sample_build")
    database = base / "sample.duckdb"
    env = dbt_env(database, base / "target")
    for command in (["seed", "--quiet"], ["run", "--quiet"]):
        result = subprocess.run(
            behavior_dbt(*command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"database": database, "target": base / "target"}


@pytest.fixture(scope="session")
def first_day_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse's first day: 20 generated users loaded and built, no session, course
    interaction, quiz attempt or commerce event yet (so no complete day). Read only."""
    import shutil

    import incremental_helpers as h

    root = tmp_path_factory.mktemp("first_day")
    h.generate(root / "generated", users=20, days=1, seed=11)
    (root / "users_only").mkdir()
    shutil.copy(root / "generated" / "users.parquet", root / "users_only" / "users.parquet")
    database = root / "first_day.duckdb"
    h.load(root / "users_only", database)
    h.build(database, root / "target")
    return database
