"""The rules, decided apart from the writes: pure functions of the items read (or of the items as they were
when a transaction was refused, ALL_OLD). Each raises the contract's refusal (DomainError) or returns what
was decided; none reads or writes. The writes that enforce the same rules in their conditions are built in
one place beside them: `shared/booking/bookings.py`, `shared/booking/cancellation.py`, `shared/patients/attachment.py`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, NoReturn

from shared.domain import slots, specialties
from shared.platform import keys, statuses
from shared.platform.errors import DomainError

Item = Mapping[str, Any]


# ---------------------------------------------------------------- booking
@dataclass(frozen=True)
class Ask:
    """What a patient asks for, as the rules judge it: who asks (`identity_hash`, the register's identity;
    `owner`, the policy hash a hold is bound to; `birth_date`, for the specialty's ages), where and for what
    (`clinic_id`; `specialty_id` where no item read names it; `referral_number`, when a referral lets the patient
    ask outside their own clinic), with which hold (`hold_id`), and when (`now`). The caller builds it once; each
    rule reads the fields it needs."""
    identity_hash: str
    clinic_id: str
    now: int
    specialty_id: str = ""
    referral_number: str | None = None
    hold_id: str | None = None
    owner: str | None = None
    birth_date: str | None = None
    representative: str | None = None  # a parent acting for the patient (issue 29): the entry must name them

    @property
    def attached_to(self) -> str | None:
        """The clinic the register entry must name: any (None) with a referral."""
        return None if self.referral_number else self.clinic_id


def check_patient(entry: Item | None, identity_hash: str, clinic_id: str | None,
                  representative: str | None = None) -> None:
    """The register entry must name this patient (identity) and the doctor's clinic (None: any clinic, as a
    referral allows); a parent acting for the patient (`representative`, a policy hash) must be among the entry's
    `representatives` (else 404: the child is none of theirs)."""
    if not entry or entry.get("identityHash") != identity_hash:
        raise DomainError("patient_not_found")
    if representative is not None and representative not in (entry.get("representatives") or ()):
        raise DomainError("not_found")
    if clinic_id is not None and entry.get("clinicId") != clinic_id:
        raise DomainError("not_attached", {"lookup": "/v1/addresses/clinics"})


def holds_it(slot: Item, hold_id: str | None) -> bool:
    """The slot is still held by `hold_id`."""
    return hold_id is not None and slot.get("status") == statuses.HELD and slot.get("holdId") == hold_id


def check_hold_owner(slot: Item, hold_id: str | None, owner: str | None) -> None:
    """A booking with a hold must come from the hold's patient (the policy hash the hold was taken with)."""
    if owner is not None and holds_it(slot, hold_id) and slot.get("holdOwner") != owner:
        raise DomainError("hold_mismatch")


def _check_slot_open(slot: Item, hold_id: str | None, now: int) -> None:
    """The slot may be taken now: within the booking window, and free or held by `hold_id`."""
    if not slots.in_booking_window(int(slot["start"]), now):
        raise DomainError("outside_booking_window")
    if not holds_it(slot, hold_id) and not slots.is_free(slot, now):
        raise DomainError("hold_expired" if hold_id else "slot_unavailable")


def _check_refused_slot(old: Item | None, hold_id: str | None, owner: str | None, now: int) -> None:
    """A transaction's slot condition was refused: raise why from the slot as it was (ALL_OLD), or return when
    the read was stale (the slot is free again, or still held by `hold_id`) and the request may be decided again."""
    if not old:
        raise DomainError("not_found")
    if not slots.in_booking_window(int(old["start"]), now):
        raise DomainError("outside_booking_window")
    check_hold_owner(old, hold_id, owner)
    if slots.is_free(old, now) or holds_it(old, hold_id):
        return
    raise DomainError("hold_expired" if hold_id else "slot_unavailable")


def _check_asked_referral(referral: Item | None, ask: Ask, specialty_id: str) -> None:
    """`check_referral` for what the patient asks: their identity, at the clinic asked, now."""
    check_referral(referral, identity_hash=ask.identity_hash, specialty_id=specialty_id, clinic_id=ask.clinic_id,
                   now=ask.now)


