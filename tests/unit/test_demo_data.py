"""The demo data is believable (issue 30): each clinic stands in its own district, at an address the demo register
assigns to that clinic, and no demo doctor has a demo patient's name."""
from __future__ import annotations

import json
from pathlib import Path

from infra.demo import addresses, data
from shared.catalogue import address_text


def test_every_clinic_stands_on_a_street_of_its_district_and_serves_its_own_house() -> None:
    rows = addresses.rows()
    for clinic in data.clinics():
        street, house_text = clinic["address"].split(", д. ")
        assert street in addresses.STREETS[clinic["districtId"]], clinic
        house = address_text.parse_house(house_text)
        assert house is not None, clinic
        serving = [r for r in rows if r["street"] == street and r["districtId"] == clinic["districtId"]
                   and "from" in r and r["from"] <= house.number <= r["to"]
                   and r["parity"] in ("all", "odd" if house.number % 2 else "even")]
        if clinic["kind"] == "children":  # beside an adult polyclinic in the register (issue 29)
            assert len(serving) == 1 and clinic["id"] in serving[0]["clinicIds"], clinic
        else:
            assert [r["clinicIds"] for r in serving] == [[clinic["id"]]], clinic
        assert clinic["addressEn"].startswith(f"{house.number} "), clinic


def test_no_doctor_is_named_as_a_patient() -> None:
    patients = {(p["lastName"], p["firstName"], p["middleName"]) for p in data.patients()}
    doctors = [d for c in data.clinics() for d in data.doctors(c)]
    assert doctors and not [d["name"] for d in doctors if tuple(d["name"].split()) in patients]


def test_the_patients_file_is_what_the_demo_generates() -> None:
    listed = json.loads((Path(data.__file__).parent / "patients.json").read_text(encoding="utf-8"))
    assert listed == data.patients()
