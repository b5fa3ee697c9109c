"""Who a signed-in patient is, from the claims the HttpApi JWT authorizer verified.

Claims used (documented in README): `family_name`, `given_name`, `middle_name` (optional), `birthdate`
(YYYY-MM-DD), `email`, and the custom claims `oms_policy_number` and `oms_policy_series` (optional).
A Cognito user pool or a Gosuslugi/ESIA OIDC bridge maps its attributes to these names.
"""
from __future__ import annotations

from shared.booking import Patient
from shared.errors import DomainError
from shared.holds import Identity
from shared.models import IdentityIn, PatientIn


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


def identity_from_claims(claims: dict[str, str]) -> Identity:
    """The identity the register checks, from the token (family name, birth date, policy)."""
    try:
        checked = IdentityIn(lastName=claims["family_name"], birthDate=claims["birthdate"],  # type: ignore[arg-type]
                             policyNumber=claims["oms_policy_number"],
                             policySeries=claims.get("oms_policy_series") or None)
    except (KeyError, ValueError) as exc:
        raise DomainError("unauthorized") from exc
    return identity(checked)


def identity(p: IdentityIn) -> Identity:
    return Identity(last_name=p.lastName, birth_date=p.birthDate.isoformat(), policy_number=p.policyNumber,
                    policy_series=p.policySeries)


def verified_policy_hash(claims: dict[str, str]) -> str:
    """The token's policy, once its family name and birth date match the register entry (the identity
    hash): a token mixing one person's name with another's policy opens nothing (403 patient_not_found).
    One GetItem of the entry; never counted by the limiter (the signed-in path is not slowed by others)."""
    from shared import dal, keys

    who = identity_from_claims(claims)
    entry = dal.get(keys.attachment_key(who.policy_hash), projection="identityHash")
    if not entry or entry.get("identityHash") != who.identity_hash:
        raise DomainError("patient_not_found")
    return who.policy_hash


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
