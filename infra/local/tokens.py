"""Local sign-in: HS256 JWTs signed with a local key, checked as the HttpApi JWT authorizer would.

Deployed, API Gateway verifies tokens of the real OIDC provider (template.yaml, PatientJwt) and hands the
claims to the function; here the local stack does the same with its own key.
"""
from __future__ import annotations

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


class TokenError(Exception):
    pass


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


def issue(request: dict[str, Any], ttl: int = 8 * 3600) -> str:
    """A token for a demo patient ({"policyNumber"}) or for registry staff: {"staff": true, "clinicId"} acts
    for that clinic only, {"staff": true} without a clinic is the city-level operator."""
    now = int(time.time())
    if request.get("staff") is True:
        clinic = request.get("clinicId")
        if clinic is not None and not (isinstance(clinic, str) and STAFF_CLINIC.match(clinic)):
            raise TokenError("clinicId must be a clinic id such as cl0101")
        claims: dict[str, Any] = {"sub": f"local-staff-{clinic or 'city'}", "staff": True,
                                  "clinic_id": clinic or "city"}
    else:
        patient = _demo_patient(str(request.get("policyNumber", "")))
        if patient is None:
            raise TokenError("no demo patient has this policy number")
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
