"""Helpers of the handler tests: sample events aimed at live slots and appointments, bookings, items."""
from __future__ import annotations

import copy
import json
import re
import uuid
from typing import Any

import pytest

from infra.demo import data
from infra.local import outbox
from shared.catalogue import lookup
from shared.patients import policy
from shared.platform import clock, dal, keys
from tests.support import claims_of, event_file, http_event, invoke, patient_body, patients_of

DOCTOR = "cl0101-d01"  # therapist, cl0101
PAEDIATRICIAN = "cl0101-d03"
DAY = 86400


def with_query(event: dict[str, Any], **query: str) -> dict[str, Any]:
    """The event asking with other query parameters (the sample's dates are fixed, the slots are not)."""
    from urllib.parse import urlencode

    event = dict(event, queryStringParameters=dict(query), rawQueryString=urlencode(query))
    if not query:
        event.pop("queryStringParameters")
    return event


# ---------------------------------------------------------------- booking
def doctor_of(specialty_id: str, clinic_id: str = "cl0101") -> str:
    clinic = next(c for c in data.clinics() if c["id"] == clinic_id)
    return next(d["id"] for d in data.doctors(clinic) if d["specialtyId"] == specialty_id)


def free_slots(doctor_id: str = "cl0101-d01", later_than: int = 0) -> list[str]:
    """Free slots of a doctor now, in time order, starting at least `later_than` seconds from now."""
    now = clock.now()
    return [s["id"] for s in lookup.doctor_slots(doctor_id, None, None)
            if start_of(s["id"]) > now + later_than]


def start_of(slot_id: str) -> int:
    parsed = keys.parse_slot_id(slot_id)
    assert parsed
    return parsed[1]


def body_of(event: dict[str, Any]) -> dict[str, Any]:
    return json.loads(event["body"])


