"""Plotly figures of the Trends page: pure functions from report frames to `plotly.graph_objects.Figure`.

Text from the data (center, zone, account and item names, codes) goes through `plain` before it becomes a tick
label, hover text, title or legend name: Plotly reads a subset of HTML there (<a href>, <b>, <br>).

Every clickable point carries its drill key (reports.trends.drill_key) as custom_data[0]: date-axis bars report
wrong x values on selection (GH#11276), so the page reads the key, never x. Lines get markers so that they can be
clicked at all (GH#8824).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from syncstatus import messages
from syncstatus.reports.filters import ReportFilters
from syncstatus.reports.trends import (
    AGE_BUCKETS,
    DELETED_CATEGORY,
    LINES,
    bucket_dates,
    drill_key,
    period_end,
    period_start,
)
from syncstatus.wording import plural

COLORS = {"processed": "#4c9a6a", "pending": "#f2b134", "failed": "#c0392b", "rate": "#1f3f8f",
          "spike": "#d7191c", "baseline": "#8c8c8c"}
DELETED_COLOR = "#ff5a00"      # the deleted-references series: strong orange, hatched, dark outline
DELETED_OUTLINE = "#7a1500"
DELETED_PATTERN = "x"
# Muted colours for the other causes, so the deleted series stands out.
CAUSE_COLORS = {
    "mapping_missing": "#4e79a7", "duplicate": "#76b7b2", "stale_object": "#9c9ede", "period_locked": "#8cd17d",
    "validation": "#b6992d", "document_state": "#86bcb6", "authorization": "#a0cbe8", "subscription": "#d4a6c8",
    "rate_limit": "#bab0ac", "platform_unavailable": "#d7b5a6", "unknown": "#9d9d9d",
}
AGE_COLORS = ("#fde0c5", "#facba6", "#f59e72", "#b4332e")
STATUS_NAMES = {"processed": "Processed", "pending": "Pending", "failed": "Failed"}
PERIOD_FORMATS = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y"}
_MARGIN = dict(l=10, r=10, t=40, b=10)
_MARGIN_LEGEND = dict(l=10, r=10, t=90, b=10)  # title above a horizontal legend


def plain(text) -> str:
    """A value from the data, shown by Plotly as text: its `<`, `>` and `&` escaped, so `<a href=…>` in a center
    name stays those characters instead of becoming a link."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _period_label(start: date, end: date, grain: str) -> str:
    if grain == "day":
        return f"{start:%a %d %b %Y}"
    if grain == "week":
        return f"Week {start:%d %b} – {end:%d %b %Y}"
    whole = start.day == 1 and end == period_end(start, "month")
    return f"{start:%b %Y}" if whole else f"{start:%d %b} – {end:%d %b %Y}"


RATE_STEPS = (0.01, 0.02, 0.05, 0.10, 0.20, 0.25)
MAX_TICKS = 12  # period labels on the x-axis; more periods label every 2nd, 3rd, … one


