"""Resend the emails parked in the notifier's dead-letter queue (`make redrive`).

    python -m infra.redrive [--queue-url URL] [--max-messages N] [--dry-run]

Queue: --queue-url, else NOTIFIER_DLQ_URL (stack output NotifierDeadLetterQueueUrl). Also needs what the
notifier has: TABLE_NAME, SENDER_EMAIL, REPLY_TO_EMAIL, SES_CONFIGURATION_SET, PUBLIC_BASE_URL, CLINIC_TIMEZONE,
and credentials allowed by the stack's NotifierRedrivePolicy. With neither, the running local stack's queue
and the notifier's environment there (`make run`'s state file, infra/local/state.py); with no stack either,
it says so and exits 2.

The queue holds two kinds of message:
- the notifier's own, `{"source": "notifier", "appointmentId", "kind", "reason"}`, put after its retries;
  the email is rebuilt from the appointment as it is now;
- Lambda's on-failure record for the stream (`DDBStreamBatchInfo`: shard and sequence numbers only), left when
  the notifier itself could not finish (crash, timeout, SQS down). Its records are read back from the stream
  by sequence number (the stream keeps 24 h), and each appointment change in them is resent the same way.

Each email goes through the same claim/mark as the notifier (shared.notify.delivery), so a redrive never sends
what was already sent, and running it twice is harmless. A message is deleted only when every email it names
is sent, found already sent, or no longer needed (the appointment has started, or a ticket's appointment was
cancelled); otherwise it stays in the queue, visible again for the next run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from typing import Any

VISIBILITY_SECONDS = 120


def jobs_of(body: dict[str, Any], streams: Any = None) -> list[tuple[str, str]]:
    """(appointment id, kind) of every email a dead-letter message stands for."""
    if body.get("appointmentId") and body.get("kind"):
        return [(str(body["appointmentId"]), str(body["kind"]))]
    info = body.get("DDBStreamBatchInfo")
    if info:
        return [(appt["id"], kind) for kind, appt in stream_changes(info, streams)]
    raise ValueError("unknown dead-letter message")


def stream_changes(info: dict[str, Any], streams: Any = None) -> list[tuple[str, dict[str, Any]]]:
    """The email-worthy changes among the stream records info's sequence numbers span."""
    from shared.notify import delivery

    if streams is None:
        import boto3

        endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODBSTREAMS") or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
        streams = boto3.client("dynamodbstreams", endpoint_url=endpoint) if endpoint else \
            boto3.client("dynamodbstreams")
    last = int(info["endSequenceNumber"])
    iterator = streams.get_shard_iterator(StreamArn=info["streamArn"], ShardId=info["shardId"],
                                          ShardIteratorType="AT_SEQUENCE_NUMBER",
                                          SequenceNumber=info["startSequenceNumber"])["ShardIterator"]
    found: list[tuple[str, dict[str, Any]]] = []
    while iterator:
        response = streams.get_records(ShardIterator=iterator, Limit=1000)
        records = response.get("Records", [])
        for raw in records:
            if int(raw["dynamodb"]["SequenceNumber"]) > last:
                return found
            change = delivery.classify(raw)
            if change:
                found.append(change)
        if not records:
            return found  # caught up with an open shard
        iterator = response.get("NextShardIterator")
    return found


def _resend_all(jobs: list[tuple[str, str]], counts: Counter[str]) -> bool:
    """Resend each email a message stands for, counting the outcomes; True when none still fails."""
    from shared.notify import delivery
    from shared.notify.redrive import resend

    ok = True
    for appointment_id, kind in jobs:
        try:
            outcome = resend(appointment_id, kind)
        except delivery.RetryLater as later:
            outcome, ok = "failed", False
            print(f"{kind} of appointment {appointment_id}: still failing ({later.code})")
        counts[outcome] += 1
    return ok


def _handle(message: dict[str, Any], streams: Any, dry_run: bool, counts: Counter[str]) -> bool:
    """One dead-letter message: True when it is done with (to delete), False to leave it in the queue."""
    try:
        jobs = jobs_of(json.loads(message["Body"]), streams)
    except Exception as exc:  # noqa: BLE001 - leave it for a person; say only what kind of problem
        print(f"message {message['MessageId']}: unreadable ({type(exc).__name__}), left in the queue")
        counts["unreadable"] += 1
        return False
    if dry_run:
        for appointment_id, kind in jobs:
            print(f"would resend {kind} of appointment {appointment_id}")
        counts["would-resend"] += len(jobs)
        return False
    return _resend_all(jobs, counts)


def redrive(queue_url: str, *, sqs: Any = None, streams: Any = None, max_messages: int = 1000,
            dry_run: bool = False) -> Counter[str]:
    """Resend what the queue holds; returns counts by outcome (sent, duplicate, skipped, failed, ...)."""
    if sqs is None:
        import boto3

        sqs = boto3.client("sqs")
    counts: Counter[str] = Counter()
    kept: list[str] = []
    seen = 0
    while seen < max_messages:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    VisibilityTimeout=VISIBILITY_SECONDS).get("Messages", [])
        if not batch:
            break
        for message in batch:
            seen += 1
            if _handle(message, streams, dry_run, counts):
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            else:
                kept.append(message["ReceiptHandle"])
    # What is left stays hidden while this run goes on (no message is tried twice in one run), then is made
    # visible at once, so the next run need not wait for the visibility timeout.
    for handle in kept:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    return counts


def _local_queue() -> str | None:
    """The running local stack's dead-letter queue, with the notifier's environment there set in this process."""
    from infra.invoke import running_stack

    stack = running_stack("make redrive")
    if stack is None:
        return None
    from infra.local.server import environment_of

    os.environ.update(environment_of("notifier", stack))
    return os.environ.get("NOTIFIER_DLQ_URL") or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.redrive", description=__doc__.splitlines()[0])
    parser.add_argument("--queue-url", default=os.environ.get("NOTIFIER_DLQ_URL"),
                        help="the dead-letter queue (default: $NOTIFIER_DLQ_URL)")
    parser.add_argument("--max-messages", type=int, default=1000)
    parser.add_argument("--dry-run", action="store_true", help="list what would be resent, change nothing")
    args = parser.parse_args(argv)
    if not args.queue_url:
        args.queue_url = _local_queue()
    if not args.queue_url:
        print("make redrive: and no queue named either (QUEUE_URL=..., STACK=... or NOTIFIER_DLQ_URL)",
              file=sys.stderr)
        return 2
    counts = redrive(args.queue_url, max_messages=args.max_messages, dry_run=args.dry_run)
    print("redrive: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "queue empty"))
    return 1 if counts["failed"] or counts["unreadable"] else 0


if __name__ == "__main__":
    sys.exit(main())
