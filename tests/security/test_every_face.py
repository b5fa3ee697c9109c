"""Every abuse case against every face (issue 25): `/v1`, `/v1/me`, gorzdrav, FHIR and FHIR `/me` inherit one
set of rules because they all call the same operations with a `shared.patients.callers.Caller`. Each case is
parametrized by face (tests/security/faces.py): a new face is covered by adding it there.

- an identity sweep (wrong birth dates for a real patient) is cut off at the 11th failure, and the right
  birth date is refused too until the window ends;
- failures on one face count on the others (one counter per policy);
- oracle answers are identical for a known patient with a wrong identity and for an unknown one;
- a token with the victim's policy and another person's name and birth date opens nothing;
- another patient's appointment is unreadable, uncancellable and immovable on every face;
- bodies over 8 KB are 413 and deep JSON is a 4xx on every face; nothing answers 5xx.
"""
from __future__ import annotations

from typing import Any

import pytest

from shared.platform import dal, keys
from shared.platform.config import settings
from tests.fhir_check import fhir_patient, parameters
from tests.handler.helpers import book
from tests.security.faces import (
    ALL_CHECKS,
    BY_POLICY,
    Answer,
    a_slot,
    appointment_resource,
    claims_mixed,
    fhir,
    gorzdrav,
    v1,
)
from tests.support import claims_of, patients_of

VICTIM, ATTACKER, THIRD = patients_of("cl0101")
WRONG_DATES = [f"19{50 + n // 12:02d}-{1 + n % 12:02d}-15" for n in range(30)]


def wrong(p: dict[str, Any], n: int) -> dict[str, Any]:
    assert WRONG_DATES[n] != p["birthDate"]
    return dict(p, birthDate=WRONG_DATES[n])


def assert_no_5xx(answers: list[Answer]) -> None:
    assert all(a.status < 500 for a in answers), [(a.status, a.body) for a in answers if a.status >= 500]


# ---------------------------------------------------------------- the identity sweep
@pytest.mark.parametrize("face", sorted(ALL_CHECKS))
def test_an_identity_sweep_is_cut_off_at_the_11th_failure_on_every_face(moto_table: str, face: str) -> None:
    check = ALL_CHECKS[face]
    limit = settings().identity_failures_max
    answers = [check(wrong(VICTIM, n)) for n in range(30)]
    assert_no_5xx(answers)
    assert not any(a.limited for a in answers[:limit]), [(a.status, a.code) for a in answers[:limit]]
    assert all(a.limited for a in answers[limit:]), [(a.status, a.code) for a in answers[limit:]]
    # The right birth date is refused too until the window ends: the sweep learns nothing at the end.
    assert check(VICTIM).limited
    # Another patient is not slowed by the victim's counter.
    assert not check(THIRD).limited


@pytest.mark.parametrize(("first", "second"), [("v1 hold", "fhir $book"), ("fhir $hold", "v1 search"),
                                               ("gorzdrav oms", "v1 book"), ("v1 attachment", "fhir $hold"),
                                               ("v1 waitlist", "gorzdrav oms")])
def test_failures_on_one_face_count_on_the_others(moto_table: str, first: str, second: str) -> None:
    half = settings().identity_failures_max // 2
    answers = [BY_POLICY[first](wrong(VICTIM, n)) for n in range(half)]
    answers += [BY_POLICY[second](wrong(VICTIM, half + n)) for n in range(settings().identity_failures_max - half)]
    assert not any(a.limited for a in answers)
    assert BY_POLICY[first](wrong(VICTIM, 20)).limited and BY_POLICY[second](wrong(VICTIM, 21)).limited


# ---------------------------------------------------------------- oracles
def _same(a: Answer, b: Answer) -> bool:
    def strip(body: Any) -> Any:
        return {k: v for k, v in body.items() if k != "requestId"} if isinstance(body, dict) else body
    return (a.status, strip(a.body)) == (b.status, strip(b.body))


def unknown(p: dict[str, Any]) -> dict[str, Any]:
    return dict(p, policyNumber="7800000000000099")


@pytest.mark.parametrize("face", sorted(BY_POLICY))
def test_a_wrong_identity_answers_exactly_like_an_unknown_policy(moto_table: str, face: str) -> None:
    check = BY_POLICY[face]
    assert _same(check(wrong(VICTIM, 0)), check(unknown(wrong(VICTIM, 0))))


def test_the_gorzdrav_policy_look_up_alone_answers_like_an_unknown_policy(moto_table: str) -> None:
    real = gorzdrav("GET", "/oms/attachment/lpus", query={"polisN": VICTIM["policyNumber"]})
    made_up = gorzdrav("GET", "/oms/attachment/lpus", query={"polisN": "7800000000000099"})
    assert real.status == 200 and _same(real, made_up)


