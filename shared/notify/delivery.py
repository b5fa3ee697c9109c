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
SQS outage; `infra/redrive.py` understands both kinds of message.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared import clients, clock, dal, keys, statuses
from shared.config import settings
from shared.notify import cap, messages
from shared.notify.messages import CANCELLATION, OFFER, REMINDER, TICKET
from shared.observability import logger

LEASE_SECONDS = 60
# Failed invocations (claims) of one email before the notifier dead-letters it itself; below the event source
# mapping's MaximumRetryAttempts (5), so this path, which keeps the appointment id, is the one normally taken.
DELIVERY_ROUNDS = 3
# Leave this much of the invocation for the remaining records and the dead-letter put.
TIME_RESERVE_MS = 5_000

SENT, DUPLICATE, SKIPPED, DEAD_LETTERED = "sent", "duplicate", "skipped", "dead-lettered"

# SES errors another try cannot fix: dead-letter at once; an operator fixes the cause, then redrives.
PERMANENT_SES_ERRORS = {
    "MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException", "NotFoundException",
    "AccountSuspendedException", "SendingPausedException", "AccessDeniedException", "InvalidParameterValue",
}


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


class SendFailed(Exception):
    def __init__(self, code: str, permanent: bool) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent


# ---------------------------------------------------------------- settings and clients
def sender() -> str:
    return settings().sender_email


def reply_to() -> str | None:
    return settings().reply_to_email


def configuration_set() -> str | None:
    return settings().ses_configuration_set


def dead_letter_queue_url() -> str | None:
    return settings().notifier_dlq_url


def client(service: str) -> Any:
    """sesv2 / sqs clients from the one client factory (`shared.clients`): one attempt each, so the
    notifier's own bounded retries are the only ones."""
    return clients.client(service)


def reset_clients() -> None:
    clients.reset("sesv2")
    clients.reset("sqs")


def send_raw(raw: bytes, to: str) -> str:
    """One SES v2 SendEmail of a whole MIME message; returns the SES message id."""
    params: dict[str, Any] = {"FromEmailAddress": sender(), "Destination": {"ToAddresses": [to]},
                              "Content": {"Raw": {"Data": raw}}}
    if configuration_set():
        params["ConfigurationSetName"] = configuration_set()
    return str(client("sesv2").send_email(**params)["MessageId"])


def dead_letter(appointment_id: str, kind: str, reason: str) -> None:
    """Park an email the notifier gave up on: what the redrive needs, and nothing personal."""
    url = dead_letter_queue_url()
    if not url:
        raise RetryLater("no_dead_letter_queue")
    body = {"source": "notifier", "appointmentId": appointment_id, "kind": kind, "reason": reason,
            "deadLetteredAt": clock.now()}
    try:
        client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(body))
    except Exception as exc:  # noqa: BLE001 - the stream retries, then Lambda's on-failure destination keeps it
        logger.error("dead-letter failed", extra={"appointmentId": appointment_id, "kind": kind,
                                                   "code": dal.error_code(exc) or type(exc).__name__})
        raise RetryLater("dead_letter_failed") from None
    logger.warning("email dead-lettered", extra={"appointmentId": appointment_id, "kind": kind, "reason": reason})


