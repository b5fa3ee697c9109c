"""The stream functions' batch processor (offers, notifier): a record that fails is said loudly.

Powertools' BatchProcessor reports a failed record to the event source mapping (retried, then dead-lettered)
but logs it only at debug level, so a function failing on every record of a kind looked healthy. Here each
failure is an error line naming the exception's type and the record's sequence number (never its data: an
exception's text may quote an item), and the function's Errors and IteratorAge alarms (template.yaml) watch
the rest.
"""
from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor
from aws_lambda_powertools.utilities.batch.exceptions import ExceptionInfo

from shared.platform.observability import logger


class LoudBatchProcessor(BatchProcessor):
    def failure_handler(self, record: Any, exception: ExceptionInfo) -> Any:
        kind = exception[0].__name__ if exception[0] else "unknown"
        raw = getattr(record, "raw_event", None) or (record if isinstance(record, dict) else {})
        logger.error("stream record failed", extra={
            "error": kind, "eventName": raw.get("eventName"),
            "sequenceNumber": (raw.get("dynamodb") or {}).get("SequenceNumber")})
        return super().failure_handler(record, exception)
