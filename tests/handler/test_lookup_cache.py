"""The lookup's per-instance memo (LOOKUP_CACHE_SECONDS, 1 s when deployed): identical reads within the
interval cost no DynamoDB request, a stale answer never lists a slot that has started, and the memo
expires on time. Time is moved with monkeypatch; nothing here measures wall-clock time."""
from __future__ import annotations

from collections import Counter

import pytest

from shared.platform import config, memo
from tests.handler.helpers import hold, hold_event, start_of
from tests.support import http_event, invoke, patients_of


@pytest.fixture
def cached(dynamodb_calls: Counter[str], monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    monkeypatch.setenv("LOOKUP_CACHE_SECONDS", "1")
    config.settings.cache_clear()
    memo.forget()
    return dynamodb_calls


def _slots(doctor: str = "cl0101-d01") -> list[str]:
    status, body = invoke("lookup", http_event("GET", f"/v1/doctors/{doctor}/slots"))
    assert status == 200, body
    return [s["id"] for s in body["items"]]


def test_identical_reads_within_the_interval_cost_one_query(cached: Counter[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    clock_ = [100.0]
    monkeypatch.setattr(memo, "ticks", lambda: clock_[0])
    first = _slots()
    second = _slots("cl0101-d02")
    assert first and second
    cached.clear()
    clock_[0] = 100.5
    assert _slots() == first
    assert cached["Query"] == 0
    clock_[0] = 101.2  # past the interval: read again
    assert _slots() == first
    assert cached["Query"] == 1


def test_a_slot_this_instance_saw_taken_is_not_written_again(
        cached: Counter[str], monkeypatch: pytest.MonkeyPatch) -> None:
    clock_ = [200.0]
    monkeypatch.setattr(memo, "ticks", lambda: clock_[0])
    first = _slots()
    hold(first[0])  # held through this (booking) instance
    cached.clear()
    other = hold_event(first[0], patients_of("cl0101")[1])
    status, body = invoke("booking", other)
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    assert sum(cached.values()) == 0  # refused from memory: no failed conditional write
    clock_[0] = 201.5  # a moment later the instance asks DynamoDB again, whose condition still refuses
    status, body = invoke("booking", other)
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    assert cached["TransactWriteItems"] == 1


def test_a_remembered_list_never_shows_a_started_slot(cached: Counter[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo, "ticks", lambda: 500.0)
    first = _slots()
    later = start_of(first[0]) + 1
    monkeypatch.setattr("shared.platform.clock.now", lambda: later)
    cached.clear()
    again = _slots()
    assert first[0] not in again
    assert all(start_of(s) > later for s in again)


def test_unknown_doctor_is_remembered_and_still_not_found(cached: Counter[str]) -> None:
    for _ in range(3):
        status, body = invoke("lookup", http_event("GET", "/v1/doctors/cl0101-d99/slots"))
        assert (status, body["error"]["code"]) == (404, "not_found")
    assert cached["GetItem"] == 1


def test_without_the_setting_nothing_is_remembered(dynamodb_calls: Counter[str]) -> None:
    _slots()
    _slots()
    assert dynamodb_calls["Query"] == 2
