"""The FHIR function on moto: every answer validates as FHIR R4 (tests/fhir_check.py), searches page with next
links, the operations reach the same domain as /v1, and refusals are OperationOutcomes with our codes.
Concurrency is proven on DynamoDB Local (tests/integration/test_fhir_stack.py), never here."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from shared.platform import clock
from tests.fhir_check import fhir_patient, outcome_code, parameters, valid
from tests.handler.helpers import free_slots
from tests.support import Context, claims_of, event_file, http_event, invoke, load_function, patients_of

CL0101 = patients_of("cl0101")
HOST = "fhir.example.test"


def call(method: str, path: str, *, params: list[tuple[str, str]] | None = None, body: Any = None,
         headers: dict[str, str] | None = None, claims: dict[str, str] | None = None) -> tuple[int, Any, dict]:
    event = http_event(method, path, body=body, query=dict(params or []), claims=claims,
                       headers={"host": HOST, "content-type": "application/fhir+json", **(headers or {})})
    event["rawQueryString"] = urlencode(params or [])  # repeats kept, as API Gateway sends them
    response = load_function("fhir").handler(event, Context())
    raw = response.get("body")
    return response["statusCode"], json.loads(raw) if raw else None, response.get("headers") or {}


def follow(link: str) -> tuple[str, list[tuple[str, str]]]:
    url = urlsplit(link)
    return url.path, parse_qsl(url.query)


def entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", [])]


def test_capability_statement_tells_what_each_base_serves(moto_table: str) -> None:
    status, open_cs, headers = call("GET", "/fhir/metadata")
    assert status == 200 and headers["Content-Type"].startswith("application/fhir+json")
    valid(open_cs)
    assert open_cs["fhirVersion"] == "4.0.1"
    assert open_cs["implementation"]["url"] == f"http://{HOST}/fhir"
    by_type = {r["type"]: r for r in open_cs["rest"][0]["resource"]}
    assert set(by_type) == {"Organization", "Location", "Practitioner", "PractitionerRole", "HealthcareService",
                            "Schedule", "Slot", "Appointment"}
    assert "interaction" not in by_type["Appointment"]  # no read on the open base
    assert [o["name"] for o in by_type["Appointment"]["operation"]] == ["find", "hold", "book", "cancel"]
    assert {p["name"] for p in by_type["Slot"]["searchParam"]} >= {"schedule", "start", "status", "specialty",
                                                                  "service-type", "_count"}
    status, me_cs, _ = call("GET", "/fhir/me/metadata", claims=claims_of(CL0101[0]))
    assert status == 200
    valid(me_cs)
    assert me_cs["implementation"]["url"] == f"http://{HOST}/fhir/me"
    me_appt = next(r for r in me_cs["rest"][0]["resource"] if r["type"] == "Appointment")
    assert me_appt["interaction"] == [{"code": "read"}]


def test_organizations_page_with_next_links(moto_table: str) -> None:
    status, first, _ = call("GET", "/fhir/Organization", params=[("_count", "1")])
    assert status == 200
    valid(first)
    assert first["type"] == "searchset" and first["total"] == 2
    (org,) = entries(first)
    assert org["id"] == "cl0101"
    nxt = next(link["url"] for link in first["link"] if link["relation"] == "next")
    assert nxt.startswith(f"http://{HOST}/fhir/Organization?")
    path, params = follow(nxt)
    status, second, _ = call("GET", path, params=params)
    valid(second)
    assert [o["id"] for o in entries(second)] == ["cl0102"]
    assert not any(link["relation"] == "next" for link in second["link"])


def test_directory_reads_and_searches(moto_table: str) -> None:
    status, roles, _ = call("GET", "/fhir/PractitionerRole", params=[
        ("organization", "Organization/cl0101"), ("specialty", "https://zapis.example.org/fhir/CodeSystem/specialty|therapist")])
    assert status == 200
    valid(roles)
    assert entries(roles) and all(r["organization"]["reference"] == "Organization/cl0101" and
                                  r["specialty"][0]["coding"][0]["code"] == "therapist" for r in entries(roles))
    doctor = entries(roles)[0]["id"]
    for path in (f"/fhir/Practitioner/{doctor}", f"/fhir/PractitionerRole/{doctor}", f"/fhir/Schedule/{doctor}",
                 "/fhir/Organization/cl0101", "/fhir/Location/cl0101", "/fhir/HealthcareService/cl0101.therapist"):
        status, resource, _ = call("GET", path)
        assert status == 200, path
        valid(resource)
        assert resource["id"] == path.rsplit("/", 1)[1]
    status, schedules, _ = call("GET", "/fhir/Schedule", params=[("actor", f"Practitioner/{doctor}")])
    assert [s["id"] for s in entries(valid(schedules))] == [doctor]
    status, services, _ = call("GET", "/fhir/HealthcareService", params=[("organization", "cl0102")])
    assert entries(valid(services)) and all(s["id"].startswith("cl0102.") for s in entries(services))
    status, named, _ = call("GET", "/fhir/Practitioner", params=[("name", "иванов")])
    found = entries(valid(named))
    assert found and all(any(w.lower().startswith("иванов") for w in [p["name"][0]["family"], *p["name"][0]["given"]])
                         for p in found)
    assert any(p["name"][0]["family"] == "Иванов" for p in found)


def test_slot_search_with_prefixes_status_and_paging(moto_table: str) -> None:
    today = clock.local_date(clock.now())
    lo, hi = (today + timedelta(days=1)).isoformat(), (today + timedelta(days=3)).isoformat()
    params = [("schedule", "Schedule/cl0101-d01"), ("status", "free"), ("start", f"ge{lo}"), ("start", f"lt{hi}"),
              ("_sort", "start"), ("_count", "5")]
    status, page, _ = call("GET", "/fhir/Slot", params=params)
    assert status == 200
    valid(page)
    starts = []
    while True:
        for s in entries(page):
            assert s["status"] == "free" and s["schedule"]["reference"] == "Schedule/cl0101-d01"
            starts.append(s["start"])
        nxt = [link["url"] for link in page["link"] if link["relation"] == "next"]
        if not nxt:
            break
        path, p = follow(nxt[0])
        status, page, _ = call("GET", path, params=p)
        assert status == 200
        valid(page)
    assert starts == sorted(starts) and len(starts) == len(set(starts)) == page["total"] > 5
    assert all(lo <= s[:10] < hi for s in starts)


def test_refusals_are_operation_outcomes(moto_table: str) -> None:
    status, body, _ = call("GET", "/fhir/Slot", params=[("status", "free")])
    assert status == 422 and outcome_code(body) == ("invalid", "validation_error")
    assert body["issue"][0]["expression"] == ["schedule"]
    status, body, _ = call("GET", "/fhir/Organization/cl9999")
    assert status == 404 and outcome_code(body) == ("not-found", "not_found")
    status, body, _ = call("GET", "/fhir/Appointment/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert status == 401 and outcome_code(body) == ("security", "unauthorized")
    status, body, _ = call("GET", "/fhir/Medication")
    assert status == 404 and outcome_code(body) == ("not-found", "not_found")
    status, body, _ = call("GET", "/fhir/Organization", headers={"accept-language": "en"},
                           params=[("_count", "x")])
    assert status == 422 and body["issue"][0]["details"]["text"] == "Please check the data you entered."


def _book(slot: str, patient: dict[str, Any], key: str, **extra: Any) -> tuple[int, Any, dict]:
    appointment = {"resourceType": "Appointment", "status": "proposed", "slot": [{"reference": f"Slot/{slot}"}],
                   "participant": [{"actor": {"reference": "Practitioner/cl0101-d01"}, "status": "needs-action"}]}
    return call("POST", "/fhir/Appointment/$book", headers={"idempotency-key": key},
                body=parameters(appointment_resource=appointment, patient_resource=fhir_patient(patient), **extra))


def test_find_hold_book_read_cancel(moto_table: str) -> None:
    status, found, _ = call("POST", "/fhir/Appointment/$find", body=parameters(
        practitioner={"reference": "Practitioner/cl0101-d01"}, start=clock.local_date(clock.now()).isoformat()))
    assert status == 200
    valid(found)
    proposed = entries(found)[0]
    assert proposed["status"] == "proposed" and proposed["slot"][0]["reference"].startswith("Slot/cl0101-d01.")

    owner, key = CL0101[0], str(uuid.uuid4())
    # A hold belongs to a patient, as on our own API: without one it is refused.
    status, refused, _ = call("POST", "/fhir/Appointment/$hold", body=parameters(appt_resource=proposed))
    assert status == 422 and refused["resourceType"] == "OperationOutcome"
    status, held, _ = call("POST", "/fhir/Appointment/$hold",
                           body=parameters(appt_resource=proposed, patient_resource=fhir_patient(owner)))
    assert status == 201
    (pending,) = entries(valid(held))
    assert pending["status"] == "pending" and pending["slot"] == proposed["slot"]
    slot_id = proposed["slot"][0]["reference"].split("/")[1]
    status, slot, _ = call("GET", f"/fhir/Slot/{slot_id}")
    assert valid(slot)["status"] == "busy-tentative"

    body = parameters(appointment_reference={"reference": f"Appointment/{pending['id']}"},
                      patient_resource=fhir_patient(owner))
    status, booked, _ = call("POST", "/fhir/Appointment/$book", body=body, headers={"idempotency-key": key})
    assert status == 201
    (appt,) = entries(valid(booked))
    assert appt["status"] == "booked" and appt["slot"] == proposed["slot"]
    assert appt["identifier"][0]["system"] == "https://zapis.example.org/fhir/sid/ticket-number"
    # The same request again with the same key: the same appointment.
    status, again, _ = call("POST", "/fhir/Appointment/$book", body=body, headers={"idempotency-key": key})
    assert status == 201 and entries(again)[0]["id"] == appt["id"]
    assert valid(call("GET", f"/fhir/Slot/{slot_id}")[1])["status"] == "busy"

    status, read, _ = call("GET", f"/fhir/me/Appointment/{appt['id']}", claims=claims_of(owner))
    assert status == 200 and valid(read)["id"] == appt["id"]
    status, body_, _ = call("GET", f"/fhir/me/Appointment/{appt['id']}", claims=claims_of(CL0101[1]))
    assert status == 404 and outcome_code(body_) == ("not-found", "not_found")

    wrong = parameters(patient=fhir_patient(CL0101[1]))
    status, body_, _ = call("POST", f"/fhir/Appointment/{appt['id']}/$cancel", body=wrong)
    assert status == 404 and outcome_code(body_) == ("not-found", "not_found")
    status, cancelled, _ = call("POST", f"/fhir/Appointment/{appt['id']}/$cancel",
                                body=parameters(patient=fhir_patient(owner)))
    assert status == 200 and valid(cancelled)["status"] == "cancelled"
    assert valid(call("GET", f"/fhir/Slot/{slot_id}")[1])["status"] == "free"
    # The same cancellation again, by the owner on the other route: answered as the first (a retry is safe).
    status, again, _ = call("POST", f"/fhir/me/Appointment/{appt['id']}/$cancel", claims=claims_of(owner))
    assert status == 200 and valid(again)["status"] == "cancelled"


def test_book_refusals(moto_table: str) -> None:
    slot = free_slots("cl0101-d01", later_than=3600)[0]
    appointment = {"resourceType": "Appointment", "status": "proposed", "slot": [{"reference": f"Slot/{slot}"}],
                   "participant": [{"actor": {"reference": "Practitioner/cl0101-d01"}, "status": "needs-action"}]}
    status, body, _ = call("POST", "/fhir/Appointment/$book",
                           body=parameters(appointment_resource=appointment, patient_resource=fhir_patient(CL0101[0])))
    assert status == 400 and outcome_code(body) == ("invalid", "idempotency_key_required")
    stranger = dict(CL0101[0], birthDate="1990-01-01")
    status, body, _ = _book(slot, stranger, str(uuid.uuid4()))
    assert status == 403 and outcome_code(body) == ("security", "patient_not_found")
    status, body, _ = _book(slot, dict(CL0101[0], email="not-an-email"), str(uuid.uuid4()))
    assert status == 422 and outcome_code(body) == ("invalid", "validation_error")
    assert body["issue"][0]["expression"] == ["Patient.telecom"]
    status, booked, _ = _book(slot, CL0101[0], str(uuid.uuid4()))
    assert status == 201 and valid(booked)["entry"][0]["resource"]["status"] == "booked"
    status, body, _ = _book(slot, CL0101[1], str(uuid.uuid4()))
    assert status == 409 and outcome_code(body) == ("conflict", "slot_unavailable")


@pytest.mark.parametrize("style", ["argonaut-contained", "signed-in"])
def test_argonaut_and_signed_in_booking(moto_table: str, style: str) -> None:
    slot = free_slots("cl0101-d01", later_than=3600)[0]
    owner = CL0101[2]
    appointment: dict[str, Any] = {
        "resourceType": "Appointment", "status": "proposed", "slot": [{"reference": f"Slot/{slot}"}],
        "participant": [{"actor": {"reference": "#p"}, "status": "needs-action"}]}
    if style == "argonaut-contained":
        appointment["contained"] = [dict(fhir_patient(owner), id="p")]
        status, booked, _ = call("POST", "/fhir/Appointment/$book", body=parameters(appt_resource=appointment),
                                 headers={"idempotency-key": str(uuid.uuid4())})
    else:
        appointment["participant"] = [{"actor": {"reference": "Practitioner/cl0101-d01"}, "status": "needs-action"}]
        status, booked, _ = call("POST", "/fhir/me/Appointment/$book", body=parameters(appt_resource=appointment),
                                 headers={"idempotency-key": str(uuid.uuid4())}, claims=claims_of(owner))
    assert status == 201, booked
    (appt,) = entries(valid(booked))
    assert appt["participant"][0]["actor"]["display"].startswith(owner["lastName"])
    # The appointment is in our own API's history, whichever way it was booked.
    event = http_event("GET", "/v1/me/appointments", claims=claims_of(owner))
    status, history = invoke("history", event)
    assert status == 200
    assert [a["id"].replace("_", ".") for a in history["items"]] == [appt["id"]]
    assert datetime.fromisoformat(history["items"][0]["start"]) == datetime.fromisoformat(appt["start"])


@pytest.mark.parametrize("sample", ["metadata.json", "organization_read.json", "slot_search.json", "find.json"])
def test_sample_events_answer_valid_fhir(moto_table: str, sample: str) -> None:
    status, body = invoke("fhir", event_file(f"fhir/{sample}"))
    assert status == 200
    valid(body)
    if body["resourceType"] == "Bundle":
        assert body["entry"], sample
