"""Holds and bookings: the heart of the product.

Every state change is one conditional write (a hold, its release) or one TransactWriteItems (a booking).
A booking reads once (BatchGetItem: slot, doctor, clinic, register entry, specialty lock, idempotency
record) to refuse the hopeless cheaply and to build the ticket, then writes once; every rule decided on
that read is enforced again by a condition of the write, so a race can only ever produce a refusal.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.booking import holds, referrals, reminders, tickets
from shared.domain import appointments, rules, slots
from shared.patients import callers
from shared.platform import clock, dal, keys, statuses
from shared.platform.errors import DomainError
from shared.platform.items import Appointment, Clinic, Doctor, IdempotencyRecord, RegisterEntry, Slot, SpecialtyLock
from shared.platform.observability import logger

IDEMPOTENCY_TTL = 24 * 3600
# Kept after the appointment so an abandoned record does not stay forever (TTL only tidies).
APPOINTMENT_TTL = 3 * 365 * 24 * 3600


# ---------------------------------------------------------------- booking
@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]


def fingerprint(route: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(f"{route}|{json.dumps(body, sort_keys=True, default=str)}".encode()).hexdigest()


@dataclass(frozen=True)
class Request:
    """One booking as a face asks for it: the slot (and the patient's hold of it), who, the retry key and the
    request's fingerprint, the ticket's language, reminders wanted, the referral it uses."""

    slot_id: str
    hold_id: str | None
    patient: callers.Caller
    idempotency_key: str
    fingerprint: str
    lang: str
    wants_reminders: bool = True
    referral_number: str | None = None

    @property
    def doctor_id(self) -> str:
        return (keys.parse_slot_id(self.slot_id) or ("", 0))[0]

    @property
    def clinic_id(self) -> str:
        return keys.clinic_of_doctor(self.doctor_id) or ""

    def ask(self, now: int, specialty_id: str = "") -> rules.Ask:
        """What the rules check this booking with."""
        p = self.patient
        return rules.Ask(identity_hash=p.identity, clinic_id=self.clinic_id, now=now, hold_id=self.hold_id,
                         owner=p.policy_hash, birth_date=p.birth_date, specialty_id=specialty_id,
                         referral_number=self.referral_number, representative=p.representative)


def book(request: Request) -> Outcome:
    """Book `request.slot_id` for `request.patient`: at most one read and one transaction when nothing races.
    With a referral number the booking uses the referral up (shared/booking/referrals.py). A counted caller's
    failed identity checks count against the policy (its limiter item is read with the booking's)."""
    with callers.counting(request.patient, guarded=True):
        return _book(request)


def _book(request: Request) -> Outcome:
    return attempts(request, lambda slot_key, idem_key: _try_book(request, slot_key, idem_key))


def attempts(request: Request, attempt: Callable[[dict[str, Any], dict[str, Any]], Outcome | None]) -> Outcome:
    """A booking or a move of `request`: its slot's key (404 for an id that names none), the hold named for that
    slot (`hold_mismatch`), its idempotency record's key; then `attempt(slot_key, idem_key)` up to three times
    while it answers None (its read was stale: read and decide again)."""
    slot_key = keys.slot_key(request.slot_id)
    if slot_key is None:
        raise DomainError("not_found")
    if request.hold_id is not None and keys.slot_of_hold(request.hold_id) != request.slot_id:
        raise DomainError("hold_mismatch")
    idem_key = keys.idempotency_key(request.patient.policy_hash, request.idempotency_key)
    for _ in range(3):
        outcome = attempt(slot_key, idem_key)
        if outcome is not None:
            return outcome
    raise DomainError("unavailable", retry_after=1)


def _replay(record: dict[str, Any], request_fingerprint: str, lang: str) -> Outcome:
    """The first answer's status code with the appointment as it is now: a replay after a cancellation says
    `cancelled` (never `booked` for a slot that may be someone else's by now). One GetItem, replays only."""
    if record["fingerprint"] != request_fingerprint:
        raise DomainError("idempotency_key_reused")
    appointment_id = record.get("appointmentId")
    logger.info("idempotent replay", extra={"appointmentId": appointment_id})
    body = json.loads(record["response"])
    current = dal.appointment(appointment_id, consistent=True) if appointment_id else None
    if current:
        body = dict(body, appointment=tickets.render(current, lang))
    return Outcome(int(record["statusCode"]), body)


@dataclass(frozen=True)
class _Read:
    """What one BatchGetItem returned for a booking, typed as the items they are (None: no such item)."""
    slot: Slot | None
    doctor: Doctor | None
    clinic: Clinic | None
    attachment: RegisterEntry | None
    record: IdempotencyRecord | None
    limiter: dict[str, Any] | None
    referral: dict[str, Any] | None


def _read(request: Request, slot_key: dict[str, Any], idem_key: dict[str, Any]) -> _Read:
    """The slot, doctor, clinic, register entry and idempotency record in one read; an anonymous booking's
    failed-check counter (shared/patients/limiter.py) and the referral, when there are, in the same read."""
    patient = request.patient
    wanted = {
        "slot": slot_key, "doctor": keys.profile_key(keys.doctor_pk(request.doctor_id)),
        "clinic": keys.profile_key(keys.clinic_pk(request.clinic_id)),
        "attachment": keys.attachment_key(patient.policy_hash), "record": idem_key,
    }
    if patient.limiter_key:
        wanted["limiter"] = patient.limiter_key
    if request.referral_number:
        wanted["referral"] = keys.referral_key(request.referral_number)
    found = {(i["PK"], i["SK"]): i for i in dal.batch_get(list(wanted.values()))}
    got = {name: found.get((k["PK"]["S"], k["SK"]["S"])) for name, k in wanted.items()}
    return _Read(dal.as_kind(Slot, got["slot"]), dal.as_kind(Doctor, got["doctor"]), dal.as_kind(Clinic, got["clinic"]),
                 dal.as_kind(RegisterEntry, got["attachment"]), dal.as_kind(IdempotencyRecord, got["record"]),
                 got.get("limiter"), got.get("referral"))


def appointment_item(appointment_id: str, slot: Slot, doctor: Doctor, clinic: Clinic, request: Request,
                     now: int) -> Appointment:
    """The appointment as stored: the ticket's every field, copied from the slot, doctor and clinic as they are
    now, and the keys of the indexes it is in."""
    patient, lang = request.patient, request.lang
    start, doctor_id, clinic_id = int(slot["start"]), str(slot["doctorId"]), str(slot["clinicId"])
    booking_no = int(slot.get("bookings", 0)) + 1
    appointment: Appointment = {
        "PK": keys.appointment_pk(appointment_id), "SK": keys.APPOINTMENT_SK, "entity": "appointment",
        "id": appointment_id, "number": tickets.number(int(doctor.get("seq", 0)), start, booking_no),
        "status": statuses.BOOKED, "slotId": slot["slotId"], "doctorId": doctor_id, "clinicId": clinic_id,
        "specialtyId": doctor["specialtyId"], "start": start, "end": int(slot["end"]), "room": slot.get("room", ""),
        "clinicName": clinic["name"], "clinicNameEn": clinic.get("nameEn"),
        "clinicAddress": clinic["address"], "clinicAddressEn": clinic.get("addressEn"),
        "clinicPhone": clinic["phone"],
        "doctorName": doctor["name"], "doctorNameEn": doctor.get("nameEn"),
        "specialty": doctor["specialty"], "specialtyEn": doctor.get("specialtyEn"),
        "lastName": patient.last_name, "firstName": patient.first_name, "middleName": patient.middle_name,
        "birthDate": patient.birth_date, "email": patient.email, "phone": patient.phone, "lang": lang,
        "createdAt": now, "ttl": start + APPOINTMENT_TTL,
        "PatPK": keys.policy_pk(patient.policy_hash), "PatSK": keys.patient_history_sk(now, appointment_id),
        # The reception's day list (ClinicDay index, shared/clinic/daylist.py).
        "DayPK": keys.clinic_day_pk(clinic_id, clock.local_date(start).isoformat()),
        "DaySK": keys.clinic_day_sk(doctor_id, start, appointment_id),
    }
    reminders.start_reminders(appointment, now, request.wants_reminders)
    if patient.booked_by:
        # A parent booked for their child (issue 29): the ticket names who booked; the email is the parent's.
        last, first, middle = patient.booked_by
        appointment["bookedBy"] = {k: v for k, v in (("lastName", last), ("firstName", first),
                                                     ("middleName", middle)) if v}
    if request.referral_number:
        appointment["referralNumber"] = request.referral_number
    return appointment


def lock_op(policy_hash: str, specialty_id: str, appointment_id: str, start: int, now: int, *,
            replacing: str | None = None) -> dict[str, Any]:
    """At most one active future appointment per patient and specialty: the lock names it. It may be taken
    when absent or lapsed (its appointment has started), or, moving an appointment, when it names that one."""
    condition = "attribute_not_exists(PK) OR #start <= :now"
    values: dict[str, Any] = {":now": now}
    if replacing:
        condition = "attribute_not_exists(PK) OR appointmentId = :old OR #start <= :now"
        values[":old"] = replacing
    lock: SpecialtyLock = {"PK": keys.policy_pk(policy_hash), "SK": keys.specialty_lock_sk(specialty_id),
                           "entity": "specialtyLock", "appointmentId": appointment_id, "start": start,
                           "ttl": start + 86400}
    return {"Put": {"Item": lock, "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#start": "start"}, "ExpressionAttributeValues": values}}


def idempotency_op(idem_key: dict[str, Any], request_fingerprint: str, appointment_id: str,
                   response: dict[str, Any], now: int) -> dict[str, Any]:
    """The request's record: its answer for a retry, and the transaction's guard against running twice."""
    record: IdempotencyRecord = {
        "PK": idem_key["PK"]["S"], "SK": idem_key["SK"]["S"], "entity": "idempotency",
        "fingerprint": request_fingerprint, "statusCode": 201, "appointmentId": appointment_id,
        "response": json.dumps(response, ensure_ascii=False), "ttl": now + IDEMPOTENCY_TTL}
    return {"Put": {"Item": record, "ConditionExpression": "attribute_not_exists(PK)"}}


def booking_operations(request: Request, slot_key: dict[str, Any], appointment: Appointment, seen_bookings: int,
                       idem_key: dict[str, Any], response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The booking's one transaction by role (rules.BOOK_*; a refusal names its roles): the slot, the
    appointment, the specialty lock, the register check, the idempotency record (and the referral)."""
    patient, referral_number, now = request.patient, request.referral_number, int(appointment["createdAt"])
    appointment_id, start = appointment["id"], int(appointment["start"])
    clinic_id, specialty_id = appointment["clinicId"], appointment["specialtyId"]
    ops: dict[str, dict[str, Any]] = {
        rules.BOOK_SLOT: slots.take(slot_key, appointment_id, hold_id=request.hold_id, owner=patient.policy_hash,
                                    seen_bookings=seen_bookings, now=now),
        rules.BOOK_APPOINTMENT: appointments.book(appointment),
        rules.BOOK_LOCK: lock_op(patient.policy_hash, specialty_id, appointment_id, start, now),
        # With a referral the patient may be attached to any clinic (that is what referrals are for).
        rules.BOOK_ENTRY: holds.entry_check(keys.attachment_key(patient.policy_hash), patient.identity,
                                            None if referral_number else clinic_id, patient.representative),
        rules.BOOK_IDEMPOTENCY: idempotency_op(idem_key, request.fingerprint, appointment_id, response, now),
    }
    if referral_number:
        ops[rules.BOOK_REFERRAL] = referrals.use_op(referral_number, appointment_id, patient.identity, specialty_id,
                                                    clinic_id, now)
    return ops


def _try_book(request: Request, slot_key: dict[str, Any], idem_key: dict[str, Any]) -> Outcome | None:
    read = _read(request, slot_key, idem_key)
    callers.check_limit(request.patient, read.limiter)
    if read.record:
        return _replay(dict(read.record), request.fingerprint, request.lang)
    slot, doctor, clinic = read.slot, read.doctor, read.clinic
    if not slot or not doctor or not clinic:
        raise DomainError("not_found")
    now = clock.now()
    # The read decides who is refused cheaply; the transaction's conditions decide who wins.
    try:
        rules.check_booking(slot, doctor, read.attachment, request.ask(now), referral=read.referral)
    except DomainError as refused:
        return _replay_raced(refused, request, idem_key)

    appointment_id = keys.new_appointment_id()
    appointment = appointment_item(appointment_id, slot, doctor, clinic, request, now)
    response = {"appointment": tickets.render(appointment, request.lang)}
    ops = booking_operations(request, slot_key, appointment, int(slot.get("bookings", 0)), idem_key, response)
    # No ClientRequestToken: the idempotency record is the transaction's own guard. If a first attempt
    # succeeded but its answer was lost, a resend fails on that record and `_refusal` replays the answer.
    try:
        dal.transact(ops)
    except dal.Cancelled as cancelled:
        return _refusal(cancelled, request, idem_key, now, doctor["specialtyId"])
    logger.info("appointment booked", extra={"appointmentId": appointment_id, "slotId": request.slot_id})
    return Outcome(201, response)


def _replay_raced(refused: DomainError, request: Request, idem_key: dict[str, Any]) -> Outcome:
    """A BatchGetItem is not one snapshot: a retry of this very request may have won between its reads (the slot
    seen booked, its idempotency record not yet). On this refusal path only, ask the record again."""
    if refused.code in ("slot_unavailable", "hold_expired"):
        again = dal.get(idem_key, consistent=True)
        if again:
            return _replay(again, request.fingerprint, request.lang)
    raise refused


def _refusal(cancelled: dal.Cancelled, request: Request, idem_key: dict[str, Any], now: int,
             specialty_id: str) -> Outcome | None:
    """Say why the transaction was refused, from the items as they were (ALL_OLD): no second read.
    None means "the slot was rebooked meanwhile but is free again": try once more."""
    failed = cancelled.refused()
    if rules.BOOK_IDEMPOTENCY in failed:
        # The same request, sent twice at once: the other copy won, answer as it did.
        record = failed.pop(rules.BOOK_IDEMPOTENCY) or dal.get(idem_key, consistent=True)
        if record:
            return _replay(record, request.fingerprint, request.lang)
    if not failed:
        logger.warning("booking transaction refused", extra={"reasons": [r[0] for r in cancelled.reasons]})
    # Raises the refusal; returns only when the read was stale (RETRY: the idempotency record is handled above).
    rules.classify_booking_refusal(failed, request.ask(now, specialty_id))
    return None