def check_booking(slot: Item, doctor: Item, entry: Item | None, ask: Ask, *, referral: Item | None = None) -> None:
    """May this patient book this slot, judged from the items read? Raises the refusal; the transaction's
    conditions enforce the same rules when it is written. With a referral the patient may be attached anywhere.
    The specialty is the doctor's."""
    specialty_id = str(doctor.get("specialtyId", ""))
    # Who first, then the age before the clinic (issue 29): an adult at a children's polyclinic is told about the
    # age (the page's next step finds the right kind of polyclinic), not about the attachment.
    check_patient(entry, ask.identity_hash, None, ask.representative)
    specialties.check_age(specialty_id, ask.birth_date, int(slot["start"]))
    check_patient(entry, ask.identity_hash, ask.attached_to, ask.representative)
    check_hold_owner(slot, ask.hold_id, ask.owner)
    check_referral_need(doctor, ask.referral_number)
    if ask.referral_number:
        _check_asked_referral(referral, ask, specialty_id)
    _check_slot_open(slot, ask.hold_id, ask.now)


class BookingRefusal(Enum):
    """Why a booking transaction was refused, when it is not a DomainError of its own."""
    REPLAY = "replay"  # the idempotency record exists: answer as the first request did
    RETRY = "retry"  # the read was stale (the slot moved on and is free again): decide again


# The booking transaction's operations by role (shared/booking/bookings.py builds them, dal.transact names a
# refusal's roles); BOOK_REFERRAL only with one.
BOOK_SLOT, BOOK_APPOINTMENT, BOOK_LOCK, BOOK_ENTRY, BOOK_IDEMPOTENCY, BOOK_REFERRAL = (
    "slot", "appointment", "lock", "entry", "idempotency", "referral")


def classify_booking_refusal(failed: Mapping[str, Item | None], ask: Ask) -> BookingRefusal:
    """Say why the booking transaction was refused from the failed operations (index -> item as it was,
    ALL_OLD; None when the item did not exist). Raises the refusal, or returns REPLAY / RETRY. The specialty
    is `ask.specialty_id` (the doctor's)."""
    if BOOK_IDEMPOTENCY in failed:
        return BookingRefusal.REPLAY
    if BOOK_ENTRY in failed:
        check_patient(failed[BOOK_ENTRY], ask.identity_hash, ask.attached_to, ask.representative)
        raise DomainError("patient_not_found")
    if BOOK_SLOT in failed:
        _check_refused_slot(failed[BOOK_SLOT], ask.hold_id, ask.owner, ask.now)
        return BookingRefusal.RETRY
    if BOOK_LOCK in failed:
        raise DomainError("already_booked_specialty")
    if BOOK_REFERRAL in failed:
        _check_asked_referral(failed[BOOK_REFERRAL], ask, ask.specialty_id)
        return BookingRefusal.RETRY
    raise DomainError("unavailable", retry_after=1)


def classify_hold_refusal(old: Item | None, now: int) -> None:
    """A hold's conditional write was refused: say why from the slot as it was."""
    if not old:
        raise DomainError("not_found")
    if not slots.in_booking_window(int(old["start"]), now):
        raise DomainError("outside_booking_window")
    raise DomainError("slot_unavailable")


def hold_landed(old: Item | None, hold_id: str) -> bool:
    """Outcome-unknown hold: a retry of our write was refused, or a read after it timed out, and the slot
    (as it was, ALL_OLD) is held by the hold id we generated: our first attempt was applied, the hold is ours.
    Hold ids are random, so nobody else can have written this one."""
    return bool(old) and holds_it(old or {}, hold_id)


# ---------------------------------------------------------------- cancellation
def cancellation_landed(appt: Item | None, request_id: str, patient_pk: str) -> bool:
    """Outcome-unknown cancellation: the appointment (as it was, ALL_OLD) was cancelled by this very request
    (its `cancelRequest` id), so the refused retry found our own first attempt applied. Another request's
    cancellation, even in the same second, is `already_cancelled`."""
    return (bool(appt) and (appt or {}).get("PatPK") == patient_pk
            and (appt or {}).get("status") == statuses.CANCELLED
            and (appt or {}).get("cancelRequest") == request_id)


# How long a patient's cancellation answers a retry with the cancelled appointment (as an idempotency record
# answers a retried booking); later, and for the clinic's cancellations, the answer is `already_cancelled`.
CANCELLATION_REPLAY_SECONDS = 24 * 3600


