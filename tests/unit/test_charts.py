"""The Trends figures show exactly the counts given, bucketed by day, week (Monday) or month, with the
deleted-references series highlighted and a drill key on every clickable point."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from syncstatus import charts, messages
from syncstatus.reports import trends
from syncstatus.reports.filters import ReportFilters


def series(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=trends.SERIES_COLUMNS)


def traces(fig: go.Figure, name: str) -> list:
    return [t for t in fig.data if t.name == name]


def as_dates(xs) -> list[date]:
    return [x if isinstance(x, date) else date.fromisoformat(str(x)[:10]) for x in xs]


def by_x(trace) -> dict[date, float]:
    return dict(zip(as_dates(trace.x), trace.y, strict=True))


def keys(trace) -> list[dict]:
    return [json.loads(c[0]) for c in trace.customdata]


# A range that crosses a month boundary inside one week and contains the leap day 2024-02-29 (a Thursday).
LEAP = ReportFilters(date(2024, 2, 21), date(2024, 3, 6))
LEAP_SERIES = series(
    (date(2024, 2, 21), "invoices", "processed", "", 10),   # Wed, week of Mon 19 Feb (starts before the range)
    (date(2024, 2, 25), "invoices", "failed", "duplicate", 2),  # Sun, same week
    (date(2024, 2, 26), "invoices", "processed", "", 7),    # Mon: a new week
    (date(2024, 2, 29), "invoices", "failed", "reference_inactive_or_deleted", 3),  # leap day
    (date(2024, 2, 29), "invoices", "pending", "", 4),
    (date(2024, 3, 1), "invoices", "processed", "", 5),     # Fri: same week as the leap day, another month
    (date(2024, 3, 3), "misc_journals", "failed", "mapping_missing", 1),  # Sun: last day of that week
    (date(2024, 3, 4), "misc_journals", "processed", "", 9),  # Mon
)


def test_periods_start_on_the_day_the_monday_or_the_first_of_the_month():
    assert trends.period_start(date(2024, 2, 29), "day") == date(2024, 2, 29)
    assert trends.period_start(date(2024, 3, 3), "week") == date(2024, 2, 26)  # Sunday belongs to Monday's week
    assert trends.period_start(date(2024, 2, 26), "week") == date(2024, 2, 26)
    assert trends.period_start(date(2024, 2, 29), "month") == date(2024, 2, 1)
    assert trends.period_end(date(2024, 2, 1), "month") == date(2024, 2, 29)
    assert trends.period_end(date(2023, 2, 1), "month") == date(2023, 2, 28)
    assert trends.period_end(date(2024, 12, 1), "month") == date(2024, 12, 31)
    assert trends.period_end(date(2024, 2, 26), "week") == date(2024, 3, 3)


def test_daily_volume_has_every_day_of_the_range_including_the_leap_day():
    v = trends.volume_by_period(LEAP_SERIES, LEAP, "day")
    inv = v[v["report_line"] == "invoices"].set_index("period")
    assert len(inv) == 15
    assert inv.loc[date(2024, 2, 29), ["processed", "pending", "failed"]].tolist() == [0, 4, 3]
    assert inv.loc[date(2024, 2, 29), "failure_rate"] == 1.0
    assert inv.loc[date(2024, 2, 21), "failure_rate"] == 0.0
    assert pd.isna(inv.loc[date(2024, 2, 22), "failure_rate"])  # no outcome that day: no rate, not 0 %


def test_weekly_volume_groups_monday_to_sunday_across_the_month_boundary():
    v = trends.volume_by_period(LEAP_SERIES, LEAP, "week")
    inv = v[v["report_line"] == "invoices"].set_index("period")
    assert list(inv.index) == [date(2024, 2, 19), date(2024, 2, 26), date(2024, 3, 4)]
    assert inv.loc[date(2024, 2, 19), ["processed", "failed"]].tolist() == [10, 2]
    assert inv.loc[date(2024, 2, 26), ["processed", "pending", "failed"]].tolist() == [12, 4, 3]
    assert inv.loc[date(2024, 2, 26), "failure_rate"] == pytest.approx(3 / 15)
    # the first week sticks out before the range: its drill dates stay inside it
    assert inv.loc[date(2024, 2, 19), "period_from"] == date(2024, 2, 21)
    assert inv.loc[date(2024, 2, 19), "period_to"] == date(2024, 2, 25)
    misc = v[v["report_line"] == "misc_journals"].set_index("period")
    assert misc.loc[date(2024, 2, 26), "failed"] == 1 and misc.loc[date(2024, 3, 4), "processed"] == 9


def test_monthly_volume_puts_the_leap_day_in_february():
    v = trends.volume_by_period(LEAP_SERIES, LEAP, "month")
    inv = v[v["report_line"] == "invoices"].set_index("period")
    assert list(inv.index) == [date(2024, 2, 1), date(2024, 3, 1)]
    assert inv.loc[date(2024, 2, 1), ["processed", "pending", "failed"]].tolist() == [17, 4, 5]
    assert inv.loc[date(2024, 3, 1), "processed"] == 5
    assert (inv.loc[date(2024, 2, 1), "period_from"], inv.loc[date(2024, 2, 1), "period_to"]) == (
        date(2024, 2, 21), date(2024, 2, 29))


def test_monthly_rows_from_the_monthly_rollup_land_in_their_month():
    f = ReportFilters(date(2026, 1, 15), date(2026, 3, 10))
    s = series((date(2026, 2, 1), "invoices", "processed", "", 100),  # a whole month, dated by month_start
               (date(2026, 1, 20), "invoices", "failed", "validation", 5),
               (date(2026, 3, 10), "invoices", "processed", "", 1))
    v = trends.volume_by_period(s, f, "month")
    inv = v[v["report_line"] == "invoices"].set_index("period")
    assert inv["processed"].to_dict() == {date(2026, 1, 1): 0, date(2026, 2, 1): 100, date(2026, 3, 1): 1}
    assert inv.loc[date(2026, 1, 1), "failed"] == 5


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_volume_figure_bars_equal_the_counts_per_period_and_line(grain):
    v = trends.volume_by_period(LEAP_SERIES, LEAP, grain)
    fig = charts.volume_figure(v, grain)
    assert len(fig.data) == 8  # 2 lines × (3 status bars + rate line)
    for status, name in charts.STATUS_NAMES.items():
        bars = traces(fig, name)
        assert len(bars) == 2 and all(isinstance(b, go.Bar) for b in bars)
        for bar, line in zip(bars, trends.LINES, strict=True):
            want = v[v["report_line"] == line].set_index("period")[status].to_dict()
            assert by_x(bar) == want
            assert all(k["status"] == status and k["line"] == line for k in keys(bar))
    assert fig.layout.barmode == "stack"


def test_failure_rate_line_has_markers_and_sits_on_a_second_axis():
    v = trends.volume_by_period(LEAP_SERIES, LEAP, "week")
    fig = charts.volume_figure(v, "week")
    rate = traces(fig, "Failure rate")
    assert len(rate) == 2
    assert "markers" in rate[0].mode  # plain lines cannot be clicked
    assert rate[0].yaxis != traces(fig, "Processed")[0].yaxis
    assert by_x(rate[0])[date(2024, 2, 26)] == pytest.approx(0.2)
    assert "12 failed" not in rate[0].customdata[1][2] and "3 failed of 15" in rate[0].customdata[1][2]


def test_drill_keys_of_a_week_bar_cover_that_week_inside_the_range():
    v = trends.volume_by_period(LEAP_SERIES, LEAP, "week")
    fig = charts.volume_figure(v, "week")
    failed = traces(fig, "Failed")[0]
    k = keys(failed)
    assert k[0] == {"line": "invoices", "status": "failed", "from": "2024-02-21", "to": "2024-02-25"}
    assert k[1]["from"] == "2024-02-26" and k[1]["to"] == "2024-03-03"
    assert "Week 26 Feb – 03 Mar 2024" == failed.customdata[1][1]


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_causes_figure_stacks_failed_documents_by_category_with_labels(grain):
    c = trends.causes_by_period(LEAP_SERIES, LEAP, grain)
    fig = charts.causes_figure(c, grain)
    assert {t.meta for t in fig.data} == {"duplicate", "reference_inactive_or_deleted", "mapping_missing"}
    for t in fig.data:
        want = c[c["category"] == t.meta].set_index("period")["failed"].to_dict()
        assert by_x(t) == want
        assert messages.CATEGORY_LABELS[t.meta] in t.name
        assert all(k["category"] == t.meta and k["status"] == "failed" for k in keys(t))
    assert sum(sum(t.y) for t in fig.data) == 6


def test_deleted_references_are_their_own_highlighted_series():
    c = trends.causes_by_period(LEAP_SERIES, LEAP, "week")
    fig = charts.causes_figure(c, "week")
    deleted = [t for t in fig.data if t.meta == trends.DELETED_CATEGORY]
    assert len(deleted) == 1
    d = deleted[0]
    assert fig.data[0] is d or fig.data[0].meta == trends.DELETED_CATEGORY  # bottom of every stack
    assert d.marker.color == charts.DELETED_COLOR
    assert d.marker.pattern.shape == charts.DELETED_PATTERN
    assert d.marker.line.width >= 2
    assert by_x(d) == {date(2024, 2, 26): 3}
    others = [t for t in fig.data if t is not d]
    assert all(t.marker.pattern.shape in (None, "") and t.marker.color != charts.DELETED_COLOR for t in others)


def test_failures_without_a_category_count_as_unknown():
    s = series((date(2024, 3, 1), "invoices", "failed", "", 2))
    c = trends.causes_by_period(s, LEAP, "day")
    assert c[["category", "failed"]].values.tolist() == [["unknown", 2]]


def test_top_causes_list_the_biggest_with_their_fix_hints():
    c = trends.causes_by_period(LEAP_SERIES, LEAP, "day")
    top = trends.top_causes(c, n=2)
    assert list(top["category"]) == ["reference_inactive_or_deleted", "duplicate"]
    assert list(top["Failed documents"]) == [3, 2]
    assert top["Share"].tolist() == pytest.approx([0.5, 2 / 6])
    assert top["What to do"].iloc[0] == messages.FIX_HINTS["reference_inactive_or_deleted"]


DIRECTORY = pd.DataFrame({
    "center_id": [1, 2, 3], "center_code": ["BIG", "SMALL", "QUIET"],
    "center_name": ["Big Center", "Small Center", "Quiet Center"],
    "zone_code": ["N", "N", "S"], "zone_name": ["North", "North", "South"],
})
COUNTS = pd.DataFrame({
    "center_id": [1, 1, 2, 2, 3, 1],
    "report_line": ["invoices", "invoices", "invoices", "invoices", "misc_journals", "payments"],
    "status": ["processed", "failed", "processed", "failed", "pending", "failed"],
    "category": ["", "duplicate", "", "validation", "", "validation"],
    "documents": [980, 20, 6, 4, 5, 999],
})


def test_breakdown_by_center_ranks_by_failure_rate_and_keeps_the_volume():
    bd = trends.breakdown(DIRECTORY, trends.per_center(COUNTS), "center")
    assert list(bd["key"]) == ["SMALL", "BIG", "QUIET"]
    assert bd["failure_rate"].tolist() == pytest.approx([0.4, 0.02, 0.0])
    assert list(bd["total"]) == [10, 1000, 5]  # payments are not part of the trend


def test_breakdown_by_zone_sums_its_centers():
    bd = trends.breakdown(DIRECTORY, trends.per_center(COUNTS), "zone").set_index("key")
    assert bd.loc["N", ["centers", "processed", "failed"]].tolist() == [2, 986, 24]
    assert bd.loc["N", "failure_rate"] == pytest.approx(24 / 1010)
    assert bd.loc["S", "pending"] == 5


def test_breakdown_figure_shows_rate_as_length_and_volume_as_thickness():
    f = ReportFilters(date(2026, 11, 1), date(2026, 11, 20))
    bd = trends.breakdown(DIRECTORY, trends.per_center(COUNTS), "center")
    fig = charts.breakdown_figure(bd, "center", f)
    bar = fig.data[0]
    got = dict(zip(bar.y, bar.x, strict=True))
    assert got == pytest.approx({"Small Center": 0.4, "Big Center": 0.02, "Quiet Center": 0.0})
    width = dict(zip(bar.y, bar.width, strict=True))
    assert width["Big Center"] > width["Small Center"]
    assert any("1,000" in t for t in bar.text)
    k = {json.loads(c[0])["center"]: json.loads(c[0]) for c in bar.customdata}
    assert k["SMALL"] == {"center": "SMALL", "status": "failed", "from": "2026-11-01", "to": "2026-11-20"}
    assert list(bar.y)[-1] == "Small Center"  # worst at the top


def test_pending_age_buckets_follow_the_age_in_days():
    today = date(2026, 11, 25)
    assert [trends.age_bucket(date(2026, 11, d), today) for d in (26, 25, 24, 23, 22, 18, 17)] == [0, 0, 0, 1, 1, 2, 3]
    b = trends.age_bounds(today)
    assert (b["day1"], b["day3"], b["day7"]) == (date(2026, 11, 24), date(2026, 11, 22), date(2026, 11, 18))


def test_pending_age_figure_stacks_the_buckets_per_center_with_drill_dates():
    today = date(2026, 11, 25)
    f = ReportFilters(date(2026, 11, 1), date(2026, 11, 25))
    rows = pd.DataFrame({"center_id": [1, 1, 2], "age_bucket": [0, 3, 1], "documents": [4, 2, 7],
                         "oldest_sync_date": [date(2026, 11, 24), date(2026, 11, 3), date(2026, 11, 22)]})
    pend = trends.pending_age(rows, DIRECTORY)
    assert list(pend["center_code"]) == ["BIG", "SMALL"]  # oldest pending first
    assert pend.set_index("center_code").loc["BIG", ["0-1 day", "over 7 days", "pending"]].tolist() == [4, 2, 6]
    fig = charts.pending_age_figure(pend, today, f)
    assert [t.name for t in fig.data] == [b[0] for b in trends.AGE_BUCKETS]
    over = traces(fig, "over 7 days")[0]
    assert dict(zip(over.y, over.x, strict=True)) == {"Small Center": 0, "Big Center": 2}
    k = json.loads(over.customdata[list(over.y).index("Big Center")][0])
    assert k == {"center": "BIG", "status": "pending", "from": "2026-11-01", "to": "2026-11-17"}


def test_deleted_refs_are_ranked_by_blocked_documents_and_drawn_hatched():
    f = ReportFilters(date(2026, 11, 1), date(2026, 11, 20))
    rows = pd.DataFrame({
        "center_id": [1, 2, 1], "ref_kind": ["account", "item", "item"], "code": ["4000", "SVC9", "OLD"],
        "name": ["Sales", "Haircut", "Unused"], "deleted_at": [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-02"), None],
        "active": [0, 1, 1], "failed_documents": [3, 5, 0], "pending_documents": [4, 0, 0],
    })
    refs = trends.deleted_refs(rows, DIRECTORY)
    assert list(refs["code"]) == ["4000", "SVC9", "OLD"]
    assert list(refs["blocked_documents"]) == [7, 5, 0]
    assert list(refs["state"]) == ["deleted", "deleted", "inactive"]
    fig = charts.deleted_refs_figure(refs, f)
    failed = fig.data[0]
    assert failed.marker.color == charts.DELETED_COLOR and failed.marker.pattern.shape == charts.DELETED_PATTERN
    assert len(failed.y) == 2  # a reference that blocks nothing is not charted
    assert dict(zip(failed.y, failed.x, strict=True))["Big Center · account 4000 Sales (deleted)"] == 3
    assert json.loads(failed.customdata[0][0])["category"] == trends.DELETED_CATEGORY


def test_spike_markers_on_the_volume_chart_sit_at_the_centers_rate():
    v = trends.volume_by_period(LEAP_SERIES, LEAP, "week")
    spikes = pd.DataFrame({"center_id": [2], "center_code": ["SMALL"], "center_name": ["Small Center"],
                           "sync_date": [date(2024, 2, 29)], "failed": [9], "settled": [20], "rate": [0.45],
                           "base_mean": [0.05], "base_std": [0.01], "base_days": [20], "threshold": [0.15]})
    fig = charts.volume_figure(v, "week", spikes)
    marker = traces(fig, "Failure spike (a center)")[0]
    assert by_x(marker) == {date(2024, 2, 26): 0.45}
    assert json.loads(marker.customdata[0][0]) == {"center": "SMALL", "status": "failed", "line": "invoices",
                                                   "from": "2024-02-29", "to": "2024-02-29"}
    sf = charts.spikes_figure(spikes)
    spike = traces(sf, "Spike")[0]
    assert list(spike.y) == [0.45] and list(traces(sf, "Baseline")[0].y) == [0.05]


def test_empty_data_gives_a_figure_that_says_so():
    fig = charts.causes_figure(pd.DataFrame(columns=trends.CAUSE_COLUMNS), "day")
    assert not fig.data and "No failed documents" in fig.layout.annotations[0].text


def test_a_clicked_point_opens_the_documents_behind_it():
    f = ReportFilters(date(2026, 11, 1), date(2026, 11, 20), zones=("N",), platforms=("qbo",))
    key = trends.drill_key(line="misc_journals", status="failed", **{"from": date(2026, 11, 2), "to": date(2026, 11, 8)})
    link = trends.selected_link({"selection": {"points": [{"x": "garbage", "customdata": [key, "label"]}]}}, f)
    assert link.page == "misc_journal_entries"
    assert link.params == {"date_from": "2026-11-02", "date_to": "2026-11-08", "status": "failed", "zone": ["N"],
                           "platform": ["qbo"]}
    center = trends.drill_link(trends.drill_key(center="C1", status="pending"), f)
    assert center.page == "sale_orders" and center.params["center"] == "C1" and "zone" not in center.params
    assert center.params["date_from"] == "2026-11-01"


@pytest.mark.parametrize("event", [None, {}, {"selection": {"points": []}},
                                   {"selection": {"points": [{"customdata": ["not json"]}]}},
                                   {"selection": {"points": [{"customdata": ['{"from":"2026-13-45"}']}]}}])
def test_a_selection_without_a_valid_drill_key_opens_nothing(event):
    assert trends.selected_link(event, ReportFilters(date(2026, 11, 1), date(2026, 11, 20))) is None


# --- issue 21 item 7: axis labels fit the grain, round rate ticks, partial periods marked -------------------------

AUG_TO_OCT = ReportFilters(date(2026, 8, 20), date(2026, 10, 12))   # partial August and October
AUG_SERIES = series(
    (date(2026, 8, 20), "invoices", "processed", "", 10),
    (date(2026, 8, 21), "invoices", "failed", "duplicate", 9),
    (date(2026, 9, 3), "invoices", "processed", "", 4),
    (date(2026, 9, 4), "invoices", "failed", "duplicate", 1),
    (date(2026, 10, 2), "invoices", "failed", "mapping_missing", 5),
)


def test_month_grain_labels_months_and_marks_the_partial_first_and_last_month():
    v = trends.volume_by_period(AUG_SERIES, AUG_TO_OCT, "month")
    fig = charts.volume_figure(v, "month")
    axis = fig.layout.xaxis
    assert axis.tickmode == "array"
    assert as_dates(axis.tickvals) == [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
    assert list(axis.ticktext) == ["Aug 2026<br>(partial: 12 of 31 days)", "Sep 2026",
                                   "Oct 2026<br>(partial: 12 of 31 days)"]
    processed = traces(fig, "Processed")[0]
    assert list(processed.marker.opacity) == [charts.PARTIAL_OPACITY, 1.0, charts.PARTIAL_OPACITY]
    assert "partial: 12 of 31 days" in processed.customdata[0][1]
    causes = charts.causes_figure(trends.causes_by_period(AUG_SERIES, AUG_TO_OCT, "month"), "month")
    assert "Sep 2026" in causes.layout.xaxis.ticktext


def test_week_grain_labels_the_monday_and_day_grain_labels_dates():
    week = charts.volume_figure(trends.volume_by_period(LEAP_SERIES, LEAP, "week"), "week")
    assert list(week.layout.xaxis.ticktext)[1] == "w/c 26 Feb"
    assert list(week.layout.xaxis.ticktext)[0] == "w/c 19 Feb<br>(partial: 5 of 7 days)"
    day = charts.volume_figure(trends.volume_by_period(LEAP_SERIES, LEAP, "day"), "day")
    assert "29 Feb" in day.layout.xaxis.ticktext and "partial" not in " ".join(day.layout.xaxis.ticktext)
    assert len(day.layout.xaxis.tickvals) <= charts.MAX_TICKS


def test_many_periods_are_labelled_sparsely():
    f = ReportFilters(date(2025, 1, 1), date(2025, 12, 31))
    v = trends.volume_by_period(series((date(2025, 3, 3), "invoices", "processed", "", 1)), f, "week")
    ticks = charts.volume_figure(v, "week").layout.xaxis.tickvals
    assert 6 <= len(ticks) <= charts.MAX_TICKS + 2  # the partial first and last weeks are always labelled


@pytest.mark.parametrize("top", [0.0, 0.004, 0.03, 0.12, 0.27, 0.5, 0.83, 0.99, 1.0])
def test_failure_rate_ticks_at_round_percentages_up_to_at_most_100(top):
    axis = charts.rate_axis(top)
    assert axis["tickformat"] == ".0%"
    assert axis["dtick"] in (0.01, 0.02, 0.05, 0.10, 0.20, 0.25)
    assert axis["range"][0] == 0 and top <= axis["range"][1] <= 1.0
    assert axis["range"][1] / axis["dtick"] <= 5 + 1e-9
    ticks = [round(i * axis["dtick"], 6) for i in range(int(round(axis["range"][1] / axis["dtick"])) + 1)]
    assert all(round(t * 100, 6) == int(round(t * 100)) for t in ticks)  # whole percentages


def test_the_volume_figure_rate_axis_never_passes_100_percent():
    v = trends.volume_by_period(AUG_SERIES, AUG_TO_OCT, "month")   # October: 5 failed of 5 = 100 %
    fig = charts.volume_figure(v, "month")
    rate_axes = [a for name, a in fig.layout.to_plotly_json().items()
                 if name.startswith("yaxis") and a.get("title", {}).get("text") == "Failure rate"]
    assert rate_axes and all(a["range"][1] <= 1.0 and a["tickformat"] == ".0%" and a["dtick"] in charts.RATE_STEPS
                             for a in rate_axes)
    bd = trends.breakdown(DIRECTORY, trends.per_center(COUNTS.assign(
        documents=[1, 99, 6, 4, 5, 999])), "center")   # BIG: 99 % failed
    axis = charts.breakdown_figure(bd, "center", AUG_TO_OCT).layout.xaxis
    assert axis.range[1] == 1.0 and axis.tickformat == ".0%" and axis.dtick == 0.2
