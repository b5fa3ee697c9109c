"""Failed identity checks, counted per policy across every anonymous route (issue 12).

One item per policy, `LIMIT#<policy hash>/#FAILS`, holds the current window's start and its failures; TTL
tidies it. A failure is counted by a conditional UpdateItem that succeeds only below the limit, and only a
counted failure is answered as itself (`patient_not_found`, `attachment_not_found`, `not_found`, an empty
search): a failure that could not be counted is answered 429 `rate_limited` with `Retry-After`. So however
many requests race, at most `IDENTITY_FAILURES_MAX` failed checks of one policy are answered per window.
Past the limit every anonymous request of the policy is refused before it is checked (one GetItem).

The trade-off (docs/abuse.md): a stranger who knows a policy number can slow that person's anonymous access for
up to an hour; the signed-in routes never consult the counter, so the patient can always sign in.

A subject is any keyed string, each kind with its own prefix so two kinds never share an item: a policy hash
(40 hex digits), a referral's scope (shared/booking/referrals.py), a gorzdrav full name (`gzname:<hash>`) and a
gorzdrav clinic (`gzclinic:<clinicId>`, shared/faces/gorzdrav/identity.py). `limit` overrides the threshold for a
subject whose counter is shared by many people (a clinic's); the window is always IDENTITY_FAILURES_WINDOW.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from shared.domain import rules
from shared.platform import clock, dal, keys
from shared.platform.config import settings
from shared.platform.errors import DomainError
from shared.platform.observability import logger

ATTEMPTS = 3


def limits() -> tuple[int, int]:
    s = settings()
    return s.identity_failures_max, s.identity_failures_window


def guard(policy_hash: str, limit: int | None = None) -> None:
    """Refuse (429) a policy that has used up its failed checks in this window (one GetItem)."""
    check(dal.get(keys.limiter_key(policy_hash)), limit)


def check(item: dict[str, Any] | None, limit: int | None = None) -> None:
    """Refuse (429) when the limiter item (read by the caller, e.g. in its BatchGetItem) is at the limit."""
    default, window = limits()
    limit = default if limit is None else limit
    now = clock.now()
    retry_after = rules.limit_retry_after(item, now=now, limit=limit, window=window)
    if retry_after is not None:
        raise DomainError("rate_limited", retry_after=retry_after)


def record_failure(policy_hash: str, limit: int | None = None) -> None:
    """Count one failed identity check; raise 429 when the count is already at the limit."""
    default, window = limits()
    limit = default if limit is None else limit
    now = clock.now()
    start = rules.window_start(now, window)
    key = keys.limiter_key(policy_hash)
    names = {"#w": "window", "#f": "failures"}
    for _ in range(ATTEMPTS):
        try:
            dal.update(key, "ADD #f :one", condition="#w = :w AND #f < :max",
                       values={":one": 1, ":w": start, ":max": limit}, names=names)
            return
        except dal.ConditionFailed as failed:
            old = failed.old
        if old and int(old.get("window", -1)) == start:
            logger.warning("identity checks limited")
            raise DomainError("rate_limited", retry_after=max(1, start + window - now))
        try:  # no item yet, or an older window: start this one at 1
            dal.update(key, "SET #w = :w, #f = :one, #ttl = :ttl",
                       condition="attribute_not_exists(PK) OR #w < :w",
                       values={":one": 1, ":w": start, ":ttl": start + 2 * window},
                       names={**names, "#ttl": "ttl"})
            return
        except dal.ConditionFailed:
            continue  # another request started the window: count in it
    raise DomainError("unavailable", retry_after=1)


@contextmanager
def counting(policy_hash: str, codes: Iterable[str] = ("patient_not_found",), *,
             guarded: bool = False) -> Iterator[None]:
    """Guard a check of the policy's identity and count the refusals `codes` (those that say "this identity
    is wrong" on the route) as failures. `guarded`: the caller reads the limiter item itself (in its own
    BatchGetItem, no extra round trip) and calls `check`."""
    if not guarded:
        guard(policy_hash)
    failures = frozenset(codes) & rules.IDENTITY_FAILURES
    try:
        yield
    except DomainError as refusal:
        if refusal.code in failures:
            record_failure(policy_hash)
        raise
