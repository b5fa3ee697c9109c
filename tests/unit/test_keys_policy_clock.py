"""Ids and keys, the policy's keyed hash, time in the clinic's zone, the error catalogue, ticket numbers."""
from __future__ import annotations

import re
from datetime import date

import pytest

from shared.booking import tickets

# ---------------------------------------------------------------- keys
from shared.patients import policy
from shared.platform import clock, config, errors, keys


def test_slot_id_names_its_doctor_and_start() -> None:
    start = clock.parse_utc_stamp("202611270500")
    slot = keys.slot_id("cl0101-d03", start)
    assert slot == "cl0101-d03.202611270500"
    assert keys.parse_slot_id(slot) == ("cl0101-d03", start)
    assert keys.slot_key(slot) == {"PK": {"S": "DOCTOR#cl0101-d03"}, "SK": {"S": "SLOT#202611270500"}}
    assert keys.clinic_of_doctor("cl0101-d03") == "cl0101"


@pytest.mark.parametrize("value", ["", "cl0101-d03", "cl0101-d03.2026112705", "CL0101-d03.202611270500",
                                   "cl0101-x03.202611270500", "cl0101-d03.202613270500",  # month 13
                                   "cl0101-d03.202611270500.x", "../cl0101-d03.202611270500"])
def test_malformed_slot_ids(value: str) -> None:
    assert keys.parse_slot_id(value) is None
    assert keys.slot_key(value) is None


@pytest.mark.parametrize("value", ["cl0101", "cl0101-d", "cl0101-dx", "Cl0101-d01", "cl0101-d01-x"])
def test_malformed_doctor_ids(value: str) -> None:
    assert keys.clinic_of_doctor(value) is None


def test_hold_id_names_its_slot() -> None:
    slot = "cl0101-d03.202611270500"
    hold = keys.new_hold_id(slot)
    assert hold.startswith(slot + ".")
    assert keys.slot_of_hold(hold) == slot
    assert keys.new_hold_id(slot) != hold
    assert keys.slot_of_hold(slot) is None
    assert keys.slot_of_hold(slot + ".short") is None


def test_appointment_ids_are_unguessable() -> None:
    ids = {keys.new_appointment_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        assert keys.valid_appointment_id(value)
        # url-safe base64: 6 bits per character; at least 128 random bits.
        assert len(value) * 6 >= 128
    assert not keys.valid_appointment_id("short")
    assert not keys.valid_appointment_id("a" * 30 + "#")


def test_clinic_ids() -> None:
    assert keys.valid_clinic_id("cl0101")
    for bad in ["", "c", "CL0101", "cl01/01", "cl0101#", "x" * 25]:
        assert not keys.valid_clinic_id(bad)


def test_hold_shards_spread_and_stay_in_range() -> None:
    shards = {keys.hold_shard(f"cl0101-d01.2026112{d}0{h}00") for d in range(7, 10) for h in range(5, 10)}
    assert shards <= set(keys.all_hold_shards())
    assert len(keys.all_hold_shards()) == config.HOLD_SHARDS
    assert len(shards) > 1


def test_sort_keys_sort_by_time() -> None:
    assert keys.hold_sk(999, "s") < keys.hold_sk(1000, "s")
    assert keys.patient_history_sk(999, "a") < keys.patient_history_sk(1000, "a")
    assert keys.availability_sk(100 * 60, "d") < keys.availability_sk(101 * 60, "d")


def test_idempotency_key_is_scoped_and_does_not_carry_the_key() -> None:
    a = keys.idempotency_key("hashA", "k1")
    assert a == keys.idempotency_key("hashA", "k1")
    assert a != keys.idempotency_key("hashB", "k1")
    assert a != keys.idempotency_key("hashA", "k2")
    assert "k1" not in a["PK"]["S"] and "hashA" not in a["PK"]["S"]


# ---------------------------------------------------------------- policy
def test_policy_normalisation() -> None:
    assert policy.normalise(" 7800 0001-0100 0000 ") == "|7800000101000000"
    assert policy.normalise("00010102", "еа 2") == "ЕА2|00010102"
    assert policy.normalise("00010102", None) == policy.normalise("00010102", "")


def test_policy_hash_is_keyed_stable_and_hides_the_number(monkeypatch: pytest.MonkeyPatch) -> None:
    h = policy.policy_hash("7800000101000000")
    assert re.fullmatch(r"[0-9a-f]{40}", h)
    assert "7800000101000000" not in h
    assert policy.policy_hash("7800 0001 0100 0000") == h
    assert policy.policy_hash("7800000101000000", "ЕА") != h
    monkeypatch.setenv("POLICY_HASH_KEY", "another-key")
    config.settings.cache_clear()
    assert policy.policy_hash("7800000101000000") != h


def test_a_missing_policy_key_fails_fast_in_lambda_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICY_HASH_KEY")
    config.settings.cache_clear()
    assert config.settings().policy_hash_key == config.DEV_POLICY_HASH_KEY.encode()  # locally: the dev key
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "zapis-booking")
    config.settings.cache_clear()
    with pytest.raises(config.MissingSetting, match="POLICY_HASH_KEY"):
        config.settings()
    monkeypatch.setenv("POLICY_HASH_KEY", "from-secrets-manager")
    config.settings.cache_clear()
    assert config.settings().policy_hash_key == b"from-secrets-manager"


