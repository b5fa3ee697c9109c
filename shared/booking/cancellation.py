"""Cancellation: an appointment `booked` -> `cancelled`, its slot free again, the specialty lock released.

One GetItem of the appointment (it names the slot, the lock and the Availability keys) and one
TransactWriteItems. Every rule the read decided is enforced again by a condition of the transaction, and a
refused transaction is explained from the items as they were (ALL_OLD), never by a second read.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from shared.booking import referrals, tickets
from shared.domain import appointments, rules, slots
from shared.patients import callers
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError
from shared.platform.language import normalize
from shared.platform.observability import logger
from shared.platform.statuses import CANCELLED

# Cancelling later than this before the start is allowed, but the answer says earlier is better.
RECOMMENDED_NOTICE = 24 * 3600

LATE_NOTICE = {
    "ru": ("Запись отменена менее чем за сутки до приёма. Пожалуйста, в следующий раз отменяйте запись "
           "заранее — не позднее чем за сутки, чтобы время мог занять другой пациент."),
    "en": ("The appointment was cancelled less than a day before it. Next time, please cancel at least a day "
           "ahead so that another patient can take the time."),
}

_APPT, _SLOT, _LOCK, _REFERRAL, _ENTRY = "appointment", "slot", "lock", "referral", "entry"
NOTHING_ELSE: Mapping[str, dict[str, Any]] = MappingProxyType({})  # `commit`'s default: no other operation


def cancel(appointment_id: str, caller: callers.Caller, lang: str) -> dict[str, Any]:
    """Cancel the appointment if it belongs to `caller`: the contract's CancellationOut body. Another patient's
    appointment is as unknown as a made-up id; a counted caller's miss counts as a failed identity check
    (shared/patients/callers.py). The appointment, the caller's register entry (identity) and limiter item are read in
    one BatchGetItem: still 2 round trips in all."""
    with callers.counting(caller, ("not_found", "patient_not_found"), guarded=True):
        return _cancel(appointment_id, caller, lang)


def _read(appointment_id: str, caller: callers.Caller) -> dict[str, Any] | None:
    """The appointment, with the caller checked (limiter, register entry) from the same BatchGetItem."""
    valid = keys.valid_appointment_id(appointment_id)
    appt_key = keys.appointment_key(appointment_id) if valid else None
    entry_key = keys.attachment_key(caller.policy_hash) if caller.identity_hash else None
    wanted = [k for k in (appt_key, caller.limiter_key, entry_key) if k is not None]
    found = {(i["PK"], i["SK"]): i for i in dal.batch_get(wanted, consistent=True)} if wanted else {}

    def pick(k: dict[str, Any] | None) -> dict[str, Any] | None:
        return found.get((k["PK"]["S"], k["SK"]["S"])) if k else None

    callers.check_limit(caller, pick(caller.limiter_key))
    callers.check_entry(caller, pick(entry_key))
    if appt_key is None:
        raise DomainError("not_found")
    return pick(appt_key)


def _cancel(appointment_id: str, caller: callers.Caller, lang: str) -> dict[str, Any]:
    appt = _read(appointment_id, caller)
    patient_pk = caller.patient_pk
    now = clock.now()
    if rules.cancellation_replayed(appt, now, patient_pk):
        assert appt is not None
        logger.info("cancellation replayed", extra={"appointmentId": appointment_id})
        return _answer(appt, int(appt["cancelledAt"]), lang)
    rules.check_cancellation(appt, now, patient_pk)
    assert appt is not None  # checked above

    parts = commit(appt, patient_pk, now, also=_representation(caller))
    logger.info("appointment cancelled", extra={"appointmentId": appointment_id, "slotFreed": _SLOT in parts,
                                                "replayed": not parts})
    return _answer(dict(appt, status=CANCELLED, cancelledBy="patient"), now, lang)


def _representation(caller: callers.Caller) -> dict[str, dict[str, Any]]:
    """A parent cancelling their child's appointment (issue 29): the child's register entry must still name them
    when the cancellation is written (a refusal is 404, as for an appointment none of theirs)."""
    if not caller.representative:
        return {}
    return {_ENTRY: {"ConditionCheck": {
        "Key": keys.attachment_key(caller.policy_hash),
        "ConditionExpression": "identityHash = :identity AND contains(representatives, :parent)",
        "ExpressionAttributeValues": {":identity": caller.identity, ":parent": caller.representative}}}}


def _check_representation(failed: Mapping[str, Any]) -> None:
    """A parent's cancellation refused on the child's entry: the registry removed them meanwhile (404)."""
    if _ENTRY in failed:
        raise DomainError("not_found") from None


def _answer(cancelled_appt: dict[str, Any], cancelled_at: int, lang: str) -> dict[str, Any]:
    """The contract's CancellationOut body; the same for the cancellation and for its retries."""
    cancelled_appt = dict(cancelled_appt, cancelledAt=cancelled_at)
    late = rules.late_cancellation(int(cancelled_appt["start"]), cancelled_at, RECOMMENDED_NOTICE)
    return {"appointment": tickets.render(cancelled_appt, lang), "lateCancellation": late,
            "notice": LATE_NOTICE[normalize(lang)] if late else None}


