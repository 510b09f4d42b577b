"""The equality check: a contender's seven outputs against the dbt marts, row for row.

    python -m behavior.bench.core.check --marts BUILT.duckdb \
        (--floor FLOOR.duckdb | --pandas DIR) [--out RESULT.json]

For each output (behavior.bench.core.OUTPUTS) the contender's rows and the mart's are
joined on the key columns (full outer join, keys compared with `is not distinct
from`). A row mismatches when it is missing on either side or when any compared
column differs: exact columns after casting the contender's value to the mart's
type; float columns within a relative FLOAT_TOLERANCE (both null also counts as
equal); money columns to the cent (both rounded to 2 decimals). The result lists,
per output, the row counts, the mismatching rows and up to SAMPLE_ROWS examples
with the columns that differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from behavior.bench.core import FLOAT, FLOAT_TOLERANCE, MONEY, OUTPUTS, Output

SAMPLE_ROWS = 5


@dataclass
class OutputCheck:
    name: str
    mart_rows: int = 0
    contender_rows: int = 0
    missing_in_contender: int = 0
    missing_in_mart: int = 0
    differing: int = 0
    differing_columns: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def mismatches(self) -> int:
        return self.missing_in_contender + self.missing_in_mart + self.differing

    @property
    def equal(self) -> bool:
        return self.error is None and self.mismatches == 0


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _equal(column: str, kind: str) -> str:
    c, m = f"c.{_q(column)}", f"m.{_q(column)}"
    if kind == MONEY:
        return (
            f"(round(cast({c} as decimal(38, 6)), 2) is not distinct from "
            f"round(cast({m} as decimal(38, 6)), 2))"
        )
    if kind == FLOAT:
        return (
            f"(({c} is null and {m} is null) or abs(cast({c} as double) - cast({m} as double))"
            f" <= {FLOAT_TOLERANCE} * greatest(1.0, abs(cast({m} as double))))"
        )
    return f"({c} is not distinct from {m})"


def check_output(con: duckdb.DuckDBPyConnection, output: Output, contender: str) -> OutputCheck:
    """Compare `contender` (a relation in `con`) with the mart attached as `marts_db`."""
    result = OutputCheck(output.name)
    mart = f"marts_db.{output.mart}"
    try:
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where database_name = 'marts_db' and schema_name = ? and table_name = ?",
                output.mart.split("."),
            ).fetchall()
        )
        names = output.column_names
        missing = [n for n in names if n not in types]
        if missing:
            raise ValueError(f"{output.mart} has no column(s) {missing}")
        casted = ", ".join(f"cast({_q(n)} as {types[n]}) as {_q(n)}" for n in names)
        con.execute(f"create or replace temp view c_side as select {casted} from {contender}")
        con.execute(
            "create or replace temp view m_side as select "
            + ", ".join(_q(n) for n in names)
            + f" from {mart}"
        )
        on = " and ".join(f"c.{_q(k)} is not distinct from m.{_q(k)}" for k in output.keys)
        present_c = f"c.{_q(output.keys[0])} is not null"
        present_m = f"m.{_q(output.keys[0])} is not null"
        flags = [f"not {_equal(name, kind)} as {_q('d_' + name)}" for name, kind in output.columns]
        con.execute(
            "create or replace temp table joined as select "
            + ", ".join(f"coalesce(c.{_q(k)}, m.{_q(k)}) as {_q(k)}" for k in output.keys)
            + f", {present_c} as in_c, {present_m} as in_m, "
            + ", ".join(flags)
            + f" from c_side as c full outer join m_side as m on {on}"
        )
        result.contender_rows = con.execute("select count(*) from c_side").fetchone()[0]
        result.mart_rows = con.execute("select count(*) from m_side").fetchone()[0]
        result.missing_in_contender = con.execute(
            "select count(*) from joined where not in_c"
        ).fetchone()[0]
        result.missing_in_mart = con.execute(
            "select count(*) from joined where not in_m"
        ).fetchone()[0]
        any_diff = " or ".join(_q("d_" + name) for name, _ in output.columns)
        both = "in_c and in_m"
        result.differing = con.execute(
            f"select count(*) from joined where {both} and ({any_diff})"
        ).fetchone()[0]
        for name, _ in output.columns:
            count = con.execute(
                f"select count(*) from joined where {both} and {_q('d_' + name)}"
            ).fetchone()[0]
            if count:
                result.differing_columns[name] = count
        keys = ", ".join(_q(k) for k in output.keys)
        diff_list = (
            "list_filter(["
            + ", ".join(
                f"case when {_q('d_' + name)} then '{name}' end" for name, _ in output.columns
            )
            + "], lambda x: x is not null)"
        )
        rows = con.execute(
            f"select {keys}, in_c, in_m, {diff_list} from joined "
            f"where not ({both}) or ({any_diff}) order by {keys} limit {SAMPLE_ROWS}"
        ).fetchall()
        for row in rows:
            key = dict(zip(output.keys, row[: len(output.keys)], strict=True))
            in_c, in_m, columns = row[len(output.keys) :]
            what = (
                "missing in contender"
                if not in_c
                else "missing in mart"
                if not in_m
                else f"differs in {', '.join(columns)}"
            )
            result.examples.append(f"{key}: {what}")
    except (duckdb.Error, ValueError) as exc:
        result.error = str(exc).splitlines()[0][:300]
    return result


def check_contender(
    marts_database: Path, floor_database: Path | None = None, pandas_dir: Path | None = None
) -> list[OutputCheck]:
    """Check the floor (tables bench_floor.* in a DuckDB file) or the pandas outputs
    (<dir>/<name>.parquet) against the marts of `marts_database`."""
    if (floor_database is None) == (pandas_dir is None):
        raise ValueError("give exactly one of floor_database, pandas_dir")
    con = duckdb.connect()
    try:
        con.execute(f"attach '{marts_database}' as marts_db (read_only)")
        if floor_database is not None:
            con.execute(f"attach '{floor_database}' as floor_db (read_only)")
        checks = []
        for output in OUTPUTS:
            if floor_database is not None:
                relation = f"floor_db.bench_floor.{output.name}"
            else:
                path = pandas_dir / f"{output.name}.parquet"
                relation = f"read_parquet('{path}')"
            checks.append(check_output(con, output, relation))
        return checks
    finally:
        con.close()


def summary(checks: list[OutputCheck]) -> str:
    """'7/7 equal' or 'n/7 equal; <output>: k of N rows mismatch (...)'."""
    equal = sum(c.equal for c in checks)
    parts = [f"{equal}/{len(checks)} equal"]
    for c in checks:
        if c.error:
            parts.append(f"{c.name}: error {c.error}")
        elif c.mismatches:
            columns = ", ".join(f"{k} {v}" for k, v in c.differing_columns.items())
            parts.append(
                f"{c.name}: {c.mismatches} of {c.mart_rows} rows mismatch "
                f"(missing {c.missing_in_contender}, extra {c.missing_in_mart}"
                + (f", differing: {columns}" if columns else "")
                + ")"
            )
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m behavior.bench.core.check")
    parser.add_argument("--marts", type=Path, required=True, help="the built warehouse file")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--floor", type=Path, help="DuckDB file with bench_floor.*")
    which.add_argument("--pandas", type=Path, help="folder of the pandas outputs (Parquet)")
    parser.add_argument("--out", type=Path, help="JSON with every output's check")
    args = parser.parse_args(argv)
    checks = check_contender(args.marts, args.floor, args.pandas)
    for c in checks:
        print(f"{c.name}: {'equal' if c.equal else 'MISMATCH'} ({c.mart_rows} mart rows)")
        for example in c.examples:
            print(f"  {example}")
    print(summary(checks))
    if args.out:
        args.out.write_text(json.dumps([asdict(c) for c in checks], indent=2, default=str))
    return 0 if all(c.equal for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
