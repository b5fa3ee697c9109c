"""One function per gorzdrav endpoint, each a translation onto the domain calls our own API makes.

Reads go through shared.catalogue.lookup (the same free-slot rules and window), bookings through
shared.booking.bookings.book
(one BatchGetItem, one transaction, the same conditions), cancellations through
shared.booking.cancellation.cancel,
a patient's appointments through shared.booking.history, the attachment look-up through shared.patients.attachment.
Only the
ids (gorzdrav-style, kept as data in the GZ# partitions), the shapes and the refusals are translated here.
Every function returns the `result` of the envelope or raises wire.GzError / DomainError.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from shared.booking import bookings as booking
from shared.booking import cancellation, history
from shared.catalogue import lookup
from shared.domain import slots
from shared.faces.gorzdrav import identity, wire
from shared.faces.gorzdrav.wire import GzError
from shared.patients import attachment, callers, policy
from shared.platform import clock, dal, keys, memo
from shared.platform.config import BOOKING_HORIZON_DAYS, settings
from shared.platform.errors import DomainError

REFERENCE_SECONDS = 300.0  # gorzdrav ids change with the import only
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_POLICY = re.compile(r"^\d{6,16}$")


# ---------------------------------------------------------------- reference data (GZ# partitions)
def _remembered(name: str, compute: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    seconds = REFERENCE_SECONDS if settings().lookup_cache_seconds > 0 else 0
    found: list[dict[str, Any]] = memo.through(("gz", name), compute, seconds)
    return found


def _districts() -> list[dict[str, Any]]:
    return _remembered("districts", lambda: list(dal.query_all("PK = :pk", {":pk": keys.GZ_DISTRICTS})))


def _lpus() -> list[dict[str, Any]]:
    return _remembered("lpus", lambda: list(dal.query_all("PK = :pk", {":pk": keys.GZ_LPUS})))


def _specialties() -> list[dict[str, Any]]:
    return _remembered("specs", lambda: list(dal.query_all("PK = :pk", {":pk": keys.GZ_SPECIALTIES})))


def _lpu(lpu_id: Any) -> dict[str, Any]:
    """The GZ# item of a clinic by its gorzdrav id (int or numeric string)."""
    number = wire.int_id(lpu_id)
    found = dal.get(keys.key(keys.GZ_LPUS, keys.gz_lpu_sk(number))) if number is not None else None
    if not found:
        raise GzError(wire.LPU_NOT_FOUND)
    return found


def _lpu_of_clinic(clinic_id: str) -> dict[str, Any] | None:
    return next((i for i in _lpus() if i["clinicId"] == clinic_id), None)


def _gz_specialty(specialty_id: str) -> dict[str, Any] | None:
    return next((s for s in _specialties() if s["specialtyId"] == specialty_id), None)


def _our_specialty(gz_id: str) -> dict[str, Any] | None:
    return next((s for s in _specialties() if s["gzId"] == gz_id), None)


# ---------------------------------------------------------------- shapes
def _free_summary(free: list[dict[str, Any]]) -> dict[str, Any]:
    starts = [int(s["start"]) for s in free]
    return {"tickets": len(starts), "participants": len({s["doctorId"] for s in free}),
            "nearest": wire.midnight(wire.naive(min(starts))) if starts else None,
            "last": wire.midnight(wire.naive(max(starts))) if starts else None}


def _specialty_shape(gz: dict[str, Any], name: str, free: list[dict[str, Any]]) -> dict[str, Any]:
    s = _free_summary(free)
    return {"id": gz["gzId"], "ferId": gz["ferId"], "name": name, "countFreeParticipant": s["participants"],
            "countFreeTicket": s["tickets"], "lastDate": s["last"], "nearestDate": s["nearest"]}


