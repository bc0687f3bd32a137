"""Platform names read as the vendors spell them on every report page: never "quickbooks online" or "qbo"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.app.conftest import open_page, texts
from tests.conftest import DEMO_END

RANGE = {"date_from": (DEMO_END - timedelta(days=45)).isoformat(), "date_to": DEMO_END.isoformat()}
LOWER = re.compile(r"quickbooks online|\bqbo\b|\bxero\b|sage intacct|\bnetsuite\b")  # case-sensitive


def shown(at) -> str:
    parts = [texts(at)]
    for d in at.dataframe:
        df = d.value.data if hasattr(d.value, "data") else d.value
        for column in df.columns:
            parts.extend(str(v) for v in df[column].tolist())
    return "\n".join(parts)


@pytest.mark.parametrize("page", ["sync_status", "sale_orders", "payments", "misc_journal_entries", "items",
                                  "chart_of_accounts", "operations", "trends"])
def test_platform_names_are_spelled_properly(app_db, page):
    at = open_page(page, params=RANGE)
    assert not at.exception
    found = sorted({m.group(0) for m in LOWER.finditer(shown(at))})
    assert not found, found
