"""Pydantic models of the HTTP contract (docs/CONTRACT.md): what comes in and what goes out."""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from shared import request_limits

T = TypeVar("T")

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


# A date in the years every face accepts (shared/request_limits.py, DATE_MIN..DATE_MAX): a 422 `out_of_range`
# otherwise, before any date arithmetic. Every date a request carries is one (bodies and query parameters).
SaneDate = Annotated[date, AfterValidator(_sane_date)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Items(BaseModel, Generic[T]):
    items: list[T]


# ---------------------------------------------------------------- lookup
class District(BaseModel):
    id: str
    name: str


class ClinicSummary(BaseModel):
    id: str
    name: str
    address: str
    phone: str
    districtId: str


class Clinic(ClinicSummary):
    districtName: str
    workingHours: str


class Specialty(BaseModel):
    id: str
    name: str
    referralRequired: bool
    freeSlots: int
    nearestSlot: str | None = Field(description="Start of the nearest free slot, ISO 8601 with offset")
    ageMin: int | None = Field(default=None, description="Youngest age (whole years on the day) the specialty sees")
    ageMax: int | None = Field(default=None, description="Oldest age (whole years on the day) the specialty sees")


class Doctor(BaseModel):
    id: str
    name: str
    specialtyId: str
    specialty: str
    room: str
    freeSlots: int
    nearestSlot: str | None


class Slot(BaseModel):
    id: str
    start: str
    end: str
    room: str


class BookingWindow(BaseModel):
    """The booking window (docs/CONTRACT.md, rule 6): today and the next 13 days, the clinic's local dates."""

    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="First day (the clinic's today), YYYY-MM-DD")
    to: date = Field(description="Last day (today + 13), YYYY-MM-DD")


class DoctorSlots(Items[Slot]):
    """A doctor's free slots and the booking window's days, which the page's calendar shows."""

    window: BookingWindow


# ---------------------------------------------------------------- booking
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


# A referral (issue 15) for a referral-only specialty, in holds and bookings.
ReferralNumber = Annotated[str | None, Field(pattern=r"^\d{12}$",
                                             description="A referral's number (12 digits), for a referral-only "
                                                         "specialty")]


def _optional_email(value: str | None) -> str | None:
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
        if value.year < 1900 or value > date.today():
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


class HoldRequest(Model):
    """An anonymous hold names its patient: the register is checked before the form."""
    slotId: str = Field(min_length=1, max_length=80)
    referralNumber: ReferralNumber = None
    patient: IdentityIn
    rescheduleOf: str | None = Field(default=None, min_length=1, max_length=64,
                                     description="The patient's appointment this hold is to move (a reschedule): "
                                                 "its specialty does not stop the hold")


class SignedInHoldRequest(Model):
    slotId: str = Field(min_length=1, max_length=80)
    referralNumber: ReferralNumber = None
    rescheduleOf: str | None = Field(default=None, min_length=1, max_length=64,
                                     description="The patient's appointment this hold is to move (a reschedule): "
                                                 "its specialty does not stop the hold")


class Hold(BaseModel):
    holdId: str
    slotId: str
    expiresAt: str


class BookingRequest(Model):
    slotId: str = Field(min_length=1, max_length=80)
    referralNumber: ReferralNumber = None
    holdId: str | None = Field(default=None, max_length=140)
    patient: PatientIn
    reminders: bool = Field(default=True, description="Email reminders a day and 2 hours before (issue 14)")


class SignedInBookingRequest(Model):
    slotId: str = Field(min_length=1, max_length=80)
    referralNumber: ReferralNumber = None
    holdId: str | None = Field(default=None, max_length=140)
    reminders: bool = Field(default=True, description="Email reminders a day and 2 hours before (issue 14)")
    email: str | None = Field(default=None, max_length=254)

    _email = field_validator("email")(classmethod(lambda cls, v: _optional_email(v)))


class TicketClinic(BaseModel):
    id: str
    name: str
    address: str
    phone: str


class TicketDoctor(BaseModel):
    id: str
    name: str
    specialty: str
    specialtyId: str


class TicketPatient(BaseModel):
    lastName: str
    firstName: str
    middleName: str | None = None


class Cancellation(BaseModel):
    hint: str
    url: str
    recommendedBefore: str


class Appointment(BaseModel):
    """The ticket (талон)."""

    id: str
    number: str
    status: Literal["booked", "cancelled", "fulfilled", "noshow", "rescheduled"]
    start: str
    end: str
    clinic: TicketClinic
    doctor: TicketDoctor
    room: str
    patient: TicketPatient
    ticketUrl: str | None = Field(default=None, description="The ticket page with its capability token "
                                                            "(GET /v1/appointments/{id}?t=... reads it)")
    cancellation: Cancellation
    createdAt: str
    cancelledAt: str | None = None
    cancelledBy: Literal["patient", "registry", "clinic"] | None = None
    cancelReason: Literal["sick", "vacation", "training", "other"] | None = Field(
        default=None, description="Why the clinic cancelled (cancelledBy = clinic)")
    rescheduledFrom: str | None = Field(default=None, description="The appointment this one replaced")
    rescheduledTo: str | None = Field(default=None, description="The appointment that replaced this one")
    referralNumber: str | None = Field(default=None, description="The referral this appointment uses (issue 15)")


class AppointmentOut(BaseModel):
    appointment: Appointment


# ---------------------------------------------------------------- cancellation and history
class PolicyIn(Model):
    policyNumber: str
    policySeries: str | None = None

    _number = field_validator("policyNumber")(classmethod(lambda cls, v: _policy_number(v)))
    _series = field_validator("policySeries")(classmethod(lambda cls, v: _policy_series(v)))


