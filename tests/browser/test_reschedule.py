"""Rescheduling from the page (issue 14): from the ticket (anonymous, by the link) and from the history (signed in),
the confirmation with the old and the new time, both tickets linked; the reminder choice on the booking form."""
from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import expect

from infra.local.outbox import email_parts
from tests.browser.conftest import DESKTOP, PHONE, patient
from tests.browser.helpers import assert_accessible, choose_first_time, fill_patient, h1, open_calendar
from tests.browser.test_new_user import book_by_api


def _ics_of(stack: Any, to: str, count: int) -> list[str]:
    """The calendar parts of the emails to `to`, once there are `count` (the notifier runs from the stream)."""
    deadline = time.monotonic() + 60
    while True:
        status, box = stack.call("GET", "/_local/outbox")
        assert status == 200
        mine = [email_parts(m["raw"]).get("text/calendar", "") for m in box["items"] if to in m["to"]]
        if len(mine) >= count or time.monotonic() > deadline:
            return mine
        time.sleep(0.5)


def _field(ics: str, name: str) -> str:
    """A property of the event (not of the time zone part before it)."""
    found = re.search(rf"^{name}[:;](.*)$", ics.split("BEGIN:VEVENT")[-1] if name != "METHOD" else ics, re.M)
    assert found, (name, ics)
    return found.group(1).strip()


def test_reschedule_from_the_ticket_page(make_page, stack) -> None:
    morozov = patient("7800000301000000")  # cl0301
    email = "morozov.reschedule@example.org"
    for old in stack.call("POST", "/v1/appointments/search", {"policyNumber": morozov["policyNumber"],
                          "lastName": morozov["lastName"], "birthDate": morozov["birthDate"]})[1]["items"]:
        stack.call("POST", f"/v1/appointments/{old['id']}/cancel", {"policyNumber": morozov["policyNumber"]})
    page, shot = make_page(DESKTOP)
    open_calendar(page, "cl0301", "therapist", "cl0301-d01")
    choose_first_time(page, morozov)

    # The reminder choice is on the form, on by default; turned off, the booking asks for no reminders.
    expect(page.locator("#f-reminders")).to_be_checked()
    fill_patient(page, morozov, email=email)
    page.locator("#f-reminders").uncheck()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/v1/appointments")) as sent:
        page.get_by_role("button", name="Записаться").click()
    assert sent.value.post_data_json["reminders"] is False
    expect(h1(page)).to_have_text("Талон на приём")
    old_number = page.locator(".ticket-number").inner_text().split("№")[1].strip()
    old_when = page.locator(".ticket .when").inner_text()

    page.get_by_role("link", name="Перенести запись").click()
    expect(h1(page)).to_have_text("Перенос записи")
    expect(page.locator(".summary")).to_contain_text(old_number)
    expect(page.locator("#f-doctor")).to_have_value("cl0301-d01")
    expect(page.locator("button.time").first).to_be_visible(timeout=15_000)
    shot("reschedule-choose")
    assert_accessible(page, "the reschedule page")
    page.locator("button.time").first.click()
    confirm = page.locator("form.reschedule-confirm")
    expect(confirm.get_by_role("heading", name="Подтвердите перенос")).to_be_focused()
    expect(confirm.locator("dd.old")).to_contain_text(old_when.split("–")[0].strip()[:10])
    new_when = confirm.locator("dd.new").inner_text()
    assert new_when != confirm.locator("dd.old").inner_text()
    # Anonymous: the policy the appointment was booked with, as for cancelling; a wrong one is refused alike.
    confirm.locator("#f-policyNumber").fill("7800000301000099")
    confirm.get_by_role("button", name="Перенести").click()
    expect(confirm.locator('[data-code="not_found"]')).to_contain_text("Запись с таким номером")
    confirm.locator("#f-policyNumber").fill(morozov["policyNumber"])
    shot("reschedule-confirm")
    assert_accessible(page, "the reschedule confirmation")
    confirm.get_by_role("button", name="Перенести").click()

    expect(h1(page)).to_have_text("Талон на приём")
    expect(page.locator('[data-code="rescheduled"]')).to_contain_text("Запись перенесена")
    new_number = page.locator(".ticket-number").inner_text().split("№")[1].strip()
    old_id = page.locator('[data-moved="from"]').get_attribute("href").split("/")[-1]
    assert old_id not in page.url  # a new appointment (its number may repeat: the doctor and the local time)
    expect(page.locator(".ticket")).to_contain_text("Оформлена")
    shot("reschedule-new-ticket")
    page.locator('[data-moved="from"]').click()
    expect(page.locator(".ticket-number")).to_contain_text(old_number)
    expect(page.locator(".ticket")).to_contain_text("Перенесена")
    expect(page.get_by_role("link", name="Перенести запись")).to_have_count(0)
    page.locator('[data-moved="to"]').click()
    expect(page.locator(".ticket-number")).to_contain_text(new_number)

    # The outbox: the ticket, then one email whose calendar entry moves the event (same UID, higher SEQUENCE).
    first, moved = _ics_of(stack, email, 2)[:2]
    assert _field(first, "UID") == _field(moved, "UID")
    assert int(_field(moved, "SEQUENCE")) > int(_field(first, "SEQUENCE") if "SEQUENCE" in first else "0")
    assert _field(moved, "METHOD") == "REQUEST" and _field(moved, "DTSTART") != _field(first, "DTSTART")


def test_reschedule_from_the_history_signed_in(make_page, stack) -> None:
    petrova = patient("7800000301000001")  # cl0301
    booked = book_by_api(stack, petrova, "cl0301-d01")
    page, shot = make_page(PHONE, is_mobile=True, has_touch=True)
    page.goto("/#/signin")
    page.fill("#f-policyNumber", petrova["policyNumber"])
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("#nav")).to_contain_text(petrova["lastName"])
    page.goto("/#/my")
    card = page.locator("article.appointment").filter(has_text=booked["number"])
    expect(card).to_contain_text("Оформлена", timeout=15_000)
    card.get_by_role("link", name="Перенести запись").click()
    expect(h1(page)).to_have_text("Перенос записи")
    expect(page.locator("button.time").first).to_be_visible(timeout=15_000)
    page.locator("button.time").first.click()
    confirm = page.locator("form.reschedule-confirm")
    expect(confirm.locator("#f-policyNumber")).to_have_count(0)  # signed in: the token says who
    shot("reschedule-confirm-phone")
    confirm.get_by_role("button", name="Перенести").click()
    expect(h1(page)).to_have_text("Талон на приём")
    new_id = page.url.split("#/ticket/")[1].split("?")[0]

    # By id: a ticket number is the doctor and the local time, so a move to the same time of another day keeps it.
    page.goto("/#/my")
    moved = page.locator(f'article.appointment[data-id="{booked["id"]}"]')
    expect(moved).to_contain_text("Перенесена", timeout=15_000)
    expect(moved.get_by_role("link", name="Перенести запись")).to_have_count(0)
    expect(page.locator(f'article.appointment[data-id="{new_id}"]')).to_contain_text("Оформлена")
    shot("reschedule-history")
    assert_accessible(page, "the history after a reschedule")
