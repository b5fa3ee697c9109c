"""Races on DynamoDB Local (moto is not thread-safe): cancel vs. book, sweeper vs. a booking holding a
just-expiring hold, two sweeps at once, two cancels at once.

After every race the slot and the appointments naming it must agree: at most one booked appointment per
slot; a booked slot points at that appointment; a free slot has no booked appointment and is listed in the
Availability index again.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from shared.booking import holds, sweeper
from shared.platform import dal, keys
from shared.platform.errors import DomainError
from tests.integration.people import identity, together
from tests.integration.world import (
    HOLD_FIELDS,
    PEOPLE,
    assert_consistent,
    book,
    cancel,
    lock_of,
    slot_of,
)
from tests.support import hold_for

pytestmark = pytest.mark.integration

ROUNDS = 5


# ---------------------------------------------------------------- cancel vs. book
def _cancel_then_signal(owner: dict[str, Any], appointment_id: str, done: threading.Event) -> str:
    try:
        return cancel(owner, appointment_id)
    finally:
        done.set()


def _book_until_cancelled(rival: dict[str, Any], slot_id: str, cancelled: threading.Event) -> list[str]:
    """Try to book until it works, or once more after the cancellation finished; every refusal code."""
    codes: list[str] = []
    for _ in range(500):
        after_cancel = cancelled.is_set()
        code, _ = book(rival, slot_id)
        codes.append(code)
        if code == "booked" or after_cancel:
            break
    return codes


def test_cancel_vs_book_on_the_same_slot(world: dict[str, Any]) -> None:
    for i in range(ROUNDS):
        owner, rival_a, rival_b = PEOPLE[3 * i:3 * i + 3]
        slot_id = world["slots"][i]
        code, appt = book(owner, slot_id)
        assert code == "booked" and appt
        cancelled = threading.Event()
        outcome, codes_a, codes_b = together(partial(_cancel_then_signal, owner, appt, cancelled),
                                             partial(_book_until_cancelled, rival_a, slot_id, cancelled),
                                             partial(_book_until_cancelled, rival_b, slot_id, cancelled))

        assert outcome == "cancelled"
        finals = sorted([codes_a[-1], codes_b[-1]])
        assert finals == ["booked", "slot_unavailable"], (codes_a, codes_b)
        assert set(codes_a[:-1] + codes_b[:-1]) <= {"slot_unavailable", "unavailable"}
        slot = assert_consistent(slot_id)
        winner = rival_a if codes_a[-1] == "booked" else rival_b
        assert slot["status"] == "booked" and slot["bookings"] == 2
        assert lock_of(owner) is None and lock_of(winner)


# ---------------------------------------------------------------- sweeper vs. booking
@pytest.mark.parametrize("with_rival", [False, True])
def test_sweeper_vs_booking_holding_a_just_expiring_hold(world: dict[str, Any], with_rival: bool) -> None:
    now = world["clock"]
    released = 0
    for i in range(ROUNDS):
        holder, rival = PEOPLE[2 * i], PEOPLE[2 * i + 1]
        slot_id = world["slots"][5 + i]
        hold = holds.create_hold(slot_id, identity(holder))
        now["t"] += 300  # the hold's expiry: from now on it counts as expired
        assert slot_of(slot_id)["holdExpiresAt"] == now["t"]
        calls: list[Callable[[], Any]] = [lambda s=slot_id, h=hold["holdId"], p=holder: book(p, s, h),
                                          lambda t=now["t"]: sweeper.sweep(t)]
        if with_rival:
            calls.append(lambda s=slot_id, p=rival: book(p, s))

        results = together(*calls)

        bookings = [r[0] for r in (results[:1] + results[2:])]
        released += results[1].released
        assert results[1].released <= 1
        if with_rival:
            # The hold had expired: either may win, exactly one does.
            assert sorted(bookings) in (["booked", "hold_expired"], ["booked", "slot_unavailable"]), bookings
        else:
            # The sweeper may free the hold first; the slot is then free and still the holder's to take.
            assert bookings == ["booked"]
        slot = assert_consistent(slot_id)
        assert slot["status"] == "booked" and not HOLD_FIELDS & slot.keys()
    assert 0 <= released <= ROUNDS


def test_two_sweeps_at_once_release_each_hold_once(world: dict[str, Any]) -> None:
    now = world["clock"]
    slot_ids = world["slots"][10:22]
    for n, slot_id in enumerate(slot_ids):
        hold_for(slot_id, n)
    now["t"] += 301

    first, second = together(lambda: sweeper.sweep(now["t"]), lambda: sweeper.sweep(now["t"]))

    assert first.released + second.released == len(slot_ids)
    for slot_id in slot_ids:
        slot = assert_consistent(slot_id)
        assert slot["status"] == "free" and not HOLD_FIELDS & slot.keys()


def test_sweeper_vs_a_fresh_hold_on_an_expired_one(world: dict[str, Any]) -> None:
    """An expired hold is free: someone holds the slot anew while the sweeper releases the old hold.
    The new hold must survive."""
    now = world["clock"]
    for i in range(ROUNDS):
        slot_id = world["slots"][22 + i]
        hold_for(slot_id, 2 * i)
        now["t"] += 300
        sweep_result, new_hold = together(lambda t=now["t"]: sweeper.sweep(t),
                                          lambda s=slot_id, n=2 * i + 1: _hold_or_code(s, n))
        slot = slot_of(slot_id)
        assert new_hold.startswith(slot_id)  # the expired hold never blocks a new one
        assert slot["status"] == "held" and slot["holdId"] == new_hold
        assert slot["holdExpiresAt"] == now["t"] + 300
        assert sweep_result.released <= 1  # this round's expired hold, at most
        # The next round moves the clock past this new hold's expiry: give it back, so that round's sweep
        # can only release that round's own expired hold.
        holds.release(new_hold)


def _hold_or_code(slot_id: str, n: int) -> str:
    try:
        return hold_for(slot_id, n)
    except DomainError as refused:
        return refused.code


# ---------------------------------------------------------------- two cancels at once
@pytest.mark.parametrize("second_signed_in", [False, True])
def test_two_cancels_at_once_one_writes_both_answered_cancelled(world: dict[str, Any], second_signed_in: bool) -> None:
    for i in range(ROUNDS):
        owner = PEOPLE[i]
        slot_id = world["slots"][i]
        code, appt = book(owner, slot_id)
        assert code == "booked" and appt

        outcomes = together(lambda a=appt, p=owner: cancel(p, a),
                            lambda a=appt, p=owner: cancel(p, a, signed_in=second_signed_in))

        # One transaction is applied (the slot freed once, below); the other request is answered as a retry
        # of it: the cancelled appointment (rules.cancellation_replayed).
        assert sorted(outcomes) == ["cancelled", "cancelled"]
        slot = assert_consistent(slot_id)
        assert slot["status"] == "free" and slot["bookings"] == 1
        assert lock_of(owner) is None
        stored = dal.get(keys.appointment_key(appt), consistent=True)
        assert stored and stored["status"] == "cancelled"

