"""The notifier function under moto (DynamoDB, SES v2, SQS): sample stream events from events/notifier/,
exactly-once delivery with the sent marker, injected SES failures retried, dead-lettered and redriven."""
from __future__ import annotations

import copy
import email
import json
from email import policy
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra import redrive
from shared.notify import delivery, outbound
from shared.platform import clock, config, dal, keys
from tests.handler.helpers import sent
from tests.support import Context, event_file, invoke, load_function

TICKET_EVENT = "notifier/ticket_insert.json"
CANCEL_EVENT = "notifier/cancellation_modify.json"
TICKET_EN_EVENT = "notifier/ticket_insert_en.json"
REAL_SEND_RAW = outbound.send_raw


def stored(event_name: str) -> dict[str, Any]:
    """Put the appointment of an event as the booking (or cancellation) left it; return the event."""
    event = event_file(event_name)
    image = dal.from_item(event["Records"][0]["dynamodb"]["NewImage"]) or {}
    # An update, as booking and cancellation write: markers the notifier set stay.
    fields = {k: v for k, v in image.items() if k not in ("PK", "SK") and not k.startswith("ticketEmail")}
    dal.update(keys.key(image["PK"], image["SK"]), "SET " + ", ".join(f"#{k} = :{k}" for k in fields),
               names={f"#{k}": k for k in fields}, values={f":{k}": v for k, v in fields.items()})
    return event


def run(event: dict[str, Any]) -> dict[str, Any]:
    return load_function("notifier").handler(copy.deepcopy(event), Context())


def appointment(event: dict[str, Any]) -> dict[str, Any]:
    image = dal.from_item(event["Records"][0]["dynamodb"]["NewImage"]) or {}
    return dal.get(keys.appointment_key(image["id"]), consistent=True) or {}


def dead_letters(url: str) -> list[dict[str, Any]]:
    import boto3

    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                   VisibilityTimeout=0).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def failing(code: str, times: int | None = None) -> Any:
    """A send_raw that fails with `code` (every time, or the first `times` calls), else sends."""
    real = outbound.send_raw
    calls = {"n": 0}

    def send(raw: bytes, to: str) -> str:
        calls["n"] += 1
        if times is None or calls["n"] <= times:
            raise ClientError({"Error": {"Code": code, "Message": f"refused for {to}"}}, "SendEmail")
        return real(raw, to)

    send.calls = calls  # type: ignore[attr-defined]
    return send


