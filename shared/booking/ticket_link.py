"""The ticket's link: an unguessable capability token, so the ticket page opens in any tab or browser.

The token is an HMAC of the appointment id under a key derived from the deployment's secret
(`POLICY_HASH_KEY`), so nothing is stored and a token cannot be made without the key. Whoever holds the link
may *read* the ticket (as with the emailed ticket itself); cancelling still needs the policy or the sign-in.
`GET /v1/appointments/{id}?t=<token>` answers the ticket (shared/booking/history.py, `by_link`); a wrong
token is as unknown as a made-up id. The links' address (`base_url`) is here too.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from shared.platform import clients
from shared.platform.config import settings

TOKEN_LENGTH = 22  # 132 bits of the HMAC, URL-safe base64


def _key() -> bytes:
    return hmac.new(settings().policy_hash_key, b"ticket-link-v1", hashlib.sha256).digest()


def token(appointment_id: str) -> str:
    digest = hmac.new(_key(), appointment_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TOKEN_LENGTH]


def valid(appointment_id: str, given: str | None) -> bool:
    # Bytes: compare_digest refuses str with non-ASCII characters (a typed or fuzzed token may have them).
    return bool(given) and hmac.compare_digest(token(appointment_id).encode(), str(given).encode())


def base_url() -> str:
    """The address tickets and emails link to: PUBLIC_BASE_URL, or (deployed on the stack's own CloudFront)
    the SSM parameter template.yaml writes the distribution's address to, read once per instance."""
    return settings().public_base_url or _published_base_url()


@lru_cache(maxsize=1)
def _published_base_url() -> str:
    name = settings().public_base_url_parameter
    if not name:
        raise RuntimeError("neither PUBLIC_BASE_URL nor PUBLIC_BASE_URL_PARAMETER is set")
    answer = clients.client("ssm").get_parameter(Name=name)
    return str(answer["Parameter"]["Value"]).rstrip("/")


def page_url(view: str, appointment_id: str) -> str:
    """The page `#/<view>/<id>` of the appointment, with the link's token (ticket, reschedule, cancel)."""
    return f"{base_url()}/#/{view}/{appointment_id}?t={token(appointment_id)}"


def ticket_url(appointment_id: str) -> str:
    return page_url("ticket", appointment_id)


def reschedule_url(appointment_id: str) -> str:
    return page_url("reschedule", appointment_id)


def cancel_url(appointment_id: str) -> str:
    return page_url("cancel", appointment_id)


# ---------------------------------------------------------------- the waiting list's offer (shared/booking/waitlist.py)
def offer_token(entry_id: str) -> str:
    """The offer link's capability: an HMAC of the entry id (nothing stored; made only with the key)."""
    k = hmac.new(settings().policy_hash_key, b"waitlist-offer-v1", hashlib.sha256).digest()
    digest = hmac.new(k, entry_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TOKEN_LENGTH]


def offer_url(entry_id: str) -> str:
    return f"{base_url()}/#/offer/{entry_id}?t={offer_token(entry_id)}"


def offer_valid(entry_id: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(offer_token(entry_id).encode(), str(given).encode())
