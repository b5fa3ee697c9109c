"""The world of the cancellation, reminder, reschedule and registry races: clinic cl0101, 24 made-up patients
attached to it, a week of one therapist's slots (the `world` fixture, tests/integration/conftest.py), and what
those races share: booking and cancelling as the handlers do, and the invariants of a slot after a race."""
from __future__ import annotations

import uuid
from typing import Any

from shared.booking import bookings as booking
from shared.booking import cancellation
from shared.patients import callers, policy
from shared.platform import dal, keys
from shared.platform.errors import DomainError
from tests.integration.people import patient, person
from tests.integration.people import signed_in as signed_in_caller

CLINIC = "cl0101"
DOCTOR = "cl0101-d01"  # therapist
HOLD_FIELDS = {"holdId", "holdExpiresAt", "holdOwner", "HoldPK", "HoldSK"}


PEOPLE = [person(n) for n in range(24)]


def book(p: dict[str, Any], slot_id: str, hold_id: str | None = None) -> tuple[str, str | None]:
    """("booked", appointment id) or (refusal code, None)."""
    try:
        out = booking.book(booking.Request(slot_id, hold_id, patient(p), uuid.uuid4().hex, uuid.uuid4().hex, "ru"))
    except DomainError as refused:
        return refused.code, None
    return "booked", out.body["appointment"]["id"]


def cancel(p: dict[str, Any], appointment_id: str, signed_in: bool = False) -> str:
    try:
        if signed_in:
            out = cancellation.cancel(appointment_id, signed_in_caller(p), "ru")
        else:
            out = cancellation.cancel(appointment_id, callers.by_policy(p["policyNumber"], None), "ru")
    except DomainError as refused:
        return refused.code
    return str(out["appointment"]["status"])


def slot_of(slot_id: str) -> dict[str, Any]:
    item = dal.get(keys.slot_key(slot_id) or {}, consistent=True)
    assert item
    return item


def appointments_of(slot_id: str) -> list[dict[str, Any]]:
    response = dal.client().scan(TableName=dal.table(), ConsistentRead=True,
                                 FilterExpression="entity = :e AND slotId = :s",
                                 ExpressionAttributeValues={":e": {"S": "appointment"}, ":s": {"S": slot_id}})
    return [dal.from_item(i) or {} for i in response["Items"]]


def assert_consistent(slot_id: str) -> dict[str, Any]:
    slot, appts = slot_of(slot_id), appointments_of(slot_id)
    booked = [a for a in appts if a["status"] == "booked"]
    assert len(booked) <= 1, "slot booked twice"
    if slot["status"] == "booked":
        assert booked and slot["appointmentId"] == booked[0]["id"]
        assert "AvPK" not in slot
    else:
        assert not booked, "slot free while an appointment still points at it"
        assert slot["AvPK"] == f"AV#{CLINIC}#therapist"
    assert slot["bookings"] == len(appts)
    return slot


def lock_of(p: dict[str, Any]) -> dict[str, Any] | None:
    return dal.get(keys.key(keys.policy_pk(policy.policy_hash(p["policyNumber"])),
                            keys.specialty_lock_sk("therapist")), consistent=True)
