"""In-process sections, through the handlers as Lambda runs them: DynamoDB round trips and consumed capacity
per operation, a slot look-up's cost at two table sizes, warm overhead against bare boto3, and the rush."""
from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench import common
from bench.common import METER, Call

POPULAR_DOCTOR = "cl0102-d02"  # therapist, the afternoon shift: 18 slots of 20 minutes


# ---------------------------------------------------------------- events and patients
def http(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
         query: dict[str, str] | None = None, claims: dict[str, str] | None = None) -> dict[str, Any]:
    from infra.local.events import http_event

    return http_event(method, path, body=None if body is None else json.dumps(body, ensure_ascii=False),
                      headers=headers or {}, query=query or {}, claims=claims)


def bench_patients(count: int, clinic_id: str = "cl0101", first: int = 0) -> list[dict[str, Any]]:
    """Synthetic attached patients (policy numbers 7899...): enough for the rush without the demo's three."""
    last = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков"]
    first_names = ["Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Николай"]
    out = []
    for n in range(first, first + count):
        out.append({"lastName": last[n % len(last)], "firstName": first_names[n % len(first_names)],
                    "middleName": None, "birthDate": f"{1950 + n % 50}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    "policyNumber": f"7899{n:012d}", "policySeries": None, "clinicId": clinic_id,
                    "email": f"patient{n}@example.org"})
    return out


def register(people: list[dict[str, Any]]) -> None:
    from infra.demo import data
    from shared.platform import dal

    dal.batch_write(data.register_items(people))


def patient_body(p: dict[str, Any]) -> dict[str, Any]:
    return {k: p[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber", "policySeries",
                              "email") if p.get(k) is not None}


def claims_of(p: dict[str, Any]) -> dict[str, str]:
    c = {"sub": f"bench-{p['policyNumber']}", "family_name": p["lastName"], "given_name": p["firstName"],
         "birthdate": p["birthDate"], "email": p["email"], "oms_policy_number": p["policyNumber"]}
    if p.get("policySeries"):
        c["oms_policy_series"] = p["policySeries"]
    return c


def slots_event(doctor_id: str, day: str | None = None) -> dict[str, Any]:
    from shared.platform import clock

    day = day or (clock.local_date(common.FROZEN_NOW + 86400)).isoformat()
    return http("GET", f"/v1/doctors/{doctor_id}/slots", query={"from": day, "to": day})


def hold_event(slot_id: str, p: dict[str, Any]) -> dict[str, Any]:
    """An anonymous hold for `p` (a hold belongs to a patient: policy, last name, birth date)."""
    who = {k: p[k] for k in ("lastName", "birthDate", "policyNumber", "policySeries") if p.get(k) is not None}
    return http("POST", "/v1/holds", {"slotId": slot_id, "patient": who}, {"content-type": "application/json"})


def book_event(slot_id: str, p: dict[str, Any], hold_id: str | None = None, key: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"slotId": slot_id, "patient": patient_body(p)}
    if hold_id:
        body["holdId"] = hold_id
    return http("POST", "/v1/appointments", body,
                {"content-type": "application/json", "idempotency-key": key or str(uuid.uuid4())})


def cancel_event(appointment_id: str, p: dict[str, Any]) -> dict[str, Any]:
    return http("POST", f"/v1/appointments/{appointment_id}/cancel", {"policyNumber": p["policyNumber"]},
                {"content-type": "application/json"})


def reschedule_event(appointment_id: str, slot_id: str, p: dict[str, Any]) -> dict[str, Any]:
    return http("POST", f"/v1/appointments/{appointment_id}/reschedule",
                {"policyNumber": p["policyNumber"], "slotId": slot_id},
                {"content-type": "application/json", "idempotency-key": str(uuid.uuid4())})


def history_event(p: dict[str, Any]) -> dict[str, Any]:
    return http("GET", "/v1/me/appointments", headers={"authorization": "Bearer bench"}, claims=claims_of(p))


def free_slot_ids(doctor_id: str, day: str | None = None) -> list[str]:
    status, body = common.invoke("lookup", slots_event(doctor_id, day))
    assert status == 200, body
    return [s["id"] for s in body["items"]]