def with_body(event: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    event = copy.deepcopy(event)
    event["body"] = json.dumps(body, ensure_ascii=False)
    return event


def with_headers(event: dict[str, Any], **headers: str | None) -> dict[str, Any]:
    event = copy.deepcopy(event)
    for name, value in headers.items():
        name = name.replace("_", "-").lower()
        if value is None:
            event["headers"].pop(name, None)
        else:
            event["headers"][name] = value
    return event


def identity_body(p: dict[str, Any]) -> dict[str, Any]:
    """Who holds or searches: last name, birth date, policy (and series)."""
    return {k: p[k] for k in ("lastName", "birthDate", "policyNumber", "policySeries") if p.get(k) is not None}


def hold_event(slot_id: str, patient: dict[str, Any] | None = None) -> dict[str, Any]:
    """An anonymous hold of `slot_id` by `patient` (default: the first demo patient of the slot's clinic)."""
    event = event_file("booking/create_hold.json")
    if patient is None:
        clinic = keys.clinic_of_doctor(slot_id.split(".")[0]) or "cl0101"
        patient = (patients_of(clinic) or patients_of("cl0101"))[0]
    return with_body(event, {"slotId": slot_id, "patient": identity_body(patient)})


def signed_in_hold_event(slot_id: str, patient: dict[str, Any] | None = None) -> dict[str, Any]:
    event = event_file("booking/create_hold_signed_in.json")
    event = with_body(event, {"slotId": slot_id})
    if patient is not None:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = claims_of(patient)
    return event


def release_event(hold_id: str) -> dict[str, Any]:
    event = event_file("booking/release_hold.json")
    path = f"/v1/holds/{hold_id}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"holdId": hold_id}
    return event


def anonymous_event(slot_id: str, patient: dict[str, Any] | None = None, hold_id: str | None = None,
                    key: str | None = "key-1", sample: str = "booking/book_anonymous.json") -> dict[str, Any]:
    event = event_file(sample)
    body = body_of(event)
    body["slotId"] = slot_id
    body.pop("holdId", None)
    if hold_id:
        body["holdId"] = hold_id
    if patient is not None:
        body["patient"] = patient_body(patient)
    event = with_body(event, body)
    return with_headers(event, idempotency_key=key) if key or "idempotency-key" in event["headers"] else event


def signed_in_event(slot_id: str, patient: dict[str, Any] | None = None, key: str = "key-s",
                    **extra: Any) -> dict[str, Any]:
    event = event_file("booking/book_signed_in.json")
    event = with_body(event, dict(body_of(event), slotId=slot_id, **extra))
    if patient is not None:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = claims_of(patient)
    return with_headers(event, idempotency_key=key)


def hold(slot_id: str, patient: dict[str, Any] | None = None) -> str:
    status, body = invoke("booking", hold_event(slot_id, patient))
    assert status == 201, body
    return body["holdId"]


def assert_error(result: tuple[int, Any], status: int, code: str, lang: str = "ru") -> None:
    got_status, body = result
    assert (got_status, body["error"]["code"]) == (status, code), body
    assert set(body) == {"error"}
    has_cyrillic = bool(re.search("[А-Яа-я]", body["error"]["message"]))
    assert has_cyrillic == (lang == "ru"), body


def table_items(entity: str) -> list[dict[str, Any]]:
    """Every item of one entity, read from moto's store (a Scan through boto3 takes seconds per call)."""
    from tests.conftest import moto_items

    return [dal.from_item(i) for i in moto_items() if i["entity"] == {"S": entity}]


# ---------------------------------------------------------------- cancellation
def free_slot_items(doctor_id: str, after: int = 0) -> list[dict[str, Any]]:
    """Free slots of a doctor as lookup shows them, each with its start epoch, starting after `after`."""
    status, body = invoke("lookup", http_event("GET", f"/v1/doctors/{doctor_id}/slots"))
    assert status == 200, body
    out = []
    for s in body["items"]:
        parsed = keys.parse_slot_id(s["id"])
        assert parsed
        if parsed[1] > after:
            out.append({**s, "epoch": parsed[1]})
    return out


def slot_ahead(doctor_id: str = DOCTOR, days: float = 2, index: int = 0) -> dict[str, Any]:
    return free_slot_items(doctor_id, clock.now() + int(days * DAY))[index]


def book(patient: dict[str, Any], slot_id: str, signed_in: bool = False, hold_id: str | None = None) -> dict[str, Any]:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    hold = {"holdId": hold_id} if hold_id else {}
    if signed_in:
        event = http_event("POST", "/v1/me/appointments", {"slotId": slot_id, **hold}, headers=key,
                           claims=claims_of(patient))
    else:
        event = http_event("POST", "/v1/appointments", {"slotId": slot_id, **hold, "patient": patient_body(patient)},
                           headers=key)
    status, body = invoke("booking", event)
    assert status == 201, body
    return body["appointment"]


def slot_item(slot_id: str) -> dict[str, Any]:
    item = dal.get(keys.slot_key(slot_id) or {}, consistent=True)
    assert item
    return item


def appointment_item(appointment_id: str) -> dict[str, Any] | None:
    return dal.get(keys.appointment_key(appointment_id), consistent=True)


def lock_item(patient: dict[str, Any], specialty_id: str) -> dict[str, Any] | None:
    h = policy.policy_hash(patient["policyNumber"], patient.get("policySeries"))
    return dal.get(keys.key(keys.policy_pk(h), keys.specialty_lock_sk(specialty_id)), consistent=True)


def retarget(event: dict[str, Any], appointment_id: str) -> dict[str, Any]:
    """The sample event, aimed at a real appointment (the file names a placeholder id)."""
    event = copy.deepcopy(event)
    old = event["pathParameters"]["appointmentId"]
    for holder, field in ((event, "rawPath"), (event["requestContext"]["http"], "path")):
        holder[field] = holder[field].replace(old, appointment_id)
    event["pathParameters"]["appointmentId"] = appointment_id
    return event


def cancel_event(appointment_id: str, body: dict[str, Any] | None = None, lang: str | None = None) -> dict[str, Any]:
    """The anonymous sample event (its policy is PATIENTS[0]'s), with the body replaced if given."""
    event = retarget(event_file("cancellation/cancel_anonymous.json"), appointment_id)
    if body is not None:
        event["body"] = http_event("POST", "/x", body)["body"]
    if lang:
        event["headers"]["accept-language"] = lang
    return event


def policy_of(patient: dict[str, Any]) -> dict[str, Any]:
    out = {"policyNumber": patient["policyNumber"]}
    if patient.get("policySeries"):
        out["policySeries"] = patient["policySeries"]
    return out


def staff_claims(clinic: str | None = "cl0101", role: str | None = None) -> dict[str, str]:
    """The claims API Gateway's StaffJwt authorizer hands on for a staff token of `clinic` (None: the city
    operator) in `role` (default: head of registry; the city operator's is city)."""
    role = role or ("head" if clinic else "city")
    return {"sub": f"staff-{role}-{clinic or 'city'}", "clinic_id": clinic or "city", "staff_role": role,
            "iss": "https://staff.example.org", "aud": "zapis-staff"}


def staff_event(method: str, path: str, body: Any = None, clinic: str | None = "cl0101",
                query: dict[str, str] | None = None, role: str | None = None) -> dict[str, Any]:
    """A request with the staff token of `clinic` (None: the city operator) in `role` (staff_claims)."""
    return http_event(method, path, body, query=query, claims=staff_claims(clinic, role))


def at(monkeypatch: pytest.MonkeyPatch, epoch: int) -> None:
    monkeypatch.setattr(clock, "now", lambda: epoch)


PATIENT, OTHER, OLD_STYLE = patients_of("cl0101")


# ---------------------------------------------------------------- registry
def change_event(patient: dict[str, Any], clinic_id: str, reason: str) -> dict[str, Any]:
    """The sample registry event for another patient, clinic or reason, signed by the staff of `clinic_id`
    (the new clinic's staff register a change; anyone else is refused 403)."""
    event = copy.deepcopy(event_file("registry/change_choice.json"))
    event["requestContext"]["authorizer"] = {"jwt": {"claims": staff_claims(clinic_id), "scopes": None}}
    body = {"patient": {k: patient[k] for k in ("lastName", "firstName", "middleName", "birthDate",
                                                 "policyNumber", "policySeries") if patient.get(k)},
            "clinicId": clinic_id, "reason": reason}
    return with_body(event, body)


# ---------------------------------------------------------------- privacy, email, reschedule
def secrets_of(patient: dict[str, Any]) -> list[str]:
    values = [patient["policyNumber"], patient["lastName"], patient["birthDate"], patient["email"]]
    # Also the forms a serializer might give them: escaped Cyrillic, upper case, without hyphens.
    values += [json.dumps(patient["lastName"])[1:-1], patient["lastName"].upper(),
               patient["birthDate"].replace("-", "")]
    return values


def assert_clean(text: str, patient: dict[str, Any]) -> None:
    assert text.strip(), "nothing was logged: the capture is broken"
    for value in secrets_of(patient):
        assert value not in text, f"personal data in the logs: {value[:2]}…"


def sent() -> list[dict[str, str]]:
    return outbox.outbox_items()


def reschedule_event(appointment_id: str, slot_id: str, patient: dict[str, Any] = PATIENT,
                     signed_in: bool = False, key: str | None = None, hold_id: str | None = None,
                     lang: str | None = None, **override: Any) -> dict[str, Any]:
    sample = "booking/reschedule_signed_in.json" if signed_in else "booking/reschedule_anonymous.json"
    event = retarget(event_file(sample), appointment_id)
    body: dict[str, Any] = {"slotId": slot_id} if signed_in else {**policy_of(patient), "slotId": slot_id}
    if hold_id:
        body["holdId"] = hold_id
    body.update(override)
    event["body"] = json.dumps(body, ensure_ascii=False)
    if signed_in:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = claims_of(patient)
    event["headers"]["idempotency-key"] = key or uuid.uuid4().hex
    if lang:
        event["headers"]["accept-language"] = lang
    return event
