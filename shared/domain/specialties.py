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
    # Children's polyclinics (issue 29)
    "paediatric_ent": ("Детский оториноларинголог (ЛОР)", "Paediatric ENT specialist", False),
    "paediatric_surgeon": ("Детский хирург", "Paediatric surgeon", False),
    "paediatric_ophthalmologist": ("Детский офтальмолог", "Paediatric ophthalmologist", False),
    "paediatric_neurologist": ("Детский невролог", "Paediatric neurologist", False),
}

# Who a specialty sees, in whole years on the day of the appointment (issue 29): the paediatric specialties (a
# children's polyclinic's) children, 0-17; every other one adults, 18 and over (an adult polyclinic's), except the
# dentist, who sees all ages (a dental practice serves both). (min, max), None = no bound.
PAEDIATRIC = frozenset({"paediatrician", "paediatric_ent", "paediatric_surgeon", "paediatric_ophthalmologist",
                        "paediatric_neurologist"})
ALL_AGES = frozenset({"dentist"})
CHILD_MAX_AGE = 17
AGE_LIMITS: dict[str, tuple[int | None, int | None]] = {
    s_id: (None, CHILD_MAX_AGE) if s_id in PAEDIATRIC else (CHILD_MAX_AGE + 1, None)
    for s_id in SPECIALTIES if s_id not in ALL_AGES}

# Which patients a clinic attaches (issue 29): a children's polyclinic children, an adult one adults, "both" anyone.
CLINIC_KINDS = ("adult", "children", "both")
DEFAULT_CLINIC_KIND = "both"  # a clinic imported without a kind serves everyone


def is_child(birth_date: str, day: date) -> bool:
    """Under 18 on `day`."""
    return age_on(birth_date, day) <= CHILD_MAX_AGE


def serves(clinic_kind: str | None, birth_date: str, day: date) -> bool:
    """May a clinic of this kind attach someone born on `birth_date` (their age on `day`)?"""
    kind = clinic_kind or DEFAULT_CLINIC_KIND
    if kind == "both":
        return True
    return (kind == "children") == is_child(birth_date, day)


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
