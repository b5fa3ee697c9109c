"""The clinic side (issue 11), through its handlers on DynamoDB Local: round trips and request units of the
daily job per opened doctor-day and per slot, of an absence per cancelled appointment, of publishing a
doctor's plan, of the day list. `python -m bench.clinic` runs it alone; `make bench` as the `clinic` section.
Writes run one at a time here (WRITERS = 1) so that every call is metered on this thread."""
from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any

from bench import common, ops
from bench.common import METER

CLINIC = "cl0101"


def _staff(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    event = ops.http(method, path, body, query=query)
    event["requestContext"]["authorizer"] = {"jwt": {"claims": {"sub": "bench-head", "clinic_id": CLINIC,
                                                                "staff_role": "head"}, "scopes": None}}
    return event


def run() -> dict[str, Any]:
    from shared.clinic import schedule
    from shared.platform import clock, dal, keys

    schedule.WRITERS = 1
    out: dict[str, Any] = {}
    now = clock.now()
    today = clock.local_date(now)
    clinic_key = keys.key(keys.clinic_pk(CLINIC), keys.PROFILE)
    refs = [i for i in schedule.clinic_items(CLINIC, "DOCTOR#")]

    # The daily job, one clinic's unit, opening one new day: tomorrow's run (the seed has the whole booking
    # window, today .. today + 13; tomorrow's ends on today + 14).
    common.set_clock(now + 86400)
    dal.update(clinic_key, "SET openedThrough = :d", values={":d": (today + timedelta(days=13)).isoformat()})
    unit = {"Records": [{"messageId": "bench", "body": json.dumps({"clinicId": CLINIC})}]}
    with METER.measure() as calls:
        common.invoke("schedule", unit)
    opened = ops._summary(calls)
    created = sum(1 for c in calls if c.op == "PutItem" and c.ok)
    opened["doctors"], opened["slots_created"] = len(refs), created
    opened["per_slot_write_units"] = round(opened["write_units"] / max(created, 1), 2)
    out["daily job: one clinic, one new day"] = opened
    with METER.measure() as calls:
        common.invoke("schedule", unit)
    out["daily job: the same unit again (nothing due)"] = ops._summary(calls)
    common.set_clock(now)

    # Publishing a new doctor's plan for the whole window (14 days, 09:00-12:00 every day, 30 minutes).
    plan = [{"weekday": wd, "from": "09:00", "to": "12:00"} for wd in range(1, 8)]
    body = {"name": "Орлова Вера Павловна", "specialtyId": "dermatologist", "room": "214", "slotMinutes": 30,
            "plan": plan}
    path = f"/v1/registry/clinics/{CLINIC}/doctors/{CLINIC}-d20"
    status, answer, published = ops.measured("registry", _staff("PUT", path, body))
    assert status == 200, answer
    published["slots_created"] = answer["slotsCreated"]
    out["publish a doctor's plan (new doctor, whole window)"] = published
    status, answer, out["publish the same plan again"] = ops.measured("registry", _staff("PUT", path, body))
    assert status == 200 and answer["slotsCreated"] == 0

    # An absence on a day with booked appointments: per cancelled appointment.
    doctor = f"{CLINIC}-d01"
    people = ops.bench_patients(8, CLINIC, first=800_000)
    ops.register(people)
    first_day = next(d for d in (today + timedelta(days=n) for n in range(2, 9))
                     if len(schedule.day_slots(doctor, [d])[d.isoformat()]) >= len(people))
    on_day = [s["slotId"] for s in schedule.day_slots(doctor, [first_day])[first_day.isoformat()]]
    for p, slot_id in zip(people, on_day, strict=False):
        status, _ = common.invoke("booking", ops.book_event(slot_id, p))
        assert status == 201
    booked = min(len(people), len(on_day))
    absence = {"from": first_day.isoformat(), "to": first_day.isoformat(), "reason": "sick"}
    status, answer, declared = ops.measured("registry", _staff("POST", f"/v1/registry/clinics/{CLINIC}/doctors/"
                                                                       f"{doctor}/absences", absence))
    assert status == 200 and answer["cancelledAppointments"] == booked, answer
    declared["cancelled"], declared["closed"] = answer["cancelledAppointments"], answer["closedSlots"]
    out["absence: one day, booked appointments cancelled"] = declared

    status, answer, out["day list: one clinic-day"] = ops.measured("registry", _staff(
        "GET", f"/v1/registry/clinics/{CLINIC}/appointments", query={"date": first_day.isoformat()}))
    assert status == 200 and len(answer["items"]) == booked
    return out


def city_morning(write_units_per_slot: float, read_units_per_doctor: float, *, clinics: int = 200,
                 doctors: int = 5000, slots: int = 90_000, concurrency: int = 20, writers: int = 4,
                 write_ms: float = 8.0, read_ms: float = 6.0, table_wru_per_second: float = 4000.0) -> dict[str, Any]:
    """St. Petersburg's morning, modelled from the measured units: 200 clinic units, at most `concurrency` at
    once (the function's reserved concurrency), each writing with `writers` threads at an in-region latency of
    `write_ms`; the table's on-demand write throughput (`table_wru_per_second`: a new on-demand table starts at
    4,000 WRU/s and then follows twice its previous peak) caps the rate. Nothing here is measured time."""
    per_doctor = read_ms * 2 + (slots / doctors) / writers * write_ms  # a Query, the puts, the second read
    unthrottled = doctors / concurrency * per_doctor / 1000
    write_units = slots * write_units_per_slot
    seconds = max(unthrottled, write_units / table_wru_per_second)
    return {
        "clinics": clinics, "doctors": doctors, "slots": slots,
        "write_units": round(write_units), "read_units": round(doctors * read_units_per_doctor),
        "seconds_without_throttling": round(unthrottled, 1),
        "write_units_per_second_without_throttling": round(write_units / unthrottled),
        "seconds": round(seconds, 1),
        "throttled_first": ("the table's on-demand write throughput" if seconds > unthrottled
                            else "nothing: the reserved concurrency paces it"),
        "largest_partition_writes": round(slots / doctors),  # a doctor's day: far below 1,000 WCU/s
        "unit_seconds": round(doctors / clinics * per_doctor / 1000, 1),
    }


def main() -> int:
    local = common.start_local()
    try:
        common.create_table()
        common.seed({CLINIC})
        common.metered_client()
        result = run()
        opened = result["daily job: one clinic, one new day"]
        result["city morning (model)"] = city_morning(opened["per_slot_write_units"],
                                                      opened["read_units"] / max(opened["doctors"], 1))
    finally:
        local.stop()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
