"""Reschedule (issue 14) under moto: both routes, every rule and refusal, what the table looks like after,
and the round trips (one BatchGetItem + one TransactWriteItems)."""
from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest

from shared.patients import policy
from shared.platform import dal, keys
from tests.handler.helpers import (
    OTHER,
    PAEDIATRICIAN,
    PATIENT,
    appointment_item,
    assert_error,
    at,
    book,
    cancel_event,
    hold_event,
    lock_item,
    policy_of,
    reschedule_event,
    slot_ahead,
    slot_item,
)
from tests.support import claims_of, event_file, invoke

SAME_SPECIALTY = "cl0101-d02"  # therapist too


def hold_to_move(slot_id: str, appointment_id: str | None) -> tuple[int, Any]:
    """The patient's hold of `slot_id` naming the appointment it is to move (`rescheduleOf`)."""
    event = hold_event(slot_id, PATIENT)
    body = json.loads(event["body"])
    if appointment_id is not None:
        body["rescheduleOf"] = appointment_id
    event["body"] = json.dumps(body, ensure_ascii=False)
    return invoke("booking", event)


def hold(slot_id: str, appointment_id: str) -> str:
    status, body = hold_to_move(slot_id, appointment_id)
    assert status == 201, body
    return str(body["holdId"])


def test_sample_events_are_the_two_routes() -> None:
    anonymous = event_file("booking/reschedule_anonymous.json")
    signed_in = event_file("booking/reschedule_signed_in.json")
    assert anonymous["routeKey"] == "POST /v1/appointments/{appointmentId}/reschedule"
    assert signed_in["routeKey"] == "POST /v1/me/appointments/{appointmentId}/reschedule"
    assert json.loads(anonymous["body"])["policyNumber"] == PATIENT["policyNumber"]
    assert anonymous["headers"]["idempotency-key"] and signed_in["headers"]["idempotency-key"]


# ---------------------------------------------------------------- happy paths
@pytest.mark.parametrize("signed_in", [False, True])
def test_reschedule_moves_everything_in_one_step(moto_table: str, signed_in: bool) -> None:
    old_slot = slot_ahead()
    first = book(PATIENT, old_slot["id"], signed_in=signed_in)
    new_slot = slot_ahead(SAME_SPECIALTY, days=3)

    status, body = invoke("booking", reschedule_event(first["id"], new_slot["id"], signed_in=signed_in))

    assert status == 201, body
    new = body["appointment"]
    assert new["id"] != first["id"] and new["status"] == "booked" and new["rescheduledFrom"] == first["id"]
    assert new["doctor"]["id"] == SAME_SPECIALTY and new["number"] != first["number"]
    old = appointment_item(first["id"])
    assert old and old["status"] == "rescheduled" and old["rescheduledTo"] == new["id"]
    stored = appointment_item(new["id"])
    assert stored and stored["status"] == "booked" and stored["PatPK"] == old["PatPK"]
    assert stored["calendarUid"] == first["id"] and stored["calendarSequence"] == 1
    freed = slot_item(old_slot["id"])
    assert freed["status"] == "free" and "appointmentId" not in freed and freed["AvPK"] == "AV#cl0101#therapist"
    taken = slot_item(new_slot["id"])
    assert taken["status"] == "booked" and taken["appointmentId"] == new["id"] and "AvPK" not in taken
    lock = lock_item(PATIENT, "therapist")
    assert lock and lock["appointmentId"] == new["id"] and lock["start"] == new_slot["epoch"]
    # The old slot is bookable again by someone else.
    assert book(OTHER, old_slot["id"])["number"] == first["number"] + "-2"


