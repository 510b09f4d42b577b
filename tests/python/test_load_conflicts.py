"""`behavior load`: loud duplicates, conflicting re-sends and immutable user facts.

Small hand-written CSV files; every expected count is worked out in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from behavior import cli
from behavior.load import load_paths
from behavior.load.conflicts import EXIT_NOTHING_NEW, duplicate_share, notices
from test_load import fetch, write_catalog_and_users

INTERACTIONS_HEADER = (
    "event_id,user_id,course_id,module_id,event_type,progress_percent,platform,"
    "occurred_at,received_at"
)


def _interaction(event_id: str, platform: str = "android", occurred: str = "10:00:00",
                 received: str = "10:05:00", event_type: str = "course_click") -> str:  # fmt: skip
    return (
        f"{event_id},u_1,c_1,,{event_type},,{platform},2026-01-05 {occurred},2026-01-05 {received}"
    )


def _write(path: Path, header: str, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


@pytest.fixture
def base(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A warehouse with the catalog, users u_1 / u_2 and interactions e_1, e_2, e_3."""
    database = tmp_path / "w.duckdb"
    first = _write(
        tmp_path / "day1" / "user_course_interactions.csv",
        INTERACTIONS_HEADER,
        [_interaction("e_1"), _interaction("e_2", occurred="10:01:00"), _interaction("e_3")],
    )
    paths = [*write_catalog_and_users(tmp_path / "base"), first]
    result = load_paths(paths, database)
    assert not result.rejected
    assert result.tables["user_course_interactions"].rows_loaded == 3
    return database, paths


