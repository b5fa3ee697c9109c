"""Referral races on DynamoDB Local (issue 15): one referral is used by at most one active appointment, whatever
races. Two bookings with one referral: one wins. A cancellation racing the referral's second use: the
referral ends either given back (no active appointment uses it) or used by exactly the one booked
appointment that names it."""
from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from typing import Any

import pytest

from infra.demo import data
from shared.booking import bookings as booking
from shared.booking import cancellation, referrals
from shared.patients import callers, policy
from shared.platform import clock, dal, keys, statuses
from shared.platform.errors import DomainError
from tests.integration.people import patient, person, together

pytestmark = pytest.mark.integration

CLINIC = "cl0101"
ROUNDS = 6
PEOPLE = [person(300 + n) for n in range(ROUNDS)]


def number_of(n: int) -> str:
    body = f"7700000{n:04d}"
    return body + keys.luhn_digit(body)


@pytest.fixture
def world(ddb_table: str) -> dict[str, Any]:
    """cl0101's reference data, the race patients with a cardiologist referral each, and a week of the
    cardiologist's slots."""
    now = clock.now()
    clinic = next(c for c in data.clinics() if c["id"] == CLINIC)
    items = [i for i in data.reference_items() if i["entity"] == "district" or CLINIC in i["PK"] or CLINIC in i["SK"]]
    items += data.register_items(PEOPLE)
    for n, p in enumerate(PEOPLE):
        items.append(referrals.build(
            number_of(n), identity_hash=policy.identity_hash(p["policyNumber"], None, p["lastName"], p["birthDate"]),
            last_name=p["lastName"], specialty_id="cardiologist", target_clinic=clinic, issuing_clinic_id=CLINIC,
            issued_by="test", issued_at=now, valid_until=date(2099, 12, 31)))
    doctor = next(d for d in data.doctors(clinic) if d["specialtyId"] == "cardiologist")
    slots = data.slot_items(doctor, clock.local_date(now), days=7)
    dal.batch_write(items + slots)
    ahead = [s["slotId"] for s in slots if s["start"] > now + 3600]
    assert len(ahead) >= 4 * ROUNDS
    return {"slots": ahead}


def book(p: dict[str, Any], slot_id: str, number: str) -> tuple[str, str | None]:
    try:
        out = booking.book(booking.Request(slot_id, None, patient(p), uuid.uuid4().hex, uuid.uuid4().hex, "ru",
                           referral_number=number))
    except DomainError as refused:
        return refused.code, None
    return "booked", out.body["appointment"]["id"]


def cancel(p: dict[str, Any], appointment_id: str) -> str:
    try:
        out = cancellation.cancel(appointment_id, callers.by_policy(p["policyNumber"], None), "ru")
    except DomainError as refused:
        return refused.code
    return str(out["appointment"]["status"])


def booked_with(number: str) -> list[dict[str, Any]]:
    response = dal.client().scan(TableName=dal.table(), ConsistentRead=True,
                                 FilterExpression="entity = :e AND referralNumber = :n AND #st = :b",
                                 ExpressionAttributeNames={"#st": "status"},
                                 ExpressionAttributeValues={":e": {"S": "appointment"}, ":n": {"S": number},
                                                            ":b": {"S": statuses.BOOKED}})
    return [dal.from_item(i) or {} for i in response["Items"]]


def assert_used_once(number: str) -> dict[str, Any]:
    """The referral and the appointments agree: used by the one booked appointment naming it, or issued and
    named by none."""
    referral = dal.get(keys.referral_key(number), consistent=True) or {}
    active = booked_with(number)
    assert len(active) <= 1, active
    if active:
        assert (referral["status"], referral.get("appointmentId")) == (statuses.USED, active[0]["id"])
    else:
        assert referral["status"] == statuses.ISSUED and "appointmentId" not in referral
    return referral


def test_two_bookings_with_one_referral(world: dict[str, Any]) -> None:
    slots = world["slots"]
    for n, p in enumerate(PEOPLE):
        number = number_of(n)
        outcomes = together(partial(book, p, slots[2 * n], number), partial(book, p, slots[2 * n + 1], number))
        wins = [o for o in outcomes if o[0] == "booked"]
        assert len(wins) == 1, outcomes
        loser = next(o for o in outcomes if o[0] != "booked")
        assert loser[0] in ("referral_used", "already_booked_specialty", "unavailable"), outcomes
        assert assert_used_once(number)["appointmentId"] == wins[0][1]


def test_a_cancellation_racing_the_referrals_second_use(world: dict[str, Any]) -> None:
    slots = world["slots"]
    for n, p in enumerate(PEOPLE):
        number = number_of(n)
        first, appointment_id = book(p, slots[2 * n], number)
        assert first == "booked", first
        assert appointment_id
        cancelled, (second, second_id) = together(partial(cancel, p, appointment_id),
                                                  partial(book, p, slots[2 * n + 1], number))
        assert cancelled == statuses.CANCELLED
        assert second in ("booked", "referral_used", "already_booked_specialty", "unavailable"), second
        referral = assert_used_once(number)
        if second == "booked":
            assert referral["appointmentId"] == second_id
        else:  # the booking lost to the appointment the cancellation had not released yet: given back now
            assert referral["status"] == statuses.ISSUED
