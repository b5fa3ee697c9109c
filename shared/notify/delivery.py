"""Delivering the ticket and cancellation emails: nothing lost, nothing doubled.

Which stream records mean an email (`classify`): an appointment INSERT (status booked) is a ticket; an
appointment MODIFY booked -> cancelled is a cancellation. template.yaml's FilterCriteria let only these reach
the function; `classify` says the same in code, for the redrive and the local stream poller.

Exactly once, per appointment and kind, with a marker on the appointment item:

    claim   UpdateItem SET <kind>EmailLease = now+60s ADD <kind>EmailAttempts 1
            IF attribute_not_exists(<kind>EmailSentAt) AND (no lease OR lease expired)
    send    SES v2 SendEmail (raw MIME); botocore's standard mode retries throttling and 5xx
    mark    UpdateItem SET <kind>EmailSentAt = now REMOVE lease IF attribute_not_exists(<kind>EmailSentAt)

Why claim-then-send with a lease rather than send-then-mark: the stream replays records (a batch retried
from its first failed record re-delivers the ones after it; the redrive may race a late retry), and the
stream image never shows a marker written after it. A conditional claim makes a replay, or a second worker,
stop *before* sending, without a read-then-send race. The lease (not a permanent flag) keeps a failed send
from blocking a resend: a failure removes it at once, a crash lets it lapse after LEASE_SECONDS. The only
duplicate left possible is a crash between SES accepting the email and the mark (SES has no idempotency key).

Failures never touch the booking: the booking was committed before the stream saw it. A transient SES failure
makes the record fail (Powertools reports it in batchItemFailures) and the stream retries it; the claim counts
attempts, and on the DELIVERY_ROUNDS-th failed invocation (or at once, for an error no retry can fix) the
notifier puts {"appointmentId", "kind", "reason"} into the dead-letter queue itself and lets the record go.
Lambda's own on-failure destination (same queue, batch metadata only) stays as the backstop for crashes or an
SQS outage; `infra/redrive.py` understands both kinds of message (shared/notify/redrive.py resends).

Between claim and send, every kind asks the daily caps (shared/notify/cap.py: per mailbox and per patient) on
every attempt; they count an email once by its id. A refused email is marked like a sent one, so nothing resends it.

The calls to SES and to the dead-letter queue are in shared/notify/outbound.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.notify import cap, messages, outbound
from shared.notify.messages import CANCELLATION, OFFER, REMINDER, TICKET
from shared.platform import clock, dal, keys, statuses
from shared.platform.observability import logger

LEASE_SECONDS = 60
# Failed invocations (claims) of one email before the notifier dead-letters it itself; below the event source
# mapping's MaximumRetryAttempts (5), so this path, which keeps the appointment id, is the one normally taken.
DELIVERY_ROUNDS = 3
# Leave this much of the invocation for the remaining records and the dead-letter put.
TIME_RESERVE_MS = 5_000

SENT, DUPLICATE, SKIPPED, DEAD_LETTERED = "sent", "duplicate", "skipped", "dead-lettered"

@dataclass(frozen=True)
class Marker:
    sent: str
    lease: str
    attempts: str

    @property
    def names(self) -> dict[str, str]:
        return {"#sent": self.sent, "#lease": self.lease, "#attempts": self.attempts}


MARKERS = {
    TICKET: Marker("ticketEmailSentAt", "ticketEmailLease", "ticketEmailAttempts"),
    CANCELLATION: Marker("cancelEmailSentAt", "cancelEmailLease", "cancelEmailAttempts"),
}


def marker_of(kind: str, appt: dict[str, Any]) -> Marker:
    """The exactly-once marker: one per kind, and for reminders one per stage (minutes before the start)."""
    if kind == REMINDER:
        stage = int(appt.get("remindedStage", 0))
        return Marker(f"reminder{stage}EmailSentAt", f"reminder{stage}EmailLease", f"reminder{stage}EmailAttempts")
    if kind == OFFER:  # a waiting-list entry is offered once (an offer that lapses ends the entry)
        return Marker("offerEmailSentAt", "offerEmailLease", "offerEmailAttempts")
    return MARKERS[kind]


class RetryLater(Exception):
    """The record must be tried again. Carries a code only: its text reaches Lambda's error log."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# ---------------------------------------------------------------- records
