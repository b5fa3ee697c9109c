"""What makes a slot free, written once for reads (filters) and for writes (conditions).

A held slot whose hold has expired counts as free everywhere: the expiry is checked in the expression
itself, never by trusting the sweeper or TTL to have run.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.platform import clock, keys
from shared.platform.config import BOOKING_HORIZON_DAYS
from shared.platform.statuses import BOOKED, FREE, HELD

__all__ = ["BOOKED", "FREE", "FREE_CONDITION", "HELD", "HOLD_ATTRIBUTES", "NAMES"]

# What a hold leaves on its slot (shared/booking/holds.py; `offerEntry` when the hold is a waiting-list offer): every
# write that ends a hold removes all of it.
HOLD_ATTRIBUTES = "holdId, holdExpiresAt, holdOwner, HoldPK, HoldSK, offerEntry"
# Needs #st -> status and values :free, :held, :now.
FREE_CONDITION = "(#st = :free OR (#st = :held AND holdExpiresAt <= :now))"
NAMES = {"#st": "status", "#start": "start"}


def free_values(now: int) -> dict[str, Any]:
    return {":free": FREE, ":held": HELD, ":now": now}


# ---------------------------------------------------------------- the booking window (docs/CONTRACT.md, rule 6)
# Decided here only: today and the next BOOKING_HORIZON_DAYS - 1 days, calendar days in the clinic's zone,
# slots not yet started. The API's reads and write conditions, the daily job, gorzdrav, FHIR and the page
# (through the doctor-slots answer's `window`) all take it from these functions.
def last_day(today: date) -> date:
    """The last day of the window whose first day (the clinic's today) is `today`."""
    return today + timedelta(days=BOOKING_HORIZON_DAYS - 1)


def window_days(now: int) -> tuple[date, date]:
    """(first day, last day) of the booking window at `now`, the clinic's local dates: today .. today + 13."""
    today = clock.local_date(now)
    return today, last_day(today)


def horizon(now: int) -> int:
    """The window's last second: a slot starting at or before it (and after `now`) is inside."""
    return clock.day_end(window_days(now)[1]) - 1


def in_booking_window(start: int, now: int) -> bool:
    """Bookable by time: not started yet and starting on a day of the window."""
    return now < start <= horizon(now)


def is_free(slot: Mapping[str, Any], now: int) -> bool:
    status = slot.get("status")
    return status == FREE or (status == HELD and int(slot.get("holdExpiresAt", 0)) <= now)


def availability_keys(slot: Mapping[str, Any]) -> dict[str, str]:
    """Index keys an unbooked slot carries (removed when booked, restored on cancellation)."""
    return {
        "AvPK": keys.availability_pk(slot["clinicId"], slot["specialtyId"]),
        "AvSK": keys.availability_sk(int(slot["start"]), slot["doctorId"]),
    }


def render(slot: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": slot["slotId"],
        "start": clock.local_iso(int(slot["start"])),
        "end": clock.local_iso(int(slot["end"])),
        "room": slot.get("room", ""),
    }


# ---------------------------------------------------------------- the slot's transitions (issue 27)
# Every write of a slot is built here and nowhere else: each function returns one transaction entry that a
# transaction composes by role, or that `dal.apply` writes alone. Their conditions are the state machine:
#   (new) -create-> free -hold-> held -take-> booked -free-> free ...
#   held -release/expire-> free; free|held -close-> closed -reopen-> free; booked -close_booked-> closed
Op = dict[str, Any]


def create(item: Mapping[str, Any]) -> Op:
    """A new slot of a plan (the schedule job): only where none is."""
    return {"Put": {"Item": dict(item), "ConditionExpression": "attribute_not_exists(PK)"}}


@dataclass(frozen=True)
class Held:
    """A hold as its slot carries it: its id, until when, whose (a policy hash), and the waiting-list entry it
    is an offer to (None: a patient's own hold)."""

    hold_id: str
    expires: int
    owner: str
    offer_entry: str | None = None


def hold(slot_id: str, held: Held, now: int, *, replacing: str | None = None) -> Op:
    """Held as `held` says: if free (or its hold expired), not started and within the booking window.
    `replacing`: the owner's own hold of this very slot, which the new one replaces. A hold that is no offer
    removes a stale `offerEntry`."""
    hold_id, expires, owner, offer_entry = held.hold_id, held.expires, held.owner, held.offer_entry
    values: dict[str, Any] = {
        **free_values(now), ":heldNew": HELD, ":h": hold_id, ":exp": expires, ":owner": owner,
        ":hpk": keys.hold_shard(slot_id), ":hsk": keys.hold_sk(expires, slot_id), ":horizon": horizon(now)}
    condition = FREE_CONDITION
    if replacing:
        condition = f"({FREE_CONDITION} OR (#st = :held AND holdId = :prev))"
        values[":prev"] = replacing
    update = "SET #st = :heldNew, holdId = :h, holdExpiresAt = :exp, holdOwner = :owner, HoldPK = :hpk, HoldSK = :hsk"
    if offer_entry:
        update += ", offerEntry = :entry"
        values[":entry"] = offer_entry
    else:
        update += " REMOVE offerEntry"
    return {"Update": {
        "Key": keys.slot_key(slot_id),
        "UpdateExpression": update,
        "ConditionExpression": f"attribute_exists(PK) AND {condition} AND #start > :now AND #start <= :horizon",
        "ExpressionAttributeNames": NAMES,
        "ExpressionAttributeValues": values,
    }}


def release(slot_id: str, hold_id: str) -> Op:
    """Free again, only while `hold_id` still holds it (a patient's release, a replaced hold)."""
    return {"Update": {
        "Key": keys.slot_key(slot_id),
        "UpdateExpression": f"SET #st = :free REMOVE {HOLD_ATTRIBUTES}",
        "ConditionExpression": "#st = :held AND holdId = :h",
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": {":free": FREE, ":held": HELD, ":h": hold_id},
    }}


def expire(slot_key: Mapping[str, Any], hold_id: str, now: int) -> Op:
    """Free again, only while `hold_id` holds it and has expired (the sweeper)."""
    return {"Update": {
        "Key": dict(slot_key),
        "UpdateExpression": f"SET #st = :free REMOVE {HOLD_ATTRIBUTES}",
        "ConditionExpression": "#st = :held AND holdId = :h AND holdExpiresAt <= :now",
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": {":free": FREE, ":held": HELD, ":h": hold_id, ":now": now},
    }}


def take(slot_key: Mapping[str, Any], appointment_id: str, *, hold_id: str | None, owner: str,
         seen_bookings: int, now: int) -> Op:
    """Booked by `appointment_id`: if free, or held by this hold of this patient (a hold is its patient's,
    issue 12), and booked `seen_bookings` times so far (as read: a booking and a cancellation in between make
    the read stale). Booking, rescheduling and accepting an offer."""
    values: dict[str, Any] = {**free_values(now), ":booked": BOOKED, ":appt": appointment_id,
                              ":seen": seen_bookings, ":horizon": horizon(now), ":one": 1}
    # DynamoDB refuses redundant parentheses: wrap FREE_CONDITION only when an OR is added to it.
    condition = FREE_CONDITION
    if hold_id:
        condition = f"({FREE_CONDITION} OR (#st = :held AND holdId = :myHold AND holdOwner = :owner))"
        values[":myHold"] = hold_id
        values[":owner"] = owner
    return {"Update": {
        "Key": dict(slot_key),
        "UpdateExpression": "SET #st = :booked, appointmentId = :appt, bookings = :seen + :one "
                            f"REMOVE {HOLD_ATTRIBUTES}, AvPK, AvSK",
        "ConditionExpression": condition + " AND #start > :now AND #start <= :horizon AND bookings = :seen",
        "ExpressionAttributeNames": NAMES,
        "ExpressionAttributeValues": values,
    }}


def free(appointment: Mapping[str, Any]) -> Op:
    """The appointment's slot free again (a cancellation, the old slot of a move), only while it still points
    at this appointment; `bookings` stays, so a rebooking gets a new ticket number."""
    av = availability_keys(appointment)
    return {"Update": {
        "Key": keys.slot_key(str(appointment["slotId"])),
        "UpdateExpression": "SET #st = :free, AvPK = :avpk, AvSK = :avsk REMOVE appointmentId",
        "ConditionExpression": "#st = :booked AND appointmentId = :appt",
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": {":free": FREE, ":booked": BOOKED, ":appt": appointment["id"],
                                      ":avpk": av["AvPK"], ":avsk": av["AvSK"]},
    }}


