"""Offers function (issue 15): from the table's stream, a slot that became free is offered to the earliest
patient waiting for it (shared/booking/waitlist.py). The event source mapping (template.yaml) lets only slots that
are free through; a record that fails is retried, then dead-lettered (an offer is a conditional write, so a
replay offers nothing twice)."""
from __future__ import annotations

from aws_lambda_powertools.utilities.batch import EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.booking import waitlist
from shared.platform.observability import logger
from shared.platform.stream_batch import LoudBatchProcessor

processor = LoudBatchProcessor(event_type=EventType.DynamoDBStreams)
_waiting: set[tuple[str, str]] = set()  # the current batch's queues with someone waiting


def record_handler(record: DynamoDBRecord) -> str:
    return waitlist.handle_record(record.raw_event, _waiting)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    _waiting.clear()
    _waiting.update(waitlist.waiting_queues(event.get("Records") or []))
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                         context=context))
