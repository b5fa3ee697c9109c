"""Staff roles and the access journal under moto (issue 28): which role may call which registry route, the
journal entry every staff write puts in its own transaction and every read of personal data appends, nothing
personal in an entry, TTL, and the patient's view of the clinic's access in «Мои записи»."""
from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest

from shared.domain import journal
from shared.platform import clock, config, dal, keys
from tests.handler.helpers import book, secrets_of, staff_claims, staff_event, table_items
from tests.handler.helpers import free_slot_items as free_slots
from tests.support import claims_of, event_file, http_event, invoke, patients_of

CLINIC, OTHER = "cl0101", "cl0102"
DOCTOR = "cl0101-d01"
PLAN = {"name": "Орлова Вера Павловна", "nameEn": "Vera Orlova", "specialtyId": "dermatologist", "room": "214",
        "slotMinutes": 30, "plan": [{"weekday": wd, "from": "09:00", "to": "12:00"} for wd in range(1, 8)]}


def today() -> date:
    return clock.local_date(clock.now())


def read_journal(day: date | None = None, clinic: str | None = CLINIC, role: str | None = None,
                 of: str = CLINIC) -> tuple[int, Any]:
    return invoke("registry", staff_event("GET", f"/v1/registry/clinics/{of}/journal", clinic=clinic, role=role,
                                          query={"date": (day or today()).isoformat()}))


def history_of(patient: dict[str, Any]) -> list[dict[str, Any]]:
    status, body = invoke("history", http_event("GET", "/v1/me/appointments", claims=claims_of(patient)))
    assert status == 200, body
    return body["items"]


def entries() -> list[dict[str, Any]]:
    return table_items(journal.ENTRY)


def accesses() -> list[dict[str, Any]]:
    return table_items(journal.ACCESS)


def booked_tomorrow(patient: dict[str, Any], doctor: str = DOCTOR) -> tuple[dict[str, Any], dict[str, Any]]:
    slot = free_slots(doctor, clock.now() + 86400)[0]
    return book(patient, slot["id"]), slot


# ---------------------------------------------------------------- every route x every role
def _requests(appointment_id: str, day: date) -> dict[str, tuple[str, str, Any, dict[str, str] | None]]:
    """One request per registry route (the attachment change and the referral with the sample events' bodies)."""
    referral = json.loads(event_file("registry/referral_issue.json")["body"])
    change = json.loads(event_file("registry/change_choice.json")["body"]) | {"clinicId": CLINIC}
    change["patient"] = {k: v for k, v in patients_of(OTHER)[0].items()
                         if k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber", "policySeries")}
    tomorrow = (today() + timedelta(days=1)).isoformat()
    return {
        "daylist": ("GET", f"/v1/registry/clinics/{CLINIC}/appointments", None, {"date": day.isoformat()}),
        "attendance": ("POST", f"/v1/registry/appointments/{appointment_id}/attendance", {"status": "noshow"}, None),
        "plans": ("PUT", f"/v1/registry/clinics/{CLINIC}/doctors/cl0101-d20", PLAN, None),
        "absences": ("POST", f"/v1/registry/clinics/{CLINIC}/doctors/cl0101-d02/absences",
                     {"from": tomorrow, "to": tomorrow, "reason": "sick", "dryRun": True}, None),
        "referrals": ("POST", "/v1/registry/referrals", referral, None),
        "attachments": ("POST", "/v1/registry/attachments", change, None),
        "journal": ("GET", f"/v1/registry/clinics/{CLINIC}/journal", None, {"date": day.isoformat()}),
    }


def test_each_role_may_call_exactly_its_routes(moto_table: str) -> None:
    appointment, slot = booked_tomorrow(patients_of(CLINIC)[0])
    requests = _requests(appointment["id"], clock.local_date(slot["epoch"]))
    receptionist = {"daylist", "attendance"}
    for name, (method, path, body, query) in requests.items():
        status, answer = invoke("registry", staff_event(method, path, body, query=query, role="receptionist"))
        if name in receptionist:
            # Allowed: the route's own answer (attendance before the start is refused on its own ground).
            assert status != 403, (name, answer)
        else:
            assert (status, answer["error"]["code"]) == (403, "forbidden"), (name, answer)
    # Nothing a refused receptionist sent was written (no doctor, no referral, no journal entry of theirs).
    assert dal.get(keys.key(keys.doctor_pk("cl0101-d20"), keys.PROFILE)) is None
    assert {e["action"] for e in entries() if e["role"] == "receptionist"} == {journal.DAYLIST_READ}
    for role, clinic in (("head", CLINIC), ("city", None)):
        for name, (method, path, body, query) in requests.items():
            if name == "attachments" and role == "city":
                continue  # moved by the head already
            status, answer = invoke("registry", staff_event(method, path, body, clinic=clinic, query=query, role=role))
            assert status != 403, (role, name, answer)


def test_another_clinic_a_patient_token_and_no_token(moto_table: str) -> None:
    appointment, slot = booked_tomorrow(patients_of(CLINIC)[0])
    requests = _requests(appointment["id"], clock.local_date(slot["epoch"]))
    patient = claims_of(patients_of(CLINIC)[0])
    for name, (method, path, body, query) in requests.items():
        for role in ("receptionist", "head"):
            status, answer = invoke("registry", staff_event(method, path, body, clinic=OTHER, query=query, role=role))
            if name == "referrals" and role == "head":
                # The referral names no clinic in its path: the patient is attached elsewhere.
                assert (status, answer["error"]["code"]) == (403, "forbidden"), answer
                continue
            assert (status, answer["error"]["code"]) == (403, "forbidden"), (name, role, answer)
        status, answer = invoke("registry", http_event(method, path, body, query=query, claims=patient))
        assert (status, answer["error"]["code"]) == (403, "forbidden"), (name, answer)
        status, answer = invoke("registry", http_event(method, path, body, query=query))
        assert (status, answer["error"]["code"]) == (401, "unauthorized"), (name, answer)
    assert entries() == [] and accesses() == []


def test_cognito_spellings_of_the_claims(moto_table: str) -> None:
    claims = staff_claims(CLINIC, "receptionist")
    claims["custom:clinic_id"], claims["custom:staff_role"] = claims.pop("clinic_id"), claims.pop("staff_role")
    event = http_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments", query={"date": today().isoformat()},
                       claims=claims)
    assert invoke("registry", event)[0] == 200
    (entry,) = entries()
    assert (entry["actor"], entry["role"]) == (claims["sub"], "receptionist")


