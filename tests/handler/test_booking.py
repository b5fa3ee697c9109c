"""The booking function: holds, their release, anonymous and signed-in bookings, every refusal of the contract.

Every request starts from a sample event in events/booking/; the slot (and hold) ids are swapped for a slot
that is free now, because the samples name a fixed date.
"""
from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.faces.v1.models import Appointment
from shared.patients import callers
from shared.platform import clock, keys
from tests.handler.helpers import (
    anonymous_event,
    assert_error,
    body_of,
    doctor_of,
    free_slots,
    hold,
    hold_event,
    release_event,
    signed_in_event,
    slot_item,
    start_of,
    table_items,
    with_body,
    with_headers,
)
from tests.support import event_file, invoke, patients_of

OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$")
CL0101 = patients_of("cl0101")
CL0102 = patients_of("cl0102")


# ---------------------------------------------------------------- holds
def test_hold_and_release(moto_table: str) -> None:
    slot = free_slots()[0]
    status, body = invoke("booking", hold_event(slot))
    assert status == 201
    assert body["slotId"] == slot and keys.slot_of_hold(body["holdId"]) == slot
    assert OFFSET.match(body["expiresAt"])
    expires = datetime.fromisoformat(body["expiresAt"]).timestamp()
    assert clock.now() + 290 <= expires <= clock.now() + 300  # HOLD_SECONDS=300
    assert slot not in free_slots()
    held = slot_item(slot)
    assert held["status"] == "held" and held["holdId"] == body["holdId"] and held["HoldPK"].startswith("HOLDS#")
    # Someone else cannot hold it meanwhile.
    assert_error(invoke("booking", hold_event(slot, CL0101[1])), 409, "slot_unavailable")

    status, released = invoke("booking", release_event(body["holdId"]))
    assert (status, released) == (204, None)
    assert slot in free_slots()
    freed = slot_item(slot)
    assert freed["status"] == "free" and "holdId" not in freed and "HoldPK" not in freed
    # Released twice, or a hold that is gone: still 204 and nothing changes.
    assert invoke("booking", release_event(body["holdId"]))[0] == 204
    assert hold(slot)


def test_release_does_not_touch_another_patients_hold(moto_table: str) -> None:
    slot = free_slots()[0]
    mine = hold(slot)
    stranger = slot + ".AAAAAAAAAAAAAAAAAAAAAA"
    assert invoke("booking", release_event(stranger))[0] == 204
    assert slot_item(slot)["holdId"] == mine


def test_release_malformed_hold_id(moto_table: str) -> None:
    assert_error(invoke("booking", release_event("not-a-hold")), 404, "not_found")


def test_expired_hold_counts_as_free(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = free_slots(later_than=3600)[0]
    first = hold(slot)
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + 301)
    second = hold(slot)
    assert second != first
    assert slot_item(slot)["holdId"] == second