def _doctor_shape(doctor_id: str, name: str, room: str, free: list[dict[str, Any]]) -> dict[str, Any]:
    s = _free_summary(free)
    parts = name.split()
    return {"id": doctor_id, "name": name, "ariaNumber": "", "ariaType": None,
            "comment": f"кабинет {room}" if room else "",
            "freeParticipantCount": 1 if free else 0, "freeTicketCount": s["tickets"],
            "lastDate": s["last"], "nearestDate": s["nearest"],
            "lastName": parts[0] if parts else None, "firstName": parts[1] if len(parts) > 1 else None,
            "middleName": " ".join(parts[2:]) or None}


def _slot_shape(slot: dict[str, Any], address: str) -> dict[str, Any]:
    return {"id": slot["id"], "visitStart": wire.naive_from_iso(slot["start"]),
            "visitEnd": wire.naive_from_iso(slot["end"]), "address": address, "number": None,
            "room": slot.get("room", "")}


# ---------------------------------------------------------------- shared/...
def districts() -> list[dict[str, Any]]:
    return [{"id": d["gzId"], "name": d["name"], "okato": d.get("okato")} for d in _districts()]


def lpus() -> list[dict[str, Any]]:
    return [i["lpu"] for i in _lpus()]


def district_lpus(district_id: str) -> list[dict[str, Any]]:
    """An unknown district is an empty list with success true (recorded)."""
    number = wire.int_id(district_id)
    return [i["lpu"] for i in _lpus() if number is not None and i["lpu"]["districtId"] == number]


def lpu(lpu_id: str) -> dict[str, Any]:
    return dict(_lpu(lpu_id)["lpu"])


# ---------------------------------------------------------------- schedule/...
def specialties(lpu_id: str) -> list[dict[str, Any]]:
    """Specialties open for booking without a referral (referral booking is not offered here)."""
    clinic_id = _lpu(lpu_id)["clinicId"]
    try:
        found = lookup.clinic_specialties(clinic_id, "ru")
    except DomainError:
        raise GzError(wire.NO_SPECIALTIES) from None
    out = []
    for spec in found:
        gz = _gz_specialty(spec["id"])
        if gz is None or spec["referralRequired"]:
            continue
        free = lookup.free_slot_starts(clinic_id, spec["id"]) if spec["freeSlots"] else []
        out.append(_specialty_shape(gz, spec["name"], free))
    if not out:
        raise GzError(wire.NO_SPECIALTIES)
    return out


def doctors(lpu_id: str, specialty_gz_id: str) -> list[dict[str, Any]]:
    clinic_id = _lpu(lpu_id)["clinicId"]
    spec = _our_specialty(unquote(specialty_gz_id))
    if spec is None:
        raise GzError(wire.NO_DOCTORS)
    try:
        found = lookup.specialty_doctors(clinic_id, spec["specialtyId"], "ru")
    except DomainError:
        raise GzError(wire.NO_DOCTORS) from None
    free = lookup.free_slot_starts(clinic_id, spec["specialtyId"]) if any(d["freeSlots"] for d in found) else []
    out = [_doctor_shape(d["id"], d["name"], d["room"], [s for s in free if s["doctorId"] == d["id"]])
           for d in found]
    if not out:
        raise GzError(wire.NO_DOCTORS)
    return out


