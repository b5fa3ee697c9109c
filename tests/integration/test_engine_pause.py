"""DynamoDB stalls mid-hold: the engine (a DynamoDB Local this module starts itself) is paused with SIGSTOP
while a hold is in flight and resumed with SIGCONT. Whatever the timing — the first attempt answered late,
timed out and retried into its own write (refused, ALL_OLD names our hold id), or every attempt timed out
and the slot is read back — no slot stays held by a hold id no client was given.

The hold runs with the request budget of a 10 s function (shared/budget.py), as the handler runs it.
"""
from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infra import ddb_local, seed
from infra.template import create_table
from shared import budget, clock, config, dal, keys
from shared.errors import DomainError
from tests.integration.conftest import local_client, start_engine
from tests.support import hold_for

pytestmark = pytest.mark.integration

CLINIC = "cl0101"


class _Context:
    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@pytest.fixture(scope="module")
def engine() -> Iterator[ddb_local.DynamoDBLocal]:
    """Our own DynamoDB Local: pausing the session's would stall other tests."""
    server = start_engine()
    try:
        yield server
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
        server.stop()


def _env(engine: ddb_local.DynamoDBLocal, table: str) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_DYNAMODB": engine.endpoint, "TABLE_NAME": table, "AWS_DEFAULT_REGION": "eu-north-1",
            "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


def _use(mp: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for k, v in env.items():
        mp.setenv(k, v)
    mp.delenv("AWS_PROFILE", raising=False)
    config.settings.cache_clear()
    dal.reset_client()


@pytest.fixture(scope="module")
def seeded(engine: ddb_local.DynamoDBLocal) -> Iterator[tuple[dict[str, str], list[str]]]:
    env = _env(engine, f"pause-{uuid.uuid4().hex[:8]}")
    with pytest.MonkeyPatch.context() as mp:
        _use(mp, env)
        create_table(local_client(engine.endpoint), env["TABLE_NAME"])
        seed.seed({CLINIC})
        now = clock.now()
        free, _ = dal.query("PK = :pk AND SK > :from", {":pk": keys.doctor_pk(f"{CLINIC}-d01"),
                                                        ":from": keys.slot_sk(now + 3600)}, consistent=True)
        yield env, [keys.slot_id(f"{CLINIC}-d01", int(s["start"])) for s in free if s.get("status") == "free"]
    config.settings.cache_clear()
    dal.reset_client()


@pytest.fixture
def slots_table(seeded: tuple[dict[str, str], list[str]], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    _use(monkeypatch, seeded[0])  # after the suite's own per-test environment
    return seeded[1]


def _hold(slot_id: str, out: dict[str, Any]) -> None:
    budget.start(_Context())
    try:
        out["hold"] = hold_for(slot_id, 1)
    except DomainError as exc:
        out["refused"] = exc.code
    except Exception as exc:
        out["crashed"] = repr(exc)
    finally:
        budget.clear()


@pytest.mark.parametrize(("index", "pause"), [(0, 1.0), (1, 3.0), (2, 5.0)])
def test_no_slot_stays_held_by_an_id_nobody_knows(engine: ddb_local.DynamoDBLocal, slots_table: list[str],
                                                  index: int, pause: float) -> None:
    slot_id = slots_table[index]
    out: dict[str, Any] = {}
    os.kill(engine.proc.pid, signal.SIGSTOP)
    try:
        worker = threading.Thread(target=_hold, args=(slot_id, out))
        worker.start()
        time.sleep(pause)
    finally:
        os.kill(engine.proc.pid, signal.SIGCONT)
    worker.join(30)
    assert not worker.is_alive()
    assert "crashed" not in out, out
    time.sleep(1.0)  # anything still queued in the engine lands now
    slot = dal.get(keys.slot_key(slot_id) or {}, consistent=True) or {}
    if "hold" in out:
        assert slot.get("status") == "held" and slot.get("holdId") == out["hold"], (out, slot)
    else:
        assert out["refused"] == "unavailable", out
        assert slot.get("status") == "free", (out, slot)  # nobody was told a hold id: none may stay
