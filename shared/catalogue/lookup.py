"""Browsing: districts -> clinics -> specialties -> doctors -> free slots. Reads only."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from shared.domain import slots
from shared.domain.specialties import AGE_LIMITS, DEFAULT_CLINIC_KIND
from shared.platform import clock, dal, keys, memo
from shared.platform.config import settings
from shared.platform.errors import DomainError
from shared.platform.text import localized

MAX_WINDOW_DAYS = 31
MAX_DISTANCE_DAYS = 366  # from/to further than this from today are refused (422 out_of_range)
KNOWN_DOCTOR_SECONDS = 300.0


def districts(lang: str) -> list[dict[str, Any]]:
    items = dal.query_all("PK = :pk", {":pk": keys.districts_key()})
    return [{"id": d["id"], "name": localized(d, "name", lang)} for d in items]


def district_clinics(district_id: str, lang: str) -> list[dict[str, Any]]:
    items = list(dal.query_all("PK = :pk", {":pk": keys.district_pk(district_id)}))
    if not any(i["SK"] == keys.PROFILE for i in items):
        raise DomainError("not_found")
    return [_clinic_summary(i, lang) for i in items if i["SK"].startswith(keys.CLINIC_PREFIX)]


def all_clinic_ids() -> list[str]:
    """Every clinic of the city, from the districts' lists (one Query per district, side by side)."""
    districts = [d["id"] for d in dal.query_all("PK = :pk", {":pk": keys.districts_key()})]
    found = dal.in_parallel(lambda d: [i["id"] for i in dal.query_all(
        "PK = :pk AND begins_with(SK, :c)", {":pk": keys.district_pk(d), ":c": keys.CLINIC_PREFIX})], districts)
    return sorted({c for ids in found for c in ids})


def _clinic_summary(c: Mapping[str, Any], lang: str) -> dict[str, Any]:
    return {
        "id": c["id"],
        "name": localized(c, "name", lang),
        "address": localized(c, "address", lang),
        "phone": c["phone"],
        "districtId": c["districtId"],
        # Whom it attaches (issue 29): adult | children | both; a clinic imported without one serves both.
        "kind": c.get("kind") or DEFAULT_CLINIC_KIND,
    }


def _clinic_partition(clinic_id: str) -> list[dict[str, Any]]:
    if not keys.valid_clinic_id(clinic_id):
        raise DomainError("not_found")
    items = list(dal.query_all("PK = :pk", {":pk": keys.clinic_pk(clinic_id)}))
    if not any(i["SK"] == keys.PROFILE for i in items):
        raise DomainError("not_found")
    return items


def clinic(clinic_id: str, lang: str) -> dict[str, Any]:
    if not keys.valid_clinic_id(clinic_id):
        raise DomainError("not_found")
    item = dal.clinic(clinic_id)
    if not item:
        raise DomainError("not_found")
    return dict(_clinic_summary(item, lang), districtName=localized(item, "districtName", lang),
                workingHours=localized(item, "workingHours", lang))


