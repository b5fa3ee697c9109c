"""The access journal (issue 28): who among a clinic's staff read or changed what, and when. Pure builders:
they return the items and the transaction operations; the writers put them in the same TransactWriteItems as
the staff write they record (or, after a read, in one BatchWriteItem).

Two kinds of items, both tidied by the table's TTL (`ttl`) after JOURNAL_RETENTION_DAYS (default 1826: five
years):

- a **journal entry**, `PK=JOURNAL#<clinicId>#<local date>`, `SK=<epoch seconds>#<epoch ns>#<random>`: the actor
  (the token's `sub`, never a name), the role, the clinic, the action and the ids it touched (appointment ids,
  a doctor id, a count). The head of registry reads a clinic's day with one Query, oldest first. Nothing
  personal: no name, policy, birth date or email is ever given to these builders;
- an **access item** per appointment touched, in the patient's own partition
  (`PK=<the appointment's PatPK>`, `SK=ACCESS#<the appointment's PatSK>#<role>#<action>#<local date>`): the
  same role doing the same thing to the same appointment on the same day is one item (the key), and the
  history reads the access to one page of appointments with one Query (PatSK orders both the same way).
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.platform import clock
from shared.platform.config import settings

DAYLIST_READ = "daylist.read"
ATTENDANCE_MARK = "attendance.mark"
ABSENCE_RECORD = "absence.record"
PLAN_PUBLISH = "plan.publish"
REFERRAL_ISSUE = "referral.issue"
ATTACHMENT_CHANGE = "attachment.change"
REPRESENTATIVES_CHANGE = "representatives.change"
JOURNAL_READ = "journal.read"
ACTIONS = (DAYLIST_READ, ATTENDANCE_MARK, ABSENCE_RECORD, PLAN_PUBLISH, REFERRAL_ISSUE, ATTACHMENT_CHANGE,
           REPRESENTATIVES_CHANGE, JOURNAL_READ)

JOURNAL_PREFIX = "JOURNAL#"
ACCESS_PREFIX = "ACCESS#"
ENTRY = "journalEntry"
ACCESS = "accessEntry"
DAY_SECONDS = 86400


@dataclass(frozen=True)
class Actor:
    """Who acts: the token's subject and the staff role (receptionist | head | city)."""

    subject: str
    role: str


def journal_pk(clinic_id: str, day: str) -> str:
    return f"{JOURNAL_PREFIX}{clinic_id}#{day}"


def expires(now: int) -> int:
    """The TTL of an item written at `now`: JOURNAL_RETENTION_DAYS later."""
    return now + settings().journal_retention_days * DAY_SECONDS


@dataclass(frozen=True)
class Touched:
    """The ids an entry names: appointments, a doctor, how many."""

    appointment_ids: Sequence[str] = ()
    doctor_id: str | None = None
    count: int | None = None


def entry(actor: Actor, clinic_id: str, action: str, now: int, touched: Touched = Touched()) -> dict[str, Any]:
    """One journal entry (the item)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown journal action {action}")
    item: dict[str, Any] = {
        "PK": journal_pk(clinic_id, clock.local_date(now).isoformat()),
        # The clock's seconds, then the instant in nanoseconds (within one second, in the order written).
        "SK": f"{now:011d}#{time.time_ns():019d}#{secrets.token_hex(4)}",
        "entity": ENTRY, "at": now, "actor": actor.subject, "role": actor.role, "clinicId": clinic_id,
        "action": action, "ttl": expires(now),
    }
    if touched.appointment_ids:
        item["appointmentIds"] = list(dict.fromkeys(touched.appointment_ids))
    if touched.doctor_id:
        item["doctorId"] = touched.doctor_id
    if touched.count is not None:
        item["count"] = touched.count
    return item


def access_item(actor: Actor, action: str, appointment: Mapping[str, Any], now: int) -> dict[str, Any] | None:
    """The patient's access item for one appointment (it must carry `PatPK` and `PatSK`; None otherwise)."""
    pat_pk, pat_sk = appointment.get("PatPK"), appointment.get("PatSK")
    if not pat_pk or not pat_sk:
        return None
    day = clock.local_date(now).isoformat()
    return {"PK": pat_pk, "SK": f"{ACCESS_PREFIX}{pat_sk}#{actor.role}#{action}#{day}", "entity": ACCESS,
            "appointmentId": appointment.get("id"), "role": actor.role, "action": action, "at": now,
            "ttl": expires(now)}


def put(item: Mapping[str, Any]) -> dict[str, Any]:
    """A transaction's Put of a journal or access item (unconditional: an entry's key is new, an access item's
    key is the day's one item)."""
    return {"Put": {"Item": dict(item)}}


def operations(actor: Actor, clinic_id: str, action: str, now: int, *, appointments: Iterable[Mapping[str, Any]] = (),
               doctor_id: str | None = None) -> dict[str, dict[str, Any]]:
    """The operations a staff write adds to its transaction, by role: `journal` (the entry) and
    `access:<appointmentId>` for each appointment touched (at most a few: a transaction holds 100)."""
    touched = list(appointments)
    ops = {"journal": put(entry(actor, clinic_id, action, now, Touched([a["id"] for a in touched], doctor_id)))}
    for appt in touched:
        access = access_item(actor, action, appt, now)
        if access is not None:
            ops[f"access:{appt['id']}"] = put(access)
    return ops


def read_items(actor: Actor, clinic_id: str, action: str, now: int,
               appointments: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """What a staff read appends after it (one BatchWriteItem, 25 a request): the entry and one access item
    per appointment read."""
    count = len(appointments) if appointments or action == DAYLIST_READ else None
    items = [entry(actor, clinic_id, action, now, Touched([a["id"] for a in appointments], None, count))]
    unique: dict[str, dict[str, Any]] = {}
    for appt in appointments:
        access = access_item(actor, action, appt, now)
        if access is not None:
            unique[access["SK"] + access["PK"]] = access
    return items + list(unique.values())


def render_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """An entry as the journal route answers it."""
    out: dict[str, Any] = {"at": clock.local_iso(int(item["at"])), "actor": item["actor"], "role": item["role"],
                           "action": item["action"]}
    if item.get("appointmentIds"):
        out["appointmentIds"] = list(item["appointmentIds"])
    if item.get("doctorId"):
        out["doctorId"] = item["doctorId"]
    if item.get("count") is not None:
        out["count"] = int(item["count"])
    return out


def render_access(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"at": clock.local_iso(int(item["at"])), "role": item["role"], "action": item["action"]}
