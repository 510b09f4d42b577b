"""A week of real-world data arrives in batches: anomalies never stop the build.

A generated history with malformed rows (quarantined by the loader), late events,
duplicates and every planted effect is split by arrival into 3 deliveries, loaded and
built one after the other as a real week would arrive (incremental after the first,
with the daily run's test scope). Two orphan refunds are planted on top, so the test
does not depend on the generator happening to make one:

- order LATE: cart, attempt and refund arrive in delivery 1; its completed
  transaction is late and only arrives with delivery 3. After deliveries 1 and 2 it
  is an orphan refund (net = minus the refund); after delivery 3 it is a normal
  paid-and-refunded order (net 0).
- order MISSING: cart, attempt and refund arrive in delivery 2; its transaction
  never arrives (as when the loader quarantined it). It stays an orphan.

With delivery 3, a submitted quiz attempt of a quiz the catalog does not hold, on a
day with passed attempts, is written straight into raw (the loader would quarantine
it; the sample seeds and other writers of raw do not go through it): it is kept in
fct_quiz_attempts (no course, pass unknown), and the MIS quiz pass rate (passed /
submitted attempts with a pass mark) leaves it out of both counts.

With delivery 2, the loader brings a catalog that ties a new module with the second
module of a course (same position) and gives that course's first module a second quiz
(the loader has no rule against either), and a learner's module start in the new
module: kept in the dimensions, counted in rpt_data_quality, and the course still has
one last module and drops off every starter at one module (the build's reconciliation
`assert_learning_dropoffs_and_completions_add_up_to_starters` is an error).

After every delivery: `dbt build` passes (anomaly tests only warn), the report models
are built, total net revenue is the same in fct_purchases, fct_revenue_daily and
dim_users, and the MIS report equals fct_revenue_daily on the days it covers, to the
cent; rpt_data_quality counts exactly the orphan refunds a recount from staging
finds (orders with a refund and no completed transaction), the planted ones among
them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import incremental_helpers as h
from behavior.load import load_paths
from conftest import ROOT

pytestmark = pytest.mark.slow

START = date(2026, 9, 1)
USERS = 150
DAYS = 14
SEED = 20261001
BATCHES = 3
UNKNOWN_QUIZ_ATTEMPT = "qa_planted_unknown_quiz"
TIED_MODULE = "m_planted_tie"
SECOND_QUIZ = "qz_planted_second"
CATALOG_CHECKS = ("modules_sharing_a_position", "quizzes_sharing_a_module")
LATE_ORDER = "ord_planted_late"
MISSING_ORDER = "ord_planted_missing"
PRICE = Decimal("20.00")


@dataclass(frozen=True)
class Snapshot:
    """Figures read after one delivery was loaded and built."""

    quarantined_rows: int
    purchases_net: Decimal
    revenue_daily_net: Decimal
    dim_users_net: Decimal
    known_users_purchases_net: Decimal
    report_net: Decimal
    revenue_daily_report_days_net: Decimal
    report_days: int
    report_kpi_rows: int
    data_quality_checks: int
    orphans_counted: int
    orphans_recounted: int
    planted: dict[str, tuple[bool, bool, Decimal]]  # order -> (is_orphan, is_paid, net)
    quiz_attempts_staged: int
    quiz_attempts_kept: int
    # the planted attempt's (course_id, is_passed), None before it is built
    planted_attempt: tuple | None
    # MIS days whose quiz_pass_rate is not passed / submitted with a pass mark, recounted
    # from fct_quiz_attempts
    pass_rate_mismatches: int
    # on the planted attempt's submit day: (MIS rate, passed / all submitted)
    planted_day_rates: tuple | None
    # rpt_data_quality's count for each of CATALOG_CHECKS
    catalog_flags: dict[str, int]
    # staged catalog rows missing from dim_modules, dim_quizzes and dim_quiz_questions
    catalog_rows_lost: int
    # courses of dim_modules without exactly one is_last_module
    courses_without_one_last_module: int
    # fct_module_dropoff.reached_count of the tied module (None before it arrives)
    tied_module_reached: int | None


def _generate(out: Path) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "behavior.cli",
        "generate",
        "--users",
        str(USERS),
        "--days",
        str(DAYS),
        "--start",
        START.isoformat(),
        "--seed",
        str(SEED),
        "--out",
        str(out),
        "--format",
        "parquet",
        "--duplicate-rate",
        "0.01",
        "--late-rate",
        "0.02",
        "--malformed-rate",
        "0.005",
        "--plant",
        "all",
        "--quiet",
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, timeout=300)
    return json.loads((out / "_manifest.json").read_text())


def _purchase(event_id, order_id, user_id, course_id, event_type, at, received):
    status = {
        "cart_add": "pending",
        "purchase_attempt": "succeeded",
        "transaction_completed": "succeeded",
        "refund": "refunded",
    }[event_type]
    return {
        "event_id": event_id,
        "order_id": order_id,
        "user_id": user_id,
        "course_id": course_id,
        "event_type": event_type,
        "amount": PRICE,
        "currency": "USD",
        "payment_method": None if event_type == "cart_add" else "card",
        "payment_status": status,
        "failure_reason": None,
        "platform": "android",
        "occurred_at": at,
        "received_at": received,
    }


def _plant_orphans(generated: Path, root: Path, cutoffs: list[datetime]) -> list[Path]:
    """One extra folder per delivery with the planted purchase rows."""
    con = duckdb.connect()
    try:
        (user_id,) = con.execute(
            f"select user_id from read_parquet('{generated / 'users.parquet'}') "
            "where try_cast(signed_up_at as timestamp) < timestamp '2026-09-02' "
            "order by user_id limit 1"
        ).fetchone()
        (course_id,) = con.execute(
            f"select course_id from read_parquet('{generated / 'courses.parquet'}') "
            "where price_amount > 0 order by course_id limit 1"
        ).fetchone()
    finally:
        con.close()
    day = datetime.combine(START, datetime.min.time())
    d2 = cutoffs[0] + timedelta(hours=10)  # inside delivery 2's days
    late_received = cutoffs[-1] + timedelta(hours=12)  # arrives with delivery 3

    def at(base: datetime, minutes: int) -> datetime:
        return base + timedelta(minutes=minutes)

    t1 = day + timedelta(days=1, hours=10)
    rows_by_batch = [
        [
            _purchase("pp_late_1", LATE_ORDER, user_id, course_id, "cart_add", t1, at(t1, 1)),
            _purchase(
                "pp_late_2",
                LATE_ORDER,
                user_id,
                course_id,
                "purchase_attempt",
                at(t1, 1),
                at(t1, 2),
            ),
            _purchase(
                "pp_late_4", LATE_ORDER, user_id, course_id, "refund", at(t1, 600), at(t1, 601)
            ),
        ],
        [
            _purchase("pp_miss_1", MISSING_ORDER, user_id, course_id, "cart_add", d2, at(d2, 1)),
            _purchase(
                "pp_miss_2",
                MISSING_ORDER,
                user_id,
                course_id,
                "purchase_attempt",
                at(d2, 1),
                at(d2, 2),
            ),
            _purchase(
                "pp_miss_4", MISSING_ORDER, user_id, course_id, "refund", at(d2, 300), at(d2, 301)
            ),
        ],
        [
            # The transaction of LATE happened a second after its attempt on day 2,
            # and is received at the end of the week.
            _purchase(
                "pp_late_3",
                LATE_ORDER,
                user_id,
                course_id,
                "transaction_completed",
                at(t1, 1) + timedelta(seconds=1),
                late_received,
            ),
        ],
    ]
    folders = []
    for i, rows in enumerate(rows_by_batch):
        folders.append(root / f"planted_{i + 1}")
        h.write_rows(folders[-1], "user_purchases", rows)
    _plant_catalog_ties(generated, folders[1], d2)
    return folders


def _plant_catalog_ties(generated: Path, folder: Path, at: datetime) -> None:
    """Delivery 2's catalog rows (TIED_MODULE at position 2 of a course, SECOND_QUIZ on
    its module 1) and a module start in TIED_MODULE by a learner of that course."""
    con = duckdb.connect()
    try:
        (course_id, first_module, user_id) = con.execute(
            f"""select m.course_id, m.module_id, min(i.user_id)
            from read_parquet('{generated / "modules.parquet"}') as m
            inner join read_parquet('{generated / "user_course_interactions.parquet"}') as i
                on i.module_id = m.module_id and i.event_type = 'module_start'
            where m.module_position = 1
            group by 1, 2 order by count(*) desc, 1 limit 1"""
        ).fetchone()
    finally:
        con.close()
    h.write_rows(
        folder,
        "modules",
        [
            {
                "module_id": TIED_MODULE,
                "course_id": course_id,
                "module_position": 2,
                "module_title": "A module tied on position 2",
                "estimated_minutes": 30,
            }
        ],
    )
    h.write_rows(
        folder,
        "quizzes",
        [
            {
                "quiz_id": SECOND_QUIZ,
                "module_id": first_module,
                "quiz_title": "A second quiz of module 1",
                "pass_mark_percent": 60,
            }
        ],
    )
    h.write_rows(
        folder,
        "user_course_interactions",
        [
            {
                "event_id": "ci_planted_tie_start",
                "user_id": user_id,
                "course_id": course_id,
                "module_id": TIED_MODULE,
                "event_type": "module_start",
                "platform": "android",
                "occurred_at": at,
                "received_at": at + timedelta(minutes=1),
            }
        ],
    )


# Per submit day, from fct_quiz_attempts: passed, submitted, and passed / submitted
# with a pass mark (README "Quiz pass rate").
PASS_RATE_RECOUNT = (
    "select submitted_date, cast(count(case when is_passed then 1 end) as double) as passed, "
    "count(*) as submitted, cast(count(case when is_passed then 1 end) as double) "
    "/ nullif(count(case when is_passed is not null then 1 end), 0) as pass_rate "
    "from marts.fct_quiz_attempts where not is_abandoned group by 1"
)


def _insert_unknown_quiz_attempt(database: Path, received_at: datetime) -> None:
    """A copy of a submitted attempt in raw, on a submit day with a passed attempt,
    under a new id, a quiz the catalog does not hold and `received_at`."""
    con = duckdb.connect(str(database))
    try:
        con.execute(
            """insert into raw.quiz_attempts
            with submitted as (
                select a.*, a.score_percent >= q.pass_mark_percent as passed
                from raw.quiz_attempts as a
                inner join raw.quizzes as q on a.quiz_id = q.quiz_id
                where a.submitted_at is not null
            )
            select * exclude (passed) replace (
                ? as attempt_id, 'qz_planted_unknown' as quiz_id, ? as received_at
            )
            from submitted as s
            where exists (
                select 1 from submitted as p
                where p.passed and cast(p.submitted_at as date) = cast(s.submitted_at as date)
            )
            order by s.attempt_id limit 1""",
            [UNKNOWN_QUIZ_ATTEMPT, received_at],
        )
    finally:
        con.close()


def _one(database: Path, sql: str):
    return h.query(database, sql)[0][0]


def _snapshot(database: Path, quarantined_rows: int) -> Snapshot:
    planted = {
        order: (is_orphan, is_paid, net)
        for order, is_orphan, is_paid, net in h.query(
            database,
            "select order_id, is_orphan_refund, is_paid, net_revenue_usd "
            "from marts.fct_purchases where order_id in (?, ?)",
            [LATE_ORDER, MISSING_ORDER],
        )
    }
    report_days_net = (
        "select coalesce(sum(fct_revenue_daily.net_revenue_usd), 0) "
        "from marts.fct_revenue_daily inner join reports.rpt_mis_daily "
        "on fct_revenue_daily.revenue_date = rpt_mis_daily.report_date"
    )
    return Snapshot(
        quarantined_rows=quarantined_rows,
        purchases_net=_one(database, "select sum(net_revenue_usd) from marts.fct_purchases"),
        revenue_daily_net=_one(
            database, "select sum(net_revenue_usd) from marts.fct_revenue_daily"
        ),
        dim_users_net=_one(database, "select sum(lifetime_net_revenue_usd) from marts.dim_users"),
        known_users_purchases_net=_one(
            database,
            "select sum(fct_purchases.net_revenue_usd) from marts.fct_purchases "
            "inner join marts.dim_users on fct_purchases.user_id = dim_users.user_id",
        ),
        report_net=_one(
            database, "select coalesce(sum(net_revenue_usd), 0) from reports.rpt_mis_daily"
        ),
        revenue_daily_report_days_net=_one(database, report_days_net),
        report_days=_one(database, "select count(*) from reports.rpt_mis_daily"),
        report_kpi_rows=_one(database, "select count(*) from reports.rpt_mis_daily_kpis"),
        data_quality_checks=_one(database, "select count(*) from reports.rpt_data_quality"),
        orphans_counted=_one(
            database,
            "select flagged_rows_count from reports.rpt_data_quality "
            "where check_name = 'orphan_refunds'",
        ),
        # Independent recount from staging: orders with a refund and no completed
        # transaction.
        orphans_recounted=_one(
            database,
            "select count(*) from (select order_id from staging.stg_app__user_purchases "
            "group by 1 having count(case when event_type = 'refund' then 1 end) > 0 "
            "and count(case when event_type = 'transaction_completed' then 1 end) = 0)",
        ),
        planted=planted,
        quiz_attempts_staged=_one(database, "select count(*) from staging.stg_app__quiz_attempts"),
        quiz_attempts_kept=_one(database, "select count(*) from marts.fct_quiz_attempts"),
        planted_attempt=next(
            iter(
                h.query(
                    database,
                    "select course_id, is_passed from marts.fct_quiz_attempts where attempt_id = ?",
                    [UNKNOWN_QUIZ_ATTEMPT],
                )
            ),
            None,
        ),
        pass_rate_mismatches=_one(
            database,
            f"with recount as ({PASS_RATE_RECOUNT}) select count(*) from reports.rpt_mis_daily "
            "left join recount on rpt_mis_daily.report_date = recount.submitted_date "
            "where round(rpt_mis_daily.quiz_pass_rate, 9) "
            "is distinct from round(recount.pass_rate, 9)",
        ),
        catalog_flags=dict(
            h.query(
                database,
                "select check_name, flagged_rows_count from reports.rpt_data_quality "
                f"where check_name in {CATALOG_CHECKS}",
            )
        ),
        catalog_rows_lost=_one(
            database,
            "select (select count(*) from staging.stg_app__modules) "
            "- (select count(*) from marts.dim_modules) "
            "+ (select count(*) from staging.stg_app__quizzes) "
            "- (select count(*) from marts.dim_quizzes) "
            "+ (select count(*) from staging.stg_app__quiz_questions) "
            "- (select count(*) from marts.dim_quiz_questions)",
        ),
        courses_without_one_last_module=_one(
            database,
            "select count(*) from (select course_id from marts.dim_modules group by 1 "
            "having count(case when is_last_module then 1 end) != 1)",
        ),
        tied_module_reached=next(
            iter(
                h.query(
                    database,
                    "select reached_count from marts.fct_module_dropoff where module_id = ?",
                    [TIED_MODULE],
                )
            ),
            (None,),
        )[0],
        planted_day_rates=next(
            iter(
                h.query(
                    database,
                    f"with recount as ({PASS_RATE_RECOUNT}) "
                    "select rpt_mis_daily.quiz_pass_rate, recount.passed / recount.submitted "
                    "from reports.rpt_mis_daily inner join recount "
                    "on rpt_mis_daily.report_date = recount.submitted_date "
                    "where recount.submitted_date = (select submitted_date "
                    "from marts.fct_quiz_attempts where attempt_id = ?)",
                    [UNKNOWN_QUIZ_ATTEMPT],
                )
            ),
            None,
        ),
    )


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[Snapshot]]:
    root = tmp_path_factory.mktemp("anomalies")
    generated = root / "generated"
    manifest = _generate(generated)
    cutoffs = h.day_cutoffs(START, DAYS, BATCHES)
    batches = h.write_batches(generated, root / "batches", cutoffs)
    planted = _plant_orphans(generated, root, cutoffs)
    database = root / "week.duckdb"
    snapshots = []
    for i, (batch, extra) in enumerate(zip(batches, planted, strict=True)):
        result = load_paths([batch, extra], database)
        assert not result.rejected, [(f.path, f.reason) for f in result.rejected]
        quarantined = sum(c.rows_quarantined for c in result.tables.values())
        if i == BATCHES - 1:
            _insert_unknown_quiz_attempt(database, cutoffs[-1] + timedelta(hours=1))
        # Raises (with the failing nodes) if any build fails.
        h.build(database, root / "target", dbt_vars=h.DAILY_VARS if i else None)
        snapshots.append(_snapshot(database, quarantined))
    return manifest, snapshots


def test_the_generated_week_has_anomalies(week):
    manifest, snapshots = week
    # The loader quarantined malformed rows and the builds still passed.
    assert sum(s.quarantined_rows for s in snapshots) > 0
    assert manifest["planted"], "every planted effect is in the data"


def test_every_delivery_builds_the_reports(week):
    _, snapshots = week
    for snapshot in snapshots:
        assert snapshot.report_days > 0
        assert snapshot.report_kpi_rows > 0
        assert snapshot.data_quality_checks > 0


def test_net_revenue_reconciles_after_every_delivery(week):
    _, snapshots = week
    for n, s in enumerate(snapshots, start=1):
        assert s.purchases_net == s.revenue_daily_net, f"delivery {n}"
        assert s.dim_users_net == s.known_users_purchases_net, f"delivery {n}"
        assert abs(Decimal(str(s.report_net)) - s.revenue_daily_report_days_net) < Decimal(
            "0.005"
        ), f"delivery {n}"


def test_data_quality_counts_the_orphan_refunds(week):
    _, snapshots = week
    for n, s in enumerate(snapshots, start=1):
        assert s.orphans_counted == s.orphans_recounted, f"delivery {n}"
    first, second, third = snapshots
    # Delivery 1: LATE's refund arrived without its transaction.
    assert first.planted[LATE_ORDER] == (True, False, -PRICE)
    assert MISSING_ORDER not in first.planted
    assert first.orphans_counted >= 1
    # Delivery 2: MISSING too.
    assert second.planted[LATE_ORDER] == (True, False, -PRICE)
    assert second.planted[MISSING_ORDER] == (True, False, -PRICE)
    assert second.orphans_counted >= 2
    # Delivery 3: LATE's transaction arrived: paid 20, refunded 20, net 0, no longer
    # an orphan (the count itself equals the independent recount, asserted above;
    # the generated deliveries plant orphans of their own, so it is not a constant).
    assert third.planted[LATE_ORDER] == (False, True, Decimal("0.00"))
    assert third.planted[MISSING_ORDER] == (True, False, -PRICE)
    assert third.orphans_counted >= 1


def test_quiz_attempts_outside_the_catalog_are_kept(week):
    _, snapshots = week
    for n, s in enumerate(snapshots, start=1):
        assert s.quiz_attempts_kept == s.quiz_attempts_staged, f"delivery {n}"
    # Delivery 3 brings the planted attempt: kept without a course, its pass unknown.
    assert snapshots[-1].planted_attempt == (None, None)


def test_mis_quiz_pass_rate_leaves_out_attempts_of_unknown_pass(week):
    _, snapshots = week
    for n, s in enumerate(snapshots, start=1):
        assert s.pass_rate_mismatches == 0, f"delivery {n}"
    # The planted attempt matters on its day: counted as submitted, the rate would be
    # lower.
    assert snapshots[-1].planted_day_rates is not None
    mis_rate, all_submitted_rate = snapshots[-1].planted_day_rates
    assert mis_rate > all_submitted_rate


def test_catalog_ties_are_kept_and_counted(week):
    _, (first, second, third) = week
    assert first.catalog_flags == dict.fromkeys(CATALOG_CHECKS, 0)
    assert first.tied_module_reached is None
    for n, s in enumerate((second, third), start=2):
        # the tied module and the course's module 2 it shares position 2 with; both
        # quizzes of module 1
        assert s.catalog_flags == dict.fromkeys(CATALOG_CHECKS, 2), f"delivery {n}"
        assert s.tied_module_reached >= 1, f"delivery {n}"
    for n, s in enumerate((first, second, third), start=1):
        assert s.catalog_rows_lost == 0, f"delivery {n}"
        assert s.courses_without_one_last_module == 0, f"delivery {n}"
