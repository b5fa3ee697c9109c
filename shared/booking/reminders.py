"""Reminders before the visit (issue 14): a day before and 2 hours before (template parameter
ReminderOffsetsMinutes), found without scanning through the sparse, sharded Reminders index.

A booked appointment carries `RemPK` = `REMIND#<0..7>` and `RemSK` = `<due epoch>#<appointmentId>` for its next
reminder (`reminderStage`, minutes before the start). The job, every few minutes and one thread per shard:

    find    Query Reminders, RemPK = shard AND RemSK <= now (oldest first, bounded per run)
    claim   UpdateItem on the appointment: SET remindedStage = stage, the next stage's keys (or REMOVE them)
            IF RemSK = the one found AND status = booked AND start > now
    send    the stream-driven notifier sees remindedStage change and sends the email once (its own
            claim -> send -> mark, shared/notify/delivery.py, with status = booked AND start > now in the claim)

The conditional claim moves the index entry on, so two runs at once claim each reminder once; cancelling,
rescheduling or turning reminders off removes the keys, so such an appointment is never reminded. Claims are
paced to the SES sending rate (each claim is one email), spread over the shards.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from shared.platform import dal, keys, statuses
from shared.platform.config import settings
from shared.platform.items import Appointment, ReminderFields
from shared.platform.observability import logger

INDEX = "Reminders"
LIMIT_PER_SHARD = 2000
sleep = time.sleep  # tests replace it


def next_stage(start: int, now: int, after: int | None = None) -> int | None:
    """The next reminder (minutes before `start`) still ahead of `now`, after stage `after` if given."""
    for minutes in settings().reminder_offsets_minutes:
        if after is not None and minutes >= after:
            continue
        if start - minutes * 60 > now:
            return minutes
    return None


def index_values(appointment_id: str, start: int, stage: int | None) -> ReminderFields:
    """The appointment's Reminders index keys for `stage` ({} when no reminder is left)."""
    if stage is None:
        return {}
    return {"RemPK": keys.reminder_shard(appointment_id),
            "RemSK": keys.reminder_sk(start - stage * 60, appointment_id), "reminderStage": stage}


def start_reminders(appointment: Appointment, now: int, wanted: bool) -> None:
    """Give a new appointment what it carries about reminders: the patient's choice, the opt-out token, and
    its first reminder's index keys (none when no reminder is due before the start)."""
    appointment["reminders"] = wanted
    if not wanted:
        return
    appointment["reminderToken"] = keys.new_reminder_token()
    stage = next_stage(appointment["start"], now)
    if stage is not None:
        index = index_values(appointment["id"], appointment["start"], stage)
        appointment["RemPK"], appointment["RemSK"], appointment["reminderStage"] = (
            index["RemPK"], index["RemSK"], index["reminderStage"])


@dataclass(frozen=True)
class RunResult:
    examined: int
    claimed: int
    skipped: int


def run(now: int, *, shards: list[str] | None = None, limit_per_shard: int = LIMIT_PER_SHARD,
        rate: float | None = None, remaining_ms: Callable[[], int] | None = None) -> RunResult:
    """Claim every due reminder (at most `limit_per_shard` per shard), shards in parallel, at `rate` per second
    in all (the SES sending rate). Returns counts; the next run takes what is left."""
    shards = shards or keys.all_reminder_shards()
    per_shard = (rate or settings().ses_sending_rate) / len(shards)
    lock = threading.Lock()
    counts = {"examined": 0, "claimed": 0}

    def one(shard: str) -> None:
        interval = 1.0 / per_shard if per_shard > 0 else 0.0
        next_at = time.monotonic()
        for entry in _due(shard, now, limit_per_shard):
            if remaining_ms is not None and remaining_ms() < 5_000:
                break
            wait = next_at - time.monotonic()
            if wait > 0:
                sleep(wait)
            got = claim(entry, now)
            next_at = max(next_at, time.monotonic()) + (interval if got else 0.0)
            with lock:
                counts["examined"] += 1
                counts["claimed"] += got

    with ThreadPoolExecutor(max_workers=len(shards)) as pool:
        list(pool.map(one, shards))
    result = RunResult(counts["examined"], counts["claimed"], counts["examined"] - counts["claimed"])
    logger.info("reminders claimed", extra={"examined": result.examined, "claimed": result.claimed,
                                            "skipped": result.skipped})
    return result


def _due(shard: str, now: int, limit: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    start: dal.Item | None = None
    while len(found) < limit:
        items, start = dal.query("RemPK = :pk AND RemSK <= :upto", {":pk": shard, ":upto": f"{now:011d}#~"},
                                 index=INDEX, limit=limit - len(found), start_key=start)
        found.extend(items)
        if not start:
            break
    return found


def claim(entry: dict[str, Any], now: int) -> int:
    """1 when this reminder was claimed (the notifier will send it); 0 when the appointment moved on."""
    appointment_id = keys.appointment_id_of(str(entry["PK"]))
    stage = int(entry["reminderStage"])
    start = int(entry["start"])
    following = next_stage(start, now, after=stage)
    nxt = index_values(appointment_id, start, following)
    values: dict[str, Any] = {":sk": entry["RemSK"], ":booked": statuses.BOOKED, ":now": now, ":stage": stage}
    if nxt:
        update = "SET remindedStage = :stage, remindedAt = :now, RemSK = :nsk, reminderStage = :nstage"
        values.update({":nsk": nxt["RemSK"], ":nstage": nxt["reminderStage"]})
    else:
        update = "SET remindedStage = :stage, remindedAt = :now REMOVE RemPK, RemSK, reminderStage"
    try:
        dal.update(keys.key(str(entry["PK"]), str(entry["SK"])), update,
                   condition="RemSK = :sk AND #st = :booked AND #start > :now", values=values,
                   names={"#st": "status", "#start": "start"})
    except dal.ConditionFailed:
        return 0
    return 1


def turn_off(appointment_id: str, token: str) -> bool:
    """One click from the email, no sign-in: the token (unguessable, in the link) turns this appointment's
    reminders off. Idempotent; False when the link does not match an appointment."""
    if not keys.valid_appointment_id(appointment_id) or not token or len(token) > 64:
        return False
    try:
        dal.update(keys.appointment_key(appointment_id), "SET reminders = :off REMOVE RemPK, RemSK, reminderStage",
                   condition="attribute_exists(PK) AND reminderToken = :t", values={":off": False, ":t": token})
    except dal.ConditionFailed:
        return False
    logger.info("reminders turned off", extra={"appointmentId": appointment_id})
    return True
