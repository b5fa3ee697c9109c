"""Who a specialty sees by age (issue 16): the paediatrician children under 18, the therapist adults; whole
years on the appointment's day (Moscow), birthdays counted to the day."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.domain import rules, specialties
from shared.platform.errors import DomainError

MSK = ZoneInfo("Europe/Moscow")


def at(day: str, hour: int = 10) -> int:
    return int(datetime.fromisoformat(day).replace(hour=hour, tzinfo=MSK).timestamp())


@pytest.mark.parametrize(("born", "day", "age"), [
    ("2008-12-03", date(2026, 12, 2), 17),  # the day before the 18th birthday
    ("2008-12-02", date(2026, 12, 2), 18),  # the birthday itself
    ("2008-02-29", date(2026, 2, 28), 17),  # a leap-day birthday: 18 on 1 March in other years
    ("2008-02-29", date(2026, 3, 1), 18),
    ("1978-06-02", date(2026, 12, 2), 48),
])
def test_whole_years_on_the_day(born: str, day: date, age: int) -> None:
    assert specialties.age_on(born, day) == age


def refusal(specialty: str, born: str, day: str) -> str | None:
    try:
        specialties.check_age(specialty, born, at(day))
    except DomainError as refused:
        low, high = specialties.AGE_LIMITS[specialty]
        assert refused.detail == {"ageMin": low, "ageMax": high}
        return refused.code
    return None


def test_an_adult_is_not_a_paediatric_patient() -> None:
    assert refusal("paediatrician", "1978-06-02", "2026-12-02") == "age_restricted"
    assert refusal("paediatrician", "2008-12-02", "2026-12-02") == "age_restricted"  # 18 today
    assert refusal("paediatrician", "2008-12-03", "2026-12-02") is None  # 18 tomorrow


def test_a_child_is_not_an_adult_therapists_patient() -> None:
    assert refusal("therapist", "2015-01-01", "2026-12-02") == "age_restricted"
    assert refusal("therapist", "2008-12-03", "2026-12-02") == "age_restricted"
    assert refusal("therapist", "2008-12-02", "2026-12-02") is None


def test_adult_specialties_see_adults_and_paediatric_ones_children() -> None:
    # Issue 29: an adult polyclinic's specialties are for adults, a children's polyclinic's for children.
    for specialty in ("ophthalmologist", "ent", "surgeon", "neurologist", "cardiologist", "gynaecologist"):
        assert refusal(specialty, "2020-05-05", "2026-12-02") == "age_restricted"
        assert refusal(specialty, "1940-05-05", "2026-12-02") is None
    for specialty in specialties.PAEDIATRIC:
        assert refusal(specialty, "2020-05-05", "2026-12-02") is None
        assert refusal(specialty, "1940-05-05", "2026-12-02") == "age_restricted"


def test_the_dentist_sees_everyone() -> None:
    assert refusal("dentist", "2020-05-05", "2026-12-02") is None
    assert refusal("dentist", "1940-05-05", "2026-12-02") is None


def test_a_clinic_kind_attaches_its_own_ages() -> None:
    today = date(2026, 12, 2)
    assert specialties.serves("children", "2010-01-01", today) and not specialties.serves("children", "1980-01-01",
                                                                                            today)
    assert specialties.serves("adult", "1980-01-01", today) and not specialties.serves("adult", "2010-01-01", today)
    assert specialties.serves("both", "2010-01-01", today) and specialties.serves(None, "1980-01-01", today)


def test_the_age_is_taken_on_the_appointments_day_in_moscow() -> None:
    # 23:30 Moscow on 1 December is still the day before an 18th birthday on 2 December.
    assert refusal("paediatrician", "2008-12-02", "2026-12-01T23:30") is None
    assert refusal("therapist", "2008-12-02", "2026-12-01T23:30") == "age_restricted"


def test_hold_booking_and_reschedule_apply_it() -> None:
    doctor = {"specialtyId": "paediatrician"}
    entry = {"identityHash": "h", "clinicId": "cl0101"}
    with pytest.raises(DomainError) as held:
        rules.check_hold(doctor, birth_date="1978-06-02", start=at("2026-12-02"))
    assert held.value.code == "age_restricted"
    slot = {"start": at("2026-12-02"), "status": "free"}
    with pytest.raises(DomainError) as booked:
        rules.check_booking(slot, doctor, entry, rules.Ask(identity_hash="h", clinic_id="cl0101", hold_id=None,
                                                           now=at("2026-12-01"), birth_date="1978-06-02"))
    assert booked.value.code == "age_restricted"
    appt = {"status": "booked", "start": at("2026-12-03"), "PatPK": "P", "clinicId": "cl0101",
            "specialtyId": "therapist", "birthDate": "2008-12-05"}
    with pytest.raises(DomainError) as moved:
        rules.check_reschedule(appt, slot, {"specialtyId": "therapist"}, entry,
                               rules.MoveAsk(clinic_id="cl0101", patient_pk="P", hold_id=None, now=at("2026-12-01")))
    assert moved.value.code == "age_restricted"
