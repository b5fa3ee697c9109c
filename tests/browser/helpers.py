"""Steps the browser tests share: filling the anonymous form, checking accessibility and layout shift."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.support import PATIENTS

# A doctor's card: until the doctors' page renders, the specialties' cards (also a.card) are still there.
DOCTOR_CARD = 'a.card[href*="/doctor/"]'

# Cumulative layout shift of the document, as the Layout Instability API reports it (shifts right after
# the patient's own input do not count, as in Web Vitals).
CLS_SCRIPT = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({type: 'layout-shift', buffered: true});
"""


def h1(page: Any) -> Any:
    return page.get_by_role("heading", level=1)


def menu(page: Any) -> Any:
    """The header's menu (#nav), opened first on a phone, where it is behind the "Меню"/"Menu" button."""
    button = page.locator("#menu")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
    return page.locator("#nav")


def fill_patient(page: Any, p: dict[str, Any], email: str | None = None) -> None:
    page.fill("#f-lastName", p["lastName"])
    page.fill("#f-firstName", p["firstName"])
    page.fill("#f-middleName", p.get("middleName") or "")
    page.fill("#f-birthDate", p["birthDate"])
    page.fill("#f-policyNumber", p["policyNumber"])
    page.fill("#f-policySeries", p.get("policySeries") or "")
    page.fill("#f-email", email or p["email"])


def assert_accessible(page: Any, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core: violations on {where}: {found}"


def layout_shift(page: Any) -> float:
    return float(page.evaluate("() => window.__cls || 0"))


def open_calendar(page: Any, clinic: str, specialty: str, doctor: str) -> None:
    page.goto(f"/#/clinic/{clinic}/specialty/{specialty}/doctor/{doctor}")
    expect(page.locator("button.time").first).to_be_visible()


def fill_who(page: Any, p: dict[str, Any]) -> None:
    """"Who is booking" on the calendar (anonymous): the identity the time is held for (issue 12)."""
    who = page.locator("form.who-form")
    who.locator("#f-lastName").fill(p["lastName"])
    who.locator("#f-birthDate").fill(p["birthDate"])
    who.locator("#f-policyNumber").fill(p["policyNumber"])
    who.locator("#f-policySeries").fill(p.get("policySeries") or "")


def choose_first_time(page: Any, who: dict[str, Any] | None = None) -> str:
    """Click the first free time of the chosen day (anonymous: after "who is booking" is filled with `who`,
    default the first demo patient of the page's clinic); returns its slot id once the form shows."""
    # The calendar first: its module may still be loading (views are loaded on demand), and "who is booking" comes
    # with it.
    expect(page.locator("button.time").first).to_be_visible()
    if page.locator("form.who-form").count():
        if who is None:
            clinic = page.url.split("/clinic/")[1].split("/")[0]
            who = next(p for p in PATIENTS if p["clinicId"] == clinic)
        fill_who(page, who)
    button = page.locator("button.time").first
    slot = button.get_attribute("data-slot")
    button.click()
    # The hold is a write through a function that may start cold on a busy machine: wait for it, generously.
    refused = page.locator(".calendar-area .message[data-code]")
    expect(h1(page).filter(has_text="Данные пациента").or_(refused)).to_be_visible(timeout=30_000)
    assert not refused.count(), f"the hold was refused: {refused.first.inner_text()}"
    expect(h1(page)).to_have_text("Данные пациента")
    return str(slot)
