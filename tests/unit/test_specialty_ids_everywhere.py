"""Every specialty of the one catalogue (shared/domain/specialties.py) passes every input model that names a
specialty: a new id (`paediatric_ent`, issue 29) was once refused by the waiting list's and the registry's
patterns."""
from __future__ import annotations

import pytest

from shared.domain.specialties import SPECIALTIES
from shared.faces.v1.registry_models import DoctorIn, ReferralIssueRequest
from shared.faces.v1.waitlist_models import WaitlistIn

PATIENT = {"lastName": "Иванова", "firstName": "Анна", "birthDate": "2015-03-01", "policyNumber": "7800000101000000"}


@pytest.mark.parametrize("specialty_id", sorted(SPECIALTIES))
def test_every_catalogue_specialty_passes_every_model(specialty_id: str) -> None:
    WaitlistIn.model_validate({"clinicId": "cl0103", "specialtyId": specialty_id, "from": "2026-12-08",
                               "to": "2026-12-10"})
    DoctorIn.model_validate({"name": "Зайцева Нина Олеговна", "specialtyId": specialty_id, "room": "12",
                             "slotMinutes": 20, "plan": []})
    ReferralIssueRequest.model_validate({"patient": PATIENT, "specialtyId": specialty_id, "targetClinicId": "cl0103",
                                         "validUntil": "2027-01-10"})


@pytest.mark.parametrize("bad", ["Therapist", "_ent", "ent-1", "терапевт", ""])
def test_other_shapes_are_still_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        WaitlistIn.model_validate({"clinicId": "cl0103", "specialtyId": bad, "from": "2026-12-08", "to": "2026-12-10"})
    with pytest.raises(ValueError):
        DoctorIn.model_validate({"name": "Зайцева Нина", "specialtyId": bad, "room": "12", "slotMinutes": 20,
                                 "plan": []})