def _offered(event: str | None, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A waiting-list entry offered a slot (shared/booking/waitlist.py)."""
    return (new.get("entity") == "waitEntry" and event == "MODIFY"
            and old.get("status") == statuses.WAITING and new.get("status") == statuses.OFFERED)


def _reminder_claimed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """The reminder job claimed a reminder of a booked appointment (shared/booking/reminders.py)."""
    return (new.get("status") == statuses.BOOKED and new.get("remindedStage") is not None
            and new.get("remindedStage") != old.get("remindedStage"))


def _appointment_email(event: str | None, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """The email an appointment's change means: booked, a ticket; booked -> cancelled, a cancellation; a
    reminder claimed, a reminder."""
    if event == "INSERT" and new.get("status") == statuses.BOOKED:
        return TICKET
    if event != "MODIFY":
        return None
    if old.get("status") == statuses.BOOKED and new.get("status") == statuses.CANCELLED:
        return CANCELLATION
    return REMINDER if _reminder_claimed(old, new) else None


def classify(record: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(kind, appointment item) for a stream record that means an email, else None."""
    change = record.get("dynamodb") or {}
    new = dal.from_item(change.get("NewImage")) or {}
    old = dal.from_item(change.get("OldImage")) or {}
    event = record.get("eventName")
    if _offered(event, old, new):
        return OFFER, new
    if new.get("entity") != "appointment":
        return None
    kind = _appointment_email(event, old, new)
    return (kind, new) if kind else None


def handle_record(record: dict[str, Any], remaining_ms: Callable[[], int] | None = None) -> str:
    """One stream record, as Lambda delivers it. Raises RetryLater when the stream should try it again."""
    try:
        found = classify(record)
        if found is None:
            return SKIPPED
        kind, appt = found
        return deliver(appt, kind, remaining_ms=remaining_ms)
    except RetryLater:
        raise
    except Exception as exc:  # noqa: BLE001 - the type only: messages may quote an address
        logger.error("notification failed", extra={"exception": type(exc).__name__,
                                                    "code": dal.error_code(exc)})
        raise RetryLater(type(exc).__name__) from None


# ---------------------------------------------------------------- delivery
def _about(kind: str, item_id: str) -> dict[str, str]:
    """The log fields naming the email: an appointment's id, or a waiting-list entry's for an offer."""
    return {"entryId" if kind == OFFER else "appointmentId": item_id, "kind": kind}


def claim_condition(kind: str, marker: Marker, now: int, lease: int,
                    ) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The claim's condition, values and names: not sent, no live lease, and what `kind` needs still true."""
    condition = ("attribute_exists(PK) AND attribute_not_exists(#sent) "
                 "AND (attribute_not_exists(#lease) OR #lease <= :now)")
    values: dict[str, Any] = {":lease": lease, ":one": 1, ":now": now}
    names = marker.names
    if kind == REMINDER:
        # Never for an appointment cancelled, rescheduled or started since the job claimed the reminder.
        condition += " AND #st = :booked AND #start > :now"
        values[":booked"] = statuses.BOOKED
        names = {**names, "#st": "status", "#start": "start"}
    if kind == OFFER:
        # Never for an offer left, lapsed or booked meanwhile.
        condition += " AND #st = :offered"
        values[":offered"] = statuses.OFFERED
        names = {**names, "#st": "status"}
    return condition, values, names


def unclaimed_outcome(kind: str, marker: Marker, old: dict[str, Any] | None, now: int) -> str | None:
    """Why a claim failed, from the item as it was: SKIPPED or DUPLICATE, or None when another worker holds
    the lease (the record is tried again; if that worker fails or dies, the retry sends the email)."""
    if not old:
        return SKIPPED  # the item is gone
    if old.get(marker.sent):
        return DUPLICATE
    if kind == REMINDER and (old.get("status") != statuses.BOOKED or int(old.get("start", 0)) <= now):
        return SKIPPED  # no longer needed
    if kind == OFFER and old.get("status") != statuses.OFFERED:
        return SKIPPED  # the offer is no longer open
    return None


def deliver(appt: dict[str, Any], kind: str, *, dead_letter_on_failure: bool = True,
            remaining_ms: Callable[[], int] | None = None) -> str:
    """Send `kind` for the appointment at most once (see the module docstring for the order of writes)."""
    item_id = appt["id"]
    about = _about(kind, item_id)
    if not appt.get("email"):
        logger.warning("no address for email", extra=about)
        return SKIPPED
    marker = marker_of(kind, appt)
    # The item the email is about: an appointment, or a waiting-list entry (its image carries its keys).
    key = keys.key(appt["PK"], appt["SK"]) if kind == OFFER else keys.appointment_key(item_id)
    now = clock.now()
    lease = now + LEASE_SECONDS
    condition, values, names = claim_condition(kind, marker, now, lease)
    try:
        claimed = dal.update(key, "SET #lease = :lease ADD #attempts :one", condition=condition,
                             values=values, names=names, return_new=True)
    except dal.ConditionFailed as failed:
        outcome = unclaimed_outcome(kind, marker, failed.old, now)
        if outcome is None:
            raise RetryLater("lease_held") from None
        logger.info("email not claimed", extra={**about, "outcome": outcome})
        return outcome
    attempt = int((claimed or {}).get(marker.attempts, 1))
    if not _allowed(appt, key, marker, lease):
        # The mailbox or the patient has had its emails for today (shared/notify/cap.py): marked, so no retry
        # sends it.
        _mark_sent(key, marker, about)
        return SKIPPED
    try:
        message_id = _send(appt, kind, remaining_ms)
    except outbound.SendFailed as failed:
        _release(key, marker, lease)
        logger.warning("email not sent", extra={**about, "code": failed.code, "attempt": attempt})
        return _dead_letter_or_retry(failed, item_id, kind, attempt, dead_letter_on_failure)
    _mark_sent(key, marker, about)
    logger.info("email sent", extra={**about, "messageId": message_id, "attempt": attempt})
    return SENT


def _allowed(appt: dict[str, Any], key: dict[str, Any], marker: Marker, lease: int) -> bool:
    """The daily caps' answer. Every attempt asks: the cap counts each email once (by its id), so a retry neither
    counts it again nor gets past a cap that failed to answer the first time (the claim is given back then)."""
    try:
        return cap.allow(appt["email"], patient=cap.patient_of(appt), email_id=f"{appt['id']}/{marker.sent}")
    except Exception:
        _release(key, marker, lease)
        raise


def _dead_letter_or_retry(failed: outbound.SendFailed, item_id: str, kind: str, attempt: int,
                          dead_letter_on_failure: bool) -> str:
    """After a failed send: DEAD_LETTERED when no retry can fix it or this was the last round, else RetryLater."""
    if dead_letter_on_failure and (failed.permanent or attempt >= DELIVERY_ROUNDS):
        try:
            outbound.dead_letter(item_id, kind, failed.code)
        except outbound.NotParked as unparked:
            raise RetryLater(unparked.code) from None
        return DEAD_LETTERED
    raise RetryLater(failed.code) from None


def _send(appt: dict[str, Any], kind: str, remaining_ms: Callable[[], int] | None) -> str:
    """One SendEmail: botocore's standard mode already retried throttling and 5xx (`shared.platform.clients`)."""
    raw = messages.build(appt, kind, sender=outbound.sender(), reply_to=outbound.reply_to()).as_bytes()
    if remaining_ms is not None and remaining_ms() < TIME_RESERVE_MS:
        raise outbound.SendFailed("out_of_time", False)
    return outbound.send(raw, appt["email"])


def _release(key: dict[str, Any], marker: Marker, lease: int) -> None:
    """Give the claim back so the next retry need not wait for the lease to lapse (best effort)."""
    try:
        dal.update(key, "REMOVE #lease", condition="#lease = :mine", values={":mine": lease},
                   names={"#lease": marker.lease})
    except Exception as exc:  # noqa: BLE001 - the lease lapses by itself
        logger.info("lease not released", extra={"code": dal.error_code(exc) or type(exc).__name__})


def _mark_sent(key: dict[str, Any], marker: Marker, about: dict[str, str]) -> None:
    try:
        dal.update(key, "SET #sent = :now REMOVE #lease", condition="attribute_not_exists(#sent)",
                   values={":now": clock.now()}, names={"#sent": marker.sent, "#lease": marker.lease})
    except dal.ConditionFailed:
        logger.warning("email marked sent twice", extra=about)
    except Exception as exc:  # noqa: BLE001
        # Not raised: the email is out, and failing the record would send it again once the lease lapses.
        logger.error("email sent but not marked", extra={**about, "code": dal.error_code(exc) or type(exc).__name__})
