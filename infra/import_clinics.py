"""Load a region's clinics, doctors and working plans into the table named by TABLE_NAME.

    python -m infra.import_clinics FILE.json|FILE.csv [--dry-run]

CSV (UTF-8, `,` or `;`, a header row naming the columns): one row per working interval of a doctor:
    clinic_id, district_id, clinic_name, clinic_address, clinic_phone, doctor_id, doctor_name, specialty_id,
    room, slot_minutes, weekday, from, to
(the clinic's columns repeat on each of its rows; a doctor's rows share doctor_id). JSON:
    {"clinics": [{"id", "districtId", "name", "address", "phone", "nameEn"?, "addressEn"?, "workingHours"?,
                  "doctors": [{"id", "name", "nameEn"?, "specialtyId", "room", "slotMinutes",
                               "plan": [{"weekday", "from", "to"}]}]}]}
Example: infra/demo/clinics_import.csv.

Every row is checked first; rejected rows are listed with their line numbers (JSON: the clinic's and
doctor's positions) and reasons, and nothing of a rejected clinic or doctor is written. Accepted clinics
are written only where they differ from the table, and doctors go through the same code as
`PUT /v1/registry/clinics/{clinicId}/doctors/{doctorId}` (shared/clinic/schedule.py), which publishes the plan's
slots for the open window: re-running the same file changes nothing. Exit code 0 when every row was
accepted, 1 when some were rejected (the rest is written).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shared.clinic import plans
from shared.faces.v1.registry_models import DoctorIn
from shared.platform import dal, keys
from shared.platform.errors import DomainError

CLINIC_FIELDS = ("id", "districtId", "name", "address", "phone")
CSV_COLUMNS = ("clinic_id", "district_id", "clinic_name", "clinic_address", "clinic_phone", "doctor_id",
               "doctor_name", "specialty_id", "room", "slot_minutes", "weekday", "from", "to")


def parse(path: Path) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """(clinics with their doctors, rejected (where, why)) from a JSON or CSV file."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        return [dict(c, _where=f"clinics[{i}]") for i, c in enumerate(data.get("clinics", []))], []
    return _from_csv(text)


def _dialect(text: str) -> Any:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;")
    except csv.Error:
        return csv.excel


def _clinic_of(clinics: dict[str, dict[str, Any]], row: dict[str, str], where: str) -> dict[str, Any]:
    """The row's clinic, made from its first row."""
    return clinics.setdefault(row["clinic_id"], {
        "id": row["clinic_id"], "districtId": row["district_id"], "name": row["clinic_name"],
        "address": row["clinic_address"], "phone": row["clinic_phone"], "doctors": [], "_where": where})


def _doctor_of(clinic: dict[str, Any], row: dict[str, str], where: str, minutes: int) -> dict[str, Any]:
    """The row's doctor in its clinic, made from their first row."""
    doctor = next((d for d in clinic["doctors"] if d["id"] == row["doctor_id"]), None)
    if doctor is None:
        doctor = {"id": row["doctor_id"], "name": row["doctor_name"], "specialtyId": row["specialty_id"],
                  "room": row["room"], "slotMinutes": minutes, "plan": [], "_where": where}
        clinic["doctors"].append(doctor)
    return doctor


def _from_csv(text: str) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [("line 1", "missing columns: " + ", ".join(missing))]
    clinics: dict[str, dict[str, Any]] = {}
    rejected: list[tuple[str, str]] = []
    for raw in reader:
        where = f"line {reader.line_num}"
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        try:
            weekday, minutes = int(row["weekday"]), int(row["slot_minutes"])
        except ValueError:
            rejected.append((where, "weekday and slot_minutes must be numbers"))
            continue
        doctor = _doctor_of(_clinic_of(clinics, row, where), row, where, minutes)
        doctor["plan"].append({"weekday": weekday, "from": row["from"], "to": row["to"]})
    return list(clinics.values()), rejected


def _clinic_problem(clinic: dict[str, Any], districts: set[str]) -> str | None:
    if any(not str(clinic.get(f) or "").strip() for f in CLINIC_FIELDS):
        return "a clinic needs " + ", ".join(CLINIC_FIELDS)
    if not keys.valid_clinic_id(str(clinic["id"])):
        return f"clinic id {clinic['id']!r} is not 2-24 lower-case letters and digits"
    if clinic["districtId"] not in districts:
        return f"unknown district {clinic['districtId']!r}"
    return None


def _profile(clinic: dict[str, Any], district: dict[str, Any]) -> dict[str, Any]:
    """The clinic's profile as the table keeps it (None: an attribute left as it is)."""
    profile = {k: clinic[k] for k in ("id", "districtId", "name", "nameEn", "address", "addressEn", "phone",
                                      "workingHours", "workingHoursEn") if clinic.get(k)}
    profile |= {"districtName": district.get("name"), "districtNameEn": district.get("nameEn")}
    profile.setdefault("workingHours", "")
    return profile


