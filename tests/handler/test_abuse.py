"""Issue 12, abuse resistance, through the handlers: holds belong to a patient, search and attachment look-up
need the identity, failed identity checks are limited per policy, token claims must match the register,
names are names, and the notifier caps the emails one address gets a day."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from shared.notify import cap, messages
from shared.platform import config, statuses
from tests.handler.helpers import (
    anonymous_event,
    assert_error,
    doctor_of,
    free_slots,
    hold,
    hold_event,
    identity_body,
    signed_in_event,
    signed_in_hold_event,
    slot_item,
    with_body,
)
from tests.support import Context, claims_of, event_file, http_event, invoke, load_function, patients_of

CL0101 = patients_of("cl0101")
CL0102 = patients_of("cl0102")
A, B = CL0101[0], CL0101[1]


@pytest.fixture
def low_limit(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("IDENTITY_FAILURES_MAX", "3")
    config.settings.cache_clear()
    yield 3
    monkeypatch.delenv("IDENTITY_FAILURES_MAX")
    config.settings.cache_clear()


# ---------------------------------------------------------------- 1. a hold belongs to a patient
def test_hold_without_identity_is_refused(moto_table: str) -> None:
    slot = free_slots()[0]
    assert_error(invoke("booking", with_body(hold_event(slot), {"slotId": slot})), 422, "validation_error")
    assert slot_item(slot)["status"] == statuses.FREE


def test_hold_checks_the_register_like_a_booking(moto_table: str) -> None:
    slot = free_slots()[0]
    wrong = dict(identity_body(A), lastName="Иванов")
    assert_error(invoke("booking", with_body(hold_event(slot), {"slotId": slot, "patient": wrong})),
                 403, "patient_not_found")
    assert_error(invoke("booking", hold_event(slot, CL0102[0])), 403, "not_attached")
    referral = free_slots(doctor_of("cardiologist"))[0]
    assert_error(invoke("booking", hold_event(referral, A)), 403, "referral_required")
    # The identity comes first, as for a booking: a wrong one is not told about the referral.
    assert_error(invoke("booking", with_body(hold_event(referral), {"slotId": referral, "patient": wrong})),
                 403, "patient_not_found")
    assert slot_item(slot)["status"] == statuses.FREE


def test_hold_refused_when_the_specialty_is_already_booked(moto_table: str) -> None:
    first, second = free_slots()[:2]
    assert invoke("booking", anonymous_event(first, A))[0] == 201
    assert_error(invoke("booking", hold_event(second, A)), 409, "already_booked_specialty")
    assert slot_item(second)["status"] == statuses.FREE


def test_a_new_hold_releases_the_patients_previous_one(moto_table: str) -> None:
    first, second, third = free_slots()[:3]
    hold(first, A)
    other = hold(third, B)
    mine = hold(second, A)
    assert slot_item(first)["status"] == statuses.FREE
    assert slot_item(second)["holdId"] == mine and slot_item(second)["holdOwner"] == keys_hash(A)
    assert slot_item(third)["holdId"] == other  # another patient's hold is left alone


def test_a_new_hold_after_the_previous_was_booked_leaves_the_booking(moto_table: str) -> None:
    first = free_slots()[0]
    second = free_slots("cl0101-d05")[0]  # another specialty (ophthalmologist)
    hold_id = hold(first, A)
    assert invoke("booking", anonymous_event(first, A, hold_id))[0] == 201
    assert hold(second, A)
    assert slot_item(first)["status"] == statuses.BOOKED


def test_signed_in_hold_takes_the_identity_from_the_token(moto_table: str) -> None:
    first, second = free_slots()[:2]
    status, body = invoke("booking", signed_in_hold_event(first, A))
    assert status == 201, body
    assert slot_item(first)["holdOwner"] == keys_hash(A)
    status, body = invoke("booking", signed_in_hold_event(second, A))
    assert status == 201
    assert slot_item(first)["status"] == statuses.FREE
    unsigned = signed_in_hold_event(first)
    del unsigned["requestContext"]["authorizer"]
    assert_error(invoke("booking", unsigned), 401, "unauthorized")


def test_booking_with_another_patients_hold_is_hold_mismatch(moto_table: str) -> None:
    slot = free_slots()[0]
    held = hold(slot, A)
    assert_error(invoke("booking", anonymous_event(slot, B, held)), 409, "hold_mismatch")
    assert_error(invoke("booking", signed_in_event(slot, B, holdId=held)), 409, "hold_mismatch")
    assert slot_item(slot)["holdId"] == held
    assert invoke("booking", anonymous_event(slot, A, held, key="own"))[0] == 201


# ---------------------------------------------------------------- 2 and 3. identity and the limiter
def search_event(body: dict[str, Any]) -> dict[str, Any]:
    return with_body(event_file("history/search.json"), body)


def lookup_event(body: dict[str, Any]) -> dict[str, Any]:
    return with_body(event_file("lookup/attachment_lookup.json"), body)


def test_birth_date_sweep_on_search_is_cut_off(moto_table: str, low_limit: int) -> None:
    body = identity_body(A)
    for day in range(1, low_limit + 1):
        assert invoke("history", search_event(dict(body, birthDate=f"1990-01-{day:02d}"))) == (200, {"items": []})
    event = search_event(dict(body, birthDate="1990-02-01"))
    event["headers"]["accept-language"] = "en"
    status, refused = invoke("history", event)
    assert (status, refused["error"]["code"]) == (429, "rate_limited")
    raw = load_function("history").handler(search_event(body), Context())  # the Retry-After header
    assert raw["statusCode"] == 429 and 1 <= int(raw["headers"]["Retry-After"]) <= 3600
    # The right identity is refused too, until the window passes: the trade-off docs/abuse.md documents.
    assert invoke("history", search_event(body))[0] == 429


def test_failures_count_across_routes(moto_table: str, low_limit: int) -> None:
    slot = free_slots()[0]
    wrong = dict(identity_body(A), lastName="Иванов")
    assert_error(invoke("lookup", lookup_event(wrong)), 404, "attachment_not_found")
    assert invoke("history", search_event(wrong)) == (200, {"items": []})
    assert_error(invoke("booking", with_body(hold_event(slot), {"slotId": slot, "patient": wrong})),
                 403, "patient_not_found")
    assert_error(invoke("lookup", lookup_event(identity_body(A))), 429, "rate_limited")
    assert_error(invoke("booking", anonymous_event(slot, A)), 429, "rate_limited")
    # Another policy is not affected, and neither is the signed-in path of the same patient.
    assert invoke("lookup", lookup_event(identity_body(B)))[0] == 200
    assert invoke("booking", signed_in_hold_event(slot, A))[0] == 201
    assert invoke("history", history_event(A))[0] == 200


def test_reschedule_by_a_wrong_policy_counts(moto_table: str, low_limit: int) -> None:
    """An anonymous reschedule proves the policy like a cancellation: a wrong one is counted, then limited."""
    first, second = free_slots()[:2]
    status, booked = invoke("booking", anonymous_event(first, A))
    assert status == 201, booked
    body = {"policyNumber": B["policyNumber"], "slotId": second}  # B's policy against A's appointment
    event = with_body(http_event("POST", f"/v1/appointments/{booked['appointment']['id']}/reschedule"), body)
    event["headers"]["idempotency-key"] = "k-1"
    for _ in range(low_limit):
        assert_error(invoke("booking", event), 404, "not_found")
    assert_error(invoke("booking", event), 429, "rate_limited")
    assert slot_item(first)["status"] == statuses.BOOKED and slot_item(second)["status"] == statuses.FREE


def test_cancellation_by_a_wrong_policy_counts(moto_table: str, low_limit: int) -> None:
    event = event_file("cancellation/cancel_anonymous.json")  # a made-up appointment id
    for _ in range(low_limit):
        assert_error(invoke("cancellation", event), 404, "not_found")
    assert_error(invoke("cancellation", event), 429, "rate_limited")


def test_attachment_lookup_mismatch_is_identical_to_unknown_policy(moto_table: str) -> None:
    unknown = invoke("lookup", lookup_event(dict(identity_body(A), policyNumber="1234567890123456")))
    wrong_birth = invoke("lookup", lookup_event(dict(identity_body(A), birthDate="1990-01-01")))
    assert unknown == wrong_birth
    assert unknown[0] == 404


# ---------------------------------------------------------------- 5. claims must match the register
def history_event(p: dict[str, Any], claims: dict[str, str] | None = None) -> dict[str, Any]:
    event = copy.deepcopy(event_file("history/history.json"))
    event["requestContext"]["authorizer"]["jwt"]["claims"] = claims or claims_of(p)
    return event


def test_a_mixed_token_reads_and_cancels_nothing(moto_table: str) -> None:
    """Patient A's name and birth date with B's policy: the forged token of the issue."""
    ticket = invoke("booking", anonymous_event(free_slots()[0], B))[1]["appointment"]
    mixed = dict(claims_of(A), oms_policy_number=B["policyNumber"])
    assert_error(invoke("history", history_event(A, mixed)), 403, "patient_not_found")
    cancel = copy.deepcopy(event_file("cancellation/cancel_signed_in.json"))
    cancel["requestContext"]["authorizer"]["jwt"]["claims"] = mixed
    path = f"/v1/me/appointments/{ticket['id']}/cancel"
    cancel["rawPath"] = cancel["requestContext"]["http"]["path"] = path
    cancel["pathParameters"] = {"appointmentId": ticket["id"]}
    assert_error(invoke("cancellation", cancel), 403, "patient_not_found")
    me = copy.deepcopy(event_file("lookup/attachment_me.json"))
    me["requestContext"]["authorizer"]["jwt"]["claims"] = mixed
    assert_error(invoke("lookup", me), 403, "patient_not_found")
    held = signed_in_hold_event(free_slots()[1])
    held["requestContext"]["authorizer"]["jwt"]["claims"] = mixed
    assert_error(invoke("booking", held), 403, "patient_not_found")
    # B's appointment is untouched, and B's own token still works.
    status, page = invoke("history", history_event(B))
    assert status == 200 and page["items"][0]["status"] == "booked"


# ---------------------------------------------------------------- 6. no mail abuse
@pytest.mark.parametrize("name", ["Иванов1", "Морозов <a href>", "x" * 61, "Срочно!", "Морозов\nТема"])
def test_names_are_names(moto_table: str, name: str) -> None:
    body = json.loads(anonymous_event(free_slots()[0], A)["body"])
    body["patient"]["firstName"] = name
    assert_error(invoke("booking", with_body(anonymous_event(free_slots()[0], A), body)), 422, "validation_error")


@pytest.mark.parametrize("name", ["Анна-Мария", "O'Neil", "St. John", "Ёжиков", "д'Артаньян"])
def test_real_names_pass(moto_table: str, name: str) -> None:
    event = anonymous_event(free_slots()[0], A)
    body = json.loads(event["body"])
    body["patient"]["middleName"] = name
    assert invoke("booking", with_body(event, body))[0] == 201


def test_no_patient_text_in_the_subject(moto_table: str) -> None:
    ticket = invoke("booking", anonymous_event(free_slots()[0], A))[1]["appointment"]
    for kind in (messages.TICKET, messages.CANCELLATION):
        for lang in ("ru", "en"):
            subject = messages.subject(ticket, kind, lang)
            for text in (A["lastName"], A["firstName"], A["middleName"]):
                assert text not in subject


def test_emails_to_one_address_are_capped_per_day(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAILS_PER_ADDRESS_PER_DAY", "2")
    config.settings.cache_clear()
    published: list[str] = []
    monkeypatch.setattr(cap, "metrics", lambda: _Metrics(published))
    try:
        assert [cap.allow("Stranger@example.org"), cap.allow("stranger@example.org ")] == [True, True]
        assert cap.allow("stranger@example.org") is False
        assert cap.allow("someone.else@example.org") is True
        assert published == [cap.METRIC]
    finally:
        config.settings.cache_clear()


class _Metrics:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def add_metric(self, name: str, **_: Any) -> None:
        self.out.append(name)


def keys_hash(p: dict[str, Any]) -> str:
    from shared.patients import policy

    return policy.policy_hash(p["policyNumber"], p.get("policySeries"))

