"""The ticket's link: an unguessable capability token, so the ticket page opens in any tab or browser.

The token is an HMAC of the appointment id under a key derived from the deployment's secret
(`POLICY_HASH_KEY`), so nothing is stored and a token cannot be made without the key. Whoever holds the link
may *read* the ticket (as with the emailed ticket itself); cancelling still needs the policy or the sign-in.
`GET /v1/appointments/{id}?t=<token>` answers the ticket; a wrong token is as unknown as a made-up id.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from shared import dal, keys, tickets
from shared.config import settings
from shared.errors import DomainError

TOKEN_LENGTH = 22  # 132 bits of the HMAC, URL-safe base64


def _key() -> bytes:
    return hmac.new(settings().policy_hash_key, b"ticket-link-v1", hashlib.sha256).digest()


def token(appointment_id: str) -> str:
    digest = hmac.new(_key(), appointment_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TOKEN_LENGTH]


def valid(appointment_id: str, given: str | None) -> bool:
    # Bytes: compare_digest refuses str with non-ASCII characters (a typed or fuzzed token may have them).
    return bool(given) and hmac.compare_digest(token(appointment_id).encode(), str(given).encode())


def page_url(view: str, appointment_id: str) -> str:
    """The page `#/<view>/<id>` of the appointment, with the link's token (ticket, reschedule, cancel)."""
    return f"{tickets.base_url()}/#/{view}/{appointment_id}?t={token(appointment_id)}"


def ticket_url(appointment_id: str) -> str:
    return page_url("ticket", appointment_id)


def reschedule_url(appointment_id: str) -> str:
    return page_url("reschedule", appointment_id)


def cancel_url(appointment_id: str) -> str:
    return page_url("cancel", appointment_id)


def appointment(appointment_id: str, given: str | None, lang: str) -> dict[str, Any]:
    """The ticket for a link's id and token (one GetItem); not_found for anything else."""
    if not keys.valid_appointment_id(appointment_id) or not valid(appointment_id, given):
        raise DomainError("not_found")
    item = dal.get(keys.appointment_key(appointment_id))
    if not item:
        raise DomainError("not_found")
    return {"appointment": tickets.render(item, lang)}
