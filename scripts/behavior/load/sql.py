"""SQL the loader runs, generated from the raw data contract.

Every rule of `behavior.contract` becomes one branch of a single `case` expression,
so a whole file is validated set-based inside DuckDB (no Python row loops). A row
gets the *first* failing rule as its reason, checked in this order: per column in
contract order (missing required, bad type, unknown enum, below min / above max,
broken or wrongly shaped nested JSON), then the plausibility bounds
(`behavior.load.bounds`), then ordered column pairs, then references.

The source relation may be all text (CSV, JSON) or typed (Parquet): each column's
expressions depend on the type it was read with, so a Parquet column that already
has the contract type is neither cast nor parsed again.

A file is loaded in three set-based passes (the loader runs them in one transaction):
1. `bad_rows_query`: the invalid rows with their reason and record (small).
2. `repeated_keys_query`: keys that several valid rows share, with the first row.
3. `insert_valid_sql`: the valid rows whose key is not in raw.<table> yet and that
   are the first of their key in the file. Joins against empty helpers are left out.
References resolve against the committed raw tables, which is why the loader loads
catalog tables, then users, then events.
"""

from __future__ import annotations

from dataclasses import dataclass

from behavior import pseudonymize
from behavior.contract import TABLES, Column, Table, ddl
from behavior.load import bounds as load_bounds

ROW_COLUMN = "_behavior_row"
QUARANTINE_SUFFIX = "__quarantine"
AUDIT_TABLE = "raw._load_files"
REASON_VALUE_CHARS = 80  # values quoted in a reason are cut to this length
WITHHELD = "(personal data withheld)"  # a pii value in a quarantine record

INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
NESTED_SHAPES = {
    "strings": "a JSON list of strings",
    "navigation": "a JSON list of objects with screen, viewed_at, each written once",
    "responses": (
        "a JSON list of objects with question_id, chosen_option, is_correct, each written once"
    ),
}


