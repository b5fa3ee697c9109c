"""The local stream poller keeps Lambda's event source mapping semantics: the template's filters, batches,
partial batch responses, bisect on error, bounded retries, then the on-failure record."""
from __future__ import annotations

import time
from typing import Any

import pytest

from infra.local import stream
from shared.platform import dal

ARN = "arn:aws:dynamodb:eu-north-1:000000000000:table/t/stream/x"


def raw(seq: int, entity: str = "appointment", name: str = "INSERT", status: str = "booked") -> dict[str, Any]:
    image = dal.to_item({"PK": f"APPT#{seq}", "SK": "#APPT", "entity": entity, "status": status, "id": str(seq)})
    return {"eventID": str(seq), "eventName": name, "eventVersion": "1.1", "awsRegion": "eu-north-1",
            "dynamodb": {"Keys": {"PK": image["PK"], "SK": image["SK"]}, "NewImage": image,
                         "SequenceNumber": f"{seq:021d}", "ApproximateCreationDateTime": 1.7e9 + seq}}


class FakeStreams:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def describe_stream(self, **_: Any) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **kw: Any) -> dict[str, str]:
        assert kw["ShardIteratorType"] == "TRIM_HORIZON"  # template: StartingPosition TRIM_HORIZON
        return {"ShardIterator": "0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        start = int(ShardIterator)
        chunk = self.records[start:start + Limit]
        return {"Records": chunk, "NextShardIterator": str(start + len(chunk))}


def poller(records: list[dict[str, Any]], deliver: Any, **mapping: Any) -> stream.StreamPoller:
    base = stream.stream_mapping("NotifierFunction")
    m = stream.Mapping(**{**base.__dict__, **mapping})
    return stream.StreamPoller(ARN, deliver, m, client=FakeStreams(records), retry_delay=0.0)


def ids(event: dict[str, Any]) -> list[str]:
    return [r["dynamodb"]["SequenceNumber"][-3:].lstrip("0") for r in event["Records"]]


def test_mapping_comes_from_the_template() -> None:
    m = stream.stream_mapping()
    assert m.function == "NotifierFunction"
    assert m.batch_size == 25 and m.maximum_retry_attempts == 5 and m.bisect and m.report_item_failures
    assert len(m.patterns) == 4  # ticket, cancellation, reminder (issue 14), waiting-list offer (issue 15)
    claimed = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"entity": {"S": "appointment"},
                                                                "status": {"S": "booked"},
                                                                "remindedStage": {"N": "1440"}}}}
    assert any(stream.matches(p, claimed) for p in m.patterns)
    unclaimed = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"entity": {"S": "appointment"},
                                                                  "status": {"S": "booked"}}}}
    assert not any(stream.matches(p, unclaimed) for p in m.patterns)


@pytest.mark.parametrize(("pattern", "event", "expected"), [
    ({"a": ["x"]}, {"a": "x"}, True),
    ({"a": ["x"]}, {"a": "y"}, False),
    ({"a": ["x"]}, {}, False),
    ({"a": {"b": ["x"]}}, {"a": {"b": "x"}}, True),
    ({"a": {"b": ["x"]}}, {"a": {}}, False),
    ({"a": [{"exists": False}]}, {}, True),
    ({"a": [{"exists": True}]}, {"a": 1}, True),
    ({"a": [{"prefix": "AP"}]}, {"a": "APPT#1"}, True),
    ({"a": [{"anything-but": ["x"]}]}, {"a": "y"}, True),
    ({"a": [{"anything-but": ["x"]}]}, {"a": "x"}, False),
    ({"a": [{"numeric": [">", 1, "<=", 5]}]}, {"a": "5"}, True),
    ({"a": [{"numeric": [">", 1]}]}, {"a": 1}, False),
    ({"a": ["x"]}, {"a": ["y", "x"]}, True),
])
def test_eventbridge_matching(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert stream.matches(pattern, event) is expected


def test_filters_batches_and_lambda_record_shape() -> None:
    records = [raw(i, entity="slot" if i % 2 else "appointment") for i in range(1, 61)]
    seen: list[dict[str, Any]] = []
    p = poller(records, lambda ev: seen.append(ev) or {"batchItemFailures": []})
    p.drain()
    delivered = [r for ev in seen for r in ev["Records"]]
    assert len(delivered) == 30  # slots filtered out
    assert [len(ev["Records"]) for ev in seen] == [25, 5]
    first = delivered[0]
    assert first["eventSource"] == "aws:dynamodb" and first["eventSourceARN"] == ARN
    assert first["dynamodb"]["NewImage"]["entity"] == {"S": "appointment"}
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], float)


