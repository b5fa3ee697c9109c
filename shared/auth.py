"""Who a signed-in patient is, from the claims the HttpApi JWT authorizer verified.

Claims used (documented in README): `family_name`, `given_name`, `middle_name` (optional), `birthdate`
(YYYY-MM-DD), `email`, and the custom claims `oms_policy_number` and `oms_policy_series` (optional).
A Cognito user pool or a Gosuslugi/ESIA OIDC bridge maps its attributes to these names.
"""
from __future__ import annotations

from shared.booking import Patient
from shared.errors import DomainError
from shared.models import PatientIn


def patient_from_claims(claims: dict[str, str], email: str | None = None) -> Patient:
    try:
        checked = PatientIn(
            lastName=claims["family_name"],
            firstName=claims["given_name"],
            middleName=claims.get("middle_name") or None,
            birthDate=claims["birthdate"],  # type: ignore[arg-type]
            policyNumber=claims["oms_policy_number"],
            policySeries=claims.get("oms_policy_series") or None,
            email=email or claims["email"],
        )
    except (KeyError, ValueError) as exc:
        raise DomainError("unauthorized") from exc
    return patient(checked)


def policy_hash_from_claims(claims: dict[str, str]) -> str:
    from shared.policy import policy_hash

    number = claims.get("oms_policy_number")
    if not number:
        raise DomainError("unauthorized")
    return policy_hash(number, claims.get("oms_policy_series") or None)


def patient(p: PatientIn) -> Patient:
    return Patient(last_name=p.lastName, first_name=p.firstName, middle_name=p.middleName,
                   birth_date=p.birthDate.isoformat(), policy_number=p.policyNumber, policy_series=p.policySeries,
                   email=p.email, phone=p.phone)
