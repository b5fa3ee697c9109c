"""Issue 25 (point 2), gorzdrav identity through the façade's handler: `patient/search` failures are limited per
full name and per clinic (shared/patients/limiter.py), the patientId expires, and `oms/attachment/lpus` reveals a clinic
only to the policy with its holder's last name and birth date (docs/gorzdrav.md)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from shared.faces.gorzdrav import identity, wire
from shared.patients import policy
from shared.platform import clock, config, dal, keys
from shared.platform.config import settings
from tests.handler.helpers import assert_error, identity_body, with_body
from tests.support import Context, event_file, http_event, invoke, load_function, patients_of

B = "/_api/api/v2"
LPU, OTHER_LPU = 111, 112  # cl0101, cl0102 (infra/demo/gorzdrav_ids.json)
PATIENT, OTHER, OLD_STYLE = patients_of("cl0101")
AT_CL0102 = patients_of("cl0102")[0]
LIMIT = 10  # IDENTITY_FAILURES_MAX's default: the same threshold as /v1's per policy
LIFETIME = 86400  # GORZDRAV_PATIENT_ID_SECONDS' default


def call(method: str, path: str, body: Any = None,
         query: dict[str, str] | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    event = http_event(method, B + path, body=body, query=query)
    response = load_function("gorzdrav").handler(event, Context())
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    return response["statusCode"], json.loads(response["body"]), headers


def result(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Any:
    status, answer, _ = call(method, path, body, query)
    assert status == 200 and answer["success"] is True, answer
    return answer["result"]


def code(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> int:
    """A business refusal (HTTP 200, success false): its errorCode."""
    status, answer, _ = call(method, path, body, query)
    assert status == 200 and answer["success"] is False, (status, answer)
    assert answer["message"] == wire.MESSAGES[answer["errorCode"]]
    return int(answer["errorCode"])


def limited(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> None:
    """429 with gorzdrav's error envelope and Retry-After: what gorzdrav clients retry after a pause."""
    status, answer, headers = call(method, path, body, query)
    assert status == 429, answer
    assert answer["success"] is False and answer["errorCode"] == wire.SOMETHING_WRONG and "result" not in answer
    assert 1 <= int(headers["retry-after"]) <= 3600


def search(p: dict[str, Any], lpu: int = LPU, **changed: str) -> dict[str, str]:
    return {"lpuId": str(lpu), "lastName": p["lastName"], "firstName": p["firstName"],
            "middleName": p["middleName"] or "", "birthdate": p["birthDate"], **changed}


def wrong_dates(n: int) -> list[str]:
    return [f"1950-{month:02d}-{day:02d}" for month in range(1, 13) for day in range(1, 29)][:n]


def name_failures(p: dict[str, Any]) -> int:
    item = dal.get(keys.limiter_key(identity.name_subject(p["lastName"], p["firstName"], p["middleName"])))
    return int(item["failures"]) if item else 0


