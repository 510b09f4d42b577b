"""What `behavior load` does with rows that repeat what is already stored.

Three rules, each set-based inside the file's transaction (see `behavior.load`):

- **Conflicts.** A valid row whose key is already stored (or repeats an earlier row of
  the same file) is a duplicate and is not inserted: the first received copy stays the
  truth. When its content differs from the stored copy it is also a *conflict*: counted
  (`conflicting` in the summary and `rows_conflicting` in `raw._load_files`) and kept in
  `raw.<table>__conflicts` with the file, the row number, the key, the names of the
  columns that differ, the row as received and the stored row (both as JSON text).
  Content is every contract column except `received_at` (when the collector got the
  copy, not what happened: a re-send arrives later and is still an exact re-send), with
  enum values compared as staging reads them (`lower(trim())`). A conflict is a kind of
  duplicate, so `read = loaded + duplicate + quarantined` still holds and
  `conflicting <= duplicate`. Stored once per (file content, row), like the quarantine.
- **Immutable user facts.** `raw.users` keeps one row per version of a user. A version
  whose `signed_up_at`, or whose first install time (`installed_at`, once known), differs
  from the user's first loaded version (stored, or the earliest version by `updated_at`
  in the same file for a user new to the warehouse) is quarantined with that reason, so
  the stored history never changes a sign-up. Only a different time is a change:
  `installed_at` going from null to a time is the first install happening, and a version
  without it (null) does not report it.
- **Loud duplicates.** A user or event file whose valid rows are mostly duplicates
  (share above `--warn-duplicate-share`, default 0.5) gets a WARNING line naming the file,
  the table and the share. Catalog files are snapshots, re-sent whole by design: they
  are warned about only when they conflict. A file whose content (sha256) was already
  loaded is a re-run, not a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from behavior.contract import CATALOG_TABLES, TABLES, Table
from behavior.load.sql import (
    AUDIT_TABLE,
    ROW_COLUMN,
    WITHHELD,
    TypedSource,
    ident,
    literal,
    stored_value,
)

if TYPE_CHECKING:
    import duckdb

CONFLICTS_SUFFIX = "__conflicts"
TRANSPORT_COLUMNS = frozenset({"received_at"})
IMMUTABLE_USER_FACTS = ("signed_up_at", "installed_at")
DEFAULT_WARN_SHARE = 0.5
# Exit code when a file never loaded before brought no new row (every valid row was a
# duplicate): a scheduler should stop before building a day that did not arrive.
EXIT_NOTHING_NEW = 3


def conflicts_table(table: Table) -> str:
    return f"raw.{table.name}{CONFLICTS_SUFFIX}"


def setup_statements() -> list[str]:
    """DDL for every conflicts table and the audit column, after load_sql's DDL."""
    statements = [
        f"create table if not exists {conflicts_table(table)} (\n"
        "    source_file VARCHAR,\n"
        "    source_row BIGINT,\n"
        "    record_key VARCHAR,\n"
        "    differing_columns VARCHAR,\n"
        "    record VARCHAR,\n"
        "    stored_record VARCHAR,\n"
        "    file_sha256 VARCHAR,\n"
        "    load_id VARCHAR,\n"
        "    conflicted_at TIMESTAMP\n"
        ")"
        for table in TABLES.values()
    ]
    statements.append(
        f"alter table {AUDIT_TABLE} add column if not exists rows_conflicting BIGINT default 0"
    )
    return statements


def _record_pairs(source: TypedSource) -> str:
    """The row as received, every value as text; personal data (pii columns) shows as
    WITHHELD, as in a quarantine record, so no e-mail or phone enters the warehouse."""
    table = source.table
    pairs = [
        f"{literal(column.name)}, "
        + (f"if({sql.blank}, null, {literal(WITHHELD)})" if column.pii else sql.text)
        for column, sql in zip(table.columns, source.columns, strict=True)
    ] + [f"{literal(name)}, {text}" for name, text in source.extras]
    return ", ".join(pairs)


