"""Marts and reports never carry raw e-mail addresses or phone numbers."""

from __future__ import annotations

import subprocess

import duckdb
import pytest

from conftest import ROOT, dbt_env


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("pii")
    database = work / "sample.duckdb"
    env = dbt_env(database, work / "target")
    dbt = str(ROOT / ".venv" / "bin" / "dbt")
    for args in (["seed", "--quiet"], ["run", "--quiet"]):
        result = subprocess.run(
            [dbt, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout[-3000:]
    return database


def test_no_personal_data_downstream_of_staging(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    raw_emails = {row[0] for row in con.execute("select email from raw.users").fetchall()}
    raw_phones = {row[0] for row in con.execute("select phone from raw.users").fetchall()}
    assert len(raw_emails) > 100 and len(raw_phones) > 100
    text_columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts', 'reports') "
        "and data_type = 'VARCHAR'"
    ).fetchall()
    assert text_columns
    for schema, table, column in text_columns:
        assert column not in ("email", "phone"), f"{schema}.{table}.{column}"
        leaked = con.execute(
            f'select count(*) from {schema}."{table}" where "{column}" in '
            "(select email from raw.users union all select phone from raw.users)"
        ).fetchone()[0]
        assert leaked == 0, f"personal data in {schema}.{table}.{column}"
    keys = con.execute("select count(distinct contact_key) from marts.dim_users").fetchone()[0]
    assert keys == len(raw_emails - {None})
