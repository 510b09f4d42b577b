"""`behavior metrics`: query the MetricFlow semantic layer and write CSV or Parquet.

A thin wrapper for scripts and schedules: it runs a saved query (`--saved-query
mis_daily_kpis`) or a metric list (`--metrics dau,sessions --group-by
metric_time__day`) and writes the result. MetricFlow compiles the SQL from
target/semantic_manifest.json (written by `dbt parse` / `dbt build`); the SQL
runs on a read-only DuckDB connection to the warehouse file, so no dbt profile
or adapter is loaded (`mf query` does the same work through dbt's adapter).
MetricFlow is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from behavior import warehouse_file
from behavior.errors import UserError

if TYPE_CHECKING:
    import pyarrow as pa

DEFAULT_MANIFEST = Path("target/semantic_manifest.json")
FORMATS = (".csv", ".parquet")
DATE_GRAINS = ("__day", "__week", "__month", "__quarter", "__year")


def _duckdb_sql_client(connection: Any) -> Any:
    """A MetricFlow SqlClient over one DuckDB connection (MetricFlow's DuckDB dialect)."""
    from metricflow.data_table.mf_table import MetricFlowDataTable
    from metricflow.protocols.sql_client import SqlEngine
    from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

    class DuckDbSqlClient:
        sql_engine_type = SqlEngine.DUCKDB
        sql_plan_renderer = DuckDbSqlPlanRenderer()

        def query(self, stmt: str, sql_bind_parameter_set: Any = None) -> Any:
            result = connection.execute(stmt)
            columns = [column[0] for column in result.description]
            return MetricFlowDataTable.create_from_rows(
                column_names=columns, rows=result.fetchall()
            )

        def execute(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
            connection.execute(stmt)

        def dry_run(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
            connection.execute(f"explain {stmt}")

        def close(self) -> None:
            connection.close()

        def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
            return f"${bind_parameter_key}"

    return DuckDbSqlClient()


def _manifest_catalog(manifest_text: str) -> str | None:
    """The one database (DuckDB catalog) the semantic manifest's relations name, or
    None when they name none or several."""
    try:
        manifest = json.loads(manifest_text)
    except ValueError:
        return None
    relations = [
        *(model.get("node_relation") or {} for model in manifest.get("semantic_models", [])),
        *(
            spine.get("node_relation") or {}
            for spine in manifest.get("project_configuration", {}).get("time_spines", [])
        ),
    ]
    names = {relation.get("database") for relation in relations} - {None}
    return names.pop() if len(names) == 1 else None


def _connect_as(database: Path, catalog: str | None) -> Any:
    """`database` read-only under the catalog name the compiled SQL uses (the build's
    file name, `sample` on the sample target), whatever the file is called: a copy,
    the serving file or another target's warehouse."""
    import duckdb

    if catalog is None or catalog == database.stem:
        con = duckdb.connect(str(database), read_only=True)
    else:
        con = warehouse_file.open_attached(database, alias=catalog, read_only=True)
    return warehouse_file.limit_reader(con)


class SemanticLayer:
    """MetricFlow's engine on a warehouse file: compile a query, run it, return Arrow."""

    def __init__(self, database: Path, manifest: Path = DEFAULT_MANIFEST) -> None:
        if not database.exists():
            raise UserError(f"no warehouse at {database} (run `make build` first)")
        if not manifest.exists():
            raise UserError(
                f"no semantic manifest at {manifest} (run `dbt parse` or `make build` first)"
            )
        from metricflow.engine.metricflow_engine import MetricFlowEngine
        from metricflow_semantics.model.dbt_manifest_parser import (
            parse_manifest_from_dbt_generated_manifest,
        )
        from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

        manifest_text = manifest.read_text()
        semantic_manifest = parse_manifest_from_dbt_generated_manifest(
            manifest_json_string=manifest_text
        )
        warehouse_file.require_warehouse(database)
        self._connection = _connect_as(database, _manifest_catalog(manifest_text))
        self._engine = MetricFlowEngine(
            semantic_manifest_lookup=SemanticManifestLookup(semantic_manifest),
            sql_client=_duckdb_sql_client(self._connection),
        )

    def sql(
        self,
        metrics: Sequence[str] | None = None,
        group_by: Sequence[str] | None = None,
        saved_query: str | None = None,
        where: Sequence[str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        order_by: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> str:
        """The SQL MetricFlow compiles for the query (bad names raise UserError)."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest
        from metricflow_semantics.errors.error_classes import (
            InformativeUserError,
            SemanticException,
        )

        request = MetricFlowQueryRequest.create(
            saved_query_name=saved_query,
            metric_names=list(metrics) if metrics else None,
            group_by_names=list(group_by) if group_by else None,
            where_constraints=list(where) if where else None,
            time_constraint_start=_as_datetime(start),
            time_constraint_end=_as_datetime(end),
            order_by_names=list(order_by) if order_by else None,
            limit=limit,
        )
        try:
            explained = self._engine.explain(mf_request=request)
        except (InformativeUserError, SemanticException) as exc:  # unknown names, bad query
            raise UserError(_one_line(exc)) from None
        return explained.sql_statement.without_descriptions.sql

    def query(self, **kwargs: Any) -> pa.Table:
        """Run the query (same arguments as sql()) and return an Arrow table.

        Time dimensions at day grain or coarser come back as dates (MetricFlow
        truncates to a timestamp in some plans, a date in others).
        """
        import duckdb
        import pyarrow as pa

        sql = self.sql(**kwargs)
        try:
            table = self._connection.sql(sql).to_arrow_table()
        except duckdb.CatalogException as exc:  # a relation the manifest names is missing
            raise UserError(f"{_one_line(exc)} (is the warehouse built?)") from None
        for index, field in enumerate(table.schema):
            if pa.types.is_timestamp(field.type) and field.name.endswith(DATE_GRAINS):
                column = table.column(index).cast(pa.date32())
                table = table.set_column(index, field.name, column)
        return table

    def close(self) -> None:
        self._connection.close()


def _as_datetime(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime(day.year, day.month, day.day)


def _one_line(exc: Exception) -> str:
    """MetricFlow's multi-line message (error, suggestions, input) on one line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines)[:500] if lines else type(exc).__name__


def write_table(table: pa.Table, out: Path) -> None:
    """Write CSV (text a spreadsheet would run as a formula as text: behavior.csv_text)
    or Parquet, by the file's suffix."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, out)
    else:
        import pyarrow.csv as pcsv

        from behavior.csv_text import arrow_table

        pcsv.write_csv(arrow_table(table), out)


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise UserError("an empty name list")
    return names


def _day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"not a day (YYYY-MM-DD): {value!r}") from None


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix not in FORMATS:
        raise UserError(f"--out must end in {' or '.join(FORMATS)}: {out}")
    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be at least 1: {args.limit}")
    start, end = _day(args.start), _day(args.end)
    if start is not None and end is not None and start > end:
        raise UserError(f"--start {start} is after --end {end}")
    layer = SemanticLayer(Path(args.database), Path(args.manifest))
    try:
        query = {
            "metrics": _names(args.metrics),
            "group_by": _names(args.group_by),
            "saved_query": args.saved_query,
            "where": args.where or None,
            "start": start,
            "end": end,
            "order_by": _names(args.order_by),
            "limit": args.limit,
        }
        if args.explain:
            print(layer.sql(**query))
            return 0
        table = layer.query(**query)
    finally:
        layer.close()
    write_table(table, out)
    print(f"wrote {table.num_rows} rows x {table.num_columns} columns to {out}")
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--saved-query", help="a saved query, e.g. mis_daily_kpis")
    what.add_argument("--metrics", help="comma-separated metric names, e.g. dau,sessions")
    parser.add_argument(
        "--group-by", help="comma-separated, e.g. metric_time__day,session__platform"
    )
    parser.add_argument(
        "--where",
        action="append",
        help="a filter, e.g. \"{{ Dimension('session__platform') }} = 'ios'\" (repeatable)",
    )
    parser.add_argument("--start", help="first metric_time day (YYYY-MM-DD)")
    parser.add_argument("--end", help="last metric_time day (YYYY-MM-DD)")
    parser.add_argument(
        "--order-by",
        help="comma-separated; prefix - for descending, written --order-by=-name "
        "(a value starting with - after a space reads as an option)",
    )
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--database", default=os.environ.get("BEHAVIOR_DUCKDB_PATH", "warehouse/sample.duckdb")
    )
    parser.add_argument("--manifest", default=str(DEFAULT_MANIFEST))
    parser.add_argument("--out", default="output/metrics.csv", help="a .csv or .parquet file")
    parser.add_argument("--explain", action="store_true", help="print the SQL instead")
    parser.set_defaults(func=run)
