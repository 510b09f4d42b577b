"""No raw e-mail address or phone number anywhere in the sample warehouse.

The committed sample holds contact keys, not contacts (`behavior generate --sample`
keys them with the public demo secret, as the loader would). The test regenerates the
same sample with its e-mails and phones (the generator is deterministic), then checks
that none of them is in any table of the built warehouse, raw included, and that each
user's key is the HMAC of their e-mail under the demo secret.
"""

from __future__ import annotations

import csv
import hmac
from hashlib import sha256

import duckdb
import pytest

from behavior import generate as gen
from behavior import pseudonymize
from behavior.cli import build_parser
from conftest import ROOT


@pytest.fixture(scope="module")
def sample_warehouse(sample_build):
    """The sample build (conftest), read only."""
    return sample_build["database"]


@pytest.fixture(scope="module")
def sample_contacts(tmp_path_factory) -> list[dict]:
    """The sample's users rows with e-mail and phone, as a users file would carry them."""
    out = tmp_path_factory.mktemp("contacts")
    opts = gen.resolve(build_parser().parse_args(["generate", "--sample", "--out", str(out)]))
    assert opts["contact_keys"] == "demo"
    gen.generate({**opts, "contact_keys": None})
    with open(out / "users.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # the same generator run, keyed, is the committed sample: same users, same versions
    with open(ROOT / "seeds" / "sample" / "users.csv", newline="") as handle:
        committed = list(csv.DictReader(handle))
    assert [(r["user_id"], r["updated_at"]) for r in rows] == [
        (r["user_id"], r["updated_at"]) for r in committed
    ]
    return rows


def test_no_personal_data_anywhere(sample_warehouse, sample_contacts):
    emails = {r["email"] for r in sample_contacts if r["email"]}
    phones = {r["phone"] for r in sample_contacts if r["phone"]}
    assert len(emails) > 100 and len(phones) > 100
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    con.execute("create temp table contacts (value VARCHAR)")
    con.executemany("insert into contacts values (?)", [[v] for v in emails | phones])
    named = con.execute(
        "select count(*) from duckdb_columns() where column_name in ('email', 'phone')"
    ).fetchone()[0]
    assert named == 0
    text_columns = con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and data_type = 'VARCHAR'"
    ).fetchall()
    assert {schema for schema, _, _ in text_columns} >= {"raw", "staging", "marts", "reports"}
    for schema, table, column in text_columns:
        leaked = con.execute(
            f'select count(*) from {schema}."{table}" where "{column}" in '
            "(select value from contacts)"
        ).fetchone()[0]
        assert leaked == 0, f"personal data in {schema}.{table}.{column}"
    keys = dict(con.execute("select user_id, contact_key from marts.dim_users").fetchall())
    # one key per distinct e-mail, as before the keys moved to load time
    assert len({k for k in keys.values() if k}) == len(emails)
    latest = {r["user_id"]: r for r in sorted(sample_contacts, key=lambda r: r["updated_at"])}
    for user_id, key in keys.items():
        email = latest[user_id]["email"].strip().lower()
        expected = hmac.new(pseudonymize.DEMO_SECRET, email.encode(), sha256).hexdigest()
        assert key == (expected if email else None), user_id
