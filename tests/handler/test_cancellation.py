"""Cancellation function under moto: the happy paths, every refusal, and what the table looks like after."""
from __future__ import annotations

import json
from typing import Any

import pytest

from shared.patients import policy
from shared.platform import dal, keys
from tests.handler.helpers import (
    DAY,
    DOCTOR,
    OLD_STYLE,
    OTHER,
    PATIENT,
    appointment_item,
    at,
    book,
    cancel_event,
    doctor_of,
    free_slot_items,
    lock_item,
    policy_of,
    retarget,
    slot_ahead,
    slot_item,
)
from tests.support import event_file, http_event, invoke


def test_sample_events_name_the_demo_patients() -> None:
    assert json.loads(event_file("cancellation/cancel_anonymous.json")["body"]) == policy_of(PATIENT)
    assert json.loads(event_file("cancellation/cancel_anonymous_series.json")["body"]) == policy_of(OLD_STYLE)
    assert OLD_STYLE["policySeries"]


# ---------------------------------------------------------------- happy paths
def test_anonymous_cancel_frees_slot_restores_availability_and_releases_lock(moto_table: str) -> None:
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"])
    booked = slot_item(slot["id"])
    assert booked["status"] == "booked" and "AvPK" not in booked
    assert lock_item(PATIENT, "therapist")

    status, body = invoke("cancellation", cancel_event(ticket["id"]))

    assert status == 200, body
    appt = body["appointment"]
    assert appt["id"] == ticket["id"] and appt["status"] == "cancelled" and appt["cancelledBy"] == "patient"
    assert appt["start"] == ticket["start"] and appt["number"] == ticket["number"]
    assert appt["cancelledAt"] is not None
    assert body["lateCancellation"] is False and body["notice"] is None
    stored = appointment_item(ticket["id"])
    assert stored and stored["status"] == "cancelled" and stored["cancelledBy"] == "patient"
    freed = slot_item(slot["id"])
    assert freed["status"] == "free" and "appointmentId" not in freed
    assert freed["AvPK"] == "AV#cl0101#therapist" and freed["AvSK"] == booked.get("AvSK", freed["AvSK"])
    assert freed["AvSK"] == keys.availability_sk(slot["epoch"], DOCTOR)
    assert freed["bookings"] == 1  # kept, so the next booking of this slot gets a new number
    assert lock_item(PATIENT, "therapist") is None


def test_cancel_then_rebook_slot_is_in_lookup_and_bookable_again(moto_table: str) -> None:
    slot = slot_ahead()
    first = book(PATIENT, slot["id"])
    assert slot["id"] not in {s["id"] for s in free_slot_items(DOCTOR)}
    status, _ = invoke("cancellation", cancel_event(first["id"]))
    assert status == 200

    assert slot["id"] in {s["id"] for s in free_slot_items(DOCTOR)}
    status, specialties = invoke("lookup", http_event("GET", "/v1/clinics/cl0101/specialties"))
    assert status == 200
    assert any(s["id"] == "therapist" and s["freeSlots"] > 0 for s in specialties["items"])
    # Another patient takes the slot; the ticket number is not reused.
    second = book(OTHER, slot["id"])
    assert second["number"] == first["number"] + "-2"
    assert slot_item(slot["id"])["appointmentId"] == second["id"]
    # And the first patient may book the same specialty again: the lock was released.
    book(PATIENT, slot_ahead(index=1)["id"])


def test_signed_in_owner_cancels_from_history(moto_table: str) -> None:
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"], signed_in=True)
    event = retarget(event_file("cancellation/cancel_signed_in.json"), ticket["id"])

    status, body = invoke("cancellation", event)

    assert status == 200, body
    assert body["appointment"]["status"] == "cancelled"
    assert slot_item(slot["id"])["status"] == "free"


def test_signed_in_cancels_an_appointment_booked_anonymously_with_the_same_policy(moto_table: str) -> None:
    ticket = book(PATIENT, slot_ahead()["id"])
    event = retarget(event_file("cancellation/cancel_signed_in.json"), ticket["id"])
    status, body = invoke("cancellation", event)
    assert status == 200 and body["appointment"]["status"] == "cancelled"


def test_policy_with_series_cancels_with_its_series(moto_table: str) -> None:
    ticket = book(OLD_STYLE, slot_ahead()["id"])
    # Without the series it is another policy: as unknown as a made-up id.
    status, body = invoke("cancellation", cancel_event(ticket["id"], {"policyNumber": OLD_STYLE["policyNumber"]}))
    assert status == 404 and body["error"]["code"] == "not_found"
    event = retarget(event_file("cancellation/cancel_anonymous_series.json"), ticket["id"])
    status, body = invoke("cancellation", event)
    assert status == 200, body
    assert body["appointment"]["status"] == "cancelled"


