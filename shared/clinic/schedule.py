"""Schedules that renew (issue 11): publishing a doctor's plan, opening each new day of the booking window,
and making one doctor's days match the plan and the absences. The rules are in shared/clinic/plans.py; this module
only reads and writes.

Every write is conditional and idempotent: a missing slot is put with `attribute_not_exists`, a free one is
closed or reshaped only while it is still free, a booked one is never moved (a conflict) unless an absence
cancels it through the cancellation transaction. Running anything here twice, late or at the same time as
another writer converges on the same slots:

- a plan change writes the doctor's new version first and then reconciles the window; the daily job
  reconciles with the version it read and then reads the clinic again, reconciling anew any doctor whose
  version or absences moved meanwhile. Whichever ran second saw the other's writes (consistent reads), so no
  slot of an old plan survives and no slot exists twice (a slot's key is its start);
- an absence is written before its days are reconciled; the daily job's second read sees it, or the
  absence's reconcile sees the job's slots.
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shared.booking import cancellation
from shared.clinic import plans
from shared.domain import slots, specialties
from shared.platform import clients, clock, dal, keys
from shared.platform.errors import DomainError
from shared.platform.observability import logger

PASSES = 4  # a doctor-day is reconciled again while a write lost a race, at most this often
WRITERS = 4  # parallel conditional writes per unit


@dataclass
class Counts:
    created: int = 0
    closed: int = 0
    reopened: int = 0
    cancelled: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.closed += other.closed
        self.reopened += other.reopened
        self.cancelled += other.cancelled
        self.conflicts = other.conflicts or self.conflicts


# ---------------------------------------------------------------- reading
def clinic_items(clinic_id: str, prefix: str = "") -> list[dict[str, Any]]:
    """The clinic's partition (profile, specialties, doctors, absences), consistent."""
    if prefix:
        return list(dal.query_all("PK = :pk AND begins_with(SK, :p)", {":pk": keys.clinic_pk(clinic_id),
                                                                       ":p": prefix}, consistent=True))
    return list(dal.query_all("PK = :pk", {":pk": keys.clinic_pk(clinic_id)}, consistent=True))


def doctor_profiles(doctor_ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(doctor_ids), 100):
        batch = [keys.key(keys.doctor_pk(d), keys.PROFILE) for d in doctor_ids[i:i + 100]]
        for item in dal.batch_get(batch, consistent=True):
            found[item["id"]] = item
    return found


def day_slots(doctor_id: str, days: list[date]) -> dict[str, list[dict[str, Any]]]:
    """The doctor's slots of `days` grouped by local day: one Query over the doctor's partition."""
    out: dict[str, list[dict[str, Any]]] = {d.isoformat(): [] for d in days}
    if not days:
        return out
    lo, hi = clock.day_start(min(days)), clock.day_end(max(days)) - 1
    for item in dal.query_all("PK = :pk AND SK BETWEEN :lo AND :hi",
                              {":pk": keys.doctor_pk(doctor_id), ":lo": keys.slot_sk(lo), ":hi": keys.slot_sk(hi)},
                              consistent=True):
        day = clock.local_date(int(item["start"])).isoformat()
        if day in out:
            out[day].append(item)
    return out


# ---------------------------------------------------------------- writing
def reconcile(doctor: dict[str, Any], days: list[date], absent: dict[str, str], now: int,
              dry_run: bool = False) -> Counts:
    """Make the doctor's future slots of `days` what the plan and the absences say (module docstring).
    A write that lost a race is decided again from a fresh read, at most PASSES times."""
    total = Counts()
    run = secrets.token_urlsafe(12)  # names this reconcile's closes (see _write)
    for _ in range(PASSES):
        found = day_slots(doctor["id"], days)
        works = {d: plans.diff(doctor, plans.day_slots(doctor, date.fromisoformat(d)), items, now, d in absent)
                 for d, items in found.items()}
        conflicts = [_conflict(s) for w in works.values() for s in w.conflicts]
        if dry_run:
            return Counts(created=sum(len(w.put) for w in works.values()),
                          closed=sum(len(w.close) for w in works.values()),
                          cancelled=sum(len(w.cancel) for w in works.values()), conflicts=conflicts)
        lost = False
        for d, work in works.items():
            done, raced = _apply(work, absent.get(d), now, run)
            total.add(done)
            lost = lost or raced
        total.conflicts = conflicts
        if not lost:
            return total
    logger.warning("reconcile still racing", extra={"doctorId": doctor["id"]})
    return total


