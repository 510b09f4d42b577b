"""Plausibility bounds as SQL: the `when ... then <reason>` branches the loader adds.

The bounds themselves live in the contract (`behavior.contract.Bounds`, defaults
there); each can be overridden by an environment variable BEHAVIOR_BOUND_<FIELD>,
e.g. BEHAVIOR_BOUND_EARLIEST_AT=2012-01-01 or BEHAVIOR_BOUND_MAX_AMOUNT=250000.

The rules, checked after the column rules of `behavior.load.sql` (a row gets the
first failing one as its reason):
- every timestamp is finite (no `infinity` / `-infinity`), not before
  `earliest_at` and not after the load time plus `clock_skew_minutes`;
- a timestamp given as text with a UTC offset has a real one (-12:00 .. +14:00);
- event times (every timestamp of an event table but `received_at`) are not after
  `received_at` plus the skew;
- money has at most `money_decimals` decimals (at most the raw column's scale, 2)
  and is at most `max_amount`;
- durations: active_seconds, closed_at - opened_at, submitted_at - started_at,
  seconds_spent per answer, estimated_minutes, each under its bound; DOUBLE
  values are finite;
- values inside the JSON lists: features are known features, screens known
  screens (strings) viewed within the time bounds, answers name a question of the
  attempted quiz (when the catalog has its questions) with a known option.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime

from behavior import contract
from behavior.contract import Bounds, Table
from behavior.errors import UserError

ENV_PREFIX = "BEHAVIOR_BOUND_"

# A timestamp written as text with an offset: the time, then +hh[:mm] / -hhmm.
OFFSET_PATTERN = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*([+-])(\d{1,2})(?::?(\d\d))?$"
MONEY_COLUMNS = ("amount", "price_amount")
# (table, earlier, later, bound field): durations between two timestamps.
SPANS = (
    ("user_app_sessions", "opened_at", "closed_at", "max_session_seconds"),
    ("quiz_attempts", "started_at", "submitted_at", "max_attempt_seconds"),
)
# (table, column, bound field): upper bounds of single numeric columns.
UPPER = (
    ("user_app_sessions", "active_seconds", "max_active_seconds"),
    ("modules", "estimated_minutes", "max_module_minutes"),
    ("user_purchases", "amount", "max_amount"),
    ("courses", "price_amount", "max_amount"),
)


def _decimal_scale(sql_type: str) -> int:
    """The scale of a DECIMAL(p,s) type: 2 for DECIMAL(12,2)."""
    return int(sql_type.rstrip(")").split(",")[1])


def bounds() -> Bounds:
    """The contract's bounds with BEHAVIOR_BOUND_* overrides applied."""
    values = {}
    for item in dataclasses.fields(Bounds):
        name = ENV_PREFIX + item.name.upper()
        raw = os.environ.get(name)
        if raw is None or not raw.strip():
            continue
        try:
            if item.name == "earliest_at":
                values[item.name] = datetime.fromisoformat(raw.strip()).isoformat(sep=" ")
            else:
                kind = int if isinstance(getattr(contract.BOUNDS, item.name), int) else float
                value = kind(raw.strip())
                if value < 0 or value != value or value in (float("inf"),):
                    raise ValueError(raw)
                values[item.name] = value
        except ValueError:
            raise UserError(f"{name}={raw!r}: expected a non-negative number or date") from None
    return dataclasses.replace(contract.BOUNDS, **values)


def _ts(value: datetime | str) -> str:
    text = value.isoformat(sep=" ") if isinstance(value, datetime) else value
    return f"timestamp '{text}'"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _offset_minutes(text: str) -> str:
    """SQL: the UTC offset written in `text`, in minutes, or null when none."""
    sign = f"regexp_extract({text}, {_lit(OFFSET_PATTERN)}, 1)"
    hours = f"try_cast(regexp_extract({text}, {_lit(OFFSET_PATTERN)}, 2) as integer)"
    minutes = f"coalesce(try_cast(regexp_extract({text}, {_lit(OFFSET_PATTERN)}, 3) as integer), 0)"
    return (
        f"if({sign} = '', null, if({sign} = '-', -1, 1) * ({hours} * 60 + {minutes}))"
        f" + if({minutes} >= 60, 100000, 0)"
    )


