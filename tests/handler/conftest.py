"""Fixtures of the handler suite (moto). The seeded table itself is tests/conftest.py's `moto_table`."""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from shared.notify import outbound
from shared.platform import config
from shared.platform.observability import logger

SENDER = "no-reply@zapis.example.org"


@pytest.fixture
def captured_logs(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
                  monkeypatch: pytest.MonkeyPatch) -> Any:
    """A function returning what was logged since its last call: JSON log lines and standard log records.
    Tests call it once first, inside the test, to start capturing."""
    caplog.set_level(logging.INFO)

    def text() -> str:
        # The logger's handler holds the stdout of import time, and pytest swaps capsys's stream between
        # setup and call: point the handler at the stream capturing right now.
        monkeypatch.setattr(logger.registered_handler, "stream", sys.stdout)
        out, err = capsys.readouterr()
        records = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
        caplog.clear()
        return "\n".join([out, err, records])

    return text


@pytest.fixture
def notifier(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """SES with the verified sender, the dead-letter queue, the notifier's settings; yields the queue URL."""
    import boto3

    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    monkeypatch.setenv("REPLY_TO_EMAIL", "registry@zapis.example.org")
    monkeypatch.setenv("SES_CONFIGURATION_SET", "zapis-k-vrachu")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://zapis.example.org")
    boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    url = boto3.client("sqs").create_queue(QueueName="notifier-dlq")["QueueUrl"]
    monkeypatch.setenv("NOTIFIER_DLQ_URL", url)
    config.settings.cache_clear()  # the settings just set
    outbound.reset_clients()
    yield url
    outbound.reset_clients()