# ---------------------------------------------------------------- round trips and capacity
def _summary(calls: list[Call]) -> dict[str, Any]:
    names = Counter(c.op + ("" if c.ok else f" ({c.error})") for c in calls)
    out: dict[str, Any] = {
        "round_trips": len(calls),
        "calls": [f"{n} × {op}" if n > 1 else op for op, n in names.items()],
        "read_units": round(sum(c.read for c in calls), 2),
        "write_units": round(sum(c.write for c in calls), 2),
        "capacity_reported": all(c.capacity for c in calls),
    }
    if any(not c.ok and c.op in {"UpdateItem", "PutItem", "DeleteItem", "TransactWriteItems"} for c in calls):
        # DynamoDB reports no ConsumedCapacity with a failed condition, yet bills it (1 WRU per KB written,
        # twice that for a transaction): the simulation and docs/COST.md count it.
        out["note"] = "a refused conditional write: billed by AWS, not reported in the answer"
    return out


def measured(fn: str, ev: dict[str, Any]) -> tuple[int, Any, dict[str, Any]]:
    with METER.measure() as calls:
        status, body = common.invoke(fn, ev)
    return status, body, _summary(calls)


def round_trips() -> dict[str, Any]:
    """Each operation once, through its handler, on slots of cl0102 no other section touches."""
    people = bench_patients(3, "cl0102", first=900_000)
    register(people)
    alice, bob = people[0], people[1]
    doctor = "cl0102-d01"
    out: dict[str, Any] = {}

    status, _, out["lookup: a doctor's free slots (one day)"] = measured("lookup", slots_event(doctor))
    assert status == 200
    slots = free_slot_ids(doctor)
    carol = people[2]
    status, _, out["hold, the instance's first for this doctor (reads the doctor once)"] = measured(
        "booking", hold_event(slots[-2], carol))
    assert status == 201
    status, hold, out["hold"] = measured("booking", hold_event(slots[0], alice))
    assert status == 201, hold
    status, _, out["hold of a slot already held (loser)"] = measured("booking", hold_event(slots[0], bob))
    assert status == 409
    booking = book_event(slots[0], alice, hold["holdId"])
    status, ticket, out["booking (with its hold)"] = measured("booking", booking)
    assert status == 201, ticket
    status, again, out["retried booking (same Idempotency-Key)"] = measured("booking", booking)
    assert status == 201 and again == ticket
    status, _, out["booking of a slot already booked (loser)"] = measured("booking", book_event(slots[0], bob))
    assert status == 409
    status, _, out["booking without a hold"] = measured("booking", book_event(slots[1], bob))
    assert status == 201
    status, _, out["history page"] = measured("history", history_event(alice))
    assert status == 200
    status, moved, out["reschedule"] = measured("booking", reschedule_event(ticket["appointment"]["id"], slots[-1],
                                                                             alice))
    assert status == 201, moved
    status, body, out["cancellation"] = measured("cancellation", cancel_event(moved["appointment"]["id"], alice))
    assert status == 200, body

    # The sweeper: holds made a hold-length ago have expired now (ten patients: one hold each).
    released = 10
    holders = bench_patients(released, "cl0102", first=910_000)
    register(holders)
    common.set_clock(common.FROZEN_NOW - 400)
    try:
        for slot_id, holder in zip(slots[2:2 + released], holders, strict=True):
            status, _ = common.invoke("booking", hold_event(slot_id, holder))
            assert status == 201
    finally:
        common.freeze_clock()
    status, result, run = measured("sweeper", {"version": "0", "detail-type": "Scheduled Event",
                                               "source": "aws.events", "time": "2026-11-26T01:00:00Z"})
    assert result.get("released") == released, result
    run["holds_released"] = released
    run["round_trips_per_released_hold"] = round(run["round_trips"] / released, 2)
    run["note"] = "one Query per Holds shard per run, then one UpdateItem per released hold"
    out[f"sweeper run releasing {released} holds"] = run
    return out