def _valid(source: TypedSource, bad_rows: str | None) -> str:
    if bad_rows is None:
        return f"({source.sql})"
    return (
        f"(select typed.* from ({source.sql}) as typed "
        f"anti join {bad_rows} as bad on bad.{ROW_COLUMN} = typed.{ROW_COLUMN})"
    )


# --- immutable user facts -------------------------------------------------------------


def immutable_violations_query(source: TypedSource, bad_rows: str | None) -> str:
    """Valid user versions that change a user's sign-up or first install time.

    Selects `_behavior_row, reason, record` like `load_sql.bad_rows_query`, so the rows
    join the quarantine. The reference is the stored versions (they all agree, since
    this rule kept them so) and, where they have none (a user new to the warehouse,
    or one never installed so far), the file's versions in `updated_at` order: the
    sign-up of the earliest, the first install of the earliest that has one and keeps
    that sign-up. A version without an install is kept either way.
    """
    uid, updated = source.typed("user_id"), source.typed("updated_at")
    signed, installed = source.typed("signed_up_at"), source.typed("installed_at")
    return f"""
with
valid as {_valid(source, bad_rows)},
stored as (
    select user_id, min(signed_up_at) as signed_up_at, min(installed_at) as installed_at
    from raw.users
    group by 1
),
signups as (
    select
        {uid} as user_id,
        coalesce(
            any_value(stored.signed_up_at),
            first({signed} order by {updated}, {ROW_COLUMN})
        ) as signed_up_at,
        any_value(stored.installed_at) as stored_installed_at
    from valid
    left join stored on stored.user_id = valid.{uid}
    group by 1
),
reference as (
    -- The first install of the file counts only from a version this rule keeps (its
    -- sign-up is the reference's).
    select
        signups.user_id,
        signups.signed_up_at,
        coalesce(
            signups.stored_installed_at,
            first(valid.{installed} order by valid.{updated}, valid.{ROW_COLUMN})
                filter (
                    where valid.{installed} is not null
                    and valid.{signed} is not distinct from signups.signed_up_at
                )
        ) as installed_at
    from signups
    inner join valid on valid.{uid} = signups.user_id
    group by signups.user_id, signups.signed_up_at, signups.stored_installed_at
),
checked as (
    select
        valid.*,
        case
            when valid.{signed} is distinct from reference.signed_up_at
                then 'immutable signed_up_at changed: first loaded '
                    || coalesce(reference.signed_up_at::VARCHAR, 'null')
                    || ', this version ' || coalesce(valid.{signed}::VARCHAR, 'null')
            when valid.{installed} <> reference.installed_at
                then 'immutable installed_at (first install) changed: first loaded '
                    || reference.installed_at::VARCHAR
                    || ', this version ' || valid.{installed}::VARCHAR
        end as reason
    from valid
    inner join reference on reference.user_id = valid.{uid}
)
select {ROW_COLUMN}, reason, json_object({_record_pairs(source)})::VARCHAR as record
from checked
where reason is not null
"""


# --- conflicts -------------------------------------------------------------------------


def _content_columns(table: Table) -> list:
    """The stored columns compared (a pii column is compared through the column
    stored in its place, e.g. contact_key for e-mail)."""
    return [c for c in table.stored_columns if c.name not in TRANSPORT_COLUMNS]


def _comparable(expr: str, enum: bool) -> str:
    return f"lower(trim({expr}))" if enum else expr


def conflicts_query(source: TypedSource, bad_rows: str | None) -> str:
    """Valid rows whose stored copy (same key) has other content; run after the insert.

    A row inserted by this file equals its stored copy, so only duplicates can differ.
    Selects `_behavior_row, record_key, differing_columns, record, stored_record`.
    """
    table = source.table
    on = " and ".join(f"stored.{ident(k)} = valid.{source.typed(k)}" for k in table.key)
    # The typed and derived source values (c_<i>, a contact-key call on c_<i>) have
    # no namesake in raw.<table>: unqualified.
    differs = ", ".join(
        f"case when {_comparable(stored_value(source, c), bool(c.enum))} "
        f"is distinct from {_comparable('stored.' + ident(c.name), bool(c.enum))} "
        f"then {literal(c.name)} end"
        for c in _content_columns(table)
    )
    key_text = " || ' | ' || ".join(
        f"coalesce(valid.{source.typed(k)}::VARCHAR, '')" for k in table.key
    )
    stored_pairs = ", ".join(
        f"{literal(c.name)}, stored.{ident(c.name)}::VARCHAR" for c in table.stored_columns
    )
    # The source columns (s_<i>, x_<j>) have no namesake in raw.<table>: unqualified.
    record_pairs = _record_pairs(source)
    return f"""
select
    valid.{ROW_COLUMN} as {ROW_COLUMN},
    {key_text} as record_key,
    concat_ws(', ', {differs}) as differing_columns,
    json_object({record_pairs})::VARCHAR as record,
    json_object({stored_pairs})::VARCHAR as stored_record
from {_valid(source, bad_rows)} as valid
inner join raw.{table.name} as stored on {on}
where concat_ws(', ', {differs}) <> ''
"""


