"""Who a patient is, as every face takes it: the identity and contact inputs /v1 and FHIR validate alike
(gorzdrav's wire names differ, its rules do not). shared/faces/auth.py turns them into the core's Caller."""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from shared.faces import request_limits
from shared.platform import clock

_POLICY_NUMBER = re.compile(r"^\d{6,16}$")
_POLICY_SERIES = re.compile(r"^[0-9A-ZА-ЯЁ]{1,12}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# Letters (Cyrillic, Latin), space, hyphen, apostrophe, dot; 1-60 characters (issue 12: no free text).
_NAME = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .\-]{0,59}$")
NAME_MAX = 60
_PHONE = re.compile(r"^\+?[\d ()\-]{6,20}$")


def _sane_date(value: date) -> date:
    if not request_limits.date_in_range(value):
        raise PydanticCustomError("out_of_range", "the date is outside the years every face accepts")
    return value


# A date in the years every face accepts (shared/faces/request_limits.py, DATE_MIN..DATE_MAX): a 422 `out_of_range`
# otherwise, before any date arithmetic. Every date a request carries is one (bodies and query parameters).
SaneDate = Annotated[date, AfterValidator(_sane_date)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _policy_number(value: str) -> str:
    value = re.sub(r"[\s\-]", "", value)
    if not _POLICY_NUMBER.match(value):
        raise ValueError("policy number must be 6 to 16 digits")
    return value


def _policy_series(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"[\s\-]", "", value).upper()
    if not value:
        return None
    if not _POLICY_SERIES.match(value):
        raise ValueError("policy series must be letters and digits")
    return value


def optional_email(value: str | None) -> str | None:
    """An email where one may be given (signed-in requests: the token's address otherwise)."""
    if value is not None and not _EMAIL.match(value):
        raise ValueError("email address is not valid")
    return value


class PersonIn(Model):
    """Who a patient is, as the register knows them: names, birth date, OMS policy."""

    lastName: str = Field(min_length=1, max_length=NAME_MAX)
    firstName: str = Field(min_length=1, max_length=NAME_MAX)
    middleName: str | None = Field(default=None, max_length=NAME_MAX)
    birthDate: date
    policyNumber: str
    policySeries: str | None = None

    @field_validator("lastName", "firstName", "middleName")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not _NAME.match(value):
            raise ValueError("a name has letters, spaces, hyphens, apostrophes and dots only")
        return value

    @field_validator("birthDate")
    @classmethod
    def _birth(cls, value: date) -> date:
        # "Today" is the clinics' (Europe/Moscow), not the server's: a child born after midnight in St. Petersburg
        # is registered while it is still yesterday in UTC.
        if value.year < 1900 or value > clock.local_date(clock.now()):
            raise ValueError("birth date must be in the past")
        return value

    _number = field_validator("policyNumber")(classmethod(lambda cls, v: _policy_number(v)))
    _series = field_validator("policySeries")(classmethod(lambda cls, v: _policy_series(v)))


class PatientIn(PersonIn):
    """A patient booking anonymously: who they are, and where the ticket goes."""

    email: str = Field(max_length=254)
    phone: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError("email address is not valid")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not _PHONE.match(value):
            raise ValueError("phone number is not valid")
        return value or None


class IdentityIn(Model):
    """Who a patient is, as the register checks it: last name, birth date, OMS policy (issue 12)."""

    lastName: str = Field(min_length=1, max_length=NAME_MAX)
    birthDate: SaneDate
    policyNumber: str
    policySeries: str | None = None

    _last = field_validator("lastName")(classmethod(lambda cls, v: PersonIn._name(v)))
    _number = field_validator("policyNumber")(classmethod(lambda cls, v: _policy_number(v)))
    _series = field_validator("policySeries")(classmethod(lambda cls, v: _policy_series(v)))


class PolicyIn(Model):
    policyNumber: str
    policySeries: str | None = None

    _number = field_validator("policyNumber")(classmethod(lambda cls, v: _policy_number(v)))
    _series = field_validator("policySeries")(classmethod(lambda cls, v: _policy_series(v)))
