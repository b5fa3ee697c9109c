"""The address matcher: street names and house numbers as people type them (shared/address_*.py, addresses.py)."""
from __future__ import annotations

import pytest

from infra.demo import addresses as demo
from shared.catalogue import address_register, addresses
from shared.catalogue.address_text import House, parse_house, parse_street
from shared.platform.errors import DomainError

# Every spelling on a line names the same street.
SAME_STREET = [
    ("садовая", ["ул. Садовая", "Садовая ул.", "улица Садовая", "Садовая улица", "САДОВАЯ", "  садовая   ул ",
                 "ул.Садовая", "Санкт-Петербург, ул. Садовая", "г. СПб, Садовая"]),
    ("большой во", ["Большой пр. В.О.", "Большой проспект В. О.", "пр. Большой ВО", "Большой пр-т В.О.",
                    "Большой проспект Васильевского острова", "большой пр-кт в.о"]),
    ("7 во линия", ["7-я линия В.О.", "7 линия ВО", "линия 7-я В.О.", "7я линия в.о."]),
    ("грибоедова канала", ["наб. канала Грибоедова", "канала Грибоедова набережная", "Грибоедова канала наб",
                           "набережная канала Грибоедова"]),
    ("федорова", ["Фёдорова пр-д", "проезд Федорова", "ФЕДОРОВА ПРОЕЗД"]),
    ("октябрьский", ["Октябрьский б-р", "Октябрьский бульвар", "бул. Октябрьский", "Октябрьский бульв."]),
    ("корсакова римского", ["Римского-Корсакова пр.", "пр. Римского Корсакова", "проспект Римского-Корсакова"]),
    ("приморское", ["Приморское ш.", "Приморское шоссе", "ш. Приморское"]),
    ("демидов", ["Демидов пер.", "переулок Демидов", "пер Демидов"]),
]


@pytest.mark.parametrize(("key", "spellings"), SAME_STREET)
def test_street_spellings_share_one_key(key: str, spellings: list[str]) -> None:
    for text in spellings:
        parsed = parse_street(text)
        assert parsed is not None, text
        assert parsed.key == key, text


def test_street_type_words_become_hints() -> None:
    assert parse_street("ул. Ленина").types == {"street"}  # type: ignore[union-attr]
    assert parse_street("пр. Ленина").types == {"avenue", "passage"}  # type: ignore[union-attr]  # пр. is either
    assert parse_street("пр-т Ленина").types == {"avenue"}  # type: ignore[union-attr]
    assert parse_street("Ленина").types == frozenset()  # type: ignore[union-attr]
    assert parse_street("ул. Ленина").key == parse_street("пр. Ленина").key  # type: ignore[union-attr]


def test_town_names_a_district() -> None:
    parsed = parse_street("г. Пушкин, ул. Садовая")
    assert parsed and parsed.key == "садовая" and parsed.districts == {"pushkinsky"}
    assert parse_street("Пушкинская ул.").key == "пушкинская"  # type: ignore[union-attr]  # not the town


@pytest.mark.parametrize("text", ["", "   ", "улица", "ул. пр.", "г. Санкт-Петербург", ",.-"])
def test_no_street_name(text: str) -> None:
    assert parse_street(text) is None


SAME_HOUSE = [
    (House(5), ["5", " 5 ", "д. 5", "д5", "дом 5", "Д.5", "5, кв. 12", "5 кв 3", "005"]),
    (House(5, korpus="2"), ["5к2", "5 к2", "5 к. 2", "д. 5, корп. 2", "д.5к.2", "дом 5 корпус 2", "5k2", "5К2",
                            "5 корп.2"]),
    (House(5, litera="а"), ["5 лит. А", "5А", "5а", "5 а", "5 литера А", "5 лит А", "д. 5, лит. а", "5A"]),
    (House(12, korpus="3", stroenie="1"), ["12к3с1", "дом 12 корпус 3 строение 1", "12 к. 3, стр. 1"]),
    (House(7, korpus="2", litera="б"), ["7к2 лит. Б", "7 корп. 2 литера Б"]),
    (House(52), ["52/14", "52 / 14"]),  # a corner house is known by its first number
    # The flat people add (issue 30): after a hyphen, after "кв."; a corner house's second number.
    (House(10), ["10-25", "10 - 25", "д.10 кв.25", "д. 10, кв. 25", "10/2", "дом 10-7"]),
    (House(10, korpus="2"), ["10к2-25", "10 корп. 2 - 25"]),
]


