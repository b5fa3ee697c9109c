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

from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Ask:
    """What a hold request settled before its first write (one per request, whatever its attempts)."""

    slot_id: str
    slot_key: dict[str, Any]
    start: int
    caller: callers.Caller
    doctor: Mapping[str, Any]
    clinic_id: str
    reschedule_of: str | None
    referral_number: str | None

    @property
    def specialty_id(self) -> str:
        return str(self.doctor["specialtyId"])

    @property
    def moving_referral(self) -> bool:
        """Moving a referral's appointment: the slot's clinic and specialty are the referral's, wherever the
        patient is attached; the appointment moved must be the patient's and have used a referral."""
        return bool(self.reschedule_of and self.doctor.get("referralRequired") and not self.referral_number)

    @property
    def any_clinic(self) -> bool:
        return self.referral_number is not None or self.moving_referral


@dataclass
class _Previous:
    """The patient's previous hold, learnt from a refused pointer (ALL_OLD), never read first; `release`:
    whether the transaction also frees its slot (not once that write was refused: the hold is gone)."""

    hold_id: str | None = None
    known: bool = False
    release: bool = True

    def slot(self) -> str | None:
        return keys.slot_of_hold(self.hold_id) if self.hold_id else None

    def releases_another(self, slot_id: str) -> bool:
        other = self.slot()
        return bool(self.release and other and other != slot_id)


def _create_hold(slot_id: str, caller: callers.Caller, reschedule_of: str | None,
                 referral_number: str | None) -> dict[str, Any]:
    ask = _ask(slot_id, caller, reschedule_of, referral_number)
    limit = _limit(caller.policy_hash) if caller.counted else None
    previous = _Previous()
    now = clock.now()
    for _ in range(ATTEMPTS):
        expires = now + settings().hold_seconds
        hold_id = keys.new_hold_id(slot_id)
        ops = _operations(ask, previous, hold_id, expires, now)
        if limit is not None:
            ops[rules.HOLD_LIMIT] = limit
        try:
            dal.transact(ops)
        except dal.Cancelled as cancelled:
            again = _refused(ask, previous, cancelled.refused(), hold_id, now)
            if again is not None:
                return again
            now = clock.now()
            continue
        except dal.OutcomeUnknown:
            resolve_unknown_hold(ask.slot_key, slot_id, hold_id)
        return _held(ask, previous, hold_id, expires)
    raise DomainError("unavailable", retry_after=1)


def _ask(slot_id: str, caller: callers.Caller, reschedule_of: str | None, referral_number: str | None) -> _Ask:
    """The request checked before any write: a slot id, not seen taken a moment ago by this instance, of a
    known doctor, the referral and age rules (a refusal there still puts the identity first, as a booking)."""
    slot_key = keys.slot_key(slot_id)
    parsed = keys.parse_slot_id(slot_id)
    if slot_key is None or parsed is None:
        raise DomainError("not_found")
    if memo.recall(("taken", slot_id), settings().lookup_cache_seconds):
        # This booking instance saw the slot taken a moment ago: refuse without a read or a write.
        raise DomainError("slot_unavailable")
    doctor = _doctor(parsed[0])
    if not doctor:
        raise DomainError("not_found")
    ask = _Ask(slot_id, slot_key, parsed[1], caller, doctor, keys.clinic_of_doctor(parsed[0]) or "", reschedule_of,
               referral_number)
    try:
        # A reschedule's hold moves an appointment that used a referral (a condition below): no new number.
        rules.check_hold(doctor, birth_date=caller.birth_date, start=ask.start,
                         referral_number=referral_number or reschedule_of)
    except DomainError as refused:
        # Refused before any write (referral, age): the identity still comes first, as for a booking. Only this
        # path reads the register entry; a hold that goes on checks it in its transaction.
        _identity_first(ask, refused)
        raise
    return ask


def _identity_first(ask: _Ask, refused: DomainError) -> None:
    """Before a refusal decided without the register: the register's own refusal (who, then, unless a referral or a
    move lets the patient book anywhere or the age was refused — it comes before the clinic —, where)."""
    anywhere = bool(ask.referral_number or ask.reschedule_of) or refused.code == "age_restricted"
    caller = ask.caller
    rules.check_patient(dal.register_entry(caller.policy_hash), caller.identity, None if anywhere else ask.clinic_id,
                        caller.representative)


