"""Malformed requests (issue 13): each gets a contract 4xx from the function, never a 503 or a 500, and an
unknown key in a body is refused without its name reaching the answer or the logs."""
from __future__ import annotations

import base64
import copy
import json
import logging
import sys
from typing import Any

import pytest

from infra.local.events import http_event
from shared.faces import request_limits
from shared.platform.observability import logger
from tests.support import claims_of, event_file, invoke, patients_of

# The seven routes that take a body: (function, a sample event with a valid body).
BODY_ROUTES = {
    "create_hold": ("booking", "booking/create_hold.json"),
    "book_anonymous": ("booking", "booking/book_anonymous.json"),
    "book_signed_in": ("booking", "booking/book_signed_in.json"),
    "cancel_anonymous": ("cancellation", "cancellation/cancel_anonymous.json"),
    "search": ("history", "history/search.json"),
    "attachment_lookup": ("lookup", "lookup/attachment_lookup.json"),
    "registry_change": ("registry", "registry/change_choice.json"),
}


def with_raw_body(sample: str, body: str, content_type: str | None = "application/json",
                  base64_encoded: bool = False) -> dict[str, Any]:
    event = copy.deepcopy(event_file(sample))
    headers = {k: v for k, v in event.get("headers", {}).items() if k != "content-type"}
    if content_type is not None:
        headers["content-type"] = content_type
    event["headers"] = headers
    event["body"] = base64.b64encode(body.encode()).decode() if base64_encoded else body
    event["isBase64Encoded"] = base64_encoded
    return event


def assert_contract(status: int, body: Any, expected: int, code: str) -> dict[str, Any]:
    assert status == expected, body
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture(params=sorted(BODY_ROUTES))
def route(request: pytest.FixtureRequest) -> tuple[str, str]:
    """No table: the limits refuse before any domain code runs (a call reaching DynamoDB would fail 503)."""
    return BODY_ROUTES[request.param]


def test_deep_nesting_is_a_validation_error(route: tuple[str, str]) -> None:
    function, sample = route
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 500 + "1" + "}" * 500,
                 json.dumps({"slotId": [[[[[[[[[["x"]]]]]]]]]]})):
        error = assert_contract(*invoke(function, with_raw_body(sample, body[:request_limits.MAX_BODY_BYTES])),
                                422, "validation_error")
        assert error["details"]["fields"][0]["field"] == "body"


def test_the_issue_nesting_is_refused_as_too_large(route: tuple[str, str]) -> None:
    """The issue's reproduction (200 000 bytes of brackets) is over the size limit before any parsing."""
    function, sample = route
    error = assert_contract(*invoke(function, with_raw_body(sample, "[" * 100_000 + "]" * 100_000)),
                            413, "payload_too_large")
    assert error["details"] == {"limitBytes": request_limits.MAX_BODY_BYTES}


def test_huge_numbers_and_non_json_constants(route: tuple[str, str]) -> None:
    function, sample = route
    for body in ('{"slotId": ' + "7" * 5000 + "}", '{"slotId": 1e999999}', '{"slotId": NaN}',
                 '{"slotId": -Infinity}', '{"slotId": ' + "1" * 4301 + "}"):
        error = assert_contract(*invoke(function, with_raw_body(sample, body)), 422, "validation_error")
        assert error["details"]["fields"][0]["field"] == "body"


def test_a_body_that_is_not_json_by_its_content_type(route: tuple[str, str]) -> None:
    function, sample = route
    valid = event_file(sample)["body"]
    for content_type in ("text/plain", "application/xml", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", "text/json", "application/merge-patch+json",
                         "Application/JSON"):
        assert_contract(*invoke(function, with_raw_body(sample, valid, content_type)), 415, "unsupported_media_type")


def test_json_media_types_are_read(route: tuple[str, str], moto_table: str) -> None:
    """The same valid body with JSON's media types (or none, as Powertools reads it) is not refused by the limits."""
    function, sample = route
    valid = event_file(sample)["body"]
    for content_type in ("application/json; charset=utf-8", "application/json", None):
        status, _ = invoke(function, with_raw_body(sample, valid, content_type))
        assert status not in (413, 415, 500, 503), content_type


