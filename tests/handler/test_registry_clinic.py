"""The clinic side under moto (issue 11): staff scoped to a clinic, doctors and plans, absences, the day
list, attendance, and the daily job through its sample events."""
from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest

from shared.clinic import plans, schedule
from shared.domain import slots, specialties
from shared.platform import clock, dal, keys
from tests.handler.helpers import book, slot_item, staff_event
from tests.handler.helpers import free_slot_items as free_slots
from tests.support import claims_of, event_file, http_event, invoke, patients_of

CLINIC, OTHER = "cl0101", "cl0102"
NEW_DOCTOR = "cl0101-d20"
WEEK = [{"weekday": wd, "from": "09:00", "to": "12:00"} for wd in range(1, 8)]


def doctor_body(plan: list[dict[str, str]] | None = None, minutes: int = 30, **extra: Any) -> dict[str, Any]:
    return {"name": "Орлова Вера Павловна", "nameEn": "Vera Orlova", "specialtyId": "dermatologist",
            "room": "214", "slotMinutes": minutes, "plan": plan or WEEK, **extra}


def put_doctor(body: dict[str, Any], doctor_id: str = NEW_DOCTOR, clinic: str | None = CLINIC) -> tuple[int, Any]:
    return invoke("registry", staff_event("PUT", f"/v1/registry/clinics/{CLINIC}/doctors/{doctor_id}", body,
                                          clinic=clinic))


def absence(doctor_id: str, first: date, last: date, reason: str = "sick", clinic: str | None = CLINIC,
            **extra: Any) -> tuple[int, Any]:
    body = {"from": first.isoformat(), "to": last.isoformat(), "reason": reason, **extra}
    return invoke("registry", staff_event("POST", f"/v1/registry/clinics/{CLINIC}/doctors/{doctor_id}/absences",
                                          body, clinic=clinic))


def day_list(day: date, doctor_id: str | None = None, clinic: str | None = CLINIC) -> tuple[int, Any]:
    query = {"date": day.isoformat(), **({"doctorId": doctor_id} if doctor_id else {})}
    return invoke("registry", staff_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments", clinic=clinic,
                                          query=query))


def attend(appointment_id: str, status: str, clinic: str | None = CLINIC) -> tuple[int, Any]:
    return invoke("registry", staff_event("POST", f"/v1/registry/appointments/{appointment_id}/attendance",
                                          {"status": status}, clinic=clinic))


def today() -> date:
    return clock.local_date(clock.now())


def expected_new_slots(first: date, bookable: bool = False) -> int:
    """Slots WEEK (09:00-12:00, 30 min) makes from `first` to the day entering the window (its last day, today +
    13), not yet started. Each of them is bookable: patients see the same days (`bookable` keeps the callers'
    meaning)."""
    now = clock.now()
    count = 0
    day = first
    while day <= today() + timedelta(days=13):
        for n in range(6):
            start = clock.day_start(day) + 9 * 3600 + n * 1800
            if now < start and (not bookable or slots.in_booking_window(start, now)):
                count += 1
        day += timedelta(days=1)
    return count


def history_of(patient: dict[str, Any]) -> list[dict[str, Any]]:
    status, body = invoke("history", http_event("GET", "/v1/me/appointments", claims=claims_of(patient)))
    assert status == 200, body
    return body["items"]


# ---------------------------------------------------------------- doctors and plans
def test_publish_a_new_doctor_whose_slots_patients_can_book(moto_table: str) -> None:
    status, body = put_doctor(doctor_body())
    assert status == 200, body
    assert body["slotsCreated"] == expected_new_slots(today()) and body["conflicts"] == []
    assert body["doctor"]["plan"][0] == {"weekday": 1, "from": "09:00", "to": "12:00"}
    # Patients see the specialty (with its free count), the doctor and the slots, and can book one.
    status, specs = invoke("lookup", http_event("GET", f"/v1/clinics/{CLINIC}/specialties"))
    derm = next(s for s in specs["items"] if s["id"] == "dermatologist")
    assert derm["freeSlots"] == expected_new_slots(today(), bookable=True) and derm["referralRequired"] is True
    status, doctors = invoke("lookup", http_event("GET", f"/v1/clinics/{CLINIC}/specialties/dermatologist/doctors"))
    assert [d["id"] for d in doctors["items"]] == [NEW_DOCTOR]
    # The same plan again creates nothing and changes nothing.
    again = put_doctor(doctor_body())
    assert again[0] == 200 and again[1]["slotsCreated"] == 0 and again[1]["slotsClosed"] == 0
    assert again[1]["doctor"]["version"] == body["doctor"]["version"]


