"""Reschedule in one step (issue 14): the old appointment becomes `rescheduled`, a new one is booked.

One BatchGetItem (old appointment, new slot, its doctor, the clinic, the register entry, the idempotency
record; consistent) and one TransactWriteItems when nothing races:
  old appointment  booked -> rescheduled (`rescheduledTo`), still the patient's and not started;
  new slot         booked, as a booking books it (free or held by this hold, in the window, `bookings` read);
  new appointment  put, `rescheduledFrom`, a new ticket number, the calendar entry's UID kept;
  specialty lock   moved to the new appointment (it named the old one, or lapsed);
  register entry   still this clinic;
  idempotency      the first answer;
  old slot         free again, only while it still points at the old appointment (else left out, retried).
Either all of it happens or none: never two active appointments, never none when the new slot is taken.
"""
from __future__ import annotations

import json
from typing import Any, cast

from shared.booking import bookings as booking
from shared.booking import referrals, reminders, tickets
from shared.domain import appointments, rules, slots
from shared.patients import callers
from shared.platform import clock, dal, keys, memo, statuses
from shared.platform.config import settings
from shared.platform.errors import DomainError
from shared.platform.items import Appointment
from shared.platform.observability import logger

# Fields of the old appointment that the new one does not inherit.
_NOT_INHERITED = ("cancelledAt", "cancelledBy", "rescheduledTo", "rescheduledAt", "RemPK", "RemSK", "reminderStage",
                  "remindedStage", "remindedAt", "reminderToken")


def reschedule(appointment_id: str, request: booking.Request) -> booking.Outcome:
    """Move the caller's (`request.patient`) appointment to `request.slot_id`: the contract's AppointmentOut
    (201). Another patient's appointment is as unknown as a made-up id; a counted caller's miss counts as a
    failed identity check (shared/patients/callers.py), its limiter item read in the same BatchGetItem."""
    with callers.counting(request.patient, ("not_found", "patient_not_found"), guarded=True):
        return _reschedule(appointment_id, request)


def _reschedule(appointment_id: str, request: booking.Request) -> booking.Outcome:
    if not keys.valid_appointment_id(appointment_id):
        raise DomainError("not_found")
    return booking.attempts(request, lambda slot_key, idem_key: _try(appointment_id, request, slot_key, idem_key))


def _try(appointment_id: str, request: booking.Request, slot_key: dict[str, Any],
         idem_key: dict[str, Any]) -> booking.Outcome | None:
    caller, clinic_id = request.patient, request.clinic_id
    patient_pk = keys.policy_pk(caller.policy_hash)
    appt_key = keys.appointment_key(appointment_id)
    doctor_key = keys.profile_key(keys.doctor_pk(request.doctor_id))
    clinic_key = keys.profile_key(keys.clinic_pk(clinic_id))
    entry_key = keys.attachment_key(caller.policy_hash)
    limiter_key = caller.limiter_key
    wanted = [appt_key, slot_key, doctor_key, clinic_key, entry_key, idem_key] + ([limiter_key] if limiter_key else [])
    found = {(i["PK"], i["SK"]): i for i in dal.batch_get(wanted, consistent=True)}

    def pick(k: dict[str, Any]) -> dict[str, Any] | None:
        return found.get((k["PK"]["S"], k["SK"]["S"]))

    callers.check_limit(caller, pick(limiter_key) if limiter_key else None)
    callers.check_entry(caller, pick(entry_key))

    record = pick(idem_key)
    if record:
        return _replay(record, request.fingerprint)
    old, slot, doctor, clinic = pick(appt_key), pick(slot_key), pick(doctor_key), pick(clinic_key)
    now = clock.now()
    rules.check_reschedule(old, slot, doctor if clinic else None, pick(entry_key),
                           rules.MoveAsk(patient_pk=patient_pk, clinic_id=clinic_id, now=now, hold_id=request.hold_id))
    assert old is not None and slot is not None and doctor is not None and clinic is not None

    new = moved_item(old, keys.new_appointment_id(), slot, doctor, lang=request.lang, now=now)
    response = {"appointment": tickets.render(new, request.lang)}
    ops = _operations(request, old, new, slot, idem_key, response)
    outcome = _write(ops, request, idem_key, rules.MoveAsk(patient_pk=patient_pk, clinic_id=clinic_id, now=now,
                                                           hold_id=request.hold_id,
                                                           representative=caller.representative), appointment_id)
    if outcome is not None:
        return outcome if outcome.status else None
    if settings().lookup_cache_seconds > 0:
        memo.remember(("taken", request.slot_id), True)
    logger.info("appointment rescheduled", extra={"appointmentId": appointment_id, "newAppointmentId": new["id"],
                                                  "slotId": request.slot_id})
    return booking.Outcome(201, response)


_AGAIN = booking.Outcome(0, {})  # the read was stale: read and decide again


