"""Issue 12 against DynamoDB Local: one patient holds one slot at a time however many holds race, and the
per-policy limiter of failed identity checks never answers more failures than its threshold.

Threads call the domain (shared.booking.holds, shared.patients.limiter) directly, as the handlers do after parsing (the
Powertools resolver is not thread-safe); outcomes are counted by DomainError.code, and the table itself is
checked afterwards.
"""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.booking import holds
from shared.catalogue import lookup
from shared.patients import limiter
from shared.platform import clock, config, dal, keys, statuses
from shared.platform.errors import DomainError
from tests.integration.people import identity, make_patients

pytestmark = pytest.mark.integration

CLINIC = "cl0101"
THREADS = 20


def held_slots(owner: str) -> list[dict[str, Any]]:
    now = clock.now()
    out = []
    for page in dal.client().get_paginator("scan").paginate(TableName=dal.table()):
        for raw in page["Items"]:
            item = dal.from_item(raw) or {}
            if (item.get("status") == statuses.HELD and item.get("holdOwner") == owner
                    and int(item.get("holdExpiresAt", 0)) > now):
                out.append(item)
    return out


def test_one_patient_holding_twenty_slots_at_once_ends_with_one_held(table: str) -> None:
    person = make_patients(12, 1)[0]
    who = identity(person)
    slots = [s["id"] for s in lookup.doctor_slots("cl0101-d01", None, None)][:THREADS]
    assert len(slots) == THREADS

    def attempt(slot_id: str) -> str:
        try:
            return holds.create_hold(slot_id, who)["holdId"]
        except DomainError as refused:
            return refused.code

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(attempt, slots))
    won = [o for o in outcomes if keys.slot_of_hold(o)]
    assert won, outcomes  # at least one hold was taken
    held = held_slots(who.policy_hash)
    assert len(held) == 1, [h["slotId"] for h in held]
    pointer = dal.get(keys.active_hold_key(who.policy_hash), consistent=True)
    assert pointer and pointer["holdId"] == held[0]["holdId"]
    assert {o for o in outcomes if not keys.slot_of_hold(o)} <= {"unavailable"}


def test_two_patients_each_keep_their_own_hold(table: str) -> None:
    first, second = make_patients(13, 2)
    slots = [s["id"] for s in lookup.doctor_slots("cl0101-d01", None, None)][:4]
    holds.create_hold(slots[0], identity(first))
    holds.create_hold(slots[1], identity(second))
    holds.create_hold(slots[2], identity(first))  # releases slots[0], leaves the second patient's alone
    assert [h["slotId"] for h in held_slots(identity(first).policy_hash)] == [slots[2]]
    assert [h["slotId"] for h in held_slots(identity(second).policy_hash)] == [slots[1]]


def test_limiter_under_concurrency_never_answers_more_failures_than_the_threshold(
        table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDENTITY_FAILURES_MAX", "5")
    config.settings.cache_clear()
    policy_hash = "f" * 40

    def failing_check(_: int) -> str:
        try:
            with limiter.counting(policy_hash):
                raise DomainError("patient_not_found")
        except DomainError as refused:
            return refused.code

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = Counter(pool.map(failing_check, range(3 * THREADS)))
    assert outcomes["patient_not_found"] == 5, outcomes
    assert outcomes["rate_limited"] == 3 * THREADS - 5, outcomes
    item = dal.get(keys.limiter_key(policy_hash), consistent=True)
    assert item and int(item["failures"]) == 5
    config.settings.cache_clear()
