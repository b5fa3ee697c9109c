"""The page tried as a new user would (issue 16): focus never falls to <body> after a refusal or a
cancellation, the days are one radio group, the whole address in one field and a typo's suggestion, the
attached clinic with not_attached, the ticket reloadable in any tab, the hold released on leaving the form,
the wording, the phone header, complete breadcrumbs and specialties in a sensible order."""
from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, patient
from tests.browser.helpers import DOCTOR_CARD, assert_accessible, choose_first_time, fill_patient, fill_who, h1, menu
from tests.support import PATIENTS

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}


def focused_is(page, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector))


def hold_status(stack, slot: str) -> int:
    """Whether another patient could hold `slot` now (201, released at once) or not (409)."""
    clinic = slot.split("-")[0]
    other = [p for p in PATIENTS if p["clinicId"] == clinic][1]  # the page holds for the clinic's first patient
    status, body = stack.call("POST", "/v1/holds", {"slotId": slot, "patient": {
        k: other[k] for k in ("lastName", "birthDate", "policyNumber", "policySeries") if other.get(k)}})
    if status == 201:
        assert stack.call("DELETE", f"/v1/holds/{body['holdId']}")[0] == 204
    return status


def book_by_api(stack, p: dict, doctor: str) -> dict:
    """Book `p` with `doctor`'s last free time, as another device would (earlier appointments cancelled first)."""
    policy = {k: p[k] for k in ("policyNumber", "policySeries") if p.get(k)}
    status, found = stack.call("POST", "/v1/appointments/search",
                               {**policy, "lastName": p["lastName"], "birthDate": p["birthDate"]})
    assert status == 200, found
    for old in found["items"]:
        assert stack.call("POST", f"/v1/appointments/{old['id']}/cancel", policy)[0] == 200
    status, slots = stack.call("GET", f"/v1/doctors/{doctor}/slots")
    assert status == 200 and slots["items"], slots
    body = {k: p[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber", "policySeries",
                              "email") if p.get(k)}
    status, booked = stack.call("POST", "/v1/appointments", {"slotId": slots["items"][-1]["id"], "patient": body},
                                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, booked
    return dict(booked["appointment"])


def test_focus_after_each_refusal_of_the_form(make_page) -> None:
    """The identity is checked at the hold (issue 12): the refusals come on the calendar, before the form."""
    volkov = patient("00010102")  # cl0101, an old policy with a series; no referral to a cardiologist
    page, shot = make_page(DESKTOP)
    # Straight to a cardiologist's calendar (a link kept from earlier): without a referral the page would ask
    # for one first (tests/browser/test_referral.py).
    page.goto("/#/clinic/cl0101/specialty/cardiologist/doctor/cl0101-d08")
    expect(page.locator("button.time").first).to_be_visible()
    # The breadcrumbs name every step back, the district too.
    crumbs = page.locator("nav.crumbs")
    expect(crumbs.get_by_role("link", name="Адмиралтейский")).to_have_attribute("href", "#/district/admiralteysky")

    fill_who(page, {**volkov, "birthDate": "1980-08-05"})  # a wrong birth date
    page.locator("button.time").first.click()
    refusal = page.locator('[data-code="patient_not_found"]')
    expect(refusal).to_be_visible(timeout=20_000)
    expect(refusal).to_be_focused()
    shot("patient-not-found")
    assert_accessible(page, "the unknown-patient refusal")

    page.locator("form.who-form #f-birthDate").fill(volkov["birthDate"])  # what was typed stays
    expect(page.locator("form.who-form #f-lastName")).to_have_value(volkov["lastName"])
    page.locator("button.time").first.click()
    refusal = page.locator('[data-code="referral_required"]')
    expect(refusal).to_be_visible()
    expect(refusal).to_be_focused()
    shot("referral-required")
    assert not focused_is(page, "body")


def test_fix_errors_summary_follows_the_fields(make_page) -> None:
    page, shot = make_page(DESKTOP)
    page.goto("/#/clinic/cl0102/specialty/ophthalmologist")
    page.locator(DOCTOR_CARD).first.click()
    choose_first_time(page)
    page.fill("#f-lastName", "")  # "who is booking" filled it: empty it again
    page.get_by_role("button", name="Записаться").click()
    summary = page.locator("[data-fix-errors]")
    expect(summary).to_have_text("Исправьте ошибки в форме: 3.")  # last name, first name, email
    page.fill("#f-lastName", "Федорова")
    expect(summary).to_have_text("Исправьте ошибки в форме: 2.")
    fill_patient(page, patient("7800000102000000"))
    expect(summary).to_have_count(0)
    # The date's hint names no format the browser's own date field may not use.
    page.fill("#f-birthDate", "")
    page.locator("#f-email").focus()
    expect(page.locator("#f-birthDate-error")).not_to_contain_text("ДД.ММ.ГГГГ")
    shot("fixed")


def test_day_grid_is_one_radio_group_with_arrow_keys(make_page) -> None:
    page, shot = make_page(DESKTOP)
    page.goto("/#/clinic/cl0101/specialty/therapist/doctor/cl0101-d01")
    expect(page.locator("button.time").first).to_be_visible()
    group = page.get_by_role("radiogroup", name="Ближайшие 14 дней")
    expect(group).to_be_visible()
    open_days = page.locator("button.day:not([disabled])")
    expect(page.locator('button.day[tabindex="0"]')).to_have_count(1)  # one Tab stop for the 14 days
    first = open_days.nth(0).get_attribute("data-day")
    second = open_days.nth(1).get_attribute("data-day")
    page.locator('button.day[aria-checked="true"]').focus()
    page.keyboard.press("ArrowRight")
    chosen = page.locator('button.day[aria-checked="true"]')
    expect(chosen).to_have_attribute("data-day", second)
    expect(chosen).to_be_focused()
    expect(chosen).to_have_attribute("tabindex", "0")
    expect(page.locator("#times-title")).to_be_visible()
    page.keyboard.press("Home")
    expect(page.locator('button.day[aria-checked="true"]')).to_have_attribute("data-day", first)
    page.keyboard.press("End")
    last = open_days.last.get_attribute("data-day")
    expect(page.locator('button.day[aria-checked="true"]')).to_have_attribute("data-day", last)
    page.keyboard.press("ArrowLeft")
    expect(page.locator('button.day[aria-checked="true"]')).not_to_have_attribute("data-day", last)
    # From the chosen day one Tab reaches the first time of that day.
    page.keyboard.press("Tab")
    expect(page.locator("button.time").first).to_be_focused()
    shot("days-keyboard", full_page=False)
    assert_accessible(page, "the calendar's radio group")


def test_the_whole_address_in_one_field_and_a_typo(make_page) -> None:
    page, shot = make_page(DESKTOP)
    page.goto("/#/address")
    page.fill("#f-address", "Невский пр-т, д.28")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator("[data-clinic]").first).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Найдено поликлиник")  # announced, not only shown
    shot("whole-address")

    page.fill("#f-address", "Невскй 28")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator("[data-clinic]")).to_have_count(0)  # the previous answer is gone
    expect(page.locator('[data-code="address_not_found"]')).to_contain_text("Улица «Невскй» не найдена")
    suggestion = page.locator("button.candidate").filter(has_text="Невский пр.")
    expect(suggestion).to_be_visible()
    shot("typo-suggestion")
    assert_accessible(page, "the typo's suggestion")
    suggestion.click()
    expect(page.locator("[data-clinic]").first).to_be_visible()
    expect(page.locator("#f-address")).to_have_value("Невский пр., 28")

    page.fill("#f-address", "Невский 9999")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator('[data-code="address_not_found"]')).to_contain_text("Дома 9999")
    page.fill("#f-address", "Невский")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator("#f-address-error")).to_contain_text("Добавьте номер дома")
    expect(page.locator("#f-address")).to_be_focused()
    shot("no-house")


