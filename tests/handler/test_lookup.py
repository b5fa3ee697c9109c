"""The lookup function's GET routes (docs/CONTRACT.md, "Lookup"), driven by the sample events in events/lookup/."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from shared.catalogue import lookup
from shared.platform import clock, dal, keys
from tests.handler.helpers import with_query
from tests.support import event_file, hold_for, http_event, invoke

OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$")


def with_language(event: dict[str, Any], value: str) -> dict[str, Any]:
    return dict(event, headers={**event["headers"], "accept-language": value})


def assert_error(status: int, body: Any, expected_status: int, code: str, lang: str = "ru") -> None:
    assert status == expected_status, body
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    if lang == "ru":
        assert re.search("[А-Яа-я]", message), message
    else:
        assert not re.search("[А-Яа-я]", message), message


def first_slot_day(doctor_id: str, at_least: int = 1) -> date:
    """The first day with at least `at_least` free slots of the doctor (late in the day, today may have fewer)."""
    from collections import Counter

    per_day = Counter(s["start"][:10] for s in lookup.doctor_slots(doctor_id, None, None))
    return date.fromisoformat(min(d for d, n in per_day.items() if n >= at_least))


# ---------------------------------------------------------------- districts and clinics
def test_districts(moto_table: str) -> None:
    status, body = invoke("lookup", event_file("lookup/districts.json"))
    assert status == 200
    assert len(body["items"]) == 18
    assert body["items"][0] == {"id": "admiralteysky", "name": "Адмиралтейский"}
    status, body = invoke("lookup", with_language(event_file("lookup/districts.json"), "en"))
    assert body["items"][0] == {"id": "admiralteysky", "name": "Admiralteysky"}


def test_clinics_of_a_district(moto_table: str) -> None:
    status, body = invoke("lookup", event_file("lookup/district_clinics.json"))
    assert status == 200
    assert [c["id"] for c in body["items"]] == ["cl0101", "cl0102"]
    first = body["items"][0]
    assert set(first) == {"id", "name", "address", "phone", "districtId", "kind"}
    assert first["kind"] == "adult"  # issue 29
    assert first["districtId"] == "admiralteysky"
    assert first["name"].startswith("Городская поликлиника")


def test_unknown_district(moto_table: str) -> None:
    status, body = invoke("lookup", http_event("GET", "/v1/districts/atlantis/clinics"))
    assert_error(status, body, 404, "not_found")
    status, body = invoke("lookup", http_event("GET", "/v1/districts/atlantis/clinics",
                                               headers={"Accept-Language": "en"}))
    assert_error(status, body, 404, "not_found", "en")


def test_clinic_in_russian_and_english(moto_table: str) -> None:
    status, ru = invoke("lookup", event_file("lookup/clinic.json"))
    assert status == 200
    assert ru["id"] == "cl0101"
    assert ru["name"] == "Городская поликлиника № 11"
    assert ru["districtName"] == "Адмиралтейский"
    assert ru["phone"].startswith("+7 812")
    status, en = invoke("lookup", event_file("lookup/clinic_en.json"))
    assert status == 200
    assert en["name"] == "City Polyclinic No. 11"
    assert en["districtName"] == "Admiralteysky"
    assert en["workingHours"].startswith("Mon")
    assert en["phone"] == ru["phone"]


def test_unknown_clinic(moto_table: str) -> None:
    event = event_file("lookup/clinic_unknown.json")
    assert_error(*invoke("lookup", event), 404, "not_found")
    assert_error(*invoke("lookup", with_language(event, "en-US,en;q=0.8")), 404, "not_found", "en")
    for path in ["/v1/clinics/cl9999/specialties", "/v1/clinics/cl9999/specialties/therapist/doctors",
                 "/v1/clinics/NOT-A-CLINIC", "/v1/clinics/NOT-A-CLINIC/specialties"]:
        assert_error(*invoke("lookup", http_event("GET", path)), 404, "not_found")


def test_unknown_route(moto_table: str) -> None:
    assert_error(*invoke("lookup", http_event("GET", "/v1/nowhere")), 404, "not_found")


# ---------------------------------------------------------------- specialties and doctors
def test_specialties_with_free_slots_and_referral(moto_table: str) -> None:
    status, body = invoke("lookup", event_file("lookup/clinic_specialties.json"))
    assert status == 200
    by_id = {s["id"]: s for s in body["items"]}
    assert set(by_id) == {"therapist", "paediatrician", "surgeon", "ophthalmologist", "ent", "neurologist",
                          "cardiologist", "endocrinologist"}
    assert {i for i, s in by_id.items() if s["referralRequired"]} == {"cardiologist", "endocrinologist"}
    now = clock.now()
    for spec in body["items"]:
        assert spec["freeSlots"] > 0
        assert OFFSET.match(spec["nearestSlot"])
        assert spec["nearestSlot"] > clock.local_iso(now)
    assert by_id["therapist"]["name"] == "Терапевт"


def test_specialties_count_only_free_slots(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A held slot is not free; a held slot whose hold expired is free again; a booked one is gone."""

    def therapist() -> dict[str, Any]:
        _, body = invoke("lookup", event_file("lookup/clinic_specialties.json"))
        return next(s for s in body["items"] if s["id"] == "therapist")

    before = therapist()
    real_now = clock.now()
    # The clock stands still while the hold is made: a slow machine must not move its expiry past real_now + 301.
    monkeypatch.setattr(clock, "now", lambda: real_now)
    # A slot that has not started by the time the hold expires.
    nearest = next(s for s in lookup.doctor_slots("cl0101-d01", None, None)
                   if keys.parse_slot_id(s["id"])[1] > real_now + 3600)  # type: ignore[index]
    hold_for(nearest["id"], 1)
    held = therapist()
    assert held["freeSlots"] == before["freeSlots"] - 1
    monkeypatch.setattr(clock, "now", lambda: real_now + 301)
    after_expiry = therapist()
    # The clock moved, so slots may also have started: count what is free at the new time.
    expected = len(lookup._free_slots("cl0101", "therapist", real_now + 301))
    assert after_expiry["freeSlots"] == expected
    assert nearest["id"] in {keys.slot_id(s["doctorId"], int(s["start"]))
                             for s in lookup._free_slots("cl0101", "therapist", real_now + 301)}


