"""Sweeper function: on an EventBridge schedule (every minute), frees slots whose hold has expired."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.booking import sweeper
from shared.platform import clock
from shared.platform.observability import logger, metrics


@metrics().log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    # The clock, not the event's `time`: a retried or late delivery must not judge expiry by a stale minute.
    return asdict(sweeper.sweep(clock.now()))