def _free_slots(clinic_id: str, specialty_id: str, now: int) -> list[dict[str, Any]]:
    """Unbooked, unexpired-hold-free slots of one clinic's specialty within the booking window."""
    found = memo.through(("free", clinic_id, specialty_id, now // 60),
                         lambda: _query_free_slots(clinic_id, specialty_id, now), settings().lookup_cache_seconds)
    return [s for s in found if int(s["start"]) > now]


def free_slot_starts(clinic_id: str, specialty_id: str) -> list[dict[str, Any]]:
    """The free slots (`doctorId`, `start`) of one clinic's specialty in the booking window: what the
    counts and nearest dates above are made of (the gorzdrav façade also shows the last date)."""
    return _free_slots(clinic_id, specialty_id, clock.now())


def _query_free_slots(clinic_id: str, specialty_id: str, now: int) -> list[dict[str, Any]]:
    return list(dal.query_all(
        "AvPK = :pk AND AvSK BETWEEN :lo AND :hi",
        {":pk": keys.availability_pk(clinic_id, specialty_id),
         ":lo": clock.utc_stamp(now), ":hi": clock.utc_stamp(slots.horizon(now)) + "~",
         **slots.free_values(now)},
        index="Availability",
        filter_expression=f"{slots.FREE_CONDITION} AND #start > :now",
        names=slots.NAMES,
        projection="doctorId, #start",
    ))


def _summary(found: list[dict[str, Any]]) -> tuple[int, str | None]:
    if not found:
        return 0, None
    return len(found), clock.local_iso(min(int(s["start"]) for s in found))


def clinic_specialties(clinic_id: str, lang: str) -> list[dict[str, Any]]:
    items = _clinic_partition(clinic_id)
    specialties = [i for i in items if i["SK"].startswith(keys.SPECIALTY_PREFIX)]
    now = clock.now()
    # One small query per specialty, side by side: a clinic has a handful of specialties.
    found = dal.in_parallel(lambda s: _free_slots(clinic_id, s["id"], now), specialties)
    out = []
    for spec, free in zip(specialties, found, strict=True):
        count, nearest = _summary(free)
        age_min, age_max = AGE_LIMITS.get(spec["id"], (None, None))
        out.append({"id": spec["id"], "name": localized(spec, "name", lang),
                    "referralRequired": bool(spec["referralRequired"]),
                    "freeSlots": count, "nearestSlot": nearest, "ageMin": age_min, "ageMax": age_max})
    return out


def _doctor_summary(doc: dict[str, Any], spec: dict[str, Any], free: list[dict[str, Any]],
                    lang: str) -> dict[str, Any]:
    """One doctor of a specialty with their free slots' count and the nearest one."""
    count, nearest = _summary([s for s in free if s["doctorId"] == doc["id"]])
    return {"id": doc["id"], "name": localized(doc, "name", lang), "specialtyId": doc["specialtyId"],
            "specialty": localized(spec, "name", lang), "room": doc.get("room", ""),
            "freeSlots": count, "nearestSlot": nearest}


def specialty_doctors(clinic_id: str, specialty_id: str, lang: str) -> list[dict[str, Any]]:
    items = _clinic_partition(clinic_id)
    spec = next((i for i in items if i["SK"] == keys.specialty_sk(specialty_id)), None)
    if spec is None:
        raise DomainError("not_found")
    doctors = [i for i in items if i["SK"].startswith(keys.DOCTOR_PREFIX) and i["specialtyId"] == specialty_id]
    free = _free_slots(clinic_id, specialty_id, clock.now())
    return [_doctor_summary(doc, spec, free, lang) for doc in doctors]


def window(now: int) -> dict[str, str]:
    """The booking window's days (shared.domain.slots.window_days) as the API gives them: {"from", "to"}, local
    dates."""
    first, last = slots.window_days(now)
    return {"from": first.isoformat(), "to": last.isoformat()}


def doctor_slots_page(doctor_id: str, day_from: date | None, day_to: date | None) -> dict[str, Any]:
    """The doctor-slots answer: the free slots (`items`, as doctor_slots) and the booking window's days
    (`window`), both decided at the same moment, so the page shows exactly the days the slots may fall on."""
    now = clock.now()
    return {"items": _doctor_slots(doctor_id, day_from, day_to, now), "window": window(now)}


def doctor_slots(doctor_id: str, day_from: date | None, day_to: date | None) -> list[dict[str, Any]]:
    """Free slots of one doctor between two local dates (default: the booking window's days): one Query over
    the doctor's partition, whose cost grows with the window asked for, never with the size of the table."""
    return _doctor_slots(doctor_id, day_from, day_to, clock.now())


def _days_asked(day_from: date | None, day_to: date | None, now: int) -> tuple[date, date]:
    """The local dates asked for, checked (near enough, at most MAX_WINDOW_DAYS); without dates, the booking
    window's days."""
    today, last = slots.window_days(now)
    for name, day in (("from", day_from), ("to", day_to)):
        # Far dates hold no slots, and at the calendar's ends the date arithmetic below would overflow.
        if day is not None and abs((day - today).days) > MAX_DISTANCE_DAYS:
            raise DomainError("validation_error", {"fields": [{"field": name, "problem": "out_of_range"}]})
    day_from = day_from or today
    day_to = day_to or day_from + (last - today)  # without dates: the booking window's days
    if day_to < day_from or (day_to - day_from).days >= MAX_WINDOW_DAYS:
        raise DomainError("validation_error", {"fields": [{"field": "to", "problem": "window"}]})
    return day_from, day_to


def _free_between(doctor_id: str, day_from: date, day_to: date, now: int) -> list[dict[str, Any]]:
    """The doctor's free slot items from `day_from` to `day_to` that start after now and within the window."""
    lo = max(clock.day_start(day_from), now + 1)
    hi = min(clock.day_end(day_to) - 1, slots.horizon(now))
    if lo > hi:
        return []
    # Keyed by the dates asked for, not by `now`: the window's start moves every second, the question not.
    found: list[dict[str, Any]] = memo.through(("slots", doctor_id, day_from, day_to), lambda: list(dal.query_all(
        "PK = :pk AND SK BETWEEN :lo AND :hi",
        {":pk": keys.doctor_pk(doctor_id), ":lo": keys.slot_sk(lo), ":hi": keys.slot_sk(hi),
         **slots.free_values(now)},
        filter_expression=f"{slots.FREE_CONDITION} AND #start > :now",
        names={**slots.NAMES, "#end": "end"},
        projection="slotId, #start, #end, room",
    )), settings().lookup_cache_seconds)
    # A remembered list is at most a moment old, but never shows a slot that has started since.
    return [s for s in found if int(s["start"]) > now]


def _doctor_slots(doctor_id: str, day_from: date | None, day_to: date | None, now: int) -> list[dict[str, Any]]:
    if not keys.clinic_of_doctor(doctor_id):
        raise DomainError("not_found")
    first, last = _days_asked(day_from, day_to, now)
    found = _free_between(doctor_id, first, last, now)
    if not found and not _doctor_exists(doctor_id):
        raise DomainError("not_found")
    return [slots.render(s) for s in found]


def _doctor_exists(doctor_id: str) -> bool:
    """Tells "no such doctor" from "nothing free"; remembered, so a sold-out day is not read twice."""
    seconds = KNOWN_DOCTOR_SECONDS if settings().lookup_cache_seconds > 0 else 0
    return bool(memo.through(("doctor", doctor_id),
                             lambda: dal.get(keys.key(keys.doctor_pk(doctor_id), keys.PROFILE), projection="PK"),
                             seconds))