def _conflict(slot: dict[str, Any]) -> dict[str, Any]:
    return {"appointmentId": slot.get("appointmentId"), "slotId": slot["slotId"],
            "start": clock.local_iso(int(slot["start"]))}


def _apply(work: plans.DayWork, absence: str | None, now: int, run: str) -> tuple[Counts, bool]:
    """Write one day's work; (what was done, whether some write lost a race and the day needs a new read)."""
    counts = Counts()
    results: list[tuple[str, bool]] = []
    jobs = ([("put", i) for i in work.put] + [("reshape", i) for i in work.reshape]
            + [("reopen", i) for i in work.reopen] + [("close", i) for i in work.close])
    if jobs:
        if len(jobs) > 4 and WRITERS > 1:
            with ThreadPoolExecutor(max_workers=WRITERS) as pool:
                results = list(pool.map(lambda j: (j[0], _write(j[0], j[1], absence, now, run)), jobs))
        else:
            results = [(kind, _write(kind, item, absence, now, run)) for kind, item in jobs]
    raced = False
    for kind, ok in results:
        if kind == "put":
            counts.created += ok  # a put that found the slot there already lost nothing
        elif kind == "close":
            counts.closed += ok
            raced = raced or not ok
        elif kind == "reopen":
            counts.reopened += ok
            raced = raced or not ok
        else:
            raced = raced or not ok
    for slot in work.cancel:
        if _cancel(slot, absence or "other", now):
            counts.cancelled += 1
        else:
            raced = True
    return counts, raced


def _write(kind: str, item: Mapping[str, Any], absence: str | None, now: int, run: str) -> bool:
    """One slot transition of a reconciliation (shared/domain/slots.py builds each): put, close or reopen."""
    key = keys.key(item["PK"], item["SK"])
    why = plans.ABSENCE if absence else plans.PLAN
    ops = {"put": lambda: slots.create(item),
           "close": lambda: slots.close(key, why=why, run=run, now=now, held_too=bool(absence)),
           "reopen": lambda: slots.reopen(item, closed_by=plans.PLAN, now=now)}
    op = ops.get(kind, lambda: slots.reopen(item, closed_by=None, now=now))()
    try:
        dal.apply(op)
    except dal.ConditionFailed as failed:
        # A close retried by the same run finds the slot closed already by itself (`closedRun`).
        return kind == "close" and (failed.old or {}).get("closedRun") == run
    return True


def _cancel(slot: dict[str, Any], reason: str, now: int) -> bool:
    """Cancel the appointment booked on `slot` for the clinic; False when it was not (cancelled or started
    meanwhile): the caller reads the day again."""
    appointment_id = slot.get("appointmentId")
    appt = dal.get(keys.appointment_key(appointment_id), consistent=True) if appointment_id else None
    if not appt or appt.get("status") != slots.BOOKED or int(appt["start"]) <= now:
        return False
    try:
        cancellation.commit(appt, appt["PatPK"], now, by="clinic", reason=reason)
    except DomainError:
        return False
    logger.info("appointment cancelled by the clinic", extra={"appointmentId": appointment_id, "reason": reason})
    return True


# ---------------------------------------------------------------- a doctor and a plan
def publish_doctor(clinic_id: str, doctor_id: str, body: dict[str, Any], lang: str) -> dict[str, Any]:
    """Create or update a doctor and publish the plan's free slots for the whole open window."""
    if keys.clinic_of_doctor(doctor_id) != clinic_id:
        raise DomainError("validation_error", {"fields": [{"field": "doctorId", "problem": "clinic"}]})
    spec = specialties.SPECIALTIES.get(body["specialtyId"])
    if spec is None:
        raise DomainError("validation_error", {"fields": [{"field": "specialtyId", "problem": "unknown"}]})
    problems = plans.plan_problems(body["plan"], body["slotMinutes"])
    if problems:
        raise DomainError("validation_error", {"fields": [{"field": p, "problem": "plan"} for p in problems]})
    now = clock.now()
    today = clock.local_date(now)
    valid_from = max(body.get("validFrom") or today, today)
    if valid_from > today + timedelta(days=366):
        raise DomainError("validation_error", {"fields": [{"field": "validFrom", "problem": "range"}]})
    for _ in range(3):
        doctor, old_spec = _write_doctor(clinic_id, doctor_id, body, spec, valid_from, today)
        if doctor is not None:
            break
    else:
        raise DomainError("unavailable", retry_after=1)
    if old_spec and old_spec != doctor["specialtyId"]:
        _drop_specialty_if_unused(clinic_id, old_spec)
    absences = [a for a in clinic_items(clinic_id, keys.absences_of(doctor_id))]
    counts = reconcile(doctor, plans.window(today, valid_from), plans.absent_days(absences, doctor_id), now)
    logger.info("doctor published", extra={"doctorId": doctor_id, "slotsCreated": counts.created,
                                           "slotsClosed": counts.closed, "conflicts": len(counts.conflicts)})
    return {"doctor": render_doctor(doctor, lang), "slotsCreated": counts.created + counts.reopened,
            "slotsClosed": counts.closed, "conflicts": counts.conflicts}


