"""Referrals (issue 15): a clinic's staff refer their patient to a referral-only specialty at a target clinic;
the patient books with the referral's number, and the booking uses it up.

`REFERRAL#<number>/REFERRAL`: the patient only as keyed hashes (identity, last name), the specialty, the target
clinic, `validUntil` (its last day; `expiresAt` the end of that day), `status` issued | used and, when used,
the `appointmentId` using it. Every change is a condition of the transaction that changes the appointment:
  booking      issued, not expired, this identity, this specialty, this clinic -> used by the new appointment;
  cancellation used by this appointment -> issued again (also when the clinic cancels, an absence);
  reschedule   used by the old appointment -> used by the new one.
So a referral is used by at most one active appointment, whatever races. The number: eleven random digits
and a check digit; a look-up needs the number and the patient's last name, and a wrong one answers exactly
like an unknown number and counts against that number (shared/patients/limiter.py).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared.domain import journal, rules, specialties
from shared.patients import limiter, policy
from shared.platform import clock, dal, keys, statuses
from shared.platform.errors import DomainError
from shared.platform.observability import logger
from shared.platform.text import localized

MAX_VALIDITY_DAYS = 365
KEEP_AFTER_EXPIRY = 90 * 86400  # TTL tidies a referral this long after its last day
ATTEMPTS = 3
NAMES = {"#st": "status"}


def _last_name_hash(number: str, last_name: str) -> str:
    return policy.keyed_hash("referral", number, last_name)


def issue(*, staff_clinic: str | None, principal: str, last_name: str, birth_date: str,  # noqa: PLR0913 - the registry request's fields one for one, by keyword (functions/registry/app.py)
          policy_number: str, policy_series: str | None, specialty_id: str, target_clinic_id: str,
          valid_until: date, lang: str, actor: journal.Actor | None = None) -> dict[str, Any]:
    """Issue a referral for a patient attached to the staff member's clinic (the city operator: any). With a
    staff `actor`, the referral's write carries the journal entry (referral.issue; no patient data)."""

    _check_issue_request(specialty_id, target_clinic_id, valid_until)
    identity_hash = policy.identity_hash(policy_number, policy_series, last_name, birth_date)
    entry, clinic = _patient_and_target(policy.policy_hash(policy_number, policy_series), identity_hash,
                                        staff_clinic, specialty_id, target_clinic_id)
    now = clock.now()
    for _ in range(ATTEMPTS):
        number = keys.new_referral_number()
        item = build(number, identity_hash=identity_hash, last_name=last_name, specialty_id=specialty_id,
                     target_clinic=clinic, issuing_clinic_id=entry["clinicId"], issued_by=principal, issued_at=now,
                     valid_until=valid_until)
        also = {} if actor is None else journal.operations(actor, entry["clinicId"], journal.REFERRAL_ISSUE, now)
        try:
            dal.transact({"referral": {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
                          **also})
        except dal.Cancelled as cancelled:
            if cancelled.failed("referral"):
                continue  # 1 in 10^11: another referral has this number
            raise DomainError("unavailable", retry_after=1) from None
        logger.info("referral issued", extra={"specialtyId": specialty_id, "targetClinicId": target_clinic_id})
        return {"referral": render(item, lang, now)}
    raise DomainError("unavailable", retry_after=1)


def _check_issue_request(specialty_id: str, target_clinic_id: str, valid_until: date) -> None:
    """The last day from today to MAX_VALIDITY_DAYS ahead, a known specialty, a well-formed clinic id."""
    today = clock.local_date(clock.now())
    if not (today <= valid_until <= today + timedelta(days=MAX_VALIDITY_DAYS)):
        raise DomainError("validation_error", {"fields": [{"field": "validUntil", "problem": "out_of_range"}]})
    if specialty_id not in specialties.SPECIALTIES or not keys.valid_clinic_id(target_clinic_id):
        raise DomainError("validation_error", {"fields": [{"field": "specialtyId", "problem": "enum"}]})


def _patient_and_target(policy_hash: str, identity_hash: str, staff_clinic: str | None, specialty_id: str,
                        target_clinic_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The patient's register entry and the target clinic's profile, read in one BatchGetItem: the patient on
    the register (attached to `staff_clinic`, unless it is None: the city operator), a target clinic that
    offers the specialty."""
    entry_key = keys.attachment_key(policy_hash)
    clinic_key = keys.profile_key(keys.clinic_pk(target_clinic_id))
    offered_key = keys.key(keys.clinic_pk(target_clinic_id), keys.specialty_sk(specialty_id))
    found = {(i["PK"], i["SK"]): i for i in dal.batch_get([entry_key, clinic_key, offered_key])}

    def pick(k: dict[str, Any]) -> dict[str, Any] | None:
        return found.get((k["PK"]["S"], k["SK"]["S"]))

    entry, clinic = pick(entry_key), pick(clinic_key)
    rules.check_patient(entry, identity_hash, None)
    assert entry is not None
    if staff_clinic is not None and entry["clinicId"] != staff_clinic:
        raise DomainError("forbidden")  # a clinic refers its own patients
    if not clinic:
        raise DomainError("not_found")
    if not pick(offered_key):
        raise DomainError("validation_error", {"fields": [{"field": "targetClinicId", "problem": "no_specialty"}]})
    return entry, clinic


def build(number: str, *, identity_hash: str, last_name: str,  # noqa: PLR0913 - one keyword per attribute of the item it builds (infra/demo/data.py builds the demo's too)
          specialty_id: str, target_clinic: dict[str, Any], issuing_clinic_id: str, issued_by: str, issued_at: int,
          valid_until: date) -> dict[str, Any]:
    """The referral item (the demo data builds its referrals with it too)."""

    spec_ru, spec_en, _ = specialties.SPECIALTIES[specialty_id]
    expires = clock.day_end(valid_until) - 1
    return {
        **{k: v["S"] for k, v in keys.referral_key(number).items()}, "entity": "referral", "number": number,
        "status": statuses.ISSUED, "identityHash": identity_hash, "lastNameHash": _last_name_hash(number, last_name),
        "specialtyId": specialty_id, "specialty": spec_ru, "specialtyEn": spec_en,
        "targetClinicId": target_clinic["id"], "targetClinicName": target_clinic["name"],
        "targetClinicNameEn": target_clinic.get("nameEn"), "targetClinicAddress": target_clinic["address"],
        "targetClinicAddressEn": target_clinic.get("addressEn"), "issuingClinicId": issuing_clinic_id,
        "issuedBy": issued_by, "issuedAt": issued_at, "validUntil": valid_until.isoformat(), "expiresAt": expires,
        "ttl": expires + KEEP_AFTER_EXPIRY,
    }


def lookup(number: str, last_name: str, lang: str) -> dict[str, Any]:
    """The referral, when the number is known and the last name is its patient's; otherwise the same 404,
    counted as a failed check of that number (one GetItem, and an UpdateItem on a failure)."""
    number = number.strip()
    if not keys.valid_referral_number(number):
        raise DomainError("referral_not_found")  # a mistyped number (its check digit): no read, no count
    with limiter.counting(_limiter_scope(number), ("referral_not_found",)):
        item = dal.get(keys.referral_key(number))
        if not item or item.get("lastNameHash") != _last_name_hash(number, last_name):
            raise DomainError("referral_not_found")
    return {"referral": render(item, lang, clock.now())}


def _limiter_scope(number: str) -> str:
    return policy.keyed_hash("referral-limit", number)


def render(item: dict[str, Any], lang: str, now: int) -> dict[str, Any]:
    return {
        "number": item["number"], "status": rules.referral_state(item, now),
        "specialtyId": item["specialtyId"], "specialty": localized(item, "specialty", lang),
        "targetClinic": {"id": item["targetClinicId"], "name": localized(item, "targetClinicName", lang),
                         "address": localized(item, "targetClinicAddress", lang)},
        "validUntil": item["validUntil"],
        "appointmentId": item.get("appointmentId"),
    }


# ---------------------------------------------------------------- the writes, as transaction operations
def _usable(number: str, identity_hash: str, specialty_id: str, clinic_id: str, now: int) -> dict[str, Any]:
    return {"Key": keys.referral_key(number),
            "ConditionExpression": "#st = :issued AND identityHash = :identity AND specialtyId = :spec "
                                   "AND targetClinicId = :clinic AND expiresAt >= :now",
            "ExpressionAttributeNames": dict(NAMES),
            "ExpressionAttributeValues": {":issued": statuses.ISSUED, ":identity": identity_hash,
                                          ":spec": specialty_id, ":clinic": clinic_id, ":now": now}}


def check_op(number: str, identity_hash: str, specialty_id: str, clinic_id: str, now: int) -> dict[str, Any]:
    """A hold's condition: the referral may be used by this patient for this slot."""
    return {"ConditionCheck": _usable(number, identity_hash, specialty_id, clinic_id, now)}


def use_op(number: str, appointment_id: str, identity_hash: str, specialty_id: str, clinic_id: str,
           now: int) -> dict[str, Any]:
    """The booking's write: issued -> used by `appointment_id`."""
    op = _usable(number, identity_hash, specialty_id, clinic_id, now)
    op["UpdateExpression"] = "SET #st = :used, appointmentId = :appt, usedAt = :now"
    op["ExpressionAttributeValues"].update({":used": statuses.USED, ":appt": appointment_id})
    return {"Update": op}


def give_back_op(number: str, appointment_id: str) -> dict[str, Any]:
    """A cancellation's write: used by `appointment_id` -> issued again."""
    return {"Update": {
        "Key": keys.referral_key(number),
        "UpdateExpression": "SET #st = :issued REMOVE appointmentId, usedAt",
        "ConditionExpression": "#st = :used AND appointmentId = :appt",
        "ExpressionAttributeNames": dict(NAMES),
        "ExpressionAttributeValues": {":issued": statuses.ISSUED, ":used": statuses.USED, ":appt": appointment_id},
    }}


def move_op(number: str, old_id: str, new_id: str) -> dict[str, Any]:
    """A reschedule's write: used by the old appointment -> used by the new one."""
    return {"Update": {
        "Key": keys.referral_key(number),
        "UpdateExpression": "SET appointmentId = :new",
        "ConditionExpression": "#st = :used AND appointmentId = :old",
        "ExpressionAttributeNames": dict(NAMES),
        "ExpressionAttributeValues": {":used": statuses.USED, ":old": old_id, ":new": new_id},
    }}
