"""The address look-up's help (shared/catalogue/street_suggest.py through functions/lookup): the whole address typed in
the street field, and the nearest street names for a typo or Latin letters."""
from __future__ import annotations

import pytest

from tests.handler.helpers import assert_error, with_query
from tests.support import event_file, invoke


def ask(**query: str) -> tuple[int, dict]:
    event = event_file("lookup/address_clinics.json")
    event["queryStringParameters"] = {}
    return invoke("lookup", with_query(event, **query))


@pytest.mark.parametrize("whole, clinic", [
    ("Садовая 51", "cl0102"),
    ("ул. Садовая, д. 10, корп. 2", "cl0102"),
    ("Лермонтовский пр-т, д.7", "cl0101"),
    ("садовая ул 52 лит. А", "cl0101"),
    ("Садовая 10-25", "cl0101"),              # house 10, flat 25 (issue 30)
    ("ул. Садовая, д.10 кв.25", "cl0101"),
    ("Садовая 10/2", "cl0101"),               # a corner house: known by its first number
])
def test_the_whole_address_in_the_street_field(register_table: str, whole: str, clinic: str) -> None:
    status, body = ask(street=whole)
    assert status == 200, (whole, body)
    assert [c["id"] for c in body["items"]] == [clinic], (whole, body)


def test_a_street_without_a_house_asks_for_the_house(register_table: str) -> None:
    status, body = ask(street="Садовая")
    assert_error((status, body), 422, "validation_error")
    assert body["error"]["details"]["fields"] == [{"field": "house", "problem": "house_missing"}]


@pytest.mark.parametrize("typed", ["Садоая 5", "Лермонтовскй пр. 7", "Sadovaya 5", "Lermontovskiy 7"])
def test_a_typo_or_latin_letters_get_the_nearest_street_names(register_table: str, typed: str) -> None:
    status, body = ask(street=typed)
    assert_error((status, body), 404, "address_not_found")
    details = body["error"]["details"]
    assert details["reason"] == "street"
    names = [s["name"] for s in details["suggestions"]]
    assert names and names[0] in {"ул. Садовая", "Лермонтовский пр."}, (typed, names)
    assert details["house"] in {"5", "7"}
    # The suggestion answers when chosen.
    first = details["suggestions"][0]
    status, body = ask(street=first["name"], house=details["house"], districtId=first["districtId"])
    assert status == 200 and body["items"], body


def test_nothing_near_gets_no_suggestion(register_table: str) -> None:
    status, body = ask(street="Абвгдейкина 5")
    assert_error((status, body), 404, "address_not_found")
    assert body["error"]["details"]["suggestions"] == []


def test_a_house_that_is_not_there_says_so_without_suggestions(register_table: str) -> None:
    status, body = ask(street="Садовая 777")
    assert_error((status, body), 404, "address_not_found")
    assert body["error"]["details"] == {"reason": "house", "street": "Садовая", "house": "777"}
