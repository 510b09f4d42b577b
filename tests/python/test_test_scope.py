"""The daily run's test scope (macro get_where_subquery) and its parse cache.

With BEHAVIOR_TEST_RECENT_ONLY=true (`make daily`), a data test on a model whose meta
names a `test_window_column` reads only that model's rows within the lookback of the
column's newest value; tests on other models, and every test without the switch, read
the whole model. Checked on the SQL dbt compiles for five tests (the equality proof
runs the scoped tests for real). Tests on a raw event table are scoped on its
loaded_at_field (received_at), those on a catalog table are not.

The switch is read at execution, so a daily run after a full one reuses dbt's
partial-parse cache: the daily compile below must not re-parse the project (before,
`make daily` passed --vars, and every run after a `dbt seed` parsed from scratch).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import incremental_helpers as h

TESTS = {
    # test name -> the window column of its model (None: no window)
    "stg_app__session_screen_views__checks": "received_at",
    "fct_app_sessions__checks": "last_received_at",
    "dim_users__checks": None,
    # a raw event table's checks: its loaded_at_field
    "source_app__user_app_sessions__checks": "received_at",
    # a catalog table has none
    "source_app__courses__checks": None,
}
FULL_PARSE = "Unable to do partial parsing"
PARTIAL_PARSE = "Partial parsing enabled"


def _compiled(target_path: Path) -> dict[str, str]:
    found = {}
    for name in TESTS:
        paths = list((target_path / "compiled").rglob(f"{name}.sql"))
        assert len(paths) == 1, f"{name}: compiled file not found once: {paths}"
        found[name] = " ".join(paths[0].read_text().split())
    return found


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Full mode, then daily mode, in one target dir (one parse cache), as a full
    build followed by `make daily` would run."""
    root = tmp_path_factory.mktemp("scope")
    target_path = root / "target"
    result: dict[str, dict[str, str]] = {}
    for mode, env in (("full", None), ("daily", h.DAILY_ENV)):
        proc = h.run_dbt(
            ["--debug", "compile", "--select", *TESTS],
            root / "empty.duckdb",
            target_path,
            extra_env=env,
        )
        result[mode] = _compiled(target_path)
        result[mode]["__log__"] = proc.stdout
    return result


@pytest.mark.parametrize("name", list(TESTS))
def test_full_builds_test_every_row(compiled: dict[str, dict[str, str]], name: str) -> None:
    assert "dbt_subquery" not in compiled["full"][name]


@pytest.mark.parametrize("name", list(TESTS))
def test_daily_runs_test_recent_rows_of_incremental_models(
    compiled: dict[str, dict[str, str]], name: str
) -> None:
    sql = compiled["daily"][name]
    column = TESTS[name]
    if column is None:
        assert "dbt_subquery" not in sql
    else:
        assert f"where {column} > (select" in sql
        assert f"max({column}) + cast(-72 as bigint) * interval 1 hour" in sql


def test_first_run_parses_the_whole_project(compiled: dict[str, dict[str, str]]) -> None:
    # The check below could not fail if the log never said which parse it did.
    assert FULL_PARSE in compiled["full"]["__log__"]


def test_daily_run_after_a_full_run_parses_partially(compiled: dict[str, dict[str, str]]) -> None:
    log = compiled["daily"]["__log__"]
    assert FULL_PARSE not in log, [line for line in log.splitlines() if FULL_PARSE in line]
    assert PARTIAL_PARSE in log