def test_a_bookable_new_doctor(moto_table: str) -> None:
    status, body = put_doctor(doctor_body(specialtyId="therapist"), doctor_id="cl0101-d21")
    assert status == 200, body
    slot = free_slots("cl0101-d21", clock.now() + 86400)[0]
    appointment = book(patients_of(CLINIC)[0], slot["id"])
    assert appointment["number"].startswith("21-") and appointment["doctor"]["id"] == "cl0101-d21"


def test_a_changed_plan_never_moves_a_booked_slot(moto_table: str) -> None:
    assert put_doctor(doctor_body(specialtyId="therapist"), doctor_id="cl0101-d21")[0] == 200
    slot = free_slots("cl0101-d21", clock.now() + 2 * 86400)[0]
    appointment = book(patients_of(CLINIC)[0], slot["id"])
    # Afternoons instead of mornings, 20-minute slots: the booked morning slot stays and is a conflict.
    status, body = put_doctor(doctor_body([{"weekday": wd, "from": "14:00", "to": "16:00"} for wd in range(1, 8)],
                                          minutes=20, specialtyId="therapist"), doctor_id="cl0101-d21")
    assert status == 200, body
    assert [c["appointmentId"] for c in body["conflicts"]] == [appointment["id"]]
    assert body["slotsClosed"] == expected_new_slots(today()) - 1
    assert slot_item(slot["id"])["status"] == "booked"
    starts = {clock.local_iso(s["epoch"])[11:16] for s in free_slots("cl0101-d21")}
    assert starts == {"14:00", "14:20", "14:40", "15:00", "15:20", "15:40"}
    # Back to mornings: the closed slots reopen (keeping their booking count), nothing is created twice.
    status, body = put_doctor(doctor_body(specialtyId="therapist"), doctor_id="cl0101-d21")
    assert status == 200 and body["conflicts"] == []
    assert body["slotsCreated"] == expected_new_slots(today()) - 1


def test_a_doctor_changing_specialty_takes_it_along(moto_table: str) -> None:
    assert put_doctor(doctor_body())[0] == 200
    assert put_doctor(doctor_body(specialtyId="urologist"))[0] == 200
    specs = invoke("lookup", http_event("GET", f"/v1/clinics/{CLINIC}/specialties"))[1]
    ids = {s["id"] for s in specs["items"]}
    assert "urologist" in ids and "dermatologist" not in ids


def test_doctor_refusals(moto_table: str) -> None:
    overlapping = [{"weekday": 1, "from": "09:00", "to": "12:00"}, {"weekday": 1, "from": "11:00", "to": "13:00"}]
    for body, field in [(doctor_body(overlapping), "plan.weekday1"),
                        (doctor_body(specialtyId="astrologer"), "specialtyId"),
                        (doctor_body([{"weekday": 1, "from": "12:00", "to": "09:00"}]), "plan.0")]:
        status, answer = put_doctor(body)
        assert status == 422 and answer["error"]["details"]["fields"][0]["field"] == field
    status, answer = put_doctor(doctor_body(), doctor_id="cl0102-d20")
    assert status == 422 and answer["error"]["code"] == "validation_error"
    status, answer = put_doctor({"name": "X"})
    assert status == 422


# ---------------------------------------------------------------- staff scope
def test_staff_of_another_clinic_get_forbidden_on_everything(moto_table: str) -> None:
    patient = patients_of(CLINIC)[0]
    appointment = book(patient, free_slots("cl0101-d01", clock.now() + 86400)[0]["id"])
    tomorrow = today() + timedelta(days=1)
    refusals = [put_doctor(doctor_body(), clinic=OTHER), absence("cl0101-d01", tomorrow, tomorrow, clinic=OTHER),
                day_list(tomorrow, clinic=OTHER), attend(appointment["id"], "fulfilled", clinic=OTHER)]
    move = copy.deepcopy(event_file("registry/change_choice.json"))  # a token of cl0102's head of registry
    move["body"] = json.dumps({**json.loads(move["body"]), "clinicId": CLINIC})
    refusals.append(invoke("registry", move))
    for status, body in refusals:
        assert status == 403 and body["error"]["code"] == "forbidden", body
    assert dal.get(keys.key(keys.doctor_pk(NEW_DOCTOR), keys.PROFILE)) is None
    # The city-level operator may act for any clinic; an unsigned request is 401.
    assert put_doctor(doctor_body(), clinic=None)[0] == 200
    unsigned = http_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments", query={"date": "2026-12-01"})
    assert invoke("registry", unsigned)[0] == 401


