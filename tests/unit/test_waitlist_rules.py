"""Joining the waiting list, as pure functions (shared/domain/rules.py): every refusal from the items read, and from
the items as they were when the join's transaction was refused."""
from __future__ import annotations

from typing import Any

import pytest

from shared.domain import rules
from shared.platform import statuses
from shared.platform.errors import DomainError

NOW = 1_800_000_000
ENTRY = {"identityHash": "me", "clinicId": "cl0101"}
SPECIALTY = {"id": "therapist", "referralRequired": False}
REFERRAL = {"identityHash": "me", "specialtyId": "cardiologist", "targetClinicId": "cl0102",
            "status": statuses.ISSUED, "expiresAt": NOW + 86400}


def join(**over: Any) -> str | None:
    args: dict[str, Any] = {"entry": ENTRY, "specialty": SPECIALTY, "lock": None, "pointer": None, "referral": None,
                            "identity_hash": "me", "clinic_id": "cl0101", "specialty_id": "therapist",
                            "referral_number": None, "now": NOW, **over}
    try:
        rules.check_join(args.pop("entry"), args.pop("specialty"), args.pop("lock"), args.pop("pointer"),
                         args.pop("referral"), rules.Ask(**args))
    except DomainError as refused:
        return refused.code
    return None


@pytest.mark.parametrize(("over", "code"), [
    ({}, None),
    ({"entry": None}, "patient_not_found"),
    ({"identity_hash": "someone"}, "patient_not_found"),
    ({"clinic_id": "cl0102"}, "not_attached"),
    ({"specialty": {"id": "cardiologist", "referralRequired": True}, "specialty_id": "cardiologist"},
     "referral_required"),
    ({"lock": {"start": NOW + 3600}}, "already_booked_specialty"),
    ({"lock": {"start": NOW - 3600}}, None),  # a lock of an appointment that has started has lapsed
    ({"pointer": {"toTs": NOW + 60, "entryId": "e1"}}, "waitlist_exists"),
    ({"pointer": {"toTs": NOW - 60, "entryId": "e1"}}, None),  # an entry whose days are over
])
def test_join_checks(over: dict[str, Any], code: str | None) -> None:
    assert join(**over) == code


def test_a_referral_lets_the_patient_wait_at_the_clinic_it_names() -> None:
    with_referral = {"specialty": {"id": "cardiologist", "referralRequired": True}, "specialty_id": "cardiologist",
                     "clinic_id": "cl0102", "referral_number": "510000000016"}
    assert join(**with_referral, referral=REFERRAL) is None  # attached to cl0101, waits at cl0102
    assert join(**with_referral, referral=None) == "referral_not_found"
    assert join(**with_referral, referral=dict(REFERRAL, expiresAt=NOW - 1)) == "referral_expired"


@pytest.mark.parametrize(("failed", "code"), [
    ({rules.JOIN_POINTER: {"entryId": "e1"}}, "waitlist_exists"),
    ({rules.JOIN_REGISTER: None}, "patient_not_found"),
    ({rules.JOIN_REGISTER: {"identityHash": "me", "clinicId": "cl0102"}}, "not_attached"),
    ({rules.JOIN_LOCK: {"start": NOW + 60}}, "already_booked_specialty"),
    ({rules.JOIN_ENTRY: None}, "unavailable"),  # an entry id taken: nothing the patient did, try again
])
def test_a_refused_join_is_explained_from_the_old_items(failed: dict[int, Any], code: str) -> None:
    with pytest.raises(DomainError) as refused:
        rules.classify_join_refusal(failed, identity_hash="me", clinic_id="cl0101", specialty_id="therapist",
                                    referral_number=None, now=NOW)
    assert refused.value.code == code
    if code == "waitlist_exists":
        assert refused.value.detail == {"entryId": "e1"}
