"""Mail faults over a real SMTP server on loopback (aiosmtpd): a server that never answers, one that rejects
some recipients (550) or a message (554) and then recovers. Each fault is logged, retried, and nothing is
ever sent twice. Complements tests/db/test_mail_smtp.py (connection refused, backoff, give-up) and
tests/unit/test_mail_safety.py (address and subject rules); here user text goes through the whole
send path and the bytes that reach the server are checked for injected headers.
"""

from __future__ import annotations

import socket
from datetime import datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from syncstatus import access, mail, schedules, sql
from syncstatus.db import utcnow
from syncstatus.schema import email_delivery, email_schedule
from tests.db.test_mail_smtp import RANGE, TEST_USER_PREFIX, Inbox, SmtpServer, clear_mail_tables, settings_for

OWNER = TEST_USER_PREFIX + "reliability"


@pytest.fixture
def mail_db(demo_sqlite_engine):
    """Demo data on SQLite; the email tables and this file's users are emptied afterwards."""
    yield demo_sqlite_engine
    clear_mail_tables(demo_sqlite_engine)


class PickyInbox(Inbox):
    """Rejects RCPT for mailboxes named gone-*@ (550) and, while `reject_data` > 0, whole messages (554)."""

    def __init__(self, reject_data: int = 0):
        super().__init__()
        self.reject_data = reject_data
        self.refused_rcpt: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone-"):
            self.refused_rcpt.append(address)
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reject_data > 0:
            self.reject_data -= 1
            return "554 5.7.1 message refused for now"
        return await super().handle_DATA(server, session, envelope)


def picky_server(port: int | None = None, reject_data: int = 0) -> SmtpServer:
    srv = SmtpServer(port)
    from aiosmtpd.controller import Controller

    srv.inbox = PickyInbox(reject_data)
    srv.controller = Controller(srv.inbox, hostname="127.0.0.1", port=srv.port)
    return srv.start()


def deliveries(engine) -> pd.DataFrame:
    return pd.read_sql(sa.select(email_delivery).order_by(email_delivery.c.id), engine)


def received(inbox: Inbox, address: str) -> int:
    return sum(1 for e in inbox.envelopes if address in e.rcpt_tos)


def run_retries_until_settled(engine, settings, start: datetime, rounds: int = 8) -> list:
    """Run the runner at each delivery's next attempt time until nothing is retrying."""
    outcomes, t = [], start
    for _ in range(rounds):
        df = deliveries(engine)
        waiting = df[df["status"] == "retrying"]
        if waiting.empty:
            break
        t = max(t, pd.Timestamp(waiting["next_attempt_at"].max()).to_pydatetime()) + timedelta(seconds=1)
        outcomes += schedules.run_due(engine, t, settings=settings).outcomes
    return outcomes


def test_a_server_that_never_answers_times_out_is_logged_and_the_retry_sends_once(mail_db):
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel accepts the connection; nobody ever sends the SMTP greeting
    port = silent.getsockname()[1]
    settings = settings_for(f"smtp://127.0.0.1:{port}")
    try:
        [o] = schedules.send_now(mail_db, "sync_status", RANGE, "boss@example.com", ["csv"], "admin",
                                 access.all_center_ids(mail_db), settings=settings,
                                 transport=mail.SmtpTransport(settings.smtp_url, timeout=1.0))
    finally:
        silent.close()
    assert o.status == "retrying"
    assert "timed out" in o.error
    [row] = deliveries(mail_db).to_dict("records")
    assert row["status"] == "retrying" and row["attempts"] == 1 and "timed out" in row["error"]

    server = SmtpServer(port).start()
    try:
        outcomes = run_retries_until_settled(mail_db, settings, utcnow())
        assert [x.status for x in outcomes] == ["sent"]
        assert schedules.run_due(mail_db, utcnow() + timedelta(days=1), settings=settings).outcomes == []
        assert received(server.inbox, "boss@example.com") == 1
    finally:
        server.stop()


def test_recipients_the_server_rejects_are_retried_alone_and_the_others_get_exactly_one_email(mail_db):
    server = picky_server()
    settings = settings_for(server.url)
    good, gone = ["ana@example.com", "ben@example.com"], "gone-cho@example.com"
    try:
        first = schedules.send_now(mail_db, "sync_status", RANGE, [good[0], gone, good[1]], ["csv"], "admin",
                                   access.all_center_ids(mail_db), settings=settings)
        by_rcpt = {o.recipient: o for o in first}
        assert by_rcpt[good[0]].status == by_rcpt[good[1]].status == "sent"
        assert by_rcpt[gone].status == "retrying" and "550" in by_rcpt[gone].error
        assert "mailbox unavailable" in by_rcpt[gone].error

        later = run_retries_until_settled(mail_db, settings, utcnow())
        assert {o.recipient for o in later} == {gone}  # only the rejected one is ever tried again
        assert [o.status for o in later][-1] == "failed"
    finally:
        server.stop()
    assert received(server.inbox, good[0]) == 1 and received(server.inbox, good[1]) == 1
    assert received(server.inbox, gone) == 0
    assert len(server.inbox.refused_rcpt) == schedules.MAX_ATTEMPTS
    log = deliveries(mail_db).set_index("recipients")
    assert log.loc[gone, "status"] == "failed" and log.loc[gone, "attempts"] == schedules.MAX_ATTEMPTS
    assert "gave up after 5 attempts" in log.loc[gone, "error"] and "550" in log.loc[gone, "error"]
    assert (log.loc[good, "status"] == "sent").all() and (log.loc[good, "attempts"] == 1).all()