def _doctor_slots(lpu_id: str, doctor_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    item = _lpu(lpu_id)
    doctor_id = unquote(doctor_id)
    if keys.clinic_of_doctor(doctor_id) != item["clinicId"]:
        raise GzError(wire.NO_SCHEDULE)
    try:
        return item, lookup.doctor_slots(doctor_id, None, None)
    except DomainError:
        raise GzError(wire.NO_SCHEDULE) from None


def timetable(lpu_id: str, doctor_id: str) -> list[dict[str, Any]]:
    """One TimetableDay per day with free slots (of the booking window's days, shared.catalogue.lookup's default); the
    day's bounds are its first and last free slot."""
    item, found = _doctor_slots(lpu_id, doctor_id)
    address = item["lpu"]["address"]
    days: dict[str, list[dict[str, Any]]] = {}
    for slot in found:
        days.setdefault(slot["start"][:10], []).append(_slot_shape(slot, address))
    return [{"appointments": day, "denyCause": None, "recordableDay": True,
             "visitStart": day[0]["visitStart"], "visitEnd": day[-1]["visitEnd"]} for day in days.values()]


def free_appointments(lpu_id: str, doctor_id: str) -> list[dict[str, Any]]:
    item, found = _doctor_slots(lpu_id, doctor_id)
    if not found:
        raise GzError(wire.NO_SLOTS)
    return [_slot_shape(slot, item["lpu"]["address"]) for slot in found]


# ---------------------------------------------------------------- patient/...
def search_patient(query: dict[str, str]) -> str:
    """`query` with lower-cased names: lpuid, lastname, firstname, middlename, birthdate, birthdatevalue.
    A miss is a failed identity check, counted per full name and per clinic (identity.find): past either
    limit, 429 (DomainError `rate_limited`) before anything is looked up, the right birth date included."""
    last, first = wire.text(query.get("lastname"), 64), wire.text(query.get("firstname"), 64)
    middle = wire.text(query.get("middlename"), 64)
    born = wire.birth_date(query.get("birthdate"), query.get("birthdatevalue"))
    if not last or not first or born is None:
        raise GzError(wire.INVALID_REQUEST)
    found = identity.find(_lpu(query.get("lpuid"))["clinicId"], last, first, middle, born)
    if found is None:
        raise GzError(wire.PATIENT_NOT_FOUND)
    return found


def _patient(body: dict[str, Any]) -> identity.GzPatient:
    found = identity.unseal(body.get("patientid"))
    if found is None:
        # Not counted: an id we cannot open (forged, altered, old, expired) names no one to guess at, and an
        # AES-GCM seal cannot be guessed. The client searches again.
        raise GzError(wire.PATIENT_NOT_FOUND)
    return found


def update_patient(body: dict[str, Any]) -> bool:
    """Accepted and answered true; the phone is not kept (our register holds no phone numbers)."""
    body = wire.fields(body)
    _lpu(body.get("lpuid"))
    _patient(body)
    return True


# ---------------------------------------------------------------- appointment/...
def _caller(p: identity.GzPatient, email: str = "") -> callers.Caller:
    """The patient a sealed patientId names: checked against the register by every operation, as on /v1."""
    return callers.sealed(p.policy_hash, p.identity_hash, last_name=p.last_name, birth_date=p.birth_date,
                          details=callers.Details(first_name=p.first_name, middle_name=p.middle_name, email=email))


def _booked_by(slot_id: str, patient_pk: str) -> str | None:
    """The id of the booked appointment holding `slot_id` when it belongs to this patient."""
    key = keys.slot_key(slot_id)
    slot = dal.get(key, consistent=True) if key else None
    appointment_id = (slot or {}).get("appointmentId")
    if slot is None or slot.get("status") != slots.BOOKED or not appointment_id:
        return None
    appt = dal.appointment(appointment_id, consistent=True)
    return appointment_id if appt and appt.get("PatPK") == patient_pk and appt.get("status") == "booked" else None


def _slot_asked(body: dict[str, Any], clinic_id: str) -> str:
    """The slot `appointmentId` names, when it is one of the clinic's (else: taken, as gorzdrav answers)."""
    slot_id = wire.text(body.get("appointmentid"), 80)
    parsed = keys.parse_slot_id(slot_id) if slot_id else None
    if not slot_id or not parsed or keys.clinic_of_doctor(parsed[0]) != clinic_id:
        raise GzError(wire.SLOT_TAKEN)
    return slot_id


def _email(body: dict[str, Any]) -> str:
    """The recipient's address when it looks like one, else none (the booking then sends no email)."""
    email = wire.text(body.get("recipientemail"), 254) or ""
    return email if _EMAIL.match(email) else ""


def _referral(body: dict[str, Any]) -> str | None:
    """`referralId` (the front end's payload) books a referral-only specialty; hyphens as gorzdrav strips them."""
    return re.sub(r"[\s-]", "", wire.text(body.get("referralid"), 40) or "") or None


def _book(slot_id: str, patient: callers.Caller, idempotency: str, referral: str | None, lang: str) -> str | None:
    """One booking under `idempotency`: the appointment's id (made or replayed), None when the slot is booked
    already by this patient (through either API)."""
    try:
        outcome = booking.book(booking.Request(slot_id, None, patient, idempotency,
                               booking.fingerprint("gorzdrav", {"slotId": slot_id}), lang,
                               referral_number=referral))
    except DomainError as refused:
        if refused.code in ("slot_unavailable", "hold_expired") and _booked_by(slot_id, patient.patient_pk):
            return None
        if refused.code == "not_found":
            raise GzError(wire.SLOT_TAKEN) from None
        raise
    return str(outcome.body["appointment"]["id"])


def _still_booked(appointment_id: str) -> bool:
    current = dal.appointment(appointment_id, consistent=True)
    return bool(current and current.get("status") == "booked")


def create_appointment(body: dict[str, Any], lang: str) -> bool:
    """Book through shared.booking.bookings.book. gorzdrav clients send no Idempotency-Key, so the key is the slot
    itself (scoped, as every key, by the patient's policy hash): a repeated create of the same slot for the
    same patient replays success; after that booking was cancelled, the next key follows from it."""
    body = wire.fields(body)
    p = _patient(body)
    slot_id = _slot_asked(body, _lpu(body.get("lpuid"))["clinicId"])
    patient = _caller(p, _email(body))
    referral = _referral(body)
    idempotency = f"gorzdrav|{slot_id}"
    for _ in range(3):
        appointment_id = _book(slot_id, patient, idempotency, referral, lang)
        if appointment_id is None or _still_booked(appointment_id):
            return True
        # A replay of a booking cancelled since: book again under a key that follows from the old one.
        idempotency = f"gorzdrav|{slot_id}|after|{appointment_id}"
    raise DomainError("unavailable", retry_after=1)


def cancel_appointment(body: dict[str, Any], lang: str) -> bool:
    """shared.booking.cancellation.cancel, as the owner; cancelling twice answers true again (a retry is safe)."""
    body = wire.fields(body)
    p = _patient(body)
    appointment_id = wire.text(body.get("appointmentid"), 80) or ""
    try:
        cancellation.cancel(appointment_id, _caller(p), lang)
    except DomainError as refused:
        if refused.code == "already_cancelled":
            return True
        if refused.code in ("not_found", "already_rescheduled"):
            # A moved appointment is gone as gorzdrav knows it (its successor is the one to cancel): not a 503.
            raise GzError(wire.APPOINTMENT_NOT_FOUND) from None
        raise
    return True


def patient_appointments(query: dict[str, str]) -> list[dict[str, Any]]:
    """The patient's future booked appointments, read from our history (newest first, page by page, until
    appointments made before the booking window could have started)."""
    patient_id = query.get("patientid") or ""
    p = _patient({"patientid": patient_id})
    caller = _caller(p)
    now = clock.now()
    # Made on day D, an appointment starts by the window's last day then (D + 13): one still to come was made
    # on today - 13 or later (a day more, to spare).
    oldest = clock.day_start(slots.window_days(now)[0] - timedelta(days=BOOKING_HORIZON_DAYS))
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = history.history(caller, history.MAX_PAGE, token, "ru", with_access=False)
        items = page["items"]
        found += [a for a in items if a["status"] == "booked" and _epoch(a["start"]) > now]
        token = page["nextToken"]
        if not token or not items or _epoch(items[-1]["createdAt"]) < oldest:
            break
    return [_patient_appointment(a, p, patient_id) for a in sorted(found, key=lambda a: a["start"])]


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def _patient_appointment(a: dict[str, Any], p: identity.GzPatient, patient_id: str) -> dict[str, Any]:
    item = _lpu_of_clinic(a["clinic"]["id"]) or {"gzId": None, "lpu": {}}
    gz = _gz_specialty(a["doctor"]["specialtyId"]) or {"gzId": None, "ferId": None}
    doctor = _doctor_shape(a["doctor"]["id"], a["doctor"]["name"], a["room"], [])
    full_name = " ".join(x for x in (p.last_name, p.first_name, p.middle_name) if x)
    return {
        "appointmentId": a["id"], "dateCreatedAppointment": wire.naive_from_iso(a["createdAt"]),
        "visitStart": wire.naive_from_iso(a["start"]), "status": None, "type": None,
        "lpuId": str(item["gzId"]), "lpuShortName": item["lpu"].get("lpuShortName", a["clinic"]["name"]),
        "lpuFullName": item["lpu"].get("lpuFullName", a["clinic"]["name"]), "lpuAddress": a["clinic"]["address"],
        "lpuPhone": a["clinic"]["phone"], "patientId": patient_id, "patientFullName": full_name,
        "patientBirthDate": f"{p.birth_date}T00:00:00", "isAppointmentByReferral": False, "referralId": None,
        "doctorRendingConsultation": doctor,
        "specialityRendingConsultation": _specialty_shape({"gzId": gz["gzId"], "ferId": gz["ferId"]},
                                                          a["doctor"]["specialty"], []),
        "positionRendingConsultation": None, "doctorBringReferal": None, "specialityBringReferal": None,
        "positionBringReferal": None, "infections": None,
    }


# ---------------------------------------------------------------- oms/..., referral/...
def _clinic_of_holder(number: str, series: str | None, last_name: str, birth: date) -> str | None:
    """The holder's identity: our own API's check (and its failed-check limit per policy)."""
    try:
        found = attachment.attachment_of(callers.anonymous(number, series, last_name, birth.isoformat()), "ru")
    except DomainError as refused:
        if refused.code in ("attachment_not_found", "not_found"):
            return None
        raise
    return str(found["clinic"]["id"])


def _clinic_of_policy(number: str, series: str | None) -> str | None:
    """The policy-only mode for old clients (off by default): a policy -> clinic answer, unlimited."""
    entry = dal.register_entry(policy.policy_hash(number, series))
    return str(entry["clinicId"]) if entry else None


def attachment_lpus(query: dict[str, str]) -> list[dict[str, Any]]:
    """The clinic a policy is attached to, when the query also carries the holder's last name and birth date
    and they match (shared.patients.attachment.attachment_of: the same check as our own look-up, a mismatch counted
    per policy, 429 past the limit). Anything else - an unknown policy, a mismatch, the policy alone - is []
    (the policy alone with nothing read), unless GORZDRAV_POLICY_ONLY_LOOKUP opens the policy-only answer."""
    number = re.sub(r"[\s\-]", "", query.get("polisn") or "")
    series = re.sub(r"[\s\-]", "", query.get("poliss") or "") or None
    if not _POLICY.match(number):
        return []
    last_name = wire.text(query.get("lastname"), 64)
    birth = wire.birth_date(query.get("birthdate"), query.get("birthdatevalue"))
    if last_name and birth:
        clinic_id = _clinic_of_holder(number, series, last_name, birth)
    elif settings().gorzdrav_policy_only_lookup:
        clinic_id = _clinic_of_policy(number, series)
    else:
        return []  # the policy alone: exactly an unknown policy's answer (docs/gorzdrav.md: what a client sends)
    item = _lpu_of_clinic(clinic_id) if clinic_id else None
    return [item["lpu"]] if item else []


def referral(_number: str) -> Any:
    """Referrals do not exist here yet: every number is "not found"."""
    raise GzError(wire.NO_REFERRAL)


