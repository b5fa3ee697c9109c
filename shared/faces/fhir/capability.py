"""The CapabilityStatement of each base: exactly what the face answers, generated from the same tables the
searches use, so it cannot drift from them."""
from __future__ import annotations

from typing import Any

from shared.faces.fhir import codes
from shared.faces.fhir.search import COMMON_PARAMS, SEARCH_PARAMS

RELEASED = "2026-12-02"

_OPERATIONS = {
    "find": "Proposed appointments (free slots) of a practitioner (`practitioner`/`provider`), or of a "
            "`specialty` at an `organization`/`location`, between `start` and `end`; GET or POST.",
    "hold": "Hold the slot of a proposed appointment (`appointment-resource`/`appt-resource`) for a few minutes; "
            "answers the pending Appointment (its id is the hold, its extension hold-expires the end).",
    "book": "Book (`appointment-resource`/`appt-resource` naming a Slot, or `appointment-reference`/`appt-id` "
            "naming a held Appointment). Requires the Idempotency-Key header.",
    "cancel": "Cancel an appointment (instance operation, POST [base]/Appointment/[id]/$cancel).",
}


def _resource(resource_type: str) -> dict[str, Any]:
    params = {**SEARCH_PARAMS[resource_type], **COMMON_PARAMS}
    return {
        "type": resource_type,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [{"name": n, "type": t, "documentation": doc} for n, (t, doc) in params.items()],
    }


def _operation(name: str) -> dict[str, Any]:
    return {"name": name, "definition": f"{codes.OPERATION_BASE}/Appointment-{name}",
            "documentation": _OPERATIONS[name]}


def capability_statement(base: str, signed_in: bool) -> dict[str, Any]:
    appointment: dict[str, Any] = {
        "type": "Appointment",
        "operation": [_operation(n) for n in ("find", "hold", "book", "cancel")],
    }
    if signed_in:
        appointment["interaction"] = [{"code": "read"}]
        appointment["documentation"] = "Only the signed-in patient's own appointments can be read or cancelled."
        patient = "The patient is the bearer token's (the claims of /v1/me/*)."
        security: dict[str, Any] = {
            "cors": True,
            "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                     "code": "OAuth", "display": "OAuth"}]}],
            "description": "Every request needs a bearer token (OIDC: Cognito or a Gosuslugi/ESIA bridge).",
        }
    else:
        appointment["documentation"] = "No read here: a patient reads their appointments on the /fhir/me base."
        patient = (f"$hold and $book take an inline Patient (`patient-resource` or `patient`, or contained in the "
                   f"Appointment): name.family, name.given (first name, patronymic), birthDate, identifier "
                   f"{codes.OMS_POLICY_SYSTEM} (and {codes.OMS_SERIES_SYSTEM} for an old policy), telecom email. "
                   f"$cancel takes the same identifier.")
        security = {"cors": True, "description": "No sign-in: a patient proves who they are with the inline "
                                                 "Patient, checked against the attachment register."}
    resources = [_resource(t) for t in SEARCH_PARAMS]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASED,
        "publisher": "Zapis k vrachu",
        "kind": "instance",
        "software": {"name": "zapis-k-vrachu FHIR face"},
        "implementation": {"description": "Scheduling at St. Petersburg's public polyclinics"
                                          + (" (signed-in patients)" if signed_in else ""), "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": f"{patient} Errors are OperationOutcomes with our error code in details.coding "
                             f"({codes.ERROR_SYSTEM}). Idempotency-Key is required on $book.",
            "security": security,
            "resource": [*resources, appointment],
        }],
    }