def test_identity_hash_ignores_case_and_yo_but_not_birth_date() -> None:
    base = policy.identity_hash("7800000101000000", None, "Фёдорова", "1985-03-14")
    assert policy.identity_hash("7800000101000000", None, " фЕдорова ", "1985-03-14") == base
    assert policy.identity_hash("7800000101000000", None, "Федорова", "1985-03-15") != base
    assert policy.identity_hash("7800000101000000", None, "Петрова", "1985-03-14") != base
    assert policy.identity_hash("7800000101000001", None, "Фёдорова", "1985-03-14") != base
    assert base != policy.policy_hash("7800000101000000")


# ---------------------------------------------------------------- clock
def test_local_iso_has_the_moscow_offset() -> None:
    epoch = clock.parse_utc_stamp("202611270500")
    assert clock.local_iso(epoch) == "2026-11-27T08:00:00+03:00"
    assert clock.local_date(clock.parse_utc_stamp("202611262130")) == date(2026, 11, 27)  # 00:30 local


def test_day_bounds_are_local_midnights() -> None:
    day = date(2026, 11, 27)
    assert clock.local_iso(clock.day_start(day)) == "2026-11-27T00:00:00+03:00"
    assert clock.day_end(day) - clock.day_start(day) == 86400
    assert clock.utc_stamp(clock.day_start(day)) == "202611262100"


def test_utc_stamp_round_trip() -> None:
    epoch = 1_795_654_800  # 2026-11-26T01:00:00Z
    assert clock.utc_stamp(epoch) == "202611260100"
    assert clock.parse_utc_stamp(clock.utc_stamp(epoch)) == epoch
    with pytest.raises(ValueError):
        clock.parse_utc_stamp("202613260100")


# ---------------------------------------------------------------- errors
CONTRACT = {
    "validation_error": 422, "not_found": 404, "slot_unavailable": 409, "hold_expired": 410,
    "hold_mismatch": 409, "already_booked_specialty": 409, "patient_not_found": 403, "not_attached": 403,
    "referral_required": 403, "outside_booking_window": 422, "appointment_started": 409,
    "already_cancelled": 409, "idempotency_key_required": 400, "idempotency_key_reused": 422,
    "unauthorized": 401, "rate_limited": 429, "unavailable": 503,
}


def test_catalogue_matches_the_contract() -> None:
    # Every code of docs/CONTRACT.md with its status (other issues may add codes of their own).
    assert {code: errors.CATALOGUE[code][0] for code in CONTRACT if code in errors.CATALOGUE} == CONTRACT
    for code, (_, ru, en) in errors.CATALOGUE.items():
        assert re.search("[а-яА-Я]", ru), code
        assert not re.search("[а-яА-Я]", en), code
        assert errors.DomainError(code).status == CONTRACT.get(code, errors.CATALOGUE[code][0])


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        errors.DomainError("no_such_code")


@pytest.mark.parametrize("header,lang", [(None, "ru"), ("", "ru"), ("ru-RU,ru;q=0.9", "ru"), ("en", "en"),
                                         ("en-GB,en;q=0.9", "en"), ("EN-us", "en"), ("de,en;q=0.5", "ru")])
def test_language(header: str | None, lang: str) -> None:
    assert errors.language(header) == lang


def test_error_body_shape() -> None:
    assert errors.error_body("not_found", "en") == {"error": {
        "code": "not_found", "message": "Not found. The data may be out of date — please start again."}}
    body = errors.error_body("not_attached", "ru", {"lookup": "/v1/addresses/clinics"})
    assert body["error"]["message"].startswith("Вы не прикреплены")
    assert body["error"]["details"] == {"lookup": "/v1/addresses/clinics"}


# ---------------------------------------------------------------- ticket numbers
def test_ticket_number_is_short_local_and_never_reused() -> None:
    start = clock.parse_utc_stamp("202611270540")  # 08:40 local
    assert tickets.number(3, start, 1) == "03-0840"
    assert tickets.number(3, start, 2) == "03-0840-2"
    assert tickets.number(12, start, 3) == "12-0840-3"
    assert len(tickets.number(3, start, 1)) <= 10
    # Unique per clinic and day: the doctor's number and the local time differ between slots.
    numbers = {tickets.number(seq, start + minutes * 60, 1) for seq in (1, 2) for minutes in (0, 20, 40)}
    assert len(numbers) == 6
