"""Races against DynamoDB Local: no double booking, ever, whatever arrives at the same moment.

moto is not thread-safe, so concurrency is proven here only. The Powertools resolver keeps the current
event in a class attribute, so threads call the domain (shared.booking.bookings) directly, exactly as the handler
does after parsing, and outcomes are counted by DomainError.code. After every race the table itself is
checked: every booked slot points at an existing booked appointment, no slot is booked twice, and no
patient holds two booked appointments of one specialty.
"""
from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from shared.booking import holds
from shared.booking.bookings import Outcome
from shared.platform import dal, keys
from tests.integration.people import book, check_table, free_slots, make_patients, race, therapists
from tests.support import holder

pytestmark = pytest.mark.integration

ROUNDS = 3


def test_fifty_patients_one_slot(table: str) -> None:
    people = make_patients(1, 50 * ROUNDS)
    slots_ = free_slots("cl0101-d01", ROUNDS)
    winners: list[str] = []
    for r, slot in enumerate(slots_):
        crowd = people[r * 50:(r + 1) * 50]
        results = race([lambda s=slot, p=p: book(s, p, "k") for p in crowd])
        booked = [x for x in results if isinstance(x, Outcome)]
        assert len(booked) == 1, Counter(map(str, results))
        assert Counter(x for x in results if not isinstance(x, Outcome)) == Counter({"slot_unavailable": 49})
        assert booked[0].status == 201
        winners.append(booked[0].body["appointment"]["id"])
    booked_slots, appointments = check_table()
    assert set(booked_slots) == set(slots_)
    assert set(appointments) == set(winners)


def test_two_hundred_patients_twenty_slots(table: str) -> None:
    people = make_patients(2, 200)
    d01, d02 = therapists()
    slots_ = free_slots(d01, 10) + free_slots(d02, 10)
    results = race([lambda i=i, p=p: book(slots_[i % 20], p, "k") for i, p in enumerate(people)])
    outcomes = [x for x in results if isinstance(x, Outcome)]
    refusals = Counter(x for x in results if not isinstance(x, Outcome))
    assert len(outcomes) == 20
    assert all(o.status == 201 for o in outcomes)
    assert set(refusals) <= {"slot_unavailable", "unavailable"}, refusals
    assert sum(refusals.values()) == 180
    print(f"200 on 20 slots: 20 booked, refused {dict(refusals)}")
    booked_slots, appointments = check_table()
    assert set(booked_slots) == set(slots_)
    assert set(appointments) == {o.body["appointment"]["id"] for o in outcomes}


def test_one_patient_two_slots_of_one_specialty(table: str) -> None:
    people = make_patients(3, ROUNDS)
    d01, d02 = therapists()
    first, second = free_slots(d01, ROUNDS), free_slots(d02, ROUNDS)
    for r, person in enumerate(people):
        # Two tabs, two keys per slot: four requests of one patient at once.
        results = race([lambda s=s, k=k, p=person: book(s, p, k)
                        for s, k in [(first[r], "a"), (second[r], "b"), (first[r], "c"), (second[r], "d")]])
        outcomes = [x for x in results if isinstance(x, Outcome)]
        assert len(outcomes) == 1, results
        assert set(x for x in results if not isinstance(x, Outcome)) <= {"already_booked_specialty",
                                                                          "slot_unavailable"}
    _, appointments = check_table()
    assert len(appointments) == ROUNDS


def test_hold_races_booking(table: str) -> None:
    # A booking reads before it writes, so a hold sent at the same instant nearly always wins; delaying the
    # hold by a little more each round moves the race through the booking's read and its transaction.
    delays = [0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12] * ((4 * ROUNDS + 7) // 8)
    people = make_patients(4, 4 * ROUNDS)
    slots_ = free_slots("cl0101-d01", 4 * ROUNDS)
    wins = Counter[str]()

    holders = [holder(n) for n in range(len(slots_))]  # holds are bound to a patient: one each

    def late_hold(slot: str, delay: float, who: Any) -> dict[str, Any]:
        time.sleep(delay)
        return holds.create_hold(slot, who)

    for slot, person, delay, who in zip(slots_, people, delays, holders, strict=False):
        hold_result, book_result = race([lambda s=slot, d=delay, w=who: late_hold(s, d, w),
                                         lambda s=slot, p=person: book(s, p, "k")])
        held, booked = isinstance(hold_result, dict), isinstance(book_result, Outcome)
        assert held != booked, (hold_result, book_result)  # exactly one wins
        item = dal.get(keys.slot_key(slot), consistent=True)  # type: ignore[arg-type]
        assert item
        if held:
            assert book_result == "slot_unavailable"
            assert item["status"] == "held" and item["holdId"] == hold_result["holdId"]
            wins["hold"] += 1
        else:
            assert hold_result == "slot_unavailable"
            assert item["status"] == "booked" and item["appointmentId"] == book_result.body["appointment"]["id"]
            wins["booking"] += 1
    print(f"hold against booking: {dict(wins)}")
    booked_slots, _ = check_table()
    assert len(booked_slots) == wins["booking"]


def test_concurrent_retries_of_one_request(table: str) -> None:
    people = make_patients(5, ROUNDS)
    slots_ = free_slots("cl0101-d01", ROUNDS)
    for slot, person in zip(slots_, people, strict=True):
        results = race([lambda s=slot, p=person: book(s, p, "same-key") for _ in range(10)])
        assert all(isinstance(x, Outcome) for x in results), Counter(map(str, results))
        assert {x.status for x in results} == {201}
        assert len({x.body["appointment"]["id"] for x in results}) == 1
        assert all(x.body == results[0].body for x in results)
    booked_slots, appointments = check_table()
    assert set(booked_slots) == set(slots_)
    assert len(appointments) == ROUNDS