def test_a_message_refused_twice_at_data_is_sent_on_the_third_attempt_and_only_once(mail_db):
    server = picky_server(reject_data=2)
    settings = settings_for(server.url)
    try:
        [o] = schedules.send_now(mail_db, "sync_status", RANGE, "boss@example.com", ["csv", "xlsx"], "admin",
                                 access.all_center_ids(mail_db), settings=settings)
        assert o.status == "retrying" and "554" in o.error
        later = run_retries_until_settled(mail_db, settings, utcnow())
        assert [x.status for x in later] == ["retrying", "sent"]
        assert schedules.run_due(mail_db, utcnow() + timedelta(days=2), settings=settings).outcomes == []
    finally:
        server.stop()
    assert received(server.inbox, "boss@example.com") == 1
    [row] = deliveries(mail_db).to_dict("records")
    assert row["status"] == "sent" and row["attempts"] == 3


HOSTILE_NAMES = [
    "Weekly\r\nBcc: evil@example.com",
    "Weekly\nContent-Type: text/html\n\n<script>alert(1)</script>",
    "Weekly\u2028Bcc: evil@example.com",
    "Weekly\x00\x0bReply-To: evil@example.com",
    "=?utf-8?q?Weekly=0D=0ABcc:_evil@example.com?=",
]


MESSAGE_HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_schedule_name_with_header_text_cannot_add_a_header_or_a_recipient(mail_db, name):
    access.create_user(mail_db, OWNER, None, "admin", email="owner@example.com")
    server = SmtpServer().start()
    settings = settings_for(server.url)
    s = schedules.Schedule(name=name, report="sync_status", date_range="last_n_days:45",
                           frequency=schedules.Frequency("daily", "07:00"), timezone="UTC",
                           recipients="boss@example.com", formats=("csv",))
    try:
        try:
            sid = schedules.save(mail_db, s, OWNER)
        except schedules.ScheduleInvalid:
            return  # refusing the name outright is as safe as cleaning it
        with mail_db.begin() as conn:
            conn.execute(email_schedule.update().where(email_schedule.c.id == sid).values(
                created_at=datetime(2026, 11, 20), updated_at=datetime(2026, 11, 20)))
        summary = schedules.run_due(mail_db, datetime(2026, 11, 21, 7, 1), settings=settings)
        assert [o.status for o in summary.outcomes] == ["sent"]
    finally:
        server.stop()
    [env] = server.inbox.envelopes
    assert env.rcpt_tos == ["boss@example.com"]
    [msg] = server.inbox.messages
    assert sorted(msg.keys()) == sorted(MESSAGE_HEADERS)  # no Bcc, Reply-To or second Content-Type
    assert msg["To"] == "boss@example.com"
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert msg.get_content_type() == "multipart/mixed"


@pytest.mark.parametrize("recipients", [
    "boss@example.com\r\nBcc: evil@example.com",
    "boss@example.com>, evil@example.com <x",
    "Boss <boss@example.com>, evil@example.com\nRCPT TO:<evil2@example.com>",
    "\"evil@example.com\" <boss@example.com>",
])
def test_recipient_text_with_header_or_smtp_commands_is_refused_before_anything_is_sent(mail_db, recipients):
    server = SmtpServer().start()
    try:
        with pytest.raises(mail.InvalidAddress):
            schedules.send_now(mail_db, "sync_status", RANGE, recipients, ["csv"], "admin",
                               access.all_center_ids(mail_db), settings=settings_for(server.url))
    finally:
        server.stop()
    assert server.inbox.envelopes == []
    assert deliveries(mail_db).empty


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_the_schedule_runner_is_not_locked_out_while_an_import_holds_its_lock(engine):
    """An import on PostgreSQL holds its advisory lock for its whole transaction (minutes for a large
    bundle); the email runner uses its own lock and must keep sending meanwhile."""
    with engine.connect() as importing:
        tx = importing.begin()
        sql.execute(importing, "ingest_lock")
        try:
            summary = schedules.run_due(engine, datetime(2026, 11, 21, 12, 0))
        finally:
            tx.rollback()
    assert not summary.locked_out, "the email runner shares the import's advisory lock key"
