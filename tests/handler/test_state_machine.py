"""The cross-feature state machine (tests/state_machine.py: every actor through the handlers, the stream fed
to the offers function and the notifier, the invariants after every step) on moto, and what it found, each a
shrunk example replayed as a regression test. tests/integration/test_state_machine_local.py runs the same
machine on DynamoDB Local."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.faces.fhir import codes
from shared.platform import config, statuses
from tests.handler.helpers import reschedule_event, staff_event
from tests.state_machine import (
    CLINIC,
    MAX_EXAMPLES,
    NEW_DOCTOR,
    SENDER,
    STEPS,
    THERAPIST,
    Clinic,
    MotoBackend,
    call,
    fhir_call,
    run_machine,
)
from tests.support import claims_of


@pytest.fixture
def notifier_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notifier's settings (tests/handler/conftest.py's `notifier`); its SES identity and dead-letter queue
    are made by each example, after the restore that empties SES and SQS."""
    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    monkeypatch.setenv("REPLY_TO_EMAIL", "registry@zapis.example.org")
    monkeypatch.setenv("SES_CONFIGURATION_SET", "zapis-k-vrachu")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://zapis.example.org")
    monkeypatch.setenv("NOTIFIER_DLQ_URL", "")
    monkeypatch.delenv("OPENER_QUEUE_URL", raising=False)
    config.settings.cache_clear()


def test_clinic_state_machine(moto_table: str, _seeded_table: dict[Any, dict[Any, Any]], notifier_env: None) -> None:
    run_machine(MotoBackend(_seeded_table), MAX_EXAMPLES, STEPS)


# ---------------------------------------------------------------- what the machine found, as regression tests
# Each is a shrunk failing example, replayed step by step by hand on the same machine (its rules, its stream,
# its invariants after every step), or as plain requests where that says it as well.
@pytest.fixture
def clinic(moto_table: str, _seeded_table: dict[Any, dict[Any, Any]], notifier_env: None) -> Iterator[Clinic]:
    """The machine, driven by hand: call its rules, then `check()` runs every invariant."""
    machine = type("Clinic", (Clinic,), {"backend": MotoBackend(_seeded_table)})()
    try:
        yield machine
    finally:
        machine.teardown()


def test_offers_for_a_doctor_published_without_an_english_name(clinic: Clinic) -> None:
    """The offers function failed every record of the slots a staff-published doctor without `nameEn` opened
    (found at f3b6647: the offer wrote the missing English name as a placeholder)."""
    clinic.join(who=0, specialty="therapist", doctor=None, first=0, span=3, signed_in=False, aim=None)
    clinic.check()
    clinic.publish_plan(doctor=NEW_DOCTOR, plan="mornings", name_en=False)
    clinic.check()
    (entry,) = clinic.entries()
    assert entry["status"] == statuses.OFFERED and entry["offerDoctorId"] == NEW_DOCTOR


def test_day_list_of_a_day_with_a_rescheduled_appointment(moto_table: str) -> None:
    """The reception's day list answered 503 for the day an appointment was moved away from (found at
    f3b6647: the day list's model had no `rescheduled` status)."""
    from tests.handler.helpers import PATIENT, book, slot_ahead

    old = book(PATIENT, slot_ahead()["id"])
    status, body = call("booking", reschedule_event(old["id"], slot_ahead(days=3)["id"]))
    assert status == 201, body
    for appointment in (old, body["appointment"]):
        event = staff_event("GET", f"/v1/registry/clinics/{CLINIC}/appointments",
                            query={"date": appointment["start"][:10]})
        status, day = call("registry", event)
        assert status == 200, day
        assert appointment["id"] in [a["id"] for a in day["items"]]


def test_fhir_reads_a_rescheduled_appointment(moto_table: str) -> None:
    """Book, reschedule, then the old appointment read on /fhir/me answered 503 (found in the working tree
    of 7 Dec: shared/faces/fhir/resources.appointment had no FHIR status for `rescheduled`, a KeyError)."""
    from tests.handler.helpers import PATIENT, book, slot_ahead

    old = book(PATIENT, slot_ahead()["id"])
    status, body = call("booking", reschedule_event(old["id"], slot_ahead(days=3)["id"]))
    assert status == 201, body
    new = body["appointment"]
    for appointment_id in (old["id"], new["id"]):
        status, read = fhir_call("GET", f"/fhir/me/Appointment/{codes.fhir_id(appointment_id)}",
                                 claims=claims_of(PATIENT))
        assert status == 200, read


def test_leaving_the_waiting_list_while_an_offer_lands(clinic: Clinic) -> None:
    """A patient leaves; between the leave's read (waiting) and its write, a freed slot is offered to the entry:
    the leave answered 503 (at f3b6647); it must leave the offered entry and give the slot back."""
    clinic.hold(who=1, slot=(THERAPIST, 2), signed_in=False)
    clinic.join(who=0, specialty="therapist", doctor=None, first=0, span=3, signed_in=False, aim=None)
    clinic.check()
    clinic.race_with_stream(then="leave", pick=0, who=0, slot=(THERAPIST, 0), same_doctor=False)
    clinic.check()
    (entry,) = clinic.entries()
    assert entry["status"] == statuses.CANCELLED


def test_an_absence_closing_an_offered_slot_ends_the_offer(clinic: Clinic) -> None:
    """An absence closed the slot held for an offer and the entry stayed `offered` forever (at f3b6647; the
    offer's hold could not lapse any more). The entry must not stay offered a slot nobody holds for it."""
    clinic.hold(who=1, slot=(THERAPIST, 2), signed_in=False)
    clinic.join(who=0, specialty="therapist", doctor=None, first=0, span=3, signed_in=False, aim=None)
    clinic.release(pick=0)
    clinic.check()
    assert [e["status"] for e in clinic.entries()] == [statuses.OFFERED]
    clinic.absence(doctor=THERAPIST, first=0, span=0, reason="sick", dry_run=False, taken=0)
    clinic.check()


def test_leaving_an_old_entry_after_joining_again(clinic: Clinic) -> None:
    """A patient waited for one day; the next day they join again (the pointer of their one active entry now
    names the new entry), then leave the old one: 503 `unavailable` (the leave's transaction deletes the
    pointer on condition that it names the entry left, which fails, and the refusal is answered 503)."""
    clinic.join(who=0, specialty="therapist", doctor=None, first=0, span=0, signed_in=False, aim=None)
    clinic.advance(minutes=-1, then_sweep=False)
    clinic.join(who=0, specialty="therapist", doctor=None, first=0, span=1, signed_in=False, aim=None)
    clinic.check()
    clinic.leave(pick=0, owner=True, who=0, signed_in=False)  # the first entry (entries are in joining order)
    clinic.check()


def test_an_offer_swept_after_its_patient_joined_again_lapses(clinic: Clinic) -> None:
    """An offer expires and the sweeper frees its slot only after the patient's entry has run out and they
    joined again: the lapse's transaction (entry -> lapsed, pointer deleted while it names this entry) is
    refused by the pointer, the refusal is ignored, and the entry stays `offered` a free slot forever."""
    clinic.join(who=0, specialty="therapist", doctor=None, first=0, span=0, signed_in=False, aim=None)
    clinic.hold(who=1, slot=(THERAPIST, 2), signed_in=False)
    clinic.release(pick=0)
    clinic.check()
    assert [e["status"] for e in clinic.entries()] == [statuses.OFFERED]
    clinic.advance(minutes=-1, then_sweep=False)
    clinic.join(who=0, specialty="therapist", doctor=None, first=0, span=1, signed_in=False, aim=None)
    clinic.sweep()
    clinic.check()
