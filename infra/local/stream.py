"""The table's stream, delivered locally as Lambda's DynamoDB event source mapping delivers it.

    run(table="zapis-local", deliver=callback, stop=threading.Event())   # blocks until `stop` is set

reads DynamoDB Local's stream (the dynamodbstreams API, served at the DynamoDB endpoint:
AWS_ENDPOINT_URL_DYNAMODBSTREAMS, else AWS_ENDPOINT_URL_DYNAMODB), and for the function whose template events
include the table's stream (NotifierFunction) applies what template.yaml declares for it:

- FilterCriteria: each Filter's Pattern is parsed and matched EventBridge-style (the subset Lambda documents
  for event filtering: exact values, nested objects, `exists`, `prefix`, `anything-but`, `numeric`);
  records matching no pattern are dropped, as Lambda drops them;
- BatchSize and StartingPosition; each batch is `{"Records": [...]}` in Lambda's record shape (eventName,
  dynamodb.Keys/NewImage/OldImage/SequenceNumber, eventSourceARN ...);
- FunctionResponseTypes ReportBatchItemFailures: the next try starts at the lowest failed sequence number;
- BisectBatchOnFunctionError: a batch whose invocation raised is retried in halves;
- MaximumRetryAttempts: then the batch is dead-lettered as Lambda's on-failure destination does: a
  `{"requestContext", "responseContext", "DDBStreamBatchInfo": {shardId, start/endSequenceNumber, ...}}`
  message, put to NOTIFIER_DLQ_URL (moto's SQS in the local stack, see infra/local/outbox.py) when set; the
  last DEAD_LETTERS_KEPT of them are kept in `StreamPoller.dead_letters` either way.
  When the dead-letter queue fails too, the batch stays at the head of its shard (nothing is lost or
  skipped) and only the dead-letter put is retried, with exponential backoff up to MAX_BACKOFF seconds;
  the function is not invoked again for it. Memory stays bounded: a shard buffers at most one read.

`deliver(event) -> response` is the function invocation (the local server runs the notifier's handler);
an exception it raises counts as a function error (its `error_type`, when it has one, names what the function
raised). Each failure is one console line that names the function and where its log is (console.where).
"""
from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infra import template
from infra.local import console

Deliver = Callable[[dict[str, Any]], Any]
MAX_BACKOFF = 60.0
DEAD_LETTERS_KEPT = 100


# ---------------------------------------------------------------- the template's event source mapping
@dataclass(frozen=True)
class Mapping:
    function: str
    batch_size: int = 100
    starting_position: str = "LATEST"
    maximum_retry_attempts: int = -1
    bisect: bool = False
    report_item_failures: bool = False
    patterns: tuple[dict[str, Any], ...] = ()


def _mapping(function: str, p: dict[str, Any]) -> Mapping:
    """A DynamoDB event's Properties as the event source mapping Lambda would make of them."""
    filters = (p.get("FilterCriteria") or {}).get("Filters") or []
    return Mapping(
        function=function,
        batch_size=int(p.get("BatchSize", 100)),
        starting_position=p.get("StartingPosition", "LATEST"),
        maximum_retry_attempts=int(p.get("MaximumRetryAttempts", -1)),
        bisect=bool(p.get("BisectBatchOnFunctionError", False)),
        report_item_failures="ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
        patterns=tuple(json.loads(f["Pattern"]) for f in filters),
    )


def stream_mapping(function: str | None = "NotifierFunction") -> Mapping:
    """The DynamoDB stream event of `function` (the notifier by default; the offers function has one too) in
    template.yaml."""
    for logical, res in template.resources("AWS::Serverless::Function").items():
        if function and logical != function:
            continue
        events = (res["Properties"].get("Events") or {}).values()
        found = next((e for e in events if e["Type"] == "DynamoDB"), None)
        if found is not None:
            return _mapping(logical, found.get("Properties", {}))
    raise LookupError(f"no DynamoDB stream event for {function or 'any function'} in template.yaml")


# ---------------------------------------------------------------- event filtering (EventBridge patterns)
def _match_value(rule: Any, value: Any, present: bool) -> bool:
    if isinstance(rule, dict):
        if "exists" in rule:
            return bool(rule["exists"]) == present
        if not present:
            return False
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        if "anything-but" in rule:
            banned = rule["anything-but"]
            banned = banned if isinstance(banned, list) else [banned]
            return value not in banned
        if "numeric" in rule:
            return _numeric(rule["numeric"], value)
        raise ValueError(f"filter rule not supported locally: {rule}")
    return present and value == rule


def _numeric(conditions: list[Any], value: Any) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    ops = {"=": number.__eq__, "<": number.__lt__, "<=": number.__le__, ">": number.__gt__, ">=": number.__ge__}
    return all(ops[conditions[i]](float(conditions[i + 1])) for i in range(0, len(conditions), 2))


