"""`behavior generate --continue SOURCE`: the next day(s) of a generated history.

SOURCE is the warehouse the history was loaded into (a `.duckdb` file: its raw tables)
or the `_manifest.json` (or its folder) of the previous delivery, written by `behavior
generate` or by an earlier `--continue` (whose manifest lists every earlier delivery,
so a chain of days reads them all). The output is one delivery, as a real daily feed
would send it, one file per raw table in `--out`:

- Days: the `--days N` (default 1) days after the history's last day (the day after the
  manifest's range; for a warehouse, the day after its latest session).
- Users: every day, existing users come back with the app's retention curve (a user
  signed up k days ago is active with probability 0.4 * k^-0.356, as in the history;
  never while uninstalled). Each returning user gets one new user version (updated_at
  and last_seen_at = the end of their last session that day) that copies every other
  field of their latest version: sign-up time, first install, platform, channel,
  country, device and contact data never change. New users (the history's average
  sign-ups per day) sign up with ids after the largest existing one and are simulated
  exactly as in the history. A day's new users are existing users the next day.
- Ids: sessions, events, attempts and orders continue after the largest id found in the
  history (for a warehouse, raw tables and quarantine records), so they never collide.
- Catalog: the same (rebuilt from the seed and plants and, for a warehouse, checked
  against raw.courses and raw.quiz_questions); its files are not re-emitted.
- Late events: with --late-rate r, about r of the users active on an earlier day
  (1-10 days back, within the history) send that day's activity only now: whole
  sessions with their events, received_at on the new day. New-day events themselves
  arrive on time. Duplicates, malformed rows and enum noise follow their rates.
- Seed, plants, rates and the history's shape come from the manifest (a warehouse has
  none: --seed and --plant must match the history, default seed 42, no plants); the
  explicit options override them. Same history and options give identical files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from behavior import contract, pseudonymize
from behavior.errors import UserError
from behavior.generate import formats as fmt
from behavior.generate.catalog import PLANTS, build_catalog, plant, question_table
from behavior.generate.faults import FaultRates, apply_faults, text_columns
from behavior.generate.sim import WEEKDAY_ACTIVITY, simulate_block
from behavior.load.bounds import bounds as load_bounds

DAY = fmt.SECONDS_PER_DAY
ID_PREFIX = {  # table -> (id column, prefix, width)
    "users": ("user_id", "u", 7),
    "user_app_sessions": ("session_id", "s", 10),
    "user_course_interactions": ("event_id", "ci", 10),
    "user_purchases": ("event_id", "pe", 10),
    "quiz_attempts": ("attempt_id", "qa", 10),
}
ORDER_PREFIX = "ord"
LATE_MAX_DAYS = 10
USER_COLUMNS = contract.TABLES["users"].column_names
ROLE_RETURNING, ROLE_NEW, ROLE_LATE = 0, 1, 2
# Returning users' days are cut from a simulation of WARMUP_DAYS before the day, so their
# journeys are under way (modules, quizzes, payments), from a pool POOL_FACTOR times the
# users needed (about a third of a pool is active on the last day).
WARMUP_DAYS = 6
WATERMARK_DAYS = 3  # dbt var behavior__incremental_lookback_hours (72) in days
POOL_FACTOR = 3
EVENT_TIME = {
    "user_app_sessions": "opened_at",
    "user_course_interactions": "occurred_at",
    "user_purchases": "occurred_at",
    "quiz_attempts": "started_at",
}


@dataclass
class History:
    """What a continuation needs to know about the history it continues."""

    kind: str  # "manifest" or "warehouse"
    source: Path
    deliveries: list[str]  # folders of every delivery so far (manifest chain)
    arguments: dict  # seed, plant, rates of the history (manifest), else {}
    origin_start: str  # first day of the history
    origin_days: int  # days of the first delivery (plants are placed on it)
    next_day: date  # the first day to generate
    users_per_day: float
    users: pa.Table  # latest version per user, immutable facts of the first version
    next_ids: dict[str, int]  # table (or "orders") -> first free number
    received_after: int = 0  # history rows received WATERMARK_DAYS or more after next_day
    # warehouse sessions opened outside the loader's time bounds (another writer's
    # sentinel or infinite times): not days of the history
    sessions_outside: int = 0


# --- reading the history ---------------------------------------------------------------


def _reader(path: Path) -> str:
    location = "'" + str(path).replace("'", "''") + "'"
    name = path.name
    if name.endswith(".parquet"):
        return f"read_parquet({location})"
    if name.endswith(".csv"):
        return f"read_csv({location}, all_varchar = true, header = true)"
    return f"read_json({location}, format = 'newline_delimited', sample_size = -1)"


def _text(column: str) -> str:
    return f'"{column}"::VARCHAR as "{column}"'


def _register_files(con: duckdb.DuckDBPyConnection, deliveries: list[str]) -> None:
    """Views src_<table> (all text) over every delivery's files."""
    parts: dict[str, list[str]] = {}
    for folder in deliveries:
        manifest = json.loads((Path(folder) / "_manifest.json").read_text())
        for name, file in manifest["files"].items():
            if name in contract.CATALOG_TABLES:
                continue
            path = Path(folder) / file
            if not path.exists():
                raise UserError(f"history file missing: {path}")
            cols = ", ".join(_text(c) for c in contract.TABLES[name].column_names)
            parts.setdefault(name, []).append(f"select {cols} from {_reader(path)}")
    for name in ("users", *contract.EVENT_TABLES):
        cols = ", ".join(f'null::VARCHAR as "{c}"' for c in contract.TABLES[name].column_names)
        union = " union all ".join(parts.get(name, [f"select {cols} where false"]))
        con.execute(f"create view src_{name} as {union}")


