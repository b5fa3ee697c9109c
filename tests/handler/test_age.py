"""Age rules through the handlers (issue 16): an adult is refused the paediatrician and a child the adult
therapist, at the hold and at the booking, with the contract's error; the specialties say whom they see."""
from __future__ import annotations

from typing import Any

from infra.demo import data
from shared.platform import dal, statuses
from tests.handler.helpers import (
    anonymous_event,
    assert_error,
    doctor_of,
    free_slots,
    hold_event,
    slot_item,
)
from tests.support import http_event, invoke, patients_of

ADULT = patients_of("cl0101")[0]
CHILD: dict[str, Any] = dict(ADULT, policyNumber="7800000101009999", lastName="Малышева", firstName="Алиса",
                             middleName="Петровна", birthDate="2015-04-01", email="alisa.parent@example.org")


def test_an_adult_cannot_hold_or_book_the_paediatrician(moto_table: str) -> None:
    slot = free_slots(doctor_of("paediatrician"))[0]
    status, body = invoke("booking", hold_event(slot, ADULT))
    assert_error((status, body), 422, "age_restricted")
    assert body["error"]["details"] == {"ageMin": None, "ageMax": 17}
    assert_error(invoke("booking", anonymous_event(slot, ADULT)), 422, "age_restricted")
    assert slot_item(slot)["status"] == statuses.FREE


def test_a_child_books_the_paediatrician_not_the_therapist(moto_table: str) -> None:
    dal.batch_write(data.register_items([dict(CHILD, clinicId="cl0101")]))
    therapist = free_slots(doctor_of("therapist"))[0]
    assert_error(invoke("booking", hold_event(therapist, CHILD)), 422, "age_restricted")
    assert_error(invoke("booking", anonymous_event(therapist, CHILD)), 422, "age_restricted", lang="ru")
    paediatrician = free_slots(doctor_of("paediatrician"))[0]
    status, held = invoke("booking", hold_event(paediatrician, CHILD))
    assert status == 201, held
    status, booked = invoke("booking", anonymous_event(paediatrician, CHILD, hold_id=held["holdId"], key="key-child"))
    assert status == 201, booked
    assert slot_item(paediatrician)["status"] == statuses.BOOKED


def test_specialties_say_whom_they_see(moto_table: str) -> None:
    status, body = invoke("lookup", http_event("GET", "/v1/clinics/cl0101/specialties"))
    assert status == 200
    by_id = {s["id"]: s for s in body["items"]}
    assert (by_id["paediatrician"]["ageMin"], by_id["paediatrician"]["ageMax"]) == (None, 17)
    assert (by_id["therapist"]["ageMin"], by_id["therapist"]["ageMax"]) == (18, None)
    # Issue 29: every other specialty of an adult polyclinic sees adults (a children's one has paediatric ones).
    assert (by_id["ent"]["ageMin"], by_id["ent"]["ageMax"]) == (18, None)
