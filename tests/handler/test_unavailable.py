"""Contention and throttling: retried with jittered backoff, then 503 `unavailable` with Retry-After, and
never a partial booking. DynamoDB's errors are injected on the client; the table is moto's."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from shared import dal
from tests.handler.helpers import anonymous_event, free_slots
from tests.support import invoke, load_function, patients_of


def _conflict(*_args: Any, **_kwargs: Any) -> None:
    raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                       "CancellationReasons": [{"Code": "TransactionConflict"}, {"Code": "None"},
                                               {"Code": "None"}, {"Code": "None"}, {"Code": "None"}]},
                      "TransactWriteItems")


def _throttled(*_args: Any, **_kwargs: Any) -> None:
    raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "BatchGetItem")


def _timeout(*_args: Any, **_kwargs: Any) -> None:
    raise ReadTimeoutError(endpoint_url="http://dynamodb")


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(dal.time, "sleep", slept.append)
    return slept


def _invoke_raw(event: dict[str, Any]) -> dict[str, Any]:
    from tests.support import Context

    return load_function("booking").handler(event, Context())


@pytest.mark.parametrize(("operation", "failure"), [
    ("transact_write_items", _conflict),
    ("batch_get_item", _throttled),
    ("batch_get_item", _timeout),
])
def test_contention_ends_in_503_with_retry_after_and_nothing_written(
        moto_table: str, monkeypatch: pytest.MonkeyPatch, no_sleep: list[float], operation: str, failure: Any) -> None:
    slot = free_slots()[0]
    event = anonymous_event(slot, patients_of("cl0101")[0], key="contended")
    client = dal.client()
    calls: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        failure(*args, **kwargs)

    original = getattr(client, operation)
    monkeypatch.setattr(client, operation, failing)
    response = _invoke_raw(event)
    assert response["statusCode"] == 503
    assert '"unavailable"' in response["body"]
    assert int(response["headers"]["Retry-After"]) >= 1
    assert len(calls) == dal.MAX_ATTEMPTS  # tried again, then gave up
    assert len(no_sleep) == dal.MAX_ATTEMPTS - 1 and all(0 <= s <= 0.4 for s in no_sleep)
    assert len(set(no_sleep)) > 1  # jittered, not a fixed wait
    setattr(client, operation, original)
    # Nothing was written: the slot is still free and the same request now books it.
    status, body = invoke("booking", event)
    assert status == 201, body


def test_a_conflict_that_clears_is_retried_into_a_booking(moto_table: str, monkeypatch: pytest.MonkeyPatch,
                                                          no_sleep: list[float]) -> None:
    slot = free_slots()[0]
    event = anonymous_event(slot, patients_of("cl0101")[0], key="clears")
    client = dal.client()
    real = client.transact_write_items
    attempts: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        attempts.append(1)
        if len(attempts) < 3:
            _conflict()
        return real(*args, **kwargs)

    monkeypatch.setattr(client, "transact_write_items", flaky)
    status, body = invoke("booking", event)
    assert status == 201, body
    assert len(attempts) == 3
