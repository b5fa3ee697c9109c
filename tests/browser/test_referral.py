"""Booking by referral from the page (issue 15): the start page's entry, the number and the last name first
(a wrong last name and a used referral say so), then only what the referral allows, and the ticket names it.
A referral-only specialty chosen without a referral asks for it first."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, patient
from tests.browser.helpers import DOCTOR_CARD, assert_accessible, choose_first_time, fill_patient, h1

pytestmark = pytest.mark.browser

NUMBER = "510000000040"  # the demo referral of Федорова (cl0102) to cl0102's cardiologist


def _cancel_earlier(stack, p: dict) -> None:
    """A rerun on a kept table: the appointment an earlier run booked gives the referral back when cancelled."""
    status, found = stack.call("POST", "/v1/appointments/search", {
        "policyNumber": p["policyNumber"], "lastName": p["lastName"], "birthDate": p["birthDate"]})
    assert status == 200, found
    for old in found["items"]:
        if old.get("referralNumber") == NUMBER:
            status, _ = stack.call("POST", f"/v1/appointments/{old['id']}/cancel", {"policyNumber": p["policyNumber"]})
            assert status == 200


def test_a_patient_books_a_cardiologist_by_referral(make_page, stack) -> None:
    fedorova = patient("7800000102000000")
    _cancel_earlier(stack, fedorova)
    page, shot = make_page(DESKTOP)
    page.goto("/#/")
    page.get_by_role("link", name="Запись по направлению").click()
    expect(h1(page)).to_have_text("Запись по направлению")
    page.fill("#f-referralNumber", NUMBER)
    page.fill("#f-lastName", "Петрова")  # not hers
    page.get_by_role("button", name="Найти направление").click()
    refusal = page.locator('[data-code="referral_not_found"]')
    expect(refusal).to_contain_text("Направление не найдено")
    expect(refusal).to_be_focused()

    page.fill("#f-lastName", fedorova["lastName"])
    page.get_by_role("button", name="Найти направление").click()
    card = page.locator(".referral-card")
    expect(card).to_contain_text("Кардиолог")
    expect(card).to_contain_text("поликлиника")
    shot("referral-found")
    assert_accessible(page, "the referral found")
    page.get_by_role("link", name="Выбрать врача и время").click()
    expect(h1(page)).to_have_text("Выберите врача")
    page.locator(DOCTOR_CARD).first.click()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/v1/holds")) as held:
        choose_first_time(page, fedorova)
    assert held.value.post_data_json["referralNumber"] == NUMBER
    fill_patient(page, fedorova)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/v1/appointments")) as sent:
        page.get_by_role("button", name="Записаться").click()
    assert sent.value.post_data_json["referralNumber"] == NUMBER
    expect(h1(page)).to_have_text("Талон на приём")
    expect(page.locator(".referral-number")).to_contain_text(NUMBER)
    shot("ticket-by-referral")

    # The referral is used now: looking it up again says so.
    page.goto("/#/referral")
    page.fill("#f-referralNumber", NUMBER)
    page.fill("#f-lastName", fedorova["lastName"])
    page.get_by_role("button", name="Найти направление").click()
    expect(page.locator('[data-code="referral_used"]')).to_contain_text("уже есть запись")
    shot("referral-used")


def test_a_referral_only_specialty_asks_for_the_referral_first(make_page) -> None:
    page, _ = make_page(DESKTOP)
    page.goto("/#/clinic/cl0101")
    page.locator('[data-specialty="cardiologist"]').click()
    expect(h1(page)).to_have_text("Запись по направлению")
    expect(page.locator("#f-referralNumber")).to_be_visible()
    # The doctors' page of such a specialty, opened directly, points there too instead of listing doctors.
    page.goto("/#/clinic/cl0101/specialty/endocrinologist")
    expect(page.get_by_role("link", name="Ввести номер направления")).to_be_visible()
    expect(page.locator(DOCTOR_CARD)).to_have_count(0)
