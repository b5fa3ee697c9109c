"""The staff pages (#/registry) in a real browser: sign-in for one clinic, the day list with attendance
buttons, the absence form that counts the affected patients before it is confirmed, the plan form, axe-core."""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, patient
from tests.browser.helpers import assert_accessible, h1

pytestmark = pytest.mark.browser
# The local stack opens the new day 30 s after start (thousands of writes): answers can take a while then.
SLOW = 90_000

DOCTOR = "cl0101-d07"  # neurologist: no other browser test books it


def test_registry_pages(make_page, stack) -> None:
    # A patient books tomorrow-or-later with the neurologist (through the API: "another person").
    status, body = stack.call("GET", f"/v1/doctors/{DOCTOR}/slots")
    assert status == 200 and body["items"], body
    slot = body["items"][-1]
    p = patient("00010102")
    person = {k: p[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber", "policySeries",
                                "email")}
    status, booked = stack.call("POST", "/v1/appointments", {"slotId": slot["id"], "patient": person},
                                {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, booked
    day = slot["start"][:10]

    page, shot = make_page(DESKTOP)
    page.goto("/#/registry")
    expect(h1(page)).to_have_text("Регистратура")
    page.fill("#reg-clinic", "cl0101")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Поликлиника cl0101.")).to_be_visible(timeout=SLOW)

    # The day list: the patient, attendance not yet possible (the appointment has not started).
    page.fill("#reg-day", day)
    page.fill("#reg-day-doctor", DOCTOR)
    page.get_by_role("button", name="Показать").click()
    row = page.locator(f'tr[data-appointment="{booked["appointment"]["id"]}"]')
    expect(row).to_contain_text(p["lastName"], timeout=SLOW)
    expect(row.locator(".status")).to_have_text("записан", timeout=SLOW)
    expect(row.locator('button[data-mark="fulfilled"]')).to_be_disabled()
    shot("day-list")
    assert_accessible(page, "the staff pages")

    # The absence: first the count of affected patients, then the confirmation.
    page.fill("#abs-doctor", DOCTOR)
    page.fill("#abs-from", day)
    page.fill("#abs-to", day)
    page.get_by_role("button", name="Проверить").click()
    expect(page.get_by_text("Будут отменены записи пациентов: 1;")).to_be_visible(timeout=SLOW)
    shot("absence-preview")
    page.get_by_role("button", name="Подтвердить отсутствие").click()
    expect(page.get_by_text("Готово: отменено записей 1")).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name="Показать").click()
    expect(row.locator(".status")).to_have_text("отменена", timeout=SLOW)

    # A new doctor's plan: published, and patients see its slots.
    page.fill("#plan-doctor", "cl0101-d31")
    page.fill("#plan-name", "Орлова Вера Павловна")
    page.fill("#plan-room", "214")
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("Опубликовано: новых слотов")).to_be_visible(timeout=SLOW)
    shot("plan-published")
    status, slots = stack.call("GET", "/v1/doctors/cl0101-d31/slots")
    assert status == 200 and slots["items"]

    # Signing out forgets the staff token.
    page.get_by_role("button", name="Выйти").click()
    expect(page.locator("#reg-clinic")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('zapis.staffToken')") is None
