"""The staff pages (#/registry) in a real browser: sign-in for one clinic, the day list with a booked patient and
its attendance buttons, the absence form that counts the affected patients before it is confirmed, the plan form
publishing a new doctor, axe-core.

Attendance: the server records it only after the appointment's start (its own clock), and a patient can book only
future slots, so `fulfilled`/`noshow` cannot be written here without waiting. The test moves the *browser's* clock
past the start (Playwright's clock) to check that the buttons are offered only then, that a click reaches the server
and that its refusal (`appointment_not_started`) is shown; the API refuses the same for both marks. Recording the
marks is covered by tests/handler and tests/integration, which move the server's clock.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, patient
from tests.browser.helpers import assert_accessible, h1

pytestmark = pytest.mark.browser
# The local stack opens the new days in the background for a while after start (thousands of writes): answers can
# take long then, and a day-list request can even time out (the page then shows "unavailable").
SLOW = 90_000

DOCTOR = "cl0101-d07"  # neurologist: no other browser test books it


def show_day(page: Any, row: Any) -> None:
    """Press "Показать" until the row is there: on this loaded machine a request may time out while the stack
    opens new days; the page then shows the error and staff press the button again."""
    error = page.locator('section[aria-labelledby="reg-day-title"] p.message.error')
    for _ in range(3):
        page.get_by_role("button", name="Показать").click()
        expect(row.or_(error)).to_be_visible(timeout=SLOW)
        if row.is_visible():
            return
    expect(row).to_be_visible()


def test_registry_pages(make_page, stack) -> None:
    # A patient books a future slot with the neurologist (through the API: "another person").
    status, body = stack.call("GET", f"/v1/doctors/{DOCTOR}/slots")
    assert status == 200 and body["items"], body
    slot = body["items"][-1]
    p = patient("00010102")
    person = {k: p[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber", "policySeries",
                                "email")}
    status, booked = stack.call("POST", "/v1/appointments", {"slotId": slot["id"], "patient": person},
                                {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, booked
    appointment = booked["appointment"]["id"]
    day = slot["start"][:10]

    page, shot = make_page(DESKTOP)
    page.clock.install()  # the browser's clock, ticking from now; moved past the start below
    page.goto("/#/registry")
    expect(h1(page)).to_have_text("Регистратура")
    page.fill("#reg-clinic", "cl0101")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Поликлиника cl0101.")).to_be_visible(timeout=SLOW)
    token = page.evaluate("() => sessionStorage.getItem('zapis.staffToken')")
    assert token

    # The day list: the booked patient; attendance not offered before the start.
    page.fill("#reg-day", day)
    page.fill("#reg-day-doctor", DOCTOR)
    row = page.locator(f'tr[data-appointment="{appointment}"]')
    show_day(page, row)
    expect(row).to_contain_text(f"{p['lastName']} {p['firstName']} {p['middleName']}")
    expect(row).to_contain_text(p["birthDate"])
    expect(row.locator(".status")).to_have_text("записан")
    expect(row.locator('button[data-mark="fulfilled"]')).to_be_disabled()
    expect(row.locator('button[data-mark="noshow"]')).to_be_disabled()
    shot("day-list")
    assert_accessible(page, "the staff pages")

    # Past the start (in the browser) the buttons are offered; the server keeps its own clock and refuses.
    page.clock.set_system_time(datetime.fromisoformat(slot["start"]) + timedelta(minutes=1))
    show_day(page, row)
    came = row.locator('button[data-mark="fulfilled"]')
    expect(came).to_be_enabled()
    expect(row.locator('button[data-mark="noshow"]')).to_be_enabled()
    came.click()
    expect(row.get_by_role("alert")).to_have_text("Приём ещё не начался: явку можно отметить после его начала.",
                                                  timeout=SLOW)
    shot("attendance-refused")
    for mark in ("fulfilled", "noshow"):
        status, answer = stack.call("POST", f"/v1/registry/appointments/{appointment}/attendance", {"status": mark},
                                    {"Authorization": f"Bearer {token}"})
        assert status == 409 and answer["error"]["code"] == "appointment_not_started", answer
    show_day(page, row)
    expect(row.locator(".status")).to_have_text("записан")

    # The absence: first the count of affected patients (this patient, and any other booked that day by an earlier
    # run against the same stack), then the confirmation.
    status, listed = stack.call("GET", f"/v1/registry/clinics/cl0101/appointments?date={day}&doctorId={DOCTOR}",
                                headers={"Authorization": f"Bearer {token}"})
    assert status == 200, listed
    affected = sum(a["status"] == "booked" for a in listed["items"])
    assert affected >= 1, listed
    page.fill("#abs-doctor", DOCTOR)
    page.fill("#abs-from", day)
    page.fill("#abs-to", day)
    page.get_by_role("button", name="Проверить").click()
    expect(page.get_by_text(f"Будут отменены записи пациентов: {affected};")).to_be_visible(timeout=SLOW)
    expect(row.locator(".status")).to_have_text("записан")  # the preview writes nothing
    shot("absence-preview")
    page.get_by_role("button", name="Подтвердить отсутствие").click()
    expect(page.get_by_text(f"Готово: отменено записей {affected}")).to_be_visible(timeout=SLOW)
    show_day(page, row)
    expect(row.locator(".status")).to_have_text("отменена", timeout=SLOW)
    expect(row.locator('button[data-mark="fulfilled"]')).to_be_disabled()

    # A new doctor's plan: published, and patients see its slots.
    page.fill("#plan-doctor", "cl0101-d31")
    page.fill("#plan-name", "Орлова Вера Павловна")
    page.fill("#plan-room", "214")
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("Опубликовано: новых слотов")).to_be_visible(timeout=SLOW)
    shot("plan-published")
    status, slots = stack.call("GET", "/v1/doctors/cl0101-d31/slots")
    assert status == 200 and slots["items"], slots
    assert_accessible(page, "the staff pages after the forms' answers")

    # Signing out forgets the staff token.
    page.get_by_role("button", name="Выйти").click()
    expect(page.locator("#reg-clinic")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('zapis.staffToken')") is None
