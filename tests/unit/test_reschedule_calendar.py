"""The calendar entry moves (issue 14): a rescheduled appointment's ticket carries the first ticket's UID, a
higher SEQUENCE and the new local time (METHOD:REQUEST); its later cancellation removes the same event."""
from __future__ import annotations

from datetime import datetime

from shared.notify import messages
from shared.platform import clock
from tests.unit.test_notify_messages import appointment, base_url, calendar_of, parse

__all__ = ["base_url"]  # the fixture (autouse) from the notifier's message tests

HOUR = 3600


def moved(first: dict[str, object], times: int = 1) -> dict[str, object]:
    return dict(first, id=f"moved{times}" + "x" * 20, start=int(first["start"]) + 2 * 86400 + HOUR,  # type: ignore[call-overload]
                end=int(first["end"]) + 2 * 86400 + HOUR, rescheduledFrom=first["id"],  # type: ignore[call-overload]
                calendarUid=first["id"], calendarSequence=times, number="01-1130")


def event_of(appt: dict[str, object], kind: str) -> tuple[str, object]:
    cal = calendar_of(parse(appt, kind))
    (event,) = [c for c in cal.walk() if c.name == "VEVENT"]
    return str(cal["method"]), event


def test_moved_ticket_keeps_the_uid_with_a_higher_sequence_and_the_new_local_time() -> None:
    first = appointment()
    _, original = event_of(first, messages.TICKET)
    method, event = event_of(moved(first), messages.TICKET)

    assert method == "REQUEST"
    assert str(event["uid"]) == str(original["uid"]) == first["id"]  # type: ignore[index]
    assert int(event["sequence"]) == 1 > int(original["sequence"])  # type: ignore[index]
    start = event["dtstart"].dt  # type: ignore[index]
    expected = datetime.fromtimestamp(int(first["start"]) + 2 * 86400 + HOUR, clock.zone())
    assert start == expected and start.utcoffset() == expected.utcoffset()
    assert start.hour == (datetime.fromtimestamp(int(first["start"]), clock.zone()).hour + 1) % 24


def test_cancelling_the_moved_appointment_removes_the_same_event() -> None:
    first = appointment()
    second = moved(first)
    _, ticket = event_of(second, messages.TICKET)
    method, cancel = event_of(dict(second, status="cancelled", cancelledAt=int(first["start"]) - 86400,
                                   cancelledBy="patient"), messages.CANCELLATION)
    assert method == "CANCEL"
    assert str(cancel["uid"]) == first["id"]  # type: ignore[index]
    assert int(cancel["sequence"]) == int(ticket["sequence"]) + 1 == 2  # type: ignore[index]


def test_moved_twice_counts_on() -> None:
    first = appointment()
    _, event = event_of(moved(first, times=2), messages.TICKET)
    assert int(event["sequence"]) == 2 and str(event["uid"]) == first["id"]  # type: ignore[index]


def test_moved_email_says_it_was_moved() -> None:
    msg = parse(moved(appointment()), messages.TICKET)
    assert msg["Subject"].startswith("Запись перенесена")
    en = parse(moved(appointment("en")), messages.TICKET)
    assert en["Subject"].startswith("Appointment moved")
    assert "moved to a new time" in en.get_body(("plain",)).get_content()  # type: ignore[union-attr]
