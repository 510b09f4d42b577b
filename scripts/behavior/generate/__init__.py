"""`behavior generate`: synthetic raw data for the learning app, shaped by the contract.

Output: one file per raw table, `<out>/<table>.<ext>` (parquet, csv or jsonl), written
incrementally block by block, plus `<out>/_manifest.json` with the arguments, row
counts, injected faults and the entities of every planted effect.

Formats: CSV has a header, `YYYY-MM-DD HH:MM:SS` UTC timestamps, empty fields for
null and nested columns as quoted JSON text. JSONL has one object per line with the
same values (timestamps as strings). Parquet is typed per contract (DECIMAL(12,2) as
decimal128); nested columns are JSON text. With --malformed-rate > 0 the one timestamp
column per table that may carry unparseable text (see generate.faults.BAD_TIMESTAMP_COLUMN,
listed in the manifest as `text_columns`) is written as a string in every format.

Faults (each at its own rate, on the event tables and users; counts per table and kind in
the manifest under `faults`): duplicates (exact re-sends, same id, received_at maybe
later, appended to the chunk), late (received_at 1-10 days after the event), malformed
(bad_timestamp, unknown_enum, negative_amount, missing_required = null id / user id,
broken_json = truncated or not a list, unknown_reference = unknown user / course / quiz
id) and, with --enum-noise-rate, enum values in other casing or with stray whitespace.
Planted effects (--plant) and their entities are listed under `planted`.
Users files carry e-mail and phone (the loader keys and moves them, see
behavior.pseudonymize), except with --sample: the sample is seeded straight into raw, so
its users.csv holds contact_key (under the public demo secret) and has_phone instead.

Size: users are simulated in blocks of ~150k rows (all days per block) and each block
is appended to the files, so memory stays flat as --users grows. An active user-day
gives ~6.4 event rows (2.5 sessions, 3.4 course interactions, 0.2 quiz attempts, 0.25
payment rows); sign-ups spread over the range and retention (~40% D1, 20% D7, 10% D30)
make a user active ~5.5 of 61 days, so one user is ~37 raw rows over 61 days (0.61 rows
per user per calendar day; 2.1 of them are user versions). --target-rows N picks
--users for --days from that measured curve (see rows_per_user).
Progress goes to stderr (a line per ~10% of users) when there is more than one block.
Client events (course interactions, quiz attempts from start to submit, and the
cart_add / purchase_attempt / transaction_completed purchase rows) lie inside a session
of their user: opened_at <= time <= closed_at, or the last navigation view of a crashed
session. Payment retries come back in a later session; refunds are server-side.
Same arguments and seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from behavior import contract, pseudonymize
from behavior.arguments import iso_date_text, non_negative_int, positive_int, share
from behavior.errors import UserError
from behavior.generate import formats as fmt
from behavior.generate.catalog import PLANTS, build_catalog, plant, question_table
from behavior.generate.faults import FaultRates, apply_faults, text_columns
from behavior.generate.sim import simulate_block

SAMPLE = {
    "users": 1000,
    "days": 61,
    "start": "2026-09-01",
    "seed": 42,
    "format": "csv",
    "out": "seeds/sample",
    "duplicate_rate": 0.01,
    "late_rate": 0.02,
    "malformed_rate": 0.0,
    "enum_noise_rate": 0.01,
    "plant": ["all"],
    # The sample is seeded straight into raw (no loader), so users.csv holds what the
    # loader would store: contact keys under the public demo secret, no e-mail or phone.
    "contact_keys": "demo",
}
DEFAULTS = {
    "days": 61,
    "start": "2026-09-01",
    "seed": 42,
    "format": "parquet",
    "duplicate_rate": 0.0,
    "late_rate": 0.0,
    "malformed_rate": 0.0,
    "enum_noise_rate": 0.0,
    "plant": [],
    "contact_keys": None,  # files carry e-mail and phone, as the app exports them
}
# Measured on the default behaviour (see rows_per_user); used for --target-rows and blocks.
ROWS_PER_ACTIVE_USER_DAY = 6.4
ROWS_PER_USER_FIT = (6.57, 0.419)
BLOCK_ROWS = 150_000
COUNTER_NAMES = ("user_app_sessions", "user_course_interactions", "user_purchases", "quiz_attempts")


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    p = subparsers.add_parser(name)
    p.add_argument(
        "--users", type=positive_int, help="Number of users (sign-ups spread over the range)."
    )
    p.add_argument(
        "--target-rows", type=positive_int, help="Pick --users to give about this many rows."
    )
    p.add_argument("--days", type=positive_int, help="Days in the range (default 61).")
    p.add_argument(
        "--start", type=iso_date_text, help="First day, YYYY-MM-DD (default 2026-09-01)."
    )
    p.add_argument("--seed", type=non_negative_int, help="Random seed (default 42).")
    p.add_argument("--out", help="Output directory.")
    p.add_argument("--format", choices=fmt.FORMATS, help="File format (default parquet).")
    p.add_argument("--duplicate-rate", type=share, help="Share of rows re-sent (same id).")
    p.add_argument("--late-rate", type=share, help="Share of events received 1-10 days late.")
    p.add_argument("--malformed-rate", type=share, help="Share of rows made malformed.")
    p.add_argument(
        "--enum-noise-rate", type=share, help="Share of enum values with odd casing/whitespace."
    )
    p.add_argument(
        "--plant",
        action="append",
        choices=(*PLANTS, "all"),
        help="Plant an effect for detection tests (repeatable; 'all' for every one).",
    )
    p.add_argument(
        "--sample",
        action="store_true",
        help="Preset for the embedded sample: 1000 users, 61 days from 2026-09-01, seed 42, "
        "csv to seeds/sample, 1%% duplicates, 2%% late, 1%% enum noise, all plants. "
        "Explicit options override it.",
    )
    p.add_argument(
        "--continue",
        dest="continue_from",
        metavar="SOURCE",
        help="Write the next --days (default 1) of a history instead: SOURCE is its "
        "warehouse (.duckdb) or the previous delivery's _manifest.json (see "
        "behavior.generate.continuation).",
    )
    p.add_argument("--quiet", action="store_true", help="No progress lines on stderr.")
    p.set_defaults(func=run)


def resolve(args: argparse.Namespace) -> dict:
    """Options after applying the preset and defaults; raises UserError when invalid."""
    base = {**DEFAULTS, **(SAMPLE if args.sample else {})}
    opts = {k: (v if (v := getattr(args, k, None)) is not None else base.get(k)) for k in (
        "users", "target_rows", "days", "start", "seed", "out", "format", "duplicate_rate",
        "late_rate", "malformed_rate", "enum_noise_rate", "plant",
    )}  # fmt: skip
    if opts["days"] < 1:
        raise UserError("--days must be at least 1")
    try:
        date.fromisoformat(opts["start"])
    except ValueError as exc:
        raise UserError(f"--start must be YYYY-MM-DD: {opts['start']!r}") from exc
    if opts["target_rows"] is not None and opts["target_rows"] < 1:
        raise UserError("--target-rows must be at least 1")
    if opts["target_rows"] is not None and args.users is None:
        opts["users"] = users_for_rows(opts["target_rows"], opts["days"])
    if opts["users"] is None or opts["users"] < 1:
        raise UserError("give --users N (N >= 1), --target-rows N or --sample")
    if not opts["out"]:
        raise UserError("give --out DIR (or --sample)")
    for key in ("duplicate_rate", "late_rate", "malformed_rate", "enum_noise_rate"):
        if not 0.0 <= opts[key] <= 0.5:
            raise UserError(f"--{key.replace('_', '-')} must be between 0 and 0.5")
    opts["contact_keys"] = base["contact_keys"]
    names = set(opts["plant"] or [])
    opts["plant"] = sorted(PLANTS if "all" in names else names)
    return opts


def rows_per_user(days: int) -> float:
    """Raw rows one user produces over a range of `days` (fit to measured output).

    Users sign up across the range and are active ~5.5 of 61 days (3.7 of 30, 15.5 of
    365); an active user-day gives ~6.4 event rows, fewer in long ranges as learners
    finish or drop their courses. Measured: 20 rows/user at 14 days, 27 at 30, 37 at
    61, 57 at 180, 78 at 365.
    """
    return ROWS_PER_USER_FIT[0] * days ** ROWS_PER_USER_FIT[1]


def users_for_rows(target_rows: int, days: int) -> int:
    return max(1, math.ceil(target_rows / rows_per_user(days)))


def run(args: argparse.Namespace) -> int:
    if args.continue_from:
        return run_continue(args)
    opts = resolve(args)
    manifest = generate(opts, progress=not args.quiet)
    total = sum(manifest["row_counts"].values())
    if not args.quiet:
        print(f"behavior generate: wrote {total:,} rows to {opts['out']}", file=sys.stderr)
    return 0


def run_continue(args: argparse.Namespace) -> int:
    """`--continue SOURCE`: the next day(s) of a history (behavior.generate.continuation)."""
    if args.users is not None or args.target_rows is not None or args.sample:
        raise UserError("--continue keeps the history's users: leave out --users, "
                        "--target-rows and --sample")  # fmt: skip
    from behavior.generate.continuation import continue_history

    manifest = continue_history(args.continue_from, args)
    ahead = manifest["continuation"]["history_rows_received_after_its_end"]
    if ahead:  # the history file holds events a real feed would deliver later
        print(
            f"behavior generate: WARNING: the history holds {ahead:,} events received 3 or more "
            f"days after {manifest['arguments']['start']} (its --late-rate); once loaded they "
            "put the incremental watermark past this delivery, whose rows `make daily` then "
            "counts as missed (see README: continue a history generated with --late-rate 0)",
            file=sys.stderr,
        )
    outside = manifest["continuation"].get("history_sessions_outside_its_days", 0)
    if outside:  # another writer's sentinel times in the warehouse's raw sessions
        print(
            f"behavior generate: WARNING: {outside:,} raw sessions of the warehouse open "
            "before BEHAVIOR_BOUND_EARLIEST_AT or after now (times the loader refuses); "
            "the history's days are those of the other sessions",
            file=sys.stderr,
        )
    if not args.quiet:
        info = manifest["continuation"]
        print(
            f"behavior generate: wrote {sum(manifest['row_counts'].values()):,} rows for "
            f"{manifest['arguments']['start']} (+{manifest['arguments']['days'] - 1} days) to "
            f"{manifest['arguments']['out']}: {info['returning_user_days']:,} returning and "
            f"{info['new_users']:,} new users, {info['late_user_days']:,} late user-days",
            file=sys.stderr,
        )
    return 0


def generate(opts: dict, progress: bool = False) -> dict:
    """Write all raw tables and the manifest for resolved options; returns the manifest."""
    return fmt.write_delivery(
        Path(opts["out"]), lambda folder: _generate_into(folder, opts, progress)
    )


def _generate_into(out: Path, opts: dict, progress: bool) -> dict:
    """generate(), writing the tables into `out`; returns the manifest (not written)."""
    seed, days, users, ext = opts["seed"], opts["days"], opts["users"], opts["format"]
    start_ts = int(np.datetime64(opts["start"], "s").astype(np.int64))
    rates = FaultRates(
        opts["duplicate_rate"], opts["late_rate"], opts["malformed_rate"], opts["enum_noise_rate"]
    )
    text_cols = text_columns(rates.malformed)

    catalog = build_catalog(np.random.default_rng([seed, 0]), start_ts)
    plants, planted = plant(catalog, set(opts["plant"]), start_ts, days)
    catalog.tables["quiz_questions"] = question_table(catalog)

    keyed = opts.get("contact_keys") == "demo"
    writers = {
        name: fmt.TableWriter(
            out, table, ext, fmt.arrow_schema(table, text_cols.get(name, frozenset()), keyed)
        )
        for name, table in contract.TABLES.items()
    }
    fault_counts: dict[str, dict[str, int]] = {}
    started = time.perf_counter()
    try:
        for name in contract.CATALOG_TABLES:
            writers[name].write(catalog.tables[name])
        block_users = max(20, min(users, int(BLOCK_ROWS / rows_per_user(days))))
        n_blocks = math.ceil(users / block_users)
        counters = {name: 0 for name in COUNTER_NAMES} | {"orders": 0}
        next_report = 0.1
        for b in range(n_blocks):
            first = b * block_users
            n = min(block_users, users - first)
            block = simulate_block(catalog, plants, seed, b, first, n, start_ts, days, counters)
            counters = block.counters
            for t_index, (name, table) in enumerate(block.tables.items()):
                rng = np.random.default_rng([seed, 2, b, t_index])
                table = apply_faults(
                    name, table, rates, rng, fault_counts, text_cols.get(name, frozenset())
                )
                if keyed and contract.TABLES[name].pii_columns:
                    table = pseudonymize.pseudonymize_arrow(
                        contract.TABLES[name], table, pseudonymize.DEMO_SECRET
                    )
                writers[name].write(table)
            done = (b + 1) / n_blocks
            if progress and n_blocks > 1 and (done >= next_report or b + 1 == n_blocks):
                rows = sum(w.rows for w in writers.values())
                elapsed = time.perf_counter() - started
                print(
                    f"generate: {done:4.0%} users ({first + n:,}/{users:,}), {rows:,} rows, "
                    f"{rows / max(elapsed, 1e-9):,.0f} rows/s, peak RSS {peak_rss_mb():,.0f} MB",
                    file=sys.stderr,
                )
                next_report = math.floor(done * 10 + 1e-9) / 10 + 0.1
    finally:
        for writer in writers.values():
            writer.close()

    manifest = {
        "generator": "behavior generate",
        "arguments": {k: opts[k] for k in sorted(opts)},
        "format": ext,
        "files": {name: w.path.name for name, w in writers.items()},
        "row_counts": {name: w.rows for name, w in writers.items()},
        "text_columns": {k: sorted(v) for k, v in sorted(text_cols.items())},
        "faults": {k: dict(sorted(v.items())) for k, v in sorted(fault_counts.items())},
        "planted": planted,
        "notes": {
            "timestamps": "UTC, YYYY-MM-DD HH:MM:SS in csv/jsonl",
            "nested_columns": "JSON text",
            "rows_per_active_user_day": ROWS_PER_ACTIVE_USER_DAY,
        },
    }
    return manifest


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