def test_hold_refusals(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = free_slots()[0]
    assert_error(invoke("booking", hold_event("cl0101-d01.203001010500")), 404, "not_found")
    assert_error(invoke("booking", hold_event("garbage")), 404, "not_found")
    assert_error(invoke("booking", with_body(hold_event(slot), {})), 422, "validation_error")
    monkeypatch.setattr(clock, "now", lambda: start_of(slot))  # the slot starts now
    assert_error(invoke("booking", hold_event(slot)), 422, "outside_booking_window")
    monkeypatch.setattr(clock, "now", lambda: start_of(slot) - 15 * 86400)
    assert_error(invoke_en(hold_event(slot)), 422, "outside_booking_window", "en")


def invoke_en(event: dict[str, Any]) -> tuple[int, Any]:
    return invoke("booking", with_headers(event, accept_language="en"))


# ---------------------------------------------------------------- anonymous booking
def test_book_anonymous_with_hold_gives_the_ticket(moto_table: str) -> None:
    slot = free_slots()[0]
    hold_id = hold(slot)
    patient = CL0101[0]
    status, body = invoke("booking", anonymous_event(slot, patient, hold_id))
    assert status == 201, body
    ticket = body["appointment"]
    Appointment.model_validate(ticket)
    assert len(ticket["id"]) * 6 >= 128 and keys.valid_appointment_id(ticket["id"])
    assert re.fullmatch(r"01-\d{4}", ticket["number"])  # doctor d01, local HHMM
    assert ticket["number"][3:] == clock.local_iso(start_of(slot))[11:16].replace(":", "")
    assert ticket["status"] == "booked"
    assert ticket["start"] == clock.local_iso(start_of(slot)) and OFFSET.match(ticket["start"])
    assert OFFSET.match(ticket["end"]) and ticket["end"] > ticket["start"]
    assert ticket["clinic"] == {"id": "cl0101", "name": "Городская поликлиника № 11",
                                "address": "ул. Садовая, д. 6", "phone": "+7 812 211-17-31"}
    assert ticket["doctor"]["name"] and ticket["doctor"]["specialty"] == "Терапевт"
    assert ticket["room"] == "103"
    assert ticket["patient"] == {"lastName": patient["lastName"], "firstName": patient["firstName"],
                                 "middleName": patient["middleName"]}
    assert "Отменить" in ticket["cancellation"]["hint"] and ticket["id"] in ticket["cancellation"]["url"]
    # The ticket carries no policy, birth date or email.
    text = json.dumps(body, ensure_ascii=False)
    for secret in (patient["policyNumber"], patient["birthDate"], patient["email"]):
        assert secret not in text
    stored = slot_item(slot)
    assert stored["status"] == "booked" and stored["appointmentId"] == ticket["id"] and stored["bookings"] == 1
    assert "holdId" not in stored and "AvPK" not in stored and "HoldPK" not in stored
    assert slot not in free_slots()


def test_book_anonymous_without_hold_in_english(moto_table: str) -> None:
    slot = free_slots()[0]
    status, body = invoke_en(anonymous_event(slot, CL0101[2]))  # old-style policy with a series
    assert status == 201, body
    ticket = body["appointment"]
    assert ticket["clinic"]["name"] == "City Polyclinic No. 11"
    assert ticket["doctor"]["specialty"] == "Therapist"
    assert ticket["cancellation"]["hint"].startswith("You can cancel")


def test_retry_with_the_same_key_returns_the_first_answer(moto_table: str) -> None:
    slot = free_slots()[0]
    first_event = event_file("booking/book_anonymous.json")
    body = dict(body_of(first_event), slotId=slot)
    body.pop("holdId")
    first = invoke("booking", with_body(first_event, body))
    retry_event = event_file("booking/book_anonymous_retry.json")
    assert retry_event["headers"]["idempotency-key"] == first_event["headers"]["idempotency-key"]
    retry = invoke("booking", with_body(retry_event, body))
    assert first[0] == retry[0] == 201
    assert retry[1] == first[1]
    assert len(table_items("appointment")) == 1
    # Another key is another request, refused: the slot is booked now.
    assert_error(invoke("booking", with_headers(with_body(retry_event, body), idempotency_key="other")),
                 409, "slot_unavailable")


def test_same_key_other_body_is_refused(moto_table: str) -> None:
    first, second = free_slots()[:2]
    assert invoke("booking", anonymous_event(first, CL0101[0], key="k"))[0] == 201
    assert_error(invoke("booking", anonymous_event(second, CL0101[0], key="k")), 422, "idempotency_key_reused")
    assert_error(invoke_en(anonymous_event(second, CL0101[0], key="k")), 422, "idempotency_key_reused", "en")
    assert len(table_items("appointment")) == 1


def test_the_same_key_of_two_patients_is_two_requests(moto_table: str) -> None:
    first, second = free_slots()[:2]
    a = invoke("booking", anonymous_event(first, CL0101[0], key="shared"))
    b = invoke("booking", anonymous_event(second, CL0101[1], key="shared"))
    assert a[0] == b[0] == 201
    assert a[1]["appointment"]["id"] != b[1]["appointment"]["id"]


def test_idempotency_key_required(moto_table: str) -> None:
    slot = free_slots()[0]
    event = event_file("booking/book_missing_key.json")
    assert "idempotency-key" not in event["headers"]
    body = dict(body_of(event), slotId=slot)
    body.pop("holdId", None)
    assert_error(invoke("booking", with_body(event, body)), 400, "idempotency_key_required")
    assert_error(invoke("booking", with_headers(with_body(event, body), idempotency_key="  ")), 400,
                 "idempotency_key_required")
    assert_error(invoke_en(with_body(event, body)), 400, "idempotency_key_required", "en")
    assert table_items("appointment") == []


@pytest.mark.parametrize("change,expected", [
    ({"lastName": "Сидоров"}, "patient_not_found"),
    ({"birthDate": "1990-01-01"}, "patient_not_found"),
    ({"policyNumber": "7899999999999999"}, "patient_not_found"),
])
def test_patient_must_match_the_register(moto_table: str, change: dict[str, str], expected: str) -> None:
    slot = free_slots()[0]
    event = anonymous_event(slot, dict(CL0101[0], **change))
    assert_error(invoke("booking", event), 403, expected)
    assert_error(invoke_en(event), 403, expected, "en")
    assert slot_item(slot)["status"] == "free"


def test_last_name_is_matched_without_case_or_yo(moto_table: str) -> None:
    patient = CL0101[0]
    event = anonymous_event(free_slots()[0], dict(patient, lastName=patient["lastName"].upper()))
    assert invoke("booking", event)[0] == 201


def test_patient_of_another_clinic_is_not_attached(moto_table: str) -> None:
    slot = free_slots()[0]
    result = invoke("booking", anonymous_event(slot, CL0102[0]))
    assert_error(result, 403, "not_attached")
    assert "details" not in result[1]["error"] or "lookup" in result[1]["error"]["details"]


@pytest.mark.parametrize("specialty", ["cardiologist", "endocrinologist"])
def test_referral_only_specialty(moto_table: str, specialty: str) -> None:
    slot = free_slots(doctor_of(specialty))[0]
    assert_error(invoke("booking", anonymous_event(slot, CL0101[0])), 403, "referral_required")
    assert_error(invoke_en(anonymous_event(slot, CL0101[0])), 403, "referral_required", "en")


def test_one_active_future_appointment_per_specialty(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    patient = CL0101[0]
    d01 = free_slots("cl0101-d01", later_than=3600)
    first, later = d01[0], d01[-1]
    other_therapist = free_slots("cl0101-d02")[0]
    assert invoke("booking", anonymous_event(first, patient, key="a"))[0] == 201
    assert_error(invoke("booking", anonymous_event(other_therapist, patient, key="b")), 409,
                 "already_booked_specialty")
    assert slot_item(other_therapist)["status"] == "free"
    # Another specialty is fine.
    assert invoke("booking", anonymous_event(free_slots(doctor_of("neurologist"))[0], patient, key="c"))[0] == 201
    # Once the first appointment has started, it no longer counts as a future one.
    monkeypatch.setattr(clock, "now", lambda: start_of(first) + 60)
    assert invoke("booking", anonymous_event(later, patient, key="d"))[0] == 201


@pytest.mark.parametrize("shift", ["started", "same_time_14_days_before", "last_second_of_the_day_14_days_before"])
def test_outside_booking_window(moto_table: str, monkeypatch: pytest.MonkeyPatch, shift: str) -> None:
    slot = free_slots()[0]
    day = clock.local_date(start_of(slot))
    moved = {"started": start_of(slot) + 1,
             # The slot is on today + 14 (Moscow): the 15th day, outside even at the same time of day.
             "same_time_14_days_before": start_of(slot) - 14 * 86400,
             # 23:59:59 on that day: still today + 14, for one more second.
             "last_second_of_the_day_14_days_before": clock.day_end(day - timedelta(days=14)) - 1,
             }[shift]
    monkeypatch.setattr(clock, "now", lambda: moved)
    assert_error(invoke("booking", hold_event(slot)), 422, "outside_booking_window")
    assert_error(invoke("booking", anonymous_event(slot, CL0101[0])), 422, "outside_booking_window")
    assert slot_item(slot)["status"] == "free"


@pytest.mark.parametrize("shift", ["same_time_13_days_before", "midnight_13_days_before"])
def test_the_windows_last_day_is_inside(moto_table: str, monkeypatch: pytest.MonkeyPatch, shift: str) -> None:
    slot = free_slots()[0]
    day = clock.local_date(start_of(slot))
    moved = {"same_time_13_days_before": start_of(slot) - 13 * 86400,
             # 00:00:00 Moscow, a second after the last refused moment: the slot is on today + 13, the last day.
             "midnight_13_days_before": clock.day_start(day - timedelta(days=13))}[shift]
    monkeypatch.setattr(clock, "now", lambda: moved)
    assert invoke("booking", anonymous_event(slot, CL0101[0]))[0] == 201


def test_slot_held_by_someone_else(moto_table: str) -> None:
    slot = free_slots()[0]
    hold(slot)
    assert_error(invoke("booking", anonymous_event(slot, CL0101[0])), 409, "slot_unavailable")
    assert slot_item(slot)["status"] == "held"


def test_slot_already_booked(moto_table: str) -> None:
    slot = free_slots()[0]
    assert invoke("booking", anonymous_event(slot, CL0101[0]))[0] == 201
    assert_error(invoke("booking", anonymous_event(slot, CL0101[1])), 409, "slot_unavailable")
    assert_error(invoke("booking", hold_event(slot, CL0101[1])), 409, "slot_unavailable")


def test_own_expired_hold_taken_by_another(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = free_slots(later_than=3600)[0]
    mine = hold(slot)
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + 301)
    hold(slot)  # someone else, after mine expired
    assert_error(invoke("booking", anonymous_event(slot, CL0101[0], mine)), 410, "hold_expired")
    assert_error(invoke_en(anonymous_event(slot, CL0101[0], mine)), 410, "hold_expired", "en")


def test_own_expired_hold_not_taken_still_books(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = free_slots(later_than=3600)[0]
    mine = hold(slot)
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + 301)
    assert invoke("booking", anonymous_event(slot, CL0101[0], mine))[0] == 201


def test_expired_hold_of_someone_else_counts_as_free(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = free_slots(later_than=3600)[0]
    hold(slot)
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + 301)
    status, body = invoke("booking", anonymous_event(slot, CL0101[0]))
    assert status == 201, body
    assert "holdId" not in slot_item(slot)


def test_hold_of_another_slot(moto_table: str) -> None:
    first, second = free_slots()[:2]
    other = hold(second)
    assert_error(invoke("booking", anonymous_event(first, CL0101[0], other)), 409, "hold_mismatch")
    assert slot_item(first)["status"] == "free"


def test_unknown_slot(moto_table: str) -> None:
    assert_error(invoke("booking", anonymous_event("cl0101-d01.203001010500", CL0101[0])), 404, "not_found")
    assert_error(invoke("booking", anonymous_event("cl0101-d99.203001010500", CL0101[0])), 404, "not_found")


INVALID_PATIENTS = [
    {"policyNumber": "78000001010000AB"},
    {"email": "mikhail.morozov-at-example.org"},
    {"birthDate": "02.06.1978"},
    {"lastName": "Морозов<script>"},
]


@pytest.mark.parametrize("change", INVALID_PATIENTS)
def test_invalid_body_is_refused_without_echoing_it(moto_table: str, change: dict[str, str]) -> None:
    slot = free_slots()[0]
    event = anonymous_event(slot, CL0101[0])
    body = body_of(event)
    body["patient"].update(change)
    status, answer = invoke("booking", with_body(event, body))
    assert_error((status, answer), 422, "validation_error")
    fields = [f["field"] for f in answer["error"]["details"]["fields"]]
    assert fields == [f"patient.{next(iter(change))}"]
    text = json.dumps(answer, ensure_ascii=False)
    for value in [*change.values(), CL0101[0]["policyNumber"], CL0101[0]["lastName"], CL0101[0]["email"]]:
        assert value not in text


@pytest.mark.parametrize("raw", ["not json", "[]", '{"slotId": 5}', "{}",
                                 '{"slotId": "cl0101-d01.203001010500", "patient": {}, "extra": 1}'])
def test_malformed_bodies(moto_table: str, raw: str) -> None:
    event = copy.deepcopy(anonymous_event(free_slots()[0], CL0101[0]))
    event["body"] = raw
    assert_error(invoke("booking", event), 422, "validation_error")


# ---------------------------------------------------------------- signed-in booking
def test_book_signed_in(moto_table: str) -> None:
    slot = free_slots()[0]
    event = signed_in_event(slot)
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    status, body = invoke("booking", event)
    assert status == 201, body
    ticket = body["appointment"]
    assert ticket["patient"]["lastName"] == claims["family_name"]
    assert ticket["status"] == "booked"
    stored = table_items("appointment")
    assert len(stored) == 1 and stored[0]["email"] == claims["email"]
    # Booked by token or anonymously: the same history, keyed by the policy hash.
    from shared.patients.policy import policy_hash

    assert stored[0]["PatPK"] == keys.policy_pk(policy_hash(claims["oms_policy_number"]))
    # Retried: the first answer.
    assert invoke("booking", event) == (201, body)


def test_signed_in_email_from_the_body_wins(moto_table: str) -> None:
    slot = free_slots()[0]
    assert invoke("booking", signed_in_event(slot, CL0101[2], email="other@example.org"))[0] == 201
    assert table_items("appointment")[0]["email"] == "other@example.org"


def test_signed_in_rules_are_the_same(moto_table: str) -> None:
    assert_error(invoke("booking", signed_in_event(free_slots()[0], CL0102[0])), 403, "not_attached")
    slot = free_slots(doctor_of("cardiologist"))[0]
    assert_error(invoke("booking", signed_in_event(slot, CL0101[0])), 403, "referral_required")


def test_signed_in_without_claims_is_unauthorized(moto_table: str) -> None:
    event = signed_in_event(free_slots()[0])
    del event["requestContext"]["authorizer"]
    assert_error(invoke("booking", event), 401, "unauthorized")
    assert_error(invoke_en(event), 401, "unauthorized", "en")
    partial = signed_in_event(free_slots()[0])
    del partial["requestContext"]["authorizer"]["jwt"]["claims"]["oms_policy_number"]
    assert_error(invoke("booking", partial), 401, "unauthorized")
    assert table_items("appointment") == []


def test_signed_in_needs_the_key_too(moto_table: str) -> None:
    event = with_headers(signed_in_event(free_slots()[0]), idempotency_key=None)
    assert_error(invoke("booking", event), 400, "idempotency_key_required")


# ---------------------------------------------------------------- ticket numbers
def test_ticket_number_differs_when_a_freed_slot_is_booked_again(moto_table: str) -> None:
    from shared.booking import cancellation

    slot = free_slots(later_than=2 * 86400)[0]
    first_patient, second_patient = CL0101[0], CL0101[1]
    status, first = invoke("booking", anonymous_event(slot, first_patient, key="one"))
    assert status == 201
    cancellation.cancel(first["appointment"]["id"], callers.by_policy(first_patient["policyNumber"], None), "ru")
    assert slot in free_slots()
    status, second = invoke("booking", anonymous_event(slot, second_patient, key="two"))
    assert status == 201, second
    assert second["appointment"]["number"] != first["appointment"]["number"]
    assert second["appointment"]["number"].startswith(first["appointment"]["number"])
    assert slot_item(slot)["bookings"] == 2

