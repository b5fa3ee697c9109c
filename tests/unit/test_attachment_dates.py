"""The one-year rule for a change of polyclinic by choice, and who registers a change
(shared/patients/attachment.py)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.patients import attachment
from shared.platform import keys


@pytest.mark.parametrize(("changed", "allowed"), [
    (date(2026, 3, 10), date(2027, 3, 10)),
    (date(2026, 1, 1), date(2027, 1, 1)),
    (date(2026, 12, 31), date(2027, 12, 31)),
    (date(2024, 2, 29), date(2025, 3, 1)),   # no 29 February next year: 1 March (28 February is a day early)
    (date(2028, 2, 29), date(2029, 3, 1)),
    (date(2027, 2, 28), date(2028, 2, 28)),  # into a leap year: the anniversary exists, 29 February is not used
    (date(2027, 3, 1), date(2028, 3, 1)),
    (date(2023, 2, 28), date(2024, 2, 28)),
])
def test_next_choice_date(changed: date, allowed: date) -> None:
    assert attachment.next_choice_date(changed) == allowed


def test_never_less_than_a_year() -> None:
    day = date(2023, 1, 1)
    while day < date(2029, 1, 1):
        allowed = attachment.next_choice_date(day)
        assert 365 <= (allowed - day).days <= 367, day
        assert allowed.year == day.year + 1
        day += timedelta(days=1)


def test_history_keys_order_close_before_open() -> None:
    closing, opening = keys.attachment_history_sk(1795654800, 3, 1), keys.attachment_history_sk(1795654800, 3, 2)
    later = keys.attachment_history_sk(1795654801, 4, 1)
    assert closing.startswith("ATTHIST#") and closing < opening < later
