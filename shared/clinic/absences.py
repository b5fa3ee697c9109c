"""A doctor's absence (issue 11): the days close, and the appointments booked on them are cancelled by the
clinic, each in its own transaction (appointment `cancelled` with `cancelledBy: "clinic"` and the reason,
slot closed, specialty lock released); the notifier emails each patient from the table's stream.

The absence is written first (in the clinic's partition, where the daily job reads it), then its days in
the open window are reconciled (shared/clinic/schedule.py). Sending it again resumes and changes nothing more: the
absence's totals grow by what each run did, and the answer gives the totals.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from shared.clinic import plans, schedule
from shared.domain import journal
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError
from shared.platform.items import Doctor
from shared.platform.observability import logger

REASONS = ("sick", "vacation", "training", "other")
MAX_DAYS = 366
KEEP_AFTER = 90 * 86400  # the absence item is tidied by TTL this long after its last day


def _days(first: date, last: date, today: date) -> list[date]:
    return [d for d in plans.window(today) if first <= d <= last]


def _check_request(first: date, last: date, reason: str) -> None:
    if reason not in REASONS:
        raise DomainError("validation_error", {"fields": [{"field": "reason", "problem": "enum"}]})
    if last < first or (last - first).days >= MAX_DAYS:
        raise DomainError("validation_error", {"fields": [{"field": "to", "problem": "range"}]})


def _doctor(clinic_id: str, doctor_id: str) -> Doctor:
    """The doctor's profile, when the doctor is the clinic's (404 otherwise)."""
    if keys.clinic_of_doctor(doctor_id) != clinic_id:
        raise DomainError("not_found")
    doctor = dal.doctor(doctor_id, consistent=True)
    if not doctor:
        raise DomainError("not_found")
    return doctor


def _recorded(item: dict[str, Any], also: dict[str, dict[str, Any]]) -> str:
    """Write the absence item with its journal entry (`also`, one transaction); the reason its days close with:
    the item's, or when it was sent before (nothing written, no entry), the reason first given (the
    appointments already say it), and the run resumes."""
    try:
        dal.transact({"absence": {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
                      **also})
    except dal.Cancelled as exists:
        if not exists.failed("absence"):
            raise DomainError("unavailable", retry_after=1) from None
        return str((exists.old("absence") or {}).get("reason") or item["reason"])
    return str(item["reason"])


def declare(clinic_id: str, doctor_id: str, first: date, last: date, reason: str,  # noqa: PLR0913 - the request's fields and who sends it
            dry_run: bool = False, actor: journal.Actor | None = None) -> dict[str, Any]:
    """Close the doctor's days `first`..`last`: {"closedSlots", "cancelledAppointments"} (totals). With a staff
    `actor`, the absence's write carries a journal entry (absence.record, the doctor) and so does each
    cancellation's transaction (with the appointment, and the patient's access item)."""
    _check_request(first, last, reason)
    doctor = _doctor(clinic_id, doctor_id)
    now = clock.now()
    days = _days(first, last, clock.local_date(now))
    if dry_run:
        preview = schedule.reconcile(doctor, days, {d.isoformat(): reason for d in days}, now, dry_run=True)
        return {"closedSlots": preview.closed, "cancelledAppointments": preview.cancelled, "dryRun": True}
    key = keys.key(keys.clinic_pk(clinic_id), keys.absence_sk(doctor_id, first.isoformat(), last.isoformat()))
    also = {} if actor is None else journal.operations(actor, clinic_id, journal.ABSENCE_RECORD, now,
                                                       doctor_id=doctor_id)
    reason = _recorded({"PK": key["PK"]["S"], "SK": key["SK"]["S"], "entity": "absence", "doctorId": doctor_id,
                        "from": first.isoformat(), "to": last.isoformat(), "reason": reason, "createdAt": now,
                        "closedSlots": 0, "cancelledAppointments": 0, "ttl": clock.day_end(last) + KEEP_AFTER},
                       also)
    counts = schedule.reconcile(doctor, days, {d.isoformat(): reason for d in days}, now, actor=actor)
    totals = dal.update(key, "ADD closedSlots :c, cancelledAppointments :m",
                        values={":c": counts.closed, ":m": counts.cancelled}, return_new=True) or {}
    logger.info("absence declared", extra={"doctorId": doctor_id, "days": len(days), "slotsClosed": counts.closed,
                                           "cancelledAppointments": counts.cancelled})
    return {"closedSlots": int(totals.get("closedSlots", 0)),
            "cancelledAppointments": int(totals.get("cancelledAppointments", 0))}