def test_doctors_of_a_specialty(moto_table: str) -> None:
    status, body = invoke("lookup", event_file("lookup/specialty_doctors.json"))
    assert status == 200
    assert [d["id"] for d in body["items"]] == ["cl0101-d01", "cl0101-d02"]
    for doc in body["items"]:
        assert doc["specialtyId"] == "therapist" and doc["specialty"] == "Терапевт"
        assert doc["room"] and doc["freeSlots"] > 0 and OFFSET.match(doc["nearestSlot"])
    d01 = body["items"][0]
    assert d01["nearestSlot"] == lookup.doctor_slots("cl0101-d01", None, None)[0]["start"]
    _, en = invoke("lookup", with_language(event_file("lookup/specialty_doctors.json"), "en"))
    assert en["items"][0]["specialty"] == "Therapist"


def test_unknown_specialty(moto_table: str) -> None:
    status, body = invoke("lookup", http_event("GET", "/v1/clinics/cl0101/specialties/astrologer/doctors"))
    assert_error(status, body, 404, "not_found")


# ---------------------------------------------------------------- a doctor's slots
def test_doctor_slots_in_a_window(moto_table: str) -> None:
    day = first_slot_day("cl0101-d01")
    event = with_query(event_file("lookup/doctor_slots.json"), **{"from": day.isoformat(), "to": day.isoformat()})
    status, body = invoke("lookup", event)
    assert status == 200
    items = body["items"]
    assert items
    now = clock.now()
    for s in items:
        assert set(s) == {"id", "start", "end", "room"}
        assert OFFSET.match(s["start"]) and OFFSET.match(s["end"])
        assert s["start"][:10] == day.isoformat()
        assert s["id"].startswith("cl0101-d01.")
        assert keys.parse_slot_id(s["id"])[1] > now  # type: ignore[index]
        assert s["room"] == "103"
    assert [s["start"] for s in items] == sorted(s["start"] for s in items)
    # The next day's window holds other slots; a two-day window holds both.
    two = with_query(event, **{"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()})
    _, both = invoke("lookup", two)
    assert {s["id"] for s in items} <= {s["id"] for s in both["items"]}


def test_doctor_slots_default_window_is_the_booking_horizon(moto_table: str) -> None:
    status, body = invoke("lookup", with_query(event_file("lookup/doctor_slots.json")))
    assert status == 200
    now = clock.now()
    today = clock.local_date(now)
    # The answer names the window's days: today and the next 13 (Europe/Moscow).
    assert body["window"] == {"from": today.isoformat(), "to": (today + timedelta(days=13)).isoformat()}
    starts = [keys.parse_slot_id(s["id"])[1] for s in body["items"]]  # type: ignore[index]
    assert starts and all(now < start <= clock.day_end(today + timedelta(days=13)) - 1 for start in starts)
    assert all(body["window"]["from"] <= s["start"][:10] <= body["window"]["to"] for s in body["items"])


def test_doctor_slots_show_free_only(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    day = first_slot_day("cl0101-d01", at_least=2)
    event = with_query(event_file("lookup/doctor_slots.json"), **{"from": day.isoformat(), "to": day.isoformat()})
    _, body = invoke("lookup", event)
    held, booked = body["items"][0]["id"], body["items"][1]["id"]
    hold_for(held, 1)
    dal.update(keys.slot_key(booked), "SET #st = :b, appointmentId = :a REMOVE AvPK, AvSK",  # type: ignore[arg-type]
               values={":b": "booked", ":a": "x" * 24}, names={"#st": "status"})
    _, body = invoke("lookup", event)
    ids = {s["id"] for s in body["items"]}
    assert held not in ids and booked not in ids
    real_now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: real_now + 301)  # the hold has expired: free again
    _, body = invoke("lookup", event)
    ids = {s["id"] for s in body["items"]}
    if keys.parse_slot_id(held)[1] > real_now + 301:  # type: ignore[index]
        assert held in ids
    assert booked not in ids


def test_doctor_slots_skip_started_slots(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    day = first_slot_day("cl0101-d01", at_least=4)
    event = with_query(event_file("lookup/doctor_slots.json"), **{"from": day.isoformat(), "to": day.isoformat()})
    _, body = invoke("lookup", event)
    third = keys.parse_slot_id(body["items"][2]["id"])[1]  # type: ignore[index]
    monkeypatch.setattr(clock, "now", lambda: third)  # the third slot starts right now
    _, later = invoke("lookup", event)
    assert [s["id"] for s in later["items"]] == [s["id"] for s in body["items"][3:]]


@pytest.mark.parametrize("query", [
    {"from": "2026-12-10", "to": "2026-12-01"},  # to before from
    {"from": "2026-12-01", "to": "2027-01-01"},  # 32 days
    {"from": "tomorrow"},
    {"to": "2026-02-30"},
])
def test_doctor_slots_bad_window(moto_table: str, query: dict[str, str]) -> None:
    status, body = invoke("lookup", with_query(event_file("lookup/doctor_slots.json"), **query))
    assert_error(status, body, 422, "validation_error")
    status, body = invoke("lookup", with_language(with_query(event_file("lookup/doctor_slots.json"), **query), "en"))
    assert_error(status, body, 422, "validation_error", "en")


def test_doctor_slots_window_in_the_past_or_beyond_the_horizon_is_empty(moto_table: str) -> None:
    today = clock.local_date(clock.now())
    window = {"from": today.isoformat(), "to": (today + timedelta(days=13)).isoformat()}
    for lo, hi in [(today - timedelta(days=10), today - timedelta(days=1)),
                   (today + timedelta(days=14), today + timedelta(days=20))]:
        status, body = invoke("lookup", with_query(event_file("lookup/doctor_slots.json"),
                                                   **{"from": lo.isoformat(), "to": hi.isoformat()}))
        assert (status, body) == (200, {"items": [], "window": window})


@pytest.mark.parametrize("doctor", ["cl0101-d99", "cl9999-d01", "not-a-doctor", "cl0101"])
def test_unknown_doctor(moto_table: str, doctor: str) -> None:
    status, body = invoke("lookup", http_event("GET", f"/v1/doctors/{doctor}/slots"))
    assert_error(status, body, 404, "not_found")
