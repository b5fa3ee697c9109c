"""Reminder function: on an EventBridge schedule (every 5 minutes), claims the reminders now due; the
stream-driven notifier sends each email once (shared/booking/reminders.py)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.booking import reminders
from shared.platform import clock
from shared.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    # The clock, not the event's `time`: a late delivery must not judge what is due by a stale minute.
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return asdict(reminders.run(clock.now(), remaining_ms=remaining))
