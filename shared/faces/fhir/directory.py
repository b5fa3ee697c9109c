"""The reads the FHIR searches need: clinics with their specialties and doctors, doctors' profiles, slots.

Reference data is read by partition (shared/DESIGN.md): the district list and each district's clinics name
the clinics, one Query of `CLINIC#id` gives a clinic's profile, specialties and doctors, and a BatchGetItem
gives doctors' profiles. A search that names its clinic or doctor reads only that partition.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.catalogue import lookup
from shared.platform import dal, keys
from shared.platform.errors import DomainError

_BATCH = 100  # BatchGetItem's limit


@dataclass
class Clinic:
    profile: dict[str, Any]
    specialties: list[dict[str, Any]] = field(default_factory=list)
    doctor_ids: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.profile["id"])


def _clinic(clinic_id: str) -> Clinic | None:
    if not keys.valid_clinic_id(clinic_id):
        return None
    items = list(dal.query_all("PK = :pk", {":pk": keys.clinic_pk(clinic_id)}))
    profile = next((i for i in items if i["SK"] == keys.PROFILE), None)
    if profile is None:
        return None
    return Clinic(profile=profile,
                  specialties=sorted((i for i in items if i["SK"].startswith(keys.SPECIALTY_PREFIX)),
                                     key=lambda s: s["id"]),
                  doctor_ids=sorted(i["id"] for i in items if i["SK"].startswith(keys.DOCTOR_PREFIX)))


def clinics(ids: set[str] | None = None) -> list[Clinic]:
    """The clinics named (unknown ids are left out), or every clinic; ordered by id."""
    wanted = sorted(ids) if ids is not None else lookup.all_clinic_ids()
    return [c for c in dal.in_parallel(_clinic, wanted) if c is not None]


def clinic(clinic_id: str) -> Clinic:
    found = _clinic(clinic_id)
    if found is None:
        raise DomainError("not_found")
    return found


def doctors(doctor_ids: list[str]) -> list[dict[str, Any]]:
    """Doctors' profiles (specialty, hours, clinic), ordered by id; unknown ids are left out."""
    valid = sorted({d for d in doctor_ids if keys.clinic_of_doctor(d)})
    chunks = [valid[i:i + _BATCH] for i in range(0, len(valid), _BATCH)]
    found = dal.in_parallel(lambda ids: dal.batch_get([keys.key(keys.doctor_pk(d), keys.PROFILE) for d in ids]), chunks)
    return sorted((d for part in found for d in part), key=lambda d: d["id"])


def slot(slot_id: str) -> dict[str, Any] | None:
    key = keys.slot_key(slot_id)
    return dal.get(key) if key else None


def doctor_slots(doctor_id: str, lo: int, hi: int) -> list[dict[str, Any]]:
    """Every slot of one doctor starting in [lo, hi], any status: one Query of the doctor's partition."""
    if not keys.clinic_of_doctor(doctor_id) or hi < lo:
        return []
    return list(dal.query_all(
        "PK = :pk AND SK BETWEEN :lo AND :hi",
        {":pk": keys.doctor_pk(doctor_id), ":lo": keys.slot_sk(lo), ":hi": keys.slot_sk(hi)},
        projection="slotId, doctorId, clinicId, specialtyId, #start, #end, #st, holdExpiresAt, room",
        names={"#start": "start", "#end": "end", "#st": "status"},
    ))