def _write(ops: dict[str, dict[str, Any]], request: booking.Request, idem_key: dict[str, Any],
           move: rules.MoveAsk, appointment_id: str) -> booking.Outcome | None:
    """The move's transaction: None once written; a replay of the first answer, or _AGAIN. The old slot is
    left out when it no longer points at the old appointment (the registry moved it): once."""
    while True:
        try:
            dal.transact(ops)
            return None
        except dal.Cancelled as cancelled:
            failed = cancelled.refused()
            decision = rules.classify_reschedule_refusal(failed, patient_pk=move.patient_pk,
                                                          clinic_id=move.clinic_id, hold_id=move.hold_id,
                                                          now=move.now, representative=move.representative)
            if decision is rules.RescheduleRefusal.REPLAY:
                again = failed.get(rules.RE_IDEMPOTENCY) or dal.get(idem_key, consistent=True)
                if again:
                    return _replay(again, request.fingerprint)
                raise DomainError("unavailable", retry_after=1) from None
            if decision is rules.RescheduleRefusal.RETRY:
                return _AGAIN
            if rules.RE_OLD_SLOT not in ops:  # already without the old slot: nothing else to leave out
                raise DomainError("unavailable", retry_after=1) from None
            logger.warning("rescheduling without the old slot", extra={"appointmentId": appointment_id})
            del ops[rules.RE_OLD_SLOT]


def moved_item(old: dict[str, Any], new_id: str, slot: dict[str, Any], doctor: dict[str, Any], *, lang: str,
               now: int) -> dict[str, Any]:
    """The new appointment: the old one's patient, clinic and specialty; the new slot's doctor and time; a new
    ticket number, day-list keys and reminders; the same calendar event, one version on."""
    start, doctor_id, clinic_id = int(slot["start"]), str(slot["doctorId"]), str(old["clinicId"])
    booking_no = int(slot.get("bookings", 0)) + 1
    # The notifier's markers (ticketEmailSentAt, ...) stay with the old one: the new ticket's email is its own.
    new = {k: v for k, v in old.items() if k not in _NOT_INHERITED and "Email" not in k}
    new.update({
        **keys.appointment_key_plain(new_id), "id": new_id, "status": statuses.BOOKED,
        "number": tickets.number(int(doctor.get("seq", 0)), start, booking_no),
        "slotId": slot["slotId"], "doctorId": doctor_id, "start": start, "end": int(slot["end"]),
        "room": slot.get("room", ""), "doctorName": doctor["name"], "doctorNameEn": doctor.get("nameEn"),
        "createdAt": now, "ttl": start + booking.APPOINTMENT_TTL, "lang": lang,
        "PatSK": keys.patient_history_sk(now, new_id), "rescheduledFrom": old["id"],
        # The reception's day list of the new day (ClinicDay index), not the old one's.
        "DayPK": keys.clinic_day_pk(clinic_id, clock.local_date(start).isoformat()),
        "DaySK": keys.clinic_day_sk(doctor_id, start, new_id),
        # The calendar event moves: the same UID as the first ticket, a higher SEQUENCE (shared/notify).
        "calendarUid": old.get("calendarUid") or old["id"],
        "calendarSequence": int(old.get("calendarSequence", 0)) + 1,
    })
    # The patient's choice about reminders moves with the appointment; a new opt-out token.
    reminders.start_reminders(cast(Appointment, new), now, old.get("reminders") is not False)
    return new


def _replay(record: dict[str, Any], request_fingerprint: str) -> booking.Outcome:
    if record["fingerprint"] != request_fingerprint:
        raise DomainError("idempotency_key_reused")
    return booking.Outcome(int(record["statusCode"]), json.loads(record["response"]))


def _operations(request: booking.Request, old: dict[str, Any], new: dict[str, Any], slot: dict[str, Any],
                idem_key: dict[str, Any], response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The transaction's operations by their role (rules.RE_*), written in that order."""
    policy_hash, now = request.patient.policy_hash, int(new["createdAt"])
    patient_pk = keys.policy_pk(policy_hash)
    slot_key, seen_bookings = keys.key(slot["PK"], slot["SK"]), int(slot.get("bookings", 0))
    ops: dict[str, dict[str, Any]] = {}
    ops[rules.RE_OLD] = appointments.move(old["id"], new["id"], patient_pk, now)
    ops[rules.RE_SLOT] = slots.take(slot_key, new["id"], hold_id=request.hold_id, owner=policy_hash,
                                    seen_bookings=seen_bookings, now=now)
    ops[rules.RE_NEW] = appointments.book(new)
    # The lock names the old appointment (or lapsed, or TTL tidied it): never another active appointment.
    ops[rules.RE_LOCK] = booking.lock_op(policy_hash, old["specialtyId"], new["id"], int(new["start"]), now,
                                         replacing=old["id"])
    entry_key = keys.attachment_key(policy_hash)
    # A referral's appointment: the patient may be attached anywhere (still on the register); the referral
    # moves to the new appointment.
    ops[rules.RE_ENTRY] = {"ConditionCheck": (
        {"Key": entry_key, "ConditionExpression": "attribute_exists(PK)"} if old.get("referralNumber") else
        {"Key": entry_key, "ConditionExpression": "clinicId = :clinic",
         "ExpressionAttributeValues": {":clinic": old["clinicId"]}})}
    parent = request.patient.representative
    if parent:
        # A parent moving their child's appointment (issue 29) must still be a representative when it is written.
        check = ops[rules.RE_ENTRY]["ConditionCheck"]
        check["ConditionExpression"] += " AND contains(representatives, :parent)"
        check["ExpressionAttributeValues"] = {**check.get("ExpressionAttributeValues", {}), ":parent": parent}
    if old.get("referralNumber"):
        ops[rules.RE_REFERRAL] = referrals.move_op(old["referralNumber"], old["id"], new["id"])
    ops[rules.RE_IDEMPOTENCY] = booking.idempotency_op(idem_key, request.fingerprint, new["id"], response, now)
    ops[rules.RE_OLD_SLOT] = slots.free(old)
    return ops