def cancellation_replayed(appt: Item | None, now: int, patient_pk: str) -> bool:
    """A cancellation retried after it was applied (its answer lost, a second click, another face): the
    appointment is this patient's, cancelled by the patient within CANCELLATION_REPLAY_SECONDS. The retry gets
    the first answer (2xx, the cancelled appointment), never a 409 for its own success."""
    return (bool(appt) and (appt or {}).get("PatPK") == patient_pk
            and (appt or {}).get("status") == statuses.CANCELLED and (appt or {}).get("cancelledBy") == "patient"
            and now - int((appt or {}).get("cancelledAt", 0)) < CANCELLATION_REPLAY_SECONDS)


def check_cancellation(appt: Item | None, now: int, patient_pk: str) -> None:
    """Raise the refusal the appointment's state calls for; return when it may be cancelled. Someone else's
    appointment is as unknown as a made-up id, so nobody can probe which ids exist."""
    if not appt or appt.get("PatPK") != patient_pk:
        raise DomainError("not_found")
    status = appt.get("status")
    if status == statuses.CANCELLED:
        raise DomainError("already_cancelled")
    if status == statuses.RESCHEDULED:
        raise DomainError("already_rescheduled", {"rescheduledTo": appt.get("rescheduledTo")})
    # fulfilled / noshow are past appointments as well.
    if status != statuses.BOOKED or int(appt["start"]) <= now:
        raise DomainError("appointment_started")


def late_cancellation(start: int, now: int, notice: int) -> bool:
    return start - now < notice


# ---------------------------------------------------------------- attachment change
CHANGE_REASONS = ("choice", "relocation")


def next_choice_date(day: date) -> date:
    """The first day a change by choice is allowed again after one made on `day`."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February, and next year has none
        return date(day.year + 1, 3, 1)


@dataclass(frozen=True)
class ChangeDecision:
    """What a change of polyclinic writes, decided from the register entry read."""
    version: int  # the entry's version read (0: absent or a demo item without one)
    old_clinic: str | None
    allowed_from: date | None  # the entry's choiceAllowedFrom after the change
    today: date

    @property
    def answer_allowed_from(self) -> str:
        return max(self.allowed_from or self.today, self.today).isoformat()


def _check_change_target(entry: Item | None, identity_hash: str, clinic_id: str) -> None:
    """A register entry, when there is one, must be this patient's and name another clinic."""
    if not entry:
        return
    if entry.get("identityHash") != identity_hash:
        raise DomainError("patient_not_found")
    if entry.get("clinicId") == clinic_id:
        raise DomainError("already_attached")


def _choice_allowed_from(entry: Item | None) -> date | None:
    """The first day the entry allows a change by choice (None: no entry, or no limit yet)."""
    return date.fromisoformat(entry["choiceAllowedFrom"]) if entry and entry.get("choiceAllowedFrom") else None


def decide_change(entry: Item | None, *, identity_hash: str, clinic_id: str, reason: str,
                  today: date) -> ChangeDecision:
    """May the policy be attached to `clinic_id` by `reason` today? Raises the refusal or says what to write."""
    if reason not in CHANGE_REASONS:
        raise DomainError("validation_error", {"fields": [{"field": "reason", "problem": "enum"}]})
    _check_change_target(entry, identity_hash, clinic_id)
    allowed = _choice_allowed_from(entry)
    if reason == "choice" and allowed and today < allowed:
        raise DomainError("attachment_change_too_soon", {"allowedFrom": allowed.isoformat()})
    return ChangeDecision(
        version=int(entry.get("version", 0)) if entry else 0,
        old_clinic=entry.get("clinicId") if entry else None,
        allowed_from=next_choice_date(today) if reason == "choice" else allowed,
        today=today,
    )


class ChangeRefusal(Enum):
    DECIDE_AGAIN = "decide_again"  # another change won: decide again from the entry as it is now
    RETRY = "retry"  # a history key collided within the same second: try again


def classify_change_refusal(entry_failed: bool, clinic_failed: bool) -> ChangeRefusal:
    """The change's transaction was refused (operation 0 is the entry, the last the clinic's check)."""
    if clinic_failed:
        raise DomainError("not_found")
    return ChangeRefusal.DECIDE_AGAIN if entry_failed else ChangeRefusal.RETRY


