"""`python -m infra.import_clinics` under moto (issue 11): the example file, its rejected rows, a re-run."""
from __future__ import annotations

import json
from pathlib import Path

from infra import import_clinics
from shared.platform import dal, keys
from tests.support import ROOT, http_event, invoke

EXAMPLE = ROOT / "infra/demo/clinics_import.csv"


def test_import_the_example_then_again(moto_table: str) -> None:
    lines, code = import_clinics.run(EXAMPLE)
    assert code == 1
    assert lines[0].startswith("clinics: 2 (1 written), doctors accepted: 2,")
    assert "line 7: doctor 'cl0103-d03': validation_error specialtyId" in lines
    assert "line 8: unknown district 'atlantis'" in lines
    status, body = invoke("lookup", http_event("GET", "/v1/clinics/cl0103/specialties"))
    assert status == 200 and {s["id"] for s in body["items"]} == {"therapist", "surgeon"}
    assert all(s["freeSlots"] > 0 for s in body["items"])
    status, clinics = invoke("lookup", http_event("GET", "/v1/districts/admiralteysky/clinics"))
    assert "cl0103" in {c["id"] for c in clinics["items"]}
    # Re-running changes nothing: no clinic written, no slot created, the doctor's version unchanged.
    version = (dal.get(keys.key(keys.doctor_pk("cl0103-d01"), keys.PROFILE)) or {})["version"]
    again, _ = import_clinics.run(EXAMPLE)
    assert again[0] == "clinics: 2 (0 written), doctors accepted: 2, slots created: 0, rejected: 2"
    assert (dal.get(keys.key(keys.doctor_pk("cl0103-d01"), keys.PROFILE)) or {})["version"] == version


def test_import_json_and_a_dry_run(moto_table: str, tmp_path: Path) -> None:
    data = {"clinics": [{"id": "cl0105", "districtId": "admiralteysky", "name": "Поликлиника № 15",
                         "address": "ул. Садовая, д. 50", "phone": "+7 812 215-00-00",
                         "doctors": [{"id": "cl0105-d01", "name": "Иванов Иван Иванович", "specialtyId": "ent",
                                      "room": "7", "slotMinutes": 30,
                                      "plan": [{"weekday": 2, "from": "10:00", "to": "09:00"}]},
                                     {"id": "cl0105-d02", "name": "Петров Пётр", "specialtyId": "ent",
                                      "room": "8", "slotMinutes": 30,
                                      "plan": [{"weekday": 2, "from": "10:00", "to": "12:00"}]}]}]}
    path = tmp_path / "clinics.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines, code = import_clinics.run(path, dry_run=True)
    assert code == 1 and lines[1] == "clinics[0]: doctor 'cl0105-d01': invalid plan.0"
    assert dal.get(keys.key(keys.clinic_pk("cl0105"), keys.PROFILE)) is None
    lines, code = import_clinics.run(path)
    assert code == 1 and lines[1] == "clinics[0]: doctor 'cl0105-d01': invalid plan.0"
    assert dal.get(keys.key(keys.doctor_pk("cl0105-d02"), keys.PROFILE))
