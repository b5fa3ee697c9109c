"""The reminder job running twice at once on DynamoDB Local (issue 14): each due reminder is claimed once, so
the notifier is asked for each email once; a cancelled appointment's reminder is never claimed."""
from __future__ import annotations

from typing import Any

import pytest

from shared.booking import reminders
from shared.platform import dal
from tests.integration.people import together
from tests.integration.world import PEOPLE, book, cancel

pytestmark = pytest.mark.integration


def test_two_runs_at_once_claim_each_reminder_once(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminders, "sleep", lambda _s: None)
    booked = []
    for i, slot_id in enumerate(world["slots"][:12]):
        code, appt = book(PEOPLE[i], slot_id)
        assert code == "booked" and appt
        booked.append(appt)
    assert cancel(PEOPLE[0], booked[0]) == "cancelled"
    items = [dal.get({"PK": {"S": f"APPT#{a}"}, "SK": {"S": "#APPT"}}, consistent=True) or {} for a in booked]
    # Every remaining one's day-before reminder is due.
    world["clock"]["t"] = max(int(i["start"]) for i in items) - 1440 * 60 + 1

    first, second = together(lambda: reminders.run(world["clock"]["t"], rate=1000),
                             lambda: reminders.run(world["clock"]["t"], rate=1000))

    assert first.claimed + second.claimed == len(booked) - 1, (first, second)
    after = [dal.get({"PK": {"S": f"APPT#{a}"}, "SK": {"S": "#APPT"}}, consistent=True) or {} for a in booked]
    assert "remindedStage" not in after[0]
    assert all(a["remindedStage"] == 1440 for a in after[1:])
    third = reminders.run(world["clock"]["t"], rate=1000)
    assert third.claimed == 0
