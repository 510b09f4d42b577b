"""Shared pytest fixtures and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
