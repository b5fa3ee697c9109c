"""Sweeper function under moto, invoked with the sample scheduled event: which holds it frees, which it leaves."""
from __future__ import annotations

import json

import pytest

from shared.booking import holds
from shared.patients import callers
from shared.platform import clock, keys
from tests.handler.helpers import PATIENT, at, book, free_slot_items, slot_item
from tests.support import Context, event_file, hold_for, load_function

HOLD_FIELDS = {"holdId", "holdExpiresAt", "holdOwner", "HoldPK", "HoldSK"}


def sweep(capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, int], list[dict]]:
    """Run the handler with the sample event; (its result, the EMF metric records it printed)."""
    capsys.readouterr()
    result = load_function("sweeper").handler(event_file("sweeper/scheduled.json"), Context())
    emf = []
    for line in capsys.readouterr().out.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "_aws" in record:
            value = record["HoldsReleased"]
            emf.append({**record, "HoldsReleased": value if isinstance(value, list) else [value]})
    return result, emf


def test_sample_event_is_a_scheduled_event() -> None:
    event = event_file("sweeper/scheduled.json")
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"


def test_sweeper_frees_expired_holds_and_nothing_else(moto_table: str, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    t0 = clock.now()
    at(monkeypatch, t0)
    slots = [s["id"] for s in free_slot_items("cl0101-d01", t0 + 86400)[:6]]
    for n, slot_id in enumerate(slots[:3]):
        hold_for(slot_id, n)
    # The hold that is booked is the booking patient's own (a booking with a hold must come from its owner).
    who = callers.anonymous(PATIENT["policyNumber"], PATIENT.get("policySeries"), PATIENT["lastName"],
                            PATIENT["birthDate"])
    booked_hold = holds.create_hold(slots[3], who)["holdId"]
    reheld_slot = slots[4]
    hold_for(reheld_slot, 4)
    at(monkeypatch, t0 + 200)
    fresh = hold_for(slots[5], 5)  # expires at t0 + 500
    book(PATIENT, slots[3], hold_id=booked_hold)  # booked with its hold: no longer in the Holds index
    at(monkeypatch, t0 + 300)  # the first holds expire now (expiry <= now counts as expired)
    new_hold = hold_for(reheld_slot, 6)  # an expired hold is free: held anew (by someone else)

    result, emf = sweep(capsys)

    assert result == {"examined": 3, "released": 3, "skipped": 0}
    for slot_id in slots[:3]:
        item = slot_item(slot_id)
        assert item["status"] == "free" and not HOLD_FIELDS & item.keys()
        assert item["AvPK"] == "AV#cl0101#therapist"  # never lost its availability keys
    assert slot_item(slots[3])["status"] == "booked"
    assert slot_item(reheld_slot)["holdId"] == new_hold and slot_item(reheld_slot)["status"] == "held"
    assert slot_item(slots[5])["holdId"] == fresh and slot_item(slots[5])["status"] == "held"
    assert [m["HoldsReleased"] for m in emf] == [[3]]
    assert emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Zapis"

    # A second run finds nothing to do; a later one frees the rest.
    assert sweep(capsys)[0] == {"examined": 0, "released": 0, "skipped": 0}
    at(monkeypatch, t0 + 600)
    result, emf = sweep(capsys)
    assert result["released"] == 2 and [m["HoldsReleased"] for m in emf] == [[2]]
    assert slot_item(slots[5])["status"] == "free" and slot_item(reheld_slot)["status"] == "free"
    assert keys.slot_of_hold(new_hold) == reheld_slot
