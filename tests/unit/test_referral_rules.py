"""Referral rules as pure functions (issue 15): the check digit, and the refusal a referral item calls for."""
from __future__ import annotations

from typing import Any

import pytest

from shared.domain import rules
from shared.platform import keys, statuses
from shared.platform.errors import DomainError

NOW = 1_800_000_000
REFERRAL: dict[str, Any] = {"identityHash": "me", "specialtyId": "cardiologist", "targetClinicId": "cl0101",
                            "status": statuses.ISSUED, "expiresAt": NOW + 86400}


def refusal(referral: dict[str, Any] | None, **kw: Any) -> str | None:
    args = dict(identity_hash="me", specialty_id="cardiologist", clinic_id="cl0101", now=NOW) | kw
    try:
        rules.check_referral(referral, **args)
    except DomainError as e:
        return e.code
    return None


def test_new_numbers_are_twelve_digits_with_a_check_digit() -> None:
    numbers = {keys.new_referral_number() for _ in range(200)}
    assert len(numbers) == 200
    assert all(len(n) == 12 and n.isdigit() and keys.valid_referral_number(n) for n in numbers)
    n = numbers.pop()
    assert not keys.valid_referral_number(n[:-1] + str((int(n[-1]) + 1) % 10))  # one digit mistyped
    assert keys.valid_referral_number("510000000016") and not keys.valid_referral_number("150000000016")  # swapped
    assert keys.luhn_digit("7992739871") == "3"  # the textbook example


@pytest.mark.parametrize(("change", "code"), [
    ({}, None),
    ({"identityHash": "someone else"}, "referral_not_found"),
    ({"specialtyId": "endocrinologist"}, "referral_mismatch"),
    ({"targetClinicId": "cl0102"}, "referral_mismatch"),
    ({"status": statuses.USED, "appointmentId": "other"}, "referral_used"),
    ({"expiresAt": NOW - 1}, "referral_expired"),
])
def test_check_referral(change: dict[str, Any], code: str | None) -> None:
    assert refusal(dict(REFERRAL, **change)) == code


def test_an_unknown_referral_and_one_used_by_the_asking_appointment() -> None:
    assert refusal(None) == "referral_not_found"
    used_by_me = dict(REFERRAL, status=statuses.USED, appointmentId="mine")
    assert refusal(used_by_me, appointment_id="mine") is None


def test_referral_only_specialties_need_a_number() -> None:
    with pytest.raises(DomainError) as e:
        rules.check_referral_need({"referralRequired": True}, None)
    assert e.value.code == "referral_required"
    rules.check_referral_need({"referralRequired": True}, "510000000016")
    rules.check_referral_need({"referralRequired": False}, None)


def test_a_refused_booking_names_the_referral_refusal() -> None:
    failed = {rules.BOOK_REFERRAL: dict(REFERRAL, status=statuses.USED, appointmentId="other")}
    with pytest.raises(DomainError) as e:
        rules.classify_booking_refusal(failed, rules.Ask(identity_hash="me", clinic_id="cl0101", hold_id=None, now=NOW,
                                                         specialty_id="cardiologist", referral_number="510000000016"))
    assert e.value.code == "referral_used"
    # With a referral the register entry may name any clinic: only a wrong identity refuses.
    with pytest.raises(DomainError) as e:
        rules.classify_booking_refusal({rules.BOOK_ENTRY: {"identityHash": "x", "clinicId": "cl0102"}},
                                       rules.Ask(identity_hash="me", clinic_id="cl0101", hold_id=None, now=NOW,
                                                 referral_number="510000000016"))
    assert e.value.code == "patient_not_found"


def test_referral_state() -> None:
    assert rules.referral_state(REFERRAL, NOW) == "issued"
    assert rules.referral_state(dict(REFERRAL, status=statuses.USED), NOW) == "used"
    assert rules.referral_state(REFERRAL, NOW + 2 * 86400) == "expired"
