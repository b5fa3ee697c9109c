"""Which polyclinics serve an address: the address register and a matcher that forgives what people type.

A street is known by its *key*: the words of its name without the street-type words, lower case, ё -> е,
sorted (`"Большой пр. В.О."` -> `"большой во"`). The type (ул., пр., наб. ...) is kept beside the key and
only narrows candidates when the name alone is shared (ул. Ленина and пр. Ленина). A house is known by its
number and its building parts (корпус, строение, литера): `5`, `5к2`, `д. 5, корп. 2`, `5 лит. А`.

Items (shared/DESIGN.md, "Address register"):
- street in a district `PK=STREET#<key>`, `SK=D#<districtId>`: display name, types, district names;
- house range `PK=STREET#<key>`, `SK=D#<districtId>#R#<from>#<parity>`: `from`, `to`, `parity`, `clinicIds`;
- house `PK=STREET#<key>`, `SK=H#<number:04d>#<building>#<districtId>`: `clinicIds` (the imported register);
- name-word index `PK=STREETIDX#<first letter>`, `SK=<word>#<key>#<districtId>`: finds streets by a word
  or its beginning when the typed name is not a whole key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared import dal, lookup
from shared.errors import DomainError

MAX_HOUSE = 9999
MAX_CANDIDATES = 10

# Street-type words and their abbreviations -> the types they may mean ("пр." is проспект or проезд).
_TYPES: dict[str, frozenset[str]] = {}
for _words, _meaning in [
    ("ул улица", {"street"}),
    ("пр", {"avenue", "passage"}),
    ("просп проспект пркт", {"avenue"}),
    ("проезд", {"passage"}),
    ("наб набережная", {"embankment"}),
    ("пер переулок", {"lane"}),
    ("бр бул бульв бульвар", {"boulevard"}),
    ("ш шоссе", {"highway"}),
    ("пл площадь", {"square"}),
    ("ал аллея", {"alley"}),
    ("дор дорога", {"road"}),
    ("туп тупик", {"dead_end"}),
]:
    for _w in _words.split():
        _TYPES[_w] = frozenset(_meaning)

# Words that say where, not which street: the city; a town of the city names its district.
_NOISE = {"г", "гор", "город", "пос", "санкт", "петербург", "спб", "россия", "рф"}
_TOWNS = {"пушкин": "pushkinsky", "павловск": "pushkinsky", "колпино": "kolpinsky", "кронштадт": "kronshtadtsky",
          "петергоф": "petrodvortsovy", "ломоносов": "petrodvortsovy", "зеленогорск": "kurortny",
          "сестрорецк": "kurortny"}

_LATIN_LOOKALIKE = str.maketrans("aeopckxmtbh", "аеорскхмтвн")
# Hyphenated abbreviations, read before the text is cut into words at the hyphens.
_HYPHENATED = {"пр-кт": "проспект", "пр-т": "проспект", "пр-д": "проезд", "ул-ца": "улица", "наб-я": "набережная",
               "пер-к": "переулок", "пл-дь": "площадь", "ш-се": "шоссе", "б-р": "бульвар", "с-пб": "спб"}
_HYPHENATED_RE = re.compile(r"(?<![а-я0-9])(" + "|".join(_HYPHENATED) + r")(?![а-я0-9])")
_INITIALS = re.compile(r"(?<![а-я0-9])([а-я])\.\s*([а-я])\.?(?![а-я0-9])")  # В.О., П. С.
_ORDINAL = re.compile(r"(\d+)\s*-?\s*(?:ая|яя|ой|ый|ий|я|й)(?![а-я0-9])")  # 7-я линия, 1-й
_ISLANDS = [(re.compile(r"васильевского\s+острова"), " во "), (re.compile(r"петроградской\s+стороны"), " пс ")]
_WORD = re.compile(r"[0-9a-zа-я]+")


@dataclass(frozen=True)
class StreetQuery:
    key: str
    words: tuple[str, ...]
    types: frozenset[str]
    districts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class House:
    number: int
    korpus: str = ""
    stroenie: str = ""
    litera: str = ""

    @property
    def building(self) -> str:
        """The building part in key form: к2, с1, лА, combined in that order ("" for the house itself)."""
        return (f"к{self.korpus}" if self.korpus else "") + (f"с{self.stroenie}" if self.stroenie else "") + (
            f"л{self.litera}" if self.litera else "")

    @property
    def label(self) -> str:
        """As shown back to the person: 5, 5к2, 5 лит. А."""
        text = f"{self.number}" + (f"к{self.korpus}" if self.korpus else "") + (
            f"с{self.stroenie}" if self.stroenie else "")
        return text + (f" лит. {self.litera.upper()}" if self.litera else "")


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е").translate(_LATIN_LOOKALIKE) if text else ""


# ---------------------------------------------------------------- street names
def parse_street(text: str) -> StreetQuery | None:
    """The key, the name words and the type hints of what was typed; None when no name is left."""
    text = _fold(text)
    for pattern, replacement in _ISLANDS:
        text = pattern.sub(replacement, text)
    text = _HYPHENATED_RE.sub(lambda m: f" {_HYPHENATED[m.group(1)]} ", text)
    text = _INITIALS.sub(r" \1\2 ", text)
    text = _ORDINAL.sub(r"\1", text)
    words: list[str] = []
    types: set[str] = set()
    districts: set[str] = set()
    for word in _WORD.findall(text):
        if word in _TYPES:
            types |= _TYPES[word]
        elif word in _TOWNS:
            districts.add(_TOWNS[word])
        elif word not in _NOISE:
            words.append(word)
    if not words:
        return None
    return StreetQuery(" ".join(sorted(words)), tuple(words), frozenset(types), frozenset(districts))


# ---------------------------------------------------------------- house numbers
_HOUSE_PREFIX = re.compile(r"^\s*(?:дом|д)\s*\.?\s*")
_HOUSE_NUMBER = re.compile(r"^(\d{1,4})")
_PARTS = [
    ("korpus", re.compile(r"^(?:корпус|корп|кор|к)\s*\.?\s*(\d{1,3})")),
    ("stroenie", re.compile(r"^(?:строение|стр|с)\s*\.?\s*(\d{1,3})")),
    ("litera", re.compile(r"^(?:литера|литер|лит|л)\s*\.?\s*([а-я])(?![а-я])")),
    ("flat", re.compile(r"^(?:квартира|кв)\s*\.?\s*\d{1,5}")),  # people add the flat: not part of the house
    ("corner", re.compile(r"^/\s*\d{1,4}(?:\s*[а-я](?![а-я]))?")),  # 52/14: the corner house is known by 52
    ("litera", re.compile(r"^([а-я])(?![а-я])")),  # 5А, 5 а
]


def parse_house(text: str) -> House | None:
    """`5`, `5к2`, `д. 5, корп. 2`, `5 лит. А`, `5А`, `дом 12 корпус 3 строение 1`; None if not a house."""
    rest = _HOUSE_PREFIX.sub("", _fold(text).strip())
    m = _HOUSE_NUMBER.match(rest)
    if not m or not 1 <= int(m.group(1)) <= MAX_HOUSE:
        return None
    number = int(m.group(1))
    rest = rest[m.end():]
    parts: dict[str, str] = {}
    while True:
        rest = rest.lstrip(" ,.-")
        if not rest:
            break
        for name, pattern in _PARTS:
            found = pattern.match(rest)
            if found and name not in parts:
                if name not in ("flat", "corner"):
                    parts[name] = found.group(1).lstrip("0") or "0"
                else:
                    parts[name] = ""
                rest = rest[found.end():]
                break
        else:
            return None  # something we do not understand: better to ask than to guess another house
    return House(number, parts.get("korpus", ""), parts.get("stroenie", ""), parts.get("litera", ""))


# ---------------------------------------------------------------- keys and items
def street_pk(key: str) -> str:
    return f"STREET#{key}"


def street_sk(district_id: str) -> str:
    return f"D#{district_id}"


def range_sk(district_id: str, lo: int, parity: str) -> str:
    return f"D#{district_id}#R#{lo:04d}#{parity}"


def house_sk(house: House, district_id: str) -> str:
    return f"H#{house.number:04d}#{house.building}#{district_id}"


def index_pk(word: str) -> str:
    return f"STREETIDX#{word[0]}"


def street_items(name: str, district_id: str, district_name: str, district_name_en: str | None = None,
                 ) -> list[dict[str, Any]]:
    """A street of a district and its name-word index entries."""
    parsed = parse_street(name)
    if parsed is None:
        raise ValueError("a street needs a name")
    street = {"entity": "street", "key": parsed.key, "name": name, "types": sorted(parsed.types),
              "districtId": district_id, "districtName": district_name, "districtNameEn": district_name_en}
    items = [{"PK": street_pk(parsed.key), "SK": street_sk(district_id), **street}]
    for word in sorted(set(parsed.words)):
        items.append({"PK": index_pk(word), "SK": f"{word}#{parsed.key}#{district_id}",
                      **street, "entity": "streetWord", "words": sorted(set(parsed.words))})
    return items


def range_item(street: str, district_id: str, lo: int, hi: int, parity: str, clinic_ids: list[str],
               ) -> dict[str, Any]:
    """Houses lo..hi of a street (odd, even or all) served by `clinic_ids`."""
    if parity not in ("odd", "even", "all") or not 1 <= lo <= hi <= MAX_HOUSE:
        raise ValueError("bad house range")
    parsed = parse_street(street)
    if parsed is None:
        raise ValueError("a street needs a name")
    return {"PK": street_pk(parsed.key), "SK": range_sk(district_id, lo, parity), "entity": "houseRange",
            "districtId": district_id, "from": lo, "to": hi, "parity": parity, "clinicIds": list(clinic_ids)}


def house_item(street_key: str, district_id: str, house: House, clinic_ids: list[str]) -> dict[str, Any]:
    return {"PK": street_pk(street_key), "SK": house_sk(house, district_id), "entity": "house",
            "districtId": district_id, "number": house.number, "building": house.building,
            "house": house.label, "clinicIds": list(clinic_ids)}


# ---------------------------------------------------------------- look-up
def _street_partition(key: str) -> list[dict[str, Any]]:
    """The street's district entries and house ranges (a handful of items)."""
    return list(dal.query_all("PK = :pk AND begins_with(SK, :d)", {":pk": street_pk(key), ":d": "D#"}))