def render_doctor(d: dict[str, Any], lang: str) -> dict[str, Any]:
    current = (d.get("plans") or [{}])[-1]
    return {"id": d["id"], "clinicId": d["clinicId"], "name": d["name"], "nameEn": d.get("nameEn"),
            "specialtyId": d["specialtyId"], "specialty": d.get("specialtyEn") if lang == "en" else d.get("specialty"),
            "room": d["room"], "slotMinutes": current.get("slotMinutes", d.get("slotMinutes")),
            "plan": current.get("plan", []), "validFrom": current.get("validFrom"),
            "version": int(d.get("version", 0))}


def _write_doctor(clinic_id: str, doctor_id: str, body: dict[str, Any], spec: tuple[str, str, bool],
                  valid_from: date, today: date) -> tuple[dict[str, Any] | None, str | None]:
    """One attempt: (the doctor as written, its former specialty), or (None, None) when another change of
    the same doctor won the race."""
    profile_key = keys.key(keys.doctor_pk(doctor_id), keys.PROFILE)
    clinic_key = keys.key(keys.clinic_pk(clinic_id), keys.PROFILE)
    found = {i["PK"]: i for i in dal.batch_get([profile_key, clinic_key], consistent=True)}
    if keys.clinic_pk(clinic_id) not in found:
        raise DomainError("not_found")
    old = found.get(keys.doctor_pk(doctor_id))
    version = int(old.get("version", 0)) if old else 0
    history = list((old or {}).get("plans") or [])
    new_entry = {"validFrom": valid_from.isoformat(), "slotMinutes": body["slotMinutes"],
                 "plan": plans.normalised(body["plan"])}
    spec_ru, spec_en, referral = spec
    doctor = dict(old or {}, id=doctor_id, clinicId=clinic_id, entity="doctor", name=body["name"],
                  nameEn=body.get("nameEn"), specialtyId=body["specialtyId"], specialty=spec_ru,
                  specialtyEn=spec_en, referralRequired=referral, room=body["room"],
                  slotMinutes=body["slotMinutes"], seq=(old or {}).get("seq") or keys.doctor_id_seq(doctor_id) or 0)
    doctor["PK"], doctor["SK"] = keys.doctor_pk(doctor_id), keys.PROFILE
    applying = [e for e in history if e["validFrom"] <= valid_from.isoformat()]
    same_plan = (bool(applying) and applying[-1]["plan"] == new_entry["plan"]
                 and applying[-1]["slotMinutes"] == new_entry["slotMinutes"] and applying[-1] == history[-1])
    if old and same_plan and all(old.get(k) == doctor.get(k) for k in ("name", "nameEn", "specialtyId", "room")):
        return old, old.get("specialtyId")  # the same doctor and plan again: nothing to write
    doctor["plans"] = plans.with_plan(history, body["plan"], body["slotMinutes"], valid_from, today)
    doctor["version"] = version + 1
    doctor.pop("hours", None)  # a published plan replaces the demo seed's weekly hours
    ref = {"PK": keys.clinic_pk(clinic_id), "SK": keys.doctor_ref_sk(doctor_id), "entity": "doctorRef",
           "id": doctor_id, "name": doctor["name"], "nameEn": doctor.get("nameEn"),
           "specialtyId": doctor["specialtyId"], "room": doctor["room"], "version": doctor["version"]}
    specialty = {"PK": keys.clinic_pk(clinic_id), "SK": keys.specialty_sk(doctor["specialtyId"]),
                 "entity": "clinicSpecialty", "id": doctor["specialtyId"], "name": spec_ru, "nameEn": spec_en,
                 "referralRequired": referral}
    guard: dict[str, Any] = ({"ConditionExpression": "#v = :seen", "ExpressionAttributeNames": {"#v": "version"},
                              "ExpressionAttributeValues": {":seen": version}} if old and "version" in old
                             else {"ConditionExpression": "attribute_not_exists(#v)",
                                   "ExpressionAttributeNames": {"#v": "version"}})
    try:
        dal.transact([
            {"Put": {"Item": doctor, **guard}},
            {"Put": {"Item": ref}},
            {"Put": {"Item": specialty}},
        ])
    except dal.Cancelled:
        return None, None
    return doctor, (old or {}).get("specialtyId")