def branches(source, load_time: datetime) -> tuple[list[str], list[str]]:
    """(`when` branches, joins) for `source`, a `behavior.load.sql.TypedSource`."""
    table: Table = source.table
    limits = bounds()
    skew = f"interval {int(limits.clock_skew_minutes)} minute"
    earliest = _ts(limits.earliest_at)
    latest = f"({_ts(load_time)} + {skew})"
    whens: list[str] = []
    joins: list[str] = []
    sql_of = dict(zip(table.column_names, source.columns, strict=True))

    for column in table.columns:
        typed = source.typed(column.name)
        sql = sql_of[column.name]
        name = column.name
        if column.type == "TIMESTAMP":
            whens.append(
                f"when not isfinite({typed}) then {_lit(f'{name} is not finite: ')} || {sql.text}"
            )
            if sql.text == sql.source:  # read as text: check the written offset
                offset = _offset_minutes(sql.text)
                whens.append(
                    f"when {offset} not between {contract.MIN_OFFSET_MINUTES} "
                    f"and {contract.MAX_OFFSET_MINUTES} "
                    f"then {_lit(f'impossible UTC offset in {name}: ')} || {sql.text}"
                )
            whens.append(
                f"when {typed} < {earliest} "
                f"then {_lit(f'{name} before {limits.earliest_at}: ')} || {typed}::VARCHAR"
            )
            whens.append(
                f"when {typed} > {latest} "
                f"then {_lit(f'{name} after the load time: ')} || {typed}::VARCHAR"
            )
        elif column.type == "DOUBLE":
            whens.append(
                f"when not isfinite({typed}) then {_lit(f'{name} is not finite: ')} || {sql.text}"
            )
        if column.name in MONEY_COLUMNS and sql.castable:
            # At most money_decimals decimals, and never more than the raw column keeps
            # (its DECIMAL scale): a value is stored as written or quarantined, never
            # rounded.
            decimals = min(int(limits.money_decimals), _decimal_scale(column.type))
            exact = f"try_cast(trim({sql.text}) as DECIMAL(38,12))"
            # the digits written after the point, up to the last that is not 0: the
            # cast above keeps 12 decimals, so 19.9900000000001 would pass it rounded
            written = rf"length(regexp_extract(trim({sql.text}), '\.(\d*[1-9])', 1))"
            whens.append(
                f"when {exact} <> round({exact}, {decimals}) or {exact} <> {typed} "
                f"or {written} > {decimals} then "
                f"{_lit(f'{name} has more than {decimals} decimals: ')} || {sql.text}"
            )
    for table_name, column_name, field in UPPER:
        if table_name == table.name:
            bound = getattr(limits, field)
            typed = source.typed(column_name)
            whens.append(
                f"when {typed} > {bound:g} "
                f"then {_lit(f'{column_name} above {bound:g}: ')} || {typed}::VARCHAR"
            )
    if table.is_event:
        received = source.typed("received_at")
        for column in table.columns:
            if column.type == "TIMESTAMP" and column.name != "received_at":
                typed = source.typed(column.name)
                whens.append(
                    f"when {typed} > {received} + {skew} then "
                    f"{_lit(f'{column.name} after received_at: ')} || {typed}::VARCHAR"
                )
    for table_name, earlier, later, field in SPANS:
        if table_name == table.name:
            bound = getattr(limits, field)
            first, second = source.typed(earlier), source.typed(later)
            whens.append(
                f"when date_diff('second', {first}, {second}) > {bound} then "
                f"{_lit(f'{later} more than {bound} s after {earlier}')}"
            )
    _nested(source, limits, earliest, whens, joins)
    return whens, joins


