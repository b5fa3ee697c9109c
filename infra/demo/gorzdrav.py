"""gorzdrav-style ids and the name index of the demo data (issue 19), as table items (shared/DESIGN.md).

The ids themselves are data (gorzdrav_ids.json beside this file); this module only shapes them into the GZ#
partitions the façade reads, and writes one name-index item per register entry.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from infra.demo import data
from shared.patients import name_index, policy
from shared.platform import keys

IDS = json.loads((Path(__file__).resolve().parent / "gorzdrav_ids.json").read_text(encoding="utf-8"))
_ORG = uuid.UUID("6f0c6b1e-6d1c-4c55-9a53-3f2b6f5d0e19")


def lpu_shape(clinic: dict[str, Any]) -> dict[str, Any]:
    """gorzdrav's Lpu object (every key present) for one of our clinics."""
    ids = IDS["clinics"][clinic["id"]]
    district = int(IDS["districts"][clinic["districtId"]]["id"])
    return {
        "id": ids["id"], "description": clinic["name"], "district": district, "districtId": district,
        "districtName": clinic["districtName"], "isActive": True,
        "lpuFullName": f"СПб ГБУЗ «{clinic['name']}»", "lpuShortName": clinic["name"],
        "lpuType": ids["lpuType"], "oid": None, "partOf": None,
        "headOrganization": str(uuid.uuid5(_ORG, f"head-{clinic['id']}")),
        "organization": str(uuid.uuid5(_ORG, clinic["id"])),
        "address": clinic["address"], "phone": clinic["phone"], "email": "",
        "longitude": ids["longitude"], "latitude": ids["latitude"],
        "covidVaccination": False, "inDepthExamination": False,
        "covidVaccinationTicketCount": None, "covidVaccinationTicketReceiveTime": None, "subdivision": None,
    }


def items(clinic_ids: set[str] | None = None, people: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for d_id, name_ru, _ in data.DISTRICTS:
        d = IDS["districts"][d_id]
        out.append({"PK": keys.GZ_DISTRICTS, "SK": keys.gz_district_sk(int(d["id"])), "entity": "gzDistrict",
                    "gzId": d["id"], "districtId": d_id, "name": name_ru, "okato": d["okato"]})
    for c in data.clinics():
        if clinic_ids and c["id"] not in clinic_ids:
            continue
        gz = IDS["clinics"][c["id"]]["id"]
        out.append({"PK": keys.GZ_LPUS, "SK": keys.gz_lpu_sk(gz), "entity": "gzLpu", "gzId": gz,
                    "clinicId": c["id"], "lpu": lpu_shape(c)})
    for s_id, spec in IDS["specialties"].items():
        out.append({"PK": keys.GZ_SPECIALTIES, "SK": keys.gz_specialty_sk(s_id), "entity": "gzSpecialty",
                    "gzId": spec["id"], "ferId": spec["ferId"], "specialtyId": s_id})
    for p in people if people is not None else data.patients():
        out.append(name_index.index_item(p, policy.policy_hash(p["policyNumber"], p.get("policySeries"))))
    return out
