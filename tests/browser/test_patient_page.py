"""The patient's page has no dead end, is light and locked down, and speaks the portal's words (issue 30): every
specialty card and every refusal leads to a next step; the signed-in header fits a 360 px phone behind a real
menu button; the first load is at most 12 requests and 100 KB, without the staff pages; the page runs under its
Content-Security-Policy (conftest.py enforces it and fails a test on any violation); «История заявлений» and
«Отменить запись на приём к врачу» are named as the ticket and the emails name them."""
from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, patient
from tests.browser.helpers import assert_accessible, fill_who, h1, menu

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}
FIRST_LOAD_REQUESTS = 12
FIRST_LOAD_BYTES = 100_000


def _transferred(request: Any) -> int:
    """What one answer weighs on the wire: its headers and its body as sent (compressed by the front)."""
    sizes = request.sizes()
    return int(sizes["responseBodySize"] + sizes["responseHeadersSize"])


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_first_load_is_light(make_page, language: str) -> None:
    page, shot = make_page(DESKTOP)
    page.add_init_script(f"localStorage.setItem('zapis.lang', '{language}')")
    finished: list[Any] = []
    page.on("requestfinished", lambda r: finished.append(r))
    response = page.goto("/", wait_until="networkidle")
    expect(page.locator("main a.card").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert response is not None
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, "the page is served with its CSP"
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "no-referrer"

    paths = [urlsplit(r.url).path for r in finished]
    weight = sum(_transferred(r) for r in finished)
    shot(f"first-load-{language}")
    assert len(finished) <= FIRST_LOAD_REQUESTS, f"{len(finished)} requests: {paths}"
    assert weight <= FIRST_LOAD_BYTES, f"{weight} bytes: {paths}"
    assert "/registry.js" not in paths, "a patient never downloads the staff pages"
    # Every module of the first view is preloaded by index.html: none is found only once another has run.
    preloaded = set(page.locator('link[rel="modulepreload"]').evaluate_all(
        "(ls) => ls.map((l) => new URL(l.href).pathname)"))
    modules = {p for p in paths if p.endswith(".js")}
    assert modules == preloaded | {"/app.js"}, modules ^ (preloaded | {"/app.js"})


def _specialty_without_free_time(stack: Any) -> None:
    """A dentist at cl0201 with no working hours yet (the registry's own route): «Стоматолог», no free time."""
    status, body = stack.call("POST", "/_local/token", {"staff": True, "clinicId": "cl0201"})
    assert status == 200, body
    status, body = stack.call("PUT", "/v1/registry/clinics/cl0201/doctors/cl0201-d30",
                              {"name": "Орлова Вера Павловна", "specialtyId": "dentist", "room": "214",
                               "slotMinutes": 30, "plan": []}, headers={"Authorization": f"Bearer {body['token']}"})
    assert status == 200, body


@pytest.mark.parametrize(("language", "viewport"), [("ru", DESKTOP), ("en", SMALL_PHONE)])
def test_every_specialty_card_leads_somewhere(make_page, stack, language: str, viewport: dict[str, int]) -> None:
    _specialty_without_free_time(stack)
    page, shot = make_page(viewport)
    page.add_init_script(f"localStorage.setItem('zapis.lang', '{language}')")
    page.goto("/#/clinic/cl0201")
    cards = page.locator("main [data-specialty]")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 9
    # Every card is a link, the one without free time too.
    assert cards.evaluate_all("(els) => els.every((e) => e.tagName === 'A' && e.getAttribute('href'))")
    dentist = page.locator('main [data-specialty="dentist"]')
    expect(dentist).to_contain_text("Нет свободного времени" if language == "ru" else "No free times")
    shot(f"specialties-{language}")
    assert_accessible(page, f"the specialties with one without free time ({language})")
    dentist.click()

    expect(h1(page)).to_have_text("Выберите врача" if language == "ru" else "Choose a doctor")
    none = page.locator('[data-code="no_free_time"]')
    expect(none).to_be_visible()
    expect(none.get_by_role("link")).to_have_attribute("href", "#/waitlist?clinic=cl0201&specialty=dentist")
    card = page.locator("div.card.muted").filter(has_text="Орлова")
    expect(card.get_by_role("link")).to_have_attribute(
        "href", "#/waitlist?clinic=cl0201&specialty=dentist&doctor=cl0201-d30")
    shot(f"doctors-without-free-time-{language}")
    assert_accessible(page, f"the doctors without free time ({language})")
    card.get_by_role("link").click()
    expect(h1(page)).to_have_text(
        "Сообщить, если появится время" if language == "ru" else "Tell me when a time frees up")
    expect(page.locator("form.waitlist-form")).to_be_visible()
    assert_accessible(page, f"the waiting list form ({language})")


def test_every_refusal_carries_its_next_step(make_page) -> None:
    volkov = patient("00010102")  # cl0101, an adult with no referral
    page, shot = make_page(DESKTOP)

    # A referral-only specialty's calendar opened directly: the refusal leads to the referral form.
    page.goto("/#/clinic/cl0101/specialty/cardiologist/doctor/cl0101-d08")
    expect(page.locator("button.time").first).to_be_visible()
    fill_who(page, volkov)
    page.locator("button.time").first.click()
    refusal = page.locator('[data-code="referral_required"]')
    expect(refusal).to_be_focused(timeout=20_000)
    ask = refusal.get_by_role("link", name="Ввести номер направления")
    expect(ask).to_have_attribute("href", "#/referral?clinic=cl0101&specialty=cardiologist")
    shot("referral-required")
    assert_accessible(page, "the referral refusal with its next step")
    ask.click()
    expect(h1(page)).to_have_text("Запись по направлению")

    # An adult at the children's doctor: another doctor of the clinic, or the address look-up.
    page.goto("/#/clinic/cl0101/specialty/paediatrician")
    page.locator('a.card[href*="/doctor/"]').first.click()
    expect(page.locator("button.time").first).to_be_visible()
    page.locator("button.time").first.click()  # "who is booking" is kept from the first try
    refusal = page.locator('[data-code="age_restricted"]')
    expect(refusal).to_be_focused(timeout=20_000)
    expect(refusal.get_by_role("link", name="Выбрать другого врача")).to_have_attribute("href", "#/clinic/cl0101")
    expect(refusal.get_by_role("link", name="Найти поликлинику по адресу")).to_have_attribute("href", "#/address")
    shot("age-restricted")
    assert_accessible(page, "the age refusal with its next steps")

    # Unknown patient: correct the details (the first field takes the focus), or look the clinic up.
    page.locator("form.who-form #f-birthDate").fill("1980-08-05")
    page.locator("button.time").first.click()
    refusal = page.locator('[data-code="patient_not_found"]')
    expect(refusal).to_be_focused(timeout=20_000)
    refusal.get_by_role("button", name="Исправить данные").click()
    expect(page.locator("form.who-form #f-lastName")).to_be_focused()
    expect(refusal.get_by_role("link", name="Найти поликлинику по адресу")).to_be_visible()

    # A doctor without any free time: the waiting list for this doctor, or the specialty's other doctors.
    page.route("**/v1/doctors/cl0101-d04/slots*", lambda route: route.fulfill(json={
        "items": [], "window": {"from": "2026-01-01", "to": "2026-01-14"}}))
    page.goto("/#/clinic/cl0101/specialty/surgeon/doctor/cl0101-d04")
    none = page.locator('[data-code="no_free_time"]')
    expect(none.get_by_role("link", name="Сообщить, если появится время")).to_have_attribute(
        "href", "#/waitlist?clinic=cl0101&specialty=surgeon&doctor=cl0101-d04")
    expect(none.get_by_role("link", name="Другие врачи этой специальности")).to_have_attribute(
        "href", "#/clinic/cl0101/specialty/surgeon")
    shot("calendar-without-free-time")
    assert_accessible(page, "a calendar without free time")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_signed_in_header_fits_a_small_phone(make_page, language: str) -> None:
    petrova = patient("7800000101000001")
    page, shot = make_page(SMALL_PHONE, is_mobile=True, has_touch=True)
    page.add_init_script(f"localStorage.setItem('zapis.lang', '{language}')")
    page.goto("/#/signin")
    page.fill("#f-policyNumber", petrova["policyNumber"])
    page.locator("main button[type=submit]").click()
    expect(page.locator("#nav")).to_contain_text(petrova["lastName"])

    button = page.locator("#menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#nav")).to_be_hidden()
    height = page.evaluate("() => document.querySelector('header.top').getBoundingClientRect().height")
    assert height <= 80, f"the closed header takes {height} px"
    assert_accessible(page, f"the phone header, menu closed ({language})")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    sign_out = page.locator("#nav").get_by_role("button", name="Выйти" if language == "ru" else "Sign out")
    expect(sign_out).to_be_in_viewport(ratio=1)
    who = page.locator("#nav .who")
    expect(who).to_have_text(("Вы вошли: " if language == "ru" else "Signed in: ") + "Петрова Татьяна Петровна")
    expect(who).to_be_in_viewport(ratio=1)
    box = sign_out.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"], box
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(
        "() => [...document.querySelectorAll('#nav *')].every((e) => e.scrollWidth <= e.clientWidth + 1)")
    shot(f"phone-menu-open-{language}", full_page=False)
    assert_accessible(page, f"the phone header, menu open ({language})")
    page.keyboard.press("Escape")
    expect(page.locator("#nav")).to_be_hidden()
    expect(button).to_be_focused()
    button.click()
    sign_out.click()
    expect(page.locator("#nav")).not_to_contain_text(petrova["lastName"])
    expect(page.locator("main .message")).to_contain_text("Вы вышли" if language == "ru" else "You have signed out")


