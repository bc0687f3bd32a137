"""Values from the data or the URL are shown as text: markdown escaped for Streamlit, HTML escaped for Plotly.
The browser test (tests/reliability/test_markup_in_browser.py) checks what Chromium renders; these pin the rules."""

from __future__ import annotations

import string
from datetime import date

import pandas as pd

from syncstatus import charts
from syncstatus.reports.filters import ReportFilters
from syncstatus.reports.trends import BREAKDOWN_COLUMNS
from syncstatus.ui.tables import WORD_JOINER, escape_markdown

HOSTILE = ('<a href="http://192.0.2.1/a">x</a> ![i](http://192.0.2.1/i.png) [m](https://e.test) www.e.test '
           "a@e.test :red[r] &lt;b&gt; # h")


def test_every_punctuation_character_is_escaped_so_no_markdown_html_or_entity_survives():
    out = escape_markdown(HOSTILE)
    for i, ch in enumerate(out):
        if ch in string.punctuation and ch != "\\":
            assert out[i - 1] == "\\", f"{ch!r} unescaped at {i}: {out}"
    # what remains, with escapes removed, is exactly the value (plus invisible joiners)
    assert out.replace("\\", "").replace(WORD_JOINER, "") == HOSTILE.replace("\\", "")


def test_bare_urls_and_addresses_are_split_by_a_word_joiner_so_they_cannot_autolink():
    out = escape_markdown("see https://e.test, WWW.e.test and a@e.test")
    assert f"https\\:{WORD_JOINER}\\/\\/" in out and f"WWW{WORD_JOINER}\\." in out and f"a{WORD_JOINER}\\@" in out
    assert escape_markdown("Lakeside Spa 12") == "Lakeside Spa 12"  # ordinary names are untouched


def test_plotly_labels_from_data_escape_html_but_keep_the_text():
    assert charts.plain('<a href="x">A & B</a>') == '&lt;a href="x"&gt;A &amp; B&lt;/a&gt;'
    bd = pd.DataFrame([["C1", HOSTILE, "Z", 1, 5, 0, 5, 10, 0.5]], columns=BREAKDOWN_COLUMNS)
    fig = charts.breakdown_figure(bd, "center", ReportFilters(date(2026, 11, 1), date(2026, 11, 20)))
    [bar] = fig.data
    assert list(bar.y) == [charts.plain(HOSTILE)] and "<a" not in bar.y[0]
    assert bar.customdata[0][1] == charts.plain(HOSTILE)  # the hover text
