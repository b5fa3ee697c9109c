"""Attachment (прикрепление): which polyclinic a policy is attached to, and the change of polyclinic that the
staff of the new clinic registers.

The register entry `POLICY#<hash>/ATTACHMENT` is the one item every rule hangs on: the booking transaction
checks its `clinicId` and `identityHash`, so once a change is written, new bookings follow the new clinic
and bookings at the old one are refused (`not_attached`); appointments already booked are left alone.

A change is ONE TransactWriteItems: the entry moves to the new clinic under a condition on its `version`
(and, for a change by choice, on `choiceAllowedFrom`), and two history items record the detachment from
the old clinic and the attachment to the new one; with the full name known, a Put of the gorzdrav façade's
name-index item (keyed hashes, idempotent) rides along. Two changes racing read the same version: one wins.

One year: a change by choice on day D allows the next one from the same day a year later; from 29 February
the next allowed day is 1 March (never before the anniversary, and 28 February would be a day early).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.catalogue import lookup
from shared.domain import journal, rules, specialties
from shared.patients import callers, family, name_index, policy
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError
from shared.platform.observability import logger

ATTEMPTS = 3


next_choice_date = rules.next_choice_date  # kept here: callers and tests name it so


def _clinic(clinic_id: str, lang: str) -> dict[str, Any]:
    return lookup.clinic(clinic_id, lang)


# ---------------------------------------------------------------- look-ups
def attachment_of(caller: callers.Caller, lang: str) -> dict[str, Any]:
    """The clinic the caller's policy is attached to and since when (one GetItem of the entry, one of the
    clinic), when the holder's last name and birth date match the entry; a mismatch answers exactly like an
    unknown policy and counts as a failed identity check (shared/patients/callers.py)."""
    with callers.counting(caller, ("attachment_not_found",)):
        entry = dal.register_entry(caller.policy_hash)
        if not entry or entry.get("identityHash") != caller.identity:
            raise DomainError("attachment_not_found")
    return {"clinic": _clinic(entry["clinicId"], lang), "attachedSince": entry["attachedSince"]}


def my_attachment(caller: callers.Caller, lang: str) -> dict[str, Any]:
    """A signed-in patient's attachment and the first day a change by choice is allowed."""
    entry = dal.register_entry(caller.policy_hash)
    if not entry:
        raise DomainError("attachment_not_found")
    # The token's name and birth date are not the policy's holder's (issue 12): nothing is shown.
    callers.check_entry(caller, entry)
    today = clock.local_date(clock.now())
    allowed = date.fromisoformat(entry["choiceAllowedFrom"]) if entry.get("choiceAllowedFrom") else today
    return {
        "clinic": _clinic(entry["clinicId"], lang),
        "attachedSince": entry["attachedSince"],
        "reason": entry.get("reason", "initial"),
        "changeByChoiceAllowedFrom": max(allowed, today).isoformat(),
        "changeByChoiceAllowedNow": allowed <= today,
    }


# ---------------------------------------------------------------- the change
@dataclass(frozen=True)
class Change:
    """One change of attachment as every attempt writes it: whose entry (by its hashes), to which clinic, by
    which reason, registered by whom, and the name-index item's Put riding along (None without a first name)."""

    policy_hash: str
    identity: str
    clinic_id: str
    reason: str
    registered_by: str
    name_index: dict[str, Any] | None = None
    actor: journal.Actor | None = None  # staff: the change's journal entry rides in its transaction
    kin: family.Representatives | None = None  # the child's representatives, replaced by this change (issue 29)

    @property
    def pk(self) -> str:
        return keys.policy_pk(self.policy_hash)

    @property
    def entry_key(self) -> dict[str, Any]:
        return keys.attachment_key(self.policy_hash)

    @property
    def clinic_key(self) -> dict[str, Any]:
        return keys.key(keys.clinic_pk(self.clinic_id), keys.PROFILE)