def _users_source(database: Path) -> tuple[str, str]:
    """raw.users as the files carried it: e-mail and phone are not in the warehouse
    (behavior.pseudonymize), so they come back from its private contacts file, which
    the loader wrote beside it; a continued user version carries them unchanged."""
    private = pseudonymize.private_database(database)
    if not private.exists():
        raise UserError(
            f"{private} (the warehouse's private contacts) is missing: continue from the "
            "history's _manifest.json instead"
        )
    con_sql = f"attach '{private}' as pv (read_only)"
    cols = ", ".join(
        f'contacts."{c}"::VARCHAR as "{c}"'
        if c in ("email", "phone")
        else f'u."{c}"::VARCHAR as "{c}"'
        for c in contract.TABLES["users"].column_names
    )
    return con_sql, (
        f"select {cols} from wh.raw.users as u "
        f"left join pv.{pseudonymize.CONTACTS_TABLE} as contacts "
        "on contacts.user_id = u.user_id and contacts.updated_at = u.updated_at"
    )


def _register_warehouse(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    """Views src_<table> over the raw tables, plus the ids of quarantined rows."""
    con.execute(f"attach '{database}' as wh (read_only)")
    attach_private, users_sql = _users_source(database)
    con.execute(attach_private)
    for name in ("users", *contract.EVENT_TABLES):
        cols = ", ".join(_text(c) for c in contract.TABLES[name].column_names)
        id_col = ID_PREFIX[name][0]
        nulls = ", ".join(
            f"record ->> '{c}' as \"{c}\"" if c == id_col else f'null::VARCHAR as "{c}"'
            for c in contract.TABLES[name].column_names
        )
        quarantined = (
            f" union all select {nulls} from wh.raw.{name}__quarantine where json_valid(record)"
        )
        table = f"({users_sql})" if name == "users" else f"wh.raw.{name}"
        con.execute(f"create view src_{name} as select {cols} from {table}{quarantined}")


def _max_number(con: duckdb.DuckDBPyConnection, view: str, column: str, prefix: str) -> int:
    (value,) = con.execute(  # type: ignore[misc]
        f"select max(try_cast(regexp_extract(\"{column}\", '^{prefix}([0-9]+)$', 1) as bigint)) "
        f"from {view}"
    ).fetchall()[0]
    return -1 if value is None else int(value)


def _users_state(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Latest valid version per user, with the first version's sign-up and first install."""
    platforms = ", ".join(f"'{p}'" for p in contract.PLATFORMS)
    channels = ", ".join(f"'{c}'" for c in contract.ACQUISITION_CHANNELS)
    typed = ", ".join(
        f'try_cast("{c.name}" as TIMESTAMP) as "{c.name}"' if c.type == "TIMESTAMP"
        else f'"{c.name}"'
        for c in contract.TABLES["users"].columns
    )  # fmt: skip
    others = ", ".join(
        f'latest."{c}"' for c in USER_COLUMNS if c not in ("signed_up_at", "installed_at")
    )
    return (
        con.sql(
            f"""
with versions as (
    select {typed} from src_users
    where user_id is not null
        and lower(trim(platform)) in ({platforms})
        and lower(trim(acquisition_channel)) in ({channels})
),
valid as (
    select * from versions where updated_at is not null and signed_up_at is not null
),
facts as (
    select
        user_id,
        arg_min(signed_up_at, updated_at) as signed_up_at,
        min(installed_at) as installed_at
    from valid
    group by 1
),
latest as (
    select * from valid
    qualify row_number() over (partition by user_id order by updated_at desc) = 1
)
select {others}, facts.signed_up_at, facts.installed_at
from latest
inner join facts on facts.user_id = latest.user_id
order by latest.user_id
"""
        )
        .to_arrow_table()
        .select(list(USER_COLUMNS))
    )


def read_history(source: str) -> History:
    """Load the state of the history at `source` (warehouse file or manifest)."""
    path = Path(source)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    try:
        if path.is_file() and path.suffix == ".duckdb":
            return _warehouse_history(con, path)
        manifest_path = path / "_manifest.json" if path.is_dir() else path
        if not manifest_path.is_file() or manifest_path.name != "_manifest.json":
            raise UserError(
                f"--continue needs a warehouse (.duckdb) or a _manifest.json (or its "
                f"folder): {source}"
            )
        return _manifest_history(con, manifest_path)
    finally:
        con.close()


def _received_after(con: duckdb.DuckDBPyConnection, next_day: date) -> int:
    """History event rows received WATERMARK_DAYS or more after the first new day began.

    A generated history's late rows are in its files although received after its end;
    loaded, they move the incremental models' watermark (newest received_at minus the
    72-hour lookback) past the new days, whose rows `make daily` would then miss.
    """
    day = next_day + timedelta(days=WATERMARK_DAYS)
    total = 0
    for name in contract.EVENT_TABLES:
        ((count,),) = con.execute(
            f"select count(*) from src_{name} where try_cast(received_at as TIMESTAMP) >= ?",
            [day],
        ).fetchall()
        total += int(count)
    return total


def _ids(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    next_ids = {
        name: _max_number(con, f"src_{name}", column, prefix) + 1
        for name, (column, prefix, _) in ID_PREFIX.items()
    }
    next_ids["orders"] = _max_number(con, "src_user_purchases", "order_id", ORDER_PREFIX) + 1
    return next_ids


def _manifest_history(con: duckdb.DuckDBPyConnection, manifest_path: Path) -> History:
    manifest = json.loads(manifest_path.read_text())
    folder = str(manifest_path.parent.resolve())
    cont = manifest.get("continuation")
    if cont:
        deliveries = [*cont["deliveries"], folder]
        arguments, origin = cont["history_arguments"], cont["origin"]
        last = date.fromisoformat(manifest["arguments"]["start"]) + timedelta(
            days=manifest["arguments"]["days"]
        )
    else:
        arguments = manifest["arguments"]
        deliveries = [folder]
        origin = {
            "start": arguments["start"],
            "days": arguments["days"],
            "users_per_day": arguments["users"] / arguments["days"],
        }
        last = date.fromisoformat(arguments["start"]) + timedelta(days=arguments["days"])
    _register_files(con, deliveries)
    return History(
        kind="manifest",
        source=manifest_path,
        deliveries=deliveries,
        arguments=arguments,
        origin_start=origin["start"],
        origin_days=origin["days"],
        next_day=last,
        users_per_day=origin["users_per_day"],
        users=_users_state(con),
        next_ids=_ids(con),
        received_after=_received_after(con, last),
    )


def _warehouse_history(con: duckdb.DuckDBPyConnection, database: Path) -> History:
    try:
        _register_warehouse(con, database)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise UserError(f"cannot read the raw tables of {database}: {first}") from exc
    # The history's days are those of the sessions the loader would accept (from
    # BEHAVIOR_BOUND_EARLIEST_AT to now plus the clock skew): a session another
    # writer stored on 0001-01-01, in the year 9999 or at infinity is no day of it
    # (it made the continuation start after 9999-12-31, or spread the users over
    # 740,000 days).
    limits = load_bounds()
    first_day, last_day, outside = con.execute(  # type: ignore[misc]
        "select cast(min(opened_at) filter (where inside) as date), "
        "cast(max(opened_at) filter (where inside) as date), "
        "count(*) filter (where not inside) "
        "from (select opened_at, coalesce(opened_at >= cast(? as timestamp) "
        "and opened_at <= cast(? as timestamp), false) as inside "
        "from wh.raw.user_app_sessions)",
        [
            limits.earliest_at,
            datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=limits.clock_skew_minutes),
        ],
    ).fetchall()[0]
    if first_day is None:
        raise UserError(
            f"{database} has no sessions in raw.user_app_sessions to continue (between "
            f"{limits.earliest_at} and now; {outside:,} outside)"
        )
    users = _users_state(con)
    days = (last_day - first_day).days + 1
    return History(
        kind="warehouse",
        source=database,
        deliveries=[],
        arguments={},
        origin_start=first_day.isoformat(),
        origin_days=days,
        next_day=last_day + timedelta(days=1),
        users_per_day=users.num_rows / days,
        users=users,
        next_ids=_ids(con),
        received_after=_received_after(con, last_day + timedelta(days=1)),
        sessions_outside=int(outside),
    )


def check_catalog(database: Path, catalog_tables: dict[str, pa.Table]) -> None:
    """The rebuilt catalog must be the warehouse's (same seed and plants)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{database}' as wh (read_only)")
        stored = con.execute(
            "select course_id, price_amount::DOUBLE from wh.raw.courses order by 1"
        ).fetchall()
        keys = con.execute(
            "select question_id, correct_option from wh.raw.quiz_questions order by 1"
        ).fetchall()
    finally:
        con.close()
    courses = catalog_tables["courses"]
    rebuilt = sorted(
        zip(
            courses.column("course_id").to_pylist(),
            [float(v) for v in courses.column("price_amount").to_pylist()],
            strict=True,
        )
    )
    questions = catalog_tables["quiz_questions"]
    rebuilt_keys = sorted(
        zip(
            questions.column("question_id").to_pylist(),
            questions.column("correct_option").to_pylist(),
            strict=True,
        )
    )
    if stored != rebuilt or keys != rebuilt_keys:
        raise UserError(
            f"the catalog in {database} is not the one behavior generate builds with these "
            "--seed / --plant options; give the history's --seed and --plant, or continue "
            "from its _manifest.json"
        )


# --- simulating the new days -------------------------------------------------------------


def _ts_seconds(column: pa.ChunkedArray) -> np.ndarray:
    return pc.cast(pc.cast(column, pa.timestamp("s")), pa.int64()).to_numpy(zero_copy_only=False)


def _remap(table: pa.Table, generated: pa.Array, user_ids: pa.Array, platforms: pa.Array):
    """Give a simulated block's rows the existing users' ids and platforms."""
    index = pc.index_in(table.column("user_id"), value_set=generated)
    table = table.set_column(
        table.schema.get_field_index("user_id"), "user_id", user_ids.take(index)
    )
    if "platform" in table.column_names:
        table = table.set_column(
            table.schema.get_field_index("platform"), "platform", platforms.take(index)
        )
    return table


def _returning_versions(state: pa.Table, rows: np.ndarray, sessions: pa.Table, generated):
    """One new version per returning user: latest version with a new last_seen_at."""
    idx = pc.index_in(sessions.column("user_id"), value_set=generated).to_numpy(
        zero_copy_only=False
    )
    opened = _ts_seconds(sessions.column("opened_at"))
    closed = sessions.column("closed_at")  # null for a crash: its open time is last seen
    end = np.where(np.asarray(closed.is_null()), opened, _ts_seconds(pc.fill_null(closed, 0)))
    last = np.zeros(len(rows), np.int64)
    np.maximum.at(last, idx, end)
    users = state.take(pa.array(rows))
    previous = _ts_seconds(users.column("updated_at"))
    updated = np.maximum(last, previous + 1)
    users = users.set_column(
        users.schema.get_field_index("updated_at"), "updated_at", fmt.timestamps(updated)
    )
    return users.set_column(
        users.schema.get_field_index("last_seen_at"), "last_seen_at", fmt.timestamps(updated)
    )


def _active_probability(days_since_signup: np.ndarray, weekday: int) -> np.ndarray:
    """The history's retention curve at average engagement (see generate.sim)."""
    curve = 0.4 * np.maximum(days_since_signup, 1) ** -0.356
    return np.minimum(0.95, curve * WEEKDAY_ACTIVITY[weekday])


def _installed_now(state: pa.Table) -> np.ndarray:
    unins = state.column("uninstalled_at")
    reins = state.column("reinstalled_at")
    gone = np.asarray(unins.is_valid()) & (
        np.asarray(reins.is_null())
        | (_ts_seconds(pc.fill_null(reins, 0)) < _ts_seconds(pc.fill_null(unins, 0)))
    )
    return ~gone


@dataclass
class DayOutput:
    tables: dict[str, list[pa.Table]]
    returning: int = 0
    new: int = 0
    late: int = 0


def simulate_days(history: History, opts: dict) -> tuple[DayOutput, pa.Table]:
    """Raw rows for the new days (before faults) and the users state after them."""
    seed = opts["seed"]
    catalog_rng = np.random.default_rng([seed, 0])
    origin_ts = int(np.datetime64(history.origin_start, "s").astype(np.int64))
    catalog = build_catalog(catalog_rng, origin_ts)
    plants, _ = plant(catalog, set(opts["plant"]), origin_ts, history.origin_days)
    catalog.tables["quiz_questions"] = question_table(catalog)
    if history.kind == "warehouse":
        check_catalog(history.source, catalog.tables)

    state = history.users
    counters = {
        name: history.next_ids[name]
        for name in ("user_app_sessions", "user_course_interactions", "user_purchases")
    } | {"quiz_attempts": history.next_ids["quiz_attempts"], "orders": history.next_ids["orders"]}
    next_user = history.next_ids["users"]
    out = DayOutput({name: [] for name in ("users", *contract.EVENT_TABLES)})
    first_ts = int(np.datetime64(history.next_day.isoformat(), "s").astype(np.int64))
    origin_day = origin_ts // DAY

    def block(role: int, day_ts: int, chosen: np.ndarray, salt: int = 0):
        """Activity on the day at day_ts of (up to) the `chosen` existing users.

        Users in the middle of their journeys (learning, paying, taking quizzes) come
        from simulating a pool of virtual users over WARMUP_DAYS before the day and the
        day itself: the first virtual users with a session on the day become the
        chosen users, and only their rows of that day are kept. Returns the tables,
        the day's sessions, the virtual ids and the chosen users actually used.
        """
        nonlocal counters
        pool = POOL_FACTOR * len(chosen) + 5
        day_no = day_ts // DAY
        window_start = day_ts - WARMUP_DAYS * DAY
        b = simulate_block(
            catalog, plants, seed, (day_no * 16 + role) * 16 + salt, 0, pool, window_start,
            WARMUP_DAYS + 1, counters,
        )  # fmt: skip
        counters = b.counters
        sessions = b.tables["user_app_sessions"]
        opened = _ts_seconds(sessions.column("opened_at"))
        on_day = sessions.filter(pa.array(opened >= day_ts))
        virtual = np.unique(on_day.column("user_id").to_numpy(zero_copy_only=False))
        virtual = virtual[: len(chosen)]
        used = chosen[: len(virtual)]
        generated = pa.array(virtual, pa.string())
        ids = state.column("user_id").combine_chunks().take(pa.array(used))
        plats = pc.utf8_lower(
            pc.utf8_trim_whitespace(state.column("platform").combine_chunks().take(pa.array(used)))
        )
        tables = {}
        for name, t in b.tables.items():
            if name == "users":
                continue
            when = _ts_seconds(t.column(EVENT_TIME[name]))
            on_the_day = (when >= day_ts) & (when < day_ts + DAY)
            if name == "user_purchases":  # whole orders only: none paid in the warm-up
                order = t.column("order_id").to_numpy(zero_copy_only=False)
                early = np.unique(order[when < day_ts])
                on_the_day &= ~np.isin(order, early)
            mine = pc.is_in(t.column("user_id"), value_set=generated)
            keep = pc.and_(mine, pa.array(on_the_day))
            tables[name] = _remap(t.filter(keep), generated, ids, plats)
        day_sessions = on_day.filter(pc.is_in(on_day.column("user_id"), value_set=generated))
        return tables, day_sessions, generated, used

    for d in range(opts["days"]):
        day_ts = first_ts + d * DAY
        day_no = day_ts // DAY
        rng = np.random.default_rng([seed, 7, day_no])
        weekday = int((day_no + 3) % 7)
        signed = _ts_seconds(state.column("signed_up_at"))
        k = day_no - signed // DAY
        eligible = (k >= 1) & _installed_now(state)
        p = _active_probability(k, weekday)
        chosen = np.flatnonzero(eligible & (rng.random(state.num_rows) < p))
        versions = None
        if len(chosen):
            tables, sessions, generated, chosen = block(ROLE_RETURNING, day_ts, chosen)
            for name, t in tables.items():
                out.tables[name].append(t)
            versions = _returning_versions(state, chosen, sessions, generated)
            out.returning += len(chosen)
        # Late: activity of earlier days (within the history) that arrives only today.
        late_rate = opts["late_rate"]
        if late_rate > 0:
            back = rng.integers(1, LATE_MAX_DAYS + 1, max(len(chosen), 1))
            n_late = rng.binomial(max(len(chosen), 1), late_rate)
            for j in sorted(set(back[:n_late].tolist())):
                past_no = day_no - j
                if past_no < origin_day:
                    continue
                k_past = past_no - signed // DAY
                pool = np.flatnonzero((k_past >= 1) & _installed_now(state))
                count = int(np.count_nonzero(back[:n_late] == j))
                if not len(pool) or not count:
                    continue
                picked = np.sort(rng.choice(pool, min(count, len(pool)), replace=False))
                tables, _, _, picked = block(ROLE_LATE, past_no * DAY, picked, salt=j)
                for name, t in tables.items():
                    received = day_ts + np.sort(rng.integers(0, DAY, t.num_rows))
                    t = t.set_column(
                        t.schema.get_field_index("received_at"),
                        "received_at",
                        fmt.timestamps(received),
                    )
                    out.tables[name].append(t)
                out.late += len(picked)
        # New users: the history's average sign-ups per day, ids after the largest.
        n_new = max(1, round(history.users_per_day))
        b = simulate_block(
            catalog, plants, seed, (day_no * 16 + ROLE_NEW) * 16, next_user, n_new, day_ts, 1,
            counters,
        )  # fmt: skip
        counters = b.counters
        for name, t in b.tables.items():
            out.tables[name].append(t)
        out.new += n_new
        next_user += n_new
        new_state = _latest_versions(b.tables["users"])
        if versions is not None:
            out.tables["users"].append(versions)
            keep = np.ones(state.num_rows, bool)
            keep[chosen] = False
            state = pa.concat_tables([state.filter(pa.array(keep)), versions.cast(state.schema)])
        state = pa.concat_tables([state, new_state.cast(state.schema)])
        state = state.sort_by("user_id")
    return out, state


def _latest_versions(users: pa.Table) -> pa.Table:
    order = pc.sort_indices(users, [("user_id", "ascending"), ("updated_at", "descending")])
    users = users.take(order)
    ids = users.column("user_id").to_numpy(zero_copy_only=False)
    first = np.r_[True, ids[1:] != ids[:-1]] if len(ids) else np.zeros(0, bool)
    return users.filter(pa.array(first)).select(list(USER_COLUMNS))


# --- the command -----------------------------------------------------------------------


def resolve(history: History, args) -> dict:
    """Options of the continuation: explicit ones, else the history's, else defaults."""
    base = history.arguments
    opts = {}
    for key, default in (
        ("seed", 42), ("duplicate_rate", 0.0), ("late_rate", 0.0), ("malformed_rate", 0.0),
        ("enum_noise_rate", 0.0), ("format", "parquet"),
    ):  # fmt: skip
        value = getattr(args, key, None)
        opts[key] = value if value is not None else base.get(key, default)
    names = set(args.plant) if args.plant else set(base.get("plant") or [])
    opts["plant"] = sorted(PLANTS if "all" in names else names)
    opts["days"] = args.days if args.days is not None else 1
    if opts["days"] < 1:
        raise UserError("--days must be at least 1")
    for key in ("duplicate_rate", "late_rate", "malformed_rate", "enum_noise_rate"):
        if not 0.0 <= opts[key] <= 0.5:
            raise UserError(f"--{key.replace('_', '-')} must be between 0 and 0.5")
    if not args.out:
        raise UserError("give --out DIR for the new delivery")
    opts["out"] = args.out
    if args.start is not None and args.start != history.next_day.isoformat():
        raise UserError(
            f"--start with --continue must be the day after the history: "
            f"{history.next_day.isoformat()} (or leave it out)"
        )
    opts["start"] = history.next_day.isoformat()
    return opts


def continue_history(source: str, args) -> dict:
    """Write the next delivery of the history at `source`; returns its manifest."""
    history = read_history(source)
    opts = resolve(history, args)
    out = Path(opts["out"])
    if any(str(out.resolve()) == folder for folder in history.deliveries):
        raise UserError(f"--out {out} is a delivery of the history; pick a new folder")
    return fmt.write_delivery(out, lambda folder: _write_days(folder, history, opts))


def _write_days(out: Path, history, opts: dict) -> dict:
    """continue_history(), writing the tables into `out`; returns the manifest."""
    ext = opts["format"]
    days_out, _ = simulate_days(history, opts)
    rates = FaultRates(opts["duplicate_rate"], 0.0, opts["malformed_rate"], opts["enum_noise_rate"])
    text_cols = text_columns(rates.malformed)
    fault_counts: dict[str, dict[str, int]] = {}
    files, row_counts = {}, {}
    for t_index, (name, parts) in enumerate(days_out.tables.items()):
        table = contract.TABLES[name]
        writer = fmt.TableWriter(
            out, table, ext, fmt.arrow_schema(table, text_cols.get(name, frozenset()))
        )
        try:
            for p_index, part in enumerate(parts):
                rng = np.random.default_rng([opts["seed"], 9, t_index, p_index])
                part = apply_faults(
                    name, part, rates, rng, fault_counts, text_cols.get(name, frozenset())
                )
                writer.write(part)
        finally:
            writer.close()
        files[name], row_counts[name] = writer.path.name, writer.rows
    manifest = {
        "generator": "behavior generate --continue",
        "arguments": {k: opts[k] for k in sorted(opts)},
        "format": ext,
        "files": files,
        "row_counts": row_counts,
        "text_columns": {k: sorted(v) for k, v in sorted(text_cols.items())},
        "faults": {k: dict(sorted(v.items())) for k, v in sorted(fault_counts.items())},
        "continuation": {
            "source": str(history.source),
            "deliveries": history.deliveries,
            "history_arguments": {
                "seed": opts["seed"],
                "plant": opts["plant"],
                "format": ext,
                "duplicate_rate": opts["duplicate_rate"],
                "late_rate": opts["late_rate"],
                "malformed_rate": opts["malformed_rate"],
                "enum_noise_rate": opts["enum_noise_rate"],
            },  # fmt: skip
            "origin": {
                "start": history.origin_start,
                "days": history.origin_days,
                "users_per_day": history.users_per_day,
            },
            "first_ids": history.next_ids,
            "history_rows_received_after_its_end": history.received_after,
            "history_sessions_outside_its_days": history.sessions_outside,
            "returning_user_days": days_out.returning,
            "new_users": days_out.new,
            "late_user_days": days_out.late,
        },
    }
    return manifest
