"""The seven core outputs as a vectorized pandas script (the benchmark's user script).

    python -m behavior.bench.core.pandas_script --database DB --out-dir DIR [--out R.json]

Reads the raw tables and the exchange rates of DB into pandas DataFrames (that read
counts in its time), computes the seven outputs of behavior.bench.core.OUTPUTS with
pandas/numpy operations (groupby, merge, shift, cumsum; the JSON lists are parsed in
one pass per chunk by pyarrow's JSON reader, pandas' own Arrow dependency, since
pandas has no vectorized JSON parser) and writes each as DIR/<name>.parquet. Same
definitions as the floor (README, staging rules, UTC days). R.json gets the seconds:
read, compute, write.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from behavior.bench.core import (
    CRASHED_SESSION_TAIL_SECONDS,
    EARLIEST_EVENT_DATE,
    FUNNEL_WINDOW_DAYS,
)

RAW_TABLES = (
    "users",
    "courses",
    "modules",
    "quizzes",
    "user_course_interactions",
    "user_app_sessions",
    "quiz_attempts",
    "user_purchases",
)
NS_PER_S = 1_000_000_000
# JSON lists are parsed this many sessions at a time (one text of their lines each).
JSON_CHUNK_ROWS = 200_000
NAVIGATION_STEP = pa.struct([("screen", pa.string()), ("viewed_at", pa.string())])


# --- helpers -------------------------------------------------------------------------


def read_raw(database: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        # Qualified by the catalog: a file named raw.duckdb makes `raw.<table>` ambiguous.
        catalog = con.execute("select current_database()").fetchone()[0]
        frames = {t: con.execute(f'select * from "{catalog}".raw.{t}').df() for t in RAW_TABLES}
        frames["fx_rates_to_usd"] = con.execute(
            f'select * from "{catalog}".lookups.fx_rates_to_usd'
        ).df()
    finally:
        con.close()
    return frames


def norm(values: pd.Series) -> pd.Series:
    """lower(trim()) keeping nulls."""
    return values.str.strip().str.lower()


def first_received(frame: pd.DataFrame, key: str, then: str) -> pd.DataFrame:
    """One row per `key`: the first received copy (ties: the earlier `then`)."""
    ordered = frame.sort_values([key, "received_at", then], kind="stable", na_position="last")
    return ordered.drop_duplicates(key, keep="first")


def day(values: pd.Series) -> pd.Series:
    """The UTC calendar day of a timestamp column (datetime64 at midnight)."""
    return values.dt.floor("D")


def epoch_seconds(values: pd.Series) -> pd.Series:
    """Whole seconds since the epoch (floored), as DuckDB's date_diff('second') counts."""
    nanoseconds = values.astype("datetime64[ns]").to_numpy().view("int64")
    return pd.Series(nanoseconds // NS_PER_S, index=values.index).where(values.notna())


def seconds_between(start: pd.Series, end: pd.Series) -> pd.Series:
    return epoch_seconds(end) - epoch_seconds(start)


def days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    return (end - start).dt.days


def round_cents(values: pd.Series) -> pd.Series:
    """Round to 2 decimals, half away from zero."""
    return np.sign(values) * np.floor(np.abs(values) * 100 + 0.5) / 100


# --- staging -------------------------------------------------------------------------


def stage(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    users = raw["users"].sort_values(["user_id", "updated_at"], ascending=[True, False])
    users = users.drop_duplicates("user_id", keep="first")
    users = pd.DataFrame(
        {
            "user_id": users["user_id"],
            "platform": norm(users["platform"]),
            "signed_up_date": day(users["signed_up_at"]),
        }
    )
    sessions = first_received(raw["user_app_sessions"], "session_id", "opened_at")
    sessions = sessions.assign(platform=norm(sessions["platform"]))
    interactions = first_received(raw["user_course_interactions"], "event_id", "occurred_at")
    interactions = interactions.assign(
        event_type=norm(interactions["event_type"]),
        platform=norm(interactions["platform"]),
        occurred_date=day(interactions["occurred_at"]),
    )
    attempts = first_received(raw["quiz_attempts"], "attempt_id", "started_at")
    attempts = attempts.assign(
        platform=norm(attempts["platform"]), started_date=day(attempts["started_at"])
    )
    purchases = first_received(raw["user_purchases"], "event_id", "occurred_at")
    fx = raw["fx_rates_to_usd"]
    micro = pd.Series(
        np.rint(fx["usd_per_unit"].astype(float).to_numpy() * 1e6), index=fx["currency"]
    )
    cents = np.rint(purchases["amount"].astype(float) * 100)
    rate = purchases["currency"].str.strip().str.upper().map(micro)
    product = (cents * rate).to_numpy()  # in 1e-8 USD, exact in float64 at these sizes
    usd_cents = np.sign(product) * np.floor(np.abs(product) / 1e6 + 0.5)
    purchases = purchases.assign(
        event_type=norm(purchases["event_type"]),
        platform=norm(purchases["platform"]),
        occurred_date=day(purchases["occurred_at"]),
        amount_cents=usd_cents,  # NaN without a rate
    )
    return {
        "users": users,
        "sessions": sessions,
        "interactions": interactions,
        "attempts": attempts,
        "purchases": purchases,
    }


def spine(raw: dict[str, pd.DataFrame], staged: dict[str, pd.DataFrame]) -> pd.Series:
    """Every day from the first to the last event day (clamped as the project does)."""
    candidates = [
        staged["users"]["signed_up_date"],
        day(raw["users"]["installed_at"]),
        day(raw["users"]["uninstalled_at"]),
        day(raw["users"]["reinstalled_at"]),
        day(staged["sessions"]["opened_at"]),
        staged["interactions"]["occurred_date"],
        staged["attempts"]["started_date"],
        staged["purchases"]["occurred_date"],
    ]
    first = min(c.min() for c in candidates if c.notna().any())
    last = max(c.max() for c in candidates if c.notna().any())
    earliest = pd.Timestamp(EARLIEST_EVENT_DATE)
    tomorrow = pd.Timestamp(date.today() + timedelta(days=1))
    first = min(max(first, earliest), tomorrow)
    last = max(min(last, tomorrow), earliest)
    return pd.Series(pd.date_range(first, last, freq="D"), name="day")


# --- the seven outputs ---------------------------------------------------------------


def _json_lists(texts: pd.Series, item: pa.DataType) -> tuple[pd.Index, pa.Array, pd.Series]:
    """Parse JSON list texts in one vectorized pass: the row label of every item, the
    items (flattened), and each row's list length (NaN for a null text or list).

    The texts become the lines of one JSON-lines text, `{"v": <list>}`, read by
    pyarrow's JSON reader with the list type given (newlines, only whitespace in valid
    JSON, become spaces)."""
    lines = '{"v":' + texts.fillna("null").astype(str).str.replace("\n", " ", regex=False) + "}"
    table = pa_json.read_json(
        io.BytesIO(lines.str.cat(sep="\n").encode()),
        parse_options=pa_json.ParseOptions(explicit_schema=pa.schema([("v", pa.list_(item))])),
    )
    lists = table.column("v").combine_chunks()
    lengths = pd.Series(
        pc.list_value_length(lists).to_numpy(zero_copy_only=False), index=texts.index
    ).astype("float64")
    rows = texts.index[pc.list_parent_indices(lists).to_numpy()]
    return rows, pc.list_flatten(lists), lengths


def _navigation_measured(texts: pd.Series) -> pd.DataFrame:
    """Per session (index of `texts`, the JSON navigation lists): steps, distinct
    screens, entry and exit screen (the first / last step's, null or not), the last
    parseable view time, and the distinct features are added by the caller."""
    rows, steps, lengths = _json_lists(texts, NAVIGATION_STEP)
    screens = pd.Series(steps.field("screen").to_pandas(), dtype="string")
    viewed_at = pd.Series(steps.field("viewed_at").to_pandas(), dtype="string").str.replace(
        "T", " "
    )
    steps_frame = pd.DataFrame(
        {
            "row": rows,
            "screen": norm(screens).to_numpy(),
            "viewed_at": pd.to_datetime(
                viewed_at.str.replace("Z", ""), errors="coerce", format="ISO8601"
            ).to_numpy(),
        }
    )
    by_row = steps_frame.groupby("row", sort=False)
    out = pd.DataFrame(index=texts.index)
    out["screens_viewed_count"] = lengths.fillna(0).astype("int64")
    out["distinct_screens_count"] = (
        by_row["screen"].nunique().reindex(out.index).fillna(0).astype("int64")
    )
    position = by_row.cumcount().to_numpy()
    count = out["screens_viewed_count"].reindex(steps_frame["row"]).to_numpy()
    first_step = steps_frame[position == 0].set_index("row")["screen"]
    last_step = steps_frame[position == count - 1].set_index("row")["screen"]
    out["entry_screen"] = first_step.reindex(out.index).astype(object)
    out["exit_screen"] = last_step.reindex(out.index).astype(object)
    out["last_viewed_at"] = by_row["viewed_at"].max().reindex(out.index)
    return out


def _features_counted(texts: pd.Series) -> pd.Series:
    """Per session: distinct non-null features (normalized) in the JSON list."""
    rows, items, _ = _json_lists(texts, pa.string())
    features = norm(pd.Series(items.to_numpy(zero_copy_only=False), index=rows, dtype="string"))
    return features.dropna().groupby(level=0).nunique().reindex(texts.index).fillna(0)


def sessions_fact(sessions: pd.DataFrame) -> pd.DataFrame:
    s = sessions[
        ["session_id", "user_id", "platform", "opened_at", "closed_at", "active_seconds"]
    ].copy()
    measures = pd.concat(
        [
            _navigation_measured(sessions["navigation_history"].iloc[i : i + JSON_CHUNK_ROWS])
            for i in range(0, len(sessions), JSON_CHUNK_ROWS)
        ]
        or [_navigation_measured(sessions["navigation_history"])]
    )
    s = s.join(measures)
    last_viewed = s.pop("last_viewed_at")
    features = [
        _features_counted(sessions["features_used"].iloc[i : i + JSON_CHUNK_ROWS])
        for i in range(0, len(sessions), JSON_CHUNK_ROWS)
    ]
    s["features_used_count"] = (
        pd.concat(features).astype("int64") if features else pd.Series(0, index=s.index)
    )
    s["is_crashed"] = s["closed_at"].isna()
    closed = seconds_between(s["opened_at"], s["closed_at"])
    to_last = seconds_between(s["opened_at"], last_viewed.fillna(s["opened_at"]))
    crashed = np.fmax(to_last + CRASHED_SESSION_TAIL_SECONDS, s["active_seconds"].astype(float))
    s["session_seconds"] = closed.where(~s["is_crashed"], crashed).astype("Int64")
    s["ended_at"] = s["closed_at"].where(
        ~s["is_crashed"],
        s["opened_at"] + pd.to_timedelta(s["session_seconds"].astype(float), unit="s"),
    )
    s["opened_date"] = day(s["opened_at"])
    s["ended_date"] = day(s["ended_at"])
    s["is_bounce"] = (s["screens_viewed_count"] <= 1) | (s["session_seconds"] < 10).fillna(False)
    s = s.sort_values(["user_id", "opened_at", "session_id"], kind="stable")
    by_user = s.groupby("user_id", sort=False)
    s["user_session_number"] = by_user.cumcount() + 1
    previous_end = by_user["ended_at"].shift(1)
    s["seconds_since_previous_session"] = seconds_between(previous_end, s["opened_at"]).astype(
        "Int64"
    )
    s["active_seconds"] = s["active_seconds"].astype("Int64")
    return s


def user_daily_activity(staged: dict[str, pd.DataFrame]) -> pd.DataFrame:
    sessions, interactions = staged["sessions"], staged["interactions"]
    attempts, purchases = staged["attempts"], staged["purchases"]
    user_initiated = ["cart_add", "purchase_attempt", "transaction_completed"]
    initiated = purchases[purchases["event_type"].isin(user_initiated)]
    module_event = interactions["event_type"].isin(
        ["module_start", "module_complete", "progress_update"]
    )
    parts = [
        pd.DataFrame(
            {
                "user_id": sessions["user_id"],
                "activity_date": day(sessions["opened_at"]),
                "platform": sessions["platform"],
                "sessions": 1,
                "active_seconds": sessions["active_seconds"].astype(float),
            }
        ),
        pd.DataFrame(
            {
                "user_id": interactions["user_id"],
                "activity_date": interactions["occurred_date"],
                "platform": interactions["platform"],
                "interactions": 1,
                "module_events": module_event.astype("int64"),
                "active_seconds": 0.0,
            }
        ),
        pd.DataFrame(
            {
                "user_id": attempts["user_id"],
                "activity_date": attempts["started_date"],
                "platform": attempts["platform"],
                "quizzes": 1,
                "active_seconds": 0.0,
            }
        ),
        pd.DataFrame(
            {
                "user_id": initiated["user_id"],
                "activity_date": initiated["occurred_date"],
                "platform": initiated["platform"],
                "commerce": 1,
                "purchases": initiated["event_type"].eq("transaction_completed").astype("int64"),
                "active_seconds": 0.0,
            }
        ),
    ]
    counts = ["sessions", "interactions", "module_events", "quizzes", "commerce", "purchases"]
    activity = pd.concat(parts, ignore_index=True)
    activity[counts] = activity[counts].fillna(0).astype("int64")
    keys = ["user_id", "activity_date", "platform"]
    per_platform = activity.groupby(keys, dropna=False, sort=False).agg(
        **{c: (c, "sum") for c in counts},
        active_seconds=("active_seconds", "sum"),
        active_seconds_known=("active_seconds", "count"),
    )
    per_platform = per_platform.reset_index()
    # SQL's sum: null when every value is null
    per_platform["active_seconds"] = per_platform["active_seconds"].where(
        per_platform.pop("active_seconds_known") > 0
    )
    per_platform["events"] = per_platform[["sessions", "interactions", "quizzes", "commerce"]].sum(
        axis=1
    )
    ranked = per_platform.sort_values(
        ["user_id", "activity_date", "events", "active_seconds", "platform"],
        ascending=[True, True, False, False, True],
        na_position="last",
        kind="stable",
    )
    top = ranked.drop_duplicates(["user_id", "activity_date"], keep="first")
    days = per_platform.groupby(["user_id", "activity_date"], sort=False).agg(
        platforms_count=("platform", "size"),
        activity_events_count=("events", "sum"),
        sessions_count=("sessions", "sum"),
        active_seconds=("active_seconds", "sum"),
        active_seconds_known=("active_seconds", "count"),
        course_interactions_count=("interactions", "sum"),
        module_events=("module_events", "sum"),
        quiz_attempts_count=("quizzes", "sum"),
        commerce_events_count=("commerce", "sum"),
        purchases_count=("purchases", "sum"),
    )
    days = days.reset_index().merge(
        top[["user_id", "activity_date", "platform"]], on=["user_id", "activity_date"]
    )
    days["active_seconds"] = days["active_seconds"].where(days.pop("active_seconds_known") > 0)
    days["learning_events_count"] = days["module_events"] + days["quiz_attempts_count"]
    days = days.merge(staged["users"][["user_id", "signed_up_date"]], on="user_id", how="left")
    known = days["signed_up_date"].notna()
    days["is_new_user"] = (days["activity_date"] == days["signed_up_date"]).where(known)
    days["is_new_user"] = days["is_new_user"].astype("boolean")
    days["days_since_signup"] = days_between(days["signed_up_date"], days["activity_date"]).astype(
        "Int64"
    )
    days["active_seconds"] = days["active_seconds"].astype("Int64")
    return days.drop(columns=["module_events", "signed_up_date"])


def engagement_daily(
    raw: dict[str, pd.DataFrame],
    staged: dict[str, pd.DataFrame],
    activity: pd.DataFrame,
    sessions: pd.DataFrame,
    days: pd.Series,
) -> pd.DataFrame:
    out = pd.DataFrame({"activity_date": days})
    # DAU/WAU/MAU: user u is in the W-day window of day d when active in (d - W, d]. Each
    # active day a covers [a, min(a + W, next active day)); +1/-1 at the span ends.
    a = activity[["user_id", "activity_date"]].sort_values(["user_id", "activity_date"])
    start = a["activity_date"]
    nxt = a.groupby("user_id", sort=False)["activity_date"].shift(-1)
    day0 = days.iloc[0]
    n_days = len(days)

    def distinct_active(window: int) -> np.ndarray:
        end = start + pd.Timedelta(days=window)
        end = end.where(nxt.isna() | (end <= nxt), nxt)
        first = (start - day0).dt.days.to_numpy()
        last = (end - day0).dt.days.to_numpy()
        delta = np.zeros(n_days + 40, dtype="int64")
        np.add.at(delta, np.clip(first, 0, len(delta) - 1), 1)
        np.add.at(delta, np.clip(last, 0, len(delta) - 1), -1)
        return np.cumsum(delta)[:n_days]

    out["dau"] = distinct_active(1)
    out["wau"] = distinct_active(7)
    out["mau"] = distinct_active(30)
    out["stickiness"] = (out["dau"] / out["mau"].replace(0, np.nan)).astype(float)
    signups = staged["users"].groupby("signed_up_date").size()
    out["new_users_count"] = out["activity_date"].map(signups).fillna(0).astype("int64")
    users = raw["users"]
    installs = pd.concat(
        [
            pd.DataFrame({"user_id": users["user_id"], "kind": kind, "at": users[column]})
            for kind, column in (
                ("install", "installed_at"),
                ("uninstall", "uninstalled_at"),
                ("reinstall", "reinstalled_at"),
            )
        ]
    ).dropna(subset=["at"])
    installs = installs.drop_duplicates()
    installs["day"] = day(installs["at"])
    install_days = installs[installs["kind"] != "uninstall"].groupby("day").size()
    uninstall_days = installs[installs["kind"] == "uninstall"].groupby("day").size()
    out["installs_count"] = out["activity_date"].map(install_days).fillna(0).astype("int64")
    out["uninstalls_count"] = out["activity_date"].map(uninstall_days).fillna(0).astype("int64")
    stats = sessions.assign(seconds=sessions["session_seconds"].astype(float))
    stats = stats.groupby("opened_date").agg(
        sessions_count=("session_id", "size"),
        bounced_sessions_count=("is_bounce", "sum"),
        crashed_sessions_count=("is_crashed", "sum"),
        avg_session_seconds=("seconds", "mean"),
        median_session_seconds=("seconds", "median"),
    )
    out = out.merge(stats, left_on="activity_date", right_index=True, how="left")
    with_sessions = out["sessions_count"].notna()
    for column in ("sessions_count", "bounced_sessions_count", "crashed_sessions_count"):
        out[column] = out[column].fillna(0).astype("int64")
    out["sessions_per_user"] = (out["sessions_count"] / out["dau"].replace(0, np.nan)).where(
        with_sessions
    )
    out["bounce_rate"] = (out["bounced_sessions_count"] / out["sessions_count"]).where(
        with_sessions
    )
    return out


def retention_cohorts(
    staged: dict[str, pd.DataFrame], activity: pd.DataFrame, last_day: pd.Timestamp
) -> pd.DataFrame:
    users = staged["users"][["user_id", "signed_up_date"]].copy()
    users["signup_week"] = users["signed_up_date"] - pd.to_timedelta(
        users["signed_up_date"].dt.day_of_week, unit="D"
    )
    returns = activity[["user_id", "activity_date"]].merge(users, on="user_id")
    returns = returns[returns["activity_date"] > returns["signed_up_date"]]
    returns = returns.assign(
        day_offset=days_between(returns["signed_up_date"], returns["activity_date"]),
        week_offset=days_between(returns["signup_week"], returns["activity_date"]) // 7,
    )
    last = returns.groupby("user_id").agg(
        last_day=("day_offset", "max"), last_week=("week_offset", "max")
    )
    frames = []
    for granularity, offsets, cohort_column, column, span in (
        ("day", [1, 7, 14, 30], "signed_up_date", "day_offset", 0),
        ("week", list(range(13)), "signup_week", "week_offset", 6),
    ):
        step = 1 if granularity == "day" else 7
        grid = users.merge(pd.DataFrame({"period_offset": offsets}), how="cross")
        hits = returns[["user_id", column]].drop_duplicates()
        hits = hits.rename(columns={column: "period_offset"}).assign(returned_on=True)
        grid = grid.merge(hits, on=["user_id", "period_offset"], how="left")
        grid = grid.merge(last, left_on="user_id", right_index=True, how="left")
        last_offset = grid["last_day" if granularity == "day" else "last_week"]
        grid["returned_on_or_after"] = (last_offset >= grid["period_offset"]).fillna(False)
        grid["returned_on"] = grid["returned_on"].fillna(False).astype(bool)
        grid["cohort_date"] = grid[cohort_column]
        counted = grid.groupby(["cohort_date", "period_offset"], as_index=False).agg(
            cohort_size=("user_id", "size"),
            returned_on_count=("returned_on", "sum"),
            returned_on_or_after_count=("returned_on_or_after", "sum"),
        )
        counted["cohort_granularity"] = granularity
        counted["period_start_date"] = counted["cohort_date"] + pd.to_timedelta(
            counted["period_offset"] * step, unit="D"
        )
        counted["period_end_date"] = counted["period_start_date"] + pd.Timedelta(days=span)
        frames.append(counted)
    out = pd.concat(frames, ignore_index=True)
    out = out[out["period_start_date"] <= last_day].copy()
    out["is_complete"] = out["period_end_date"] <= last_day
    out["returned_on_rate"] = out["returned_on_count"] / out["cohort_size"]
    out["returned_on_or_after_rate"] = out["returned_on_or_after_count"] / out["cohort_size"]
    return out


def _next_step(
    funnels: pd.DataFrame,
    events: pd.DataFrame,
    after: str,
    name: str,
    windowed: bool,
) -> pd.DataFrame:
    """Add column `name`: the first event at or after `after` (within the window)."""
    reached = funnels.loc[funnels[after].notna(), ["click_id", "user_id", "course_id", after]]
    if windowed:
        reached["window_end"] = funnels.loc[reached.index, "window_end"]
    pairs = reached.merge(events, on=["user_id", "course_id"])
    keep = pairs["occurred_at"] >= pairs[after]
    if windowed:
        keep &= pairs["occurred_at"] <= pairs["window_end"]
    first = pairs[keep].groupby("click_id")["occurred_at"].min().rename(name)
    return funnels.merge(first, left_on="click_id", right_index=True, how="left")


def purchase_funnel(raw: dict[str, pd.DataFrame], staged: dict[str, pd.DataFrame]) -> pd.DataFrame:
    interactions, purchases = staged["interactions"], staged["purchases"]
    columns = ["user_id", "course_id", "occurred_at"]

    def events(kind: str) -> pd.DataFrame:
        return interactions.loc[interactions["event_type"] == kind, columns]

    clicks = interactions.loc[interactions["event_type"] == "course_click", ["event_id", *columns]]
    funnels = clicks.rename(columns={"event_id": "click_id", "occurred_at": "s1"})
    funnels["window_end"] = funnels["s1"] + pd.Timedelta(days=FUNNEL_WINDOW_DAYS)
    payments = purchases.loc[purchases["event_type"] == "transaction_completed", columns]
    for after, name, source, windowed in (
        ("s1", "s2", events("wishlist_add"), True),
        ("s2", "s3", events("cart_add"), True),
        ("s3", "s4", events("purchase_attempt"), True),
        ("s4", "s5", payments, True),
        ("s5", "s6", events("module_start"), False),
    ):
        funnels = _next_step(funnels, source, after, name, windowed)
    steps = ["s2", "s3", "s4", "s5", "s6"]
    funnels["furthest"] = funnels[steps].notna().sum(axis=1)
    funnels = funnels.sort_values(
        ["user_id", "course_id", "furthest", "s1", "click_id"],
        ascending=[True, True, False, True, True],
        kind="stable",
    ).drop_duplicates(["user_id", "course_id"], keep="first")
    courses = raw["courses"]
    paid_courses = courses.loc[courses["price_amount"].astype(float) != 0, "course_id"]
    funnels = funnels[funnels["course_id"].isin(paid_courses)]
    # Course completion: the earlier of progress >= 100 and the last of all modules completed.
    modules = raw["modules"][["module_id", "course_id"]]
    module_counts = modules.groupby("course_id").size().rename("module_count")
    learning = interactions[
        interactions["event_type"].isin(["module_start", "module_complete", "progress_update"])
        & interactions["module_id"].isin(modules["module_id"])
    ]
    learning = learning.assign(
        started=learning["occurred_at"].where(
            learning["event_type"].isin(["module_start", "progress_update"])
        ),
        completed=learning["occurred_at"].where(learning["event_type"] == "module_complete"),
        full=learning["occurred_at"].where(learning["progress_percent"] >= 100),
    )
    per_module = learning.groupby(["user_id", "course_id", "module_id"]).agg(
        started=("started", "min"), completed=("completed", "min"), full=("full", "min")
    )
    per_course = per_module.groupby(["user_id", "course_id"]).agg(
        started=("started", "min"),
        completed_modules=("completed", "count"),
        last_completed=("completed", "max"),
        full=("full", "min"),
    )
    per_course = per_course.reset_index().merge(module_counts, on="course_id")
    per_course = per_course[per_course["started"].notna()]
    all_done = per_course["last_completed"].where(
        per_course["completed_modules"] >= per_course["module_count"]
    )
    per_course["completed_at"] = per_course["full"].where(
        all_done.isna() | (per_course["full"] <= all_done), all_done
    )
    funnels = funnels.merge(
        per_course[["user_id", "course_id", "completed_at"]],
        on=["user_id", "course_id"],
        how="left",
    )
    funnels["s7"] = funnels["completed_at"].where(funnels["completed_at"] >= funnels["s6"])
    reached = []
    previous = None
    for number, column in enumerate(["s1", *steps, "s7"], start=1):
        rows = funnels[funnels[column].notna()]
        seconds = (
            seconds_between(rows[previous], rows[column])
            if previous
            else pd.Series(np.nan, index=rows.index)
        )
        reached.append(
            pd.DataFrame(
                {
                    "course_id": rows["course_id"],
                    "user_id": rows["user_id"],
                    "step_number": number,
                    "s": seconds,
                }
            )
        )
        previous = column
    reached = pd.concat(reached, ignore_index=True)
    counted = reached.groupby(["course_id", "step_number"]).agg(
        users_count=("user_id", "nunique"), median=("s", "median")
    )
    names = pd.DataFrame(
        {
            "step_number": range(1, 8),
            "step_name": [
                "click",
                "wishlist",
                "cart",
                "purchase_attempt",
                "payment_succeeded",
                "first_module_started",
                "course_completed",
            ],
            "is_in_conversion_window": [True] * 5 + [False] * 2,
        }
    )
    grid = pd.DataFrame({"course_id": funnels["course_id"].unique()}).merge(names, how="cross")
    grid = grid.merge(counted, left_on=["course_id", "step_number"], right_index=True, how="left")
    grid["users_count"] = grid["users_count"].fillna(0).astype("int64")
    grid = grid.sort_values(["course_id", "step_number"])
    by_course = grid.groupby("course_id")["users_count"]
    grid["conversion_from_previous_rate"] = grid["users_count"] / by_course.shift(1).replace(
        0, np.nan
    )
    grid["conversion_from_first_rate"] = grid["users_count"] / by_course.transform("first").replace(
        0, np.nan
    )
    return grid.rename(columns={"median": "median_seconds_from_previous_step"})


def revenue_daily(
    purchases: pd.DataFrame, engagement: pd.DataFrame, days: pd.Series
) -> pd.DataFrame:
    out = pd.DataFrame({"revenue_date": days})
    paid = purchases[purchases["event_type"] == "transaction_completed"]
    refunds = purchases[purchases["event_type"] == "refund"]
    paid_by_day = paid.groupby("occurred_date").agg(
        transactions_count=("event_id", "size"),
        paying_users_count=("user_id", "nunique"),
        gross=("amount_cents", "sum"),
    )
    refunds_by_day = refunds.groupby("occurred_date").agg(
        refunds_count=("event_id", "size"), refunded=("amount_cents", "sum")
    )
    out = out.merge(paid_by_day, left_on="revenue_date", right_index=True, how="left")
    out = out.merge(refunds_by_day, left_on="revenue_date", right_index=True, how="left")
    dau = engagement.set_index("activity_date")["dau"]
    out["active_users_count"] = out["revenue_date"].map(dau).fillna(0).astype("int64")
    for column in ("transactions_count", "paying_users_count", "refunds_count"):
        out[column] = out[column].fillna(0).astype("int64")
    gross = out["gross"].fillna(0).astype("int64").to_numpy()
    refunded = out["refunded"].fillna(0).astype("int64").to_numpy()
    net = gross - refunded
    out["gross_revenue_usd"] = gross / 100
    out["refunds_usd"] = refunded / 100
    out["net_revenue_usd"] = net / 100
    # Net per user to the cent, half away from zero (the commercial rounding, also
    # DuckDB's when a double becomes a decimal); numpy's round would round half to even.
    for column, users in (
        ("arpu_usd", out["active_users_count"]),
        ("arppu_usd", out["paying_users_count"]),
    ):
        out[column] = round_cents(out["net_revenue_usd"] / users.replace(0, np.nan))
    return out.drop(columns=["gross", "refunded"])


def quiz_attempts_fact(raw: dict[str, pd.DataFrame], attempts: pd.DataFrame) -> pd.DataFrame:
    quizzes = raw["quizzes"][["quiz_id", "module_id", "pass_mark_percent"]]
    modules = raw["modules"][["module_id", "course_id"]]
    # Every attempt is kept; one of a quiz outside the catalog has no module, course or
    # pass mark.
    a = attempts[["attempt_id", "user_id", "quiz_id", "started_at", "submitted_at"]].merge(
        quizzes, on="quiz_id", how="left"
    )
    a = a.merge(modules, on="module_id", how="left")
    a["is_abandoned"] = a["submitted_at"].isna()
    scores = attempts.set_index("attempt_id")["score_percent"]
    a["score_percent"] = a["attempt_id"].map(scores).where(~a["is_abandoned"]).astype(float)
    a = a.sort_values(["user_id", "quiz_id", "started_at", "attempt_id"], kind="stable")
    a["attempt_number"] = a.groupby(["user_id", "quiz_id"], sort=False).cumcount() + 1
    submitted = a[~a["is_abandoned"]]
    by_quiz = submitted.groupby(["user_id", "quiz_id"], sort=False)
    a["submitted_attempt_number"] = (by_quiz.cumcount() + 1).reindex(a.index).astype("Int64")
    a["previous_score_percent"] = by_quiz["score_percent"].shift(1).reindex(a.index)
    a["is_first_attempt"] = a["attempt_number"] == 1
    a["pass_mark_percent"] = a["pass_mark_percent"].astype(float)
    # Abandoned: not passed; without a pass mark: unknown.
    passed = (a["score_percent"] >= a["pass_mark_percent"]).astype("boolean")
    passed[a["pass_mark_percent"].isna()] = pd.NA
    passed[a["is_abandoned"]] = False
    a["is_passed"] = passed
    a["duration_seconds"] = seconds_between(a["started_at"], a["submitted_at"]).astype("Int64")
    a["score_improvement"] = a["score_percent"] - a["previous_score_percent"]
    return a


def compute(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    staged = stage(raw)
    days = spine(raw, staged)
    sessions = sessions_fact(staged["sessions"])
    activity = user_daily_activity(staged)
    engagement = engagement_daily(raw, staged, activity, sessions, days)
    return {
        "sessions": sessions,
        "user_daily_activity": activity,
        "engagement_daily": engagement,
        "retention_cohorts": retention_cohorts(staged, activity, days.iloc[-1]),
        "purchase_funnel": purchase_funnel(raw, staged),
        "revenue_daily": revenue_daily(staged["purchases"], engagement, days),
        "quiz_attempts": quiz_attempts_fact(raw, staged["attempts"]),
    }


def write(outputs: dict[str, pd.DataFrame], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in outputs.items():
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m behavior.bench.core.pandas_script")
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="JSON with the seconds per phase")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    raw = read_raw(args.database)
    read = time.perf_counter()
    outputs = compute(raw)
    computed = time.perf_counter()
    write(outputs, args.out_dir)
    done = time.perf_counter()
    seconds = {
        "read": round(read - started, 3),
        "compute": round(computed - read, 3),
        "write": round(done - computed, 3),
        "seconds": round(done - started, 3),
    }
    if args.out:
        args.out.write_text(json.dumps(seconds))
    print(f"pandas: seven outputs in {seconds['seconds']:.2f} s ({seconds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