@pytest.mark.parametrize(("house", "spellings"), SAME_HOUSE)
def test_house_spellings(house: House, spellings: list[str]) -> None:
    for text in spellings:
        assert parse_house(text) == house, text


@pytest.mark.parametrize("text", ["", "пять", "0", "10000", "к2", "5 лит. А Б", "5 что-то", "5 к 2 3", "-5"])
def test_house_not_understood(text: str) -> None:
    assert parse_house(text) is None, text


def test_house_forms() -> None:
    assert House(5, korpus="2", litera="а").building == "к2ла"
    assert House(5, korpus="2", litera="а").label == "5к2 лит. А"
    assert House(5).building == "" and House(5).label == "5"


def test_single_letter_after_number_is_a_litera_not_a_korpus() -> None:
    assert parse_house("5к") == House(5, litera="к")
    assert parse_house("5с") == House(5, litera="с")


# ---------------------------------------------------------------- which register entry serves a house
RANGES = [
    {"districtId": "d1", "from": 1, "to": 49, "parity": "all", "clinicIds": ["a"]},
    {"districtId": "d1", "from": 50, "to": 149, "parity": "odd", "clinicIds": ["b"]},
    {"districtId": "d1", "from": 50, "to": 149, "parity": "even", "clinicIds": ["a"]},
    {"districtId": "d2", "from": 1, "to": 149, "parity": "all", "clinicIds": ["z"]},
]


def _house(number: int, building: str, district: str, clinics: list[str]) -> dict[str, object]:
    return {"districtId": district, "number": number, "building": building, "clinicIds": clinics}


@pytest.mark.parametrize(("typed", "houses", "expected"), [
    ("10", [], ["a"]),
    ("51", [], ["b"]),
    ("52", [], ["a"]),
    ("150", [], []),
    ("10к2", [_house(10, "к2", "d1", ["b"])], ["b"]),          # the register's own entry wins over the range
    ("10", [_house(10, "к2", "d1", ["b"])], ["a"]),            # the house itself is in the range
    ("10к3", [_house(10, "к2", "d1", ["b"])], ["a"]),          # another building: the range
    ("10к2", [_house(10, "", "d1", ["c"])], ["c"]),            # 10к2 typed, house 10 listed as a whole
    ("200", [_house(200, "к1", "d1", ["c"]), _house(200, "к2", "d1", ["d"])], ["c", "d"]),  # every building
    ("200", [_house(200, "к1", "d2", ["c"])], []),             # another district's house
    ("10", [_house(10, "", "d1", ["a", "k"])], ["a", "k"]),    # adults' and children's polyclinics
])
def test_serving(typed: str, houses: list[dict[str, object]], expected: list[str]) -> None:
    house = parse_house(typed)
    assert house
    assert addresses.serving(house, "d1", houses, RANGES) == expected


def _street(name: str, district: str, types: list[str], key: str | None = None) -> dict[str, object]:
    parsed = parse_street(name)
    assert parsed
    return {"key": key or parsed.key, "name": name, "types": types, "districtId": district,
            "districtName": district.upper()}


LENINA = [_street("ул. Ленина", "d1", ["street"]), _street("пр. Ленина", "d2", ["avenue"]),
          _street("ул. Ленина", "d3", ["street"])]


@pytest.mark.parametrize(("typed", "district", "expected"), [
    ("Ленина", None, ["d2", "d1", "d3"]),        # by name, then district
    ("ул. Ленина", None, ["d1", "d3"]),          # the type chooses between namesakes
    ("наб. Ленина", None, ["d2", "d1", "d3"]),   # a wrong type word is still the street
    ("ул. Ленина", "d3", ["d3"]),                # the district asked for
    ("Пушкин, ул. Ленина", None, "not_found"),   # the town names a district that has no such street
    ("ул. Ленина", "d9", "not_found"),
])
def test_choose_streets(typed: str, district: str | None, expected: list[str] | str) -> None:
    wanted = parse_street(typed)
    assert wanted
    if expected == "not_found":
        with pytest.raises(DomainError) as refused:
            addresses.choose_streets(LENINA, wanted, district)
        assert (refused.value.code, refused.value.detail) == ("address_not_found", {"reason": "street"})
        return
    assert [s["districtId"] for s in addresses.choose_streets(LENINA, wanted, district)] == expected