def test_partial_failure_retries_from_the_failed_record() -> None:
    records = [raw(i) for i in range(1, 6)]
    calls: list[list[str]] = []

    def deliver(ev: dict[str, Any]) -> dict[str, Any]:
        calls.append(ids(ev))
        if len(calls) == 1:
            return {"batchItemFailures": [{"itemIdentifier": ev["Records"][2]["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    p = poller(records, deliver)
    p.drain()
    assert calls == [["1", "2", "3", "4", "5"], ["3", "4", "5"]]
    assert p.dead_letters == []


def test_function_error_bisects_then_dead_letters_after_the_retries(capsys: pytest.CaptureFixture[str]) -> None:
    records = [raw(i) for i in range(1, 5)]
    calls: list[list[str]] = []
    parked: list[dict[str, Any]] = []

    def deliver(ev: dict[str, Any]) -> dict[str, Any]:
        calls.append(ids(ev))
        if "1" in ids(ev):
            raise RuntimeError("boom")
        return {"batchItemFailures": []}

    p = poller(records, deliver)
    p.dead_letter = parked.append
    p.drain()
    assert calls[0] == ["1", "2", "3", "4"]
    assert calls[1] == ["1", "2"] and calls[2] == ["1"]  # halves
    assert len([c for c in calls if "1" in c]) == 1 + 5  # first try + MaximumRetryAttempts
    assert calls[-1] == ["2", "3", "4"]  # then the shard moves on
    (message,) = parked
    info = message["DDBStreamBatchInfo"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == f"{1:021d}"
    assert info["streamArn"] == ARN and info["shardId"] == "shard-1" and info["batchSize"] == 1
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert p.dead_letters == parked
    # Loud on the console, in a line each: the batch's first failure and its dead letter (not every retry), naming
    # the function and where its log is.
    said = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[stream] NotifierFunction: ")]
    assert sum("RuntimeError raised; tried again up to 5 time(s)" in line for line in said) == 1
    assert sum("dead-lettered after 6 attempts" in line for line in said) == 1
    assert len(said) == 2 and all(line.endswith("make logs FN=notifier") for line in said), said


def test_reported_failures_are_dead_lettered_after_the_retries() -> None:
    records = [raw(i) for i in range(1, 4)]
    calls: list[list[str]] = []

    def deliver(ev: dict[str, Any]) -> dict[str, Any]:
        calls.append(ids(ev))
        failed = [r for r in ev["Records"] if r["dynamodb"]["SequenceNumber"].endswith("2")]
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}

    p = poller(records, deliver)
    p.drain()
    assert calls[0] == ["1", "2", "3"]
    assert calls[1:] == [["2", "3"]] * 5
    (message,) = p.dead_letters
    assert message["DDBStreamBatchInfo"]["startSequenceNumber"] == f"{2:021d}"
    assert message["DDBStreamBatchInfo"]["endSequenceNumber"] == f"{3:021d}"


def test_when_the_dead_letter_queue_fails_too_the_poller_backs_off_and_keeps_the_batch() -> None:
    records = [raw(i) for i in range(1, 4)]
    invocations: list[list[str]] = []
    puts: list[float] = []
    queue_up = [False]

    def deliver(ev: dict[str, Any]) -> dict[str, Any]:
        invocations.append(ids(ev))
        raise RuntimeError("SES is down")

    def dead_letter(message: dict[str, Any]) -> None:
        puts.append(time.monotonic())
        if not queue_up[0]:
            raise ConnectionError("SQS is down")

    p = poller(records, deliver, bisect=False)
    p.dead_letter = dead_letter
    for _ in range(200):  # a tight loop: the poller itself must not spin on the outage
        p.poll_once()
    assert len(invocations) == 1 + 5  # first try + MaximumRetryAttempts, then the function is left alone
    assert len(puts) == 1  # the next put waits for its backoff
    shard = p.shards["shard-1"]
    assert shard.not_before - time.monotonic() > 0.4 and shard.buffer and p.dead_letters == []
    for expected in (2, 3):  # each failure doubles the wait
        before = shard.not_before - time.monotonic()
        shard.not_before = 0.0
        p.poll_once()
        assert len(puts) == expected and shard.not_before - time.monotonic() > before * 1.5
    assert len(invocations) == 6 and len(shard.buffer) == 3  # nothing re-sent, nothing dropped
    queue_up[0] = True
    shard.not_before = 0.0
    p.poll_once()
    (message,) = p.dead_letters
    assert message["DDBStreamBatchInfo"]["batchSize"] == 3 and shard.buffer == [] and shard.unsent is None


def test_the_dead_letters_kept_in_memory_are_bounded() -> None:
    records = [raw(i) for i in range(1, stream.DEAD_LETTERS_KEPT + 21)]
    p = poller(records, lambda ev: 1 / 0, bisect=False, batch_size=1, maximum_retry_attempts=0)
    p.drain(max_rounds=2000)
    assert len(p.dead_letters) == stream.DEAD_LETTERS_KEPT
    assert p.dead_letters[-1]["DDBStreamBatchInfo"]["startSequenceNumber"] == f"{len(records):021d}"
