"""DynamoDB stalls mid-hold: the engine (a DynamoDB Local this module starts itself) is paused with SIGSTOP
while a hold is in flight and resumed with SIGCONT. Whatever the timing — the first attempt answered late,
timed out and retried into its own write (refused, ALL_OLD names our hold id), or every attempt timed out
and the slot is read back — no slot stays held by a hold id no client was given.

The hold runs with the request budget of a 10 s function (shared/platform/budget.py), as the handler runs it.
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
from shared.platform import budget, clock, config, dal, keys
from shared.platform.errors import DomainError
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


def _client(call: Any, out: dict[str, Any]) -> None:
    """One client's request, with a 10 s function's budget: its answer, its refusal's code, or what crashed."""
    budget.start(_Context())
    try:
        out["answer"] = call()
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
        worker = threading.Thread(target=_client, args=(lambda: hold_for(slot_id, 1), out))
        worker.start()
        time.sleep(pause)
    finally:
        os.kill(engine.proc.pid, signal.SIGCONT)
    worker.join(30)
    assert not worker.is_alive()
    assert "crashed" not in out, out
    time.sleep(1.0)  # anything still queued in the engine lands now
    slot = dal.get(keys.slot_key(slot_id) or {}, consistent=True) or {}
    if "answer" in out:
        assert slot.get("status") == "held" and slot.get("holdId") == out["answer"], (out, slot)
    else:
        assert out["refused"] == "unavailable", out
        assert slot.get("status") == "free", (out, slot)  # nobody was told a hold id: none may stay


# ---------------------------------------------------------------- 20 clients, a 10 s stall, then their retries


def test_twenty_clients_through_a_ten_second_stall_retry_into_their_first_outcome(
        engine: ddb_local.DynamoDBLocal, slots_table: list[str]) -> None:
    """Ten patients hold a slot each and ten cancel their appointment while the engine stops for 10 s; each
    client answered 503 retries the same request once the engine is back. Every retry gets the outcome that
    was written (the same hold id; the cancelled appointment), and no slot is held by an id no client has."""
    from shared.booking import cancellation
    from shared.booking import holds as holds_module
    from shared.patients import callers
    from tests.integration.people import book, identity, make_patients

    holders = make_patients(9101, 10)
    cancellers = make_patients(9102, 10)
    hold_slots, booked_slots = slots_table[3:13], slots_table[13:23]
    assert len(booked_slots) == 10, "the seeded doctor has too few free slots for this test"
    appointments = []
    for slot_id, person in zip(booked_slots, cancellers, strict=True):
        outcome = book(slot_id, person, uuid.uuid4().hex)
        appointments.append(outcome.body["appointment"]["id"])

    def hold_call(slot_id: str, person: dict[str, Any]) -> Any:
        return lambda: holds_module.create_hold(slot_id, identity(person))["holdId"]

    def cancel_call(appointment_id: str, person: dict[str, Any]) -> Any:
        return lambda: cancellation.cancel(appointment_id, callers.by_policy(person["policyNumber"], None),
                                           "ru")["appointment"]["status"]

    calls = ([hold_call(s, p) for s, p in zip(hold_slots, holders, strict=True)]
             + [cancel_call(a, p) for a, p in zip(appointments, cancellers, strict=True)])
    outs: list[dict[str, Any]] = [{} for _ in calls]
    workers = [threading.Thread(target=_client, args=(call, out)) for call, out in zip(calls, outs, strict=True)]
    os.kill(engine.proc.pid, signal.SIGSTOP)
    try:
        for w in workers:
            w.start()
        time.sleep(10.0)
    finally:
        os.kill(engine.proc.pid, signal.SIGCONT)
    for w in workers:
        w.join(60)
    assert not any(w.is_alive() for w in workers)
    assert not [o for o in outs if "crashed" in o], outs
    assert {o.get("refused") for o in outs} <= {None, "unavailable"}, outs
    time.sleep(1.0)  # anything still queued in the engine lands now
    first_503 = sum("refused" in o for o in outs)
    # Each client answered 503 retries its request, as a client is told to (Retry-After).
    for call, out in zip(calls, outs, strict=True):
        if "refused" in out:
            del out["refused"]
            _client(call, out)
    assert not [o for o in outs if "answer" not in o], outs
    hold_ids = [o["answer"] for o in outs[:10]]
    for slot_id, hold_id in zip(hold_slots, hold_ids, strict=True):
        slot = dal.get(keys.slot_key(slot_id) or {}, consistent=True) or {}
        assert (slot.get("status"), slot.get("holdId")) == ("held", hold_id), (slot_id, slot, hold_id)
    assert [o["answer"] for o in outs[10:]] == ["cancelled"] * 10
    for slot_id, appointment_id in zip(booked_slots, appointments, strict=True):
        stored = dal.get(keys.appointment_key(appointment_id), consistent=True) or {}
        assert stored.get("status") == "cancelled"
        slot = dal.get(keys.slot_key(slot_id) or {}, consistent=True) or {}
        assert slot.get("status") == "free" and "appointmentId" not in slot
    print(f"{first_503} of 20 clients were answered 503 during the stall; every retry got the first outcome")