# ---------------------------------------------------------------- reschedule (issue 14)
def check_appointment_active(appt: Item | None, now: int, patient_pk: str) -> None:
    """The appointment may still be moved or cancelled by `patient_pk`: the cancellation's rules, and a
    rescheduled appointment says so (its successor is the one to act on)."""
    if appt and appt.get("PatPK") == patient_pk and appt.get("status") == statuses.RESCHEDULED:
        raise DomainError("already_rescheduled", {"rescheduledTo": appt.get("rescheduledTo")})
    check_cancellation(appt, now, patient_pk)


@dataclass(frozen=True)
class MoveAsk:
    """What a patient asks to move: who (`patient_pk`, proven by the appointment's PatPK), to a slot of
    `clinic_id` (with the hold `hold_id` on it, if any), and when (`now`)."""
    patient_pk: str
    clinic_id: str
    now: int
    hold_id: str | None = None
    representative: str | None = None  # a parent moving their child's appointment (issue 29)


def _check_move_within(appt: Item, doctor: Item, entry: Item | None, clinic_id: str) -> None:
    """The new slot is the same specialty at the same clinic (any doctor), and the patient is attached there,
    unless the appointment used a referral: it moves within what the referral allows (same specialty, same
    clinic), wherever the patient is attached, and the referral moves with it."""
    if clinic_id != appt["clinicId"] or doctor.get("specialtyId") != appt["specialtyId"]:
        raise DomainError("reschedule_mismatch")
    if not entry:
        raise DomainError("patient_not_found")
    if not appt.get("referralNumber") and entry.get("clinicId") != appt["clinicId"]:
        raise DomainError("not_attached", {"lookup": "/v1/addresses/clinics"})


def check_reschedule(appt: Item | None, slot: Item | None, doctor: Item | None, entry: Item | None,
                     move: MoveAsk) -> None:
    """May the patient's appointment move to `slot`? The same refusals as cancelling (the old appointment)
    and booking (the new slot); the new slot must be the same specialty at the same clinic (any doctor).
    Ownership is proven by the appointment (its PatPK), so the register entry is checked for the clinic only."""
    check_appointment_active(appt, move.now, move.patient_pk)
    assert appt is not None
    if not slot or not doctor:
        raise DomainError("not_found")
    _check_move_within(appt, doctor, entry, move.clinic_id)
    check_referral_need(doctor, appt.get("referralNumber"))
    specialties.check_age(str(doctor.get("specialtyId", "")), appt.get("birthDate"), int(slot["start"]))
    _check_slot_open(slot, move.hold_id, move.now)
    check_hold_owner(slot, move.hold_id, keys.policy_hash_of(move.patient_pk))


# The reschedule transaction's operations by role (shared/booking/reschedule.py builds them); the old slot can be
# left out when it no longer points at the old appointment. RE_REFERRAL only with one.
RE_OLD, RE_SLOT, RE_NEW, RE_LOCK, RE_ENTRY, RE_IDEMPOTENCY, RE_REFERRAL, RE_OLD_SLOT = (
    "old", "slot", "new", "lock", "entry", "idempotency", "referral", "oldSlot")


class RescheduleRefusal(Enum):
    REPLAY = "replay"  # the idempotency record exists
    RETRY = "retry"  # the new slot's read was stale: decide again
    WITHOUT_OLD_SLOT = "without_old_slot"  # the old slot no longer names the old appointment: leave it alone


def _refused_move_entry(entry: Item | None, representative: str | None) -> NoReturn:
    """The reschedule's register check was refused: no entry, a parent the registry removed meanwhile (issue 29),
    or another clinic."""
    if not entry:
        raise DomainError("patient_not_found")
    if representative is not None and representative not in (entry.get("representatives") or ()):
        raise DomainError("not_found")
    raise DomainError("not_attached", {"lookup": "/v1/addresses/clinics"})


def classify_reschedule_refusal(failed: Mapping[str, Item | None], *, patient_pk: str, clinic_id: str,
                                hold_id: str | None, now: int, representative: str | None = None) -> RescheduleRefusal:
    """Why the reschedule transaction was refused, from the failed operations (ALL_OLD)."""
    if RE_IDEMPOTENCY in failed:
        return RescheduleRefusal.REPLAY
    if RE_OLD in failed:
        check_appointment_active(failed[RE_OLD], now, patient_pk)
        raise DomainError("unavailable", retry_after=1)
    if RE_ENTRY in failed:
        _refused_move_entry(failed[RE_ENTRY], representative)
    if RE_SLOT in failed:
        _check_refused_slot(failed[RE_SLOT], hold_id, keys.policy_hash_of(patient_pk), now)
        return RescheduleRefusal.RETRY
    if RE_LOCK in failed:
        raise DomainError("already_booked_specialty")
    if RE_OLD_SLOT in failed:
        return RescheduleRefusal.WITHOUT_OLD_SLOT
    raise DomainError("unavailable", retry_after=1)


