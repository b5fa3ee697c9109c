"""Issue 7 under moto: the address look-up, the attachment look-ups and the change of polyclinic, driven by
the sample events in events/lookup/ and events/registry/."""
from __future__ import annotations

import copy
import json
import uuid
from datetime import date, datetime
from typing import Any

import pytest

from infra.demo import addresses as demo_addresses
from infra.demo import data
from shared.patients import policy
from shared.platform import clock, dal, keys
from tests.handler.helpers import assert_error, change_event, with_body, with_query
from tests.support import claims_of, event_file, http_event, invoke, patient_body, patients_of

DAY = 86400


# ---------------------------------------------------------------- helpers
def at_local(day: str, hour: int = 10) -> int:
    d = date.fromisoformat(day)
    return int(datetime(d.year, d.month, d.day, hour, tzinfo=clock.zone()).timestamp())


@pytest.fixture
def pushkin(register_table: str) -> str:
    """A second district's clinics and address register (Пушкинский: another ул. Садовая)."""
    clinic_ids = {"cl1601", "cl1602"}
    items = [i for i in data.reference_items()
             if i["PK"] in {keys.clinic_pk(c) for c in clinic_ids} and i["SK"] == keys.PROFILE]
    dal.batch_write(items + demo_addresses.items(clinic_ids))
    return register_table


def entry(patient: dict[str, Any]) -> dict[str, Any] | None:
    h = policy.policy_hash(patient["policyNumber"], patient.get("policySeries"))
    return dal.get(keys.key(keys.policy_pk(h), keys.ATTACHMENT_SK), consistent=True)


def history(patient: dict[str, Any]) -> list[dict[str, Any]]:
    h = policy.policy_hash(patient["policyNumber"], patient.get("policySeries"))
    return list(dal.query_all("PK = :pk AND begins_with(SK, :h)", {":pk": keys.policy_pk(h), ":h": "ATTHIST#"},
                              consistent=True))


# ---------------------------------------------------------------- address look-up
def test_address_clinics_sample_event(register_table: str) -> None:
    status, body = invoke("lookup", event_file("lookup/address_clinics.json"))
    assert status == 200, body
    # House 10 is in the range of cl0101, but the register gives its building 2 to cl0102.
    assert [c["id"] for c in body["items"]] == ["cl0102"]
    assert body["street"] == {"name": "ул. Садовая", "districtId": "admiralteysky", "districtName": "Адмиралтейский"}
    assert body["house"] == "10к2"
    assert body["candidates"] == []
    assert set(body["items"][0]) >= {"id", "name", "address", "phone", "districtId"}


SPELLINGS = [
    ("ул. Садовая", "10", "cl0101"),                   # range 1-49 -> cl0101 (10к2 is an exception)
    ("САДОВАЯ   улица", "д. 10, корп. 1", "cl0101"),   # building 1 not in the register: house 10's range
    ("Садовая", "51", "cl0102"),                       # 50-149 odd -> cl0102
    ("садовая ул", "52 лит. А", "cl0101"),            # 50-149 even -> cl0101
    ("ул.Садовая", "10к2", "cl0102"),                  # the register's own entry for building 2
    ("Садовая", "10 корпус 2 кв. 5", "cl0102"),
    ("наб. канала Грибоедова", "5", "cl0102"),
    ("Грибоедова канала набережная", "5к2", "cl0102"),
    ("канала Грибоедова наб.", "49", "cl0102"),
    ("Лермонтовский проспект", "148", "cl0101"),
    ("пр-т Лермонтовский", "д. 7", "cl0101"),
    ("Лермонт", "7", "cl0101"),                        # a word's beginning: found through the word index
    ("грибоед", "51", "cl0101"),                       # 50-149 odd of the second street -> cl0101
]


def test_address_spellings(register_table: str) -> None:
    for street, house, clinic in SPELLINGS:
        event = with_query(event_file("lookup/address_clinics.json"), street=street, house=house)
        status, body = invoke("lookup", event)
        assert status == 200, (street, house, body)
        assert [c["id"] for c in body["items"]] == [clinic], (street, house, body)


