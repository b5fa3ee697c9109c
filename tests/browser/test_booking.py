"""The patient's way through in a real browser: anonymous booking to the ticket and its cancellation, a signed-in
booking and cancellation from the history, and a time taken by someone else meanwhile."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, patient
from tests.browser.helpers import (
    CLS_SCRIPT,
    DOCTOR_CARD,
    assert_accessible,
    choose_first_time,
    fill_patient,
    fill_who,
    h1,
    layout_shift,
    menu,
    open_calendar,
)

pytestmark = pytest.mark.browser


def test_anonymous_booking_to_ticket_then_cancel(make_page, stack) -> None:
    morozov = patient("7800000101000000")  # attached to cl0101
    # A browser far from St. Petersburg still sees the clinic's times (and the .ics agrees in UTC).
    page, shot = make_page(DESKTOP, timezone_id="America/New_York")
    page.add_init_script(CLS_SCRIPT)

    page.goto("/")
    expect(h1(page)).to_have_text("Выберите район")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    shot("districts")
    assert_accessible(page, "the districts")

    page.get_by_role("link", name="Адмиралтейский").click()
    expect(h1(page)).to_have_text("Выберите поликлинику")
    shot("clinics")
    page.get_by_role("link", name=re.compile("Городская поликлиника № 11")).click()

    expect(h1(page)).to_have_text("Выберите специальность")
    expect(page.locator('[data-specialty="cardiologist"] .badge')).to_have_text("Только по направлению")
    expect(page.locator('[data-specialty="therapist"]')).to_contain_text(re.compile(r"Свободно: \d+"))
    expect(page.locator('[data-specialty="therapist"]')).to_contain_text("Ближайшее:")
    expect(page.locator('[data-specialty="therapist"] .badge')).to_have_count(0)
    shot("specialties")
    assert_accessible(page, "the specialties")
    page.locator('[data-specialty="therapist"]').click()

    expect(h1(page)).to_have_text("Выберите врача")
    shot("doctors")
    page.locator(DOCTOR_CARD).first.click()

    expect(h1(page)).to_have_text("Выберите дату и время")
    expect(page.locator("button.day")).to_have_count(14)
    # The days are the API's booking window (Moscow dates), not the browser's New York calendar.
    window = stack.call("GET", "/v1/doctors/cl0101-d01/slots")[1]["window"]
    expect(page.locator("button.day").first).to_have_attribute("data-day", window["from"])
    expect(page.locator("button.day").last).to_have_attribute("data-day", window["to"])
    expect(page.locator('button.day[aria-checked="true"]')).to_have_count(1)
    expect(page.locator("button.time").first).to_be_visible()
    chosen_time = page.locator("button.time").first.inner_text()
    shot("calendar")
    assert_accessible(page, "the calendar")
    choose_first_time(page, morozov)  # "who is booking" first: the time is held for him
    # What was typed before the time is in the form already.
    expect(page.locator("#f-lastName")).to_have_value(morozov["lastName"])
    expect(page.locator("#f-policyNumber")).to_have_value(morozov["policyNumber"])

    expect(page.locator(".countdown")).to_contain_text(re.compile(r"Время закреплено за вами ещё [45]:\d\d"))
    expect(page.locator(".summary .when")).to_contain_text(chosen_time)
    # Inline validation: each field says what is wrong as soon as it is left.
    page.fill("#f-policyNumber", "12")
    page.fill("#f-email", "not-an-email")
    page.fill("#f-birthDate", "2999-01-01")
    page.locator("#f-lastName").focus()
    expect(page.locator("#f-policyNumber-error")).to_have_text("Номер полиса — от 6 до 16 цифр.")
    expect(page.locator("#f-email-error")).to_have_text("Введите адрес почты, например ivanov@mail.ru.")
    expect(page.locator("#f-birthDate-error")).to_have_text("Дата рождения не может быть в будущем.")
    expect(page.locator("#f-email")).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Записаться").click()
    expect(page.locator(".form-errors [role=alert]")).to_contain_text("Исправьте ошибки в форме: 4.")
    expect(page.locator("#f-firstName")).to_be_focused()
    shot("form-errors")
    assert_accessible(page, "the form with errors")

    fill_patient(page, morozov)
    expect(page.locator("#f-email-error")).to_have_text("")
    shot("form-filled")
    page.get_by_role("button", name="Записаться").click()

    expect(h1(page)).to_have_text("Талон на приём")
    appointment_id = page.url.split("#/ticket/")[1].split("?")[0]
    expect(page.locator(".ticket-number")).to_have_text(re.compile(r"Талон № \S+"))
    ticket = page.locator(".ticket")
    expect(ticket).to_contain_text(chosen_time)
    expect(ticket).to_contain_text("Морозов Михаил Иванович")
    expect(ticket).to_contain_text("Городская поликлиника № 11")
    expect(ticket).to_contain_text("Оформлена")
    expect(page.locator(".how-to-cancel")).to_contain_text("Отменить")
    shot("ticket")
    assert_accessible(page, "the ticket")
    assert layout_shift(page) < 0.1, f"layout shift {layout_shift(page)} on the way through"

    with page.expect_download() as download:
        page.get_by_role("link", name="Добавить в календарь (.ics)").click()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".ics")
    assert "METHOD:PUBLISH" in ics
    assert f"UID:{appointment_id}" in ics.replace("\r\n ", "")
    start = re.search(r"DTSTART:(\d{8}T\d{6}Z)", ics)
    assert start, ics
    # The page shows clinic time (UTC+3): 08:00 on the page is 05:00Z in the calendar.
    hour = (int(chosen_time[:2]) - 3) % 24
    assert start.group(1)[9:13] == f"{hour:02d}{chosen_time[3:5]}"

    page.emulate_media(media="print")
    shot("ticket-print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_role("button", name="Распечатать")).to_be_hidden()
    page.emulate_media(media="screen")

    # The cancellation link of the ticket (and of the email): #/cancel/<id>, by policy number.
    page.get_by_role("link", name="Отменить запись").click()
    expect(h1(page)).to_have_text("Отменить запись на приём к врачу")  # the ticket's and the email's name for it
    expect(page.locator(".which")).to_contain_text("Вы отменяете запись:")
    page.fill("#f-policyNumber", "7800000101999999")
    page.get_by_role("button", name="Отменить запись").click()
    refusal = page.locator(".result [role=alert]")
    # The cancellation function's first request may start it cold on a busy machine: wait generously.
    expect(refusal).to_contain_text("Запись с таким номером и серией полиса не найдена", timeout=30_000)
    expect(refusal).to_be_focused()  # the disabled button had the focus: it must not fall to <body>
    shot("cancel-wrong-policy")
    page.fill("#f-policyNumber", morozov["policyNumber"])
    page.get_by_role("button", name="Отменить запись").click()
    expect(page.locator(".message.success")).to_contain_text("отменена")
    # The page's words follow the state: no "you are cancelling" above "cancelled", no form, no intro asking for it.
    expect(page.locator(".which")).to_contain_text("Отменённая запись:")
    expect(page.locator(".which")).to_contain_text("Отменена")
    expect(page.get_by_text("Вы отменяете запись:")).to_have_count(0)
    expect(page.locator("main .intro")).to_have_count(0)
    expect(page.locator("#f-policyNumber")).to_have_count(0)
    expect(page.locator(".message.success")).to_be_focused()
    shot("cancelled")


def test_signed_in_booking_and_cancel_from_history(make_page) -> None:
    petrova = patient("7800000101000001")  # attached to cl0101
    page, shot = make_page(PHONE, is_mobile=True, has_touch=True)
    page.goto("/")
    menu(page).get_by_role("link", name="Войти").click()
    expect(h1(page)).to_have_text("Вход")
    page.fill("#f-policyNumber", petrova["policyNumber"])
    shot("sign-in")
    with page.expect_response("**/_local/token") as answer:
        page.get_by_role("button", name="Войти").click()
    assert answer.value.status == 200, answer.value.text()

    expect(page.locator("#nav")).to_contain_text("Петрова Татьяна Петровна")
    expect(page.get_by_text("Вы прикреплены к поликлинике: Городская поликлиника № 11")).to_be_visible()
    shot("signed-in-home")
    page.get_by_role("link", name="Записаться сюда").click()
    expect(h1(page)).to_have_text("Выберите специальность")
    page.locator('[data-specialty="neurologist"]').click()
    page.locator(DOCTOR_CARD).first.click()
    expect(page.locator("button.time").first).to_be_visible()
    shot("calendar-phone")
    choose_first_time(page)

    # Filled from the token and read-only.
    expect(page.locator("#f-lastName")).to_have_value(petrova["lastName"])
    expect(page.locator("#f-lastName")).to_have_attribute("readonly", "")
    expect(page.locator("#f-policyNumber")).to_have_value(petrova["policyNumber"])
    expect(page.locator("#f-email")).to_have_value(petrova["email"])
    shot("form-signed-in")
    assert_accessible(page, "the signed-in form on a phone")
    no_overflow = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert no_overflow, "the form is wider than a phone screen"
    page.get_by_role("button", name="Записаться").click()
    expect(h1(page)).to_have_text("Талон на приём")
    number = page.locator(".ticket-number").inner_text().split("№")[1].strip()
    shot("ticket-phone")

    # A second appointment with the same specialty is refused when the time is chosen (the hold checks the
    # patient's appointments), with a way to the history.
    page.goto("/#/clinic/cl0101/specialty/neurologist")
    page.locator(DOCTOR_CARD).first.click()
    page.locator("button.time").first.click()  # any free time (late in the day the chosen day may have one)
    expect(page.locator('[data-code="already_booked_specialty"]')).to_contain_text("уже есть запись")
    shot("already-booked")
    page.locator('[data-code="already_booked_specialty"]').get_by_role("link", name="История заявлений").click()

    expect(h1(page)).to_have_text("История заявлений")
    card = page.locator("article.appointment").filter(has_text=number)
    expect(card).to_contain_text("Оформлена", timeout=15_000)  # the stack may still be opening days
    shot("history")
    assert_accessible(page, "the history")
    card.get_by_role("button", name="Отменить запись").click()
    expect(card.get_by_role("button", name="Да, отменить")).to_be_focused()
    shot("history-confirm")
    card.get_by_role("button", name="Да, отменить").click()
    cancelled = page.locator("article.appointment").filter(has_text=number)
    expect(cancelled).to_contain_text("Отменена")
    expect(cancelled.get_by_role("button", name="Отменить запись")).to_have_count(0)
    # The "Yes" button is gone: the card's visible notice takes the focus (and is read out).
    expect(cancelled.locator(".message.success")).to_contain_text(f"Запись № {number} отменена")
    expect(cancelled.locator(".message.success")).to_be_focused()
    shot("history-cancelled")


def test_time_taken_between_choosing_and_confirming(make_page, stack) -> None:
    fyodorova = patient("7800000102000000")  # the patient at the page, cl0102
    ivanov = patient("7800000102000001")  # another patient of cl0102, through the API
    page, shot = make_page(DESKTOP)
    open_calendar(page, "cl0102", "ophthalmologist", "cl0102-d05")

    # Taken while the patient looks at the calendar: someone else holds the first time.
    first = page.locator("button.time").first
    taken = first.get_attribute("data-slot")
    status, _ = stack.call("POST", "/v1/holds", {"slotId": taken, "patient": {
        k: ivanov[k] for k in ("lastName", "birthDate", "policyNumber")}})
    assert status == 201
    fill_who(page, fyodorova)  # who is booking, before the time
    first.click()
    expect(page.locator('[data-code="slot_unavailable"]')).to_have_text(
        "Это время только что заняли. Выберите другое время.")
    expect(h1(page)).to_have_text("Выберите дату и время")
    expect(page.locator(f'button.time[data-slot="{taken}"]')).to_have_count(0)
    shot("taken-before-hold")

    # Taken while the form is filled: the hold is released and someone else books that time.
    with page.expect_response(lambda r: r.url.endswith("/v1/holds") and r.request.method == "POST") as held:
        slot = choose_first_time(page, fyodorova)
    hold_id = held.value.json()["holdId"]
    assert stack.call("DELETE", f"/v1/holds/{hold_id}")[0] == 204
    status, body = stack.call("POST", "/v1/appointments", {"slotId": slot, "patient": {
        k: ivanov[k] for k in ("lastName", "firstName", "birthDate", "policyNumber", "email")}},
        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, body
    fill_patient(page, fyodorova)
    shot("form-before-confirm")
    page.get_by_role("button", name="Записаться").click()

    expect(h1(page)).to_have_text("Выберите дату и время")
    expect(page.locator('[data-code="hold_expired"]')).to_contain_text("уже занято")
    expect(page.locator(f'button.time[data-slot="{slot}"]')).to_have_count(0)
    shot("taken-before-confirm")
