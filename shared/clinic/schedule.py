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
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shared.booking import cancellation
from shared.clinic import plans
from shared.domain import journal, slots, specialties
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
def reconcile(doctor: Mapping[str, Any], days: list[date], absent: dict[str, str], now: int,
              dry_run: bool = False, actor: journal.Actor | None = None) -> Counts:
    """Make the doctor's future slots of `days` what the plan and the absences say (module docstring).
    A write that lost a race is decided again from a fresh read, at most PASSES times. With a staff `actor`,
    each appointment an absence cancels is journalled in its cancellation's transaction."""
    total = Counts()
    run = secrets.token_urlsafe(12)  # names this reconcile's closes (see _write)
    for _ in range(PASSES):
        works = _day_works(doctor, days, absent, now)
        conflicts = [_conflict(s) for w in works.values() for s in w.conflicts]
        if dry_run:
            return _planned(works, conflicts)
        lost = False
        for d, work in works.items():
            done, raced = _apply(work, absent.get(d), now, run, actor)
            total.add(done)
            lost = lost or raced
        total.conflicts = conflicts
        if not lost:
            return total
    logger.warning("reconcile still racing", extra={"doctorId": doctor["id"]})
    return total


def _day_works(doctor: Mapping[str, Any], days: list[date], absent: dict[str, str],
               now: int) -> dict[str, plans.DayWork]:
    """Each day's work (by local day), from one fresh read of the doctor's slots of `days`."""
    found = day_slots(doctor["id"], days)
    return {d: plans.diff(doctor, plans.day_slots(doctor, date.fromisoformat(d)), items, now, d in absent)
            for d, items in found.items()}


def _planned(works: Mapping[str, plans.DayWork], conflicts: list[dict[str, Any]]) -> Counts:
    """What the works would do (a dry run): nothing is written."""
    return Counts(created=sum(len(w.put) for w in works.values()),
                  closed=sum(len(w.close) for w in works.values()),
                  cancelled=sum(len(w.cancel) for w in works.values()), conflicts=conflicts)


def _conflict(slot: dict[str, Any]) -> dict[str, Any]:
    return {"appointmentId": slot.get("appointmentId"), "slotId": slot["slotId"],
            "start": clock.local_iso(int(slot["start"]))}


def _apply(work: plans.DayWork, absence: str | None, now: int, run: str,
           actor: journal.Actor | None = None) -> tuple[Counts, bool]:
    """Write one day's work; (what was done, whether some write lost a race and the day needs a new read)."""
    jobs = ([("put", i) for i in work.put] + [("reshape", i) for i in work.reshape]
            + [("reopen", i) for i in work.reopen] + [("close", i) for i in work.close])
    counts, raced = _tally(_write_all(jobs, absence, now, run))
    for slot in work.cancel:
        if _cancel(slot, absence or "other", now, actor):
            counts.cancelled += 1
        else:
            raced = True
    return counts, raced


def _write_all(jobs: Sequence[tuple[str, Mapping[str, Any]]], absence: str | None, now: int,
               run: str) -> list[tuple[str, bool]]:
    """Each job's write, WRITERS at a time when there are more than a few: (kind, whether it was applied)."""
    if len(jobs) > 4 and WRITERS > 1:
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            return list(pool.map(lambda j: (j[0], _write(j[0], j[1], absence, now, run)), jobs))
    return [(kind, _write(kind, item, absence, now, run)) for kind, item in jobs]


def _tally(results: list[tuple[str, bool]]) -> tuple[Counts, bool]:
    """What the writes did, and whether one lost a race (a put that found the slot there already lost nothing)."""
    counts = Counts()
    raced = False
    for kind, ok in results:
        if kind == "put":
            counts.created += ok
            continue
        if kind == "close":
            counts.closed += ok
        elif kind == "reopen":
            counts.reopened += ok
        raced = raced or not ok
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


