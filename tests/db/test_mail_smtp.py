"""Email through a real SMTP server on loopback (aiosmtpd), on SQLite and PostgreSQL demo data.

What arrives is parsed: subject, the HTML summary, the CSV (pandas) and XLSX (openpyxl) attachments, whose
contents must equal the report for the recipient's centers.
"""

from __future__ import annotations

import io
import socket
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from syncstatus import access, schedules
from syncstatus.config import load_settings
from syncstatus.db import utcnow
from syncstatus.reports import sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import app_user, audit_event, center, email_delivery, email_schedule
from tests.conftest import DEMO_END

RANGE = ReportFilters(DEMO_END - timedelta(days=30), DEMO_END)
TEST_USER_PREFIX = "mailtest."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Collects what the SMTP server receives, parsed."""

    def __init__(self):
        self.envelopes = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self):
        return [message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]

    def for_recipient(self, address: str):
        return [m for m, e in zip(self.messages, self.envelopes, strict=True) if address in e.rcpt_tos]


class SmtpServer:
    def __init__(self, port: int | None = None, auth: bool = False):
        self.inbox = Inbox()
        self.port = port or free_port()
        kw = {}
        if auth:
            def authenticator(server, session, envelope, mechanism, auth_data):
                self.inbox.logins.append((auth_data.login.decode(), auth_data.password.decode()))
                return AuthResult(success=auth_data.password == b"s3cret")
            kw = dict(authenticator=authenticator, auth_require_tls=False)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kw)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server():
    srv = SmtpServer().start()
    yield srv
    srv.stop()


def settings_for(url: str | None, tmp_path=None):
    base = load_settings()
    return replace(base, smtp_url=url, mail_from="reports@syncstatus.test", public_base_url="http://dash.test",
                   outbox_dir=(tmp_path / "outbox") if tmp_path else base.outbox_dir)


def clear_mail_tables(engine) -> None:
    """Empty the email tables and the test users of a shared demo database (other tests read it too)."""
    with engine.begin() as conn:
        conn.execute(email_delivery.delete())
        conn.execute(email_schedule.delete())
        conn.execute(audit_event.delete().where(audit_event.c.action.in_(["email_sent", "schedule_change"])))
        conn.execute(app_user.delete().where(app_user.c.username.like(TEST_USER_PREFIX + "%")))


@pytest.fixture
def mail_db(demo_engine):
    """The demo database; the email tables and test users are emptied afterwards."""
    yield demo_engine
    clear_mail_tables(demo_engine)


def first_center(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(center.c.id, center.c.code, center.c.name).order_by(center.c.id)).first()


def attachments(msg) -> dict[str, bytes]:
    return {a.get_filename().rsplit(".", 1)[1]: a.get_payload(decode=True) for a in msg.iter_attachments()}


def csv_frame(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)


def xlsx_frame(data: bytes) -> pd.DataFrame:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))  # row 1: title, row 3: header
    return pd.DataFrame(rows[1:], columns=rows[0]).fillna("")


def assert_equals_report(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for col in expected.columns:
        want = expected[col].tolist()
        have = got[col].tolist()
        if col in sync_status.COUNT_COLUMNS:
            assert [int(x) for x in have] == [int(x) for x in want], col
        else:
            assert [str(x) for x in have] == [str(x) for x in want], col


def test_email_now_arrives_with_a_summary_and_attachments_equal_to_the_report(mail_db, smtp_server):
    ids = access.all_center_ids(mail_db)
    outcomes = schedules.send_now(mail_db, "sync_status", RANGE, "boss@example.com", ["csv", "xlsx"], "admin", ids,
                                  settings=settings_for(smtp_server.url))
    assert [o.status for o in outcomes] == ["sent"]
    [msg] = smtp_server.inbox.for_recipient("boss@example.com")
    report = sync_status.build(mail_db, ids, RANGE)

    assert msg["Subject"].startswith("Integrations Sync Status: ")
    assert f"{RANGE.date_from:%d %b %Y}" in msg["Subject"]
    assert msg["From"].endswith("<reports@syncstatus.test>")
    html = msg.get_body(("html",)).get_content()
    assert "Failed invoices" in html and f"{int(report.totals['Failed Invoices']):,}" in html
    assert "http://dash.test/sync_status?date_from=" in html
    files = attachments(msg)
    assert set(files) == {"csv", "xlsx"}
    assert_equals_report(csv_frame(files["csv"]), report.table)
    assert_equals_report(xlsx_frame(files["xlsx"]), report.table)

    [row] = pd.read_sql(sa.select(email_delivery), mail_db).to_dict("records")
    assert row["status"] == "sent" and row["attempts"] == 1 and row["recipients"] == "boss@example.com"


def test_a_recipient_with_an_account_gets_only_their_centers_and_others_get_the_senders(mail_db, smtp_server):
    first = first_center(mail_db)
    access.create_user(mail_db, TEST_USER_PREFIX + "center", None, "center", centers=[first.code],
                       email="Manager@Example.com")
    ids = access.all_center_ids(mail_db)
    schedules.send_now(mail_db, "sync_status", RANGE, "manager@example.com, outsider@example.com", ["csv"],
                       "admin", ids, settings=settings_for(smtp_server.url))

    [mine] = smtp_server.inbox.for_recipient("manager@example.com")
    got = csv_frame(attachments(mine)["csv"])
    assert_equals_report(got, sync_status.build(mail_db, (first.id,), RANGE).table)
    assert list(got["Center Name"][:-1]) == [first.name]

    [theirs] = smtp_server.inbox.for_recipient("outsider@example.com")
    assert_equals_report(csv_frame(attachments(theirs)["csv"]), sync_status.build(mail_db, ids, RANGE).table)
    assert "xlsx" not in attachments(theirs)


def test_an_outsider_gets_no_more_than_the_sender_may_see(mail_db, smtp_server):
    first = first_center(mail_db)
    access.create_user(mail_db, TEST_USER_PREFIX + "sender", None, "center", centers=[first.code],
                       email="sender@example.com")
    schedules.send_now(mail_db, "sync_status", RANGE, "outsider@example.com", ["csv"], TEST_USER_PREFIX + "sender",
                       (first.id,), settings=settings_for(smtp_server.url))
    [msg] = smtp_server.inbox.for_recipient("outsider@example.com")
    assert list(csv_frame(attachments(msg)["csv"])["Center Name"][:-1]) == [first.name]


def test_smtp_down_is_logged_as_retrying_with_the_reason_and_sent_once_when_it_is_back(mail_db):
    port = free_port()  # nothing listens here yet: connection refused
    settings = settings_for(f"smtp://127.0.0.1:{port}")
    [o] = schedules.send_now(mail_db, "sync_status", RANGE, "boss@example.com", ["csv"], "admin",
                             access.all_center_ids(mail_db), settings=settings)
    assert o.status == "retrying" and "refused" in o.error
    [row] = pd.read_sql(sa.select(email_delivery), mail_db).to_dict("records")
    assert row["status"] == "retrying" and row["attempts"] == 1 and "connection refused" in row["error"]
    assert row["subject"].startswith("Integrations Sync Status")

    now = utcnow()
    assert schedules.run_due(mail_db, now + timedelta(seconds=20), settings=settings).outcomes == []  # not yet due

    server = SmtpServer(port).start()
    try:
        summary = schedules.run_due(mail_db, now + timedelta(minutes=2), settings=settings)
        assert [x.status for x in summary.outcomes] == ["sent"]
        again = schedules.run_due(mail_db, now + timedelta(hours=3), settings=settings)
        assert again.outcomes == []
        assert len(server.inbox.for_recipient("boss@example.com")) == 1
    finally:
        server.stop()
    [row] = pd.read_sql(sa.select(email_delivery), mail_db).to_dict("records")
    assert row["status"] == "sent" and row["attempts"] == 2 and row["sent_at"] is not None


def test_a_delivery_that_keeps_failing_backs_off_and_gives_up_after_five_attempts(mail_db):
    settings = settings_for(f"smtp://127.0.0.1:{free_port()}")
    [o] = schedules.send_now(mail_db, "sync_status", RANGE, "boss@example.com", ["csv"], "admin",
                             access.all_center_ids(mail_db), settings=settings)
    waits = []
    t = utcnow()
    for _ in range(4):
        row = pd.read_sql(sa.select(email_delivery), mail_db).iloc[0]
        assert row["status"] == "retrying"
        nxt = pd.Timestamp(row["next_attempt_at"]).to_pydatetime()
        waits.append(round((nxt - t).total_seconds() / 60))
        t = nxt + timedelta(seconds=1)
        schedules.run_due(mail_db, t, settings=settings)
    assert waits == [1, 5, 15, 60]
    row = pd.read_sql(sa.select(email_delivery), mail_db).iloc[0]
    assert row["status"] == "failed" and row["attempts"] == 5
    assert "gave up after 5 attempts" in row["error"]
    assert schedules.run_due(mail_db, t + timedelta(days=1), settings=settings).outcomes == []


def test_smtp_credentials_from_the_url_are_used_to_log_in(mail_db):
    server = SmtpServer(auth=True).start()
    try:
        settings = settings_for(f"smtp://robot%40corp:s3cret@127.0.0.1:{server.port}")
        [o] = schedules.send_now(mail_db, "sync_status", RANGE, "boss@example.com", ["xlsx"], "admin",
                                 access.all_center_ids(mail_db), settings=settings)
        assert o.status == "sent"
        assert server.inbox.logins == [("robot@corp", "s3cret")]
        assert len(server.inbox.for_recipient("boss@example.com")) == 1
    finally:
        server.stop()


def test_bad_addresses_are_rejected_before_anything_is_logged_or_sent(mail_db, smtp_server):
    from syncstatus import mail

    with pytest.raises(mail.InvalidAddress, match="'not-an-address'"):
        schedules.send_now(mail_db, "sync_status", RANGE, "ok@example.com, not-an-address", ["csv"], "admin",
                           access.all_center_ids(mail_db), settings=settings_for(smtp_server.url))
    assert smtp_server.inbox.envelopes == []
    assert pd.read_sql(sa.select(email_delivery), mail_db).empty


def test_the_failed_documents_report_is_registered_and_attaches_every_failed_document(mail_db, smtp_server):
    from syncstatus import mail
    from syncstatus.reports import documents

    assert set(mail.REPORTS) >= {"sync_status", "failed_documents"}
    ids = access.all_center_ids(mail_db)
    [o] = schedules.send_now(mail_db, "failed_documents", RANGE, "ops@example.com", ["csv"], "admin", ids,
                             settings=settings_for(smtp_server.url))
    assert o.status == "sent"
    [msg] = smtp_server.inbox.for_recipient("ops@example.com")
    got = csv_frame(attachments(msg)["csv"])
    want = documents.failed_documents(mail_db, ids, RANGE)
    assert len(want) > 0 and len(got) == len(want)
    assert list(got.columns) == list(want.columns)


# --- who may receive: disabled and locked accounts, the domain allow-list, the send rate (issue 24 item 5) ---

def _center_user_with_address(engine, email: str) -> str:
    name = TEST_USER_PREFIX + "gone"
    access.create_user(engine, name, None, "center", centers=[first_center(engine).code], email=email)
    return name


def test_the_address_of_a_disabled_account_receives_nothing_not_the_senders_scope(mail_db, smtp_server):
    name = _center_user_with_address(mail_db, "leaver@example.com")
    access.disable_user(mail_db, name)
    outcomes = schedules.send_now(mail_db, "sync_status", RANGE, "leaver@example.com, boss@example.com", ["csv"],
                                  "admin", access.all_center_ids(mail_db), settings=settings_for(smtp_server.url))
    assert [o.status for o in outcomes] == ["refused", "sent"]
    assert "disabled account" in outcomes[0].error and name in outcomes[0].error  # what the sender is shown
    assert smtp_server.inbox.for_recipient("leaver@example.com") == []
    assert len(smtp_server.inbox.for_recipient("boss@example.com")) == 1
    log = pd.read_sql(sa.select(email_delivery).order_by(email_delivery.c.id), mail_db)
    assert list(log["status"]) == ["refused", "sent"] and "disabled account" in log["error"][0]

    access.enable_user(mail_db, name)  # enabled again: its own single center, as before
    [o] = schedules.send_now(mail_db, "sync_status", RANGE, "leaver@example.com", ["csv"], "admin",
                             access.all_center_ids(mail_db), settings=settings_for(smtp_server.url))
    assert o.status == "sent"
    [msg] = smtp_server.inbox.for_recipient("leaver@example.com")
    assert list(csv_frame(attachments(msg)["csv"])["Center Name"][:-1]) == [first_center(mail_db).name]


def test_the_address_of_a_locked_account_receives_nothing_while_it_is_locked(mail_db, smtp_server):
    name = _center_user_with_address(mail_db, "locked@example.com")
    with mail_db.begin() as conn:
        conn.execute(app_user.update().where(app_user.c.username == name)
                     .values(failed_attempts=5, locked_until=utcnow() + timedelta(minutes=15)))
    [o] = schedules.send_now(mail_db, "sync_status", RANGE, "locked@example.com", ["csv"], "admin",
                             access.all_center_ids(mail_db), settings=settings_for(smtp_server.url))
    assert o.status == "refused" and "locked" in o.error
    assert smtp_server.inbox.for_recipient("locked@example.com") == []


def test_only_allowed_recipient_domains_and_their_subdomains_receive_email(mail_db, smtp_server):
    settings = replace(settings_for(smtp_server.url), mail_allowed_domains=("example.com",))
    outcomes = schedules.send_now(mail_db, "sync_status", RANGE,
                                  "boss@example.com, cfo@eu.example.com, thief@example.com.evil.test, x@notexample.com",
                                  ["csv"], "admin", access.all_center_ids(mail_db), settings=settings)
    assert [o.status for o in outcomes] == ["sent", "sent", "refused", "refused"]
    assert "not an allowed recipient domain" in outcomes[2].error and "MAIL_ALLOWED_DOMAINS" in outcomes[2].error
    assert sorted(a for e in smtp_server.inbox.envelopes for a in e.rcpt_tos) == ["boss@example.com",
                                                                                  "cfo@eu.example.com"]


def test_sends_beyond_the_hourly_rate_limit_are_refused_with_the_limit_named(mail_db, smtp_server):
    settings = replace(settings_for(smtp_server.url), mail_rate_limit_per_hour=2)
    outcomes = schedules.send_now(mail_db, "sync_status", RANGE, "a@example.com, b@example.com, c@example.com",
                                  ["csv"], "admin", access.all_center_ids(mail_db), settings=settings)
    assert [o.status for o in outcomes] == ["sent", "sent", "refused"]
    assert "2 emails in the last hour" in outcomes[2].error and "MAIL_RATE_LIMIT_PER_HOUR = 2" in outcomes[2].error
    assert len(smtp_server.inbox.envelopes) == 2
    # The limit is per sender: another user still sends.
    [o] = schedules.send_now(mail_db, "sync_status", RANGE, "c@example.com", ["csv"], TEST_USER_PREFIX + "other",
                             access.all_center_ids(mail_db), settings=settings)
    assert o.status == "sent"


# --- the delivery log shows no counts outside the sender's scope (issue 24 item 10) -----------------------

def test_a_center_users_log_keeps_no_figures_counted_over_a_wider_recipients_centers(mail_db, smtp_server):
    first = first_center(mail_db)
    sender = TEST_USER_PREFIX + "clerk"
    access.create_user(mail_db, sender, None, "center", centers=[first.code], email="clerk@example.com")
    access.create_user(mail_db, TEST_USER_PREFIX + "chief", None, "admin", email="chief@example.com")
    outcomes = schedules.send_now(mail_db, "sync_status", RANGE, "chief@example.com, clerk@example.com", ["csv"],
                                  sender, (first.id,), settings=settings_for(smtp_server.url))
    assert [o.status for o in outcomes] == ["sent", "sent"]
    everyone = sync_status.build(mail_db, access.all_center_ids(mail_db), RANGE)
    wide = int(everyone.totals["Failed Invoices"] + everyone.totals["Failed Misc. Journals"])
    own = sync_status.build(mail_db, (first.id,), RANGE)
    narrow = int(own.totals["Failed Invoices"] + own.totals["Failed Misc. Journals"])
    assert wide > narrow > 0, "the demo data should have failures in the first center and more elsewhere"

    [to_chief] = smtp_server.inbox.for_recipient("chief@example.com")
    assert to_chief["Subject"].endswith(f"— {wide:,} failed")  # the recipient gets their own figures

    log = schedules.deliveries(mail_db, sender, is_admin=False).set_index("recipients")
    assert f"{wide:,}" not in log.loc["chief@example.com", "subject"]
    assert log.loc["chief@example.com", "subject"].endswith(schedules.WITHHELD)
    assert log.loc["clerk@example.com", "subject"].endswith(f"— {narrow:,} failed")  # their own scope: kept
