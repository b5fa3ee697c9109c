"""The notifier fed from DynamoDB Local's real stream by the local poller, sending through moto's SES server
(the local stack's outbox): tickets and cancellations once each, an outage dead-lettered and redriven, and
Lambda's own on-failure record read back from the stream by the redrive."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra import ddb_local, redrive
from infra.local import outbox, stream
from shared.notify import delivery, outbound
from shared.platform import config, dal, keys
from tests.support import Context, event_file, load_function

pytestmark = pytest.mark.integration


@pytest.fixture
def local_mail(ddb_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto's SES/SQS server as in `make run`; yields the dead-letter queue URL."""
    monkeypatch.setenv("SENDER_EMAIL", "no-reply@zapis.example.org")
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:3000")
    monkeypatch.setenv("SES_CONFIGURATION_SET", "")
    outbox.start(ddb_local.free_port())
    for name, value in outbox.client_env().items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()  # the settings just set
    outbound.reset_clients()
    try:
        yield outbox.client_env()["NOTIFIER_DLQ_URL"]
    finally:
        outbound.reset_clients()
        outbox.stop()


def appointment(appointment_id: str, start: int) -> dict[str, Any]:
    image = dal.from_item(event_file("notifier/ticket_insert.json")["Records"][0]["dynamodb"]["NewImage"]) or {}
    return dict(image, id=appointment_id, PK=f"APPT#{appointment_id}", start=start, end=start + 1200)


def notifier(event: dict[str, Any]) -> Any:
    return load_function("notifier").handler(event, Context())


def new_poller(table: str, deliver: Any = notifier) -> stream.StreamPoller:
    return stream.StreamPoller(stream.stream_arn(table), deliver, stream.stream_mapping(), retry_delay=0.01)


def mails_to(appointment_id: str) -> list[dict[str, str]]:
    """The outbox's emails about one appointment (its id is the .ics UID)."""
    return [m for m in outbox.outbox_items()
            if f"UID:{appointment_id}" in outbox.email_parts(m["raw"]).get("text/calendar", "")]


def cancel(appointment_id: str) -> None:
    dal.update(keys.appointment_key(appointment_id), "SET #st = :c, cancelledAt = :at, cancelledBy = :by",
               condition="#st = :b", names={"#st": "status"},
               values={":c": "cancelled", ":b": "booked", ":at": 1795600000, ":by": "patient"})


def test_ticket_and_cancellation_flow_through_the_stream(local_mail: str, ddb_table: str) -> None:
    appt_id = "Loc1kQ8rT2vXyZa1BcD4eFgHi"
    start = 4102444800  # far ahead: nothing here depends on today
    dal.put(appointment(appt_id, start))
    dal.put({"PK": "DOCTOR#cl0101-d01", "SK": "SLOT#210001010000", "entity": "slot", "status": "free"})
    poller = new_poller(ddb_table)
    poller.drain()
    (ticket,) = mails_to(appt_id)
    assert ticket["subject"].startswith("Талон")
    cancel(appt_id)
    poller.drain()
    poller.drain()  # the notifier's own marker writes come back through the stream and are filtered out
    ticket_again, cancellation = mails_to(appt_id)
    assert ticket_again == ticket
    assert cancellation["subject"].startswith("Запись на приём отменена")
    assert "METHOD:CANCEL" in outbox.email_parts(cancellation["raw"])["text/calendar"]
    stored = dal.get(keys.appointment_key(appt_id), consistent=True) or {}
    assert stored.get("ticketEmailSentAt") and stored.get("cancelEmailSentAt")
    assert poller.dead_letters == []
    assert "Талон" in outbox.outbox_html()


def test_outage_dead_letters_and_redrive_sends_once(local_mail: str, ddb_table: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    appt_id = "Loc2kQ8rT2vXyZa1BcD4eFgHi"
    real = outbound.send_raw

    def down(raw: bytes, to: str) -> str:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(outbound, "send_raw", down)
    dal.put(appointment(appt_id, 4102444800))
    poller = new_poller(ddb_table)
    poller.drain()
    assert poller.invocations == delivery.DELIVERY_ROUNDS  # retried by the stream, then parked by the notifier
    assert poller.dead_letters == [] and mails_to(appt_id) == []
    monkeypatch.setattr(outbound, "send_raw", real)
    counts = redrive.redrive(local_mail)
    assert counts["sent"] == 1
    poller.drain()
    assert redrive.redrive(local_mail)["sent"] == 0
    assert len(mails_to(appt_id)) == 1


def test_redrive_reads_lambdas_on_failure_record_from_the_stream(local_mail: str, ddb_table: str) -> None:
    appt_id = "Loc3kQ8rT2vXyZa1BcD4eFgHi"
    dal.put(appointment(appt_id, 4102444800))

    def crash(event: dict[str, Any]) -> Any:
        raise RuntimeError("function crashed")

    poller = new_poller(ddb_table, crash)
    poller.drain()
    (message,) = poller.dead_letters
    assert message["DDBStreamBatchInfo"]["batchSize"] == 1
    import boto3

    boto3.client("sqs").send_message(QueueUrl=local_mail, MessageBody=json.dumps(message))
    counts = redrive.redrive(local_mail)
    assert counts["sent"] == 1
    assert len(mails_to(appt_id)) == 1
