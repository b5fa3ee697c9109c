"""Histories, the anonymous search, cancellations, reminders off, referrals as a patient sees them."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from shared.faces.people import NAME_MAX, IdentityIn, Model
from shared.faces.v1.models import Appointment


class SearchRequest(IdentityIn):
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


class AccessEntry(BaseModel):
    """A clinic role's access to the appointment (issue 28): who (the role, never a person), what and when."""

    at: str = Field(description="Local ISO time (the last such access of that day)")
    role: Literal["receptionist", "head", "city"]
    action: Literal["daylist.read", "attendance.mark", "absence.record", "plan.publish", "referral.issue",
                    "attachment.change", "representatives.change", "journal.read"]


class HistoryAppointment(Appointment):
    access: list[AccessEntry] = Field(default_factory=list,
                                      description="Which clinic role read or changed this appointment and when, "
                                                  "newest first (signed-in history only)")


class HistoryPage(BaseModel):
    items: list[HistoryAppointment]
    nextToken: str | None = None


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