def matches(pattern: dict[str, Any], event: Any) -> bool:
    """EventBridge-style: every key of the pattern must match; a list is "any of"; an event list matches
    when any of its elements does."""
    if not isinstance(event, dict):
        return False
    for key, rule in pattern.items():
        present = key in event
        value = event.get(key)
        if isinstance(rule, dict):
            if not matches(rule, value if present else {}):
                return False
            continue
        candidates = value if isinstance(value, list) else [value]
        if not any(_match_value(r, v, present) for r in rule for v in candidates):
            return False
    return True


def passes(patterns: tuple[dict[str, Any], ...], record: dict[str, Any]) -> bool:
    return not patterns or any(matches(p, record) for p in patterns)


# ---------------------------------------------------------------- records in Lambda's shape
def lambda_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda hands it to the function."""
    ddb = dict(raw["dynamodb"])
    created = ddb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        ddb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": raw.get("eventID"),
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion") or os.environ.get("AWS_DEFAULT_REGION", "eu-north-1"),
        "dynamodb": ddb,
        "eventSourceARN": stream_arn,
    }


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(float(epoch), UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def on_failure_message(batch: list[dict[str, Any]], shard_id: str, stream_arn: str, function: str,
                       invocations: int, condition: str = "RetryAttemptsExhausted") -> dict[str, Any]:
    """What Lambda's on-failure destination receives for a stream batch: metadata, not the records."""
    seqs = [r["dynamodb"]["SequenceNumber"] for r in batch]
    times = [r["dynamodb"].get("ApproximateCreationDateTime") for r in batch]
    return {
        "requestContext": {"requestId": f"local-{seqs[0]}", "condition": condition,
                           "functionArn": f"arn:aws:lambda:local:000000000000:function:{function}",
                           "approximateInvokeCount": invocations},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": _iso(time.time()),
        "DDBStreamBatchInfo": {
            "shardId": shard_id, "startSequenceNumber": seqs[0], "endSequenceNumber": seqs[-1],
            "approximateArrivalOfFirstRecord": _iso(times[0]), "approximateArrivalOfLastRecord": _iso(times[-1]),
            "batchSize": len(batch), "streamArn": stream_arn,
        },
    }


# ---------------------------------------------------------------- the poller
@dataclass
class _Shard:
    shard_id: str
    parent: str | None
    iterator: str | None = None
    started: bool = False
    closed: bool = False
    buffer: list[dict[str, Any]] = field(default_factory=list)
    limit: int = 0  # batch size now (halved by bisect)
    attempts: int = 0  # failed invocations of the batch at the head of the buffer
    not_before: float = 0.0
    unsent: dict[str, Any] | None = None  # an on-failure message the dead-letter queue refused
    unsent_size: int = 0  # records of the buffer's head that message covers
    dlq_failures: int = 0

    @property
    def done(self) -> bool:
        return self.closed and not self.buffer


