"""The specialties a clinic can publish a doctor for, and whom each sees by age (issue 16). One table: the
schedule, referrals, the catalogue and the demo data read it here."""
from __future__ import annotations

from datetime import date

from shared.platform import clock
from shared.platform.errors import DomainError

# id -> (Russian, English, by referral only)
SPECIALTIES: dict[str, tuple[str, str, bool]] = {
    "therapist": ("Терапевт", "Therapist", False),
    "paediatrician": ("Педиатр", "Paediatrician", False),
    "surgeon": ("Хирург", "Surgeon", False),
    "ophthalmologist": ("Офтальмолог", "Ophthalmologist", False),
    "ent": ("Оториноларинголог (ЛОР)", "ENT specialist", False),
    "neurologist": ("Невролог", "Neurologist", False),
    "cardiologist": ("Кардиолог", "Cardiologist", True),
    "endocrinologist": ("Эндокринолог", "Endocrinologist", True),
    "dermatologist": ("Дерматовенеролог", "Dermatologist", True),
    "urologist": ("Уролог", "Urologist", True),
    "gynaecologist": ("Акушер-гинеколог", "Gynaecologist", False),
    "dentist": ("Стоматолог", "Dentist", False),
}

# Who a specialty sees, in whole years on the day of the appointment: the paediatrician children (under 18), the
# (adult) therapist adults. Other specialties see everyone a polyclinic serves. (min, max), None = no bound.
AGE_LIMITS: dict[str, tuple[int | None, int | None]] = {"paediatrician": (None, 17), "therapist": (18, None)}


def age_on(birth_date: str, day: date) -> int:
    """Whole years of someone born on `birth_date` (YYYY-MM-DD) on `day` (a 29 February birthday is 1 March)."""
    born = date.fromisoformat(birth_date)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_age(specialty_id: str, birth_date: str | None, start: int) -> None:
    """The patient's age on the appointment's day fits the specialty (AGE_LIMITS), else `age_restricted`."""
    limits = AGE_LIMITS.get(specialty_id)
    if not limits or not birth_date:
        return
    try:
        age = age_on(birth_date, clock.local_date(start))
    except ValueError:
        return  # not a date: the identity check refuses it
    low, high = limits
    if (low is not None and age < low) or (high is not None and age > high):
        raise DomainError("age_restricted", {"ageMin": low, "ageMax": high})
