"""Contention is retried with jittered backoff (`dal.with_retries`); throttling and timeouts are botocore's
to retry (standard mode), so what reaches us is answered at once. Either way 503 `unavailable` with
Retry-After, and never a partial booking. DynamoDB's errors are injected on the client; the table is moto's."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from shared.platform import clients, dal
from shared.platform.errors import DomainError
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


@pytest.mark.parametrize(("operation", "failure", "tries"), [
    ("transact_write_items", _conflict, dal.MAX_ATTEMPTS),
    ("batch_get_item", _throttled, 1),
    ("batch_get_item", _timeout, 1),
    ("transact_write_items", _timeout, 1),
])
def test_contention_ends_in_503_with_retry_after_and_nothing_written(
        moto_table: str, monkeypatch: pytest.MonkeyPatch, no_sleep: list[float], operation: str, failure: Any,
        tries: int) -> None:
    slot = free_slots()[0]
    event = anonymous_event(slot, patients_of("cl0101")[0], key="contended")
    client = clients.client("dynamodb", "request")  # the client a request uses
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
    assert len(calls) == tries  # contention tried again, then given up; botocore's retries not repeated
    assert len(no_sleep) == tries - 1 and all(0 <= s <= 0.4 for s in no_sleep)
    if tries > 2:
        assert len(set(no_sleep)) > 1  # jittered, not a fixed wait
    setattr(client, operation, original)
    # Nothing was written: the slot is still free and the same request now books it.
    status, body = invoke("booking", event)
    assert status == 201, body


def test_a_conflict_that_clears_is_retried_into_a_booking(moto_table: str, monkeypatch: pytest.MonkeyPatch,
                                                          no_sleep: list[float]) -> None:
    slot = free_slots()[0]
    event = anonymous_event(slot, patients_of("cl0101")[0], key="clears")
    client = clients.client("dynamodb", "request")  # the client a request uses
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


def test_an_exhausted_budget_answers_503_before_any_call(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Less than one attempt's worth of time left: no DynamoDB call starts, the answer is 503 at once."""
    from tests.support import Context

    slot = free_slots()[0]
    event = anonymous_event(slot, patients_of("cl0101")[0], key="late")
    calls: list[str] = []
    for profile in ("request", "last"):
        monkeypatch.setattr(clients.client("dynamodb", profile), "batch_get_item",
                            lambda **_kw: calls.append("batch_get_item"))

    class Late(Context):
        def get_remaining_time_in_millis(self) -> int:
            return 3_500  # minus the 1 s margin: less than one attempt (1 s connect + 2 s read)

    response = load_function("booking").handler(event, Late())
    assert response["statusCode"] == 503
    assert int(response["headers"]["Retry-After"]) >= 1
    assert calls == []


def test_a_short_budget_gets_the_client_without_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from shared.platform import budget

    # The budget's clock stands still: making a client on a busy machine must not eat the budget under test.
    monkeypatch.setattr(budget, "time", types.SimpleNamespace(monotonic=lambda: 1000.0))

    class Ctx:
        def __init__(self, ms: int) -> None:
            self.ms = ms

        def get_remaining_time_in_millis(self) -> int:
            return self.ms

    budget.start(Ctx(10_000))
    assert budget.attempts() == 2
    budget.start(Ctx(5_000))
    assert budget.attempts() == 1
    assert dal.client() is clients.client("dynamodb", "last")
    assert dal.client().meta.config.retries["total_max_attempts"] == 1
    budget.start(Ctx(10_000))
    assert dal.client() is clients.client("dynamodb", "request")
    assert dal.client().meta.config.retries["total_max_attempts"] == clients.MAX_ATTEMPTS
    assert dal.client().meta.config.read_timeout == clients.READ_TIMEOUT
    budget.start(Ctx(2_000))
    with pytest.raises(DomainError):
        dal.client()
    budget.clear()
    assert budget.attempts() == 0
    assert dal.client() is clients.client("dynamodb")
