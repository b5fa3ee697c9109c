"""Fixtures shared by every suite: AWS settings that never reach a real account, and a moto table built
from template.yaml with demo data for two clinics."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from shared.platform import budget, config, dal, memo, observability

TEST_CLINICS = {"cl0101", "cl0102"}
# moto copies the whole table on every transaction (to roll back): a few days of slots keep the suites fast.
# A week: whatever weekday the suite runs on, days 2-4 ahead hold working days (tests book "3 days ahead").
TEST_DAYS = 7


def pytest_configure(config: pytest.Config) -> None:
    from tests import moto_fast

    moto_fast.install()  # moto's transactions without a whole-table copy each (tests/moto_fast.py)


AWS_ENV = {
    "AWS_DEFAULT_REGION": "eu-north-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "TABLE_NAME": "zapis-test",
    "POLICY_HASH_KEY": "test-policy-key",
    "HOLD_SECONDS": "300",
    "POWERTOOLS_SERVICE_NAME": "zapis",
    "POWERTOOLS_METRICS_NAMESPACE": "Zapis",
}


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("LOOKUP_CACHE_SECONDS", raising=False)
    config.settings.cache_clear()
    dal.reset_client()
    memo.forget()
    yield
    config.settings.cache_clear()
    dal.reset_client()
    budget.clear()  # a test that started a request's budget (and failed before ending it) must not leak it
    # Powertools keeps metrics in class-level state shared by every Metrics(): a test that adds one without
    # flushing must not leave it for the next test's flush.
    observability.metrics().clear_metrics()


TABLE = "zapis-test"


@pytest.fixture(scope="session")
def _seeded_table() -> Iterator[dict[Any, dict[Any, Any]]]:
    """One moto mock for the whole session: the table is created and seeded once; each test's table starts
    as new dicts over these items (moto changes an item in place only in UpdateItem, which tests/moto_fast.py
    makes copy first), so a test never sees another's writes and costs no seeding."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as mp, mock_aws():
        for name, value in AWS_ENV.items():
            mp.setenv(name, value)
        config.settings.cache_clear()
        dal.reset_client()
        _create_and_seed()
        yield {hash_key: dict(by_sk) for hash_key, by_sk in _moto_table().items.items()}
        dal.reset_client()


def _moto_table() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][AWS_ENV["AWS_DEFAULT_REGION"]].tables.get(TABLE)


def moto_items() -> list[dict[str, Any]]:
    """Every item of the moto table, in the wire format (as a Scan would return them, without the Scan)."""
    return [item.to_json()["Attributes"] for by_sk in _moto_table().items.values() for item in by_sk.values()]


def _create_and_seed() -> None:
    import boto3

    from infra import seed, template

    template.create_table(boto3.client("dynamodb"), TABLE)
    seed.seed(TEST_CLINICS, days=TEST_DAYS)


@pytest.fixture
def moto_table(_seeded_table: dict[Any, dict[Any, Any]]) -> str:
    """A moto DynamoDB table created from template.yaml, seeded with the demo data of TEST_CLINICS
    (TEST_DAYS days of slots), as it was right after seeding; SES and SQS of the same mock start empty."""
    return _restore(_seeded_table)


@pytest.fixture
def register_table(_seeded_table: dict[Any, dict[Any, Any]]) -> str:
    """Like `moto_table` but without slots (the reference data and the registers only): moto answers an index
    Query by reading every item, so the attachment tests that need no slot run faster without them."""
    return _restore(_seeded_table, without_slots=True)


def _restore(seeded: dict[Any, dict[Any, Any]], without_slots: bool = False) -> str:
    from collections import defaultdict

    import boto3
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    from moto.sesv2.models import sesv2_backends
    from moto.sqs.models import sqs_backends

    for backends in (ses_backends, sesv2_backends, sqs_backends):
        backends[DEFAULT_ACCOUNT_ID].reset()
    if _moto_table() is None:  # another mock (a unit test's own) reset every backend meanwhile
        from infra import template

        template.create_table(boto3.client("dynamodb"), TABLE)
    table = _moto_table()
    if without_slots:
        table.items = defaultdict(dict, {h: {sk: item for sk, item in by_sk.items()
                                             if item.attrs["entity"].value != "slot"} for h, by_sk in seeded.items()})
    else:
        table.items = defaultdict(dict, {h: dict(by_sk) for h, by_sk in seeded.items()})
    if table.stream_shard is not None:
        table.stream_shard.items = []
    return TABLE


@pytest.fixture
def dynamodb_calls(moto_table: str) -> Iterator[Counter[str]]:
    """DynamoDB operations sent through shared.platform.dal's client from now on, by name (a botocore hook)."""
    counted: Counter[str] = Counter()

    def count(model, **_kwargs) -> None:  # type: ignore[no-untyped-def]
        counted[model.name] += 1

    from shared.platform import clients

    # Every client dal may use: the plain one, and those whose timeouts fit a request's budget.
    every = [clients.client("dynamodb", profile) for profile in ("", "request", "last")]
    for client in every:
        client.meta.events.register("before-call.dynamodb", count)
    yield counted
    for client in every:
        client.meta.events.unregister("before-call.dynamodb", count)
