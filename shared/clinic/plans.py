"""A doctor's working plan and the slots it makes: pure rules, no I/O (the writes are in shared/clinic/schedule.py).

A plan is a week: `[{"weekday": 1..7 (Monday = 1), "from": "HH:MM", "to": "HH:MM"}]` in the clinic's local
time, cut into slots of `slotMinutes`; a slot that would end after `to` is not made. A doctor keeps a short
history of plans, each with the first day it applies (`validFrom`), so a plan sent today for next month
leaves the days before it as they were.

`diff` decides what one doctor-day needs, from the slots that should exist and the slots that do:
put the missing, close the free ones that no longer fit (never delete: a closed slot keeps its `bookings`
count, so a ticket number is never reused), reopen ones closed by an earlier plan that fit again, and list
booked ones that no longer fit as conflicts (a plan never moves or cancels a booked appointment). On a day
of absence nothing should exist: free and held slots close, and booked appointments are to be cancelled.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from shared.domain import slots
from shared.platform import clock, keys
from shared.platform.items import Slot

ABSENCE = "absence"
PLAN = "plan"
MAX_PLAN_HISTORY = 4


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def plan_problems(plan: list[dict[str, Any]], slot_minutes: int) -> list[str]:
    """Why a plan cannot be used (empty when it can): intervals that end before they start, overlap on one
    weekday, or are shorter than one slot."""
    problems = []
    by_day: dict[int, list[tuple[int, int]]] = {}
    for i, entry in enumerate(plan):
        lo, hi = minutes(entry["from"]), minutes(entry["to"])
        if hi - lo < slot_minutes:
            problems.append(f"plan.{i}")
        by_day.setdefault(int(entry["weekday"]), []).append((lo, hi))
    for weekday, spans in by_day.items():
        spans.sort()
        if any(b[0] < a[1] for a, b in pairwise(spans)):
            problems.append(f"plan.weekday{weekday}")
    return problems


def normalised(plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan in one order, so the same week sent twice compares equal."""
    return sorted(({"weekday": int(e["weekday"]), "from": e["from"], "to": e["to"]} for e in plan),
                  key=lambda e: (e["weekday"], e["from"]))


def with_plan(history: list[dict[str, Any]], plan: list[dict[str, Any]], slot_minutes: int, valid_from: date,
              today: date) -> list[dict[str, Any]]:
    """The plan history after adding a plan valid from `valid_from`: later entries are replaced by it, and
    entries no longer needed for any day from `today` on are dropped."""
    kept = [e for e in history if e["validFrom"] < valid_from.isoformat()]
    # Of the entries before today only the last still decides days (today's and later ones).
    current = [e for e in kept if e["validFrom"] <= today.isoformat()]
    kept = ([current[-1]] if current else []) + [e for e in kept if e["validFrom"] > today.isoformat()]
    kept.append({"validFrom": valid_from.isoformat(), "slotMinutes": slot_minutes, "plan": normalised(plan)})
    return kept[-MAX_PLAN_HISTORY:]


def plan_for_day(doctor: Mapping[str, Any], day: date) -> tuple[list[tuple[int, int]], int]:
    """(local [from, to) minute spans, slot minutes) that apply to `day`. Doctors without a plan history
    (the demo seed) have `hours`: weekday 0..6 -> [from hour, to hour]."""
    history = doctor.get("plans")
    if history:
        entry = None
        for e in history:
            if e["validFrom"] <= day.isoformat():
                entry = e
        if entry is None:
            return [], 0
        weekday = day.isoweekday()
        return ([(minutes(e["from"]), minutes(e["to"])) for e in entry["plan"] if int(e["weekday"]) == weekday],
                int(entry["slotMinutes"]))
    hours = (doctor.get("hours") or {}).get(str(day.weekday()))
    if not hours:
        return [], int(doctor.get("slotMinutes", 0))
    return [(int(hours[0]) * 60, int(hours[1]) * 60)], int(doctor["slotMinutes"])


def day_slots(doctor: Mapping[str, Any], day: date) -> list[tuple[int, int]]:
    """(start, end) epochs of the slots the doctor's plan makes on `day`, in the clinic's zone."""
    spans, step = plan_for_day(doctor, day)
    out = []
    midnight = datetime(day.year, day.month, day.day, tzinfo=clock.zone())
    for lo, hi in spans:
        t = lo
        while step > 0 and t + step <= hi:
            # Wall-clock arithmetic in the zone: correct across a change of offset.
            start = midnight + timedelta(minutes=t)
            out.append((int(start.timestamp()), int((start + timedelta(minutes=step)).timestamp())))
            t += step
    return out


