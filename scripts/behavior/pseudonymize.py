"""Pseudonymous contact keys, computed in Python with a secret that never reaches SQL.

`contact_key = HMAC-SHA256(secret, lower(strip(email)))` as 64 lowercase hex digits
(null when there is no e-mail). The loader computes it at load time and the generator
when it writes the embedded sample; dbt only passes the stored key through, so the
secret is in no SQL text, view definition, dbt artifact or log.

Where the secret comes from (`secret_from_env`):
- `BEHAVIOR_PSEUDONYMIZATION_SECRET`: the secret itself (any characters, UTF-8), or
- `BEHAVIOR_PSEUDONYMIZATION_SECRET_FILE`: a file holding it (any bytes; one trailing
  newline is dropped, so `echo` and editors are safe).
One of them, at least 16 bytes, and not the demo secret. Without one, a load stops
with one line and a non-zero exit, before it opens the warehouse.
- The demo secret (`DEMO_SECRET`, public, written here) keys the embedded sample
  (`behavior generate --sample`) and loads run with `behavior load --demo-secret`
  (generated test data). Its keys protect nothing: anyone can recompute them.

Raw contact data (e-mail, phone) never enters the warehouse: the loader writes it,
with the key, to a private DuckDB file beside it (`private_database`, table
`users_contacts`) that dbt and BI never open (its files created with mode 0600), and stores
only `contact_key` and `has_phone` in `raw.users`. The warehouse records a key id of
the secret (`raw._contact_key_secret`: an HMAC of a fixed text, not the secret), and
a load with another secret is refused: keys made with two secrets would not join.
A warehouse whose raw.users still has e-mail and phone columns is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from behavior import warehouse_file
from behavior.contract import Table
from behavior.errors import UserError

SECRET_ENV = "BEHAVIOR_PSEUDONYMIZATION_SECRET"
SECRET_FILE_ENV = "BEHAVIOR_PSEUDONYMIZATION_SECRET_FILE"
DEMO_SECRET = b"behavior-demo-secret: public, for the embedded sample and test data only"
MIN_SECRET_BYTES = 16
UDF_NAME = "behavior_contact_key"
CONTACTS_TABLE = "users_contacts"
KEY_ID_TABLE = "raw._contact_key_secret"
KEY_ID_MESSAGE = b"behavior contact key id"


def normalize_email(email: str) -> str:
    """The e-mail as keyed: surrounding whitespace removed, lowercased."""
    return email.strip().lower()


def is_address(email: str | None) -> bool:
    """An e-mail that can be one: text, an @, text (after trimming), no space inside.
    Placeholders exports write for a missing value (`NULL`, `N/A`, `-`) are not, nor is
    a blank: keyed, every such user would share one contact key."""
    if email is None:
        return False
    local, at, domain = email.strip().rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() for c in local + domain)


def hmac_hex(secret: bytes, text: str) -> str:
    """HMAC-SHA256 of `text` (UTF-8) under `secret`, as 64 lowercase hex digits."""
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def contact_key(secret: bytes, email: str | None) -> str | None:
    """HMAC-SHA256 of the normalized e-mail under `secret`, hex; None when the value is
    not an address (is_address: none, blank, a placeholder)."""
    if not is_address(email):
        return None
    return hmac_hex(secret, normalize_email(email))  # type: ignore[arg-type]


def has_phone(phone: str | None) -> bool:
    """A phone number is a text with at least one digit (`N/A`, `null`, `-` are not)."""
    return phone is not None and any(c.isdigit() for c in phone)


def contact_keys(secret: bytes, emails: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`contact_key` of every value of a string array."""
    return pa.array([contact_key(secret, e) for e in emails.to_pylist()], pa.string())


def pseudonymize_arrow(table: Table, data: pa.Table, secret: bytes) -> pa.Table:
    """A generated batch of `table` with its stored columns: derived ones added, pii dropped."""
    for column in table.derived:
        source, how = column.derived_from  # type: ignore[misc]
        values = data.column(source)
        if how == "contact_key":
            derived = contact_keys(secret, values)
        else:  # has_digit, as load.sql.stored_value
            derived = pc.fill_null(pc.match_substring_regex(values, "[0-9]"), False)
        data = data.append_column(column.name, derived)
    return data.drop_columns([c.name for c in table.pii_columns])


def key_id(secret: bytes) -> str:
    """A fingerprint of the secret (HMAC of a fixed text), to tell two secrets apart."""
    return hmac.new(secret, KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]


def _from_file(path: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"{SECRET_FILE_ENV}: cannot read {path}: {exc.strerror}") from exc
    if data.endswith(b"\n"):
        data = data[:-1]
        if data.endswith(b"\r"):
            data = data[:-1]
    return data


