"""DynamoDB round trips per request (DESIGN.md "Access patterns"), counted on the client with a botocore hook.

Round trips are what a request costs in latency and in money; a regression here (a second read, a
read-then-write) would also break the "one conditional write" rule, so the counts are exact.
"""
from __future__ import annotations

from collections import Counter

import pytest

from shared.platform import clock
from tests.handler.helpers import anonymous_event, free_slots, hold, hold_event, release_event, start_of, with_query
from tests.support import event_file, invoke, patients_of


@pytest.fixture
def calls(dynamodb_calls: Counter[str]) -> Counter[str]:
    return dynamodb_calls


def test_booking_is_one_read_and_one_transaction(calls: Counter[str]) -> None:
    slot = free_slots()[0]
    event = anonymous_event(slot, patients_of("cl0101")[0])
    calls.clear()
    assert invoke("booking", event)[0] == 201
    assert calls == Counter({"BatchGetItem": 1, "TransactWriteItems": 1})


def test_booking_with_hold_is_one_read_and_one_transaction(calls: Counter[str]) -> None:
    slot = free_slots()[0]
    event = anonymous_event(slot, patients_of("cl0101")[0], hold(slot))
    calls.clear()
    assert invoke("booking", event)[0] == 201
    assert calls == Counter({"BatchGetItem": 1, "TransactWriteItems": 1})


def test_retried_booking_reads_and_never_writes(calls: Counter[str]) -> None:
    event = anonymous_event(free_slots()[0], patients_of("cl0101")[0])
    assert invoke("booking", event)[0] == 201
    calls.clear()
    assert invoke("booking", event)[0] == 201
    # The replay answers the appointment as it is now (a cancelled one says so): one read of it.
    assert calls == Counter({"BatchGetItem": 1, "GetItem": 1})


def test_refused_booking_never_writes(calls: Counter[str]) -> None:
    slot = free_slots()[0]
    hold(slot)
    calls.clear()
    assert invoke("booking", anonymous_event(slot, patients_of("cl0101")[0]))[0] == 409
    # The read, and before refusing, the request's own idempotency record once more (a retry of it may have
    # won between the batch's reads): never a write.
    assert calls == Counter({"BatchGetItem": 1, "GetItem": 1})


def test_hold_is_one_transaction(calls: Counter[str]) -> None:
    """Issue 12: one TransactWriteItems checks the register, the specialty lock and the patient's active hold
    in its conditions; the doctor comes from the instance's memo (one GetItem the first time)."""
    a, b = patients_of("cl0101")[:2]
    first, second = free_slots()[:2]
    calls.clear()
    hold(first, a)
    assert calls == Counter({"GetItem": 1, "TransactWriteItems": 1})  # the doctor, once per instance
    calls.clear()
    assert invoke("booking", hold_event(second, b))[0] == 201
    assert calls == Counter({"TransactWriteItems": 1})


def test_a_second_hold_of_one_patient_is_two_transactions_and_no_read(calls: Counter[str]) -> None:
    """The first transaction is refused at the patient's pointer; its ALL_OLD names the previous hold, and the
    second transaction releases it."""
    first, second = free_slots()[:2]
    hold(first)
    calls.clear()
    assert invoke("booking", hold_event(second))[0] == 201
    assert calls == Counter({"TransactWriteItems": 2})


def test_refused_hold_is_one_write_attempt(calls: Counter[str]) -> None:
    slot = free_slots()[0]
    hold(slot)
    calls.clear()
    assert invoke("booking", hold_event(slot, patients_of("cl0101")[1]))[0] == 409
    # the reason comes from ALL_OLD, not from a second read
    assert calls == Counter({"TransactWriteItems": 1})


def test_release_is_one_write(calls: Counter[str]) -> None:
    hold_id = hold(free_slots()[0])
    calls.clear()
    assert invoke("booking", release_event(hold_id))[0] == 204
    assert calls == Counter({"UpdateItem": 1})


def test_doctor_slots_is_one_query(calls: Counter[str]) -> None:
    local_day = clock.local_date(start_of(free_slots()[0])).isoformat()
    event = with_query(event_file("lookup/doctor_slots.json"), **{"from": local_day, "to": local_day})
    calls.clear()
    status, body = invoke("lookup", event)
    assert status == 200 and body["items"]
    assert calls == Counter({"Query": 1})
