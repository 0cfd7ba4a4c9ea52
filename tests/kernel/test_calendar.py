from __future__ import annotations

import datetime as dt

from kernel.calendar import add_days, days_between, is_working_day, known_year, today

D = dt.date


def test_official_calendar_holidays_and_adjusted_weekends() -> None:
    assert not is_working_day(D(2026, 10, 1))       # National Day
    assert is_working_day(D(2026, 9, 30))
    assert not is_working_day(D(2026, 10, 3))       # a Saturday inside the holiday
    assert is_working_day(D(2026, 11, 23))          # an ordinary Monday
    assert not is_working_day(D(2026, 11, 22))      # an ordinary Sunday


def test_working_days_skip_the_national_day_week() -> None:
    # 10 working days after 2026-09-29 cannot land inside 1–7 October.
    end = add_days(D(2026, 9, 29), 10, working=True)
    assert end > D(2026, 10, 7)
    assert days_between(D(2026, 9, 29), end, working=True) == 10
    assert add_days(end, -10, working=True) == D(2026, 9, 29)


def test_calendar_days() -> None:
    assert add_days(D(2026, 1, 31), 30) == D(2026, 3, 2)
    assert days_between(D(2026, 3, 2), D(2026, 1, 31)) == -30


def test_unknown_years_fall_back_to_weekdays() -> None:
    assert known_year(2026)
    assert not known_year(2031)
    assert is_working_day(D(2031, 10, 1))  # a Wednesday; the 2031 notice is not out
    assert not is_working_day(D(2031, 10, 4))


def test_business_date_is_shanghai() -> None:
    late_utc = dt.datetime(2026, 11, 22, 17, 30, tzinfo=dt.UTC)  # 01:30 next day in Shanghai
    assert today(late_utc) == D(2026, 11, 23)
