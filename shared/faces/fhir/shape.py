"""The JSON types of the elements the FHIR face reads, checked once for a whole Parameters body (issue 25, 4).

FHIR JSON gives each element one JSON type: a string, number or boolean for primitives, an object for a
complex datatype or a resource, an array where the element repeats, and never null. An operation reads a
Parameters body by these types; a body that breaks them (a string where an Identifier is expected, an object
where a string is, a list where one value is, a null) is a 422 `validation_error` naming the element's path,
never a Python exception. Elements not listed here are not read, so they are not checked (FHIR's lenient
handling of what a server does not use). Paths in the answer name our elements only, never a key the
client chose (an unknown `value[x]` is `value[x]`).
"""
from __future__ import annotations

from typing import Any, NoReturn

from shared.faces import request_limits

STR, NUM, BOOL, OBJ = "string", "number", "boolean", "object"

# Primitive datatypes by the suffix of a choice element (value[x]): FHIR's JSON representation of each.
_PRIMITIVE = {
    **dict.fromkeys(("Base64Binary", "Canonical", "Code", "Date", "DateTime", "Id", "Instant", "Markdown", "Oid",
                     "String", "Time", "Uri", "Url", "Uuid"), STR),
    **dict.fromkeys(("Decimal", "Integer", "Integer64", "PositiveInt", "UnsignedInt"), NUM),
    "Boolean": BOOL,
}

# Complex datatypes and resources: element -> a JSON type, a datatype's name, or [one of those] for an array.
_COMMON = {"id": STR, "extension": ["Extension"], "modifierExtension": ["Extension"]}
_RESOURCE = {"resourceType": STR, "id": STR, "meta": OBJ, "text": OBJ, "contained": ["Resource"],
             "extension": ["Extension"], "modifierExtension": ["Extension"], "language": STR, "implicitRules": STR}
SPECS: dict[str, dict[str, Any]] = {
    "Extension": {**_COMMON, "url": STR},
    "Period": {**_COMMON, "start": STR, "end": STR},
    "Coding": {**_COMMON, "system": STR, "version": STR, "code": STR, "display": STR, "userSelected": BOOL},
    "CodeableConcept": {**_COMMON, "coding": ["Coding"], "text": STR},
    "Identifier": {**_COMMON, "use": STR, "type": "CodeableConcept", "system": STR, "value": STR,
                   "period": "Period", "assigner": "Reference"},
    "Reference": {**_COMMON, "reference": STR, "type": STR, "identifier": "Identifier", "display": STR},
    "HumanName": {**_COMMON, "use": STR, "text": STR, "family": STR, "given": [STR], "prefix": [STR],
                  "suffix": [STR], "period": "Period"},
    "ContactPoint": {**_COMMON, "system": STR, "value": STR, "use": STR, "rank": NUM, "period": "Period"},
    "ParametersParameter": {**_COMMON, "name": STR, "resource": "Resource", "part": ["ParametersParameter"]},
    "AppointmentParticipant": {**_COMMON, "type": ["CodeableConcept"], "actor": "Reference", "required": STR,
                               "status": STR, "period": "Period"},
    # Resources
    "Parameters": {**_RESOURCE, "parameter": ["ParametersParameter"]},
    "Patient": {**_RESOURCE, "identifier": ["Identifier"], "active": BOOL, "name": ["HumanName"],
                "telecom": ["ContactPoint"], "gender": STR, "birthDate": STR, "address": [OBJ]},
    "Appointment": {**_RESOURCE, "identifier": ["Identifier"], "status": STR, "serviceCategory": ["CodeableConcept"],
                    "serviceType": ["CodeableConcept"], "specialty": ["CodeableConcept"],
                    "appointmentType": "CodeableConcept", "reasonCode": ["CodeableConcept"], "priority": NUM,
                    "description": STR, "start": STR, "end": STR, "minutesDuration": NUM, "slot": ["Reference"],
                    "created": STR, "comment": STR, "basedOn": ["Reference"],
                    "participant": ["AppointmentParticipant"], "requestedPeriod": ["Period"]},
}
# Elements with a choice of types (value[x]): the type is the name's suffix.
_CHOICE = {"Extension", "ParametersParameter"}

_JSON_TYPES: dict[str, tuple[type, ...]] = {STR: (str,), NUM: (int, float), BOOL: (bool,), OBJ: (dict,)}


def _refuse(path: str) -> NoReturn:
    raise request_limits.invalid(path, "type")


def _of_type(value: Any, kind: str) -> bool:
    if kind == NUM and isinstance(value, bool):
        return False
    return isinstance(value, _JSON_TYPES[kind])


def _choice(name: str) -> str | None:
    """The type of a `value<Type>` element: a JSON type for primitives, the datatype's name (or OBJ) otherwise."""
    suffix = name[len("value"):]
    if not suffix[:1].isupper():
        return None
    return _PRIMITIVE.get(suffix) or (suffix if suffix in SPECS else OBJ)


def _check(value: Any, spec: Any, path: str) -> None:
    """`value` is of `spec`: [a spec] for an array, a JSON type, a datatype's or "Resource" for an object."""
    if isinstance(spec, list):
        _check_array(value, spec[0], path)
    elif spec in _JSON_TYPES:
        if not _of_type(value, spec):
            _refuse(path)
    else:
        _check_object(value, spec, path)


def _check_array(value: Any, item_spec: Any, path: str) -> None:
    if not isinstance(value, list):
        _refuse(path)
    for item in value:
        _check(item, item_spec, path)


def _object_spec(value: dict[str, Any], spec: str, path: str) -> tuple[str | None, dict[str, Any], str]:
    """(what the object is, its elements' specs, the path its elements hang from): a datatype as given; a
    resource by its resourceType (an unknown one by the elements every resource has, under the path given)."""
    if spec != "Resource":
        return spec, SPECS[spec], path
    kind = value.get("resourceType")
    if not isinstance(kind, str):
        _refuse(f"{path}.resourceType")
    if kind not in SPECS:
        return None, _RESOURCE, path
    return kind, SPECS[kind], kind


def _check_object(value: Any, spec: str, path: str) -> None:
    if not isinstance(value, dict):
        _refuse(path)
    known, elements, path = _object_spec(value, spec, path)
    for name, element in value.items():
        if name in elements:
            _check(element, elements[name], f"{path}.{name}")
        elif known in _CHOICE:
            _check_choice(name, element, path)


def _check_choice(name: str, element: Any, path: str) -> None:
    """A `value[x]` element of an Extension or a parameter, by its name's type suffix; other names are not read."""
    kind = _choice(name) if name.startswith("value") else None
    if kind is not None:
        _check(element, kind, f"{path}.{name if kind != OBJ else 'value[x]'}")


def check(parameters: dict[str, Any]) -> None:
    """Refuse (422 validation_error) a Parameters body whose read elements break their FHIR JSON types."""
    _check(parameters, "Resource", "Parameters")
