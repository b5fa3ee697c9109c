"""The stored items' shapes (TypedDicts: types for mypy, no runtime cost). `shared/platform/keys.py` builds their keys;
DESIGN.md says which access pattern each serves. Items read back from DynamoDB carry exactly these fields
(numbers come back as int)."""
from __future__ import annotations

from typing import NotRequired, TypedDict


class Slot(TypedDict):
    PK: str
    SK: str
    entity: str
    slotId: str
    doctorId: str
    clinicId: str
    specialtyId: str
    start: int
    end: int
    status: str  # statuses.FREE / HELD / BOOKED
    room: NotRequired[str]
    bookings: NotRequired[int]
    holdId: NotRequired[str]
    holdExpiresAt: NotRequired[int]
    appointmentId: NotRequired[str]
    AvPK: NotRequired[str]
    AvSK: NotRequired[str]
    HoldPK: NotRequired[str]
    HoldSK: NotRequired[str]


class PatientFields(TypedDict):
    """Who the patient is and where their emails go, as an appointment and a waiting-list entry keep them."""

    lastName: str
    firstName: str
    middleName: str | None
    birthDate: str
    email: str
    phone: str | None
    lang: str
    # A parent acting for a child (issue 29): the parent's names ({lastName, firstName, middleName?}) and policy hash.
    bookedBy: NotRequired[dict[str, str]]
    representedBy: NotRequired[str]


class Appointment(PatientFields):
    PK: str
    SK: str
    entity: str
    id: str
    number: str
    status: str  # statuses.BOOKED / CANCELLED / FULFILLED / NOSHOW
    slotId: str
    doctorId: str
    clinicId: str
    specialtyId: str
    start: int
    end: int
    room: str
    clinicName: str
    clinicNameEn: str | None
    clinicAddress: str
    clinicAddressEn: str | None
    clinicPhone: str
    doctorName: str
    doctorNameEn: str | None
    specialty: str
    specialtyEn: str | None
    createdAt: int
    ttl: int
    PatPK: str
    PatSK: str
    # The reception's day list (ClinicDay index, shared/clinic/daylist.py).
    DayPK: str
    DaySK: str
    # Reminders (shared/booking/reminders.py): the patient's choice, the opt-out token, the next one's index keys.
    reminders: NotRequired[bool]
    reminderToken: NotRequired[str]
    RemPK: NotRequired[str]
    RemSK: NotRequired[str]
    reminderStage: NotRequired[int]
    remindedStage: NotRequired[int]
    remindedAt: NotRequired[int]
    referralNumber: NotRequired[str]
    # Moving (shared/booking/reschedule.py): the calendar event keeps its UID, the new one names the old.
    rescheduledFrom: NotRequired[str]
    rescheduledTo: NotRequired[str]
    rescheduledAt: NotRequired[int]
    calendarUid: NotRequired[str]
    calendarSequence: NotRequired[int]
    cancelledAt: NotRequired[int]
    cancelledBy: NotRequired[str]
    cancelRequest: NotRequired[str]
    attendanceAt: NotRequired[int]
    attendanceBy: NotRequired[str]
    # The notifier's exactly-once markers (shared/notify/delivery.py) are named per kind and stage
    # (`ticketEmailSentAt`, `reminder1440EmailLease`, ...): not listed here.


class ReminderFields(TypedDict, total=False):
    """An appointment's Reminders index keys for its next reminder (shared/reminders.index_values)."""
    RemPK: str
    RemSK: str
    reminderStage: int


class RegisterEntry(TypedDict):
    """`POLICY#<hash>/ATTACHMENT`: the clinic a policy is attached to."""
    PK: str
    SK: str
    entity: str
    clinicId: str
    attachedSince: str
    identityHash: str
    version: NotRequired[int]
    representatives: NotRequired[list[str]]  # a child's legal representatives' policy hashes (issue 29)
    reason: NotRequired[str]
    previousClinicId: NotRequired[str | None]
    changedAt: NotRequired[int]
    lastChoiceChangeAt: NotRequired[str]
    choiceAllowedFrom: NotRequired[str]


class SpecialtyLock(TypedDict):
    PK: str
    SK: str
    entity: str
    appointmentId: str
    start: int
    ttl: int


class IdempotencyRecord(TypedDict):
    PK: str
    SK: str
    entity: str
    fingerprint: str
    statusCode: int
    appointmentId: str
    response: str
    ttl: int


class Hold(TypedDict):
    """A hold as the API returns it (the hold itself lives on the slot: holdId, holdExpiresAt)."""
    holdId: str
    slotId: str
    expiresAt: str


class Doctor(TypedDict):
    """A doctor's profile (DOCTOR#<id> / #PROFILE)."""

    PK: str
    SK: str
    entity: str
    id: str
    clinicId: str
    specialtyId: str
    specialty: str
    specialtyEn: NotRequired[str | None]
    name: str
    nameEn: NotRequired[str | None]
    room: NotRequired[str]
    seq: NotRequired[int]
    referralRequired: NotRequired[bool]


class Clinic(TypedDict):
    """A clinic's profile (CLINIC#<id> / #PROFILE)."""

    PK: str
    SK: str
    entity: str
    id: str
    name: str
    nameEn: NotRequired[str | None]
    address: str
    addressEn: NotRequired[str | None]
    phone: str
    districtId: NotRequired[str]


class WaitEntry(PatientFields):
    """A waiting-list entry (`WAIT#<clinicId>#<specialtyId>` / `<joined ns>#<random>`, shared/booking/waitlist.py)."""

    PK: str
    SK: str
    entity: str
    id: str
    status: str  # waiting / offered / booked / cancelled / lapsed
    clinicId: str
    clinicName: str
    clinicNameEn: str | None
    specialtyId: str
    specialty: str
    specialtyEn: str | None
    fromDay: str
    toDay: str
    fromTs: int
    toTs: int
    createdAt: int
    PatPK: str
    policyHash: str
    identityHash: str
    ttl: int
    doctorId: NotRequired[str]
    doctorName: NotRequired[str | None]
    doctorNameEn: NotRequired[str | None]
    referralNumber: NotRequired[str]
    appointmentId: NotRequired[str]
    offerSlotId: NotRequired[str]
    offerHoldId: NotRequired[str]
    offerExpiresAt: NotRequired[int]
    offerStart: NotRequired[int]
    offerEnd: NotRequired[int]
    offerDoctorId: NotRequired[str]
    offerDoctorName: NotRequired[str | None]
    offerDoctorNameEn: NotRequired[str | None]
    offerRoom: NotRequired[str]
    offeredAt: NotRequired[int]
