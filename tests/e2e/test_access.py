"""A center-level accountant in a real browser: another center's deep link is 'not found'; signing out ends it."""

from __future__ import annotations

import sqlalchemy as sa

from syncstatus import db
from syncstatus.schema import center, sync_document
from tests.e2e.conftest import assert_no_exception, shot, sign_in, wait_idle


def other_centers_summary(database_url: str) -> tuple[str, str]:
    engine = db.create_db_engine(database_url)
    with engine.connect() as conn:
        first = conn.execute(sa.select(center.c.id, center.c.code).order_by(center.c.id)).first()
        number = conn.execute(sa.select(sync_document.c.document_no)
                              .where(sync_document.c.center_id != first.id,
                                     sync_document.c.kind.in_(["invoice", "summary_invoice"]))
                              .order_by(sync_document.c.document_no).limit(1)).scalar()
    engine.dispose()
    return first.code, number


def test_a_deep_link_on_a_fresh_server_asks_to_sign_in_first(server, page):
    page.goto(f"{server.url}/sale_orders?status=failed")
    wait_idle(page)
    page.get_by_text("Sign in to syncstatus").wait_for()
    assert page.get_by_role("button", name="Sign in").count() == 1
    assert page.get_by_role("heading", name="Sale Orders").count() == 0
    assert_no_exception(page)
    shot(page, "access_sign_in_on_cold_deep_link")


def test_a_center_user_gets_not_found_for_another_centers_invoice_and_can_sign_out(server, page):
    code, theirs = other_centers_summary(server.database_url)
    page.goto(f"{server.url}/sale_order_summary_details?invoice={theirs}")
    sign_in(page, f"center.{code.lower()}", "demo-center")
    page.get_by_text(f"No summary invoice or invoice numbered {theirs} in your centers.").wait_for()
    assert_no_exception(page)
    shot(page, "access_other_centers_invoice_not_found")

    page.get_by_role("button", name="Sign out").click()
    wait_idle(page)
    page.get_by_text("Sign in to syncstatus").wait_for()
    page.goto(f"{server.url}/sync_status")
    wait_idle(page)
    assert page.get_by_text("Sign in to syncstatus").count() == 1


def test_a_center_user_opening_another_centers_link_is_told_and_the_url_shows_their_own(server, page):
    from urllib.parse import parse_qs, urlparse

    engine = db.create_db_engine(server.database_url)
    with engine.connect() as conn:
        mine, other = conn.execute(sa.select(center.c.code).order_by(center.c.id).limit(2)).scalars().all()
    engine.dispose()
    page.goto(f"{server.url}/sync_status?center={other}")
    sign_in(page, f"center.{mine.lower()}", "demo-center")
    page.get_by_text(f"{other} is not among your centers; showing yours.").wait_for()
    assert_no_exception(page)
    page.wait_for_function(f"() => new URLSearchParams(location.search).getAll('center').join() === '{mine}'")
    assert parse_qs(urlparse(page.url).query).get("center") == [mine]
    shot(page, "access_other_centers_link_rewritten")