def calendar_text(raw: str) -> str:
    msg = email.message_from_string(raw, policy=policy.default)
    (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    content = part.get_content()
    return content.decode() if isinstance(content, bytes) else content


@pytest.fixture
def before_appointment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample appointment (26 Nov 2026, 08:40 Moscow) is still ahead: the redrive resends only those."""
    monkeypatch.setattr(clock, "now", lambda: 1795500100)


def seq(event: dict[str, Any]) -> str:
    return event["Records"][0]["dynamodb"]["SequenceNumber"]


# ---------------------------------------------------------------- content and exactly once
def test_ticket_is_sent_once_and_a_replay_sends_nothing(notifier: str) -> None:
    event = stored(TICKET_EVENT)
    assert run(event) == {"batchItemFailures": []}
    (mail,) = sent()
    appt = appointment(event)
    assert mail["to"] == appt["email"]
    assert mail["subject"].startswith("Талон на приём к врачу") and appt["number"] in mail["subject"]
    msg = email.message_from_string(mail["raw"], policy=policy.default)
    assert "method=REQUEST" in mail["raw"] or "method=\"REQUEST\"" in mail["raw"]
    assert appt["clinicName"] in msg.get_body(("plain",)).get_content()
    assert appt.get("ticketEmailSentAt") and "ticketEmailLease" not in appt
    assert appt["status"] == "booked"

    assert run(event) == {"batchItemFailures": []}
    assert len(sent()) == 1


def test_cancellation_follows_the_ticket_and_is_sent_once(notifier: str) -> None:
    run(stored(TICKET_EVENT))
    event = stored(CANCEL_EVENT)
    assert run(event) == {"batchItemFailures": []}
    assert run(event) == {"batchItemFailures": []}
    _ticket, cancellation = sent()
    assert cancellation["subject"].startswith("Запись на приём отменена")
    assert "METHOD:CANCEL" in calendar_text(cancellation["raw"])
    assert appointment(event).get("cancelEmailSentAt")


def test_english_booking_gets_english_email(notifier: str) -> None:
    run(stored(TICKET_EN_EVENT))
    (mail,) = sent()
    assert mail["subject"].startswith("Appointment ticket")


def test_events_pass_the_templates_filter() -> None:
    from infra.local import stream

    patterns = stream.stream_mapping("NotifierFunction").patterns
    for name in (TICKET_EVENT, CANCEL_EVENT, TICKET_EN_EVENT):
        assert stream.passes(patterns, event_file(name)["Records"][0]), name
    # The notifier's own marker writes (booked -> booked) and non-appointment items do not come back.
    marker = copy.deepcopy(event_file(TICKET_EVENT)["Records"][0])
    marker["eventName"] = "MODIFY"
    marker["dynamodb"]["OldImage"] = marker["dynamodb"]["NewImage"]
    assert not stream.passes(patterns, marker)
    slot = copy.deepcopy(event_file(TICKET_EVENT)["Records"][0])
    slot["dynamodb"]["NewImage"]["entity"] = {"S": "slot"}
    assert not stream.passes(patterns, slot)


# ---------------------------------------------------------------- failures
def test_throttling_is_botocores_to_retry_then_the_streams(notifier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SES throttling: botocore's standard mode retries inside the call (the one client factory); what still
    fails is one failed record for the stream to retry, not another loop of ours."""
    ses = outbound.client("sesv2")
    assert ses.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    send = failing("TooManyRequestsException", times=1)
    monkeypatch.setattr(outbound, "send_raw", send)
    event = stored(TICKET_EVENT)
    assert run(event) == {"batchItemFailures": [{"itemIdentifier": seq(event)}]}
    assert send.calls["n"] == 1
    assert run(event) == {"batchItemFailures": []}  # the stream's retry sends it
    assert len(sent()) == 1


def test_outage_is_retried_then_dead_lettered_then_redriven_exactly_once(
        notifier: str, before_appointment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    event = stored(TICKET_EVENT)
    monkeypatch.setattr(outbound, "send_raw", failing("ServiceUnavailable"))
    # The stream retries the record (partial batch response) until the notifier's rounds are used up ...
    for _ in range(delivery.DELIVERY_ROUNDS - 1):
        assert run(event) == {"batchItemFailures": [{"itemIdentifier": seq(event)}]}
        assert dead_letters(notifier) == []
    # ... then the notifier parks it in the dead-letter queue and lets the stream move on.
    assert run(event) == {"batchItemFailures": []}
    (parked,) = dead_letters(notifier)
    appt = appointment(event)
    assert parked["appointmentId"] == appt["id"] and parked["kind"] == "ticket"
    assert parked["reason"] == "ServiceUnavailable"
    assert appt["email"] not in json.dumps(parked)
    assert sent() == []
    assert appt["status"] == "booked"  # the booking stands
    assert "ticketEmailLease" not in appt and "ticketEmailSentAt" not in appt

    # A redrive while SES is still down keeps the message.
    counts = redrive.redrive(notifier)
    assert counts["failed"] == 1 and sent() == []
    assert len(dead_letters(notifier)) == 1

    monkeypatch.setattr(outbound, "send_raw", REAL_SEND_RAW)
    counts = redrive.redrive(notifier)
    assert counts["sent"] == 1
    assert dead_letters(notifier) == []
    # A late replay of the record and a second redrive change nothing.
    assert run(event) == {"batchItemFailures": []}
    assert redrive.redrive(notifier)["sent"] == 0
    (mail,) = sent()
    assert mail["to"] == appt["email"]


def test_permanent_rejection_is_dead_lettered_at_once(notifier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "send_raw", failing("MessageRejected"))
    event = stored(TICKET_EVENT)
    assert run(event) == {"batchItemFailures": []}
    (parked,) = dead_letters(notifier)
    assert parked["reason"] == "MessageRejected"


def test_unverified_sender_is_refused_by_ses_and_dead_lettered(notifier: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDER_EMAIL", "someone-else@zapis.example.org")
    config.settings.cache_clear()
    assert run(stored(TICKET_EVENT)) == {"batchItemFailures": []}
    (parked,) = dead_letters(notifier)
    assert parked["reason"] == "MessageRejected"
    assert sent() == []


def test_when_the_dead_letter_queue_fails_too_the_stream_keeps_the_record(
        notifier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "send_raw", failing("MessageRejected"))
    monkeypatch.setenv("NOTIFIER_DLQ_URL", notifier + "-missing")
    config.settings.cache_clear()
    event = stored(TICKET_EVENT)
    # Reported as failed: the stream retries it, then Lambda's on-failure destination keeps its sequence numbers.
    assert run(event) == {"batchItemFailures": [{"itemIdentifier": seq(event)}]}
    assert sent() == []


def test_a_send_in_progress_elsewhere_is_retried_not_skipped(notifier: str) -> None:
    event = stored(TICKET_EVENT)
    appt_key = keys.appointment_key(appointment(event)["id"])
    dal.update(appt_key, "SET ticketEmailLease = :l", values={":l": 4102444800})
    two = {"Records": event["Records"] + stored(TICKET_EN_EVENT)["Records"]}
    assert run(two) == {"batchItemFailures": [{"itemIdentifier": seq(event)}]}
    assert len(sent()) == 1  # the other record of the batch went out


def test_partial_batch_reports_only_the_failed_record(notifier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket, english = stored(TICKET_EVENT), stored(TICKET_EN_EVENT)

    def send(raw: bytes, to: str) -> str:
        if b"Subject: Appointment ticket" in raw:  # the English one fails, the Russian one goes out
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")
        return REAL_SEND_RAW(raw, to)

    monkeypatch.setattr(outbound, "send_raw", send)
    response = run({"Records": ticket["Records"] + english["Records"]})
    assert response == {"batchItemFailures": [{"itemIdentifier": seq(english)}]}
    assert [m["subject"][:5] for m in sent()] == ["Талон"]


# ---------------------------------------------------------------- the booking never waits for email
def free_slot(doctor_id: str = "cl0101-d01") -> str:
    now = clock.now()
    found = [i for i in dal.query_all("PK = :pk AND begins_with(SK, :slot)",
                                      {":pk": f"DOCTOR#{doctor_id}", ":slot": "SLOT#"})
             if i.get("status") == "free" and now + 3600 < int(i["start"]) < now + 10 * 86400]
    return keys.slot_id(doctor_id, int(found[0]["start"]))


def test_booking_succeeds_while_ses_is_down(notifier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "send_raw", failing("ServiceUnavailable"))
    event = event_file("booking/book_anonymous.json")
    body = json.loads(event["body"])
    body.pop("holdId", None)
    body["slotId"] = free_slot()
    status, body = invoke("booking", dict(event, body=json.dumps(body, ensure_ascii=False)))
    assert status == 201
    appt = dal.get(keys.appointment_key(body["appointment"]["id"]), consistent=True) or {}
    record = {"eventID": "1", "eventName": "INSERT", "eventSource": "aws:dynamodb", "awsRegion": "eu-north-1",
              "dynamodb": {"Keys": dal.to_item({"PK": appt["PK"], "SK": appt["SK"]}), "NewImage": dal.to_item(appt),
                           "SequenceNumber": "500", "StreamViewType": "NEW_AND_OLD_IMAGES"},
              "eventSourceARN": "arn:aws:dynamodb:eu-north-1:123456789012:table/zapis-test/stream/x"}
    assert run({"Records": [record]}) == {"batchItemFailures": [{"itemIdentifier": "500"}]}
    assert (dal.get(keys.appointment_key(appt["id"]), consistent=True) or {})["status"] == "booked"


# ---------------------------------------------------------------- Lambda's own on-failure records
def test_redrive_reads_lambdas_on_failure_record_back_from_the_stream(notifier: str, before_appointment: None) -> None:
    import boto3

    event = stored(TICKET_EVENT)
    later = dict(event["Records"][0]["dynamodb"], SequenceNumber="100000000000000000005")
    records = event["Records"] + [dict(event["Records"][0], eventName="REMOVE", dynamodb=later)]

    class Streams:
        def get_shard_iterator(self, **kw: Any) -> dict[str, str]:
            assert kw["ShardIteratorType"] == "AT_SEQUENCE_NUMBER" and kw["SequenceNumber"] == seq(event)
            return {"ShardIterator": "it-1"}

        def get_records(self, **kw: Any) -> dict[str, Any]:
            return {"Records": records, "NextShardIterator": "it-2"} if kw["ShardIterator"] == "it-1" \
                else {"Records": [], "NextShardIterator": "it-3"}

    info = {"shardId": "shardId-1", "startSequenceNumber": seq(event), "endSequenceNumber": seq(event),
            "batchSize": 1, "streamArn": event["Records"][0]["eventSourceARN"]}
    boto3.client("sqs").send_message(QueueUrl=notifier, MessageBody=json.dumps({
        "requestContext": {"condition": "RetryAttemptsExhausted"}, "DDBStreamBatchInfo": info}))
    counts = redrive.redrive(notifier, streams=Streams())
    assert counts["sent"] == 1
    assert len(sent()) == 1 and dead_letters(notifier) == []


def test_redrive_skips_a_ticket_whose_appointment_was_cancelled(notifier: str, before_appointment: None) -> None:
    import boto3

    stored(CANCEL_EVENT)
    appt_id = dal.from_item(event_file(CANCEL_EVENT)["Records"][0]["dynamodb"]["NewImage"])["id"]  # type: ignore[index]
    boto3.client("sqs").send_message(QueueUrl=notifier, MessageBody=json.dumps(
        {"source": "notifier", "appointmentId": appt_id, "kind": "ticket", "reason": "ServiceUnavailable"}))
    assert redrive.redrive(notifier)["skipped"] == 1
    assert sent() == [] and dead_letters(notifier) == []


# ---------------------------------------------------------------- privacy
def test_no_personal_data_in_logs(notifier: str, before_appointment: None, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from shared.platform.observability import logger

    buffer = io.StringIO()
    handler = logger.registered_handler
    monkeypatch.setattr(handler, "stream", buffer)
    event = stored(TICKET_EVENT)
    monkeypatch.setattr(outbound, "send_raw", failing("MessageRejected"))
    run(event)
    monkeypatch.setattr(outbound, "send_raw", REAL_SEND_RAW)
    redrive.redrive(notifier)
    run(stored(CANCEL_EVENT))
    run(event)
    out = capsys.readouterr()
    logs = buffer.getvalue() + out.out + out.err
    appt = appointment(event)
    assert appt["id"] in logs  # the logs are there, with ids
    for secret in (appt["email"], appt["lastName"], appt["firstName"], appt["birthDate"], appt.get("middleName")):
        assert secret and secret not in logs, "personal data in logs"
    assert len(sent()) == 2

