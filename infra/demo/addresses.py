"""Deterministic demo address register: for each district a few real street names with house ranges mapped
to the district's two adult demo polyclinics (the third street's ranges also to its children's polyclinic, as a
real register lists both for a house, issue 29), plus a few single houses with a building that the register assigns
differently from their range (as a real register does).

Namesakes on purpose, so that "several candidate streets" happens: ул. Садовая (Адмиралтейский and
Пушкинский), пр. Ленина (Колпинский and Кронштадтский) beside ул. Ленина (Петроградский), Ленинский пр.
(Кировский and Красносельский), Большой пр. В.О. and Большой пр. П.С.
"""
from __future__ import annotations

from typing import Any

from infra.demo.data import DISTRICT_STREETS, DISTRICTS
from shared.catalogue import address_register, address_text

# The district's streets (infra/demo/data.py names them, in Russian and English: its clinics stand on the first two).
STREETS: dict[str, list[str]] = {d: [ru for ru, _ in streets] for d, streets in DISTRICT_STREETS.items()}


def rows() -> list[dict[str, Any]]:
    """The register as rows: street, district, the house range or the single house, the clinics."""
    out: list[dict[str, Any]] = []
    for d_index, (d_id, d_ru, d_en) in enumerate(DISTRICTS, start=1):
        first, second = f"cl{d_index:02d}01", f"cl{d_index:02d}02"
        children = [f"cl{d_index:02d}03"]
        for s_index, street in enumerate(STREETS[d_id]):
            # Alternate which clinic takes the low numbers, so both clinics serve every district.
            a, b = (first, second) if s_index % 2 == 0 else (second, first)
            kids = children if s_index == 2 else []  # the children's polyclinic stands on the third street
            common = {"street": street, "districtId": d_id, "districtName": d_ru, "districtNameEn": d_en}
            out.append({**common, "from": 1, "to": 49, "parity": "all", "clinicIds": [a, *kids]})
            out.append({**common, "from": 50, "to": 149, "parity": "odd", "clinicIds": [b, *kids]})
            out.append({**common, "from": 50, "to": 149, "parity": "even", "clinicIds": [a, *kids]})
            if s_index == 0:
                # House 10 belongs to range 1-49, but its building 2 is served by the other clinic.
                out.append({**common, "house": "10к2", "clinicIds": [b]})
    return out


def items(clinic_ids: set[str] | None = None) -> list[dict[str, Any]]:
    """Table items of the demo register; with `clinic_ids`, only the streets of those clinics' rows."""
    # A row naming a clinic not loaded as well (a children's polyclinic beside an adult one) is kept: the look-up
    # skips a missing clinic.
    wanted = [r for r in rows() if not clinic_ids or set(r["clinicIds"]) & clinic_ids]
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in wanted:
        for item in address_register.street_items(r["street"], r["districtId"], r["districtName"], r["districtNameEn"]):
            out[(item["PK"], item["SK"])] = item
        if "house" in r:
            parsed_street, house = address_text.parse_street(r["street"]), address_text.parse_house(r["house"])
            assert parsed_street and house
            item = address_register.house_item(parsed_street.key, r["districtId"], house, r["clinicIds"])
        else:
            item = address_register.range_item(r["street"], r["districtId"], r["from"], r["to"], r["parity"],
                                        r["clinicIds"])
        out[(item["PK"], item["SK"])] = item
    return list(out.values())
