"""Delivering the ticket and cancellation emails: nothing lost, nothing doubled.

Which stream records mean an email (`classify`): an appointment INSERT (status booked) is a ticket; an
appointment MODIFY booked -> cancelled is a cancellation. template.yaml's FilterCriteria let only these reach
the function; `classify` says the same in code, for the redrive and the local stream poller.

Exactly once, per appointment and kind, with a marker on the appointment item:

    claim   UpdateItem SET <kind>EmailLease = now+60s ADD <kind>EmailAttempts 1
            IF attribute_not_exists(<kind>EmailSentAt) AND (no lease OR lease expired)
    send    SES v2 SendEmail (raw MIME), a few quick retries of throttling and 5xx
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
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared import clock, dal, keys, statuses
from shared.config import settings
from shared.notify import cap, messages
from shared.notify.messages import CANCELLATION, TICKET
from shared.observability import logger

LEASE_SECONDS = 60
# Quick retries inside one invocation (throttling clears in moments); the stream's retries space the rest.
SEND_ATTEMPTS = 3
# Failed invocations (claims) of one email before the notifier dead-letters it itself; below the event source
# mapping's MaximumRetryAttempts (5), so this path, which keeps the appointment id, is the one normally taken.
DELIVERY_ROUNDS = 3
# Leave this much of the invocation for the remaining records and the dead-letter put.
TIME_RESERVE_MS = 5_000
sleep = time.sleep  # tests replace it

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


_lock = threading.Lock()
_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    """sesv2 / sqs clients, made once. No botocore retries: `_send` retries, so attempts stay bounded."""
    if service not in _clients:
        with _lock:
            if service not in _clients:
                import boto3
                from botocore.config import Config

                _clients[service] = boto3.client(service, config=Config(
                    retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=2, read_timeout=5))
    return _clients[service]


def reset_clients() -> None:
    with _lock:
        _clients.clear()


# After a SnapStart restore, clients made before the snapshot are made again (as in shared/dal.py).
try:
    from snapshot_restore_py import register_after_restore
except ImportError:
    pass
else:
    register_after_restore(reset_clients)


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
    if new.get("entity") != "appointment":
        return None
    if record.get("eventName") == "INSERT" and new.get("status") == statuses.BOOKED:
        return TICKET, new
    if (record.get("eventName") == "MODIFY" and old.get("status") == statuses.BOOKED
            and new.get("status") == statuses.CANCELLED):
        return CANCELLATION, new
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
    marker = MARKERS[kind]
    key = keys.appointment_key(appointment_id)
    now = clock.now()
    lease = now + LEASE_SECONDS
    try:
        claimed = dal.update(
            key, "SET #lease = :lease ADD #attempts :one",
            condition="attribute_exists(PK) AND attribute_not_exists(#sent) "
                      "AND (attribute_not_exists(#lease) OR #lease <= :now)",
            values={":lease": lease, ":one": 1, ":now": now}, names=marker.names, return_new=True)
    except dal.ConditionFailed as failed:
        old = failed.old
        if not old:
            logger.warning("appointment gone", extra={"appointmentId": appointment_id, "kind": kind})
            return SKIPPED
        if old.get(marker.sent):
            logger.info("email already sent", extra={"appointmentId": appointment_id, "kind": kind})
            return DUPLICATE
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
    raw = messages.build(appt, kind, sender=sender(), reply_to=reply_to()).as_bytes()
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return send_raw(raw, appt["email"])
        except Exception as exc:  # noqa: BLE001 - classified by code; the message is never logged
            code = dal.error_code(exc) or type(exc).__name__
            permanent = code in PERMANENT_SES_ERRORS
            delay = random.uniform(0.05, 0.2 * 2**attempt)
            out_of_time = remaining_ms is not None and remaining_ms() < TIME_RESERVE_MS + delay * 1000
            if permanent or attempt == SEND_ATTEMPTS or out_of_time:
                raise SendFailed(code, permanent) from None
            logger.info("ses send retried", extra={"appointmentId": appt["id"], "kind": kind, "code": code})
            sleep(delay)
    raise AssertionError("unreachable")


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