def _refused(ask: _Ask, previous: _Previous, failed: dict[str, dict[str, Any] | None], hold_id: str,
             now: int) -> dict[str, Any] | None:
    """The hold's transaction was refused: raise why, or learn the previous hold and try again (None), or
    answer with the patient's own hold of this very slot."""
    old_slot = failed.get(rules.HOLD_SLOT)
    if rules.hold_landed(old_slot, hold_id):
        # botocore retried a transaction whose first answer was lost: the refusal is our own hold.
        return _held(ask, previous, hold_id, int((old_slot or {})["holdExpiresAt"]))
    if rules.HOLD_LIMIT in failed:
        limiter.check(failed[rules.HOLD_LIMIT])
    _remember_taken(ask.slot_id, old_slot, learning=rules.HOLD_POINTER in failed and not previous.known, now=now)
    refusal = rules.classify_hold_transaction_refusal(
        failed, rules.Ask(identity_hash=ask.caller.identity, clinic_id=ask.clinic_id, now=now,
                          specialty_id=ask.specialty_id, referral_number=ask.referral_number,
                          representative=ask.caller.representative), known=previous.known)
    if refusal is rules.HoldRefusal.WITHOUT_RELEASE:
        previous.release = False
        return None
    pointer = failed.get(rules.HOLD_POINTER) or dal.get(keys.active_hold_key(ask.caller.policy_hash), consistent=True)
    previous.hold_id, previous.known, previous.release = (pointer or {}).get("holdId"), True, True
    if rules.hold_again(failed, previous.hold_id, now):
        # The patient holds this very slot already (a retry after a lost answer, a second click): the hold
        # that was written is the answer, not a new one.
        logger.info("slot held already", extra={"slotId": ask.slot_id})
        return _answer(str(previous.hold_id), ask.slot_id, int((old_slot or {})["holdExpiresAt"]))
    return None


def _remember_taken(slot_id: str, old_slot: dict[str, Any] | None, *, learning: bool, now: int) -> None:
    """A slot refused as taken (in the window) is remembered a moment; not while the refusal may be the
    patient's own hold of it (`learning`: the pointer was refused before the previous hold was known)."""
    if old_slot and not learning and slots.in_booking_window(int(old_slot["start"]), now):
        _seen_taken(slot_id)


def _seen_taken(slot_id: str) -> None:
    if settings().lookup_cache_seconds > 0:
        memo.remember(("taken", slot_id), True)


def _held(ask: _Ask, previous: _Previous, hold_id: str, expires: int) -> dict[str, Any]:
    _seen_taken(ask.slot_id)
    released = previous.releases_another(ask.slot_id)
    other = previous.slot()
    if released and other:
        memo.forget(("taken", other))
    logger.info("slot held", extra={"slotId": ask.slot_id, "releasedPrevious": released})
    return _answer(hold_id, ask.slot_id, expires)


def _answer(hold_id: str, slot_id: str, expires: int) -> dict[str, Any]:
    return {"holdId": hold_id, "slotId": slot_id, "expiresAt": clock.local_iso(expires)}


# How long an instance trusts a doctor's profile (specialty, referral rule) for holds: a doctor's specialty never
# changes under the same id, and a referral rule changed by the registry applies within this time (the booking
# reads the doctor again in its own BatchGetItem).
DOCTOR_MEMO_SECONDS = 300.0


def _doctor(doctor_id: str) -> Mapping[str, Any] | None:
    """The doctor's profile, from this instance's memo or one GetItem (then remembered)."""
    known = memo.recall(("doctor", doctor_id), DOCTOR_MEMO_SECONDS)
    if known is not None:
        return dict(known)
    found = dal.doctor(doctor_id)
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


