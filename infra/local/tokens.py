"""Local sign-in: HS256 JWTs signed with a local key, checked as the HttpApi JWT authorizer would.

Deployed, API Gateway verifies tokens of the real OIDC providers (template.yaml: PatientJwt for patients,
StaffJwt for clinic staff) and hands the claims to the function; here the local stack does the same with its own
key, one issuer for both (a patient's token on a staff route reaches the function, which answers 403).
"""
from __future__ import annotations

import functools
import json
import re
import time
from typing import Any

import jwt

from infra.template import ROOT

LOCAL_KEY = "local-stack-signing-key-not-a-secret-0123456789"
ISSUER = "http://127.0.0.1/_local"
AUDIENCE = "zapis-k-vrachu-local"
PATIENTS = ROOT / "infra" / "demo" / "patients.json"
STAFF_CLINIC = re.compile(r"^[a-z0-9]{2,24}$")


STAFF_ROLES = ("receptionist", "head")
CITY = "city"


class TokenError(Exception):
    """A token that cannot be issued: 422 `validation_error`, or another status and code (an unknown clinic:
    400 `unknown_clinic`); the message in Russian and in English."""

    def __init__(self, message: str, status: int = 422, code: str = "validation_error", message_en: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message_en = status, code, message_en or message

    def text(self, lang: str) -> str:
        return self.message_en if lang == "en" else str(self)


def _demo_patient(policy_number: str) -> dict[str, Any] | None:
    for p in json.loads(PATIENTS.read_text(encoding="utf-8")):
        if p["policyNumber"] == policy_number:
            return p
    return None


def patient_claims(p: dict[str, Any]) -> dict[str, Any]:
    """The claims an OIDC provider would put in a patient's token (see shared/faces/auth.py)."""
    claims = {"sub": f"demo-{p['policyNumber']}", "family_name": p["lastName"], "given_name": p["firstName"],
              "birthdate": p["birthDate"], "email": p["email"], "oms_policy_number": p["policyNumber"]}
    if p.get("middleName"):
        claims["middle_name"] = p["middleName"]
    if p.get("policySeries"):
        claims["oms_policy_series"] = p["policySeries"]
    return claims


@functools.cache
def demo_clinics() -> frozenset[str]:
    # The stack's spawned workers re-import the server and this module: shared's Logger must be made after a worker
    # has pointed its output at the function's log file (infra/local/console.py), never when this is imported.
    from infra.demo import data  # lazy: imports shared (its Logger) - see above

    return frozenset(c["id"] for c in data.clinics())


def staff_claims(request: dict[str, Any]) -> dict[str, Any]:
    """The claims a staff provider would put in a staff token (shared/clinic/staff.py): {"clinicId", "role"}
    (receptionist | head, head by default) acts for that clinic; without a clinic, the city operator."""
    clinic, role = request.get("clinicId"), request.get("role")
    if clinic is None or clinic == CITY:
        if role not in (None, CITY):
            raise TokenError("Без clinicId вход только для городского оператора (role city)",
                             message_en="Without clinicId only the city operator (role city) signs in")
        return {"sub": "local-city", "clinic_id": CITY, "staff_role": CITY}
    if not (isinstance(clinic, str) and STAFF_CLINIC.match(clinic)):
        raise TokenError("clinicId — код поликлиники, например cl0101",
                         message_en="clinicId must be a clinic id such as cl0101")
    if clinic not in demo_clinics():
        raise TokenError(f"Поликлиники {clinic} нет", status=400, code="unknown_clinic",
                         message_en=f"There is no clinic {clinic}")
    role = role or "head"
    if role not in STAFF_ROLES:
        raise TokenError("role — receptionist или head", message_en="role must be receptionist or head")
    return {"sub": f"local-{role}-{clinic}", "clinic_id": clinic, "staff_role": role}


def issue(request: dict[str, Any], ttl: int = 8 * 3600) -> str:
    """A token for a demo patient ({"policyNumber"}) or for registry staff ({"staff": true, ...}: staff_claims)."""
    now = int(time.time())
    if request.get("staff") is True:
        claims: dict[str, Any] = staff_claims(request)
    else:
        patient = _demo_patient(str(request.get("policyNumber", "")))
        if patient is None:
            raise TokenError("Нет демо-пациента с таким полисом", message_en="no demo patient has this policy number")
        if patient.get("representatives"):
            raise TokenError("У ребёнка нет своей учётной записи: войдите как его законный представитель",
                             message_en="a child has no account of its own: sign in as their representative")
        claims = patient_claims(patient)
    claims.update(iss=ISSUER, aud=AUDIENCE, iat=now, exp=now + ttl)
    return jwt.encode(claims, LOCAL_KEY, algorithm="HS256")


def verify(authorization: str | None) -> dict[str, Any]:
    """Claims of a valid bearer token; TokenError otherwise (the authorizer's 401)."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise TokenError("missing bearer token")
    try:
        claims = jwt.decode(authorization[7:].strip(), LOCAL_KEY, algorithms=["HS256"], audience=AUDIENCE,
                            issuer=ISSUER)
    except jwt.PyJWTError as exc:
        raise TokenError(type(exc).__name__) from exc
    # API Gateway hands claims to the function as strings.
    return {k: (json.dumps(v) if isinstance(v, (list, dict)) else str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in claims.items()}
