"""The waiting list (issue 15): instead of polling a full doctor, a patient waits, and a freed slot is offered.

Items:
  entry    `WAIT#<clinicId>#<specialtyId>` / `<joined, epoch ns>#<random>`: the clinic's queue for a specialty, oldest
           first. `status` waiting -> offered -> booked, or cancelled / lapsed; the patient as for a booking (keyed
           hashes of the policy and identity, the names and email the ticket needs), `fromTs`/`toTs` (the days
           the patient can come), an optional `doctorId`, and while offered the slot and its hold.
  pointer  `POLICY#<hash>` / `WAIT#<specialtyId>`: the patient's one active entry of a specialty (the one guard
           two joins race on); it goes when the entry ends (booked, cancelled, lapsed) or lapses at `toTs`.

Offers (`offer_freed`, driven by the table's stream through the offers function, never by polling): when a slot
becomes free — a cancellation, a reschedule away, a hold released or swept (an offer that lapsed too), a new day
opened, a plan change — the earliest waiting entry that matches gets it: ONE transaction holds the slot for the
entry's patient for OFFER_SECONDS (condition: the slot is free and has not started) and turns the entry
`offered` (condition: still waiting) after checking the patient has no appointment of the specialty. So a freed
slot is offered once, to one patient, and never when it is gone; a replayed stream record finds the slot held
and offers nothing. The notifier emails the offer (a link with an unguessable token) from the entry's change.
An offer accepted books with the offer's hold (`booking.book`). An offer that lapses: the sweeper frees the
slot, whose change lapses the entry and offers the slot to the next one; with no one left it is everyone's.
"""
from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.booking import bookings as booking
from shared.booking import holds, referrals, ticket_link
from shared.domain import rules, slots
from shared.patients import callers
from shared.platform import clock, dal, keys, statuses
from shared.platform.errors import DomainError
from shared.platform.items import WaitEntry
from shared.platform.observability import logger
from shared.platform.text import localized

WAITING, OFFERED, LAPSED = statuses.WAITING, statuses.OFFERED, statuses.LAPSED
OFFER_SECONDS = 15 * 60
MAX_DAYS_AHEAD = 60  # the furthest `to` a patient may wait for
OFFER_LEAD_SECONDS = 5 * 60  # a slot starting sooner than this is not offered (no time to come)
CANDIDATES = 20  # entries tried for one freed slot before giving up (each refused one changed meanwhile)
ATTEMPTS = 3  # reads and decisions of one leave that races an offer

_ENTRY_ID = re.compile(r"^([a-z0-9]{2,24})\.([a-z]{2,40})\.(\d{19})\.([A-Za-z0-9_-]{12})$")


# ---------------------------------------------------------------- keys and tokens
def entry_key(entry_id: str) -> dict[str, dict[str, str]] | None:
    m = _ENTRY_ID.match(entry_id or "")
    if not m:
        return None
    return keys.key(keys.wait_queue_pk(m.group(1), m.group(2)), keys.wait_entry_sk(m.group(3), m.group(4)))


# ---------------------------------------------------------------- rendering
def state(entry: Mapping[str, Any], now: int) -> str:
    if entry.get("status") == WAITING and int(entry.get("toTs", 0)) < now:
        return "expired"
    return str(entry.get("status"))


def render(entry: Mapping[str, Any], lang: str) -> dict[str, Any]:
    now = clock.now()
    offer = None
    if entry.get("status") == OFFERED and entry.get("offerSlotId"):
        offer = {"slotId": entry["offerSlotId"], "start": clock.local_iso(int(entry["offerStart"])),
                 "end": clock.local_iso(int(entry["offerEnd"])),
                 "doctorName": localized(entry, "offerDoctorName", lang),
                 "room": entry.get("offerRoom", ""), "expiresAt": clock.local_iso(int(entry["offerExpiresAt"]))}
    return {
        "id": entry["id"], "status": state(entry, now), "clinicId": entry["clinicId"],
        "clinicName": localized(entry, "clinicName", lang), "specialtyId": entry["specialtyId"],
        "specialty": localized(entry, "specialty", lang), "doctorId": entry.get("doctorId"),
        "doctorName": localized(entry, "doctorName", lang) if entry.get("doctorId") else None,
        "from": entry["fromDay"], "to": entry["toDay"], "createdAt": clock.local_iso(int(entry["createdAt"])),
        "offer": offer, "appointmentId": entry.get("appointmentId"),
    }


