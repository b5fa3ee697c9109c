"""Generative tests across features: a Hypothesis state machine (`Clinic`) drives every actor through the
handlers against one seeded table, and checks the rules that hold between the features after every step.

Actors and what they do (each a rule; the strategies choose from small pools so that patients collide):
- patients: 3 demo patients of cl0101 and 2 made-up ones attached to it; hold (anonymous, signed in),
  release, book (anonymous, signed in, with a hold, by referral, through gorzdrav, through FHIR), retry a
  booking with the same Idempotency-Key, reschedule, cancel (anonymous, signed in, gorzdrav, FHIR), join and
  leave the waiting list, accept an offer from its link;
- staff of cl0101: publish or change a doctor's plan (a new doctor, with or without `nameEn`, and a demo
  doctor), declare an absence (or preview one), record attendance, issue a referral;
- jobs: the sweeper, the daily job, the reminder job, and the table's stream: after every step the records the
  step's writes produced (the table diffed before and after, in Lambda's record shape) are filtered by each
  stream function's FilterCriteria in template.yaml (infra/local/stream.py's matcher) and handed to the offers
  function and the notifier, round after round until their own writes produce nothing more;
- the clock: `shared.platform.clock.now` is the machine's own value, moved by minutes, hours or a night (a new day
  runs the daily job, as its schedule does);
- a race: a slot someone waits for is freed, and its stream records are handled (the offer lands) between the
  reads and the write of a request (leave the list, accept, book, cancel): `before_first_write`.
Two rules are made of several steps, because the waiting list's states are deep: `waited_for_slot_frees`
(someone waits for a slot someone else holds or has booked, and it is freed: an offer) and `race_with_stream`.
Without them, 100 random examples of 25 single steps never put an absence or a leave next to a live offer.

Slots come from a small pool: the first three of each of two working days (D, the day the machine starts at
07:30 local, and the next working day D2) of cl0101-d01 (therapist), cl0101-d05 (ophthalmologist), cl0101-d08
(cardiologist, by referral) and cl0101-d20 (a therapist the staff publish during the run).

Invariants, after every step:
- every read route answers 2xx: the doctors' free slots, the reception's day list of each day with
  appointments, each patient's history and waiting list, gorzdrav's appointments, FHIR Slot search and each
  appointment read on /fhir/me, an offer by its link (each read when what it reads changed or the clock moved);
- no slot has two active appointments; a booked slot and its appointment point at each other;
- a freed slot (free, in the window, starting later than OFFER_LEAD_SECONDS) with a matching waiting entry
  (clinic, specialty, doctor if set, day range, no appointment of the specialty) is offered once the stream
  is processed: after the records are handled no such pair is left;
- no entry is `offered` whose slot is not held for it, unless its offer expired and no sweep ran since;
- every stream record is handled without exception or batch item failure; no request answers 5xx.

Each example starts from the table as seeded (tests/conftest.py `_restore`, checked: no appointment, no
waiting-list entry); `Clinic.backend` says which table (moto here, DynamoDB Local in
tests/integration/test_state_machine_local.py).

Settings: MAX_EXAMPLES = 20 examples of at most STEPS = 35 steps (STATE_MACHINE_EXAMPLES and
STATE_MACHINE_STEPS override them for a longer hunt), no deadline, no health checks (the examples are slow by
nature). Under CI=true the run is derandomized (the same examples every run) and keeps no example database;
elsewhere each run explores anew and replays what failed before (.hypothesis/). Measured on this 2-core
machine (7 Dec 2026), `test_clinic_state_machine` passing with CI=true: 81 s while other test runs shared the
cores (load 2-7); 25 x 40 took 109-132 s that way and 220 s next to the DynamoDB Local run under -n 2 with
others', hence 20 x 35. A failing run adds its shrinking (Hypothesis gives it at most 5 minutes). The
DynamoDB Local run (tests/integration, 5 x 15): 79 s alone, 123 s under that load, plus 11-13 s of seeding.

The regression tests at the end replay, step by step, the failing examples the machine found.
"""
from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar
from unittest import mock

from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from infra.local import stream
from shared.booking import ticket_link, waitlist
from shared.faces.fhir import codes
from shared.patients import policy
from shared.platform import clock, config, dal, keys, memo, statuses
from tests.fhir_check import fhir_patient, parameters
from tests.handler.helpers import policy_of, reschedule_event, staff_event
from tests.support import Context, claims_of, event_file, http_event, load_function, patient_body, patients_of

MAX_EXAMPLES = int(os.environ.get("STATE_MACHINE_EXAMPLES", "20"))
STEPS = int(os.environ.get("STATE_MACHINE_STEPS", "35"))
IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}

CLINIC = "cl0101"
LPU = 111  # cl0101's gorzdrav id (infra/demo/gorzdrav_ids.json)
THERAPIST, OPHTHALMOLOGIST, CARDIOLOGIST, NEW_DOCTOR = "cl0101-d01", "cl0101-d05", "cl0101-d08", "cl0101-d20"
DOCTORS = (THERAPIST, OPHTHALMOLOGIST, CARDIOLOGIST, NEW_DOCTOR)
SELF_BOOKED = (THERAPIST, OPHTHALMOLOGIST, NEW_DOCTOR)  # no referral needed
POOL_PER_DAY = 3
SENDER = "no-reply@zapis.example.org"
STREAM_ARN = "arn:aws:dynamodb:eu-north-1:000000000000:table/zapis-test/stream/state-machine"
MINUTE, HOUR, DAY = 60, 3600, 86400


# ---------------------------------------------------------------- who acts
@dataclass(frozen=True)
class Person:
    label: str
    data: dict[str, Any]  # as infra/demo/patients.json
    demo: bool  # has gorzdrav's name index (a demo patient)

    @property
    def policy_hash(self) -> str:
        return policy.policy_hash(self.data["policyNumber"], self.data.get("policySeries"))

    @property
    def claims(self) -> dict[str, str]:
        return claims_of(self.data)


def made_up(n: int) -> dict[str, Any]:
    """tests.support.holder(n)'s person, with what a booking and a token also need."""
    return {"lastName": "Держатель", "firstName": "Тест", "middleName": None, "birthDate": "1970-01-01",
            "policyNumber": f"97{n:014d}", "policySeries": None, "clinicId": CLINIC,
            "email": f"holder.{n}@example.org"}


PEOPLE = tuple([Person(f"{p['lastName']}", p, True) for p in patients_of(CLINIC)]
               + [Person(f"made-up-{n}", made_up(n), False) for n in (1, 2)])
