"""The contract's request models: what is accepted, what is refused, and that refusals never quote the value."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from shared.faces.people import PatientIn, PolicyIn
from shared.faces.v1.booking_models import BookingRequest, HoldRequest, SignedInBookingRequest
from shared.faces.v1.history_models import SearchRequest
from shared.platform import clock

VALID: dict[str, Any] = {
    "lastName": "Фёдорова",
    "firstName": "Анна",
    "middleName": "Петровна",
    "birthDate": "1985-03-14",
    "policyNumber": "7800 0001 0100 0000",
    "email": "anna@example.org",
}


def patient(**changes: Any) -> PatientIn:
    data = {**VALID, **changes}
    return PatientIn(**{k: v for k, v in data.items() if v is not ...})


def test_valid_patient_is_normalised() -> None:
    p = patient(lastName="  Фёдорова ", policySeries=" еа-1 ", phone="+7 (812) 123-45-67")
    assert p.lastName == "Фёдорова"
    assert p.policyNumber == "7800000101000000"  # spaces and hyphens dropped
    assert p.policySeries == "ЕА1"  # upper case, no separators
    assert p.birthDate == date(1985, 3, 14)
    assert p.phone == "+7 (812) 123-45-67"


@pytest.mark.parametrize("name", ["O'Brien", "Салтыков-Щедрин", "Ёлкин", "de la Cruz"])
def test_names_with_apostrophes_hyphens_spaces_and_yo(name: str) -> None:
    assert patient(lastName=name).lastName == name


@pytest.mark.parametrize(
    "field,value",
    [
        ("lastName", ""),
        ("lastName", "Иванов1"),
        ("lastName", "<script>"),
        ("lastName", "-Иванов"),
        ("lastName", "И" * 65),
        ("firstName", "Анна!"),
        ("birthDate", "1899-12-31"),
        ("birthDate", (clock.local_date(clock.now()) + timedelta(days=1)).isoformat()),  # tomorrow in St. Petersburg
        ("birthDate", "14.03.1985"),
        ("policyNumber", "12345"),  # too short
        ("policyNumber", "1" * 17),  # too long
        ("policyNumber", "78000001010000AB"),
        ("policySeries", "ЕА!"),
        ("policySeries", "A" * 13),
        ("email", "anna.example.org"),
        ("email", "anna@example"),
        ("email", "an na@example.org"),
        ("phone", "call me"),
    ],
)
def test_invalid_patient_fields_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        patient(**{field: value})
    assert [e["loc"][0] for e in caught.value.errors()] == [field]


@pytest.mark.parametrize("missing", ["lastName", "firstName", "birthDate", "policyNumber", "email"])
def test_required_patient_fields(missing: str) -> None:
    with pytest.raises(ValidationError) as caught:
        patient(**{missing: ...})
    assert caught.value.errors()[0]["type"] == "missing"


def test_optional_patient_fields() -> None:
    p = patient(middleName="", policySeries="  ", phone="")
    assert p.middleName is None
    assert p.policySeries is None
    assert p.phone is None


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        patient(snils="123-456-789 00")
    with pytest.raises(ValidationError):
        HoldRequest(slotId="cl0101-d01.202611270500", extra=1)  # type: ignore[call-arg]


def test_booking_request() -> None:
    r = BookingRequest(slotId="cl0101-d01.202611270500", patient=VALID)  # type: ignore[arg-type]
    assert r.holdId is None
    assert r.patient.policyNumber == "7800000101000000"
    with pytest.raises(ValidationError):
        BookingRequest(slotId="", patient=VALID)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        BookingRequest(slotId="x" * 81, patient=VALID)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        BookingRequest(slotId="cl0101-d01.202611270500")  # type: ignore[call-arg]


def test_signed_in_booking_request_email_is_optional_but_checked() -> None:
    assert SignedInBookingRequest(slotId="cl0101-d01.202611270500").email is None
    assert SignedInBookingRequest(slotId="s", email="a@b.org").email == "a@b.org"
    with pytest.raises(ValidationError):
        SignedInBookingRequest(slotId="s", email="not an email")
    with pytest.raises(ValidationError):
        SignedInBookingRequest(slotId="s", patient=VALID)  # type: ignore[call-arg]


def test_policy_and_search_requests() -> None:
    assert PolicyIn(policyNumber="7800-0001-0100-0000").policyNumber == "7800000101000000"
    assert PolicyIn(policyNumber="00010102", policySeries="еа2").policySeries == "ЕА2"
    with pytest.raises(ValidationError):
        PolicyIn(policyNumber="abc")
    s = SearchRequest(policyNumber="7800000101000000", lastName="Морозов", birthDate="1978-06-02")  # type: ignore[arg-type]
    assert s.birthDate == date(1978, 6, 2)
    with pytest.raises(ValidationError):
        SearchRequest(policyNumber="7800000101000000", birthDate="1978-06-02")  # type: ignore[call-arg,arg-type]
    with pytest.raises(ValidationError):  # a name is letters, 1-60 characters
        SearchRequest(policyNumber="7800000101000000", lastName="x" * 61, birthDate="1978-06-02")  # type: ignore[arg-type]


def test_field_errors_never_quote_the_value() -> None:
    """pydantic quotes the input in its errors; shared.faces.v1.api passes on only `loc` and `type`."""
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

    from shared.faces.v1.api import _field_errors

    with pytest.raises(ValidationError) as caught:
        patient(policyNumber="78000001010000AB", email="secret-mail")
    exc = RequestValidationError([dict(e, loc=("body", "patient", *e["loc"])) for e in caught.value.errors()])
    fields = _field_errors(exc)
    assert {f["field"] for f in fields} == {"patient.policyNumber", "patient.email"}
    assert "78000001010000AB" not in repr(fields) and "secret-mail" not in repr(fields)
