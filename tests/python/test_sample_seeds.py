"""The committed sample (seeds/sample) shows every behavior the contract lists."""

from __future__ import annotations

import duckdb
import pytest

from conftest import ROOT

SAMPLE = ROOT / "seeds" / "sample"

BEHAVIORS = {
    "web users (no install)": "select count(*) from users where installed_at is null",
    "uninstalls": "select count(*) from users where uninstalled_at is not null",
    "reinstalls": "select count(*) from users where reinstalled_at > uninstalled_at",
    "several record versions per user": "select count(*) from "
    "(select user_id from users group by 1 having count(*) > 1)",
    "crashed sessions": "select count(*) from user_app_sessions where closed_at is null",
    "features used": "select count(*) from user_app_sessions where features_used like '[\"%'",
    "navigation history": "select count(*) from user_app_sessions "
    "where navigation_history like '%viewed_at%'",
    "abandoned quizzes": "select count(*) from quiz_attempts where submitted_at is null",
    "submitted quizzes": "select count(*) from quiz_attempts where score_percent is not null",
    "failed payments": "select count(*) from user_purchases where payment_status = 'failed'",
    "recovered payments": "select count(distinct order_id) from user_purchases "
    "where payment_status = 'failed' and order_id in (select order_id from user_purchases "
    "where event_type = 'transaction_completed')",
    "refunds": "select count(*) from user_purchases where event_type = 'refund'",
    "duplicate events": "select count(*) - count(distinct event_id) from user_course_interactions",
    "late events": "select count(*) from user_app_sessions "
    "where received_at > opened_at + interval 1 day",
}
EVENT_TYPES = (
    "course_click",
    "wishlist_add",
    "wishlist_remove",
    "cart_add",
    "cart_remove",
    "purchase_attempt",
    "module_start",
    "module_complete",
    "progress_update",
)


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    for path in SAMPLE.glob("*.csv"):
        connection.execute(
            f"create view {path.stem} as select * from read_csv('{path}', header = true)"
        )
    yield connection
    connection.close()


@pytest.mark.parametrize("behavior", sorted(BEHAVIORS))
def test_sample_shows_behavior(con, behavior):
    assert con.execute(BEHAVIORS[behavior]).fetchone()[0] > 0, behavior


def test_sample_has_every_interaction_type(con):
    seen = {
        row[0]
        for row in con.execute(
            "select distinct lower(trim(event_type)) from user_course_interactions"
        ).fetchall()
    }
    assert seen == set(EVENT_TYPES)
