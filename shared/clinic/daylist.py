"""The reception's day list and attendance (issue 11).

Every appointment carries the keys of the ClinicDay index (`DayPK = DAY#<clinicId>#<local date>`,
`DaySK = <doctorId>#<start UTC>#<appointmentId>`), written by the booking transaction itself: a clinic's
day is one Query (a doctor's day one Query with `begins_with`), every status, cost growing with that day's
appointments only. The answer carries patients' names and birth dates; no log line does.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from shared.clinic.staff import ATTENDANCE, Staff
from shared.domain import appointments, journal, specialties
from shared.platform import clock, dal, keys, statuses
from shared.platform.errors import DomainError
from shared.platform.observability import logger

INDEX = "ClinicDay"
MARKS = (keys.FULFILLED, keys.NOSHOW)


def day_list(clinic_id: str, day: date, doctor_id: str | None) -> dict[str, Any]:
    if not keys.valid_clinic_id(clinic_id):
        raise DomainError("not_found")
    condition = "DayPK = :pk"
    values = {":pk": keys.clinic_day_pk(clinic_id, day.isoformat())}
    if doctor_id:
        if keys.clinic_of_doctor(doctor_id) != clinic_id:
            raise DomainError("not_found")
        condition += " AND begins_with(DaySK, :doctor)"
        values[":doctor"] = f"{doctor_id}#"
    found = list(dal.query_all(condition, values, index=INDEX))
    found.sort(key=lambda a: (int(a["start"]), a["doctorId"]))
    return {"items": [{
        "id": a["id"], "number": a["number"], "start": clock.local_iso(int(a["start"])),
        "end": clock.local_iso(int(a["end"])), "doctorId": a["doctorId"], "doctorName": a["doctorName"],
        "room": a.get("room", ""), "status": a["status"],
        "patient": {"lastName": a["lastName"], "firstName": a["firstName"], "middleName": a.get("middleName"),
                    "birthDate": a["birthDate"], "age": _age(a)},
    } for a in found]}


def _age(appointment: dict[str, Any]) -> int | None:
    """The patient's whole years on the appointment's day (issue 29: the reception sees a child's age)."""
    try:
        return specialties.age_on(str(appointment["birthDate"]), clock.local_date(int(appointment["start"])))
    except (KeyError, ValueError):
        return None


def mark_attendance(staff: Staff, appointment_id: str, status: str) -> dict[str, Any]:
    """booked -> fulfilled | noshow, once, after the start; the same mark sent again answers the same."""
    if status not in MARKS:
        raise DomainError("validation_error", {"fields": [{"field": "status", "problem": "enum"}]})
    if not keys.valid_appointment_id(appointment_id):
        raise DomainError("not_found")
    key = keys.appointment_key(appointment_id)
    appt = dal.get(key, consistent=True)
    if not appt:
        raise DomainError("not_found")
    staff.require(appt["clinicId"], ATTENDANCE)
    now = clock.now()
    # The mark, its journal entry and the patient's access item: one transaction (shared/domain/journal.py).
    try:
        dal.transact({"appointment": appointments.attend(appointment_id, status, clinic_id=appt["clinicId"],
                                                         by=staff.principal, now=now),
                      **journal.operations(staff.actor, appt["clinicId"], journal.ATTENDANCE_MARK, now,
                                           appointments=[appt])})
    except dal.Cancelled as cancelled:
        if not cancelled.failed("appointment"):
            raise DomainError("unavailable", retry_after=1) from None
        appt = cancelled.old("appointment") or appt
        _refuse(appt, status, now)
    else:
        logger.info("attendance recorded", extra={"appointmentId": appointment_id, "status": status})
    return {"appointment": {"id": appointment_id, "status": status, "start": clock.local_iso(int(appt["start"])),
                            "doctorId": appt["doctorId"], "number": appt["number"]}}


def _refuse(appt: dict[str, Any], status: str, now: int) -> None:
    """Why the mark was not written; returns when it is already there (the same request again)."""
    current = appt.get("status")
    if current == status:
        return
    if current == statuses.CANCELLED:
        raise DomainError("already_cancelled")
    if current == statuses.RESCHEDULED:
        raise DomainError("already_rescheduled", {"rescheduledTo": appt.get("rescheduledTo")})
    if current in MARKS:
        raise DomainError("attendance_already_recorded")
    if int(appt["start"]) > now:
        raise DomainError("appointment_not_started")
    raise DomainError("unavailable", retry_after=1)