def test_decide_one_district_namesakes_or_none() -> None:
    streets = [_street("ул. Садовая", "d1", ["street"]), _street("ул. Садовая", "d2", ["street"])]
    five = House(5)
    one = addresses.decide(five, streets, [], RANGES[:1])  # only d1 has a range with 5
    assert (one.street, one.clinic_ids, one.candidates) == (streets[0], ["a"], [])
    both = addresses.decide(five, streets, [], RANGES)  # d2's range has 5 too: the person chooses
    assert both.street is None and both.candidates == streets
    with pytest.raises(DomainError) as refused:
        addresses.decide(House(500), streets, [], RANGES)
    assert refused.value.detail == {"reason": "house"}


# ---------------------------------------------------------------- items
def test_street_items_and_word_index() -> None:
    items = address_register.street_items("Большой пр. В.О.", "vasileostrovsky", "Василеостровский", "Vasileostrovsky")
    street, *index = items
    assert (street["PK"], street["SK"]) == ("STREET#большой во", "D#vasileostrovsky")
    assert street["types"] == ["avenue", "passage"]
    assert sorted((i["PK"], i["SK"]) for i in index) == [
        ("STREETIDX#б", "большой#большой во#vasileostrovsky"), ("STREETIDX#в", "во#большой во#vasileostrovsky")]


def test_range_item_checks_its_bounds() -> None:
    item = address_register.range_item("ул. Садовая", "admiralteysky", 50, 149, "odd", ["cl0102"])
    assert (item["PK"], item["SK"]) == ("STREET#садовая", "D#admiralteysky#R#0050#odd")
    for lo, hi, parity in [(0, 5, "all"), (5, 4, "all"), (1, 5, "some")]:
        with pytest.raises(ValueError):
            address_register.range_item("ул. Садовая", "admiralteysky", lo, hi, parity, ["cl0102"])


def test_demo_register_is_deterministic_and_has_namesakes() -> None:
    items = demo.items()
    assert items == demo.items()
    assert len({(i["PK"], i["SK"]) for i in items}) == len(items)  # one batch may not name a key twice
    districts_of = {}
    for i in items:
        if i["entity"] == "street":
            districts_of.setdefault(i["key"], set()).add(i["districtId"])
    assert districts_of["садовая"] == {"admiralteysky", "pushkinsky"}
    assert districts_of["ленина"] == {"kolpinsky", "kronshtadtsky", "petrogradsky"}
    # Every range names clinics of its own district.
    for r in (i for i in items if i["entity"] == "houseRange"):
        assert all(c.startswith("cl") for c in r["clinicIds"])
    assert demo.items({"cl0101", "cl0102"}) and all(
        i["districtId"] == "admiralteysky" for i in demo.items({"cl0101", "cl0102"}))


# ---------------------------------------------------------------- the CSV import (no table: a stub clinic look-up)
def test_import_reports_batches_it_could_not_write(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra import import_addresses
    from shared.platform import dal

    profiles = {"cl0101": {"districtId": "admiralteysky", "districtName": "Адмиралтейский"}}
    text = "ул. Гороховая,5,,cl0101\nул. Гороховая,7,,cl0101\nул. Гороховая,9,,cl0101\nул. Гороховая,x,,cl0101\n"
    report = import_addresses.prepare(text, profiles.get)
    assert report.accepted == 3 and report.rejected == [(4, "house number not understood: 'x'")]
    # One street item, its one word-index item, three houses; each item knows the lines it came from.
    assert [i["entity"] for i in report.items] == ["street", "streetWord", "house", "house", "house"]
    assert report.lines_of[2:] == [[1], [2], [3]]
    written: list[dict[str, object]] = []

    def flaky(items: list[dict[str, object]]) -> None:
        if any(i.get("number") == 7 for i in items):
            raise RuntimeError("throttled beyond retries")
        written.extend(items)

    monkeypatch.setattr(dal, "batch_write", flaky)
    import_addresses.write(report, batch=1)
    assert report.unwritten_lines == [2] and report.written == 4
    assert sorted(i["number"] for i in written if i["entity"] == "house") == [5, 9]
    assert any("NOT WRITTEN" in line and "2" in line for line in report.lines())
