"""What the race tests share: made-up patients attached to a clinic, and calls released at the same instant."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from shared import booking


def person(n: int, clinic_id: str = "cl0101") -> dict[str, Any]:
    return {"lastName": "Тестова", "firstName": "Анна", "middleName": None, "birthDate": "1980-01-01",
            "policyNumber": f"99{n:014d}", "policySeries": None, "clinicId": clinic_id,
            "email": f"race{n}@example.org"}


def patient(p: dict[str, Any]) -> booking.Patient:
    return booking.Patient(last_name=p["lastName"], first_name=p["firstName"], middle_name=None,
                           birth_date=p["birthDate"], policy_number=p["policyNumber"], policy_series=None,
                           email=p["email"])


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same instant; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
