"""The 08:00 rush at internet scale, as a model of DynamoDB partition budgets (docs/SCALE.md explains it).

    python -m bench.simulate [--peak 10000] [--slots 18] [--json]

One popular doctor's day: `slots` slots; attempts arrive at `peak` per second at 08:00 and fall off
(an exponential decay with time constant `tau`). Each attempt is a patient's journey through the API:
look up the day's free slots, hold one at random, and (after filling in the form) book it; a lost hold sends
the patient back to the look-up, at most `tries` times. Every request is charged, in request units, to the
partitions it touches, with DynamoDB's per-partition ceilings: 1,000 write units/s and 3,000 read units/s.
A request over its partition's budget for that second is throttled; the SDK retries it after a jittered
backoff, and after `sdk_retries` throttles the patient gets 503 and gives up.

Strategies (what changes is only how losers are refused):
- no_memo:   every look-up is a Query of the doctor's partition (eventually consistent), and hold by
             conditional UpdateItem: a patient who picked a slot someone else took pays a failed conditional
             write (1 WCU) on the doctor's partition.
- as_built:  no_memo, but each warm lookup instance (`caches` of them) remembers a look-up's answer and
             which doctors exist for `cache_ttl` seconds (LOOKUP_CACHE_SECONDS=1 in template.yaml;
             shared/platform/memo.py), and each warm booking instance (as many, another function) remembers the slots
             it saw taken and refuses a hold on one without a write.
- precheck:  the hold first reads the slot (eventually consistent GetItem, 0.5 RRU) and does not write when
             it is taken; the write's condition still decides the race.
- cached:    precheck, and the day's free-slot list served from a cache of at most `cache_ttl` seconds
             (CloudFront in front of GET /v1/doctors/{id}/slots, or a per-instance memo), so the doctor's
             partition sees one look-up per cache per second instead of one per patient.

Not modelled (stated in docs/SCALE.md): DynamoDB's split-for-heat of a hot partition (minutes, not
seconds), Lambda's own concurrency ramp, API Gateway throttling, clients giving up on slowness.
"""
from __future__ import annotations

import argparse
import heapq
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

WRITE_LIMIT = 1000.0  # write units per second per partition
READ_LIMIT = 3000.0  # read units per second per partition

# Request units (DynamoDB's pricing rules; item sizes as in the table: a slot ~ 0.3 KB, a day ~ 6 KB).
LOOKUP_RRU = 0.5  # eventually consistent Query of one day (18 slots, under 4 KB): measured by make bench
GET_RRU = 0.5  # eventually consistent GetItem of one slot
HOLD_WCU = 1.0  # conditional UpdateItem of a slot, whether it succeeds or fails
BOOK_READ_RRU = 0.5  # the slot's share of the booking's BatchGetItem
BOOK_TX_WCU = 2.0  # the slot's share of the booking's TransactWriteItems (transactions cost double)

DOCTOR = "DOCTOR#<popular>"  # base table partition holding the day's slots
AVAILABILITY = "gsi Availability AV#<clinic>#<specialty>"
HOLDS = "gsi Holds HOLDS#"  # + shard number


@dataclass
class Params:
    peak: float = 10_000.0  # attempts per second at 08:00
    tau: float = 20.0  # seconds for the arrival rate to fall by e
    ramp: float = 2.0  # seconds to climb to the peak
    duration: float = 60.0
    slots: int = 18
    form_seconds: float = 30.0  # from hold to booking
    think_seconds: float = 1.0  # from seeing the list to holding a slot
    tries: int = 3  # holds a patient tries before giving up
    sdk_retries: int = 3  # throttles the SDK retries before the API answers 503
    cache_ttl: float = 1.0
    caches: int = 20  # edge locations / warm instances each holding its own copy of the list
    hold_shards: int = 8
    seed: int = 7


@dataclass
class Partition:
    read_limit: float
    write_limit: float
    read_used: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    write_used: dict[int, float] = field(default_factory=lambda: defaultdict(float))

    def take(self, second: int, read: float = 0.0, write: float = 0.0) -> bool:
        if self.read_used[second] + read > self.read_limit or self.write_used[second] + write > self.write_limit:
            return False
        self.read_used[second] += read
        self.write_used[second] += write
        return True


