"""The waiting list through its handlers (issue 15): joining (with the booking's identity rules), one active
entry per specialty, leaving, and offers — a freed slot held for the earliest matching entry, the offer by its
link, accepted in one click, lapsing to the next entry. The stream is simulated here by handing the offers
function the record DynamoDB would deliver; the races are on DynamoDB Local (tests/integration)."""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from shared.booking import ticket_link, waitlist
from shared.domain import slots
from shared.notify import delivery, messages
from shared.patients import policy
from shared.platform import clock, dal
from tests.handler.helpers import assert_error, doctor_of, free_slots, slot_item
from tests.support import Context, claims_of, http_event, invoke, patient_body, patients_of

FIRST, SECOND, THIRD = patients_of("cl0101")
DOCTOR = doctor_of("ophthalmologist")


def join_body(p: dict[str, Any], *, specialty: str = "ophthalmologist", doctor: str | None = DOCTOR,
              days: int = 13, **extra: Any) -> dict[str, Any]:
    today = clock.local_date(clock.now())
    body = {"clinicId": "cl0101", "specialtyId": specialty, "from": today.isoformat(),
            "to": (today + timedelta(days=days)).isoformat(), "patient": patient_body(p), **extra}
    if doctor:
        body["doctorId"] = doctor
    return body


def join(p: dict[str, Any], **kw: Any) -> tuple[int, Any]:
    return invoke("waitlist", http_event("POST", "/v1/waitlist", join_body(p, **kw)))


def joined(p: dict[str, Any], **kw: Any) -> dict[str, Any]:
    status, body = join(p, **kw)
    assert status == 201, body
    return dict(body["entry"])


def freed(slot_id: str, old: dict[str, Any] | None = None) -> None:
    """Hand the offers function the stream record of `slot_id` becoming free (after `old`, default booked)."""
    from infra.lambda_like import load_function

    new = slot_item(slot_id)
    record = {"eventName": "MODIFY", "eventSource": "aws:dynamodb", "dynamodb": {
        "OldImage": dal.to_item(old or dict(new, status=slots.BOOKED)), "NewImage": dal.to_item(new)}}
    answer = load_function("offers").handler({"Records": [record]}, Context())
    assert answer == {"batchItemFailures": []}, answer


def entry_item(entry_id: str) -> dict[str, Any]:
    item = dal.get(waitlist.entry_key(entry_id) or {}, consistent=True)
    assert item
    return item


def book_api(p: dict[str, Any], slot_id: str) -> dict[str, Any]:
    event = http_event("POST", "/v1/appointments", {"slotId": slot_id, "patient": patient_body(p)},
                       headers={"Idempotency-Key": uuid.uuid4().hex})
    status, body = invoke("booking", event)
    assert status == 201, body
    return dict(body["appointment"])


# ---------------------------------------------------------------- joining and leaving
def test_join_once_per_specialty_see_it_and_leave(moto_table: str) -> None:
    entry = joined(FIRST)
    assert (entry["status"], entry["doctorId"], entry["specialty"]) == ("waiting", DOCTOR, "Офтальмолог")
    assert_error(join(FIRST), 409, "waitlist_exists")
    assert_error(join(FIRST, doctor=None), 409, "waitlist_exists")  # any doctor of the specialty: still one
    status, mine = invoke("waitlist", http_event("GET", "/v1/me/waitlist", claims=claims_of(FIRST)))
    assert status == 200 and [e["id"] for e in mine["items"]] == [entry["id"]]
    stored = entry_item(entry["id"])
    assert FIRST["policyNumber"] not in str(stored)  # the policy only as its keyed hash

    wrong = invoke("waitlist", http_event("POST", f"/v1/waitlist/{entry['id']}/cancel",
                                          {"policyNumber": SECOND["policyNumber"]}))
    assert_error(wrong, 404, "not_found")
    status, body = invoke("waitlist", http_event("POST", f"/v1/waitlist/{entry['id']}/cancel",
                                                 {"policyNumber": FIRST["policyNumber"]}))
    assert (status, body["entry"]["status"]) == (200, "cancelled")
    status, mine = invoke("waitlist", http_event("GET", "/v1/me/waitlist", claims=claims_of(FIRST)))
    assert mine["items"] == []
    assert joined(FIRST)["status"] == "waiting"  # free to wait again


