"""Appointment operations: $find, $hold, $book, $cancel and the owner's read, each one call into the domain.

Parameter names of both scheduling guides are accepted: IHE ITI Scheduling (`appointment-resource`,
`appointment-reference`, `patient-resource`, `practitioner`, `organization`) and Argonaut Scheduling
(`appt-resource`, `appt-id`, `provider`). The patient is the signed-in one (the `/fhir/me` base, the token's
claims as on `/v1/me/*`) or, on the open base, an inline Patient checked against the register exactly as
our own booking checks it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from shared.booking import bookings as booking
from shared.booking import cancellation, history, holds
from shared.catalogue import lookup
from shared.faces import auth
from shared.faces.fhir import codes, directory, resources
from shared.faces.fhir.http import Request, count_of, first, invalid, parameters
from shared.faces.fhir.search import DEFAULT_COUNT, MAX_COUNT, bounded, date_range
from shared.faces.people import PatientIn, PolicyIn
from shared.patients.callers import Caller
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError

Resource = dict[str, Any]

MAX_IDEMPOTENCY_KEY = 128
# PatientIn's fields -> where they sit in a FHIR Patient (validation errors name these, never values).
_PATIENT_PATHS = {"lastName": "Patient.name.family", "firstName": "Patient.name.given",
                  "middleName": "Patient.name.given", "birthDate": "Patient.birthDate",
                  "policyNumber": "Patient.identifier", "policySeries": "Patient.identifier",
                  "email": "Patient.telecom", "phone": "Patient.telecom"}


# ---------------------------------------------------------------- the patient
def _identifier(patient: dict[str, Any], system: str) -> str | None:
    for ident in patient.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("system") == system and ident.get("value"):
            return str(ident["value"])
    return None


def _telecom(patient: dict[str, Any], system: str) -> str | None:
    for t in patient.get("telecom") or []:
        if isinstance(t, dict) and t.get("system") == system and t.get("value"):
            return str(t["value"])
    return None


def _official_name(resource: dict[str, Any]) -> tuple[Any, list[str]]:
    """(family, given names) of the Patient's official name, else of its first name."""
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    return name.get("family"), [g for g in name.get("given") or [] if isinstance(g, str)]


def patient_fields(resource: Any) -> dict[str, Any]:
    """Our patient fields from an inline FHIR Patient: name.family, name.given (first name, then the
    patronymic), birthDate, the OMS identifiers, the email (and phone) from telecom."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
        raise invalid("Patient", "resource_expected")
    family, given = _official_name(resource)
    first_name, middle_name, *_ = [*given, None, None]
    return {"lastName": family, "firstName": first_name, "middleName": middle_name,
            "birthDate": resource.get("birthDate"),
            "policyNumber": _identifier(resource, codes.OMS_POLICY_SYSTEM),
            "policySeries": _identifier(resource, codes.OMS_SERIES_SYSTEM),
            "email": _telecom(resource, "email"), "phone": _telecom(resource, "phone")}


def _checked(fields: dict[str, Any]) -> PatientIn:
    try:
        return PatientIn.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        paths = sorted({_PATIENT_PATHS.get(str(e["loc"][0]) if e.get("loc") else "", "Patient")
                        for e in exc.errors()})
        raise DomainError("validation_error", {"fields": [{"field": p, "problem": "invalid"} for p in paths]}) \
            from None


def _contained_patient(appointment: Any) -> Any:
    """Argonaut puts the patient in the Appointment: a contained Patient its participant points at."""
    if not isinstance(appointment, dict):
        return None
    return next((c for c in appointment.get("contained") or []
                 if isinstance(c, dict) and c.get("resourceType") == "Patient"), None)


def _inline_patient(params: dict[str, list[dict[str, Any]]]) -> Any:
    return first(params, "patient-resource", "patient") or _contained_patient(
        first(params, "appointment-resource", "appt-resource"))


def patient_of(request: Request, params: dict[str, list[dict[str, Any]]]) -> Caller | None:
    """Who asks: the token's patient on /fhir/me, else the inline Patient (typed: counted as on /v1), if one
    was sent."""
    if request.signed_in:
        inline = _inline_patient(params)
        email = _telecom(inline, "email") if isinstance(inline, dict) else None
        return auth.signed_in_patient(_claims(request), email)
    inline = _inline_patient(params)
    return auth.patient(_checked(patient_fields(inline))) if inline is not None else None


def _claims(request: Request) -> dict[str, Any]:
    if not request.claims:
        raise DomainError("unauthorized")
    return dict(request.claims)


# ---------------------------------------------------------------- which slot, which hold
def _reference_id(value: Any, resource_type: str) -> str | None:
    ref = value.get("reference") if isinstance(value, dict) else value
    if not isinstance(ref, str) or not ref:
        return None
    parts = ref.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] != resource_type:
        return None
    return parts[-1]


def _appointment_resource(params: dict[str, list[dict[str, Any]]]) -> dict[str, Any] | None:
    """The Appointment sent (IHE `appointment-resource`, Argonaut `appt-resource`), if any."""
    appointment = first(params, "appointment-resource", "appt-resource")
    if appointment is not None and (not isinstance(appointment, dict)
                                    or appointment.get("resourceType") != "Appointment"):
        raise invalid("appointment-resource", "resource_expected")
    return appointment


def _hold_asked(params: dict[str, list[dict[str, Any]]], appointment: dict[str, Any] | None) -> str | None:
    """Our hold id from the appointment reference (or the Appointment's own id), when it names a hold."""
    held = _reference_id(first(params, "appointment-reference", "appt-id"), "Appointment")
    if held is None and appointment and appointment.get("id"):
        held = str(appointment["id"])
    hold_id = codes.hold_id(held) if held else None
    if hold_id is None or keys.slot_of_hold(hold_id) is None:
        return None  # nothing, or the id of something else than a held appointment: booked without a hold
    return hold_id


def _slot_referenced(appointment: dict[str, Any] | None) -> str | None:
    """The first Slot the Appointment references."""
    for s in (appointment or {}).get("slot") or []:
        slot_id = _reference_id(s, "Slot")
        if slot_id:
            return slot_id
    return None


def _slot_and_hold(params: dict[str, list[dict[str, Any]]]) -> tuple[str, str | None]:
    appointment = _appointment_resource(params)
    hold_id = _hold_asked(params, appointment)
    slot_id = _slot_referenced(appointment) or (keys.slot_of_hold(hold_id) if hold_id else None)
    if not slot_id:
        raise invalid("appointment-resource", "slot_required")
    return slot_id, hold_id


def _idempotency_key(request: Request) -> str:
    value = (request.header("idempotency-key") or "").strip()
    if not value:
        raise DomainError("idempotency_key_required")
    if len(value) > MAX_IDEMPOTENCY_KEY:
        raise invalid("Idempotency-Key", "too_long")
    return value


def _collection(*entries: Resource, base: str) -> Resource:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in entries]}


