"""Schedule arithmetic: local wall-clock times across timezones, DST changes, month ends and leap days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from syncstatus.schedules import (
    Frequency,
    Schedule,
    ScheduleInvalid,
    next_occurrence,
    occurrences,
    resolve_date_range,
    validate,
)

NY = "America/New_York"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def test_a_daily_schedule_fires_at_the_local_time_in_its_timezone():
    got = occurrences(Frequency("daily", "07:00"), "Asia/Kolkata", utc(2026, 1, 1), utc(2026, 1, 4))
    assert [local(t, "Asia/Kolkata").strftime("%m-%d %H:%M") for t in got] == ["01-01 07:00", "01-02 07:00", "01-03 07:00"]
    assert got[0] == utc(2026, 1, 1, 1, 30)  # +05:30


def test_the_same_local_time_is_a_different_utc_time_before_and_after_the_march_dst_change():
    got = occurrences(Frequency("daily", "07:00"), NY, utc(2026, 3, 6), utc(2026, 3, 10))
    assert [t.strftime("%d %H:%M") for t in got] == ["06 12:00", "07 12:00", "08 11:00", "09 11:00"]
    assert all(local(t, NY).strftime("%H:%M") == "07:00" for t in got)


def test_a_local_time_that_does_not_exist_fires_once_just_after_the_spring_forward_gap():
    # 2026-03-08: clocks jump from 02:00 to 03:00 in New York; 02:30 does not exist.
    got = occurrences(Frequency("daily", "02:30"), NY, utc(2026, 3, 7), utc(2026, 3, 10))
    assert len(got) == 3
    on_the_day = [t for t in got if local(t, NY).date() == date(2026, 3, 8)]
    assert len(on_the_day) == 1
    assert local(on_the_day[0], NY).strftime("%H:%M %Z") == "03:30 EDT"
    assert on_the_day[0] == utc(2026, 3, 8, 7, 30)


def test_an_ambiguous_local_time_on_the_november_change_fires_only_once_at_the_first():
    # 2026-11-01: 01:00-02:00 happens twice in New York.
    got = occurrences(Frequency("daily", "01:30"), NY, utc(2026, 10, 31), utc(2026, 11, 3))
    on_the_day = [t for t in got if local(t, NY).date() == date(2026, 11, 1)]
    assert on_the_day == [utc(2026, 11, 1, 5, 30)]  # 01:30 EDT, not also 01:30 EST (06:30 UTC)
    assert len(got) == 3


def test_weekly_schedules_fire_only_on_the_chosen_weekdays():
    got = occurrences(Frequency("weekly", "08:15", weekdays=(0, 4)), "Europe/London", utc(2026, 6, 1), utc(2026, 6, 15))
    assert [local(t, "Europe/London").strftime("%a %d %H:%M") for t in got] == [
        "Mon 01 08:15", "Fri 05 08:15", "Mon 08 08:15", "Fri 12 08:15"]


@pytest.mark.parametrize("year, feb_day", [(2026, 28), (2028, 29)])
def test_monthly_on_day_31_fires_on_the_last_day_of_shorter_months_including_leap_february(year, feb_day):
    got = occurrences(Frequency("monthly", "06:00", day=31), "Australia/Sydney",
                      utc(year, 1, 1), utc(year, 5, 2))
    days = [local(t, "Australia/Sydney").date() for t in got]
    assert days == [date(year, 1, 31), date(year, 2, feb_day), date(year, 3, 31), date(year, 4, 30)]


def test_monthly_on_day_29_fires_on_february_29_only_in_leap_years():
    f = Frequency("monthly", "09:00", day=29)
    assert [local(t, NY).date() for t in occurrences(f, NY, utc(2028, 2, 1), utc(2028, 3, 1))] == [date(2028, 2, 29)]
    assert [local(t, NY).date() for t in occurrences(f, NY, utc(2027, 2, 1), utc(2027, 3, 1))] == [date(2027, 2, 28)]


def test_hourly_schedules_keep_the_local_minute_in_half_hour_timezones():
    got = occurrences(Frequency("hourly", "00:15"), "Asia/Kolkata", utc(2026, 1, 1, 0, 0), utc(2026, 1, 1, 3, 0))
    assert [local(t, "Asia/Kolkata").minute for t in got] == [15, 15, 15]
    assert got[0] == utc(2026, 1, 1, 0, 45)


def test_occurrences_are_after_the_start_and_up_to_and_including_the_end():
    f = Frequency("daily", "07:00")
    at = utc(2026, 5, 5, 7)
    assert occurrences(f, "UTC", at, at + timedelta(days=1)) == [at + timedelta(days=1)]
    assert occurrences(f, "UTC", at - timedelta(seconds=1), at) == [at]
    assert next_occurrence(f, "UTC", at) == at + timedelta(days=1)


def test_next_occurrence_crosses_the_year_end_for_a_monthly_schedule():
    # 2026-12-31 12:00 UTC is already 2027-01-01 01:00 in Auckland: January's firing has passed.
    nxt = next_occurrence(Frequency("monthly", "00:00", day=1), "Pacific/Auckland", utc(2026, 12, 31, 12))
    assert local(nxt, "Pacific/Auckland").strftime("%Y-%m-%d %H:%M") == "2027-02-01 00:00"


@pytest.mark.parametrize("spec, today, expected", [
    ("yesterday", date(2026, 3, 1), (date(2026, 2, 28), date(2026, 2, 28))),
    ("last_7_days", date(2026, 1, 3), (date(2025, 12, 27), date(2026, 1, 2))),
    ("last_n_days:30", date(2028, 3, 1), (date(2028, 1, 31), date(2028, 2, 29))),
    ("month_to_date", date(2026, 5, 17), (date(2026, 5, 1), date(2026, 5, 16))),
    ("month_to_date", date(2026, 5, 1), (date(2026, 4, 1), date(2026, 4, 30))),
    ("previous_month", date(2028, 3, 10), (date(2028, 2, 1), date(2028, 2, 29))),
    ("previous_month", date(2026, 1, 1), (date(2025, 12, 1), date(2025, 12, 31))),
])
def test_relative_date_ranges_resolve_against_the_day_of_sending(spec, today, expected):
    assert resolve_date_range(spec, today) == expected


def test_a_schedule_with_bad_fields_lists_every_problem():
    s = Schedule(name="  ", report="nope", date_range="last_n_days:0", frequency=Frequency("weekly", "25:00"),
                 timezone="Mars/Olympus", recipients=["ok@example.com", "bad@", "x\r\nBcc: evil@example.com"],
                 formats=())
    with pytest.raises(ScheduleInvalid) as err:
        validate(s)
    text = " ".join(err.value.problems)
    for expected in ("name", "Unknown report", "N must be", "HH:MM", "weekday", "IANA timezone",
                     "Not valid email addresses", "format"):
        assert expected in text, expected


def test_a_valid_schedule_is_cleaned_and_kept():
    s = validate(Schedule(name="Daily", report="sync_status", date_range="yesterday",
                          frequency=Frequency("daily", "07:00"), timezone=NY,
                          recipients="A@Example.COM; b@example.com, a@example.com", formats=("xlsx", "csv")))
    assert s.recipients == ["A@example.com", "b@example.com"]
    assert s.formats == ("csv", "xlsx")