def _drop_specialty_if_unused(clinic_id: str, specialty_id: str) -> None:
    """A specialty disappears from the clinic with its last doctor."""
    if any(d.get("specialtyId") == specialty_id for d in clinic_items(clinic_id, keys.DOCTOR_PREFIX)):
        return
    dal.transact([{"Delete": {"Key": keys.key(keys.clinic_pk(clinic_id), keys.specialty_sk(specialty_id))}}])


# ---------------------------------------------------------------- the daily job
def open_days(clinic_id: str, now: int) -> dict[str, int]:
    """One unit of the daily job: publish every doctor's slots up to the day entering the window (the
    window's last day, shared.domain.slots.window_days), from the day after the clinic's `openedThrough` (so a missed
    run catches up). Idempotent and resumable: a unit cut short leaves `openedThrough` behind and the next run
    does the rest."""
    today, through = slots.window_days(now)
    items = clinic_items(clinic_id)
    profile = next((i for i in items if i["SK"] == keys.PROFILE), None)
    if profile is None:
        return {"doctors": 0, "created": 0, "closed": 0, "cancelled": 0}
    opened = profile.get("openedThrough")
    first = date.fromisoformat(opened) + timedelta(days=1) if opened else today
    days = plans.window(today, first)
    if not days:
        return {"doctors": 0, "created": 0, "closed": 0, "cancelled": 0}
    refs = {i["id"]: i for i in items if i["SK"].startswith(keys.DOCTOR_PREFIX)}
    seen_absences = {i["SK"] for i in items if i["SK"].startswith(keys.ABSENCE_PREFIX)}
    absences = [i for i in items if i["SK"].startswith(keys.ABSENCE_PREFIX)]
    total = Counts()
    doctors = doctor_profiles(sorted(refs))
    for doctor in doctors.values():
        total.add(reconcile(doctor, days, plans.absent_days(absences, doctor["id"]), now))
    # A plan change or an absence written while this ran: do those doctors again with what they are now.
    again = clinic_items(clinic_id)
    moved = {i["id"] for i in again if i["SK"].startswith(keys.DOCTOR_PREFIX)
             and (i["id"] not in refs or int(i.get("version", 0)) != int(refs[i["id"]].get("version", 0)))}
    new_absences = [i for i in again if i["SK"].startswith(keys.ABSENCE_PREFIX)]
    moved |= {i["doctorId"] for i in new_absences if i["SK"] not in seen_absences}
    for doctor in doctor_profiles(sorted(moved)).values():
        total.add(reconcile(doctor, days, plans.absent_days(new_absences, doctor["id"]), now))
    try:
        dal.update(keys.key(keys.clinic_pk(clinic_id), keys.PROFILE), "SET openedThrough = :d",
                   condition="attribute_exists(PK) AND (attribute_not_exists(openedThrough) OR openedThrough < :d)",
                   values={":d": through.isoformat()})
    except dal.ConditionFailed:
        pass  # another run got there first
    result = {"doctors": len(doctors), "created": total.created + total.reopened, "closed": total.closed,
              "cancelled": total.cancelled}
    logger.info("days opened", extra={"clinicId": clinic_id, "through": through.isoformat(),
                                      **{f"slots_{k}": v for k, v in result.items()}})
    return result


# ---------------------------------------------------------------- the daily job's fan-out
def queue_units(queue: str, clinics: list[str], day: str) -> None:
    """One message per clinic (10 per SendMessageBatch); what a batch reports failed is sent again."""
    sqs = clients.client("sqs")
    for i in range(0, len(clinics), 10):
        pending = [{"Id": str(n), "MessageBody": json.dumps({"clinicId": c, "day": day})}
                   for n, c in enumerate(clinics[i:i + 10])]
        for _ in range(5):
            failed = sqs.send_message_batch(QueueUrl=queue, Entries=pending).get("Failed") or []
            pending = [e for e in pending if e["Id"] in {f["Id"] for f in failed}]
            if not pending:
                break
        else:
            raise RuntimeError("could not queue every clinic")  # the schedule's retry policy runs it again