class StreamPoller:
    """Polls every shard of one stream and delivers filtered batches in order, one batch per shard at a time."""

    def __init__(self, stream_arn: str, deliver: Deliver, mapping: Mapping | None = None, *,
                 client: Any = None, dead_letter: Callable[[dict[str, Any]], None] | None = None,
                 retry_delay: float = 0.2) -> None:
        self.stream_arn = stream_arn
        self.deliver = deliver
        self.mapping = mapping or stream_mapping()
        self.client = client or _streams_client()
        self.dead_letter = dead_letter
        self.retry_delay = retry_delay
        self.shards: dict[str, _Shard] = {}
        self.dead_letters: list[dict[str, Any]] = []
        self.failures_said = 0
        self.dead_letter_attempts = 0
        self.invocations = 0
        self.last_read = 0  # records the last poll read (filtered or not): nonzero means "more may be there"
        self._described = 0.0

    # -- shards
    def refresh_shards(self) -> None:
        start: str | None = None
        while True:
            params: dict[str, Any] = {"StreamArn": self.stream_arn}
            if start:
                params["ExclusiveStartShardId"] = start
            desc = self.client.describe_stream(**params)["StreamDescription"]
            for s in desc.get("Shards", []):
                if s["ShardId"] not in self.shards:
                    self.shards[s["ShardId"]] = _Shard(s["ShardId"], s.get("ParentShardId"),
                                                       limit=self.mapping.batch_size)
            start = desc.get("LastEvaluatedShardId")
            if not start:
                break
        self._described = time.monotonic()

    def _ready(self, shard: _Shard) -> bool:
        """A child shard waits until its parent is read to the end (order per item key)."""
        parent = self.shards.get(shard.parent or "")
        return parent is None or parent.done

    def _fill(self, shard: _Shard) -> None:
        if shard.closed or len(shard.buffer) >= shard.limit:
            return
        if not shard.started:
            # A parent found later than its child is read from its start, like a new shard.
            position = self.mapping.starting_position if shard.parent is None or shard.parent not in self.shards \
                else "TRIM_HORIZON"
            shard.iterator = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard.shard_id, ShardIteratorType=position)["ShardIterator"]
            shard.started = True
        if not shard.iterator:
            shard.closed = True
            return
        response = self.client.get_records(ShardIterator=shard.iterator, Limit=1000)
        shard.iterator = response.get("NextShardIterator")
        self.last_read += len(response.get("Records", []))
        for raw in response.get("Records", []):
            record = lambda_record(raw, self.stream_arn)
            if passes(self.mapping.patterns, record):
                shard.buffer.append(record)
        if not shard.iterator:
            shard.closed = True

    # -- delivery
    def poll_once(self) -> int:
        """Read every ready shard once and deliver at most one batch from each; returns records delivered."""
        if not self.shards or time.monotonic() - self._described > 10:
            self.refresh_shards()
        delivered = 0
        self.last_read = 0
        for shard in list(self.shards.values()):
            if shard.done or not self._ready(shard) or time.monotonic() < shard.not_before:
                continue
            if shard.unsent is not None:
                self._send_dead_letter(shard)
                continue
            self._fill(shard)
            if shard.buffer:
                delivered += self._deliver(shard)
        return delivered

    def drain(self, max_rounds: int = 500, idle_rounds: int = 3, interval: float = 0.05) -> None:
        """Deliver until the stream has nothing more (tests): a few empty reads in a row, nothing pending.
        GetRecords may answer empty while records are there, so one empty read proves nothing."""
        idle = 0
        for _ in range(max_rounds):
            delivered = self.poll_once()
            pending = [s for s in self.shards.values() if s.buffer]
            if pending:
                idle = 0
                time.sleep(max(0.0, min(s.not_before for s in pending) - time.monotonic()))
                continue
            idle = 0 if delivered or self.last_read else idle + 1
            if idle >= idle_rounds:
                return
            time.sleep(interval)

    def _deliver(self, shard: _Shard) -> int:
        batch = shard.buffer[:shard.limit]
        self.invocations += 1
        try:
            response = self.deliver({"Records": batch})
        except Exception as exc:  # noqa: BLE001 - a function error, as Lambda sees an unhandled exception
            raised = getattr(exc, "error_type", type(exc).__name__)
            self._first_failure(shard, f"{len(batch)} record(s) failed: {raised} raised", fresh=False)
            return self._failed(shard, batch, 0, whole=True)
        failures = (response or {}).get("batchItemFailures") if self.mapping.report_item_failures else None
        if not failures:
            return self._done(shard, batch)
        seqs = [r["dynamodb"]["SequenceNumber"] for r in batch]
        failed_ids = [f.get("itemIdentifier") for f in failures]
        if any(i not in seqs for i in failed_ids):
            return self._failed(shard, batch, 0, whole=True)  # Lambda treats a bad identifier as all failed
        first = min(seqs.index(i) for i in failed_ids)
        self._first_failure(shard, f"{len(failed_ids)} of {len(batch)} record(s) failed (the function's log says why)",
                            fresh=first > 0)
        # Records before the lowest failure are done: checkpoint there, retry from the failure.
        del shard.buffer[:first]
        return first + self._failed(shard, batch[first:], first, whole=False)

    def _done(self, shard: _Shard, batch: list[dict[str, Any]]) -> int:
        """The batch went through: checkpoint after it (and say so when it had failed before)."""
        if shard.attempts:
            self._say(f"{len(batch)} record(s) went through on try {shard.attempts + 1}")
        del shard.buffer[:len(batch)]
        shard.attempts, shard.limit = 0, self.mapping.batch_size
        return len(batch)

    def _failed(self, shard: _Shard, batch: list[dict[str, Any]], done: int, whole: bool) -> int:
        if done:
            shard.attempts = 0
        shard.attempts += 1
        retries = self.mapping.maximum_retry_attempts
        if retries >= 0 and shard.attempts > retries:
            shard.unsent = on_failure_message(batch, shard.shard_id, self.stream_arn, self.mapping.function,
                                              shard.attempts)
            shard.unsent_size = len(batch)
            self._say(f"{len(batch)} record(s) dead-lettered after {shard.attempts} attempts (make redrive)")
            self._send_dead_letter(shard)
            return 0
        if whole and self.mapping.bisect and len(batch) > 1:
            shard.limit = max(1, len(batch) // 2)
        shard.not_before = time.monotonic() + min(5.0, self.retry_delay * 2 ** (shard.attempts - 1))
        return 0


    def _first_failure(self, shard: _Shard, what: str, fresh: bool) -> None:
        """A batch's first failure is said; its retries are not (how they end is: went through, or dead-lettered)."""
        if shard.attempts and not fresh:
            return
        retries = self.mapping.maximum_retry_attempts
        self._say(f"{what}; tried again up to {retries} time(s)" if retries >= 0 else f"{what}; tried again")

    def _say(self, what: str) -> None:
        """A stream function's failure, always on the console: one line, naming the function and its log."""
        self.failures_said += 1
        print(f"[stream] {self.mapping.function}: {what} - {console.where(_folder(self.mapping.function))}",
              flush=True)

    def _send_dead_letter(self, shard: _Shard) -> None:
        """Put the shard's on-failure message; on success the batch is done, else back off and keep it."""
        assert shard.unsent is not None
        self.dead_letter_attempts += 1
        if self.dead_letter:
            try:
                self.dead_letter(shard.unsent)
            except Exception as exc:  # noqa: BLE001 - the queue is down: keep the batch, try later
                shard.dlq_failures += 1
                delay = min(MAX_BACKOFF, max(self.retry_delay, 0.5) * 2 ** (shard.dlq_failures - 1))
                shard.not_before = time.monotonic() + delay
                print(f"[stream] dead-letter queue failed ({type(exc).__name__}): retry in {delay:.0f}s",
                      flush=True)
                return
        self.dead_letters.append(shard.unsent)
        del self.dead_letters[:-DEAD_LETTERS_KEPT]
        del shard.buffer[:shard.unsent_size]
        shard.unsent, shard.unsent_size, shard.dlq_failures = None, 0, 0
        shard.attempts, shard.limit = 0, self.mapping.batch_size


# ---------------------------------------------------------------- wiring
def _folder(logical: str) -> str:
    """The function's folder under functions/ (what `make logs FN=` takes) for its logical id."""
    found = template.functions().get(logical)
    return str(found["name"]) if found else logical


def _streams_client() -> Any:
    import boto3

    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODBSTREAMS") or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    return boto3.client("dynamodbstreams", endpoint_url=endpoint) if endpoint else boto3.client("dynamodbstreams")


def stream_arn(table: str, timeout: float = 30.0) -> str:
    import boto3

    ddb = boto3.client("dynamodb")
    deadline = time.monotonic() + timeout
    while True:
        arn = ddb.describe_table(TableName=table)["Table"].get("LatestStreamArn")
        if arn:
            return arn
        if time.monotonic() > deadline:
            raise LookupError(f"table {table} has no stream")
        time.sleep(0.2)


def sqs_dead_letter(queue_url: str) -> Callable[[dict[str, Any]], None]:
    import boto3

    sqs = boto3.client("sqs")

    def put(message: dict[str, Any]) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))

    return put


