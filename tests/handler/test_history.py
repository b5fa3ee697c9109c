"""History function under moto: the history of applications (signed in) and the anonymous search."""
from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from shared.platform import clock
from tests.handler.helpers import OLD_STYLE, OTHER, PATIENT, at, book, cancel_event, slot_ahead
from tests.support import claims_of, event_file, invoke


def history_event(query: dict[str, str] | None = None, claims: dict[str, str] | None = None) -> dict[str, Any]:
    event = copy.deepcopy(event_file("history/history.json"))
    if query is not None:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    if claims is not None:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = claims
    return event


def search_event(body: dict[str, Any] | None = None) -> dict[str, Any]:
    event = copy.deepcopy(event_file("history/search.json"))
    if body is not None:
        event["body"] = json.dumps(body, ensure_ascii=False)
    return event


def error(result: tuple[int, Any]) -> tuple[int, str]:
    return result[0], result[1]["error"]["code"]


def test_sample_events_name_the_first_demo_patient() -> None:
    body = json.loads(event_file("history/search.json")["body"])
    assert body == {"policyNumber": PATIENT["policyNumber"], "lastName": PATIENT["lastName"],
                    "birthDate": PATIENT["birthDate"]}
    claims = event_file("history/history.json")["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims == claims_of(PATIENT)


def test_history_newest_first_every_status_also_anonymous_bookings_paginated(
        moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    t0 = clock.now()
    at(monkeypatch, t0)
    oldest = book(PATIENT, slot_ahead()["id"])  # anonymous, before signing in
    at(monkeypatch, t0 + 10)
    middle = book(PATIENT, slot_ahead("cl0101-d05")["id"], signed_in=True)
    at(monkeypatch, t0 + 20)
    newest = book(PATIENT, slot_ahead("cl0101-d04")["id"])
    book(OTHER, slot_ahead(index=1)["id"])  # another patient's: never in this history
    at(monkeypatch, t0 + 30)
    assert invoke("cancellation", cancel_event(oldest["id"]))[0] == 200

    status, page = invoke("history", history_event())
    assert status == 200, page
    assert [a["id"] for a in page["items"]] == [newest["id"], middle["id"], oldest["id"]]
    assert [a["status"] for a in page["items"]] == ["booked", "booked", "cancelled"]
    assert page["nextToken"] is None
    first = page["items"][0]
    assert first["number"] == newest["number"] and first["start"] == newest["start"]
    assert first["clinic"]["id"] == "cl0101" and first["doctor"]["id"] == "cl0101-d04"
    assert page["items"][2]["cancelledBy"] == "patient"

    # Pages of two: no item lost or repeated, the last page has no token.
    status, one = invoke("history", history_event({"limit": "2"}))
    assert status == 200 and len(one["items"]) == 2 and one["nextToken"]
    assert PATIENT["policyNumber"] not in base64.urlsafe_b64decode(one["nextToken"] + "==").decode()
    status, two = invoke("history", history_event({"limit": "2", "nextToken": one["nextToken"]}))
    assert status == 200 and two["nextToken"] is None
    assert [a["id"] for a in one["items"] + two["items"]] == [a["id"] for a in page["items"]]

    # A past appointment stays in the history.
    at(monkeypatch, t0 + 30 * 86400)
    status, later = invoke("history", history_event())
    assert status == 200 and len(later["items"]) == 3

    # The other patient sees only their own.
    status, theirs = invoke("history", history_event(claims=claims_of(OTHER)))
    assert status == 200 and len(theirs["items"]) == 1
    assert {a["id"] for a in theirs["items"]}.isdisjoint(a["id"] for a in page["items"])


def test_empty_history(moto_table: str) -> None:
    status, page = invoke("history", history_event())
    assert status == 200 and page == {"items": [], "nextToken": None}


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "51"}, {"limit": "ten"},
                                   {"nextToken": "not base64 at all!"},
                                   {"nextToken": base64.urlsafe_b64encode(b'{"PK":{"S":"APPT#x"}}').decode()},
                                   {"nextToken": "x" * 201}])
def test_bad_page_parameters_are_validation_errors(moto_table: str, query: dict[str, str]) -> None:
    assert error(invoke("history", history_event(query))) == (422, "validation_error")


def test_history_needs_sign_in(moto_table: str) -> None:
    event = history_event()
    del event["requestContext"]["authorizer"]
    assert error(invoke("history", event)) == (401, "unauthorized")


def test_claims_without_policy_are_unauthorized(moto_table: str) -> None:
    claims = {k: v for k, v in claims_of(PATIENT).items() if k != "oms_policy_number"}
    assert error(invoke("history", history_event(claims=claims))) == (401, "unauthorized")


def test_search_finds_future_booked_appointments_by_policy_and_birth_date(
        moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    kept_slot = slot_ahead()
    kept = book(PATIENT, kept_slot["id"])
    dropped = book(PATIENT, slot_ahead("cl0101-d05")["id"])
    assert invoke("cancellation", cancel_event(dropped["id"]))[0] == 200

    status, found = invoke("history", search_event())
    assert status == 200, found
    assert [a["id"] for a in found["items"]] == [kept["id"]]
    assert found["items"][0]["number"] == kept["number"]

    # Another birth date, another policy: an empty list, the same as nothing at all.
    wrong_birth = {"policyNumber": PATIENT["policyNumber"], "lastName": PATIENT["lastName"],
                   "birthDate": "1990-01-01"}
    assert invoke("history", search_event(wrong_birth)) == (200, {"items": []})
    wrong_name = {"policyNumber": PATIENT["policyNumber"], "lastName": "Иванов", "birthDate": PATIENT["birthDate"]}
    assert invoke("history", search_event(wrong_name)) == (200, {"items": []})
    unknown = {"policyNumber": "1234567890123456", "lastName": PATIENT["lastName"], "birthDate": PATIENT["birthDate"]}
    assert invoke("history", search_event(unknown)) == (200, {"items": []})

    # Once it has started it is no longer something to cancel.
    at(monkeypatch, kept_slot["epoch"])
    assert invoke("history", search_event()) == (200, {"items": []})


def test_search_with_series(moto_table: str) -> None:
    ticket = book(OLD_STYLE, slot_ahead()["id"])
    body = {"policyNumber": OLD_STYLE["policyNumber"], "lastName": OLD_STYLE["lastName"],
            "birthDate": OLD_STYLE["birthDate"]}
    assert invoke("history", search_event(body)) == (200, {"items": []})
    status, found = invoke("history", search_event({**body, "policySeries": OLD_STYLE["policySeries"]}))
    assert status == 200 and [a["id"] for a in found["items"]] == [ticket["id"]]


@pytest.mark.parametrize("body", [{"policyNumber": PATIENT["policyNumber"]},
                                  {"policyNumber": "abc", "birthDate": "1978-06-02"},
                                  {"policyNumber": PATIENT["policyNumber"], "birthDate": "02.06.1978"}])
def test_search_bad_input_is_validation_error(moto_table: str, body: dict[str, Any]) -> None:
    status, out = invoke("history", search_event(body))
    assert (status, out["error"]["code"]) == (422, "validation_error")
    assert PATIENT["policyNumber"] not in json.dumps(out)
