"""The waiting list's models: joining, entries, offers."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.faces.people import Model, PatientIn, SaneDate, optional_email
from shared.faces.v1.models import FamilyMemberId, ReferralNumber


# ---------------------------------------------------------------- waiting list (issue 15)
class WaitlistIn(Model):
    """What to wait for: a specialty (or one doctor) at a clinic, between two days."""

    clinicId: str = Field(min_length=2, max_length=24, pattern=r"^[a-z0-9]+$")
    specialtyId: str = Field(min_length=2, max_length=40, pattern=r"^[a-z][a-z_]*$")
    doctorId: str | None = Field(default=None, pattern=r"^[a-z0-9]{2,24}-d\d{1,4}$")
    from_: SaneDate = Field(alias="from")
    to: SaneDate
    referralNumber: ReferralNumber = None


class WaitlistJoinRequest(WaitlistIn):
    patient: PatientIn


class SignedInWaitlistJoinRequest(WaitlistIn):
    email: str | None = Field(default=None, max_length=254)
    familyMemberId: FamilyMemberId = None

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