def test_english_forbidden_message(moto_table: str) -> None:
    event = staff_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments", clinic=OTHER,
                        query={"date": today().isoformat()})
    event["headers"]["accept-language"] = "en"
    status, body = invoke("registry", event)
    message = body["error"]["message"]
    assert status == 403 and message.startswith("Not allowed") and "own polyclinic" in message


# ---------------------------------------------------------------- absences
def test_an_absence_cancels_and_closes_and_is_idempotent(moto_table: str) -> None:
    patient = patients_of(CLINIC)[0]
    slot = free_slots("cl0101-d01", clock.now() + 86400)[0]
    appointment = book(patient, slot["id"])
    day = clock.local_date(slot["epoch"])
    free_that_day = [s for s in free_slots("cl0101-d01") if clock.local_date(s["epoch"]) == day]
    preview = absence("cl0101-d01", day, day, dryRun=True)
    assert preview[1] == {"closedSlots": len(free_that_day), "cancelledAppointments": 1, "dryRun": True}
    assert slot_item(slot["id"])["status"] == "booked"  # a preview writes nothing

    status, body = absence("cl0101-d01", day, day)
    assert status == 200, body
    assert body == {"closedSlots": len(free_that_day), "cancelledAppointments": 1, "dryRun": False}
    stored = dal.get(keys.appointment_key(appointment["id"]), consistent=True) or {}
    assert (stored["status"], stored["cancelledBy"], stored["cancelReason"]) == ("cancelled", "clinic", "sick")
    assert slot_item(slot["id"])["status"] == "closed"
    assert not [s for s in free_slots("cl0101-d01") if clock.local_date(s["epoch"]) == day]
    # The patient's history says the clinic cancelled, and why; the specialty can be booked again.
    (entry,) = [a for a in history_of(patient) if a["id"] == appointment["id"]]
    assert (entry["status"], entry["cancelledBy"], entry["cancelReason"]) == ("cancelled", "clinic", "sick")
    book(patient, free_slots("cl0101-d02", clock.now() + 86400)[0]["id"])
    # Sent again: the same totals, nothing more written; the daily job does not reopen the day.
    assert absence("cl0101-d01", day, day)[1] == body
    # Publishing that day again from the plan (what the daily job does) reopens nothing an absence closed,
    # even without being told of the absence.
    doctor = dal.get(keys.key(keys.doctor_pk("cl0101-d01"), keys.PROFILE)) or {}
    assert schedule.reconcile(doctor, [day], {}, clock.now()).created == 0
    assert not [s for s in free_slots("cl0101-d01") if clock.local_date(s["epoch"]) == day]


def test_absence_refusals(moto_table: str) -> None:
    tomorrow = today() + timedelta(days=1)
    assert absence("cl0101-d01", tomorrow, today())[0] == 422
    assert absence("cl0101-d01", tomorrow, tomorrow, reason="party")[0] == 422
    assert absence("cl0101-d77", tomorrow, tomorrow)[1]["error"]["code"] == "not_found"


# ---------------------------------------------------------------- day list and attendance
def test_day_list_in_time_order_with_every_status(moto_table: str) -> None:
    first, second = patients_of(CLINIC)[0], patients_of(CLINIC)[1]
    ahead = clock.now() + 86400
    # Two doctors' times on one day, the ophthalmologist's first (whatever the hour the suite runs at).
    earlier, later = next((e, t) for t in free_slots("cl0101-d01", ahead) for e in free_slots("cl0101-d05", ahead)
                          if clock.local_date(e["epoch"]) == clock.local_date(t["epoch"]) and e["epoch"] < t["epoch"])
    day = clock.local_date(later["epoch"])
    a = book(first, later["id"])
    b = book(second, earlier["id"])
    invoke("cancellation", http_event("POST", f"/v1/me/appointments/{b['id']}/cancel", claims=claims_of(second)))
    status, body = day_list(day)
    assert status == 200, body
    assert [(i["id"], i["status"]) for i in body["items"]] == [(b["id"], "cancelled"), (a["id"], "booked")]
    assert body["items"][1]["patient"] == {"lastName": first["lastName"], "firstName": first["firstName"],
                                           "middleName": first["middleName"], "birthDate": first["birthDate"],
                                           "age": specialties.age_on(first["birthDate"], day)}
    assert body["items"][1]["doctorName"] and body["items"][1]["room"]
    assert [i["id"] for i in day_list(day, doctor_id="cl0101-d05")[1]["items"]] == [b["id"]]
    assert day_list(day + timedelta(days=1))[1]["items"] == []


