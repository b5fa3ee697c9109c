"""Which polyclinics serve an address: the look-up over the address register.

What was typed is read by shared/catalogue/address_text.py; the register's items are built by
shared/catalogue/address_register.py.
The decisions are pure functions of the items read (`choose_streets`, `serving`, `decide`), unit-tested in
tests/unit/test_addresses.py; `clinics_for_address` only reads (a few Query/GetItem calls) and calls them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.catalogue import lookup
from shared.catalogue.address_text import House, StreetQuery, parse_house, parse_street
from shared.platform import dal, keys
from shared.platform.errors import DomainError

MAX_CANDIDATES = 10


# ---------------------------------------------------------------- reads
def _street_partition(key: str) -> list[dict[str, Any]]:
    """The street's district entries and house ranges (a handful of items)."""
    return list(dal.query_all("PK = :pk AND begins_with(SK, :d)",
                              {":pk": keys.street_pk(key), ":d": keys.STREET_DISTRICT_PREFIX}))


def _houses(key: str, number: int) -> list[dict[str, Any]]:
    """The register's entries of one house number on the street (every building part, every district)."""
    return list(dal.query_all("PK = :pk AND begins_with(SK, :h)",
                              {":pk": keys.street_pk(key), ":h": keys.houses_numbered(number)}))


def _from_index(wanted: StreetQuery) -> list[dict[str, Any]]:
    """Streets whose words begin with every word typed (numbers must match whole: 1 is not 17)."""
    probe = max(wanted.words, key=lambda w: (not w.isdigit(), len(w)))
    found, _ = dal.query("PK = :pk AND begins_with(SK, :w)", {":pk": keys.street_index_pk(probe), ":w": probe},
                         limit=200)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in found:
        words = entry.get("words") or []
        if all(any(w == typed if typed.isdigit() else w.startswith(typed) for w in words) for typed in wanted.words):
            out[(entry["key"], entry["districtId"])] = entry
    return list(out.values())


# ---------------------------------------------------------------- decisions (pure)
def _in_districts(streets: list[dict[str, Any]], wanted: StreetQuery, district_id: str | None,
                  ) -> list[dict[str, Any]]:
    """The streets in the district chosen and in the districts the typed text names."""
    if district_id:
        streets = [s for s in streets if s["districtId"] == district_id]
    if wanted.districts:
        streets = [s for s in streets if s["districtId"] in wanted.districts]
    return streets


def _of_types(streets: list[dict[str, Any]], types: frozenset[str]) -> list[dict[str, Any]]:
    """The streets of a type typed; all of them when none is. A street typed with the wrong type word is still
    the street: the type only chooses between namesakes."""
    typed = [s for s in streets if set(s.get("types") or []) & types] if types else []
    return typed or streets


def choose_streets(streets: list[dict[str, Any]], wanted: StreetQuery, district_id: str | None,
                   ) -> list[dict[str, Any]]:
    """The streets (one per district) that fit what was typed, by name then district; address_not_found if none."""
    streets = _of_types(_in_districts(streets, wanted, district_id), wanted.types)
    if not streets:
        raise DomainError("address_not_found", {"reason": "street"})
    return sorted(streets, key=lambda s: (s["name"], s["districtName"]))


def _fits(r: dict[str, Any], number: int) -> bool:
    parity = r.get("parity", "all")
    return int(r["from"]) <= number <= int(r["to"]) and (
        parity == "all" or (parity == "odd") == (number % 2 == 1))


def _own_entries(house: House, mine: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The register's own entries for the house: its building; 5к2 typed and only house 5 listed -> house 5."""
    chosen = [h for h in mine if h["building"] == house.building]
    if not chosen and house.building:
        chosen = [h for h in mine if h["building"] == ""]
    return chosen


def _ranges_with(number: int, district_id: str, ranges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in ranges if r["districtId"] == district_id and _fits(r, number)]


def serving(house: House, district_id: str, houses: list[dict[str, Any]], ranges: list[dict[str, Any]],
            ) -> list[str]:
    """Clinic ids serving the house in one district. The register's own entry for the house wins; 5к2 typed
    and only house 5 listed -> house 5; then the ranges; 5 typed and only 5к1, 5к2 listed -> all of them."""
    mine = [h for h in houses if h["districtId"] == district_id]
    chosen = (_own_entries(house, mine) or _ranges_with(house.number, district_id, ranges)
              or ([] if house.building else mine))
    return list(dict.fromkeys(c for item in chosen for c in item.get("clinicIds", [])))


@dataclass(frozen=True)
class Decision:
    """Either one street and the clinic ids serving the house on it, or the streets to choose from."""
    street: dict[str, Any] | None = None
    clinic_ids: list[str] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)


