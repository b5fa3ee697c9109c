"""Outcome-unknown writes are resolved from the item (ALL_OLD or a read), never guessed; a replay answers
with the appointment as it is now. The first attempt's answer is lost on purpose: the write is applied, then
the client sees what botocore would (a refused retry, or a timeout)."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from shared.patients import policy
from shared.platform import clients, dal, keys
from tests.handler.helpers import (
    PATIENT,
    anonymous_event,
    appointment_item,
    book,
    cancel_event,
    free_slots,
    hold_event,
    patients_of,
    slot_ahead,
    slot_item,
)
from tests.support import invoke


def _lose_first_answer(monkeypatch: pytest.MonkeyPatch, operation: str, then: str) -> list[str]:
    """The first call is applied and its answer lost; `then` = "retry": botocore's retry is sent and refused
    (or not); "timeout": every attempt timed out (the write was applied all the same)."""
    client = clients.client("dynamodb", "request")  # the client a request uses
    real = getattr(client, operation)
    calls: list[str] = []

    def lossy(**params: Any) -> Any:
        calls.append(operation)
        if len(calls) > 1:
            return real(**params)
        real(**params)
        if then == "retry":
            return real(**params)  # what botocore's retry gets: the condition now fails on our own write
        raise ReadTimeoutError(endpoint_url="http://dynamodb")

    monkeypatch.setattr(client, operation, lossy)
    return calls


@pytest.mark.parametrize("then", ["retry", "timeout"])
def test_a_hold_whose_answer_was_lost_is_the_clients(moto_table: str, monkeypatch: pytest.MonkeyPatch,
                                                    then: str) -> None:
    slot = free_slots()[0]
    calls = _lose_first_answer(monkeypatch, "transact_write_items", then)  # the patient-bound hold's write
    status, body = invoke("booking", hold_event(slot))
    assert status == 201, body
    assert calls == ["transact_write_items"]  # resolved from the item, not by writing again
    item = slot_item(slot)
    assert item["status"] == "held" and item["holdId"] == body["holdId"]
    first = patients_of("cl0101")[0]
    assert item["holdOwner"] == policy.policy_hash(first["policyNumber"], first.get("policySeries"))


def test_a_hold_refused_for_someone_elses_hold_stays_refused(moto_table: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    slot = free_slots()[0]
    first = invoke("booking", hold_event(slot, patients_of("cl0101")[0]))
    assert first[0] == 201
    _lose_first_answer(monkeypatch, "transact_write_items", "retry")
    status, body = invoke("booking", hold_event(slot, patients_of("cl0101")[1]))
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    assert slot_item(slot)["holdId"] == first[1]["holdId"]


def test_an_unanswered_hold_not_applied_leaves_the_slot_free(moto_table: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    slot = free_slots()[0]
    client = clients.client("dynamodb", "request")  # the client a request uses

    def lost(**_params: Any) -> Any:
        raise ReadTimeoutError(endpoint_url="http://dynamodb")

    monkeypatch.setattr(client, "transact_write_items", lost)
    status, body = invoke("booking", hold_event(slot))
    assert status == 503 and body["error"]["code"] == "unavailable"
    monkeypatch.undo()
    item = slot_item(slot)
    assert item["status"] == "free" and "holdId" not in item


@pytest.mark.parametrize("then", ["retry", "timeout"])
def test_a_cancellation_whose_answer_was_lost_is_done(moto_table: str, monkeypatch: pytest.MonkeyPatch,
                                                      then: str) -> None:
    ticket = book(PATIENT, slot_ahead()["id"])
    calls = _lose_first_answer(monkeypatch, "transact_write_items", then)
    status, body = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 200, body
    assert body["appointment"]["status"] == "cancelled"
    assert calls  # the write went through the lossy client
    assert (appointment_item(ticket["id"]) or {})["status"] == "cancelled"


def test_a_replay_after_cancellation_says_cancelled_with_the_first_status(moto_table: str) -> None:
    slot = slot_ahead()["id"]
    event = anonymous_event(slot, patients_of("cl0101")[0], key="replay-after-cancel")
    status, first = invoke("booking", event)
    assert status == 201 and first["appointment"]["status"] == "booked"
    appointment_id = first["appointment"]["id"]
    assert invoke("cancellation", cancel_event(appointment_id))[0] == 200
    # Someone else books the freed slot; the replay must not claim it.
    other = book(patients_of("cl0101")[1], slot)
    status, replay = invoke("booking", event)
    assert status == 201
    assert replay["appointment"]["id"] == appointment_id
    assert replay["appointment"]["status"] == "cancelled"
    assert other["id"] != appointment_id
    assert (dal.get(keys.slot_key(slot) or {}, consistent=True) or {})["appointmentId"] == other["id"]
