"""Load the demo data into the table named by TABLE_NAME (python -m infra.seed [--clinics cl0101,...]).

What is loaded, and why each kind is there (numbers for all 54 clinics):
- districts, clinics, specialties, doctors (~1,000 items): the catalogue every page starts from;
- the attachment register (148 entries, one per demo patient in infra/demo/patients.json, and the parents'
  links to their 40 children, issue 29): sign-in and booking
  check that a patient is attached to the clinic;
- the address register (~300 items): "which polyclinic serves my address";
- free slots for the booking window (today and the next 13 days, shared.domain.slots.window_days; ~47,000 items,
  97% of the load): every doctor of every clinic
  can be booked in the demo, as on the real site. They dominate the load time, so the local stack keeps its
  table between runs (infra/local/table.py) and only adds the days that came into the window since.

Writes go out as BatchWriteItem from several threads, each with its own client (DynamoDB Local serves them
concurrently); `progress(n)` is called with the number of items after each batch.
"""
from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from infra.demo import addresses, data, gorzdrav
from shared.domain import slots
from shared.platform import clock, dal
from shared.platform.config import BOOKING_HORIZON_DAYS
from shared.platform.items import Slot

PATIENTS_FILE = Path(__file__).resolve().parent / "demo" / "patients.json"
WINDOW_DAYS = BOOKING_HORIZON_DAYS  # the booking window's days, from today
WRITERS = int(os.environ.get("SEED_WRITERS", "8"))

Progress = Callable[[int], None]


def write_patients_file() -> None:
    PATIENTS_FILE.write_text(json.dumps(data.patients(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def reference_items(clinic_ids: set[str] | None = None) -> list[dict[str, Any]]:
    """Everything but the slots: catalogue, attachment register, address register."""
    items = [i for i in data.reference_items()
             if not clinic_ids or i["entity"] == "district"
             or any(c in i["PK"] or c in i["SK"] for c in clinic_ids)]
    people = [p for p in data.patients() if not clinic_ids or p["clinicId"] in clinic_ids]
    items += data.register_items(people)
    items += data.referral_items(clinic_ids)  # the demo patients' referrals (issue 15)
    items += addresses.items(clinic_ids)  # the address register of the same clinics
    items += gorzdrav.items(clinic_ids, people)  # gorzdrav-style ids and the name index (issue 19)
    return items


def slot_items(first_day: date, days: int, clinic_ids: set[str] | None = None) -> list[Slot]:
    """Free slots of every doctor for `days` days from `first_day`."""
    items: list[Slot] = []
    for c in data.clinics():
        if clinic_ids and c["id"] not in clinic_ids:
            continue
        for d in data.doctors(c):
            items += data.slot_items(d, first_day, days)
    return items


def write(items: Sequence[Mapping[str, Any]], table: str | None = None, *, workers: int = WRITERS,
          progress: Progress | None = None) -> int:
    """Unconditional BatchWriteItem of `items` from `workers` threads; returns the number written."""
    import boto3

    name = table or dal.table()
    local = threading.local()

    def client() -> Any:
        if not hasattr(local, "client"):
            local.client = boto3.session.Session().client("dynamodb")
        return local.client

    def put(chunk: Sequence[Mapping[str, Any]]) -> int:
        pending: dict[str, Any] = {name: [{"PutRequest": {"Item": dal.to_item(x)}} for x in chunk]}
        for attempt in range(20):
            pending = client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(1.0, 0.02 * 2**attempt))
        else:
            raise RuntimeError("DynamoDB kept items unprocessed")
        if progress:
            progress(len(chunk))
        return len(chunk)

    chunks: Iterable[Sequence[Mapping[str, Any]]] = (items[i:i + 25] for i in range(0, len(items), 25))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(put, chunks))


def write_missing(items: Sequence[Mapping[str, Any]], table: str | None = None, *, workers: int = WRITERS,
                  progress: Progress | None = None) -> int:
    """Conditional puts of the items not in the table yet (an existing one, maybe booked, is left as it is)."""
    import boto3

    name = table or dal.table()
    local = threading.local()

    def put(item: Mapping[str, Any]) -> int:
        if not hasattr(local, "client"):
            local.client = boto3.session.Session().client("dynamodb")
        try:
            local.client.put_item(TableName=name, Item=dal.to_item(item),
                                  ConditionExpression="attribute_not_exists(PK)")
            added = 1
        except local.client.exceptions.ConditionalCheckFailedException:
            added = 0
        if progress:
            progress(1)
        return added

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(put, items))


def seed(clinic_ids: set[str] | None = None, workers: int = WRITERS, days: int = WINDOW_DAYS,
         progress: Progress | None = None) -> int:
    """Write reference data, the register and `days` days of slots; returns the number of items written."""
    today = clock.local_date(clock.now())
    items = reference_items(clinic_ids) + slot_items(today, days, clinic_ids)
    return write(items, workers=workers, progress=progress)


def missing_days(loaded_through: date | None, today: date) -> list[date]:
    """Days of the booking window (today .. shared.domain.slots.last_day) after `loaded_through` (all if None)."""
    last = slots.last_day(today)
    first = today if loaded_through is None else max(today, loaded_through + timedelta(days=1))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clinics", help="comma-separated clinic ids (default: all)")
    parser.add_argument("--write-patients", action="store_true", help="rewrite infra/demo/patients.json")
    args = parser.parse_args()
    if args.write_patients:
        write_patients_file()
        return
    started = time.monotonic()
    n = seed(set(args.clinics.split(",")) if args.clinics else None)
    print(f"seeded {n} items in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
