"""Every staff page (#/registry: sign-in, day list with cards, plan form, absence preview, journal) at 360 px and
1280 px, in Russian and English: 0 axe-core violations of any impact (target-size among them), no horizontal scroll,
every button, field and tab at least 44 x 44 px (WCAG 2.2), staff words in the page's language."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.helpers import assert_accessible
from tests.browser.test_registry_pages import (
    LIVE_DOCTOR,
    PAST_DOCTOR,
    PHONE_360,
    SLOW,
    future_appointment,
    past_appointment,
    sign_in,
)

pytestmark = pytest.mark.browser

# The controls a member of staff presses or types in: buttons, fields, the tabs.
SMALL_TARGETS = """() => [...document.querySelectorAll('main button, main input, main select, main a.button')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => { const r = e.getBoundingClientRect();
                  return {what: `${e.tagName} ${e.id} ${e.textContent.trim().slice(0, 20)}`,
                          w: r.width, h: r.height}; })
    .filter((r) => r.w < 44 || r.h < 44)"""

WORDS = {
    "ru": {"role": "Заведующий регистратурой", "referral": "Кардиолог — по направлению", "tab": "Журнал доступа",
           "preview": "Будут отменены записи пациентов"},
    "en": {"role": "Head of registry", "referral": "Cardiologist — by referral", "tab": "Access journal",
           "preview": "Patients' appointments to be cancelled"},
}


def check_layout(page: Any, where: str, width: int) -> None:
    assert_accessible(page, where)
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{where}: the page is {scroll} px wide at {width} px"
    small = page.evaluate(SMALL_TARGETS)
    assert not small, f"{where}: targets under 44 x 44 px: {small}"


@pytest.mark.parametrize(("language", "viewport"), [("ru", PHONE_360), ("en", PHONE_360), ("ru", DESKTOP),
                                                    ("en", DESKTOP)])
def test_every_staff_page_is_accessible_and_fits(make_page, stack, language: str, viewport: dict[str, int]) -> None:
    done = past_appointment(stack)
    later = future_appointment(stack, LIVE_DOCTOR)
    words = WORDS[language]
    width = viewport["width"]
    page, shot = make_page(viewport)
    page.add_init_script(f"localStorage.setItem('zapis.lang', '{language}')")

    page.goto("/#/registry")
    expect(page.locator("#reg-role")).to_be_visible()
    check_layout(page, f"the sign-in ({language}, {width} px)", width)

    sign_in(page, "head")
    expect(page.locator(".reg-who .reg-role")).to_have_text(words["role"])
    expect(page.locator("nav.reg-tabs a").last).to_have_text(words["tab"])

    # The day list: a card that has started (its buttons on) and one to come (its buttons off, a hint).
    for appointment, doctor in ((done, PAST_DOCTOR), (later, LIVE_DOCTOR)):
        page.fill("#reg-day", appointment["day"])
        page.fill("#reg-day-doctor", doctor)
        page.locator("form.reg-filter button[type=submit]").click()
        card = page.locator(f'li[data-appointment="{appointment["id"]}"]')
        expect(card).to_be_visible(timeout=SLOW)
        check_layout(page, f"the day list ({language}, {width} px, {doctor})", width)
    shot(f"day-{language}-{width}")

    page.locator("nav.reg-tabs a").nth(1).click()
    expect(page.locator("#plan-specialty")).to_be_visible()
    assert words["referral"] in page.locator("#plan-specialty option").all_inner_texts()
    check_layout(page, f"the plan form ({language}, {width} px)", width)
    shot(f"plan-{language}-{width}")

    page.locator("nav.reg-tabs a").nth(2).click()
    page.fill("#abs-doctor", LIVE_DOCTOR)
    page.fill("#abs-from", later["day"])
    page.fill("#abs-to", later["day"])
    page.locator('section[aria-labelledby="reg-abs-title"] form button[type=submit]').click()
    preview = page.locator('section[aria-labelledby="reg-abs-title"] .message.warn')
    expect(preview).to_contain_text(words["preview"], timeout=SLOW)  # a dry run: nothing is cancelled
    check_layout(page, f"the absence preview ({language}, {width} px)", width)
    shot(f"absence-{language}-{width}")

    page.locator("nav.reg-tabs a").nth(3).click()
    expect(page.locator("ol.reg-journal li").first).to_be_visible(timeout=SLOW)
    check_layout(page, f"the journal ({language}, {width} px)", width)
    shot(f"journal-{language}-{width}")