def test_the_portals_words_from_the_ticket_to_the_cancellation(make_page, stack) -> None:
    ivanova = patient("7800000301000000")  # cl0301
    policy = {k: ivanova[k] for k in ("policyNumber", "policySeries") if ivanova.get(k)}
    status, found = stack.call("POST", "/v1/appointments/search",
                               {**policy, "lastName": ivanova["lastName"], "birthDate": ivanova["birthDate"]})
    assert status == 200, found
    for old in found["items"]:
        stack.call("POST", f"/v1/appointments/{old['id']}/cancel", policy)
    status, slots = stack.call("GET", "/v1/doctors/cl0301-d07/slots")
    assert status == 200 and slots["items"], slots
    body = {k: ivanova[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber",
                                    "policySeries", "email") if ivanova.get(k)}
    status, booked = stack.call("POST", "/v1/appointments", {"slotId": slots["items"][-1]["id"], "patient": body},
                                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, booked
    a = booked["appointment"]

    page, shot = make_page(DESKTOP)
    page.goto("/#" + a["ticketUrl"].split("#")[1])
    # The ticket's number is a heading, not a paragraph dressed as one.
    expect(page.get_by_role("heading", level=2, name=f"Талон № {a['number']}")).to_be_visible()
    hint = page.locator(".how-to-cancel")
    expect(hint).to_contain_text("«История заявлений»")
    expect(hint).to_contain_text("«Отменить запись на приём к врачу»")
    # The places the ticket names are named so on the page.
    expect(page.locator("#nav").get_by_role("link", name="История заявлений")).to_be_visible()
    shot("ticket-words")
    assert_accessible(page, "the ticket")
    hint.get_by_role("link", name="Отменить запись").click()
    expect(h1(page)).to_have_text("Отменить запись на приём к врачу")
    page.fill("#f-policyNumber", ivanova["policyNumber"])
    page.get_by_role("button", name="Отменить запись").click()
    expect(page.locator(".message.success")).to_be_focused()
    expect(page.locator(".which")).to_contain_text("Отменённая запись:")
    expect(page.get_by_text("Вы отменяете запись:")).to_have_count(0)
    shot("cancelled-words")
    assert_accessible(page, "the cancellation done")
    # Back on the same link later: the page says the appointment is no longer booked and asks for nothing.
    page.goto("/")
    page.goto("/#" + a["cancellation"]["url"].split("#")[1])
    expect(page.locator('[data-code="not_cancellable"]')).to_contain_text("отменена")
    expect(page.locator("#f-policyNumber")).to_have_count(0)

    # From the home page: «Подать заявление» -> «Отменить запись на приём к врачу» finds it by policy.
    page.goto("/")
    apply = page.locator("section.apply")
    expect(apply.get_by_role("heading", level=2)).to_have_text("Подать заявление")
    apply.get_by_role("link", name="Отменить запись на приём к врачу").click()
    expect(h1(page)).to_have_text("Отменить запись на приём к врачу")
    expect(page.locator("form.search-form")).to_be_visible()
    assert_accessible(page, "the cancellation's search")


@pytest.mark.parametrize("typed", ["Невский пр. 10-25", "Невский пр., 10/2", "Невский пр. д.10 кв.25"])
def test_a_house_with_its_flat_is_understood(make_page, typed: str) -> None:
    page, _ = make_page(DESKTOP)
    page.goto("/#/address")
    page.fill("#f-address", typed)
    page.get_by_role("button", name="Найти").click()
    expect(page.locator("main h2")).to_have_text(re.compile(r"^Поликлиники, обслуживающие адрес: Невский пр\., 10"))
    expect(page.locator("[data-clinic]")).to_have_count(1)
    expect(page.locator("#f-address-error")).to_have_text("")


def test_the_staff_pages_load_on_demand_under_the_csp(make_page) -> None:
    page, _ = make_page(DESKTOP)
    page.goto("/")
    expect(page.locator("main a.card").first).to_be_visible()
    with page.expect_request(lambda r: urlsplit(r.url).path == "/registry.js"):
        page.goto("/#/registry")
    expect(h1(page)).to_have_text("Регистратура")
    assert_accessible(page, "the registry's sign-in")
    # The menu's own links on a wide screen: a row, the menu button not shown.
    expect(page.locator("#menu")).to_be_hidden()
    expect(menu(page).get_by_role("link", name="История заявлений")).to_be_visible()