def _from_index(wanted: StreetQuery) -> list[dict[str, Any]]:
    """Streets whose words begin with every word typed (numbers must match whole: 1 is not 17)."""
    probe = max(wanted.words, key=lambda w: (not w.isdigit(), len(w)))
    found, _ = dal.query("PK = :pk AND begins_with(SK, :w)", {":pk": index_pk(probe), ":w": probe}, limit=200)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in found:
        words = entry.get("words") or []
        if all(any(w == typed if typed.isdigit() else w.startswith(typed) for w in words) for typed in wanted.words):
            out[(entry["key"], entry["districtId"])] = entry
    return list(out.values())


def _narrow(streets: list[dict[str, Any]], wanted: StreetQuery, district_id: str | None) -> list[dict[str, Any]]:
    if district_id:
        streets = [s for s in streets if s["districtId"] == district_id]
    if wanted.districts:
        streets = [s for s in streets if s["districtId"] in wanted.districts]
    if wanted.types:
        typed = [s for s in streets if set(s.get("types") or []) & wanted.types]
        # A street typed with the wrong type word is still the street: the type only chooses between namesakes.
        streets = typed or streets
    return streets


def _candidate(street: dict[str, Any], lang: str) -> dict[str, Any]:
    district = street.get("districtNameEn") if lang == "en" and street.get("districtNameEn") else None
    return {"name": street["name"], "districtId": street["districtId"],
            "districtName": district or street["districtName"]}


