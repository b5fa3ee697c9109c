"""The history of applications (История заявлений) and the anonymous search for one's future appointments.

Both read the ByPatient index, keyed by the policy's keyed hash only: an appointment booked anonymously
and one booked signed in land in the same history, since both ways key by the same hash.
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from shared.booking import ticket_link, tickets
from shared.domain import journal, slots
from shared.patients import callers
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError

INDEX = "ByPatient"
DEFAULT_PAGE = 20
MAX_PAGE = 50

# A page token carries the last item's PatSK only: the index's other keys follow from it and from the
# caller, so a token never holds the policy hash and cannot be pointed at another patient's history.
_PAT_SK = re.compile(r"^\d{11}#([A-Za-z0-9_-]{22,64})$")


def encode_token(pat_sk: str) -> str:
    return base64.urlsafe_b64encode(pat_sk.encode()).decode().rstrip("=")


def decode_token(token: str, patient_pk: str) -> dict[str, Any]:
    """ExclusiveStartKey from a page token; anything not made by encode_token is a validation_error."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    m = _PAT_SK.match(raw)
    if not m:
        raise DomainError("validation_error", {"fields": [{"field": "nextToken", "problem": "invalid"}]})
    return {**keys.appointment_key(m.group(1)), "PatPK": {"S": patient_pk}, "PatSK": {"S": raw}}


def history(caller: callers.Caller, limit: int, next_token: str | None, lang: str, *,
            with_access: bool = True) -> dict[str, Any]:
    """One page of the caller's applications, newest first, every status (the caller checked against the
    register first: one GetItem), each with the clinic's access to it (`access_of`, one Query; not for the
    gorzdrav face, which shows none)."""
    if not 1 <= limit <= MAX_PAGE:
        raise DomainError("validation_error", {"fields": [{"field": "limit", "problem": "range"}]})
    callers.verify(caller)
    patient_pk = caller.patient_pk
    start_key = decode_token(next_token, patient_pk) if next_token else None
    # One more than the page: whether another page exists is known now, so no empty last page.
    found, _ = dal.query("PatPK = :pk", {":pk": patient_pk}, index=INDEX, forward=False, limit=limit + 1,
                         start_key=start_key)
    page = found[:limit]
    more = len(found) > limit
    seen = access_of(patient_pk, page) if with_access else {}
    return {"items": [dict(tickets.render(a, lang), access=seen.get(a["id"], [])) for a in page],
            "nextToken": encode_token(page[-1]["PatSK"]) if more and page else None}


def access_of(patient_pk: str, page: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Appointment id -> which clinic role read or changed it and when, newest first (issue 28): the access
    items of the page's appointments, in the patient's partition, with one Query (their sort keys start with
    the appointments' PatSK, so one page is one range; shared/domain/journal.py)."""
    pat_sks = sorted(str(a["PatSK"]) for a in page if a.get("PatSK"))
    if not pat_sks:
        return {}
    lo, hi = f"{journal.ACCESS_PREFIX}{pat_sks[0]}", f"{journal.ACCESS_PREFIX}{pat_sks[-1]}#~"
    out: dict[str, list[dict[str, Any]]] = {}
    for item in dal.query_all("PK = :pk AND SK BETWEEN :lo AND :hi", {":pk": patient_pk, ":lo": lo, ":hi": hi}):
        if item.get("entity") == journal.ACCESS and item.get("appointmentId"):
            out.setdefault(str(item["appointmentId"]), []).append(item)
    return {appointment_id: [journal.render_access(i) for i in sorted(items, key=lambda i: -int(i["at"]))]
            for appointment_id, items in out.items()}


def search(caller: callers.Caller, lang: str) -> dict[str, Any]:
    """Future booked appointments of the caller's policy, when its holder's last name and birth date match the
    register entry. A mismatch is an empty list, the same answer as a policy never seen, and counts as a
    failed identity check of the policy (shared/patients/callers.py: past the limit, 429)."""
    try:
        callers.verify(caller)
    except DomainError as refused:
        if refused.code == "patient_not_found":
            return {"items": []}
        raise
    now = clock.now()
    found = dal.query_all(
        "PatPK = :pk",
        {":pk": caller.patient_pk, ":booked": slots.BOOKED, ":now": now},
        index=INDEX,
        filter_expression="#st = :booked AND #start > :now",
        names=slots.NAMES,
    )
    return {"items": [tickets.render(a, lang) for a in sorted(found, key=lambda a: int(a["start"]))]}


def appointment_of(caller: callers.Caller, appointment_id: str, lang: str) -> dict[str, Any]:
    """One appointment of the caller's (the ticket); anyone else's is as unknown as a made-up id. The
    appointment and the caller's register entry in one BatchGetItem."""
    if not keys.valid_appointment_id(appointment_id):
        raise DomainError("not_found")
    appt_key, entry_key = keys.appointment_key(appointment_id), keys.attachment_key(caller.policy_hash)
    found = {i["PK"]: i for i in dal.batch_get([appt_key, entry_key], consistent=True)}
    with callers.counting(caller):
        callers.check_entry(caller, found.get(entry_key["PK"]["S"]))
    item = found.get(appt_key["PK"]["S"])
    if not item or item.get("PatPK") != caller.patient_pk:
        raise DomainError("not_found")
    return tickets.render(item, lang)


def by_link(appointment_id: str, given: str | None, lang: str) -> dict[str, Any]:
    """The ticket for a link's id and token (one GetItem); not_found for anything else."""
    if not keys.valid_appointment_id(appointment_id) or not ticket_link.valid(appointment_id, given):
        raise DomainError("not_found")
    item = dal.appointment(appointment_id)
    if not item:
        raise DomainError("not_found")
    return {"appointment": tickets.render(item, lang)}
