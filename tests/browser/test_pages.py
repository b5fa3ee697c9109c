"""The rest of the front-end in a real browser: the English switch, the address look-up reached from a
refusal, retry after a network failure and a 503 (with the same Idempotency-Key), keyboard-only use and an
axe-core check of the pages not covered by the booking tests."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, patient
from tests.browser.helpers import (
    CLS_SCRIPT,
    DOCTOR_CARD,
    assert_accessible,
    choose_first_time,
    fill_patient,
    fill_who,
    h1,
    layout_shift,
)

pytestmark = pytest.mark.browser


def test_english_switch(make_page) -> None:
    page, shot = make_page(DESKTOP)
    page.goto("/#/clinic/cl0101")
    expect(h1(page)).to_have_text("Выберите специальность")
    page.get_by_role("button", name="Switch to English").click()
    expect(h1(page)).to_have_text("Choose a specialty")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('[data-specialty="therapist"] .title')).to_have_text("Therapist")
    expect(page.locator('[data-specialty="cardiologist"] .badge')).to_have_text("Referral only")
    expect(page.locator("#lang")).to_be_focused()
    shot("specialties-en")
    assert_accessible(page, "the specialties in English")

    page.locator('[data-specialty="therapist"]').click()
    page.locator(DOCTOR_CARD).first.click()
    expect(page.locator("button.day").first.locator(".wd")).to_have_text(re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)$"))
    expect(page.get_by_role("heading", level=2, name=re.compile("^Free times on"))).to_be_visible()
    shot("calendar-en")

    page.reload()  # the choice is remembered
    expect(h1(page)).to_have_text("Choose a date and time")
    page.get_by_role("button", name="Переключить на русский").click()
    expect(h1(page)).to_have_text("Выберите дату и время")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_not_attached_leads_to_the_address_look_up(make_page) -> None:
    smirnova = patient("00010202")  # attached to cl0102, tries cl0101; an old policy with a series
    page, shot = make_page(PHONE, is_mobile=True, has_touch=True)
    page.goto("/#/clinic/cl0101/specialty/surgeon")
    page.locator(DOCTOR_CARD).first.click()
    # The register is checked at the hold (issue 12): the refusal comes on the calendar, before the form.
    expect(page.locator("button.time").first).to_be_visible()
    fill_who(page, smirnova)
    page.locator("button.time").first.click()
    refusal = page.locator('[data-code="not_attached"]')
    expect(refusal).to_contain_text("Вы не прикреплены к этой поликлинике", timeout=20_000)
    expect(refusal).to_be_focused()
    # The register says where she is attached: a way straight there.
    expect(refusal.locator('[data-attached="cl0102"]')).to_contain_text("вы прикреплены к поликлинике")
    expect(refusal.get_by_role("link", name="Записаться туда")).to_have_attribute("href", "#/clinic/cl0102")
    shot("not-attached")
    assert_accessible(page, "the not-attached refusal on a phone")
    refusal.get_by_role("link", name="Найти поликлинику по адресу").click()

    expect(h1(page)).to_have_text("Моя поликлиника по адресу")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator("#f-address-error")).to_have_text("Заполните это поле.")
    page.fill("#f-address", "Садовая 5")
    page.get_by_role("button", name="Найти").click()
    # Two streets of this name: the patient chooses theirs.
    candidates = page.locator("button.candidate")
    expect(candidates).to_have_count(2)
    shot("address-candidates")
    assert_accessible(page, "the address candidates")
    candidates.filter(has_text="Адмиралтейский").click()
    found = page.locator("[data-clinic]")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Городская поликлиника № 11")
    shot("address-clinics")
    found.get_by_role("link", name="Записаться сюда").click()
    expect(h1(page)).to_have_text("Выберите специальность")
    expect(page.locator(".clinic-name")).to_have_text("Городская поликлиника № 11")

    page.goto("/#/address")
    page.fill("#f-address", "Несуществующая 1")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator('[data-code="address_not_found"]')).to_contain_text("Улица «Несуществующая» не найдена")
    expect(page.locator("[data-clinic]")).to_have_count(0)  # the previous answer is not left on screen
    shot("address-not-found")


def test_retry_after_network_failure_and_503_keeps_the_idempotency_key(make_page, stack) -> None:
    ivanov = patient("7800000102000001")
    page, shot = make_page(DESKTOP)

    failures = {"districts": 1}

    def flaky_districts(route) -> None:
        if failures["districts"]:
            failures["districts"] -= 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/v1/districts", flaky_districts)
    page.goto("/")
    expect(page.locator('[data-code="network"]')).to_contain_text("Нет связи с сервером")
    shot("network-failure")
    page.get_by_role("button", name="Повторить").click()
    expect(page.get_by_role("link", name="Адмиралтейский")).to_be_visible()

    # The booking reaches the server, but the answer is lost behind a 503: the retry sends the same
    # Idempotency-Key, and the server answers with the first booking instead of making a second one.
    keys: list[str] = []
    first_answer: dict = {}

    def lossy_booking(route) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(keys) == 1:
            response = route.fetch()
            first_answer.update(response.json())
            route.fulfill(status=503, json={"error": {"code": "unavailable", "message": "busy"}})
        else:
            route.continue_()

    page.route("**/v1/appointments", lossy_booking)
    page.goto("/#/clinic/cl0102/specialty/therapist")
    page.locator(DOCTOR_CARD).first.click()
    choose_first_time(page, ivanov)
    fill_patient(page, ivanov)
    page.get_by_role("button", name="Записаться").click()
    expect(page.locator('[data-code="unavailable"]')).to_contain_text("Сервис временно перегружен")
    shot("unavailable-retry")
    page.get_by_role("button", name="Повторить").click()
    expect(h1(page)).to_have_text("Талон на приём")
    assert len(keys) == 2 and keys[0] == keys[1] and re.fullmatch(r"[0-9a-f-]{36}", keys[0]), keys
    assert page.url.split("#/ticket/")[1].split("?")[0] == first_answer["appointment"]["id"]
    expect(page.locator(".ticket-number")).to_contain_text(first_answer["appointment"]["number"])
    shot("ticket-after-retry")


def _tab_to(page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_way_to_the_form(make_page) -> None:
    page, shot = make_page(DESKTOP)
    page.add_init_script(CLS_SCRIPT)
    page.goto("/")
    expect(page.get_by_role("link", name="Адмиралтейский")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#skip")).to_be_focused()
    shot("skip-link", full_page=False)
    page.keyboard.press("Enter")
    expect(h1(page)).to_be_focused()

    _tab_to(page, 'a[href="#/district/admiralteysky"]')
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text("Выберите поликлинику")
    expect(h1(page)).to_be_focused()  # focus moves to the new page's heading
    _tab_to(page, 'a[href="#/clinic/cl0101"]')
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text("Выберите специальность")
    expect(page.locator('a[data-specialty="ophthalmologist"]')).to_be_visible()  # the cards come after the heading
    _tab_to(page, 'a[data-specialty="ophthalmologist"]')
    page.keyboard.press("Enter")
    # Wait for the doctors' page: until it renders, the specialties' own cards still match "a.card".
    expect(h1(page)).to_have_text("Выберите врача")
    expect(h1(page)).to_be_focused()
    expect(page.locator(DOCTOR_CARD).first).to_be_visible()
    _tab_to(page, DOCTOR_CARD)
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text("Выберите дату и время")
    expect(page.locator("button.time").first).to_be_visible()
    _tab_to(page, 'button.day[aria-checked="true"]')
    shot("calendar-keyboard", full_page=False)
    _tab_to(page, "button.time")
    page.keyboard.press("Enter")
    # Nobody said who is booking yet: the time is not held, the first empty field of "who" takes the focus.
    who = page.locator("form.who-form")
    expect(who.locator("#f-lastName")).to_be_focused()
    page.keyboard.type("Волков")
    page.keyboard.press("Tab")
    expect(who.locator("#f-birthDate")).to_be_focused()
    page.keyboard.type("08041980")  # headless Chromium orders a date's parts as its own build's locale: ММ.ДД.ГГГГ
    expect(who.locator("#f-birthDate")).to_have_value("1980-08-04")
    _tab_to(page, "form.who-form #f-policyNumber")  # Tab walks the date's day, month and year first
    page.keyboard.type("00010102")
    page.keyboard.press("Tab")
    expect(who.locator("#f-policySeries")).to_be_focused()
    page.keyboard.type("ЕА2")
    _tab_to(page, "button.time")
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text("Данные пациента")
    expect(page.locator("#f-lastName")).to_have_value("Волков")  # what "who" said is carried over
    _tab_to(page, "#f-firstName")
    page.keyboard.press("Tab")
    expect(page.locator("#f-middleName")).to_be_focused()
    shot("form-keyboard", full_page=False)
    _tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")
    expect(page.locator("#f-firstName")).to_be_focused()  # the first field in error
    assert layout_shift(page) < 0.1

    timing = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return {domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }""")
    (ARTIFACTS / "timing.json").write_text(json.dumps(timing))  # recorded, not asserted (wall clock)