def test_attendance_after_the_start_once(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    patient = patients_of(CLINIC)[0]
    slot = free_slots("cl0101-d01", clock.now() + 86400)[0]
    appointment = book(patient, slot["id"])
    assert attend(appointment["id"], "fulfilled")[1]["error"]["code"] == "appointment_not_started"
    monkeypatch.setattr(clock, "now", lambda: slot["epoch"] + 60)
    status, body = attend(appointment["id"], "fulfilled")
    assert status == 200 and body["appointment"]["status"] == "fulfilled"
    assert attend(appointment["id"], "fulfilled")[0] == 200  # the same mark again
    assert attend(appointment["id"], "noshow")[1]["error"]["code"] == "attendance_already_recorded"
    assert [a["status"] for a in history_of(patient) if a["id"] == appointment["id"]] == ["fulfilled"]
    assert attend("x" * 24, "noshow")[1]["error"]["code"] == "not_found"
    assert attend(appointment["id"], "late")[0] == 422


# ---------------------------------------------------------------- the daily job
def opened_through(clinic_id: str, day: date) -> None:
    dal.update(keys.key(keys.clinic_pk(clinic_id), keys.PROFILE), "SET openedThrough = :d",
               values={":d": day.isoformat()})


def test_daily_job_opens_the_new_days_once_and_catches_up(moto_table: str) -> None:
    # cl0102 is up to date; cl0101 missed a run: the job opens its last two days (and nothing before them),
    # through the booking window's last day (today + 13), never a 15th day.
    last = today() + timedelta(days=13)
    opened_through(OTHER, last)
    opened_through(CLINIC, last - timedelta(days=2))
    result = invoke_schedule(event_file("schedule/daily.json"))
    assert result["clinics"] == 2 and result["created"] > 0
    found = schedule.day_slots("cl0101-d01", plans.window(today()))
    days = {clock.local_date(int(i["start"])) for items in found.values() for i in items}
    weekdays = [d for d in (last - timedelta(days=1), last) if d.weekday() < 6]  # d01 works Monday to Saturday
    assert set(weekdays) <= days and last - timedelta(days=2) not in days
    beyond = last + timedelta(days=1)
    assert not any(schedule.day_slots(d, [beyond])[beyond.isoformat()] for d in ("cl0101-d01", "cl0102-d01"))
    profile = dal.get(keys.key(keys.clinic_pk(CLINIC), keys.PROFILE)) or {}
    assert profile["openedThrough"] == last.isoformat()
    assert invoke_schedule(event_file("schedule/daily.json"))["created"] == 0


def test_a_clinic_unit_from_the_queue(moto_table: str) -> None:
    opened_through(CLINIC, today() + timedelta(days=12))
    event = event_file("schedule/clinic_unit.json")
    assert invoke_schedule(event) == {"batchItemFailures": []}
    opened = (dal.get(keys.key(keys.clinic_pk(CLINIC), keys.PROFILE)) or {}).get("openedThrough")
    assert opened == (today() + timedelta(days=13)).isoformat()
    broken = copy.deepcopy(event)
    broken["Records"][0]["body"] = "not json"
    assert invoke_schedule(broken) == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}


def test_with_a_queue_the_daily_job_sends_one_unit_per_clinic(moto_table: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.platform import clients, config

    sqs = clients.client("sqs")
    queue = sqs.create_queue(QueueName="day-opener")["QueueUrl"]
    monkeypatch.setenv("OPENER_QUEUE_URL", queue)
    config.settings.cache_clear()
    assert invoke_schedule(event_file("schedule/daily.json")) == {"clinics": 2, "queued": 2}
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    bodies = sorted((json.loads(m["Body"]) for m in got), key=lambda b: b["clinicId"])
    assert bodies == [{"clinicId": c, "day": today().isoformat()} for c in ("cl0101", "cl0102")]
    # nothing was opened by the fan-out itself: each unit comes back as an SQS record
    assert (dal.get(keys.key(keys.clinic_pk(CLINIC), keys.PROFILE)) or {}).get("openedThrough") is None


def invoke_schedule(event: dict[str, Any]) -> Any:
    from tests.support import Context, load_function

    return load_function("schedule").handler(event, Context())


def test_the_sample_events(moto_table: str) -> None:
    expected = {"clinic_doctor_put": 200, "clinic_absence_preview": 200, "clinic_absence": 200,
                "clinic_day_list": 200, "clinic_attendance": 404, "clinic_journal": 200}
    for name, status in expected.items():
        answer = invoke("registry", event_file(f"registry/{name}.json"))
        assert answer[0] == status, (name, answer)
    assert invoke_schedule(event_file("schedule/clinic_unit.json")) == {"batchItemFailures": []}
