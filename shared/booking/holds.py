"""Holds bound to a patient (issue 12): a hold names who holds it, and a patient holds one slot at a time.

ONE round trip when the patient holds nothing yet (or only a lapsed hold): the doctor's profile comes from
the instance's memo (a GetItem the first time), the referral and age rules are checked from it, then one
TransactWriteItems:

  0 the slot becomes held by this hold and this patient (`holdOwner` = the policy hash) if it is free;
  1 the patient's pointer `POLICY#<hash>/HOLD` names the new hold, on condition that the patient has no
    active hold (first try) or that it still names the previous hold (once a refusal named it): two holds of
    one patient racing cannot both win;
  2 the register entry still names this patient and the doctor's clinic (`patient_not_found`,
    `not_attached` come from its ALL_OLD);
  3 the patient has no future appointment of the doctor's specialty (the booking's lock), other than the
    one a reschedule's hold names (`rescheduleOf`);
  4 the previous hold's slot, when it is still held by that hold, becomes free again (once known);
  5 (anonymous) the policy has failed identity checks left in this window (shared/patients/limiter.py): 429.

A patient who holds another slot: the first transaction is refused at 1, its ALL_OLD names the previous
hold, and the second transaction releases it (two round trips, no read).
When the previous hold is gone already (booked, expired, released), operation 4 is refused and the
transaction is written again without it; a pointer changed meanwhile means another hold of the same
patient won: read it and decide again. A booking with the hold must come from its patient (`hold_mismatch`).

An answer lost on the way (issue 13): a retried transaction refused with the slot (ALL_OLD) held by the hold
id generated here was our own first attempt, so the hold is ours; a transaction never answered is resolved
by reading the slot, and when it is not ours, released on condition that it is ours and answered 503.
"""
from __future__ import annotations

from typing import Any

from shared.booking import referrals
from shared.domain import rules, slots
from shared.patients import callers, limiter
from shared.platform import clock, dal, keys, memo, statuses
from shared.platform.config import settings
from shared.platform.errors import DomainError
from shared.platform.observability import logger

ATTEMPTS = 4


def create_hold(slot_id: str, caller: callers.Caller, reschedule_of: str | None = None,
                referral_number: str | None = None) -> dict[str, Any]:
    """Hold `slot_id` for `caller`, releasing their previous hold in the same transaction. `reschedule_of`: the
    patient's appointment the hold is to move, whose specialty lock then does not refuse the hold. A counted
    caller's failed identity checks count against the policy (shared/patients/callers.py), inside the transaction."""
    with callers.counting(caller, guarded=True):
        return _create_hold(slot_id, caller, reschedule_of, referral_number)