@pytest.fixture
def mid_hour(monkeypatch: pytest.MonkeyPatch) -> int:
    """The clock stopped ten minutes into an hour, so a test's failures fall in one limiter window."""
    real = clock.now()
    now = real - real % 3600 + 600
    monkeypatch.setattr(clock, "now", lambda: now)
    return now


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def put(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        config.settings.cache_clear()

    yield put
    config.settings.cache_clear()


# ---------------------------------------------------------------- patient/search: per full name
def test_a_birth_date_sweep_is_cut_off_at_the_eleventh_and_the_right_date_is_refused_too(
        moto_table: str, mid_hour: int, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = []
    for born in wrong_dates(30):
        status, answer, _ = call("GET", "/patient/search", query=search(PATIENT, birthdate=born))
        answers.append(status if status == 429 else answer["errorCode"])
    assert answers == [wire.PATIENT_NOT_FOUND] * LIMIT + [429] * 20
    limited("GET", "/patient/search", query=search(PATIENT, birthdate="1950-12-31"))
    limited("GET", "/patient/search", query=search(PATIENT))  # the right birth date: refused before the look-up
    assert name_failures(PATIENT) == LIMIT  # the refused ones are not counted (nor looked up)
    # The window ends: the right date finds the patient again.
    monkeypatch.setattr(clock, "now", lambda: mid_hour + 3600)
    assert identity.unseal(result("GET", "/patient/search", query=search(PATIENT)))


def test_failures_at_different_clinics_count_on_one_name_and_another_name_is_not_affected(
        moto_table: str, mid_hour: int) -> None:
    for born in wrong_dates(LIMIT // 2):
        assert code("GET", "/patient/search", query=search(PATIENT, birthdate=born)) == wire.PATIENT_NOT_FOUND
    for _ in range(LIMIT - LIMIT // 2):  # the right date at a clinic the patient is not attached to
        assert code("GET", "/patient/search", query=search(PATIENT, lpu=OTHER_LPU)) == wire.PATIENT_NOT_FOUND
    # Spelling does not make another name: case, ё/е and spacing are normalised as the name index's.
    shouting = search(PATIENT, lastName=f"  {PATIENT['lastName'].upper()} ")
    limited("GET", "/patient/search", query=shouting)
    limited("GET", "/patient/search", query=search(PATIENT))
    limited("GET", "/patient/search", query=search(PATIENT, lpu=OTHER_LPU))
    # Another name at the same clinic is found, and costs nothing.
    assert identity.unseal(result("GET", "/patient/search", query=search(OTHER)))
    assert name_failures(OTHER) == 0


def test_a_found_patient_costs_nothing_and_the_subjects_are_not_policy_hashes(moto_table: str,
                                                                               mid_hour: int) -> None:
    for _ in range(LIMIT + 5):
        assert result("GET", "/patient/search", query=search(PATIENT))
    assert name_failures(PATIENT) == 0
    assert dal.get(keys.limiter_key(identity.clinic_subject("cl0101"))) is None
    # A failure counts on the name's and the clinic's items, never on the policy's (that is /v1's).
    assert code("GET", "/patient/search", query=search(PATIENT, birthdate="1950-01-01")) == wire.PATIENT_NOT_FOUND
    assert name_failures(PATIENT) == 1
    assert dal.get(keys.limiter_key(identity.clinic_subject("cl0101")))["failures"] == 1  # type: ignore[index]
    policy_hash = policy.policy_hash(PATIENT["policyNumber"], PATIENT["policySeries"])
    assert dal.get(keys.limiter_key(policy_hash)) is None
    name = identity.name_subject(PATIENT["lastName"], PATIENT["firstName"], PATIENT["middleName"])
    clinic = identity.clinic_subject("cl0101")
    assert name.startswith("gzname:") and clinic.startswith("gzclinic:")
    for subject in (name, clinic):  # a policy hash is 40 hex digits: no subject here can be one
        assert len(subject) != len(policy_hash) or not all(c in "0123456789abcdef" for c in subject)
    # Without the birth date: every date of one name is one subject; another name is another.
    assert name == identity.name_subject(PATIENT["lastName"].upper(), PATIENT["firstName"], PATIENT["middleName"])
    assert name != identity.name_subject(OTHER["lastName"], OTHER["firstName"], OTHER["middleName"])


# ---------------------------------------------------------------- patient/search: per clinic
def test_the_clinic_counter_stops_a_spray_of_names_at_one_clinic(moto_table: str, mid_hour: int,
                                                                 setting: Any) -> None:
    setting("GORZDRAV_CLINIC_FAILURES_MAX", "3")
    for n in range(3):  # three made-up names, each tried once: no name is near its own limit
        stranger = dict(PATIENT, lastName=f"Незнакомов{'абв'[n]}")
        assert code("GET", "/patient/search", query=search(stranger)) == wire.PATIENT_NOT_FOUND
    limited("GET", "/patient/search", query=search(dict(PATIENT, lastName="Незнакомовг")))
    limited("GET", "/patient/search", query=search(PATIENT))  # the clinic's own patient too, until the hour ends
    # Another clinic is not affected, nor is a patientId already issued.
    found = result("GET", "/patient/search", query=search(AT_CL0102, lpu=OTHER_LPU))
    assert result("POST", "/patient/update", {"lpuId": OTHER_LPU, "patientId": found}) is True


def test_the_clinic_threshold_is_its_own_setting(moto_table: str) -> None:
    assert settings().gorzdrav_clinic_failures_max == 200 > settings().identity_failures_max == LIMIT


# ---------------------------------------------------------------- the patientId expires
def _four_calls(pid: str) -> list[Any]:
    """create, cancel, the patient's appointments and update with this patientId: their errorCodes or results."""
    slot = "cl0101-d01.209901010500"  # never looked at when the patientId is refused
    out: list[Any] = []
    for method, path, body, query in (
            ("POST", "/appointment/create", {"lpuId": LPU, "patientId": pid, "appointmentId": slot}, None),
            ("POST", "/appointment/cancel", {"lpuId": LPU, "patientId": pid, "appointmentId": "nope"}, None),
            ("GET", "/appointments", None, {"lpuId": str(LPU), "patientId": pid}),
            ("POST", "/patient/update", {"lpuId": LPU, "patientId": pid, "mobilePhoneNumber": "9110000000"}, None)):
        status, answer, _ = call(method, path, body, query)
        assert status == 200, answer
        out.append(answer["result"] if answer["success"] else answer["errorCode"])
    return out


def test_a_patient_id_older_than_its_lifetime_is_patient_not_found(moto_table: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    issued = clock.now()
    monkeypatch.setattr(clock, "now", lambda: issued)
    pid = str(result("GET", "/patient/search", query=search(PATIENT)))
    assert identity.unseal(pid).issued_at == issued  # type: ignore[union-attr]
    monkeypatch.setattr(clock, "now", lambda: issued + LIFETIME)  # the last second it works
    assert identity.unseal(pid) is not None
    assert result("POST", "/patient/update", {"lpuId": LPU, "patientId": pid}) is True
    assert result("GET", "/appointments", query={"lpuId": str(LPU), "patientId": pid}) == []
    monkeypatch.setattr(clock, "now", lambda: issued + LIFETIME + 1)
    assert identity.unseal(pid) is None
    assert _four_calls(pid) == [wire.PATIENT_NOT_FOUND] * 4
    # "Search again": a new search gives a new id that works.
    fresh = str(result("GET", "/patient/search", query=search(PATIENT)))
    assert result("POST", "/patient/update", {"lpuId": LPU, "patientId": fresh}) is True


def test_the_sealed_time_decides_and_cannot_be_changed(moto_table: str, setting: Any) -> None:
    pid = str(result("GET", "/patient/search", query=search(PATIENT)))
    p = identity.unseal(pid)
    assert p is not None and abs(p.issued_at - clock.now()) <= 5
    now = clock.now()
    old = identity.seal(replace(p, issued_at=now - LIFETIME - 1))
    future = identity.seal(replace(p, issued_at=now + identity.CLOCK_SKEW_SECONDS + 60))
    assert _four_calls(old) == _four_calls(future) == [wire.PATIENT_NOT_FOUND] * 4
    assert identity.unseal(identity.seal(replace(p, issued_at=now - LIFETIME + 60))) is not None
    # The lifetime is a setting.
    setting("GORZDRAV_PATIENT_ID_SECONDS", "60")
    assert identity.unseal(identity.seal(replace(p, issued_at=now - 61))) is None
    assert identity.unseal(identity.seal(replace(p, issued_at=now - 30))) is not None


def _old_format(p: identity.GzPatient, prefix: str = "gz1.", aad: bytes = b"gorzdrav-patientId-v1") -> str:
    """A patientId as the first format sealed it: no issue time (so it would never expire)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = hmac.new(settings().policy_hash_key, b"gorzdrav patientId key", hashlib.sha256).digest()
    payload = json.dumps([p.policy_hash, p.identity_hash, p.last_name, p.first_name, p.middle_name, p.birth_date],
                         ensure_ascii=False, separators=(",", ":")).encode()
    nonce = os.urandom(12)
    return prefix + base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, payload, aad)).decode().rstrip("=")


def test_old_format_and_forged_patient_ids_are_patient_not_found(moto_table: str) -> None:
    pid = str(result("GET", "/patient/search", query=search(PATIENT)))
    p = identity.unseal(pid)
    assert p is not None and pid.startswith("gz2.")
    tampered = pid[:-4] + ("AAAA" if not pid.endswith("AAAA") else "BBBB")
    for forged in (_old_format(p), _old_format(p, "gz2.", b"gorzdrav-patientId-v2"), tampered, "gz2." + pid[4:60],
                   f"{PATIENT['lastName']};{PATIENT['firstName']};{PATIENT['middleName']};02.06.1978", ""):
        assert identity.unseal(forged) is None
        assert _four_calls(forged) == [wire.PATIENT_NOT_FOUND] * 4
    # None of this is a guess at anyone's identity: nothing is counted.
    assert name_failures(PATIENT) == 0
    assert dal.get(keys.limiter_key(policy.policy_hash(PATIENT["policyNumber"]))) is None


# ---------------------------------------------------------------- oms/attachment/lpus
def attachment(p: dict[str, Any] | None = None, number: str | None = None, **holder: str) -> dict[str, str]:
    query = {"polisN": number or (p or {})["policyNumber"], **holder}
    if p and p.get("policySeries"):
        query["polisS"] = p["policySeries"]
    return query


def test_a_real_policy_alone_answers_exactly_as_an_unknown_one(moto_table: str, setting: Any) -> None:
    unknown = call("GET", "/oms/attachment/lpus", query=attachment(number="1234567890123456"))
    assert unknown[0] == 200 and unknown[1] == wire.ok([])
    for p in (PATIENT, OLD_STYLE):
        assert call("GET", "/oms/attachment/lpus", query=attachment(p)) == unknown
        # Half an identity is the policy alone.
        assert call("GET", "/oms/attachment/lpus", query=attachment(p, lastName=p["lastName"])) == unknown
        assert call("GET", "/oms/attachment/lpus", query=attachment(p, birthDate=p["birthDate"])) == unknown
    # The policy-only mode for old clients is a setting, off by default; on, it answers the clinic.
    setting("GORZDRAV_POLICY_ONLY_LOOKUP", "true")
    assert [lpu["id"] for lpu in result("GET", "/oms/attachment/lpus", query=attachment(PATIENT))] == [LPU]
    assert call("GET", "/oms/attachment/lpus", query=attachment(number="1234567890123456")) == unknown


def test_the_policy_with_its_holders_last_name_and_birth_date_reveals_the_clinic(moto_table: str) -> None:
    (found,) = result("GET", "/oms/attachment/lpus",
                      query=attachment(PATIENT, lastName=PATIENT["lastName"].upper(), birthDate=PATIENT["birthDate"]))
    assert found["id"] == LPU and found == result("GET", f"/shared/lpu/{LPU}")
    y, m, d = AT_CL0102["birthDate"].split("-")
    (other,) = result("GET", "/oms/attachment/lpus",
                      query=attachment(AT_CL0102, lastname=AT_CL0102["lastName"], birthdate=f"{d}.{m}.{y}"))
    assert other["id"] == OTHER_LPU


def test_a_wrong_last_name_or_birth_date_counts_on_the_policy_and_v1_sees_it(moto_table: str,
                                                                               mid_hour: int) -> None:
    unknown = call("GET", "/oms/attachment/lpus", query=attachment(number="1234567890123456"))
    policy_hash = policy.policy_hash(PATIENT["policyNumber"], PATIENT["policySeries"])
    wrong = [attachment(PATIENT, lastName="Иванов", birthDate=PATIENT["birthDate"]),
             attachment(PATIENT, lastName=PATIENT["lastName"], birthDate="1950-01-01")]
    for n in range(LIMIT):
        assert call("GET", "/oms/attachment/lpus", query=wrong[n % 2]) == unknown  # a mismatch looks unknown
        assert dal.get(keys.limiter_key(policy_hash))["failures"] == n + 1  # type: ignore[index]
    limited("GET", "/oms/attachment/lpus", query=wrong[0])
    right = attachment(PATIENT, lastName=PATIENT["lastName"], birthDate=PATIENT["birthDate"])
    limited("GET", "/oms/attachment/lpus", query=right)
    # /v1's anonymous routes count on the same item: the policy is limited there too.
    lookup = with_body(event_file("lookup/attachment_lookup.json"), identity_body(PATIENT))
    assert_error(invoke("lookup", lookup), 429, "rate_limited")
    # ... and the policy alone still answers as an unknown one (nothing read, nothing told).
    assert call("GET", "/oms/attachment/lpus", query=attachment(PATIENT)) == unknown
