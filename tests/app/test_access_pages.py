"""Every page, for each role, shows only the centers that role may see; URL tampering finds nothing."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from syncstatus.access import viewer_for
from syncstatus.schema import center, sale_order, sync_document, zone
from tests.app.conftest import open_page, texts
from tests.conftest import DEMO_END

RANGE = {"date_from": (DEMO_END - timedelta(days=44)).isoformat(), "date_to": DEMO_END.isoformat()}
# Pages whose tables name centers; (page, params).
CENTER_PAGES = [
    ("sync_status", RANGE),
    ("sale_orders", RANGE),
    ("payments", RANGE),
    ("misc_journal_entries", RANGE),
    ("items", {}),
    ("chart_of_accounts", {}),
    ("trends", RANGE),
    ("operations", RANGE),
]


def center_names(engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(center.c.id, center.c.name)).all())


def frames_text(at) -> str:
    parts = []
    for df in at.dataframe:
        v = df.value
        v = v.data if hasattr(v, "data") else v
        if isinstance(v, pd.DataFrame):
            parts.append(v.to_csv(index=False))
    return "\n".join(parts)


def role_users(engine):
    with engine.connect() as conn:
        first_zone = conn.execute(sa.select(zone.c.code).order_by(zone.c.id)).scalar()
        first_center = conn.execute(sa.select(center.c.code).order_by(center.c.id)).scalar()
    return {"zone": f"zone.{first_zone.lower()}", "center": f"center.{first_center.lower()}"}


@pytest.mark.parametrize("role", ["zone", "center"])
@pytest.mark.parametrize("page, params", CENTER_PAGES, ids=[p for p, _ in CENTER_PAGES])
def test_each_page_names_no_center_outside_the_viewers_scope(app_db, role, page, params):
    username = role_users(app_db)[role]
    allowed = set(viewer_for(app_db, username).center_ids)
    names = center_names(app_db)
    forbidden = [n for cid, n in names.items() if cid not in allowed]
    assert forbidden and allowed
    at = open_page(page, as_user=username, params=params)
    assert not at.exception, at.exception
    shown = frames_text(at) + "\n" + texts(at)
    leaked = [n for n in forbidden if n in shown]
    assert not leaked, f"{page} shows {leaked} to {username}"


def test_another_centers_invoice_number_reads_exactly_like_a_missing_one(app_db):
    username = role_users(app_db)["center"]
    mine = set(viewer_for(app_db, username).center_ids)
    with app_db.connect() as conn:
        theirs = conn.execute(sa.select(sync_document.c.document_no)
                              .where(sync_document.c.center_id.not_in(mine),
                                     sync_document.c.kind.in_(["invoice", "summary_invoice"]))
                              .order_by(sync_document.c.document_no).limit(1)).scalar()
        own = conn.execute(sa.select(sale_order.c.invoice_no).where(sale_order.c.center_id.in_(mine))
                           .order_by(sale_order.c.invoice_no).limit(1)).scalar()
    forbidden = open_page("sale_order_summary_details", as_user=username, params={"invoice": theirs})
    missing = open_page("sale_order_summary_details", as_user=username, params={"invoice": "NO-SUCH-1"})
    allowed = open_page("sale_order_summary_details", as_user=username, params={"invoice": own})
    assert not forbidden.exception and not missing.exception and not allowed.exception
    assert f"No summary invoice or invoice numbered {theirs} in your centers." in texts(forbidden)
    assert texts(forbidden).replace(theirs, "X") == texts(missing).replace("NO-SUCH-1", "X")
    assert "in your centers" not in texts(allowed)


def test_a_center_filter_naming_another_center_shows_nothing_of_it(app_db):
    username = role_users(app_db)["center"]
    mine = set(viewer_for(app_db, username).center_ids)
    with app_db.connect() as conn:
        other_code, other_name = conn.execute(sa.select(center.c.code, center.c.name)
                                              .where(center.c.id.not_in(mine)).limit(1)).first()
    at = open_page("sale_orders", as_user=username, params={**RANGE, "center": other_code})
    assert not at.exception
    assert other_name not in frames_text(at) + texts(at)