def commit(appt: Mapping[str, Any], patient_pk: str, now: int, by: str = "patient", reason: str | None = None,
           also: Mapping[str, dict[str, Any]] = NOTHING_ELSE) -> list[str]:
    """The cancellation transaction: appointment, slot, specialty lock, and the referral it used (given back);
    returns the parts written, none when the patient's own cancellation was applied already (a retry, a
    racing second request: `rules.cancellation_replayed`). `by="clinic"` (an absence) closes the slot instead
    of freeing it and records the reason. `also`: unconditional operations by role written in the same
    transaction (the staff journal's entry and the patient's access item, shared/domain/journal.py)."""
    # The request id is written with the cancellation: a lost answer is recognised by it.
    how = appointments.Cancellation(by, reason, secrets.token_hex(8))
    parts = [_APPT, _SLOT, _LOCK] + ([_REFERRAL] if appt.get("referralNumber") else [])
    while True:
        try:
            dal.transact({**{part: _operation(part, appt, patient_pk, now, how) for part in parts}, **also})
            return parts
        except dal.OutcomeUnknown:
            _resolve_unknown(appt, patient_pk, how)
            return parts
        except dal.Cancelled as cancelled:
            left = _without_refused(cancelled, appt, patient_pk, now, how)
            if left is _LANDED:
                return parts
            if not left:
                return []
            parts = [p for p in parts if p in left]


def _resolve_unknown(appt: Mapping[str, Any], patient_pk: str, how: appointments.Cancellation) -> None:
    """No attempt answered: read the appointment; cancelled by this request -> done, else OutcomeUnknown (503)."""
    if not rules.cancellation_landed(dal.appointment(appt["id"], consistent=True), how.request_id,
                                     patient_pk):
        raise dal.OutcomeUnknown


_LANDED = ["landed"]  # our first attempt was applied, its answer lost


def _without_refused(cancelled: dal.Cancelled, appt: Mapping[str, Any], patient_pk: str, now: int,
                     how: appointments.Cancellation) -> list[str]:
    """The parts to write again after a refusal: those still naming this appointment (the slot, the lock or
    the referral may have moved on: the registry moved it, TTL tidied the lock). `_LANDED` when the refusal
    shows our own first attempt; [] when the patient's cancellation was applied already; raises otherwise."""
    failed = cancelled.refused()
    _check_representation(failed)
    if _APPT in failed:
        old = failed[_APPT]
        if rules.cancellation_landed(old, how.request_id, patient_pk):
            # Our first attempt was applied but its answer lost; this refused retry shows it (ALL_OLD).
            return _LANDED
        if how.by == "patient" and rules.cancellation_replayed(old, now, patient_pk):
            return []
        rules.check_cancellation(old, now, patient_pk)
    if _APPT in failed or not failed:
        logger.warning("cancellation refused", extra={"reasons": [r[0] for r in cancelled.reasons]})
        raise DomainError("unavailable", retry_after=1) from None
    logger.warning("cancelling without", extra={"appointmentId": appt["id"], "parts": sorted(failed)})
    return [p for p in (_APPT, _SLOT, _LOCK, _REFERRAL) if p not in failed]


def _operation(part: str, appt: Mapping[str, Any], patient_pk: str, now: int,
               how: appointments.Cancellation) -> dict[str, Any]:
    appointment_id = appt["id"]
    if part == _APPT:
        return appointments.cancel(appointment_id, patient_pk, now, how)
    if part == _SLOT and how.by == "clinic":
        return slots.close_booked(appt, "absence")  # an absence: the time is not offered again
    if part == _REFERRAL:
        return referrals.give_back_op(appt["referralNumber"], appointment_id)
    if part == _SLOT:
        return slots.free(appt)
    return {"Delete": {
        "Key": keys.key(patient_pk, keys.specialty_lock_sk(appt["specialtyId"])),
        "ConditionExpression": "appointmentId = :appt",
        "ExpressionAttributeValues": {":appt": appointment_id},
    }}
