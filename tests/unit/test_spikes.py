"""Spike detection on constructed series: a real spike is found, ordinary noise and low-volume days are not."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from syncstatus.reports.trends import SpikeRule, daily_baseline, detect_spikes, flag_spikes

START = date(2026, 1, 1)


def center_days(center_id: int, failed: list[int], settled: list[int] | int = 100) -> pd.DataFrame:
    n = len(failed)
    settled = settled if isinstance(settled, list) else [settled] * n
    return pd.DataFrame({"center_id": center_id, "sync_date": [START + timedelta(days=i) for i in range(n)],
                         "failed": failed, "settled": settled})


NOISE = [2, 3, 1, 4, 2, 3, 2, 1, 3, 2, 4, 3, 2, 1, 2, 3, 2, 4, 3, 2, 1, 2, 3, 2, 3, 4, 2, 1, 3, 2]  # 1-4 %


def test_a_day_far_above_the_centers_baseline_is_a_spike():
    spikes = detect_spikes(center_days(7, NOISE + [35]))
    assert len(spikes) == 1
    s = spikes.iloc[0]
    assert (s["center_id"], s["sync_date"], s["failed"], s["settled"]) == (7, START + timedelta(days=30), 35, 100)
    assert s["rate"] == pytest.approx(0.35)
    assert s["base_mean"] == pytest.approx(sum(NOISE[-28:]) / 28 / 100)
    assert s["threshold"] == pytest.approx(s["base_mean"] + max(3 * s["base_std"], 0.10))


def test_ordinary_noise_is_not_a_spike():
    assert detect_spikes(center_days(7, NOISE + [5, 1, 4])).empty


def test_a_rise_below_the_minimum_of_ten_points_is_not_a_spike_even_with_a_flat_baseline():
    flat = [2] * 30
    assert detect_spikes(center_days(1, flat + [11])).empty      # +9 points over a zero-variance baseline
    assert len(detect_spikes(center_days(1, flat + [13]))) == 1  # +11 points


def test_a_noisy_center_needs_three_standard_deviations():
    wild = [0, 20] * 15  # mean 10 %, std 10 %: threshold 40 %
    assert detect_spikes(center_days(1, wild + [35])).empty
    assert len(detect_spikes(center_days(1, wild + [45]))) == 1


def test_a_low_volume_day_is_ignored_however_high_its_rate():
    days = center_days(3, NOISE + [10], settled=[100] * 30 + [12])  # 83 % of 12 documents
    assert detect_spikes(days).empty
    assert len(detect_spikes(days, SpikeRule(min_documents=10))) == 1


def test_thresholds_are_parameters():
    days = center_days(1, NOISE + [11])  # +8.6 points over a 2.4 % baseline
    assert detect_spikes(days).empty
    assert len(detect_spikes(days, SpikeRule(min_rise=0.05, k_std=1.0))) == 1


def test_a_day_without_enough_history_is_not_judged():
    assert detect_spikes(center_days(1, [1, 2, 40])).empty
    assert len(detect_spikes(center_days(1, [1, 2, 40]), SpikeRule(min_history_days=2))) == 1


def test_the_baseline_covers_the_28_calendar_days_before_and_not_the_day_itself():
    days = center_days(1, [50] + [0] * 28 + [30])  # day 0's 50 % leaves the window on day 29
    base = daily_baseline(days, 28).set_index("sync_date")
    assert base.loc[START + timedelta(days=28), "base_mean"] == pytest.approx(0.5 / 28)
    assert base.loc[START + timedelta(days=28), "base_days"] == 28
    assert base.loc[START + timedelta(days=29), "base_mean"] == 0.0
    assert len(detect_spikes(days)) == 1


def test_missing_days_shorten_the_history_instead_of_counting_as_zero():
    days = center_days(1, NOISE + [35])
    gappy = days.drop(index=range(5, 25))  # 20 days without documents
    base = daily_baseline(gappy, 28).set_index("sync_date")
    assert base.loc[START + timedelta(days=30), "base_days"] == 8
    assert len(detect_spikes(gappy)) == 1


def test_centers_are_judged_against_their_own_baseline():
    calm = center_days(1, NOISE + [20])     # 20 % is a spike for a 2-3 % center
    busy = center_days(2, [20] * 30 + [20])  # and normal for a 20 % center
    spikes = detect_spikes(pd.concat([calm, busy], ignore_index=True))
    assert list(spikes["center_id"]) == [1]


def test_only_days_from_the_range_start_are_reported():
    days = center_days(1, NOISE + [35] + NOISE[:5])
    assert detect_spikes(days, date_from=START + timedelta(days=31)).empty
    assert len(detect_spikes(days, date_from=START + timedelta(days=30))) == 1


def test_flagging_needs_no_square_roots_from_the_database():
    candidates = pd.DataFrame({"center_id": [1, 1], "sync_date": ["2026-02-01", "2026-02-02"], "failed": [30, 30],
                               "settled": [100, 100], "rate": [0.3, 0.3], "base_mean": [0.02, 0.02],
                               "base_square": [0.0004 + 0.0001, 0.0004 + 0.01], "base_days": [28, 28]})
    out = flag_spikes(candidates, SpikeRule())
    assert list(out["sync_date"]) == [date(2026, 2, 1)]  # std 1 %: spike; std 10 %: threshold 32 %
    assert out.iloc[0]["base_std"] == pytest.approx(0.01)