# ---------------------------------------------------------------- a look-up at two table sizes
def lookup_vs_table_size(endpoint: str, small: int, big: int, budget_s: float,
                         log: Callable[[str], None]) -> dict[str, Any]:
    """The same doctor's-slots Query with `small`, then up to `big` other items in the table."""
    from bench import bulk

    doctor = "cl0101-d02"
    ev = slots_event(doctor)
    rows = []
    loaded = 0
    rate = []
    started = time.perf_counter()
    for target in (small, big):
        while loaded < target:
            if target == big and time.perf_counter() - started > budget_s:
                log(f"bulk load stopped by its time budget at {loaded} items")
                break
            step = min(10_000, target - loaded)
            rate.append(bulk.load(endpoint, common.TABLE, loaded, step, doctor))
            loaded += step
        status, body, s = measured("lookup", ev)
        assert status == 200
        rows.append({"other_items": loaded, "free_slots_returned": len(body["items"]), **s})
        log(f"look-up measured with {loaded} other items")
    same = len({(r["read_units"], r["round_trips"]) for r in rows}) == 1
    return {"doctor": doctor, "window": ev["queryStringParameters"], "rows": rows,
            "same_cost_at_both_sizes": same,
            "same_partition_share": bulk.SAME_PARTITION_SHARE,
            "bulk_items_per_second": round(sum(rate) / len(rate)) if rate else None}


