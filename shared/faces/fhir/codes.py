"""Systems, ids and mappings of the FHIR face, each written once (docs/fhir.md).

Our ids are the FHIR ids, except that FHIR ids allow no `_`: an id of ours containing `_` (appointment and
hold ids are URL-safe random text) appears in FHIR with `.` in its place. Appointment ids never contain a
`.`; a hold id is `<slot id>.<random>`, whose first two dots are its own, so both map back without doubt.
"""
from __future__ import annotations

import re

# Our namespace for code and identifier systems: stable, independent of where a deployment runs.
NS = "https://zapis.example.org/fhir"
ERROR_SYSTEM = f"{NS}/CodeSystem/error"            # our contract's error codes (docs/CONTRACT.md)
SPECIALTY_SYSTEM = f"{NS}/CodeSystem/specialty"    # therapist, surgeon, ... (the ids of /v1)
CLINIC_SYSTEM = f"{NS}/sid/clinic"                 # cl0101: a polyclinic
DOCTOR_SYSTEM = f"{NS}/sid/doctor"                 # cl0101-d01: a doctor
TICKET_SYSTEM = f"{NS}/sid/ticket-number"          # 03-0840: the ticket (талон) number, unique per clinic and day
OMS_POLICY_SYSTEM = f"{NS}/sid/oms-policy"         # the OMS policy number (16 digits, or the old number)
OMS_SERIES_SYSTEM = f"{NS}/sid/oms-policy-series"  # the series of an old-style policy, where it has one
HOLD_EXPIRES_URL = f"{NS}/StructureDefinition/hold-expires"
OPERATION_BASE = f"{NS}/OperationDefinition"

# Our slot status -> FHIR Slot.status (an expired hold is free: shared.domain.slots.is_free decides).
SLOT_STATUS = {"free": "free", "held": "busy-tentative", "booked": "busy"}
# Our appointment status -> FHIR Appointment.status. We have no "rescheduled": a move is a cancellation
# and a new booking, so FHIR sees `cancelled` and a new `booked` appointment.
# Every status of ours (shared/platform/statuses.py): a moved appointment is a cancelled one whose reason says so
# (FHIR R4
# has no "rescheduled"; the new one is another Appointment).
APPOINTMENT_STATUS = {"booked": "booked", "cancelled": "cancelled", "fulfilled": "fulfilled", "noshow": "noshow",
                      "rescheduled": "cancelled"}

# Our error code -> FHIR issue type (OperationOutcome.issue.code); the HTTP status stays our API's.
ISSUE_CODE = {
    "validation_error": "invalid",
    "payload_too_large": "too-long",
    "unsupported_media_type": "not-supported",
    "idempotency_key_required": "invalid",
    "idempotency_key_reused": "invalid",
    "not_found": "not-found",
    "address_not_found": "not-found",
    "attachment_not_found": "not-found",
    "slot_unavailable": "conflict",
    "hold_expired": "conflict",
    "hold_mismatch": "conflict",
    "already_cancelled": "conflict",
    "already_booked_specialty": "business-rule",
    "not_attached": "business-rule",
    "referral_required": "business-rule",
    "age_restricted": "business-rule",
    "outside_booking_window": "business-rule",
    "appointment_started": "business-rule",
    "attachment_change_too_soon": "business-rule",
    "already_attached": "business-rule",
    "patient_not_found": "security",
    "unauthorized": "security",
    "rate_limited": "throttled",
    "unavailable": "throttled",
}

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def fhir_id(our_id: str) -> str:
    return our_id.replace("_", ".")


def appointment_id(fhir: str) -> str:
    """Our appointment id from its FHIR id (appointment ids never contain a dot)."""
    return fhir.replace(".", "_")


def hold_id(fhir: str) -> str:
    """Our hold id from its FHIR id: `<doctor>.<stamp>.` stays, the random part gets its `_` back."""
    parts = fhir.split(".", 2)
    if len(parts) < 3:
        return fhir
    return f"{parts[0]}.{parts[1]}.{parts[2].replace('.', '_')}"


def valid_fhir_id(value: str) -> bool:
    return bool(_FHIR_ID.match(value))


def service_id(clinic_id: str, specialty_id: str) -> str:
    """HealthcareService id: a specialty at a clinic."""
    return f"{clinic_id}.{specialty_id}"


def parse_service_id(value: str) -> tuple[str, str] | None:
    clinic, _, specialty = value.partition(".")
    return (clinic, specialty) if clinic and specialty else None
