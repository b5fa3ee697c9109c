"""Clinic-side races on DynamoDB Local (issue 11): an absence racing bookings of its day, the daily job racing
a plan change, attendance racing a cancellation."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest

from shared.booking import bookings as booking
from shared.booking import cancellation
from shared.clinic import plans, schedule
from shared.clinic.absences import declare
from shared.clinic.daylist import mark_attendance
from shared.clinic.staff import Staff
from shared.domain import journal, slots
from shared.patients import callers
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError
from tests.integration.people import patient
from tests.integration.world import CLINIC, DOCTOR, PEOPLE

pytestmark = pytest.mark.integration

NEW_DOCTOR = "cl0101-d20"
STAFF = Staff("staff-head-cl0101", CLINIC, "head")


def _book(p: dict[str, Any], slot_id: str) -> str | None:
    try:
        key = f"key-{slot_id}-{p['policyNumber']}"
        outcome = booking.book(booking.Request(slot_id, None, patient(p), key, "fp", "ru"))
    except DomainError:
        return None
    return str(outcome.body["appointment"]["id"])


def _day_items(doctor_id: str, day: date) -> list[dict[str, Any]]:
    return schedule.day_slots(doctor_id, [day])[day.isoformat()]


def test_an_absence_racing_bookings_leaves_no_appointment_and_loses_none(world: dict[str, Any]) -> None:
    now = world["clock"]["t"]
    by_day: dict[date, list[str]] = {}
    for slot_id in world["slots"]:
        parsed = keys.parse_slot_id(slot_id)
        assert parsed
        by_day.setdefault(clock.local_date(parsed[1]), []).append(slot_id)
    full_days = [day for day in sorted(by_day) if len(by_day[day]) >= 10][:2]  # not a part of today or Saturday
    assert len(full_days) == 2, by_day
    for n, day in enumerate(full_days):
        targets = by_day[day][:10]
        people = PEOPLE[n * 10:(n + 1) * 10]
        barrier = threading.Barrier(len(targets) + 1)

        def book_one(pair: tuple[dict[str, Any], str], barrier: threading.Barrier = barrier) -> str | None:
            barrier.wait()
            return _book(*pair)

        def absent(day: date = day, barrier: threading.Barrier = barrier) -> dict[str, Any]:
            barrier.wait()
            return declare(CLINIC, DOCTOR, day, day, "sick")

        with ThreadPoolExecutor(max_workers=len(targets) + 1) as pool:
            absence = pool.submit(absent)
            booked = [a for a in pool.map(book_one, zip(people, targets, strict=True)) if a]
            totals = absence.result()
        # Every appointment that was booked is cancelled by the clinic (the stream emails each: booked ->
        # cancelled); the absence counted each one; no slot of the day is open or booked.
        for appointment_id in booked:
            appt = dal.get(keys.appointment_key(appointment_id), consistent=True) or {}
            assert (appt["status"], appt["cancelledBy"], appt["cancelReason"]) == ("cancelled", "clinic", "sick")
        assert totals["cancelledAppointments"] == len(booked)
        future = [s for s in _day_items(DOCTOR, day) if int(s["start"]) > now]
        assert future and all(s["status"] == keys.SLOT_CLOSED for s in future)
        assert totals["closedSlots"] + totals["cancelledAppointments"] == len(future)
        # The daily job running now does not reopen anything.
        schedule.reconcile(dal.get(keys.key(keys.doctor_pk(DOCTOR), keys.PROFILE)) or {}, [day],
                           {day.isoformat(): "sick"}, now)
        assert all(s["status"] == keys.SLOT_CLOSED for s in _day_items(DOCTOR, day) if int(s["start"]) > now)


def _plan(start: str, end: str) -> list[dict[str, Any]]:
    return [{"weekday": wd, "from": start, "to": end} for wd in range(1, 8)]


PLAN_A = {"name": "Орлова Вера Павловна", "specialtyId": "therapist", "room": "214", "slotMinutes": 30,
          "plan": _plan("09:00", "12:00"), "validFrom": None}
PLAN_B = dict(PLAN_A, slotMinutes=20, plan=_plan("10:00", "13:00"))


def test_the_daily_job_racing_a_plan_change_leaves_one_plan_and_no_duplicate(world: dict[str, Any]) -> None:
    now = world["clock"]["t"]
    today = clock.local_date(now)
    last = slots.last_day(today)  # the day entering the booking window
    clinic_key = keys.key(keys.clinic_pk(CLINIC), keys.PROFILE)
    schedule.publish_doctor(CLINIC, NEW_DOCTOR, PLAN_A, "ru")
    for n, new in enumerate([PLAN_B, PLAN_A, PLAN_B]):
        # The job has to open the last day again (as on the morning it enters the window).
        dal.update(clinic_key, "SET openedThrough = :d", values={":d": (last - timedelta(days=1)).isoformat()})
        barrier = threading.Barrier(2)

        def job(barrier: threading.Barrier = barrier) -> dict[str, int]:
            barrier.wait()
            return schedule.open_days(CLINIC, now)

        def change(new: dict[str, Any] = new, barrier: threading.Barrier = barrier) -> dict[str, Any]:
            barrier.wait()
            return schedule.publish_doctor(CLINIC, NEW_DOCTOR, new, "ru")

        with ThreadPoolExecutor(max_workers=2) as pool:
            done = [pool.submit(job), pool.submit(change)]
            for f in done:
                f.result()
        doctor = dal.get(keys.key(keys.doctor_pk(NEW_DOCTOR), keys.PROFILE), consistent=True) or {}
        for day in (today + timedelta(days=1), last):
            items = _day_items(NEW_DOCTOR, day)
            open_starts = sorted(int(s["start"]) for s in items if s["status"] != keys.SLOT_CLOSED)
            wanted = sorted(s for s, _ in plans.day_slots(doctor, day))
            assert open_starts == wanted, f"round {n}, {day}"
            assert len({s["SK"] for s in items}) == len(items)
            # Open slots never overlap: each ends before the next starts.
            spans = sorted((int(s["start"]), int(s["end"])) for s in items if s["status"] != keys.SLOT_CLOSED)
            assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_attendance_racing_a_cancellation_one_wins(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # Two instances whose clocks straddle the start: the patient's still before it, the reception's after.
    local = threading.local()
    shared_clock = world["clock"]
    monkeypatch.setattr(clock, "now", lambda: getattr(local, "t", shared_clock["t"]))
    outcomes = []
    for n, slot_id in enumerate(world["slots"][:6]):
        p = PEOPLE[n]
        appointment_id = _book(p, slot_id)
        assert appointment_id
        start = int((dal.get(keys.appointment_key(appointment_id)) or {})["start"])
        barrier = threading.Barrier(2)

        def cancel(p: dict[str, Any] = p, appointment_id: str = appointment_id, start: int = start,
                   barrier: threading.Barrier = barrier) -> str:
            local.t = start - 1
            barrier.wait()
            try:
                cancellation.cancel(appointment_id, callers.by_policy(p["policyNumber"], None), "ru")
            except DomainError as refused:
                return refused.code
            return "cancelled"

        def attend(appointment_id: str = appointment_id, start: int = start,
                   barrier: threading.Barrier = barrier) -> str:
            local.t = start + 1
            barrier.wait()
            try:
                mark_attendance(STAFF, appointment_id, "fulfilled")
            except DomainError as refused:
                return refused.code
            return "fulfilled"

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = sorted(f.result() for f in [pool.submit(cancel), pool.submit(attend)])
        stored = (dal.get(keys.appointment_key(appointment_id), consistent=True) or {})["status"]
        assert results in (["already_cancelled", "cancelled"], ["appointment_started", "fulfilled"])
        assert stored == ("cancelled" if "cancelled" in results else "fulfilled")
        slot = dal.get(keys.slot_key(slot_id) or {}, consistent=True) or {}
        assert slot["status"] == (slots.FREE if stored == "cancelled" else slots.BOOKED)
        # The journal follows the winner (issue 28): the mark's entry and access item exist only when it was
        # written, since they are in its transaction.
        appt = dal.get(keys.appointment_key(appointment_id), consistent=True) or {}
        marks = [e for e in dal.query_all("PK = :pk", {":pk": journal.journal_pk(CLINIC, clock.local_date(start + 1)
                                                                                   .isoformat())}, consistent=True)
                 if appointment_id in (e.get("appointmentIds") or [])]
        seen = list(dal.query_all("PK = :pk AND begins_with(SK, :a)",
                                  {":pk": appt["PatPK"], ":a": f"{journal.ACCESS_PREFIX}{appt['PatSK']}#"},
                                  consistent=True))
        assert len(marks) == len(seen) == (1 if stored == "fulfilled" else 0), (stored, marks, seen)
        outcomes.append(stored)
    assert set(outcomes) <= {"cancelled", "fulfilled"}
