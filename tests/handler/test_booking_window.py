"""One booking window on every face under moto (docs/CONTRACT.md, rule 6: today and the next 13 days in
Europe/Moscow, not yet started). The doctor-slots answer names the window's days and its items fall on them; a
slot on today + 14 (as the daily job used to open) is neither offered nor held nor booked; gorzdrav's timetable
and free appointments, FHIR's $find, Slot search and Schedule.planningHorizon end on the same last day."""
from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from shared.clinic import plans
from shared.domain import slots
from shared.platform import clock, dal, keys
from tests.handler.helpers import DOCTOR, anonymous_event, assert_error, hold_event, slot_item
from tests.support import Context, http_event, invoke, load_function, patients_of

LPU = 111  # cl0101's gorzdrav id (infra/demo/gorzdrav_ids.json)
PATIENT = patients_of("cl0101")[0]
AHEAD = (12, 13, 14)  # days from today: inside, the window's last day, the first day after it


@pytest.fixture
def edge(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The clock stopped (a test never straddles midnight) and a free slot of DOCTOR at 08:00 on each day of
    AHEAD (the seed holds the first week only): {"today", "last", "slots": {days ahead: slot id}}."""
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    today, last = slots.window_days(now)
    doctor = dal.get(keys.key(keys.doctor_pk(DOCTOR), keys.PROFILE))
    assert doctor
    made = {}
    for n in AHEAD:
        start = clock.day_start(today + timedelta(days=n)) + 8 * 3600
        item = plans.slot_item(doctor, start, start + 1800)
        dal.put(item)
        made[n] = item["slotId"]
    return {"today": today, "last": last, "slots": made}


def day_of(iso: str) -> date:
    return date.fromisoformat(iso[:10])


def test_the_window_is_today_and_the_next_13_days(edge: dict[str, Any]) -> None:
    assert edge["last"] == edge["today"] + timedelta(days=13)


# ---------------------------------------------------------------- our API
def test_doctor_slots_name_the_window_and_keep_to_it(edge: dict[str, Any]) -> None:
    status, body = invoke("lookup", http_event("GET", f"/v1/doctors/{DOCTOR}/slots"))
    assert status == 200, body
    window = body["window"]
    assert window == {"from": edge["today"].isoformat(), "to": edge["last"].isoformat()}
    days = {day_of(s["start"]) for s in body["items"]}
    assert days and all(window["from"] <= d.isoformat() <= window["to"] for d in days)
    ids = {s["id"] for s in body["items"]}
    assert edge["slots"][12] in ids and edge["slots"][13] in ids and edge["slots"][14] not in ids
    assert max(days) == edge["last"]
    # Asked for dates past the window: the same window, nothing beyond it.
    query = {"from": edge["last"].isoformat(), "to": (edge["last"] + timedelta(days=1)).isoformat()}
    status, body = invoke("lookup", http_event("GET", f"/v1/doctors/{DOCTOR}/slots", query=query))
    assert status == 200 and body["window"] == window
    assert [s["id"] for s in body["items"]] == [edge["slots"][13]]


def test_counts_and_nearest_keep_to_the_window(edge: dict[str, Any]) -> None:
    _, slots_body = invoke("lookup", http_event("GET", f"/v1/doctors/{DOCTOR}/slots"))
    _, doctors = invoke("lookup", http_event("GET", "/v1/clinics/cl0101/specialties/therapist/doctors"))
    d01 = next(d for d in doctors["items"] if d["id"] == DOCTOR)
    assert d01["freeSlots"] == len(slots_body["items"])
    assert d01["nearestSlot"] == slots_body["items"][0]["start"]
    _, specialties = invoke("lookup", http_event("GET", "/v1/clinics/cl0101/specialties"))
    therapist = next(s for s in specialties["items"] if s["id"] == "therapist")
    assert therapist["freeSlots"] == sum(d["freeSlots"] for d in doctors["items"])


def test_a_slot_on_today_plus_14_is_neither_held_nor_booked(edge: dict[str, Any]) -> None:
    beyond = edge["slots"][14]
    assert_error(invoke("booking", hold_event(beyond, PATIENT)), 422, "outside_booking_window")
    assert_error(invoke("booking", anonymous_event(beyond, PATIENT)), 422, "outside_booking_window")
    assert slot_item(beyond)["status"] == "free"
    # The window's last day is bookable: held, then booked with the hold.
    status, held = invoke("booking", hold_event(edge["slots"][13], PATIENT))
    assert status == 201, held
    status, booked = invoke("booking", anonymous_event(edge["slots"][13], PATIENT, hold_id=held["holdId"]))
    assert status == 201, booked
    assert day_of(booked["appointment"]["start"]) == edge["last"]


# ---------------------------------------------------------------- gorzdrav
def gorzdrav(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Any:
    event = http_event(method, "/_api/api/v2" + path, body=body, query=query)
    answer = json.loads(load_function("gorzdrav").handler(event, Context())["body"])
    return answer


def test_gorzdrav_offers_the_same_days(edge: dict[str, Any]) -> None:
    days = gorzdrav("GET", f"/schedule/lpu/{LPU}/doctor/{DOCTOR}/timetable")["result"]
    assert day_of(days[0]["visitStart"]) >= edge["today"] and day_of(days[-1]["visitStart"]) == edge["last"]
    free = gorzdrav("GET", f"/schedule/lpu/{LPU}/doctor/{DOCTOR}/appointments")["result"]
    ids = [s["id"] for s in free]
    assert edge["slots"][13] in ids and edge["slots"][14] not in ids
    assert max(day_of(s["visitStart"]) for s in free) == edge["last"]
    doctors = gorzdrav("GET", f"/schedule/lpu/{LPU}/speciality/4/doctors")["result"]
    d01 = next(d for d in doctors if d["id"] == DOCTOR)
    assert d01["lastDate"] == f"{edge['last'].isoformat()}T00:00:00" and d01["freeTicketCount"] == len(ids)
    # Booking the slot after the window through gorzdrav: its refusal for the window (904).
    query = {"lpuId": str(LPU), "lastName": PATIENT["lastName"], "firstName": PATIENT["firstName"],
             "middleName": PATIENT["middleName"] or "", "birthdate": PATIENT["birthDate"]}
    patient_id = gorzdrav("GET", "/patient/search", query=query)["result"]
    refused = gorzdrav("POST", "/appointment/create",
                       {"lpuId": LPU, "patientId": patient_id, "appointmentId": edge["slots"][14]})
    assert refused["success"] is False and refused["errorCode"] == 904


# ---------------------------------------------------------------- FHIR
def fhir(method: str, path: str, params: list[tuple[str, str]] | None = None, body: Any = None) -> Any:
    from urllib.parse import urlencode

    event = http_event(method, path, body=body, query=dict(params or []),
                       headers={"host": "fhir.example.test", "content-type": "application/fhir+json"})
    event["rawQueryString"] = urlencode(params or [])
    response = load_function("fhir").handler(event, Context())
    assert response["statusCode"] == 200, response
    return json.loads(response["body"])


def test_fhir_offers_the_same_days(edge: dict[str, Any]) -> None:
    from tests.fhir_check import parameters

    later = (edge["today"] + timedelta(days=10)).isoformat()
    found = fhir("POST", "/fhir/Appointment/$find", body=parameters(
        practitioner={"reference": f"Practitioner/{DOCTOR}"}, start=later, _count="100"))
    proposed = [e["resource"]["slot"][0]["reference"].split("/")[1] for e in found.get("entry", [])]
    assert proposed == [edge["slots"][12], edge["slots"][13]]
    # Slot search without an upper bound: to the end of the window (every status, so the 15th day's free slot
    # would show if the default went further).
    searched = fhir("GET", "/fhir/Slot", params=[("schedule", f"Schedule/{DOCTOR}"), ("start", f"ge{later}")])
    assert [e["resource"]["id"] for e in searched.get("entry", [])] == [edge["slots"][12], edge["slots"][13]]
    schedule = fhir("GET", f"/fhir/Schedule/{DOCTOR}")
    end = schedule["planningHorizon"]["end"]
    assert end == clock.local_iso(clock.day_end(edge["last"]) - 1) and day_of(end) == edge["last"]
    assert day_of(schedule["planningHorizon"]["start"]) == edge["today"]
