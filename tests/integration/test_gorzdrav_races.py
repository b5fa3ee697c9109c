"""The gorzdrav façade and our own API racing for the same slots on DynamoDB Local: one set of rules, one
transaction per booking, so one wins and the table stays whole (checked as in test_booking_races)."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from shared.faces.gorzdrav import facade, identity
from shared.faces.gorzdrav.wire import GzError
from shared.patients import name_index
from shared.platform import dal
from tests.integration.people import CLINIC, book, check_table, free_slots, make_patients, race

pytestmark = pytest.mark.integration

LPU = 111  # cl0101
ROUNDS = 6


def facade_patients(prefix: int, n: int) -> list[tuple[dict[str, Any], str]]:
    """`n` attached patients with their name-index items, each with the patientId a search gives."""
    people = make_patients(prefix, n)
    for i, p in enumerate(people):
        p["firstName"] = f"Пациент{'абвгдежзиклмнопрстуф'[i % 20]}{'абвгд'[i // 20 % 5]}"
    from infra.demo import data
    from shared.patients import policy

    dal.batch_write(data.register_items(people))
    dal.batch_write([name_index.index_item(p, policy.policy_hash(p["policyNumber"], p.get("policySeries")))
                     for p in people])
    out = []
    for p in people:
        found = identity.find(CLINIC, p["lastName"], p["firstName"], None, date.fromisoformat(p["birthDate"]))
        assert found, "the name index finds every patient"
        out.append((p, found))
    return out


def via_facade(slot: str, patient_id: str) -> Any:
    try:
        return facade.create_appointment({"lpuId": LPU, "patientId": patient_id, "appointmentId": slot}, "ru")
    except GzError as refused:
        return f"gz{refused.code}"


def test_same_slot_from_both_apis_at_once_one_wins(table: str) -> None:
    gz_people = facade_patients(31, ROUNDS)
    api_people = make_patients(32, ROUNDS)
    slots = free_slots("cl0101-d01", ROUNDS)
    wins: Counter[str] = Counter()
    for r, slot in enumerate(slots):
        _, patient_id = gz_people[r]
        results = race([lambda s=slot, pid=patient_id: via_facade(s, pid),
                        lambda s=slot, p=api_people[r], k=f"race-{r}": book(s, p, k)])
        facade_won, api_won = results[0] is True, not isinstance(results[1], str)
        assert facade_won != api_won, results  # exactly one
        assert (results[1] if facade_won else results[0]) == "slot_unavailable", results
        wins["facade" if facade_won else "api"] += 1
    booked_slots, booked = check_table()
    assert set(booked_slots) == set(slots) and len(booked) == ROUNDS
    assert sum(wins.values()) == ROUNDS


def test_one_patient_same_slot_from_both_apis_books_once(table: str) -> None:
    """One patient sending the same booking through both APIs at once gets one appointment; the façade
    answers success either way (it is that patient's booking)."""
    from infra.demo import data

    patient = data.patients()[0]
    patient_id = identity.find(CLINIC, patient["lastName"], patient["firstName"], patient["middleName"],
                               date.fromisoformat(patient["birthDate"]))
    assert patient_id
    slots = free_slots("cl0101-d02", ROUNDS)
    for r, slot in enumerate(slots[:3]):
        results = race([lambda s=slot: via_facade(s, patient_id),
                        lambda s=slot, k=f"same-{r}": book(s, patient, k)])
        assert results[0] is True, results
        _, booked = check_table()
        assert [a["slotId"] for a in booked.values()] == [slot]
        # Free the specialty for the next round through the façade's cancel (either API cancels).
        (appt,) = booked
        assert facade.cancel_appointment({"lpuId": LPU, "patientId": patient_id, "appointmentId": appt}, "ru")



def test_a_name_swept_from_many_threads_is_answered_at_most_its_threshold_of_failures(
        table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 25: failed `patient/search` look-ups of one full name, racing, are answered "not found" at most
    IDENTITY_FAILURES_MAX times per window (the limiter's conditional count), the rest 429; after that the
    right birth date is refused too."""
    from concurrent.futures import ThreadPoolExecutor

    from infra.demo import data
    from shared.platform import clock, config, keys
    from shared.platform.errors import DomainError

    monkeypatch.setenv("IDENTITY_FAILURES_MAX", "5")
    config.settings.cache_clear()
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now - now % 3600 + 600)  # one limiter window
    patient = data.patients()[0]
    name = (patient["lastName"], patient["firstName"], patient["middleName"])

    def guess(n: int) -> str:
        try:
            return "found" if identity.find(CLINIC, *name, date(1950, 1, 1 + n % 28)) else "not found"
        except DomainError as refused:
            return refused.code

    with ThreadPoolExecutor(20) as pool:
        outcomes = Counter(pool.map(guess, range(60)))
    assert outcomes == Counter({"not found": 5, "rate_limited": 55}), outcomes
    item = dal.get(keys.limiter_key(identity.name_subject(*name)), consistent=True)
    assert item and int(item["failures"]) == 5
    with pytest.raises(DomainError) as refused:
        identity.find(CLINIC, *name, date.fromisoformat(patient["birthDate"]))
    assert refused.value.code == "rate_limited"
    config.settings.cache_clear()
