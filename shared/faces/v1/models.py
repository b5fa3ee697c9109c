"""Pydantic models of the HTTP contract (docs/CONTRACT.md): what comes in and what goes out."""
from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

class Items(BaseModel, Generic[T]):
    items: list[T]


# ---------------------------------------------------------------- booking
# A referral (issue 15) for a referral-only specialty, in holds and bookings.
ReferralNumber = Annotated[str | None, Field(pattern=r"^\d{12}$",
                                             description="A referral's number (12 digits), for a referral-only "
                                                         "specialty")]


# Who a signed-in request acts for (issue 29): an id from GET /v1/me/family; absent (or one's own id): oneself.
FamilyMemberId = Annotated[str | None, Field(min_length=1, max_length=64,
                                             description="A family member's id (GET /v1/me/family): a child the "
                                                         "signed-in parent represents; absent: oneself")]


class FamilyMember(BaseModel):
    id: str = Field(description="Opaque (never a policy number or its hash); pass it as familyMemberId")
    lastName: str
    firstName: str
    middleName: str | None = None
    birthDate: str
    relation: Literal["self", "child"]


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


class TicketBookedBy(BaseModel):
    """Who booked the appointment when it is not the patient: a legal representative (issue 29)."""

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
    bookedBy: TicketBookedBy | None = Field(default=None, description="A parent who booked for their child "
                                                                       "(issue 29); absent otherwise")


class AppointmentOut(BaseModel):
    appointment: Appointment