def change(*, last_name: str, birth_date: str, policy_number: str,  # noqa: PLR0913 - the registry request's fields one for one, by keyword (functions/registry/app.py)
           policy_series: str | None, clinic_id: str, reason: str, registered_by: str, first_name: str | None = None,
           middle_name: str | None = None, actor: journal.Actor | None = None,
           representatives: list[tuple[str, str | None]] | None = None) -> dict[str, Any]:
    """Attach the patient to `clinic_id` (detaching from the current clinic) by `reason` choice|relocation.
    A child goes to a children's (or "both") polyclinic, an adult to an adult one (`clinic_kind_mismatch`);
    `representatives` (policy number, series), when given, replace the child's legal representatives and their
    FAMILY# links in the same transaction (shared/patients/family.py).

    With the first name known, the same transaction writes the gorzdrav façade's name-index item (keyed
    hashes only), so a person registered here for the first time is found by clinic + full name + birth date."""
    if reason not in rules.CHANGE_REASONS:
        raise DomainError("validation_error", {"fields": [{"field": "reason", "problem": "enum"}]})
    if not keys.valid_clinic_id(clinic_id):
        raise DomainError("not_found")
    policy_hash = policy.policy_hash(policy_number, policy_series)
    identity = policy.identity_hash(policy_number, policy_series, last_name, birth_date)
    kin = None if representatives is None else family.Representatives(
        {"policyHash": policy_hash, "identityHash": identity, "lastName": last_name, "firstName": first_name,
         "middleName": middle_name, "birthDate": birth_date},
        family.parent_hashes(representatives, policy_hash))
    move = Change(policy_hash, identity, clinic_id, reason, registered_by,
                  _name_index_put(last_name, first_name, middle_name, birth_date, policy_hash), actor, kin)
    found = {(i["PK"], i["SK"]): i for i in dal.batch_get([move.entry_key, move.clinic_key], consistent=True)}
    clinic = found.get((move.clinic_key["PK"]["S"], keys.PROFILE))
    if not clinic:
        raise DomainError("not_found")
    check_kind(clinic, birth_date)
    entry = found.get((move.entry_key["PK"]["S"], keys.ATTACHMENT_SK))
    for _ in range(ATTEMPTS):
        outcome, entry = _try_change(entry, move)
        if outcome is not None:
            return outcome
    raise DomainError("unavailable", retry_after=1)


def check_kind(clinic: dict[str, Any], birth_date: str) -> None:
    """A children's polyclinic attaches children (under 18 today), an adult one adults; "both" anyone."""
    kind = clinic.get("kind") or specialties.DEFAULT_CLINIC_KIND
    if not specialties.serves(kind, birth_date, clock.local_date(clock.now())):
        raise DomainError("clinic_kind_mismatch", {"clinicKind": kind})


def _name_index_put(last_name: str, first_name: str | None, middle_name: str | None, birth_date: str,
                    policy_hash: str) -> dict[str, Any] | None:
    """The name-index item's Put (None without a first name: no full name, no index). Its key is the same
    item for the same person and policy, so writing it on every change is idempotent; the condition only
    refuses to overwrite anything that is not a name-index item."""
    if not (first_name or "").strip():
        return None
    item = name_index.index_item({"lastName": last_name, "firstName": first_name, "middleName": middle_name,
                                   "birthDate": birth_date}, policy_hash)
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK) OR entity = :gz",
                    "ExpressionAttributeValues": {":gz": item["entity"]}}}


def _event_put(move: Change, sk: str, event: str, clinic_id: str | None, now: int) -> dict[str, Any]:
    """A history item: the detachment from a clinic or the attachment to one."""
    return {"Put": {"Item": {"PK": move.pk, "SK": sk, "entity": "attachmentEvent",
                             "event": event, "clinicId": clinic_id, "reason": move.reason,
                             "date": clock.local_date(now).isoformat(), "at": now, "registeredBy": move.registered_by},
                    "ConditionExpression": "attribute_not_exists(PK)"}}