def _create_hold(slot_id: str, caller: callers.Caller, reschedule_of: str | None,
                 referral_number: str | None) -> dict[str, Any]:
    slot_key = keys.slot_key(slot_id)
    parsed = keys.parse_slot_id(slot_id)
    if slot_key is None or parsed is None:
        raise DomainError("not_found")
    moment = settings().lookup_cache_seconds
    if memo.recall(("taken", slot_id), moment):
        # This booking instance saw the slot taken a moment ago: refuse without a read or a write.
        raise DomainError("slot_unavailable")
    doctor_id = parsed[0]
    clinic_id = keys.clinic_of_doctor(doctor_id) or ""
    doctor = _doctor(doctor_id)
    if not doctor:
        raise DomainError("not_found")
    policy_hash, identity_hash = caller.policy_hash, caller.identity
    now = clock.now()
    try:
        # A reschedule's hold moves an appointment that used a referral (a condition below): no new number.
        rules.check_hold(doctor, birth_date=caller.birth_date, start=parsed[1],
                         referral_number=referral_number or reschedule_of)
    except DomainError:
        # Refused before any write (referral, age): the identity still comes first, as for a booking. Only
        # this path reads the register entry; a hold that goes on checks it in its transaction.
        rules.check_patient(dal.get(keys.attachment_key(policy_hash)), identity_hash,
                            None if referral_number or reschedule_of else clinic_id)
        raise
    pointer_key = keys.active_hold_key(policy_hash)
    lock_key = keys.key(keys.policy_pk(policy_hash), keys.specialty_lock_sk(doctor["specialtyId"]))
    limit = _limit(policy_hash) if caller.counted else None
    # Moving a referral's appointment: the slot's clinic and specialty are the referral's, wherever the patient is
    # attached; the appointment moved must be the patient's and have used a referral.
    moving_referral = bool(reschedule_of and doctor.get("referralRequired") and not referral_number)
    previous: str | None = None
    known = False  # the patient's previous hold is learnt from a refused pointer (ALL_OLD), never read first
    release = True
    for _ in range(ATTEMPTS):
        expires = now + settings().hold_seconds
        hold_id = keys.new_hold_id(slot_id)
        previous_slot = keys.slot_of_hold(previous) if previous else None
        ops = _operations(slot_id, hold_id, expires, now, policy_hash, identity_hash, clinic_id,
                          pointer_key, previous, keys.attachment_key(policy_hash), lock_key, reschedule_of, known,
                          any_clinic=referral_number is not None or moving_referral)
        if referral_number:
            ops[rules.HOLD_REFERRAL] = referrals.check_op(referral_number, identity_hash, doctor["specialtyId"],
                                                          clinic_id, now)
        if moving_referral and reschedule_of:
            ops[rules.HOLD_MOVING] = _moving_referral(reschedule_of, policy_hash, doctor["specialtyId"], clinic_id)
        if limit is not None:
            ops[rules.HOLD_LIMIT] = limit
        if release and previous and previous_slot and previous_slot != slot_id:
            ops[rules.HOLD_RELEASE] = slots.release(previous_slot, previous)
        try:
            dal.transact(ops)
        except dal.Cancelled as cancelled:
            failed = cancelled.refused()
            old_slot = failed.get(rules.HOLD_SLOT)
            # botocore retried a transaction whose first answer was lost: the refusal may be our own hold.
            if not rules.hold_landed(old_slot, hold_id):
                if rules.HOLD_LIMIT in failed:
                    limiter.check(failed[rules.HOLD_LIMIT])
                learning = rules.HOLD_POINTER in failed and not known  # the slot may be the patient's own hold
                if old_slot and moment > 0 and not learning and slots.in_booking_window(int(old_slot["start"]), now):
                    memo.remember(("taken", slot_id), True)
                refusal = rules.classify_hold_transaction_refusal(
                    failed, identity_hash=identity_hash, clinic_id=clinic_id, now=now, known=known,
                    specialty_id=doctor["specialtyId"], referral_number=referral_number)
                if refusal is rules.HoldRefusal.WITHOUT_RELEASE:
                    release = False
                else:
                    pointer = failed.get(rules.HOLD_POINTER) or dal.get(pointer_key, consistent=True)
                    previous, known, release = (pointer or {}).get("holdId"), True, True
                    if rules.hold_again(failed, previous, now):
                        # The patient holds this very slot already (a retry after a lost answer, a second
                        # click): the hold that was written is the answer, not a new one.
                        logger.info("slot held already", extra={"slotId": slot_id})
                        return _answer(str(previous), slot_id, int((old_slot or {})["holdExpiresAt"]))
                now = clock.now()
                continue
        except dal.OutcomeUnknown:
            resolve_unknown_hold(slot_key, slot_id, hold_id)
        if moment > 0:
            memo.remember(("taken", slot_id), True)
        released = bool(release and previous_slot and previous_slot != slot_id)
        if released and previous_slot:
            memo.forget(("taken", previous_slot))
        logger.info("slot held", extra={"slotId": slot_id, "releasedPrevious": released})
        return _answer(hold_id, slot_id, expires)
    raise DomainError("unavailable", retry_after=1)


def _answer(hold_id: str, slot_id: str, expires: int) -> dict[str, Any]:
    return {"holdId": hold_id, "slotId": slot_id, "expiresAt": clock.local_iso(expires)}


# How long an instance trusts a doctor's profile (specialty, referral rule) for holds: a doctor's specialty never
# changes under the same id, and a referral rule changed by the registry applies within this time (the booking
# reads the doctor again in its own BatchGetItem).
DOCTOR_MEMO_SECONDS = 300.0


def _doctor(doctor_id: str) -> dict[str, Any] | None:
    """The doctor's profile, from this instance's memo or one GetItem (then remembered)."""
    known = memo.recall(("doctor", doctor_id), DOCTOR_MEMO_SECONDS)
    if known is not None:
        return dict(known)
    found = dal.get(keys.profile_key(keys.doctor_pk(doctor_id)))
    if found:
        memo.remember(("doctor", doctor_id), {k: found[k] for k in ("specialtyId", "referralRequired") if k in found})
    return found


def _limit(policy_hash: str) -> dict[str, Any]:
    """The anonymous route's guard as a condition of the hold's transaction: the policy has failed checks left
    in this window (shared/patients/limiter.py counts them), so a limited policy costs no extra read."""
    max_failures, window = limiter.limits()
    return {"ConditionCheck": {
        "Key": keys.limiter_key(policy_hash),
        "ConditionExpression": "attribute_not_exists(PK) OR #w < :w OR #f < :max",
        "ExpressionAttributeNames": {"#w": "window", "#f": "failures"},
        "ExpressionAttributeValues": {":w": rules.window_start(clock.now(), window), ":max": max_failures},
    }}