def _cancel(slot: dict[str, Any], reason: str, now: int, actor: journal.Actor | None = None) -> bool:
    """Cancel the appointment booked on `slot` for the clinic; False when it was not (cancelled or started
    meanwhile): the caller reads the day again. The staff member's journal entry and the patient's access item
    (absence.record) ride in the cancellation's transaction."""
    appointment_id = slot.get("appointmentId")
    appt = dal.appointment(appointment_id, consistent=True) if appointment_id else None
    if not appt or appt.get("status") != slots.BOOKED or int(appt["start"]) <= now:
        return False
    try:
        also = {} if actor is None else journal.operations(
            actor, appt["clinicId"], journal.ABSENCE_RECORD, now, appointments=[appt], doctor_id=appt["doctorId"])
        cancellation.commit(appt, appt["PatPK"], now, by="clinic", reason=reason, also=also)
    except DomainError:
        return False
    logger.info("appointment cancelled by the clinic", extra={"appointmentId": appointment_id, "reason": reason})
    return True


# ---------------------------------------------------------------- a doctor and a plan
def publish_doctor(clinic_id: str, doctor_id: str, body: dict[str, Any], lang: str,
                   actor: journal.Actor | None = None) -> dict[str, Any]:
    """Create or update a doctor and publish the plan's free slots for the whole open window. With a staff
    `actor` (the API; not the operator's import), the doctor's write carries the journal entry (plan.publish)."""
    spec = _checked_specialty(clinic_id, doctor_id, body)
    now = clock.now()
    today = clock.local_date(now)
    valid_from = _valid_from(body, today)
    for _ in range(3):
        also = None if actor is None else journal.operations(actor, clinic_id, journal.PLAN_PUBLISH, now,
                                                             doctor_id=doctor_id)
        doctor, old_spec = _write_doctor(clinic_id, doctor_id, body, spec, valid_from, also)
        if doctor is not None:
            break
    else:
        raise DomainError("unavailable", retry_after=1)
    if old_spec and old_spec != doctor["specialtyId"]:
        _drop_specialty_if_unused(clinic_id, old_spec)
    absences = clinic_items(clinic_id, keys.absences_of(doctor_id))
    counts = reconcile(doctor, plans.window(today, valid_from), plans.absent_days(absences, doctor_id), now,
                       actor=actor)
    logger.info("doctor published", extra={"doctorId": doctor_id, "slotsCreated": counts.created,
                                           "slotsClosed": counts.closed, "conflicts": len(counts.conflicts)})
    return {"doctor": render_doctor(doctor, lang), "slotsCreated": counts.created + counts.reopened,
            "slotsClosed": counts.closed, "conflicts": counts.conflicts}


def _checked_specialty(clinic_id: str, doctor_id: str, body: dict[str, Any]) -> tuple[str, str, bool]:
    """The body's specialty (its names and whether it needs a referral), once the doctor id, the specialty and the
    plan are valid for this clinic."""
    if keys.clinic_of_doctor(doctor_id) != clinic_id:
        raise DomainError("validation_error", {"fields": [{"field": "doctorId", "problem": "clinic"}]})
    spec = specialties.SPECIALTIES.get(body["specialtyId"])
    if spec is None:
        raise DomainError("validation_error", {"fields": [{"field": "specialtyId", "problem": "unknown"}]})
    problems = plans.plan_problems(body["plan"], body["slotMinutes"])
    if problems:
        raise DomainError("validation_error", {"fields": [{"field": p, "problem": "plan"} for p in problems]})
    return spec


def _valid_from(body: dict[str, Any], today: date) -> date:
    """The plan's first day: today at the earliest, within a year and a day."""
    valid_from: date = max(body.get("validFrom") or today, today)
    if valid_from > today + timedelta(days=366):
        raise DomainError("validation_error", {"fields": [{"field": "validFrom", "problem": "range"}]})
    return valid_from


def render_doctor(d: dict[str, Any], lang: str) -> dict[str, Any]:
    current = (d.get("plans") or [{}])[-1]
    return {"id": d["id"], "clinicId": d["clinicId"], "name": d["name"], "nameEn": d.get("nameEn"),
            "specialtyId": d["specialtyId"], "specialty": d.get("specialtyEn") if lang == "en" else d.get("specialty"),
            "room": d["room"], "slotMinutes": current.get("slotMinutes", d.get("slotMinutes")),
            "plan": current.get("plan", []), "validFrom": current.get("validFrom"),
            "version": int(d.get("version", 0))}


