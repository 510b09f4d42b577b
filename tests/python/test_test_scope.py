"""The daily run's test scope (macro get_where_subquery, var behavior__test_recent_only).

With the var, a data test on a model whose meta names a `test_window_column` reads only
that model's rows within the lookback of the column's newest value; tests on other
models, and every test without the var, read the whole model. Checked on the SQL dbt
compiles for three tests (the equality proof runs the scoped tests for real).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import incremental_helpers as h

TESTS = {
    # test name -> the window column of its model (None: no window)
    "not_null_stg_app__session_screen_views_viewed_at": "received_at",
    "unique_fct_app_sessions_session_id": "last_received_at",
    "unique_dim_users_user_id": None,
}


def _compiled(target_path: Path) -> dict[str, str]:
    found = {}
    for name in TESTS:
        paths = list((target_path / "compiled").rglob(f"{name}.sql"))
        assert len(paths) == 1, f"{name}: compiled file not found once: {paths}"
        found[name] = " ".join(paths[0].read_text().split())
    return found


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    root = tmp_path_factory.mktemp("scope")
    result = {}
    for mode, dbt_vars in (("full", None), ("daily", h.DAILY_VARS)):
        target_path = root / mode
        h.run_dbt(
            ["compile", "--select", *TESTS],
            root / "empty.duckdb",
            target_path,
            dbt_vars=dbt_vars,
        )
        result[mode] = _compiled(target_path)
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