def test_ticket_opens_in_another_tab_and_cancel_link_says_which(make_page, stack) -> None:
    volkov = patient("00010102")
    a = book_by_api(stack, volkov, "cl0101-d05")
    link = "/#" + a["ticketUrl"].split("#")[1]

    page, shot = make_page(DESKTOP)  # a fresh browser: nothing of the booking in its storage
    page.goto(link)
    expect(page.locator(".ticket-number")).to_have_text(f"Талон № {a['number']}")
    expect(page.locator(".ticket")).to_contain_text("Оформлена")
    shot("ticket-other-tab")
    assert_accessible(page, "the ticket opened by its link")
    page.reload()
    expect(page.locator(".ticket-number")).to_have_text(f"Талон № {a['number']}")

    other, _ = make_page(DESKTOP)
    other.goto(f"/#/ticket/{a['id']}?t=wrong-token")
    expect(other.locator(".message")).to_contain_text("Этот талон не открыть по такой ссылке")

    # The emailed cancel link says which appointment it cancels; focus stays on the page after each answer.
    cancel, shot2 = make_page(DESKTOP)
    cancel.goto("/#" + a["cancellation"]["url"].split("#")[1])
    expect(cancel.locator(".which .summary")).to_contain_text(f"Талон № {a['number']}")
    shot2("cancel-which")
    cancel.fill("#f-policyNumber", volkov["policyNumber"])
    cancel.get_by_role("button", name="Отменить запись").click()  # the series is missing
    refusal = cancel.locator(".result [role=alert]")
    expect(refusal).to_contain_text("Проверьте номер и серию полиса")
    expect(refusal).to_be_focused()
    cancel.fill("#f-policySeries", volkov["policySeries"])
    cancel.get_by_role("button", name="Отменить запись").click()
    expect(cancel.locator(".message.success")).to_be_focused()


