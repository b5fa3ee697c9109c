"""The lookup function's models: districts, clinics, specialties, doctors, free slots, addresses, attachment."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.faces.people import IdentityIn
from shared.faces.v1.models import Items


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
    kind: Literal["adult", "children", "both"] = Field(
        default="both", description="Whom the clinic attaches: adults, children (a children's polyclinic) or both")


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


class AttachmentLookupRequest(IdentityIn):
    """The policy with its holder's last name and birth date: any mismatch answers like an unknown policy."""


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
