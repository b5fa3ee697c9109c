"""Waiting-list races on DynamoDB Local (issue 15). A freed slot with 20 waiting entries: however many
deliveries of its stream record race, exactly one entry is offered at a time, and as offers lapse the slot
passes down the queue in order. An offer accepted at the moment it lapses has one outcome: the patient's
appointment, or the next patient's offer — never both, never neither."""
from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from infra.demo import data
from shared.booking import sweeper, ticket_link, waitlist
from shared.domain import slots
from shared.patients import callers, policy
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError
from tests.integration.people import patient, person, together

pytestmark = pytest.mark.integration

CLINIC = "cl0101"
QUEUE = 20


@pytest.fixture
def world(ddb_table: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """cl0101's reference data, 20 patients attached to it and a week of the ophthalmologist's slots; the
    clock is a settable value every thread sees."""
    now = {"t": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: now["t"])
    clinic = next(c for c in data.clinics() if c["id"] == CLINIC)
    people = [person(500 + n) for n in range(QUEUE)]
    items = [i for i in data.reference_items() if i["entity"] == "district" or CLINIC in i["PK"] or CLINIC in i["SK"]]
    items += data.register_items(people)
    doctor = next(d for d in data.doctors(clinic) if d["specialtyId"] == "ophthalmologist")
    week = data.slot_items(doctor, clock.local_date(now["t"]), days=7)
    dal.batch_write(items + week)
    ahead = [s["slotId"] for s in week if s["start"] > now["t"] + 2 * 3600]
    return {"clock": now, "people": people, "doctor": doctor["id"], "slots": ahead}


def join_all(world: dict[str, Any]) -> list[str]:
    """Every patient joins, one after another (the queue's order is the joining order)."""
    today = clock.local_date(clock.now())
    ids = []
    for p in world["people"]:
        wish = waitlist.Wish(CLINIC, "ophthalmologist", None, today, today + timedelta(days=13))
        out = waitlist.join(wish, patient(p), "ru")
        ids.append(out["entry"]["id"])
        world["clock"]["t"] += 1  # distinct creation seconds: the queue's order is unambiguous
    return ids


def status_of(entry_id: str) -> str:
    return str((dal.get(waitlist.entry_key(entry_id) or {}, consistent=True) or {}).get("status"))


def slot_of(slot_id: str) -> dict[str, Any]:
    return dal.get(keys.slot_key(slot_id) or {}, consistent=True) or {}


def record(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {"eventName": "MODIFY", "dynamodb": {"OldImage": dal.to_item(old), "NewImage": dal.to_item(new)}}


def test_one_offer_at_a_time_down_the_queue_in_order(world: dict[str, Any]) -> None:
    entries = join_all(world)
    slot_id = world["slots"][0]
    free = slot_of(slot_id)
    # Eight deliveries of the same "slot freed" record at once (replays, a bisected batch): one offer.
    outcomes = together(*[partial(waitlist.handle_record, record(dict(free, status=slots.BOOKED), free))] * 8)
    assert outcomes.count("offered") == 1, outcomes
    offered = [e for e in entries if status_of(e) == waitlist.OFFERED]
    assert offered == [entries[0]]
    for n in range(1, 6):
        held = slot_of(slot_id)
        assert held["offerEntry"] == entries[n - 1]
        world["clock"]["t"] = int(held["holdExpiresAt"]) + 1
        assert sweeper.sweep(clock.now()).released == 1
        together(*[partial(waitlist.handle_record, record(held, slot_of(slot_id)))] * 4)
        assert status_of(entries[n - 1]) == waitlist.LAPSED
        assert [e for e in entries if status_of(e) == waitlist.OFFERED] == [entries[n]]
    assert all(status_of(e) == waitlist.WAITING for e in entries[6:])


def accept(entry_id: str) -> str:
    try:
        waitlist.accept(entry_id, ticket_link.offer_token(entry_id), "ru")
    except DomainError as refused:
        return refused.code
    return "booked"


def lapse_and_pass_on(slot_id: str, held: dict[str, Any]) -> None:
    """What happens when an offer lapses: the sweeper frees the slot, the stream hands it to the offers."""
    if sweeper.sweep(clock.now()).released:
        waitlist.handle_record(record(held, slot_of(slot_id)))


def test_an_offer_accepted_as_it_lapses_has_one_outcome(world: dict[str, Any]) -> None:
    entries = join_all(world)
    for n in range(0, 10, 2):  # pairs: entry n is offered, entry n + 1 waits behind it
        slot_id = world["slots"][n * 3]
        free = slot_of(slot_id)
        assert waitlist.offer_freed(free) == entries[n]
        held = slot_of(slot_id)
        world["clock"]["t"] = int(held["holdExpiresAt"])  # the last second of the offer
        outcome, _ = together(partial(accept, entries[n]), partial(lapse_and_pass_on, slot_id, held))
        slot = slot_of(slot_id)
        first, second = status_of(entries[n]), status_of(entries[n + 1])
        if outcome == "booked":
            assert slot["status"] == slots.BOOKED and first == "booked" and second == waitlist.WAITING
            appt = dal.get(keys.appointment_key(slot["appointmentId"]), consistent=True) or {}
            assert appt["PatPK"] == keys.policy_pk(policy.policy_hash(world["people"][n]["policyNumber"]))
        else:
            assert outcome == "offer_expired", outcome
            assert first == waitlist.LAPSED or first == waitlist.OFFERED
            # The slot went on to the next patient, or is free for everyone if the sweeper ran first: never
            # booked by the patient whose offer lapsed.
            assert slot["status"] in (slots.HELD, slots.FREE)
            if slot["status"] == slots.HELD:
                assert slot["offerEntry"] == entries[n + 1] and second == waitlist.OFFERED
        # Leave the queue as it was for the next pair: nobody else is offered this pair's slot.
        for e in (entries[n], entries[n + 1]):
            if status_of(e) in (waitlist.WAITING, waitlist.OFFERED):
                waitlist.cancel(e, callers.by_policy(world["people"][entries.index(e)]["policyNumber"], None), "ru")
        world["clock"]["t"] += 60
