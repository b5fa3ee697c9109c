"""Issue 12's pure rules (shared/domain/rules.py), without a table: the hold's checks and refusals, the hold's
owner, and the failed-check limiter's window arithmetic."""
from __future__ import annotations

import pytest

from shared.domain import rules
from shared.platform import statuses
from shared.platform.errors import DomainError

ENTRY = {"identityHash": "id-a", "clinicId": "cl0101"}
DOCTOR = {"specialtyId": "therapist"}


def refused(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_check_hold_before_the_write() -> None:
    """Before the hold's transaction: the referral rule (and the age, tests/unit/test_age_rules.py)."""
    rules.check_hold(DOCTOR)
    assert refused(rules.check_hold, {"referralRequired": True}) == "referral_required"


def test_hold_owner() -> None:
    slot = {"status": statuses.HELD, "holdId": "h1", "holdOwner": "pa"}
    rules.check_hold_owner(slot, "h1", "pa")
    assert refused(rules.check_hold_owner, slot, "h1", "pb") == "hold_mismatch"
    rules.check_hold_owner(slot, "h2", "pb")  # not this hold: decided elsewhere (hold_expired)


def test_hold_transaction_refusals() -> None:
    ask = rules.Ask(identity_hash="id-a", clinic_id="cl0101", now=100)
    assert refused(rules.classify_hold_transaction_refusal, {rules.HOLD_ENTRY: None}, ask) == "patient_not_found"
    assert refused(rules.classify_hold_transaction_refusal,
                   {rules.HOLD_ENTRY: dict(ENTRY, clinicId="cl0102")}, ask) == "not_attached"
    assert refused(rules.classify_hold_transaction_refusal, {rules.HOLD_LOCK: {"start": 500}},
                   ask) == "already_booked_specialty"
    taken = {"status": statuses.BOOKED, "start": 1000}
    assert refused(rules.classify_hold_transaction_refusal, {rules.HOLD_SLOT: taken}, ask) == "slot_unavailable"
    assert rules.classify_hold_transaction_refusal({rules.HOLD_POINTER: None}, ask) is rules.HoldRefusal.RETRY
    assert rules.classify_hold_transaction_refusal({rules.HOLD_RELEASE: None},
                                                   ask) is rules.HoldRefusal.WITHOUT_RELEASE
    assert refused(rules.classify_hold_transaction_refusal, {}, ask) == "unavailable"
    # The first try does not know the patient's previous hold: a refused pointer means "learn it and try again",
    # even when the slot was refused too (it may be that very hold); the identity still comes first.
    assert rules.classify_hold_transaction_refusal({rules.HOLD_POINTER: {"holdId": "h0"}, rules.HOLD_SLOT: taken},
                                                   ask, known=False) is rules.HoldRefusal.RETRY
    assert refused(rules.classify_hold_transaction_refusal, {rules.HOLD_POINTER: {"holdId": "h0"},
                                                             rules.HOLD_ENTRY: None}, ask,
                   known=False) == "patient_not_found"
    assert refused(rules.classify_hold_transaction_refusal, {rules.HOLD_SLOT: taken}, ask,
                   known=False) == "slot_unavailable"


def test_limit_window() -> None:
    assert rules.window_start(7300, 3600) == 7200
    assert rules.limit_retry_after(None, now=7300, limit=10, window=3600) is None
    assert rules.limit_retry_after({"window": 7200, "failures": 9}, now=7300, limit=10, window=3600) is None
    assert rules.limit_retry_after({"window": 7200, "failures": 10}, now=7300, limit=10, window=3600) == 3500
    # Last window's failures do not count.
    assert rules.limit_retry_after({"window": 3600, "failures": 99}, now=7300, limit=10, window=3600) is None


def test_booking_refusal_names_another_patients_hold() -> None:
    old = {"status": statuses.HELD, "holdId": "h1", "holdOwner": "pa", "start": 1000, "holdExpiresAt": 900}
    assert refused(rules.classify_booking_refusal, {rules.BOOK_SLOT: old},
                   rules.Ask(identity_hash="x", clinic_id="c", hold_id="h1", now=100, owner="pb")) == "hold_mismatch"
