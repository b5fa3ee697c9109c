"""Emails to one address per day, capped (issue 12): nobody can mail a stranger through us in bulk.

One counter per address (hashed: `EMAILCAP#<sha256>/<local day>`) and day, counted by a conditional
UpdateItem that succeeds only below EMAILS_PER_ADDRESS_PER_DAY; TTL tidies it. Past the cap the booking
stands (it was committed before the stream saw it), the email is skipped and the metric
`EmailsSkippedByCap` counts it. The address is never logged.
"""
from __future__ import annotations

from shared import clock, dal, keys
from shared.config import settings
from shared.observability import logger, metrics

METRIC = "EmailsSkippedByCap"


def allow(address: str) -> bool:
    """Count one email to `address` today; False when the day's cap is reached (nothing counted)."""
    now = clock.now()
    day = clock.local_date(now).isoformat()
    try:
        dal.update(keys.email_cap_key(address, day), "ADD #sent :one SET #ttl = :ttl",
                   condition="attribute_not_exists(#sent) OR #sent < :max",
                   values={":one": 1, ":max": settings().emails_per_address_per_day, ":ttl": now + 2 * 86400},
                   names={"#sent": "sent", "#ttl": "ttl"})
    except dal.ConditionFailed:
        from aws_lambda_powertools.metrics import MetricUnit

        logger.warning("email skipped: daily cap of the address reached")
        metrics().add_metric(name=METRIC, unit=MetricUnit.Count, value=1)
        return False
    return True
