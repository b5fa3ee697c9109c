"""Every face of the API as an attacker sees it (issue 25): one object per face that knows how to ask it for
an identity check, an appointment, a cancellation. tests/security/test_every_face.py runs each abuse case
against each of them; a new face is covered by adding it here."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.local.events import http_event as raw_event
from infra.local.events import match_route
from tests.fhir_check import fhir_patient, parameters
from tests.handler.helpers import free_slots
from tests.support import Context, claims_of, http_event, load_function, patient_body

GZ = "/_api/api/v2"
GZ_LPU = "111"  # cl0101's gorzdrav id (infra/demo/gorzdrav_ids.json)
FHIR_HOST = "fhir.example.test"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def code(self) -> str | None:
        """Our error code, whatever the face's wire shape (envelope, OperationOutcome, gorzdrav)."""
        b = self.body if isinstance(self.body, dict) else {}
        if "error" in b:
            return str(b["error"]["code"])
        if b.get("resourceType") == "OperationOutcome":
            return str(b["issue"][0]["details"]["coding"][0]["code"])
        if b.get("success") is False:
            return f"gz{b.get('errorCode')}"
        return None

    @property
    def limited(self) -> bool:
        return self.status == 429


def _event(method: str, path: str, body: Any, *, headers: dict[str, str] | None = None,
           query: dict[str, str] | None = None, claims: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway event; a `str` body is sent as it is (JSON too deep for the encoder, text that is no JSON)."""
    if isinstance(body, str):
        return raw_event(method, path, body=body, headers=headers or {}, query=query or {}, claims=claims)
    return http_event(method, path, body, headers=headers, query=query, claims=claims)


def _call(function: str, event: dict[str, Any]) -> Answer:
    response = load_function(function).handler(event, Context())
    raw = response.get("body")
    return Answer(response["statusCode"], json.loads(raw) if raw else None)


def v1(method: str, path: str, body: Any = None, *, claims: dict[str, str] | None = None,
       key: bool = False) -> Answer:
    """One `/v1` request, to the function template.yaml routes it to."""
    route = match_route(method, path)
    assert route, f"{method} {path} is no route of template.yaml"
    headers = {"Idempotency-Key": uuid.uuid4().hex} if key else None
    return _call(route[0]["function"], _event(method, path, body, headers=headers, claims=claims))


def fhir(method: str, path: str, body: Any = None, *, claims: dict[str, str] | None = None,
         key: bool = False) -> Answer:
    headers = {"host": FHIR_HOST, "content-type": "application/fhir+json"}
    if key:
        headers["idempotency-key"] = uuid.uuid4().hex
    return _call("fhir", _event(method, path, body, headers=headers, claims=claims))


def gorzdrav(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Answer:
    return _call("gorzdrav", _event(method, GZ + path, body, query=query))


def appointment_resource(slot_id: str) -> dict[str, Any]:
    return {"resourceType": "Appointment", "status": "proposed", "slot": [{"reference": f"Slot/{slot_id}"}],
            "participant": [{"actor": {"reference": f"Practitioner/{slot_id.split('.')[0]}"},
                             "status": "needs-action"}]}


def a_slot(index: int = 0) -> str:
    return free_slots("cl0101-d01", later_than=86400)[index]


# ---------------------------------------------------------------- one identity check, per face
# Each takes the patient as typed (a demo patient, perhaps with a wrong birth date) and asks the face once.
IdentityCheck = Callable[[dict[str, Any]], Answer]


def _identity(p: dict[str, Any]) -> dict[str, Any]:
    return {k: p[k] for k in ("lastName", "birthDate", "policyNumber", "policySeries") if p.get(k)}


def v1_hold(p: dict[str, Any]) -> Answer:
    return v1("POST", "/v1/holds", {"slotId": a_slot(), "patient": _identity(p)})


def v1_book(p: dict[str, Any]) -> Answer:
    return v1("POST", "/v1/appointments", {"slotId": a_slot(), "patient": patient_body(p)}, key=True)


def v1_search(p: dict[str, Any]) -> Answer:
    return v1("POST", "/v1/appointments/search", _identity(p))


def v1_attachment(p: dict[str, Any]) -> Answer:
    return v1("POST", "/v1/attachment/lookup", _identity(p))


def v1_waitlist(p: dict[str, Any]) -> Answer:
    from datetime import timedelta

    from shared.platform import clock

    today = clock.local_date(clock.now())
    return v1("POST", "/v1/waitlist", {"clinicId": "cl0101", "specialtyId": "ophthalmologist",
                                       "from": today.isoformat(), "to": (today + timedelta(days=5)).isoformat(),
                                       "patient": patient_body(p)})


def fhir_book(p: dict[str, Any]) -> Answer:
    return fhir("POST", "/fhir/Appointment/$book", parameters(appointment_resource=appointment_resource(a_slot()),
                                                              patient_resource=fhir_patient(p)), key=True)


def fhir_hold(p: dict[str, Any]) -> Answer:
    return fhir("POST", "/fhir/Appointment/$hold", parameters(appointment_resource=appointment_resource(a_slot()),
                                                              patient_resource=fhir_patient(p)))


def gorzdrav_oms(p: dict[str, Any]) -> Answer:
    return gorzdrav("GET", "/oms/attachment/lpus", query={"polisN": p["policyNumber"], "lastName": p["lastName"],
                                                          "birthdate": p["birthDate"]})


def gorzdrav_search(p: dict[str, Any]) -> Answer:
    return gorzdrav("GET", "/patient/search", query={"lpuId": GZ_LPU, "lastName": p["lastName"],
                                                     "firstName": p["firstName"],
                                                     "middleName": p.get("middleName") or "",
                                                     "birthdate": p["birthDate"]})


# Faces that check an identity typed with the policy: their failures count on one counter per policy.
BY_POLICY: dict[str, IdentityCheck] = {
    "v1 hold": v1_hold, "v1 book": v1_book, "v1 search": v1_search, "v1 attachment": v1_attachment,
    "v1 waitlist": v1_waitlist, "fhir $book": fhir_book, "fhir $hold": fhir_hold, "gorzdrav oms": gorzdrav_oms,
}
# Every face that checks a typed identity (gorzdrav's search counts per full name: no policy is typed there).
ALL_CHECKS: dict[str, IdentityCheck] = {**BY_POLICY, "gorzdrav search": gorzdrav_search}


def claims_mixed(victim: dict[str, Any], attacker: dict[str, Any]) -> dict[str, str]:
    """A token with the victim's policy and the attacker's name and birth date."""
    return dict(claims_of(attacker), oms_policy_number=victim["policyNumber"],
                **({"oms_policy_series": victim["policySeries"]} if victim.get("policySeries") else {}))