def test_not_json_text_and_bad_base64(route: tuple[str, str]) -> None:
    function, sample = route
    for body in ("<xml/>", "{", "\udcff"):
        assert_contract(*invoke(function, with_raw_body(sample, body)), 422, "validation_error")
    event = with_raw_body(sample, "{}")
    event.update(body="***not base64***", isBase64Encoded=True)
    assert_contract(*invoke(function, event), 422, "validation_error")


def test_size_limit_counts_decoded_bytes(moto_table: str) -> None:
    too_big = json.dumps({"slotId": "x" * request_limits.MAX_BODY_BYTES})
    for encoded in (False, True):
        event = with_raw_body("booking/create_hold.json", too_big, base64_encoded=encoded)
        assert_contract(*invoke("booking", event), 413, "payload_too_large")
    # Just under the limit passes the limits (and then fails the model: the slot id is not one).
    fits = json.dumps({"slotId": "x" * (request_limits.MAX_BODY_BYTES - 20)})
    assert_contract(*invoke("booking", with_raw_body("booking/create_hold.json", fits)), 422, "validation_error")


def test_english_answers(moto_table: str) -> None:
    event = with_raw_body("booking/create_hold.json", "{}", "text/plain")
    event["headers"]["accept-language"] = "en"
    error = assert_contract(*invoke("booking", event), 415, "unsupported_media_type")
    assert "JSON" in error["message"] and error["message"].isascii()


# ---------------------------------------------------------------- unknown keys
SECRET_KEY = "morozov_7800000101000000"


def test_unknown_keys_are_refused_without_their_names(moto_table: str, capsys: pytest.CaptureFixture[str],
                                                       caplog: pytest.LogCaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(logger.registered_handler, "stream", sys.stdout)
    sample = event_file("registry/change_choice.json")
    body = json.loads(sample["body"])
    body[SECRET_KEY] = 1
    body["patient"][SECRET_KEY + "_x"] = "y"
    body["patient"]["Морозов"] = "y"
    status, answer = invoke("registry", with_raw_body("registry/change_choice.json", json.dumps(body)))
    error = assert_contract(status, answer, 422, "validation_error")
    assert error["details"]["unknownFields"] == 3
    assert {"field": "body", "problem": "unknown_field"} in error["details"]["fields"]
    assert {"field": "patient", "problem": "unknown_field"} in error["details"]["fields"]
    out, err = capsys.readouterr()
    logged = "\n".join([out, err, *(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)])
    assert "invalid request" in logged  # the capture works
    for text in (json.dumps(answer, ensure_ascii=False), logged):
        assert "morozov" not in text.lower() and "7800000101000000" not in text and "Морозов" not in text


# ---------------------------------------------------------------- dates and the staff route
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2100-01-01"])
@pytest.mark.parametrize("which", ["from", "to"])
def test_out_of_range_dates(moto_table: str, day: str, which: str) -> None:
    event = copy.deepcopy(event_file("lookup/doctor_slots.json"))
    query = {"from": day, "to": day}
    event.update(queryStringParameters=query, rawQueryString=f"from={day}&to={day}")
    if which == "to":
        event["queryStringParameters"] = {"to": day}
        event["rawQueryString"] = f"to={day}"
    error = assert_contract(*invoke("lookup", event), 422, "validation_error")
    assert error["details"]["fields"][0]["problem"] in ("out_of_range", "window")


def test_patient_token_on_the_staff_route_is_forbidden(moto_table: str) -> None:
    patient = patients_of("cl0101")[0]
    sample = event_file("registry/change_choice.json")
    event = http_event("POST", "/v1/registry/attachments", body=sample["body"],
                       headers={"content-type": "application/json"}, claims=claims_of(patient))
    error = assert_contract(*invoke("registry", event), 403, "forbidden")
    assert error["message"] != error["code"]
    assert_contract(*invoke("registry", event_file("registry/change_unsigned.json")), 401, "unauthorized")
