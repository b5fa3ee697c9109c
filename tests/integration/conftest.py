"""DynamoDB Local for the integration suite.

`ddb_endpoint` (session): one DynamoDB Local per test process (per xdist worker), on a free port.
Skips when Java or npm is missing, except under CI=true where that is a failure.
`ddb_table` (function): a fresh table shaped like template.yaml's, with the environment pointing
boto3 in this process at it. `table` (function): the same, with clinic cl0101's demo data (the races').
`world` (function): cl0101, the race patients and a week of one doctor's slots, with a settable clock
(tests/integration/world.py). `start_engine()`: a DynamoDB Local of one's own (the session's must not be paused).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra import ddb_local
from infra.template import create_table

REGION = "eu-north-1"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def start_engine() -> ddb_local.DynamoDBLocal:
    """A DynamoDB Local on a free port; a missing Java or npm skips the test, or fails it under CI=true."""
    try:
        return ddb_local.start(ddb_local.free_port())
    except ddb_local.DynamoDBLocalUnavailable as exc:
        if _in_ci():
            pytest.fail(f"DynamoDB Local unavailable in CI: {exc}", pytrace=False)
        pytest.skip(f"DynamoDB Local unavailable: {exc}")


@pytest.fixture(scope="session")
def ddb_endpoint() -> Iterator[str]:
    server = start_engine()
    try:
        yield server.endpoint
    finally:
        server.stop()


def local_client(endpoint: str):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture
def ddb_client(ddb_endpoint: str):
    return local_client(ddb_endpoint)


@pytest.fixture
def ddb_table(ddb_endpoint: str, ddb_client, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"it-{uuid.uuid4().hex[:12]}"
    create_table(ddb_client, name)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", ddb_endpoint)
    monkeypatch.setenv("TABLE_NAME", name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    _reset_app_caches()
    try:
        yield name
    finally:
        _reset_app_caches()
        ddb_client.delete_table(TableName=name)


@pytest.fixture
def table(ddb_table: str) -> Iterator[str]:
    """A fresh DynamoDB Local table with clinic cl0101's demo data."""
    from infra import seed

    _reset_app_caches()
    seed.seed({"cl0101"})
    yield ddb_table


@pytest.fixture
def world(ddb_table: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """cl0101's reference data, the race patients attached to it, and a week of one doctor's slots.
    The clock is a settable value, so every thread sees the same moved time."""
    from infra.demo import data
    from shared.platform import clock, dal
    from tests.integration.world import CLINIC, DOCTOR, PEOPLE

    now = {"t": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: now["t"])
    today = clock.local_date(now["t"])
    items = [i for i in data.reference_items() if i["entity"] == "district" or CLINIC in i["PK"] or CLINIC in i["SK"]]
    items += data.register_items(PEOPLE)
    doctor = next(d for d in data.doctors(next(c for c in data.clinics() if c["id"] == CLINIC)) if d["id"] == DOCTOR)
    slots = data.slot_items(doctor, today, days=7)  # a week: whatever the weekday, working days ahead
    dal.batch_write(items + slots)
    ahead = [s["slotId"] for s in slots if s["start"] > now["t"] + 86400]
    assert len(ahead) >= 30
    return {"clock": now, "slots": ahead}


def _reset_app_caches() -> None:
    """The shared package caches its settings and boto3 client; make them see the new env."""
    try:
        from shared.platform import config, dal
    except ImportError:
        return
    for reset in (getattr(config.settings, "cache_clear", None), getattr(dal, "reset_client", None)):
        if callable(reset):
            reset()