def slot_item(doctor: Mapping[str, Any], start: int, end: int) -> Slot:
    """A free slot as the table keeps it (the schedule and the demo seed write this one shape), with the
    Availability index keys an unbooked slot carries."""
    return {
        "PK": keys.doctor_pk(doctor["id"]), "SK": keys.slot_sk(start), "entity": "slot",
        "slotId": keys.slot_id(doctor["id"], start), "doctorId": doctor["id"], "clinicId": doctor["clinicId"],
        "specialtyId": doctor["specialtyId"], "start": start, "end": end, "room": doctor["room"],
        "status": slots.FREE, "bookings": 0,
        "AvPK": keys.availability_pk(doctor["clinicId"], doctor["specialtyId"]),
        "AvSK": keys.availability_sk(start, doctor["id"]),
    }


@dataclass
class DayWork:
    """What one doctor-day needs (see the module's docstring)."""

    put: list[Slot] = field(default_factory=list)
    reshape: list[Slot] = field(default_factory=list)  # free slots whose end/room/specialty moved
    reopen: list[Slot] = field(default_factory=list)
    close: list[dict[str, Any]] = field(default_factory=list)
    cancel: list[dict[str, Any]] = field(default_factory=list)  # booked, on a day of absence
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # booked, no longer in the plan

    def empty(self) -> bool:
        return not (self.put or self.reshape or self.reopen or self.close or self.cancel)

    def keep(self, item: Mapping[str, Any], new: Slot) -> None:
        """A future slot the plan still has (`new`, as the plan makes it): reopened when the plan had closed it,
        reshaped when it is free and its end, room or specialty moved; otherwise left as it is."""
        status = item.get("status")
        if status == keys.SLOT_CLOSED and item.get("closedBy") == PLAN:
            self.reopen.append(new)
        elif status not in (slots.BOOKED, keys.SLOT_CLOSED) and _shape(item) != _shape(new):
            self.reshape.append(new)

    def drop(self, item: dict[str, Any], absent: bool) -> None:
        """A future slot the plan no longer has: closed when free; when booked, cancelled on a day of absence,
        else listed as a conflict; left alone when closed already."""
        status = item.get("status")
        if status == slots.BOOKED:
            (self.cancel if absent else self.conflicts).append(item)
        elif status != keys.SLOT_CLOSED:
            self.close.append(item)


def _shape(item: Mapping[str, Any]) -> tuple[Any, ...]:
    return (int(item["end"]), item.get("room"), item.get("specialtyId"))


def diff(doctor: Mapping[str, Any], wanted: list[tuple[int, int]], existing: list[dict[str, Any]], now: int,
         absent: bool) -> DayWork:
    """What to do so that the doctor's future slots of one day are `wanted` (nothing when `absent`).
    `existing` are the day's slot items; slots that have started are history and left alone."""
    work = DayWork()
    want = {} if absent else {start: end for start, end in wanted if start > now}
    have = {int(s["start"]): s for s in existing if int(s["start"]) > now}
    work.put = [slot_item(doctor, start, end) for start, end in want.items() if start not in have]
    for start, item in sorted(have.items()):
        if start in want:
            work.keep(item, slot_item(doctor, start, want[start]))
        else:
            work.drop(item, absent)
    return work


def absent_days(absences: list[dict[str, Any]], doctor_id: str) -> dict[str, str]:
    """ISO day -> reason, for every day an absence of the doctor covers (absences are short: days)."""
    out: dict[str, str] = {}
    for a in absences:
        if a.get("doctorId") != doctor_id:
            continue
        day, last = date.fromisoformat(a["from"]), date.fromisoformat(a["to"])
        while day <= last:
            out[day.isoformat()] = a["reason"]
            day += timedelta(days=1)
    return out


def window(today: date, first: date | None = None) -> list[date]:
    """The days slots are published for: from `first` (default today) to the booking window's last day
    (shared.domain.slots.last_day: today + 13, the day entering the window this morning), never beyond it."""
    first = max(first or today, today)
    last = slots.last_day(today)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]