def test_late_cancellation_is_allowed_with_a_notice(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"])
    at(monkeypatch, slot["epoch"] - 3600)

    status, body = invoke("cancellation", cancel_event(ticket["id"]))

    assert status == 200, body
    assert body["lateCancellation"] is True
    assert "за сутки" in body["notice"]
    assert slot_item(slot["id"])["status"] == "free"


def test_late_cancellation_notice_in_english(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"])
    at(monkeypatch, slot["epoch"] - DAY + 60)
    status, body = invoke("cancellation", cancel_event(ticket["id"], lang="en"))
    assert status == 200 and body["lateCancellation"] is True
    assert "a day" in body["notice"]


def test_exactly_a_day_before_is_not_late(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"])
    at(monkeypatch, slot["epoch"] - DAY)
    status, body = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 200 and body["lateCancellation"] is False and body["notice"] is None


def test_cancel_is_one_read_and_one_transaction(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = book(PATIENT, slot_ahead()["id"])
    calls: list[str] = []
    real_client = dal.client()

    class Counting:
        def __getattr__(self, name: str) -> Any:
            calls.append(name)
            return getattr(real_client, name)

    monkeypatch.setattr(dal, "client", lambda: Counting())
    status, _ = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 200
    # One read: the appointment with the policy's failed-check counter (shared/patients/limiter.py, anonymous only).
    assert calls == ["batch_get_item", "transact_write_items"]


# ---------------------------------------------------------------- refusals
def test_unknown_id_and_wrong_policy_get_the_same_not_found(moto_table: str) -> None:
    ticket = book(OTHER, slot_ahead()["id"])
    # The sample event names a placeholder id: no such appointment.
    unknown = invoke("cancellation", event_file("cancellation/cancel_anonymous.json"))
    # PATIENT's policy against OTHER's appointment.
    wrong_policy = invoke("cancellation", cancel_event(ticket["id"]))
    assert unknown == wrong_policy
    assert unknown[0] == 404 and unknown[1]["error"]["code"] == "not_found"
    assert appointment_item(ticket["id"])["status"] == "booked"  # type: ignore[index]


@pytest.mark.parametrize("appointment_id", ["short", "x" * 65, "bad$chars-but-long-enough-000"])
def test_malformed_id_is_not_found(moto_table: str, appointment_id: str) -> None:
    status, body = invoke("cancellation", cancel_event(appointment_id))
    assert status == 404 and body["error"]["code"] == "not_found"


def test_signed_in_patient_cannot_cancel_anothers_appointment(moto_table: str) -> None:
    slot = slot_ahead()
    ticket = book(OTHER, slot["id"])
    event = retarget(event_file("cancellation/cancel_signed_in.json"), ticket["id"])  # PATIENT's claims
    status, body = invoke("cancellation", event)
    assert status == 404 and body["error"]["code"] == "not_found"
    assert slot_item(slot["id"])["status"] == "booked"
    assert appointment_item(ticket["id"])["status"] == "booked"  # type: ignore[index]


def test_signed_in_route_without_claims_is_unauthorized(moto_table: str) -> None:
    event = event_file("cancellation/cancel_signed_in.json")
    del event["requestContext"]["authorizer"]
    status, body = invoke("cancellation", event)
    assert status == 401 and body["error"]["code"] == "unauthorized"


def test_a_retried_cancel_gets_the_first_answer_and_a_day_later_already_cancelled(
        moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = book(PATIENT, slot_ahead()["id"])
    first = invoke("cancellation", cancel_event(ticket["id"]))
    assert first[0] == 200
    before = appointment_item(ticket["id"])
    # The retry (a lost answer, a second click) is answered as the cancellation was, and writes nothing.
    assert invoke("cancellation", cancel_event(ticket["id"])) == first
    assert appointment_item(ticket["id"]) == before
    at(monkeypatch, int(before["cancelledAt"]) + 24 * 3600)
    status, body = invoke("cancellation", cancel_event(ticket["id"], lang="en"))
    assert status == 409 and body["error"]["code"] == "already_cancelled"
    assert body["error"]["message"] == "The appointment has already been cancelled."


def test_cancelled_then_slot_rebooked_second_cancel_leaves_new_booking_alone(moto_table: str) -> None:
    slot = slot_ahead()
    first = book(PATIENT, slot["id"])
    assert invoke("cancellation", cancel_event(first["id"]))[0] == 200
    second = book(OTHER, slot["id"])
    status, body = invoke("cancellation", cancel_event(first["id"]))
    assert status == 200 and body["appointment"]["status"] == "cancelled"
    assert slot_item(slot["id"])["appointmentId"] == second["id"]
    assert lock_item(OTHER, "therapist")


@pytest.mark.parametrize("after", [0, 600])
def test_started_appointment_cannot_be_cancelled(moto_table: str, monkeypatch: pytest.MonkeyPatch,
                                                 after: int) -> None:
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"])
    at(monkeypatch, slot["epoch"] + after)
    status, body = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 409 and body["error"]["code"] == "appointment_started"
    assert slot_item(slot["id"])["status"] == "booked"
    assert appointment_item(ticket["id"])["status"] == "booked"  # type: ignore[index]


@pytest.mark.parametrize(("meanwhile", "code"), [("cancelled", "already_cancelled"),
                                               ("fulfilled", "appointment_started")])
def test_a_change_between_read_and_write_is_refused_by_the_write(moto_table: str, monkeypatch: pytest.MonkeyPatch,
                                                                 meanwhile: str, code: str) -> None:
    """The read saw `booked`; the state changed before the transaction: its condition refuses, and the
    ALL_OLD reason says why without another read."""
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"])
    real_batch_get = dal.batch_get
    reads: list[str] = []

    def read_then_change(wanted: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        items = real_batch_get(wanted, *args, **kwargs)
        reads.extend(k["PK"]["S"] for k in wanted)
        appt_key = keys.appointment_key(ticket["id"])
        dal.update(appt_key, "SET #st = :s", values={":s": meanwhile}, names={"#st": "status"})
        return items

    monkeypatch.setattr(dal, "batch_get", read_then_change)
    status, body = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 409 and body["error"]["code"] == code
    assert reads[0] == f"APPT#{ticket['id']}" and len(reads) == 2  # with the policy's limiter item
    assert slot_item(slot["id"])["status"] == "booked"
    assert lock_item(PATIENT, "therapist")


def test_fulfilled_appointment_cannot_be_cancelled(moto_table: str) -> None:
    ticket = book(PATIENT, slot_ahead()["id"])
    dal.update(keys.appointment_key(ticket["id"]), "SET #st = :f", values={":f": "fulfilled"},
               names={"#st": "status"})
    status, body = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 409 and body["error"]["code"] == "appointment_started"


@pytest.mark.parametrize("body", [{"policyNumber": "12ab"}, {}, {"policyNumber": "1234567", "extra": 1},
                                  {"policyNumber": "1234567", "policySeries": "№!"}])
def test_bad_policy_input_is_validation_error(moto_table: str, body: dict[str, Any]) -> None:
    status, out = invoke("cancellation", cancel_event("SAMPLEappointmentId00000", body))
    assert status == 422 and out["error"]["code"] == "validation_error"
    assert PATIENT["policyNumber"] not in str(out)


def test_missing_body_is_validation_error(moto_table: str) -> None:
    event = cancel_event("SAMPLEappointmentId00000")
    del event["body"]
    status, out = invoke("cancellation", event)
    assert status == 422 and out["error"]["code"] == "validation_error"


# ---------------------------------------------------------------- anomalies: never free what is not ours
def test_slot_pointing_elsewhere_is_left_alone(moto_table: str) -> None:
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"])
    dal.update(keys.slot_key(slot["id"]) or {}, "SET appointmentId = :other", values={":other": "someone-else"})
    status, body = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 200 and body["appointment"]["status"] == "cancelled"
    kept = slot_item(slot["id"])
    assert kept["status"] == "booked" and kept["appointmentId"] == "someone-else" and "AvPK" not in kept
    assert lock_item(PATIENT, "therapist") is None


def test_lock_held_by_another_appointment_is_left_alone(moto_table: str) -> None:
    slot = slot_ahead()
    ticket = book(PATIENT, slot["id"])
    h = policy.policy_hash(PATIENT["policyNumber"])
    lock_key = keys.key(keys.policy_pk(h), keys.specialty_lock_sk("therapist"))
    dal.update(lock_key, "SET appointmentId = :other", values={":other": "newer-appointment"})
    status, _ = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 200
    assert slot_item(slot["id"])["status"] == "free"
    assert (lock_item(PATIENT, "therapist") or {}).get("appointmentId") == "newer-appointment"


def test_missing_lock_does_not_block_cancellation(moto_table: str) -> None:
    slot = slot_ahead(doctor_of("ophthalmologist"))
    ticket = book(PATIENT, slot["id"])
    h = policy.policy_hash(PATIENT["policyNumber"])
    dal.client().delete_item(TableName=moto_table,
                             Key=keys.key(keys.policy_pk(h), keys.specialty_lock_sk("ophthalmologist")))
    status, _ = invoke("cancellation", cancel_event(ticket["id"]))
    assert status == 200
    assert slot_item(slot["id"])["status"] == "free"