def test_signed_in_join_and_leave(moto_table: str) -> None:
    body = {k: v for k, v in join_body(SECOND).items() if k != "patient"}
    status, out = invoke("waitlist", http_event("POST", "/v1/me/waitlist", body, claims=claims_of(SECOND)))
    assert status == 201, out
    entry_id = out["entry"]["id"]
    status, out = invoke("waitlist", http_event("DELETE", f"/v1/me/waitlist/{entry_id}", claims=claims_of(FIRST)))
    assert_error((status, out), 404, "not_found")  # another patient's entry is unknown
    status, out = invoke("waitlist", http_event("DELETE", f"/v1/me/waitlist/{entry_id}", claims=claims_of(SECOND)))
    assert (status, out["entry"]["status"]) == (200, "cancelled")


@pytest.mark.parametrize(("change", "kw", "status", "code"), [
    ({"birthDate": "1900-01-02"}, {}, 403, "patient_not_found"),
    ({}, {"specialty": "cardiologist", "doctor": None}, 403, "referral_required"),
    ({}, {"days": 90}, 422, "validation_error"),
    ({}, {"doctor": "cl0102-d05"}, 422, "validation_error"),
])
def test_join_refusals(moto_table: str, change: dict[str, Any], kw: dict[str, Any], status: int, code: str) -> None:
    assert_error(join(dict(FIRST, **change), **kw), status, code)


def test_a_patient_of_another_clinic_or_already_booked_cannot_wait(moto_table: str) -> None:
    other = patients_of("cl0102")[0]
    assert_error(join(other), 403, "not_attached")
    book_api(THIRD, free_slots(DOCTOR)[0])
    assert_error(join(THIRD), 409, "already_booked_specialty")


# ---------------------------------------------------------------- offers
def test_a_freed_slot_is_offered_to_the_earliest_entry_once_and_booked_from_the_link(moto_table: str) -> None:
    first, second = joined(FIRST), joined(SECOND, doctor=None)  # the second waits for any ophthalmologist
    slot_id = free_slots(DOCTOR, later_than=3600)[0]
    freed(slot_id)
    slot = slot_item(slot_id)
    assert slot["status"] == slots.HELD and slot["offerEntry"] == first["id"]
    assert slot["holdOwner"] == policy.policy_hash(FIRST["policyNumber"])
    assert entry_item(first["id"])["status"] == "offered"
    assert entry_item(second["id"])["status"] == "waiting"
    freed(slot_id)  # the stream replays the record: the slot is held, nothing is offered twice
    assert entry_item(second["id"])["status"] == "waiting"

    token = ticket_link.offer_token(first["id"])
    assert_error(invoke("waitlist", http_event("GET", f"/v1/waitlist/{first['id']}", query={"t": "x" * 22})),
                 404, "not_found")
    status, out = invoke("waitlist", http_event("GET", f"/v1/waitlist/{first['id']}", query={"t": token}))
    assert status == 200 and out["entry"]["offer"]["slotId"] == slot_id
    # Nobody else can book the slot meanwhile.
    status, out = invoke("booking", http_event("POST", "/v1/appointments", {
        "slotId": slot_id, "patient": patient_body(THIRD)}, headers={"Idempotency-Key": uuid.uuid4().hex}))
    assert_error((status, out), 409, "slot_unavailable")
    accept = http_event("POST", f"/v1/waitlist/{first['id']}/accept", {"token": token})
    status, out = invoke("waitlist", accept)
    assert status == 201, out
    appointment = out["appointment"]
    assert slot_item(slot_id)["appointmentId"] == appointment["id"]
    assert (entry_item(first["id"])["status"], entry_item(first["id"])["appointmentId"]) == ("booked",
                                                                                             appointment["id"])
    status, again = invoke("waitlist", accept)  # a second click answers the same ticket
    assert (status, again["appointment"]["id"]) == (201, appointment["id"])