def ident(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """Quote a string literal."""
    return "'" + value.replace("'", "''") + "'"


def _number(value: float) -> str:
    return f"{value:g}"


def quarantine_table(table: Table) -> str:
    return f"raw.{table.name}{QUARANTINE_SUFFIX}"


def setup_statements() -> list[str]:
    """DDL for every raw table, its quarantine table and the audit table."""
    statements = ["create schema if not exists raw"]
    for table in TABLES.values():
        statements.append(ddl(table))
        statements.append(
            f"create table if not exists {quarantine_table(table)} (\n"
            "    source_file VARCHAR,\n"
            "    source_row BIGINT,\n"
            "    reason VARCHAR,\n"
            "    record VARCHAR,\n"
            "    file_sha256 VARCHAR,\n"
            "    load_id VARCHAR,\n"
            "    quarantined_at TIMESTAMP\n"
            ")"
        )
    statements.append(
        f"create table if not exists {AUDIT_TABLE} (\n"
        "    load_id VARCHAR,\n"
        "    source_file VARCHAR,\n"
        "    file_sha256 VARCHAR,\n"
        "    table_name VARCHAR,\n"
        "    status VARCHAR,\n"
        "    reason VARCHAR,\n"
        "    rows_read BIGINT,\n"
        "    rows_loaded BIGINT,\n"
        "    rows_duplicate BIGINT,\n"
        "    rows_quarantined BIGINT,\n"
        "    started_at TIMESTAMP,\n"
        "    finished_at TIMESTAMP\n"
        ")"
    )
    # Earliest received_at among a file's valid rows (event tables): incremental runs
    # reprocess from it when the file was loaded after their previous run (macro
    # incremental_watermark), so a file loaded out of received order is never missed.
    statements.append(
        f"alter table {AUDIT_TABLE} add column if not exists min_received_at TIMESTAMP"
    )
    return statements


@dataclass(frozen=True)
class _ColumnSql:
    """The SQL pieces for one contract column read from one source column."""

    source: str  # the source column as carried through the query (s_<i>)
    text: str  # the value as text, for messages, enums, nested JSON and the record
    blank: str  # true when the value is null or only whitespace
    typed: str  # the value with the contract type, null when blank or not castable
    castable: bool  # false when the source type already is the contract type


def _is_text(source_type: str) -> bool:
    return source_type == "VARCHAR"


def _is_nested(source_type: str) -> bool:
    return source_type.endswith("]") or source_type.startswith(("STRUCT", "MAP", "UNION"))


def _text_expr(ref: str, source_type: str) -> str:
    if _is_text(source_type):
        return ref
    if _is_nested(source_type):
        return f"to_json({ref})::VARCHAR"
    return f"{ref}::VARCHAR"


def _cast_text(text: str, target: str) -> str:
    """Cast text to `target`; timestamps go through TIMESTAMPTZ so offsets become UTC."""
    if target == "TIMESTAMP":
        return f"try_cast({text} as TIMESTAMPTZ)::TIMESTAMP"
    if target in INTEGER_TYPES:
        # try_cast rounds '12.5' to 13: accept only values equal to their double.
        exact = f"try_cast({text} as {target})"
        return f"if(try_cast({text} as DOUBLE) = {exact}, {exact}, null)"
    return f"try_cast({text} as {target})"


def column_sql(index: int, source_type: str, target_type: str, required: bool) -> _ColumnSql:
    """SQL for contract column number `index` read with `source_type`."""
    ref = f"s_{index}"
    text = _text_expr(ref, source_type)
    if _is_text(source_type):
        blank = f"({ref} is null or trim({ref}) = '')"
        if target_type == "VARCHAR":
            # A blank required value quarantines the row, so only optional ones need
            # turning into null (saves a trim per value on the hot path).
            typed = ref if required else f"if(trim({ref}) <> '', {ref}, null)"
        else:
            typed = _cast_text(f"if(trim({ref}) <> '', {ref}, null)", target_type)
        return _ColumnSql(ref, text, blank, typed, castable=target_type != "VARCHAR")
    blank = f"({ref} is null)"
    if source_type == target_type:
        return _ColumnSql(ref, text, blank, ref, castable=False)
    if target_type == "VARCHAR":
        return _ColumnSql(ref, text, blank, text, castable=False)
    if source_type.startswith("TIMESTAMP") or source_type == "DATE":
        typed = f"try_cast({ref} as {target_type})"
    else:
        typed = _cast_text(ref, target_type) if not _is_nested(source_type) else "null"
    return _ColumnSql(ref, text, blank, typed, castable=True)


def _quoted(text: str) -> str:
    """SQL for `'<value>'` inside a reason, the value cut to a readable length."""
    return f"'''' || left({text}, {REASON_VALUE_CHARS}) || ''''"


def _read_keys_written(keys: tuple[str, ...]) -> str:
    """SQL: how many times a JSON object `item` writes one of the `keys` staging reads.

    More than once for one key is ambiguous (DuckDB's `->>` and from_json read the
    first value, a Python reader the last), so the item's shape is wrong. Keys match
    exactly, as staging reads them: another key ("Screen", "note") is ignored,
    repeated or not. Counted with one json_keys call per item (a second call, or a
    list_distinct, cost 2-4 s more on the 3.7M sessions of a 10M-row load)."""
    names = ", ".join(f"'{key}'" for key in keys)
    return f"len(list_filter(json_keys(item), lambda k: k in ({names})))"


def _shape_ok(value: str, shape: str) -> str:
    """SQL that is true when valid JSON text `value` has the nested `shape`."""
    items = f"json_extract({value}, '$[*]')"
    if shape == "strings":
        bad_item = "json_type(item) <> 'VARCHAR'"
    elif shape == "navigation":
        bad_item = (
            "json_type(item) <> 'OBJECT' or (item ->> 'screen') is null"
            " or try_cast(item ->> 'viewed_at' as TIMESTAMPTZ) is null"
            f" or {_read_keys_written(('screen', 'viewed_at'))} > 2"
        )
    elif shape == "responses":
        read = ("question_id", "chosen_option", "is_correct", "seconds_spent")
        bad_item = (
            "json_type(item) <> 'OBJECT' or (item ->> 'question_id') is null"
            " or (item ->> 'chosen_option') is null"
            " or coalesce(json_type(item, '$.is_correct'), '') <> 'BOOLEAN'"
            f" or {_read_keys_written(read)} > 3 + json_exists(item, '$.seconds_spent')::INTEGER"
        )
    else:  # pragma: no cover - the contract only names the three shapes
        raise ValueError(f"unknown nested shape {shape!r}")
    return (
        f"json_type({value}) = 'ARRAY' and len(list_filter({items}, lambda item: {bad_item})) = 0"
    )


@dataclass(frozen=True)
class TypedSource:
    """A file as a query: row number, source values, typed values, extra columns."""

    table: Table
    sql: str  # select _behavior_row, s_<i> (as read), c_<i> (contract type), x_<j>
    columns: tuple[_ColumnSql, ...]
    extras: tuple[tuple[str, str], ...]  # (name, text expression) kept for the record

    def typed(self, name: str) -> str:
        return f"c_{self.table.column_names.index(name)}"


def typed_source(
    table: Table,
    source_sql: str,
    source_columns: dict[str, tuple[str, str]],
    extra_columns: list[tuple[str, str]],
) -> TypedSource:
    """Wrap `source_sql` (the file with a 1-based `_behavior_row`) in contract types.

    `source_columns` maps each contract column to (source column name, source type);
    contract columns missing from it are read as null. `extra_columns` are
    (name, type) pairs kept only for the quarantine record.
    """
    columns = []
    carried = [f"src.{ident(ROW_COLUMN)} as {ROW_COLUMN}"]
    for index, column in enumerate(table.columns):
        source_name, source_type = source_columns.get(column.name, ("", "VARCHAR"))
        sql = column_sql(index, source_type, column.type, column.required)
        columns.append(sql)
        source_ref = f"src.{ident(source_name)}" if source_name else "null::VARCHAR"
        carried.append(f"{source_ref} as {sql.source}")
        carried.append(f"{sql.typed} as c_{index}")
    extras = []
    for index, (name, source_type) in enumerate(extra_columns):
        carried.append(f"src.{ident(name)} as x_{index}")
        extras.append((name, _text_expr(f"x_{index}", source_type)))
    sql = f"select {', '.join(carried)} from ({source_sql}) as src"
    return TypedSource(table, sql, tuple(columns), tuple(extras))


def _reason_branches(source: TypedSource) -> tuple[list[str], list[str]]:
    """The `when ... then <reason>` branches, in order, and the joins they need."""
    table = source.table
    whens: list[str] = []
    for column, sql in zip(table.columns, source.columns, strict=True):
        typed = source.typed(column.name)
        if column.required:
            whens.append(f"when {sql.blank} then {literal('missing required ' + column.name)}")
        if sql.castable:
            message = literal(f"bad {column.type} in {column.name}: ")
            whens.append(
                f"when not {sql.blank} and {typed} is null then {message} || {_quoted(sql.text)}"
            )
        if column.enum:
            allowed = ", ".join(literal(value.lower()) for value in column.enum)
            whens.append(
                f"when lower(trim({typed})) not in ({allowed}) "
                f"then {literal('unknown ' + column.name + ' ')} || {_quoted(sql.text)}"
            )
        if column.min_value is not None:
            bound = _number(column.min_value)
            whens.append(
                f"when {typed} < {bound} "
                f"then {literal(f'{column.name} below {bound}: ')} || {sql.text}"
            )
        if column.max_value is not None:
            bound = _number(column.max_value)
            whens.append(
                f"when {typed} > {bound} "
                f"then {literal(f'{column.name} above {bound}: ')} || {sql.text}"
            )
        if column.nested:
            whens.append(
                f"when not json_valid({typed}) then {literal('broken JSON in ' + column.name)}"
            )
            expected = NESTED_SHAPES[column.nested]
            whens.append(
                f"when not ({_shape_ok(typed, column.nested)}) "
                f"then {literal(f'wrong JSON shape in {column.name}: expected {expected}')}"
            )
    # Plausibility bounds (behavior.load.bounds), then ordered pairs, then references.
    bound_whens, joins = load_bounds.branches(source, load_bounds.load_time_now())
    whens.extend(bound_whens)
    for earlier, later in table.ordered:
        first, second = source.typed(earlier), source.typed(later)
        whens.append(
            f"when {second} < {first} then {literal(f'{later} before {earlier}: ')} "
            f"|| {second}::VARCHAR || ' < ' || {first}::VARCHAR"
        )

    for index, (column_name, ref_table) in enumerate(table.references):
        ref_key = TABLES[ref_table].key[0]
        alias = f"ref_{index}"
        typed = source.typed(column_name)
        joins.append(
            f"left join (select distinct {ident(ref_key)} as ref_key from raw.{ref_table}) "
            f"as {alias} on typed.{typed} = {alias}.ref_key"
        )
        text = source.columns[table.column_names.index(column_name)].text
        whens.append(
            f"when {typed} is not null and {alias}.ref_key is null "
            f"then {literal('unknown ' + column_name + ' ')} || {_quoted(text)}"
        )
    return whens, joins


def bad_rows_query(source: TypedSource) -> str:
    """Select the invalid rows: `_behavior_row`, `reason` and `record`.

    `record` is the original row as JSON text (every value as text), built only for
    invalid rows; personal data (pii columns) shows as WITHHELD, never its value.
    """
    whens, joins = _reason_branches(source)
    record_pairs = [
        f"{literal(column.name)}, "
        + (f"if({sql.blank}, null, {literal(WITHHELD)})" if column.pii else sql.text)
        for column, sql in zip(source.table.columns, source.columns, strict=True)
    ] + [f"{literal(name)}, {text}" for name, text in source.extras]
    branches = "\n            ".join(whens)
    return f"""
with
typed as ({source.sql}),
checked as (
    select
        typed.*,
        case
            {branches}
        end as reason
    from typed
    {" ".join(joins)}
)
select
    {ROW_COLUMN},
    reason,
    json_object({", ".join(record_pairs)})::VARCHAR as record
from checked
where reason is not null
"""


def _key_values(source: TypedSource) -> list[str]:
    return [f"{source.typed(k)} as {ident(k)}" for k in source.table.key]


def _valid_rows(source: TypedSource, bad_rows: str | None) -> str:
    """The typed rows that are not in `bad_rows` (None when there are none)."""
    if bad_rows is None:
        return f"({source.sql})"
    return f"""(
    select typed.* from ({source.sql}) as typed
    anti join {bad_rows} as bad on bad.{ROW_COLUMN} = typed.{ROW_COLUMN}
)"""


def min_received_at_query(source: TypedSource, bad_rows: str | None) -> str | None:
    """The earliest received_at among the valid rows (None: the table has none).

    A bound for the rows the insert keeps (they are a subset), read from the same
    typed rows.
    """
    if "received_at" not in {c.name for c in source.table.stored_columns}:
        return None
    return f"select min({source.typed('received_at')}) from {_valid_rows(source, bad_rows)}"


def repeated_keys_query(source: TypedSource, bad_rows: str | None) -> str:
    """Keys that more than one valid row of the file has, with the first such row."""
    keys = ", ".join(ident(k) for k in source.table.key)
    return f"""
select {keys}, min({ROW_COLUMN}) as first_row
from (
    select {ROW_COLUMN}, {", ".join(_key_values(source))}
    from {_valid_rows(source, bad_rows)}
)
group by {keys}
having count(*) > 1
"""


def stored_value(source: TypedSource, column: Column) -> str:
    """SQL for a stored column: the typed file value, or derived from a pii column.

    A contact key comes from the Python function the loader registers on its
    connection (behavior.pseudonymize), so the secret is never in the SQL text.
    """
    if column.derived_from is None:
        return source.typed(column.name)
    name, how = column.derived_from
    if how == "contact_key":
        return f"{pseudonymize.UDF_NAME}({source.typed(name)})"
    if how == "has_digit":  # as pseudonymize.has_phone: a placeholder is no number
        return f"coalesce(regexp_matches({source.typed(name)}, '[0-9]'), false)"
    raise ValueError(f"unknown derivation {how!r}")  # pragma: no cover


def insert_valid_sql(
    source: TypedSource,
    bad_rows: str | None,
    repeated_keys: str | None,
    check_existing: bool,
) -> str:
    """Insert the valid rows that are new: key not in raw.<table>, first in the file.

    `bad_rows` / `repeated_keys` name temp tables, None when empty (the join is left
    out); `check_existing` is false when raw.<table> is empty.
    """
    table = source.table
    stored = table.stored_columns
    names = ", ".join(ident(c.name) for c in stored)
    values = ", ".join(f"{stored_value(source, c)} as {ident(c.name)}" for c in stored)

    def match(alias: str) -> str:
        return " and ".join(f"{alias}.{ident(k)} = valid.{ident(k)}" for k in table.key)

    clauses = []
    if repeated_keys is not None:
        clauses.append(f"left join {repeated_keys} as repeated on {match('repeated')}")
    if check_existing:
        clauses.append(f"anti join raw.{table.name} as existing on {match('existing')}")
    if repeated_keys is not None:
        clauses.append(
            f"where repeated.first_row is null or repeated.first_row = valid.{ROW_COLUMN}"
        )
    selected = ", ".join(f"valid.{ident(c.name)}" for c in stored)
    return f"""
insert into raw.{table.name} ({names})
select {selected}
from (select {ROW_COLUMN}, {values} from {_valid_rows(source, bad_rows)}) as valid
{chr(10).join(clauses)}
"""


def insert_quarantine_sql(table: Table, bad_rows: str) -> str:
    """Insert the invalid rows not already quarantined from the same file content.

    Parameters: source_file, file_sha256, load_id, quarantined_at, file_sha256.
    """
    return f"""
insert into {quarantine_table(table)}
    (source_file, source_row, reason, record, file_sha256, load_id, quarantined_at)
select ?, {ROW_COLUMN}, reason, record, ?, ?, ?
from {bad_rows}
where not exists (
    select 1 from {quarantine_table(table)} as done
    where done.file_sha256 = ? and done.source_row = {bad_rows}.{ROW_COLUMN}
)
"""
