"""What every insight shares: the event stream's names, parameters and their validation,
the SQL building blocks (bound parameters, local time, period buckets) and the output.

Every question compiles to one DuckDB query over `marts.fct_user_events` (README
"Questions on demand"). User input never reaches the SQL text: event names and
property names are checked against the lists below (and only then written as SQL
identifiers or literals from those lists), every value is a bound parameter.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from behavior.contract import INTERACTION_EVENT_TYPES
from behavior.errors import UserError

EVENTS_TABLE = "marts.fct_user_events"
SPINE_TABLE = "utilities.util_days"
USERS_TABLE = "marts.dim_users"

# The canonical event names of marts.fct_user_events (its yml accepted_values; a test
# keeps the two lists equal).
EVENT_NAMES: tuple[str, ...] = (
    *INTERACTION_EVENT_TYPES,  # course interactions keep the app's names
    "other_course_interaction",  # a course interaction of a type outside the contract
    "session_open",
    "screen_view",
    "feature_use",
    "quiz_start",
    "quiz_submit",
    "order_cart_add",
    "payment_attempt",
    "transaction_completed",
    "install",
    "uninstall",
    "reinstall",
)
ANY_EVENT = "any"  # every event of the stream

# The properties a filter or a breakdown may name: columns of the stream, by kind.
PROPERTIES: dict[str, str] = {
    "user_id": "text",
    "event_source": "text",
    "platform": "text",
    "session_id": "text",
    "course_id": "text",
    "module_id": "text",
    "quiz_id": "text",
    "order_id": "text",
    "screen_name": "text",
    "feature_name": "text",
    "payment_method": "text",
    "payment_status": "text",
    "progress_percent": "number",
    "score_percent": "number",
    "amount_usd": "number",
}
OPERATORS = ("!=", ">=", "<=", "=", ">", "<")  # longest first, for parsing

PERIODS = ("day", "week", "month")
WEEK_STARTS = ("monday", "sunday")
WINDOW_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
OUTPUT_FORMATS = ("table", "csv", "json", "parquet")
DEFAULT_RANGE_DAYS = 30


def choice(value: str, allowed: Sequence[str], what: str) -> str:
    """`value` if it is one of `allowed`, else a one-line UserError."""
    if value not in allowed:
        raise UserError(f"unknown {what} {value!r}: use one of {', '.join(allowed)}")
    return value


def positive_int(value: Any, what: str) -> int:
    """A whole number >= 1 (an int, or its decimal text), else a one-line UserError."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    else:
        raise UserError(f"{what} must be a positive whole number, got {value!r}")
    if number < 1:
        raise UserError(f"{what} must be a positive whole number, got {value!r}")
    return number


def window_seconds(amount: Any, unit: str) -> int:
    """A conversion window as an exact number of seconds (units: second .. week)."""
    name = unit.lower().removesuffix("s") if isinstance(unit, str) else unit
    if name not in WINDOW_UNITS:
        raise UserError(f"unknown window unit {unit!r}: use one of {', '.join(WINDOW_UNITS)}")
    return positive_int(amount, "the window") * WINDOW_UNITS[name]


def check_property(name: str) -> str:
    if name not in PROPERTIES:
        raise UserError(f"unknown property {name!r}: use one of {', '.join(PROPERTIES)}")
    return name


@dataclass(frozen=True)
class PropertyFilter:
    """`name operator value[|value...]`: `=` means any of the values, `!=` none of them."""

    name: str
    operator: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        check_property(self.name)
        choice(self.operator, OPERATORS, "operator")
        if not self.values:
            raise UserError(f"property filter on {self.name} has no value")
        if self.operator not in ("=", "!=") and len(self.values) != 1:
            raise UserError(f"{self.name}{self.operator} takes one value")
        if PROPERTIES[self.name] == "number":
            for value in self.values:
                try:
                    float(value)
                except ValueError:
                    raise UserError(f"{self.name} is a number, got {value!r}") from None

    @property
    def label(self) -> str:
        return f"{self.name}{self.operator}{'|'.join(self.values)}"


