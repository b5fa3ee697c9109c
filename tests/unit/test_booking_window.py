"""The booking window (docs/CONTRACT.md, rule 6): today and the next 13 days in the clinic's zone (Europe/Moscow),
slots not yet started, decided by shared/domain/slots.py alone, at the day's boundary included; the daily job's days
(shared/plans.window) and the demo seed's (infra/seed.missing_days) end on the same last day."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from infra import seed
from shared.clinic import plans
from shared.domain import slots
from shared.platform import clock
from shared.platform.config import BOOKING_HORIZON_DAYS

MSK = ZoneInfo("Europe/Moscow")
DAY = date(2026, 12, 7)  # a Monday


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> int:
    """Epoch of a Moscow wall-clock time."""
    return int(datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=MSK).timestamp())


def plus(days: int) -> date:
    return DAY + timedelta(days=days)


def test_fourteen_calendar_days_from_the_clinics_today() -> None:
    assert BOOKING_HORIZON_DAYS == 14
    for now in (at(DAY, 0), at(DAY, 8), at(DAY, 23, 59, 59)):
        assert slots.window_days(now) == (DAY, plus(13))
    # The window's last second: the end of its last day, whatever the time of day now.
    assert slots.horizon(at(DAY, 0)) == slots.horizon(at(DAY, 23, 59, 59)) == clock.day_end(plus(13)) - 1
    assert slots.horizon(at(DAY, 12)) == at(plus(13), 23, 59, 59)


def test_the_day_boundary_in_moscow_not_utc() -> None:
    # 23:59:59 and 00:00:00 in Moscow are 20:59:59 and 21:00:00 UTC: the window moves at Moscow's midnight.
    before, after = at(DAY, 23, 59, 59), at(plus(1), 0, 0, 0)
    assert after - before == 1
    assert slots.window_days(before) == (DAY, plus(13))
    assert slots.window_days(after) == (plus(1), plus(14))
    # `after` is still 7 December in UTC (21:00): the clinic's zone decides the day, not UTC.
    assert datetime.fromtimestamp(after, ZoneInfo("UTC")).date() == DAY
    assert slots.window_days(at(DAY, 2, 59)) == (DAY, plus(13))  # 23:59 UTC on the 6th, the 7th in Moscow


CASES = {
    # 23:59:59 on the first day: the 14th day (today + 13) is in at any hour, the 15th is out even when it
    # is less than 14 x 24 hours away.
    "23:59:59, 08:00 on today+13": (at(DAY, 23, 59, 59), at(plus(13), 8), True),
    "23:59:59, 23:59 on today+13": (at(DAY, 23, 59, 59), at(plus(13), 23, 59), True),
    "23:59:59, 00:00 on today+14": (at(DAY, 23, 59, 59), at(plus(14), 0), False),
    "23:59:59, 08:00 on today+14": (at(DAY, 23, 59, 59), at(plus(14), 8), False),
    # A second later, 00:00:00: the window has moved by a day.
    "00:00:00, 08:00 on (new) today+13": (at(plus(1), 0), at(plus(14), 8), True),
    "00:00:00, 00:00 on (new) today+14": (at(plus(1), 0), at(plus(15), 0), False),
    # In the morning, 08:00 on today + 14 is exactly 14 x 24 hours away: out (the old 15th day).
    "08:00, 08:00 on today+14": (at(DAY, 8), at(plus(14), 8), False),
    "08:00, 07:59 on today+14": (at(DAY, 8), at(plus(14), 7, 59), False),
    "08:00, 08:00 on today+13": (at(DAY, 8), at(plus(13), 8), True),
    # Started, or starting right now: out; a second ahead: in.
    "08:00, starting now": (at(DAY, 8), at(DAY, 8), False),
    "08:00, started at 07:30": (at(DAY, 8), at(DAY, 7, 30), False),
    "08:00, a second ahead": (at(DAY, 8), at(DAY, 8) + 1, True),
    "23:59:59, started at 23:30": (at(DAY, 23, 59, 59), at(DAY, 23, 30), False),
}


@pytest.mark.parametrize(("now", "start", "inside"), CASES.values(), ids=CASES.keys())
def test_in_booking_window(now: int, start: int, inside: bool) -> None:
    assert slots.in_booking_window(start, now) is inside
    # The write conditions say the same thing: `#start > :now AND #start <= :horizon`.
    assert (now < start <= slots.horizon(now)) is inside


def test_a_started_slot_of_today_is_out_a_later_one_in() -> None:
    now = at(DAY, 12)
    assert not slots.in_booking_window(at(DAY, 11, 30), now)
    assert slots.in_booking_window(at(DAY, 12, 30), now)


def test_the_daily_job_opens_exactly_the_window() -> None:
    today, last = slots.window_days(at(DAY, 8))
    days = plans.window(today)
    assert days[0] == today and days[-1] == last == plus(13) and len(days) == BOOKING_HORIZON_DAYS
    assert plans.window(today, plus(13)) == [plus(13)]  # the day entering the window this morning
    assert plans.window(today, plus(14)) == []  # never a 15th day
    assert slots.last_day(today) == last


def test_the_demo_seed_loads_the_same_days() -> None:
    today, last = slots.window_days(at(DAY, 8))
    assert seed.missing_days(None, today) == plans.window(today)
    assert seed.missing_days(None, today)[-1] == last
    assert seed.WINDOW_DAYS == BOOKING_HORIZON_DAYS
