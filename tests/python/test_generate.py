"""Tests for `behavior generate`: contract shape, invariants, behaviours, faults, plants."""

from __future__ import annotations

import argparse
import filecmp
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from behavior import contract
from behavior import generate as gen
from behavior.cli import build_parser
from behavior.errors import UserError
from behavior.generate import formats as fmt
from behavior.generate.faults import malformed_kinds

EVENT_TIME = {
    "user_course_interactions": "occurred_at",
    "user_app_sessions": "opened_at",
    "quiz_attempts": "started_at",
    "user_purchases": "occurred_at",
}


def options(out: Path, **overrides) -> dict:
    argv = ["generate", "--out", str(out), "--quiet"]
    for key, value in overrides.items():
        flag = "--" + key.replace("_", "-")
        for item in value if isinstance(value, list) else [value]:
            argv += [flag] if item is True else [flag, str(item)]
    return gen.resolve(build_parser().parse_args(argv))


def run(out: Path, **overrides) -> dict:
    return gen.generate(options(out, **overrides))


def connect(out: Path, ext: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in contract.TABLES:
        path = out / f"{name}.{ext}"
        if ext == "parquet":
            source = f"read_parquet('{path}')"
        elif ext == "csv":
            source = f"read_csv('{path}', header=true, all_varchar=true)"
        else:
            source = f"read_json('{path}', format='newline_delimited', records=true)"
        con.execute(f"create view {name} as select * from {source}")
    return con


def near(count: int, n: int, rate: float) -> bool:
    """count is within 4 binomial standard deviations (plus 2) of n * rate."""
    return abs(count - n * rate) <= 4 * (n * rate * (1 - rate)) ** 0.5 + 2


def one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchall()[0][0]


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    manifest = run(out, users=1500, days=45, seed=7)
    return out, manifest, connect(out, "parquet")


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    out = tmp_path_factory.mktemp("planted")
    manifest = run(out, users=4000, days=60, seed=11, plant="all", format="csv")
    return out, manifest, connect(out, "csv")


@pytest.fixture(scope="module")
def unplanted(tmp_path_factory):
    out = tmp_path_factory.mktemp("unplanted")
    manifest = run(out, users=4000, days=60, seed=11, format="csv")
    return out, manifest, connect(out, "csv")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    out = tmp_path_factory.mktemp("faulty")
    manifest = run(
        out,
        users=1500,
        days=40,
        seed=3,
        format="jsonl",
        duplicate_rate=0.03,
        late_rate=0.05,
        malformed_rate=0.04,
        enum_noise_rate=0.02,
    )
    return out, manifest, connect(out, "jsonl")


# ----------------------------------------------------------------------------- CLI, files


def test_cli_sample_preset_and_overrides():
    args = build_parser().parse_args(["generate", "--sample", "--users", "50"])
    opts = gen.resolve(args)
    assert opts["users"] == 50 and opts["days"] == 61 and opts["format"] == "csv"
    assert opts["out"] == "seeds/sample" and opts["plant"] == sorted(gen.PLANTS)
    assert opts["duplicate_rate"] == 0.01 and opts["enum_noise_rate"] == 0.01


def test_cli_rejects_bad_input():
    parser = build_parser()
    for argv in (
        ["generate", "--out", "x"],
        ["generate", "--users", "5"],
    ):
        with pytest.raises(UserError):
            gen.resolve(parser.parse_args(argv))
    # values no command could use are refused by argparse itself: one line, exit 2
    for argv in (
        ["generate", "--users", "5", "--out", "x", "--start", "2026-13-01"],
        ["generate", "--users", "5", "--out", "x", "--late-rate", "2"],
        ["generate", "--target-rows", "-5", "--out", "x"],
    ):
        with pytest.raises(SystemExit) as exited:
            parser.parse_args(argv)
        assert exited.value.code == 2


def test_target_rows_picks_users_close_to_target(tmp_path):
    opts = options(tmp_path, target_rows=60_000, days=30)
    manifest = gen.generate(opts)
    total = sum(manifest["row_counts"].values())
    assert 0.75 * 60_000 <= total <= 1.25 * 60_000, total


@pytest.mark.parametrize("ext", fmt.FORMATS)
def test_determinism_per_seed(tmp_path, ext):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    kw = dict(users=150, days=20, format=ext, plant="all", duplicate_rate=0.02, malformed_rate=0.02)
    run(a, seed=5, **kw)
    run(b, seed=5, **kw)
    run(c, seed=6, **kw)
    names = [f"{t}.{ext}" for t in contract.TABLES]
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert sorted(match) == sorted(names) and not mismatch and not errors
    _, differ, _ = filecmp.cmpfiles(a, c, names, shallow=False)
    assert {f"{t}.{ext}" for t in contract.EVENT_TABLES} <= set(differ)


def test_files_match_contract_columns_in_every_format(tmp_path, clean):
    out, manifest, _ = clean
    for name, table in contract.TABLES.items():
        schema = pq.read_schema(out / f"{name}.parquet")
        assert schema.names == table.column_names
        for field, expected in zip(schema, fmt.arrow_schema(table), strict=True):
            # Parquet has no second unit: timestamp[s] is stored as milliseconds.
            same_ts = pa.types.is_timestamp(field.type) and pa.types.is_timestamp(expected.type)
            assert same_ts or field.type == expected.type, (name, field)
        assert manifest["row_counts"][name] == pq.read_metadata(out / f"{name}.parquet").num_rows
    for ext in ("csv", "jsonl"):
        out2 = tmp_path / ext
        run(out2, users=60, days=10, format=ext)
        con = duckdb.connect()
        for name, table in contract.TABLES.items():
            path = out2 / f"{name}.{ext}"
            if ext == "csv":
                header = path.read_text().splitlines()[0]
                assert header == ",".join(f'"{c}"' for c in table.column_names)
            else:
                first = json.loads(path.read_text().splitlines()[0])
                assert list(first) == table.column_names
            assert (
                one(con, f"select count(*) from '{path}'")
                == json.loads((out2 / "_manifest.json").read_text())["row_counts"][name]
            )


def test_csv_values_are_iso_timestamps_and_json_text(tmp_path):
    run(tmp_path, users=80, days=10, format="csv")
    con = connect(tmp_path, "csv")
    bad = one(
        con,
        "select count(*) from user_app_sessions where not regexp_full_match(opened_at, "
        "'\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d') or json_type(navigation_history) <> 'ARRAY'",
    )
    assert bad == 0
    assert one(con, "select count(*) from user_app_sessions where closed_at is null") > 0


# ----------------------------------------------------------------------------- invariants


def test_keys_unique(clean):
    _, _, con = clean
    for name, table in contract.TABLES.items():
        key = ", ".join(table.key)
        dupes = one(
            con, f"select count(*) from (select {key} from {name} group by all having count(*) > 1)"
        )
        assert dupes == 0, name
        nulls = " or ".join(f"{c} is null" for c in table.key)
        assert one(con, f"select count(*) from {name} where {nulls}") == 0, name


def test_required_columns_and_enums(clean):
    _, _, con = clean
    for name, table in contract.TABLES.items():
        for col in table.columns:
            if col.required:
                assert one(con, f"select count(*) from {name} where {col.name} is null") == 0
            if col.enum:
                allowed = ", ".join(f"'{v}'" for v in col.enum)
                sql = f"select count(*) from {name} where {col.name} not in ({allowed})"
                assert one(con, sql) == 0, (name, col.name)
            if col.min_value is not None:
                sql = f"select count(*) from {name} where {col.name} < {col.min_value}"
                assert one(con, sql) == 0, (name, col.name)
            if col.max_value is not None:
                sql = f"select count(*) from {name} where {col.name} > {col.max_value}"
                assert one(con, sql) == 0, (name, col.name)


def test_time_ordering(clean):
    _, _, con = clean
    for name, table in contract.TABLES.items():
        for earlier, later in table.ordered:
            assert one(con, f"select count(*) from {name} where {later} < {earlier}") == 0
    checks = {
        "active seconds beyond duration": "select count(*) from user_app_sessions "
        "where closed_at is not null and active_seconds > epoch(closed_at - opened_at)",
        "navigation out of order or outside session": """
            with nav as (
                select s.session_id, s.opened_at, s.closed_at, n.i,
                       strptime(n.v->>'viewed_at', '%Y-%m-%dT%H:%M:%SZ') as viewed
                from user_app_sessions s,
                     unnest(cast(s.navigation_history as json[])) with ordinality as n(v, i)
            )
            select count(*) from (
                select *, lag(viewed) over (partition by session_id order by i) as prev from nav
            ) where viewed < prev or viewed < opened_at or viewed > closed_at""",
        "events before sign-up": """
            select count(*) from user_course_interactions i
            join (select user_id, min(signed_up_at) s from users group by 1) u using (user_id)
            where i.occurred_at < u.s""",
        "received before event": "select count(*) from user_purchases "
        "where received_at < occurred_at",
    }
    for label, sql in checks.items():
        assert one(con, sql) == 0, label


# Client events outside every session of their user (typed or all-text files).
CLIENT_EVENTS_OUTSIDE_SESSIONS = """
    with nav as (
        select session_id,
               max(strptime(n.v->>'viewed_at', '%Y-%m-%dT%H:%M:%SZ')) as last_viewed_at
        from user_app_sessions, unnest(cast(navigation_history as json[])) as n(v)
        group by 1
    ), sessions as (
        select s.user_id, s.opened_at::timestamp as opened_at,
               coalesce(s.closed_at::timestamp, nav.last_viewed_at) as ended_at
        from user_app_sessions s join nav using (session_id)
    ), client_events as (
        select user_id, occurred_at::timestamp as event_at,
               'interaction ' || lower(trim(event_type)) as kind
        from user_course_interactions
        union all
        select user_id, started_at::timestamp, 'quiz start' from quiz_attempts
        union all
        select user_id, submitted_at::timestamp, 'quiz submit' from quiz_attempts
        where submitted_at is not null
        union all
        select user_id, occurred_at::timestamp, 'purchase ' || lower(trim(event_type))
        from user_purchases
        where lower(trim(event_type)) in ('cart_add', 'purchase_attempt', 'transaction_completed')
    )
    select kind, count(*) filter (where not exists (
               select 1 from sessions s where s.user_id = e.user_id
               and e.event_at between s.opened_at and s.ended_at)) as outside,
           count(*) filter (where not exists (
               select 1 from sessions s where s.user_id = e.user_id
               and e.event_at::date between s.opened_at::date and s.ended_at::date))
               as day_without_session,
           count(*) as events
    from client_events e group by 1 order by 1"""


def test_client_events_lie_inside_sessions(clean):
    """Client events happen while the app is open: inside a session of the same user
    (closed_at, or the last navigation view for a crashed session, ends it)."""
    _, _, con = clean
    rows = con.execute(CLIENT_EVENTS_OUTSIDE_SESSIONS).fetchall()
    kinds = {kind for kind, *_ in rows}
    assert {"quiz start", "quiz submit", "purchase cart_add", "purchase purchase_attempt"} <= kinds
    assert {"purchase transaction_completed", "interaction progress_update"} <= kinds
    bad = [(kind, outside, days) for kind, outside, days, _ in rows if outside or days]
    assert not bad, bad
    retried = one(
        con,
        """select count(*) from (select order_id from user_purchases
           where event_type = 'purchase_attempt' group by 1 having count(*) > 1)""",
    )
    assert retried > 5


def test_foreign_keys(clean):
    _, _, con = clean
    for name, table in contract.TABLES.items():
        for col, parent in table.references:
            parent_key = contract.TABLES[parent].key[0]
            sql = (
                f"select count(*) from {name} where {col} is not null and {col} not in "
                f"(select {parent_key} from {parent})"
            )
            assert one(con, sql) == 0, (name, col)
    # Response questions exist and belong to the attempt's quiz.
    sql = """
        select count(*) from quiz_attempts a,
             unnest(cast(a.responses as json[])) as r(v)
        left join quiz_questions q on q.question_id = r.v->>'question_id'
        where q.quiz_id is distinct from a.quiz_id"""
    assert one(con, sql) == 0


def test_progress_is_monotonic_and_modules_in_order(clean):
    _, _, con = clean
    sql = """
        select count(*) from (
            select progress_percent, lag(progress_percent) over w as prev,
                   m.module_position, lag(m.module_position) over w as prev_pos, event_type
            from user_course_interactions i left join modules m using (module_id)
            where i.module_id is not null
            window w as (partition by user_id, i.course_id order by occurred_at, event_id)
        ) where progress_percent < prev or module_position < prev_pos
            or (event_type = 'module_start' and module_position <> coalesce(prev_pos, 0) + 1
                and module_position <> prev_pos)"""
    assert one(con, sql) == 0
    assert one(con, "select max(progress_percent) from user_course_interactions") == 100.0


def test_quiz_answers_consistent_with_key_and_score(clean):
    _, _, con = clean
    sql = """
        with r as (
            select a.attempt_id, a.score_percent, a.submitted_at,
                   r.v->>'chosen_option' as chosen, (r.v->>'is_correct')::boolean as ok,
                   (r.v->>'seconds_spent')::double as secs, q.correct_option
            from quiz_attempts a, unnest(cast(a.responses as json[])) as r(v)
            join quiz_questions q on q.question_id = r.v->>'question_id'
        )
        select count(*) filter (where ok <> (chosen = correct_option)),
               count(*) filter (where secs <= 0),
               count(*) filter (where chosen not in ('a', 'b', 'c', 'd'))
        from r"""
    assert con.execute(sql).fetchall()[0] == (0, 0, 0)
    sql = """
        with per as (
            select a.attempt_id, a.score_percent, a.submitted_at,
                   count(r.v) as answered,
                   count(*) filter (where (r.v->>'is_correct')::boolean) as right_
            from quiz_attempts a left join unnest(cast(a.responses as json[])) as r(v) on true
            group by all
        ), n as (select quiz_id, count(*) nq from quiz_questions group by 1)
        select
            count(*) filter (where a.submitted_at is not null
                and abs(a.score_percent - 100.0 * p.right_ / n.nq) > 1e-9),
            count(*) filter (where a.submitted_at is not null and p.answered <> n.nq),
            count(*) filter (where a.submitted_at is null
                and (a.score_percent is not null or p.answered >= n.nq))
        from quiz_attempts a join per p using (attempt_id) join n using (quiz_id)"""
    assert con.execute(sql).fetchall()[0] == (0, 0, 0)


def test_payments_consistent_with_interactions(clean):
    _, _, con = clean
    sql = """
        with a as (select user_id, course_id, count(*) n from user_purchases
                   where event_type = 'purchase_attempt' group by all),
             b as (select user_id, course_id, count(*) n from user_course_interactions
                   where event_type = 'purchase_attempt' group by all)
        select count(*) from a full join b using (user_id, course_id)
        where a.n is distinct from b.n"""
    assert one(con, sql) == 0
    checks = {
        "cart add not pending / has method": "select count(*) from user_purchases where "
        "event_type = 'cart_add' and (payment_status <> 'pending' or payment_method is not null)",
        "failed without reason": "select count(*) from user_purchases where "
        "(payment_status = 'failed') <> (failure_reason is not null)",
        "completed without succeeded attempt": """
            select count(*) from user_purchases t where event_type = 'transaction_completed'
            and not exists (select 1 from user_purchases a where a.order_id = t.order_id
                and a.event_type = 'purchase_attempt' and a.payment_status = 'succeeded'
                and a.occurred_at <= t.occurred_at)""",
        "refund above paid": """
            select count(*) from user_purchases r join user_purchases t using (order_id)
            where r.event_type = 'refund' and t.event_type = 'transaction_completed'
            and (r.amount > t.amount or r.occurred_at <= t.occurred_at)""",
        "order spans users": "select count(*) from (select order_id from user_purchases "
        "group by 1 having count(distinct user_id) > 1 or count(distinct course_id) > 1)",
        "amount differs from price": """
            select count(*) from user_purchases p join courses c using (course_id)
            where p.event_type <> 'refund'
              and (p.amount <> c.price_amount or p.currency <> c.currency)""",
    }
    for label, sql in checks.items():
        assert one(con, sql) == 0, label


def test_user_versions_follow_install_history(clean):
    _, _, con = clean
    checks = {
        "web user with install": "select count(*) from users where platform = 'web' "
        "and (installed_at is not null or uninstalled_at is not null)",
        "app user without install": "select count(*) from users where platform <> 'web' "
        "and installed_at is null",
        "reinstall without earlier uninstall": "select count(*) from users "
        "where reinstalled_at is not null "
        "and (uninstalled_at is null or reinstalled_at <= uninstalled_at)",
        "changing sign-up": "select count(*) from (select user_id from users group by 1 "
        "having count(distinct signed_up_at) > 1 or count(distinct platform) > 1)",
        "session while uninstalled": """
            select count(*) from user_app_sessions s join (
                select user_id, max(uninstalled_at) u, max(reinstalled_at) r from users group by 1
            ) v using (user_id)
            where s.opened_at > v.u and (v.r is null or s.opened_at < v.r)""",
        "last version not last seen": """
            select count(*) from (
                select user_id, arg_max(last_seen_at, updated_at) last_seen from users group by 1
            ) u join (select user_id, max(opened_at) o from user_app_sessions group by 1) s
            using (user_id) where u.last_seen < s.o""",
    }
    for label, sql in checks.items():
        assert one(con, sql) == 0, label


# ----------------------------------------------------------------------------- behaviours


def test_behaviours_present_at_realistic_rates(clean):
    _, _, con = clean
    crashed = one(con, "select avg((closed_at is null)::int) from user_app_sessions")
    assert 0.015 <= crashed <= 0.05
    abandoned = one(con, "select avg((submitted_at is null)::int) from quiz_attempts")
    assert 0.05 <= abandoned <= 0.11
    recovered = one(
        con,
        """select count(*) from (select order_id from user_purchases
           where event_type = 'purchase_attempt' group by 1
           having bool_or(payment_status = 'failed') and bool_or(payment_status = 'succeeded'))""",
    )
    assert recovered > 5
    assert one(con, "select count(*) from user_purchases where event_type = 'refund'") > 5
    assert (
        one(con, "select count(distinct user_id) from users where uninstalled_at is not null") > 50
    )
    assert (
        one(con, "select count(distinct user_id) from users where reinstalled_at is not null") > 20
    )
    for event in contract.INTERACTION_EVENT_TYPES:
        sql = f"select count(*) from user_course_interactions where event_type = '{event}'"
        assert one(con, sql) > 10, event
    shares = dict(
        con.execute(
            "select platform, count(*) / sum(count(*)) over () from "
            "(select distinct user_id, platform from users) group by 1"
        ).fetchall()
    )
    assert abs(shares["android"] - 0.5) < 0.06 and abs(shares["web"] - 0.2) < 0.05
    free = one(con, "select count(*) from courses where price_amount = 0")
    assert free >= 1 and 12 <= one(con, "select count(*) from courses") <= 20


def test_retention_curve_and_weekday_signups(clean):
    _, _, con = clean
    sql = """
        with s as (select user_id, opened_at::date d from user_app_sessions),
        f as (select user_id, min(signed_up_at)::date f from users group by 1)
        select avg((exists (select 1 from s where s.user_id = f.user_id and s.d = f.f + {k}))::int)
        from f where f.f + {k} < (select max(d) from s)"""
    d1, d7, d30 = (one(con, sql.format(k=k)) for k in (1, 7, 30))
    assert 0.3 <= d1 <= 0.5 and 0.13 <= d7 <= 0.28 and 0.05 <= d30 <= 0.17, (d1, d7, d30)
    weekend, weekday = con.execute("""
        select avg(n) filter (where dow in (0, 6)), avg(n) filter (where dow not in (0, 6))
        from (select signed_up_at::date d, dayofweek(d) dow, count(distinct user_id) n
              from users group by all)""").fetchall()[0]
    assert weekend < 0.9 * weekday


def test_better_learners_score_higher(clean):
    _, _, con = clean
    sql = """
        with u as (select user_id, avg(score_percent) s, count(*) n from quiz_attempts
                   where score_percent is not null group by 1 having n >= 3),
        q as (select user_id, ntile(4) over (order by s) quartile, s from u)
        select avg(s) filter (where quartile = 4) - avg(s) filter (where quartile = 1) from q"""
    assert one(con, sql) > 15


# ----------------------------------------------------------------------------- faults


def test_faults_close_to_requested_rates(faulty):
    _, manifest, con = faulty
    faults = manifest["faults"]
    for name in (*contract.EVENT_TABLES, "users"):
        table = contract.TABLES[name]
        rows = manifest["row_counts"][name]
        dup = faults[name]["duplicate"]
        base = rows - dup
        assert near(dup, base, 0.03), name
        malformed = sum(v for k, v in faults[name].items() if k.startswith("malformed_"))
        assert near(malformed, base, 0.04), name
        for kind in malformed_kinds(name):
            assert faults[name][f"malformed_{kind}"] > 0, (name, kind)
        id_col = table.key[0]
        extra = one(
            con,
            f"select count(*) - count(distinct {id_col}) from {name} where {id_col} is not null",
        )
        assert extra >= dup * 0.9, name
        if name in EVENT_TIME:
            time_col = EVENT_TIME[name]
            late = one(
                con,
                f"select count(*) from {name} where try_cast({time_col} as timestamp) is not null "
                f"and received_at::timestamp >= try_cast({time_col} as timestamp) + interval 1 day",
            )
            # Late rows plus the few malformed ones whose event time was unparseable.
            assert near(late, base, 0.05), (name, late, base)


def test_malformed_values_visible_in_data(faulty):
    _, manifest, con = faulty
    faults = manifest["faults"]
    assert manifest["text_columns"]["user_purchases"] == ["occurred_at"]
    bad_ts = one(
        con, "select count(*) from user_purchases where try_cast(occurred_at as timestamp) is null"
    )
    assert bad_ts >= faults["user_purchases"]["malformed_bad_timestamp"]
    assert (
        one(con, "select count(*) from user_purchases where amount < 0")
        == (faults["user_purchases"]["malformed_negative_amount"])
    )
    broken = one(
        con,
        "select count(*) from quiz_attempts where case when json_valid(responses) "
        "then json_type(responses) <> 'ARRAY' else true end",
    )
    assert broken >= faults["quiz_attempts"]["malformed_broken_json"]
    # Sessions carry short lists (features_used can be `[]`): every broken one
    # must really be broken, so the manifest count is exact. Duplicates are
    # injected after the malformed rows and may copy a broken one, so the count
    # is of distinct sessions (a duplicate keeps its session_id).
    broken_sessions = one(
        con,
        "select count(distinct session_id) from user_app_sessions where "
        "case when json_valid(features_used) then json_type(features_used) <> 'ARRAY' "
        "else true end or case when json_valid(navigation_history) "
        "then json_type(navigation_history) <> 'ARRAY' else true end",
    )
    assert broken_sessions == faults["user_app_sessions"]["malformed_broken_json"]
    unknown = one(
        con,
        "select count(*) from user_app_sessions where user_id not in (select user_id from users "
        "where user_id is not null)",
    )
    assert unknown >= faults["user_app_sessions"]["malformed_unknown_reference"]
    allowed = ", ".join(f"'{v}'" for v in contract.PLATFORMS)
    noisy = one(
        con,
        f"select count(*) from user_app_sessions where platform not in ({allowed}) "
        f"and lower(trim(platform)) in ({allowed})",
    )
    assert noisy > 0


def test_parquet_with_malformed_rows_keeps_text_columns(tmp_path):
    run(tmp_path, users=100, days=10, malformed_rate=0.05)
    schema = pq.read_schema(tmp_path / "user_course_interactions.parquet")
    assert pa.types.is_string(schema.field("occurred_at").type)
    assert pa.types.is_timestamp(schema.field("received_at").type)


# ----------------------------------------------------------------------------- planted effects


FAILURE_BY_PERIOD = """
    select payment_method, platform, occurred_at::timestamp >= '{start}'::timestamp as after,
           avg((payment_status = 'failed')::int) as rate, count(*) n
    from user_purchases where event_type = 'purchase_attempt' group by all"""


def _failure_rates(con, start: str) -> dict:
    rows = con.execute(FAILURE_BY_PERIOD.format(start=start)).fetchall()
    return {(m, p, a): (r, n) for m, p, a, r, n in rows}


def test_payment_failure_spike_planted(planted):
    _, manifest, con = planted
    spec = manifest["planted"]["payment_failure_spike"]
    rates = _failure_rates(con, spec["from_date"])
    key = (spec["payment_method"], spec["platform"])
    after, n_after = rates[(*key, True)]
    before, _ = rates[(*key, False)]
    assert n_after >= 30 and after >= 0.4 and before <= 0.2
    others = [r for (m, p, a), (r, n) in rates.items() if (m, p) != key and a and n >= 30]
    assert others and max(others) < after - 0.2


def test_no_failure_spike_without_plant(unplanted):
    _, manifest, con = unplanted
    assert manifest["planted"] == {}
    rates = _failure_rates(con, "2026-10-31")
    for (m, p, a), (r, n) in rates.items():
        if a and n >= 30 and (m, p, False) in rates and rates[(m, p, False)][1] >= 30:
            assert r - rates[(m, p, False)][0] < 0.15, (m, p)


# Item-total and item-rest (total without the item) correlation per question.
DISCRIMINATION = """
    with r as (
        select a.attempt_id, r.v->>'question_id' as question_id,
               (r.v->>'is_correct')::boolean::int as ok, a.score_percent::double as score
        from quiz_attempts a, unnest(cast(a.responses as json[])) as r(v)
        where a.submitted_at is not null
    ), rest as (select *, sum(ok) over (partition by attempt_id) - ok as rest from r)
    select question_id, corr(ok, score) as disc, corr(ok, rest) as rest_disc, count(*) n
    from rest group by 1 having count(*) >= 100"""


def test_bad_answer_key_planted(planted):
    _, manifest, con = planted
    spec = manifest["planted"]["bad_answer_key"]
    disc = {q: (d, rest) for q, d, rest, _ in con.execute(DISCRIMINATION).fetchall()}
    item_total, item_rest = disc.pop(spec["question_id"])
    assert item_total < -0.05 and item_rest < -0.2
    assert len(disc) > 50 and min(d for d, _ in disc.values()) > 0.1
    key = one(
        con,
        f"select correct_option from quiz_questions where question_id = '{spec['question_id']}'",
    )
    assert key == spec["listed_correct_option"] != spec["true_correct_option"]


def test_no_negative_discrimination_without_plant(unplanted):
    _, _, con = unplanted
    disc = [(d, rest) for _, d, rest, _ in con.execute(DISCRIMINATION).fetchall()]
    assert len(disc) > 50 and min(d for d, _ in disc) > 0.1
    assert min(rest for _, rest in disc) > -0.15


WISH_TO_BUY = """
    select course_id,
           count(*) filter (where event_type = 'wishlist_add') as wish,
           count(*) filter (where event_type = 'cart_add') as cart,
           (select count(*) from user_purchases p where p.course_id = i.course_id
             and p.event_type = 'transaction_completed') as bought
    from user_course_interactions i group by 1 having wish >= 30"""


def _wish_ratios(con) -> dict:
    return {c: (b / w, w, cart) for c, w, cart, b in con.execute(WISH_TO_BUY).fetchall()}


def test_wishlist_no_buy_planted(planted):
    _, manifest, con = planted
    course = manifest["planted"]["wishlist_no_buy"]["course_id"]
    ratios = _wish_ratios(con)
    ratio, wish, cart = ratios.pop(course)
    others = sorted(r for r, _, _ in ratios.values())
    median_wish = sorted(w for _, w, _ in ratios.values())[len(ratios) // 2]
    assert wish > 2 * median_wish and cart > 0.5 * wish
    assert ratio < 0.25 * others[len(others) // 2] and ratio < 0.5 * others[0]


def test_no_wishlist_gap_without_plant(unplanted):
    _, _, con = unplanted
    ratios = sorted(r for r, _, _ in _wish_ratios(con).values())
    assert len(ratios) >= 8
    assert ratios[0] > 0.35 * ratios[len(ratios) // 2]


def test_manifest_records_arguments_and_counts(planted):
    out, manifest, _ = planted
    on_disk = json.loads((out / "_manifest.json").read_text())
    assert on_disk == manifest
    assert on_disk["arguments"]["users"] == 4000 and on_disk["arguments"]["seed"] == 11
    assert set(on_disk["planted"]) == set(gen.PLANTS)
    assert set(on_disk["row_counts"]) == set(contract.TABLES)


def test_register_adds_subcommand():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    gen.register(sub, "generate")
    args = parser.parse_args(["generate", "--users", "3", "--out", "x"])
    assert args.func is gen.run


def test_a_generate_that_fails_half_way_leaves_out_as_it_was(tmp_path, monkeypatch):
    """The tables are written beside --out and moved in with the manifest at the end:
    a run that fails after its first block of users (as a kill would) leaves the earlier
    delivery in --out, file for file, and no staging folder."""
    out = tmp_path / "delivery"
    run(out, users=60, days=5, seed=3)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = gen.simulate_block
    calls = []

    def failing_block(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(gen, "simulate_block", failing_block)
    monkeypatch.setattr(gen, "BLOCK_ROWS", 1)  # one small block per 20 users: 3 blocks
    with pytest.raises(RuntimeError, match="killed"):
        run(out, users=60, days=5, seed=4)

    assert len(calls) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["delivery"]
