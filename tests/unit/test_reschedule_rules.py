"""The reschedule's rules as pure functions (shared/domain/rules.py): every refusal from the items read, and from the
items as they were when the transaction was refused."""
from __future__ import annotations

from typing import Any

import pytest

from shared.domain import rules
from shared.platform.errors import DomainError

NOW = 1_800_000_000
PAT = "POLICY#abc"


def appt(**over: Any) -> dict[str, Any]:
    return {"id": "a" * 24, "PatPK": PAT, "status": "booked", "start": NOW + 86400, "clinicId": "cl0101",
            "specialtyId": "therapist", **over}


def slot(**over: Any) -> dict[str, Any]:
    return {"status": "free", "start": NOW + 2 * 86400, **over}


DOCTOR = {"specialtyId": "therapist"}
ENTRY = {"clinicId": "cl0101"}


def refusal(**kw: Any) -> str:
    args: dict[str, Any] = {"appt": appt(), "slot": slot(), "doctor": DOCTOR, "entry": ENTRY, "clinic_id": "cl0101",
                            "patient_pk": PAT, "hold_id": None, "now": NOW, **kw}
    with pytest.raises(DomainError) as refused:
        rules.check_reschedule(args.pop("appt"), args.pop("slot"), args.pop("doctor"), args.pop("entry"),
                               rules.MoveAsk(**args))
    return refused.value.code


def test_allowed() -> None:
    rules.check_reschedule(appt(), slot(), DOCTOR, ENTRY, rules.MoveAsk(clinic_id="cl0101", patient_pk=PAT, now=NOW))


@pytest.mark.parametrize(("kw", "code"), [
    ({"appt": None}, "not_found"),
    ({"patient_pk": "POLICY#other"}, "not_found"),
    ({"appt": appt(status="cancelled")}, "already_cancelled"),
    ({"appt": appt(status="rescheduled", rescheduledTo="b" * 24)}, "already_rescheduled"),
    ({"appt": appt(start=NOW)}, "appointment_started"),
    ({"slot": None}, "not_found"),
    ({"doctor": {"specialtyId": "surgeon"}}, "reschedule_mismatch"),
    ({"clinic_id": "cl0102"}, "reschedule_mismatch"),
    ({"entry": None}, "patient_not_found"),
    ({"entry": {"clinicId": "cl0102"}}, "not_attached"),
    ({"doctor": {"specialtyId": "therapist", "referralRequired": True}}, "referral_required"),
    ({"slot": slot(start=NOW + 20 * 86400)}, "outside_booking_window"),
    ({"slot": slot(status="booked")}, "slot_unavailable"),
    ({"slot": slot(status="held", holdId="h", holdExpiresAt=NOW + 60), "hold_id": "other"}, "hold_expired"),
])
def test_refusals(kw: dict[str, Any], code: str) -> None:
    assert refusal(**kw) == code


def test_own_hold_is_allowed() -> None:
    held = slot(status="held", holdId="mine", holdExpiresAt=NOW + 60, holdOwner="abc")
    rules.check_reschedule(appt(), held, DOCTOR, ENTRY,
                           rules.MoveAsk(clinic_id="cl0101", patient_pk=PAT, hold_id="mine", now=NOW))


def test_another_patient_s_hold_does_not_open_the_slot() -> None:
    # A hold is its patient's (issue 12): knowing its id is not enough to move an appointment into it.
    theirs = slot(status="held", holdId="theirs", holdExpiresAt=NOW + 60, holdOwner="someone-else")
    assert refusal(slot=theirs, hold_id="theirs") == "hold_mismatch"
    with pytest.raises(DomainError) as refused:
        rules.classify_reschedule_refusal({rules.RE_SLOT: theirs}, patient_pk=PAT, clinic_id="cl0101",
                                          hold_id="theirs", now=NOW)
    assert refused.value.code == "hold_mismatch"
    mine = dict(theirs, holdOwner="abc")
    assert rules.classify_reschedule_refusal({rules.RE_SLOT: mine}, patient_pk=PAT, clinic_id="cl0101",
                                             hold_id="theirs", now=NOW) is rules.RescheduleRefusal.RETRY


def classify(failed: dict[int, Any]) -> Any:
    return rules.classify_reschedule_refusal(failed, patient_pk=PAT, clinic_id="cl0101", hold_id=None, now=NOW)


def test_refused_transaction_is_explained_from_the_old_items() -> None:
    assert classify({rules.RE_IDEMPOTENCY: {}}) is rules.RescheduleRefusal.REPLAY
    assert classify({rules.RE_SLOT: slot()}) is rules.RescheduleRefusal.RETRY  # stale read: free again
    assert classify({rules.RE_OLD_SLOT: {"appointmentId": "x"}}) is rules.RescheduleRefusal.WITHOUT_OLD_SLOT
    for failed, code in [({rules.RE_OLD: appt(status="rescheduled")}, "already_rescheduled"),
                         ({rules.RE_OLD: appt(status="cancelled")}, "already_cancelled"),
                         ({rules.RE_SLOT: slot(status="booked")}, "slot_unavailable"),
                         ({rules.RE_LOCK: {}}, "already_booked_specialty"),
                         ({rules.RE_ENTRY: {"clinicId": "cl0102"}}, "not_attached"),
                         ({rules.RE_ENTRY: None}, "patient_not_found")]:
        with pytest.raises(DomainError) as refused:
            classify(failed)
        assert refused.value.code == code
