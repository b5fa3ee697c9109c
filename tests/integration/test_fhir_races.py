"""Races on DynamoDB Local between the two faces: the same slot booked through FHIR `$book` and through
`/v1/appointments` at the same moment -> exactly one booking, whichever face it came through.

As in test_booking_races, threads call what each handler calls after parsing (the FHIR face's
shared.faces.fhir.operations.book on a parsed request; shared.booking.bookings.book for /v1), and the table is
checked after.
"""
from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest

from shared.booking.bookings import Outcome
from shared.faces.fhir import http, operations
from tests.fhir_check import fhir_patient, parameters, valid
from tests.integration.people import book, check_table, free_slots, make_patients, race

pytestmark = pytest.mark.integration

ROUNDS = 3
PER_FACE = 10


def fhir_book(slot_id: str, person: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """What functions/fhir/app.py does for POST /fhir/Appointment/$book."""
    appointment = {"resourceType": "Appointment", "status": "proposed", "slot": [{"reference": f"Slot/{slot_id}"}],
                   "participant": [{"actor": {"reference": f"Practitioner/{slot_id.split('.')[0]}"},
                                    "status": "needs-action"}]}
    event = {"rawPath": "/fhir/Appointment/$book", "rawQueryString": "",
             "headers": {"host": "race.test", "content-type": "application/fhir+json",
                         "idempotency-key": str(uuid.uuid4())},
             "requestContext": {"http": {"method": "POST", "path": "/fhir/Appointment/$book"}},
             "body": json.dumps(parameters(appointment_resource=appointment,
                                           patient_resource=fhir_patient(dict(person, policySeries=None))))}
    return operations.book(http.request_of(event))


def test_fhir_book_races_v1_booking(table: str) -> None:
    people = make_patients(21, 2 * PER_FACE * ROUNDS)
    slots_ = free_slots("cl0101-d02", ROUNDS)
    faces: Counter[str] = Counter()
    winners = []
    for r, slot in enumerate(slots_):
        crowd = people[r * 2 * PER_FACE:(r + 1) * 2 * PER_FACE]
        calls = []
        for i, p in enumerate(crowd):
            if i % 2:
                calls.append(lambda s=slot, p=p: ("v1", book(s, p, str(uuid.uuid4()))))
            else:
                calls.append(lambda s=slot, p=p: ("fhir", fhir_book(s, p)))
        results = race(calls)
        won = [x for x in results if isinstance(x, tuple)]
        assert len(won) == 1, Counter(map(str, results))
        refused = Counter(x for x in results if not isinstance(x, tuple))
        assert refused == Counter({"slot_unavailable": 2 * PER_FACE - 1})
        face, answer = won[0]
        faces[face] += 1
        if face == "fhir":
            status, bundle = answer
            assert status == 201
            winners.append(valid(bundle)["entry"][0]["resource"]["id"].replace(".", "_"))
        else:
            assert isinstance(answer, Outcome) and answer.status == 201
            winners.append(answer.body["appointment"]["id"])
    booked_slots, appointments = check_table()
    assert set(booked_slots) == set(slots_)
    assert set(appointments) == set(winners)