def _operations(ask: _Ask, previous: _Previous, hold_id: str, expires: int, now: int) -> dict[str, dict[str, Any]]:
    """The hold's transaction by role (rules.HOLD_*): the slot, the pointer, the register entry, the specialty
    lock (and the referral, the appointment a referral's reschedule moves, the previous hold's release)."""
    slot_id, policy_hash = ask.slot_id, ask.caller.policy_hash
    replacing = previous.hold_id if previous.slot() == slot_id else None
    ops = {
        rules.HOLD_SLOT: slots.hold(slot_id, slots.Held(hold_id, expires, policy_hash), now, replacing=replacing),
        rules.HOLD_POINTER: _pointer_op(policy_hash, previous, hold_id, slot_id, expires, now),
        rules.HOLD_ENTRY: entry_check(keys.attachment_key(policy_hash), ask.caller.identity,
                                      None if ask.any_clinic else ask.clinic_id, ask.caller.representative),
        rules.HOLD_LOCK: _lock_check(policy_hash, ask.specialty_id, ask.reschedule_of, now),
    }
    if ask.referral_number:
        ops[rules.HOLD_REFERRAL] = referrals.check_op(ask.referral_number, ask.caller.identity, ask.specialty_id,
                                                      ask.clinic_id, now)
    if ask.moving_referral and ask.reschedule_of:
        ops[rules.HOLD_MOVING] = _moving_referral(ask.reschedule_of, policy_hash, ask.specialty_id, ask.clinic_id)
    other = previous.slot()
    if previous.releases_another(slot_id) and previous.hold_id and other:
        ops[rules.HOLD_RELEASE] = slots.release(other, previous.hold_id)
    return ops


def _pointer_op(policy_hash: str, previous: _Previous, hold_id: str, slot_id: str, expires: int,
                now: int) -> dict[str, Any]:
    """The patient's one active hold: first tried without reading it (no hold yet, or only a lapsed one); once
    a refusal named the previous hold (`known`), on condition that it still names that one."""
    condition = "attribute_not_exists(PK) OR expiresAt < :now"
    values: dict[str, Any] = {":now": now}
    if previous.known:
        condition = "holdId = :prev" if previous.hold_id else "attribute_not_exists(PK)"
        values = {":prev": previous.hold_id} if previous.hold_id else {}
    pointer_key = keys.active_hold_key(policy_hash)
    op: dict[str, Any] = {"Put": {
        "Item": {**{k: v["S"] for k, v in pointer_key.items()}, "entity": "activeHold", "holdId": hold_id,
                 "slotId": slot_id, "expiresAt": expires, "ttl": expires + 86400},
        "ConditionExpression": condition}}
    if values:
        op["Put"]["ExpressionAttributeValues"] = values
    return op


def _lock_check(policy_hash: str, specialty_id: str, reschedule_of: str | None, now: int) -> dict[str, Any]:
    """No future appointment of the specialty; a reschedule's hold may find the lock naming the one it moves."""
    condition = "attribute_not_exists(PK) OR #start <= :now"
    values: dict[str, Any] = {":now": now}
    if reschedule_of:
        condition += " OR appointmentId = :moving"
        values[":moving"] = reschedule_of
    return {"ConditionCheck": {
        "Key": keys.key(keys.policy_pk(policy_hash), keys.specialty_lock_sk(specialty_id)),
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#start": "start"},
        "ExpressionAttributeValues": values,
    }}


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


def entry_check(entry_key: dict[str, Any], identity_hash: str, clinic_id: str | None,
                representative: str | None = None) -> dict[str, Any]:
    """The register entry still names this patient and, unless a referral lets them book anywhere (None), the
    doctor's clinic; a parent acting for a child (`representative`, their policy hash, issue 29) is still among
    the entry's `representatives`: a condition of the hold's, the booking's and the join's transactions, so a
    representative the registry removed is refused even when the removal races the request."""
    condition, values = "identityHash = :identity", {":identity": identity_hash}
    if clinic_id is not None:
        condition, values[":clinic"] = "clinicId = :clinic AND " + condition, clinic_id
    if representative is not None:
        condition, values[":parent"] = condition + " AND contains(representatives, :parent)", representative
    return {"ConditionCheck": {"Key": entry_key, "ConditionExpression": condition,
                               "ExpressionAttributeValues": values}}
