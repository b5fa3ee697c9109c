"""Daily email caps (issues 12 and 25): nobody can mail a stranger, or flood one mailbox, through us.

Every email the notifier sends (ticket, cancellation, reschedule, reminder, waiting-list offer, the clinic's
cancellation for an absence) passes `allow` first; it needs both counters of the day (the clinic's local day)
to have room:

- the **mailbox**: `mailbox(address)`, at most EMAILS_PER_ADDRESS_PER_DAY (20). An address is a mailbox after
  these rules, and only these (the ones real providers apply and an attacker used, issue 25):
    1. surrounding whitespace removed, the whole address case-folded (`str.casefold`);
    2. a `+tag` in the local part removed: `user+x@d` -> `user@d` (plus addressing, near universal);
    3. for gmail.com and googlemail.com (one service) the dots in the local part removed and the domain
       made gmail.com: `J.Doe+1@googlemail.com` -> `jdoe@gmail.com`. Other domains keep their dots.
  The address splits at its last `@`; without a non-empty local part and domain it is counted as rule 1 leaves it.
  Stored only as a keyed hash (`keys.email_cap_key`).
- the **patient**: the policy hash of the item the email is about (`patient_of`: an appointment's `PatPK`, a
  waiting-list entry's `policyHash`), at most EMAILS_PER_PATIENT_PER_DAY (30), whatever the addresses: one
  identity cycling through mailboxes stops there. An item without one (none is written so) has the mailbox
  counter only.

Both counters move in one TransactWriteItems of two conditional updates (`count < cap`): both count or neither
does, so a refusal by either never burns the other's budget, and two workers never pass the cap together.
Counting is idempotent per email: each counter keeps the ids of the emails it counted (`emails`, no more than
the cap) and refuses an id it has, and a refusal for that reason means "already counted", so an email retried
(a failed send, a crash after counting) asks again and is neither counted twice nor let past the cap.
TTL tidies the counters two days on.

Past a cap the booking stands (it was committed before the stream saw it), the email is skipped (the notifier
marks it, so no retry sends it) and the metric `EmailsSkippedByCap` counts it. No address, name or policy is
logged: only which cap refused.
"""
from __future__ import annotations

from typing import Any

from shared.platform import clock, dal, keys
from shared.platform.config import settings
from shared.platform.observability import logger, metrics

METRIC = "EmailsSkippedByCap"
MAILBOX, PATIENT = "mailbox", "patient"
# Providers whose local parts ignore dots, and the domain their mailboxes are counted under.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
TTL_SECONDS = 2 * 86400


def mailbox(address: str) -> str:
    """The mailbox an address delivers to, by the rules in the module docstring."""
    folded = address.strip().casefold()
    local, at, domain = folded.rpartition("@")
    if not at or not local or not domain:
        return folded
    local = local.split("+", 1)[0] or local  # `+tag` off; an address that is all tag keeps it
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "") or local
        domain = DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def patient_of(item: dict[str, Any]) -> str | None:
    """The policy hash of the patient an email's item belongs to (appointment or waiting-list entry)."""
    if item.get("policyHash"):
        return str(item["policyHash"])
    pk = str(item.get("PatPK") or "")
    return keys.policy_hash_of(pk) if pk.startswith(keys.POLICY_PREFIX) else None


# (which cap, the counter's key, its daily limit)
Counter = tuple[str, dict[str, Any], int]


def _counters(address: str, patient: str | None, now: int) -> list[Counter]:
    """The day's counters an email to `address` (about `patient`) needs room in."""
    day = clock.local_date(now).isoformat()
    config = settings()
    pending = [(MAILBOX, keys.email_cap_key(mailbox(address), day), config.emails_per_address_per_day)]
    if patient:
        pending.append((PATIENT, keys.patient_email_cap_key(patient, day), config.emails_per_patient_per_day))
    return pending


def _had(counter: dict[str, Any] | None, email_id: str | None) -> bool:
    """The counter (as it was, ALL_OLD) counted this email already."""
    return bool(email_id) and email_id in ((counter or {}).get("emails") or [])


def _refusals(cancelled: dal.Cancelled, pending: list[Counter], email_id: str | None) -> tuple[list[str], set[int]]:
    """Of a refused count: (the caps that are full, the indexes of the counters that had counted this email)."""
    refused = [i for i in range(len(pending)) if cancelled.failed(i)]
    counted = {i for i in refused if _had(cancelled.old(i), email_id)}
    return [pending[i][0] for i in refused if i not in counted], counted


def allow(address: str, *, patient: str | None = None, email_id: str | None = None) -> bool:
    """Count one email to `address` (about `patient`) today; False when a day's cap is reached (nothing counted).
    `email_id` names the email (the same on every attempt): counted once however often it is asked about."""
    now = clock.now()
    pending = _counters(address, patient, now)
    for _ in range(3):  # at most: once, once more without the counters that had counted this email already
        try:
            dal.transact([_count(key, limit, now, email_id) for _, key, limit in pending])
            return True
        except dal.Cancelled as cancelled:
            full, counted = _refusals(cancelled, pending, email_id)
            if full:
                _refuse(full[0])
                return False
            pending = [c for i, c in enumerate(pending) if i not in counted]
            if not pending:
                return True
    raise RuntimeError("email cap not decided")  # the record fails and is tried again


def _count(key: dict[str, Any], limit: int, now: int, email_id: str | None) -> dict[str, Any]:
    """One counter's conditional update (inside the transaction)."""
    update = "ADD #sent :one SET #ttl = :ttl"
    condition = "(attribute_not_exists(#sent) OR #sent < :max)"
    values: dict[str, Any] = {":one": 1, ":max": limit, ":ttl": now + TTL_SECONDS}
    names = {"#sent": "sent", "#ttl": "ttl"}
    if email_id:
        update += ", #emails = list_append(if_not_exists(#emails, :none), :this)"
        condition += " AND NOT contains(#emails, :id)"
        values.update({":none": [], ":this": [email_id], ":id": email_id})
        names["#emails"] = "emails"
    return {"Update": {"Key": key, "UpdateExpression": update, "ConditionExpression": condition,
                       "ExpressionAttributeValues": values, "ExpressionAttributeNames": names}}


def _refuse(which: str) -> None:
    from aws_lambda_powertools.metrics import MetricUnit  # lazy: metrics only when a cap is reached

    logger.warning(f"email skipped: daily cap of the {which} reached", extra={"cap": which})
    metrics().add_metric(name=METRIC, unit=MetricUnit.Count, value=1)