# ---------------------------------------------------------------- $hold
def place_hold(slot_id: str, patient: Caller | None) -> dict[str, Any]:
    """The one place the FHIR face holds a slot. `patient` is who asked (the token's patient, or the inline
    Patient when one was sent); it goes to the domain's hold once holds are bound to the patient (issue 12),
    as our own API's hold will bind it."""
    if patient is None:
        # A hold belongs to a patient, as on our own API (POST /v1/holds): the token's or the inline Patient.
        raise DomainError("validation_error", {"fields": [{"field": "patient", "problem": "missing"}]})
    return holds.create_hold(slot_id, patient)


def hold(request: Request) -> tuple[int, Resource]:
    params = parameters(request)
    slot_id, _ = _slot_and_hold(params)
    patient = patient_of(request, params)
    held = place_hold(slot_id, patient)
    item = directory.slot(slot_id) or {}
    doctor_id, start = keys.parse_slot_id(slot_id) or ("", 0)
    ticket = {"status": "booked", "start": clock.local_iso(start),
              "end": clock.local_iso(int(item.get("end", start))), "room": item.get("room"),
              "doctor": {"id": doctor_id, "specialtyId": item.get("specialtyId", "")},
              "clinic": {"id": keys.clinic_of_doctor(doctor_id) or ""}}
    appointment = resources.appointment(ticket, request.lang, status="pending", appointment_id=held["holdId"],
                                        patient=False)
    appointment["extension"] = [{"url": codes.HOLD_EXPIRES_URL, "valueDateTime": held["expiresAt"]}]
    return 201, _collection(appointment, base=request.base)


# ---------------------------------------------------------------- $book
def book(request: Request) -> tuple[int, Resource]:
    params = parameters(request)
    slot_id, hold_id = _slot_and_hold(params)
    patient = patient_of(request, params)
    if patient is None:
        raise invalid("patient-resource", "required")
    key = _idempotency_key(request)
    body: dict[str, Any]
    if request.signed_in:
        route, body = "fhir-signed-in", {"slotId": slot_id, "holdId": hold_id, "email": patient.email}
    else:
        route = "fhir-anonymous"
        body = {"slotId": slot_id, "holdId": hold_id, "patient": patient_fields(_inline_patient(params))}
    fingerprint = booking.fingerprint(route, body)
    outcome = booking.book(booking.Request(slot_id, hold_id, patient, key, fingerprint, request.lang))
    appointment = resources.appointment(outcome.body["appointment"], request.lang)
    return outcome.status, _collection(appointment, base=request.base)


# ---------------------------------------------------------------- read and $cancel
def read(request: Request, fhir_id: str) -> Resource:
    """The signed-in owner's appointment; anyone else's is as unknown as a made-up id."""
    if not request.signed_in:
        raise DomainError("unauthorized")
    ticket = history.appointment_of(auth.signed_in(_claims(request)), codes.appointment_id(fhir_id), request.lang)
    return resources.appointment(ticket, request.lang)


