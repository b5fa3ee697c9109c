"""Our items -> FHIR R4 resources. Pure functions: no reads, no clock except where passed in."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.domain import slots
from shared.faces.fhir import codes
from shared.platform import clock, keys
from shared.platform.text import localized

Resource = dict[str, Any]

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_DAY_NAMES = {"ru": ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"], "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}


def ref(resource_type: str, our_id: str, display: str | None = None) -> dict[str, str]:
    out = {"reference": f"{resource_type}/{codes.fhir_id(our_id)}"}
    if display:
        out["display"] = display
    return out


def specialty_concept(specialty_id: str, name: str | None = None) -> dict[str, Any]:
    coding: dict[str, str] = {"system": codes.SPECIALTY_SYSTEM, "code": specialty_id}
    if name:
        coding["display"] = name
    concept: dict[str, Any] = {"coding": [coding]}
    if name:
        concept["text"] = name
    return concept


def _telecom(item: dict[str, Any]) -> list[dict[str, str]]:
    return [{"system": "phone", "value": item["phone"], "use": "work"}] if item.get("phone") else []


def _address(clinic: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"use": "work", "type": "physical", "text": localized(clinic, "address", lang),
            "city": "Saint Petersburg" if lang == "en" else "Санкт-Петербург",
            "district": localized(clinic, "districtName", lang), "country": "RU"}


def organization(clinic: dict[str, Any], lang: str) -> Resource:
    return {
        "resourceType": "Organization", "id": clinic["id"],
        "identifier": [{"system": codes.CLINIC_SYSTEM, "value": clinic["id"]}],
        "active": True,
        "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type",
                              "code": "prov", "display": "Healthcare Provider"}]}],
        "name": localized(clinic, "name", lang),
        "telecom": _telecom(clinic),
        "address": [_address(clinic, lang)],
    }


def location(clinic: dict[str, Any], lang: str) -> Resource:
    out: Resource = {
        "resourceType": "Location", "id": clinic["id"],
        "identifier": [{"system": codes.CLINIC_SYSTEM, "value": clinic["id"]}],
        "status": "active", "mode": "instance",
        "name": localized(clinic, "name", lang),
        "telecom": _telecom(clinic),
        "address": _address(clinic, lang),
        "managingOrganization": ref("Organization", clinic["id"], localized(clinic, "name", lang)),
    }
    hours = localized(clinic, "workingHours", lang)
    if hours:
        out["availabilityExceptions"] = hours
    return out


def practitioner(doctor: dict[str, Any], lang: str) -> Resource:
    # Stored as "Фамилия Имя Отчество": family name first, then the given names.
    family, *given = str(doctor["name"]).split()
    return {
        "resourceType": "Practitioner", "id": doctor["id"],
        "identifier": [{"system": codes.DOCTOR_SYSTEM, "value": doctor["id"]}],
        "active": True,
        "name": [{"use": "official", "text": localized(doctor, "name", lang), "family": family, "given": given}],
    }


def _available_times(hours: dict[str, list[int]]) -> list[dict[str, Any]]:
    """Weekly hours {"0": [8, 14], ...} grouped by equal hours: PractitionerRole.availableTime."""
    groups: dict[tuple[int, int], list[str]] = {}
    for day in sorted(hours, key=int):
        start, end = hours[day]
        groups.setdefault((int(start), int(end)), []).append(_DAYS[int(day)])
    return [{"daysOfWeek": days, "availableStartTime": f"{s:02d}:00:00", "availableEndTime": f"{e:02d}:00:00"}
            for (s, e), days in groups.items()]


def hours_text(hours: dict[str, list[int]], lang: str) -> str:
    names = _DAY_NAMES["en" if lang == "en" else "ru"]
    return ", ".join(f"{names[int(d)]} {int(h[0]):02d}:00–{int(h[1]):02d}:00" for d, h in sorted(hours.items(),
                                                                                               key=lambda i: int(i[0])))


def practitioner_role(doctor: dict[str, Any], clinic: dict[str, Any], lang: str) -> Resource:
    name = localized(doctor, "specialty", lang)
    return {
        "resourceType": "PractitionerRole", "id": doctor["id"],
        "identifier": [{"system": codes.DOCTOR_SYSTEM, "value": doctor["id"]}],
        "active": True,
        "practitioner": ref("Practitioner", doctor["id"], localized(doctor, "name", lang)),
        "organization": ref("Organization", clinic["id"], localized(clinic, "name", lang)),
        "location": [ref("Location", clinic["id"], localized(clinic, "name", lang))],
        "healthcareService": [ref("HealthcareService", codes.service_id(clinic["id"], doctor["specialtyId"]), name)],
        "specialty": [specialty_concept(doctor["specialtyId"], name)],
        "availableTime": _available_times(doctor.get("hours") or {}),
    }


def healthcare_service(clinic: dict[str, Any], specialty: dict[str, Any], lang: str) -> Resource:
    name = localized(specialty, "name", lang)
    out: Resource = {
        "resourceType": "HealthcareService", "id": codes.service_id(clinic["id"], specialty["id"]),
        "active": True,
        "providedBy": ref("Organization", clinic["id"], localized(clinic, "name", lang)),
        "location": [ref("Location", clinic["id"], localized(clinic, "name", lang))],
        "type": [specialty_concept(specialty["id"], name)],
        "specialty": [specialty_concept(specialty["id"], name)],
        "name": name,
        "appointmentRequired": True,
    }
    if specialty.get("referralRequired"):
        out["comment"] = "By referral only" if lang == "en" else "Запись только по направлению"
    return out


def schedule(doctor: dict[str, Any], clinic: dict[str, Any], now: int, lang: str) -> Resource:
    """One per doctor: the doctor's weekly plan and the booking window as the planning horizon."""
    name = localized(doctor, "specialty", lang)
    return {
        "resourceType": "Schedule", "id": doctor["id"],
        "active": True,
        "serviceType": [specialty_concept(doctor["specialtyId"], name)],
        "specialty": [specialty_concept(doctor["specialtyId"], name)],
        "actor": [ref("Practitioner", doctor["id"], localized(doctor, "name", lang)),
                  ref("PractitionerRole", doctor["id"]),
                  ref("Location", clinic["id"], localized(clinic, "name", lang))],
        "planningHorizon": {"start": clock.local_iso(now), "end": clock.local_iso(slots.horizon(now))},
        "comment": hours_text(doctor.get("hours") or {}, lang),
    }