def arrivals(p: Params, rng: random.Random) -> list[float]:
    """Arrival times: rate climbs linearly to `peak` over `ramp` s, then decays with time constant `tau`."""
    out: list[float] = []
    dt = 0.01
    t = 0.0
    carry = 0.0
    while t < p.duration:
        rate = p.peak * (t / p.ramp if t < p.ramp else math.exp(-(t - p.ramp) / p.tau))
        carry += rate * dt
        n = int(carry)
        carry -= n
        out.extend(t + rng.random() * dt for _ in range(n))
        t += dt
    return out


STRATEGIES = ("no_memo", "precheck", "as_built", "cached")


def simulate(strategy: str, p: Params) -> dict[str, Any]:
    rng = random.Random(p.seed)
    parts: dict[str, Partition] = defaultdict(lambda: Partition(READ_LIMIT, WRITE_LIMIT))
    status = ["free"] * p.slots  # free | held | booked
    held_at: list[float | None] = [None] * p.slots
    cache: dict[int, tuple[float, list[int]]] = {}
    seen_taken: dict[tuple[int, int], float] = {}  # (booking instance, slot) -> when it saw the slot taken
    stats: dict[str, float] = defaultdict(float)
    first_sold_out: float | None = None
    all_booked: float | None = None
    events: list[tuple[float, int, str, int, int, int]] = []  # (time, seq, step, patient, slot, tries/retries)
    seq = 0

    def push(t: float, step: str, patient: int, slot: int = -1, n: int = 0) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, step, patient, slot, n))

    def charge(t: float, partition: str, read: float = 0.0, write: float = 0.0) -> bool:
        ok = parts[partition].take(int(t), read, write)
        stats[f"{partition} read"] += read if ok else 0
        stats[f"{partition} write"] += write if ok else 0
        return ok

    def throttled(t: float, step: str, patient: int, slot: int, n: int, retries: int) -> None:
        stats["throttled"] += 1
        stats[f"throttled {step}"] += 1
        if retries >= p.sdk_retries:
            stats["503 to patient"] += 1
            return
        backoff = rng.uniform(0, min(1.0, 0.05 * 2**retries))
        push(t + backoff, step, patient, slot, n + 1000 * (retries + 1))

    for i, t in enumerate(arrivals(p, rng)):
        push(t, "lookup", i)
    stats["patients"] = seq

    while events:
        t, _, step, patient, slot, packed = heapq.heappop(events)
        tries, retries = packed % 1000, packed // 1000
        if t > p.duration + p.form_seconds + 5:
            break
        if step == "lookup":
            view: list[int]
            if strategy in ("as_built", "cached"):
                edge = patient % p.caches
                fetched = cache.get(edge)
                if fetched is None or t - fetched[0] > p.cache_ttl:
                    if not charge(t, DOCTOR, read=LOOKUP_RRU):
                        throttled(t, step, patient, slot, tries, retries)
                        continue
                    stats["lookup reads"] += 1
                    cache[edge] = (t, [s for s in range(p.slots) if status[s] == "free"])
                view = cache[edge][1]
            else:
                if not charge(t, DOCTOR, read=LOOKUP_RRU):
                    throttled(t, step, patient, slot, tries, retries)
                    continue
                stats["lookup reads"] += 1
                view = [s for s in range(p.slots) if status[s] == "free"]
            if not view:
                # As built, an empty day costs a second read on the same partition: the doctor's profile,
                # to tell "no free slots" from "no such doctor" (shared/catalogue/lookup.py).
                if strategy in ("no_memo", "precheck") and not charge(t, DOCTOR, read=GET_RRU):
                    throttled(t, step, patient, slot, tries, retries)
                    continue
                stats["refused at look-up (nothing free)"] += 1
                continue
            push(t + p.think_seconds * rng.uniform(0.5, 1.5), "hold", patient, rng.choice(view), tries)
        elif step == "hold":
            edge = rng.randrange(p.caches)  # the booking instance serving this hold
            if strategy == "as_built" and t - seen_taken.get((edge, slot), -1e9) < p.cache_ttl:
                stats["refused by read (no write)"] += 1
                _again(p, push, t, patient, tries, stats)
                continue
            if strategy in ("precheck", "cached"):
                if not charge(t, DOCTOR, read=GET_RRU):
                    throttled(t, step, patient, slot, tries, retries)
                    continue
                if status[slot] != "free":
                    stats["refused by read (no write)"] += 1
                    _again(p, push, t, patient, tries, stats)
                    continue
            shard = f"{HOLDS}{slot % p.hold_shards}"
            wins = status[slot] == "free"
            # A successful hold also writes two index entries; a failed condition writes no index.
            if wins and (not parts[AVAILABILITY].take(int(t), write=1) or not parts[shard].take(int(t), write=1)):
                stats["throttled by a GSI"] += 1
                throttled(t, step, patient, slot, tries, retries)
                continue
            if not charge(t, DOCTOR, write=HOLD_WCU):
                throttled(t, step, patient, slot, tries, retries)
                continue
            seen_taken[(edge, slot)] = t
            if not wins:
                stats["failed conditional writes"] += 1
                _again(p, push, t, patient, tries, stats)
                continue
            status[slot] = "held"
            held_at[slot] = t
            stats["holds"] += 1
            if first_sold_out is None and all(s != "free" for s in status):
                first_sold_out = t
            push(t + p.form_seconds, "book", patient, slot, tries)
        elif step == "book":
            if not charge(t, DOCTOR, read=BOOK_READ_RRU, write=BOOK_TX_WCU):
                throttled(t, step, patient, slot, tries, retries)
                continue
            status[slot] = "booked"
            stats["bookings"] += 1
            if all_booked is None and all(s == "booked" for s in status):
                all_booked = t

    winner_units = LOOKUP_RRU + HOLD_WCU + BOOK_READ_RRU + BOOK_TX_WCU + (
        GET_RRU if strategy in ("precheck", "cached") else 0)
    peak_read = max(parts[DOCTOR].read_used.values(), default=0)
    peak_write = max(parts[DOCTOR].write_used.values(), default=0)
    attempts = stats["patients"]
    return {
        "strategy": strategy,
        "patients": int(attempts),
        "bookings": int(stats["bookings"]),
        "double_bookings": 0 if stats["bookings"] <= p.slots else int(stats["bookings"] - p.slots),
        "seconds_to_all_held": round(first_sold_out, 2) if first_sold_out is not None else None,
        "seconds_to_all_booked": round(all_booked, 2) if all_booked is not None else None,
        "throttled_requests": int(stats["throttled"]),
        "throttled_per_patient": round(stats["throttled"] / max(1, attempts), 3),
        "patients_given_503": int(stats["503 to patient"]),
        "failed_conditional_writes": int(stats["failed conditional writes"]),
        "refused_by_read": int(stats["refused by read (no write)"]),
        "refused_at_lookup": int(stats["refused at look-up (nothing free)"]),
        "doctor_partition_peak_rru_per_s": round(peak_read, 1),
        "doctor_partition_peak_wcu_per_s": round(peak_write, 1),
        "doctor_partition_rru": round(stats[f"{DOCTOR} read"], 1),
        "doctor_partition_wcu": round(stats[f"{DOCTOR} write"], 1),
        # Everything the doctor's partition served, less what the winners' own journeys cost, per loser.
        "doctor_partition_units_per_loser": round(
            (stats[f"{DOCTOR} read"] + stats[f"{DOCTOR} write"] - stats["bookings"] * winner_units)
            / max(1, attempts - stats["bookings"]), 4),
    }


def _again(p: Params, push: Any, t: float, patient: int, tries: int, stats: dict[str, float]) -> None:
    if tries + 1 >= p.tries:
        stats["gave up after lost holds"] += 1
        return
    push(t + 0.2, "lookup", patient, -1, tries + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peak", type=float, default=10_000)
    parser.add_argument("--slots", type=int, default=18)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    p = Params(peak=args.peak, slots=args.slots, duration=args.duration)
    rows = [simulate(s, p) for s in STRATEGIES]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    keys = list(rows[0])
    width = max(len(k) for k in keys)
    for k in keys:
        print(f"{k:<{width}}  " + "  ".join(f"{r[k]!s:>12}" for r in rows))


def run(peak: float = 10_000, slots: int = 18) -> dict[str, Any]:
    p = Params(peak=peak, slots=slots)
    return {"params": p.__dict__, "strategies": [simulate(s, p) for s in STRATEGIES]}


if __name__ == "__main__":
    main()
