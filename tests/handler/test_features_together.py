"""Features tried together, where each one alone passed its own tests (issue 26): a doctor published by staff
and the waiting list, a moved appointment and the day list, leaving the list while an offer lands, an absence
over an offered slot, and retries after an outcome nobody heard (holds, cancellations on every face).
The stream is simulated by handing the offers function the record DynamoDB would deliver."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from infra.local import outbox, stream
from shared.booking import sweeper, ticket_link, waitlist
from shared.domain import slots
from shared.patients import policy
from shared.platform import clock, dal, keys, statuses
from tests.handler.helpers import (
    assert_error,
    book,
    free_slot_items,
    hold_event,
    reschedule_event,
    sent,
    slot_item,
    staff_event,
)
from tests.support import Context, claims_of, http_event, invoke, load_function, patient_body, patients_of

FIRST, SECOND, THIRD = patients_of("cl0101")
CLINIC = "cl0101"
PUBLISHED = "cl0101-d31"
WEEK = [{"weekday": wd, "from": "09:00", "to": "12:00"} for wd in range(1, 8)]


def offers(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """Hand the offers function one MODIFY record of a slot, through the template's filter as Lambda applies
    it; returns "filtered" when the filter drops it."""
    record = {"eventName": "MODIFY", "eventSource": "aws:dynamodb", "dynamodb": {
        "OldImage": dal.to_item(old or {}), "NewImage": dal.to_item(new)}}
    if not any(stream.matches(p, record) for p in stream.stream_mapping("OffersFunction").patterns):
        return "filtered"
    answer = load_function("offers").handler({"Records": [record]}, Context())
    assert answer == {"batchItemFailures": []}, answer
    return "delivered"


def join(p: dict[str, Any], doctor_id: str, specialty: str) -> dict[str, Any]:
    today = clock.local_date(clock.now())
    body = {"clinicId": CLINIC, "specialtyId": specialty, "doctorId": doctor_id, "from": today.isoformat(),
            "to": (today + timedelta(days=13)).isoformat(), "patient": patient_body(p)}
    status, out = invoke("waitlist", http_event("POST", "/v1/waitlist", body))
    assert status == 201, out
    return dict(out["entry"])


def entry_of(entry_id: str) -> dict[str, Any]:
    item = dal.get(waitlist.entry_key(entry_id) or {}, consistent=True)
    assert item
    return item


def cancel_signed_in(p: dict[str, Any], appointment_id: str) -> tuple[int, Any]:
    return invoke("cancellation", http_event("POST", f"/v1/me/appointments/{appointment_id}/cancel",
                                             claims=claims_of(p)))


def offered_slot(patient: dict[str, Any], doctor_id: str, specialty: str) -> tuple[dict[str, Any], str]:
    """`patient` waits for `doctor_id`; one of its slots is booked by another patient and cancelled: the
    freed slot is offered to `patient`. Returns the entry and the slot id."""
    slot = free_slot_items(doctor_id, clock.now() + 86400)[0]
    ticket = book(THIRD, slot["id"])
    entry = join(patient, doctor_id, specialty)
    booked = slot_item(slot["id"])
    assert cancel_signed_in(THIRD, ticket["id"])[0] == 200
    assert offers(booked, slot_item(slot["id"])) == "delivered"
    assert entry_of(entry["id"])["status"] == statuses.OFFERED
    return entry, slot["id"]


# ---------------------------------------------------------------- a doctor published by staff
def test_a_doctor_published_without_an_english_name_gets_freed_slots_offered(notifier: str) -> None:
    body = {"name": "Зайцева Нина Олеговна", "specialtyId": "ophthalmologist", "room": "301", "slotMinutes": 30,
            "plan": WEEK}  # no nameEn: the API allows it
    status, out = invoke("registry", staff_event("PUT", f"/v1/registry/clinics/{CLINIC}/doctors/{PUBLISHED}", body))
    assert status == 200, out
    entry, slot_id = offered_slot(FIRST, PUBLISHED, "ophthalmologist")
    stored = entry_of(entry["id"])
    assert stored["offerDoctorName"] == "Зайцева Нина Олеговна" and "offerDoctorNameEn" not in stored
    assert slot_item(slot_id)["offerEntry"] == entry["id"]
    # The English page shows the Russian name rather than nothing.
    status, out = invoke("waitlist", http_event("GET", f"/v1/waitlist/{entry['id']}",
                                                query={"t": ticket_link.offer_token(entry["id"])},
                                                headers={"Accept-Language": "en"}))
    assert status == 200 and out["entry"]["offer"]["doctorName"] == "Зайцева Нина Олеговна"
    # The notifier emails the offer from the entry's change (its stream filter lets it through).
    record = {"eventName": "MODIFY", "eventSource": "aws:dynamodb", "dynamodb": {
        "SequenceNumber": "7", "OldImage": dal.to_item(dict(stored, status=statuses.WAITING)),
        "NewImage": dal.to_item(stored)}}
    assert any(stream.matches(p, record) for p in stream.stream_mapping("NotifierFunction").patterns)
    assert load_function("notifier").handler({"Records": [record]}, Context()) == {"batchItemFailures": []}
    (mail,) = sent()
    assert mail["to"] == FIRST["email"] and "Зайцева Нина Олеговна" in outbox.email_parts(mail["raw"])["text/plain"]


# ---------------------------------------------------------------- the day list of a moved appointment
def test_the_day_list_of_a_day_with_a_moved_appointment_shows_it_moved(moto_table: str) -> None:
    slots_ahead = free_slot_items("cl0101-d01", clock.now() + 86400)
    old, new = slots_ahead[0], slots_ahead[-1]
    ticket = book(FIRST, old["id"], signed_in=True)
    status, moved = invoke("booking", reschedule_event(ticket["id"], new["id"], FIRST, signed_in=True))
    assert status == 201, moved
    day = clock.local_date(old["epoch"]).isoformat()
    status, out = invoke("registry", staff_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments",
                                                 query={"date": day}))
    assert status == 200, out
    assert {(i["id"], i["status"]) for i in out["items"]} >= {(ticket["id"], statuses.RESCHEDULED)}
    status, out = invoke("registry", staff_event("POST", f"/v1/registry/appointments/{ticket['id']}/attendance",
                                                 {"status": "fulfilled"}))
    assert_error((status, out), 409, "already_rescheduled")


# ---------------------------------------------------------------- the waiting list racing its offers
def test_leaving_while_an_offer_lands_answers_2xx_and_frees_the_slot(moto_table: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    entry, slot_id = offered_slot(FIRST, "cl0101-d05", "ophthalmologist")
    stored = entry_of(entry["id"])
    # The leave read the entry a moment before the offer landed: it saw it waiting.
    seen = {k: v for k, v in stored.items() if k not in waitlist.OFFER_FIELDS}
    real = waitlist._owned
    monkeypatch.setattr(waitlist, "_owned", lambda e, p: (real(e, p)[0], dict(seen, status=statuses.WAITING)))
    status, out = invoke("waitlist", http_event("POST", f"/v1/waitlist/{entry['id']}/cancel",
                                                {"policyNumber": FIRST["policyNumber"]}))
    assert (status, out["entry"]["status"]) == (200, "cancelled"), out
    assert entry_of(entry["id"])["status"] == statuses.CANCELLED
    freed = slot_item(slot_id)
    assert freed["status"] == slots.FREE and "offerEntry" not in freed and "holdId" not in freed


def test_an_absence_over_an_offered_slot_ends_the_offer_and_the_patient_waits_again(moto_table: str) -> None:
    entry, slot_id = offered_slot(FIRST, "cl0101-d05", "ophthalmologist")
    held = slot_item(slot_id)
    day = clock.local_date(int(held["start"])).isoformat()
    status, out = invoke("registry", staff_event(
        "POST", f"/v1/registry/clinics/{CLINIC}/doctors/cl0101-d05/absences", {"from": day, "to": day,
                                                                               "reason": "sick"}))
    assert status == 200, out
    closed = slot_item(slot_id)
    assert closed["status"] == statuses.CLOSED and "offerEntry" not in closed
    assert offers(held, closed) == "delivered"
    stored = entry_of(entry["id"])
    assert stored["status"] == statuses.WAITING and "offerSlotId" not in stored
    # Waiting again, in the same place: the next freed slot of the doctor is offered to this entry.
    later = next(s for s in free_slot_items("cl0101-d05", clock.now() + 86400)
                 if clock.local_date(s["epoch"]).isoformat() != day)
    before = slot_item(later["id"])
    assert offers(dict(before, status=slots.BOOKED), before) == "delivered"
    assert entry_of(entry["id"])["offerSlotId"] == later["id"]


def test_an_expired_offer_taken_over_by_another_hold_lapses(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    entry, slot_id = offered_slot(FIRST, "cl0101-d05", "ophthalmologist")
    held = slot_item(slot_id)
    later = clock.now() + waitlist.OFFER_SECONDS + 1
    monkeypatch.setattr(clock, "now", lambda: later)
    # Before the sweeper runs, another patient holds the slot whose offer expired.
    status, out = invoke("booking", hold_event(slot_id, SECOND))
    assert status == 201, out
    taken = slot_item(slot_id)
    assert "offerEntry" not in taken and taken["holdOwner"] == policy.policy_hash(SECOND["policyNumber"])
    assert offers(held, taken) == "delivered"
    assert entry_of(entry["id"])["status"] == statuses.LAPSED
    assert join(FIRST, "cl0101-d05", "ophthalmologist")["status"] == "waiting"  # may wait again


def test_an_offer_swept_leaves_no_offer_on_the_slot(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _, slot_id = offered_slot(FIRST, "cl0101-d05", "ophthalmologist")
    later = clock.now() + waitlist.OFFER_SECONDS + 1
    monkeypatch.setattr(clock, "now", lambda: later)
    assert sweeper.sweep(later).released == 1
    assert not {"offerEntry", "holdId", "holdOwner"} & set(slot_item(slot_id))


def test_a_record_that_ends_no_offer_is_filtered_out(moto_table: str) -> None:
    slot = slot_item(free_slot_items("cl0101-d05", clock.now() + 86400)[0]["id"])
    assert offers(slot, dict(slot, status=slots.HELD, holdId="x")) == "filtered"


# ---------------------------------------------------------------- retries after an unknown outcome
# (gorzdrav's appointment/cancel answers `true` to a cancellation retried: tests/handler/test_gorzdrav.py)
def test_a_hold_retried_for_the_same_slot_returns_the_hold_that_was_written(moto_table: str) -> None:
    slot_id = free_slot_items("cl0101-d01", clock.now() + 86400)[0]["id"]
    status, first = invoke("booking", hold_event(slot_id, FIRST))
    assert status == 201, first
    status, again = invoke("booking", hold_event(slot_id, FIRST))
    assert status == 201 and again == first
    assert slot_item(slot_id)["holdId"] == first["holdId"]
    # Another slot: the hold nobody was told about is released at once (one hold per patient).
    other = free_slot_items("cl0101-d01", clock.now() + 86400)[1]["id"]
    status, moved = invoke("booking", hold_event(other, FIRST))
    assert status == 201 and moved["holdId"] != first["holdId"]
    assert slot_item(slot_id)["status"] == slots.FREE


def test_a_hold_retried_after_it_expired_is_a_new_hold(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot_id = free_slot_items("cl0101-d01", clock.now() + 86400)[0]["id"]
    first = invoke("booking", hold_event(slot_id, FIRST))[1]
    later = clock.now() + 301
    monkeypatch.setattr(clock, "now", lambda: later)
    status, again = invoke("booking", hold_event(slot_id, FIRST))
    assert status == 201 and again["holdId"] != first["holdId"]


def _cancel_on(face: str, p: dict[str, Any], appointment_id: str) -> tuple[int, Any]:
    if face == "v1":
        body = {"policyNumber": p["policyNumber"], **({"policySeries": p["policySeries"]} if p.get("policySeries")
                                                       else {})}
        return invoke("cancellation", http_event("POST", f"/v1/appointments/{appointment_id}/cancel", body))
    if face == "v1/me":
        return cancel_signed_in(p, appointment_id)
    if face == "fhir/me":
        return invoke("fhir", http_event("POST", f"/fhir/me/Appointment/{appointment_id}/$cancel",
                                         claims=claims_of(p)))
    raise AssertionError(face)


@pytest.mark.parametrize("face", ["v1", "v1/me", "fhir/me"])
def test_a_cancellation_retried_after_it_was_applied_answers_as_the_first(moto_table: str, face: str) -> None:
    ticket = book(FIRST, free_slot_items("cl0101-d01", clock.now() + 86400)[0]["id"])
    first = _cancel_on(face, FIRST, ticket["id"])
    assert first[0] == 200, first
    stored = dal.get(keys.appointment_key(ticket["id"]), consistent=True)
    again = _cancel_on(face, FIRST, ticket["id"])
    assert again == first
    assert dal.get(keys.appointment_key(ticket["id"]), consistent=True) == stored  # nothing written again
    # Another patient's retry is still nobody's business.
    assert _cancel_on(face, SECOND, ticket["id"])[0] == 404


def test_a_stream_record_that_fails_is_logged_as_an_error(moto_table: str, monkeypatch: pytest.MonkeyPatch,
                                                         captured_logs: Any) -> None:
    captured_logs()
    slot = slot_item(free_slot_items("cl0101-d05", clock.now() + 86400)[0]["id"])
    record = {"eventName": "MODIFY", "eventSource": "aws:dynamodb", "dynamodb": {
        "SequenceNumber": "42", "OldImage": dal.to_item(dict(slot, status=slots.BOOKED)),
        "NewImage": dal.to_item(slot)}}

    def broken(*_: Any) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(waitlist, "handle_record", broken)
    # A batch whose every record failed is a function error (the mapping bisects and retries it).
    with pytest.raises(BatchProcessingError):
        load_function("offers").handler({"Records": [record]}, Context())
    logged = captured_logs()
    assert "stream record failed" in logged and "RuntimeError" in logged and '"sequenceNumber":"42"' in logged
