"""The Trends page as a user drives it (AppTest), on SQLite and PostgreSQL demo data."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from syncstatus import messages
from syncstatus.reports import trends
from syncstatus.schema import center
from tests.app.conftest import open_page, texts
from tests.conftest import DEMO_END

RANGE = {"date_from": (DEMO_END - timedelta(days=44)).isoformat(), "date_to": DEMO_END.isoformat()}


def figures(at) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def figure(at, title_part: str) -> dict:
    for fig in figures(at):
        title = fig["layout"].get("title", {})
        title = title.get("text", "") if isinstance(title, dict) else str(title)
        if title_part in title or any(a.get("text") == title_part for a in fig["layout"].get("annotations", [])):
            return fig
    raise AssertionError(f"no figure titled {title_part!r}")


def as_day(x) -> date:
    return date.fromisoformat(str(x)[:10])


def test_the_page_draws_every_chart_and_lists_fixes_for_the_top_causes(app_db):
    at = open_page("trends", params=RANGE)
    assert not at.exception
    body = texts(at)
    for heading in ("Failed vs processed", "Where", "Why: failures by root cause", "Deleted accounts and items",
                    "Pending age", "Failure spikes"):
        assert heading in body
    assert len(figures(at)) >= 5
    assert "What to do about the top causes" in body
    assert any(hint in body for hint in messages.FIX_HINTS.values())


def test_grain_and_breakdown_come_from_the_url(app_db):
    at = open_page("trends", params={**RANGE, "grain": "week", "by": "zone"})
    assert not at.exception
    assert at.session_state["grain"] == "week" and at.session_state["by"] == "zone"
    volume = figures(at)[0]
    bars = [t for t in volume["data"] if t.get("type") == "bar"]
    assert bars and all(as_day(x).weekday() == 0 for t in bars for x in t["x"])  # weeks start on Monday
    where = figure(at, "Failure rate by zone")
    keys = [json.loads(c[0]) for c in where["data"][0]["customdata"]]
    assert keys and all("zone" in k and k["status"] == "failed" for k in keys)


def test_monthly_totals_equal_the_daily_totals(app_db):
    def failed_total(at):
        return sum(sum(t["y"]) for t in figures(at)[0]["data"] if t.get("name") == "Failed")

    daily = open_page("trends", params={**RANGE, "grain": "day"})
    monthly = open_page("trends", params={**RANGE, "grain": "month"})
    assert failed_total(daily) == failed_total(monthly) > 0


def test_the_deleted_references_series_is_highlighted(app_db):
    at = open_page("trends", params=RANGE)
    causes = figure(at, "Failures by root cause")
    deleted = [t for t in causes["data"] if t.get("meta") == trends.DELETED_CATEGORY]
    assert len(deleted) == 1
    assert deleted[0]["marker"]["pattern"]["shape"] and deleted[0]["marker"]["color"] == "#ff5a00"


def test_a_bad_grain_in_the_url_falls_back_to_days_without_an_error(app_db):
    at = open_page("trends", params={**RANGE, "grain": "fortnight", "by": "planet"})
    assert not at.exception
    bars = [t for t in figures(at)[0]["data"] if t.get("type") == "bar"]
    assert len(bars[0]["x"]) == 45  # one bar per day


def test_a_range_without_documents_explains_itself(app_db):
    at = open_page("trends", params={"date_from": "2001-01-01", "date_to": "2001-01-31"})
    assert not at.exception
    assert "No invoices or misc. journals" in texts(at) and "Widen the dates" in texts(at)
    assert not figures(at)


def test_a_center_level_user_sees_only_their_center(app_db):
    with app_db.connect() as conn:
        first = conn.execute(sa.select(center.c.code, center.c.name).order_by(center.c.id)).first()
    at = open_page("trends", as_user=f"center.{first.code.lower()}", params={**RANGE, "by": "center"})
    assert not at.exception
    where = figure(at, "Failure rate by center")
    assert where["data"][0]["y"] == [first.name]