def _items(typed: str) -> str:
    return f"json_extract({typed}, '$[*]')"


def _nested(source, limits: Bounds, earliest: str, whens: list[str], joins: list[str]) -> None:
    table = source.table
    if "features_used" in table.column_names:
        typed = source.typed("features_used")
        bad = f"lower(trim(json_extract_string(item, '$'))) not in {_in(contract.FEATURES)}"
        whens.append(
            f"when len(list_filter({_items(typed)}, lambda item: {bad})) > 0 "
            f"then 'unknown feature in features_used'"
        )
    if "navigation_history" in table.column_names:
        typed = source.typed("navigation_history")
        received = source.typed("received_at")
        skew = f"interval {int(limits.clock_skew_minutes)} minute"
        viewed = "try_cast(json_extract_string(item, '$.viewed_at') as TIMESTAMPTZ)::TIMESTAMP"
        bad_screen = (
            "coalesce(json_type(item, '$.screen'), '') <> 'VARCHAR' "
            f"or lower(trim(json_extract_string(item, '$.screen'))) not in {_in(contract.SCREENS)}"
        )
        bad_time = (
            f"not isfinite({viewed}) or {viewed} < {earliest} or {viewed} > {received} + {skew}"
        )
        whens.append(
            f"when len(list_filter({_items(typed)}, lambda item: {bad_screen})) > 0 "
            f"then 'unknown screen in navigation_history'"
        )
        whens.append(
            f"when len(list_filter({_items(typed)}, lambda item: {bad_time})) > 0 "
            f"then 'viewed_at out of bounds in navigation_history'"
        )
    if "responses" in table.column_names:
        typed = source.typed("responses")
        spent = "json_extract(item, '$.seconds_spent')"
        bad_types = (
            "coalesce(json_type(item, '$.question_id'), '') <> 'VARCHAR' "
            "or coalesce(json_type(item, '$.chosen_option'), '') <> 'VARCHAR' "
            f"or ({spent} is not null and json_type({spent}) not in "
            "('UBIGINT', 'BIGINT', 'DOUBLE', 'NULL'))"
        )
        option = "lower(trim(json_extract_string(item, '$.chosen_option')))"
        bad_option = f"{option} not in {_in(contract.QUIZ_OPTIONS)}"
        seconds = "try_cast(json_extract_string(item, '$.seconds_spent') as DOUBLE)"
        bad_seconds = (
            f"not isfinite({seconds}) or {seconds} < 0 or {seconds} > {limits.max_answer_seconds}"
        )
        whens.append(
            f"when len(list_filter({_items(typed)}, lambda item: {bad_types})) > 0 "
            "then 'wrong value type in responses'"
        )
        whens.append(
            f"when len(list_filter({_items(typed)}, lambda item: {bad_option})) > 0 "
            "then 'unknown chosen_option in responses'"
        )
        whens.append(
            f"when len(list_filter({_items(typed)}, lambda item: {bad_seconds})) > 0 "
            f"then 'seconds_spent out of 0-{limits.max_answer_seconds} in responses'"
        )
        quiz = source.typed("quiz_id")
        joins.append(
            "left join (select quiz_id as quiz_key, list(question_id) as question_ids "
            "from raw.quiz_questions group by quiz_id) as quiz_questions_ref "
            f"on typed.{quiz} = quiz_questions_ref.quiz_key"
        )
        whens.append(
            "when quiz_questions_ref.question_ids is not null and len(list_filter("
            f"{_items(typed)}, lambda item: not list_contains("
            "quiz_questions_ref.question_ids, json_extract_string(item, '$.question_id')))) > 0 "
            "then 'question of another quiz in responses'"
        )


def load_time_now() -> datetime:
    """The load time the bounds compare with (UTC, naive)."""
    return datetime.now(UTC).replace(tzinfo=None)
