"""In the browser: create a schedule through the UI, run the runner from the command line, find the delivery."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from syncstatus.schema import email_delivery, email_schedule
from tests.conftest import ROOT
from tests.e2e.conftest import assert_no_exception, shot, sign_in, wait_idle

pytestmark = pytest.mark.e2e


def test_a_schedule_created_in_the_browser_is_sent_by_run_due_and_shown_in_the_delivery_log(server, page, tmp_path):
    page.goto(f"{server.url}/email_schedules")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    expect(page.get_by_text("No schedules yet")).to_have_count(1)

    page.get_by_role("textbox", name="Name", exact=True).fill("Browser schedule")
    page.get_by_role("textbox", name="Recipients").fill("e2e.reader@example.com")
    page.get_by_role("textbox", name="Recipients").press("Tab")
    wait_idle(page)
    page.get_by_role("button", name="Create schedule").click()
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_role("combobox", name="Schedule")).to_have_value(re.compile(r"#\d+ · Browser schedule"))
    shot(page, "email_schedules_created")

    outbox = tmp_path / "outbox"
    now = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None, second=0, microsecond=0)
    env = {**os.environ, "DATABASE_URL": server.database_url, "OUTBOX_DIR": str(outbox), "PYTHONPATH": str(ROOT)}
    env.pop("SMTP_URL", None)
    run = subprocess.run([sys.executable, "-m", "syncstatus", "schedules", "run-due", "--now", now.isoformat()],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "e2e.reader@example.com: sent" in run.stdout
    assert len(list(outbox.glob("*.eml"))) == 1

    page.goto(f"{server.url}/email_deliveries")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    expect(page.get_by_role("combobox", name="Send again")).to_have_value(
        re.compile(r"e2e\.reader@example\.com · sent · Browser schedule"))
    shot(page, "email_deliveries_log")

    engine = sa.create_engine(server.database_url)
    with engine.begin() as conn:
        conn.execute(email_delivery.delete())
        conn.execute(email_schedule.delete())
    engine.dispose()