def slot_status(slot: dict[str, Any], now: int) -> str:
    if slots.is_free(slot, now):
        return "free"
    return codes.SLOT_STATUS.get(str(slot.get("status")), "busy")


def slot(item: dict[str, Any], now: int, lang: str) -> Resource:
    out: Resource = {
        "resourceType": "Slot", "id": item["slotId"],
        "schedule": ref("Schedule", item["doctorId"]),
        "status": slot_status(item, now),
        "start": clock.local_iso(int(item["start"])),
        "end": clock.local_iso(int(item["end"])),
        "serviceType": [specialty_concept(item["specialtyId"])],
        "specialty": [specialty_concept(item["specialtyId"])],
    }
    if item.get("room"):
        out["comment"] = f"Room {item['room']}" if lang == "en" else f"Кабинет {item['room']}"
    return out


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def _participants(ticket: dict[str, Any], patient: bool) -> list[dict[str, Any]]:
    """The patient (by name, when asked for and known), the doctor and the clinic."""
    doctor, clinic = ticket["doctor"], ticket["clinic"]
    participants = []
    if patient and ticket.get("patient"):
        p = ticket["patient"]
        display = " ".join(x for x in (p.get("lastName"), p.get("firstName"), p.get("middleName")) if x)
        participants.append({"actor": {"display": display}, "required": "required", "status": "accepted"})
    participants += [
        {"actor": ref("Practitioner", doctor["id"], doctor.get("name")), "required": "required", "status": "accepted"},
        {"actor": ref("Location", clinic["id"], clinic.get("name")), "required": "required", "status": "accepted"},
    ]
    return participants


def _known(ticket: dict[str, Any], lang: str, appointment_id: str | None) -> Resource:
    """The elements present only when the ticket has them: id, identifier, description, created, cancelationReason."""
    out: Resource = {}
    if appointment_id or ticket.get("id"):
        out["id"] = codes.fhir_id(appointment_id or ticket["id"])
    if ticket.get("number"):
        out["identifier"] = [{"system": codes.TICKET_SYSTEM, "value": ticket["number"]}]
    if ticket.get("room"):
        out["description"] = f"Room {ticket['room']}" if lang == "en" else f"Кабинет {ticket['room']}"
    if ticket.get("createdAt"):
        out["created"] = ticket["createdAt"]
    if ticket.get("status") in ("cancelled", "rescheduled"):
        out["cancelationReason"] = cancelation_reason(ticket, lang)
    return out


def appointment(ticket: dict[str, Any], lang: str, *, status: str | None = None,
                appointment_id: str | None = None, patient: bool = True) -> Resource:
    """An Appointment from our ticket (shared.booking.tickets.render), the shape every face of ours answers with."""
    start, end = epoch(ticket["start"]), epoch(ticket["end"])
    doctor = ticket["doctor"]
    out: Resource = {
        "resourceType": "Appointment",
        "status": status or codes.APPOINTMENT_STATUS[ticket["status"]],
        "serviceType": [specialty_concept(doctor["specialtyId"], doctor.get("specialty"))],
        "specialty": [specialty_concept(doctor["specialtyId"], doctor.get("specialty"))],
        "start": ticket["start"], "end": ticket["end"], "minutesDuration": max(1, (end - start) // 60),
        "slot": [ref("Slot", keys.slot_id(doctor["id"], start))],
        "participant": _participants(ticket, patient),
    }
    return out | _known(ticket, lang, appointment_id)


def cancelation_reason(ticket: dict[str, Any], lang: str) -> dict[str, Any]:
    """Who ended the appointment: the clinic (an absence: provider) or the patient (a cancellation, a move)."""
    by_clinic = ticket.get("cancelledBy") == "clinic"
    concept: dict[str, Any] = {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason",
        "code": "prov" if by_clinic else "pat", "display": "Provider" if by_clinic else "Patient"}]}
    if ticket.get("status") == "rescheduled":
        concept["text"] = "Rescheduled" if lang == "en" else "Перенесена на другое время"
    return concept


def proposed(slot_item: dict[str, Any], doctor: dict[str, Any], clinic: dict[str, Any], lang: str) -> Resource:
    """A proposed Appointment ($find) for one free slot: what $hold and $book take back."""
    ticket = {"status": "booked", "start": slot_item["start"], "end": slot_item["end"],
              "room": slot_item.get("room"),
              "doctor": {"id": doctor["id"], "name": localized(doctor, "name", lang),
                         "specialty": localized(doctor, "specialty", lang), "specialtyId": doctor["specialtyId"]},
              "clinic": {"id": clinic["id"], "name": localized(clinic, "name", lang)}}
    return appointment(ticket, lang, status="proposed", patient=False)