def close_booked(appointment: Mapping[str, Any], why: str) -> Op:
    """The appointment's slot closed (the clinic cancelled it for an absence): the time is not offered again."""
    return {"Update": {
        "Key": keys.slot_key(str(appointment["slotId"])),
        "UpdateExpression": "SET #st = :closed, closedBy = :why REMOVE appointmentId",
        "ConditionExpression": "#st = :booked AND appointmentId = :appt",
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": {":closed": keys.SLOT_CLOSED, ":booked": BOOKED,
                                      ":appt": appointment["id"], ":why": why},
    }}


def close(slot_key: Mapping[str, Any], *, why: str, run: str, now: int, held_too: bool) -> Op:
    """Closed by the clinic's plan (only a free slot) or an absence (`held_too`: the holder's booking then
    fails). `closedRun` tells this close from another's when a retried request finds the slot closed."""
    values = {":free": FREE, ":held": HELD} if held_too else free_values(now)
    return {"Update": {
        "Key": dict(slot_key),
        "UpdateExpression": "SET #st = :closed, closedBy = :why, closedRun = :run "
                            f"REMOVE AvPK, AvSK, {HOLD_ATTRIBUTES}",
        "ConditionExpression": "#st IN (:free, :held)" if held_too else FREE_CONDITION,
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": {**values, ":closed": keys.SLOT_CLOSED, ":run": run, ":why": why},
    }}


def reopen(item: Mapping[str, Any], *, closed_by: str | None, now: int) -> Op:
    """Free with the plan's times and room: a slot the plan closed (`closed_by`, the reason it was closed
    for), or a free one whose plan changed (None)."""
    values: dict[str, Any] = {":free": FREE, ":end": item["end"], ":room": item["room"],
                              ":spec": item["specialtyId"], ":avpk": item["AvPK"], ":avsk": item["AvSK"]}
    if closed_by:
        condition = "#st = :closed AND closedBy = :why"
        values |= {":closed": keys.SLOT_CLOSED, ":why": closed_by}
    else:
        condition = FREE_CONDITION
        values |= {":held": HELD, ":now": now}
    return {"Update": {
        "Key": keys.key(item["PK"], item["SK"]),
        "UpdateExpression": "SET #st = :free, #end = :end, room = :room, specialtyId = :spec, AvPK = :avpk, "
                            f"AvSK = :avsk REMOVE closedBy, closedRun, {HOLD_ATTRIBUTES}",
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#st": "status", "#end": "end"},
        "ExpressionAttributeValues": values,
    }}
