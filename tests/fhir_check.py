"""Validation of what the FHIR face answers with the R4 models of `fhir.resources`.

fhir.resources 8 ships R5 (default), R4B and STU3; R4B is R4 for every resource the face returns (the
R4 -> R4B changes touch none of them), so its models check our R4 (fhirVersion 4.0.1) resources.
"""
from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """`resource` as sent, after its model (and every resource inside a Bundle) accepted it."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry") or []:
        if "resource" in entry:
            valid(entry["resource"])
    return resource


def outcome_code(body: dict[str, Any]) -> tuple[str, str]:
    """(FHIR issue type, our error code) of an OperationOutcome, after validating it."""
    valid(body)
    assert body["resourceType"] == "OperationOutcome"
    issue = body["issue"][0]
    (coding,) = issue["details"]["coding"]
    assert coding["system"] == "https://zapis.example.org/fhir/CodeSystem/error"
    return issue["code"], coding["code"]


OMS = "https://zapis.example.org/fhir/sid/oms-policy"
OMS_SERIES = "https://zapis.example.org/fhir/sid/oms-policy-series"


def fhir_patient(p: dict[str, Any]) -> dict[str, Any]:
    """A demo patient (infra/demo/patients.json) as the inline FHIR Patient an integrator sends."""
    identifiers = [{"system": OMS, "value": p["policyNumber"]}]
    if p.get("policySeries"):
        identifiers.append({"system": OMS_SERIES, "value": p["policySeries"]})
    return {"resourceType": "Patient", "identifier": identifiers,
            "name": [{"use": "official", "family": p["lastName"],
                      "given": [g for g in (p["firstName"], p.get("middleName")) if g]}],
            "birthDate": p["birthDate"], "telecom": [{"system": "email", "value": p["email"]}]}


def parameters(**named: Any) -> dict[str, Any]:
    """A Parameters resource: resources as `resource`, dicts with `reference` as valueReference, the rest as
    valueString (names with `_` become `-`)."""
    out = []
    for name, value in named.items():
        p: dict[str, Any] = {"name": name.replace("_", "-")}
        if isinstance(value, dict) and "resourceType" in value:
            p["resource"] = value
        elif isinstance(value, dict) and "reference" in value:
            p["valueReference"] = value
        else:
            p["valueString"] = str(value)
        out.append(p)
    return valid({"resourceType": "Parameters", "parameter": out})
