"""DynamoDB Local for the integration suite.

`ddb_endpoint` (session): one DynamoDB Local per test process (per xdist worker), on a free port.
Skips when Java or npm is missing, except under CI=true where that is a failure.
`ddb_table` (function): a fresh table shaped like template.yaml's, with the environment pointing
boto3 in this process at it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import boto3
import pytest

from infra import ddb_local
from infra.template import create_table

REGION = "eu-north-1"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def ddb_endpoint() -> Iterator[str]:
    try:
        server = ddb_local.start(ddb_local.free_port())
    except ddb_local.DynamoDBLocalUnavailable as exc:
        if _in_ci():
            pytest.fail(f"DynamoDB Local unavailable in CI: {exc}", pytrace=False)
        pytest.skip(f"DynamoDB Local unavailable: {exc}")
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


def _reset_app_caches() -> None:
    """The shared package caches its settings and boto3 client; make them see the new env."""
    try:
        from shared import config, dal
    except ImportError:
        return
    for reset in (getattr(config.settings, "cache_clear", None), getattr(dal, "reset_client", None)):
        if callable(reset):
            reset()