@dataclass(frozen=True)
class EventFilter:
    """An event name (or `any`) and property filters, all of which must hold."""

    event: str
    filters: tuple[PropertyFilter, ...] = ()

    def __post_init__(self) -> None:
        if self.event != ANY_EVENT and self.event not in EVENT_NAMES:
            raise UserError(
                f"unknown event {self.event!r}: use {ANY_EVENT} or one of {', '.join(EVENT_NAMES)}"
            )

    @classmethod
    def parse(cls, spec: str | EventFilter) -> EventFilter:
        """`event[:property<op>value[,property<op>value...]]`, e.g.
        `cart_add:platform=ios|android,course_id=C001` or `quiz_submit:score_percent>=80`."""
        if isinstance(spec, EventFilter):
            return spec
        event, _, rest = str(spec).strip().partition(":")
        filters = []
        for part in filter(None, (piece.strip() for piece in rest.split(","))):
            match = re.fullmatch(r"([a-z_]+)\s*(!=|>=|<=|=|>|<)\s*(.+)", part)
            if not match:
                raise UserError(f"bad property filter {part!r} in {spec!r}: use property=value")
            name, operator, values = match.groups()
            filters.append(PropertyFilter(name, operator, tuple(values.split("|"))))
        if rest and not filters:
            raise UserError(f"bad event spec {spec!r}: nothing after ':'")
        return cls(event.strip(), tuple(filters))

    @property
    def label(self) -> str:
        if not self.filters:
            return self.event
        return f"{self.event}:{','.join(item.label for item in self.filters)}"


class Params:
    """Bound parameters of one query: `add` returns the placeholder for a value."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def predicate(event: EventFilter, params: Params) -> str:
    """SQL condition for one event filter over the stream's columns."""
    parts = []
    if event.event != ANY_EVENT:
        parts.append(f"event_name = {params.add(event.event)}")
    for item in event.filters:
        column = check_property(item.name)  # a known column name, never user text
        number = PROPERTIES[column] == "number"
        values = [float(value) if number else value for value in item.values]
        holders = ", ".join(params.add(value) for value in values)
        if item.operator == "=":
            parts.append(f"{column} in ({holders})")
        elif item.operator == "!=":
            parts.append(f"({column} is null or {column} not in ({holders}))")
        else:
            parts.append(f"{column} {item.operator} {holders}")
    return "(" + (" and ".join(parts) or "true") + ")"


def check_timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Paris)"
        ) from None
    return name


def project_timezone(project_dir: Path | None = None) -> str:
    """The dbt var behavior__reporting_timezone from dbt_project.yml (default UTC)."""
    import yaml

    root = project_dir or Path(os.environ.get("DBT_PROJECT_DIR", "."))
    path = root / "dbt_project.yml"
    if not path.is_file():
        return "UTC"
    project = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    value = str((project.get("vars") or {}).get("behavior__reporting_timezone", "UTC"))
    if "{{" in value:
        raise UserError(
            "behavior__reporting_timezone is templated in dbt_project.yml: pass --timezone"
        )
    return value


@dataclass(frozen=True)
class Calendar:
    """Time zone and week start of every date bucket."""

    timezone: str = "UTC"
    week_start: str = "monday"

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        choice(self.week_start, WEEK_STARTS, "week start")

    def local(self, column: str, params: Params) -> str:
        """The UTC timestamp `column` as a wall-clock timestamp in the time zone."""
        if self.timezone == "UTC":
            return column
        return f"timezone({params.add(self.timezone)}, timezone('UTC', {column}))"

    def bucket(self, local_column: str, period: str) -> str:
        """The first day of the period that contains the local timestamp or date."""
        choice(period, PERIODS, "period")
        if period == "day":
            return f"cast({local_column} as date)"
        if period == "month":
            return f"cast(date_trunc('month', {local_column}) as date)"
        if self.week_start == "monday":
            return f"cast(date_trunc('week', {local_column}) as date)"
        return f"cast(date_trunc('week', {local_column} + interval 1 day) as date) - 1"

    def bucket_of(self, day: dt.date, period: str) -> dt.date:
        """Python twin of bucket(), for period starts computed before the query."""
        if period == "day":
            return day
        if period == "month":
            return day.replace(day=1)
        offset = day.weekday() if self.week_start == "monday" else (day.weekday() + 1) % 7
        return day - dt.timedelta(days=offset)


def period_interval(period: str) -> str:
    """A DuckDB interval literal for one period (from the fixed list, not user text)."""
    return {"day": "interval 1 day", "week": "interval 7 day", "month": "interval 1 month"}[
        choice(period, PERIODS, "period")
    ]


def add_periods(day: dt.date, period: str, count: int) -> dt.date:
    if period == "day":
        return day + dt.timedelta(days=count)
    if period == "week":
        return day + dt.timedelta(days=7 * count)
    month = day.month - 1 + count
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def parse_date(value: Any, what: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"{what} must be a date YYYY-MM-DD, got {value!r}") from None


@dataclass(frozen=True)
class DateRange:
    """Inclusive local dates."""

    start: dt.date
    end: dt.date

    def scan_bounds(self, extra_before_days: int = 0, extra_after_seconds: int = 0):
        """UTC timestamps wide enough for any time zone (+-14 h): the stream's scan."""
        start = dt.datetime.combine(self.start, dt.time()) - dt.timedelta(
            days=1 + extra_before_days
        )
        end = dt.datetime.combine(self.end, dt.time()) + dt.timedelta(
            days=2, seconds=extra_after_seconds
        )
        return start, end