def decide(house: House, streets: list[dict[str, Any]], houses: list[dict[str, Any]],
           ranges: list[dict[str, Any]]) -> Decision:
    """For one street key's districts (`choose_streets`' answer): the district whose register serves the
    house; namesake streets in several districts, each with this house, are candidates; none: not found."""
    served = {s["districtId"]: serving(house, s["districtId"], houses, ranges) for s in streets}
    found = [s for s in streets if served[s["districtId"]]]
    if not found:
        raise DomainError("address_not_found", {"reason": "house"})
    if len(found) > 1:  # Садовая 5 in two districts
        return Decision(candidates=found[:MAX_CANDIDATES])
    return Decision(street=found[0], clinic_ids=served[found[0]["districtId"]])


def _candidate(street: dict[str, Any], lang: str) -> dict[str, Any]:
    district = street.get("districtNameEn") if lang == "en" and street.get("districtNameEn") else None
    return {"name": street["name"], "districtId": street["districtId"],
            "districtName": district or street["districtName"]}


# ---------------------------------------------------------------- the look-up
def _parsed(street: str, house: str) -> tuple[StreetQuery, House]:
    wanted = parse_street(street)
    if wanted is None:
        raise DomainError("validation_error", {"fields": [{"field": "street", "problem": "no_street_name"}]})
    number = parse_house(house)
    if number is None:
        raise DomainError("validation_error", {"fields": [{"field": "house", "problem": "house_not_understood"}]})
    return wanted, number


def _decision(number: House, streets: list[dict[str, Any]], wanted: StreetQuery,
              partition: list[dict[str, Any]]) -> Decision:
    """`decide` for the one street key that fits, reading its partition again only when it is not the key typed."""
    key = streets[0]["key"]
    if key != wanted.key:
        partition = _street_partition(key)
    ranges = [i for i in partition if i.get("entity") == "houseRange"]
    return decide(number, streets, _houses(key, number.number), ranges)


def _clinics(clinic_ids: list[str], lang: str) -> list[dict[str, Any]]:
    """The clinics' profiles; a register row naming a clinic that is gone is left out (none left: not found)."""
    clinics = []
    for clinic_id in clinic_ids:
        try:
            clinics.append(lookup.clinic(clinic_id, lang))
        except DomainError:
            continue  # a register row naming a clinic that is gone: show the others
    if not clinics:
        raise DomainError("address_not_found", {"reason": "house"})
    return clinics


def clinics_for_address(street: str, house: str, district_id: str | None, lang: str) -> dict[str, Any]:
    """The clinics serving a house, or the candidate streets to choose from; a few Query/GetItem calls."""
    wanted, number = _parsed(street, house)
    partition = _street_partition(wanted.key)
    named = [i for i in partition if i.get("entity") == "street"] or _from_index(wanted)
    streets = choose_streets(named, wanted, district_id)
    answer: dict[str, Any] = {"street": None, "house": number.label, "items": [], "candidates": []}
    if len({s["key"] for s in streets}) > 1:
        # Different streets fit what was typed: the person chooses, we do not guess.
        answer["candidates"] = [_candidate(s, lang) for s in streets[:MAX_CANDIDATES]]
        return answer
    decision = _decision(number, streets, wanted, partition)
    if decision.street is None:
        answer["candidates"] = [_candidate(s, lang) for s in decision.candidates]
        return answer
    answer["items"] = _clinics(decision.clinic_ids, lang)
    answer["street"] = _candidate(decision.street, lang)
    return answer
