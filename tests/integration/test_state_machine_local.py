"""The cross-feature state machine of tests/state_machine.py (`Clinic`: every actor through the
handlers, the stream fed to the offers function and the notifier, the invariants after every step), run on
DynamoDB Local instead of moto: a smaller run (LOCAL_EXAMPLES x LOCAL_STEPS) that checks the same rules
against the real engine's conditions, transactions and index reads.

The table is made and seeded once per test (tests/integration/conftest.py `ddb_table`, then the demo data of
the two clinics the moto suite seeds, TEST_DAYS days of slots); each example starts from it again: what the
previous example changed is put back (its new items deleted, its changed ones written as they were seeded),
which `LocalBackend.restore` checks by reading the table again. Email goes to moto's server, as in the local
stack (infra/local/outbox.py).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from infra import ddb_local
from infra.local import outbox
from shared.notify import outbound
from shared.platform import config
from tests.conftest import TEST_CLINICS, TEST_DAYS
from tests.state_machine import SENDER, Backend, Key, run_machine

pytestmark = pytest.mark.integration

LOCAL_EXAMPLES = int(os.environ.get("STATE_MACHINE_LOCAL_EXAMPLES", "5"))
LOCAL_STEPS = int(os.environ.get("STATE_MACHINE_LOCAL_STEPS", "15"))


class LocalBackend(Backend):
    """A DynamoDB Local table: read whole by a consistent Scan; restored by undoing what changed since it was
    seeded."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table
        self.seeded = self.items()

    def items(self) -> dict[Key, dict[str, Any]]:
        out: dict[Key, dict[str, Any]] = {}
        for page in self.client.get_paginator("scan").paginate(TableName=self.table, ConsistentRead=True):
            for item in page["Items"]:
                out[(item["PK"]["S"], item["SK"]["S"])] = item
        return out

    def restore(self) -> None:
        now = self.items()
        requests = [{"DeleteRequest": {"Key": {"PK": now[k]["PK"], "SK": now[k]["SK"]}}}
                    for k in now if k not in self.seeded]
        requests += [{"PutRequest": {"Item": item}} for k, item in self.seeded.items() if now.get(k) != item]
        for n in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.table: requests[n:n + 25]}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        assert self.items() == self.seeded, "the table is not as seeded after the restore"


@pytest.fixture
def local_mail(ddb_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's SES/SQS server, as `make run` has it (tests/integration/test_stream_local.py), and the notifier's
    settings."""
    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    monkeypatch.setenv("REPLY_TO_EMAIL", "registry@zapis.example.org")
    monkeypatch.setenv("SES_CONFIGURATION_SET", "")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://zapis.example.org")
    monkeypatch.delenv("OPENER_QUEUE_URL", raising=False)
    outbox.start(ddb_local.free_port())
    for name, value in outbox.client_env().items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    outbound.reset_clients()
    try:
        yield
    finally:
        outbound.reset_clients()
        outbox.stop()


def test_clinic_state_machine_on_dynamodb_local(ddb_table: str, ddb_client: Any, local_mail: None) -> None:
    from infra import seed

    seed.seed(TEST_CLINICS, days=TEST_DAYS)
    run_machine(LocalBackend(ddb_client, ddb_table), LOCAL_EXAMPLES, LOCAL_STEPS)
