"""Fixtures shared by every suite: AWS settings that never reach a real account, and a moto table built
from template.yaml with demo data for two clinics."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from shared import config, dal, memo, observability

TEST_CLINICS = {"cl0101", "cl0102"}
# moto copies the whole table on every transaction (to roll back): a few days of slots keep the suites fast.
TEST_DAYS = 5


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("LOOKUP_CACHE_SECONDS", raising=False)
    monkeypatch.setenv("TABLE_NAME", "zapis-test")
    monkeypatch.setenv("POLICY_HASH_KEY", "test-policy-key")
    monkeypatch.setenv("HOLD_SECONDS", "300")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "zapis")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Zapis")
    config.settings.cache_clear()
    dal.reset_client()
    memo.forget()
    yield
    config.settings.cache_clear()
    dal.reset_client()
    # Powertools keeps metrics in class-level state shared by every Metrics(): a test that adds one without
    # flushing must not leave it for the next test's flush.
    observability.metrics().clear_metrics()


@pytest.fixture
def moto_table() -> Iterator[str]:
    """A moto DynamoDB table created from template.yaml, seeded with the demo data of TEST_CLINICS
    (TEST_DAYS days of slots)."""
    from moto import mock_aws

    with mock_aws():
        import boto3

        from infra import seed, template

        template.create_table(boto3.client("dynamodb"), "zapis-test")
        seed.seed(TEST_CLINICS, days=TEST_DAYS)
        yield "zapis-test"


@pytest.fixture
def dynamodb_calls(moto_table: str) -> Iterator[Counter[str]]:
    """DynamoDB operations sent through shared.dal's client from now on, by name (a botocore hook)."""
    counted: Counter[str] = Counter()

    def count(model, **_kwargs) -> None:  # type: ignore[no-untyped-def]
        counted[model.name] += 1

    client = dal.client()
    client.meta.events.register("before-call.dynamodb", count)
    yield counted
    client.meta.events.unregister("before-call.dynamodb", count)