def _entry_update(move: Change, decided: rules.ChangeDecision, now: int) -> dict[str, Any]:
    """The entry moved to the new clinic, on condition that it is still the one decided on (its identity, clinic
    and version; for a change by choice, the one-year rule)."""
    today, version = decided.today, decided.version
    values: dict[str, Any] = {":new": move.clinic_id, ":today": today.isoformat(), ":reason": move.reason,
                              ":next": version + 1, ":now": now, ":old": decided.old_clinic, ":identity": move.identity}
    update = ("SET clinicId = :new, attachedSince = :today, #reason = :reason, #v = :next, changedAt = :now, "
              "previousClinicId = :old")
    condition = "identityHash = :identity AND clinicId = :old AND "
    if version:
        condition += "#v = :seen"
        values[":seen"] = version
    else:
        condition += "attribute_not_exists(#v)"
    update += _representatives_update(move, values)
    if move.reason == "choice":
        update += ", lastChoiceChangeAt = :today, choiceAllowedFrom = :allowed"
        values[":allowed"] = decided.allowed_from.isoformat() if decided.allowed_from else None
        # The one-year rule, in the write itself: ISO dates compare as strings.
        condition += " AND (attribute_not_exists(choiceAllowedFrom) OR choiceAllowedFrom <= :today)"
    return {"Update": {"Key": move.entry_key, "UpdateExpression": update, "ConditionExpression": condition,
                       "ExpressionAttributeNames": {"#v": "version", "#reason": "reason"},
                       "ExpressionAttributeValues": values}}


def _representatives_update(move: Change, values: dict[str, Any]) -> str:
    """The entry's `representatives` set by a change that names them (a SET clause's tail; none: kept)."""
    if move.kin is None:
        return ""
    values[":reps"] = list(move.kin.parents)
    return ", representatives = :reps"


def _first_entry(move: Change, decided: rules.ChangeDecision, now: int) -> dict[str, Any]:
    """First attachment of this policy (e.g. someone who came from another region)."""
    today = decided.today
    item = {"PK": move.pk, "SK": keys.ATTACHMENT_SK, "entity": "attachment", "clinicId": move.clinic_id,
            "attachedSince": today.isoformat(), "reason": move.reason, "identityHash": move.identity, "version": 1,
            "changedAt": now}
    if move.reason == "choice" and decided.allowed_from:
        item |= {"lastChoiceChangeAt": today.isoformat(), "choiceAllowedFrom": decided.allowed_from.isoformat()}
    if move.kin is not None:
        item["representatives"] = list(move.kin.parents)
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}


def _operations(entry: dict[str, Any] | None, move: Change, decided: rules.ChangeDecision,
                now: int) -> dict[str, dict[str, Any]]:
    """The transaction by role: the entry (moved, or first written), the history, the name index, the new
    clinic's check."""
    next_version = decided.version + 1
    ops: dict[str, dict[str, Any]] = {}
    if entry:
        ops["entry"] = _entry_update(move, decided, now)
        ops["detached"] = _event_put(move, keys.attachment_history_sk(now, next_version, 1), "detached",
                                     decided.old_clinic, now)
    else:
        ops["entry"] = _first_entry(move, decided, now)
    ops["attached"] = _event_put(move, keys.attachment_history_sk(now, next_version, 2), "attached", move.clinic_id,
                                 now)
    if move.name_index:
        ops["nameIndex"] = move.name_index
    # The new clinic must still exist when the change is written.
    ops["clinic"] = {"ConditionCheck": {"Key": move.clinic_key, "ConditionExpression": "attribute_exists(PK)"}}
    if move.actor is not None:
        ops |= journal.operations(move.actor, move.clinic_id, journal.ATTACHMENT_CHANGE, now)
    if move.kin is not None:
        ops |= move.kin.operations((entry or {}).get("representatives") or ())
    return ops


def _try_change(entry: dict[str, Any] | None,
                move: Change) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """One attempt: (the answer, None), or (None, the entry as it is now) when another change won the race."""
    now = clock.now()
    today = clock.local_date(now)
    # The read refuses the hopeless; the transaction's conditions enforce every rule it decided.
    decided = rules.decide_change(entry, identity_hash=move.identity, clinic_id=move.clinic_id, reason=move.reason,
                                  today=today)
    ops = _operations(entry, move, decided, now)
    try:
        dal.transact(ops)
    except dal.Cancelled as cancelled:
        _check_parents(cancelled.refused())
        refusal = rules.classify_change_refusal(cancelled.failed("entry"), cancelled.failed("clinic"))
        if refusal is rules.ChangeRefusal.DECIDE_AGAIN:
            # Another change won: decide again from the entry as it is now (ALL_OLD; read only if absent).
            return None, cancelled.old("entry") or dal.get(move.entry_key, consistent=True)
        return None, entry  # a history key collided within the same second: try again
    logger.info("attachment changed", extra={"clinicId": move.clinic_id, "previousClinicId": decided.old_clinic,
                                             "reason": move.reason})
    return {"attachment": {
        "clinicId": move.clinic_id,
        "previousClinicId": decided.old_clinic,
        "reason": move.reason,
        "attachedSince": today.isoformat(),
        "changeByChoiceAllowedFrom": decided.answer_allowed_from,
    }}, None