def cancel(request: Request, fhir_id: str) -> Resource:
    """Signed in: the owner's. Open base: by the OMS policy it was booked with (a Patient with the
    identifier, or an `identifier` parameter); a wrong policy is answered as an unknown appointment."""
    our_id = codes.appointment_id(fhir_id)
    if request.signed_in:
        done = cancellation.cancel(our_id, auth.signed_in(_claims(request)), request.lang)
    else:
        params = parameters(request)
        inline = first(params, "patient-resource", "patient")
        number = _identifier(inline, codes.OMS_POLICY_SYSTEM) if isinstance(inline, dict) else None
        series = _identifier(inline, codes.OMS_SERIES_SYSTEM) if isinstance(inline, dict) else None
        for ident in params.get("identifier", []):
            v = ident.get("valueIdentifier") or {}
            if v.get("system") == codes.OMS_POLICY_SYSTEM:
                number = v.get("value")
            elif v.get("system") == codes.OMS_SERIES_SYSTEM:
                series = v.get("value")
        if not number:
            raise invalid("patient-resource", "required")
        try:
            checked = PolicyIn.model_validate({"policyNumber": number, "policySeries": series})
        except ValidationError:
            raise invalid("Patient.identifier") from None
        done = cancellation.cancel(our_id, auth.by_policy(checked.policyNumber, checked.policySeries), request.lang)
    return resources.appointment(done["appointment"], request.lang)


# ---------------------------------------------------------------- $find
def _when(value: Any, name: str, end: bool) -> int | None:
    if value is None:
        return None
    lo, hi = date_range(str(value), name)
    return hi if end else lo


def _code(value: Any) -> str | None:
    """A specialty code from a code, a token (system|code), a Coding or a CodeableConcept."""
    if isinstance(value, dict):
        coding = value.get("coding", [value])
        value = next((c.get("code") for c in coding if isinstance(c, dict) and c.get("code")), None)
    if not isinstance(value, str) or not value:
        return None
    return value.rpartition("|")[2]


def _practitioner_asked(params: dict[str, list[dict[str, Any]]]) -> str | None:
    """The doctor a `practitioner` (Argonaut `provider`) parameter names: a Practitioner or PractitionerRole."""
    practitioner = first(params, "practitioner", "provider")
    if practitioner is None:
        return None
    found = _reference_id(practitioner, "Practitioner") or _reference_id(practitioner, "PractitionerRole")
    if not found:
        raise invalid("practitioner")
    return found


def _clinic_asked(params: dict[str, list[dict[str, Any]]]) -> str | None:
    return _reference_id(first(params, "organization"), "Organization") or \
        _reference_id(first(params, "location"), "Location")


def _clinic_doctor_ids(specialty: str | None, clinic_id: str | None) -> list[str]:
    """Without a practitioner: every doctor of the clinic (a specialty and an organization are both needed)."""
    if not specialty:
        raise invalid("specialty", "practitioner_or_specialty_required")
    if not clinic_id:
        raise invalid("organization", "required_with_specialty")
    return directory.clinic(clinic_id).doctor_ids


def _fits(doctor: dict[str, Any], specialty: str | None, clinic_id: str | None) -> bool:
    return (not specialty or doctor["specialtyId"] == specialty) and (not clinic_id or doctor["clinicId"] == clinic_id)


def _doctors_asked(params: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The doctors whose slots are searched: the practitioner's (404 when unknown or not of the specialty and
    clinic asked), or a clinic's of a specialty."""
    practitioner = _practitioner_asked(params)
    specialty = _code(first(params, "specialty", "service-type"))
    clinic_id = _clinic_asked(params)
    doctor_ids = [practitioner] if practitioner else _clinic_doctor_ids(specialty, clinic_id)
    doctors = [d for d in directory.doctors(doctor_ids) if _fits(d, specialty, clinic_id)]
    if practitioner and not doctors:
        raise DomainError("not_found")
    return doctors


def _page_size(params: dict[str, list[dict[str, Any]]]) -> int:
    asked = count_of(first(params, "_count"))
    return DEFAULT_COUNT if asked is None else min(asked, MAX_COUNT)


def find(request: Request) -> Resource:
    """Proposed appointments: the free slots of a practitioner, or of a specialty at a clinic, in [start, end]."""
    params = parameters(request)
    lo, hi = bounded(_when(first(params, "start"), "start", end=False),
                     _when(first(params, "end"), "end", end=True), "end")
    doctors = _doctors_asked(params)
    count = _page_size(params)
    clinics = {c.id: c for c in directory.clinics({d["clinicId"] for d in doctors})}
    day_from, day_to = clock.local_date(lo), clock.local_date(max(lo, hi - 1))

    def free(doctor: dict[str, Any]) -> list[tuple[int, Resource]]:
        out = []
        for s in lookup.doctor_slots(doctor["id"], day_from, day_to):
            start = int(datetime.fromisoformat(s["start"]).timestamp())
            if lo <= start < hi:
                out.append((start, resources.proposed(s, doctor, clinics[doctor["clinicId"]].profile, request.lang)))
        return out

    found_all = sorted((x for part in dal.in_parallel(free, doctors) for x in part),
                       key=lambda x: (x[0], x[1]["slot"][0]["reference"]))
    return {"resourceType": "Bundle", "type": "searchset", "total": len(found_all),
            "entry": [{"resource": r, "search": {"mode": "match"}} for _, r in found_all[:count]]}
