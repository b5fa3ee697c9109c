"""Help for the address look-up when what was typed does not match the register as it is.

- `split_address`: the whole address typed in the street field ("невский 28", "Невский пр-т, д.28") is cut
  into the street and the house, at the first place where both halves read as such.
- `suggest`: the register's street names nearest to a street it does not know (a typo, "Невскй"; Latin
  letters, "Nevsky"): each typed word against the name-word index entries that begin with the same letter,
  by difflib's similarity ratio (no external service, no extra dependency). Only asked after a miss.

Called from the look-up handler (functions/lookup/app.py) after shared/catalogue/addresses.py found nothing.
"""
from __future__ import annotations

import difflib
import re
from typing import Any

from shared.catalogue.address_text import parse_house, parse_street
from shared.platform import dal, keys

MAX_SUGGESTIONS = 5
CUTOFF = 0.75  # difflib ratio: "невскй"/"невский" 0.92, "nevsky"->"невскы"/"невский" 0.77, "садовая"/"сенная" 0.46

# Where a house may begin: after a space or comma, optionally "д." / "дом", at a digit.
_HOUSE_START = re.compile(r"[\s,]+(?=(?:дом|д)?\.?\s*\d)", re.IGNORECASE)

# Latin transliteration, longest first (a patient on a phone without a Russian keyboard types "Nevsky 28").
_LATIN = [("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
          ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("y", "ы"),
          ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
          ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"),
          ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "к"), ("w", "в"), ("x", "кс"),
          ("q", "к"), ("'", "ь")]
_LATIN_RE = re.compile("|".join(re.escape(k) for k, _ in _LATIN))
_LATIN_MAP = dict(_LATIN)


def split_address(text: str) -> tuple[str, str] | None:
    """(street, house) of a whole address typed in one field, or None when no house can be found in it."""
    for m in _HOUSE_START.finditer(text):
        street, house = text[:m.start()].strip(" ,"), text[m.end():].strip()
        if parse_street(street) is not None and parse_house(house) is not None:
            return street, house
    return None


def transliterate(text: str) -> str:
    """Latin letters to Russian ones, as street names are spelt in Latin ("Nevskiy" -> "невский")."""
    return _LATIN_RE.sub(lambda m: _LATIN_MAP[m.group(0)], text.lower())


def _index_words(letter_word: str) -> list[dict[str, Any]]:
    return list(dal.query_all("PK = :pk", {":pk": keys.street_index_pk(letter_word)}))


def _typed_words(street: str) -> list[str]:
    """The name words of the typed street worth comparing (no numbers, three letters or more), Latin
    transliterated."""
    wanted = parse_street(transliterate(street) if re.search(r"[a-z]", street.lower()) else street)
    if wanted is None:
        return []
    return [w for w in wanted.words if not w.isdigit() and len(w) >= 3]


def _score(typed: list[str], entry: dict[str, Any]) -> float | None:
    """Every typed name word must be near one of the street's words; the street's score is the worst one
    (None for a street of numbers only)."""
    words = [w for w in entry.get("words") or [] if not w.isdigit()]
    if not words:
        return None
    return min(max(difflib.SequenceMatcher(None, t, w).ratio() for w in words) for t in typed)


def _suggestion(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    district = entry.get("districtNameEn") if lang == "en" and entry.get("districtNameEn") else None
    return {"name": entry["name"], "districtId": entry["districtId"],
            "districtName": district or entry["districtName"]}


def suggest(street: str, lang: str = "ru") -> list[dict[str, Any]]:
    """The nearest known streets to a street the register does not know: [{name, districtId, districtName}]."""
    typed = _typed_words(street)
    scored: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
    for word in typed:
        for entry in _index_words(word):
            score = _score(typed, entry)
            if score is not None and score >= CUTOFF:
                scored[(entry["key"], entry["districtId"])] = (score, entry)
    best = sorted(scored.values(), key=lambda pair: (-pair[0], pair[1]["name"], pair[1]["districtName"]))
    return [_suggestion(entry, lang) for _, entry in best[:MAX_SUGGESTIONS]]