def rate_axis(top: float | None) -> dict:
    """A failure-rate axis that ticks at round percentages: the smallest step of RATE_STEPS giving at most five
    intervals up to the highest rate (plus headroom), the range ending on a tick and never above 100 %."""
    top = float(top) if top is not None and pd.notna(top) and top > 0 else 0.0
    wanted = min(1.0, max(0.05, top * 1.1))
    step = next((s for s in RATE_STEPS if wanted / s <= 5 + 1e-9), RATE_STEPS[-1])
    upper = round(min(1.0, step * -(-round(wanted / step, 9) // 1)), 6)
    return dict(tickformat=".0%", tick0=0, dtick=step, range=[0, upper])


def period_days(start: date, end: date) -> int:
    return (end - start).days + 1


def partial_note(period: date, first: date, last: date, grain: str) -> str:
    """'' for a whole week or month; 'partial: 12 of 31 days' when the range covers only part of it."""
    if grain == "day":
        return ""
    whole = period_days(period, period_end(period, grain))
    shown = period_days(first, last)
    return "" if shown >= whole else f"partial: {shown} of {whole} days"


def tick_label(period: date, grain: str) -> str:
    """The x-axis label of a period: a date (day), 'w/c 3 Aug' (week commencing), 'Aug 2026' (month)."""
    if grain == "month":
        return f"{period:%b %Y}"
    if grain == "week":
        return f"w/c {period.day} {period:%b}"
    return f"{period.day} {period:%b}"


def period_axis(periods: pd.DataFrame, grain: str) -> dict:
    """X-axis settings that label each period for its grain (at most MAX_TICKS labels; the partial first or last
    period's label says so). `periods`: period, period_from, period_to."""
    p = periods.drop_duplicates("period").sort_values("period")
    if p.empty:
        return {}
    every = -(-len(p) // MAX_TICKS)
    vals, text = [], []
    for i, (period, a, b) in enumerate(zip(p["period"], p["period_from"], p["period_to"], strict=True)):
        note = partial_note(period, a, b, grain)
        if i % every and not note:
            continue
        vals.append(period)
        text.append(tick_label(period, grain) + (f"<br>({note})" if note else ""))
    return dict(type="date", tickmode="array", tickvals=vals, ticktext=text)


PARTIAL_OPACITY = 0.45  # a partial period's bars are lighter


def _opacity(v: pd.DataFrame, grain: str) -> list[float]:
    return [PARTIAL_OPACITY if partial_note(p, a, b, grain) else 1.0
            for p, a, b in zip(v["period"], v["period_from"], v["period_to"], strict=True)]


def _custom(keys: list[str], labels: list[str]) -> list[list[str]]:
    return [[k, lbl] for k, lbl in zip(keys, labels, strict=True)]


def _empty(title: str, note: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, margin=_MARGIN, height=220,
                      annotations=[dict(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")],
                      xaxis=dict(visible=False), yaxis=dict(visible=False))
    return fig


# --- failed vs processed over time ---------------------------------------------------------------------

def volume_figure(volume: pd.DataFrame, grain: str, spikes: pd.DataFrame | None = None) -> go.Figure:
    """Per line (invoices, misc. journals): processed, pending and failed stacked per period, and the failure
    rate (failed / (processed + failed)) on a second axis. Spike days are marked on the first panel's rate axis."""
    lines = [ln for ln in LINES if ln in set(volume["report_line"])] or list(LINES)
    fig = make_subplots(rows=len(lines), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=[LINES[ln] for ln in lines], specs=[[{"secondary_y": True}]] * len(lines))
    for row, line in enumerate(lines, start=1):
        v = volume[volume["report_line"] == line].sort_values("period")
        labels = [_period_label(a, b, grain) for a, b in zip(v["period_from"], v["period_to"], strict=True)]
        labels = [lbl + (f" ({n})" if (n := partial_note(p, a, b, grain)) else "")
                  for lbl, p, a, b in zip(labels, v["period"], v["period_from"], v["period_to"], strict=True)]
        x = list(v["period"])
        opacity = _opacity(v, grain)
        for status in ("processed", "pending", "failed"):
            keys = [drill_key(line=line, status=status, **{"from": a, "to": b})
                    for a, b in zip(v["period_from"], v["period_to"], strict=True)]
            fig.add_trace(go.Bar(
                x=x, y=v[status].tolist(), name=STATUS_NAMES[status], legendgroup=status, showlegend=row == 1,
                marker=dict(color=COLORS[status], opacity=opacity), customdata=_custom(keys, labels),
                hovertemplate=f"%{{customdata[1]}}<br>{LINES[line]} {status}: %{{y:,}}<extra></extra>",
            ), row=row, col=1, secondary_y=False)
        keys = [drill_key(line=line, status="failed", **{"from": a, "to": b})
                for a, b in zip(v["period_from"], v["period_to"], strict=True)]
        totals = [f"{int(f):,} failed of {int(p + f):,} processed + failed"
                  for p, f in zip(v["processed"], v["failed"], strict=True)]
        fig.add_trace(go.Scatter(
            x=x, y=v["failure_rate"].tolist(), name="Failure rate", legendgroup="rate", showlegend=row == 1,
            mode="lines+markers", line=dict(color=COLORS["rate"], width=2), marker=dict(size=7),
            customdata=[[k, lbl, t] for k, lbl, t in zip(keys, labels, totals, strict=True)],
            hovertemplate="%{customdata[1]}<br>Failure rate %{y:.1%}<br>%{customdata[2]}<extra></extra>",
            connectgaps=False, cliponaxis=False,  # a 100 % point sits on the axis's top, drawn whole
        ), row=row, col=1, secondary_y=True)
        fig.update_yaxes(title_text="Documents", row=row, col=1, secondary_y=False, rangemode="tozero")
        top = v["failure_rate"].max()
        if row == 1 and spikes is not None and not spikes.empty:  # spike markers share the first panel's axis
            top = max(float(spikes["rate"].max()), float(top) if pd.notna(top) else 0.0)
        fig.update_yaxes(title_text="Failure rate", row=row, col=1, secondary_y=True, showgrid=False,
                         **rate_axis(top))
    if spikes is not None and not spikes.empty:
        s = spikes.sort_values("sync_date")
        names = [plain(n) for n in (s["center_name"] if "center_name" in s else s["center_id"].astype(str))]
        fig.add_trace(go.Scatter(
            x=[period_start(d, grain) for d in s["sync_date"]], y=s["rate"].tolist(), name="Failure spike (a center)",
            mode="markers", cliponaxis=False, marker=dict(symbol="triangle-up", size=13, color=COLORS["spike"],
                                        line=dict(color="#000000", width=1)),
            customdata=[[drill_key(center=c, status="failed", line="invoices", **{"from": d, "to": d}),
                         f"{n} on {d:%d %b %Y}", f"{r:.1%} vs baseline {b:.1%}"]
                        for c, n, d, r, b in zip(s["center_code"], names, s["sync_date"], s["rate"],
                                                 s["base_mean"], strict=True)],
            hovertemplate="Spike: %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        ), row=1, col=1, secondary_y=True)
    fig.update_layout(barmode="stack", height=260 * len(lines) + 80, margin=_MARGIN, hovermode="closest",
                      legend=dict(orientation="h", yanchor="bottom", y=1.04, x=0), bargap=0.15)
    fig.update_xaxes(**(period_axis(volume, grain) or dict(type="date")))
    return fig


# --- failures by root cause --------------------------------------------------------------------------------

def cause_order(causes: pd.DataFrame) -> list[str]:
    """Deleted references first (drawn at the bottom of each stack), then biggest cause first."""
    totals = causes.groupby("category")["failed"].sum().sort_values(ascending=False, kind="stable")
    order = [c for c in totals.index if c != DELETED_CATEGORY]
    return ([DELETED_CATEGORY] if DELETED_CATEGORY in totals.index else []) + order


def causes_figure(causes: pd.DataFrame, grain: str) -> go.Figure:
    """Failed documents per period stacked by root cause; the deleted-references cause is highlighted."""
    if causes.empty:
        return _empty("Failures by root cause", "No failed documents in these dates.")
    fig = go.Figure()
    for cat in cause_order(causes):
        c = causes[causes["category"] == cat].sort_values("period")
        label = plain(messages.CATEGORY_LABELS.get(cat, cat))
        labels = [_period_label(a, b, grain) for a, b in zip(c["period_from"], c["period_to"], strict=True)]
        keys = [drill_key(status="failed", category=cat, **{"from": a, "to": b})
                for a, b in zip(c["period_from"], c["period_to"], strict=True)]
        deleted = cat == DELETED_CATEGORY
        marker = (dict(color=DELETED_COLOR, line=dict(color=DELETED_OUTLINE, width=2),
                       pattern=dict(shape=DELETED_PATTERN, fgcolor=DELETED_OUTLINE, size=6, solidity=0.25))
                  if deleted else dict(color=CAUSE_COLORS.get(cat, "#9d9d9d")))
        fig.add_trace(go.Bar(
            x=list(c["period"]), y=c["failed"].tolist(), name=("⚠ " + label) if deleted else label,
            marker=marker, customdata=_custom(keys, labels), meta=cat,
            hovertemplate=f"%{{customdata[1]}}<br>{label}: %{{y:,}} failed<extra></extra>",
        ))
    fig.update_layout(barmode="stack", title="Failures by root cause", height=380, margin=_MARGIN,
                      legend=dict(orientation="v", x=1.01, y=1), yaxis_title="Failed documents", bargap=0.15)
    fig.update_xaxes(**(period_axis(causes, grain) or dict(type="date")))
    return fig


# --- breakdown by zone or center ------------------------------------------------------------------------

def breakdown_figure(bd: pd.DataFrame, by: str, f: ReportFilters, limit: int = 30) -> go.Figure:
    """Ranked failure rate per zone or center; bar thickness and label show the volume, so a big center's 2%
    and a small center's 40% are both visible."""
    what = "zone" if by == "zone" else "center"
    if bd.empty:
        return _empty(f"Failure rate by {what}", "No documents in these dates.")
    top = bd.head(limit).iloc[::-1]  # worst at the top of a horizontal bar chart
    biggest = max(int(bd["total"].max()), 1)
    widths = [0.25 + 0.65 * (int(t) / biggest) ** 0.5 for t in top["total"]]
    keys = [drill_key(**{what: k, "status": "failed", "from": f.date_from, "to": f.date_to}) for k in top["key"]]
    names = [plain(n) for n in top["name"]]
    details = [f"{int(fl):,} failed · {int(p):,} processed · {int(pe):,} pending"
               for fl, p, pe in zip(top["failed"], top["processed"], top["pending"], strict=True)]
    fig = go.Figure(go.Bar(
        x=top["failure_rate"].tolist(), y=names, orientation="h", width=widths,
        marker=dict(color=top["failure_rate"].tolist(), colorscale=[[0, "#f6c1b9"], [1, COLORS["failed"]]],
                    cmin=0, cmax=max(float(bd["failure_rate"].max()), 0.01)),
        text=[f"{r:.1%} of {int(t):,}" for r, t in zip(top["failure_rate"], top["total"], strict=True)],
        textposition="outside", cliponaxis=False,
        customdata=[[k, n, d] for k, n, d in zip(keys, names, details, strict=True)],
        hovertemplate="%{customdata[1]}<br>Failure rate %{x:.1%}<br>%{customdata[2]}<extra></extra>",
        name="Failure rate",
    ))
    shown = f" (worst {limit} of {len(bd)})" if len(bd) > limit else ""
    # round-percentage ticks up to at most 100 %; the labels outside the bars may run into the right margin
    fig.update_layout(title=f"Failure rate by {what}{shown} · bar thickness = documents",
                      margin=dict(_MARGIN, r=130), height=max(260, 28 * len(top) + 90),
                      xaxis=rate_axis(float(bd["failure_rate"].head(limit).max()) * 1.15), showlegend=False)
    return fig


# --- pending age -----------------------------------------------------------------------------------------------

def pending_age_figure(pending: pd.DataFrame, today: date, f: ReportFilters, limit: int = 25) -> go.Figure:
    """Pending documents per center by age bucket (stacked), oldest first; hover shows the oldest pending date."""
    if pending.empty:
        return _empty("Pending documents by age", "Nothing pending in these dates.")
    top = pending.head(limit).iloc[::-1]
    names = [plain(n) for n in top["center_name"]]
    fig = go.Figure()
    for i, (label, _, _) in enumerate(AGE_BUCKETS):
        d0, d1 = bucket_dates(i, today, f)
        keys = [drill_key(center=c, status="pending", **{"from": d0, "to": d1}) for c in top["center_code"]]
        oldest = [f"oldest pending {o:%d %b %Y}" for o in top["oldest_sync_date"]]
        fig.add_trace(go.Bar(
            x=top[label].tolist(), y=names, orientation="h", name=label,
            marker_color=AGE_COLORS[i],
            customdata=[[k, n, o] for k, n, o in zip(keys, names, oldest, strict=True)],
            hovertemplate=f"%{{customdata[1]}}<br>{label}: %{{x:,}} pending<br>%{{customdata[2]}}<extra></extra>",
        ))
    shown = f" (oldest {limit} of {plural(len(pending), 'center')})" if len(pending) > limit else ""
    fig.update_layout(barmode="stack", title=f"Pending documents by age{shown}", margin=_MARGIN_LEGEND,
                      height=max(240, 28 * len(top) + 100), xaxis_title="Pending documents",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, traceorder="normal"))
    return fig


# --- deleted accounts and items ------------------------------------------------------------------------------

def deleted_refs_figure(refs: pd.DataFrame, f: ReportFilters, limit: int = 20) -> go.Figure:
    """Deleted or inactive accounts and items ranked by the failed and pending documents they block."""
    blocking = refs[refs["blocked_documents"] > 0] if len(refs) else refs
    if blocking.empty:
        return _empty("Deleted accounts and items blocking documents",
                      "No failed or pending document references a deleted or inactive account or item.")
    top = blocking.head(limit).iloc[::-1]
    names = [plain(f"{c} · {k} {code} {n} ({s})") for c, k, code, n, s in
             zip(top["center_name"], top["ref_kind"], top["code"], top["name"], top["state"], strict=True)]
    fig = go.Figure()
    for status, marker in (("failed", dict(color=DELETED_COLOR, line=dict(color=DELETED_OUTLINE, width=2),
                                          pattern=dict(shape=DELETED_PATTERN, fgcolor=DELETED_OUTLINE, size=6,
                                                       solidity=0.25))),
                           ("pending", dict(color=COLORS["pending"]))):
        keys = [drill_key(center=c, status=status, category=DELETED_CATEGORY if status == "failed" else None,
                          **{"from": f.date_from, "to": f.date_to}) for c in top["center_code"]]
        fig.add_trace(go.Bar(
            x=top[f"{status}_documents"].tolist(), y=names, orientation="h", name=f"{STATUS_NAMES[status]} documents",
            marker=marker, customdata=[[k, n] for k, n in zip(keys, names, strict=True)],
            hovertemplate=f"%{{customdata[1]}}<br>{STATUS_NAMES[status]}: %{{x:,}} documents<extra></extra>",
        ))
    fig.update_layout(barmode="stack", title="Deleted accounts and items blocking documents", margin=_MARGIN_LEGEND,
                      height=max(240, 30 * len(top) + 100), xaxis_title="Documents blocked",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, traceorder="normal"))
    return fig


# --- spikes ------------------------------------------------------------------------------------------------------

def spikes_figure(spikes: pd.DataFrame) -> go.Figure:
    """Each spike day: the center's failure rate (red triangle) against its trailing baseline (grey), joined."""
    if spikes.empty:
        return _empty("Failure-rate spikes", "No center's failure rate rose well above its baseline.")
    s = spikes.sort_values(["sync_date", "center_name"])
    xs, ys = [], []
    for d, r, b in zip(s["sync_date"], s["rate"], s["base_mean"], strict=True):
        xs += [d, d, None]
        ys += [b, r, None]
    labels = [f"{plain(n)} on {d:%d %b %Y}" for n, d in zip(s["center_name"], s["sync_date"], strict=True)]
    keys = [drill_key(center=c, status="failed", **{"from": d, "to": d})
            for c, d in zip(s["center_code"], s["sync_date"], strict=True)]
    detail = [f"{int(fl):,} failed of {int(n):,} · baseline {b:.1%} (threshold {t:.1%})"
              for fl, n, b, t in zip(s["failed"], s["settled"], s["base_mean"], s["threshold"], strict=True)]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=COLORS["baseline"], width=2),
                             hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=list(s["sync_date"]), y=s["base_mean"].tolist(), mode="markers", name="Baseline",
                             marker=dict(color=COLORS["baseline"], size=8),
                             customdata=[[k, lbl] for k, lbl in zip(keys, labels, strict=True)],
                             hovertemplate="%{customdata[1]}<br>Baseline %{y:.1%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=list(s["sync_date"]), y=s["rate"].tolist(), mode="markers", name="Spike",
                             marker=dict(symbol="triangle-up", color=COLORS["spike"], size=14,
                                         line=dict(color="#000000", width=1)),
                             customdata=[[k, lbl, d] for k, lbl, d in zip(keys, labels, detail, strict=True)],
                             hovertemplate="%{customdata[1]}<br>Failure rate %{y:.1%}<br>%{customdata[2]}"
                                           "<extra></extra>"))
    fig.update_layout(title="Failure-rate spikes (center's rate vs its trailing baseline)", margin=_MARGIN_LEGEND,
                      height=320, yaxis=rate_axis(float(s["rate"].max())), hovermode="closest",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, traceorder="normal"))
    fig.update_xaxes(type="date")
    return fig
