"""The staff pages (#/registry) in a real browser, one test per journey (issue 28): a receptionist of cl0101 signs in
by keyboard alone on a 360 px phone, sees today's list and marks attendance; the attendance buttons come alive
without a reload; the head of registry publishes a doctor (specialty names, "by referral", the English name),
records an absence after its preview and reads the journal showing those actions; an unknown clinic is refused;
a receptionist sees neither plans, absences nor the journal, and the API's 403 is said in words when forced.
After every action the focus is on the changed card or the answer's message, never on <body>.

Attendance is recorded only after the appointment's start by the server's clock, and a patient can book future
times only: the test process writes a time that has started (a slot of a demo doctor some minutes ago) into the
stack's own table and books it with the shared code under a moved clock (`past_appointment`)."""
from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.helpers import assert_accessible, h1
from tests.support import LocalStack

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
# The local stack opens the new days in the background for a while after start: answers can take long then.
SLOW = 90_000
PHONE_360 = {"width": 360, "height": 780}
CLINIC = "cl0101"
PAST_DOCTOR = "cl0101-d07"  # neurologist: the started appointments the receptionist marks, the absence's day
LIVE_DOCTOR = "cl0101-d06"  # ENT: the appointment whose buttons come alive (no other browser test books it)
NEW_DOCTOR = "cl0101-d32"  # published by the head of registry


# ---------------------------------------------------------------- the stack's own table
@contextmanager
def stack_table(stack: LocalStack) -> Iterator[pytest.MonkeyPatch]:
    """The shared code of this process pointed at the stack's table (DynamoDB Local), as the stack's functions."""
    from shared.platform import config, dal

    if not stack.ddb_port:
        pytest.skip("a stack started by hand (BROWSER_STACK_URL): its table is not reachable from here")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{stack.ddb_port}")
        mp.setenv("TABLE_NAME", "zapis-local")
        mp.setenv("POLICY_HASH_KEY", "local-development-key")
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            mp.setenv(name, "local")
        mp.setenv("AWS_DEFAULT_REGION", "eu-north-1")
        config.settings.cache_clear()
        dal.reset_client()
        try:
            yield mp
        finally:
            config.settings.cache_clear()
            dal.reset_client()


def made_up_patient(stack: LocalStack, clinic_id: str = CLINIC) -> dict[str, Any]:
    """A new adult attached to `clinic_id` (its register entry written into the stack's table), unique per call."""
    from infra.demo import data
    from shared.platform import dal

    n = uuid.uuid4().int % 10**12
    person = {"lastName": "Проверкина", "firstName": "Анна", "middleName": "Ивановна", "birthDate": "1980-05-17",
              "policyNumber": f"7788{n:012d}", "policySeries": None, "clinicId": clinic_id,
              "email": f"reg.{n}@example.org"}
    with stack_table(stack):
        dal.batch_write(data.register_items([person]))
    return person


def past_appointment(stack: LocalStack, doctor_id: str = PAST_DOCTOR, minutes_ago: int = 20) -> dict[str, Any]:
    """An appointment of `doctor_id` that started `minutes_ago` (by the real clock): a slot written then, booked with
    the shared code as the booking function does, its clock moved to an hour before the start."""
    from shared.booking import bookings as booking
    from shared.clinic import plans, schedule
    from shared.patients import callers
    from shared.platform import clock, dal, keys

    person = made_up_patient(stack, doctor_id.split("-")[0])
    start = (int(time.time()) - minutes_ago * 60) // 60 * 60
    with stack_table(stack) as mp:
        doctor = schedule.doctor_profiles([doctor_id])[doctor_id]
        while dal.get(keys.key(keys.doctor_pk(doctor_id), keys.slot_sk(start)), consistent=True):
            start -= 60  # a minute no slot of this doctor starts at
        dal.put(plans.slot_item(doctor, start, start + 20 * 60))
        mp.setattr(clock, "now", lambda: start - 3600)
        caller = callers.anonymous(person["policyNumber"], None, person["lastName"], person["birthDate"],
                                   details=callers.Details(first_name=person["firstName"],
                                                           middle_name=person["middleName"], email=person["email"]))
        out = booking.book(booking.Request(keys.slot_id(doctor_id, start), None, caller, uuid.uuid4().hex,
                                           uuid.uuid4().hex, "ru"))
        local_start = clock.local_iso(start)
    return {"id": out.body["appointment"]["id"], "start": local_start, "day": local_start[:10], "person": person}