def test_namesake_streets_are_offered_not_guessed(pushkin: str) -> None:
    status, body = invoke("lookup", event_file("lookup/address_candidates.json"))
    assert status == 200, body
    assert body["items"] == [] and body["street"] is None
    assert sorted(c["districtId"] for c in body["candidates"]) == ["admiralteysky", "pushkinsky"]
    assert all(c["name"] == "ул. Садовая" for c in body["candidates"])
    # Choosing a candidate answers.
    chosen = body["candidates"][0]
    event = with_query(event_file("lookup/address_candidates.json"), street=chosen["name"], house="5",
                       districtId=chosen["districtId"])
    status, body = invoke("lookup", event)
    assert status == 200 and len(body["items"]) == 1 and body["street"]["districtId"] == chosen["districtId"]
    # A town in the street field says which one.
    event = with_query(event_file("lookup/address_candidates.json"), street="г. Пушкин, Садовая ул.", house="5")
    status, body = invoke("lookup", event)
    assert status == 200 and [c["id"] for c in body["items"]] == ["cl1601"]


def test_unknown_address(register_table: str) -> None:
    status, body = invoke("lookup", event_file("lookup/address_unknown.json"))
    assert_error((status, body), 404, "address_not_found")
    assert body["error"]["details"]["reason"] == "street"
    status, body = invoke("lookup", with_query(event_file("lookup/address_unknown.json"), street="Садовая",
                                               house="777"))
    assert_error((status, body), 404, "address_not_found")
    assert body["error"]["details"] == {"reason": "house", "street": "Садовая", "house": "777"}


def test_address_not_understood(register_table: str) -> None:
    for street, house, field in [("улица", "5", "street"), ("Садовая", "пять", "house"), ("Садовая", "5 ёж", "house")]:
        event = with_query(event_file("lookup/address_unknown.json"), street=street, house=house)
        status, body = invoke("lookup", event)
        assert_error((status, body), 422, "validation_error")
        assert body["error"]["details"]["fields"][0]["field"] == field
    status, body = invoke("lookup", with_query(event_file("lookup/address_unknown.json"), street="Садовая"))
    assert_error((status, body), 422, "validation_error")  # no house at all


# ---------------------------------------------------------------- attachment look-ups
def test_attachment_lookup(register_table: str) -> None:
    status, body = invoke("lookup", event_file("lookup/attachment_lookup.json"))
    assert status == 200, body
    assert body["clinic"]["id"] == "cl0101" and body["attachedSince"] == "2024-01-15"
    sample = json.loads(event_file("lookup/attachment_lookup.json")["body"])
    unknown = with_body(event_file("lookup/attachment_lookup.json"), {**sample, "policyNumber": "1234567890123456"})
    answer = invoke("lookup", unknown)
    assert_error(answer, 404, "attachment_not_found")
    # A wrong last name or birth date answers exactly like an unknown policy: same status and body.
    for wrong in ({"lastName": "Иванов"}, {"birthDate": "1990-01-01"}):
        assert invoke("lookup", with_body(event_file("lookup/attachment_lookup.json"), {**sample, **wrong})) == answer
    assert_error(invoke("lookup", with_body(event_file("lookup/attachment_lookup.json"), {"policyNumber": "123456"})),
                 422, "validation_error")
    assert_error(invoke("lookup", with_body(event_file("lookup/attachment_lookup.json"), {"policyNumber": "x"})),
                 422, "validation_error")


def test_my_attachment(register_table: str) -> None:
    status, body = invoke("lookup", event_file("lookup/attachment_me.json"))
    assert status == 200, body
    today = clock.local_date(clock.now()).isoformat()
    assert body["clinic"]["id"] == "cl0101"
    assert body["reason"] == "initial"
    assert body["changeByChoiceAllowedFrom"] == today and body["changeByChoiceAllowedNow"] is True
    unsigned = copy.deepcopy(event_file("lookup/attachment_me.json"))
    del unsigned["requestContext"]["authorizer"]
    assert_error(invoke("lookup", unsigned), 401, "unauthorized")