def secret_from_env(demo: bool = False) -> bytes:
    """The secret for contact keys: the demo secret when `demo`, else from the environment.

    Raises UserError (one line, no secret in it) when none, two or a weak one is set.
    """
    if demo:
        return DEMO_SECRET
    value = os.environ.get(SECRET_ENV)
    path = os.environ.get(SECRET_FILE_ENV)
    if value and path:
        raise UserError(f"set {SECRET_ENV} or {SECRET_FILE_ENV}, not both")
    if not value and not path:
        raise UserError(
            f"no pseudonymization secret: set {SECRET_ENV} or {SECRET_FILE_ENV} "
            "(or --demo-secret for generated test data)"
        )
    secret = _from_file(path) if path else value.encode("utf-8")  # type: ignore[union-attr]
    source = SECRET_FILE_ENV if path else SECRET_ENV
    if len(secret) < MIN_SECRET_BYTES:
        raise UserError(f"{source}: the secret must be at least {MIN_SECRET_BYTES} bytes")
    if hmac.compare_digest(secret, DEMO_SECRET):
        raise UserError(f"{source}: the demo secret is public; use --demo-secret or a real one")
    return secret


def register_udf(con: duckdb.DuckDBPyConnection, secret: bytes) -> None:
    """Give `con` the SQL function behavior_contact_key(email); the secret stays in Python."""

    def udf(emails: pa.Array) -> pa.Array:
        return contact_keys(secret, emails)

    con.create_function(
        UDF_NAME,
        udf,
        [duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        type="arrow",
        null_handling="special",
        side_effects=False,
    )


def prepare_warehouse(con: duckdb.DuckDBPyConnection, secret: bytes, demo: bool) -> None:
    """Refuse a warehouse that stores raw contact data or was keyed with another secret.

    A new warehouse records the secret's key id; a later load must use the same secret.
    Then gives `con` the contact key function (register_udf).
    """
    (old_shape,) = con.execute(
        "select count(*) from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = 'users' and column_name in ('email', 'phone')"
    ).fetchone()  # type: ignore[misc]
    if old_shape:
        raise UserError(
            "raw.users in this warehouse still holds e-mail and phone (made before contact "
            "keys moved to load time): load into a new warehouse"
        )
    con.execute(
        f"create table if not exists {KEY_ID_TABLE} "
        "(key_id VARCHAR, is_demo BOOLEAN, recorded_at TIMESTAMP)"
    )
    found = con.execute(f"select key_id, is_demo from {KEY_ID_TABLE}").fetchall()
    current = key_id(secret)
    if not found:
        con.execute(f"insert into {KEY_ID_TABLE} values (?, ?, now()::TIMESTAMP)", [current, demo])
    else:
        recorded, was_demo = found[0]
        if recorded != current:
            made_with = "the demo secret" if was_demo else f"another secret (key id {recorded})"
            raise UserError(
                f"this warehouse's contact keys were made with {made_with}; "
                "load with that secret, or into a new warehouse"
            )
    register_udf(con, secret)


@contextmanager
def _owner_only() -> Iterator[None]:
    """Files created inside are readable by their owner only (umask 077)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def private_database(database: str | os.PathLike[str]) -> Path:
    """The private contacts file beside a warehouse: warehouse/x.duckdb -> x.private.duckdb."""
    path = Path(database)
    return path.with_name(path.stem + ".private.duckdb")


class PrivateContacts:
    """The private file with raw contact data, opened on first use (users files only)."""

    def __init__(self, path: Path):
        self.path = path
        self._con: duckdb.DuckDBPyConnection | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            with _owner_only():
                try:
                    con = duckdb.connect(str(self.path))
                except duckdb.Error as exc:
                    raise UserError(f"cannot open the private contacts file {self.path}") from exc
                con.execute("set TimeZone = 'UTC'")
                con.execute(
                    f"create table if not exists {CONTACTS_TABLE} (user_id VARCHAR, "
                    "updated_at TIMESTAMP, email VARCHAR, phone VARCHAR, contact_key VARCHAR)"
                )
            self._con = con
        return self._con

    def store(self, con: duckdb.DuckDBPyConnection, typed, bad_rows: str | None) -> int:
        """Copy the contacts of a users file's valid rows (the first per key) here.

        `typed` is the file as a load_sql.TypedSource on `con`, `bad_rows` its invalid
        rows. Commits here, before the caller commits the warehouse: a crash in between
        leaves contacts whose raw row a rerun adds (keys already stored are skipped, as
        in raw.users, so a rerun changes nothing else).
        """
        from behavior.load import sql as load_sql

        names = ("user_id", "updated_at", "email", "phone")
        picks = ", ".join(f"{typed.typed(name)} as {name}" for name in names)
        query = f"""
            select user_id, updated_at, email, phone, {UDF_NAME}(email) as contact_key
            from (
                select {load_sql.ROW_COLUMN} as row_number, {picks}
                from {load_sql._valid_rows(typed, bad_rows)}
            )
            qualify row_number() over (
                partition by user_id, updated_at order by row_number
            ) = 1
        """
        batch = con.sql(query).to_arrow_table()
        private = self.connection()
        # files DuckDB creates now (its write-ahead log) are the owner's only too
        with warehouse_file.registered(private, "_behavior_contacts", batch), _owner_only():
            (stored,) = private.execute(
                f"""
            insert into {CONTACTS_TABLE}
            select batch.* from _behavior_contacts as batch
            anti join {CONTACTS_TABLE} as done
                on done.user_id = batch.user_id and done.updated_at = batch.updated_at
            """
            ).fetchone()  # type: ignore[misc]
        return int(stored)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
