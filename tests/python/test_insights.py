"""`behavior insight`: known answers for every funnel, retention, lifecycle, trends and
stickiness rule, on tiny hand-written event streams (the working is in the comments),
and one-line errors for bad input.

Calendar reminders: 2026-10-05 is a Monday, 2026-10-04 a Sunday; Asia/Tokyo is UTC+9.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from behavior import cli
from behavior.errors import UserError
from behavior.insights import Calendar, connect
from behavior.insights.common import EVENT_NAMES, PROPERTIES
from behavior.insights.funnel import funnel
from behavior.insights.lifecycle import lifecycle
from behavior.insights.retention import retention
from behavior.insights.stickiness import stickiness
from behavior.insights.trends import trends
from conftest import ROOT
from insight_helpers import STREAM_COLUMNS, make_warehouse

DAY = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


def open_stream(tmp_path: Path, events, users=None):
    return connect(make_warehouse(tmp_path / "w.duckdb", events, users))


def users_per_step(result) -> list[int]:
    return result.column("users_count")


def users_per_breakdown_step(result) -> dict:
    """{(breakdown value, step number): users} of a funnel."""
    return {
        (row["breakdown_value"], row["step_number"]): row["users_count"] for row in result.records()
    }


def lifecycle_table(result) -> dict:
    """{(period start, status): users} of a lifecycle."""
    return {
        (str(row["period_start"]), row["status"]): row["users_count"] for row in result.records()
    }


# -- the stream's contract ---------------------------------------------------------------


def test_names_and_columns_match_the_stream_yml():
    models = yaml.safe_load((ROOT / "models/marts/engagement/_engagement__models.yml").read_text())[
        "models"
    ]
    model = next(item for item in models if item["name"] == "fct_user_events")
    columns = {column["name"]: column["data_type"] for column in model["columns"]}
    assert columns == STREAM_COLUMNS
    accepted = [
        rule
        for test in model["data_tests"]
        for rule in test["columns_valid"]["arguments"]["rules"]
        if rule.get("column") == "event_name" and rule["rule"] == "accepted_values"
    ]
    assert [tuple(rule["values"]) for rule in accepted] == [EVENT_NAMES]
    assert set(PROPERTIES) <= set(columns)


# -- funnels -----------------------------------------------------------------------------

# u1: click, a screen view 10 s later, cart 20 s after the click.
# u2: click only.
# u3: cart 5 s BEFORE the click (the wrong order).
# u4: click, cart 5 s later, nothing in between.
ORDER_EVENTS = [
    ("u1", "course_click", "2026-10-02 10:00:00"),
    ("u1", "screen_view", "2026-10-02 10:00:10"),
    ("u1", "cart_add", "2026-10-02 10:00:20"),
    ("u2", "course_click", "2026-10-02 10:00:00"),
    ("u3", "cart_add", "2026-10-02 09:59:55"),
    ("u3", "course_click", "2026-10-02 10:00:00"),
    ("u4", "course_click", "2026-10-02 10:00:00"),
    ("u4", "cart_add", "2026-10-02 10:00:05"),
]


def test_funnel_ordered_allows_events_between_steps(tmp_path):
    # Step 1: u1..u4 = 4. Step 2 at or after the click: u1 (other event between is
    # fine) and u4 = 2; u3's cart came before the click.
    con = open_stream(tmp_path, ORDER_EVENTS)
    result = funnel(con, ["course_click", "cart_add"], **DAY)
    assert users_per_step(result) == [4, 2]
    assert result.column("conversion_from_previous_rate")[1] == pytest.approx(0.5)
    assert result.column("dropoff_count")[1] == 2
    # Time to convert: u1 20 s, u4 5 s: average 12.5, median 12.5.
    assert result.column("average_seconds_from_previous_step")[1] == pytest.approx(12.5)
    assert result.column("median_seconds_from_previous_step")[1] == pytest.approx(12.5)


def test_funnel_strict_breaks_on_any_event_between_steps(tmp_path):
    # u1 has a screen view between click and cart: out. Only u4 converts.
    con = open_stream(tmp_path, ORDER_EVENTS)
    result = funnel(con, ["course_click", "cart_add"], order="strict", **DAY)
    assert users_per_step(result) == [4, 1]


def test_funnel_strict_same_instant_events_do_not_break(tmp_path):
    # u1: click and a screen view at the same instant, cart next: the screen view is not
    # strictly between the steps (their order is unknown), so u1 converts.
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00"),
            ("u1", "screen_view", "2026-10-02 10:00:00"),
            ("u1", "cart_add", "2026-10-02 10:00:30"),
        ],
    )
    result = funnel(con, ["course_click", "cart_add"], order="strict", **DAY)
    assert users_per_step(result) == [1, 1]


def test_funnel_unordered_counts_distinct_steps_in_any_order(tmp_path):
    # Unordered: an attempt starts at any step's event. u3 (cart, then click 5 s later)
    # now does both steps; u1 and u4 too; u2 only one. "any 1 step" = 4, "any 2" = 3.
    con = open_stream(tmp_path, ORDER_EVENTS)
    result = funnel(con, ["course_click", "cart_add"], order="unordered", **DAY)
    assert users_per_step(result) == [4, 3]
    # Times between the two filled steps: u1 20, u3 5, u4 5: median 5.
    assert result.column("median_seconds_from_previous_step")[1] == pytest.approx(5)


def test_funnel_window_is_inclusive_exact_duration(tmp_path):
    # 1-hour window from the click: u1's cart exactly 3600 s later counts, u2's 3601 s
    # later does not.
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00"),
            ("u1", "cart_add", "2026-10-02 11:00:00"),
            ("u2", "course_click", "2026-10-02 10:00:00"),
            ("u2", "cart_add", "2026-10-02 11:00:01"),
        ],
    )
    result = funnel(con, ["course_click", "cart_add"], window=1, window_unit="hour", **DAY)
    assert users_per_step(result) == [2, 1]
    seconds = funnel(con, ["course_click", "cart_add"], window=3601, window_unit="seconds", **DAY)
    assert users_per_step(seconds) == [2, 2]


def test_funnel_same_instant_step_counts(tmp_path):
    # Click and cart at the very same second: the cart counts (at or after).
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00"),
            ("u1", "cart_add", "2026-10-02 10:00:00"),
        ],
    )
    result = funnel(con, ["course_click", "cart_add"], **DAY)
    assert users_per_step(result) == [1, 1]
    assert result.column("average_seconds_from_previous_step")[1] == 0


def test_funnel_one_event_fills_one_step_even_with_repeated_names(tmp_path):
    # Steps click -> click: u1 clicked once (cannot fill both), u2 twice (10 s apart),
    # u3 twice at the same instant (two events: both steps).
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00"),
            ("u2", "course_click", "2026-10-02 10:00:00"),
            ("u2", "course_click", "2026-10-02 10:00:10"),
            ("u3", "course_click", "2026-10-02 10:00:00"),
            ("u3", "course_click", "2026-10-02 10:00:00"),
        ],
    )
    result = funnel(con, ["course_click", "course_click"], **DAY)
    assert users_per_step(result) == [3, 2]


def test_funnel_property_filters_on_steps(tmp_path):
    # Cart of course c1 only: u1 carted c2 (no), u2 carted c1 (yes).
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00", {"course_id": "c1"}),
            ("u1", "cart_add", "2026-10-02 10:01:00", {"course_id": "c2"}),
            ("u2", "course_click", "2026-10-02 10:00:00", {"course_id": "c1"}),
            ("u2", "cart_add", "2026-10-02 10:01:00", {"course_id": "c1"}),
        ],
    )
    result = funnel(con, ["course_click:course_id=c1", "cart_add:course_id=c1"], **DAY)
    assert users_per_step(result) == [2, 1]


def test_funnel_exclusion_voids_the_attempt(tmp_path):
    # Exclude wishlist_remove between steps 1 and 2.
    # u1: click, wishlist_remove, cart: voided -> not in the funnel at all.
    # u2: click, cart, then wishlist_remove after step 2: kept, converts.
    # u3: click, wishlist_remove, never carts: voided too (within the window).
    # u4: click, cart: converts.
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00"),
            ("u1", "wishlist_remove", "2026-10-02 10:00:30"),
            ("u1", "cart_add", "2026-10-02 10:01:00"),
            ("u2", "course_click", "2026-10-02 10:00:00"),
            ("u2", "cart_add", "2026-10-02 10:01:00"),
            ("u2", "wishlist_remove", "2026-10-02 10:02:00"),
            ("u3", "course_click", "2026-10-02 10:00:00"),
            ("u3", "wishlist_remove", "2026-10-02 10:00:30"),
            ("u4", "course_click", "2026-10-02 10:00:00"),
            ("u4", "cart_add", "2026-10-02 10:01:00"),
        ],
    )
    steps = ["course_click", "cart_add"]
    assert users_per_step(funnel(con, steps, **DAY)) == [4, 3]
    excluded = funnel(con, steps, exclusions=["wishlist_remove@1-2"], **DAY)
    assert users_per_step(excluded) == [2, 2]


def test_funnel_every_click_starts_an_attempt_and_the_best_counts(tmp_path):
    # 1-hour window. u1 clicks on day 2 and never carts within the hour; clicks again on
    # day 3 and carts 600 s later: the second attempt reaches step 2, and its time to
    # convert (600 s) is the one reported. u1 counts once.
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00"),
            ("u1", "course_click", "2026-10-03 10:00:00"),
            ("u1", "cart_add", "2026-10-03 10:10:00"),
        ],
    )
    result = funnel(con, ["course_click", "cart_add"], window=1, window_unit="hour", **DAY)
    assert users_per_step(result) == [1, 1]
    assert result.column("average_seconds_from_previous_step")[1] == pytest.approx(600)


def test_funnel_date_range_selects_step_1_in_the_reporting_time_zone(tmp_path):
    # Click at 2026-10-01 23:30 UTC = 2026-10-02 08:30 in Tokyo. The range 2026-10-02
    # holds it in Tokyo, not in UTC. The cart (on 10-02 in both) may fall after the range.
    events = [
        ("u1", "course_click", "2026-10-01 23:30:00"),
        ("u1", "cart_add", "2026-10-03 01:00:00"),
    ]
    con = open_stream(tmp_path, events)
    day = {"date_from": "2026-10-02", "date_to": "2026-10-02"}
    tokyo = funnel(con, ["course_click", "cart_add"], calendar=Calendar("Asia/Tokyo"), **day)
    assert users_per_step(tokyo) == [1, 1]
    utc = funnel(con, ["course_click", "cart_add"], **day)
    assert users_per_step(utc) == [0, 0]


def test_funnel_breakdown_uses_the_step_1_event_property(tmp_path):
    # u1 clicks on ios and carts on web: attributed to ios (the click). u2 web, no cart.
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00", {"platform": "ios"}),
            ("u1", "cart_add", "2026-10-02 10:01:00", {"platform": "web"}),
            ("u2", "course_click", "2026-10-02 10:00:00", {"platform": "web"}),
        ],
    )
    result = funnel(con, ["course_click", "cart_add"], breakdown="platform", **DAY)
    assert users_per_breakdown_step(result) == {
        ("ios", 1): 1,
        ("ios", 2): 1,
        ("web", 1): 1,
        ("web", 2): 0,
    }


def test_funnel_unordered_breakdown_uses_the_attempts_first_event(tmp_path):
    # Unordered, steps click and cart: u1 carts on ios, then clicks on android a minute
    # later. The attempt starting at the cart fills both steps and takes the cart's
    # platform: ios, step 2. The attempt starting at the click fills one step (the
    # cart is before it) and takes android; a user counts once per breakdown value,
    # so android has u1 at step 1. Were the click's platform the value (the step-1
    # event's), the two-step attempt would count under android.
    con = open_stream(
        tmp_path,
        [
            ("u1", "cart_add", "2026-10-02 10:00:00", {"platform": "ios"}),
            ("u1", "course_click", "2026-10-02 10:01:00", {"platform": "android"}),
        ],
    )
    result = funnel(
        con, ["course_click", "cart_add"], order="unordered", breakdown="platform", **DAY
    )
    assert users_per_breakdown_step(result) == {
        ("ios", 1): 1,
        ("ios", 2): 1,
        ("android", 1): 1,
        ("android", 2): 0,
    }


def test_funnel_people_and_dropped(tmp_path):
    # From ORDER_EVENTS (ordered): u1 and u4 reached step 2; u2 and u3 dropped at 2.
    con = open_stream(tmp_path, ORDER_EVENTS)
    steps = ["course_click", "cart_add"]
    assert funnel(con, steps, people=2, **DAY).column("user_id") == ["u1", "u4"]
    assert funnel(con, steps, dropped=2, **DAY).column("user_id") == ["u2", "u3"]


def test_funnel_three_steps_each_from_the_previous(tmp_path):
    # click -> wishlist -> cart. u1: cart BEFORE the wishlist (after the click): the
    # cart must come at or after step 2, so u1 stops at 2. u2 does all three.
    con = open_stream(
        tmp_path,
        [
            ("u1", "course_click", "2026-10-02 10:00:00"),
            ("u1", "cart_add", "2026-10-02 10:01:00"),
            ("u1", "wishlist_add", "2026-10-02 10:02:00"),
            ("u2", "course_click", "2026-10-02 10:00:00"),
            ("u2", "wishlist_add", "2026-10-02 10:01:00"),
            ("u2", "cart_add", "2026-10-02 10:03:00"),
        ],
    )
    result = funnel(con, ["course_click", "wishlist_add", "cart_add"], **DAY)
    assert users_per_step(result) == [2, 2, 1]
    # Step 2 times: 120, 60 -> mean 90; step 3: u2 120.
    assert result.column("average_seconds_from_previous_step")[1:] == pytest.approx([90, 120])


# -- retention ---------------------------------------------------------------------------

# Daily periods, range 10-01 .. 10-04 (the last day with data: 10-04).
# u1: quiz 10-01, session 10-02, quiz 10-03, session 10-04.
# u2: quiz 10-02, session 10-04.
# u3: quiz 09-20 (before the range), quiz 10-02, no session.
RETENTION_EVENTS = [
    ("u1", "quiz_start", "2026-10-01 12:00:00"),
    ("u1", "session_open", "2026-10-02 12:00:00"),
    ("u1", "quiz_start", "2026-10-03 12:00:00"),
    ("u1", "session_open", "2026-10-04 12:00:00"),
    ("u2", "quiz_start", "2026-10-02 12:00:00"),
    ("u2", "session_open", "2026-10-04 12:00:00"),
    ("u3", "quiz_start", "2026-09-20 12:00:00"),
    ("u3", "quiz_start", "2026-10-02 12:00:00"),
]
RANGE_4_DAYS = {"date_from": "2026-10-01", "date_to": "2026-10-04"}


def retention_table(result) -> dict:
    return {
        (str(row["cohort_start"]), row["period_offset"]): row["retained_users_count"]
        for row in result.records()
    }


def test_retention_first_time(tmp_path):
    # first_time: u1's cohort 10-01 (returns on +1 and +3); u2's 10-02 (+2); u3's first
    # quiz was 09-20: outside the range, so in no cohort shown.
    # 10-02 + 3 = 10-05 is after the last day with data: null.
    con = open_stream(tmp_path, RETENTION_EVENTS)
    result = retention(con, "quiz_start", "session_open", period="day", periods=3, **RANGE_4_DAYS)
    assert retention_table(result) == {
        ("2026-10-01", 0): 1,
        ("2026-10-01", 1): 1,
        ("2026-10-01", 2): 0,
        ("2026-10-01", 3): 1,
        ("2026-10-02", 0): 1,
        ("2026-10-02", 1): 0,
        ("2026-10-02", 2): 1,
        ("2026-10-02", 3): None,
    }


def test_retention_recurring(tmp_path):
    # recurring: every period with a quiz is a cohort. 10-01: u1 [+1, +3]. 10-02: u2 (+2)
    # and u3 (never) -> size 2. 10-03: u1 (+1 = 10-04).
    con = open_stream(tmp_path, RETENTION_EVENTS)
    result = retention(
        con,
        "quiz_start",
        "session_open",
        period="day",
        retention_type="recurring",
        periods=3,
        **RANGE_4_DAYS,
    )
    got = retention_table(result)
    assert got[("2026-10-02", 0)] == 2
    assert [got[("2026-10-02", k)] for k in (1, 2, 3)] == [0, 1, None]
    assert [got[("2026-10-03", k)] for k in (0, 1, 2)] == [1, 1, None]
    assert [got[("2026-10-01", k)] for k in (1, 2, 3)] == [1, 0, 1]
    rates = {
        (str(row["cohort_start"]), row["period_offset"]): row["retention_rate"]
        for row in result.records()
    }
    assert rates[("2026-10-02", 2)] == pytest.approx(0.5)


def test_retention_on_or_after(tmp_path):
    # on_or_after (first_time): u1's last return is +3, so +1, +2, +3 all count; u2's
    # last is +2: +1 and +2 count.
    con = open_stream(tmp_path, RETENTION_EVENTS)
    result = retention(
        con,
        "quiz_start",
        "session_open",
        period="day",
        mode="on_or_after",
        periods=3,
        **RANGE_4_DAYS,
    )
    got = retention_table(result)
    assert [got[("2026-10-01", k)] for k in (1, 2, 3)] == [1, 1, 1]
    assert [got[("2026-10-02", k)] for k in (1, 2, 3)] == [1, 1, None]


def test_retention_weeks_and_time_zone(tmp_path):
    # Weekly, Monday weeks. u1: quiz Sunday 2026-10-04 20:00 UTC, session Monday
    # 10-05 12:00 UTC. In UTC the quiz is in the week of 09-28 and the session one week
    # later (+1). In Tokyo the quiz is Monday 10-05 05:00, the same week as the session:
    # no return at +1.
    events = [
        ("u1", "quiz_start", "2026-10-04 20:00:00"),
        ("u1", "session_open", "2026-10-05 12:00:00"),
    ]
    con = open_stream(tmp_path, events)
    args = {"period": "week", "periods": 1, "date_from": "2026-09-28", "date_to": "2026-10-11"}
    utc = retention_table(retention(con, "quiz_start", "session_open", **args))
    assert utc == {("2026-09-28", 0): 1, ("2026-09-28", 1): 1}
    tokyo = retention_table(
        retention(con, "quiz_start", "session_open", calendar=Calendar("Asia/Tokyo"), **args)
    )
    assert tokyo == {("2026-10-05", 0): 1, ("2026-10-05", 1): None}


# -- lifecycle ---------------------------------------------------------------------------


def test_lifecycle_across_the_range_start(tmp_path):
    # Daily, range 10-02 .. 10-04; activity on 10-01 (before the range) is read.
    # u1: signed up 10-01; active 10-01, 10-02, 10-04.
    # u2: signed up 10-03; active 10-03.
    # u3: signed up 09-01; active 09-10, 10-03.
    # u4: signed up 10-02; first active 10-03 (not in its creation period).
    # u5: signed up 10-02; installed 09-30 (active before sign-up), active 10-02.
    # 10-02: u1 returning (10-01 counted), u5 resurrecting (first activity 09-30, not
    #        new; 10-01 inactive). Dormant: nobody active 10-01 is missing.
    # 10-03: u2 new; u3 and u4 resurrecting; u1 and u5 dormant (-2).
    # 10-04: u1 resurrecting; u2, u3, u4 dormant (-3).
    events = [
        ("u1", "session_open", "2026-10-01 12:00:00"),
        ("u1", "session_open", "2026-10-02 12:00:00"),
        ("u1", "session_open", "2026-10-04 12:00:00"),
        ("u2", "session_open", "2026-10-03 12:00:00"),
        ("u3", "session_open", "2026-09-10 12:00:00"),
        ("u3", "session_open", "2026-10-03 12:00:00"),
        ("u4", "session_open", "2026-10-03 12:00:00"),
        ("u5", "install", "2026-09-30 12:00:00"),
        ("u5", "session_open", "2026-10-02 12:00:00"),
    ]
    users = {
        "u1": "2026-10-01 08:00:00",
        "u2": "2026-10-03 08:00:00",
        "u3": "2026-09-01 08:00:00",
        "u4": "2026-10-02 08:00:00",
        "u5": "2026-10-02 08:00:00",
    }
    con = open_stream(tmp_path, events, users)
    result = lifecycle(con, "any", period="day", date_from="2026-10-02", date_to="2026-10-04")
    assert lifecycle_table(result) == {
        ("2026-10-02", "new"): 0,
        ("2026-10-02", "returning"): 1,
        ("2026-10-02", "resurrecting"): 1,
        ("2026-10-02", "dormant"): 0,
        ("2026-10-03", "new"): 1,
        ("2026-10-03", "returning"): 0,
        ("2026-10-03", "resurrecting"): 2,
        ("2026-10-03", "dormant"): -2,
        ("2026-10-04", "new"): 0,
        ("2026-10-04", "returning"): 0,
        ("2026-10-04", "resurrecting"): 1,
        ("2026-10-04", "dormant"): -3,
    }


def test_weekly_range_selects_whole_weeks(tmp_path):
    # A range of one Wednesday (10-07) selects the week of Monday 10-05, all its days.
    # u1 signed up 09-01 and is active on Monday 10-05 only (before --from, same week):
    # lifecycle counts u1 active in that week, resurrecting (no activity the week
    # before). Retention first_time: u1's first quiz, on 10-05, makes the cohort of
    # 10-05 (its first period), with one member; u1 returns on 10-12 (period 1).
    events = [
        ("u1", "quiz_start", "2026-10-05 12:00:00"),
        ("u1", "session_open", "2026-10-12 12:00:00"),
    ]
    con = open_stream(tmp_path, events, {"u1": "2026-09-01 08:00:00"})
    week = {"date_from": "2026-10-07", "date_to": "2026-10-07"}
    result = lifecycle(con, "quiz_start", period="week", **week)
    assert lifecycle_table(result) == {
        ("2026-10-05", "new"): 0,
        ("2026-10-05", "returning"): 0,
        ("2026-10-05", "resurrecting"): 1,
        ("2026-10-05", "dormant"): 0,
    }
    result = retention(con, "quiz_start", "session_open", period="week", periods=1, **week)
    assert retention_table(result) == {("2026-10-05", 0): 1, ("2026-10-05", 1): 1}


def test_lifecycle_weekly_new_in_the_creation_week(tmp_path):
    # Weekly (Monday). u1 signs up Wed 10-07 and is active Fri 10-09 (same week): new in
    # week 10-05; active again in week 10-12: returning; nothing in week 10-19: dormant.
    con = open_stream(
        tmp_path,
        [
            ("u1", "session_open", "2026-10-09 12:00:00"),
            ("u1", "session_open", "2026-10-13 12:00:00"),
        ],
        {"u1": "2026-10-07 08:00:00"},
    )
    result = lifecycle(con, period="week", date_from="2026-10-05", date_to="2026-10-25")
    got = {key: users for key, users in lifecycle_table(result).items() if users}
    assert got == {
        ("2026-10-05", "new"): 1,
        ("2026-10-12", "returning"): 1,
        ("2026-10-19", "dormant"): -1,
    }


# -- trends ------------------------------------------------------------------------------

# u1: two sessions 09-30; u2: session 10-05 and 10-07; u3: session 09-10.
TREND_EVENTS = [
    ("u1", "session_open", "2026-09-30 12:00:00"),
    ("u1", "session_open", "2026-09-30 13:00:00"),
    ("u2", "session_open", "2026-10-05 12:00:00", {"platform": "web"}),
    ("u2", "session_open", "2026-10-07 12:00:00", {"platform": "web"}),
    ("u3", "session_open", "2026-09-10 12:00:00"),
]
TREND_RANGE = {"date_from": "2026-10-05", "date_to": "2026-10-07"}


def test_trends_totals_and_dau(tmp_path):
    # Inside the range only u2's sessions: 10-05 1, 10-06 0, 10-07 1.
    con = open_stream(tmp_path, TREND_EVENTS)
    assert trends(con, ["session_open"], **TREND_RANGE).column("value") == [1, 0, 1]
    assert trends(con, ["session_open"], math="dau", **TREND_RANGE).column("value") == [1, 0, 1]


def test_trends_wau_and_mau_reach_before_the_range(tmp_path):
    # WAU on 10-05 = users in 09-29..10-05 = u1 (09-30), u2 = 2; 10-06 (09-30..10-06) = 2;
    # 10-07 (10-01..10-07) = u2 = 1. MAU (30 days): 10-05 covers 09-06..10-05: u1, u2, u3.
    con = open_stream(tmp_path, TREND_EVENTS)
    assert trends(con, ["session_open"], math="wau", **TREND_RANGE).column("value") == [2, 2, 1]
    assert trends(con, ["session_open"], math="mau", **TREND_RANGE).column("value") == [3, 3, 3]


def test_trends_unique_users_per_week_follow_the_week_start(tmp_path):
    # u1 Sunday 10-04, u2 Monday 10-05; range 10-01 .. 10-10.
    # Monday weeks: 09-28 -> u1 (1), 10-05 -> u2 (1).
    # Sunday weeks: 09-27 -> nobody in 10-01..10-03 (0), 10-04 -> u1, u2 (2).
    con = open_stream(
        tmp_path,
        [
            ("u1", "session_open", "2026-10-04 12:00:00"),
            ("u2", "session_open", "2026-10-05 12:00:00"),
        ],
    )
    args = {
        "math": "unique",
        "interval": "week",
        "date_from": "2026-10-01",
        "date_to": "2026-10-10",
    }
    monday = trends(con, ["session_open"], **args)
    assert [str(day) for day in monday.column("interval_start")] == ["2026-09-28", "2026-10-05"]
    assert monday.column("value") == [1, 1]
    sunday = trends(con, ["session_open"], calendar=Calendar("UTC", "sunday"), **args)
    assert [str(day) for day in sunday.column("interval_start")] == ["2026-09-27", "2026-10-04"]
    assert sunday.column("value") == [0, 2]


def test_trends_breakdown_and_series(tmp_path):
    # Breakdown by platform: in the range only u2's web sessions (1, 0, 1); u1's ios
    # sessions are before it, so no ios row. quiz_start has no events: no rows.
    con = open_stream(tmp_path, TREND_EVENTS)
    result = trends(con, ["session_open", "quiz_start"], breakdown="platform", **TREND_RANGE)
    got = [(row["series"], row["breakdown_value"], row["value"]) for row in result.records()]
    assert got == [
        ("session_open", "web", 1),
        ("session_open", "web", 0),
        ("session_open", "web", 1),
    ]


# -- stickiness --------------------------------------------------------------------------

# Range 10-01 (Thu) .. 10-07 (Wed). u1 active 3 distinct days (two events on 10-01),
# u2 1 day, u3 all 7 days.
STICKY_EVENTS = (
    [
        ("u1", "session_open", "2026-10-01 08:00:00"),
        ("u1", "session_open", "2026-10-01 09:00:00"),
        ("u1", "session_open", "2026-10-02 09:00:00"),
        ("u1", "session_open", "2026-10-06 09:00:00"),
        ("u2", "session_open", "2026-10-07 09:00:00"),
    ]
    + [("u3", "session_open", f"2026-10-0{day} 09:00:00") for day in range(1, 8)]
    + [("u4", "session_open", "2026-09-30 09:00:00")]  # before the range: not counted
)
STICKY_RANGE = {"date_from": "2026-10-01", "date_to": "2026-10-07"}


def test_stickiness_days(tmp_path):
    # Exactly k days: k=1 u2, k=3 u1, k=7 u3. k or more: 3, 2, 2, 1, 1, 1, 1.
    con = open_stream(tmp_path, STICKY_EVENTS)
    result = stickiness(con, "session_open", **STICKY_RANGE)
    assert result.column("intervals_count") == [1, 2, 3, 4, 5, 6, 7]
    assert result.column("users_count") == [1, 0, 1, 0, 0, 0, 1]
    assert result.column("cumulative_users_count") == [3, 2, 2, 1, 1, 1, 1]
    assert result.column("users_share")[0] == pytest.approx(1 / 3)


def test_stickiness_weeks_and_day_blocks(tmp_path):
    # Weeks overlapping the range: 09-28 (10-01..10-04) and 10-05 (10-05..10-07).
    # u1: both (10-01, 10-06); u2: 10-05 week only; u3: both. -> k=1: 1, k=2: 2.
    con = open_stream(tmp_path, STICKY_EVENTS)
    weeks = stickiness(con, "session_open", interval="week", **STICKY_RANGE)
    assert weeks.column("users_count") == [1, 2]
    # 3-day blocks from 10-01: [01-03], [04-06], [07]. u1: blocks 1, 2 (10-01, 10-02,
    # 10-06) = 2; u2: block 3 = 1; u3: 3. -> [1, 1, 1]; cumulative [3, 2, 1].
    blocks = stickiness(con, "session_open", interval="days", block_days=3, **STICKY_RANGE)
    assert blocks.column("users_count") == [1, 1, 1]
    assert blocks.column("cumulative_users_count") == [3, 2, 1]


# -- the default range ---------------------------------------------------------------------

# Sessions on 10-01 and 10-03, and two sentinel times another writer stored: 0001-01-01
# and 9999-12-31 23:59:59 (how staging stages infinity and years beyond 9999).
SENTINEL_EVENTS = [
    ("u1", "session_open", "2026-10-01 09:00:00"),
    ("u2", "session_open", "2026-10-03 09:00:00"),
    ("u1", "session_open", "0001-01-01 00:00:00"),
    ("u2", "session_open", "9999-12-31 23:59:59"),
]


@pytest.mark.parametrize("spine", [True, False])
def test_default_range_ends_at_the_newest_event_on_the_date_spine(tmp_path, spine):
    import duckdb

    database = make_warehouse(tmp_path / "w.duckdb", SENTINEL_EVENTS)
    if spine:
        # the spine the build wrote: 10-01 .. 10-03 (the sentinels are on no day of it)
        with duckdb.connect(str(database)) as con:
            con.execute(
                "create schema utilities; create table utilities.util_days as select "
                "unnest(generate_series(date '2026-10-01', date '2026-10-03', "
                "interval 1 day))::date as date_day"
            )
    # without a spine (a file that has only the stream) the spine's rule: no day after
    # tomorrow (the 9999 sentinel is after it)
    result = trends(connect(database), ["session_open"], interval="day")
    # 30 days up to 10-03: 09-04 .. 10-03; the 10-01 and 10-03 sessions count
    days = result.column("interval_start")
    assert (str(days[0]), str(days[-1]), len(days)) == ("2026-09-04", "2026-10-03", 30)
    assert sum(result.column("value")) == 2


# -- validation and the CLI --------------------------------------------------------------


def test_sql_binds_user_values(tmp_path):
    # A value that looks like SQL is a bound parameter, never SQL text.
    con = open_stream(tmp_path, ORDER_EVENTS)
    nasty = "x'); drop table marts.fct_user_events; --"
    result = funnel(con, [f"course_click:course_id={nasty}", "cart_add"], **DAY)
    assert nasty not in result.sql
    assert nasty in result.params.values()
    assert users_per_step(result) == [0, 0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["funnel", "course_click", "cartadd"], "unknown event 'cartadd'"),
        (["funnel", "course_click", "cart_add:colour=red"], "unknown property 'colour'"),
        (["funnel", "course_click", "cart_add", "--window", "0"], "positive whole number"),
        (["funnel", "course_click", "cart_add", "--window", "2h"], "positive whole number"),
        (["funnel", "course_click", "cart_add", "--window-unit", "fortnight"], "window unit"),
        (["funnel", "course_click"], "at least 2 steps"),
        (["funnel", "course_click", "cart_add", "--order", "random"], "funnel order"),
        (["funnel", "course_click", "cart_add", "--exclude", "cart_remove@2-1"], "in order"),
        (["funnel", "course_click", "cart_add", "--breakdown", "colour"], "unknown property"),
        (["funnel", "course_click", "cart_add:amount_usd>=cheap"], "is a number"),
        (["retention", "--period", "year"], "unknown period"),
        (["trends", "session_open", "--math", "wau", "--interval", "week"], "--interval day"),
        (["trends", "session_open", "--from", "2026-13-01"], "YYYY-MM-DD"),
        (["stickiness", "--timezone", "Mars/Olympus"], "unknown time zone"),
        (["lifecycle", "--out", "OUT/answer.xlsx"], "output format"),
        (["lifecycle", "--format", "xlsx"], "output format"),
    ],
)
def test_cli_bad_input_is_one_line(tmp_path, capsys, args, message):
    database = make_warehouse(tmp_path / "w.duckdb", ORDER_EVENTS)
    command = [arg.replace("OUT", str(tmp_path)) for arg in args]
    code = cli.main(["insight", *command, "--database", str(database)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert message in lines[0]


def test_cli_missing_database_is_one_line(tmp_path, capsys):
    code = cli.main(["insight", "lifecycle", "--database", str(tmp_path / "none.duckdb")])
    assert code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix", ["csv", "json", "parquet"])
def test_cli_writes_each_format(tmp_path, suffix):
    import duckdb

    database = make_warehouse(tmp_path / "w.duckdb", ORDER_EVENTS)
    out = tmp_path / f"funnel.{suffix}"
    code = cli.main(
        ["insight", "funnel", "course_click", "cart_add", "--from", "2026-10-01",
         "--to", "2026-10-31", "--database", str(database), "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    reader = {"csv": "read_csv", "json": "read_json", "parquet": "read_parquet"}[suffix]
    rows = (
        duckdb.connect()
        .execute(f"select step_number, users_count from {reader}(?) order by 1", [str(out)])
        .fetchall()
    )
    assert rows == [(1, 4), (2, 2)]


def test_api_rejects_bad_values_with_user_errors(tmp_path):
    con = open_stream(tmp_path, ORDER_EVENTS)
    with pytest.raises(UserError, match="unordered"):
        funnel(con, ["course_click", "cart_add"], order="unordered", exclusions=["cart_remove"])
    with pytest.raises(UserError, match="--people 3"):
        funnel(con, ["course_click", "cart_add"], people=3, **DAY)
