"""What the race tests share: made-up patients attached to a clinic, calls released at the same instant (`together`
returns what they returned; `race` also turns a refusal into its code), the booking as the handler calls it,
and the invariants of the table after a race (`check_table`)."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from infra.demo import data
from shared.booking import bookings as booking
from shared.booking.bookings import Outcome
from shared.catalogue import lookup
from shared.faces import auth
from shared.faces.v1.booking_models import BookingRequest
from shared.patients import callers
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError

CLINIC = "cl0101"  # the race tests' clinic (the `table` fixture of tests/integration/conftest.py seeds it)


def person(n: int, clinic_id: str = "cl0101") -> dict[str, Any]:
    return {"lastName": "Тестова", "firstName": "Анна", "middleName": None, "birthDate": "1980-01-01",
            "policyNumber": f"99{n:014d}", "policySeries": None, "clinicId": clinic_id,
            "email": f"race{n}@example.org"}


def patient(p: dict[str, Any]) -> callers.Caller:
    return callers.anonymous(p["policyNumber"], None, p["lastName"], p["birthDate"],
                             details=callers.Details(first_name=p["firstName"], email=p["email"]))


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same instant; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def signed_in(p: dict[str, Any]) -> callers.Caller:
    """The patient as a verified token names them (shared/faces/auth.py's claims)."""
    claims = {"family_name": p["lastName"], "given_name": p["firstName"], "birthdate": p["birthDate"],
              "oms_policy_number": p["policyNumber"], "email": p["email"]}
    return auth.signed_in({k: v for k, v in claims.items() if v})


def identity(p: dict[str, Any]) -> callers.Caller:
    return callers.anonymous(p["policyNumber"], p.get("policySeries"), p["lastName"], p["birthDate"])


def make_patients(prefix: int, n: int) -> list[dict[str, Any]]:
    """`n` register entries attached to cl0101 (distinct policies), written to the table."""
    people = [{
        "lastName": "Тестова" if i % 2 else "Тестов", "firstName": "Пациент", "middleName": None,
        "birthDate": f"19{50 + i % 50:02d}-0{1 + i % 9}-1{i % 10}",
        "policyNumber": f"79{prefix:04d}{i:010d}", "policySeries": None, "clinicId": CLINIC,
        "email": f"race.{prefix}.{i}@example.org",
    } for i in range(n)]
    dal.batch_write(data.register_items(people))
    return people


def request_of(slot_id: str, person: dict[str, Any], hold_id: str | None = None) -> BookingRequest:
    return BookingRequest.model_validate({"slotId": slot_id, "holdId": hold_id, "patient": {
        k: v for k, v in person.items() if k != "clinicId" and v is not None}})


def book(slot_id: str, person: dict[str, Any], key: str, hold_id: str | None = None) -> Outcome:
    """What functions/booking/app.py's book_anonymous does after parsing the request."""
    request = request_of(slot_id, person, hold_id)
    return booking.book(booking.Request(request.slotId, request.holdId, auth.patient(request.patient), key,
                        booking.fingerprint("anonymous", request.model_dump(mode="json")), "ru"))


def race(calls: list[Callable[[], Any]], workers: int = 50) -> list[Any]:
    """Run the calls at once, `workers` at a time (all threads start together); each result is the call's
    return value or the DomainError code it raised. Anything else raised is a failure of the test.
    More than ~50 at once only makes DynamoDB Local on two cores time out, which proves nothing more."""
    start = threading.Event()

    def run(call: Callable[[], Any]) -> Any:
        start.wait()
        try:
            return call()
        except DomainError as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=min(workers, len(calls))) as pool:
        futures = [pool.submit(run, call) for call in calls]
        start.set()
        return [f.result() for f in futures]


def free_slots(doctor_id: str, n: int) -> list[str]:
    now = clock.now()
    found = [s["id"] for s in lookup.doctor_slots(doctor_id, None, None)
             if keys.parse_slot_id(s["id"])[1] > now + 3600]  # type: ignore[index]
    assert len(found) >= n
    return found[:n]


def therapists() -> list[str]:
    clinic = next(c for c in data.clinics() if c["id"] == CLINIC)
    return [d["id"] for d in data.doctors(clinic) if d["specialtyId"] == "therapist"]


def scan(entity: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in dal.client().get_paginator("scan").paginate(
            TableName=dal.table(), ConsistentRead=True, FilterExpression="entity = :e",
            ExpressionAttributeValues={":e": {"S": entity}}):
        items += [dal.from_item(i) or {} for i in page["Items"]]
    return items


def check_table() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The invariants of the final state; returns (booked slots by id, booked appointments by id)."""
    appointments = {a["id"]: a for a in scan("appointment")}
    booked_slots = {s["slotId"]: s for s in scan("slot") if s["status"] == "booked"}
    booked = {i: a for i, a in appointments.items() if a["status"] == "booked"}
    for slot_id, slot in booked_slots.items():
        appt = appointments.get(slot["appointmentId"])
        assert appt is not None, f"{slot_id} points at a missing appointment"
        assert appt["status"] == "booked" and appt["slotId"] == slot_id
        assert not {"AvPK", "holdId", "holdOwner", "HoldPK"} & slot.keys(), slot
    # Every booked appointment holds its slot: none was booked twice.
    assert sorted(a["slotId"] for a in booked.values()) == sorted(booked_slots)
    per_patient_specialty = Counter((a["PatPK"], a["specialtyId"]) for a in booked.values())
    assert max(per_patient_specialty.values(), default=1) == 1
    # Each booked appointment's specialty lock names it.
    for a in booked.values():
        lock = dal.get(keys.key(a["PatPK"], keys.specialty_lock_sk(a["specialtyId"])), consistent=True)
        assert lock and lock["appointmentId"] == a["id"]
    return booked_slots, booked
