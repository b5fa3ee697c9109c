"""Resending a dead-lettered email (`infra/redrive.py` reads the queue and calls `resend`)."""
from __future__ import annotations

from shared.notify.delivery import DUPLICATE, MARKERS, SKIPPED, deliver
from shared.notify.messages import TICKET
from shared.platform import clock, dal, keys, statuses
from shared.platform.observability import logger


def resend(appointment_id: str, kind: str) -> str:
    """Send a dead-lettered email from the appointment as it is now. Raises RetryLater when it still fails;
    an email that no longer makes sense (appointment started, ticket of a cancelled one) is skipped."""
    if kind not in MARKERS or not keys.valid_appointment_id(appointment_id):
        logger.warning("unknown dead letter", extra={"kind": kind})
        return SKIPPED
    appt = dal.appointment(appointment_id, consistent=True)
    if not appt:
        return SKIPPED
    if appt.get(MARKERS[kind].sent):
        return DUPLICATE
    stale = int(appt["start"]) <= clock.now()
    wrong_state = appt.get("status") != (statuses.BOOKED if kind == TICKET else statuses.CANCELLED)
    if stale or wrong_state:
        logger.info("dead letter no longer needed", extra={"appointmentId": appointment_id, "kind": kind,
                                                            "started": stale})
        return SKIPPED
    return deliver(dict(appt), kind, dead_letter_on_failure=False)