def test_cancel_from_my_appointments_keeps_the_focus(make_page, stack) -> None:
    smirnova = patient("00010202")  # cl0102
    number = book_by_api(stack, smirnova, "cl0102-d05")["number"]
    page, shot = make_page(DESKTOP)
    page.goto("/#/my")
    page.fill("#f-policyNumber", smirnova["policyNumber"])
    page.fill("#f-policySeries", smirnova["policySeries"])
    page.fill("#f-lastName", smirnova["lastName"])
    page.fill("#f-birthDate", smirnova["birthDate"])
    page.locator("#f-birthDate").press("Enter")
    card = page.locator("article.appointment").filter(has_text=number)
    expect(card).to_contain_text("Оформлена")
    assert not focused_is(page, "body")
    card.get_by_role("button", name="Отменить запись").click()
    card.get_by_role("button", name="Да, отменить").press("Enter")
    done = page.locator("article.appointment").filter(has_text=number).locator(".message.success")
    expect(done).to_contain_text(f"Запись № {number} отменена")
    expect(done).to_be_focused()
    shot("my-cancelled")
    assert_accessible(page, "a cancelled appointment in the search")


def test_hold_is_released_on_leaving_the_form(make_page, stack) -> None:
    page, shot = make_page(DESKTOP)
    page.goto("/#/clinic/cl0102/specialty/neurologist")
    page.locator(DOCTOR_CARD).first.click()
    slot = choose_first_time(page)
    assert hold_status(stack, slot) == 409  # held for this patient
    shot("form-held")
    page.locator("#nav").get_by_role("link", name="История заявлений").click()  # the menu
    expect(h1(page)).to_have_text("История заявлений")
    deadline = time.monotonic() + 10
    while hold_status(stack, slot) != 201:
        assert time.monotonic() < deadline, "the hold was not released on leaving the form"
        time.sleep(0.3)

    # Closing the page (pagehide) releases it too, with a keepalive request.
    page.goto("/#/clinic/cl0102/specialty/neurologist")
    page.locator(DOCTOR_CARD).first.click()
    slot = choose_first_time(page)
    assert hold_status(stack, slot) == 409
    page.close()
    deadline = time.monotonic() + 10
    while hold_status(stack, slot) != 201:
        assert time.monotonic() < deadline, "the hold was not released on pagehide"
        time.sleep(0.3)


def test_reload_of_the_form_holds_the_time_again(make_page, stack) -> None:
    page, _ = make_page(DESKTOP)
    page.goto("/#/clinic/cl0102/specialty/ent")
    page.locator(DOCTOR_CARD).first.click()
    slot = choose_first_time(page)
    page.reload()  # pagehide released it; the form holds it again
    expect(h1(page)).to_have_text("Данные пациента")
    expect(page.locator(".countdown")).to_contain_text("Время закреплено")
    deadline = time.monotonic() + 10
    while hold_status(stack, slot) != 409:
        assert time.monotonic() < deadline, "the reloaded form did not hold the time again"
        time.sleep(0.3)


def test_phone_header_and_clinic_phone(make_page) -> None:
    page, shot = make_page(SMALL_PHONE, is_mobile=True, has_touch=True)
    page.goto("/#/district/admiralteysky")
    expect(page.locator("main a.card").first).to_be_visible()
    height = page.evaluate("() => document.querySelector('header.top').getBoundingClientRect().height")
    assert height <= 120, f"the header takes {height} px of 740"
    # The menu is behind its button; opened, every item is on screen.
    menu(page)
    edges = page.evaluate("() => [...document.querySelectorAll('#nav li')].map((e) => e.getBoundingClientRect().right)")
    assert edges and max(edges) <= SMALL_PHONE["width"], edges
    expect(page.get_by_role("link", name="Моя поликлиника по адресу", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#nav")).to_be_hidden()
    lines = page.evaluate("""() => [...document.querySelectorAll('.phone')].map(
        (e) => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || 20)))""")
    assert lines and all(n <= 1 for n in lines), lines
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    shot("phone-header", full_page=False)
    assert_accessible(page, "the clinics on a small phone")


def test_specialties_in_a_sensible_order(make_page) -> None:
    page, shot = make_page(DESKTOP)
    page.goto("/#/clinic/cl0101")
    expect(page.locator("[data-specialty]").first).to_be_visible()
    order = page.locator("[data-specialty]").evaluate_all("(els) => els.map((e) => e.dataset.specialty)")
    assert order[0] == "therapist", order
    assert order[-2:] == ["cardiologist", "endocrinologist"], order  # referral only: last
    names = page.locator("[data-specialty] .title").all_inner_texts()
    middle = names[2:-2]
    assert middle == sorted(middle), names
    shot("specialties-order")
