"""Pydantic models of the clinic side's routes (issue 11): doctors and plans, absences, the day list,
attendance."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.faces.people import Model, PersonIn, PolicyIn, SaneDate

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"


class PlanEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    weekday: int = Field(ge=1, le=7, description="1 = Monday ... 7 = Sunday")
    from_: str = Field(alias="from", pattern=_HHMM, description="local time HH:MM")
    to: str = Field(pattern=_HHMM, description="local time HH:MM")


class DoctorIn(Model):
    name: str = Field(min_length=3, max_length=120)
    nameEn: str | None = Field(default=None, max_length=120)
    specialtyId: str = Field(pattern=r"^[a-z][a-z_]{1,31}$")
    room: str = Field(min_length=1, max_length=16)
    slotMinutes: int = Field(ge=5, le=120)
    plan: list[PlanEntry] = Field(max_length=28)
    validFrom: SaneDate | None = None


class Conflict(BaseModel):
    appointmentId: str | None
    slotId: str
    start: str


class DoctorPlan(BaseModel):
    id: str
    clinicId: str
    name: str
    nameEn: str | None = None
    specialtyId: str
    specialty: str | None = None
    room: str
    slotMinutes: int | None = None
    plan: list[PlanEntry]
    validFrom: str | None = None
    version: int


class DoctorOut(BaseModel):
    doctor: DoctorPlan
    slotsCreated: int
    slotsClosed: int
    conflicts: list[Conflict]


class AbsenceIn(Model):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: SaneDate = Field(alias="from")
    to: SaneDate
    reason: Literal["sick", "vacation", "training", "other"]
    dryRun: bool = Field(default=False, description="count what the absence would close and cancel; write nothing")


class AbsenceOut(BaseModel):
    closedSlots: int
    cancelledAppointments: int
    dryRun: bool = False


class DayPatient(BaseModel):
    lastName: str
    firstName: str
    middleName: str | None = None
    birthDate: str
    age: int | None = Field(default=None, description="Whole years on the appointment's day (issue 29)")


class DayAppointment(BaseModel):
    id: str
    number: str
    start: str
    end: str
    doctorId: str
    doctorName: str
    room: str
    # Every status an appointment can have (shared/platform/statuses.py): a moved one stays on its old day as
    # `rescheduled` (its new time is on the list of its new day).
    status: Literal["booked", "cancelled", "fulfilled", "noshow", "rescheduled"]
    patient: DayPatient


class DayList(BaseModel):
    items: list[DayAppointment]


class AttendanceIn(Model):
    status: Literal["fulfilled", "noshow"]


class AttendanceMark(BaseModel):
    id: str
    status: Literal["fulfilled", "noshow"]
    start: str
    doctorId: str
    number: str


class AttendanceOut(BaseModel):
    appointment: AttendanceMark


class RegistryPatientIn(PersonIn):
    """The patient whose attachment registry staff change (no email: nothing is sent)."""


class AttachmentChangeRequest(Model):
    """A change of polyclinic, registered by the staff of the new clinic."""

    patient: RegistryPatientIn
    clinicId: str = Field(min_length=2, max_length=24, pattern=r"^[a-z0-9]+$")
    reason: Literal["choice", "relocation"]
    representatives: list[PolicyIn] | None = Field(
        default=None, max_length=4, description="A child's legal representatives (issue 29), each on the register: "
                                                "replace the current ones; absent: kept")


class RepresentativesRequest(Model):
    """A child's legal representatives, replaced by the registry of the child's clinic (issue 29)."""

    patient: RegistryPatientIn
    representatives: list[PolicyIn] = Field(max_length=4, description="Each on the register; empty: none")


class RepresentativesOut(BaseModel):
    representatives: int = Field(description="How many the child has now")


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
    specialtyId: str = Field(min_length=2, max_length=40, pattern=r"^[a-z][a-z_]*$")
    targetClinicId: str = Field(min_length=2, max_length=24, pattern=r"^[a-z0-9]+$")
    validUntil: SaneDate


class JournalEntry(BaseModel):
    """Who among the clinic's staff read or changed what (issue 28): the token's subject, never a name."""

    at: str = Field(description="Local ISO time")
    actor: str = Field(description="The staff token's subject (sub)")
    role: Literal["receptionist", "head", "city"]
    action: Literal["daylist.read", "attendance.mark", "absence.record", "plan.publish", "referral.issue",
                    "attachment.change", "representatives.change", "journal.read"]
    appointmentIds: list[str] | None = None
    doctorId: str | None = None
    count: int | None = None


class Journal(BaseModel):
    items: list[JournalEntry]
