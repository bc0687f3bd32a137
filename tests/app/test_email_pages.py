"""The Email Schedules and Delivery Log pages and the Email button, as a user drives them (AppTest)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from syncstatus import access, schedules
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import email_delivery, email_schedule
from tests.app.conftest import open_page, rendered, texts
from tests.conftest import DEMO_END

FORM = "email_schedule_form_"
RANGE = ReportFilters(DEMO_END - timedelta(days=30), DEMO_END)


@pytest.fixture
def email_db(app_db, tmp_path, monkeypatch):
    """Demo database with an empty outbox folder and no SMTP; email tables emptied afterwards."""
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("SMTP_URL", raising=False)
    yield app_db
    with app_db.begin() as conn:
        conn.execute(email_delivery.delete())
        conn.execute(email_schedule.delete())


def saved(engine) -> pd.DataFrame:
    return pd.read_sql(sa.select(email_schedule), engine)


def deliveries(engine) -> pd.DataFrame:
    return pd.read_sql(sa.select(email_delivery).order_by(email_delivery.c.id), engine)


def frame(at) -> pd.DataFrame:
    value = at.dataframe[0].value
    return getattr(value, "data", value)  # a Styler or a DataFrame


def to_field(at):
    return next(t for t in at.text_area if t.label == "To")


def a_schedule(engine, name="Morning report", paused=False) -> int:
    s = schedules.Schedule(name=name, report="sync_status", date_range="last_7_days",
                           frequency=schedules.Frequency("weekly", "07:30", weekdays=(0, 3)),
                           timezone="Europe/London", recipients=["team@example.com"], formats=("xlsx",), paused=paused)
    return schedules.save(engine, s, "admin")


def test_the_schedules_page_explains_itself_when_there_are_no_schedules(email_db):
    at = open_page("email_schedules")
    assert not at.exception
    assert "No schedules yet" in texts(at)
    assert at.button(key=FORM + "save").label == "Create schedule"


def test_a_schedule_created_through_the_form_is_stored_and_listed(email_db):
    at = open_page("email_schedules")
    at.text_input(key=FORM + "name").input("Daily failures")
    at.text_area(key=FORM + "recipients").input("finance@example.com, boss@example.com")
    at.selectbox(key=FORM + "timezone").set_value("America/New_York")
    at.selectbox(key=FORM + "freq").set_value("monthly").run()
    at.number_input(key=FORM + "day").set_value(31)
    at.checkbox(key=FORM + "only_when_issues").check()
    at.button(key=FORM + "save").click().run()
    assert not at.exception
    [row] = saved(email_db).to_dict("records")
    assert row["name"] == "Daily failures" and row["timezone"] == "America/New_York"
    assert row["recipients_json"] == '["finance@example.com", "boss@example.com"]'
    assert '"day": 31' in row["frequency_json"] and '"kind": "monthly"' in row["frequency_json"]
    assert bool(row["only_when_issues"])
    listed = at.dataframe[0].value
    assert list(listed["Name"]) == ["Daily failures"]
    assert "Monthly on day 31" in listed.iloc[0]["When"]
    assert at.text_input(key=FORM + "name").value == ""  # the form is cleared for the next one


def test_bad_recipient_addresses_are_rejected_with_a_clear_message_and_nothing_is_saved(email_db):
    at = open_page("email_schedules")
    at.text_input(key=FORM + "name").input("Broken")
    at.text_area(key=FORM + "recipients").input("finance@example.com, not-an-address, x@y")
    at.button(key=FORM + "save").click().run()
    assert not at.exception
    [err] = at.error
    shown = rendered(err.value)
    assert "not saved" in shown and "'not-an-address'" in shown and "'x@y'" in shown
    assert saved(email_db).empty


def test_an_alert_schedule_keeps_its_condition(email_db):
    at = open_page("email_schedules")
    at.text_input(key=FORM + "name").input("Failure spike")
    at.text_area(key=FORM + "recipients").input("ops@example.com")
    at.segmented_control(key=FORM + "kind").set_value("alert").run()
    at.selectbox(key=FORM + "cond_type").set_value("failure_rate").run()
    at.number_input(key=FORM + "threshold").set_value(7.5)
    at.button(key=FORM + "save").click().run()
    assert not at.exception
    [row] = saved(email_db).to_dict("records")
    assert row["kind"] == "alert" and '"type": "failure_rate"' in row["condition_json"]
    assert '"threshold": 7.5' in row["condition_json"]


def test_a_schedule_can_be_edited_paused_and_deleted(email_db):
    sid = a_schedule(email_db)
    at = open_page("email_schedules")
    at.button(key="email_schedule_edit").click().run()
    assert at.text_input(key=FORM + "name").value == "Morning report"
    assert at.multiselect(key=FORM + "weekdays").value == [0, 3]
    at.text_input(key=FORM + "name").input("Monday and Thursday report")
    at.button(key=FORM + "save").click().run()
    assert saved(email_db).iloc[0]["name"] == "Monday and Thursday report"

    at.button(key="email_schedule_pause").click().run()
    assert bool(saved(email_db).iloc[0]["paused"])
    assert at.dataframe[0].value.iloc[0]["Status"] == "Paused"
    at.button(key="email_schedule_pause").click().run()
    assert not bool(saved(email_db).iloc[0]["paused"])

    at.button(key="email_schedule_delete").click().run()
    assert not at.exception
    assert schedules.get(email_db, sid) is None
    assert "No schedules yet" in texts(at)


def test_the_delivery_log_explains_itself_when_nothing_was_sent(email_db):
    at = open_page("email_deliveries")
    assert not at.exception
    assert "Nothing has been emailed yet" in texts(at)


def test_the_delivery_log_lists_attempts_with_status_and_error_and_resends(email_db, monkeypatch):
    ids = access.all_center_ids(email_db)
    schedules.send_now(email_db, "sync_status", RANGE, "boss@example.com", ["csv"], "admin", ids)
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:9")  # discard port: refused
    schedules.send_now(email_db, "sync_status", RANGE, "late@example.com", ["csv"], "admin", ids)
    monkeypatch.delenv("SMTP_URL")

    at = open_page("email_deliveries")
    assert not at.exception
    table = frame(at)
    assert list(table["Recipients"]) == ["late@example.com", "boss@example.com"]
    assert list(table["Status"]) == ["retrying", "sent"]
    assert "connection refused" in table.iloc[0]["Error"]
    assert set(table["Schedule"]) == {"Email now"}

    at.multiselect(key="delivery_status").set_value(["retrying"]).run()
    assert list(frame(at)["Status"]) == ["retrying"]

    late_id = int(deliveries(email_db).iloc[1]["id"])
    at.selectbox(key="delivery_resend_pick").set_value(late_id)
    at.button(key="delivery_resend").click().run()
    assert not at.exception
    assert list(deliveries(email_db)["status"]) == ["sent", "retrying", "sent"]
    assert any("resent to late@example.com: sent" in rendered(t.value) for t in at.toast)


def test_the_email_button_sends_the_current_view_and_rejects_bad_addresses(email_db, tmp_path):
    params = {"date_from": RANGE.date_from.isoformat(), "date_to": RANGE.date_to.isoformat()}
    at = open_page("sync_status", params=params)
    at.button(key="email_sync_status").click().run()
    assert not at.exception
    to_field(at).input("nope, boss@example.com")
    submit = [b for b in at.button if b.label == "Send"][0]
    submit.click().run()
    assert any("'nope'" in rendered(e.value) for e in at.error)
    assert deliveries(email_db).empty

    to_field(at).input("boss@example.com")
    [b for b in at.button if b.label == "Send"][0].click().run()
    assert any("Sent to boss@example.com" in rendered(s.value) for s in at.success)
    [row] = deliveries(email_db).to_dict("records")
    assert row["status"] == "sent" and f"{RANGE.date_from:%d %b %Y}" in row["subject"]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


@pytest.fixture
def no_heartbeat(app_db):
    """The runner's heartbeat removed before and after (the demo database is shared by the page tests)."""
    from syncstatus.schema import app_setting

    def clear():
        with app_db.begin() as conn:
            conn.execute(app_setting.delete().where(app_setting.c.key == schedules.HEARTBEAT_KEY))

    clear()
    yield app_db
    clear()