def _cli_load(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["load", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_new_file_of_only_duplicates_warns_and_exits_3(tmp_path, base, capsys) -> None:
    database, _ = base
    # The same three ids re-sent later (received_at + 1 h): new file content, 0 new rows.
    resent = _write(
        tmp_path / "day2" / "user_course_interactions.csv",
        INTERACTIONS_HEADER,
        [
            _interaction("e_1", received="11:00:05"),
            _interaction("e_2", occurred="10:01:00", received="11:00:05"),
            _interaction("e_3", received="11:00:05"),
        ],
    )
    code, out, err = _cli_load(capsys, str(resent), "--database", str(database))
    assert code == EXIT_NOTHING_NEW
    warning = [line for line in err.splitlines() if line.startswith("WARNING")]
    assert len(warning) == 1
    assert str(resent) in warning[0] and "raw.user_course_interactions" in warning[0]
    assert "100% duplicates (3 of 3 valid rows" in warning[0]
    # the summary repeats it and has the conflicting column (0: only received_at differs)
    assert "conflicting" in out.splitlines()[1]
    assert any(line.startswith("WARNING:") and "100%" in line for line in out.splitlines())
    assert fetch(database, "select count(*) from raw.user_course_interactions__conflicts") == [(0,)]


def test_rerunning_the_same_file_is_a_note_not_a_warning(tmp_path, base, capsys) -> None:
    database, paths = base
    code, _, err = _cli_load(capsys, str(paths[-1]), "--database", str(database))
    assert code == 0
    assert "WARNING" not in err
    assert "same file content loaded before (re-run)" in err


def test_a_partial_share_warns_above_the_threshold_only(tmp_path, base, capsys) -> None:
    database, _ = base
    # 3 duplicates (e_1, e_2, e_3) + 1 new (e_4): 3 / 4 = 75 % of the valid rows.
    mixed = _write(
        tmp_path / "day2" / "user_course_interactions.csv",
        INTERACTIONS_HEADER,
        [
            _interaction("e_1"),
            _interaction("e_2", occurred="10:01:00"),
            _interaction("e_3", received="10:05:01"),
            _interaction("e_4"),
        ],
    )
    code, _, err = _cli_load(
        capsys, str(mixed), "--database", str(database), "--warn-duplicate-share", "0.8"
    )
    assert code == 0 and "WARNING" not in err  # 75 % is not above 80 %
    # The same rows in another file (other name and order: new content) at the default
    # 50 %: now all 4 are duplicates of stored rows.
    again = _write(
        tmp_path / "day3" / "user_course_interactions.csv",
        INTERACTIONS_HEADER,
        [_interaction("e_4"), _interaction("e_1")],
    )
    code, _, err = _cli_load(capsys, str(again), "--database", str(database))
    assert code == EXIT_NOTHING_NEW and "100% duplicates (2 of 2" in err
    assert duplicate_share(1, 3) == 0.75
    partial = notices("f.csv", "user_purchases", loaded=1, duplicate=3, conflicting=0,
                      seen_before=False)  # fmt: skip
    assert [(n.level, n.nothing_new) for n in partial] == [("WARNING", False)]
    assert "75% duplicates (3 of 4 valid rows" in partial[0].message
    # a catalog file re-sent whole is a snapshot, not a warning
    assert notices("c.csv", "courses", 0, 2, 0, False) == []


def test_a_conflicting_resend_is_counted_and_kept_while_the_first_copy_stays(
    tmp_path, base, capsys
) -> None:
    database, _ = base
    # Row 1: e_1 again with another platform and event time: a conflict (platform,
    #   occurred_at; received_at is not content).
    # Row 2: e_2 again, only received later: an exact re-send, a plain duplicate.
    # Row 3: e_3 again as "ANDROID " (staging reads enums lower(trim())): not a conflict.
    # Row 4: e_5, new. Row 5: e_5 again with another event type: a conflict with row 4,
    #   which is stored first in the same transaction.
    # read 5 = loaded 1 (e_5) + duplicate 4 (2 of them conflicting) + quarantined 0.
    resent = _write(
        tmp_path / "day2" / "user_course_interactions.csv",
        INTERACTIONS_HEADER,
        [
            _interaction("e_1", platform="ios", occurred="09:59:00", received="12:00:00"),
            _interaction("e_2", occurred="10:01:00", received="12:00:00"),
            _interaction("e_3", platform="ANDROID "),
            _interaction("e_5"),
            _interaction("e_5", event_type="wishlist_add"),
        ],
    )
    code, out, err = _cli_load(capsys, str(resent), "--database", str(database))
    assert code == 0, err
    assert "duplicate 4 (conflicting 2), quarantined 0" in out
    assert "2 duplicate id(s) with content that differs" in err
    summary = [line for line in out.splitlines() if line.startswith("raw.user_course")]
    assert summary[0].split()[1:] == ["5", "1", "4", "0", "2"]
    conflicts = fetch(
        database,
        "select source_row, record_key, differing_columns, record, stored_record "
        "from raw.user_course_interactions__conflicts order by source_row",
    )
    assert [(row, key, cols) for row, key, cols, _, _ in conflicts] == [
        (1, "e_1", "platform, occurred_at"),
        (5, "e_5", "event_type"),
    ]
    record, stored = json.loads(conflicts[0][3]), json.loads(conflicts[0][4])
    assert (record["platform"], record["occurred_at"]) == ("ios", "2026-01-05 09:59:00")
    assert (stored["platform"], stored["occurred_at"]) == ("android", "2026-01-05 10:00:00")
    # the first received copies stay the truth
    assert fetch(
        database,
        "select event_id, platform, event_type, occurred_at::VARCHAR "
        "from raw.user_course_interactions where event_id in ('e_1', 'e_5') order by 1",
    ) == [
        ("e_1", "android", "course_click", "2026-01-05 10:00:00"),
        ("e_5", "android", "course_click", "2026-01-05 10:00:00"),
    ]
    audit = fetch(
        database,
        "select rows_read, rows_loaded, rows_duplicate, rows_quarantined, rows_conflicting "
        "from raw._load_files where source_file like '%day2%'",
    )
    assert audit == [(5, 1, 4, 0, 2)]
    # Loading the same file again counts the conflicts again but stores them once.
    again = load_paths([resent], database)
    assert again.files[0].rows_conflicting == 2
    assert fetch(database, "select count(*) from raw.user_course_interactions__conflicts") == [(2,)]


USERS_HEADER = (
    "user_id,updated_at,signed_up_at,email,phone,country_code,acquisition_channel,platform,"
    "device_model,installed_at,uninstalled_at,reinstalled_at,last_seen_at"
)


def test_user_versions_that_change_immutable_facts_are_quarantined(tmp_path, base) -> None:
    database, _ = base
    # Stored: u_1 signed up 2026-01-01 00:00, installed 2026-01-01 00:00; u_2 (web)
    # signed up 2026-01-01 00:00, never installed.
    versions = _write(
        tmp_path / "day2" / "users.csv",
        USERS_HEADER,
        [
            # 1: u_1 seen again, same facts: loaded
            "u_1,2026-01-05 00:00:00,2026-01-01 00:00:00,,,IN,organic,android,,"
            "2026-01-01 00:00:00,,,2026-01-05 00:00:00",
            # 2: u_1 with another sign-up: quarantined
            "u_1,2026-01-06 00:00:00,2026-01-03 00:00:00,,,IN,organic,android,,"
            "2026-01-01 00:00:00,,,2026-01-06 00:00:00",
            # 3: u_1 with another first install: quarantined
            "u_1,2026-01-07 00:00:00,2026-01-01 00:00:00,,,IN,organic,android,,"
            "2026-01-02 00:00:00,,,2026-01-07 00:00:00",
            # 4: u_2 installs the app for the first time (null -> a time): loaded
            "u_2,2026-01-05 00:00:00,2026-01-01 00:00:00,,,US,paid_search,android,,"
            "2026-01-04 00:00:00,,,2026-01-05 00:00:00",
            # 5, 6: new user u_4, its later version moves the sign-up: 6 quarantined
            "u_4,2026-01-05 00:00:00,2026-01-05 00:00:00,,,DE,referral,ios,,,,,",
            "u_4,2026-01-06 00:00:00,2026-01-04 00:00:00,,,DE,referral,ios,,,,,",
            # 7, 8, 9: new user u_5 without an install, then its first install on
            # 01-06 (loaded), then a version moving that install to 01-08: quarantined
            "u_5,2026-01-05 00:00:00,2026-01-05 00:00:00,,,DE,referral,ios,,,,,",
            "u_5,2026-01-06 00:00:00,2026-01-05 00:00:00,,,DE,referral,ios,,2026-01-06 00:00:00,,,",
            "u_5,2026-01-08 00:00:00,2026-01-05 00:00:00,,,DE,referral,ios,,2026-01-08 00:00:00,,,",
            # 10: u_2 again, its first install (row 4, 01-04) moved to 01-09: quarantined
            "u_2,2026-01-09 00:00:00,2026-01-01 00:00:00,,,US,paid_search,android,,"
            "2026-01-09 00:00:00,,,2026-01-09 00:00:00",
            # 11, 12, 13: new user u_6; 12 moves the sign-up (quarantined) and carries an
            # install of 01-06, which is therefore not the first install; 13's 01-07 is,
            # so 13 is loaded
            "u_6,2026-01-05 00:00:00,2026-01-05 00:00:00,,,DE,referral,ios,,,,,",
            "u_6,2026-01-06 00:00:00,2026-01-04 00:00:00,,,DE,referral,ios,,2026-01-06 00:00:00,,,",
            "u_6,2026-01-07 00:00:00,2026-01-05 00:00:00,,,DE,referral,ios,,2026-01-07 00:00:00,,,",
        ],
    )
    result = load_paths([versions], database)
    (file,) = result.files
    assert (file.rows_read, file.rows_loaded, file.rows_duplicate, file.rows_quarantined) == (
        13,
        7,
        0,
        6,
    )
    assert dict(
        fetch(database, "select source_row, reason from raw.users__quarantine order by 1")
    ) == {
        2: "immutable signed_up_at changed: first loaded 2026-01-01 00:00:00, "
        "this version 2026-01-03 00:00:00",
        3: "immutable installed_at (first install) changed: first loaded 2026-01-01 00:00:00, "
        "this version 2026-01-02 00:00:00",
        6: "immutable signed_up_at changed: first loaded 2026-01-05 00:00:00, "
        "this version 2026-01-04 00:00:00",
        9: "immutable installed_at (first install) changed: first loaded 2026-01-06 00:00:00, "
        "this version 2026-01-08 00:00:00",
        10: "immutable installed_at (first install) changed: first loaded 2026-01-04 00:00:00, "
        "this version 2026-01-09 00:00:00",
        12: "immutable signed_up_at changed: first loaded 2026-01-05 00:00:00, "
        "this version 2026-01-04 00:00:00",
    }
    # every stored version of a user has the same sign-up
    assert fetch(
        database,
        "select count(*) from (select user_id from raw.users group by 1 "
        "having count(distinct signed_up_at) > 1)",
    ) == [(0,)]


def test_a_users_resend_with_another_email_conflicts_on_the_key_and_keeps_no_contact(
    tmp_path, base
) -> None:
    database, _ = base
    # Stored: u_1 version 2026-01-01 00:00 with e-mail a@x.io (test_load.USERS_CSV).
    # Re-sent with the same key (user_id, updated_at) but e-mail b@x.io and a phone:
    # a duplicate whose content differs. raw.users stores the contact key and
    # has_phone in place of e-mail and phone, so those are the differing columns;
    # the conflict record withholds the e-mail and phone themselves.
    resent = _write(
        tmp_path / "day2" / "users.csv",
        USERS_HEADER,
        [
            "u_1,2026-01-01 00:00:00,2026-01-01 00:00:00,b@x.io,+15550100,IN,organic,"
            "android,Pixel,2026-01-01 00:00:00,,,2026-01-02 00:00:00"
        ],
    )
    result = load_paths([resent], database)
    (file,) = result.files
    assert (file.rows_read, file.rows_loaded, file.rows_duplicate) == (1, 0, 1)
    assert file.rows_conflicting == 1
    rows = fetch(database, "select differing_columns, record from raw.users__conflicts")
    assert [differing for differing, _ in rows] == ["contact_key, has_phone"]
    record = json.loads(rows[0][1])
    assert record["email"] == record["phone"] == "(personal data withheld)"
    leaked = fetch(
        database,
        "select count(*) from raw.users__conflicts "
        "where record like '%@x.io%' or stored_record like '%@x.io%' "
        "or record like '%5550100%'",
    )
    assert leaked == [(0,)]
