"""The request's time budget: the function's remaining time minus a margin.

An API handler starts the budget from the Lambda context (`shared.faces.v1.api` does it for every route). Before each
DynamoDB call `attempts()` says how many attempts still fit: two (botocore's retry) while the call's worst
case (`clients.CALL_WORST_SECONDS`: attempts, timeouts and backoff) fits, one while one attempt
(`clients.ATTEMPT_SECONDS`) fits; otherwise the answer is 503 `unavailable` with `Retry-After`, before
Lambda would end the invocation with a timeout. Outside a request (scripts, the sweeper, tests without a context)
there is no deadline.

| function | Timeout | budget | a DynamoDB call with >= 7 s left | >= 3 s left | less |
|---|---|---|---|---|---|
| lookup, booking, cancellation, history, registry | 10 s | 9 s | 2 attempts | 1 attempt | 503 |
"""
from __future__ import annotations

import time
from typing import Any

from shared.platform.clients import ATTEMPT_SECONDS, CALL_WORST_SECONDS
from shared.platform.errors import DomainError

MARGIN_SECONDS = 1.0
RETRY_AFTER_SECONDS = 1

_deadline: float | None = None


def start(context: Any) -> None:
    """Start the budget of this invocation from `context.get_remaining_time_in_millis()` (if it has one)."""
    global _deadline
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    _deadline = None
    if callable(remaining):
        try:
            left = float(remaining()) / 1000.0
        except (TypeError, ValueError):
            return
        _deadline = time.monotonic() + left - MARGIN_SECONDS


def clear() -> None:
    global _deadline
    _deadline = None


def remaining() -> float | None:
    """Seconds left before the deadline, or None when there is none."""
    return None if _deadline is None else _deadline - time.monotonic()


def attempts() -> int:
    """How many attempts the next DynamoDB call may make (2 or 1; 0: no deadline, the plain client's own);
    503 `unavailable` when not even one fits."""
    left = remaining()
    if left is None:
        return 0
    if left >= CALL_WORST_SECONDS:
        return 2
    if left >= ATTEMPT_SECONDS:
        return 1
    raise DomainError("unavailable", retry_after=RETRY_AFTER_SECONDS)