class RescheduleRequest(PolicyIn):
    """Anonymous reschedule: the policy the appointment was booked with, and the new slot."""
    slotId: str = Field(min_length=1, max_length=80)
    holdId: str | None = Field(default=None, max_length=140)


class SignedInRescheduleRequest(Model):
    slotId: str = Field(min_length=1, max_length=80)
    holdId: str | None = Field(default=None, max_length=140)




class SearchRequest(IdentityIn):
    """The policy with its holder's last name and birth date: any mismatch answers like an unknown policy."""


class AttachmentLookupRequest(IdentityIn):
    """The policy with its holder's last name and birth date: any mismatch answers like an unknown policy."""


class CancellationOut(BaseModel):
    appointment: Appointment
    lateCancellation: bool = Field(description="True when less than 24 hours remained before the appointment")
    notice: str | None = None


class RemindersOffIn(Model):
    token: str = Field(min_length=16, max_length=64, description="The token from the reminder email's link")


class RemindersOff(BaseModel):
    appointmentId: str
    reminders: bool


class HistoryPage(BaseModel):
    items: list[Appointment]
    nextToken: str | None = None


# ---------------------------------------------------------------- addresses and attachment
class AddressStreet(BaseModel):
    name: str = Field(description="The street as the register names it, e.g. ул. Садовая")
    districtId: str
    districtName: str


class AddressClinics(BaseModel):
    """Either the clinics serving the house (`street` set, `items` filled) or, when several streets fit what
    was typed, the `candidates` to choose from: ask again with the chosen `name` and its `districtId`."""

    street: AddressStreet | None
    house: str = Field(description="The house as understood: 5, 5к2, 5 лит. А")
    items: list[Clinic]
    candidates: list[AddressStreet]


class AttachmentOut(BaseModel):
    clinic: ClinicSummary
    attachedSince: date


class MyAttachmentOut(AttachmentOut):
    reason: Literal["initial", "choice", "relocation"]
    changeByChoiceAllowedFrom: date = Field(description="First day a change of polyclinic by choice is allowed "
                                                        "(today when it is allowed now)")
    changeByChoiceAllowedNow: bool


class RegistryPatientIn(PersonIn):
    """The patient whose attachment registry staff change (no email: nothing is sent)."""


class AttachmentChangeRequest(Model):
    """A change of polyclinic, registered by the staff of the new clinic."""

    patient: RegistryPatientIn
    clinicId: str = Field(min_length=2, max_length=24, pattern=r"^[a-z0-9]+$")
    reason: Literal["choice", "relocation"]


class AttachmentChange(BaseModel):
    clinicId: str
    previousClinicId: str | None
    reason: Literal["choice", "relocation"]
    attachedSince: date
    changeByChoiceAllowedFrom: date


class AttachmentChangeOut(BaseModel):
    attachment: AttachmentChange


# ---------------------------------------------------------------- referrals (issue 15)
class ReferralIssueRequest(Model):
    """A referral issued by the staff of the clinic the patient is attached to."""

    patient: RegistryPatientIn
    specialtyId: str = Field(min_length=2, max_length=40, pattern=r"^[a-z]+$")
    targetClinicId: str = Field(min_length=2, max_length=24, pattern=r"^[a-z0-9]+$")
    validUntil: SaneDate


class ReferralLookupRequest(Model):
    number: str = Field(min_length=1, max_length=20)
    lastName: str = Field(min_length=1, max_length=NAME_MAX)


class ReferralClinic(BaseModel):
    id: str
    name: str
    address: str


class Referral(BaseModel):
    number: str
    status: Literal["issued", "used", "expired"]
    specialtyId: str
    specialty: str
    targetClinic: ReferralClinic
    validUntil: date
    appointmentId: str | None = None


class ReferralOut(BaseModel):
    referral: Referral


# ---------------------------------------------------------------- waiting list (issue 15)
class WaitlistIn(Model):
    """What to wait for: a specialty (or one doctor) at a clinic, between two days."""

    clinicId: str = Field(min_length=2, max_length=24, pattern=r"^[a-z0-9]+$")
    specialtyId: str = Field(min_length=2, max_length=40, pattern=r"^[a-z]+$")
    doctorId: str | None = Field(default=None, pattern=r"^[a-z0-9]{2,24}-d\d{1,4}$")
    from_: SaneDate = Field(alias="from")
    to: SaneDate
    referralNumber: ReferralNumber = None


class WaitlistJoinRequest(WaitlistIn):
    patient: PatientIn


class SignedInWaitlistJoinRequest(WaitlistIn):
    email: str | None = Field(default=None, max_length=254)

    _email = field_validator("email")(classmethod(lambda cls, v: _optional_email(v)))


class WaitOffer(BaseModel):
    slotId: str
    start: str
    end: str
    doctorName: str
    room: str
    expiresAt: str = Field(description="The slot is held for the patient until then (15 minutes)")


class WaitEntry(BaseModel):
    id: str
    status: Literal["waiting", "offered", "booked", "cancelled", "lapsed", "expired"]
    clinicId: str
    clinicName: str
    specialtyId: str
    specialty: str
    doctorId: str | None = None
    doctorName: str | None = None
    from_: date = Field(alias="from")
    to: date
    createdAt: str
    offer: WaitOffer | None = None
    appointmentId: str | None = None

    model_config = ConfigDict(populate_by_name=True)


class WaitEntryOut(BaseModel):
    entry: WaitEntry


class OfferAcceptIn(Model):
    token: str = Field(min_length=1, max_length=64)
