"""The Sync Status page as a user drives it (AppTest), on SQLite and PostgreSQL demo data."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from syncstatus.reports import sync_status
from syncstatus.schema import center
from tests.app.conftest import open_page, texts
from tests.conftest import DEMO_END

RANGE = {"date_from": (DEMO_END - timedelta(days=30)).isoformat(), "date_to": DEMO_END.isoformat()}


def frame(element):
    return element.value.data if hasattr(element.value, "data") else element.value


def report_frame(at):
    """The report as the page shows it: the centers' table, then the totals row (drawn above it, on its own)."""
    import pandas as pd

    totals, centers = frame(at.dataframe[0]), frame(at.dataframe[1])
    assert len(totals) == 1 and totals.iloc[0]["Zone"] == "Total"
    assert "Total" not in set(centers["Zone"])
    return pd.concat([centers, totals], ignore_index=True)


def test_the_table_has_the_exact_headers_in_order_and_a_totals_row(app_db):
    at = open_page("sync_status", params=RANGE)
    assert not at.exception
    df = report_frame(at)
    assert list(df.columns) == sync_status.COLUMNS
    assert df.iloc[-1]["Zone"] == "Total"
    assert set(df["Mode"][:-1]) <= {"Invoice Wise", "Day Wise", "Invoice Wise as journal entries",
                                    "Day Wise as journal entries", sync_status.UNCONFIGURED_MODE} | {
        m for m in df["Mode"] if "(switched on " in m}
    assert df["Mode"][:-1].str.len().gt(0).all()
    for line in ("Invoices", "Misc. Journals"):
        assert (df[f"Total {line}"] == df[f"Processed {line}"] + df[f"Pending {line}"] + df[f"Failed {line}"]).all()


def test_filters_from_the_url_change_the_result_and_restore_the_view(app_db):
    with app_db.connect() as conn:
        first = conn.execute(sa.select(center.c.code, center.c.name).order_by(center.c.code)).first()
    at = open_page("sync_status", params={**RANGE, "center": first.code})
    df = report_frame(at)
    assert list(df["Center Name"][:-1]) == [first.name]
    assert at.multiselect(key="center").value == [first.code]
    everyone = report_frame(open_page("sync_status", params=RANGE))
    assert len(everyone) > len(df)


def test_status_filter_in_the_url_keeps_only_centers_with_failures(app_db):
    df = report_frame(open_page("sync_status", params={**RANGE, "status": "failed"}))
    body = df.iloc[:-1]
    assert len(body) > 0
    assert ((body["Failed Invoices"] + body["Failed Misc. Journals"]) > 0).all()


def test_a_center_level_user_sees_only_their_center(app_db):
    with app_db.connect() as conn:
        first = conn.execute(sa.select(center.c.code, center.c.name).order_by(center.c.id)).first()
    at = open_page("sync_status", as_user=f"center.{first.code.lower()}", params=RANGE)
    assert not at.exception
    df = report_frame(at)
    assert list(df["Center Name"][:-1]) == [first.name]
    assert df.iloc[-1]["Center Name"] == "1 center"
    # no zone/center pickers for a single-center viewer
    assert not [m for m in at.multiselect if m.key == "center"]


def test_a_range_without_documents_explains_itself(app_db):
    at = open_page("sync_status", params={"date_from": "2001-01-01", "date_to": "2001-01-31"})
    assert not at.exception
    assert "No documents in these dates" in texts(at)


def test_invalid_url_values_do_not_crash_the_page(app_db):
    at = open_page("sync_status", params={"date_from": "'; DROP TABLE center; --", "status": "<script>",
                                          "center": "../../etc/passwd"})
    assert not at.exception
    df = report_frame(at)
    assert list(df.columns) == sync_status.COLUMNS


def test_a_shared_link_naming_another_center_says_so_and_the_url_shows_what_is_shown(app_db):
    with app_db.connect() as conn:
        first, other = conn.execute(sa.select(center.c.code, center.c.name).order_by(center.c.id).limit(2)).all()
    at = open_page("sync_status", as_user=f"center.{first.code.lower()}", params={**RANGE, "center": other.code})
    assert not at.exception
    assert list(report_frame(at)["Center Name"][:-1]) == [first.name]
    assert f"{other.code} is not among your centers; showing yours." in texts(at)
    assert _as_list(at.query_params["center"]) == [first.code]


def test_a_zone_user_with_a_foreign_center_in_the_link_keeps_the_rest(app_db):
    from syncstatus.access import viewer_for
    from syncstatus.reports.filters import center_directory

    zone_user = next(u for u in _usernames(app_db) if u.startswith("zone"))
    mine = center_directory(app_db, viewer_for(app_db, zone_user).center_ids)
    with app_db.connect() as conn:
        foreign = conn.execute(sa.select(center.c.code).where(center.c.code.not_in(list(mine["center_code"])))
                               .order_by(center.c.code)).scalars().first()
    own = mine["center_code"].iloc[0]
    at = open_page("sync_status", as_user=zone_user, params={**RANGE, "center": [own, foreign]})
    assert not at.exception
    assert f"{foreign} is not among your centers; showing {own}." in texts(at)
    assert _as_list(at.query_params["center"]) == [own]
    assert at.multiselect(key="center").value == [own]


def _usernames(engine):
    with engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT username FROM app_user ORDER BY username")).scalars())


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]