# ---------------------------------------------------------------- representatives (issue 29)
def _check_parents(failed: dict[str, Any]) -> None:
    """A representative named by a change is not on the register: which one, as a validation error."""
    n = family.Representatives.refused_parent(failed)
    if n is not None:
        raise DomainError("validation_error",
                          {"fields": [{"field": f"representatives[{n}].policyNumber", "problem": "not_registered"}]})


def replace_representatives(*, person: dict[str, Any], parents: list[tuple[str, str | None]], clinic_id: str,
                            actor: journal.Actor | None = None) -> dict[str, Any]:
    """Replace a child's legal representatives (the registry of the child's clinic; an empty list removes them
    all): ONE transaction updates the entry (condition: this identity, this clinic, the version read), Puts the
    new representatives' links (each on the register), Deletes the former ones' and records the journal entry. A
    parent removed here loses the right at once: every creating transaction of theirs for the child checks the
    entry. `person`: lastName, firstName, middleName, birthDate, policyNumber, policySeries."""
    number, series = person["policyNumber"], person.get("policySeries")
    child_hash = policy.policy_hash(number, series)
    child = {"policyHash": child_hash,
             "identityHash": policy.identity_hash(number, series, person["lastName"], person["birthDate"]),
             "lastName": person["lastName"], "firstName": person["firstName"], "middleName": person.get("middleName"),
             "birthDate": person["birthDate"]}
    kin = family.Representatives(child, family.parent_hashes(parents, child_hash))
    entry: dict[str, Any] | None = dict(dal.register_entry(child_hash, consistent=True) or {}) or None
    for _ in range(ATTEMPTS):
        rules.check_patient(entry, child["identityHash"], None)
        if (entry or {}).get("clinicId") != clinic_id:
            raise DomainError("not_attached", {"lookup": "/v1/addresses/clinics"})
        try:
            dal.transact(_representatives_ops(dict(entry or {}), kin, clinic_id, actor))
        except dal.Cancelled as cancelled:
            _check_parents(cancelled.refused())
            entry = cancelled.old("entry") if cancelled.failed("entry") else entry
            continue
        logger.info("representatives changed", extra={"clinicId": clinic_id, "count": len(kin.parents)})
        return {"representatives": len(kin.parents)}
    raise DomainError("unavailable", retry_after=1)


def _representatives_ops(entry: dict[str, Any], kin: family.Representatives, clinic_id: str,
                         actor: journal.Actor | None) -> dict[str, dict[str, Any]]:
    version = int(entry.get("version", 0))
    values: dict[str, Any] = {":identity": kin.child["identityHash"], ":clinic": clinic_id, ":next": version + 1}
    condition = "identityHash = :identity AND clinicId = :clinic AND "
    if version:
        condition += "#v = :seen"
        values[":seen"] = version
    else:
        condition += "attribute_not_exists(#v)"
    update = "SET #v = :next"
    if kin.parents:
        update += ", representatives = :reps"
        values[":reps"] = list(kin.parents)
    else:
        update += " REMOVE representatives"
    now = clock.now()
    ops: dict[str, dict[str, Any]] = {"entry": {"Update": {
        "Key": keys.attachment_key(str(kin.child["policyHash"])), "UpdateExpression": update,
        "ConditionExpression": condition, "ExpressionAttributeNames": {"#v": "version"},
        "ExpressionAttributeValues": values}}}
    ops |= kin.operations(entry.get("representatives") or ())
    if actor is not None:
        ops |= journal.operations(actor, clinic_id, journal.REPRESENTATIVES_CHANGE, now)
    return ops
