"""Schedule function: the daily job that opens the day entering the booking window (issue 11).

EventBridge Scheduler calls it at `DayOpensAt` (Europe/Moscow): it lists the clinics and sends one message per
clinic to the queue (OPENER_QUEUE_URL). Each message comes back to this function as an SQS record: one
clinic's unit (shared/schedule.open_days), idempotent and resumable; a unit that fails is reported as a
batch item failure, received again, and after five receives kept in the dead-letter queue. Without a queue
(the local stack, `make invoke`) the scheduled event runs every clinic's unit in turn.
"""
from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalogue import lookup
from shared.clinic import schedule
from shared.platform import clock
from shared.platform.config import settings
from shared.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return _units(event["Records"])
    # The clock, not the event's `time`: a late or retried run opens what is due now (and catches up).
    now = clock.now()
    clinics = lookup.all_clinic_ids()
    queue = settings().opener_queue_url
    if queue:
        schedule.queue_units(queue, clinics, clock.local_date(now).isoformat())
        logger.info("daily job fanned out", extra={"clinics": len(clinics)})
        return {"clinics": len(clinics), "queued": len(clinics)}
    totals = {"clinics": len(clinics), "doctors": 0, "created": 0, "closed": 0, "cancelled": 0}
    for clinic_id in clinics:
        for k, v in schedule.open_days(clinic_id, now).items():
            totals[k] += v
    return totals


def _units(records: list[dict[str, Any]]) -> dict[str, Any]:
    failures = []
    now = clock.now()
    for record in records:
        try:
            clinic_id = json.loads(record["body"])["clinicId"]
            schedule.open_days(str(clinic_id), now)
        except Exception as exc:  # noqa: BLE001 - this unit is retried by SQS, the others go on
            logger.error("clinic unit failed", extra={"messageId": record.get("messageId"),
                                                      "exception": type(exc).__name__})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}