# ---------------------------------------------------------------- the mixed token
def test_a_token_mixing_the_victims_policy_with_another_identity_opens_nothing(moto_table: str) -> None:
    ticket = book(VICTIM, a_slot())
    claims = claims_mixed(VICTIM, ATTACKER)
    appt = ticket["id"]
    answers = {
        "fhir/me read": fhir("GET", f"/fhir/me/Appointment/{appt}", claims=claims),
        "fhir/me $cancel": fhir("POST", f"/fhir/me/Appointment/{appt}/$cancel", claims=claims),
        "v1/me reschedule": v1("POST", f"/v1/me/appointments/{appt}/reschedule", {"slotId": a_slot(3)},
                               claims=claims, key=True),
        "v1/me cancel": v1("POST", f"/v1/me/appointments/{appt}/cancel", claims=claims),
        "v1/me history": v1("GET", "/v1/me/appointments", claims=claims),
        "v1/me waitlist": v1("GET", "/v1/me/waitlist", claims=claims),
        "v1/me attachment": v1("GET", "/v1/me/attachment", claims=claims),
        "v1/me hold": v1("POST", "/v1/me/holds", {"slotId": a_slot(4)}, claims=claims),
        "v1/me book": v1("POST", "/v1/me/appointments", {"slotId": a_slot(4)}, claims=claims, key=True),
        "fhir/me $book": fhir("POST", "/fhir/me/Appointment/$book",
                              parameters(appointment_resource=appointment_resource(a_slot(4))), claims=claims,
                              key=True),
    }
    refused = {name: (a.status, a.code) for name, a in answers.items()}
    assert all(status == 403 and code == "patient_not_found" for status, code in refused.values()), refused
    stored = dal.get(keys.appointment_key(appt), consistent=True) or {}
    assert stored["status"] == "booked"


# ---------------------------------------------------------------- another patient's appointment
def test_another_patients_appointment_is_unreadable_uncancellable_and_immovable_on_every_face(
        moto_table: str) -> None:
    ticket = book(VICTIM, a_slot())
    appt = ticket["id"]
    mine = claims_of(ATTACKER)
    gz_id = gorzdrav("GET", "/patient/search", query={
        "lpuId": "111", "lastName": ATTACKER["lastName"], "firstName": ATTACKER["firstName"],
        "middleName": ATTACKER.get("middleName") or "", "birthdate": ATTACKER["birthDate"]}).body["result"]
    policy = {"policyNumber": ATTACKER["policyNumber"]}
    answers = {
        "v1 cancel": v1("POST", f"/v1/appointments/{appt}/cancel", policy),
        "v1 reschedule": v1("POST", f"/v1/appointments/{appt}/reschedule", {**policy, "slotId": a_slot(3)},
                            key=True),
        "v1/me cancel": v1("POST", f"/v1/me/appointments/{appt}/cancel", claims=mine),
        "v1/me reschedule": v1("POST", f"/v1/me/appointments/{appt}/reschedule", {"slotId": a_slot(3)},
                               claims=mine, key=True),
        "fhir/me read": fhir("GET", f"/fhir/me/Appointment/{appt}", claims=mine),
        "fhir/me $cancel": fhir("POST", f"/fhir/me/Appointment/{appt}/$cancel", claims=mine),
        "fhir $cancel": fhir("POST", f"/fhir/Appointment/{appt}/$cancel",
                             parameters(patient_resource=fhir_patient(ATTACKER))),
    }
    refused = {name: (a.status, a.code) for name, a in answers.items()}
    assert all(r == (404, "not_found") for r in refused.values()), refused
    gz = gorzdrav("POST", "/appointment/cancel", {"lpuId": 111, "patientId": gz_id, "appointmentId": appt})
    assert gz.body["success"] is False
    assert (dal.get(keys.appointment_key(appt), consistent=True) or {})["status"] == "booked"


# ---------------------------------------------------------------- bodies
BIG = {"padding": "я" * 10_000}  # 20 KB of UTF-8


def deep(levels: int) -> str:
    """JSON nested `levels` deep, as text (too deep for Python's own encoder to write)."""
    return '{"slotId": ' + "[" * levels + '"x"' + "]" * levels + "}"


POSTS = {
    "v1": lambda body: v1("POST", "/v1/holds", body),
    "v1/me": lambda body: v1("POST", "/v1/me/holds", body, claims=claims_of(VICTIM)),
    "gorzdrav": lambda body: gorzdrav("POST", "/appointment/create", body),
    "fhir": lambda body: fhir("POST", "/fhir/Appointment/$book", body, key=True),
    "fhir/me": lambda body: fhir("POST", "/fhir/me/Appointment/$book", body, claims=claims_of(VICTIM), key=True),
}


@pytest.mark.parametrize("face", sorted(POSTS))
def test_bodies_over_8_kb_are_413_and_deep_json_a_4xx_on_every_face(moto_table: str, face: str) -> None:
    big, nested = POSTS[face](BIG), POSTS[face](deep(1000))
    assert big.status == 413, (big.status, big.body)
    assert 400 <= nested.status < 500, (nested.status, nested.body)
