"""The structure check passes on the project and fails when a rule is broken."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from behavior.structure import check
from conftest import ROOT, dbt_env


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    """A fresh manifest from `dbt parse` (no database work)."""
    work = tmp_path_factory.mktemp("parse")
    env = dbt_env(work / "parse.duckdb", work / "target")
    dbt = str(ROOT / ".venv" / "bin" / "dbt")
    subprocess.run([dbt, "parse", "--quiet"], cwd=ROOT, env=env, check=True, timeout=300)
    return json.loads((work / "target" / "manifest.json").read_text())


def _model(manifest: dict, name: str) -> tuple[str, dict]:
    return next(
        (node_id, node)
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["name"] == name
    )


def test_project_passes(manifest):
    assert check(manifest) == []


def test_missing_description_fails(manifest):
    broken = copy.deepcopy(manifest)
    _, node = _model(broken, "stg_app__courses")
    node["description"] = ""
    assert check(broken) == ["stg_app__courses: no description"]


def test_missing_primary_key_test_fails(manifest):
    broken = copy.deepcopy(manifest)
    model_id, _ = _model(broken, "stg_app__courses")
    for node_id, node in list(broken["nodes"].items()):
        meta = node.get("test_metadata") or {}
        if node.get("attached_node") == model_id and meta.get("name") == "unique":
            del broken["nodes"][node_id]
    assert check(broken) == [
        "stg_app__courses: no primary-key test (unique + not_null on one column)"
    ]


def test_wrong_prefix_fails(manifest):
    broken = copy.deepcopy(manifest)
    _, node = _model(broken, "stg_app__courses")
    node["name"] = "courses_cleaned"
    assert check(broken) == ["courses_cleaned: prefix does not match folder staging/ (('stg_',))"]


def test_source_outside_staging_fails(manifest):
    broken = copy.deepcopy(manifest)
    _, node = _model(broken, "stg_app__courses")
    node["original_file_path"] = "models/marts/core/dim_courses.sql"
    node["name"] = "dim_courses"
    assert check(broken) == ["dim_courses: calls source() outside staging"]


def test_reading_sources_and_models_fails(manifest):
    broken = copy.deepcopy(manifest)
    _, node = _model(broken, "stg_app__courses")
    node["depends_on"]["nodes"].append("model.user_behavior.stg_app__modules")
    assert check(broken) == ["stg_app__courses: reads both sources and models"]


def test_command_exit_codes(manifest, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(manifest))
    bad_manifest = copy.deepcopy(manifest)
    _model(bad_manifest, "stg_app__courses")[1]["description"] = " "
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_manifest))
    cli = [sys.executable, "-m", "behavior.cli", "check-structure"]
    assert subprocess.run([*cli, str(good)], capture_output=True).returncode == 0
    result = subprocess.run([*cli, str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "stg_app__courses: no description" in result.stdout
