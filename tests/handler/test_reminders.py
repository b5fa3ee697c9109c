"""Reminders (issue 14) under moto: the index keys a booking carries, the job's claims (a day before, then 2 hours
before, never after the start, never for a cancelled or rescheduled appointment), the notifier's email (once),
the opt-out link and `"reminders": false`."""
from __future__ import annotations

import email
import json
import uuid
from email import policy as email_policy
from typing import Any

import pytest

from shared.booking import reminders
from shared.notify import delivery
from shared.platform import dal, keys
from tests.handler.helpers import (
    PATIENT,
    appointment_item,
    at,
    cancel_event,
    reschedule_event,
    retarget,
    sent,
    slot_ahead,
)
from tests.support import claims_of, event_file, http_event, invoke, patient_body

HOUR = 3600


def run_job() -> dict[str, int]:
    from tests.support import Context, load_function

    return load_function("reminder").handler(event_file("reminder/scheduled.json"), Context())  # type: ignore[no-any-return]


def booked_with(reminders_wanted: bool | None, signed_in: bool = False) -> dict[str, Any]:
    slot = slot_ahead(days=3)
    body: dict[str, Any] = {"slotId": slot["id"]}
    if reminders_wanted is not None:
        body["reminders"] = reminders_wanted
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if signed_in:
        event = http_event("POST", "/v1/me/appointments", body, headers=headers, claims=claims_of(PATIENT))
    else:
        event = http_event("POST", "/v1/appointments", {**body, "patient": patient_body(PATIENT)}, headers=headers)
    status, answer = invoke("booking", event)
    assert status == 201, answer
    item = appointment_item(answer["appointment"]["id"])
    assert item
    return item


