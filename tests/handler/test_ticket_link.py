"""The ticket's link (shared/booking/ticket_link.py): GET /v1/appointments/{id}?t=<token> answers the ticket to whoever
holds the link the booking gave, in any tab; a wrong, missing or borrowed token is as unknown as a made-up id."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from shared.booking import ticket_link
from tests.handler.helpers import OTHER, PATIENT, at, book, cancel_event, slot_ahead
from tests.support import http_event, invoke


def token_of(appointment: dict) -> str:
    url = appointment["ticketUrl"]
    assert url.split("#")[1].startswith(f"/ticket/{appointment['id']}?t=")
    return parse_qs(urlparse(url.split("#")[1]).query)["t"][0]


def get(appointment_id: str, token: str | None, lang: str = "ru") -> tuple[int, dict]:
    query = {"t": token} if token is not None else {}
    return invoke("history", http_event("GET", f"/v1/appointments/{appointment_id}", query=query,
                                        headers={"Accept-Language": lang},
                                        route="GET /v1/appointments/{appointmentId}"))


def test_the_link_opens_the_ticket_and_follows_its_status(moto_table: str) -> None:
    booked = book(PATIENT, slot_ahead()["id"])
    token = token_of(booked)
    assert len(token) == ticket_link.TOKEN_LENGTH
    # The emailed cancellation link carries the same token, so the cancel page can say which appointment it is.
    assert booked["cancellation"]["url"].endswith(f"/#/cancel/{booked['id']}?t={token}")

    status, body = get(booked["id"], token)
    assert status == 200, body
    assert body["appointment"]["id"] == booked["id"] and body["appointment"]["status"] == "booked"
    assert body["appointment"]["number"] == booked["number"]
    status, body = get(booked["id"], token, "en")
    assert status == 200 and body["appointment"]["cancellation"]["hint"].startswith("You can cancel")

    assert invoke("cancellation", cancel_event(booked["id"]))[0] == 200
    status, body = get(booked["id"], token)
    assert status == 200 and body["appointment"]["status"] == "cancelled"


def test_a_wrong_missing_or_borrowed_token_is_not_found(moto_table: str) -> None:
    mine = book(PATIENT, slot_ahead()["id"])
    theirs = book(OTHER, slot_ahead("cl0101-d02")["id"])
    for token in ["x" * ticket_link.TOKEN_LENGTH, token_of(theirs), token_of(mine)[:-1]]:
        status, body = get(mine["id"], token)
        assert status == 404 and body["error"]["code"] == "not_found", token
    status, body = get("not-an-id", token_of(mine))
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = get(mine["id"], None)
    assert status == 422 and body["error"]["code"] == "validation_error"


def test_a_same_day_ticket_does_not_ask_to_cancel_a_day_before(moto_table: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    slot = slot_ahead(days=2)
    booked = book(PATIENT, slot["id"])
    assert "не позднее чем за сутки" in booked["cancellation"]["hint"]
    at(monkeypatch, slot["epoch"] - 3 * 3600)  # the morning of the appointment
    status, body = get(booked["id"], token_of(booked))
    assert status == 200, body
    hint = body["appointment"]["cancellation"]["hint"]
    assert "за сутки" not in hint and "как можно раньше" in hint
