"""Privacy: a patient's policy number, last name, birth date and email never reach the logs.

The JSON logs of the Powertools logger go to stdout (captured with capsys); anything logged at INFO or
above through the standard logging tree (botocore, pydantic, the Lambda runtime's root logger) is captured
with caplog. Both are searched for every personal value of the patient, in the forms it might take.
"""
from __future__ import annotations

from typing import Any

import pytest

from shared.platform import clock
from tests.handler.helpers import anonymous_event, assert_clean, body_of, free_slots, hold, signed_in_event, with_body
from tests.support import invoke, patients_of


def test_booking_logs_no_personal_data(moto_table: str, captured_logs: Any) -> None:
    patient = patients_of("cl0101")[0]
    slot = free_slots()[0]
    captured_logs()  # drop what the setup logged
    hold_id = hold(slot)
    event = anonymous_event(slot, patient, hold_id)
    assert invoke("booking", event)[0] == 201
    assert invoke("booking", event)[0] == 201  # the idempotent replay logs too
    text = captured_logs()
    assert '"message":"appointment booked"' in text  # the JSON line (capsys)
    assert "appointment booked {" in text  # the log record (caplog)
    assert_clean(text, patient)


def test_refusals_log_no_personal_data(moto_table: str, captured_logs: Any) -> None:
    patient = patients_of("cl0101")[2]  # old-style policy with a series
    other = patients_of("cl0102")[0]
    slot = free_slots()[0]
    captured_logs()
    results = [
        invoke("booking", anonymous_event(slot, dict(patient, birthDate="1990-01-01"))),  # patient_not_found
        invoke("booking", anonymous_event(slot, other)),  # not_attached
    ]
    bad = anonymous_event(slot, patient)
    body = body_of(bad)
    body["patient"]["email"] = "not-an-email " + patient["email"]
    results.append(invoke("booking", with_body(bad, body)))  # validation_error
    assert [r[0] for r in results] == [403, 403, 422]
    text = captured_logs()
    assert_clean(text, patient)
    assert_clean(text, other)


def test_signed_in_booking_logs_no_personal_data(moto_table: str, captured_logs: Any) -> None:
    patient = patients_of("cl0101")[1]
    slot = free_slots()[0]
    captured_logs()
    assert invoke("booking", signed_in_event(slot, patient))[0] == 201
    assert_clean(captured_logs(), patient)


def test_unexpected_failure_logs_no_personal_data(moto_table: str, captured_logs: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug deep inside must not print the request (the exception's message could quote it)."""
    patient = patients_of("cl0101")[0]
    slot = free_slots()[0]

    def broken() -> int:
        raise RuntimeError(f"boom {patient['policyNumber']} {patient['lastName']} {patient['email']}")

    captured_logs()
    monkeypatch.setattr(clock, "now", broken)
    status, body = invoke("booking", anonymous_event(slot, patient))
    assert status == 503 and body["error"]["code"] == "unavailable"
    assert_clean(captured_logs(), patient)


def test_a_form_encoded_body_is_refused_without_echoing_it(moto_table: str, capsys) -> None:
    """curl -d without a JSON content type: refused as not JSON, and the answer quotes none of the request's text."""
    from tests.support import PATIENTS, http_event, invoke, patient_body

    p = PATIENTS[0]
    body = {"slotId": "cl0101-d01.202611260500", "patient": patient_body(p)}
    event = http_event("POST", "/v1/appointments", body, headers={"Idempotency-Key": "k-form",
                                                                  "Content-Type": "application/x-www-form-urlencoded"})
    status, answer = invoke("booking", event)
    assert status == 415 and answer["error"]["code"] == "unsupported_media_type"  # a body that is not JSON
    printed = repr(answer) + capsys.readouterr().out
    for secret in (p["policyNumber"], p["lastName"], p["email"], p["birthDate"]):
        assert secret not in printed
