"""The address register's items (shared/DESIGN.md, "Address register"), as the demo data and the importer
(infra/import_addresses.py) write them; their keys are in shared/platform/keys.py.

- street in a district `PK=STREET#<key>`, `SK=D#<districtId>`: display name, types, district names;
- house range `PK=STREET#<key>`, `SK=D#<districtId>#R#<from>#<parity>`: `from`, `to`, `parity`, `clinicIds`;
- house `PK=STREET#<key>`, `SK=H#<number:04d>#<building>#<districtId>`: `clinicIds` (the imported register);
- name-word index `PK=STREETIDX#<first letter>`, `SK=<word>#<key>#<districtId>`: finds streets by a word
  or its beginning when the typed name is not a whole key.
"""
from __future__ import annotations

from typing import Any

from shared.catalogue.address_text import MAX_HOUSE, House, parse_street
from shared.platform import keys


def street_items(name: str, district_id: str, district_name: str, district_name_en: str | None = None,
                 ) -> list[dict[str, Any]]:
    """A street of a district and its name-word index entries."""
    parsed = parse_street(name)
    if parsed is None:
        raise ValueError("a street needs a name")
    street = {"entity": "street", "key": parsed.key, "name": name, "types": sorted(parsed.types),
              "districtId": district_id, "districtName": district_name, "districtNameEn": district_name_en}
    items = [{"PK": keys.street_pk(parsed.key), "SK": keys.street_sk(district_id), **street}]
    for word in sorted(set(parsed.words)):
        items.append({"PK": keys.street_index_pk(word), "SK": keys.street_index_sk(word, parsed.key, district_id),
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
    return {"PK": keys.street_pk(parsed.key), "SK": keys.house_range_sk(district_id, lo, parity),
            "entity": "houseRange", "districtId": district_id, "from": lo, "to": hi, "parity": parity,
            "clinicIds": list(clinic_ids)}


def house_item(street_key: str, district_id: str, house: House, clinic_ids: list[str]) -> dict[str, Any]:
    return {"PK": keys.street_pk(street_key), "SK": keys.house_sk(house.number, house.building, district_id),
            "entity": "house", "districtId": district_id, "number": house.number, "building": house.building,
            "house": house.label, "clinicIds": list(clinic_ids)}