# ---------------------------------------------------------------- the journal
def test_every_staff_action_is_journalled_without_personal_data(moto_table: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    patient, other = patients_of(CLINIC)[0], patients_of(CLINIC)[1]
    appointment, slot = booked_tomorrow(patient)
    cancelled, _ = booked_tomorrow(other, "cl0101-d02")
    cancelled_day = clock.local_date(int((dal.appointment(cancelled["id"]) or {})["start"]))
    monkeypatch.setattr(clock, "now", lambda: slot["epoch"] + 60)  # the appointment has started
    day = clock.local_date(slot["epoch"])
    head = {"clinic": CLINIC, "role": "head"}
    assert invoke("registry", staff_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments", role="receptionist",
                                          query={"date": day.isoformat(), "doctorId": DOCTOR}))[0] == 200
    assert invoke("registry", staff_event("POST", f"/v1/registry/appointments/{appointment['id']}/attendance",
                                          {"status": "fulfilled"}, role="receptionist"))[0] == 200
    assert invoke("registry", staff_event("PUT", f"/v1/registry/clinics/{CLINIC}/doctors/cl0101-d20", PLAN,
                                          **head))[0] == 200
    absent = {"from": cancelled_day.isoformat(), "to": cancelled_day.isoformat(), "reason": "sick"}
    status, out = invoke("registry", staff_event("POST", f"/v1/registry/clinics/{CLINIC}/doctors/cl0101-d02/absences",
                                                 absent, **head))
    assert status == 200 and out["cancelledAppointments"] >= 1, out
    assert invoke("registry", event_file("registry/referral_issue.json"))[0] == 201
    move = copy.deepcopy(event_file("registry/change_choice.json"))  # the head of cl0102 registers a change
    assert invoke("registry", move)[0] == 201

    status, body = read_journal(day)
    assert status == 200, body
    items = body["items"]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)  # oldest first
    actions = [i["action"] for i in items]
    assert actions[:2] == [journal.DAYLIST_READ, journal.ATTENDANCE_MARK]
    assert {journal.PLAN_PUBLISH, journal.ABSENCE_RECORD, journal.REFERRAL_ISSUE} <= set(actions)
    read, mark = items[0], items[1]
    assert read == {"at": read["at"], "actor": "staff-receptionist-cl0101", "role": "receptionist",
                    "action": "daylist.read", "appointmentIds": [appointment["id"]], "doctorId": None, "count": 1}
    assert mark["appointmentIds"] == [appointment["id"]] and mark["role"] == "receptionist"
    assert {i["doctorId"] for i in items if i["action"] == journal.PLAN_PUBLISH} == {"cl0101-d20"}
    absences = [i for i in items if i["action"] == journal.ABSENCE_RECORD]
    assert {i["doctorId"] for i in absences} == {"cl0101-d02"}
    assert [cancelled["id"]] in [i["appointmentIds"] for i in absences]  # the cancellation's own entry
    # The change of attachment is in the new clinic's journal; reading a journal is journalled itself.
    changes = read_journal(day, clinic=OTHER, of=OTHER)[1]["items"]
    assert [i["action"] for i in changes] == [journal.ATTACHMENT_CHANGE]
    assert read_journal(day)[1]["items"][-1]["action"] == journal.JOURNAL_READ
    # Nothing personal in any journal or access item.
    stored = json.dumps(entries() + accesses(), ensure_ascii=False)
    changed = patients_of(CLINIC)[2]  # change_choice.json's and referral_issue.json's patients are cl0101's
    for person in (patient, other, changed, *patients_of(CLINIC)):
        for secret in secrets_of(person):
            assert secret not in stored, secret[:2]
    assert "Петрова" not in stored and "7800000101000001" not in stored


