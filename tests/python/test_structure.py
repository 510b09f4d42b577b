"""The structure check passes on the project and fails when a rule is broken."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from behavior.dbt_command import command as behavior_dbt
from behavior.structure import check
from conftest import ROOT, dbt_env


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    """A fresh manifest from `dbt parse` (no database work)."""
    work = tmp_path_factory.mktemp("parse")
    env = dbt_env(work / "parse.duckdb", work / "target")
    subprocess.run(behavior_dbt("parse", "--quiet"), cwd=ROOT, env=env, check=True, timeout=300)
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


def _rules(manifest: dict, model_id: str) -> list[tuple[dict, list[dict]]]:
    """(test node, its rules) of every columns_valid test on the model."""
    return [
        (node, node["test_metadata"]["kwargs"]["rules"])
        for node in manifest["nodes"].values()
        if node.get("attached_node") == model_id
        and (node.get("test_metadata") or {}).get("name") == "columns_valid"
    ]


NO_PK = "no primary-key test (unique + not_null on one column)"


def test_missing_primary_key_test_fails(manifest):
    broken = copy.deepcopy(manifest)
    model_id, _ = _model(broken, "stg_app__courses")
    found = 0
    for _, rules in _rules(broken, model_id):
        found += sum(rule["rule"] == "unique" for rule in rules)
        rules[:] = [rule for rule in rules if rule["rule"] != "unique"]
    assert found == 1  # the check below could not fail without it
    assert check(broken) == [f"stg_app__courses: {NO_PK}"]


def test_unique_without_not_null_fails(manifest):
    broken = copy.deepcopy(manifest)
    model_id, _ = _model(broken, "stg_app__courses")
    for _, rules in _rules(broken, model_id):
        rules[:] = [
            rule
            for rule in rules
            if not (rule["rule"] == "not_null" and rule["column"] == "course_id")
        ]
    assert check(broken) == [f"stg_app__courses: {NO_PK}"]


def test_a_warn_severity_key_test_does_not_count(manifest):
    broken = copy.deepcopy(manifest)
    model_id, _ = _model(broken, "stg_app__courses")
    for node, _ in _rules(broken, model_id):
        node["config"]["severity"] = "warn"
    assert check(broken) == [f"stg_app__courses: {NO_PK}"]


def test_contract_not_null_constraint_stands_for_not_null(manifest):
    # dim_courses: course_id has a not_null constraint and a unique rule, no not_null rule.
    model_id, node = _model(manifest, "dim_courses")
    assert node["config"]["contract"]["enforced"]
    rules = [rule for _, rules in _rules(manifest, model_id) for rule in rules]
    assert {"column": "course_id", "rule": "unique"} in rules
    assert not [r for r in rules if r["rule"] == "not_null" and r.get("column") == "course_id"]
    assert check(manifest) == []
    broken = copy.deepcopy(manifest)
    _model(broken, "dim_courses")[1]["config"]["contract"]["enforced"] = False
    assert check(broken) == [f"dim_courses: {NO_PK}"]


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


def test_an_error_test_reading_a_model_beside_its_own_fails(manifest):
    # dim_courses__checks holds dim_courses' key and, as warn_rules, its anomaly rules;
    # a rule reading fct_purchases (built from dim_courses' parents, not from it) would
    # make dbt hold a broken course key only against the nodes that read both.
    broken = copy.deepcopy(manifest)
    model_id, _ = _model(broken, "dim_courses")
    (node, _), *others = _rules(broken, model_id)
    assert not others and node["name"] == "dim_courses__checks"
    node["depends_on"]["nodes"].append(_model(broken, "fct_purchases")[0])
    assert check(broken) == [
        "dim_courses__checks: an error test of dim_courses reads fct_purchases, not "
        "upstream of it (a broken key would no longer stop the nodes that do not read it: "
        "give that rule a test of its own)"
    ]
    # an upstream model is fine: stg_app__courses feeds dim_courses
    fine = copy.deepcopy(manifest)
    model_id, _ = _model(fine, "dim_courses")
    (node, _), *_ = _rules(fine, model_id)
    node["depends_on"]["nodes"].append(_model(fine, "stg_app__courses")[0])
    assert check(fine) == []


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


def test_a_key_unique_by_construction_needs_its_upstream_keys_tested(manifest):
    # fct_user_events (a view) has no unique rule: its key is built from the keys it
    # names in meta primary_key_from. One of them untested, or not a key, fails.
    model_id, node = _model(manifest, "fct_user_events")
    assert not any(
        rule["rule"] == "unique" for _, rules in _rules(manifest, model_id) for rule in rules
    )
    for entry in ("stg_app__quiz_attempts.quiz_id", "no_such_model.id", "stg_app__users"):
        broken = copy.deepcopy(manifest)
        _, node = _model(broken, "fct_user_events")
        node["config"]["meta"]["primary_key_from"][0] = entry
        assert check(broken) == [f"fct_user_events: {NO_PK}"], entry
    broken = copy.deepcopy(manifest)
    stg_id, _ = _model(broken, "stg_app__users")
    for _, rules in _rules(broken, stg_id):
        rules[:] = [rule for rule in rules if rule["rule"] != "unique"]
    assert sorted(check(broken)) == [f"fct_user_events: {NO_PK}", f"stg_app__users: {NO_PK}"]
