"""The waiting list from the page: a doctor without free time offers "Сообщить, если появится время", the form
puts the patient on the list, another patient's cancellation frees a time, the email's link opens the offer with
its countdown, one button books it and the ticket shows. Signed in, "История заявлений" lists the waiting entries and
"Не ждать" leaves the list."""
from __future__ import annotations

import html
import re
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from infra.local.outbox import email_parts
from infra.local.server import OFFERS_FOLLOW
from tests.browser.conftest import DESKTOP, patient
from tests.browser.helpers import DOCTOR_CARD, assert_accessible, fill_patient, h1

pytestmark = pytest.mark.browser

CLINIC = "cl0201"
SPECIALTY = "ophthalmologist"
ZONE = ZoneInfo("Europe/Moscow")
OFFER_LINK = re.compile(r"#/offer/[^\s\"'<>?]+\?t=[A-Za-z0-9_.~%=-]+")
OFFER_WAIT = 90  # seconds for the offer email after the cancellation (stream -> offers -> stream -> notifier)


def _policy(p: dict[str, Any]) -> dict[str, str]:
    return {k: p[k] for k in ("policyNumber", "policySeries") if p.get(k)}


def _clean_slate(stack: Any, p: dict[str, Any]) -> None:
    """A rerun on a kept table: leave the waiting list and cancel the appointments an earlier run left."""
    auth = {"Authorization": f"Bearer {stack.token(p['policyNumber'])}"}
    status, waiting = stack.call("GET", "/v1/me/waitlist", headers=auth)
    assert status == 200, waiting
    for entry in waiting["items"]:
        if entry["status"] in ("waiting", "offered"):
            status, left = stack.call("DELETE", f"/v1/me/waitlist/{entry['id']}", headers=auth)
            assert status == 200, left
    status, found = stack.call("POST", "/v1/appointments/search",
                               {**_policy(p), "lastName": p["lastName"], "birthDate": p["birthDate"]})
    assert status == 200, found
    for old in found["items"]:
        if old["status"] == "booked":
            stack.call("POST", f"/v1/appointments/{old['id']}/cancel", _policy(p))  # a started one stays


def _offers_follow(stack: Any) -> None:
    deadline = time.monotonic() + OFFER_WAIT
    while stack.log is not None and OFFERS_FOLLOW not in stack.log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline, f"the local stack's offers did not start in {OFFER_WAIT} s"
        time.sleep(0.5)


def _offer_link(stack: Any, to: str) -> str:
    """The "#/offer/<id>?t=<token>" of the offer email to `to` (the offer is made from the table's stream)."""
    deadline = time.monotonic() + OFFER_WAIT
    while True:
        status, box = stack.call("GET", "/_local/outbox")
        assert status == 200
        for message in box["items"]:
            if to not in message["to"]:
                continue
            parts = email_parts(message["raw"])
            text = parts.get("text/plain", "") + "\n" + html.unescape(parts.get("text/html", ""))
            found = OFFER_LINK.search(text)
            if found:
                return found.group(0)
        assert time.monotonic() < deadline, (
            f"no offer email to {to} in {OFFER_WAIT} s; the outbox's last: {[m['subject'] for m in box['items'][-5:]]}")
        time.sleep(1)


