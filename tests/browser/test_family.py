"""A family in a real browser (issue 29) and the clinic's access to an appointment (issue 28), on a 360 px phone:
a demo parent signed in sees the family in «История заявлений», books a paediatrician for a child ("for whom"
before the time, the child's data from the register, never typed), the ticket names the child and the parent, and
the parent cancels it from the history; an adult without children never sees "for whom"; anonymously a child's
own policy books a paediatric specialty and an age refusal shows its next step (a polyclinic for the patient's
age); after the registry reads a day list, the patient's history says who at the clinic viewed the appointment.
axe-core at every impact, Russian and English, no sideways scrolling."""
from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from shared.platform import clock
from tests.browser.conftest import PATIENTS, patient
from tests.browser.helpers import assert_accessible, choose_first_time, fill_patient, fill_who, h1

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}
# The local stack opens the new days in the background for a while after it starts: answers can be slow then.
SLOW = 60_000


def _name(p: dict[str, Any]) -> str:
    return " ".join(x for x in (p["lastName"], p["firstName"], p.get("middleName")) if x)


def _age(p: dict[str, Any]) -> int:
    born = date.fromisoformat(p["birthDate"])
    today = clock.local_date(clock.now())  # the clinics' day, as the API counts ages
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _children() -> list[dict[str, Any]]:
    return [p for p in PATIENTS if p.get("representatives")]


def _adults_without_children() -> list[dict[str, Any]]:
    parents = {r for c in _children() for r in c["representatives"]}
    return [p for p in PATIENTS if not p.get("representatives") and p["policyNumber"] not in parents and _age(p) >= 18]


def _free_doctor(stack: Any, clinic: str, specialty: str) -> str | None:
    status, doctors = stack.call("GET", f"/v1/clinics/{clinic}/specialties/{specialty}/doctors")
    if status != 200:
        return None
    return next((d["id"] for d in doctors["items"] if d.get("freeSlots")), None)


def _child_with_paediatrician(stack: Any, skip: set[str] = frozenset()) -> tuple[dict[str, Any], str]:
    """A demo child (not in `skip`) whose polyclinic has a paediatrician with free time, and that doctor."""
    for child in _children():
        if child["policyNumber"] in skip:
            continue
        doctor = _free_doctor(stack, child["clinicId"], "paediatrician")
        if doctor:
            return child, doctor
    raise AssertionError("no demo child has a paediatrician with free time (infra/demo/patients.json)")


def _policy(p: dict[str, Any]) -> dict[str, str]:
    return {k: p[k] for k in ("policyNumber", "policySeries") if p.get(k)}


def _cancel_booked(stack: Any, p: dict[str, Any]) -> None:
    """Cancel what `p` has booked (another test of the session may have left it): one appointment per specialty."""
    status, found = stack.call("POST", "/v1/appointments/search",
                               {**_policy(p), "lastName": p["lastName"], "birthDate": p["birthDate"]})
    assert status == 200, found
    for old in found["items"]:
        if old["status"] == "booked":
            stack.call("POST", f"/v1/appointments/{old['id']}/cancel", _policy(p))


def _signed_in(make_page: Any, stack: Any, p: dict[str, Any], language: str = "ru") -> tuple[Any, Any]:
    """A 360 px page signed in as the demo patient `p` (the local token, as the sign-in page gets it)."""
    status, body = stack.call("POST", "/_local/token", {"policyNumber": p["policyNumber"]})
    assert status == 200, body
    page, shot = make_page(SMALL_PHONE, is_mobile=True, has_touch=True)
    page.add_init_script(f"sessionStorage.setItem('zapis.token', {json.dumps(body['token'])});"
                         f"localStorage.setItem('zapis.lang', '{language}')")
    return page, shot


def _fits(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), \
        "the page scrolls sideways at 360 px"


