"""The appointment's transitions (issue 27): every write of an appointment's status is built here and nowhere
else, as one transaction entry a transaction composes by role or `dal.apply` writes alone.

    (new) -book-> booked -cancel-> cancelled
                  booked -move-> rescheduled        (the new appointment is booked in the same transaction)
                  booked -attend-> fulfilled | noshow   (after the start, by the clinic's staff)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.platform import keys
from shared.platform.statuses import BOOKED, CANCELLED, RESCHEDULED

Op = dict[str, Any]
NAMES = {"#st": "status", "#start": "start"}


def book(item: Mapping[str, Any]) -> Op:
    """A new appointment (booking, the new one of a move): only where none is."""
    return {"Put": {"Item": dict(item), "ConditionExpression": "attribute_not_exists(PK)"}}


@dataclass(frozen=True)
class Cancellation:
    """Who cancels and why: the patient (`by` = "patient") or the clinic (an absence, with its reason)."""

    by: str = "patient"
    reason: str | None = None
    request_id: str = ""


def cancel(appointment_id: str, patient_pk: str, now: int, how: Cancellation) -> Op:
    """booked -> cancelled, before the start, only the patient's own (PatPK); the Reminders index forgets it."""
    values = {":cancelled": CANCELLED, ":booked": BOOKED, ":now": now, ":by": how.by, ":pat": patient_pk,
              ":rid": how.request_id}
    update = "SET #st = :cancelled, cancelledAt = :now, cancelledBy = :by, cancelRequest = :rid"
    if how.reason:
        update += ", cancelReason = :reason"
        values[":reason"] = how.reason
    return {"Update": {
        "Key": keys.appointment_key(appointment_id),
        "UpdateExpression": update + " REMOVE RemPK, RemSK, reminderStage",
        "ConditionExpression": "#st = :booked AND #start > :now AND PatPK = :pat",
        "ExpressionAttributeNames": NAMES,
        "ExpressionAttributeValues": values,
    }}


def move(appointment_id: str, new_id: str, patient_pk: str, now: int) -> Op:
    """booked -> rescheduled (pointing at `new_id`), before the start, only the patient's own."""
    return {"Update": {
        "Key": keys.appointment_key(appointment_id),
        "UpdateExpression": "SET #st = :rescheduled, rescheduledTo = :new, rescheduledAt = :now "
                            "REMOVE RemPK, RemSK, reminderStage",
        "ConditionExpression": "#st = :booked AND #start > :now AND PatPK = :pat",
        "ExpressionAttributeNames": NAMES,
        "ExpressionAttributeValues": {":rescheduled": RESCHEDULED, ":new": new_id, ":now": now,
                                      ":booked": BOOKED, ":pat": patient_pk},
    }}


def attend(appointment_id: str, mark: str, *, clinic_id: str, by: str, now: int) -> Op:
    """booked -> fulfilled | noshow (`mark`), after the start, by staff of the appointment's clinic."""
    return {"Update": {
        "Key": keys.appointment_key(appointment_id),
        "UpdateExpression": "SET #st = :mark, attendanceAt = :now, attendanceBy = :by",
        "ConditionExpression": "#st = :booked AND #start <= :now AND clinicId = :clinic",
        "ExpressionAttributeNames": NAMES,
        "ExpressionAttributeValues": {":mark": mark, ":now": now, ":booked": BOOKED, ":by": by,
                                      ":clinic": clinic_id},
    }}
