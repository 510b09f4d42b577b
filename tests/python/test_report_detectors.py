"""Known-answer tests of the recommendation detectors (rpt_recommendations).

Two small generated data sets with the same seed: one with every planted effect of the
generator (`--plant all`, entities in its _manifest.json), one without. Each planted effect
must be found with the right entity and direction; without plants those detectors stay
quiet. 1,500 users x 42 days: the payment spike only touches card payments on android
(about 1 attempt in 10), so fewer users leave the z-test without the power to see it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from behavior.dbt_command import command as behavior_dbt
from conftest import ROOT, dbt_env

BIN = Path(sys.executable).parent
GENERATE = ["--users", "1500", "--days", "42", "--start", "2026-09-01", "--seed", "7"]

pytestmark = pytest.mark.slow


def run(command: list[str], env: dict | None = None) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])


def build(base: Path, plant: bool) -> tuple[Path, dict]:
    raw = base / "raw"
    database = base / "warehouse.duckdb"
    extra = ["--plant", "all"] if plant else []
    run([str(BIN / "behavior"), "generate", *GENERATE, "--out", str(raw), "--format", "csv",
         "--quiet", *extra])  # fmt: skip
    run([str(BIN / "behavior"), "load", str(raw), "--database", str(database)])
    env = dbt_env(database, base / "target", target="warehouse")
    run(behavior_dbt("seed", "--quiet"), env)
    run(behavior_dbt("run", "--quiet"), env)
    manifest = json.loads((raw / "_manifest.json").read_text())
    return database, manifest


def findings(database: Path, detector: str) -> list[dict]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        frame = con.execute(
            "select * from reports.rpt_recommendations where detector = ?", [detector]
        ).df()
    finally:
        con.close()
    return frame.to_dict("records")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return build(tmp_path_factory.mktemp("planted"), plant=True)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("clean"), plant=False)[0]


def test_payment_failure_spike_is_found(planted: tuple[Path, dict]) -> None:
    database, manifest = planted
    spike = manifest["planted"]["payment_failure_spike"]
    rows = findings(database, "payment_failure_jump")
    hits = [
        r
        for r in rows
        if r["entity_type"] == "payment_method"
        and r["entity_id"] == spike["payment_method"]
        and r["breakdown"] == spike["platform"]
    ]
    assert hits, rows
    assert all(r["direction"] == "up" and r["value"] > r["baseline"] for r in hits)
    assert all(str(r["report_date"])[:10] >= spike["from_date"] for r in hits)
    assert {(r["entity_id"], r["breakdown"]) for r in rows} == {
        (spike["payment_method"], spike["platform"])
    }


def test_wishlisted_but_not_bought_course_is_found(planted: tuple[Path, dict]) -> None:
    database, manifest = planted
    course = manifest["planted"]["wishlist_no_buy"]["course_id"]
    rows = findings(database, "course_wishlist_no_buy")
    assert [(r["entity_type"], r["entity_id"], r["direction"]) for r in rows] == [
        ("course", course, "down")
    ]


def test_wrong_answer_key_is_found(planted: tuple[Path, dict]) -> None:
    database, manifest = planted
    bad = manifest["planted"]["bad_answer_key"]
    rows = [r for r in findings(database, "quiz_question_quality")
            if r["breakdown"] == "likely_wrong_key"]  # fmt: skip
    assert [(r["entity_type"], r["entity_id"]) for r in rows] == [
        ("quiz_question", bad["question_id"])
    ]
    assert f"option {bad['true_correct_option']}" in rows[0]["finding"]


def test_detectors_stay_quiet_without_plants(clean: Path) -> None:
    assert findings(clean, "payment_failure_jump") == []
    assert findings(clean, "course_wishlist_no_buy") == []
    wrong_keys = [
        r for r in findings(clean, "quiz_question_quality") if r["breakdown"] == "likely_wrong_key"
    ]
    assert wrong_keys == []