# ---------------------------------------------------------------- warm overhead
class _Capture:
    """The SDK calls (operation, parameters) one handler invocation makes, to replay them with bare boto3."""

    def __init__(self, client: Any) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.on = False
        client.meta.events.register("provide-client-params.dynamodb.*", self._keep, unique_id="bench-capture")
        for profile in ("request", "last"):  # the clients shared.platform.dal uses inside a request's budget
            common.dynamodb_client(profile).meta.events.register("provide-client-params.dynamodb.*", self._keep,
                                                                 unique_id="bench-capture")

    def _keep(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.on:
            self.calls.append((model.name, json.loads(json.dumps(params))))


def _snake(op: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in op).lstrip("_")


def _undo_booking(slot_item: dict[str, Any], p: dict[str, Any], key: str, appointment_id: str) -> None:
    """The slot as it was; the appointment, the specialty lock and the idempotency record gone."""
    from shared.patients import policy
    from shared.platform import dal, keys

    h = policy.policy_hash(p["policyNumber"], p.get("policySeries"))
    client = dal.client()
    client.delete_item(TableName=dal.table(), Key=keys.appointment_key(appointment_id))
    client.delete_item(TableName=dal.table(), Key=keys.idempotency_key(h, key))
    client.delete_item(TableName=dal.table(), Key=keys.key(keys.policy_pk(h), keys.specialty_lock_sk(
        slot_item["specialtyId"])))
    dal.put(slot_item)


def warm(iterations: int) -> dict[str, Any]:
    """Per invocation: the handler, against the same DynamoDB calls made directly with boto3, interleaved."""
    from shared.platform import dal, keys

    client = dal.client()
    capture = _Capture(client)
    people = bench_patients(1, "cl0101", first=800_000)
    register(people)
    p = people[0]
    doctor = "cl0101-d05"  # ophthalmologist: everyone of any age
    look = slots_event(doctor)
    slot_id = free_slot_ids(doctor)[0]
    slot_key = keys.slot_key(slot_id)
    assert slot_key
    slot_item = dal.get(slot_key, consistent=True) or {}
    times: dict[str, list[float]] = {"lookup_handler": [], "lookup_direct": [], "booking_handler": [],
                                     "booking_direct": []}
    for i in range(iterations + 5):
        # Look-up: the handler, then its Query replayed.
        capture.calls.clear()
        capture.on = True
        t = time.perf_counter()
        status, _ = common.invoke("lookup", look)
        handler_s = time.perf_counter() - t
        capture.on = False
        assert status == 200
        replay = list(capture.calls)
        t = time.perf_counter()
        for op, params in replay:
            getattr(client, _snake(op))(**params)
        direct_s = time.perf_counter() - t
        if i >= 5:  # the first few warm the connection pool and the code paths
            times["lookup_handler"].append(handler_s)
            times["lookup_direct"].append(direct_s)

        # Booking: the handler, the table put back, the same calls replayed, the table put back.
        key = f"warm-{i}-{uuid.uuid4()}"
        capture.calls.clear()
        capture.on = True
        t = time.perf_counter()
        status, body = common.invoke("booking", book_event(slot_id, p, key=key))
        handler_s = time.perf_counter() - t
        capture.on = False
        assert status == 201, body
        replay = list(capture.calls)
        appointment_id = body["appointment"]["id"]
        _undo_booking(slot_item, p, key, appointment_id)
        t = time.perf_counter()
        for op, params in replay:
            if op == "TransactWriteItems" and "ClientRequestToken" in params:
                # A token seen within 10 minutes would make DynamoDB skip the work: a fresh one, same shape.
                params = dict(params, ClientRequestToken=uuid.uuid4().hex[:36])
            getattr(client, _snake(op))(**params)
        direct_s = time.perf_counter() - t
        _undo_booking(slot_item, p, key, appointment_id)
        if i >= 5:
            times["booking_handler"].append(handler_s)
            times["booking_direct"].append(direct_s)
    client.meta.events.unregister("provide-client-params.dynamodb.*", unique_id="bench-capture")
    out: dict[str, Any] = {"iterations": iterations, "calls_replayed": {"lookup": "Query",
                                                                       "booking": "BatchGetItem + TransactWriteItems"}}
    for what in ("lookup", "booking"):
        h, d = times[f"{what}_handler"], times[f"{what}_direct"]
        out[what] = {
            "handler_p50_ms": common.ms(common.median(h)), "handler_p99_ms": common.ms(common.percentile(h, 99)),
            "direct_p50_ms": common.ms(common.median(d)), "direct_p99_ms": common.ms(common.percentile(d, 99)),
            "ratio_p50": round(common.median(h) / common.median(d), 2),
            "overhead_p50_ms": common.ms(common.median(h) - common.median(d)),
        }
    return out


# ---------------------------------------------------------------- the rush
def rush(clients: int, patients: int, log: Callable[[str], None]) -> dict[str, Any]:
    """`patients` patients, served by `clients` concurrent clients, race for one doctor's day through the
    handlers: look up the free slots, hold one at random, book it; a lost race means look again.

    Each client is its own process, forked once the handlers are imported, as each concurrent request gets
    its own Lambda instance: Powertools' resolver keeps the current event on its class, so invocations in
    one process must not overlap (Lambda never overlaps them either)."""
    import multiprocessing

    from shared.domain import slots
    from shared.platform import dal, keys

    people = bench_patients(patients, "cl0102", first=0)
    register(people)
    day_slots = free_slot_ids(POPULAR_DOCTOR)
    _warm_routes()  # the clients are forked from here: each starts as a warm Lambda instance would
    queue = list(range(patients))
    random.Random(7).shuffle(queue)
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(clients)
    results = ctx.Queue()
    workers = [ctx.Process(target=_client, args=(queue[k::clients], people, barrier, results), daemon=True)
               for k in range(clients)]
    for w in workers:
        w.start()
    attempts: list[dict[str, Any]] = []
    winners: dict[int, dict[str, Any]] = {}
    spans = []
    for _ in workers:
        got = results.get(timeout=600)
        attempts.extend(got["attempts"])
        winners.update(got["winners"])
        spans.append((got["started"], got["ended"]))
    for w in workers:
        w.join(timeout=30)
    elapsed = max(e for _, e in spans) - min(s for s, _ in spans)
    log(f"rush: {len(winners)} bookings in {elapsed:.1f}s")

    # The proof, from the table itself (strongly consistent reads).
    items = list(dal.query_all("PK = :pk AND SK BETWEEN :lo AND :hi",
                               {":pk": keys.doctor_pk(POPULAR_DOCTOR),
                                ":lo": keys.slot_sk(keys.parse_slot_id(day_slots[0])[1]),  # type: ignore[index]
                                ":hi": keys.slot_sk(keys.parse_slot_id(day_slots[-1])[1])},  # type: ignore[index]
                               consistent=True))
    by_slot = {i["slotId"]: i for i in items}
    won_ids = {a["id"] for a in winners.values()}
    appointments = [dal.get(keys.appointment_key(a), consistent=True) for a in won_ids]
    booked_items = [i for i in items if i.get("status") == slots.BOOKED]
    per_patient = Counter(a["PatPK"] for a in appointments if a)
    per_slot = Counter(a["slotId"] for a in appointments if a)
    proof = {
        "slots_in_day": len(day_slots),
        "slots_booked": len(booked_items),
        "every_slot_booked": all(by_slot[s].get("status") == slots.BOOKED for s in day_slots),
        "each_slot_one_appointment": all(v == 1 for v in per_slot.values()) and len(per_slot) == len(day_slots),
        "slot_points_at_its_winner": all(by_slot[s].get("appointmentId") in won_ids for s in day_slots),
        "no_patient_booked_twice": all(v == 1 for v in per_patient.values()),
        "winners": len(winners),
        "losers": patients - len(winners),
    }
    proof["ok"] = all(v for k, v in proof.items() if isinstance(v, bool))

    def lat(kind: str, won: bool | None = None) -> dict[str, Any]:
        chosen = [a for a in attempts if a["kind"] == kind
                  and (won is None or (a["status"] in (200, 201)) == won)]
        s = [a["s"] for a in chosen]
        return {"count": len(chosen), "p50_ms": common.ms(common.median(s)) if s else None,
                "p99_ms": common.ms(common.percentile(s, 99)) if s else None,
                "write_units_each": round(sum(a["write"] for a in chosen) / len(chosen), 2) if chosen else None,
                "read_units_each": round(sum(a["read"] for a in chosen) / len(chosen), 2) if chosen else None}

    return {
        "doctor": POPULAR_DOCTOR, "clients": clients, "patients": patients, "seconds": round(elapsed, 2),
        "bookings_per_second": round(len(winners) / elapsed, 1),
        "requests_per_second": round(len(attempts) / elapsed, 1),
        "statuses": dict(Counter(f"{a['kind']} {a['status']}" for a in attempts)),
        "latency": {"lookup": lat("lookup"), "hold won": lat("hold", True), "hold lost": lat("hold", False),
                    "booking won": lat("book", True), "booking lost": lat("book", False)},
        "units": {"read": round(sum(a["read"] for a in attempts), 1),
                  "write": round(sum(a["write"] for a in attempts), 1)},
        "proof": proof,
    }


def _warm_routes() -> None:
    """Each route the rush uses, once, on another doctor: Powertools builds a route's validation on its first
    call, and the forked clients inherit what is built."""
    p = bench_patients(1, "cl0102", first=700_000)
    register(p)
    slot_id = free_slot_ids("cl0102-d07")[0]
    status, hold = common.invoke("booking", hold_event(slot_id, p[0]))
    assert status == 201, hold
    status, ticket = common.invoke("booking", book_event(slot_id, p[0], hold["holdId"]))
    assert status == 201, ticket


def _client(mine: list[int], people: list[dict[str, Any]], barrier: Any, results: Any) -> None:
    """One concurrent client (a forked process): the journeys of its patients, one after another."""
    from shared.platform import dal

    dal.reset_client()  # a client made before the fork shares its connections with the parent
    METER.attached = None
    common.metered_client()
    attempts: list[dict[str, Any]] = []
    winners: dict[int, dict[str, Any]] = {}

    def record(kind: str, started: float, status: int, calls: list[Call]) -> None:
        attempts.append({"kind": kind, "status": status, "s": time.perf_counter() - started,
                         "read": sum(c.read for c in calls), "write": sum(c.write for c in calls),
                         "trips": len(calls)})

    def journey(n: int) -> None:
        p = people[n]
        rng = random.Random(n)
        for _ in range(6):
            t = time.perf_counter()
            with METER.measure() as calls:
                status, body = common.invoke("lookup", slots_event(POPULAR_DOCTOR))
            record("lookup", t, status, calls)
            free = [s["id"] for s in body["items"]] if status == 200 else []
            if not free:
                return  # the day is gone: a loser
            slot_id = rng.choice(free)
            t = time.perf_counter()
            with METER.measure() as calls:
                status, hold = common.invoke("booking", hold_event(slot_id, p))
            record("hold", t, status, calls)
            if status != 201:
                continue
            t = time.perf_counter()
            with METER.measure() as calls:
                status, ticket = common.invoke("booking", book_event(slot_id, p, hold["holdId"]))
            record("book", t, status, calls)
            if status == 201:
                winners[n] = ticket["appointment"]
                return

    barrier.wait()
    started = time.perf_counter()
    for n in mine:
        journey(n)
    results.put({"attempts": attempts, "winners": winners, "started": started, "ended": time.perf_counter()})