# ---------------------------------------------------------------- the waiting list (issue 15)
# The join transaction's operations by role (shared/booking/waitlist.py builds them); JOIN_REFERRAL only with one.
JOIN_ENTRY, JOIN_POINTER, JOIN_REGISTER, JOIN_LOCK, JOIN_REFERRAL = "entry", "pointer", "register", "lock", "referral"


def check_join(entry: Item | None, specialty: Item, lock: Item | None, pointer: Item | None,
               referral: Item | None, ask: Ask) -> None:
    """May the patient wait for the specialty (`ask.specialty_id`)? As for a booking: on the register (attached
    here, unless a referral says where), a referral where one is needed, no future appointment of the specialty;
    and one active entry per patient and specialty."""
    check_patient(entry, ask.identity_hash, ask.attached_to, ask.representative)
    check_referral_need(specialty, ask.referral_number)
    if ask.referral_number:
        _check_asked_referral(referral, ask, ask.specialty_id)
    if lock and int(lock.get("start", 0)) > ask.now:
        raise DomainError("already_booked_specialty")
    if pointer and int(pointer.get("toTs", 0)) >= ask.now:
        raise DomainError("waitlist_exists", {"entryId": pointer.get("entryId")})


def classify_join_refusal(failed: Mapping[str, Item | None], *, identity_hash: str, clinic_id: str,  # noqa: PLR0913 - by keyword, the join's ask
                          specialty_id: str, referral_number: str | None, now: int,
                          representative: str | None = None) -> NoReturn:
    """Why the join transaction was refused, from the failed operations (ALL_OLD); always raises."""
    if JOIN_POINTER in failed:
        raise DomainError("waitlist_exists", {"entryId": (failed[JOIN_POINTER] or {}).get("entryId")})
    if JOIN_REGISTER in failed:
        check_patient(failed[JOIN_REGISTER], identity_hash, None if referral_number else clinic_id, representative)
    if JOIN_LOCK in failed:
        raise DomainError("already_booked_specialty")
    if JOIN_REFERRAL in failed:
        check_referral(failed[JOIN_REFERRAL], identity_hash=identity_hash, specialty_id=specialty_id,
                       clinic_id=clinic_id, now=now)
    raise DomainError("unavailable", retry_after=1)


# ---------------------------------------------------------------- holds bound to a patient (issue 12)
def check_hold(doctor: Item, *, birth_date: str | None = None, start: int | None = None,
               referral_number: str | None = None) -> None:
    """May a patient hold a slot of this doctor, before any write? A referral number where one is needed (the
    referral itself is a condition of the transaction), an age the specialty sees. The rest of the booking's
    identity rules (the register entry names the patient and the clinic; no future appointment of the
    specialty, other than the one a reschedule moves) are conditions of the hold's transaction, its refusals
    explained by `classify_hold_transaction_refusal`."""
    check_referral_need(doctor, referral_number)
    if start is not None:
        specialties.check_age(str(doctor.get("specialtyId", "")), birth_date, start)


# The hold's transaction operations by role (shared/booking/holds.py builds them); HOLD_RELEASE only when the
# patient has a previous hold on another slot.
HOLD_SLOT, HOLD_POINTER, HOLD_ENTRY, HOLD_LOCK, HOLD_RELEASE, HOLD_LIMIT, HOLD_REFERRAL, HOLD_MOVING = (
    "slot", "pointer", "entry", "lock", "release", "limit", "referral", "moving")


class HoldRefusal(Enum):
    RETRY = "retry"  # the patient's previous hold changed meanwhile (another hold of theirs): decide again
    WITHOUT_RELEASE = "without_release"  # the previous hold is gone already (booked, expired): do not touch it


