"""Notifier function: ticket and cancellation emails from the table's stream (SES v2, raw MIME + .ics).

The event source mapping (template.yaml) lets only appointment changes through its FilterCriteria, retries
with bisect and reports partial failures; shared.notify.delivery sends each email at most once and
dead-letters what still fails after its retries.
"""
from __future__ import annotations

from aws_lambda_powertools.utilities.batch import EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.notify import delivery
from shared.platform.observability import logger
from shared.platform.stream_batch import LoudBatchProcessor

# A batch whose every record failed is still answered with batchItemFailures rather than raised: an SES outage
# is routine (retried, then dead-lettered) and must not count as a function error; crashes and timeouts still
# are errors, and those are what the event source mapping's bisect is for.
processor = LoudBatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def record_handler(record: DynamoDBRecord, lambda_context: LambdaContext | None = None) -> str:
    remaining = lambda_context.get_remaining_time_in_millis if lambda_context else None
    return delivery.handle_record(record.raw_event, remaining_ms=remaining)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                         context=context))
