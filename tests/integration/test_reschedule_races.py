"""Reschedule races on DynamoDB Local (issue 14): reschedule vs. a booking of the new slot, reschedule vs. a
cancellation of the old appointment, two reschedules of one appointment at once.

After every race: the patient has exactly one active (booked) appointment or, after a cancellation, none;
never two, never none while a reschedule lost; every slot agrees with the appointments naming it.
"""
from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import pytest

from shared.booking import bookings as booking
from shared.booking import reschedule
from shared.patients import callers, policy
from shared.platform import dal
from shared.platform.errors import DomainError
from tests.integration.people import together
from tests.integration.world import PEOPLE, assert_consistent, book, cancel, lock_of

pytestmark = pytest.mark.integration
ROUNDS = 5


def move(p: dict[str, Any], appointment_id: str, slot_id: str) -> tuple[str, str | None]:
    """("rescheduled", new appointment id) or (refusal code, None)."""
    try:
        out = reschedule.reschedule(appointment_id, booking.Request(
            slot_id, None, callers.by_policy(p["policyNumber"], None), uuid.uuid4().hex, uuid.uuid4().hex, "ru"))
    except DomainError as refused:
        return refused.code, None
    return "rescheduled", out.body["appointment"]["id"]


def active_of(p: dict[str, Any]) -> list[dict[str, Any]]:
    """The patient's booked appointments (the ByPatient index's items, read from the table)."""
    pk = f"POLICY#{policy.policy_hash(p['policyNumber'])}"
    response = dal.client().scan(TableName=dal.table(), ConsistentRead=True,
                                 FilterExpression="entity = :e AND PatPK = :p AND #st = :b",
                                 ExpressionAttributeNames={"#st": "status"},
                                 ExpressionAttributeValues={":e": {"S": "appointment"}, ":p": {"S": pk},
                                                            ":b": {"S": "booked"}})
    return [dal.from_item(i) or {} for i in response["Items"]]


def test_reschedule_vs_booking_of_the_new_slot(world: dict[str, Any]) -> None:
    wins = {"rescheduled": 0, "booked": 0}
    for i in range(ROUNDS):
        owner, rival = PEOPLE[2 * i], PEOPLE[2 * i + 1]
        old_slot, new_slot = world["slots"][2 * i], world["slots"][2 * i + 1]
        code, appt = book(owner, old_slot)
        assert code == "booked" and appt

        (moved, new_id), (booked, _) = together(partial(move, owner, appt, new_slot),
                                                      partial(book, rival, new_slot))

        assert sorted([moved, booked]) in (["booked", "slot_unavailable"], ["rescheduled", "slot_unavailable"]), \
            (moved, booked)
        active = active_of(owner)
        assert len(active) == 1
        if moved == "rescheduled":
            wins["rescheduled"] += 1
            assert active[0]["id"] == new_id and active[0]["slotId"] == new_slot
            assert assert_consistent(old_slot)["status"] == "free"
        else:
            wins["booked"] += 1
            # The loser's old appointment is intact: booked, its slot and its lock still name it.
            assert active[0]["id"] == appt and assert_consistent(old_slot)["appointmentId"] == appt
        assert assert_consistent(new_slot)["status"] == "booked"
        assert lock_of(owner)["appointmentId"] == active[0]["id"]  # type: ignore[index]
    assert sum(wins.values()) == ROUNDS


def test_reschedule_vs_cancellation_of_the_old_appointment(world: dict[str, Any]) -> None:
    for i in range(ROUNDS):
        owner = PEOPLE[i]
        old_slot, new_slot = world["slots"][2 * i], world["slots"][2 * i + 1]
        code, appt = book(owner, old_slot)
        assert code == "booked" and appt

        (moved, new_id), cancelled = together(partial(move, owner, appt, new_slot),
                                                 partial(cancel, owner, appt))

        assert (moved, cancelled) in (("rescheduled", "already_rescheduled"), ("already_cancelled", "cancelled")), \
            (moved, cancelled)
        active = active_of(owner)
        assert assert_consistent(old_slot)["status"] == "free"
        if moved == "rescheduled":
            assert [a["id"] for a in active] == [new_id]
            assert assert_consistent(new_slot)["appointmentId"] == new_id
            assert lock_of(owner)["appointmentId"] == new_id  # type: ignore[index]
        else:
            assert active == [] and lock_of(owner) is None
            assert assert_consistent(new_slot)["status"] == "free"


def test_two_reschedules_of_one_appointment(world: dict[str, Any]) -> None:
    for i in range(ROUNDS):
        owner = PEOPLE[i]
        old_slot, a, b = world["slots"][3 * i:3 * i + 3]
        code, appt = book(owner, old_slot)
        assert code == "booked" and appt

        first, second = together(partial(move, owner, appt, a), partial(move, owner, appt, b))

        codes = sorted([first[0], second[0]])
        assert codes == ["already_rescheduled", "rescheduled"], codes
        winner_id, winner_slot = (first[1], a) if first[0] == "rescheduled" else (second[1], b)
        loser_slot = b if winner_slot == a else a
        assert [x["id"] for x in active_of(owner)] == [winner_id]
        assert assert_consistent(old_slot)["status"] == "free"
        assert assert_consistent(winner_slot)["appointmentId"] == winner_id
        assert assert_consistent(loser_slot)["status"] == "free"
        assert lock_of(owner)["appointmentId"] == winner_id  # type: ignore[index]