def _update_profile(clinic_id: str, profile: dict[str, Any]) -> None:
    """An update, not a put: the daily job's `openedThrough` stays."""
    given = {k: v for k, v in profile.items() if v is not None}
    dal.update(keys.key(keys.clinic_pk(clinic_id), keys.PROFILE),
               "SET entity = :entity, " + ", ".join(f"#{k} = :{k}" for k in given),
               values={":entity": "clinic", **{f":{k}": v for k, v in given.items()}},
               names={f"#{k}": k for k in given})


def _write_clinic(clinic: dict[str, Any]) -> bool:
    """Write the clinic (profile and its district's list) where it differs; True when something was written."""
    district = dal.get(keys.key(keys.district_pk(clinic["districtId"]), keys.PROFILE)) or {}
    profile = _profile(clinic, district)
    old = dal.get(keys.key(keys.clinic_pk(clinic["id"]), keys.PROFILE), consistent=True) or {}
    if all(old.get(k) == v for k, v in profile.items() if v is not None):
        return False
    _update_profile(clinic["id"], profile)
    summary = {k: profile[k] for k in ("id", "name", "nameEn", "address", "addressEn", "phone", "districtId")
               if profile.get(k)}
    dal.put({"PK": keys.district_pk(clinic["districtId"]), "SK": keys.clinic_sk(clinic["id"]), "entity": "clinicRef",
             **summary})
    return True


class _Rejected(Exception):
    """A doctor refused; its text is the reason the report lists."""


def _checked_doctor(d: dict[str, Any], clinic_id: str) -> dict[str, Any]:
    """The doctor as `PUT .../doctors/{doctorId}` takes it, checked as that route checks it; _Rejected if not."""
    body = {k: v for k, v in d.items() if not k.startswith("_") and k != "id"}
    try:
        checked = DoctorIn.model_validate(body).model_dump(by_alias=True)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise _Rejected(f"doctor {d.get('id')!r}: invalid " + ", ".join(fields)) from None
    problems = plans.plan_problems(checked["plan"], checked["slotMinutes"])
    if problems:
        raise _Rejected(f"doctor {d.get('id')!r}: invalid " + ", ".join(problems))
    if keys.clinic_of_doctor(str(d.get("id"))) != clinic_id:
        raise _Rejected(f"doctor id {d.get('id')!r} is not <clinic id>-d<number>")
    return checked


def _accepted_doctors(clinic: dict[str, Any], rejected: list[tuple[str, str]]) -> list[tuple[str, str, Any]]:
    """(where, doctor id, checked body) of the clinic's doctors that pass; the others go to `rejected`."""
    accepted = []
    for d in clinic.get("doctors", []):
        where = d.get("_where", clinic["_where"])
        try:
            checked = _checked_doctor(d, clinic["id"])
        except _Rejected as refused:
            rejected.append((where, str(refused)))
            continue
        accepted.append((where, d["id"], checked))
    return accepted


def _publish(clinic_id: str, accepted: list[tuple[str, str, Any]], rejected: list[tuple[str, str]]) -> tuple[int, int]:
    """Publish each doctor's plan (shared/clinic/schedule.py): (doctors published, slots created)."""
    from shared.clinic import schedule

    doctors_ok = slots = 0
    for where, doctor_id, checked in accepted:
        try:
            answer = schedule.publish_doctor(clinic_id, doctor_id, checked, "ru")
        except DomainError as refused:
            fields = [f["field"] for f in refused.detail.get("fields", [])]
            rejected.append((where, f"doctor {doctor_id!r}: {refused.code} {' '.join(fields)}".strip()))
            continue
        doctors_ok += 1
        slots += answer["slotsCreated"]
    return doctors_ok, slots


def run(path: Path, dry_run: bool = False) -> tuple[list[str], int]:
    clinics, rejected = parse(path)
    districts = {d["id"] for d in dal.query_all("PK = :pk", {":pk": keys.districts_key()})}
    written_clinics = doctors_ok = slots = 0
    for clinic in clinics:
        problem = _clinic_problem(clinic, districts)
        if problem:
            rejected.append((clinic["_where"], problem))
            continue
        accepted = _accepted_doctors(clinic, rejected)
        if dry_run:
            doctors_ok += len(accepted)
            continue
        written_clinics += _write_clinic(clinic)
        published, created = _publish(clinic["id"], accepted, rejected)
        doctors_ok, slots = doctors_ok + published, slots + created
    lines = [f"clinics: {len(clinics)} ({written_clinics} written), doctors accepted: {doctors_ok}, "
             f"slots created: {slots}, rejected: {len(rejected)}"]
    lines += [f"{where}: {why}" for where, why in rejected]
    return lines, 1 if rejected else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    args = parser.parse_args()
    lines, code = run(args.file, args.dry_run)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
