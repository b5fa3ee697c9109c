"""A representative removed by the registry loses the right at once (issue 29), on DynamoDB Local: the right to
act for a child is a condition of the booking's own transaction (the child's register entry names the parent), so
a booking racing the removal either commits before it or is refused, and a booking whose read still saw the parent
is refused when the removal lands before its transaction."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.demo import data
from shared.booking import bookings, cancellation
from shared.faces import auth
from shared.patients import attachment, callers, family, policy
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError
from tests.support import claims_of

pytestmark = pytest.mark.integration

CLINIC = "cl0103"
BY_POLICY = {p["policyNumber"]: p for p in data.patients()}
FEDOROVA, IVANOV = BY_POLICY["7800000102000000"], BY_POLICY["7800000102000001"]
ELDER = next(p for p in data.patients() if p["clinicId"] == CLINIC)  # represented by both
ROUNDS = 8


@pytest.fixture
def world(ddb_table: str) -> list[str]:
    """The children's polyclinic cl0103 (profile, specialties, doctors), its first paediatrician's slots for a week,
    the two parents' and the child's register entries and links. Returns slots starting after tomorrow."""
    clinic = next(c for c in data.clinics() if c["id"] == CLINIC)
    items = [i for i in data.reference_items() if CLINIC in i["PK"] or CLINIC in i["SK"]]
    items += data.register_items([FEDOROVA, IVANOV, ELDER])
    doctor = data.doctors(clinic)[0]
    slots = data.slot_items(doctor, clock.local_date(clock.now()), days=7)
    dal.batch_write(items + slots)
    ahead = [s["slotId"] for s in slots if s["start"] > clock.now() + 86400]
    assert len(ahead) >= ROUNDS + 2
    return ahead


def parent(p: dict[str, Any]) -> callers.Caller:
    return auth.signed_in_patient(claims_of(p))


def representative(p: dict[str, Any]) -> callers.Caller:
    """The parent acting for ELDER, resolved from their link now (as a face does before the operation)."""
    member = family.member_id(policy.policy_hash(p["policyNumber"]), policy.policy_hash(ELDER["policyNumber"]))
    return family.acting_for(parent(p), member)


def set_representatives(parents: list[dict[str, Any]]) -> None:
    person = {k: ELDER.get(k) for k in ("lastName", "firstName", "middleName", "birthDate", "policyNumber",
                                        "policySeries")}
    attachment.replace_representatives(person=person, parents=[(p["policyNumber"], None) for p in parents],
                                       clinic_id=CLINIC)


def book(caller: callers.Caller, slot: str, key: str) -> dict[str, Any]:
    outcome = bookings.book(bookings.Request(slot, None, caller, key, bookings.fingerprint("race", {"k": key}), "ru"))
    return dict(outcome.body["appointment"])


def timed(fn: Any, start: threading.Barrier) -> tuple[str, float, float]:
    """(outcome, when the call began, when it returned), monotonic seconds."""
    start.wait()
    began = time.monotonic()
    try:
        out = fn()
        outcome = f"ok:{out['id']}" if isinstance(out, dict) and "id" in out else "ok"
    except DomainError as refused:
        outcome = refused.code
    return outcome, began, time.monotonic()


def test_a_booking_racing_the_removal_commits_before_it_or_is_refused(world: list[str]) -> None:
    booked = refused = 0
    for n in range(ROUNDS):
        set_representatives([FEDOROVA, IVANOV])
        acting = representative(IVANOV)  # read while IVANOV is still a representative
        start = threading.Barrier(2)
        with ThreadPoolExecutor(max_workers=2) as pool:
            booking = pool.submit(timed, lambda a=acting, k=n: book(a, world[k], f"race-{k}"), start)
            removal = pool.submit(timed, lambda: set_representatives([FEDOROVA]), start)
            (b_out, b_began, _), (r_out, _, r_done) = booking.result(), removal.result()
        assert r_out == "ok", r_out
        entry = dal.register_entry(policy.policy_hash(ELDER["policyNumber"]), consistent=True)
        assert entry and entry.get("representatives") == [policy.policy_hash(FEDOROVA["policyNumber"])]
        if b_out.startswith("ok:"):
            booked += 1
            # Committed: its transaction saw IVANOV named, so it cannot have begun after the removal returned.
            assert not r_done < b_began, (n, b_out)
            appointment_id = b_out.split(":", 1)[1]
            item = dal.appointment(appointment_id, consistent=True)
            assert item and item["PatPK"] == keys.policy_pk(policy.policy_hash(ELDER["policyNumber"]))
            # The parent removed can no longer cancel it; the one who stays can.
            with pytest.raises(DomainError) as gone:
                cancellation.cancel(appointment_id, acting, "ru")
            assert gone.value.code == "not_found"
            cancellation.cancel(appointment_id, representative(FEDOROVA), "ru")
        else:
            refused += 1
            assert b_out in ("not_found", "patient_not_found"), b_out
            assert world[n] in free_now(world)
        # After the removal, the stale right books nothing.
        with pytest.raises(DomainError) as late:
            book(acting, world[ROUNDS], f"late-{n}")
        assert late.value.code == "not_found"
    assert booked + refused == ROUNDS
    print(f"race outcomes: {booked} booked before the removal, {refused} refused")


def free_now(slots: list[str]) -> set[str]:
    found = dal.batch_get([keys.slot_key(s) or {} for s in slots], consistent=True)
    return {str(i["slotId"]) for i in found if i.get("status") == "free"}


def test_the_removal_between_the_read_and_the_transaction_refuses_the_booking(
        world: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    set_representatives([FEDOROVA, IVANOV])
    acting = representative(IVANOV)
    real = dal.transact
    removed: list[bool] = []

    def remove_first(ops: Any) -> None:
        if not removed:
            removed.append(True)
            monkeypatch.setattr(dal, "transact", real)
            set_representatives([FEDOROVA])
        real(ops)

    monkeypatch.setattr(dal, "transact", remove_first)
    with pytest.raises(DomainError) as refused:
        book(acting, world[0], "between")
    assert removed and refused.value.code == "not_found"
    assert world[0] in free_now(world)
    lock = dal.get(keys.key(keys.policy_pk(policy.policy_hash(ELDER["policyNumber"])),
                            keys.specialty_lock_sk("paediatrician")), consistent=True)
    assert lock is None