def record_conflicts(
    con: duckdb.DuckDBPyConnection,
    source: TypedSource,
    bad_rows: str | None,
    path: str,
    file_sha256: str | None,
    load_id: str,
    started,
) -> int:
    """Find, count and store (once per file content and row) a file's conflicts."""
    target = conflicts_table(source.table)
    con.execute(
        f"create or replace temp table _behavior_conflicts as {conflicts_query(source, bad_rows)}"
    )
    (found,) = con.execute("select count(*) from _behavior_conflicts").fetchone()  # type: ignore[misc]
    if found:
        con.execute(
            f"""
insert into {target}
select ?, {ROW_COLUMN}, record_key, differing_columns, record, stored_record, ?, ?, ?
from _behavior_conflicts as found
where not exists (
    select 1 from {target} as done
    where done.file_sha256 = ? and done.source_row = found.{ROW_COLUMN}
)
""",
            [path, file_sha256, load_id, started, file_sha256],
        )
    con.execute("drop table if exists temp._behavior_conflicts")
    return int(found)


def loaded_before(con: duckdb.DuckDBPyConnection, file_sha256: str | None, load_id: str) -> bool:
    """Whether a file with this content was loaded by an earlier run."""
    if file_sha256 is None:
        return False
    (count,) = con.execute(  # type: ignore[misc]
        f"select count(*) from {AUDIT_TABLE} "
        "where file_sha256 = ? and status = 'loaded' and load_id <> ?",
        [file_sha256, load_id],
    ).fetchone()
    return count > 0


# --- loud duplicates -------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateNotice:
    """What to say about one loaded file's duplicates and conflicts."""

    level: str  # "WARNING" or "note"
    message: str
    nothing_new: bool  # a file never loaded before brought no new row


def duplicate_share(loaded: int, duplicate: int) -> float:
    """Share of a file's valid rows that were duplicates (0 when it had none)."""
    valid = loaded + duplicate
    return duplicate / valid if valid else 0.0


def notices(
    path: str,
    table: str,
    loaded: int,
    duplicate: int,
    conflicting: int,
    seen_before: bool,
    warn_share: float = DEFAULT_WARN_SHARE,
) -> list[DuplicateNotice]:
    """The WARNING / note lines for one loaded file (empty when there is nothing to say)."""
    out = []
    share = duplicate_share(loaded, duplicate)
    where = f"{path} -> raw.{table}"
    if conflicting:
        out.append(
            DuplicateNotice(
                "WARNING",
                f"{where}: {conflicting} duplicate id(s) with content that differs from the "
                f"stored copy (kept: the first received; see raw.{table}{CONFLICTS_SUFFIX})",
                False,
            )
        )
    if duplicate and seen_before:
        out.append(
            DuplicateNotice("note", f"{where}: same file content loaded before (re-run)", False)
        )
    elif duplicate and table not in CATALOG_TABLES and (loaded == 0 or share > warn_share):
        everything = loaded == 0
        what = "every valid row is a duplicate" if everything else "most valid rows are duplicates"
        out.append(
            DuplicateNotice(
                "WARNING",
                f"{where}: {share:.0%} duplicates ({duplicate:,} of {loaded + duplicate:,} "
                f"valid rows; {what}: were ids reused?)",
                everything,
            )
        )
    return out