# ---------------------------------------------------------------- records
def classify(record: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(kind, appointment item) for a stream record that means an email, else None."""
    change = record.get("dynamodb") or {}
    new = dal.from_item(change.get("NewImage")) or {}
    old = dal.from_item(change.get("OldImage")) or {}
    if (new.get("entity") == "waitEntry" and record.get("eventName") == "MODIFY"
            and old.get("status") == "waiting" and new.get("status") == "offered"):
        return OFFER, new  # a waiting-list offer (shared/waitlist.py)
    if new.get("entity") != "appointment":
        return None
    if record.get("eventName") == "INSERT" and new.get("status") == statuses.BOOKED:
        return TICKET, new
    if (record.get("eventName") == "MODIFY" and old.get("status") == statuses.BOOKED
            and new.get("status") == statuses.CANCELLED):
        return CANCELLATION, new
    if (record.get("eventName") == "MODIFY" and new.get("status") == statuses.BOOKED
            and new.get("remindedStage") is not None and new.get("remindedStage") != old.get("remindedStage")):
        return REMINDER, new  # the reminder job claimed a reminder (shared/reminders.py)
    return None


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
def deliver(appt: dict[str, Any], kind: str, *, dead_letter_on_failure: bool = True,
            remaining_ms: Callable[[], int] | None = None) -> str:
    """Send `kind` for the appointment at most once (see the module docstring for the order of writes)."""
    appointment_id = appt["id"]
    if not appt.get("email"):
        logger.warning("no address for email", extra={"appointmentId": appointment_id, "kind": kind})
        return SKIPPED
    marker = marker_of(kind, appt)
    # The item the email is about: an appointment, or a waiting-list entry (its image carries its keys).
    key = keys.key(appt["PK"], appt["SK"]) if kind == OFFER else keys.appointment_key(appointment_id)
    now = clock.now()
    lease = now + LEASE_SECONDS
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
        values[":offered"] = "offered"
        names = {**names, "#st": "status"}
    try:
        claimed = dal.update(
            key, "SET #lease = :lease ADD #attempts :one", condition=condition,
            values=values, names=names, return_new=True)
    except dal.ConditionFailed as failed:
        old = failed.old
        if not old:
            logger.warning("appointment gone", extra={"appointmentId": appointment_id, "kind": kind})
            return SKIPPED
        if old.get(marker.sent):
            logger.info("email already sent", extra={"appointmentId": appointment_id, "kind": kind})
            return DUPLICATE
        if kind == REMINDER and (old.get("status") != statuses.BOOKED or int(old.get("start", 0)) <= now):
            logger.info("reminder no longer needed", extra={"appointmentId": appointment_id})
            return SKIPPED
        if kind == OFFER and old.get("status") != "offered":
            logger.info("offer no longer open", extra={"kind": kind})
            return SKIPPED
        # Another worker is sending it now; if it fails or dies, this record's retry picks the email up.
        raise RetryLater("lease_held") from None
    attempt = int((claimed or {}).get(marker.attempts, 1))
    if attempt == 1 and not cap.allow(appt["email"]):
        # The address has had its emails for today (shared/notify/cap.py): marked, so no retry sends it.
        _mark_sent(key, marker, appointment_id, kind)
        return SKIPPED
    try:
        message_id = _send(appt, kind, remaining_ms)
    except SendFailed as failed:
        _release(key, marker, lease)
        logger.warning("email not sent", extra={"appointmentId": appointment_id, "kind": kind,
                                                "code": failed.code, "attempt": attempt})
        if dead_letter_on_failure and (failed.permanent or attempt >= DELIVERY_ROUNDS):
            dead_letter(appointment_id, kind, failed.code)
            return DEAD_LETTERED
        raise RetryLater(failed.code) from None
    _mark_sent(key, marker, appointment_id, kind)
    logger.info("email sent", extra={"appointmentId": appointment_id, "kind": kind, "messageId": message_id,
                                     "attempt": attempt})
    return SENT


def _send(appt: dict[str, Any], kind: str, remaining_ms: Callable[[], int] | None) -> str:
    """One SendEmail: botocore's standard mode already retried throttling and 5xx (`shared.clients`)."""
    raw = messages.build(appt, kind, sender=sender(), reply_to=reply_to()).as_bytes()
    if remaining_ms is not None and remaining_ms() < TIME_RESERVE_MS:
        raise SendFailed("out_of_time", False)
    try:
        return send_raw(raw, appt["email"])
    except Exception as exc:  # noqa: BLE001 - classified by code; the message is never logged
        code = dal.error_code(exc) or type(exc).__name__
        raise SendFailed(code, code in PERMANENT_SES_ERRORS) from None


def _release(key: dict[str, Any], marker: Marker, lease: int) -> None:
    """Give the claim back so the next retry need not wait for the lease to lapse (best effort)."""
    try:
        dal.update(key, "REMOVE #lease", condition="#lease = :mine", values={":mine": lease},
                   names={"#lease": marker.lease})
    except Exception as exc:  # noqa: BLE001 - the lease lapses by itself
        logger.info("lease not released", extra={"code": dal.error_code(exc) or type(exc).__name__})


def _mark_sent(key: dict[str, Any], marker: Marker, appointment_id: str, kind: str) -> None:
    try:
        dal.update(key, "SET #sent = :now REMOVE #lease", condition="attribute_not_exists(#sent)",
                   values={":now": clock.now()}, names={"#sent": marker.sent, "#lease": marker.lease})
    except dal.ConditionFailed:
        logger.warning("email marked sent twice", extra={"appointmentId": appointment_id, "kind": kind})
    except Exception as exc:  # noqa: BLE001
        # Not raised: the email is out, and failing the record would send it again once the lease lapses.
        logger.error("email sent but not marked", extra={"appointmentId": appointment_id, "kind": kind,
                                                         "code": dal.error_code(exc) or type(exc).__name__})


# ---------------------------------------------------------------- redrive
def resend(appointment_id: str, kind: str) -> str:
    """Send a dead-lettered email from the appointment as it is now. Raises RetryLater when it still fails;
    an email that no longer makes sense (appointment started, ticket of a cancelled one) is skipped."""
    if kind not in MARKERS or not keys.valid_appointment_id(appointment_id):
        logger.warning("unknown dead letter", extra={"kind": kind})
        return SKIPPED
    appt = dal.get(keys.appointment_key(appointment_id), consistent=True)
    if not appt:
        return SKIPPED
    if appt.get(MARKERS[kind].sent):
        return DUPLICATE
    stale = int(appt["start"]) <= clock.now()
    wrong_state = appt.get("status") != (statuses.BOOKED if kind == TICKET else statuses.CANCELLED)
    if stale or wrong_state:
        logger.info("dead letter no longer needed", extra={"appointmentId": appointment_id, "kind": kind,
                                                            "started": stale})
        return SKIPPED
    return deliver(appt, kind, dead_letter_on_failure=False)
