"""Read and search of the directory and the slots, answered as resources and searchset Bundles.

Paging: results are ordered (by id; slots by start, then id) and a page ends with a `next` link carrying
`page-token`, the sort key of its last entry, so a page never repeats or skips what did not change.
Unknown search parameters are ignored and left out of the `self` link, as FHIR's lenient handling says.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from shared.domain import slots
from shared.faces import request_limits
from shared.faces.fhir import codes, directory, resources
from shared.faces.fhir.http import Request, count_of, invalid
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError

Resource = dict[str, Any]
T = TypeVar("T")

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_WINDOW_DAYS = 31
PAGE_TOKEN = "page-token"  # noqa: S105 - a search parameter's name

# type -> the search parameters it supports (the CapabilityStatement lists the same).
SEARCH_PARAMS: dict[str, dict[str, tuple[str, str]]] = {
    "Organization": {"_id": ("token", "Clinic id"),
                     "name": ("string", "A word of the name (Russian or English) begins with this")},
    "Location": {"_id": ("token", "Clinic id"), "name": ("string", "As Organization's name"),
                 "organization": ("reference", "Organization/<clinic id>")},
    "Practitioner": {"_id": ("token", "Doctor id"), "name": ("string", "A word of the name begins with this")},
    "PractitionerRole": {"_id": ("token", "Doctor id"), "practitioner": ("reference", "Practitioner/<doctor id>"),
                         "organization": ("reference", "Organization/<clinic id>"),
                         "location": ("reference", "Location/<clinic id>"),
                         "service": ("reference", "HealthcareService/<clinic id>.<specialty>"),
                         "specialty": ("token", f"{codes.SPECIALTY_SYSTEM}|<specialty>")},
    "HealthcareService": {"_id": ("token", "<clinic id>.<specialty>"),
                          "organization": ("reference", "Organization/<clinic id>"),
                          "location": ("reference", "Location/<clinic id>"),
                          "specialty": ("token", f"{codes.SPECIALTY_SYSTEM}|<specialty>"),
                          "service-type": ("token", f"{codes.SPECIALTY_SYSTEM}|<specialty>"),
                          "name": ("string", "A word of the name begins with this")},
    "Schedule": {"_id": ("token", "Doctor id"),
                 "actor": ("reference", "Practitioner/, PractitionerRole/<doctor id> or Location/<clinic id>"),
                 "specialty": ("token", f"{codes.SPECIALTY_SYSTEM}|<specialty>"),
                 "service-type": ("token", f"{codes.SPECIALTY_SYSTEM}|<specialty>")},
    "Slot": {"schedule": ("reference", "Required: Schedule/<doctor id> (several, comma-separated)"),
             "start": ("date", "Prefixes eq, ge, gt, le, lt; repeat for a range; at most 31 days; "
                               "without a lower bound from now, without an upper one to the end of the "
                               "booking window (today and the next 13 days)"),
             "status": ("token", "free | busy-tentative | busy"),
             "specialty": ("token", f"{codes.SPECIALTY_SYSTEM}|<specialty>"),
             "service-type": ("token", f"{codes.SPECIALTY_SYSTEM}|<specialty>")},
}
COMMON_PARAMS = {"_count": ("number", f"Page size, default {DEFAULT_COUNT}, at most {MAX_COUNT}"),
                 PAGE_TOKEN: ("string", "From a next link")}


# ---------------------------------------------------------------- parameter values
def _split(values: Iterable[str]) -> list[str]:
    """Comma-separated alternatives (FHIR's OR) of every occurrence, as one list per occurrence flattened."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _ids(request: Request, name: str, *types: str) -> set[str] | None:
    """The ids a reference (or _id) parameter names, or None when absent. Every occurrence must hold (AND)."""
    found: set[str] | None = None
    for occurrence in request.values(name):
        ids = set()
        for v in _split([occurrence]):
            parts = v.rstrip("/").split("/")
            if len(parts) >= 2 and types and parts[-2] not in types:
                continue  # a reference to another type matches nothing here
            ids.add(parts[-1])
        found = ids if found is None else found & ids
    return found


def _codes(request: Request, *names: str) -> set[str] | None:
    found: set[str] | None = None
    for name in names:
        for occurrence in request.values(name):
            wanted = set()
            for v in _split([occurrence]):
                system, bar, code = v.rpartition("|")
                if bar and system and system != codes.SPECIALTY_SYSTEM:
                    continue
                wanted.add(code)
            found = wanted if found is None else found & wanted
    return found


def _norm(text: str) -> str:
    return text.casefold().replace("ё", "е")


def _begins(wanted: str, names: Iterable[str]) -> bool:
    """A name, or a word of one, begins with `wanted` (normalised)."""
    present = [_norm(n) for n in names if n]
    words = [x for n in present for x in re.split(r"[\s,.«»\"№()-]+", n) if x]
    return any(n.startswith(wanted) for n in present) or any(x.startswith(wanted) for x in words)


def _name_matches(request: Request, *names: str) -> bool:
    """Every `name` parameter begins one of `names` or a word of one."""
    return all(_begins(_norm(wanted.strip()), names) for wanted in request.values("name"))


def _admits(wanted: Collection[T] | None, value: T) -> bool:
    """An absent parameter (None) admits everything; a given one only what it names."""
    return wanted is None or value in wanted


def _count(request: Request) -> int:
    raw = request.one("_count")
    if raw is None:
        return DEFAULT_COUNT
    found = count_of(raw)
    if found is None:
        raise invalid("_count")
    return min(found, MAX_COUNT)


def _within(ids: set[str] | None, *narrowing: set[str] | None) -> set[str] | None:
    out = ids
    for n in narrowing:
        if n is not None:
            out = n if out is None else out & n
    return out


# ---------------------------------------------------------------- Bundles and paging
def _token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _untoken(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid(PAGE_TOKEN) from None


def searchset(request: Request, resource_type: str, found: list[tuple[str, Resource]]) -> Resource:
    """A page of (sort key, resource) as a searchset Bundle with self and next links."""
    count = _count(request)
    ordered = sorted(found, key=lambda kr: kr[0])
    after = request.one(PAGE_TOKEN)
    if after is not None:
        cursor = _untoken(after)
        ordered_page = [kr for kr in ordered if kr[0] > cursor]
    else:
        ordered_page = ordered
    page = ordered_page[:count]
    known = set(SEARCH_PARAMS.get(resource_type, {})) | {"_sort"}
    used = [(k, v) for k, v in request.params if k in known]
    url = f"{request.base}/{resource_type}"
    self_params = [*used, ("_count", str(count))] + ([(PAGE_TOKEN, after)] if after else [])
    links = [{"relation": "self", "url": f"{url}?{urlencode(self_params)}"}]
    if len(ordered_page) > count and page:
        links.append({"relation": "next",
                      "url": f"{url}?{urlencode([*used, ('_count', str(count)), (PAGE_TOKEN, _token(page[-1][0]))])}"})
    return {
        "resourceType": "Bundle", "type": "searchset", "total": len(ordered),
        "link": links,
        "entry": [{"fullUrl": f"{request.base}/{r['resourceType']}/{r['id']}", "resource": r,
                   "search": {"mode": "match"}} for _, r in page],
    }


# ---------------------------------------------------------------- the directory
def _doctor_scope(doctor_ids: set[str] | None, clinic_ids: set[str] | None) -> tuple[
        dict[str, directory.Clinic], list[dict[str, Any]]]:
    """The clinics and doctors' profiles a search can match, reading only the partitions it names."""
    if doctor_ids is not None:
        of_doctors = {c for d in doctor_ids if (c := keys.clinic_of_doctor(d))}
        clinic_ids = of_doctors if clinic_ids is None else clinic_ids & of_doctors
    found = {c.id: c for c in directory.clinics(clinic_ids)}
    candidates = [d for c in found.values() for d in c.doctor_ids if doctor_ids is None or d in doctor_ids]
    return found, directory.doctors(candidates)


def _organizations(request: Request) -> list[tuple[str, Resource]]:
    ids = _ids(request, "_id")
    return [(c.id, resources.organization(c.profile, request.lang)) for c in directory.clinics(ids)
            if _name_matches(request, c.profile.get("name", ""), c.profile.get("nameEn", ""))]


def _locations(request: Request) -> list[tuple[str, Resource]]:
    ids = _within(_ids(request, "_id"), _ids(request, "organization", "Organization"))
    return [(c.id, resources.location(c.profile, request.lang)) for c in directory.clinics(ids)
            if _name_matches(request, c.profile.get("name", ""), c.profile.get("nameEn", ""))]


def _practitioners(request: Request) -> list[tuple[str, Resource]]:
    _, doctors = _doctor_scope(_ids(request, "_id"), None)
    return [(d["id"], resources.practitioner(d, request.lang)) for d in doctors
            if _name_matches(request, d.get("name", ""), d.get("nameEn", ""))]


def _services(request: Request, name: str, *types: str) -> set[tuple[str, str]] | None:
    """The (clinic id, specialty) pairs of the HealthcareService ids a parameter names, or None when absent."""
    wanted = _ids(request, name, *types)
    if wanted is None:
        return None
    return {p for s in wanted if (p := codes.parse_service_id(s))}


def _service_clinics(request: Request, services: set[tuple[str, str]] | None) -> set[str] | None:
    """The clinics the organization, location and service parameters leave."""
    return _within(_ids(request, "organization", "Organization"), _ids(request, "location", "Location"),
                   {c for c, _ in services} if services is not None else None)


def _roles(request: Request) -> list[tuple[str, Resource]]:
    services = _services(request, "service", "HealthcareService")
    clinic_ids = _service_clinics(request, services)
    doctor_ids = _within(_ids(request, "_id"), _ids(request, "practitioner", "Practitioner"))
    specialties = _codes(request, "specialty")
    clinics, doctors = _doctor_scope(doctor_ids, clinic_ids)
    return [(d["id"], resources.practitioner_role(d, clinics[d["clinicId"]].profile, request.lang)) for d in doctors
            if _admits(specialties, d["specialtyId"]) and _admits(services, (d["clinicId"], d["specialtyId"]))]


def _healthcare_services(request: Request) -> list[tuple[str, Resource]]:
    pairs = _services(request, "_id")
    clinic_ids = _service_clinics(request, pairs)
    specialties = _codes(request, "specialty", "service-type")
    out = []
    for c in directory.clinics(clinic_ids):
        for s in c.specialties:
            if (_admits(pairs, (c.id, s["id"])) and _admits(specialties, s["id"])
                    and _name_matches(request, s.get("name", ""), s.get("nameEn", ""))):
                r = resources.healthcare_service(c.profile, s, request.lang)
                out.append((r["id"], r))
    return out


def _schedules(request: Request) -> list[tuple[str, Resource]]:
    doctor_ids = _within(_ids(request, "_id"), _ids(request, "actor", "Practitioner", "PractitionerRole"))
    clinic_ids = _ids(request, "actor", "Location")
    # actor=Practitioner/x alone names no Location: the clinic then follows from the doctor.
    if clinic_ids is not None and not clinic_ids and doctor_ids:
        clinic_ids = None
    if doctor_ids is not None and not doctor_ids and clinic_ids:
        doctor_ids = None
    specialties = _codes(request, "specialty", "service-type")
    clinics, doctors = _doctor_scope(doctor_ids, clinic_ids)
    now = clock.now()
    return [(d["id"], resources.schedule(d, clinics[d["clinicId"]].profile, now, request.lang)) for d in doctors
            if _admits(specialties, d["specialtyId"])]


# ---------------------------------------------------------------- slots
_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")


def date_range(value: str, name: str) -> tuple[int, int]:
    """[lo, hi) epoch seconds a FHIR date/dateTime value covers at its own precision. A date outside the
    years every face accepts (shared/faces/request_limits.py) is refused before any arithmetic on it."""
    try:
        if re.fullmatch(r"\d{4}", value):
            first = date(int(value), 1, 1)
            request_limits.checked_date(first, name)
            return clock.day_start(first), clock.day_start(date(first.year + 1, 1, 1))
        if re.fullmatch(r"\d{4}-\d{2}", value):
            y, m = map(int, value.split("-"))
            first = date(y, m, 1)
            request_limits.checked_date(first, name)
            return clock.day_start(first), clock.day_start(date(y + m // 12, m % 12 + 1, 1))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            d = date.fromisoformat(value)
            request_limits.checked_date(d, name)
            return clock.day_start(d), clock.day_end(d)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        request_limits.checked_date(moment, name)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.zone())
        lo = int(moment.timestamp())
        step = 60 if re.fullmatch(r"[^T]*T\d{2}:\d{2}([+-Z].*)?", value) else 1
        return lo, lo + step
    except (ValueError, OverflowError):
        raise invalid(name) from None


def _prefix_bounds(prefix: str, a: int, b: int, name: str) -> tuple[int | None, int | None]:
    """The (lower, upper) bound a prefixed value [a, b) sets (None: no bound on that side)."""
    by_prefix: dict[str, tuple[int | None, int | None]] = {
        "eq": (a, b), "ge": (a, None), "gt": (b, None), "sa": (b, None), "lt": (None, a), "eb": (None, a),
        "le": (None, b)}
    if prefix not in by_prefix:
        raise invalid(name, "prefix")
    return by_prefix[prefix]


def _tighter(current: int | None, bound: int | None, pick: Callable[[int, int], int]) -> int | None:
    if bound is None:
        return current
    return bound if current is None else pick(current, bound)


def start_window(request: Request, name: str = "start") -> tuple[int, int]:
    """[lo, hi) of slot starts the `start` parameters allow (ANDed), bounded as SEARCH_PARAMS says."""
    lo: int | None = None
    hi: int | None = None
    for raw in request.values(name):
        prefix, rest = (raw[:2], raw[2:]) if raw[:2] in _PREFIXES else ("eq", raw)
        a, b = date_range(rest, name)
        low, high = _prefix_bounds(prefix, a, b, name)
        lo, hi = _tighter(lo, low, max), _tighter(hi, high, min)
    return bounded(lo, hi, name)


def bounded(lo: int | None, hi: int | None, name: str) -> tuple[int, int]:
    now = clock.now()
    window = MAX_WINDOW_DAYS * 86400
    if lo is None:
        lo = now if hi is None or hi > now else hi - window
    if hi is None:
        hi = max(slots.horizon(now) + 1, lo + 1)  # [lo, hi): through the booking window's last second
        hi = min(hi, lo + window)
    if hi - lo > window:
        raise invalid(name, "window")
    return lo, hi


@dataclass(frozen=True)
class _SlotSearch:
    """What a Slot search asks for: the schedules (doctors), the window of starts and the optional filters."""

    doctors: list[str]
    lo: int
    hi: int
    ids: set[str] | None
    specialties: set[str] | None
    statuses: set[str] | None

    def admits(self, item: dict[str, Any]) -> bool:
        """A slot item within the window, of the ids and specialties asked (its status is decided later)."""
        return (self.lo <= int(item["start"]) < self.hi and _admits(self.ids, item["slotId"])
                and _admits(self.specialties, item.get("specialtyId")))


def _slot_search(request: Request) -> _SlotSearch:
    """The Slot search's parameters, checked in the order their errors are reported."""
    schedules = _ids(request, "schedule", "Schedule")
    if not schedules:
        raise invalid("schedule", "required")
    if request.one("_sort") not in (None, "start"):
        raise invalid("_sort", "unsupported")
    statuses = set(_split(request.values("status"))) or None
    if statuses and not statuses <= set(codes.SLOT_STATUS.values()):
        raise invalid("status")
    specialties = _codes(request, "specialty", "service-type")
    wanted_ids = _ids(request, "_id")
    lo, hi = start_window(request)
    return _SlotSearch(sorted(schedules)[:MAX_COUNT], lo, hi, wanted_ids, specialties, statuses)


def _slots(request: Request) -> list[tuple[str, Resource]]:
    asked = _slot_search(request)
    now = clock.now()
    found: list[tuple[str, Resource]] = []
    for items in dal.in_parallel(lambda d: directory.doctor_slots(d, asked.lo, asked.hi), asked.doctors):
        for item in filter(asked.admits, items):
            r = resources.slot(item, now, request.lang)
            if _admits(asked.statuses, r["status"]):
                found.append((f"{int(item['start']):011d}|{item['slotId']}", r))
    return found


SEARCHES: dict[str, Callable[[Request], list[tuple[str, Resource]]]] = {
    "Organization": _organizations, "Location": _locations, "Practitioner": _practitioners,
    "PractitionerRole": _roles, "HealthcareService": _healthcare_services, "Schedule": _schedules,
    "Slot": _slots,
}


def search(request: Request, resource_type: str) -> Resource:
    if resource_type not in SEARCHES:
        raise DomainError("not_found")
    return searchset(request, resource_type, SEARCHES[resource_type](request))


# ---------------------------------------------------------------- read
def _organization(fhir_id: str, lang: str) -> Resource:
    return resources.organization(directory.clinic(fhir_id).profile, lang)


def _location(fhir_id: str, lang: str) -> Resource:
    return resources.location(directory.clinic(fhir_id).profile, lang)


def _healthcare_service(fhir_id: str, lang: str) -> Resource:
    pair = codes.parse_service_id(fhir_id)
    if not pair:
        raise DomainError("not_found")
    found_clinic = directory.clinic(pair[0])
    spec = next((s for s in found_clinic.specialties if s["id"] == pair[1]), None)
    if not spec:
        raise DomainError("not_found")
    return resources.healthcare_service(found_clinic.profile, spec, lang)


def _doctor(fhir_id: str) -> dict[str, Any]:
    found = directory.doctors([fhir_id])
    if not found:
        raise DomainError("not_found")
    return found[0]


def _practitioner(fhir_id: str, lang: str) -> Resource:
    return resources.practitioner(_doctor(fhir_id), lang)


def _practitioner_role(fhir_id: str, lang: str) -> Resource:
    doctor = _doctor(fhir_id)
    return resources.practitioner_role(doctor, directory.clinic(doctor["clinicId"]).profile, lang)


def _schedule(fhir_id: str, lang: str) -> Resource:
    doctor = _doctor(fhir_id)
    return resources.schedule(doctor, directory.clinic(doctor["clinicId"]).profile, clock.now(), lang)


def _slot(fhir_id: str, lang: str) -> Resource:
    item = directory.slot(fhir_id)
    if not item:
        raise DomainError("not_found")
    return resources.slot(item, clock.now(), lang)


READS: dict[str, Callable[[str, str], Resource]] = {
    "Organization": _organization, "Location": _location, "HealthcareService": _healthcare_service,
    "Practitioner": _practitioner, "PractitionerRole": _practitioner_role, "Schedule": _schedule, "Slot": _slot,
}


def read(request: Request, resource_type: str, fhir_id: str) -> Resource:
    if resource_type not in READS:
        raise DomainError("not_found")
    return READS[resource_type](fhir_id, request.lang)
