"""Business dates: Asia/Shanghai, calendar days and China's official working days.

Working days follow the State Council's holiday notices (holidays and the adjusted
working weekends, 调休) as kept by the ``chinesecalendar`` package. Years the package
does not know yet (notices are published each November for the next year) fall back
to Monday–Friday, and ``known_year`` tells the caller so it can say so.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def today(now: dt.datetime | None = None) -> dt.date:
    """The business date now (or at ``now``), in Asia/Shanghai."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(BUSINESS_TZ).date()


def known_year(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_days(start: dt.date, days: int, *, working: bool = False) -> dt.date:
    """``start`` moved by ``days`` (negative: backwards). In working days, the result is
    the ``days``-th working day after (or before) ``start``, not counting ``start``."""
    if not working:
        return start + dt.timedelta(days=days)
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += dt.timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def days_between(start: dt.date, end: dt.date, *, working: bool = False) -> int:
    """Days from ``start`` to ``end`` (``end`` counted, ``start`` not); negative when end is before."""
    if not working:
        return (end - start).days
    sign = 1 if end >= start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    count = 0
    current = lo
    while current < hi:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return sign * count