def test_a_parent_books_a_paediatrician_for_a_child_and_cancels_it(make_page, stack) -> None:
    child, doctor = _child_with_paediatrician(stack)
    parent = patient(child["representatives"][0])
    _cancel_booked(stack, child)
    page, shot = _signed_in(make_page, stack, parent)

    # «История заявлений»: the family, the parent first, then each child with name and birth date.
    page.goto("/#/my")
    members = page.locator("section.member")
    expect(members.first).to_contain_text(_name(parent), timeout=SLOW)
    expect(members.first).to_have_attribute("data-relation", "self")
    mine = members.filter(has_text=_name(child))
    expect(mine).to_have_attribute("data-relation", "child")
    expect(mine.get_by_role("heading", level=2)).to_contain_text(str(int(child["birthDate"][8:10])))
    kids = [c for c in _children() if parent["policyNumber"] in c["representatives"]]
    expect(members).to_have_count(1 + len(kids))
    shot("family-history")
    assert_accessible(page, "a family's history at 360 px (ru)")
    _fits(page)

    # The paediatrician at the child's polyclinic: "for whom" before the time, chosen by keyboard.
    page.goto(f"/#/clinic/{child['clinicId']}/specialty/paediatrician/doctor/{doctor}")
    whom = page.locator("[data-for-whom]")
    expect(whom.locator("legend")).to_have_text("Кого записать")
    expect(whom.locator("input[type=radio]")).to_have_count(1 + len(kids))
    child_id = _member_id(stack, parent, child)
    radio = whom.locator(f'input[value="{child_id}"]')
    checked = whom.locator("input:checked")
    checked.focus()
    for _ in range(len(kids) + 1):
        if radio.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(radio).to_be_checked()
    expect(radio).to_be_focused()
    shot("for-whom")
    assert_accessible(page, "the calendar with 'for whom' at 360 px (ru)")
    _fits(page)
    with page.expect_request(lambda r: r.url.endswith("/v1/me/holds") and r.method == "POST") as held:
        choose_first_time(page)
    assert held.value.post_data_json.get("familyMemberId") == child_id

    # The child's data from the register, read-only; the parent books.
    expect(page.locator("#f-lastName")).to_have_value(child["lastName"])
    expect(page.locator("#f-lastName")).to_have_attribute("readonly", "")
    expect(page.locator("#f-birthDate")).to_have_value(child["birthDate"])
    expect(page.locator("#f-policyNumber")).to_have_count(0)
    expect(page.locator(".booked-by")).to_contain_text(_name(parent))
    shot("child-form")
    assert_accessible(page, "the booking form for a child at 360 px")
    _fits(page)
    page.get_by_role("button", name="Записаться").click()

    expect(h1(page)).to_have_text("Талон на приём", timeout=SLOW)
    ticket = page.locator(".ticket")
    expect(ticket.locator("dd.patient")).to_have_text(_name(child))
    expect(ticket.locator("dt").filter(has_text="Записал(а)")).to_be_visible()
    expect(ticket.locator("dd.booked-by")).to_have_text(_name(parent))
    number = page.locator(".ticket-number").inner_text().split("№")[1].strip()
    shot("child-ticket")
    assert_accessible(page, "a child's ticket at 360 px")
    _fits(page)

    # The parent cancels it from «История заявлений», under the child's name (not their own).
    page.goto("/#/my")
    mine = page.locator("section.member").filter(has_text=_name(child))
    card = mine.locator("article.appointment").filter(has_text=number)
    expect(card).to_contain_text("Оформлена", timeout=SLOW)
    expect(page.locator("section.member").first.locator("article.appointment").filter(has_text=number)).to_have_count(0)
    card.get_by_role("button", name="Отменить запись").click()
    card.get_by_role("button", name="Да, отменить").click()
    done = mine.locator("article.appointment").filter(has_text=number)
    expect(done).to_contain_text("Отменена", timeout=SLOW)  # the cancellation's function may start cold
    expect(done.locator(".message.success")).to_be_focused()
    shot("child-cancelled")
    assert_accessible(page, "a family's history after a cancellation")


def _member_id(stack: Any, parent: dict[str, Any], child: dict[str, Any]) -> str:
    """The id GET /v1/me/family gives the parent for `child` (opaque: never the policy number)."""
    status, body = stack.call("POST", "/_local/token", {"policyNumber": parent["policyNumber"]})
    assert status == 200, body
    status, family = stack.call("GET", "/v1/me/family", headers={"Authorization": f"Bearer {body['token']}"})
    assert status == 200, family
    member = next(m for m in family["items"] if m["lastName"] == child["lastName"]
                  and m["firstName"] == child["firstName"] and m["birthDate"] == child["birthDate"])
    assert child["policyNumber"] not in json.dumps(member), member
    return str(member["id"])