def test_a_freed_time_is_offered_to_the_waiting_patient(make_page, stack) -> None:
    morozov = patient("7800000201000000")  # W, waits (cl0201)
    petrova = patient("7800000201000001")  # B, books and cancels (cl0201)
    for p in (morozov, petrova):
        _clean_slate(stack, p)
    status, doctors = stack.call("GET", f"/v1/clinics/{CLINIC}/specialties/{SPECIALTY}/doctors")
    assert status == 200 and doctors["items"], doctors
    doctor = doctors["items"][0]
    email = f"morozov.wait.{uuid.uuid4().hex[:8]}@example.org"
    page, shot = make_page(DESKTOP)

    # The doctors' page as it is when nobody has free time (the answer changed on its way): a card without
    # free time links to the waiting list for its doctor, and the list links to it for any doctor.
    def no_free_time(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        for d in data["items"]:
            d["freeSlots"], d["nearestSlot"] = 0, None
        route.fulfill(response=response, json=data)

    doctors_url = f"**/v1/clinics/{CLINIC}/specialties/{SPECIALTY}/doctors"
    page.route(doctors_url, no_free_time)
    page.goto(f"/#/clinic/{CLINIC}/specialty/{SPECIALTY}")
    expect(h1(page)).to_have_text("Выберите врача")
    card = page.locator("div.card.muted").filter(has_text=doctor["name"])
    expect(card).to_contain_text("Нет свободного времени")
    expect(page.locator(DOCTOR_CARD)).to_have_count(0)
    link = card.get_by_role("link", name="Сообщить, если появится время")
    expect(link).to_have_attribute("href", f"#/waitlist?clinic={CLINIC}&specialty={SPECIALTY}&doctor={doctor['id']}")
    expect(page.get_by_role("link", name="Сообщить, если появится время у любого врача")).to_have_attribute(
        "href", f"#/waitlist?clinic={CLINIC}&specialty={SPECIALTY}")
    shot("doctors-without-free-time")
    assert_accessible(page, "the doctors without free time")
    link.click()
    page.unroute(doctors_url)

    # The form: the patient, as on the booking form, and the days that suit them (today and 13 more).
    expect(h1(page)).to_have_text("Сообщить, если появится время")
    expect(page.locator(".summary")).to_contain_text(doctor["name"])
    today = datetime.now(ZONE).date()
    expect(page.locator("#f-from")).to_have_value(today.isoformat())
    expect(page.locator("#f-to")).to_have_value((today + timedelta(days=13)).isoformat())
    page.get_by_role("button", name="Сообщить мне").click()
    expect(page.locator("#f-lastName")).to_be_focused()  # the first field in error
    expect(page.locator("[data-fix-errors]")).to_contain_text("Исправьте ошибки")
    fill_patient(page, morozov, email=email)
    page.fill("#f-to", (today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Сообщить мне").click()
    expect(page.locator("#f-to")).to_be_focused()
    expect(page.locator("#f-to-error")).to_have_text("Выберите сегодняшний или более поздний день.")
    page.fill("#f-to", (today + timedelta(days=13)).isoformat())
    shot("waitlist-form")
    assert_accessible(page, "the waiting list form")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/v1/waitlist")) as sent:
        page.get_by_role("button", name="Сообщить мне").click()
    request = sent.value.post_data_json
    assert request["doctorId"] == doctor["id"] and request["specialtyId"] == SPECIALTY and request["clinicId"] == CLINIC
    assert request["from"] == today.isoformat() and request["patient"]["email"] == email
    done = page.locator(".message.success[role=status]")
    expect(done).to_contain_text("15 минут")
    expect(done).to_be_focused()
    shot("waitlist-joined")
    assert_accessible(page, "the waiting list confirmation")

    # Another patient books the doctor's first free time (one far enough ahead to be offered and booked) and
    # cancels it: the time is held for the waiting patient, who gets the email. On a new table the offers follow
    # the stream once the booking window's bulk load is done (infra/local/server.py): wait for that first.
    _offers_follow(stack)
    status, slots = stack.call("GET", f"/v1/doctors/{doctor['id']}/slots")
    assert status == 200, slots
    soon = datetime.now(ZONE) + timedelta(hours=2)
    slot = next(s for s in slots["items"] if datetime.fromisoformat(s["start"]) > soon)
    fields = ("lastName", "firstName", "middleName", "birthDate", "policyNumber", "email")
    body = {k: petrova[k] for k in fields if petrova.get(k)}
    status, booked = stack.call("POST", "/v1/appointments", {"slotId": slot["id"], "patient": body},
                                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, booked
    status, cancelled = stack.call("POST", f"/v1/appointments/{booked['appointment']['id']}/cancel",
                                   {"policyNumber": petrova["policyNumber"]})
    assert status == 200, cancelled

    link_hash = _offer_link(stack, email)
    entry_id, token = link_hash.removeprefix("#/offer/").split("?t=")
    status, offered = stack.call("GET", f"/v1/waitlist/{entry_id}?t={token}")
    assert status == 200 and offered["entry"]["status"] == "offered", offered
    held = offered["entry"]["offer"]  # the freed time (B's, unless a time that freed before it was offered first)
    page.goto(f"/{link_hash}")
    expect(h1(page)).to_have_text("Освободилось время")
    offer = page.locator(".summary.offer")
    expect(offer).to_have_attribute("data-slot", held["slotId"])
    expect(offer.locator(".when")).to_contain_text(f"{date.fromisoformat(held['start'][:10]).day} ")
    expect(offer.locator(".when")).to_contain_text(f"{held['start'][11:16]}–{held['end'][11:16]}")
    expect(offer).to_contain_text(doctor["name"])
    expect(offer).to_contain_text(f"Кабинет {held['room']}")
    expect(page.locator(".countdown")).to_contain_text(re.compile(r"Время закреплено за вами ещё 1?\d:\d\d"))
    shot("offer")
    assert_accessible(page, "the offer")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/accept")) as accepted:
        page.get_by_role("button", name="Записаться").click()
    assert accepted.value.post_data_json["token"] == link_hash.split("?t=")[1]
    expect(h1(page)).to_have_text("Талон на приём", timeout=30_000)
    expect(page.locator(".ticket .when")).to_contain_text(held["start"][11:16])
    expect(page.locator(".ticket")).to_contain_text(morozov["lastName"])
    shot("offer-booked-ticket")

    # The link again: the offer is used, the page says so and leads to the appointments.
    page.goto(f"/{link_hash}")
    expect(page.locator('.offer-area [data-status="booked"]')).to_contain_text("Вы уже записались")


def test_signed_in_waiting_is_listed_and_left(make_page, stack) -> None:
    petrova = patient("7800000201000001")  # cl0201
    _clean_slate(stack, petrova)
    page, shot = make_page(DESKTOP)
    page.goto("/#/signin")
    page.fill("#f-policyNumber", petrova["policyNumber"])
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("#nav")).to_contain_text(petrova["lastName"])

    # Signed in, the token says who: only the email (optional) and the days; any doctor of the specialty.
    page.goto(f"/#/waitlist?clinic={CLINIC}&specialty=surgeon")
    expect(h1(page)).to_have_text("Сообщить, если появится время")
    expect(page.locator(".summary")).to_contain_text("Любой врач этой специальности")
    expect(page.locator("#f-lastName")).to_have_count(0)
    expect(page.locator("#f-email")).to_have_value(petrova["email"])
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/v1/me/waitlist")) as sent:
        page.get_by_role("button", name="Сообщить мне").click()
    assert "doctorId" not in sent.value.post_data_json and "patient" not in sent.value.post_data_json
    expect(page.locator(".message.success[role=status]")).to_contain_text("15 минут")
    shot("waitlist-joined-signed-in")

    page.goto("/#/my")
    section = page.locator("section.waitlist")
    expect(section.get_by_role("heading", level=2)).to_have_text("Ожидание свободного времени")
    entry = section.locator("article.wait-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Хирург")
    expect(entry).to_contain_text("Ждём время")
    shot("my-waiting")
    assert_accessible(page, "the waiting entries of my appointments")
    entry.get_by_role("button", name="Не ждать").click()
    left = section.locator("[role=status]")
    expect(left).to_contain_text("Вы больше не ждёте")
    expect(left).to_be_focused()
    expect(section.locator("article.wait-entry")).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith("/v1/me/waitlist")):
        page.reload()
    expect(h1(page)).to_have_text("История заявлений")
    expect(page.locator("article.appointment, .history p").first).to_be_visible()
    expect(page.locator("section.waitlist")).to_have_count(0)