WHO = st.integers(0, len(PEOPLE) - 1)
SLOT = st.tuples(st.sampled_from(DOCTORS), st.integers(0, 2 * POOL_PER_DAY - 1))
SELF_SLOT = st.tuples(st.sampled_from(SELF_BOOKED), st.integers(0, 2 * POOL_PER_DAY - 1))
PICK = st.integers(0, 30)  # an index into what exists (appointments, entries, holds ...), modulo its length
OWNER = st.sampled_from([True, True, True, False])  # mostly the owner, sometimes someone else

DEMO_REFERRAL = "510000000016"  # Морозов (PEOPLE[0]): cardiologist at cl0101 (tests/handler/test_referrals.py)


# ---------------------------------------------------------------- the table the machine runs on
class Backend:
    """Where the machine's table lives: restored to the seeded state, read whole (wire format)."""

    def restore(self) -> None:
        raise NotImplementedError

    def items(self) -> dict[tuple[str, str], dict[str, Any]]:
        raise NotImplementedError

    def mail(self) -> None:
        """What the notifier needs, after a restore (SES identity, dead-letter queue)."""


class MotoBackend(Backend):
    """tests/conftest.py's moto table. Its items are read as `moto_items()` does, each converted once: moto
    never changes a stored item in place (tests/moto_fast.py copies it first), so an item object seen before
    has the same wire form, and an unchanged item is the very same dict in two reads."""

    def __init__(self, seeded: dict[Any, dict[Any, Any]]) -> None:
        self.seeded = seeded
        self.seen: dict[int, tuple[Any, dict[str, Any]]] = {}

    def restore(self) -> None:
        from tests.conftest import _restore

        _restore(self.seeded)

    def items(self) -> dict[tuple[str, str], dict[str, Any]]:
        from tests.conftest import _moto_table

        out, seen = {}, {}
        for by_sk in _moto_table().items.values():
            for item in by_sk.values():
                hit = self.seen.get(id(item))
                if hit is None or hit[0] is not item:
                    hit = (item, item.to_json()["Attributes"])
                seen[id(item)] = hit
                out[(hit[1]["PK"]["S"], hit[1]["SK"]["S"])] = hit[1]
        self.seen = seen
        return out

    def mail(self) -> None:
        import boto3

        boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)
        url = boto3.client("sqs").create_queue(QueueName="notifier-dlq")["QueueUrl"]
        os.environ["NOTIFIER_DLQ_URL"] = url


# ---------------------------------------------------------------- stream records, as Lambda hands them over
OFFERS = stream.stream_mapping("OffersFunction")
NOTIFIER = stream.stream_mapping("NotifierFunction")