def test_the_family_screens_in_english(make_page, stack) -> None:
    child, doctor = _child_with_paediatrician(stack)
    parent = patient(child["representatives"][0])
    page, shot = _signed_in(make_page, stack, parent, "en")
    page.goto("/#/my")
    expect(h1(page)).to_have_text("History of applications")
    expect(page.locator("main .intro")).to_have_text("Your applications and your children's, newest first.")
    expect(page.locator("section.member").first).to_contain_text("(you)", timeout=SLOW)
    expect(page.locator("section.member").filter(has_text=_name(child))).to_have_count(1)
    shot("family-history-en")
    assert_accessible(page, "a family's history at 360 px (en)")
    _fits(page)
    page.goto(f"/#/clinic/{child['clinicId']}/specialty/paediatrician/doctor/{doctor}")
    expect(page.locator("[data-for-whom] legend")).to_have_text("Who is the appointment for")
    # For a paediatrician the page starts with a child, not the parent.
    expect(page.locator('[data-for-whom] input:checked')).to_have_attribute("data-relation", "child")
    expect(page.locator("button.time").first).to_be_visible()
    shot("for-whom-en")
    assert_accessible(page, "the calendar with 'for whom' at 360 px (en)")
    _fits(page)

    # The waiting list asks "for whom" too, and the child's entry shows under the child's name.
    page.goto(f"/#/waitlist?clinic={child['clinicId']}&specialty=paediatrician")
    form = page.locator("form.waitlist-form")
    expect(form.locator("[data-for-whom] legend")).to_have_text("Who is the appointment for")
    form.locator("[data-for-whom] label").filter(has_text=_name(child)).click()
    expect(form.locator("[data-for-whom] input:checked")).to_have_attribute("data-relation", "child")
    assert_accessible(page, "the waiting list form with 'for whom' at 360 px (en)")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/v1/me/waitlist")) as sent:
        form.get_by_role("button", name="Notify me").click()
    assert sent.value.post_data_json.get("familyMemberId") == _member_id(stack, parent, child)
    expect(page.locator(".message.success[role=status]")).to_be_visible(timeout=SLOW)
    page.goto("/#/my")
    waiting = page.locator("section.member").filter(has_text=_name(child)).locator("article.wait-entry")
    expect(waiting).to_contain_text("Paediatrician", timeout=SLOW)
    waiting.get_by_role("button", name="Stop waiting").click()
    expect(page.locator("section.member").filter(has_text=_name(child)).locator(".message.success")).to_be_focused()


def test_an_adult_without_children_is_not_asked_for_whom(make_page, stack) -> None:
    adult = next(p for p in _adults_without_children() if _free_doctor(stack, p["clinicId"], "surgeon"))
    doctor = _free_doctor(stack, adult["clinicId"], "surgeon")
    page, shot = _signed_in(make_page, stack, adult)
    with page.expect_response(lambda r: r.url.endswith("/v1/me/family")) as answer:
        page.goto(f"/#/clinic/{adult['clinicId']}/specialty/surgeon/doctor/{doctor}")
    assert answer.value.status == 200, answer.value.text()
    assert [m["relation"] for m in answer.value.json()["items"]] == ["self"]
    expect(page.locator("button.time").first).to_be_visible()
    expect(page.locator("[data-for-whom]")).to_have_count(0)
    expect(page.locator("input[type=radio]")).to_have_count(0)
    page.goto("/#/my")
    expect(page.locator("main .intro")).to_have_text("История ваших заявлений, сначала новые.")
    expect(page.locator(".history").first).not_to_have_attribute("aria-busy", "true", timeout=SLOW)
    expect(page.locator("section.member")).to_have_count(0)
    shot("no-family")


