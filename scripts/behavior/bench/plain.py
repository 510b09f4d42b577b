"""The dbt models as plain SQL: the baseline that `dbt run` is compared with.

    python -m behavior.bench.plain --manifest target/manifest.json --database DB --out R.json

Reads a manifest written by `dbt compile --full-refresh` (so incremental models
compile to their full-table select), orders the enabled models by their model
dependencies and runs, in ONE DuckDB connection on `database` (a copy of the loaded
raw database with the lookup seeds):

    create schema if not exists <database>.<schema>;          -- once per schema
    create or replace view|table <relation> as (<compiled_code>);

`view` models become views; `table` and `incremental` ones tables. `ephemeral` models
are skipped: dbt already inlined them as `__dbt__cte__<name>` CTEs into the
compiled_code of the models that use them. The relation names in compiled_code carry
the catalog name (the database file's stem at compile time), so `database` must have
the same file stem as the one dbt compiled against. Hooks and contracts are not
replayed (an enforced contract makes dbt create the table with typed columns first).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

MATERIALIZED_AS = {"view": "view", "table": "table", "incremental": "table"}


def ordered_models(manifest: dict) -> list[dict]:
    """Enabled model nodes in dependency order (parents first; ties by unique_id)."""
    models = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node.get("resource_type") == "model" and node.get("config", {}).get("enabled", True)
    }
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for uid in sorted(models):
        parents = [p for p in models[uid].get("depends_on", {}).get("nodes", []) if p in models]
        sorter.add(uid, *sorted(parents))
    return [models[uid] for uid in sorter.static_order()]


def plain_statements(manifest: dict) -> list[tuple[str, str]]:
    """(unique_id, SQL) to build every model without dbt, in order; schemas first."""
    nodes = ordered_models(manifest)
    statements: list[tuple[str, str]] = []
    schemas: list[tuple[str, str]] = []
    for node in nodes:
        schema = (node["database"], node["schema"])
        if node["config"]["materialized"] != "ephemeral" and schema not in schemas:
            schemas.append(schema)
    for database, schema in schemas:
        statements.append(("schema", f'create schema if not exists "{database}"."{schema}"'))
    for node in nodes:
        materialized = node["config"]["materialized"]
        if materialized == "ephemeral":
            continue
        kind = MATERIALIZED_AS.get(materialized)
        if kind is None:
            raise ValueError(f"{node['unique_id']}: materialization {materialized!r} unsupported")
        code = node.get("compiled_code")
        if not code:
            raise ValueError(f"{node['unique_id']}: no compiled_code (run dbt compile first)")
        code = code.strip().rstrip(";")
        sql = f"create or replace {kind} {node['relation_name']} as (\n{code}\n)"
        statements.append((node["unique_id"], sql))
    return statements


def run_plain(
    database: Path,
    statements: list[tuple[str, str]],
    settings: dict[str, str] | None = None,
) -> float:
    """Execute the statements in one connection; returns the seconds they took."""
    con = duckdb.connect(str(database))
    try:
        for name, value in (settings or {}).items():
            con.execute(f"set {name} = '{value}'")
        started = time.perf_counter()
        for unique_id, sql in statements:
            try:
                con.execute(sql)
            except duckdb.Error as exc:
                raise RuntimeError(f"{unique_id} failed: {exc}") from exc
        seconds = time.perf_counter() - started
    finally:
        con.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m behavior.bench.plain", description=__doc__)
    parser.add_argument("--manifest", required=True, type=Path)
    parser.add_argument("--database", required=True, type=Path)
    parser.add_argument("--out", type=Path, help="write {'seconds', 'models'} JSON here")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit (as the dbt profile)")
    parser.add_argument("--temp-directory", help="DuckDB temp_directory")
    parser.add_argument("--threads", help="DuckDB threads (the dbt profile uses 2)")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text())
    statements = plain_statements(manifest)
    settings = {
        key: value
        for key, value in (
            ("memory_limit", args.memory_limit),
            ("temp_directory", args.temp_directory),
            ("threads", args.threads),
        )
        if value
    }
    seconds = run_plain(args.database, statements, settings)
    models = sum(1 for uid, _ in statements if uid != "schema")
    result = {"seconds": round(seconds, 3), "models": models}
    if args.out:
        args.out.write_text(json.dumps(result) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
