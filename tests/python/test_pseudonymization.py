"""Contact keys: HMAC-SHA256 under a secret that never reaches SQL, artifacts or logs.

Known answers come from RFC 4231 and from an HMAC written out here from its definition
(RFC 2104) on hashlib.sha256 alone, independent of the `hmac` module the code uses.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from behavior import pseudonymize
from behavior.dbt_command import command as behavior_dbt
from behavior.errors import UserError
from behavior.load import load_paths
from conftest import ROOT, dbt_env

BIN = Path(sys.executable).parent
# A secret with every character that broke the old salt (pasted into SQL): quotes,
# a backslash, unicode. CORE is plain ASCII, so a search for it finds the secret
# however a file escaped the rest (JSON, SQL, YAML).
CORE = "XyZzY-k3y-9Q7"
HOSTILE_SECRET = f'it\'s "{CORE}" \\ ünï☃ 🔑; drop table raw.users; --'


def rfc2104_hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC from its definition: H((K ^ opad) || H((K ^ ipad) || m)), 64-byte blocks."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key) + message).digest()
    return hashlib.sha256(bytes(b ^ 0x5C for b in key) + inner).hexdigest()


def test_contact_key_known_answers() -> None:
    # RFC 4231 test case 2 (key "Jefe")
    assert (
        pseudonymize.hmac_hex(b"Jefe", "what do ya want for nothing?")
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    # A hand-chosen e-mail: keyed as "ada.lovelace@example.com" (spaces dropped,
    # lowercased), the same value for every spelling of it.
    secret = HOSTILE_SECRET.encode("utf-8")
    expected = rfc2104_hmac_sha256(secret, b"ada.lovelace@example.com")
    for spelling in ("ada.lovelace@example.com", "  Ada.Lovelace@Example.COM \t"):
        assert pseudonymize.contact_key(secret, spelling) == expected
    # a key longer than the block is hashed first (RFC 2104), in both implementations
    long_secret = b"k" * 100
    assert pseudonymize.contact_key(long_secret, "a@b.io") == rfc2104_hmac_sha256(
        long_secret, b"a@b.io"
    )
    assert pseudonymize.contact_key(secret, None) is None
    assert pseudonymize.contact_key(secret, "   ") is None
    # placeholders and other values that are no address get no key (else one key for
    # every user with the same placeholder)
    for placeholder in ("NULL", "null", "N/A", "-", "none", "@", "a@", "@b.io", "a b@c.io"):
        assert pseudonymize.contact_key(secret, placeholder) is None, placeholder
    # the last @ splits: a quoted local part with an @ is still an address
    assert pseudonymize.contact_key(secret, '"a@b"@c.io') == rfc2104_hmac_sha256(
        secret, b'"a@b"@c.io'
    )


def test_a_phone_is_a_value_with_a_digit() -> None:
    assert [
        pseudonymize.has_phone(v)
        for v in (None, "", "N/A", "null", "-", "+44 20 1234", "ext. 5", "()")
    ] == [False, False, False, False, False, True, True, False]


def test_two_secrets_give_different_keys() -> None:
    email = "ada.lovelace@example.com"
    first = pseudonymize.contact_key(b"first secret, 16+ bytes", email)
    second = pseudonymize.contact_key(b"second secret, 16+ bytes", email)
    assert first != second
    assert len(first) == len(second) == 64  # hex of 32 bytes
    # and neither is the unkeyed hash that a list of e-mails would reproduce
    assert hashlib.sha256(email.encode()).hexdigest() not in (first, second)


def test_secret_from_environment_or_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(pseudonymize.SECRET_ENV, raising=False)
    monkeypatch.delenv(pseudonymize.SECRET_FILE_ENV, raising=False)
    with pytest.raises(UserError, match="no pseudonymization secret"):
        pseudonymize.secret_from_env()
    assert pseudonymize.secret_from_env(demo=True) == pseudonymize.DEMO_SECRET
    # a file: one trailing newline is dropped, everything else is the secret
    path = tmp_path / "secret"
    path.write_bytes(HOSTILE_SECRET.encode("utf-8") + b"\n")
    monkeypatch.setenv(pseudonymize.SECRET_FILE_ENV, str(path))
    assert pseudonymize.secret_from_env() == HOSTILE_SECRET.encode("utf-8")
    monkeypatch.setenv(pseudonymize.SECRET_ENV, HOSTILE_SECRET)
    with pytest.raises(UserError, match="not both"):
        pseudonymize.secret_from_env()
    monkeypatch.delenv(pseudonymize.SECRET_FILE_ENV)
    assert pseudonymize.secret_from_env() == HOSTILE_SECRET.encode("utf-8")
    for weak in ("short", pseudonymize.DEMO_SECRET.decode()):
        monkeypatch.setenv(pseudonymize.SECRET_ENV, weak)
        with pytest.raises(UserError) as raised:
            pseudonymize.secret_from_env()
        assert weak not in str(raised.value)  # a message never repeats the secret
    monkeypatch.setenv(pseudonymize.SECRET_FILE_ENV, str(tmp_path / "missing"))
    monkeypatch.delenv(pseudonymize.SECRET_ENV)
    with pytest.raises(UserError, match="cannot read"):
        pseudonymize.secret_from_env()


USERS_CSV = """\
user_id,updated_at,signed_up_at,email,phone,country_code,acquisition_channel,platform,\
device_model,installed_at,uninstalled_at,reinstalled_at,last_seen_at
u_1,2026-01-01 00:00:00,2026-01-01 00:00:00, Ada.Lovelace@Example.COM ,+44 20 1234,GB,organic,\
android,,,,,
u_2,2026-01-01 00:00:00,2026-01-01 00:00:00,,,DE,referral,web,,,,,
u_3,2026-01-01 00:00:00,not a time,grace@example.com,+1 555 0100,US,organic,ios,,,,,
u_4,2026-01-01 00:00:00,2026-01-01 00:00:00,NULL,N/A,DE,referral,web,,,,,
u_5,2026-01-01 00:00:00,2026-01-01 00:00:00,null,null,DE,referral,web,,,,,
"""


def test_production_load_without_secret_fails_with_one_line(tmp_path: Path) -> None:
    users = tmp_path / "users.csv"
    users.write_text(USERS_CSV)
    database = tmp_path / "w.duckdb"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (pseudonymize.SECRET_ENV, pseudonymize.SECRET_FILE_ENV)
    }
    result = subprocess.run(
        [str(BIN / "behavior"), "load", str(users), "--database", str(database)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("behavior load: error: no pseudonymization secret")
    assert not database.exists()  # refused before anything was opened
    # the demo is explicit: --demo-secret loads (generated test data only)
    demo = subprocess.run(
        [str(BIN / "behavior"), "load", str(users), "--database", str(database), "--demo-secret"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr


def test_loader_keys_contacts_and_keeps_them_in_the_private_file(
    tmp_path: Path, monkeypatch
) -> None:
    users = tmp_path / "users.csv"
    users.write_text(USERS_CSV)
    database = tmp_path / "w.duckdb"
    monkeypatch.setenv(pseudonymize.SECRET_ENV, HOSTILE_SECRET)
    monkeypatch.delenv(pseudonymize.SECRET_FILE_ENV, raising=False)
    result = load_paths([users], database)
    assert (result.files[0].rows_loaded, result.files[0].rows_quarantined) == (4, 1)
    secret = HOSTILE_SECRET.encode("utf-8")
    ada = rfc2104_hmac_sha256(secret, b"ada.lovelace@example.com")
    con = duckdb.connect(str(database), read_only=True)
    try:
        assert con.execute(
            "select user_id, contact_key, has_phone from raw.users order by 1"
        ).fetchall() == [
            ("u_1", ada, True),
            ("u_2", None, False),
            # placeholders: no shared key, no phone
            ("u_4", None, False),
            ("u_5", None, False),
        ]
        (record,) = con.execute("select record from raw.users__quarantine").fetchone()
        assert "grace" not in record and "555" not in record
        assert json.loads(record)["email"] == "(personal data withheld)"
    finally:
        con.close()
    private = pseudonymize.private_database(database)
    assert private == tmp_path / "w.private.duckdb"
    assert (private.stat().st_mode & 0o777) == 0o600
    con = duckdb.connect(str(private), read_only=True)
    try:
        assert con.execute(
            "select user_id, email, phone, contact_key from users_contacts order by 1"
        ).fetchall() == [
            ("u_1", " Ada.Lovelace@Example.COM ", "+44 20 1234", ada),
            ("u_2", None, None, None),
            ("u_4", "NULL", "N/A", None),
            ("u_5", "null", "null", None),
        ]
    finally:
        con.close()
    # the same file again with the same secret changes nothing; another secret is refused
    again = load_paths([users], database)
    assert (again.files[0].rows_loaded, again.files[0].rows_duplicate) == (0, 4)
    monkeypatch.setenv(pseudonymize.SECRET_ENV, "another secret of 16+ bytes")
    with pytest.raises(UserError, match="made with another secret"):
        load_paths([users], database)
    with pytest.raises(UserError, match="made with another secret"):
        load_paths([users], database, demo_secret=True)


def _search(path: Path, needles: list[bytes]) -> list[str]:
    """Files under `path` (or the file) whose bytes contain one of `needles`."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return [str(f) for f in files if any(n in f.read_bytes() for n in needles)]