# ---------------------------------------------------------------- change of polyclinic
def test_change_by_choice(register_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    patient = patients_of("cl0101")[0]
    monkeypatch.setattr(clock, "now", lambda: at_local("2026-03-10"))
    status, body = invoke("registry", event_file("registry/change_choice.json"))
    assert status == 201, body
    assert body["attachment"] == {"clinicId": "cl0102", "previousClinicId": "cl0101", "reason": "choice",
                                  "attachedSince": "2026-03-10", "changeByChoiceAllowedFrom": "2027-03-10"}
    saved = entry(patient)
    assert saved and saved["clinicId"] == "cl0102" and saved["version"] == 1
    assert saved["choiceAllowedFrom"] == "2027-03-10" and saved["previousClinicId"] == "cl0101"
    events = history(patient)
    assert [(e["event"], e["clinicId"]) for e in events] == [("detached", "cl0101"), ("attached", "cl0102")]
    assert all(e["registeredBy"] == "0b6f8e2a-staff-head-cl0102" for e in events)  # the staff token's sub
    # The patient sees the new clinic and when the next change by choice is allowed.
    status, body = invoke("lookup", http_event("GET", "/v1/me/attachment", claims=claims_of(patient)))
    assert status == 200 and body["clinic"]["id"] == "cl0102"
    assert body["changeByChoiceAllowedFrom"] == "2027-03-10" and body["changeByChoiceAllowedNow"] is False
    # The same request again changes nothing twice.
    assert_error(invoke("registry", event_file("registry/change_choice.json")), 409, "already_attached")


BOUNDARIES = [
    ("2026-03-10", "2027-03-09", "2027-03-10"),
    ("2028-02-29", "2029-02-28", "2029-03-01"),   # no 29 February next year: 1 March, never a day early
    ("2027-02-28", "2028-02-27", "2028-02-28"),   # into a leap year: the anniversary exists
]


def test_one_year_boundary(register_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for patient, (first, day_before, allowed) in zip(patients_of("cl0101"), BOUNDARIES, strict=True):
        monkeypatch.setattr(clock, "now", lambda day=first: at_local(day))
        assert invoke("registry", change_event(patient, "cl0102", "choice"))[0] == 201
        # The last minute of the day before the anniversary (clinic time): refused, with the first allowed date.
        monkeypatch.setattr(clock, "now", lambda day=day_before: at_local(day, 23) + 59 * 60)
        status, body = invoke("registry", change_event(patient, "cl0101", "choice"))
        assert_error((status, body), 409, "attachment_change_too_soon")
        assert body["error"]["details"] == {"allowedFrom": allowed}
        assert entry(patient)["clinicId"] == "cl0102"
        # Midnight starting the allowed day (clinic time): accepted.
        monkeypatch.setattr(clock, "now", lambda day=allowed: at_local(day, 0))
        status, body = invoke("registry", change_event(patient, "cl0101", "choice"))
        assert status == 201, body
        assert len(history(patient)) == 4


def test_relocation_has_no_limit(register_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    patient = patients_of("cl0101")[2]  # an old-style policy with a series
    monkeypatch.setattr(clock, "now", lambda: at_local("2026-05-01"))
    assert invoke("registry", change_event(patient, "cl0102", "choice"))[0] == 201
    monkeypatch.setattr(clock, "now", lambda: at_local("2026-05-02"))
    assert_error(invoke("registry", change_event(patient, "cl0101", "choice")), 409, "attachment_change_too_soon")
    status, body = invoke("registry", change_event(patient, "cl0101", "relocation"))
    assert status == 201, body
    # A relocation keeps the choice clock as it was.
    assert body["attachment"]["changeByChoiceAllowedFrom"] == "2027-05-01"
    monkeypatch.setattr(clock, "now", lambda: at_local("2026-05-03"))
    assert invoke("registry", change_event(patient, "cl0102", "relocation"))[0] == 201
    assert entry(patient)["clinicId"] == "cl0102" and entry(patient)["version"] == 3
    assert [e["event"] for e in history(patient)] == ["detached", "attached"] * 3


def test_change_refusals(register_table: str) -> None:
    patient = patients_of("cl0101")[0]
    assert_error(invoke("registry", change_event(patient, "cl0101", "choice")), 409, "already_attached")
    assert_error(invoke("registry", change_event(patient, "cl9999", "choice")), 404, "not_found")
    other = dict(patient, lastName="Другой")
    assert_error(invoke("registry", change_event(other, "cl0102", "choice")), 403, "patient_not_found")
    bad = with_body(event_file("registry/change_choice.json"), {"patient": {}, "clinicId": "cl0102",
                                                                "reason": "whim"})
    assert_error(invoke("registry", bad), 422, "validation_error")
    assert_error(invoke("registry", event_file("registry/change_unsigned.json")), 401, "unauthorized")
    assert entry(patient)["clinicId"] == "cl0101" and history(patient) == []


def test_first_attachment_of_a_new_policy(register_table: str) -> None:
    newcomer = {"lastName": "Новикова", "firstName": "Анна", "birthDate": "1990-04-04",
                "policyNumber": "7899000000000001"}
    status, body = invoke("registry", change_event(newcomer, "cl0102", "relocation"))
    assert status == 201, body
    assert body["attachment"]["previousClinicId"] is None
    assert entry(newcomer)["clinicId"] == "cl0102"
    assert [e["event"] for e in history(newcomer)] == ["attached"]
    # The gorzdrav façade's name index, in the same transaction: keyed hashes only, no name in it.
    from shared.patients import name_index

    h = policy.policy_hash(newcomer["policyNumber"], None)
    name_pk = keys.gz_name_pk(name_index.name_hash("Новикова", "Анна", None, "1990-04-04"))
    index = {"PK": name_pk, "SK": keys.policy_pk(h), "entity": "gzNameIndex"}
    assert list(dal.query_all("PK = :pk", {":pk": name_pk}, consistent=True)) == [index]
    # A later change (staff of cl0101) writes the same item again: idempotent, never a second one.
    status, body = invoke("registry", change_event(newcomer, "cl0101", "relocation"))
    assert status == 201 and body["attachment"]["previousClinicId"] == "cl0102", body
    assert list(dal.query_all("PK = :pk", {":pk": name_pk}, consistent=True)) == [index]


# ---------------------------------------------------------------- bookings follow the attachment
def _slot(doctor_id: str) -> str:
    status, body = invoke("lookup", http_event("GET", f"/v1/doctors/{doctor_id}/slots"))
    assert status == 200 and body["items"], body
    return body["items"][-1]["id"]


def _book(patient: dict[str, Any], slot_id: str) -> tuple[int, Any]:
    body = {"slotId": slot_id, "patient": patient_body(patient)}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    return invoke("booking", http_event("POST", "/v1/appointments", body, headers=key))


def test_bookings_follow_the_new_attachment(moto_table: str) -> None:
    patient = patients_of("cl0101")[0]
    status, booked = _book(patient, _slot("cl0101-d01"))
    assert status == 201, booked
    assert invoke("registry", change_event(patient, "cl0102", "relocation"))[0] == 201
    # The appointment booked before the change stays valid.
    kept = dal.get(keys.appointment_key(booked["appointment"]["id"]))
    assert kept and kept["status"] == "booked"
    # New bookings: the old clinic refuses, the new one accepts.
    assert_error(_book(patient, _slot("cl0101-d02")), 403, "not_attached")
    status, body = _book(patient, _slot("cl0102-d04"))  # a surgeon: the therapist lock is taken
    assert status == 201, body
    assert body["appointment"]["clinic"]["id"] == "cl0102"


# ---------------------------------------------------------------- importing a real register
REGISTER_CSV = """street;house;building;clinic id
ул. Гороховая;5;;cl0101
ул. Гороховая;5;2;cl0102
Гороховая улица;7;лит. А;cl0102
ул. Гороховая;9;к1;cl0101
ул. Гороховая;9;корп. 1;cl0102
;3;;cl0101
ул. Гороховая;пять;;cl0101
ул. Гороховая;11;что-то;cl0101
ул. Гороховая;13;;cl9999
ул. Гороховая;15;;CL-1
ул. Гороховая;17

пер. Гривцова;1;;cl0101
"""


def test_import_register_from_csv(register_table: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from infra import import_addresses

    path = tmp_path / "register.csv"
    path.write_text(REGISTER_CSV, encoding="utf-8-sig")
    assert import_addresses.main([str(path)]) == 1  # some rows were rejected
    out = capsys.readouterr().out
    assert "rows accepted: 6, rejected: 6" in out
    for line, reason in [(7, "street has no name"), (8, "house number not understood"), (9, "building not understood"),
                         (10, "unknown clinic id: cl9999"), (11, "malformed clinic id"), (12, "expected 4 columns")]:
        assert f"line {line}: {reason}" in out, out
    assert "NOT WRITTEN" not in out

    def clinics(street: str, house: str) -> list[str]:
        status, body = invoke("lookup", with_query(event_file("lookup/address_clinics.json"), street=street,
                                                   house=house))
        assert status == 200, body
        return [c["id"] for c in body["items"]]

    assert clinics("Гороховая", "5") == ["cl0101"]
    assert clinics("гороховая ул.", "5к2") == ["cl0102"]
    assert clinics("Гороховая", "7") == ["cl0102"]              # only "7 лит. А" is listed
    assert clinics("Гороховая", "9 корп. 1") == ["cl0101", "cl0102"]  # two rows of one house: merged
    assert clinics("Гривцова пер", "1") == ["cl0101"]
    # Importing again overwrites, it does not duplicate.
    assert import_addresses.main([str(path)]) == 1
    assert clinics("Гороховая", "9к1") == ["cl0101", "cl0102"]