def test_reschedule_with_own_hold_and_same_key_replays(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    new_slot = slot_ahead(index=3)
    hold_id = hold(new_slot["id"], first["id"])
    event = reschedule_event(first["id"], new_slot["id"], key="same", hold_id=hold_id)

    status, body = invoke("booking", event)
    again_status, again = invoke("booking", copy.deepcopy(event))

    assert status == again_status == 201
    assert again == body
    assert slot_item(new_slot["id"]).get("holdId") is None
    other = reschedule_event(first["id"], slot_ahead(index=4)["id"], key="same")
    assert_error(invoke("booking", other), 422, "idempotency_key_reused")


def test_rescheduled_twice_keeps_the_calendar_uid(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    # The notifier already sent the first ticket: its markers must not pass to the new appointment.
    dal.update(keys.appointment_key(first["id"]), "SET ticketEmailSentAt = :t, ticketEmailAttempts = :one",
               values={":t": 1, ":one": 1})
    status, second = invoke("booking", reschedule_event(first["id"], slot_ahead(index=2)["id"]))
    assert status == 201
    status, third = invoke("booking", reschedule_event(second["appointment"]["id"], slot_ahead(index=4)["id"]))
    assert status == 201, third
    stored = appointment_item(third["appointment"]["id"])
    assert stored and stored["calendarUid"] == first["id"] and stored["calendarSequence"] == 2
    assert not [k for k in stored if "Email" in k]


def test_cancel_after_reschedule_cancels_the_new_one(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    status, body = invoke("booking", reschedule_event(first["id"], slot_ahead(index=2)["id"]))
    assert status == 201
    assert_error(invoke("cancellation", cancel_event(first["id"])), 409, "already_rescheduled")
    status, cancelled = invoke("cancellation", cancel_event(body["appointment"]["id"]))
    assert status == 200 and cancelled["appointment"]["rescheduledFrom"] == first["id"]
    assert lock_item(PATIENT, "therapist") is None


# ---------------------------------------------------------------- refusals
def test_wrong_policy_is_not_found_like_an_unknown_id(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    new_slot = slot_ahead(index=2)["id"]
    wrong = invoke("booking", reschedule_event(first["id"], new_slot, patient=OTHER))
    unknown = invoke("booking", reschedule_event("x" * 24, new_slot))
    assert_error(wrong, 404, "not_found")
    assert_error(unknown, 404, "not_found")
    assert wrong[1] == unknown[1]
    signed_in_other = invoke("booking", reschedule_event(first["id"], new_slot, patient=OTHER, signed_in=True))
    assert_error(signed_in_other, 404, "not_found")
    assert appointment_item(first["id"])["status"] == "booked"  # type: ignore[index]


def test_other_specialty_is_refused(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    result = invoke("booking", reschedule_event(first["id"], slot_ahead(PAEDIATRICIAN)["id"], lang="en"))
    assert_error(result, 422, "reschedule_mismatch", lang="en")


def test_other_clinic_is_refused(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    result = invoke("booking", reschedule_event(first["id"], "cl0102-d01.202612031000"))
    assert result[0] in (404, 422)
    assert result[1]["error"]["code"] in ("not_found", "reschedule_mismatch")


def test_taken_slot_keeps_the_old_appointment(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    taken = slot_ahead(index=2)["id"]
    book(OTHER, taken)
    assert_error(invoke("booking", reschedule_event(first["id"], taken)), 409, "slot_unavailable")
    old = appointment_item(first["id"])
    assert old and old["status"] == "booked" and "rescheduledTo" not in old
    assert lock_item(PATIENT, "therapist")["appointmentId"] == first["id"]  # type: ignore[index]


def test_hold_of_another_slot_is_a_mismatch(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    hold_id = hold(slot_ahead(index=2)["id"], first["id"])
    result = invoke("booking", reschedule_event(first["id"], slot_ahead(index=3)["id"], hold_id=hold_id))
    assert_error(result, 409, "hold_mismatch")


def test_another_patient_s_hold_does_not_open_the_slot(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    target = slot_ahead(index=3)["id"]
    status, body = invoke("booking", hold_event(target, OTHER))  # OTHER's own hold (no appointment of theirs)
    assert status == 201, body
    result = invoke("booking", reschedule_event(first["id"], target, hold_id=body["holdId"]))
    assert_error(result, 409, "hold_mismatch")
    assert slot_item(target)["holdId"] == body["holdId"]  # still OTHER's
    assert appointment_item(first["id"])["status"] == "booked"


def test_a_hold_of_the_specialty_must_name_the_appointment_it_moves(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    other = book(OTHER, slot_ahead(index=1)["id"])
    new_slot = slot_ahead(index=2)["id"]
    assert_error(hold_to_move(new_slot, None), 409, "already_booked_specialty")
    assert_error(hold_to_move(new_slot, other["id"]), 409, "already_booked_specialty")  # not the patient's
    assert slot_item(new_slot)["status"] == "free"
    status, body = hold_to_move(new_slot, first["id"])
    assert status == 201, body
    assert slot_item(new_slot)["holdId"] == body["holdId"]


def test_outside_window_is_refused(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = book(PATIENT, slot_ahead(days=3)["id"])
    earlier = slot_ahead(days=2)
    at(monkeypatch, earlier["epoch"] + 60)  # the new slot has started, the old appointment has not
    result = invoke("booking", reschedule_event(first["id"], earlier["id"]))
    assert_error(result, 422, "outside_booking_window")


def test_started_appointment_cannot_move(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = slot_ahead()
    first = book(PATIENT, slot["id"])
    later = slot_ahead(days=3)
    at(monkeypatch, slot["epoch"] + 60)
    assert_error(invoke("booking", reschedule_event(first["id"], later["id"])), 409, "appointment_started")


def test_cancelled_and_rescheduled_cannot_move(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    status, _ = invoke("cancellation", cancel_event(first["id"]))
    assert status == 200
    assert_error(invoke("booking", reschedule_event(first["id"], slot_ahead(index=2)["id"])), 409,
                 "already_cancelled")
    second = book(PATIENT, slot_ahead(index=3)["id"])
    status, _ = invoke("booking", reschedule_event(second["id"], slot_ahead(index=4)["id"]))
    assert status == 201
    result = invoke("booking", reschedule_event(second["id"], slot_ahead(index=5)["id"]))
    assert_error(result, 409, "already_rescheduled")


def test_missing_key_and_bad_body(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    event = reschedule_event(first["id"], slot_ahead(index=2)["id"])
    del event["headers"]["idempotency-key"]
    assert_error(invoke("booking", event), 400, "idempotency_key_required")
    bad = reschedule_event(first["id"], "not-a-slot")
    assert_error(invoke("booking", bad), 404, "not_found")
    no_slot = reschedule_event(first["id"], "x")
    no_slot["body"] = json.dumps(policy_of(PATIENT))
    assert_error(invoke("booking", no_slot), 422, "validation_error")


def test_detached_patient_is_not_attached(moto_table: str) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    h = policy.policy_hash(PATIENT["policyNumber"], PATIENT.get("policySeries"))
    dal.update(keys.attachment_key(h), "SET clinicId = :c", values={":c": "cl0102"})
    assert_error(invoke("booking", reschedule_event(first["id"], slot_ahead(index=2)["id"])), 403, "not_attached")


def test_old_slot_moved_on_is_left_alone(moto_table: str) -> None:
    """The registry gave the old slot to someone else: the reschedule still happens, that slot untouched."""
    old_slot = slot_ahead()
    first = book(PATIENT, old_slot["id"])
    dal.update(keys.slot_key(old_slot["id"]) or {}, "SET appointmentId = :a", values={":a": "someone-else"})
    status, body = invoke("booking", reschedule_event(first["id"], slot_ahead(index=2)["id"]))
    assert status == 201, body
    assert slot_item(old_slot["id"])["appointmentId"] == "someone-else"


# ---------------------------------------------------------------- round trips
def test_reschedule_is_one_read_and_one_transaction(moto_table: str, dynamodb_calls: Counter[str]) -> None:
    first = book(PATIENT, slot_ahead()["id"])
    event = reschedule_event(first["id"], slot_ahead(index=2)["id"])
    dynamodb_calls.clear()
    assert invoke("booking", event)[0] == 201
    assert dynamodb_calls == Counter({"BatchGetItem": 1, "TransactWriteItems": 1})
    dynamodb_calls.clear()
    assert invoke("booking", event)[0] == 201  # the retry: one read
    assert dynamodb_calls == Counter({"BatchGetItem": 1})


def test_history_shows_both_appointments_linked(moto_table: str) -> None:
    from tests.support import http_event

    first = book(PATIENT, slot_ahead()["id"], signed_in=True)
    status, moved = invoke("booking", reschedule_event(first["id"], slot_ahead(index=2)["id"], signed_in=True))
    assert status == 201
    status, page = invoke("history", http_event("GET", "/v1/me/appointments", claims=claims_of(PATIENT)))
    assert status == 200, page
    by_id = {a["id"]: a for a in page["items"]}
    new_id = moved["appointment"]["id"]
    assert by_id[first["id"]]["status"] == "rescheduled" and by_id[first["id"]]["rescheduledTo"] == new_id
    assert by_id[new_id]["status"] == "booked" and by_id[new_id]["rescheduledFrom"] == first["id"]