PAGES = [
    ("districts", "/#/", "a.card"),
    ("clinics", "/#/district/admiralteysky", "a.card"),
    ("specialties", "/#/clinic/cl0101", "a.card"),
    ("doctors", "/#/clinic/cl0101/specialty/ophthalmologist", "a.card"),
    ("referral", "/#/referral", "#f-referralNumber"),
    ("calendar", "/#/clinic/cl0101/specialty/therapist/doctor/cl0101-d01", "button.time"),
    ("waitlist", "/#/waitlist?clinic=cl0101&specialty=surgeon&doctor=cl0101-d04", "#f-from"),
    ("my", "/#/my", "#f-policyNumber"),
    ("find-to-cancel", "/#/cancel", "#f-policyNumber"),
    ("address", "/#/address", "#f-address"),
    ("sign-in", "/#/signin", "#f-policyNumber"),
    ("cancel", "/#/cancel/unknown", "#f-policyNumber"),
    ("ticket-missing", "/#/ticket/unknown", ".message"),
    ("not-found", "/#/nowhere", "a"),
]
SMALL_PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_accessibility_of_every_page_in_both_languages(make_page, language: str) -> None:
    """axe-core: zero violations of any impact (default rules, WCAG 2.2 AA with target-size, best practices), on
    every page, in Russian and English, at 1280 and 360 px (the phone's menu open too); the states are checked
    where they happen."""
    for viewport in (DESKTOP, SMALL_PHONE):
        page, shot = make_page(viewport)
        page.add_init_script(f"localStorage.setItem('zapis.lang', '{language}')")
        tag = f"{'phone' if viewport is SMALL_PHONE else 'desktop'}-{language}"
        for name, path, ready in PAGES:
            page.goto(path)
            expect(page.locator(f"main {ready}").first).to_be_visible()
            expect(page.locator("html")).to_have_attribute("lang", language)
            shot(f"{name}-{tag}")
            assert_accessible(page, f"{path} ({tag})")
        if viewport is SMALL_PHONE:
            page.locator("#menu").click()
            expect(page.locator("#nav")).to_be_visible()
            shot(f"menu-{tag}", full_page=False)
            assert_accessible(page, f"the open menu ({tag})")
    page.goto("/#/my")
    page.fill("#f-policyNumber", "7800000101000002")
    page.fill("#f-lastName", "Нетакова")
    page.fill("#f-birthDate", "1990-01-01")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".results .message")).to_be_visible()
    shot(f"my-search-{language}")
    assert_accessible(page, f"the search results ({language})")
    page.goto("/#/address")
    page.fill("#f-address", "Садовая 5")
    page.locator("main button[type=submit]").click()
    expect(page.locator("button.candidate")).to_have_count(2)
    assert_accessible(page, f"the address candidates ({language})")
    page.fill("#f-address", "Невскй 28")
    page.locator("main button[type=submit]").click()
    expect(page.locator('[data-code="address_not_found"]')).to_be_visible()
    shot(f"address-suggestion-{language}")
    assert_accessible(page, f"the address suggestion ({language})")


def test_hold_countdown_runs_out_back_to_the_times(make_page) -> None:
    page, shot = make_page(DESKTOP)
    page.clock.install()  # time flows as usual until the test moves it
    page.goto("/#/clinic/cl0102/specialty/surgeon")
    page.locator(DOCTOR_CARD).first.click()
    choose_first_time(page)
    page.fill("#f-lastName", "Федорова")
    expect(page.locator(".countdown")).to_contain_text(re.compile(r"[45]:\d\d"))
    page.clock.fast_forward("04:10")
    expect(page.locator(".countdown")).to_have_class(re.compile("urgent"))
    shot("hold-last-minute")
    page.clock.fast_forward("01:00")
    expect(h1(page)).to_have_text("Выберите дату и время")
    expect(page.locator('[data-code="hold_gone"]')).to_have_text("Время на оформление истекло. Выберите время снова.")
    shot("hold-ran-out")
    # The typed data waits for the next try.
    choose_first_time(page)
    expect(page.locator("#f-lastName")).to_have_value("Федорова")