def test_the_page_warns_when_the_schedule_runner_is_not_running(no_heartbeat):
    at = open_page("email_schedules")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "The schedule runner is not running: start it with `python -m syncstatus scheduler`" in warning
    assert "it has never run against this database" in warning

    from syncstatus import db

    schedules.record_heartbeat(no_heartbeat, db.utcnow() - timedelta(minutes=12))
    at = open_page("email_schedules")
    warning = " ".join(w.value for w in at.warning)
    assert "The schedule runner is not running" in warning and "it last ran" in warning


def test_the_page_says_when_the_runner_last_ran(no_heartbeat):
    from syncstatus import db

    at_time = db.utcnow() - timedelta(minutes=1)
    schedules.record_heartbeat(no_heartbeat, at_time)
    at = open_page("email_schedules")
    assert not at.exception
    assert not [w for w in at.warning if "schedule runner" in w.value]
    assert f"The schedule runner last checked for due schedules at {at_time:%Y-%m-%d %H:%M} UTC" in texts(at)


def test_the_email_dialog_names_the_zone_as_the_subject_does(email_db):
    from syncstatus.schema import zone

    with email_db.connect() as conn:
        z = conn.execute(sa.select(zone.c.code, zone.c.name).order_by(zone.c.code)).first()
    params = {"date_from": RANGE.date_from.isoformat(), "date_to": RANGE.date_to.isoformat(), "zone": z.code}
    at = open_page("sync_status", params=params)
    at.button(key="email_sync_status").click().run()
    assert not at.exception
    shown = texts(at)
    assert f"zones: {z.name}" in shown
    assert f"zones: {z.code}" not in shown or z.name == z.code
