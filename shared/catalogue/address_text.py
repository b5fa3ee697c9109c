"""Street names and house numbers as people type them, read into the keys the address register uses.

A street is known by its *key*: the words of its name without the street-type words, lower case, ё -> е,
sorted (`"Большой пр. В.О."` -> `"большой во"`). The type (ул., пр., наб. ...) is kept beside the key and
only narrows candidates when the name alone is shared (ул. Ленина and пр. Ленина). A house is known by its
number and its building parts (корпус, строение, литера): `5`, `5к2`, `д. 5, корп. 2`, `5 лит. А`; a flat
people add is read over (`10-25`, `д.10 кв.25`), and so is a corner house's second number (`10/2`).

Pure text work, no reads: the register's items are built in shared/catalogue/address_register.py and looked up in
shared/catalogue/addresses.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HOUSE = 9999

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
_FLAT_AFTER_HYPHEN = re.compile(r"\s*-\s*\d{1,5}\s*$")  # 10-25, 10к2-25: house 10 (корпус 2), flat 25
_HOUSE_NUMBER = re.compile(r"^(\d{1,4})")
_PARTS = [
    ("korpus", re.compile(r"^(?:корпус|корп|кор|к)\s*\.?\s*(\d{1,3})")),
    ("stroenie", re.compile(r"^(?:строение|стр|с)\s*\.?\s*(\d{1,3})")),
    ("litera", re.compile(r"^(?:литера|литер|лит|л)\s*\.?\s*([а-я])(?![а-я])")),
    ("flat", re.compile(r"^(?:квартира|кв)\s*\.?\s*\d{1,5}")),  # people add the flat: not part of the house
    ("corner", re.compile(r"^/\s*\d{1,4}(?:\s*[а-я](?![а-я]))?")),  # 52/14: the corner house is known by 52
    ("litera", re.compile(r"^([а-я])(?![а-я])")),  # 5А, 5 а
]


def _next_part(rest: str, parts: dict[str, str]) -> str | None:
    """Read the part `rest` begins with into `parts` (each part once; the flat and the corner are read over, not
    kept): the text after it, or None when no part begins `rest`."""
    for name, pattern in _PARTS:
        found = pattern.match(rest)
        if found and name not in parts:
            parts[name] = "" if name in ("flat", "corner") else (found.group(1).lstrip("0") or "0")
            return rest[found.end():]
    return None


def _parts(rest: str) -> dict[str, str] | None:
    """The parts after the house number (korpus, stroenie, litera); None at something we do not understand."""
    parts: dict[str, str] = {}
    rest = rest.lstrip(" ,.-")
    while rest:
        after = _next_part(rest, parts)
        if after is None:
            return None  # better to ask than to guess another house
        rest = after.lstrip(" ,.-")
    return parts


def parse_house(text: str) -> House | None:
    """`5`, `5к2`, `д. 5, корп. 2`, `5 лит. А`, `5А`, `дом 12 корпус 3 строение 1`, `10-25` (flat 25), `10/2`
    (a corner house); None if not a house."""
    rest = _HOUSE_PREFIX.sub("", _fold(text).strip())
    m = _HOUSE_NUMBER.match(rest)
    if not m or not 1 <= int(m.group(1)) <= MAX_HOUSE:
        return None
    parts = _parts(_FLAT_AFTER_HYPHEN.sub("", rest[m.end():]))
    if parts is None:
        return None
    return House(int(m.group(1)), parts.get("korpus", ""), parts.get("stroenie", ""), parts.get("litera", ""))