def future_appointment(stack: LocalStack, doctor_id: str, last: bool = False) -> dict[str, Any]:
    """A made-up patient books a free time of `doctor_id` through the API (the first, or the last of the window)."""
    person = made_up_patient(stack, doctor_id.split("-")[0])
    status, body = stack.call("GET", f"/v1/doctors/{doctor_id}/slots")
    assert status == 200 and body["items"], body
    later = datetime.now(ZoneInfo("Europe/Moscow")) + timedelta(hours=2)
    soon = [s for s in body["items"] if datetime.fromisoformat(s["start"]) > later]
    slot = (soon or body["items"])[-1 if last else 0]
    patient = {k: person[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber", "email")}
    status, booked = stack.call("POST", "/v1/appointments", {"slotId": slot["id"], "patient": patient},
                                {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, booked
    return {"id": booked["appointment"]["id"], "start": slot["start"], "day": slot["start"][:10], "person": person}


def staff_token(stack: LocalStack, clinic_id: str | None = CLINIC, role: str = "head") -> str:
    body: dict[str, Any] = {"staff": True, "role": role}
    if clinic_id:
        body["clinicId"] = clinic_id
    status, answer = stack.call("POST", "/_local/token", body)
    assert status == 200, answer
    return str(answer["token"])


def clinic_today() -> str:
    return datetime.now(ZoneInfo("Europe/Moscow")).date().isoformat()


def clinic_name(stack: LocalStack, clinic_id: str = CLINIC, lang: str = "ru") -> str:
    status, body = stack.call("GET", f"/v1/clinics/{clinic_id}", headers={"Accept-Language": lang})
    assert status == 200, body
    return str(body["name"])


# ---------------------------------------------------------------- the page
def sign_in(page: Any, role: str = "head", clinic_id: str = CLINIC) -> None:
    """Sign in on #/registry with the mouse (the keyboard-only journey does it by keys)."""
    page.goto("/#/registry")
    expect(page.locator("#reg-role")).to_be_visible()
    page.select_option("#reg-role", role)
    if role != "city":
        page.fill("#reg-clinic", clinic_id)
    page.locator("form.reg-signin button[type=submit]").click()
    expect(page.locator(".reg-who .clinic-name")).not_to_have_text("…", timeout=SLOW)


def focus_not_on_body(page: Any, where: str) -> str:
    """The focused element (tag, id, class) after an action: never <body>."""
    found = page.evaluate("""() => { const e = document.activeElement;
        return e && e !== document.body ? `${e.tagName.toLowerCase()}#${e.id}.${e.className}` : null; }""")
    assert found, f"the focus fell to <body> after {where}"
    return str(found)


def focused_inside(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(s) => { const box = document.querySelector(s);"
                              " return Boolean(box && box.contains(document.activeElement)); }", selector))


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus (keyboard only: no click anywhere)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => Boolean(document.activeElement && document.activeElement.matches(s))", selector):
            return
    raise AssertionError(f"{selector} never got the focus by Tab")


def show_day(page: Any, day: str, doctor_id: str, card: Any) -> None:
    """The day list of `day` for `doctor_id`, until `card` is there (a request may time out while the stack opens new
    days: staff press «Показать» again)."""
    page.fill("#reg-day", day)
    page.fill("#reg-day-doctor", doctor_id)
    error = page.locator('section[aria-labelledby="reg-day-title"] .message.error')
    for _ in range(3):
        page.locator("form.reg-filter button[type=submit]").click()
        expect(card.or_(error)).to_be_visible(timeout=SLOW)
        if card.is_visible():
            return
    expect(card).to_be_visible()


def journal_has(stack: LocalStack, token: str, day: str, action: str) -> list[dict[str, Any]]:
    status, body = stack.call("GET", f"/v1/registry/clinics/{CLINIC}/journal?date={day}",
                              headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body
    return [e for e in body["items"] if e["action"] == action]


# ---------------------------------------------------------------- the journeys
def test_receptionist_by_keyboard_then_the_head_and_the_journal(make_page, stack) -> None:
    done = past_appointment(stack)
    card_selector = f'li[data-appointment="{done["id"]}"]'

    # A receptionist, on a 360 px phone, by keyboard alone.
    page, shot = make_page(PHONE_360)
    page.goto("/#/registry")
    expect(h1(page)).to_have_text("Регистратура")
    tab_to(page, "#reg-role")
    assert page.locator("#reg-role").input_value() == "receptionist"
    tab_to(page, "#reg-clinic")
    page.keyboard.press("Control+A")
    page.keyboard.type(CLINIC)
    tab_to(page, "form.reg-signin button[type=submit]")
    page.keyboard.press("Enter")
    name = clinic_name(stack)
    expect(page.locator(".reg-who .clinic-name")).to_have_text(name, timeout=SLOW)
    expect(page.locator(".reg-who .reg-role")).to_have_text("Регистратор")
    expect(page.locator(".reg-who")).not_to_contain_text(CLINIC)  # the clinic by name, never a code
    focus_not_on_body(page, "signing in")
    expect(page.locator("nav.reg-tabs")).to_have_count(0)  # a receptionist has the day list only
    expect(page.locator("#reg-day")).to_have_value(clinic_today())
    expect(page.locator(".reg-section .message").first).to_be_visible(timeout=SLOW)
    if done["day"] != page.locator("#reg-day").input_value():  # just after midnight: the appointment was yesterday
        page.locator("#reg-day").fill(done["day"])
    tab_to(page, "#reg-day-doctor")
    page.keyboard.type(PAST_DOCTOR)
    page.keyboard.press("Enter")
    card = page.locator(card_selector)
    expect(card).to_be_visible(timeout=SLOW)
    person = done["person"]
    expect(card).to_contain_text(f"{person['lastName']} {person['firstName']} {person['middleName']}")
    expect(card).to_contain_text(done["start"][11:16])
    expect(card.locator(".reg-status")).to_contain_text("записан")
    came = card.locator('button[data-mark="fulfilled"]')
    expect(came).to_be_enabled()  # it has started
    status, listed = stack.call("GET", f"/v1/registry/clinics/{CLINIC}/appointments?date={done['day']}"
                                       f"&doctorId={PAST_DOCTOR}",
                                headers={"Authorization": f"Bearer {staff_token(stack, role='receptionist')}"})
    assert status == 200, listed
    item = next(a for a in listed["items"] if a["id"] == done["id"])
    if "age" in item["patient"]:  # the day list's age (issue 29): said in words on the card
        expect(card).to_contain_text(f"{item['patient']['age']} ")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_360["width"]
    shot("receptionist-day-list")
    tab_to(page, f'{card_selector} button[data-mark="fulfilled"]')
    # The journal keeps an action under the day it was done (not the appointment's): around midnight either.
    mark_days = {clinic_today()}
    page.keyboard.press("Space")
    expect(card.locator(".reg-status")).to_contain_text("пришёл", timeout=SLOW)
    mark_days.add(clinic_today())
    expect(card.locator("button[data-mark]")).to_have_count(0)
    focus_not_on_body(page, "«Пришёл»")
    assert focused_inside(page, card_selector), "the focus stays on the marked card"
    expect(card.locator(".reg-status")).to_be_focused()
    shot("receptionist-marked")
    assert_accessible(page, "the day list at 360 px after a mark")

    # The head of registry, at 1280 px: publishes a doctor, records an absence, reads the journal.
    page, shot = make_page(DESKTOP)
    sign_in(page, "head")
    expect(page.locator(".reg-who .reg-role")).to_have_text("Заведующий регистратурой")
    tabs = page.locator("nav.reg-tabs a")
    expect(tabs).to_have_text(["Записи на день", "График врача", "Отсутствие врача", "Журнал доступа"])
    expect(page.locator(".reg-section .message").first).to_be_visible(timeout=SLOW)  # the day list was read

    tabs.nth(1).click()
    expect(page.locator("#reg-plan-title")).to_be_visible()
    labels = page.locator("#plan-specialty option").all_inner_texts()
    assert "Терапевт" in labels and "Кардиолог — по направлению" in labels and "Детский хирург" in labels, labels
    assert "therapist" not in labels
    page.fill("#plan-doctor", "cl0102-d31")  # another clinic's doctor: said before anything is sent
    page.fill("#plan-name", "Орлова Вера Павловна")
    page.fill("#plan-name-en", "Orlova Vera Pavlovna")
    page.fill("#plan-room", "214")
    page.select_option("#plan-specialty", label="Невролог")
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.locator("#plan-doctor-error")).to_have_text(re.compile("относится к другой поликлинике"))
    expect(page.locator("#plan-doctor")).to_be_focused()
    page.fill("#plan-doctor", NEW_DOCTOR)
    page.get_by_role("button", name="Опубликовать").click()
    published = page.locator('section[aria-labelledby="reg-plan-title"] .message.success')
    expect(published).to_contain_text("Опубликовано: Орлова Вера Павловна", timeout=SLOW)
    expect(published).to_be_focused()
    assert "слот" not in published.inner_text()
    shot("head-published")
    status, doctors = stack.call("GET", f"/v1/clinics/{CLINIC}/specialties/neurologist/doctors",
                                 headers={"Accept-Language": "en"})
    assert status == 200 and any(d["id"] == NEW_DOCTOR and d["name"] == "Orlova Vera Pavlovna"
                                 for d in doctors["items"]), doctors

    booked = future_appointment(stack, PAST_DOCTOR, last=True)
    token = staff_token(stack)
    status, listed = stack.call("GET", f"/v1/registry/clinics/{CLINIC}/appointments?date={booked['day']}"
                                       f"&doctorId={PAST_DOCTOR}", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, listed
    affected = sum(a["status"] == "booked" for a in listed["items"])
    assert affected >= 1, listed
    tabs.nth(2).click()
    page.fill("#abs-doctor", PAST_DOCTOR)
    page.fill("#abs-from", booked["day"])
    page.fill("#abs-to", booked["day"])
    page.get_by_role("button", name="Проверить").click()
    preview = page.locator('section[aria-labelledby="reg-abs-title"] .message.warn')
    expect(preview).to_contain_text(f"Будут отменены записи пациентов: {affected}.", timeout=SLOW)
    expect(preview).to_be_focused()
    shot("head-absence-preview")
    page.get_by_role("button", name="Подтвердить отсутствие").click()
    result = page.locator('section[aria-labelledby="reg-abs-title"] .message.success')
    expect(result).to_contain_text(f"Готово: отменено записей пациентов {affected}", timeout=SLOW)
    expect(result).to_be_focused()
    assert "слот" not in result.inner_text()
    status, after = stack.call("GET", f"/v1/registry/clinics/{CLINIC}/appointments?date={booked['day']}"
                                      f"&doctorId={PAST_DOCTOR}", headers={"Authorization": f"Bearer {token}"})
    assert next(a for a in after["items"] if a["id"] == booked["id"])["status"] == "cancelled"

    tabs.nth(3).click()
    today = clinic_today()
    expect(page.locator("#reg-journal-day")).to_have_value(today)
    entries = page.locator("ol.reg-journal li")
    expect(entries.first).to_be_visible(timeout=SLOW)
    expect(page.locator('li[data-action="plan.publish"]').last).to_contain_text("Публикация графика врача")
    expect(page.locator('li[data-action="plan.publish"]').last).to_contain_text(NEW_DOCTOR)
    expect(page.locator('li[data-action="plan.publish"]').last).to_contain_text("Заведующий регистратурой")
    expect(page.locator('li[data-action="absence.record"]').last).to_contain_text("Отсутствие врача")
    expect(page.locator('li[data-action="daylist.read"]').first).to_contain_text("Просмотр записей на день")
    if mark_days == {today}:
        marked = page.locator('li[data-action="attendance.mark"]').filter(has_text="Регистратор")
        expect(marked.last).to_contain_text("Отметка явки")
        expect(marked.last).to_contain_text("1 приём")
    assert any(journal_has(stack, token, day, "attendance.mark") for day in mark_days), \
        "the receptionist's mark is in the journal, under the day it was made"
    journal_text = page.locator("ol.reg-journal").inner_text()
    assert person["lastName"] not in journal_text and person["birthDate"] not in journal_text
    shot("head-journal")
    assert_accessible(page, "the journal")


def test_attendance_buttons_come_alive_without_a_reload(make_page, stack) -> None:
    booked = future_appointment(stack, LIVE_DOCTOR)
    page, shot = make_page(DESKTOP)
    page.clock.install()  # the browser's clock, ticking from now; moved past the start below
    sign_in(page, "receptionist")
    card = page.locator(f'li[data-appointment="{booked["id"]}"]')
    show_day(page, booked["day"], LIVE_DOCTOR, card)
    came, noshow = card.locator('button[data-mark="fulfilled"]'), card.locator('button[data-mark="noshow"]')
    expect(came).to_be_disabled()
    expect(noshow).to_be_disabled()
    expect(card.locator(".reg-marks .hint")).to_contain_text(f"Явку можно отметить с {booked['start'][11:16]}")
    shot("before-the-start")

    lists: list[str] = []
    page.on("request", lambda r: lists.append(r.url) if "/appointments?" in r.url else None)
    page.clock.set_system_time(datetime.fromisoformat(booked["start"]) + timedelta(minutes=1))
    page.clock.run_for(20_000)  # the page's own tick: no reload, no new request
    expect(came).to_be_enabled()
    expect(noshow).to_be_enabled()
    expect(card.locator(".reg-marks .hint")).to_be_hidden()
    assert not lists, f"the list was reloaded: {lists}"

    # The server keeps its own clock: it refuses, and the refusal is said on the card, with the focus.
    noshow.click()
    refusal = card.get_by_role("alert")
    expect(refusal).to_have_text("Приём ещё не начался: явку можно отметить после его начала.", timeout=SLOW)
    expect(refusal).to_be_focused()
    focus_not_on_body(page, "a refused mark")
    shot("refused")


def test_an_unknown_clinic_is_refused(make_page, stack) -> None:
    status, body = stack.call("POST", "/_local/token", {"staff": True, "clinicId": "cl9999", "role": "head"})
    assert status == 400, body
    page, shot = make_page(DESKTOP)
    page.goto("/#/registry")
    page.fill("#reg-clinic", "cl9999")
    page.locator("form.reg-signin button[type=submit]").click()
    expect(page.locator("#reg-clinic-error")).to_have_text(
        "Поликлиники с кодом «cl9999» нет в справочнике. Проверьте код.")
    expect(page.locator("#reg-clinic")).to_be_focused()
    expect(page.locator("#reg-clinic")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("() => sessionStorage.getItem('zapis.staffToken')") is None
    shot("unknown-clinic")

    # The city operator signs in without a clinic and chooses one: an unknown one is refused the same way.
    page.select_option("#reg-role", "city")
    expect(page.locator("#reg-clinic")).to_be_hidden()
    page.locator("form.reg-signin button[type=submit]").click()
    page.fill("#reg-city-clinic", "cl9999")
    page.get_by_role("button", name="Выбрать").click()
    expect(page.locator("#reg-city-clinic-error")).to_contain_text("«cl9999» нет в справочнике")
    page.fill("#reg-city-clinic", CLINIC)
    page.get_by_role("button", name="Выбрать").click()
    expect(page.locator(".reg-who .clinic-name")).to_have_text(clinic_name(stack), timeout=SLOW)
    expect(page.locator(".reg-who .reg-role")).to_have_text("Городской оператор")
    expect(page.locator("nav.reg-tabs a")).to_have_count(4)
    page.get_by_role("button", name="Выйти").click()
    expect(page.locator("#reg-role")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('zapis.staffToken')") is None


def test_a_receptionist_has_no_plans_absences_or_journal(make_page, stack) -> None:
    token = staff_token(stack, role="receptionist")
    headers = {"Authorization": f"Bearer {token}"}
    status, body = stack.call("PUT", f"/v1/registry/clinics/{CLINIC}/doctors/{NEW_DOCTOR}",
                              {"name": "Орлова Вера Павловна", "specialtyId": "neurologist", "room": "214",
                               "slotMinutes": 20, "plan": []}, headers)
    assert status == 403 and body["error"]["code"] == "forbidden", body
    status, body = stack.call("GET", f"/v1/registry/clinics/{CLINIC}/journal?date=2026-12-07", headers=headers)
    assert status == 403 and body["error"]["code"] == "forbidden", body

    page, shot = make_page(DESKTOP)
    sign_in(page, "receptionist")
    expect(page.locator("nav.reg-tabs")).to_have_count(0)
    expect(page.locator("#plan-doctor")).to_have_count(0)
    expect(page.locator("#abs-doctor")).to_have_count(0)
    page.goto("/#/registry?tab=journal")  # forced: the API refuses, the page says why
    refusal = page.locator('section[aria-labelledby="reg-journal-title"] [role="alert"]')
    expect(refusal).to_contain_text("Недостаточно прав", timeout=SLOW)
    expect(refusal).to_contain_text("заведующему регистратурой")
    expect(page.locator("ol.reg-journal li")).to_have_count(0)
    shot("forced-journal")
    assert_accessible(page, "the journal refused to a receptionist")


def test_the_specialties_are_the_catalogue() -> None:
    """The plan form's names (web/registry-texts.js) are shared/domain/specialties.py's, "by referral" included."""
    from shared.domain.specialties import SPECIALTIES

    text = (ROOT / "web" / "registry-texts.js").read_text(encoding="utf-8")
    rows = re.findall(r'\["([a-z_]+)", "([^"]+)", "([^"]+)", (true|false)\]', text)
    assert {r[0]: (r[1], r[2], r[3] == "true") for r in rows} == SPECIALTIES
