"""Accounts without a database: password hashing, validation messages, lockout arithmetic, scope labels, audit redaction."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from syncstatus import access, audit
from syncstatus.access import AccessError

T0 = datetime(2026, 11, 20, 9, 0, 0)


def test_a_password_hash_is_not_the_password_and_verifies():
    stored = access.hash_password("correct horse battery")
    assert stored != "correct horse battery"
    assert "correct horse battery" not in stored
    assert stored.startswith("$argon2id$")
    assert access.verify_password(stored, "correct horse battery")


def test_a_hash_does_not_verify_another_password_or_garbage():
    stored = access.hash_password("correct horse battery")
    assert not access.verify_password(stored, "correct horse batterz")
    assert not access.verify_password(None, "anything at all")
    assert not access.verify_password("not-an-argon2-hash", "anything at all")


def test_two_hashes_of_one_password_differ():
    assert access.hash_password("same password") != access.hash_password("same password")


@pytest.mark.parametrize("given, stored", [("Admin", "admin"), ("  zone.north ", "zone.north"),
                                           ("ana@example.com", "ana@example.com"), ("c-001_x", "c-001_x")])
def test_usernames_are_stored_lower_case_and_trimmed(given, stored):
    assert access.validate_username(given) == stored


@pytest.mark.parametrize("bad", ["", "a", "-lead", "has space", "semi;colon", "x" * 101, None])
def test_a_bad_username_says_what_a_username_may_contain(bad):
    with pytest.raises(AccessError, match="A username has 2 to 100 characters"):
        access.validate_username(bad)


def test_emails_are_optional_lower_cased_and_checked():
    assert access.validate_email(None) is None
    assert access.validate_email("  ") is None
    assert access.validate_email(" Ana@Example.COM ") == "ana@example.com"
    with pytest.raises(AccessError, match="'ana-at-example' is not an email address"):
        access.validate_email("ana-at-example")


@pytest.mark.parametrize("bad, message", [("short", "at least 8 characters"), ("x" * 257, "at most 256"),
                                          (" " * 9, "only spaces")])
def test_a_weak_password_is_refused_without_echoing_it(bad, message):
    with pytest.raises(AccessError, match=message) as err:
        access.validate_password(bad)
    assert bad.strip() == "" or bad not in str(err.value)


def test_no_delay_for_three_failures_then_a_doubling_delay_capped_at_two_seconds():
    assert [access.failure_delay(n) for n in range(1, 8)] == [0, 0, 0, 0.5, 1.0, 2.0, 2.0]


def test_the_lockout_message_counts_whole_minutes_up():
    assert access.lockout_message(T0 + timedelta(minutes=15), T0) == \
        "Too many failed sign-ins; try again in 15 minutes."
    assert access.lockout_message(T0 + timedelta(minutes=14, seconds=1), T0).endswith("in 15 minutes.")
    assert access.lockout_message(T0 + timedelta(seconds=5), T0) == "Too many failed sign-ins; try again in 1 minute."


@pytest.mark.parametrize("role, names, centers, label", [
    ("admin", [], 40, "Organization admin"),
    ("zone", ["North"], 8, "Zone level: North (8 centers)"),
    ("zone", ["North", "South"], 14, "Zone level: North, South (14 centers)"),
    ("center", ["Lakeside Spa"], 1, "Center level: Lakeside Spa"),
    ("center", ["Lakeside Spa", "Harbor"], 2, "Center level: Lakeside Spa, Harbor (2 centers)"),
    ("center", ["A", "B", "C", "D", "E"], 5, "Center level: A, B, C and 2 more (5 centers)"),
])
def test_the_account_box_names_the_scope(role, names, centers, label):
    assert access.scope_label(role, names, centers) == label


def test_unknown_usernames_lock_after_five_failures_like_real_accounts():
    failures = access._UnknownUserFailures()
    for n in range(1, 5):
        assert failures.fail("ghost", T0) == (n, None)
    assert failures.fail("ghost", T0) == (5, T0 + access.LOCKOUT)
    assert failures.locked_until("ghost", T0 + timedelta(minutes=14)) == T0 + access.LOCKOUT
    assert failures.locked_until("ghost", T0 + access.LOCKOUT) is None
    assert failures.fail("ghost", T0 + access.LOCKOUT) == (1, None)  # an expired lock counts afresh


def test_the_unknown_username_memory_is_bounded():
    failures = access._UnknownUserFailures(max_entries=3)
    for name in "abcd":
        failures.fail(name, T0)
    assert list(failures._entries) == ["b", "c", "d"]


def test_audit_detail_redacts_secret_keys_at_any_depth():
    text = audit.detail_text({"user": "ana", "password": "hunter2hunter2",
                              "form": {"new_password": "s3cret-value", "api_token": "tok", "zones": ["N"]},
                              "rows": [{"password_hash": "$argon2id$..."}]})
    assert "hunter2hunter2" not in text and "s3cret-value" not in text and "$argon2id" not in text
    assert json.loads(text) == {"user": "ana", "password": audit.REDACTED,
                                "form": {"new_password": audit.REDACTED, "api_token": audit.REDACTED, "zones": ["N"]},
                                "rows": [{"password_hash": audit.REDACTED}]}


def test_audit_detail_is_bounded_and_accepts_plain_text():
    assert audit.detail_text("exported 12 rows") == "exported 12 rows"
    assert audit.detail_text(None) is None
    assert len(audit.detail_text("x" * 10_000)) == audit.MAX_DETAIL_CHARS


def test_audit_refuses_an_unknown_action_before_touching_the_database():
    with pytest.raises(ValueError, match="unknown audit action 'login'"):
        audit.record(None, "ana", "login")


def test_the_users_command_group_is_registered():
    from syncstatus.cli import build_parser

    p = build_parser()
    args = p.parse_args(["users", "add", "ana", "--role", "zone", "--zone", "N", "--zone", "S", "--password-stdin"])
    assert (args.username, args.role, args.zone, args.password_stdin) == ("ana", "zone", ["N", "S"], True)
    assert p.parse_args(["users", "list"]).func is access._cmd_list
    assert p.parse_args(["users", "set-password", "ana"]).func is access._cmd_set_password
    assert p.parse_args(["users", "disable", "ana"]).func is access._cmd_disable
    with pytest.raises(SystemExit):
        p.parse_args(["users", "add", "ana", "--role", "owner"])
