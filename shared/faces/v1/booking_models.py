"""The booking function's models: holds, bookings and reschedules (the ticket itself: models.py)."""
from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from shared.faces.people import IdentityIn, Model, PatientIn, PolicyIn, optional_email
from shared.faces.v1.models import FamilyMemberId, ReferralNumber


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
    familyMemberId: FamilyMemberId = None
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
    familyMemberId: FamilyMemberId = None
    holdId: str | None = Field(default=None, max_length=140)
    reminders: bool = Field(default=True, description="Email reminders a day and 2 hours before (issue 14)")
    email: str | None = Field(default=None, max_length=254)

    _email = field_validator("email")(classmethod(lambda cls, v: optional_email(v)))


# ---------------------------------------------------------------- cancellation and history
class RescheduleRequest(PolicyIn):
    """Anonymous reschedule: the policy the appointment was booked with, and the new slot."""
    slotId: str = Field(min_length=1, max_length=80)
    holdId: str | None = Field(default=None, max_length=140)


class SignedInRescheduleRequest(Model):
    slotId: str = Field(min_length=1, max_length=80)
    holdId: str | None = Field(default=None, max_length=140)
