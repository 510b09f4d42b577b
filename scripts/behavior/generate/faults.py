"""Data-quality faults the generator can inject: duplicates, late events, malformed rows,
and enum casing / whitespace noise.

Each fault has its own rate (a fraction of the rows of a table chunk). Counts per table
and kind are added to `counts` for the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from behavior import contract
from behavior.generate import formats as fmt

DAY = fmt.SECONDS_PER_DAY

# Per table: the id column, the timestamp that may arrive unparseable, an enum column
# that may carry an unknown value, nested columns, and foreign-key columns.
BAD_TIMESTAMP_COLUMN = {
    "users": "signed_up_at",
    "user_course_interactions": "occurred_at",
    "user_app_sessions": "opened_at",
    "quiz_attempts": "started_at",
    "user_purchases": "occurred_at",
}
ID_COLUMN = {
    "users": "user_id",
    "user_course_interactions": "event_id",
    "user_app_sessions": "session_id",
    "quiz_attempts": "attempt_id",
    "user_purchases": "event_id",
}
UNKNOWN_ENUM_COLUMN = {
    "users": "acquisition_channel",
    "user_course_interactions": "event_type",
    "user_app_sessions": "platform",
    "quiz_attempts": "platform",
    "user_purchases": "payment_method",
}
NESTED_COLUMNS = {
    "user_app_sessions": ("features_used", "navigation_history"),
    "quiz_attempts": ("responses",),
}
FK_COLUMNS = {
    "user_course_interactions": ("user_id", "course_id"),
    "user_app_sessions": ("user_id",),
    "quiz_attempts": ("user_id", "quiz_id"),
    "user_purchases": ("user_id", "course_id"),
}
UNKNOWN_IDS = {"user_id": "u9", "course_id": "c9", "quiz_id": "qz9"}
BAD_TIMESTAMPS = ["not-a-date", "2026-13-45 25:61:00", "yesterday", "31/02/2026 10:00", "NaT??"]
UNKNOWN_ENUMS = ["unknown", "windows_phone", "teleport", "n/a", "???"]
MALFORMED_KINDS = (
    "bad_timestamp",
    "unknown_enum",
    "negative_amount",
    "missing_required",
    "broken_json",
    "unknown_reference",
)


def malformed_kinds(table: str) -> tuple[str, ...]:
    """Malformed kinds that make sense for a table."""
    kinds = ["bad_timestamp", "unknown_enum", "missing_required"]
    if table == "user_purchases":
        kinds.append("negative_amount")
    if table in NESTED_COLUMNS:
        kinds.append("broken_json")
    if table in FK_COLUMNS:
        kinds.append("unknown_reference")
    return tuple(kinds)


def text_columns(malformed_rate: float) -> dict[str, frozenset[str]]:
    """Timestamp columns written as text because they may carry unparseable values."""
    if malformed_rate <= 0:
        return {}
    return {t: frozenset([c]) for t, c in BAD_TIMESTAMP_COLUMN.items()}


@dataclass(frozen=True)
class FaultRates:
    duplicate: float = 0.0
    late: float = 0.0
    malformed: float = 0.0
    enum_noise: float = 0.0


def _pick(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Row indexes hit by a fault: exactly round(rate * n) on average, at random places."""
    if rate <= 0 or n == 0:
        return np.zeros(0, np.int64)
    count = rng.binomial(n, min(rate, 1.0))
    return np.sort(rng.choice(n, count, replace=False))


def _replace(table: pa.Table, name: str, rows: np.ndarray, values: pa.Array) -> pa.Table:
    """Table with column `name` replaced at `rows` by `values` (same length as rows)."""
    col = table.column(name).combine_chunks()
    if values.type != col.type:
        values = values.cast(col.type)
    mask = np.zeros(table.num_rows, bool)
    mask[rows] = True
    new = pc.replace_with_mask(col, pa.array(mask), values)
    return table.set_column(table.schema.get_field_index(name), name, new)


def _as_text(table: pa.Table, name: str) -> pa.Table:
    col = table.column(name).combine_chunks()
    if pa.types.is_string(col.type):
        return table
    secs = pc.cast(col, pa.int64()).to_numpy(zero_copy_only=False)
    null = np.asarray(col.is_null())
    text = fmt.format_ts(np.where(null, 0, secs), null=null)
    return table.set_column(table.schema.get_field_index(name), name, text)


def apply_faults(
    name: str,
    table: pa.Table,
    rates: FaultRates,
    rng: np.random.Generator,
    counts: dict[str, dict[str, int]],
    text_cols: frozenset[str],
) -> pa.Table:
    """Inject the faults into one chunk of raw table `name`."""
    for col in text_cols:
        table = _as_text(table, col)
    c = counts.setdefault(name, {})
    if rates.enum_noise > 0:
        table = _enum_noise(name, table, rates.enum_noise, rng, c)
    if rates.malformed > 0:
        table = _malformed(name, table, rates.malformed, rng, c)
    if rates.late > 0 and "received_at" in table.column_names:
        rows = _pick(rng, table.num_rows, rates.late)
        base = _event_seconds(table, name)[rows]
        late = base + rng.integers(DAY, 10 * DAY + 1, len(rows))
        table = _replace(table, "received_at", rows, fmt.timestamps(late))
        c["late"] = c.get("late", 0) + len(rows)
    if rates.duplicate > 0:
        rows = _pick(rng, table.num_rows, rates.duplicate)
        dup = table.take(pa.array(rows))
        if "received_at" in dup.column_names:
            received = pc.cast(dup.column("received_at"), pa.int64()).to_numpy(zero_copy_only=False)
            later = received + np.where(
                rng.random(len(rows)) < 0.5, 0, rng.integers(1, 3600, len(rows))
            )
            dup = _replace(dup, "received_at", np.arange(len(rows)), fmt.timestamps(later))
        table = pa.concat_tables([table, dup])
        c["duplicate"] = c.get("duplicate", 0) + len(rows)
    return table


