"""The rules as pure functions of the items read: no table, milliseconds each."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.domain import rules
from shared.platform.errors import DomainError

NOW = 1_800_000_000
IDENTITY = "id-hash"
CLINIC = "cl0101"
PAT = "POLICY#p"


def refusal(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value.code


def slot(**fields: Any) -> dict[str, Any]:
    return {"start": NOW + 3600, "status": "free", **fields}


def entry(**fields: Any) -> dict[str, Any]:
    return {"identityHash": IDENTITY, "clinicId": CLINIC, **fields}


def check(s: dict[str, Any], doctor: dict[str, Any] | None = None, e: dict[str, Any] | None = None,
          hold_id: str | None = None) -> None:
    rules.check_booking(s, doctor or {}, entry() if e is None else e,
                        rules.Ask(identity_hash=IDENTITY, clinic_id=CLINIC, hold_id=hold_id, now=NOW))


# ---------------------------------------------------------------- booking
def test_a_free_slot_may_be_booked() -> None:
    check(slot())
    check(slot(status="held", holdExpiresAt=NOW))  # an expired hold is free
    check(slot(status="held", holdId="h1", holdExpiresAt=NOW + 60), hold_id="h1")


@pytest.mark.parametrize(("e", "code"), [({}, "patient_not_found"),
                                         ({"identityHash": "other", "clinicId": CLINIC}, "patient_not_found"),
                                         ({"identityHash": IDENTITY, "clinicId": "cl0102"}, "not_attached")])
def test_the_register_entry_decides_who_books(e: dict[str, Any], code: str) -> None:
    assert refusal(check, slot(), e=e) == code


def test_referral_then_window_then_slot() -> None:
    assert refusal(check, slot(), doctor={"referralRequired": True}) == "referral_required"
    assert refusal(check, slot(start=NOW)) == "outside_booking_window"
    assert refusal(check, slot(start=NOW + 15 * 86400)) == "outside_booking_window"
    assert refusal(check, slot(status="booked")) == "slot_unavailable"
    held = slot(status="held", holdId="h2", holdExpiresAt=NOW + 60)
    assert refusal(check, held) == "slot_unavailable"
    assert refusal(check, held, hold_id="h1") == "hold_expired"


def classify(failed: dict[int, Any], hold_id: str | None = None) -> rules.BookingRefusal:
    return rules.classify_booking_refusal(failed, rules.Ask(identity_hash=IDENTITY, clinic_id=CLINIC,
                                                            hold_id=hold_id, now=NOW))


def test_booking_refusals_from_all_old() -> None:
    assert classify({rules.BOOK_IDEMPOTENCY: {"fingerprint": "x"}}) is rules.BookingRefusal.REPLAY
    assert refusal(classify, {rules.BOOK_ENTRY: entry(clinicId="cl0102")}) == "not_attached"
    assert refusal(classify, {rules.BOOK_ENTRY: entry()}) == "patient_not_found"  # e.g. identity raced
    assert refusal(classify, {rules.BOOK_SLOT: None}) == "not_found"
    assert refusal(classify, {rules.BOOK_SLOT: slot(start=NOW - 1)}) == "outside_booking_window"
    assert refusal(classify, {rules.BOOK_SLOT: slot(status="booked")}) == "slot_unavailable"
    assert refusal(classify, {rules.BOOK_SLOT: slot(status="booked")}, hold_id="h1") == "hold_expired"
    assert refusal(classify, {rules.BOOK_LOCK: None}) == "already_booked_specialty"
    assert refusal(classify, {}) == "unavailable"


def test_a_stale_read_is_tried_again() -> None:
    assert classify({rules.BOOK_SLOT: slot(bookings=2)}) is rules.BookingRefusal.RETRY
    mine = slot(status="held", holdId="h1", holdExpiresAt=NOW + 60)
    assert classify({rules.BOOK_SLOT: mine}, hold_id="h1") is rules.BookingRefusal.RETRY


def test_the_entry_is_judged_before_the_slot() -> None:
    failed = {rules.BOOK_SLOT: slot(status="booked"), rules.BOOK_ENTRY: entry(clinicId="cl0102")}
    assert refusal(classify, failed) == "not_attached"


def test_hold_refusals() -> None:
    assert refusal(rules.classify_hold_refusal, None, NOW) == "not_found"
    assert refusal(rules.classify_hold_refusal, slot(start=NOW - 60), NOW) == "outside_booking_window"
    assert refusal(rules.classify_hold_refusal, slot(status="booked"), NOW) == "slot_unavailable"


# ---------------------------------------------------------------- cancellation
def appt(**fields: Any) -> dict[str, Any]:
    return {"PatPK": PAT, "status": "booked", "start": NOW + 3600, **fields}


def test_a_future_booked_appointment_may_be_cancelled() -> None:
    rules.check_cancellation(appt(), NOW, PAT)


@pytest.mark.parametrize(("a", "code"), [
    (None, "not_found"), (appt(PatPK="POLICY#other"), "not_found"), (appt(status="cancelled"), "already_cancelled"),
    (appt(status="fulfilled"), "appointment_started"), (appt(status="noshow"), "appointment_started"),
    (appt(start=NOW), "appointment_started")])
def test_cancellation_refusals(a: dict[str, Any] | None, code: str) -> None:
    assert refusal(rules.check_cancellation, a, NOW, PAT) == code


def test_late_cancellation_is_under_the_notice() -> None:
    assert rules.late_cancellation(NOW + 3600, NOW, 86400)
    assert not rules.late_cancellation(NOW + 86400, NOW, 86400)


# ---------------------------------------------------------------- attachment change
TODAY = date(2026, 11, 20)


def decide(e: dict[str, Any] | None, reason: str = "choice", clinic: str = "cl0102") -> rules.ChangeDecision:
    return rules.decide_change(e, identity_hash=IDENTITY, clinic_id=clinic, reason=reason, today=TODAY)


def test_a_change_by_choice_moves_the_next_allowed_day_a_year() -> None:
    d = decide(entry(version=3))
    assert (d.version, d.old_clinic, d.allowed_from) == (3, CLINIC, date(2027, 11, 20))
    assert d.answer_allowed_from == "2027-11-20"


def test_a_relocation_keeps_the_allowed_day_and_ignores_it() -> None:
    d = decide(entry(choiceAllowedFrom="2027-01-01"), reason="relocation")
    assert d.allowed_from == date(2027, 1, 1) and d.version == 0
    assert decide(entry(), reason="relocation").answer_allowed_from == TODAY.isoformat()


def test_a_first_attachment() -> None:
    d = decide(None)
    assert (d.version, d.old_clinic) == (0, None)


def test_change_refusals() -> None:
    assert refusal(decide, entry(), reason="whim") == "validation_error"
    assert refusal(decide, entry(identityHash="x")) == "patient_not_found"
    assert refusal(decide, entry(), clinic=CLINIC) == "already_attached"
    with pytest.raises(DomainError) as err:
        decide(entry(choiceAllowedFrom="2026-11-21"))
    assert err.value.code == "attachment_change_too_soon"
    assert decide(entry(choiceAllowedFrom="2026-11-20")).version == 0  # the anniversary itself is allowed


def test_next_choice_date_after_29_february() -> None:
    assert rules.next_choice_date(date(2028, 2, 29)) == date(2029, 3, 1)
    assert rules.next_choice_date(date(2027, 3, 1)) == date(2028, 3, 1)


def test_change_transaction_refusals() -> None:
    assert refusal(rules.classify_change_refusal, False, True) == "not_found"
    assert rules.classify_change_refusal(True, False) is rules.ChangeRefusal.DECIDE_AGAIN
    assert rules.classify_change_refusal(False, False) is rules.ChangeRefusal.RETRY


def test_an_outcome_unknown_hold_is_ours_only_when_it_names_our_hold_id() -> None:
    held = {"status": "held", "holdId": "cl0101-d01.202612020620.abc"}
    assert rules.hold_landed(held, "cl0101-d01.202612020620.abc")
    assert not rules.hold_landed(held, "cl0101-d01.202612020620.xyz")
    assert not rules.hold_landed({"status": "free"}, "cl0101-d01.202612020620.abc")
    assert not rules.hold_landed(None, "cl0101-d01.202612020620.abc")


def test_an_outcome_unknown_cancellation_is_ours_only_by_our_request() -> None:
    appt = {"status": "cancelled", "cancelledBy": "patient", "cancelRequest": "r1", "PatPK": "POLICY#p"}
    assert rules.cancellation_landed(appt, "r1", "POLICY#p")
    assert not rules.cancellation_landed(appt, "r2", "POLICY#p")  # another request, even in the same second
    assert not rules.cancellation_landed(appt, "r1", "POLICY#q")
    assert not rules.cancellation_landed(dict(appt, status="booked"), "r1", "POLICY#p")
    assert not rules.cancellation_landed(None, "r1", "POLICY#p")
