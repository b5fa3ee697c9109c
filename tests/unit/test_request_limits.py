"""The input rules of every face (shared/faces/request_limits.py) and the FHIR face's JSON types
(shared/faces/fhir/shape.py),
without a handler: one implementation, a face choosing only its media types and depth."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from shared.faces import request_limits
from shared.faces.fhir import shape
from shared.faces.request_limits import FHIR, GORZDRAV, V1
from shared.platform.errors import DomainError


def refusal(call: Any) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as caught:
        call()
    fields = (caught.value.detail or {}).get("fields") or [{}]
    return caught.value.code, fields[0].get("problem")


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_the_same_limits_for_every_face() -> None:
    for rules in (V1, GORZDRAV, FHIR):
        assert refusal(lambda r=rules: request_limits.parse("x" * 9000, False, None, r)) == ("payload_too_large", None)
        assert refusal(lambda r=rules: request_limits.parse(nested(1000), False, None, r)) == \
            ("validation_error", "too_deep")
        assert refusal(lambda r=rules: request_limits.parse('{"a": ' + "9" * 400 + "}", False, None, r)) == \
            ("validation_error", "number_too_large")
        assert refusal(lambda r=rules: request_limits.parse('{"a": NaN}', False, None, r)) == \
            ("validation_error", "json_invalid")
        assert refusal(lambda r=rules: request_limits.parse("{}", False, "text/plain", r)) == \
            ("unsupported_media_type", None)
        assert request_limits.parse('{"a": [1, 2.5]}', False, "application/json; charset=utf-8", rules) == \
            {"a": [1, 2.5]}
        assert request_limits.parse("", False, None, rules) is None


def test_a_face_chooses_its_depth_and_media_types() -> None:
    deep = nested(request_limits.FHIR_MAX_DEPTH)
    assert request_limits.parse(deep, False, "application/fhir+json", FHIR) is not None
    assert refusal(lambda: request_limits.parse(deep, False, None, V1)) == ("validation_error", "too_deep")
    assert refusal(lambda: request_limits.parse(nested(request_limits.FHIR_MAX_DEPTH + 1), False, None, FHIR)) == \
        ("validation_error", "too_deep")
    assert refusal(lambda: request_limits.parse("{}", False, "application/fhir+json", V1))[0] == \
        "unsupported_media_type"
    for media in ("text/json", "application/json-patch+json", "application/*+json"):
        assert request_limits.parse("{}", False, media, GORZDRAV) == {}


def test_the_size_limit_alone() -> None:
    request_limits.check_size(None, False)
    request_limits.check_size("not json at all", False)
    assert refusal(lambda: request_limits.check_size("x" * 9000, False)) == ("payload_too_large", None)


def test_dates_outside_the_years_every_face_accepts() -> None:
    for inside in (date(1900, 1, 1), date(2026, 12, 7), date(2100, 12, 31), datetime(2100, 12, 31, 23, 59)):
        request_limits.checked_date(inside, "start")
    for outside in (date(1, 1, 1), date(1899, 12, 31), date(2101, 1, 1), date(9999, 12, 31),
                    datetime(9999, 12, 31, 23, 59)):
        assert not request_limits.date_in_range(outside)
        assert refusal(lambda d=outside: request_limits.checked_date(d, "start")) == \
            ("validation_error", "out_of_range")


PATIENT = {"resourceType": "Patient", "identifier": [{"system": "s", "value": "1"}],
           "name": [{"family": "F", "given": ["G", "M"]}], "birthDate": "1980-01-01",
           "telecom": [{"system": "email", "value": "a@b.cd"}]}
PARAMETERS = {"resourceType": "Parameters", "parameter": [
    {"name": "patient-resource", "resource": PATIENT},
    {"name": "identifier", "valueIdentifier": {"system": "s", "value": "1"}},
    {"name": "practitioner", "valueReference": {"reference": "Practitioner/x"}},
    {"name": "_count", "valueInteger": 3}, {"name": "start", "valueDate": "2026-01-01"},
    {"name": "specialty", "valueCodeableConcept": {"coding": [{"code": "therapist"}]}},
    {"name": "x", "valueQuantity": {"value": 1.5}, "part": [{"name": "y", "valueString": "z"}]},
]}


def broken(path: list[Any], value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(PARAMETERS))
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def test_fhir_parameters_of_the_right_types_pass() -> None:
    shape.check(PARAMETERS)
    # Elements the face does not read are not checked; nor are resources it does not know.
    shape.check(broken(["parameter", 0, "resource", "maritalStatus"], 7))
    shape.check(broken(["parameter", 0, "resource"], {"resourceType": "Basic", "code": 7}))


@pytest.mark.parametrize(("path", "value", "field"), [
    (["parameter"], {"name": "x"}, "Parameters.parameter"),
    (["parameter", 1, "valueIdentifier"], "7800000101000000", "Parameters.parameter.valueIdentifier"),
    (["parameter", 1, "valueIdentifier", "value"], ["1"], "Parameters.parameter.valueIdentifier.value"),
    (["parameter", 2, "valueReference", "reference"], {"a": 1}, "Parameters.parameter.valueReference.reference"),
    (["parameter", 3, "valueInteger"], "3", "Parameters.parameter.valueInteger"),
    (["parameter", 3, "valueInteger"], True, "Parameters.parameter.valueInteger"),
    (["parameter", 4, "valueDate"], None, "Parameters.parameter.valueDate"),
    (["parameter", 5, "valueCodeableConcept", "coding"], {"code": "x"},
     "Parameters.parameter.valueCodeableConcept.coding"),
    (["parameter", 6, "valueQuantity"], "1.5", "Parameters.parameter.value[x]"),
    (["parameter", 6, "part", 0, "name"], 7, "Parameters.parameter.part.name"),
    (["parameter", 0, "name"], None, "Parameters.parameter.name"),
    (["parameter", 0, "resource"], "Patient", "Parameters.parameter.resource"),
    (["parameter", 0, "resource", "resourceType"], 7, "Parameters.parameter.resource.resourceType"),
    (["parameter", 0, "resource", "identifier"], {"system": "s"}, "Patient.identifier"),
    (["parameter", 0, "resource", "name", 0, "given"], "G", "Patient.name.given"),
    (["parameter", 0, "resource", "name", 0, "given", 1], 7, "Patient.name.given"),
    (["parameter", 0, "resource", "name", 0, "family"], ["F"], "Patient.name.family"),
    (["parameter", 0, "resource", "birthDate"], 19800101, "Patient.birthDate"),
    (["parameter", 0, "resource", "telecom", 0], "a@b.cd", "Patient.telecom"),
])
def test_fhir_parameters_of_a_wrong_type_are_a_validation_error(path: list[Any], value: Any, field: str) -> None:
    with pytest.raises(DomainError) as caught:
        shape.check(broken(path, value))
    assert caught.value.code == "validation_error"
    assert caught.value.detail == {"fields": [{"field": field, "problem": "type"}]}
