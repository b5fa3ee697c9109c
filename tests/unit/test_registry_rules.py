"""Pure rules of the clinic side (issue 11): plan -> slots, plan history, what a day needs, staff scope."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from shared.clinic import plans, staff
from shared.notify import messages
from shared.platform import clock, keys
from shared.platform.errors import DomainError

MONDAY = date(2026, 11, 30)
DOCTOR = {"id": "cl0101-d20", "clinicId": "cl0101", "specialtyId": "therapist", "room": "214",
          "plans": [{"validFrom": "2026-11-01", "slotMinutes": 20,
                     "plan": [{"weekday": 1, "from": "08:00", "to": "09:00"},
                              {"weekday": 1, "from": "13:00", "to": "13:50"}]}]}


def local_times(pairs: list[tuple[int, int]]) -> list[str]:
    return [clock.local_iso(s)[11:16] + "-" + clock.local_iso(e)[11:16] for s, e in pairs]


def test_plan_cuts_slots_and_drops_a_short_tail() -> None:
    assert local_times(plans.day_slots(DOCTOR, MONDAY)) == ["08:00-08:20", "08:20-08:40", "08:40-09:00",
                                                            "13:00-13:20", "13:20-13:40"]
    assert plans.day_slots(DOCTOR, MONDAY + timedelta(days=1)) == []  # Tuesday: no hours
    assert plans.day_slots(DOCTOR, date(2026, 10, 26)) == []  # before the plan applies


def test_demo_hours_still_make_slots() -> None:
    demo = {"id": "cl0101-d01", "slotMinutes": 30, "hours": {"0": [8, 10]}}
    assert local_times(plans.day_slots(demo, MONDAY)) == ["08:00-08:30", "08:30-09:00", "09:00-09:30",
                                                          "09:30-10:00"]


def test_plan_problems() -> None:
    good = [{"weekday": 1, "from": "08:00", "to": "12:00"}, {"weekday": 1, "from": "12:00", "to": "14:00"}]
    assert plans.plan_problems(good, 30) == []
    assert plans.plan_problems([{"weekday": 2, "from": "08:00", "to": "08:10"}], 30) == ["plan.0"]
    overlapping = [{"weekday": 3, "from": "08:00", "to": "12:00"}, {"weekday": 3, "from": "11:30", "to": "14:00"}]
    assert plans.plan_problems(overlapping, 30) == ["plan.weekday3"]


def test_plan_history_keeps_what_decides_days() -> None:
    week = [{"weekday": 1, "from": "08:00", "to": "12:00"}]
    later = [{"weekday": 2, "from": "14:00", "to": "18:00"}]
    today = date(2026, 12, 1)
    history = plans.with_plan([], week, 30, today, today)
    history = plans.with_plan(history, later, 20, date(2027, 1, 1), today)
    assert [e["validFrom"] for e in history] == ["2026-12-01", "2027-01-01"]
    doctor = dict(DOCTOR, plans=history)
    assert plans.plan_for_day(doctor, date(2026, 12, 28)) == ([(480, 720)], 30)
    assert plans.plan_for_day(doctor, date(2027, 1, 5)) == ([(840, 1080)], 20)
    # A plan from a day before the later one replaces it; old entries no longer deciding any day go.
    replaced = plans.with_plan(history, week, 15, date(2026, 12, 20), date(2026, 12, 21))
    assert [e["validFrom"] for e in replaced] == ["2026-12-01", "2026-12-20"]
    assert plans.normalised(list(reversed(good_week()))) == good_week()


def good_week() -> list[dict[str, Any]]:
    return [{"weekday": 1, "from": "08:00", "to": "12:00"}, {"weekday": 2, "from": "08:00", "to": "12:00"}]


def _slot(start: int, end: int, status: str = "free", **extra: Any) -> dict[str, Any]:
    return dict(plans.slot_item(DOCTOR, start, end), status=status, **extra)


def test_diff_puts_closes_reopens_and_reports_conflicts() -> None:
    wanted = plans.day_slots(DOCTOR, MONDAY)
    now = clock.day_start(MONDAY) - 3600
    (s1, e1), (s2, e2), (s3, e3) = wanted[:3]
    stray = s1 + 600  # an old plan's 10-minute slot
    existing = [
        _slot(s1, e1),  # as wanted
        _slot(s2, e2, "closed", closedBy="plan"),  # closed by a plan, wanted again
        _slot(stray, stray + 600),  # free, no longer wanted
        _slot(stray + 1200, stray + 1800, "booked", appointmentId="a" * 24),  # booked, no longer wanted
        _slot(s3, e3 + 300),  # wanted with another end
    ]
    work = plans.diff(DOCTOR, wanted, existing, now, absent=False)
    assert [i["start"] for i in work.put] == [s for s, _ in wanted[3:]]
    assert [i["start"] for i in work.reopen] == [s2]
    assert [i["start"] for i in work.close] == [stray]
    assert [i["start"] for i in work.reshape] == [s3]
    assert [i["appointmentId"] for i in work.conflicts] == ["a" * 24] and work.cancel == []


def test_diff_on_a_day_of_absence_closes_and_cancels_but_never_reopens() -> None:
    wanted = plans.day_slots(DOCTOR, MONDAY)
    (s1, e1), (s2, e2), (s3, e3) = wanted[:3]
    now = clock.day_start(MONDAY)
    existing = [_slot(s1, e1, "held", holdId="h"), _slot(s2, e2, "booked", appointmentId="b" * 24),
                _slot(s3, e3, "closed", closedBy="absence")]
    work = plans.diff(DOCTOR, wanted, existing, now, absent=True)
    assert work.put == [] and work.reopen == []
    assert [i["start"] for i in work.close] == [s1]
    assert [i["appointmentId"] for i in work.cancel] == ["b" * 24]


def test_diff_leaves_started_slots_alone() -> None:
    wanted = plans.day_slots(DOCTOR, MONDAY)
    now = wanted[1][0]  # the second slot starts now
    existing = [_slot(s, e, "booked", appointmentId="c" * 24) for s, e in wanted[:2]]
    work = plans.diff(DOCTOR, [], existing, now, absent=True)
    assert [i["start"] for i in work.cancel] == []  # both have started (<= now)
    assert plans.diff(DOCTOR, wanted, [], now, absent=False).put[0]["start"] == wanted[2][0]


def test_absent_days_and_window() -> None:
    absences = [{"doctorId": "cl0101-d20", "from": "2026-12-01", "to": "2026-12-03", "reason": "sick"},
                {"doctorId": "cl0101-d01", "from": "2026-12-05", "to": "2026-12-05", "reason": "other"}]
    assert plans.absent_days(absences, "cl0101-d20") == {"2026-12-01": "sick", "2026-12-02": "sick",
                                                         "2026-12-03": "sick"}
    today = date(2026, 12, 1)
    # Today and the next 13 days (the booking window, shared/domain/slots.py): never a 15th day.
    assert plans.window(today)[0] == today and plans.window(today)[-1] == date(2026, 12, 14)
    assert plans.window(today, date(2026, 12, 15)) == []
    assert plans.window(today, date(2026, 11, 1))[0] == today


def _event(claims: dict[str, str] | None) -> dict:
    return {"requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": None}} if claims else {}}}


@pytest.mark.parametrize(("claims", "clinic", "role"), [
    ({"sub": "a1", "clinic_id": "cl0101", "staff_role": "receptionist"}, "cl0101", "receptionist"),
    ({"sub": "a2", "clinic_id": "cl0102", "staff_role": "head"}, "cl0102", "head"),
    # Cognito's spelling of custom attributes.
    ({"sub": "a3", "custom:clinic_id": "cl0303", "custom:staff_role": "head"}, "cl0303", "head"),
    ({"sub": "a4", "clinic_id": "city", "staff_role": "city"}, None, "city"),
])
def test_staff_clinic_and_role_come_from_the_token_claims(claims: dict[str, str], clinic: str | None,
                                                          role: str) -> None:
    caller = staff.caller(_event(claims))
    assert (caller.clinic_id, caller.role, caller.subject) == (clinic, role, claims["sub"])
    assert caller.actor.subject == claims["sub"] and caller.actor.role == role
    caller.require("cl0101" if clinic is None else clinic, staff.DAYLIST)


@pytest.mark.parametrize(("role", "allowed"), [
    ("receptionist", {staff.DAYLIST, staff.ATTENDANCE}),
    ("head", {staff.DAYLIST, staff.ATTENDANCE, staff.PLANS, staff.ABSENCES, staff.REFERRALS, staff.ATTACHMENTS,
              staff.REPRESENTATIVES, staff.JOURNAL}),
])
def test_the_role_table(role: str, allowed: set[str]) -> None:
    caller = staff.caller(_event({"sub": "x", "clinic_id": "cl0101", "staff_role": role}))
    every = {staff.DAYLIST, staff.ATTENDANCE, staff.PLANS, staff.ABSENCES, staff.REFERRALS, staff.ATTACHMENTS,
             staff.REPRESENTATIVES, staff.JOURNAL}
    for action in every:
        if action in allowed:
            caller.require("cl0101", action)
        else:
            with pytest.raises(DomainError) as refused:
                caller.require("cl0101", action)
            assert refused.value.code == "forbidden"
    city = staff.caller(_event({"sub": "c", "clinic_id": "city", "staff_role": "city"}))
    for action in every:
        city.require("cl1802", action)


def test_staff_outside_their_clinic_patients_and_odd_tokens_are_refused() -> None:
    with pytest.raises(DomainError) as refused:
        staff.caller(_event({"sub": "x", "clinic_id": "cl0101", "staff_role": "head"})).require("cl0102", staff.DAYLIST)
    assert refused.value.code == "forbidden" and refused.value.status == 403
    patient = {"sub": "p", "family_name": "Иванов", "oms_policy_number": "7800000000000000"}
    for claims in [patient, {"sub": "x", "clinic_id": "cl0101"},
                   {"sub": "x", "clinic_id": "cl0101", "staff_role": "boss"},
                   {"sub": "x", "clinic_id": "city", "staff_role": "head"},  # the role and the clinic disagree
                   {"sub": "x", "clinic_id": "cl0101", "staff_role": "city"},
                   {"sub": "x", "clinic_id": "CL01", "staff_role": "head"},
                   {"clinic_id": "cl0101", "staff_role": "head"}]:  # no subject
        with pytest.raises(DomainError) as refused:
            staff.caller(_event(claims))
        assert refused.value.code == "forbidden", claims
    with pytest.raises(DomainError) as refused:
        staff.caller(_event(None))
    assert refused.value.code == "unauthorized" and refused.value.status == 401


def test_doctor_numbers_and_day_keys() -> None:
    assert keys.doctor_id_seq("cl0101-d07") == 7 and keys.doctor_id_seq("cl0101-x") is None
    assert keys.clinic_day_pk("cl0101", "2026-12-01") == "DAY#cl0101#2026-12-01"
    assert keys.clinic_day_sk("cl0101-d07", 1795654800, "abc").startswith("cl0101-d07#20261126")


def test_clinic_cancellation_email_says_who_and_why() -> None:
    ticket = {"number": "01-0900", "start": "2026-12-01T09:00:00+03:00", "end": "2026-12-01T09:20:00+03:00",
              "cancelledBy": "clinic", "cancelReason": "sick", "doctor": {"specialty": "Терапевт"}}
    paragraphs = [text for text, _ in messages._paragraphs(ticket, messages.CANCELLATION, "ru")]
    assert "Поликлиника отменила запись: врач заболел" in paragraphs[0]
    english = [text for text, _ in messages._paragraphs(ticket, messages.CANCELLATION, "en")]
    assert english[0].startswith("The clinic cancelled the appointment: the doctor is ill")
    patient = [text for text, _ in messages._paragraphs(dict(ticket, cancelledBy="patient"),
                                                        messages.CANCELLATION, "ru")]
    assert "Поликлиника" not in patient[0]