def _poller(table: str, deliver: Deliver, function: str, starting_position: str | None) -> StreamPoller:
    """The poller of `function`'s mapping. Only the notifier's failures go to a local queue (NOTIFIER_DLQ_URL)."""
    dlq = os.environ.get("NOTIFIER_DLQ_URL") if function == "NotifierFunction" else None
    mapping = stream_mapping(function)
    if starting_position:
        mapping = dataclasses.replace(mapping, starting_position=starting_position)
    return StreamPoller(stream_arn(table), deliver, mapping, dead_letter=sqs_dead_letter(dlq) if dlq else None)


def _idle(poller: StreamPoller, delivered: int) -> bool:
    """Catch up at full speed (thousands of filtered-out records); idle or waiting out a retry, gently."""
    now = time.monotonic()
    waiting = any(s.buffer and s.not_before > now for s in poller.shards.values())
    return bool((not delivered and not poller.last_read) or waiting)


def run(table: str, deliver: Deliver, stop: threading.Event, *, interval: float = 0.5,
        function: str = "NotifierFunction", starting_position: str | None = None) -> None:
    """Poll the table's stream for `function`'s event source mapping until `stop` is set (the local server runs
    one thread per consumer). `starting_position` replaces the template's (a kept table resumes at LATEST).
    Only the notifier's failures go to a local queue (NOTIFIER_DLQ_URL); the others' are kept in memory."""
    poller = _poller(table, deliver, function, starting_position)
    failures = 0
    while not stop.is_set():
        try:
            delivered = poller.poll_once()
            failures = 0
        except Exception as exc:  # noqa: BLE001 - keep polling, as the event source mapping would
            failures += 1
            print(f"[stream] poll failed: {type(exc).__name__}", flush=True)
            stop.wait(min(MAX_BACKOFF, interval * 2 ** (failures - 1)))
            continue
        if _idle(poller, delivered):
            stop.wait(interval)
