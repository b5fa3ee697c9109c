"""The notifier's two ways out: SES v2 for the email, and its own dead-letter queue for what it gives up on.

Clients come from the one client factory (`shared.platform.clients`), settings from `shared.platform.config`.
Nothing here
decides whether an email is due or was sent (shared/notify/delivery.py); these are the calls and how their
failures are classified, with no address or message text ever logged.
"""
from __future__ import annotations

import json
from typing import Any

from shared.platform import clients, clock, dal
from shared.platform.config import settings
from shared.platform.observability import logger

# SES errors another try cannot fix: dead-letter at once; an operator fixes the cause, then redrives.
PERMANENT_SES_ERRORS = {
    "MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException", "NotFoundException",
    "AccountSuspendedException", "SendingPausedException", "AccessDeniedException", "InvalidParameterValue",
}


class SendFailed(Exception):
    """SES did not take the email. Carries the error code only (its message may quote an address)."""

    def __init__(self, code: str, permanent: bool) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent


class NotParked(Exception):
    """The dead-letter queue did not take the message (or there is none)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sender() -> str:
    return settings().sender_email


def reply_to() -> str | None:
    return settings().reply_to_email


def client(service: str) -> Any:
    """sesv2 / sqs clients from the one client factory: botocore's standard mode retries throttling and 5xx."""
    return clients.client(service)


def reset_clients() -> None:
    clients.reset("sesv2")
    clients.reset("sqs")


def send_raw(raw: bytes, to: str) -> str:
    """One SES v2 SendEmail of a whole MIME message; returns the SES message id."""
    params: dict[str, Any] = {"FromEmailAddress": sender(), "Destination": {"ToAddresses": [to]},
                              "Content": {"Raw": {"Data": raw}}}
    if settings().ses_configuration_set:
        params["ConfigurationSetName"] = settings().ses_configuration_set
    return str(client("sesv2").send_email(**params)["MessageId"])


def send(raw: bytes, to: str) -> str:
    """`send_raw`, its failure classified: SendFailed(code, permanent)."""
    try:
        return send_raw(raw, to)
    except Exception as exc:  # noqa: BLE001 - classified by code; the message is never logged
        code = dal.error_code(exc) or type(exc).__name__
        raise SendFailed(code, code in PERMANENT_SES_ERRORS) from None


def dead_letter(item_id: str, kind: str, reason: str) -> None:
    """Park an email the notifier gave up on: what the redrive needs, and nothing personal. `item_id` is the
    appointment's id (the waiting list's entry id for an offer). Raises NotParked."""
    url = settings().notifier_dlq_url
    if not url:
        raise NotParked("no_dead_letter_queue")
    body = {"source": "notifier", "appointmentId": item_id, "kind": kind, "reason": reason,
            "deadLetteredAt": clock.now()}
    try:
        client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(body))
    except Exception as exc:  # noqa: BLE001 - the stream retries, then Lambda's on-failure destination keeps it
        logger.error("dead-letter failed", extra={"itemId": item_id, "kind": kind,
                                                   "code": dal.error_code(exc) or type(exc).__name__})
        raise NotParked("dead_letter_failed") from None
    logger.warning("email dead-lettered", extra={"itemId": item_id, "kind": kind, "reason": reason})