def resolve_unknown_hold(key: dict[str, Any], slot_id: str, hold_id: str) -> None:
    """No attempt of the hold's write was answered. Read the slot: held by our id -> the hold is ours (return).
    Otherwise release it under the condition that it is ours, in case the write lands late, and answer 503:
    no slot stays held by an id no client was told."""
    try:
        if rules.hold_landed(dal.get(key, consistent=True), hold_id):
            logger.info("hold resolved as ours", extra={"slotId": slot_id})
            return
    except DomainError:
        pass
    try:
        release(hold_id)
    except DomainError:
        logger.warning("unknown hold not released", extra={"slotId": slot_id})
    raise dal.OutcomeUnknown


def _operations(slot_id: str, hold_id: str, expires: int, now: int, policy_hash: str,
                identity_hash: str, clinic_id: str, pointer_key: dict[str, Any], previous: str | None,
                entry_key: dict[str, Any], lock_key: dict[str, Any],
                reschedule_of: str | None = None, known: bool = True,
                any_clinic: bool = False) -> dict[str, dict[str, Any]]:
    replacing = previous if previous and keys.slot_of_hold(previous) == slot_id else None
    # The pointer: first try without reading it (no hold yet, or only a lapsed one); once a refusal named the
    # previous hold (`known`), on condition that it still names that one.
    pointer_condition = "attribute_not_exists(PK) OR expiresAt < :now"
    pointer_values: dict[str, Any] = {":now": now}
    if known:
        pointer_condition = "holdId = :prev" if previous else "attribute_not_exists(PK)"
        pointer_values = {":prev": previous} if previous else {}
    pointer_op: dict[str, Any] = {"Put": {
        "Item": {**{k: v["S"] for k, v in pointer_key.items()}, "entity": "activeHold", "holdId": hold_id,
                 "slotId": slot_id, "expiresAt": expires, "ttl": expires + 86400},
        "ConditionExpression": pointer_condition}}
    if pointer_values:
        pointer_op["Put"]["ExpressionAttributeValues"] = pointer_values
    lock_condition = "attribute_not_exists(PK) OR #start <= :now"
    lock_values: dict[str, Any] = {":now": now}
    if reschedule_of:
        # A reschedule holds a slot of the specialty it already has: the lock may name the appointment moved.
        lock_condition += " OR appointmentId = :moving"
        lock_values[":moving"] = reschedule_of
    return {
        rules.HOLD_SLOT: slots.hold(slot_id, hold_id, expires, policy_hash, now, replacing=replacing),
        rules.HOLD_POINTER: pointer_op,
        rules.HOLD_ENTRY: entry_check(entry_key, identity_hash, None if any_clinic else clinic_id),
        rules.HOLD_LOCK: {"ConditionCheck": {
            "Key": lock_key,
            "ConditionExpression": lock_condition,
            "ExpressionAttributeNames": {"#start": "start"},
            "ExpressionAttributeValues": lock_values,
        }},
    }


def _moving_referral(appointment_id: str, policy_hash: str, specialty_id: str, clinic_id: str) -> dict[str, Any]:
    """A reschedule's hold of a referral-only slot: the appointment moved is this patient's, booked, of this
    specialty and clinic, and used a referral (the referral then moves with it, shared/booking/reschedule.py)."""
    if not keys.valid_appointment_id(appointment_id):
        raise DomainError("referral_required")
    return {"ConditionCheck": {
        "Key": keys.appointment_key(appointment_id),
        "ConditionExpression": "PatPK = :pat AND #st = :booked AND specialtyId = :spec AND clinicId = :clinic "
                               "AND attribute_exists(referralNumber)",
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": {":pat": keys.policy_pk(policy_hash), ":booked": statuses.BOOKED,
                                      ":spec": specialty_id, ":clinic": clinic_id},
    }}


def release(hold_id: str) -> None:
    """Give a held slot back (DELETE /v1/holds/{id}). Idempotent: a hold already gone (expired, swept,
    booked) is left alone."""
    slot_id = keys.slot_of_hold(hold_id)
    if slot_id is None or keys.slot_key(slot_id) is None:
        raise DomainError("not_found")
    try:
        dal.apply(slots.release(slot_id, hold_id))
    except dal.ConditionFailed:
        return
    memo.forget(("taken", slot_id))


def entry_check(entry_key: dict[str, Any], identity_hash: str, clinic_id: str | None) -> dict[str, Any]:
    """The register entry still names this patient and, unless a referral lets them book anywhere (None), the
    doctor's clinic: a condition of the hold's and the booking's transactions."""
    if clinic_id is None:
        return {"ConditionCheck": {"Key": entry_key, "ConditionExpression": "identityHash = :identity",
                                   "ExpressionAttributeValues": {":identity": identity_hash}}}
    return {"ConditionCheck": {"Key": entry_key,
                               "ConditionExpression": "clinicId = :clinic AND identityHash = :identity",
                               "ExpressionAttributeValues": {":clinic": clinic_id, ":identity": identity_hash}}}
