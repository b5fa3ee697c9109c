"""Children and the family (issue 29) through the handlers: a parent's family, booking, moving, cancelling and
waiting for a child (signed in, with familyMemberId), the registry's representatives, the clinic kinds, the age
rules at a children's polyclinic, and the other faces (gorzdrav's patient search, FHIR's $book, the day list)."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from infra import seed
from infra.demo import data
from shared.booking import bookings, ticket_link, waitlist
from shared.faces import auth
from shared.faces.gorzdrav import identity as gz_identity
from shared.patients import policy
from shared.platform import clock, dal, keys, statuses
from shared.platform.errors import DomainError
from tests.fhir_check import fhir_patient, outcome_code, parameters
from tests.handler import test_gorzdrav as gz
from tests.handler.helpers import (
    anonymous_event,
    appointment_item,
    assert_error,
    free_slots,
    hold_event,
    lock_item,
    slot_item,
    staff_event,
)
from tests.handler.test_fhir import call as fhir_call
from tests.handler.test_waitlist import freed
from tests.support import claims_of, http_event, invoke, patients_of

CHILDREN_CLINIC = "cl0103"
BY_POLICY = {p["policyNumber"]: p for p in data.patients()}
FEDOROVA = BY_POLICY["7800000102000000"]  # one child, with Ivanov
IVANOV = BY_POLICY["7800000102000001"]  # two children
ELDER, YOUNGER = [p for p in data.patients() if p["clinicId"] == CHILDREN_CLINIC]
ADULT = patients_of("cl0101")[0]  # no children
PAEDIATRICIAN = f"{CHILDREN_CLINIC}-d01"


@pytest.fixture
def family_table(moto_table: str) -> str:
    """The shared table (cl0101, cl0102) with district 1's children's polyclinic, its two children and their
    parents' links, and a few days of its paediatricians' slots."""
    dal.batch_write(seed.reference_items({CHILDREN_CLINIC}))
    clinic = next(c for c in data.clinics() if c["id"] == CHILDREN_CLINIC)
    today = clock.local_date(clock.now())
    for doctor in data.doctors(clinic):
        if doctor["specialtyId"] == "paediatrician":
            dal.batch_write(data.slot_items(doctor, today, 5))
    return moto_table


def me(method: str, path: str, who: dict[str, Any], body: Any = None, query: dict[str, str] | None = None,
       key: bool = False) -> dict[str, Any]:
    headers = {"Idempotency-Key": uuid.uuid4().hex} if key else None
    return http_event(method, path, body, headers=headers, query=query, claims=claims_of(who))


def family_of(parent: dict[str, Any]) -> list[dict[str, Any]]:
    status, body = invoke("history", me("GET", "/v1/me/family", parent))
    assert status == 200, body
    return list(body["items"])


def member_id(parent: dict[str, Any], child: dict[str, Any]) -> str:
    return next(m["id"] for m in family_of(parent) if m["firstName"] == child["firstName"]
                and m["birthDate"] == child["birthDate"])


def hash_of(p: dict[str, Any]) -> str:
    return policy.policy_hash(p["policyNumber"], p.get("policySeries"))


def hold_for(parent: dict[str, Any], slot: str, member: str | None, **extra: Any) -> tuple[int, Any]:
    body = {"slotId": slot, **({"familyMemberId": member} if member else {}), **extra}
    return invoke("booking", me("POST", "/v1/me/holds", parent, body))


def book_for(parent: dict[str, Any], slot: str, member: str | None, hold_id: str | None = None) -> tuple[int, Any]:
    body = {"slotId": slot, **({"familyMemberId": member} if member else {}),
            **({"holdId": hold_id} if hold_id else {})}
    return invoke("booking", me("POST", "/v1/me/appointments", parent, body, key=True))


def booked_for(parent: dict[str, Any], child: dict[str, Any], index: int = 0) -> dict[str, Any]:
    slot = free_slots(PAEDIATRICIAN, later_than=3600)[index]
    member = member_id(parent, child)
    status, held = hold_for(parent, slot, member)
    assert status == 201, held
    status, booked = book_for(parent, slot, member, held["holdId"])
    assert status == 201, booked
    return dict(booked["appointment"])


def put_representatives(child: dict[str, Any], parents: list[dict[str, Any]],
                        clinic: str = CHILDREN_CLINIC) -> tuple[int, Any]:
    person = {k: child[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber") if child.get(k)}
    body = {"patient": person, "representatives": [{"policyNumber": p["policyNumber"]} for p in parents]}
    return invoke("registry", staff_event("PUT", f"/v1/registry/clinics/{clinic}/representatives", body, clinic=clinic))


# ---------------------------------------------------------------- the family
def test_a_parent_sees_self_then_the_children_by_birth_date(family_table: str) -> None:
    items = family_of(IVANOV)
    assert [m["relation"] for m in items] == ["self", "child", "child"]
    assert (items[0]["lastName"], items[0]["birthDate"]) == (IVANOV["lastName"], IVANOV["birthDate"])
    assert [m["firstName"] for m in items[1:]] == [ELDER["firstName"], YOUNGER["firstName"]]  # born 2011, 2016
    for m in items:
        assert m["id"] not in {IVANOV["policyNumber"], ELDER["policyNumber"], YOUNGER["policyNumber"]}
        assert m["id"] not in {hash_of(IVANOV), hash_of(ELDER), hash_of(YOUNGER)}
    # Each parent has their own id for the same child.
    assert member_id(FEDOROVA, ELDER) != member_id(IVANOV, ELDER)
    only = family_of(ADULT)
    assert [(m["relation"], m["lastName"]) for m in only] == [("self", ADULT["lastName"])]


def test_a_parent_books_a_paediatrician_for_a_child(family_table: str) -> None:
    ticket = booked_for(IVANOV, YOUNGER)
    assert ticket["patient"]["lastName"] == YOUNGER["lastName"]
    assert ticket["patient"]["firstName"] == YOUNGER["firstName"]
    assert ticket["bookedBy"] == {"lastName": IVANOV["lastName"], "firstName": IVANOV["firstName"],
                                  "middleName": IVANOV["middleName"]}
    item = appointment_item(ticket["id"])
    assert item and item["email"] == IVANOV["email"]  # a child has no email: the parent's
    assert item["PatPK"] == keys.policy_pk(hash_of(YOUNGER))
    assert lock_item(YOUNGER, "paediatrician") and not lock_item(IVANOV, "paediatrician")
    # The child's list has it, the parent's own does not.
    query = {"familyMemberId": member_id(IVANOV, YOUNGER)}
    status, page = invoke("history", me("GET", "/v1/me/appointments", IVANOV, query=query))
    assert status == 200 and [a["id"] for a in page["items"]] == [ticket["id"]]
    status, own = invoke("history", me("GET", "/v1/me/appointments", IVANOV))
    assert status == 200 and ticket["id"] not in [a["id"] for a in own["items"]]
    # Self's id is the same as none.
    status, own_again = invoke("history", me("GET", "/v1/me/appointments", IVANOV,
                                             query={"familyMemberId": family_of(IVANOV)[0]["id"]}))
    assert status == 200 and own_again["items"] == own["items"]


def test_a_booking_by_the_patient_has_no_booked_by(family_table: str) -> None:
    status, booked = book_for(ADULT, free_slots("cl0101-d01", later_than=3600)[0], None)
    assert status == 201 and booked["appointment"].get("bookedBy") is None


def test_another_adult_naming_the_child_gets_404(family_table: str) -> None:
    member = member_id(IVANOV, YOUNGER)
    slot = free_slots(PAEDIATRICIAN, later_than=3600)[0]
    assert_error(hold_for(ADULT, slot, member), 404, "not_found")
    assert_error(book_for(ADULT, slot, member), 404, "not_found")
    assert_error(invoke("history", me("GET", "/v1/me/appointments", ADULT, query={"familyMemberId": member})),
                 404, "not_found")
    assert_error(invoke("waitlist", me("GET", "/v1/me/waitlist", ADULT, query={"familyMemberId": member})),
                 404, "not_found")
    assert_error(hold_for(IVANOV, slot, "0" * 40), 404, "not_found")
    assert_error(hold_for(IVANOV, slot, "not-an-id"), 404, "not_found")


def test_the_parent_moves_and_cancels_the_childs_appointment(family_table: str) -> None:
    ticket = booked_for(IVANOV, YOUNGER)
    # Another adult: as unknown as a made-up id.
    assert_error(invoke("cancellation", me("POST", f"/v1/me/appointments/{ticket['id']}/cancel", ADULT)),
                 404, "not_found")
    later = free_slots(PAEDIATRICIAN, later_than=3600)[1]
    status, held = hold_for(IVANOV, later, member_id(IVANOV, YOUNGER), rescheduleOf=ticket["id"])
    assert status == 201, held
    status, moved = invoke("booking", me("POST", f"/v1/me/appointments/{ticket['id']}/reschedule", IVANOV,
                                         {"slotId": later, "holdId": held["holdId"]}, key=True))
    assert status == 201, moved
    new = moved["appointment"]
    assert new["rescheduledFrom"] == ticket["id"] and new["bookedBy"]["lastName"] == IVANOV["lastName"]
    status, cancelled = invoke("cancellation", me("POST", f"/v1/me/appointments/{new['id']}/cancel", IVANOV))
    assert status == 200, cancelled
    assert cancelled["appointment"]["status"] == statuses.CANCELLED
    assert not lock_item(YOUNGER, "paediatrician")


def test_one_active_appointment_per_specialty_per_child(family_table: str) -> None:
    booked_for(IVANOV, YOUNGER)
    slot = free_slots(PAEDIATRICIAN, later_than=3600)[2]
    assert_error(hold_for(IVANOV, slot, member_id(IVANOV, YOUNGER)), 409, "already_booked_specialty")
    assert_error(book_for(IVANOV, slot, member_id(IVANOV, YOUNGER)), 409, "already_booked_specialty")
    # The child's own lock: the brother is not refused, nor is the other parent for the brother.
    booked_for(FEDOROVA, ELDER, index=3)


def test_the_waiting_list_for_a_child(family_table: str) -> None:
    member = member_id(IVANOV, YOUNGER)
    today = clock.local_date(clock.now()).isoformat()
    body = {"clinicId": CHILDREN_CLINIC, "specialtyId": "paediatrician", "from": today, "to": today,
            "familyMemberId": member}
    status, joined = invoke("waitlist", me("POST", "/v1/me/waitlist", IVANOV, body))
    assert status == 201, joined
    entry_id = joined["entry"]["id"]
    status, mine = invoke("waitlist", me("GET", "/v1/me/waitlist", IVANOV, query={"familyMemberId": member}))
    assert status == 200 and [e["id"] for e in mine["items"]] == [entry_id]
    status, own = invoke("waitlist", me("GET", "/v1/me/waitlist", IVANOV))
    assert status == 200 and own["items"] == []
    stored = dal.get(waitlist.entry_key(entry_id) or {}, consistent=True)
    assert stored and stored["email"] == IVANOV["email"] and stored["representedBy"] == hash_of(IVANOV)
    assert_error(invoke("waitlist", me("DELETE", f"/v1/me/waitlist/{entry_id}", ADULT)), 404, "not_found")
    status, left = invoke("waitlist", me("DELETE", f"/v1/me/waitlist/{entry_id}", IVANOV))
    assert status == 200 and left["entry"]["status"] == "cancelled"


def _offered_for(parent: dict[str, Any], child: dict[str, Any]) -> tuple[str, str]:
    """The parent puts the child on the paediatrician's list; a freed time is offered (the offers function, as the
    stream hands it a slot turned free): (entry id, slot id)."""
    member = member_id(parent, child)
    today = clock.local_date(clock.now()).isoformat()
    body = {"clinicId": CHILDREN_CLINIC, "specialtyId": "paediatrician", "doctorId": PAEDIATRICIAN, "from": today,
            "to": (clock.local_date(clock.now()) + timedelta(days=4)).isoformat(), "familyMemberId": member}
    status, joined = invoke("waitlist", me("POST", "/v1/me/waitlist", parent, body))
    assert status == 201, joined
    slot_id = free_slots(PAEDIATRICIAN, later_than=3600)[0]
    freed(slot_id)
    assert slot_item(slot_id)["offerEntry"] == joined["entry"]["id"]
    return joined["entry"]["id"], slot_id


def test_a_childs_offer_is_booked_for_the_child_from_the_link(family_table: str) -> None:
    """The offer's link (no sign-in) books the child, the parent named as the one who booked, the email the
    parent's; the child's own history lists it."""
    entry_id, slot_id = _offered_for(IVANOV, YOUNGER)
    token = ticket_link.offer_token(entry_id)
    status, out = invoke("waitlist", http_event("POST", f"/v1/waitlist/{entry_id}/accept", {"token": token}))
    assert status == 201, out
    assert slot_item(slot_id)["appointmentId"] == out["appointment"]["id"]
    ticket = out["appointment"]
    assert ticket["patient"]["lastName"] == YOUNGER["lastName"] and ticket["bookedBy"]["lastName"] == IVANOV["lastName"]
    stored = dal.appointment(ticket["id"])
    assert stored and stored["email"] == IVANOV["email"] and stored["PatPK"] == keys.policy_pk(hash_of(YOUNGER))
    status, history = invoke("history", me("GET", "/v1/me/appointments", IVANOV,
                                           query={"familyMemberId": member_id(IVANOV, YOUNGER)}))
    assert status == 200 and [a["id"] for a in history["items"]] == [ticket["id"]]


def test_a_removed_representative_cannot_accept_the_childs_offer(family_table: str) -> None:
    """The registry removes the parent after the offer was made: the link books nothing (the accept's transaction
    checks the child's entry still names the parent), the slot stays the child's offer, not an appointment."""
    entry_id, slot_id = _offered_for(IVANOV, YOUNGER)
    assert put_representatives(YOUNGER, [FEDOROVA]) == (200, {"representatives": 1})
    token = ticket_link.offer_token(entry_id)
    status, out = invoke("waitlist", http_event("POST", f"/v1/waitlist/{entry_id}/accept", {"token": token}))
    assert (status, out["error"]["code"]) == (404, "not_found"), out
    assert slot_item(slot_id).get("appointmentId") is None
    assert not [a for a in dal.query_all("PatPK = :pk", {":pk": keys.policy_pk(hash_of(YOUNGER))}, index="ByPatient")]


# ---------------------------------------------------------------- the registry
def test_the_registry_removes_a_representative(family_table: str) -> None:
    ticket = booked_for(IVANOV, ELDER)
    member = member_id(IVANOV, ELDER)
    status, body = put_representatives(ELDER, [FEDOROVA])
    assert (status, body) == (200, {"representatives": 1})
    assert [m["relation"] for m in family_of(IVANOV)] == ["self", "child"]  # the younger one only
    slot = free_slots(PAEDIATRICIAN, later_than=3600)[1]
    assert_error(hold_for(IVANOV, slot, member), 404, "not_found")
    assert_error(book_for(IVANOV, slot, member), 404, "not_found")
    assert_error(invoke("history", me("GET", "/v1/me/appointments", IVANOV, query={"familyMemberId": member})),
                 404, "not_found")
    assert_error(invoke("cancellation", me("POST", f"/v1/me/appointments/{ticket['id']}/cancel", IVANOV)),
                 404, "not_found")
    # The remaining parent still acts for the child.
    status, cancelled = invoke("cancellation", me("POST", f"/v1/me/appointments/{ticket['id']}/cancel", FEDOROVA))
    assert status == 200, cancelled
    # An empty list removes them all; another clinic's staff is refused; a parent not on the register is named.
    assert put_representatives(ELDER, []) == (200, {"representatives": 0})
    assert family_of(FEDOROVA)[1:] == []
    entry = dal.register_entry(hash_of(ELDER), consistent=True)
    assert entry and "representatives" not in entry
    assert_error(put_representatives(ELDER, [FEDOROVA], clinic="cl0101"), 403, "not_attached")
    status, body = put_representatives(ELDER, [dict(FEDOROVA, policyNumber="7800000199999999")])
    assert status == 422 and body["error"]["details"]["fields"][0]["field"] == "representatives[0].policyNumber"


def test_the_check_is_in_the_booking_transaction(family_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry removes the parent after the booking read the register (parent still named) and before its
    transaction: the transaction itself refuses (404), nothing is booked."""
    parent = auth.acting_for(auth.signed_in_patient(claims_of(IVANOV)), member_id(IVANOV, ELDER))
    slot = free_slots(PAEDIATRICIAN, later_than=3600)[0]
    real = dal.transact
    removed: list[bool] = []

    def remove_then_write(ops: Any) -> None:
        if not removed:
            removed.append(True)
            assert put_representatives(ELDER, [FEDOROVA])[0] == 200
        real(ops)

    monkeypatch.setattr(dal, "transact", remove_then_write)
    with pytest.raises(DomainError) as refused:
        bookings.book(bookings.Request(slot, None, parent, "race-key", "fp", "ru"))
    assert refused.value.code == "not_found" and removed
    assert free_slots(PAEDIATRICIAN, later_than=3600)[0] == slot
    assert not lock_item(ELDER, "paediatrician")


def test_attachment_with_representatives_and_the_clinic_kind(family_table: str) -> None:
    newborn = {"lastName": "Иванова", "firstName": "Вера", "middleName": "Алексеевна",
               "birthDate": clock.local_date(clock.now()).isoformat(), "policyNumber": "7800000103009999"}
    body = {"patient": newborn, "clinicId": CHILDREN_CLINIC, "reason": "relocation",
            "representatives": [{"policyNumber": IVANOV["policyNumber"]}]}
    status, attached = invoke("registry", staff_event("POST", "/v1/registry/attachments", body, clinic=CHILDREN_CLINIC))
    assert status == 201, attached
    assert "Вера" in [m["firstName"] for m in family_of(IVANOV)]
    # A child at an adult polyclinic, an adult at a children's one: refused, RU and EN.
    body = dict(body, clinicId="cl0101")
    assert_error(invoke("registry", staff_event("POST", "/v1/registry/attachments", body, clinic="cl0101")),
                 422, "clinic_kind_mismatch")
    adult = {k: ADULT[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber")}
    event = staff_event("POST", "/v1/registry/attachments",
                        {"patient": adult, "clinicId": CHILDREN_CLINIC, "reason": "choice"}, clinic=CHILDREN_CLINIC)
    event["headers"]["accept-language"] = "en"
    assert_error(invoke("registry", event), 422, "clinic_kind_mismatch", lang="en")
    status, clinic = invoke("lookup", http_event("GET", f"/v1/clinics/{CHILDREN_CLINIC}"))
    assert status == 200 and clinic["kind"] == "children"
    status, listed = invoke("lookup", http_event("GET", "/v1/districts/admiralteysky/clinics"))
    assert status == 200 and {c["id"]: c["kind"] for c in listed["items"]} == {
        "cl0101": "adult", "cl0102": "adult", CHILDREN_CLINIC: "children"}


# ---------------------------------------------------------------- anonymous, and the age rules
def test_an_anonymous_child_books_a_paediatrician(family_table: str) -> None:
    child = dict(YOUNGER, email=IVANOV["email"])  # the parent types their own address
    slot = free_slots(PAEDIATRICIAN, later_than=3600)[0]
    status, held = invoke("booking", hold_event(slot, child))
    assert status == 201, held
    status, booked = invoke("booking", anonymous_event(slot, child, hold_id=held["holdId"], key="child-key"))
    assert status == 201, booked
    assert booked["appointment"].get("bookedBy") is None


def test_an_adult_is_refused_a_paediatrician_and_a_child_an_adult_specialty(family_table: str) -> None:
    slot = free_slots(PAEDIATRICIAN, later_than=3600)[0]
    status, body = invoke("booking", hold_event(slot, FEDOROVA))
    assert_error((status, body), 422, "age_restricted")  # the age, not the attachment: the page's next step
    assert body["error"]["details"] == {"ageMin": None, "ageMax": 17}
    assert_error(invoke("booking", anonymous_event(slot, FEDOROVA)), 422, "age_restricted")
    child = dict(ELDER, email=IVANOV["email"])
    for specialty_doctor in ("cl0101-d01", "cl0101-d04"):  # therapist, surgeon
        adult_slot = free_slots(specialty_doctor, later_than=3600)[0]
        assert_error(invoke("booking", hold_event(adult_slot, child)), 422, "age_restricted")
    # Signed in, for the child: the same rule.
    assert_error(hold_for(IVANOV, free_slots("cl0101-d01", later_than=3600)[0], member_id(IVANOV, ELDER)),
                 422, "age_restricted")


# ---------------------------------------------------------------- the other faces
def test_gorzdrav_finds_a_child_at_its_childrens_polyclinic(family_table: str) -> None:
    lpu = 113  # cl0103 (infra/demo/gorzdrav_ids.json)
    found = gz.ok("GET", "/patient/search", query=gz.search_query(YOUNGER, lpu=lpu))
    sealed = gz_identity.unseal(found)
    assert sealed and sealed.policy_hash == hash_of(YOUNGER)
    assert gz.refused("GET", "/patient/search", query=gz.search_query(YOUNGER)) == gz.wire.PATIENT_NOT_FOUND


def _fhir_book(slot: str, patient: dict[str, Any]) -> tuple[int, Any, dict]:
    appointment = {"resourceType": "Appointment", "status": "proposed", "slot": [{"reference": f"Slot/{slot}"}],
                   "participant": [{"actor": {"reference": f"Practitioner/{PAEDIATRICIAN}"},
                                    "status": "needs-action"}]}
    return fhir_call("POST", "/fhir/Appointment/$book", headers={"idempotency-key": str(uuid.uuid4())},
                     body=parameters(appointment_resource=appointment, patient_resource=fhir_patient(patient)))


def test_fhir_books_a_child_and_refuses_an_adult_at_a_paediatrician(family_table: str) -> None:
    slot = free_slots(PAEDIATRICIAN, later_than=3600)[0]
    status, body, _ = _fhir_book(slot, FEDOROVA)
    assert status == 422 and outcome_code(body) == ("business-rule", "age_restricted")
    status, booked, _ = _fhir_book(slot, dict(ELDER, email=IVANOV["email"]))
    assert status == 201, booked
    assert booked["entry"][0]["resource"]["status"] == "booked"


def test_the_day_list_shows_the_childs_age(family_table: str) -> None:
    ticket = booked_for(IVANOV, YOUNGER)
    day = ticket["start"][:10]
    status, listed = invoke("registry", staff_event("GET", f"/v1/registry/clinics/{CHILDREN_CLINIC}/appointments",
                                                    clinic=CHILDREN_CLINIC, query={"date": day}))
    assert status == 200, listed
    (item,) = [i for i in listed["items"] if i["id"] == ticket["id"]]
    on, born = date.fromisoformat(day), date.fromisoformat(YOUNGER["birthDate"])
    expected = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    assert item["patient"]["age"] == expected and 0 <= expected <= 17
