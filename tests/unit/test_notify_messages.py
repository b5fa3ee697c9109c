"""The ticket and cancellation emails: MIME structure, content in both languages, and the .ics read back
with icalendar, its times checked against the slot."""
from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from typing import Any

import pytest
from icalendar import Calendar

from shared.booking import tickets
from shared.notify import messages
from shared.platform import clock, config, dal
from tests.support import event_file

SENDER = "no-reply@zapis.example.org"


@pytest.fixture(autouse=True)
def base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://zapis.example.org")
    monkeypatch.setenv("CLINIC_TIMEZONE", "Europe/Moscow")
    clock.zone.cache_clear()
    config.settings.cache_clear()


def appointment(lang: str = "ru", kind: str = messages.TICKET) -> dict[str, Any]:
    name = "cancellation_modify.json" if kind == messages.CANCELLATION else "ticket_insert.json"
    appt = dal.from_item(event_file(f"notifier/{name}")["Records"][0]["dynamodb"]["NewImage"]) or {}
    return dict(appt, lang=lang)


def parse(appt: dict[str, Any], kind: str) -> email.message.EmailMessage:
    raw = messages.build(appt, kind, sender=SENDER, reply_to="registry@zapis.example.org").as_bytes()
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def parts(msg: email.message.EmailMessage) -> dict[str, Any]:
    return {p.get_content_type(): p for p in msg.walk()}


def calendar_of(msg: email.message.EmailMessage) -> Calendar:
    part = parts(msg)["text/calendar"]
    content = part.get_content()
    return Calendar.from_ical(content if isinstance(content, bytes) else content.encode())


def test_structure_is_alternative_text_and_html_plus_calendar() -> None:
    msg = parse(appointment(), messages.TICKET)
    assert msg.get_content_type() == "multipart/mixed"
    first, attachment = list(msg.iter_parts())
    assert first.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename().endswith(".ics")
    assert msg["From"].addresses[0].addr_spec == SENDER
    assert msg["Reply-To"] == "registry@zapis.example.org"
    assert msg["To"] == appointment()["email"]
    assert msg["Content-Language"] == "ru"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_ticket_carries_everything_the_page_shows(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    appt = appointment(lang)
    monkeypatch.setattr(clock, "now", lambda: int(appt["start"]) - 3 * 86400)  # booked three days ahead
    page = tickets.render(appt, lang)
    msg = parse(appt, messages.TICKET)
    text = msg.get_body(("plain",)).get_content()
    body_html = msg.get_body(("html",)).get_content()
    start = datetime.fromisoformat(page["start"])
    end = datetime.fromisoformat(page["end"])
    expected = [page["number"], page["clinic"]["name"], page["clinic"]["address"], page["clinic"]["phone"],
                page["doctor"]["name"], page["doctor"]["specialty"], str(page["room"]),
                f"{start:%H:%M}–{end:%H:%M}", f"UTC{start:%z}"[:6] + ":" + f"{start:%z}"[3:],
                page["cancellation"]["url"], page["patient"]["lastName"]]
    for fact in expected:
        assert fact in text, fact
    assert str(start.day) in text and str(start.year) in text
    assert page["cancellation"]["hint"] in text
    assert ("не позднее чем за сутки" if lang == "ru" else "at least a day before") in text
    assert f'lang="{lang}"' in body_html
    assert f'href="{page["cancellation"]["url"]}"' in body_html
    assert page["clinic"]["name"] in body_html and page["number"] in body_html
    assert page["number"] in msg["Subject"]
    if lang == "en":
        assert appt["clinicNameEn"] in text and appt["doctorNameEn"] in text
        assert msg["Subject"].startswith("Appointment ticket")
        assert "November" in text
    else:
        assert appt["clinicName"] in text and appt["doctorName"] in text
        assert msg["Subject"].startswith("Талон на приём к врачу")
        assert "ноября" in text


def test_local_time_is_the_clinics_wall_clock() -> None:
    # 1795671600 is 05:40 UTC: the clinic's (Moscow) wall clock says 08:40, as the page does.
    appt = appointment()
    assert appt["start"] == 1795671600
    text = parse(appt, messages.TICKET).get_body(("plain",)).get_content()
    assert "08:40–09:00" in text
    assert "05:40" not in text
    assert tickets.render(appt, "ru")["start"] == "2026-11-26T08:40:00+03:00"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_ticket_calendar_is_a_request_at_the_slot_time(lang: str) -> None:
    appt = appointment(lang)
    cal = calendar_of(parse(appt, messages.TICKET))
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == appt["id"]
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert int(start.timestamp()) == appt["start"] and int(end.timestamp()) == appt["end"]
    assert start.astimezone(UTC) == datetime.fromtimestamp(appt["start"], UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Moscow"]
    assert str(event["ORGANIZER"]) == f"mailto:{SENDER}"
    assert str(event["ATTENDEE"]) == f"mailto:{appt['email']}"
    assert tickets.render(appt, lang)["clinic"]["address"] in str(event["LOCATION"])


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_cancellation_removes_the_event(lang: str) -> None:
    appt = appointment(lang, messages.CANCELLATION)
    msg = parse(appt, messages.CANCELLATION)
    assert parts(msg)["text/calendar"].get_param("method") == "CANCEL"
    cal = calendar_of(msg)
    assert str(cal["METHOD"]) == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == appt["id"]
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event.decoded("DTSTART").timestamp()) == appt["start"]
    assert int(event.decoded("DTSTAMP").timestamp()) == appt["cancelledAt"]
    text = msg.get_body(("plain",)).get_content()
    page = tickets.render(appt, lang)
    assert page["number"] in text and page["clinic"]["name"] in text and page["doctor"]["name"] in text
    if lang == "en":
        assert msg["Subject"].startswith("Appointment cancelled")
        assert "cancelled" in text
    else:
        assert msg["Subject"].startswith("Запись на приём отменена")
        assert "Запись отменена" in text
    # A cancellation does not offer to cancel again.
    assert page["cancellation"]["url"] not in text


def test_same_uid_for_ticket_and_cancellation() -> None:
    ticket = calendar_of(parse(appointment(), messages.TICKET)).walk("VEVENT")[0]
    cancel = calendar_of(parse(appointment(kind=messages.CANCELLATION), messages.CANCELLATION)).walk("VEVENT")[0]
    assert ticket["UID"] == cancel["UID"]
    assert int(cancel["SEQUENCE"]) == int(ticket["SEQUENCE"]) + 1


def test_html_escapes_stored_text() -> None:
    appt = dict(appointment(), clinicName='Поликлиника <script>alert("x")</script>')
    body_html = parse(appt, messages.TICKET).get_body(("html",)).get_content()
    assert "<script>" not in body_html
    assert "&lt;script&gt;" in body_html


def test_mime_is_ascii_on_the_wire() -> None:
    raw = messages.build(appointment(), messages.TICKET, sender=SENDER).as_bytes()
    raw.decode("ascii")  # Cyrillic travels encoded (RFC 2047 headers, base64 bodies)
    assert b"\r\n" in raw


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        messages.build(appointment(), "postcard", sender=SENDER)
