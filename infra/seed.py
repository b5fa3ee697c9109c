"""Load the demo data into the table named by TABLE_NAME (python -m infra.seed [--clinics cl0101,...])."""
from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from infra.demo import addresses, data, gorzdrav
from shared import clock, dal

PATIENTS_FILE = Path(__file__).resolve().parent / "demo" / "patients.json"


def write_patients_file() -> None:
    PATIENTS_FILE.write_text(json.dumps(data.patients(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def seed(clinic_ids: set[str] | None = None, workers: int = 4, days: int = 14) -> int:
    """Write reference data, the register and `days` days of slots; returns the number of items written."""
    today = clock.local_date(clock.now())
    items = [i for i in data.reference_items()
             if not clinic_ids or i["entity"] == "district"
             or any(c in i["PK"] or c in i["SK"] for c in clinic_ids)]
    people = [p for p in data.patients() if not clinic_ids or p["clinicId"] in clinic_ids]
    items += data.register_items(people)
    items += addresses.items(clinic_ids)  # the address register of the same clinics
    items += gorzdrav.items(clinic_ids, people)  # gorzdrav-style ids and the name index (issue 19)
    for c in data.clinics():
        if clinic_ids and c["id"] not in clinic_ids:
            continue
        for d in data.doctors(c):
            items += data.slot_items(d, today, days)
    chunks = [items[i:i + 500] for i in range(0, len(items), 500)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(dal.batch_write, chunks))
    return len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
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