# ---------------------------------------------------------------- joining
@dataclass(frozen=True)
class Wish:
    """What a patient waits for: a specialty (or one doctor) at a clinic, between two days, with the referral a
    referral-only specialty needs."""

    clinic_id: str
    specialty_id: str
    doctor_id: str | None
    day_from: date
    day_to: date
    referral_number: str | None = None


def join(wish: Wish, patient: callers.Caller, lang: str) -> dict[str, Any]:
    """Wait for a slot of a specialty (or one doctor) at a clinic between two days. The identity is checked as
    for a booking: on the register (attached here, unless a referral says where), no future appointment of
    the specialty, a referral where one is needed; one active entry per patient and specialty. A counted
    caller's failed identity checks count against the policy (shared/patients/callers.py)."""
    with callers.counting(patient, guarded=True):
        return _join(wish, patient, lang)


def _join_keys(wish: Wish, policy_hash: str, limiter_key: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """What a join reads, in one BatchGetItem, by name."""
    clinic_id, specialty_id = wish.clinic_id, wish.specialty_id
    wanted = {
        "clinic": keys.profile_key(keys.clinic_pk(clinic_id)),
        "specialty": keys.key(keys.clinic_pk(clinic_id), keys.specialty_sk(specialty_id)),
        "entry": keys.attachment_key(policy_hash),
        "lock": keys.key(keys.policy_pk(policy_hash), keys.specialty_lock_sk(specialty_id)),
        "pointer": keys.wait_pointer_key(policy_hash, specialty_id),
    }
    if wish.doctor_id:
        wanted["doctor"] = keys.profile_key(keys.doctor_pk(wish.doctor_id))
    if wish.referral_number:
        wanted["referral"] = keys.referral_key(wish.referral_number)
    if limiter_key:
        wanted["limiter"] = limiter_key
    return wanted


def entry_item(entry_id: str, wish: Wish, found: dict[str, Any], patient: callers.Caller, lang: str,
               now: int) -> WaitEntry:
    """A waiting-list entry as stored: the patient (as a booking keeps them), what they wait for (`found`: the
    clinic, specialty and doctor read), and when. The entry id names the clinic and the specialty."""
    clinic, specialty, day_from, day_to = found["clinic"], found["specialty"], wish.day_from, wish.day_to
    key = entry_key(entry_id)
    clinic_id, specialty_id = entry_id.split(".")[:2]
    assert key is not None
    to_ts = clock.day_end(day_to) - 1
    item: WaitEntry = {
        "PK": key["PK"]["S"], "SK": key["SK"]["S"], "entity": "waitEntry", "id": entry_id, "status": WAITING,
        "clinicId": clinic_id, "clinicName": clinic["name"], "clinicNameEn": clinic.get("nameEn"),
        "specialtyId": specialty_id, "specialty": specialty.get("name", specialty_id),
        "specialtyEn": specialty.get("nameEn"), "fromDay": day_from.isoformat(), "toDay": day_to.isoformat(),
        "fromTs": clock.day_start(day_from), "toTs": to_ts, "createdAt": now,
        "PatPK": keys.policy_pk(patient.policy_hash), "policyHash": patient.policy_hash,
        "identityHash": patient.identity,
        "lastName": patient.last_name, "firstName": patient.first_name, "middleName": patient.middle_name,
        "birthDate": patient.birth_date, "email": patient.email, "phone": patient.phone, "lang": lang,
        "ttl": to_ts + 30 * 86400,
    }
    if wish.doctor_id:
        doctor = found.get("doctor") or {}
        item["doctorId"] = wish.doctor_id
        item["doctorName"], item["doctorNameEn"] = doctor.get("name"), doctor.get("nameEn")
    if wish.referral_number:
        item["referralNumber"] = wish.referral_number
    if patient.representative and patient.booked_by:
        # A parent waiting for their child (issue 29): the offer books as the parent, checked as one.
        last, first, middle = patient.booked_by
        item["representedBy"] = patient.representative
        item["bookedBy"] = {k: v for k, v in (("lastName", last), ("firstName", first), ("middleName", middle)) if v}
    return item


def join_operations(item: WaitEntry, wanted: dict[str, dict[str, Any]], referral_number: str | None,
                    now: int) -> dict[str, dict[str, Any]]:
    """The join's one transaction by role (rules.JOIN_*): the entry, the patient's pointer (one active
    entry per specialty), the register check, the specialty lock check (and the referral check)."""
    clinic_id, specialty_id, identity_hash = item["clinicId"], item["specialtyId"], item["identityHash"]
    pointer = {**{k: v["S"] for k, v in wanted["pointer"].items()}, "entity": "waitPointer", "entryId": item["id"],
               "toTs": item["toTs"], "ttl": item["toTs"] + 86400}
    ops = {
        rules.JOIN_ENTRY: {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
        rules.JOIN_POINTER: {"Put": {"Item": pointer, "ConditionExpression": "attribute_not_exists(PK) OR toTs < :now",
                                     "ExpressionAttributeValues": {":now": now}}},
        rules.JOIN_REGISTER: holds.entry_check(wanted["entry"], identity_hash, None if referral_number else clinic_id,
                                               item.get("representedBy")),
        rules.JOIN_LOCK: {"ConditionCheck": {
            "Key": wanted["lock"], "ConditionExpression": "attribute_not_exists(PK) OR #start <= :now",
            "ExpressionAttributeNames": {"#start": "start"}, "ExpressionAttributeValues": {":now": now}}},
    }
    if referral_number:
        ops[rules.JOIN_REFERRAL] = referrals.check_op(referral_number, identity_hash, specialty_id, clinic_id, now)
    return ops


def _check_wish(wish: Wish, now: int) -> None:
    """Days from today to MAX_DAYS_AHEAD, a doctor of the clinic asked for, a clinic id."""
    today = clock.local_date(now)
    if not (today <= wish.day_from <= wish.day_to <= today + timedelta(days=MAX_DAYS_AHEAD)):
        raise DomainError("validation_error", {"fields": [{"field": "to", "problem": "out_of_range"}]})
    if wish.doctor_id is not None and keys.clinic_of_doctor(wish.doctor_id) != wish.clinic_id:
        raise DomainError("validation_error", {"fields": [{"field": "doctorId", "problem": "other_clinic"}]})
    if not keys.valid_clinic_id(wish.clinic_id):
        raise DomainError("not_found")


def _join(wish: Wish, patient: callers.Caller, lang: str) -> dict[str, Any]:
    now = clock.now()
    _check_wish(wish, now)
    wanted = _join_keys(wish, patient.policy_hash, patient.limiter_key)
    by_key = {(i["PK"], i["SK"]): i for i in dal.batch_get(list(wanted.values()), consistent=True)}
    found = {name: by_key.get((k["PK"]["S"], k["SK"]["S"])) for name, k in wanted.items()}
    callers.check_limit(patient, found.get("limiter"))
    if not found["clinic"] or not found["specialty"] or (wish.doctor_id and not found.get("doctor")):
        raise DomainError("not_found")
    ask = rules.Ask(identity_hash=patient.identity, clinic_id=wish.clinic_id, specialty_id=wish.specialty_id,
                    referral_number=wish.referral_number, now=now, representative=patient.representative)
    # The read decides who is refused cheaply; the transaction's conditions decide who wins.
    rules.check_join(found["entry"], found["specialty"], found["lock"], found["pointer"], found.get("referral"), ask)
    # The queue's order is the joining order, to the nanosecond (two patients joining in one second are not
    # ordered by the random suffix).
    entry_id = f"{wish.clinic_id}.{wish.specialty_id}.{time.time_ns():019d}.{secrets.token_urlsafe(9)}"
    item = entry_item(entry_id, wish, found, patient, lang, now)
    try:
        dal.transact(join_operations(item, wanted, wish.referral_number, now))
    except dal.Cancelled as cancelled:
        rules.classify_join_refusal(cancelled.refused(), identity_hash=patient.identity, clinic_id=wish.clinic_id,
                                    specialty_id=wish.specialty_id, referral_number=wish.referral_number, now=now,
                                    representative=patient.representative)
    logger.info("waitlist joined", extra={"clinicId": wish.clinic_id, "specialtyId": wish.specialty_id})
    return {"entry": render(item, lang)}


# ---------------------------------------------------------------- a patient's entries, and leaving
def mine(caller: callers.Caller, lang: str) -> dict[str, Any]:
    """The caller's active entries (the register check, one Query of their pointers, one BatchGetItem of the
    entries)."""
    callers.verify(caller)
    pointers, _ = dal.query("PK = :pk AND begins_with(SK, :w)", {":pk": caller.patient_pk, ":w": keys.WAIT_PREFIX})
    wanted = [k for k in (entry_key(str(p.get("entryId", ""))) for p in pointers) if k]
    entries = dal.batch_get(wanted, consistent=True) if wanted else []
    entries.sort(key=lambda e: int(e.get("createdAt", 0)))
    return {"items": [render(e, lang) for e in entries]}


def patient_of(entry_id: str) -> str | None:
    """The policy hash of an entry's patient (one GetItem), None for no such entry."""
    key = entry_key(entry_id)
    found = dal.get(key, projection="policyHash") if key else None
    return str(found["policyHash"]) if found and found.get("policyHash") else None


def _owned(entry_id: str, caller: callers.Caller) -> tuple[dict[str, Any], dict[str, Any]]:
    """The caller's entry (and its key), with the caller's register entry and limiter item in the same read."""
    key = entry_key(entry_id)
    register = keys.attachment_key(caller.policy_hash) if caller.identity_hash else None
    wanted = [k for k in (key, register, caller.limiter_key) if k is not None]
    found = {(i["PK"], i["SK"]): i for i in dal.batch_get(wanted, consistent=True)} if wanted else {}

    def pick(k: dict[str, Any] | None) -> dict[str, Any] | None:
        return found.get((k["PK"]["S"], k["SK"]["S"])) if k else None

    callers.check_limit(caller, pick(caller.limiter_key))
    callers.check_entry(caller, pick(register))
    entry = pick(key)
    if not key or not entry or entry.get("policyHash") != caller.policy_hash:
        raise DomainError("not_found")
    return key, entry


def _end_ops(entry: dict[str, Any], key: dict[str, Any], status: str, expected: str,
             fields: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The entry's last change (condition: it is still `expected`, and while offered, the same offer) and its
    pointer's removal (while it names this entry)."""
    condition, values = "", {}
    if expected == OFFERED:
        condition, values = " AND offerHoldId = :hold", {":hold": entry.get("offerHoldId")}
    return {
        "entry": _entry_change(key, status, expected, fields or {}, condition, values),
        "pointer": {"Delete": {"Key": keys.wait_pointer_key(str(entry["policyHash"]), str(entry["specialtyId"])),
                               "ConditionExpression": "attribute_not_exists(PK) OR entryId = :id",
                               "ExpressionAttributeValues": {":id": entry["id"]}}},
    }


def cancel(entry_id: str, caller: callers.Caller, lang: str) -> dict[str, Any]:
    """Leave the list (the owner). An offered slot is given back at once, so the next patient gets it. An
    entry that changed between the read and the write (an offer landed, lapsed or was accepted meanwhile) is
    read again and decided again: leaving never answers 503 for a race with an offer. A counted caller's miss
    counts as a failed identity check."""
    with callers.counting(caller, ("not_found", "patient_not_found"), guarded=True):
        return _leave(entry_id, caller, lang)


def _end(ops: dict[str, dict[str, Any]]) -> None:
    """Write an entry's end (`_end_ops`, perhaps with the offer's release). Only the entry's own change (the
    first operation) must apply: the pointer's removal is dropped when the pointer names a newer entry (the
    patient joined again once this one's days were over), the release when the offer's hold is gone already
    (booked, swept). Raises Cancelled when the entry itself changed meanwhile."""
    for _ in range(ATTEMPTS):
        try:
            dal.transact(ops)
            return
        except dal.Cancelled as cancelled:
            failed = cancelled.refused()
            if not failed or "entry" in failed:
                raise
            ops = {role: op for role, op in ops.items() if role not in failed}
    raise DomainError("unavailable", retry_after=1)


def _leave(entry_id: str, caller: callers.Caller, lang: str) -> dict[str, Any]:
    key, entry = _owned(entry_id, caller)
    for _ in range(ATTEMPTS):
        status = entry.get("status")
        if status not in (WAITING, OFFERED):
            return {"entry": render(entry, lang)}  # ended already: leaving again changes nothing
        ops = _end_ops(entry, key, statuses.CANCELLED, str(status))
        if status == OFFERED and entry.get("offerSlotId") and entry.get("offerHoldId"):
            ops["release"] = slots.release(str(entry["offerSlotId"]), str(entry["offerHoldId"]))
        try:
            _end(ops)
        except dal.Cancelled as cancelled:
            if cancelled.failed("entry"):
                entry = cancelled.old("entry") or entry  # the entry as it is now: decide again
                continue
            raise DomainError("unavailable", retry_after=1) from None
        logger.info("waitlist left", extra={"specialtyId": entry["specialtyId"]})
        return {"entry": render(dict(entry, status=statuses.CANCELLED), lang)}
    raise DomainError("unavailable", retry_after=1)


# ---------------------------------------------------------------- the offer, from its link
def _by_token(entry_id: str, given: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The entry's key and item for the offer link's id and token; not_found for anything else."""
    key = entry_key(entry_id)
    entry = dal.get(key, consistent=True) if key and ticket_link.offer_valid(entry_id, given) else None
    if not key or not entry:
        raise DomainError("not_found")
    return key, entry


def by_link(entry_id: str, given: str | None, lang: str) -> dict[str, Any]:
    return {"entry": render(_by_token(entry_id, given)[1], lang)}


def accept(entry_id: str, given: str | None, lang: str) -> booking.Outcome:
    """Book the offered slot with the offer's hold: one click from the email. A retry answers the same ticket."""
    key, entry = _by_token(entry_id, given)
    hold_id = _open_offer(entry)
    patient = _patient_of(entry)
    try:
        outcome = booking.book(booking.Request(str(entry["offerSlotId"]), hold_id, patient, f"offer|{hold_id}",
                               booking.fingerprint("offer", {"entryId": entry_id, "holdId": hold_id}), lang,
                               referral_number=entry.get("referralNumber")))
    except DomainError as refused:
        if refused.code in ("hold_expired", "slot_unavailable", "hold_mismatch"):
            raise DomainError("offer_expired") from None
        raise
    appointment_id = outcome.body["appointment"]["id"]
    if entry.get("status") == OFFERED:
        _end_booked(entry, key, hold_id, appointment_id)
    logger.info("offer accepted", extra={"appointmentId": appointment_id})
    return outcome


def _patient_of(entry: dict[str, Any]) -> callers.Caller:
    """Who books an offer: the entry's patient, or, for a child a parent put on the list, the child as that
    parent's (the booking checks the parent is still a representative, issue 29)."""
    if entry.get("representedBy"):
        booked_by = entry.get("bookedBy") or {}
        return callers.represented(entry, parent_hash=str(entry["representedBy"]),
                                   booked_by=(str(booked_by.get("lastName", "")), str(booked_by.get("firstName", "")),
                                              booked_by.get("middleName")), email=str(entry["email"]))
    return callers.sealed(entry["policyHash"], entry["identityHash"], last_name=entry["lastName"],
                          birth_date=entry["birthDate"],
                          details=callers.Details(first_name=entry["firstName"], middle_name=entry.get("middleName"),
                                                  email=entry["email"], phone=entry.get("phone")))


def _open_offer(entry: dict[str, Any]) -> str:
    """The offer's hold id, while the offer stands (or was booked: a retry answers the same ticket)."""
    hold_id = str(entry.get("offerHoldId") or "")
    if entry.get("status") not in (OFFERED, statuses.BOOKED) or not hold_id:
        raise DomainError("offer_expired")
    if entry.get("status") == OFFERED and int(entry.get("offerExpiresAt", 0)) < clock.now():
        raise DomainError("offer_expired")  # lapsed, though the sweeper has not freed the slot yet
    return hold_id


def _end_booked(entry: dict[str, Any], key: dict[str, Any], hold_id: str, appointment_id: str) -> None:
    """The entry ends as booked by the offer's appointment."""
    try:
        _end(_end_ops(entry, key, statuses.BOOKED, OFFERED, {"appointmentId": appointment_id}))
    except dal.Cancelled:
        # The offer was seen lapsing at the same moment (the sweeper freed the slot, and the booking still
        # won it): the appointment is what happened, so the entry says booked.
        try:
            dal.update(key, "SET #st = :booked, appointmentId = :appt",
                       condition="#st = :lapsed AND offerHoldId = :h",
                       values={":booked": statuses.BOOKED, ":appt": appointment_id, ":lapsed": LAPSED,
                               ":h": hold_id}, names={"#st": "status"})
        except dal.ConditionFailed:
            logger.warning("offer booked, entry changed meanwhile", extra={"appointmentId": appointment_id})


# ---------------------------------------------------------------- offers, from the stream
def slot_freed(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    """A stream record's slot became free: inserted free (a day opened, a plan changed) or free after not."""
    return bool(new) and (new or {}).get("entity") == "slot" and (new or {}).get("status") == slots.FREE and (
        not old or old.get("status") != slots.FREE)


def offer_ended(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    """A stream record ends the offer its slot was held for: the offer's hold is gone from the slot (swept,
    released, closed by an absence or a plan, taken over or booked once it expired)."""
    return (bool(old) and (old or {}).get("entity") == "slot" and (old or {}).get("status") == slots.HELD
            and bool((old or {}).get("offerEntry")) and (not new or new.get("holdId") != (old or {}).get("holdId")))


def end_offer(old: dict[str, Any], new: dict[str, Any] | None) -> None:
    """The slot held for an offer changed (`offer_ended`). Closed by the clinic: the patient did nothing
    wrong, so the entry waits again in its place (its pointer stays). Freed, taken or booked once the offer
    expired: the offer lapsed (the entry ends; the patient may join again). Booked through the offer itself
    (accepted in time): `accept` ends the entry as booked, nothing to do here."""
    entry_id, hold_id, owner = str(old.get("offerEntry") or ""), old.get("holdId"), old.get("holdOwner")
    key = entry_key(entry_id)
    if not key or not hold_id or not owner:
        return
    status = (new or {}).get("status")
    if status == slots.BOOKED and int(old.get("holdExpiresAt", 0)) > clock.now():
        return
    # The held slot names the offer's patient (holdOwner) and the specialty: no read of the entry.
    entry = {"id": entry_id, "offerHoldId": hold_id, "policyHash": owner, "specialtyId": old.get("specialtyId")}
    try:
        if status == keys.SLOT_CLOSED:
            dal.transact([_entry_change(key, WAITING, OFFERED, dict.fromkeys(OFFER_FIELDS),
                                        " AND offerHoldId = :hold", {":hold": hold_id})])
            logger.info("offer withdrawn, waiting again", extra={"slotId": old.get("slotId")})
        else:
            _end(_end_ops(entry, key, LAPSED, OFFERED))
            logger.info("offer lapsed", extra={"slotId": old.get("slotId")})
    except dal.Cancelled:
        pass  # accepted, cancelled or ended already


def offer_freed(slot: dict[str, Any]) -> str | None:
    """Offer a slot that became free to the earliest matching waiting entry; the entry id, or None."""
    now = clock.now()
    start = int(slot.get("start", 0))
    if start <= now + OFFER_LEAD_SECONDS or not slots.in_booking_window(start, now):
        return None
    tried = 0
    page_start: dal.Item | None = None
    while tried < CANDIDATES:
        candidates, page_start = dal.query(
            "PK = :pk", {":pk": keys.wait_queue_pk(slot["clinicId"], slot["specialtyId"]), ":waiting": WAITING,
                         ":start": start, ":doc": slot["doctorId"]},
            filter_expression="#st = :waiting AND fromTs <= :start AND toTs >= :start "
                              "AND (attribute_not_exists(doctorId) OR doctorId = :doc)",
            names={"#st": "status"}, start_key=page_start, consistent=True)
        for entry in candidates:
            tried += 1
            outcome = _offer(slot, entry, now)
            if outcome == "offered":
                return str(entry["id"])
            if outcome == "gone":
                return None
        if not page_start:
            return None
    return None


def _offer(slot: dict[str, Any], entry: dict[str, Any], now: int) -> str:
    """One transaction: the slot held for the entry's patient, the entry offered. "offered", "gone" (the slot
    is no longer free: nobody gets it from here) or "next" (this entry changed, or its patient booked)."""
    slot_id = str(slot["slotId"])
    hold_id = keys.new_hold_id(slot_id)
    expires = now + OFFER_SECONDS
    doctor = _doctor_names(str(slot["doctorId"]))
    offer = {"offerSlotId": slot_id, "offerHoldId": hold_id, "offerExpiresAt": expires,
             "offerStart": int(slot["start"]), "offerEnd": int(slot["end"]), "offerDoctorId": slot["doctorId"],
             "offerDoctorName": doctor.get("name"), "offerDoctorNameEn": doctor.get("nameEn"),
             "offerRoom": slot.get("room", ""), "offeredAt": now}
    ops: dict[str, dict[str, Any]] = {
        "slot": slots.hold(slot_id, slots.Held(hold_id, expires, str(entry["policyHash"]), str(entry["id"])), now),
        "entry": _entry_change(keys.key(str(entry["PK"]), str(entry["SK"])), OFFERED, WAITING, offer),
        "lock": {"ConditionCheck": {
            "Key": keys.key(keys.policy_pk(str(entry["policyHash"])),
                            keys.specialty_lock_sk(str(entry["specialtyId"]))),
            "ConditionExpression": "attribute_not_exists(PK) OR #start <= :now",
            "ExpressionAttributeNames": {"#start": "start"}, "ExpressionAttributeValues": {":now": now}}},
    }
    try:
        dal.transact(ops)
    except dal.Cancelled as cancelled:
        if cancelled.failed("slot"):
            return "gone"
        return "next"
    logger.info("slot offered", extra={"slotId": slot_id})
    return "offered"


OFFER_FIELDS = ("offerSlotId", "offerHoldId", "offerExpiresAt", "offerStart", "offerEnd", "offerDoctorId",
                "offerDoctorName", "offerDoctorNameEn", "offerRoom", "offeredAt")


def _entry_change(key: dict[str, Any], status: str, expected: str, fields: dict[str, Any],
                  condition: str = "", values: dict[str, Any] | None = None) -> dict[str, Any]:
    """An entry's status `expected` -> `status`, setting `fields`: those whose value is None (a doctor published
    without an English name) are removed, never written as an empty placeholder."""
    present = {name: value for name, value in fields.items() if value is not None}
    names = {"#st": "status", **{f"#f{i}": name for i, name in enumerate(present)}}
    vals: dict[str, Any] = {":new": status, ":expected": expected, **(values or {}),
                            **{f":f{i}": value for i, value in enumerate(present.values())}}
    update = "SET #st = :new" + "".join(f", #f{i} = :f{i}" for i in range(len(present)))
    absent = [name for name, value in fields.items() if value is None]
    if absent:
        update += " REMOVE " + ", ".join(absent)
    return {"Update": {"Key": key, "UpdateExpression": update,
                       "ConditionExpression": "#st = :expected" + condition,
                       "ExpressionAttributeNames": names, "ExpressionAttributeValues": vals}}


def _doctor_names(doctor_id: str) -> dict[str, Any]:
    found = dal.get(keys.profile_key(keys.doctor_pk(doctor_id)), projection="#n, nameEn", names={"#n": "name"})
    return found or {}


def _images(record: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    change = record.get("dynamodb") or {}
    return dal.from_item(change.get("OldImage")), dal.from_item(change.get("NewImage"))


def waiting_queues(records: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """The queues (clinic, specialty) of a batch's freed slots that have anyone waiting: one Query per queue
    per batch, so a day opening thousands of slots costs a Query per specialty, not per slot."""
    out = set()
    for queue in {(str(n["clinicId"]), str(n["specialtyId"])) for o, n in map(_images, records)
                  if n and slot_freed(o, n)}:
        start: dal.Item | None = None
        while True:
            found, start = dal.query("PK = :pk", {":pk": keys.wait_queue_pk(*queue), ":waiting": WAITING},
                                     filter_expression="#st = :waiting", names={"#st": "status"},
                                     projection="PK", start_key=start)
            if found:
                out.add(queue)
                break
            if not start:
                break
    return out


def handle_record(record: dict[str, Any], waiting: set[tuple[str, str]] | None = None) -> str:
    """One stream record (the offers function): end the offer the slot was held for, if its hold is gone,
    then offer a freed slot.
    `waiting`: the batch's queues with entries (`waiting_queues`); a slot of another queue is not looked at."""
    old, new = _images(record)
    if old and offer_ended(old, new):
        end_offer(old, new)
    if not new or not slot_freed(old, new):
        return "skipped"
    if waiting is not None and (new["clinicId"], new["specialtyId"]) not in waiting:
        return "none"
    return "offered" if offer_freed(new) else "none"
