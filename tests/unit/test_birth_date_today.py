"""A birth date may be today in St. Petersburg (issue 29: a newborn registered just after midnight, when it is
still yesterday in UTC, the Lambda's clock); tomorrow is refused."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.faces.people import PersonIn
from shared.platform import clock

# 00:30 in Moscow on the day after the machine's (UTC) today: 21:30 of the machine's today in UTC, when the server's
# date is still the day before the clinics'.
JUST_AFTER_MIDNIGHT = int(datetime.combine(date.today() + timedelta(days=1), time(0, 30),
                                           tzinfo=ZoneInfo("Europe/Moscow")).timestamp())


def identity(born: str) -> PersonIn:
    return PersonIn(lastName="Иванова", firstName="Вера", birthDate=born, policyNumber="7800000103009999")


def test_born_today_in_st_petersburg_is_accepted_while_utc_is_yesterday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: JUST_AFTER_MIDNIGHT)
    today = clock.local_date(JUST_AFTER_MIDNIGHT)
    assert today == date.today() + timedelta(days=1)
    assert identity(today.isoformat()).birthDate == today
    with pytest.raises(ValueError):
        identity((today + timedelta(days=1)).isoformat())