def record(name: str, old: dict[str, Any] | None, new: dict[str, Any] | None, seq: int, now: int) -> dict[str, Any]:
    item = new or old or {}
    change: dict[str, Any] = {"ApproximateCreationDateTime": now, "Keys": {"PK": item["PK"], "SK": item["SK"]},
                              "SequenceNumber": f"{seq:021d}", "SizeBytes": len(json.dumps(item)),
                              "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if new is not None:
        change["NewImage"] = new
    if old is not None:
        change["OldImage"] = old
    return {"eventID": uuid.uuid4().hex, "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "eu-north-1", "dynamodb": change, "eventSourceARN": STREAM_ARN}


def plain(item: dict[str, Any] | None) -> dict[str, Any]:
    return dal.from_item(item) or {}


Key = tuple[str, str]


def key_of(key: dict[str, dict[str, str]] | None) -> Key:
    return (key["PK"]["S"], key["SK"]["S"]) if key else ("", "")


class Snapshot:
    """The table as the machine last saw it: wire items by key, each one's plain form (converted once), and
    the keys of each entity."""

    def __init__(self, items: dict[Key, dict[str, Any]]) -> None:
        self.wire: dict[Key, dict[str, Any]] = {}
        self.plain: dict[Key, dict[str, Any]] = {}
        self.by_entity: dict[str | None, set[Key]] = {}
        for k, item in items.items():
            self.put(k, item)

    def put(self, k: Key, item: dict[str, Any] | None) -> None:
        old = self.wire.pop(k, None)
        self.plain.pop(k, None)
        if old is not None:
            self.by_entity[old.get("entity", {}).get("S")].discard(k)
        if item is not None:
            self.wire[k] = item
            self.by_entity.setdefault(item.get("entity", {}).get("S"), set()).add(k)

    def get(self, k: Key) -> dict[str, Any]:
        if k not in self.wire:
            return {}
        if k not in self.plain:
            self.plain[k] = plain(self.wire[k])
        return self.plain[k]

    def of(self, entity: str, status: str | None = None) -> list[dict[str, Any]]:
        found = sorted(self.by_entity.get(entity, ()))
        if status is not None:
            found = [k for k in found if self.wire[k].get("status", {}).get("S") == status]
        return [self.get(k) for k in found]


def deliver(function: str, mapping: stream.Mapping, records: list[dict[str, Any]]) -> int:
    """Hand `function` the records its FilterCriteria let through, in batches of its BatchSize; every batch must
    be handled without an exception and without a batch item failure. Returns the records delivered."""
    passed = [r for r in records if stream.passes(mapping.patterns, r)]
    for n in range(0, len(passed), mapping.batch_size):
        batch = passed[n:n + mapping.batch_size]
        what = [(r["eventName"], plain(r["dynamodb"].get("NewImage") or r["dynamodb"].get("OldImage")).get("entity"),
                 r["dynamodb"]["Keys"]["SK"]["S"]) for r in batch][:6]
        try:
            answer = load_function(function).handler({"Records": copy.deepcopy(batch)}, Context(function))
        except Exception as exc:
            raise AssertionError(f"the {function} function raised {type(exc).__name__}: {exc} on {what}") from exc
        assert answer == {"batchItemFailures": []}, f"the {function} function failed records: {answer} of {what}"
    return len(passed)


# ---------------------------------------------------------------- requests
def fhir_call(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
              claims: dict[str, str] | None = None, params: list[tuple[str, str]] | None = None) -> tuple[int, Any]:
    """The FHIR function as tests/handler/test_fhir.py calls it (repeated parameters kept, as API Gateway
    sends them)."""
    from urllib.parse import urlencode

    headers = {"host": "fhir.example.test", "content-type": "application/fhir+json", **(headers or {})}
    event = http_event(method, path, body=body, query=dict(params or []), claims=claims, headers=headers)
    event["rawQueryString"] = urlencode(params or [])
    response = load_function("fhir").handler(event, Context())
    raw = response.get("body")
    return response["statusCode"], json.loads(raw) if raw else None


def call(function: str, event: dict[str, Any]) -> tuple[int, Any]:
    response = load_function(function).handler(event, Context())
    raw = response.get("body")
    return response["statusCode"], json.loads(raw) if raw else None


@contextmanager
def before_first_write(hook: Callable[[], None]) -> Iterator[None]:
    """Run `hook` once, just before the first write (transaction or update) of what runs inside: what the hook
    writes lands between the request's reads and its write, as a concurrent writer's would."""
    real_transact, real_update = dal.transact, dal.update
    fired = False

    def once(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            nonlocal fired
            if not fired:
                fired = True
                hook()
            return real(*args, **kwargs)
        return wrapped

    with mock.patch.object(dal, "transact", once(real_transact)), mock.patch.object(dal, "update", once(real_update)):
        yield


def start_day() -> date:
    """D: the first working day (Monday to Friday) after today, so that D and the next working day are seeded
    (tests/conftest.py seeds TEST_DAYS days from today) and every pool doctor works both."""
    day = clock.local_date(clock.now()) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def say(text: str) -> None:
    """A line of the failing example's story (Hypothesis prints its notes); printed when a regression test
    drives the machine by hand."""
    from hypothesis.errors import InvalidArgument

    try:
        note(text)
    except InvalidArgument:
        print(text)


def short(body: Any) -> str:
    text = json.dumps(body, ensure_ascii=False, default=str) if body is not None else "-"
    return text if len(text) < 300 else text[:300] + "…"


# ---------------------------------------------------------------- the machine
class Clinic(RuleBasedStateMachine):
    backend: ClassVar[Backend]

    def __init__(self) -> None:
        super().__init__()
        self.backend.restore()
        memo.forget()
        self.day = start_day()
        self.day2 = next_working_day(self.day)
        self.t = clock.day_start(self.day) + 7 * HOUR + 30 * MINUTE
        self.backend.mail()
        config.settings.cache_clear()
        from shared.notify import outbound

        outbound.reset_clients()
        from tests.support import holder

        for n in (1, 2):  # the made-up patients' register entries (as tests.support.holder writes them)
            holder(n)
        # The daily job has opened the window as of D (the seeded days): its runs open what later days bring.
        from shared.domain import slots

        for clinic_id in ("cl0101", "cl0102"):
            dal.update(keys.key(keys.clinic_pk(clinic_id), keys.PROFILE), "SET openedThrough = :d",
                       values={":d": slots.window_days(self.t)[1].isoformat()})
        self.table = Snapshot(self.backend.items())
        fresh = self.table.of("appointment") + self.table.of("waitEntry")
        assert not fresh, f"the example did not start from the seeded table: {fresh[:3]}"
        self.seq = 0
        self.last_sweep: int | None = None
        self.holds: list[tuple[str, str, int]] = []  # (hold id, slot id, person)
        self.bookings: list[tuple[str, dict[str, Any], int, Any]] = []  # (how, request, first status, first body)
        self.referrals: list[tuple[str, int]] = [(DEMO_REFERRAL, 0)]
        self.pids: dict[int, str] = {}
        self.pid_at: dict[int, int] = {}
        self.failure: BaseException | None = None
        self.published = self.daily_runs = 0
        # What the read invariant re-reads: everything at first, then what a step changed.
        self.dirty_all = True
        self.dirty: set[tuple[str, str]] = set()
        self._clock = mock.patch.object(clock, "now", lambda: self.t)  # stopped by teardown()
        self._clock.start()

    def teardown(self) -> None:
        self._clock.stop()

    # ------------------------------------------------------------ helpers
    def log(self, what: str, status: int, body: Any = None) -> int:
        say(f"  {what} -> {status} {short(body)}")
        assert status < 500, f"{what} answered {status}: {body}"
        return status

    def of(self, entity: str, status: str | None = None) -> list[dict[str, Any]]:
        return self.table.of(entity, status)

    def person_of(self, policy_hash: str | None) -> int | None:
        for n, p in enumerate(PEOPLE):
            if p.policy_hash == policy_hash:
                return n
        return None

    def pool(self, doctor_id: str) -> list[str]:
        """The doctor's first POOL_PER_DAY slots of D and of D2 (any status), as the table has them now."""
        found: dict[date, list[int]] = {self.day: [], self.day2: []}
        for slot in self.of("slot"):
            if slot["doctorId"] == doctor_id:
                start = int(slot["start"])
                day = clock.local_date(start)
                if day in found and len(found[day]) < POOL_PER_DAY:
                    found[day].append(start)
        return [keys.slot_id(doctor_id, s) for day in (self.day, self.day2) for s in found[day]]

    def slot(self, choice: tuple[str, int]) -> str:
        """A pool slot. The new doctor's before it is published: the therapist's of the same index, or (one
        index in six) a slot id of the unpublished doctor, which names nothing."""
        doctor_id, index = choice
        pool = self.pool(doctor_id)
        if not pool and index == 0:
            return keys.slot_id(doctor_id, clock.day_start(self.day) + 9 * HOUR)
        pool = pool or self.pool(THERAPIST)
        return pool[index % len(pool)]

    def appointments(self) -> list[dict[str, Any]]:
        """Our patients' appointments, in a deterministic order (creation, then start)."""
        found = [a for a in self.of("appointment") if self.person_of(str(a.get("PatPK", ""))[7:]) is not None]
        return sorted(found, key=lambda a: (int(a.get("createdAt", 0)), int(a["start"]), a["doctorId"]))

    def entries(self) -> list[dict[str, Any]]:
        return sorted(self.of("waitEntry"), key=lambda e: (e["PK"], e["SK"]))

    def pick(self, things: list[Any], index: int) -> Any:
        return things[index % len(things)] if things else None

    def gorzdrav_pid(self, who: int) -> str | None:
        """The sealed patientId of gorzdrav's patient search (demo patients only: made-up ones have no name
        index, and are refused), searched again after 12 hours (a patientId expires after a day)."""
        if who in self.pids and self.t - self.pid_at[who] < 12 * HOUR:
            return self.pids[who]
        p = PEOPLE[who].data
        query = {"lpuId": str(LPU), "lastName": p["lastName"], "firstName": p["firstName"],
                 "middleName": p.get("middleName") or "", "birthdate": p["birthDate"]}
        status, body = call("gorzdrav", http_event("GET", "/_api/api/v2/patient/search", query=query))
        self.log(f"gorzdrav patient/search {PEOPLE[who].label}", status, body)
        if status == 200 and body.get("success"):
            self.pids[who], self.pid_at[who] = str(body["result"]), self.t
            return self.pids[who]
        assert not PEOPLE[who].demo, f"gorzdrav does not find demo patient {PEOPLE[who].label}: {body}"
        return None

    # ------------------------------------------------------------ the stream
    def settle(self) -> None:
        """Hand the stream functions the records of what was written since the last time, and of what they
        write themselves, until nothing more is written; then no freed slot may be left unoffered."""
        freed: set[tuple[str, str]] = set()
        for _ in range(12):
            after = self.backend.items()
            records = []
            for k in sorted(self.table.wire.keys() | after.keys()):
                old, new = self.table.wire.get(k), after.get(k)
                if old is new or old == new:
                    continue
                self.seq += 1
                name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
                records.append(record(name, old, new, self.seq, self.t))
                self.dirty.add(k)
                n, o = plain(new), plain(old)
                if n.get("entity") == "slot" and n.get("status") == statuses.FREE and (
                        old is None or o.get("status") != statuses.FREE):
                    freed.add(k)
            for r in records:
                self.table.put(key_of(r["dynamodb"]["Keys"]), r["dynamodb"].get("NewImage"))
            if not records:
                self.check_offered(freed)
                return
            deliver("offers", OFFERS, records)
            deliver("notifier", NOTIFIER, records)
        raise AssertionError("the stream functions keep writing: 12 rounds of records")

    def settle_later(self) -> None:
        """settle() from inside a request (a race's hook): a failure is kept and raised after the request, so
        the request's own error handling cannot turn it into an answer."""
        try:
            self.settle()
        except BaseException as exc:  # re-raised after the request
            self.failure = exc

    def check_offered(self, freed: set[tuple[str, str]]) -> None:
        now = self.t
        for k in sorted(freed):
            slot = self.table.get(k)
            start = int(slot.get("start", 0))
            if slot.get("status") != statuses.FREE or start <= now + waitlist.OFFER_LEAD_SECONDS:
                continue
            from shared.domain import slots as slot_rules

            if not slot_rules.in_booking_window(start, now):
                continue
            for entry in self.entries():
                if (entry.get("status") != statuses.WAITING or entry["clinicId"] != slot["clinicId"]
                        or entry["specialtyId"] != slot["specialtyId"]
                        or not int(entry["fromTs"]) <= start <= int(entry["toTs"])
                        or entry.get("doctorId") not in (None, slot["doctorId"])):
                    continue
                lock = self.table.get((keys.policy_pk(entry["policyHash"]),
                                       keys.specialty_lock_sk(entry["specialtyId"])))
                if lock and int(lock.get("start", 0)) > now:
                    continue  # the patient has an appointment of the specialty: not offered
                raise AssertionError(f"slot {slot['slotId']} was freed and is still free, while entry {entry['id']} "
                                     f"waits for it")

    # ------------------------------------------------------------ patients: holds
    @rule(who=WHO, slot=SLOT, signed_in=st.booleans())
    def hold(self, who: int, slot: tuple[str, int], signed_in: bool) -> None:
        slot_id = self.slot(slot)
        p = PEOPLE[who]
        if signed_in:
            event = http_event("POST", "/v1/me/holds", {"slotId": slot_id}, claims=p.claims)
        else:
            event = http_event("POST", "/v1/holds", {"slotId": slot_id, "patient": {
                k: p.data[k] for k in ("lastName", "birthDate", "policyNumber", "policySeries") if p.data.get(k)}})
        status, body = call("booking", event)
        self.log(f"hold {slot_id} by {p.label}{' signed in' if signed_in else ''}", status, body)
        if status == 201:
            self.holds.append((body["holdId"], slot_id, who))
        self.settle()

    @rule(pick=PICK)
    def release(self, pick: int) -> None:
        held = self.pick(self.holds, pick)
        if held is None:
            return
        hold_id = held[0]
        event = http_event("DELETE", f"/v1/holds/{hold_id}")
        event["pathParameters"] = {"holdId": hold_id}
        status, body = call("booking", event)
        self.log(f"release {hold_id}", status, body)
        self.settle()

    # ------------------------------------------------------------ patients: booking
    def held_by(self, who: int) -> tuple[str, str] | None:
        mine = [(h, s) for h, s, w in self.holds if w == who]
        return mine[-1] if mine else None

    @rule(who=WHO, slot=SELF_SLOT, how=st.sampled_from(["anonymous", "signed_in", "gorzdrav", "fhir", "fhir_me"]),
          with_hold=st.booleans())
    def book(self, who: int, slot: tuple[str, int], how: str, with_hold: bool) -> None:
        slot_id, hold_id = self.slot(slot), None
        if with_hold and how in ("anonymous", "signed_in") and self.held_by(who):
            hold_id, slot_id = self.held_by(who)  # type: ignore[misc]
        self.book_as(who, slot_id, how, hold_id)
        self.settle()

    def book_as(self, who: int, slot_id: str, how: str, hold_id: str | None = None,
                referral: str | None = None) -> None:
        p = PEOPLE[who]
        key = uuid.uuid4().hex
        extra = {"holdId": hold_id} if hold_id else {}
        if referral:
            extra["referralNumber"] = referral
        if how == "gorzdrav":
            pid = self.gorzdrav_pid(who)
            if pid is None:
                how = "anonymous"
            else:
                body = {"lpuId": LPU, "patientId": pid, "appointmentId": slot_id}
                event = http_event("POST", "/_api/api/v2/appointment/create", body)
                status, answer = call("gorzdrav", event)
                self.log(f"gorzdrav create {slot_id} by {p.label}", status, answer)
                self.bookings.append(("gorzdrav", event, status, answer))
                return
        if how in ("fhir", "fhir_me"):
            doctor_id = slot_id.split(".")[0]
            appointment = {"resourceType": "Appointment", "status": "proposed",
                           "slot": [{"reference": f"Slot/{slot_id}"}],
                           "participant": [{"actor": {"reference": f"Practitioner/{doctor_id}"},
                                            "status": "needs-action"}]}
            if how == "fhir":
                request = ("POST", "/fhir/Appointment/$book",
                           parameters(appointment_resource=appointment, patient_resource=fhir_patient(p.data)),
                           {"idempotency-key": key}, None)
            else:
                request = ("POST", "/fhir/me/Appointment/$book", parameters(appt_resource=appointment),
                           {"idempotency-key": key}, p.claims)
            status, answer = fhir_call(*request)
            self.log(f"{how} $book {slot_id} by {p.label}", status, answer)
            self.bookings.append((how, {"request": request}, status, answer))
            return
        if how == "signed_in":
            event = http_event("POST", "/v1/me/appointments", {"slotId": slot_id, **extra},
                               headers={"Idempotency-Key": key}, claims=p.claims)
        else:
            event = http_event("POST", "/v1/appointments", {"slotId": slot_id, **extra,
                                                            "patient": patient_body(p.data)},
                               headers={"Idempotency-Key": key})
        status, answer = call("booking", event)
        self.log(f"book {slot_id} {how} by {p.label} {extra}", status, answer)
        self.bookings.append(("booking", event, status, answer))

    @rule(who=WHO, pick=PICK, slot=st.integers(0, 2 * POOL_PER_DAY - 1), signed_in=st.booleans())
    def book_by_referral(self, who: int, pick: int, slot: int, signed_in: bool) -> None:
        number, owner = self.pick(self.referrals, pick)
        if pick % 4 == 0:
            who = owner  # mostly someone's own referral
        self.book_as(who, self.slot((CARDIOLOGIST, slot)), "signed_in" if signed_in else "anonymous",
                     referral=number)
        self.settle()

    @rule(pick=PICK)
    def retry_booking(self, pick: int) -> None:
        """The same request again, with the same Idempotency-Key: the first answer's status and appointment."""
        found = self.pick(self.bookings, pick)
        if found is None:
            return
        how, request, first_status, first = found
        if how == "booking":
            status, answer = call("booking", copy.deepcopy(request))
            self.log(f"retry booking (first {first_status})", status, answer)
            if first_status == 201:
                assert status == 201 and answer["appointment"]["id"] == first["appointment"]["id"], (first, answer)
        elif how == "gorzdrav":
            status, answer = call("gorzdrav", copy.deepcopy(request))
            self.log(f"retry gorzdrav create (first {short(first)})", status, answer)
        else:
            status, answer = fhir_call(*copy.deepcopy(request["request"]))
            self.log(f"retry {how} $book (first {first_status})", status, answer)
            if first_status == 201:
                assert status == 201 and answer["entry"][0]["resource"]["id"] == first["entry"][0]["resource"]["id"]
        self.settle()

    # ------------------------------------------------------------ patients: reschedule and cancel
    @rule(pick=PICK, owner=OWNER, who=WHO, slot=SLOT, signed_in=st.booleans(), with_hold=st.booleans())
    def reschedule(self, pick: int, owner: bool, who: int, slot: tuple[str, int], signed_in: bool,
                   with_hold: bool) -> None:
        appt = self.pick(self.appointments(), pick)
        if appt is None:
            return
        if owner:
            who = self.person_of(appt["PatPK"][7:]) or 0
        p = PEOPLE[who]
        slot_id, hold_id = self.slot(slot), None
        if with_hold:
            body = {"slotId": slot_id, "rescheduleOf": appt["id"], "patient": {
                k: p.data[k] for k in ("lastName", "birthDate", "policyNumber", "policySeries") if p.data.get(k)}}
            status, held = call("booking", http_event("POST", "/v1/holds", body))
            self.log(f"hold {slot_id} to move {appt['id']} by {p.label}", status, held)
            if status == 201:
                hold_id = held["holdId"]
                self.holds.append((hold_id, slot_id, who))
        event = reschedule_event(appt["id"], slot_id, patient=p.data, signed_in=signed_in, hold_id=hold_id)
        status, body = call("booking", event)
        self.log(f"reschedule {appt['id']} ({appt['status']}) to {slot_id} by {p.label}", status, body)
        self.settle()

    def cancel_as(self, appt: dict[str, Any], who: int, how: str) -> None:
        p = PEOPLE[who]
        what = f"cancel {appt['id']} ({appt['status']}) {how} by {p.label}"
        if how == "gorzdrav" and (pid := self.gorzdrav_pid(who)):
            status, body = call("gorzdrav", http_event("POST", "/_api/api/v2/appointment/cancel", {
                "lpuId": LPU, "patientId": pid, "appointmentId": appt["id"]}))
        elif how == "fhir":
            status, body = fhir_call("POST", f"/fhir/Appointment/{codes.fhir_id(appt['id'])}/$cancel",
                                     parameters(patient=fhir_patient(p.data)))
        elif how == "fhir_me":
            status, body = fhir_call("POST", f"/fhir/me/Appointment/{codes.fhir_id(appt['id'])}/$cancel",
                                     claims=p.claims)
        elif how == "signed_in":
            status, body = call("cancellation", http_event(
                "POST", f"/v1/me/appointments/{appt['id']}/cancel", claims=p.claims))
        else:
            status, body = call("cancellation", http_event(
                "POST", f"/v1/appointments/{appt['id']}/cancel", policy_of(p.data)))
        self.log(what, status, body)

    @rule(pick=PICK, owner=OWNER, who=WHO,
          how=st.sampled_from(["anonymous", "signed_in", "gorzdrav", "fhir", "fhir_me"]))
    def cancel(self, pick: int, owner: bool, who: int, how: str) -> None:
        appt = self.pick(self.appointments(), pick)
        if appt is None:
            return
        if owner:
            who = self.person_of(appt["PatPK"][7:]) or 0
        self.cancel_as(appt, who, how)
        self.settle()

    # ------------------------------------------------------------ patients: the waiting list
    @rule(who=WHO, specialty=st.sampled_from(["therapist", "ophthalmologist"]),
          doctor=st.sampled_from([None, None, "same"]), first=st.integers(0, 1), span=st.integers(0, 3),
          signed_in=st.booleans(), aim=st.sampled_from([None, 0, 1, 2]))
    def join(self, who: int, specialty: str, doctor: str | None, first: int, span: int, signed_in: bool,
             aim: int | None) -> None:
        """Wait for a specialty (a doctor of it, with "same") from today (or tomorrow) for a few days; `aim`
        waits for the specialty (and doctor) of a slot someone holds or has booked, through its day."""
        today = clock.local_date(self.t)
        day_from, day_to = today + timedelta(days=first), today + timedelta(days=first + span)
        doctor_id = (THERAPIST if specialty == "therapist" else OPHTHALMOLOGIST) if doctor else None
        busy = [s for s in self.of("slot", statuses.HELD) + self.of("slot", statuses.BOOKED)
                if s["specialtyId"] in ("therapist", "ophthalmologist")]
        if aim is not None and busy:
            slot = self.pick(sorted(busy, key=lambda s: s["slotId"]), aim)
            self.join_for(who, slot["slotId"], bool(doctor), span, signed_in)
        else:
            self.join_with(who, {"clinicId": CLINIC, "specialtyId": specialty, "from": day_from.isoformat(),
                                 "to": day_to.isoformat(), **({"doctorId": doctor_id} if doctor_id else {})},
                           signed_in)
        self.settle()

    def join_for(self, who: int, slot_id: str, same_doctor: bool, span: int, signed_in: bool) -> None:
        """Join the list for a slot's specialty (and doctor), from today through its day (and `span` more)."""
        slot = self.table.get(key_of(keys.slot_key(slot_id)))
        today = clock.local_date(self.t)
        day_to = max(today, clock.local_date(int(slot["start"]))) + timedelta(days=span)
        body = {"clinicId": CLINIC, "specialtyId": slot["specialtyId"], "from": today.isoformat(),
                "to": day_to.isoformat(), **({"doctorId": slot["doctorId"]} if same_doctor else {})}
        self.join_with(who, body, signed_in)

    def join_with(self, who: int, body: dict[str, Any], signed_in: bool) -> None:
        p = PEOPLE[who]
        if signed_in:
            event = http_event("POST", "/v1/me/waitlist", body, claims=p.claims)
        else:
            event = http_event("POST", "/v1/waitlist", {**body, "patient": patient_body(p.data)})
        status, answer = call("waitlist", event)
        self.log(f"join {body} by {p.label}", status, answer)

    def pairs(self) -> list[tuple[dict[str, Any], str, str]]:
        """(waiting entry, how its slot can be freed, what frees it) for each waiting entry and each slot it
        waits for that someone holds ("release", the hold id) or has booked ("cancel", the appointment id)."""
        found = []
        for entry in self.entries():
            if entry["status"] != statuses.WAITING:
                continue
            for hold_id, slot_id, _ in self.holds:
                slot = self.table.get(key_of(keys.slot_key(slot_id)))
                if slot.get("holdId") == hold_id and slot.get("status") == statuses.HELD \
                        and self.matches(entry, slot_id):
                    found.append((entry, "release", hold_id))
            for appt in self.appointments():
                if appt["status"] == statuses.BOOKED and self.matches(entry, appt["slotId"]):
                    found.append((entry, "cancel", appt["id"]))
        return found

    def make_pair(self, who: int, slot: tuple[str, int], same_doctor: bool, signed_in: bool) -> None:
        """Someone waits for a slot someone else holds: the next patient holds a pool slot, `who` joins for it."""
        holder = (who + 1) % len(PEOPLE)
        self.hold(holder, slot, False)
        held = [s for h, s, w in self.holds if w == holder]
        if held:
            self.join_for(who, held[-1], same_doctor, 0, signed_in)
            self.settle()

    def free(self, how: str, what: str) -> None:
        """Free a slot: release a hold, or cancel an appointment (its owner, anonymously)."""
        if how == "release":
            event = http_event("DELETE", f"/v1/holds/{what}")
            event["pathParameters"] = {"holdId": what}
            self.log(f"release {what}", *call("booking", event))
        else:
            appt = self.table.get(key_of(keys.appointment_key(what)))
            self.cancel_as(appt, self.person_of(appt["PatPK"][7:]) or 0, "anonymous")

    @rule(who=WHO, slot=SELF_SLOT, same_doctor=st.booleans(), signed_in=st.booleans(), pick=PICK)
    def waited_for_slot_frees(self, who: int, slot: tuple[str, int], same_doctor: bool, signed_in: bool,
                              pick: int) -> None:
        """Someone waits for a slot someone else holds or has booked (made so when nobody does), and it is
        freed: the waiting patient gets an offer. (join + hold + release/cancel in one step: offers are what
        the waiting list's rules are about, and few random sequences of single steps reach one.)"""
        if not self.pairs():
            self.make_pair(who, slot, same_doctor, signed_in)
        found = self.pick(self.pairs(), pick)
        if found is None:
            return
        entry, how, what = found
        say(f"  {entry['id']} waits; {how} {what} frees its slot")
        self.free(how, what)
        self.settle()

    def leave_as(self, entry: dict[str, Any], who: int, signed_in: bool) -> None:
        p = PEOPLE[who]
        if signed_in:
            event = http_event("DELETE", f"/v1/me/waitlist/{entry['id']}", claims=p.claims)
        else:
            event = http_event("POST", f"/v1/waitlist/{entry['id']}/cancel", policy_of(p.data))
        status, body = call("waitlist", event)
        self.log(f"leave {entry['id']} ({entry['status']}) by {p.label}", status, body)

    @rule(pick=PICK, owner=OWNER, who=WHO, signed_in=st.booleans())
    def leave(self, pick: int, owner: bool, who: int, signed_in: bool) -> None:
        entry = self.pick(self.entries(), pick)
        if entry is None:
            return
        if owner:
            who = self.person_of(entry["policyHash"]) or 0
        self.leave_as(entry, who, signed_in)
        self.settle()

    def accept_as(self, entry: dict[str, Any]) -> None:
        token = ticket_link.offer_token(entry["id"])
        event = http_event("POST", f"/v1/waitlist/{entry['id']}/accept", {"token": token})
        status, body = call("waitlist", event)
        self.log(f"accept {entry['id']} ({entry['status']})", status, body)

    @rule(pick=PICK)
    def accept(self, pick: int) -> None:
        offered = [e for e in self.entries() if e["status"] == statuses.OFFERED]
        entry = self.pick(offered or self.entries(), pick)
        if entry is None:
            return
        self.accept_as(entry)
        self.settle()

    # ------------------------------------------------------------ a race: the stream lands mid-request
    def matches(self, entry: dict[str, Any], slot_id: str) -> bool:
        """The slot is one the entry waits for (its clinic, specialty, doctor if set, days)."""
        slot = self.table.get(key_of(keys.slot_key(slot_id)))
        return bool(slot) and slot["clinicId"] == entry["clinicId"] and slot["specialtyId"] == entry["specialtyId"] \
            and entry.get("doctorId") in (None, slot["doctorId"]) \
            and int(entry["fromTs"]) <= int(slot["start"]) <= int(entry["toTs"])

    @rule(then=st.sampled_from(["leave", "leave_signed_in", "accept", "book", "cancel"]), pick=PICK, who=WHO,
          slot=SELF_SLOT, same_doctor=st.booleans())
    def race_with_stream(self, then: str, pick: int, who: int, slot: tuple[str, int], same_doctor: bool) -> None:
        """A slot someone waits for is freed (made so when nobody waits), and its stream records are handled (an
        offer lands) while a request runs, after its reads and before its write: the waiting patient leaves
        the list or accepts, someone books the slot, or its holder's appointment is cancelled again."""
        if not self.pairs():
            self.make_pair(who, slot, same_doctor, then == "leave_signed_in")
        found = self.pick(self.pairs(), pick)
        if found is None:
            return
        entry, how, what = found
        say(f"  race: {entry['id']} waits; {how} {what} frees its slot; its records are handled while {then} "
            f"runs, between its reads and its write")
        self.free(how, what)
        freed = keys.slot_of_hold(what) if how == "release" else self.table.get(
            key_of(keys.appointment_key(what))).get("slotId")
        self.failure = None
        with before_first_write(self.settle_later):
            if then == "accept":
                self.accept_as(entry)
            elif then.startswith("leave"):
                self.leave_as(entry, self.person_of(entry["policyHash"]) or 0, then == "leave_signed_in")
            elif then == "book":
                self.book_as(who, str(freed), "anonymous")
            elif how == "cancel":
                appt = self.table.get(key_of(keys.appointment_key(what)))
                self.cancel_as(appt, self.person_of(appt["PatPK"][7:]) or 0, "signed_in")
        if self.failure is not None:
            raise self.failure
        self.settle()

    # ------------------------------------------------------------ staff
    @precondition(lambda self: self.published < 3)  # each costs a window of slot writes: a few per example
    @rule(doctor=st.sampled_from([NEW_DOCTOR, NEW_DOCTOR, OPHTHALMOLOGIST]),
          plan=st.sampled_from(["mornings", "afternoons", "early"]), name_en=st.booleans())
    def publish_plan(self, doctor: str, plan: str, name_en: bool) -> None:
        days = {"mornings": (range(1, 8), "09:00", "12:00", 30), "afternoons": (range(1, 6), "14:00", "16:00", 20),
                "early": (range(1, 8), "08:00", "09:30", 15)}[plan]
        weekdays, start, end, minutes = days
        if doctor == NEW_DOCTOR:
            body: dict[str, Any] = {"name": "Орлова Вера Павловна", "specialtyId": "therapist", "room": "214"}
            english = "Vera Orlova"
        else:
            profile = self.table.get((keys.doctor_pk(doctor), keys.PROFILE))
            body = {"name": profile["name"], "specialtyId": profile["specialtyId"], "room": profile.get("room", "1")}
            english = profile.get("nameEn") or "Ophthalmologist"
        if name_en:
            body["nameEn"] = english
        body.update(slotMinutes=minutes, plan=[{"weekday": wd, "from": start, "to": end} for wd in weekdays])
        status, answer = call("registry", staff_event("PUT", f"/v1/registry/clinics/{CLINIC}/doctors/{doctor}", body))
        self.log(f"publish {doctor} {plan} {'with' if name_en else 'without'} nameEn", status, answer)
        assert status == 200, answer
        self.published += 1
        self.settle()

    @rule(doctor=st.sampled_from(DOCTORS), first=st.integers(0, 2), span=st.integers(0, 1),
          reason=st.sampled_from(["sick", "vacation"]), dry_run=st.sampled_from([False, False, True]),
          taken=st.sampled_from([None, None, 0, 3, 7]))
    def absence(self, doctor: str, first: int, span: int, reason: str, dry_run: bool, taken: int | None) -> None:
        """A doctor's absence from a day (and the next): `taken` aims it at the doctor and day of a held or
        booked slot (an offer's, a patient's) when there is one."""
        day = self.day + timedelta(days=first)
        busy = self.of("slot", statuses.HELD) + self.of("slot", statuses.BOOKED)
        if taken is not None and busy:  # slots held for an offer first
            slot = self.pick(sorted(busy, key=lambda s: (not s.get("offerEntry"), s["slotId"])), taken)
            doctor, day = slot["doctorId"], clock.local_date(int(slot["start"]))
        elif (keys.doctor_pk(doctor), keys.PROFILE) not in self.table.wire and not span:
            doctor = THERAPIST  # the new doctor, not published yet (with span 1: its absence, refused)
        body = {"from": day.isoformat(), "to": (day + timedelta(days=span)).isoformat(), "reason": reason,
                "dryRun": dry_run}
        event = staff_event("POST", f"/v1/registry/clinics/{CLINIC}/doctors/{doctor}/absences", body)
        status, answer = call("registry", event)
        self.log(f"absence of {doctor} {body}", status, answer)
        self.settle()

    @rule(pick=PICK, mark=st.sampled_from(["fulfilled", "noshow"]))
    def attendance(self, pick: int, mark: str) -> None:
        appt = self.pick(self.appointments(), pick)
        if appt is None:
            return
        event = staff_event("POST", f"/v1/registry/appointments/{appt['id']}/attendance", {"status": mark})
        status, body = call("registry", event)
        self.log(f"attendance {mark} of {appt['id']} ({appt['status']}, starts {clock.local_iso(int(appt['start']))})",
                 status, body)
        self.settle()

    @rule(who=WHO)
    def issue_referral(self, who: int) -> None:
        p = PEOPLE[who].data
        body = {"patient": {k: p[k] for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber",
                                              "policySeries") if p.get(k)},
                "specialtyId": "cardiologist", "targetClinicId": CLINIC,
                "validUntil": (clock.local_date(self.t) + timedelta(days=30)).isoformat()}
        status, answer = call("registry", staff_event("POST", "/v1/registry/referrals", body))
        self.log(f"referral for {PEOPLE[who].label}", status, answer)
        if status == 201:
            self.referrals.append((answer["referral"]["number"], who))
        self.settle()

    # ------------------------------------------------------------ jobs and the clock
    def sweep_now(self) -> None:
        result = load_function("sweeper").handler(event_file("sweeper/scheduled.json"), Context("sweeper"))
        say(f"  sweep -> {result}")
        self.last_sweep = self.t

    @rule()
    def sweep(self) -> None:
        self.sweep_now()
        self.settle()

    def run_daily_job(self) -> None:
        result = load_function("schedule").handler(event_file("schedule/daily.json"), Context("schedule"))
        say(f"  daily job -> {result}")

    @precondition(lambda self: self.daily_runs < 2)
    @rule()
    def daily_job(self) -> None:
        """The daily job again (a retried or late run: it opens nothing twice)."""
        self.daily_runs += 1
        self.run_daily_job()
        self.settle()

    @rule()
    def reminders(self) -> None:
        result = load_function("reminder").handler(event_file("reminder/scheduled.json"), Context("reminder"))
        say(f"  reminders -> {result}")
        self.settle()

    @rule(minutes=st.sampled_from([1, 4, 6, 16, 45, 120, 360, -1]), then_sweep=st.booleans())
    def advance(self, minutes: int, then_sweep: bool) -> None:
        """Time passes (-1: to 07:50 the next morning); holds (5 min) and offers (15 min) expire. A new day
        brings the daily job (its schedule runs it at night); `then_sweep`: the sweeper runs now."""
        today = clock.local_date(self.t)
        if minutes < 0:
            self.t = clock.day_start(today + timedelta(days=1)) + 7 * HOUR + 50 * MINUTE
        else:
            self.t += minutes * MINUTE
        say(f"  now {clock.local_iso(self.t)}")
        self.dirty_all = True
        if clock.local_date(self.t) != today:
            self.run_daily_job()
        if then_sweep:
            self.sweep_now()
        self.settle()

    # ------------------------------------------------------------ invariants
    def check(self) -> None:
        """Every invariant (a regression test driving the machine by hand calls it after each step)."""
        self.one_active_appointment_per_slot()
        self.offered_entries_hold_their_slot()
        self.read_routes_answer()

    @invariant()
    def one_active_appointment_per_slot(self) -> None:
        appointments = {a["id"]: a for a in self.of("appointment")}
        by_slot: dict[str, list[str]] = {}
        for a in appointments.values():
            if a["status"] == statuses.BOOKED:
                by_slot.setdefault(a["slotId"], []).append(a["id"])
        for slot_id, ids in by_slot.items():
            assert len(ids) == 1, f"slot {slot_id} has {len(ids)} booked appointments: {ids}"
        for slot in self.of("slot", statuses.BOOKED):
            if slot.get("status") == statuses.BOOKED:
                appt = appointments.get(str(slot.get("appointmentId")))
                assert appt, f"booked slot {slot['slotId']} names no appointment ({slot.get('appointmentId')})"
                assert appt["slotId"] == slot["slotId"], f"{slot['slotId']} -> {appt['id']} -> {appt['slotId']}"
                assert appt["status"] in (statuses.BOOKED, statuses.FULFILLED, statuses.NOSHOW), (
                    f"booked slot {slot['slotId']} names appointment {appt['id']} that is {appt['status']}")
        for slot_id, (appt_id,) in by_slot.items():
            slot = self.table.get(key_of(keys.slot_key(slot_id)))
            assert slot.get("status") == statuses.BOOKED and slot.get("appointmentId") == appt_id, (
                f"appointment {appt_id} is booked but its slot {slot_id} is {slot.get('status')} "
                f"({slot.get('appointmentId')})")

    @invariant()
    def offered_entries_hold_their_slot(self) -> None:
        for entry in self.entries():
            if entry["status"] != statuses.OFFERED:
                continue
            slot = self.table.get(key_of(keys.slot_key(str(entry.get("offerSlotId")))))
            if slot.get("status") == statuses.HELD and slot.get("holdId") == entry.get("offerHoldId"):
                continue
            expired = int(entry.get("offerExpiresAt", 0)) <= self.t
            swept_since = self.last_sweep is not None and self.last_sweep >= int(entry.get("offerExpiresAt", 0))
            assert expired and not swept_since, (
                f"entry {entry['id']} is offered slot {entry.get('offerSlotId')}, which is {slot.get('status')} "
                f"(hold {slot.get('holdId')}, the offer's {entry.get('offerHoldId')}; offer "
                f"{'expired' if expired else 'not expired'}, {'swept since' if swept_since else 'not swept'})")

    @invariant()
    def read_routes_answer(self) -> None:
        """Every read route answers 2xx. Each is read again when what it reads changed since the last check
        (every one of them once the clock moved: answers depend on the time); a free-slot read covers the
        days of the pool (today and the next two days)."""
        everything, changed = self.dirty_all, self.dirty
        self.dirty_all, self.dirty = False, set()
        touched = [self.table.get(k) for k in changed]
        doctors = set(DOCTORS) if everything else {i.get("doctorId") for i in touched if i.get("entity") == "slot"}
        doctors &= {d for d in DOCTORS if (keys.doctor_pk(d), keys.PROFILE) in self.table.wire}
        today = clock.local_date(self.t)
        for doctor_id in sorted(doctors):
            status, body = call("lookup", http_event("GET", f"/v1/doctors/{doctor_id}/slots", query={
                "from": today.isoformat(), "to": (today + timedelta(days=2)).isoformat()}))
            self.read(f"slots of {doctor_id}", status, body)
        if doctors:
            query = [("schedule", ",".join(f"Schedule/{d}" for d in sorted(doctors))), ("_count", "100"),
                     ("start", f"ge{today.isoformat()}"), ("start", f"lt{(today + timedelta(days=3)).isoformat()}")]
            self.read("FHIR Slot search", *fhir_call("GET", "/fhir/Slot", params=query))
        days = {(a["clinicId"], a["DayPK"].rsplit("#", 1)[-1], a["DayPK"]) for a in self.of("appointment")
                if a.get("DayPK")}
        if not everything:
            changed_days = {a.get("DayPK") for a in touched if a.get("entity") == "appointment"}
            days = {d for d in days if d[2] in changed_days}
        for clinic_id, day, _ in sorted(days):
            event = staff_event("GET", f"/v1/registry/clinics/{clinic_id}/appointments", clinic=clinic_id,
                                query={"date": day})
            self.read(f"day list {clinic_id} {day}", *call("registry", event))
        hashes = {str(i.get("policyHash") or str(i.get("PatPK", ""))[7:]) for i in touched}
        hashes |= {pk[7:] for pk, _ in changed if pk.startswith("POLICY#")}
        people = range(len(PEOPLE)) if everything else [n for n, p in enumerate(PEOPLE) if p.policy_hash in hashes]
        for n in people:
            p = PEOPLE[n]
            self.read(f"history of {p.label}",
                      *call("history", http_event("GET", "/v1/me/appointments", claims=p.claims)))
            self.read(f"waiting list of {p.label}",
                      *call("waitlist", http_event("GET", "/v1/me/waitlist", claims=p.claims)))
            if p.demo and (pid := self.gorzdrav_pid(n)):
                status, body = call("gorzdrav", http_event("GET", "/_api/api/v2/appointments",
                                                           query={"lpuId": str(LPU), "patientId": pid}))
                self.read(f"gorzdrav appointments of {p.label}", status, body)
                assert body.get("success") is True, body
        for appt in self.appointments():
            if everything or (appt["PK"], appt["SK"]) in changed:
                owner = PEOPLE[self.person_of(appt["PatPK"][7:]) or 0]
                self.read(f"/fhir/me/Appointment/{appt['id']}", *fhir_call(
                    "GET", f"/fhir/me/Appointment/{codes.fhir_id(appt['id'])}", claims=owner.claims))
        for entry in self.entries():
            if everything or (entry["PK"], entry["SK"]) in changed:
                self.read(f"offer link of {entry['id']}", *call("waitlist", http_event(
                    "GET", f"/v1/waitlist/{entry['id']}", query={"t": ticket_link.offer_token(entry["id"])})))

    def read(self, what: str, status: int, body: Any) -> None:
        assert 200 <= status < 300, f"{what} answered {status}: {short(body)}"


def machine_settings(max_examples: int, steps: int) -> settings:
    return settings(max_examples=max_examples, stateful_step_count=steps, deadline=None,
                    derandomize=IN_CI, database=None if IN_CI else settings.default.database,
                    suppress_health_check=list(HealthCheck), print_blob=True)


def run_machine(backend: Backend, max_examples: int, steps: int) -> None:
    machine = type("Clinic", (Clinic,), {"backend": backend})
    run_state_machine_as_test(machine, settings=machine_settings(max_examples, steps))
