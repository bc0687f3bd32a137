"""Contrast of our own colours where axe-core cannot look (issue 21 item 11; docs/ACCESSIBILITY.md): the data grid
is drawn on a canvas, so the row fills of tables.FILLS are checked here against the theme's text colour (and the
pinned columns' text, drawn at 60 % opacity: measured in a screenshot, #6F6464 on the failed fill), and the captions
(also the text colour at 60 % opacity) against white and the sidebar's grey."""

from __future__ import annotations

import re
import tomllib

import pytest

from syncstatus.ui.tables import FILLS
from tests.conftest import ROOT

AA = 4.5  # WCAG 2.x level AA for normal-size text


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def luminance(c: tuple[float, float, float]) -> float:
    def lin(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(v) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(fg, bg, alpha: float) -> tuple[float, float, float]:
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True))


TEXT = rgb(tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]["textColor"])


def test_the_contrast_formula_matches_wcags_examples():
    assert ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert ratio(rgb("#767676"), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("kind", sorted(FILLS))
def test_text_on_every_row_fill_reads_at_aa(kind):
    fill = re.search(r"background-color:\s*(#[0-9a-fA-F]{6})", FILLS[kind]).group(1)
    assert ratio(TEXT, rgb(fill)) >= AA, f"{kind} fill {fill}"


@pytest.mark.parametrize("background", ["#ffffff", "#f8f8f7"])  # the main area; the sidebar
def test_captions_read_at_aa(background):
    bg = rgb(background)
    assert ratio(over(TEXT, bg, 0.6), bg) >= AA


@pytest.mark.parametrize("kind", sorted(FILLS))
def test_pinned_columns_text_on_every_row_fill_reads_at_aa(kind):
    """The grid draws pinned columns (Zone, Center Name on Sync Status) in the text colour at 60 % opacity."""
    fill = rgb(re.search(r"background-color:\s*(#[0-9a-fA-F]{6})", FILLS[kind]).group(1))
    assert ratio(over(TEXT, fill, 0.6), fill) >= AA, kind
