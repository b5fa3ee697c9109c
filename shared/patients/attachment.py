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

from datetime import date
from typing import Any

from shared.catalogue import lookup
from shared.domain import rules
from shared.patients import callers, name_index, policy
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
        entry = dal.get(keys.attachment_key(caller.policy_hash))
        if not entry or entry.get("identityHash") != caller.identity:
            raise DomainError("attachment_not_found")
    return {"clinic": _clinic(entry["clinicId"], lang), "attachedSince": entry["attachedSince"]}


def my_attachment(caller: callers.Caller, lang: str) -> dict[str, Any]:
    """A signed-in patient's attachment and the first day a change by choice is allowed."""
    entry = dal.get(keys.attachment_key(caller.policy_hash))
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
def change(*, last_name: str, birth_date: str, policy_number: str, policy_series: str | None, clinic_id: str,
           reason: str, registered_by: str, first_name: str | None = None,
           middle_name: str | None = None) -> dict[str, Any]:
    """Attach the patient to `clinic_id` (detaching from the current clinic) by `reason` choice|relocation.

    With the first name known, the same transaction writes the gorzdrav façade's name-index item (keyed
    hashes only), so a person registered here for the first time is found by clinic + full name + birth date."""
    if reason not in rules.CHANGE_REASONS:
        raise DomainError("validation_error", {"fields": [{"field": "reason", "problem": "enum"}]})
    if not keys.valid_clinic_id(clinic_id):
        raise DomainError("not_found")
    policy_hash = policy.policy_hash(policy_number, policy_series)
    identity = policy.identity_hash(policy_number, policy_series, last_name, birth_date)
    entry_key = keys.attachment_key(policy_hash)
    clinic_key = keys.key(keys.clinic_pk(clinic_id), keys.PROFILE)
    found = {(i["PK"], i["SK"]): i for i in dal.batch_get([entry_key, clinic_key], consistent=True)}
    if (clinic_key["PK"]["S"], keys.PROFILE) not in found:
        raise DomainError("not_found")
    entry = found.get((entry_key["PK"]["S"], keys.ATTACHMENT_SK))
    name_index = _name_index_put(last_name, first_name, middle_name, birth_date, policy_hash)
    for _ in range(ATTEMPTS):
        outcome, entry = _try_change(entry, entry_key, clinic_key, policy_hash, identity, clinic_id, reason,
                                     registered_by, name_index)
        if outcome is not None:
            return outcome
    raise DomainError("unavailable", retry_after=1)


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


def _try_change(entry: dict[str, Any] | None, entry_key: dict[str, Any], clinic_key: dict[str, Any],
                policy_hash: str, identity: str, clinic_id: str, reason: str, registered_by: str,
                name_index: dict[str, Any] | None = None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """One attempt: (the answer, None), or (None, the entry as it is now) when another change won the race."""
    now = clock.now()
    today = clock.local_date(now)
    # The read refuses the hopeless; the transaction's conditions enforce every rule it decided.
    decided = rules.decide_change(entry, identity_hash=identity, clinic_id=clinic_id, reason=reason, today=today)
    version, old_clinic, new_allowed = decided.version, decided.old_clinic, decided.allowed_from
    pk = keys.policy_pk(policy_hash)
    ops: list[dict[str, Any]] = []
    if entry:
        values: dict[str, Any] = {":new": clinic_id, ":today": today.isoformat(), ":reason": reason,
                                  ":next": version + 1, ":now": now, ":old": old_clinic, ":identity": identity}
        update = ("SET clinicId = :new, attachedSince = :today, #reason = :reason, #v = :next, changedAt = :now, "
                  "previousClinicId = :old")
        condition = "identityHash = :identity AND clinicId = :old AND "
        if version:
            condition += "#v = :seen"
            values[":seen"] = version
        else:
            condition += "attribute_not_exists(#v)"
        if reason == "choice":
            update += ", lastChoiceChangeAt = :today, choiceAllowedFrom = :allowed"
            values[":allowed"] = new_allowed.isoformat() if new_allowed else None
            # The one-year rule, in the write itself: ISO dates compare as strings.
            condition += " AND (attribute_not_exists(choiceAllowedFrom) OR choiceAllowedFrom <= :today)"
        ops.append({"Update": {"Key": entry_key, "UpdateExpression": update, "ConditionExpression": condition,
                               "ExpressionAttributeNames": {"#v": "version", "#reason": "reason"},
                               "ExpressionAttributeValues": values}})
        ops.append({"Put": {"Item": {"PK": pk, "SK": keys.attachment_history_sk(now, version + 1, 1),
                                     "entity": "attachmentEvent",
                                     "event": "detached", "clinicId": old_clinic, "reason": reason,
                                     "date": today.isoformat(), "at": now, "registeredBy": registered_by},
                            "ConditionExpression": "attribute_not_exists(PK)"}})
    else:
        # First attachment of this policy (e.g. someone who came from another region).
        item = {"PK": pk, "SK": keys.ATTACHMENT_SK, "entity": "attachment", "clinicId": clinic_id,
                "attachedSince": today.isoformat(), "reason": reason, "identityHash": identity, "version": 1,
                "changedAt": now}
        if reason == "choice" and new_allowed:
            item |= {"lastChoiceChangeAt": today.isoformat(), "choiceAllowedFrom": new_allowed.isoformat()}
        ops.append({"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}})
    ops.append({"Put": {"Item": {"PK": pk, "SK": keys.attachment_history_sk(now, version + 1, 2),
                                 "entity": "attachmentEvent",
                                 "event": "attached", "clinicId": clinic_id, "reason": reason,
                                 "date": today.isoformat(), "at": now, "registeredBy": registered_by},
                        "ConditionExpression": "attribute_not_exists(PK)"}})
    if name_index:
        ops.append(name_index)
    # The new clinic must still exist when the change is written.
    ops.append({"ConditionCheck": {"Key": clinic_key, "ConditionExpression": "attribute_exists(PK)"}})
    try:
        dal.transact(ops)
    except dal.Cancelled as cancelled:
        refusal = rules.classify_change_refusal(cancelled.failed(0), cancelled.failed(len(ops) - 1))
        if refusal is rules.ChangeRefusal.DECIDE_AGAIN:
            # Another change won: decide again from the entry as it is now (ALL_OLD; read only if absent).
            return None, cancelled.old(0) or dal.get(entry_key, consistent=True)
        return None, entry  # a history key collided within the same second: try again
    logger.info("attachment changed", extra={"clinicId": clinic_id, "previousClinicId": old_clinic,
                                             "reason": reason})
    return {"attachment": {
        "clinicId": clinic_id,
        "previousClinicId": old_clinic,
        "reason": reason,
        "attachedSince": today.isoformat(),
        "changeByChoiceAllowedFrom": decided.answer_allowed_from,
    }}, None
