"""Pydantic models of the HTTP contract (docs/CONTRACT.md): what comes in and what goes out."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.faces.people import NAME_MAX, IdentityIn, Model, PatientIn, PersonIn, PolicyIn, SaneDate, optional_email

T = TypeVar("T")

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
# A referral (issue 15) for a referral-only specialty, in holds and bookings.
ReferralNumber = Annotated[str | None, Field(pattern=r"^\d{12}$",
                                             description="A referral's number (12 digits), for a referral-only "
                                                         "specialty")]


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

    _email = field_validator("email")(classmethod(lambda cls, v: optional_email(v)))


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

    _email = field_validator("email")(classmethod(lambda cls, v: optional_email(v)))


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