@pytest.mark.slow
def test_secret_is_nowhere_after_a_build(tmp_path: Path) -> None:
    """Load and build with a hostile secret: no view, artifact, log or file holds it."""
    raw = tmp_path / "raw"
    database = tmp_path / "behavior.duckdb"
    target = tmp_path / "target"
    env = dbt_env(database, target, target="warehouse")
    env.pop(pseudonymize.SECRET_FILE_ENV, None)
    env[pseudonymize.SECRET_ENV] = HOSTILE_SECRET
    outputs = []

    def run(command: list[str]) -> None:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
        )
        outputs.append(done.stdout + done.stderr)
        assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])

    run([str(BIN / "behavior"), "generate", "--users", "80", "--days", "14", "--seed", "3",
         "--out", str(raw), "--format", "csv", "--malformed-rate", "0.02", "--quiet"])  # fmt: skip
    # one users row the loader must quarantine, with an e-mail and a phone in it
    with open(raw / "users.csv", newline="") as handle:
        header, first = list(csv.reader(handle))[:2]
    bad = dict(zip(header, first, strict=True)) | {
        "user_id": "u_bad",
        "signed_up_at": "not a time",
        "email": "quarantined.person@example.org",
        "phone": "+1 555 0199",
    }
    with open(raw / "users.csv", "a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([bad[name] for name in header])
    run([str(BIN / "behavior"), "load", str(raw), "--database", str(database)])
    run(behavior_dbt("seed", "--quiet"))
    run(behavior_dbt("build", "--exclude-resource-type", "unit_test"))

    secret = HOSTILE_SECRET.encode("utf-8")
    needles = [secret, CORE.encode(), json.dumps(HOSTILE_SECRET).encode()]
    assert not [o for o in outputs if CORE in o], "secret in command output"
    assert (target / "manifest.json").exists() and (target / "run_results.json").exists()
    assert list((target / "logs").glob("dbt.log"))
    assert _search(target, needles) == []
    assert _search(database, needles) == []
    private = pseudonymize.private_database(database)
    assert _search(private, needles) == []
    for logs in (ROOT / "logs", ROOT / "target"):
        if logs.exists():
            assert _search(logs, [CORE.encode()]) == []

    with open(raw / "users.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    emails = {r["email"] for r in rows if r["email"]}
    phones = {r["phone"] for r in rows if r["phone"]}
    assert len(emails) > 50 and len(phones) > 20
    con = duckdb.connect(str(database), read_only=True)
    try:
        views = con.execute("select sql from duckdb_views() where not internal").fetchall()
        assert views and not [v for (v,) in views if CORE in (v or "")]
        assert (
            con.execute(
                "select count(*) from duckdb_columns() where column_name in ('email', 'phone')"
            ).fetchone()[0]
            == 0
        )
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where data_type = 'VARCHAR' and database_name = current_database()"
        ).fetchall()
        con.execute("create temp table contacts (value VARCHAR)")
        con.executemany("insert into contacts values (?)", [[v] for v in emails | phones])
        for schema, table, column in columns:
            (leaked,) = con.execute(
                f'select count(*) from {schema}."{table}" '
                f'where "{column}" in (select value from contacts)'
            ).fetchone()
            assert leaked == 0, f"personal data in {schema}.{table}.{column}"
        # quarantined rows keep their record as JSON text: never with the contact data
        (in_records,) = con.execute(
            "select count(*) from raw.users__quarantine as quarantined "
            "join contacts on contains(quarantined.record, contacts.value)"
        ).fetchone()
        assert con.execute("select count(*) from raw.users__quarantine").fetchone()[0] > 0
        assert in_records == 0
        raw_keys = con.execute(
            "select user_id, updated_at, contact_key from raw.users order by all"
        ).fetchall()
        dim_keys = [k for (k,) in con.execute("select contact_key from marts.dim_users").fetchall()]
    finally:
        con.close()
    con = duckdb.connect(str(private), read_only=True)
    try:
        contacts = con.execute(
            "select user_id, updated_at, contact_key, email, phone from users_contacts order by all"
        ).fetchall()
    finally:
        con.close()
    # one private row per raw.users row, with the same key, and each key is the HMAC
    # (computed here independently) of the trimmed, lowercased e-mail
    assert [c[:3] for c in contacts] == raw_keys
    checked = 0
    for _, _, key, email, phone in contacts:
        assert email is None or email in emails
        assert phone is None or phone in phones
        if email:
            assert key == rfc2104_hmac_sha256(secret, email.strip().lower().encode())
            checked += 1
        else:
            assert key is None
    assert checked > 50
    expected = {rfc2104_hmac_sha256(secret, e.strip().lower().encode()) for e in emails}
    assert len(dim_keys) > 50 and {k for k in dim_keys if k} <= expected


def test_warehouse_with_raw_contacts_is_refused(tmp_path: Path) -> None:
    """A warehouse from before load-time keys (e-mail in raw.users) gets one clear error."""
    database = tmp_path / "old.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema raw")
    con.execute("create table raw.users (user_id VARCHAR, email VARCHAR, phone VARCHAR)")
    con.close()
    users = tmp_path / "users.csv"
    users.write_text(USERS_CSV)
    with pytest.raises(UserError, match="still holds e-mail and phone"):
        load_paths([users], database)
