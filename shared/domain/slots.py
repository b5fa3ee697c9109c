"""What makes a slot free, written once for reads (filters) and for writes (conditions).

A held slot whose hold has expired counts as free everywhere: the expiry is checked in the expression
itself, never by trusting the sweeper or TTL to have run.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from shared.platform import clock, keys
from shared.platform.config import BOOKING_HORIZON_DAYS
from shared.platform.statuses import BOOKED, FREE, HELD

__all__ = ["BOOKED", "FREE", "FREE_CONDITION", "HELD", "HOLD_ATTRIBUTES", "NAMES"]

# What a hold leaves on its slot (shared/booking/holds.py; `offerEntry` when the hold is a waiting-list offer): every
# write that ends a hold removes all of it.
HOLD_ATTRIBUTES = "holdId, holdExpiresAt, holdOwner, HoldPK, HoldSK, offerEntry"
# Needs #st -> status and values :free, :held, :now.
FREE_CONDITION = "(#st = :free OR (#st = :held AND holdExpiresAt <= :now))"
NAMES = {"#st": "status", "#start": "start"}


def free_values(now: int) -> dict[str, Any]:
    return {":free": FREE, ":held": HELD, ":now": now}


# ---------------------------------------------------------------- the booking window (docs/CONTRACT.md, rule 6)
# Decided here only: today and the next BOOKING_HORIZON_DAYS - 1 days, calendar days in the clinic's zone,
# slots not yet started. The API's reads and write conditions, the daily job, gorzdrav, FHIR and the page
# (through the doctor-slots answer's `window`) all take it from these functions.
def last_day(today: date) -> date:
    """The last day of the window whose first day (the clinic's today) is `today`."""
    return today + timedelta(days=BOOKING_HORIZON_DAYS - 1)


def window_days(now: int) -> tuple[date, date]:
    """(first day, last day) of the booking window at `now`, the clinic's local dates: today .. today + 13."""
    today = clock.local_date(now)
    return today, last_day(today)


def horizon(now: int) -> int:
    """The window's last second: a slot starting at or before it (and after `now`) is inside."""
    return clock.day_end(window_days(now)[1]) - 1


def in_booking_window(start: int, now: int) -> bool:
    """Bookable by time: not started yet and starting on a day of the window."""
    return now < start <= horizon(now)


def is_free(slot: Mapping[str, Any], now: int) -> bool:
    status = slot.get("status")
    return status == FREE or (status == HELD and int(slot.get("holdExpiresAt", 0)) <= now)


def availability_keys(slot: dict[str, Any]) -> dict[str, str]:
    """Index keys an unbooked slot carries (removed when booked, restored on cancellation)."""
    return {
        "AvPK": keys.availability_pk(slot["clinicId"], slot["specialtyId"]),
        "AvSK": keys.availability_sk(int(slot["start"]), slot["doctorId"]),
    }


def render(slot: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": slot["slotId"],
        "start": clock.local_iso(int(slot["start"])),
        "end": clock.local_iso(int(slot["end"])),
        "room": slot.get("room", ""),
    }
