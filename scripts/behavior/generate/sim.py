"""Simulate one block of users over the whole date range, vectorized with numpy.

Shape of the simulation (all per block, no per-row Python loops):
1. users: sign-up day (weekday seasonality, slight growth), platform, channel,
   engagement, skill, install / uninstall / reinstall, a dormant-then-back spell;
2. an activity matrix users x days from a retention curve (~40% D1, ~20% D7,
   ~10% D30), zero while uninstalled;
3. sessions on active days (non-overlapping within a day, ~3% crash);
4. course journeys: each step of a user's funnel and learning path lands inside the
   same or a later session of that user (opened_at <= time <= closed_at, or the last
   navigation view of a crashed session), so client events happen while the app is
   open and stop when the user stops coming back;
5. payments (attempts, failures, retries in a later session, completions, server-side
   refunds) and quiz attempts (logistic in skill - difficulty, start to submit inside
   one session) along the journeys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from behavior import contract
from behavior.generate import formats as fmt
from behavior.generate.catalog import (
    BASE_FAILURE,
    METHOD_MIX,
    NO_BUY_CART,
    NO_BUY_PURCHASE,
    NO_BUY_WISH,
    Catalog,
    Plants,
)

DAY = fmt.SECONDS_PER_DAY
WEEKDAY_SIGNUPS = np.array([1.05, 1.08, 1.04, 1.0, 0.95, 0.72, 0.68])  # Mon..Sun
WEEKDAY_ACTIVITY = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.85])
HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3, 3, 3, 3.5, 3.5, 3, 3, 3.5, 4, 5, 6, 6.5, 6, 4, 2]
)
CHANNEL_MIX = np.array([0.34, 0.15, 0.2, 0.12, 0.07, 0.12])
CHANNEL_ENGAGEMENT = np.array([1.15, 0.95, 0.8, 1.25, 1.05, 1.0])
COUNTRIES = ["US", "IN", "GB", "DE", "BR", "CA", "FR", "ES", "NG", "AU", "MX", "PL"]
COUNTRY_MIX = np.array([0.3, 0.2, 0.08, 0.06, 0.07, 0.05, 0.05, 0.04, 0.04, 0.04, 0.04, 0.03])
DIAL = ["+1", "+91", "+44", "+49", "+55", "+1", "+33", "+34", "+234", "+61", "+52", "+48"]
FIRST = [
    "alex", "sam", "maria", "li", "priya", "omar", "emma", "lucas", "sofia", "arjun",
    "noah", "mia", "chen", "fatima", "david", "anna", "ravi", "lea", "jonas", "aisha",
]  # fmt: skip
LAST = [
    "smith", "garcia", "kumar", "wang", "mueller", "silva", "brown", "ali", "martin",
    "nowak", "lopez", "khan", "jones", "rossi", "sato", "okafor", "patel", "dubois",
]  # fmt: skip
DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "mail.com"]
DEVICES = {
    0: ["Pixel 8", "Pixel 7a", "Galaxy S23", "Galaxy A54", "Redmi Note 12", "OnePlus 11"],
    1: ["iPhone 15", "iPhone 14", "iPhone 13", "iPhone SE", "iPad Air"],
}
APP_VERSIONS = ["4.0.2", "4.1.0", "4.1.3", "4.2.0", "4.3.1", "4.4.0"]
FEATURE_PROB = np.array([0.7, 0.25, 0.3, 0.15, 0.12, 0.08, 0.1, 0.12, 0.06, 0.04])
SCREEN_WEIGHTS = np.array([0.16, 0.14, 0.08, 0.14, 0.22, 0.1, 0.05, 0.03, 0.05, 0.03])
FAILURE_REASON_MIX = np.array(
    [
        [0.45, 0.25, 0.08, 0.1, 0.05, 0.07],  # card
        [0.2, 0.2, 0.15, 0.25, 0.15, 0.05],  # paypal
        [0.05, 0.15, 0.35, 0.1, 0.33, 0.02],  # upi
        [0.25, 0.1, 0.15, 0.35, 0.1, 0.05],  # apple_pay
        [0.3, 0.2, 0.15, 0.2, 0.1, 0.05],  # google_pay
        [0.1, 0.5, 0.15, 0.1, 0.1, 0.05],  # wallet
    ]
)
PLATFORM_CONVERSION = np.array([0.9, 1.12, 1.0])
ABANDON_RATE = 0.08
PAY_SECONDS = 5  # a purchase attempt's transaction_completed follows within 5 s
CRASH_RATE = 0.03

# Interaction and purchase event codes (indexes into the contract enums).
CLICK, WISH_ADD, WISH_REMOVE, CART_ADD, CART_REMOVE, ATTEMPT = range(6)
MOD_START, MOD_DONE, PROGRESS = range(6, 9)
P_CART, P_ATTEMPT, P_DONE, P_REFUND = range(4)
S_PENDING, S_OK, S_FAILED, S_REFUNDED = range(4)


@dataclass
class Events:
    """Column lists collected while walking journeys; concatenated at the end."""

    defaults: dict[str, float] = field(default_factory=dict)
    cols: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, mask: np.ndarray | None = None, **columns) -> None:
        for name, value in self.defaults.items():
            columns.setdefault(name, value)
        size = next(np.size(v) for v in columns.values() if np.ndim(v))
        for name, values in columns.items():
            values = np.asarray(values)
            if mask is not None:
                values = values[mask] if values.ndim else np.full(int(mask.sum()), values)
            elif not values.ndim:
                values = np.full(size, values)
            self.cols.setdefault(name, []).append(values)

    def get(self, name: str, dtype=None) -> np.ndarray:
        parts = self.cols.get(name, [])
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


@dataclass
class Block:
    """One block's raw tables plus counters for the next block's ids."""

    tables: dict[str, pa.Table]
    counters: dict[str, int]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _group_rank(groups: np.ndarray) -> np.ndarray:
    """0-based rank of each element inside its run of equal (sorted) group ids."""
    if len(groups) == 0:
        return groups.astype(np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    lengths = np.diff(np.r_[starts, len(groups)])
    return np.arange(len(groups)) - np.repeat(starts, lengths)


@dataclass
class SessionTimes:
    """When each session of a block is open, for placing client events inside sessions.

    Sessions are sorted by user, then time, and never overlap within a user. `end` is
    closed_at, or for a crashed session (closed_at null) its last navigation view.
    """

    user: np.ndarray
    open: np.ndarray
    end: np.ndarray
    user_end: np.ndarray  # per user: one past the index of the user's last session

    def __post_init__(self) -> None:
        self.span = self.end - self.open
        # Sort key (user, end) for finding a user's first session ending after a time.
        self.end_key = (self.user.astype(np.int64) << 32) + self.end


class Journeys:
    """Vectorized state of many user-course journeys walking through user sessions.

    Every client event is placed inside a session of its user: a journey's time `t` is
    always within session `sess` (open <= t <= end), and a step that needs `need`
    seconds (a quiz attempt, a payment round trip) lands where all of it fits.
    """

    def __init__(self, rng, user, course, sess, t, sessions: SessionTimes, end_ts):
        self.rng = rng
        self.user = user
        self.course = course
        self.sess = sess
        self.t = t
        self.alive = np.ones(len(user), bool)
        self.cutoff = np.full(len(user), end_ts, np.int64)  # refund time or end of range
        self.journey = np.arange(len(user))
        self.enrolled = np.zeros(len(user), bool)
        self.order = np.full(len(user), -1, np.int64)  # order number within the block
        self._s = sessions

    def step(self, mask: np.ndarray, p_same: float, need=0) -> np.ndarray:
        """Move the journeys in `mask` on: with `p_same` in this session (15-300 s later,
        sooner when the session is ending; on to the next session when fewer than 15 s
        plus `need` are left), else to a later session; a later session must last `need`
        seconds. Returns who made it."""
        rng, n, s = self.rng, len(self.user), self._s
        mask = mask & self.alive
        need = np.broadcast_to(np.asarray(need, np.int64), n)
        stay = rng.random(n) < p_same
        left = s.end[self.sess] - self.t - need
        same = stay & (left >= 15)
        gap = rng.integers(15, 300, n)
        squeezed = 15 + (rng.random(n) * (np.maximum(left, 15) - 14)).astype(np.int64)
        gap = np.where(gap <= left, gap, squeezed)
        jump = np.where(stay, 1, rng.geometric(0.55, n))
        later = self._fit(self.sess + jump, need, mask & ~same)
        nxt = np.where(same, self.sess, later)
        ok = nxt < s.user_end[self.user]
        nxt_c = np.minimum(nxt, len(s.open) - 1)
        room = np.maximum(s.span[nxt_c] - need, 0)
        in_session = (rng.random(n) * np.minimum(room, 900)).astype(np.int64)
        t_new = np.where(same, self.t + gap, s.open[nxt_c] + in_session)
        return self._move(mask, ok, nxt, t_new)

    def wait(self, mask: np.ndarray, seconds: np.ndarray, need=0) -> np.ndarray:
        """Come back `seconds` later (payment retries): at that time if a later session of
        the user is open then with `need` seconds left, else early in the next session
        that is long enough; returns who came back before the cutoff."""
        rng, n, s = self.rng, len(self.user), self._s
        mask = mask & self.alive
        need = np.broadcast_to(np.asarray(need, np.int64), n)
        target = self.t + seconds
        first = np.searchsorted(s.end_key, (self.user.astype(np.int64) << 32) + target + need)
        nxt = self._fit(np.maximum(first, self.sess + 1), need, mask)
        ok = nxt < s.user_end[self.user]
        nxt_c = np.minimum(nxt, len(s.open) - 1)
        room = np.maximum(s.span[nxt_c] - need, 0)
        in_session = (rng.random(n) * np.minimum(room, 120)).astype(np.int64)
        t_new = np.where(s.open[nxt_c] > target, s.open[nxt_c] + in_session, target)
        return self._move(mask, ok, nxt, t_new)

    def _fit(self, nxt: np.ndarray, need: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """First session at or after `nxt` of each journey's user that lasts `need` seconds
        (past the user's last session if none); only journeys in `mask` are searched."""
        s = self._s
        nxt = nxt.copy()
        last = len(s.open) - 1
        user_end = s.user_end[self.user]
        rows = np.flatnonzero(mask & (nxt < user_end))
        rows = rows[s.span[np.minimum(nxt[rows], last)] < need[rows]]
        while rows.size:
            nxt[rows] += 1
            rows = rows[nxt[rows] < user_end[rows]]
            rows = rows[s.span[nxt[rows]] < need[rows]]
        return nxt

    def _move(self, mask, ok, nxt, t_new) -> np.ndarray:
        ok = ok & (t_new < self.cutoff)
        took = mask & ok
        self.alive &= ~(mask & ~ok)
        self.sess = np.where(took, nxt, self.sess)
        self.t = np.where(took, t_new, self.t)
        return took


def simulate_block(
    catalog: Catalog,
    plants: Plants,
    seed: int,
    block: int,
    first_user: int,
    n_users: int,
    start_ts: int,
    days: int,
    counters: dict[str, int],
) -> Block:
    """All raw event rows and user versions of users first_user .. first_user + n_users."""
    rng = np.random.default_rng([seed, 1, block])
    end_ts = start_ts + days * DAY
    start_weekday = int((start_ts // DAY + 3) % 7)  # 1970-01-01 was a Thursday
    weekday = (start_weekday + np.arange(days)) % 7

    # ---------------------------------------------------------------- users
    signup_w = WEEKDAY_SIGNUPS[weekday] * (1.0 + 0.3 * np.arange(days) / max(days, 1))
    signup_day = np.sort(rng.choice(days, n_users, p=signup_w / signup_w.sum()))
    signup_sod = _sample_sod(rng, n_users)
    signed_up = start_ts + signup_day * DAY + signup_sod
    order = np.lexsort((signed_up,))
    signup_day, signup_sod, signed_up = signup_day[order], signup_sod[order], signed_up[order]
    platform = rng.choice(3, n_users, p=[0.5, 0.3, 0.2])
    app = platform < 2
    channel_p = np.where(app[:, None], CHANNEL_MIX, CHANNEL_MIX * [1, 1, 1, 1, 1, 0])
    channel = (
        rng.random(n_users)[:, None] > np.cumsum(channel_p, 1) / channel_p.sum(1)[:, None]
    ).sum(1)
    engagement = rng.gamma(2.0, 0.5, n_users) * CHANNEL_ENGAGEMENT[channel]
    skill = rng.normal(0.0, 1.0, n_users) + 0.3 * np.log(engagement)

    installed = signed_up - rng.integers(60, 1800, n_users)
    uninstall_day = signup_day + rng.geometric(0.08, n_users)
    uninstalled = app & (rng.random(n_users) < 0.35) & (uninstall_day < days)
    reinstall_day = uninstall_day + rng.geometric(0.1, n_users)
    reinstalled = uninstalled & (rng.random(n_users) < 0.4) & (reinstall_day < days)
    uninstall_ts = start_ts + uninstall_day * DAY + _sample_sod(rng, n_users)
    reinstall_ts = start_ts + reinstall_day * DAY + _sample_sod(rng, n_users)

    # ---------------------------------------------------------------- activity
    k = np.arange(days)[None, :] - signup_day[:, None]
    curve = 0.4 * np.maximum(k, 1) ** -0.356
    p = np.minimum(0.95, engagement[:, None] * curve * WEEKDAY_ACTIVITY[weekday][None, :])
    comeback = rng.random(n_users) < 0.12
    comeback_day = signup_day + rng.integers(14, 40, n_users)
    since_back = np.arange(days)[None, :] - comeback_day[:, None]
    p = np.where(comeback[:, None] & (since_back >= 0) & (since_back < 7), np.maximum(p, 0.45), p)
    since_re = np.arange(days)[None, :] - reinstall_day[:, None]
    p = np.where(
        reinstalled[:, None] & (since_re > 0),
        np.maximum(p, 0.5 * np.maximum(since_re, 1) ** -0.4),
        p,
    )
    active = rng.random((n_users, days)) < p
    active |= k == 0
    active |= comeback[:, None] & (since_back == 0)
    active |= reinstalled[:, None] & (since_re == 1)
    gone = uninstalled[:, None] & (k >= uninstall_day[:, None] - signup_day[:, None])
    gone &= ~(reinstalled[:, None] & (since_re > 0))
    active &= (k >= 0) & ~gone

    # ---------------------------------------------------------------- sessions
    ud_user, ud_day = np.nonzero(active)
    per_day = 1 + np.minimum(rng.poisson(1.1 * engagement[ud_user]), 6)
    s_user = np.repeat(ud_user, per_day)
    s_day = np.repeat(ud_day, per_day)
    s_ud = np.repeat(np.arange(len(ud_user)), per_day)
    n_s = len(s_user)
    lo = np.where(s_day == signup_day[s_user], signup_sod[s_user] + 20, 0)
    sod = lo + (_sample_sod(rng, n_s) * (DAY - 6 - lo) // DAY)
    order = np.lexsort((sod, s_ud))
    sod = sod[order]
    rank = _group_rank(s_ud)
    sod = np.minimum(sod, DAY - 6) + rank
    last_in_day = np.r_[s_ud[1:] != s_ud[:-1], True]
    room = np.where(last_in_day, DAY - 1 - sod, np.r_[sod[1:], 0] - sod - 1)
    length = rng.lognormal(np.log(240 * (0.6 + 0.4 * engagement[s_user])), 0.9).astype(np.int64)
    length = np.clip(length, 5, 3 * 3600)
    length = np.maximum(np.minimum(length, room), 0)
    s_open = start_ts + s_day * DAY + sod
    crashed = rng.random(n_s) < CRASH_RATE
    active_secs = (length * rng.beta(5.0, 2.0, n_s)).astype(np.int64)
    user_first = np.searchsorted(s_user, np.arange(n_users))
    user_end = np.searchsorted(s_user, np.arange(n_users), side="right")
    has_session = user_end > user_first
    last_seen = np.where(has_session, (s_open + length)[np.maximum(user_end - 1, 0)], signed_up)

    sess_ids = fmt.ids("s", counters["user_app_sessions"], n_s, 10)
    user_ids = fmt.ids("u", first_user, n_users, 7)
    sessions, last_view = _sessions_table(
        rng,
        sess_ids,
        user_ids,
        s_user,
        platform,
        s_open,
        length,
        crashed,
        active_secs,
        start_ts,
        days,
    )

    # ---------------------------------------------------------------- journeys
    n_sess_u = user_end - user_first
    n_courses = len(catalog.course_ids)
    n_j = np.where(has_session, rng.poisson(0.8 + 0.9 * engagement * np.sqrt(n_sess_u)), 0)
    n_j = np.minimum(n_j, n_courses)
    keys = np.log(catalog.popularity)[None, :] + rng.gumbel(size=(n_users, n_courses))
    picks = np.argsort(-keys, axis=1, kind="stable")
    take = np.arange(n_courses)[None, :] < n_j[:, None]
    j_course = picks[take]
    j_user = np.nonzero(take)[0]
    n = len(j_user)
    first_sess = user_first[j_user] + (n_sess_u[j_user] * rng.random(n) ** 2).astype(np.int64)
    times = SessionTimes(s_user, s_open, np.where(crashed, last_view, s_open + length), user_end)
    in_first = rng.random(n) * np.minimum(times.span[first_sess], 600)
    t0 = s_open[first_sess] + in_first.astype(np.int64)
    jr = Journeys(rng, j_user, j_course, first_sess, t0, times, end_ts)
    ix, pay, quiz = Events({"module": -1, "progress": np.nan}), Events(), Events()
    _funnel(jr, rng, catalog, plants, platform, ix, pay)
    _learning(jr, rng, catalog, skill, ix, quiz)

    tables = {
        "users": _users_table(
            rng, user_ids, first_user, signed_up, channel, platform, installed, app,
            uninstalled, uninstall_ts, reinstalled, reinstall_ts, last_seen,
            s_open + length, s_user,
        ),
        "user_app_sessions": sessions,
    }  # fmt: skip
    counters = dict(counters)
    counters["user_app_sessions"] += n_s
    for name, build, events in (
        ("user_course_interactions", _interactions_table, ix),
        ("user_purchases", _purchases_table, pay),
        ("quiz_attempts", _quiz_table, quiz),
    ):
        tables[name], used = build(rng, events, jr, catalog, user_ids, platform, counters)
        counters[name] += used
    counters["orders"] += int(np.count_nonzero(pay.get("type", np.int8) == P_CART))
    return Block(tables=tables, counters=counters)


def _sample_sod(rng: np.random.Generator, n: int) -> np.ndarray:
    """Second of day following the app's hour-of-day profile (evening peak)."""
    hour = rng.choice(24, n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    return hour * 3600 + rng.integers(0, 3600, n)


def _sessions_table(
    rng, sess_ids, user_ids, s_user, platform, s_open, length, crashed, active_secs, start_ts, days
) -> tuple[pa.Table, np.ndarray]:
    """The sessions table and each session's last navigation view time."""
    n_s = len(s_user)
    # Features: independent per feature, at least one.
    used = rng.random((n_s, len(contract.FEATURES))) < FEATURE_PROB[None, :]
    used[:, 0] |= ~used.any(axis=1)
    f_row, f_code = np.nonzero(used)
    features = fmt.json_lists(
        np.bincount(f_row, minlength=n_s), fmt.string_elements(contract.FEATURES, f_code)
    )
    # Navigation: first view at open, the rest at sorted offsets within the session.
    n_nav = np.clip(1 + rng.poisson(0.8 + length / 200.0), 1, 15)
    nav_sess = np.repeat(np.arange(n_s), n_nav)
    offset = (rng.random(len(nav_sess)) * (length[nav_sess] + 1)).astype(np.int64)
    nav_rank = _group_rank(nav_sess)
    offset[nav_rank == 0] = 0
    offset = offset[np.lexsort((offset, nav_sess))]
    screen = rng.choice(len(contract.SCREENS), len(nav_sess), p=SCREEN_WEIGHTS)
    screen[(nav_rank == 0) & (rng.random(len(nav_sess)) < 0.75)] = 0
    viewed = s_open[nav_sess] + offset
    last_view = viewed[np.cumsum(n_nav) - 1]
    pieces = fmt.labels(tuple(f'{{"screen":"{s}","viewed_at":"' for s in contract.SCREENS), screen)
    stamps = fmt.format_ts(viewed, sep="T", suffix='Z"}')
    navigation = fmt.json_lists(n_nav, pc.binary_join_element_wise(pieces, stamps, ""))
    # App version: the newest released for most, one behind for some.
    release = (np.arange(len(APP_VERSIONS)) - 2) * max(days, 6) // 6
    day = (s_open - start_ts) // DAY
    latest = np.searchsorted(release, day, side="right") - 1
    version = np.clip(latest - (rng.random(n_s) < 0.25), 0, len(APP_VERSIONS) - 1)
    closed = s_open + length
    received = closed + rng.integers(1, 8, n_s)
    return pa.table(
        {
            "session_id": sess_ids,
            "user_id": user_ids.take(pa.array(s_user)),
            "platform": fmt.labels(contract.PLATFORMS, platform[s_user]),
            "app_version": fmt.labels(APP_VERSIONS, version),
            "opened_at": fmt.timestamps(s_open),
            "closed_at": fmt.timestamps(closed, null=crashed),
            "active_seconds": pa.array(active_secs, pa.int32()),
            "features_used": features,
            "navigation_history": navigation,
            "received_at": fmt.timestamps(received),
        }
    ), last_view


def _users_table(
    rng, user_ids, first_user, signed_up, channel, platform, installed, app,
    uninstalled, uninstall_ts, reinstalled, reinstall_ts, last_seen, s_end, s_user,
) -> pa.Table:  # fmt: skip
    """Versioned user rows: sign-up, uninstall, reinstall, final (last seen)."""
    n = len(user_ids)
    # Last seen before the uninstall, for the uninstall version.
    seen_before_uninstall = signed_up.copy()
    if len(s_user):
        sess_before = s_end < uninstall_ts[s_user]
        idx = np.flatnonzero(sess_before)
        np.maximum.at(seen_before_uninstall, s_user[idx], s_end[idx])
    v_user = [np.arange(n)]
    v_time = [signed_up]
    v_kind = [np.zeros(n, np.int8)]
    v_user.append(np.flatnonzero(uninstalled))
    v_time.append(uninstall_ts[uninstalled])
    v_kind.append(np.full(int(uninstalled.sum()), 1, np.int8))
    v_user.append(np.flatnonzero(reinstalled))
    v_time.append(reinstall_ts[reinstalled])
    v_kind.append(np.full(int(reinstalled.sum()), 2, np.int8))
    prev = np.where(reinstalled, reinstall_ts, np.where(uninstalled, uninstall_ts, signed_up))
    final = last_seen > prev
    v_user.append(np.flatnonzero(final))
    v_time.append(last_seen[final])
    v_kind.append(np.full(int(final.sum()), 3, np.int8))
    u = np.concatenate(v_user)
    t = np.concatenate(v_time)
    kind = np.concatenate(v_kind)
    order = np.lexsort((t, u))
    u, t, kind = u[order], t[order], kind[order]
    has_unins = (kind >= 1) & uninstalled[u]
    has_re = (kind >= 2) & reinstalled[u]
    seen = np.select(
        [kind == 0, kind == 1, kind == 2],
        [signed_up[u], seen_before_uninstall[u], seen_before_uninstall[u]],
        last_seen[u],
    )
    # Deterministic fake contact data derived from the user number.
    num = first_user + np.arange(n)
    country = rng.choice(len(COUNTRIES), n, p=COUNTRY_MIX)
    first = fmt.labels(FIRST, num % len(FIRST))
    last = fmt.labels(LAST, (num // len(FIRST)) % len(LAST))
    sep = fmt.labels([".", "_", ""], rng.integers(0, 3, n))
    digits = pc.cast(pa.array(num % 997), pa.string())
    domain = fmt.labels(DOMAINS, rng.choice(len(DOMAINS), n, p=[0.45, 0.2, 0.12, 0.05, 0.13, 0.05]))
    email = pc.binary_join_element_wise(first, sep, last, digits, "@", domain, "")
    local = rng.integers(2_000_000_000, 9_999_999_999, n).astype(str)
    phone = pc.binary_join_element_wise(fmt.labels(DIAL, country), " ", pa.array(local), "")
    phone = pc.if_else(pa.array(rng.random(n) < 0.35), pa.scalar(None, pa.string()), phone)
    device = np.where(platform == 0, rng.integers(0, len(DEVICES[0]), n), -1)
    device_ios = rng.integers(0, len(DEVICES[1]), n)
    device_names = DEVICES[0] + DEVICES[1]
    device = np.where(platform == 1, len(DEVICES[0]) + device_ios, device)
    take = pa.array(u)
    return pa.table(
        {
            "user_id": user_ids.take(take),
            "updated_at": fmt.timestamps(t),
            "signed_up_at": fmt.timestamps(signed_up[u]),
            "email": email.take(take),
            "phone": phone.take(take),
            "country_code": fmt.labels(COUNTRIES, country[u]),
            "acquisition_channel": fmt.labels(contract.ACQUISITION_CHANNELS, channel[u]),
            "platform": fmt.labels(contract.PLATFORMS, platform[u]),
            "device_model": fmt.labels(device_names, device[u]),
            "installed_at": fmt.timestamps(installed[u], null=~app[u]),
            "uninstalled_at": fmt.timestamps(uninstall_ts[u], null=~has_unins),
            "reinstalled_at": fmt.timestamps(reinstall_ts[u], null=~has_re),
            "last_seen_at": fmt.timestamps(seen),
        }
    )


def _funnel(jr: Journeys, rng, catalog: Catalog, plants: Plants, platform, ix: Events, pay: Events):
    """Click -> wishlist -> cart -> purchase attempts (with retries) -> enrolled."""
    n = len(jr.user)
    course = jr.course
    plat = platform[jr.user]
    paid = catalog.price_cents[course] > 0
    planted = (
        course == plants.no_buy_course if plants.no_buy_course is not None else np.zeros(n, bool)
    )
    ix.add(j=np.arange(n), type=np.full(n, CLICK, np.int8), t=jr.t)

    p_wish = np.where(planted, NO_BUY_WISH, 0.28 * catalog.wish_factor[course])
    wish = jr.step(paid & (rng.random(n) < p_wish), 0.7)
    ix.add(wish, j=jr.journey, type=WISH_ADD, t=jr.t)
    p_cart = np.where(wish, 0.45, 0.12) * catalog.wish_factor[course]
    p_cart = np.where(planted, np.where(wish, NO_BUY_CART, 0.3), p_cart)
    want_cart = paid & jr.alive & (rng.random(n) < p_cart)
    unwish = jr.step(wish & ~want_cart & (rng.random(n) < 0.3), 0.3)
    ix.add(unwish, j=jr.journey, type=WISH_REMOVE, t=jr.t)
    cart = jr.step(want_cart, 0.6, need=1)  # cart_add payment row one second later
    ix.add(cart, j=jr.journey, type=CART_ADD, t=jr.t)
    jr.order = np.where(cart, np.cumsum(cart) - 1, -1)
    amount = catalog.price_cents[course]
    pay.add(
        cart,
        j=jr.journey,
        type=P_CART,
        amount=amount,
        method=-1,
        status=S_PENDING,
        reason=-1,
        t=jr.t + 1,
    )
    uncart = jr.step(cart & (rng.random(n) < 0.1), 0.5)
    ix.add(uncart, j=jr.journey, type=CART_REMOVE, t=jr.t)

    p_buy = 0.75 * np.exp(-catalog.price_usd[course] / 250.0) * PLATFORM_CONVERSION[plat]
    p_buy = np.clip(p_buy * catalog.conversion[course], 0.05, 0.95)
    p_buy = np.where(planted, NO_BUY_PURCHASE, p_buy)
    # An attempt round trip (attempt, then transaction_completed 2-5 s later) needs 5 s.
    trying = jr.step(cart & ~uncart & (rng.random(n) < p_buy), 0.7, need=PAY_SECONDS)
    method = (rng.random(n)[:, None] > np.cumsum(METHOD_MIX[plat], axis=1)).sum(1)
    paid_at = np.zeros(n, np.int64)
    for attempt in range(3):
        if attempt:
            later = np.where(
                rng.random(n) < 0.5, rng.integers(60, 1800, n), rng.integers(3600, DAY, n)
            )
            trying = jr.wait(trying, later, need=PAY_SECONDS)
            switch = rng.random(n) < 0.35
            other = (rng.random(n)[:, None] > np.cumsum(METHOD_MIX[plat], axis=1)).sum(1)
            method = np.where(switch, other, method)
        fail_p = BASE_FAILURE[method]
        if plants.spike_method is not None:
            spike = (method == plants.spike_method) & (plat == plants.spike_platform)
            fail_p = np.where(
                spike & (jr.t + 1 >= plants.spike_from_ts), plants.spike_fail_rate, fail_p
            )
        failed = rng.random(n) < fail_p
        reason = (rng.random(n)[:, None] > np.cumsum(FAILURE_REASON_MIX[method], axis=1)).sum(1)
        ix.add(trying, j=jr.journey, type=ATTEMPT, t=jr.t)
        status = np.where(failed, S_FAILED, S_OK)
        reason = np.where(failed, reason, -1)
        pay.add(
            trying, j=jr.journey, type=P_ATTEMPT, amount=amount, method=method,
            status=status, reason=reason, t=jr.t + 1,
        )  # fmt: skip
        ok = trying & ~failed
        done_t = jr.t + rng.integers(2, PAY_SECONDS + 1, n)
        pay.add(
            ok,
            j=jr.journey,
            type=P_DONE,
            amount=amount,
            method=method,
            status=S_OK,
            reason=-1,
            t=done_t,
        )
        paid_at = np.where(ok, done_t, paid_at)
        jr.t = np.where(ok, done_t, jr.t)
        jr.enrolled |= ok
        trying = trying & failed & (rng.random(n) < 0.6)
    refund = jr.enrolled & (rng.random(n) < 0.05)
    refund_t = paid_at + rng.integers(DAY, 14 * DAY, n)
    refund &= refund_t < jr.cutoff
    partial = rng.random(n) < 0.25
    refund_amount = np.where(partial, amount // 2, amount)
    pay.add(
        refund, j=jr.journey, type=P_REFUND, amount=refund_amount, method=method,
        status=S_REFUNDED, reason=-1, t=refund_t,
    )  # fmt: skip
    jr.cutoff = np.where(refund, refund_t, jr.cutoff)
    free_enroll = ~paid & jr.alive & (rng.random(n) < 0.7)
    jr.enrolled |= free_enroll


def _learning(jr: Journeys, rng, catalog: Catalog, skill, ix: Events, quiz: Events):
    """Modules in order with progress updates, per-module stalls and quizzes."""
    n = len(jr.user)
    n_mod = catalog.module_count[jr.course]
    jr.alive &= jr.enrolled
    for k in range(1, int(catalog.module_count.max()) + 1):
        jr.alive &= k <= n_mod
        if not jr.alive.any():
            break
        module = catalog.module_start[jr.course] + k - 1
        module = np.minimum(module, len(catalog.module_ids) - 1)
        started = jr.step(jr.alive, 0.75 if k == 1 else 0.6)
        ix.add(
            started,
            j=jr.journey,
            type=MOD_START,
            module=module,
            progress=100.0 * (k - 1) / n_mod,
            t=jr.t,
        )
        updates = rng.integers(4, 11, n)
        stall = rng.random(n) < catalog.module_dropoff[module]
        updates = np.where(stall, rng.integers(0, updates), updates)
        for i in range(10):
            moved = jr.step(started & (i < updates), 0.8)
            frac = (i + 1) / (updates + 1)
            ix.add(
                moved,
                j=jr.journey,
                type=PROGRESS,
                module=module,
                progress=100.0 * (k - 1 + frac) / n_mod,
                t=jr.t,
            )
        jr.alive &= ~stall
        done = jr.step(started & ~stall, 0.75)
        ix.add(done, j=jr.journey, type=MOD_DONE, module=module, progress=100.0 * k / n_mod, t=jr.t)
        takes = done & (rng.random(n) < 0.88)
        passed = np.zeros(n, bool)
        for attempt in range(3):
            took = _quiz_attempts(rng, catalog, skill, jr, takes, module, attempt, quiz, passed)
            takes = took & ~passed & (rng.random(n) < 0.6)
        jr.alive &= passed | ~done | (rng.random(n) < 0.75)


def _quiz_attempts(
    rng, catalog: Catalog, skill, jr: Journeys, takes, quiz_idx, attempt, quiz: Events, passed
) -> np.ndarray:
    """Answer each question (logistic in skill - difficulty, 25% guessing floor), then place
    the whole attempt (start to submit or abandon) inside one session; returns who took it
    and sets `passed` for those who passed."""
    n = len(takes)
    rows = np.flatnonzero(takes & jr.alive)
    if not rows.size:
        return np.zeros(n, bool)
    q = quiz_idx[rows]
    nq = catalog.question_count[q]
    rep = np.repeat(np.arange(len(rows)), nq)
    within = _group_rank(rep)
    question = catalog.question_start[q][rep] + within
    theta = skill[jr.user[rows]][rep] + 0.35 * attempt
    p_true = 0.25 + 0.75 * _sigmoid(
        catalog.discrimination[question] * (theta - catalog.difficulty[question])
    )
    truly = rng.random(len(rep)) < p_true
    distractor = (rng.random(len(rep))[:, None] > catalog.distractor_cdf[question]).sum(1)
    chosen = np.where(truly, catalog.true_option[question], distractor)
    correct = chosen == catalog.key_option[question]
    tenths = np.clip(
        rng.lognormal(np.log(220) + 0.3 * catalog.difficulty[question], 0.45), 20, 6000
    )
    tenths = tenths.astype(np.int64)
    abandoned = rng.random(len(rows)) < ABANDON_RATE
    answered = np.where(abandoned, rng.integers(0, nq), nq)
    keep = within < answered[rep]
    n_correct = np.bincount(rep, weights=correct & keep, minlength=len(rows))
    score = np.where(abandoned, np.nan, 100.0 * n_correct / nq)
    spent = np.ceil(np.bincount(rep, weights=tenths * keep, minlength=len(rows)) / 10.0)
    duration = spent.astype(np.int64) + np.where(abandoned, 0, rng.integers(2, 20, len(rows)))
    need = np.zeros(n, np.int64)
    need[rows] = duration
    took = jr.step(takes, 0.8, need=need)
    made = took[rows]
    start = jr.t[rows]
    submitted = np.where(abandoned, -1, start + duration)
    quiz.add(
        made, j=jr.journey[rows], quiz=q, start=start, submitted=submitted, score=score,
        answered=answered,
    )  # fmt: skip
    kept = keep & made[rep]
    quiz.cols.setdefault("r_question", []).append(question[kept])
    quiz.cols.setdefault("r_chosen", []).append(chosen[kept])
    quiz.cols.setdefault("r_correct", []).append(correct[kept])
    quiz.cols.setdefault("r_tenths", []).append(tenths[kept])
    passed[rows] |= made & ~abandoned & (score >= catalog.pass_mark[q])
    jr.t[rows[made]] = (start + duration)[made]
    return took


def _event_order(t: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.lexsort((j, t))


def _interactions_table(rng, ix: Events, jr: Journeys, catalog, user_ids, platform, counters):
    j = ix.get("j", np.int64)
    t = ix.get("t", np.int64)
    etype = ix.get("type", np.int8)
    n = len(j)
    module = ix.get("module", np.int64)
    progress = ix.get("progress", np.float64)
    order = _event_order(t, j)
    j, t, etype, module, progress = j[order], t[order], etype[order], module[order], progress[order]
    user = jr.user[j]
    table = pa.table(
        {
            "event_id": fmt.ids("ci", counters["user_course_interactions"], n, 10),
            "user_id": user_ids.take(pa.array(user)),
            "course_id": fmt.labels(catalog.course_ids, jr.course[j]),
            "module_id": fmt.labels(catalog.module_ids, module),
            "event_type": fmt.labels(contract.INTERACTION_EVENT_TYPES, etype),
            "progress_percent": pa.array(progress, pa.float64(), mask=np.isnan(progress)),
            "platform": fmt.labels(contract.PLATFORMS, platform[user]),
            "occurred_at": fmt.timestamps(t),
            "received_at": fmt.timestamps(t + _delay(rng, n)),
        }
    )
    return table, n


def _delay(rng, n: int) -> np.ndarray:
    """Collector delay: a few seconds."""
    return np.minimum(rng.geometric(0.35, n), 30).astype(np.int64)


def _purchases_table(rng, pay: Events, jr: Journeys, catalog, user_ids, platform, counters):
    j = pay.get("j", np.int64)
    t = pay.get("t", np.int64)
    order = _event_order(t, j)
    j, t = j[order], t[order]
    n = len(j)
    col = {
        name: pay.get(name, np.int64)[order]
        for name in ("type", "amount", "method", "status", "reason")
    }
    user = jr.user[j]
    order_no = counters["orders"] + jr.order[j]
    return (
        pa.table(
            {
                "event_id": fmt.ids("pe", counters["user_purchases"], n, 10),
                "order_id": pc.binary_join_element_wise(
                    "ord", pc.utf8_lpad(pc.cast(pa.array(order_no), pa.string()), 9, "0"), ""
                ),
                "user_id": user_ids.take(pa.array(user)),
                "course_id": fmt.labels(catalog.course_ids, jr.course[j]),
                "event_type": fmt.labels(contract.PURCHASE_EVENT_TYPES, col["type"]),
                "amount": fmt.money(col["amount"]),
                "currency": fmt.labels(contract.CURRENCIES, catalog.currency[jr.course[j]]),
                "payment_method": fmt.labels(contract.PAYMENT_METHODS, col["method"]),
                "payment_status": fmt.labels(contract.PAYMENT_STATUSES, col["status"]),
                "failure_reason": fmt.labels(contract.FAILURE_REASONS, col["reason"]),
                "platform": fmt.labels(contract.PLATFORMS, platform[user]),
                "occurred_at": fmt.timestamps(t),
                "received_at": fmt.timestamps(t + _delay(rng, n)),
            }
        ),
        n,
    )


def _quiz_table(rng, quiz: Events, jr: Journeys, catalog, user_ids, platform, counters):
    j = quiz.get("j", np.int64)
    n = len(j)
    q = quiz.get("quiz", np.int64)
    start = quiz.get("start", np.int64)
    submitted = quiz.get("submitted", np.int64)
    score = quiz.get("score", np.float64)
    answered = quiz.get("answered", np.int64)
    question = quiz.get("r_question", np.int64)
    chosen = quiz.get("r_chosen", np.int64)
    correct = quiz.get("r_correct", bool)
    tenths = quiz.get("r_tenths", np.int64)
    # Response texts from lookup fragments: question, option + correctness, seconds.
    q_piece = fmt.labels(
        tuple(f'{{"question_id":"{qid}","chosen_option":"' for qid in catalog.question_ids),
        question,
    )
    oc_piece = fmt.labels(
        tuple(
            f'{o}","is_correct":{"true" if c else "false"},"seconds_spent":'
            for o in contract.QUIZ_OPTIONS
            for c in (False, True)
        ),
        chosen * 2 + correct,
    )
    s_piece = _seconds_table().take(pa.array(tenths))
    elements = pc.binary_join_element_wise(q_piece, oc_piece, s_piece, "")
    responses = fmt.json_lists(answered, elements)
    abandoned = submitted < 0
    ended = np.where(
        abandoned, start + np.ceil(_spent(answered, tenths)).astype(np.int64), submitted
    )
    # Attempts were collected per module in journey order: sort rows by start time.
    order = _event_order(start, j)
    user = jr.user[j]
    table = pa.table(
        {
            "attempt_id": fmt.ids("qa", counters["quiz_attempts"], n, 10),
            "user_id": user_ids.take(pa.array(user[order])),
            "quiz_id": fmt.labels(catalog.quiz_ids, q[order]),
            "platform": fmt.labels(contract.PLATFORMS, platform[user[order]]),
            "started_at": fmt.timestamps(start[order]),
            "submitted_at": fmt.timestamps(submitted[order], null=abandoned[order]),
            "score_percent": pa.array(score[order], pa.float64(), mask=np.isnan(score[order])),
            "responses": responses.take(pa.array(order)),
            "received_at": fmt.timestamps(ended[order] + _delay(rng, n)),
        }
    )
    return table, n


def _spent(answered: np.ndarray, tenths: np.ndarray) -> np.ndarray:
    row = np.repeat(np.arange(len(answered)), answered)
    return np.bincount(row, weights=tenths, minlength=len(answered)) / 10.0


_SECONDS: list[pa.Array] = []


def _seconds_table() -> pa.Array:
    if not _SECONDS:
        _SECONDS.append(pa.array([f"{t // 10}.{t % 10}}}" for t in range(6001)]))
    return _SECONDS[0]