def test_a_refused_write_leaves_no_entry(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    appointment, slot = booked_tomorrow(patients_of(CLINIC)[0])
    # The mark's condition fails (not started yet): the transaction, its entry and access item with it.
    status, answer = invoke("registry", staff_event(
        "POST", f"/v1/registry/appointments/{appointment['id']}/attendance", {"status": "noshow"}))
    assert answer["error"]["code"] == "appointment_not_started"
    assert entries() == [] and accesses() == []
    # A change of attachment whose first transaction loses a race (another change moved the entry's version):
    # that attempt's entry is not written, the retry's is; refused again afterwards: no entry.
    move = event_file("registry/change_choice.json")
    original = dal.transact
    raced = []

    def racing(items: Any) -> None:
        if not raced and "journal" in items:
            raced.append(1)
            entry_key = items["entry"]["Update"]["Key"]
            dal.update(entry_key, "SET version = :v", values={":v": 7})
        original(items)

    monkeypatch.setattr(dal, "transact", racing)
    assert invoke("registry", copy.deepcopy(move))[0] == 201
    monkeypatch.setattr(dal, "transact", original)
    assert raced and [e["action"] for e in entries()] == [journal.ATTACHMENT_CHANGE]
    assert invoke("registry", copy.deepcopy(move))[1]["error"]["code"] == "already_attached"
    assert len(entries()) == 1
    # The same mark twice: one write, one entry.
    monkeypatch.setattr(clock, "now", lambda: slot["epoch"] + 60)
    for _ in range(2):
        assert invoke("registry", staff_event(
            "POST", f"/v1/registry/appointments/{appointment['id']}/attendance", {"status": "noshow"}))[0] == 200
    assert [e["action"] for e in entries()].count(journal.ATTENDANCE_MARK) == 1
    # A transaction whose other part fails writes no entry: the attendance with a racing change of status.
    dal.update(keys.appointment_key(appointment["id"]), "SET #st = :b", values={":b": "booked"},
               names={"#st": "status"})

    def failing(items: Any) -> None:
        dal.update(keys.appointment_key(appointment["id"]), "SET #st = :c", values={":c": "cancelled"},
                   names={"#st": "status"})
        original(items)

    monkeypatch.setattr(dal, "transact", failing)
    status, answer = invoke("registry", staff_event(
        "POST", f"/v1/registry/appointments/{appointment['id']}/attendance", {"status": "fulfilled"}))
    assert (status, answer["error"]["code"]) == (409, "already_cancelled"), answer
    assert [e["action"] for e in entries()].count(journal.ATTENDANCE_MARK) == 1
    assert len([a for a in accesses() if a["action"] == journal.ATTENDANCE_MARK]) == 1


def test_entries_and_access_items_expire_after_the_retention(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _, slot = booked_tomorrow(patients_of(CLINIC)[0])
    query = {"date": clock.local_date(slot["epoch"]).isoformat()}
    assert invoke("registry", staff_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments", query=query))[0] == 200
    now = clock.now()
    for item in entries() + accesses():
        assert now <= int(item["ttl"]) - 1826 * 86400 <= now + 5, item
    monkeypatch.setenv("JOURNAL_RETENTION_DAYS", "30")
    config.settings.cache_clear()
    try:
        fixed = now + 7
        monkeypatch.setattr(clock, "now", lambda: fixed)
        invoke("registry", staff_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments", query=query,
                                       role="receptionist"))
        newest = max(entries(), key=lambda e: e["at"])
        assert newest["at"] == fixed and newest["ttl"] == fixed + 30 * 86400
    finally:
        monkeypatch.delenv("JOURNAL_RETENTION_DAYS")
        config.settings.cache_clear()


def test_the_journal_route_refuses_bad_dates_and_other_clinics(moto_table: str) -> None:
    assert read_journal(clinic=OTHER)[1]["error"]["code"] == "forbidden"
    assert read_journal(role="receptionist")[1]["error"]["code"] == "forbidden"
    event = staff_event("GET", f"/v1/registry/clinics/{CLINIC}/journal", query={"date": "2026-13-40"})
    assert invoke("registry", event)[0] == 422
    status, body = read_journal(clinic=None)  # the city operator: any clinic; an empty day
    assert (status, body) == (200, {"items": []})
    assert read_journal(clinic=None)[1]["items"][0]["action"] == journal.JOURNAL_READ
    assert read_journal(clinic=None, of="CL!")[0] in (404, 422)


# ---------------------------------------------------------------- the patient's view
def test_the_patient_sees_which_clinic_role_accessed_their_appointment(moto_table: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    patient, other = patients_of(CLINIC)[0], patients_of(CLINIC)[1]
    appointment, slot = booked_tomorrow(patient)
    others, _ = booked_tomorrow(other, "cl0101-d05")
    day = clock.local_date(slot["epoch"])
    assert all(i["access"] == [] for i in history_of(patient))
    monkeypatch.setattr(clock, "now", lambda: slot["epoch"] + 60)
    query = {"date": day.isoformat(), "doctorId": DOCTOR}
    for _ in range(2):  # read twice the same day: one access item
        assert invoke("registry", staff_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments", query=query,
                                              role="receptionist"))[0] == 200
    # An anonymous search (the appointment still ahead) answers no access at all.
    search = {"policyNumber": patient["policyNumber"], "lastName": patient["lastName"],
              "birthDate": patient["birthDate"]}
    if patient.get("policySeries"):
        search["policySeries"] = patient["policySeries"]
    monkeypatch.setattr(clock, "now", lambda: slot["epoch"] - 3600)
    status, found = invoke("history", http_event("POST", "/v1/appointments/search", search))
    assert status == 200 and found["items"] and all("access" not in i for i in found["items"])
    monkeypatch.setattr(clock, "now", lambda: slot["epoch"] + 120)
    assert invoke("registry", staff_event("POST", f"/v1/registry/appointments/{appointment['id']}/attendance",
                                          {"status": "fulfilled"}, role="receptionist"))[0] == 200
    (mine,) = [i for i in history_of(patient) if i["id"] == appointment["id"]]
    assert [(a["role"], a["action"]) for a in mine["access"]] == [("receptionist", "attendance.mark"),
                                                                  ("receptionist", "daylist.read")]
    assert mine["access"][0]["at"] == clock.local_iso(slot["epoch"] + 120)
    assert set(mine["access"][0]) == {"at", "role", "action"}  # no actor: a role, never a person
    # Another patient (their appointment is another doctor's, not on the list read) sees no access.
    assert [i["access"] for i in history_of(other) if i["id"] == others["id"]] == [[]]


def test_an_absence_shows_in_the_cancelled_patients_history(moto_table: str) -> None:
    patient = patients_of(CLINIC)[0]
    appointment, slot = booked_tomorrow(patient)
    day = clock.local_date(slot["epoch"]).isoformat()
    status, answer = invoke("registry", staff_event("POST", f"/v1/registry/clinics/{CLINIC}/doctors/{DOCTOR}/absences",
                                                    {"from": day, "to": day, "reason": "sick"}))
    assert status == 200 and answer["cancelledAppointments"] == 1
    (mine,) = [i for i in history_of(patient) if i["id"] == appointment["id"]]
    assert mine["status"] == "cancelled"
    assert [(a["role"], a["action"]) for a in mine["access"]] == [("head", "absence.record")]