def _write_doctor(clinic_id: str, doctor_id: str, body: dict[str, Any], spec: tuple[str, str, bool],
                  valid_from: date, also: dict[str, dict[str, Any]] | None) -> tuple[dict[str, Any] | None, str | None]:
    """One attempt: (the doctor as written, its former specialty), or (None, None) when another change of
    the same doctor won the race. `also`: the journal's operations, written in the same transaction."""
    today = clock.local_date(clock.now())
    old = _read_doctor(clinic_id, doctor_id)
    history = list((old or {}).get("plans") or [])
    doctor = _doctor_item(old, clinic_id, doctor_id, body, spec)
    if old and _same_plan(history, body, valid_from) and _same_profile(old, doctor):
        return old, old.get("specialtyId")  # the same doctor and plan again: nothing to write
    doctor["plans"] = plans.with_plan(history, body["plan"], body["slotMinutes"], valid_from, today)
    doctor["version"] = (int(old.get("version", 0)) if old else 0) + 1
    doctor.pop("hours", None)  # a published plan replaces the demo seed's weekly hours
    try:
        dal.transact({
            "doctor": {"Put": {"Item": doctor, **_version_guard(old)}},
            "ref": {"Put": {"Item": _doctor_ref(clinic_id, doctor)}},
            "specialty": {"Put": {"Item": _clinic_specialty(clinic_id, doctor["specialtyId"], spec)}},
            **(also or {}),
        })
    except dal.Cancelled:
        return None, None
    return doctor, (old or {}).get("specialtyId")


def _read_doctor(clinic_id: str, doctor_id: str) -> dict[str, Any] | None:
    """The doctor's profile as it is (None: a new doctor); the clinic must exist."""
    profile_key = keys.key(keys.doctor_pk(doctor_id), keys.PROFILE)
    clinic_key = keys.key(keys.clinic_pk(clinic_id), keys.PROFILE)
    found = {i["PK"]: i for i in dal.batch_get([profile_key, clinic_key], consistent=True)}
    if keys.clinic_pk(clinic_id) not in found:
        raise DomainError("not_found")
    return found.get(keys.doctor_pk(doctor_id))


def _doctor_item(old: dict[str, Any] | None, clinic_id: str, doctor_id: str, body: dict[str, Any],
                 spec: tuple[str, str, bool]) -> dict[str, Any]:
    """The doctor's profile with the body's fields (its plans and version still the old ones)."""
    spec_ru, spec_en, referral = spec
    doctor = dict(old or {}, id=doctor_id, clinicId=clinic_id, entity="doctor", name=body["name"],
                  nameEn=body.get("nameEn"), specialtyId=body["specialtyId"], specialty=spec_ru,
                  specialtyEn=spec_en, referralRequired=referral, room=body["room"],
                  slotMinutes=body["slotMinutes"], seq=(old or {}).get("seq") or keys.doctor_id_seq(doctor_id) or 0)
    doctor["PK"], doctor["SK"] = keys.doctor_pk(doctor_id), keys.PROFILE
    return doctor


def _same_plan(history: list[dict[str, Any]], body: dict[str, Any], valid_from: date) -> bool:
    """The plan applying on `valid_from` is the body's and the last one published: nothing to add."""
    applying = [e for e in history if e["validFrom"] <= valid_from.isoformat()]
    if not applying:
        return False
    last = applying[-1]
    return (last["plan"] == plans.normalised(body["plan"]) and last["slotMinutes"] == body["slotMinutes"]
            and last == history[-1])


def _same_profile(old: dict[str, Any], doctor: Mapping[str, Any]) -> bool:
    """The profile fields a publish may change are unchanged."""
    return all(old.get(k) == doctor.get(k) for k in ("name", "nameEn", "specialtyId", "room"))