def test_an_offer_that_lapses_goes_to_the_next_entry(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = joined(FIRST), joined(SECOND)
    slot_id = free_slots(DOCTOR, later_than=3600)[0]
    freed(slot_id)
    held = slot_item(slot_id)
    later = clock.now() + waitlist.OFFER_SECONDS + 1
    monkeypatch.setattr(clock, "now", lambda: later)
    from shared.booking import sweeper

    assert sweeper.sweep(later).released == 1  # the offer's hold lapsed
    freed(slot_id, old=held)
    assert entry_item(first["id"])["status"] == "lapsed"
    assert entry_item(second["id"])["status"] == "offered"
    assert slot_item(slot_id)["holdOwner"] == policy.policy_hash(SECOND["policyNumber"])
    status, out = invoke("waitlist", http_event("POST", f"/v1/waitlist/{first['id']}/accept",
                                                {"token": ticket_link.offer_token(first["id"])}))
    assert_error((status, out), 410, "offer_expired")


def test_leaving_with_an_offer_gives_the_slot_back(moto_table: str) -> None:
    first = joined(FIRST)
    slot_id = free_slots(DOCTOR, later_than=3600)[0]
    freed(slot_id)
    status, out = invoke("waitlist", http_event("POST", f"/v1/waitlist/{first['id']}/cancel",
                                                {"policyNumber": FIRST["policyNumber"]}))
    assert (status, out["entry"]["status"]) == (200, "cancelled")
    assert slot_item(slot_id)["status"] == slots.FREE


def test_a_slot_too_soon_or_of_another_doctor_is_not_offered(moto_table: str) -> None:
    first = joined(FIRST)
    other_doctor = free_slots(doctor_of("ent"), later_than=3600)[0]
    freed(other_doctor)
    assert entry_item(first["id"])["status"] == "waiting"
    assert slot_item(other_doctor)["status"] == slots.FREE


def test_the_offer_email(moto_table: str) -> None:
    first = joined(FIRST)
    slot_id = free_slots(DOCTOR, later_than=3600)[0]
    freed(slot_id)
    entry = entry_item(first["id"])
    record = {"eventName": "MODIFY", "dynamodb": {"OldImage": dal.to_item(dict(entry, status="waiting")),
                                                  "NewImage": dal.to_item(entry)}}
    kind, item = delivery.classify(record) or ("", {})
    assert kind == messages.OFFER
    email = messages.build(item, kind, sender="noreply@example.org")
    text = email.get_body(("plain",)).get_content()
    assert f"#/offer/{first['id']}?t={ticket_link.offer_token(first['id'])}" in text
    assert email["To"] == FIRST["email"] and "Освободилось время" in email["Subject"]


def test_a_batch_of_opened_slots_nobody_waits_for_costs_a_query_per_queue(moto_table: str,
                                                                           dynamodb_calls: Any) -> None:
    from infra.lambda_like import load_function

    opened = [slot_item(s) for s in free_slots(doctor_of("ent"))[:30]]  # as a day's opening inserts them
    records = [{"eventName": "INSERT", "dynamodb": {"NewImage": dal.to_item(s)}} for s in opened]
    dynamodb_calls.clear()
    assert load_function("offers").handler({"Records": records}, Context()) == {"batchItemFailures": []}
    assert dict(dynamodb_calls) == {"Query": 1}
    assert all(slot_item(s["slotId"])["status"] == slots.FREE for s in opened)


def test_patients_joining_in_one_second_queue_in_joining_order(moto_table: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    moment = clock.now()
    monkeypatch.setattr(clock, "now", lambda: moment)
    ids = [joined(p)["id"] for p in (THIRD, FIRST, SECOND)]
    order = sorted(ids, key=lambda i: (waitlist.entry_key(i) or {})["SK"]["S"])
    assert order == ids