def stream_record(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {"eventName": "MODIFY", "eventSource": "aws:dynamodb",
            "dynamodb": {"OldImage": dal.to_item(old), "NewImage": dal.to_item(new), "SequenceNumber": "1"}}


# ---------------------------------------------------------------- the index keys
def test_booking_carries_the_first_reminder_in_the_sparse_index(moto_table: str) -> None:
    item = booked_with(None)
    start = int(item["start"])
    assert item["reminders"] is True and len(item["reminderToken"]) >= 20
    assert item["RemPK"] == keys.reminder_shard(item["id"]) and item["RemPK"].startswith("REMIND#")
    assert item["RemSK"] == keys.reminder_sk(start - 1440 * 60, item["id"]) and item["reminderStage"] == 1440


@pytest.mark.parametrize("signed_in", [False, True])
def test_reminders_false_when_booking_leaves_the_index(moto_table: str, signed_in: bool) -> None:
    item = booked_with(False, signed_in=signed_in)
    assert item["reminders"] is False and "RemPK" not in item and "reminderToken" not in item


def test_a_late_booking_gets_only_the_two_hour_reminder() -> None:
    start = 10_000_000
    assert reminders.next_stage(start, start - 5 * HOUR) == 120
    assert reminders.next_stage(start, start - 30 * HOUR) == 1440
    assert reminders.next_stage(start, start - HOUR) is None
    assert reminders.next_stage(start, start - 30 * HOUR, after=1440) == 120
    assert reminders.next_stage(start, start - HOUR, after=1440) is None  # a late run skips the 2 h one


# ---------------------------------------------------------------- the job
def test_job_claims_a_day_before_then_two_hours_before_each_once(moto_table: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    item = booked_with(None)
    start = int(item["start"])
    monkeypatch.setattr(reminders, "sleep", lambda _s: None)
    at(monkeypatch, start - 1440 * 60 - 60)
    assert run_job()["claimed"] == 0  # not yet due
    at(monkeypatch, start - 1440 * 60 + 30)
    assert run_job()["claimed"] == 1
    after = appointment_item(item["id"]) or {}
    assert after["remindedStage"] == 1440 and after["reminderStage"] == 120
    assert after["RemSK"] == keys.reminder_sk(start - 7200, item["id"])
    assert run_job()["claimed"] == 0  # the entry moved on: a second run finds nothing due
    at(monkeypatch, start - 7200 + 30)
    assert run_job()["claimed"] == 1
    last = appointment_item(item["id"]) or {}
    assert last["remindedStage"] == 120 and "RemPK" not in last and "RemSK" not in last


def test_cancelled_and_rescheduled_appointments_are_never_reminded(moto_table: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminders, "sleep", lambda _s: None)
    first = booked_with(None)
    status, _ = invoke("cancellation", cancel_event(first["id"]))
    assert status == 200
    assert "RemPK" not in (appointment_item(first["id"]) or {})
    second = booked_with(None)
    status, moved = invoke("booking", reschedule_event(second["id"], slot_ahead(days=3, index=4)["id"]))
    assert status == 201, moved
    old = appointment_item(second["id"]) or {}
    new = appointment_item(moved["appointment"]["id"]) or {}
    assert "RemPK" not in old and new["RemSK"].startswith(f"{int(new['start']) - 86400:011d}#")
    assert new["reminderToken"] != second["reminderToken"]
    at(monkeypatch, int(new["start"]) - 1440 * 60 + 30)
    assert run_job()["claimed"] == 1  # only the new one
    assert (appointment_item(new["id"]) or {}).get("remindedStage") == 1440
    assert "remindedStage" not in (appointment_item(first["id"]) or {})


def test_never_after_the_start(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminders, "sleep", lambda _s: None)
    item = booked_with(None)
    at(monkeypatch, int(item["start"]) + 60)  # the job was down all day
    result = run_job()
    assert result["claimed"] == 0 and result["examined"] == 1
    assert "remindedStage" not in (appointment_item(item["id"]) or {})


# ---------------------------------------------------------------- the email
def test_notifier_sends_the_claimed_reminder_once(notifier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminders, "sleep", lambda _s: None)
    item = booked_with(None)
    start = int(item["start"])
    at(monkeypatch, start - 1440 * 60 + 30)
    before = appointment_item(item["id"]) or {}
    assert run_job()["claimed"] == 1
    after = appointment_item(item["id"]) or {}
    record = stream_record(before, after)
    outbox_before = len(sent())

    assert delivery.handle_record(record) == delivery.SENT
    assert delivery.handle_record(record) == delivery.DUPLICATE  # a replayed record: no second email

    mails = sent()[outbox_before:]
    assert len(mails) == 1
    msg = email.message_from_string(mails[0]["raw"], policy=email_policy.default)
    assert str(msg["Subject"]).startswith("Напоминание")
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"/#/cancel/{item['id']}" in text and f"/#/reschedule/{item['id']}" in text
    assert f"/#/reminders-off/{item['id']}/{item['reminderToken']}" in text
    assert (appointment_item(item["id"]) or {}).get("reminder1440EmailSentAt")
    # The marker writes are stream records too: the notifier tells them from a new stage.
    marked = appointment_item(item["id"]) or {}
    assert delivery.classify(stream_record(after, marked)) is None


def test_notifier_skips_a_reminder_cancelled_meanwhile(notifier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminders, "sleep", lambda _s: None)
    item = booked_with(None)
    at(monkeypatch, int(item["start"]) - 1440 * 60 + 30)
    before = appointment_item(item["id"]) or {}
    assert run_job()["claimed"] == 1
    after = appointment_item(item["id"]) or {}
    assert invoke("cancellation", cancel_event(item["id"]))[0] == 200
    outbox_before = len(sent())
    assert delivery.handle_record(stream_record(before, after)) == delivery.SKIPPED
    assert len(sent()) == outbox_before


# ---------------------------------------------------------------- opt-out
def off_event(appointment_id: str, token: str) -> dict[str, Any]:
    event = retarget(event_file("cancellation/reminders_off.json"), appointment_id)
    event["body"] = json.dumps({"token": token})
    return event


def test_opt_out_link_turns_reminders_off_with_its_token_only(moto_table: str) -> None:
    item = booked_with(None)
    status, body = invoke("cancellation", off_event(item["id"], "x" * 22))
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert "RemPK" in (appointment_item(item["id"]) or {})
    status, body = invoke("cancellation", off_event(item["id"], item["reminderToken"]))
    assert status == 200 and body == {"appointmentId": item["id"], "reminders": False}
    after = appointment_item(item["id"]) or {}
    assert after["reminders"] is False and "RemPK" not in after and after["status"] == "booked"
    assert invoke("cancellation", off_event(item["id"], item["reminderToken"]))[0] == 200  # one click, twice