def _version_guard(old: dict[str, Any] | None) -> dict[str, Any]:
    """The profile's condition: the version read is still there (or there is none, as read)."""
    if old and "version" in old:
        return {"ConditionExpression": "#v = :seen", "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":seen": int(old.get("version", 0))}}
    return {"ConditionExpression": "attribute_not_exists(#v)", "ExpressionAttributeNames": {"#v": "version"}}


def _doctor_ref(clinic_id: str, doctor: Mapping[str, Any]) -> dict[str, Any]:
    """The clinic partition's reference to the doctor."""
    return {"PK": keys.clinic_pk(clinic_id), "SK": keys.doctor_ref_sk(doctor["id"]), "entity": "doctorRef",
            "id": doctor["id"], "name": doctor["name"], "nameEn": doctor.get("nameEn"),
            "specialtyId": doctor["specialtyId"], "room": doctor["room"], "version": doctor["version"]}


def _clinic_specialty(clinic_id: str, specialty_id: str, spec: tuple[str, str, bool]) -> dict[str, Any]:
    """The clinic partition's item naming a specialty it offers."""
    spec_ru, spec_en, referral = spec
    return {"PK": keys.clinic_pk(clinic_id), "SK": keys.specialty_sk(specialty_id),
            "entity": "clinicSpecialty", "id": specialty_id, "name": spec_ru, "nameEn": spec_en,
            "referralRequired": referral}


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
    days = _days_to_open(items, today)
    if not days:
        return {"doctors": 0, "created": 0, "closed": 0, "cancelled": 0}
    refs = {i["id"]: i for i in _of_kind(items, keys.DOCTOR_PREFIX)}
    absences = _of_kind(items, keys.ABSENCE_PREFIX)
    doctors = doctor_profiles(sorted(refs))
    total = _reconcile_each(doctors, days, absences, now)
    # A plan change or an absence written while this ran: do those doctors again with what they are now.
    again = clinic_items(clinic_id)
    new_absences = _of_kind(again, keys.ABSENCE_PREFIX)
    moved = _moved_doctors(refs, _of_kind(again, keys.DOCTOR_PREFIX), absences, new_absences)
    total.add(_reconcile_each(doctor_profiles(sorted(moved)), days, new_absences, now))
    _mark_opened(clinic_id, through)
    result = {"doctors": len(doctors), "created": total.created + total.reopened, "closed": total.closed,
              "cancelled": total.cancelled}
    logger.info("days opened", extra={"clinicId": clinic_id, "through": through.isoformat(),
                                      **{f"slots_{k}": v for k, v in result.items()}})
    return result


def _of_kind(items: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The clinic partition's items whose sort key starts with `prefix` (doctors' references, absences)."""
    return [i for i in items if i["SK"].startswith(prefix)]


def _days_to_open(items: list[dict[str, Any]], today: date) -> list[date]:
    """From the day after the clinic's `openedThrough` (today, the first time) to the window's last day; none
    when the clinic has no profile."""
    profile = next((i for i in items if i["SK"] == keys.PROFILE), None)
    if profile is None:
        return []
    opened = profile.get("openedThrough")
    first = date.fromisoformat(opened) + timedelta(days=1) if opened else today
    return plans.window(today, first)


def _reconcile_each(doctors: dict[str, dict[str, Any]], days: list[date], absences: list[dict[str, Any]],
                    now: int) -> Counts:
    """Reconcile each doctor of `doctors` over `days` with their absences; the counts summed."""
    total = Counts()
    for doctor in doctors.values():
        total.add(reconcile(doctor, days, plans.absent_days(absences, doctor["id"]), now))
    return total


def _moved_doctors(refs: dict[str, dict[str, Any]], again: list[dict[str, Any]], absences: list[dict[str, Any]],
                   new_absences: list[dict[str, Any]]) -> set[str]:
    """The doctors to reconcile again: a new doctor or another version than `refs` (as read first), or a new
    absence."""
    moved = {i["id"] for i in again
             if i["id"] not in refs or int(i.get("version", 0)) != int(refs[i["id"]].get("version", 0))}
    seen = {i["SK"] for i in absences}
    return moved | {i["doctorId"] for i in new_absences if i["SK"] not in seen}


def _mark_opened(clinic_id: str, through: date) -> None:
    """The clinic's `openedThrough` moves on to `through`, never back."""
    try:
        dal.update(keys.key(keys.clinic_pk(clinic_id), keys.PROFILE), "SET openedThrough = :d",
                   condition="attribute_exists(PK) AND (attribute_not_exists(openedThrough) OR openedThrough < :d)",
                   values={":d": through.isoformat()})
    except dal.ConditionFailed:
        pass  # another run got there first


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
