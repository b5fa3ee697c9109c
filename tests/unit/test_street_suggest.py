"""shared/catalogue/street_suggest.py without a table: cutting a whole address, Latin letters."""
from __future__ import annotations

import pytest

from shared.catalogue.street_suggest import split_address, transliterate


@pytest.mark.parametrize("text, expected", [
    ("невский 28", ("невский", "28")),
    ("Невский пр-т, д.28", ("Невский пр-т", "д.28")),
    ("7-я линия В.О. 12", ("7-я линия В.О.", "12")),      # a number in the name is not the house
    ("ул. 8 Марта, 5", ("ул. 8 Марта", "5")),
    ("Садовая д. 5, корп. 2", ("Садовая", "д. 5, корп. 2")),
    ("Садовая 10 корпус 2 кв. 5", ("Садовая", "10 корпус 2 кв. 5")),
    ("Невский 10-25", ("Невский", "10-25")),              # house 10, flat 25 (issue 30)
    ("Невский пр., 10/2", ("Невский пр.", "10/2")),
    ("Невский д.10 кв.25", ("Невский", "д.10 кв.25")),
    ("Невский пр.", None),
    ("28", None),
])
def test_split_address(text: str, expected: tuple[str, str] | None) -> None:
    assert split_address(text) == expected


def test_transliterate() -> None:
    assert transliterate("Nevskiy") == "невский"
    assert transliterate("Sadovaya") == "садовая"
    assert transliterate("Zhukovskogo") == "жуковского"