_EVENT_TIME = {
    "user_course_interactions": "occurred_at",
    "user_app_sessions": "opened_at",
    "quiz_attempts": "started_at",
    "user_purchases": "occurred_at",
}


def _event_seconds(table: pa.Table, name: str) -> np.ndarray:
    """Event time in epoch seconds; received_at - 1 s where the event time is text."""
    col = table.column(_EVENT_TIME[name]).combine_chunks()
    received = pc.cast(table.column("received_at"), pa.int64()).to_numpy(zero_copy_only=False)
    if pa.types.is_timestamp(col.type):
        return pc.cast(col, pa.int64()).to_numpy(zero_copy_only=False)
    return received - 1


def _enum_noise(name, table, rate, rng, c) -> pa.Table:
    """Same enum value in other casing or with stray whitespace ("Android", " ios")."""
    spec = contract.TABLES[name]
    hit = 0
    for col in spec.columns:
        if not col.enum:
            continue
        rows = _pick(rng, table.num_rows, rate)
        values = table.column(col.name).combine_chunks().take(pa.array(rows))
        variant = rng.integers(0, 4, len(rows))
        noisy = pc.case_when(
            pc.make_struct(
                pa.array(variant == 0),
                pa.array(variant == 1),
                pa.array(variant == 2),
                field_names=["a", "b", "c"],
            ),
            pc.utf8_capitalize(values),
            pc.utf8_upper(values),
            pc.binary_join_element_wise(" ", values, ""),
            pc.binary_join_element_wise(values, "  ", ""),
        )
        table = _replace(table, col.name, rows, noisy)
        hit += int(pc.sum(pc.not_equal(noisy, values)).as_py() or 0)
    c["enum_noise"] = c.get("enum_noise", 0) + hit
    return table


def _malformed(name, table, rate, rng, c) -> pa.Table:
    rows = _pick(rng, table.num_rows, rate)
    kinds = malformed_kinds(name)
    kind = rng.integers(0, len(kinds), len(rows))
    for k, label in enumerate(kinds):
        sel = rows[kind == k]
        n = len(sel)
        if n == 0:
            continue
        if label == "bad_timestamp":
            col = BAD_TIMESTAMP_COLUMN[name]
            values = pa.array(rng.choice(BAD_TIMESTAMPS, n).tolist())
            table = _replace(table, col, sel, values)
        elif label == "unknown_enum":
            values = pa.array(rng.choice(UNKNOWN_ENUMS, n).tolist())
            table = _replace(table, UNKNOWN_ENUM_COLUMN[name], sel, values)
        elif label == "negative_amount":
            amount = table.column("amount").combine_chunks().take(pa.array(sel))
            cents = np.round(pc.cast(amount, pa.float64()).to_numpy(zero_copy_only=False) * 100)
            table = _replace(table, "amount", sel, fmt.money(-np.maximum(cents, 100)))
        elif label == "missing_required":
            # Null event id or null user id (users: the user id is the id).
            which = (rng.random(n) < 0.5) | (name == "users")
            for col, part in ((ID_COLUMN[name], which), ("user_id", ~which)):
                if part.any():
                    table = _replace(table, col, sel[part], pa.nulls(int(part.sum()), pa.string()))
        elif label == "broken_json":
            cols = NESTED_COLUMNS[name]
            which = rng.integers(0, len(cols), n)
            for i, col in enumerate(cols):
                part = sel[which == i]
                if len(part) == 0:
                    continue
                text = table.column(col).combine_chunks().take(pa.array(part))
                # Drop the closing bracket: no proper prefix of a JSON list is
                # valid JSON (a fixed-length cut could leave a short list whole).
                half = pc.utf8_slice_codeunits(text, 0, -1)
                broken = pc.if_else(
                    pa.array(rng.random(len(part)) < 0.5), half, pa.scalar('{"not": "a list"}')
                )
                table = _replace(table, col, part, broken)
        elif label == "unknown_reference":
            cols = FK_COLUMNS[name]
            which = rng.integers(0, len(cols), n)
            for i, col in enumerate(cols):
                part = sel[which == i]
                if len(part) == 0:
                    continue
                fake = [f"{UNKNOWN_IDS[col]}{x:07d}" for x in rng.integers(0, 10**7, len(part))]
                table = _replace(table, col, part, pa.array(fake))
        key = f"malformed_{label}"
        c[key] = c.get(key, 0) + n
    return table
