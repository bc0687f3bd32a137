"""The schedule runner on SQLite and PostgreSQL: due occurrences, once only, per-recipient centers, missed
occurrences, pause, alerts, and two runners at the same time."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage

import pandas as pd
import pytest
import sqlalchemy as sa

from syncstatus import access, schedules
from syncstatus.reports import sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import center, email_delivery, email_schedule, sync_job, zone
from tests.conftest import DEMO_END
from tests.db import test_mail_smtp as smtp_helpers
from tests.db.test_mail_smtp import TEST_USER_PREFIX, attachments, csv_frame, first_center, settings_for

mail_db = smtp_helpers.mail_db          # fixtures shared with the SMTP tests
smtp_server = smtp_helpers.smtp_server

OWNER = TEST_USER_PREFIX + "owner"
# The first firing after the demo data ends: 2026-11-21 07:00 in New York (12:00 UTC).
FIRST = datetime(2026, 11, 21, 12, 0)


class Recorder:
    """A transport that keeps messages (for tests that do not need to parse SMTP)."""

    def __init__(self):
        self.sent: list[EmailMessage] = []
        self.lock = threading.Lock()

    def send(self, msg: EmailMessage) -> str:
        with self.lock:
            self.sent.append(msg)
        return "recorded"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.sent if m["To"] == address]


def make_schedule(engine, *, owner: str | None = OWNER, recipients="a@example.com", date_range="last_n_days:45",
                  kind="report", condition=None, only_when_issues=False, at="07:00", created=FIRST - timedelta(days=1),
                  **kw) -> int:
    s = schedules.Schedule(name="Daily sync status", report="sync_status", date_range=date_range,
                           frequency=schedules.Frequency("daily", at), timezone="America/New_York",
                           recipients=recipients, formats=("csv",), kind=kind, condition=condition,
                           only_when_issues=only_when_issues, **kw)
    sid = schedules.save(engine, s, owner)
    backdate(engine, sid, created)
    return sid


def backdate(engine, sid: int, when: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(email_schedule.update().where(email_schedule.c.id == sid).values(created_at=when, updated_at=when))


def log(engine) -> pd.DataFrame:
    return pd.read_sql(sa.select(email_delivery).order_by(email_delivery.c.id), engine)


@pytest.fixture
def owner(mail_db):
    access.create_user(mail_db, OWNER, None, "admin", email="owner@example.com")
    return OWNER


def test_a_due_schedule_sends_each_recipient_once_and_running_again_sends_nothing(mail_db, owner):
    make_schedule(mail_db, recipients="a@example.com, b@example.com")
    rec = Recorder()
    assert schedules.run_due(mail_db, FIRST - timedelta(minutes=1), transport=rec).outcomes == []
    first = schedules.run_due(mail_db, FIRST + timedelta(minutes=1), transport=rec)
    assert sorted(o.status for o in first.outcomes) == ["sent", "sent"]
    again = schedules.run_due(mail_db, FIRST + timedelta(minutes=2), transport=rec)
    assert again.outcomes == []
    assert sorted(m["To"] for m in rec.sent) == ["a@example.com", "b@example.com"]
    rows = log(mail_db)
    assert list(rows["status"]) == ["sent", "sent"]
    assert set(pd.to_datetime(rows["occurrence_at"])) == {pd.Timestamp(FIRST)}


def test_the_date_range_is_relative_to_the_local_day_of_sending(mail_db, owner):
    make_schedule(mail_db, date_range="yesterday")
    rec = Recorder()
    schedules.run_due(mail_db, FIRST, transport=rec)
    [msg] = rec.sent
    assert f"{DEMO_END:%d %b %Y} – {DEMO_END:%d %b %Y}" in msg["Subject"]
    [att] = list(msg.iter_attachments())
    assert att.get_filename() == f"sync_status_{DEMO_END:%Y%m%d}-{DEMO_END:%Y%m%d}.csv"


def test_each_recipient_gets_only_the_centers_they_may_see_over_smtp(mail_db, owner, smtp_server):
    first = first_center(mail_db)
    access.create_user(mail_db, TEST_USER_PREFIX + "center", None, "center", centers=[first.code],
                       email="manager@example.com")
    make_schedule(mail_db, recipients="manager@example.com, partner@example.com")
    schedules.run_due(mail_db, FIRST, settings=settings_for(smtp_server.url))
    f = ReportFilters(DEMO_END - timedelta(days=44), DEMO_END)

    [mine] = smtp_server.inbox.for_recipient("manager@example.com")
    got = csv_frame(attachments(mine)["csv"])
    want = sync_status.build(mail_db, (first.id,), f).table
    assert list(got["Center Name"]) == list(want["Center Name"])
    assert [int(x) for x in got["Failed Invoices"]] == [int(x) for x in want["Failed Invoices"]]

    [theirs] = smtp_server.inbox.for_recipient("partner@example.com")
    everyone = sync_status.build(mail_db, access.all_center_ids(mail_db), f).table
    assert list(csv_frame(attachments(theirs)["csv"])["Center Name"]) == list(everyone["Center Name"])


def test_the_schedule_filters_narrow_every_recipients_centers(mail_db, owner):
    first = first_center(mail_db)
    make_schedule(mail_db, filters={"center": [first.code]})
    rec = Recorder()
    schedules.run_due(mail_db, FIRST, transport=rec)
    [msg] = rec.sent
    df = csv_frame(next(msg.iter_attachments()).get_payload(decode=True))
    assert list(df["Center Name"][:-1]) == [first.name]


def test_a_recipient_whose_account_sees_nothing_in_the_filters_is_skipped_not_sent_everything(mail_db, owner):
    with mail_db.connect() as conn:
        rows = conn.execute(sa.select(center.c.code).order_by(center.c.id)).scalars().all()
    access.create_user(mail_db, TEST_USER_PREFIX + "center", None, "center", centers=[rows[0]],
                       email="manager@example.com")
    make_schedule(mail_db, recipients="manager@example.com", filters={"center": [rows[1]]})
    rec = Recorder()
    schedules.run_due(mail_db, FIRST, transport=rec)
    [msg] = rec.sent
    df = csv_frame(next(msg.iter_attachments()).get_payload(decode=True))
    assert len(df) == 1 and df.iloc[0]["Zone"] == "Total"  # only the (empty) totals row


def test_after_downtime_only_the_latest_missed_occurrence_is_sent_and_the_rest_are_counted(mail_db, owner):
    make_schedule(mail_db)
    rec = Recorder()
    lines: list[str] = []
    summary = schedules.run_due(mail_db, FIRST + timedelta(days=3, hours=1), transport=rec, log=lines.append)
    assert [o.status for o in summary.outcomes] == ["sent"]
    assert summary.missed == 3
    assert any("skipped 3 missed occurrences" in x for x in lines)
    assert "skipped 3 missed occurrences" in summary.describe()
    assert list(pd.to_datetime(log(mail_db)["occurrence_at"])) == [pd.Timestamp(FIRST + timedelta(days=3))]
    assert schedules.run_due(mail_db, FIRST + timedelta(days=3, hours=2), transport=rec).outcomes == []


def test_a_paused_schedule_sends_nothing_and_resuming_does_not_send_what_was_missed(mail_db, owner):
    sid = make_schedule(mail_db)
    schedules.set_paused(mail_db, sid, True)
    rec = Recorder()
    assert schedules.run_due(mail_db, FIRST + timedelta(days=2), transport=rec).outcomes == []
    schedules.set_paused(mail_db, sid, False)
    backdate_updated = FIRST + timedelta(days=2, hours=1)
    with mail_db.begin() as conn:
        conn.execute(email_schedule.update().where(email_schedule.c.id == sid).values(updated_at=backdate_updated))
    assert schedules.run_due(mail_db, FIRST + timedelta(days=2, hours=2), transport=rec).outcomes == []
    summary = schedules.run_due(mail_db, FIRST + timedelta(days=3), transport=rec)
    assert [o.status for o in summary.outcomes] == ["sent"] and summary.missed == 0


def test_only_when_issues_logs_a_skip_instead_of_sending_an_empty_report(mail_db, owner):
    make_schedule(mail_db, date_range="yesterday", only_when_issues=True, created=datetime(2027, 3, 1))
    rec = Recorder()
    summary = schedules.run_due(mail_db, datetime(2027, 3, 2, 12, 5), transport=rec)
    assert [o.status for o in summary.outcomes] == ["skipped-nothing-to-report"]
    assert rec.sent == []
    assert list(log(mail_db)["status"]) == ["skipped-nothing-to-report"]


def test_deleting_a_schedule_keeps_its_deliveries_in_the_log(mail_db, owner):
    sid = make_schedule(mail_db)
    schedules.run_due(mail_db, FIRST, transport=Recorder())
    schedules.delete(mail_db, sid)
    assert schedules.get(mail_db, sid) is None
    rows = log(mail_db)
    assert len(rows) == 1 and pd.isna(rows.iloc[0]["schedule_id"])
    view = schedules.deliveries(mail_db, OWNER, True)
    assert len(view) == 1 and view.iloc[0]["status"] == "sent"


def test_a_resend_sends_the_same_report_again_as_a_new_log_row(mail_db, owner):
    make_schedule(mail_db)
    rec = Recorder()
    schedules.run_due(mail_db, FIRST, transport=rec)
    first_id = int(log(mail_db).iloc[0]["id"])
    outcome = schedules.resend(mail_db, first_id, OWNER, transport=rec)
    assert outcome.status == "sent"
    assert len(rec.sent) == 2 and rec.sent[0]["Subject"] == rec.sent[1]["Subject"]
    assert list(log(mail_db)["status"]) == ["sent", "sent"]


# --- alerts -----------------------------------------------------------------------------------------

def test_alert_conditions_follow_the_report_figures(mail_db, owner):
    ids = access.all_center_ids(mail_db)
    f = ReportFilters(DEMO_END - timedelta(days=6), DEMO_END)
    totals = sync_status.build(mail_db, ids, f).totals
    failed = int(totals["Failed Invoices"] + totals["Failed Misc. Journals"])
    total = int(totals["Total Invoices"] + totals["Total Misc. Journals"])
    assert failed > 0

    def holds(cond):
        s = schedules.Schedule(name="a", report="sync_status", date_range="yesterday",
                               frequency=schedules.Frequency(), timezone="UTC", recipients=[], kind="alert",
                               condition=cond)
        return schedules.evaluate_condition(mail_db, s, f, ids)[0]

    assert holds(schedules.Condition("any_failures"))
    assert holds(schedules.Condition("failed_count", threshold=failed - 1))
    assert not holds(schedules.Condition("failed_count", threshold=failed))
    rate = 100 * failed / total
    assert holds(schedules.Condition("failure_rate", threshold=rate - 0.1))
    assert not holds(schedules.Condition("failure_rate", threshold=rate + 0.1))
    assert not holds(schedules.Condition("spike", factor=50, baseline_days=14))
    empty = f.with_(date_from=DEMO_END + timedelta(days=10), date_to=DEMO_END + timedelta(days=12))
    s = schedules.Schedule(name="a", report="sync_status", date_range="yesterday", frequency=schedules.Frequency(),
                           timezone="UTC", recipients=[], kind="alert", condition=schedules.Condition("spike"))
    assert not schedules.evaluate_condition(mail_db, s, empty, ids)[0]


def test_an_alert_does_not_repeat_until_its_condition_clears_or_the_quiet_period_passes(mail_db, owner, monkeypatch):
    script = iter([True, True, False, True, True, True])
    monkeypatch.setattr(schedules, "evaluate_condition", lambda *a, **k: (next(script), "scripted"))
    make_schedule(mail_db, kind="alert", condition=schedules.Condition("any_failures", quiet_hours=36))
    rec = Recorder()
    statuses = []
    for day in range(6):
        summary = schedules.run_due(mail_db, FIRST + timedelta(days=day), transport=rec)
        statuses.append([o.status for o in summary.outcomes])
    assert statuses == [
        ["sent"],                        # condition holds: alert
        ["skipped-already-alerted"],     # still holds, 24 h < 36 h quiet period
        ["skipped-nothing-to-report"],   # cleared
        ["sent"],                        # holds again after clearing: alert at once
        ["skipped-already-alerted"],
        ["sent"],                        # 48 h since the last alert: quiet period passed
    ]
    assert all(m["Subject"].startswith("Alert: Daily sync status") for m in rec.sent)


# --- two runners at once (PostgreSQL) ---------------------------------------------------------------

def seed_one_center(engine) -> None:
    with engine.begin() as conn:
        zid = conn.execute(zone.insert().values(code="Z1", name="Zone One").returning(zone.c.id)).scalar_one()
        cid = conn.execute(center.insert().values(code="C1", name="Center One", zone_id=zid, platform="qbo")
                           .returning(center.c.id)).scalar_one()
        conn.execute(sync_job.insert().values(center_id=cid, job="post_sale", enabled=True))


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.parametrize("use_lock", [True, False], ids=["advisory-lock", "unique-key-only"])
def test_two_runners_at_the_same_time_send_each_occurrence_once(engine, use_lock):
    seed_one_center(engine)
    access.create_user(engine, OWNER, None, "admin", email="owner@example.com")
    recipients = [f"r{i}@example.com" for i in range(6)]
    make_schedule(engine, recipients=", ".join(recipients))
    rec = Recorder()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def runner():
        try:
            barrier.wait()
            results.append(schedules.run_due(engine, FIRST + timedelta(minutes=1), transport=rec, use_lock=use_lock))
        except Exception as exc:  # surfaced below with its message
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(m["To"] for m in rec.sent) == sorted(recipients)
    rows = log(engine)
    assert len(rows) == len(recipients) and rows["occurrence_key"].is_unique
    assert set(rows["status"]) == {"sent"}
    assert sum(len(r.outcomes) for r in results) == len(recipients)


def test_run_due_from_the_command_line_writes_to_the_outbox_without_smtp(engine, tmp_path, monkeypatch, capsys):
    from syncstatus import cli

    seed_one_center(engine)
    access.create_user(engine, OWNER, None, "admin", email="owner@example.com")
    make_schedule(engine, recipients="ops@example.com")
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("SMTP_URL", raising=False)
    assert cli.main(["schedules", "run-due", "--now", (FIRST + timedelta(minutes=1)).isoformat()]) == 0
    out = capsys.readouterr().out
    assert "ops@example.com: sent" in out and out.strip().endswith("1 sent")
    assert list(log(engine)["status"]) == ["sent"]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_a_schedule_without_an_owner_sends_outsiders_nothing(engine):
    seed_one_center(engine)
    make_schedule(engine, owner=None, recipients="ops@example.com")
    rec = Recorder()
    summary = schedules.run_due(engine, FIRST, transport=rec)
    assert [o.status for o in summary.outcomes] == ["skipped-no-access"] and rec.sent == []


def test_a_schedule_to_a_disabled_accounts_address_sends_it_nothing_and_logs_why(mail_db, owner, smtp_server):
    first = first_center(mail_db)
    access.create_user(mail_db, TEST_USER_PREFIX + "leaver", None, "center", centers=[first.code],
                       email="leaver@example.com")
    make_schedule(mail_db, recipients="leaver@example.com, partner@example.com")
    access.disable_user(mail_db, TEST_USER_PREFIX + "leaver")
    summary = schedules.run_due(mail_db, FIRST, settings=settings_for(smtp_server.url))
    assert sorted(o.status for o in summary.outcomes) == ["refused", "sent"]
    assert smtp_server.inbox.for_recipient("leaver@example.com") == []
    rows = log(mail_db).set_index("recipients")
    assert rows.loc["leaver@example.com", "status"] == "refused"
    assert "disabled account" in rows.loc["leaver@example.com", "error"]
    assert schedules.STATUSES["refused"] == "Refused"
    # Never retried: a refusal is final until the account changes.
    assert schedules.run_due(mail_db, FIRST + timedelta(hours=2), settings=settings_for(smtp_server.url)).outcomes == []


def test_a_schedule_to_a_domain_outside_the_allow_list_is_not_saved(mail_db, owner):
    settings = replace(settings_for(None), mail_allowed_domains=("example.com",))
    s = schedules.Schedule(name="Leak", report="sync_status", date_range="yesterday", frequency=schedules.Frequency(),
                           timezone="UTC", recipients="ok@example.com, me@gmail.test")
    with pytest.raises(schedules.ScheduleInvalid) as err:
        schedules.save(mail_db, s, owner, settings=settings)
    assert err.value.problems == ["me@gmail.test: 'gmail.test' is not an allowed recipient domain; email may go to "
                                  "example.com (setting MAIL_ALLOWED_DOMAINS)."]


def test_an_alerts_reason_counted_over_the_owners_centers_reaches_only_recipients_who_see_them_all(mail_db, owner):
    first = first_center(mail_db)
    access.create_user(mail_db, TEST_USER_PREFIX + "clerk", None, "center", centers=[first.code],
                       email="clerk@example.com")
    make_schedule(mail_db, kind="alert", recipients="clerk@example.com, partner@example.com",
                  condition=schedules.Condition("any_failures"))
    rec = Recorder()
    summary = schedules.run_due(mail_db, FIRST, transport=rec)
    assert sorted(o.status for o in summary.outcomes) == ["sent", "sent"]
    [clerk] = rec.to("clerk@example.com")
    [partner] = rec.to("partner@example.com")  # an outsider: the owner's centers, so the owner's reason
    assert partner["Subject"].startswith("Alert: Daily sync status — ") and "failed documents" in partner["Subject"]
    assert clerk["Subject"].startswith("Alert: Daily sync status: ") and "failed documents" not in clerk["Subject"]


def test_each_tick_of_the_runner_records_its_heartbeat(engine):
    assert schedules.last_heartbeat(engine) is None
    first = datetime(2026, 11, 20, 9, 0, 30)
    schedules.tick(engine, first)
    assert schedules.last_heartbeat(engine) == first
    assert not schedules.runner_silent(schedules.last_heartbeat(engine), first + timedelta(minutes=4))
    assert schedules.runner_silent(schedules.last_heartbeat(engine), first + timedelta(minutes=6))
    schedules.tick(engine, first + timedelta(minutes=1))
    assert schedules.last_heartbeat(engine) == first + timedelta(minutes=1)
    assert schedules.runner_silent(None, first)