def _check_refused_patient(failed: Mapping[str, Item | None], ask: Ask) -> None:
    """The hold's refusals that are the patient's, judged first: the register entry, the referral, the
    appointment moved, a future appointment of the specialty."""
    if HOLD_ENTRY in failed:
        check_patient(failed[HOLD_ENTRY], ask.identity_hash, ask.attached_to, ask.representative)
        raise DomainError("patient_not_found")
    if HOLD_REFERRAL in failed:
        _check_asked_referral(failed[HOLD_REFERRAL], ask, ask.specialty_id)
    if HOLD_MOVING in failed:
        raise DomainError("referral_required")  # the appointment moved did not use a referral for this
    if HOLD_LOCK in failed:
        raise DomainError("already_booked_specialty")


def classify_hold_transaction_refusal(failed: Mapping[str, Item | None], ask: Ask, *,
                                      known: bool = True) -> HoldRefusal:
    """Say why the hold's transaction was refused (index -> item as it was). Raises the refusal or says
    how to try again. `known`: the patient's previous hold was learnt already (the pointer was read)."""
    _check_refused_patient(failed, ask)
    if HOLD_POINTER in failed and not known:
        # The patient holds another slot (or this one): learn which, then try again releasing it (the slot's
        # own refusal may be that very hold).
        return HoldRefusal.RETRY
    if HOLD_SLOT in failed:
        classify_hold_refusal(failed[HOLD_SLOT], ask.now)
    if HOLD_POINTER in failed:
        return HoldRefusal.RETRY
    if HOLD_RELEASE in failed:
        return HoldRefusal.WITHOUT_RELEASE
    raise DomainError("unavailable", retry_after=1)


def hold_again(failed: Mapping[str, Item | None], previous: str | None, now: int) -> bool:
    """A hold's first transaction was refused only because the patient holds this very slot already, unexpired
    (the slot as it was is held by the hold their pointer names): that hold answers the request again. Any
    other failed check (identity, lock, referral, limit) is decided as usual."""
    old_slot = failed.get(HOLD_SLOT)
    return (set(failed) <= {HOLD_SLOT, HOLD_POINTER} and bool(previous) and old_slot is not None
            and holds_it(old_slot, previous) and int(old_slot.get("holdExpiresAt", 0)) > now)


# ---------------------------------------------------------------- failed identity checks (issue 12)
# The refusals that tell a caller "this identity is wrong": each one counts against the policy.
IDENTITY_FAILURES = frozenset({"patient_not_found", "attachment_not_found", "not_found", "referral_not_found"})


def window_start(now: int, window: int) -> int:
    return now - now % window


def limit_retry_after(item: Item | None, *, now: int, limit: int, window: int) -> int | None:
    """Seconds until the policy may be tried again, or None while it is under the limit."""
    start = window_start(now, window)
    if not item or int(item.get("window", -1)) != start or int(item.get("failures", 0)) < limit:
        return None
    return max(1, start + window - now)


# ---------------------------------------------------------------- referrals (issue 15)
def check_referral_need(doctor: Item, referral_number: str | None) -> None:
    """A referral-only specialty is booked (and held) with a referral number."""
    if doctor.get("referralRequired") and not referral_number:
        raise DomainError("referral_required")


def check_referral(referral: Item | None, *, identity_hash: str, specialty_id: str, clinic_id: str, now: int,
                   appointment_id: str | None = None) -> None:
    """May this referral be used for an appointment of `specialty_id` at `clinic_id`, by this patient, now?
    Another patient's referral is as unknown as a made-up number (nobody learns which numbers exist); a
    referral used by `appointment_id` itself (a retry, a reschedule) is not `used`. The consuming write's
    condition (shared/booking/referrals.py) enforces the same."""
    if not referral or referral.get("identityHash") != identity_hash:
        raise DomainError("referral_not_found")
    if referral.get("specialtyId") != specialty_id or referral.get("targetClinicId") != clinic_id:
        raise DomainError("referral_mismatch", {"specialtyId": referral.get("specialtyId"),
                                                "targetClinicId": referral.get("targetClinicId")})
    if referral.get("status") == statuses.USED and referral.get("appointmentId") != appointment_id:
        raise DomainError("referral_used")
    if int(referral.get("expiresAt", 0)) < now:
        raise DomainError("referral_expired")


def referral_state(referral: Item, now: int) -> str:
    """What a patient is told about their referral: issued, used or expired."""
    if referral.get("status") == statuses.USED:
        return statuses.USED
    return "expired" if int(referral.get("expiresAt", 0)) < now else statuses.ISSUED