def _fits(r: dict[str, Any], number: int) -> bool:
    parity = r.get("parity", "all")
    return int(r["from"]) <= number <= int(r["to"]) and (
        parity == "all" or (parity == "odd") == (number % 2 == 1))


def _serving(house: House, district_id: str, houses: list[dict[str, Any]], ranges: list[dict[str, Any]],
             ) -> list[str]:
    """Clinic ids serving the house in one district. The register's own entry for the house wins; 5к2 typed
    and only house 5 listed -> house 5; then the ranges; 5 typed and only 5к1, 5к2 listed -> all of them."""
    mine = [h for h in houses if h["districtId"] == district_id]
    chosen = [h for h in mine if h["building"] == house.building]
    if not chosen and house.building:
        chosen = [h for h in mine if h["building"] == ""]
    if not chosen:
        chosen = [r for r in ranges if r["districtId"] == district_id and _fits(r, house.number)]
    if not chosen and not house.building:
        chosen = mine
    return list(dict.fromkeys(c for item in chosen for c in item.get("clinicIds", [])))


def clinics_for_address(street: str, house: str, district_id: str | None, lang: str) -> dict[str, Any]:
    """The clinics serving a house, or the candidate streets to choose from; a few Query/GetItem calls."""
    wanted = parse_street(street)
    if wanted is None:
        raise DomainError("validation_error", {"fields": [{"field": "street", "problem": "no_street_name"}]})
    number = parse_house(house)
    if number is None:
        raise DomainError("validation_error", {"fields": [{"field": "house", "problem": "house_not_understood"}]})

    partition = _street_partition(wanted.key)
    streets = [i for i in partition if i.get("entity") == "street"]
    if not streets:
        streets = _from_index(wanted)
    streets = _narrow(streets, wanted, district_id)
    if not streets:
        raise DomainError("address_not_found", {"reason": "street"})
    ordered = sorted(streets, key=lambda s: (s["name"], s["districtName"]))
    answer: dict[str, Any] = {"street": None, "house": number.label, "items": [], "candidates": []}
    if len({s["key"] for s in streets}) > 1:
        # Different streets fit what was typed: the person chooses, we do not guess.
        answer["candidates"] = [_candidate(s, lang) for s in ordered[:MAX_CANDIDATES]]
        return answer

    key = streets[0]["key"]
    if key != wanted.key:
        partition = _street_partition(key)
    ranges = [i for i in partition if i.get("entity") == "houseRange"]
    houses = list(dal.query_all("PK = :pk AND begins_with(SK, :h)",
                                {":pk": street_pk(key), ":h": f"H#{number.number:04d}#"}))
    served = {s["districtId"]: _serving(number, s["districtId"], houses, ranges) for s in ordered}
    serving = [s for s in ordered if served[s["districtId"]]]
    if not serving:
        raise DomainError("address_not_found", {"reason": "house"})
    if len(serving) > 1:
        # Namesake streets in several districts, each with this house (Садовая 5 in two districts).
        answer["candidates"] = [_candidate(s, lang) for s in serving[:MAX_CANDIDATES]]
        return answer
    chosen = serving[0]
    clinics = []
    for clinic_id in served[chosen["districtId"]]:
        try:
            clinics.append(lookup.clinic(clinic_id, lang))
        except DomainError:
            continue  # a register row naming a clinic that is gone: show the others
    if not clinics:
        raise DomainError("address_not_found", {"reason": "house"})
    answer["street"] = _candidate(chosen, lang)
    answer["items"] = clinics
    return answer