def _has_relation(con, qualified_name: str) -> bool:
    from behavior.warehouse_file import has_relation

    return has_relation(con, *qualified_name.split("."))


def _spine_days(con) -> str:
    """The days an event's date must be in to end the default range: the date spine's
    (utilities.util_days, which the build and the serving file hold), else the spine's
    own rule (no later than tomorrow) for a file without it."""
    if _has_relation(con, SPINE_TABLE):
        first = f"(select min(date_day) from {SPINE_TABLE})"
        last = f"(select max(date_day) from {SPINE_TABLE})"
        return f"{first} and {last}"
    return "date '0001-01-01' and current_date + 1"


def resolve_range(con, start: Any, end: Any, calendar: Calendar) -> DateRange:
    """Dates from the arguments; by default the last DEFAULT_RANGE_DAYS days up to the
    newest event's local date (a one-value lookup, before the question's query), of the
    events dated on the date spine: a sentinel time another writer stored (0001-01-01,
    9999-12-31) ends no default range, as it is on no day of the daily marts."""
    start_date = parse_date(start, "--from")
    end_date = parse_date(end, "--to")
    if end_date is None:
        params = Params()
        local = calendar.local("max(event_at)", params)
        row = con.execute(
            f"select cast({local} as date) from {EVENTS_TABLE}"
            f" where event_date between {_spine_days(con)}",
            params.values,
        ).fetchone()
        if row is None or row[0] is None:
            raise UserError(f"{EVENTS_TABLE} has no event on the date spine: nothing to ask about")
        end_date = row[0]
        if start_date is not None and start_date > end_date:
            end_date = start_date
    if start_date is None:
        start_date = end_date - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start_date > end_date:
        raise UserError(f"--from {start_date} is after --to {end_date}")
    return DateRange(start_date, end_date)


def connect(database: Path | str):
    """A read-only connection to a warehouse that has the event stream."""
    import duckdb

    path = Path(database)
    if not path.is_file():
        raise UserError(f"no database file at {path}")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise UserError(f"cannot open {path}: {str(exc).splitlines()[0]}") from None
    if not _has_relation(con, EVENTS_TABLE):
        con.close()
        raise UserError(f"{path} has no {EVENTS_TABLE}: run dbt build first")
    from behavior.warehouse_file import limit_reader

    return limit_reader(con)


@dataclass
class InsightResult:
    """A question's answer: column names and rows, with the query that produced them."""

    columns: list[str]
    rows: list[tuple]
    sql: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def run_query(con, sql: str, params: Params) -> InsightResult:
    cursor = con.execute(sql, params.values)
    columns = [item[0] for item in cursor.description]
    return InsightResult(columns, cursor.fetchall(), sql, dict(params.values))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}" if abs(value) < 1 else f"{value:,.2f}"
    if isinstance(value, list):
        return " ".join(_text(item) for item in value)
    return str(value)


def format_table(result: InsightResult) -> str:
    """A plain aligned text table."""
    cells = [[_text(value) for value in row] for row in result.rows]
    widths = [
        max([len(name)] + [len(row[index]) for row in cells])
        for index, name in enumerate(result.columns)
    ]
    header = zip(result.columns, widths, strict=True)
    lines = ["  ".join(name.ljust(width) for name, width in header)]
    lines.append("  ".join("-" * width for width in widths))
    for row in cells:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if hasattr(value, "as_integer_ratio") and not isinstance(value, int | float):
        return float(value)  # Decimal
    return value


def write_result(result: InsightResult, out: Path | str | None, fmt: str | None = None) -> None:
    """Print the table, or write it to `out` as CSV / JSON / Parquet (format from the
    extension unless `fmt` is given)."""
    if fmt is not None:
        choice(fmt, OUTPUT_FORMATS, "output format")
    if out is None:
        if fmt in (None, "table"):
            print(format_table(result))
            return
        raise UserError(f"--format {fmt} needs --out FILE")
    path = Path(out)
    fmt = fmt or path.suffix.lstrip(".").lower()
    choice(fmt, OUTPUT_FORMATS[1:], "output format (from the --out extension)")
    if not path.parent.is_dir():
        raise UserError(f"no directory {path.parent} for --out")
    if fmt == "csv":
        from behavior.csv_text import spreadsheet_text

        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(result.columns)
            writer.writerows(
                [[spreadsheet_text(_json_value(v)) for v in row] for row in result.rows]
            )
    elif fmt == "json":
        records = [{k: _json_value(v) for k, v in record.items()} for record in result.records()]
        path.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table(
            {name: [row[index] for row in result.rows] for index, name in enumerate(result.columns)}
        )
        pq.write_table(table, path)
    print(f"{path}: {len(result.rows)} rows", file=sys.stderr)