def test_anonymously_a_child_books_a_paediatrician_and_an_age_refusal_leads_on(make_page, stack) -> None:
    child, doctor = _child_with_paediatrician(stack)
    _cancel_booked(stack, child)
    parent = patient(child["representatives"][0])
    page, shot = make_page(SMALL_PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/#/clinic/{child['clinicId']}/specialty/paediatrician/doctor/{doctor}")
    expect(page.locator("form.who-form")).to_be_visible()
    choose_first_time(page, child)  # the child's own policy, last name and birth date
    fill_patient(page, {**child, "email": parent["email"]})  # the ticket goes to the parent
    page.get_by_role("button", name="Записаться").click()
    expect(h1(page)).to_have_text("Талон на приём", timeout=SLOW)
    expect(page.locator(".ticket dd.patient")).to_have_text(_name(child))
    expect(page.locator(".ticket dd.booked-by")).to_have_count(0)
    shot("anonymous-child-ticket")
    _cancel_booked(stack, child)

    # An adult's data at the children's polyclinic's paediatrician: refused by age (before the attachment), with
    # the way on to the district's adult polyclinics.
    district = _district_of(stack, child["clinicId"])
    status, clinics = stack.call("GET", f"/v1/districts/{district}/clinics")
    assert status == 200, clinics
    adult_ids = {c["id"] for c in clinics["items"] if c.get("kind") == "adult"}
    adult = next(p for p in _adults_without_children() if p["clinicId"] in adult_ids)
    page.goto(f"/#/clinic/{child['clinicId']}/specialty/paediatrician/doctor/{doctor}")
    expect(page.locator("button.time").first).to_be_visible()
    fill_who(page, adult)
    page.locator("button.time").first.click()
    refusal = page.locator('[data-code="age_restricted"]')
    expect(refusal).to_be_focused(timeout=SLOW)
    adult_clinics = refusal.get_by_role("link", name="Найти взрослую поликлинику")
    expect(adult_clinics).to_have_attribute("href", f"#/district/{district}?kind=adult")
    shot("adult-refused")
    assert_accessible(page, "an adult's age refusal at 360 px")
    _fits(page)
    adult_clinics.click()
    expect(h1(page)).to_have_text("Взрослые поликлиники района")
    expect(page.locator(f'a.card[data-clinic="{adult["clinicId"]}"]')).to_be_visible()
    expect(page.locator('a.card[data-kind="children"]')).to_have_count(0)

    # The child's data at an adult polyclinic's therapist: the way on is the district's children's polyclinics.
    therapist = _free_doctor(stack, adult["clinicId"], "therapist")
    assert therapist, f"no therapist with free time at {adult['clinicId']}"
    page.goto(f"/#/clinic/{adult['clinicId']}/specialty/therapist/doctor/{therapist}")
    expect(page.locator("button.time").first).to_be_visible()
    fill_who(page, child)
    page.locator("button.time").first.click()
    refusal = page.locator('[data-code="age_restricted"]')
    expect(refusal).to_be_focused(timeout=SLOW)
    expect(refusal.get_by_role("link", name="Найти взрослую поликлинику")).to_have_count(0)
    refusal.get_by_role("link", name="Найти детскую поликлинику").click()
    expect(h1(page)).to_have_text("Детские поликлиники района")
    card = page.locator(f'a.card[data-clinic="{child["clinicId"]}"]')
    expect(card.locator(".badge")).to_have_text("Детская поликлиника")
    expect(page.locator('a.card[data-kind="adult"]')).to_have_count(0)
    shot("children-clinics")
    assert_accessible(page, "the district's children's polyclinics at 360 px")
    _fits(page)
    page.get_by_role("link", name="Все поликлиники района").click()
    expect(h1(page)).to_have_text("Выберите поликлинику")
    expect(page.locator('a.card[data-kind="adult"]').first).to_be_visible()


def _district_of(stack: Any, clinic: str) -> str:
    status, body = stack.call("GET", f"/v1/clinics/{clinic}")
    assert status == 200, body
    return str(body["districtId"])


def test_the_patient_sees_the_registry_read_the_day_list(make_page, stack) -> None:
    p = _adults_without_children()[-1]
    clinic = p["clinicId"]
    doctor = _free_doctor(stack, clinic, "ophthalmologist") or _free_doctor(stack, clinic, "surgeon")
    assert doctor, f"no free doctor at {clinic}"
    _cancel_booked(stack, p)
    status, slots = stack.call("GET", f"/v1/doctors/{doctor}/slots")
    assert status == 200 and slots["items"], slots
    slot = slots["items"][-1]
    body = {k: p[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber", "policySeries",
                              "email") if p.get(k)}
    status, booked = stack.call("POST", "/v1/appointments", {"slotId": slot["id"], "patient": body},
                                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, booked
    number = booked["appointment"]["number"]

    # A receptionist of the clinic reads the day list with the appointment on it.
    status, staff = stack.call("POST", "/_local/token", {"staff": True, "clinicId": clinic, "role": "receptionist"})
    assert status == 200, staff
    status, day = stack.call("GET", f"/v1/registry/clinics/{clinic}/appointments?date={slot['start'][:10]}",
                             headers={"Authorization": f"Bearer {staff['token']}"})
    assert status == 200, day

    page, shot = _signed_in(make_page, stack, p)
    page.goto("/#/my")
    card = page.locator("article.appointment").filter(has_text=number)
    access = card.locator("details.access")
    expect(access.locator("summary")).to_have_text("Обращения поликлиники к записи: 1", timeout=SLOW)
    access.locator("summary").click()
    line = access.locator('li[data-action="daylist.read"]')
    expect(line).to_have_text(
        re.compile(r"^Регистратура \(регистратор\) просматривала запись \d{1,2} \S+ \d{4} в \d\d:\d\d$"))
    shot("access-ru")
    assert_accessible(page, "the history with the clinic's access at 360 px (ru)")
    _fits(page)

    page.locator("#lang").click()
    card = page.locator("article.appointment").filter(has_text=number)
    card.locator("details.access summary").click()
    expect(card.locator('details.access li[data-action="daylist.read"]')).to_have_text(
        re.compile(r"^The registry \(a receptionist\) viewed the appointment on \d{1,2} \w+ \d{4} at \d\d:\d\d$"))
    shot("access-en")
    assert_accessible(page, "the history with the clinic's access at 360 px (en)")
    _cancel_booked(stack, p)
