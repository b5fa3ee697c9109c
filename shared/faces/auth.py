"""The wire forms of who is asking, translated into shared/patients/callers.py's one type (the only way in).

Signed-in claims (documented in docs/http-api.md): `family_name`, `given_name`, `middle_name` (optional), `birthdate`
(YYYY-MM-DD), `email`, and the custom claims `oms_policy_number` and `oms_policy_series` (optional). A
Cognito user pool or a Gosuslugi/ESIA OIDC bridge maps its attributes to these names. There is no helper
that turns claims into a bare policy hash: every operation gets a Caller and checks it against the register.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from shared.faces.people import IdentityIn, PatientIn
from shared.patients import callers, family
from shared.patients.callers import Caller
from shared.platform.errors import DomainError

T = TypeVar("T")


def signed_in(claims: Mapping[str, Any], email: str | None = None) -> Caller:
    """The token's patient (identity claims only): holds, reads, cancellations, moves. Missing or malformed
    identity claims: 401."""
    try:
        checked = IdentityIn(lastName=claims["family_name"], birthDate=claims["birthdate"],
                             policyNumber=claims["oms_policy_number"],
                             policySeries=claims.get("oms_policy_series") or None)
    except (KeyError, ValueError) as exc:
        raise DomainError("unauthorized") from exc
    details = callers.Details(first_name=str(claims.get("given_name") or ""),
                              middle_name=claims.get("middle_name") or None,
                              email=str(email or claims.get("email") or ""))
    return callers.signed_in(checked.policyNumber, checked.policySeries, checked.lastName,
                             checked.birthDate.isoformat(), details=details)


def signed_in_patient(claims: Mapping[str, Any], email: str | None = None) -> Caller:
    """The token's patient with what a ticket needs (names and an email address, validated as our form's)."""
    try:
        PatientIn(lastName=claims["family_name"], firstName=claims["given_name"],
                  middleName=claims.get("middle_name") or None, birthDate=claims["birthdate"],
                  policyNumber=claims["oms_policy_number"], policySeries=claims.get("oms_policy_series") or None,
                  email=email or claims["email"])
    except (KeyError, ValueError) as exc:
        raise DomainError("unauthorized") from exc
    return signed_in(claims, email)


def acting_for(caller: Caller, family_member_id: str | None) -> Caller:
    """Who a signed-in request acts for (issue 29): the token's patient (no `familyMemberId`, or their own id), or
    a child they represent (the parent's FAMILY# link by key; 404 `not_found` for any other id). The token's claims
    stay the parent's; the right to act for the child is checked by every operation against the register."""
    return family.acting_for(caller, family_member_id)


def on_appointment(claims: Mapping[str, Any], appointment_id: str, act: Callable[[Caller], T]) -> T:
    """`act` (cancel, move) on an appointment as the token's patient, or, when it is a child's they represent, as
    that child's representative (no `familyMemberId` needed: the appointment names its patient). Another adult's
    appointment stays 404."""
    return family.on_behalf(signed_in(claims), lambda: family.appointment_patient(appointment_id), act)


def on_behalf(claims: Mapping[str, Any], patient_of: Callable[[], str | None], act: Callable[[Caller], T]) -> T:
    """`act` on an item whose patient `patient_of()` names (a waiting-list entry), as `on_appointment`."""
    return family.on_behalf(signed_in(claims), patient_of, act)


def identity(p: IdentityIn) -> Caller:
    """Someone who typed their identity (a hold, a search, a look-up)."""
    return callers.anonymous(p.policyNumber, p.policySeries, p.lastName, p.birthDate.isoformat())


def patient(p: PatientIn) -> Caller:
    """Someone who typed their identity and contact (a booking, joining the waiting list)."""
    details = callers.Details(first_name=p.firstName, middle_name=p.middleName, email=p.email, phone=p.phone)
    return callers.anonymous(p.policyNumber, p.policySeries, p.lastName, p.birthDate.isoformat(), details=details)


def by_policy(policy_number: str, policy_series: str | None) -> Caller:
    """Someone who typed a policy alone (cancel, move or leave by policy)."""
    return callers.by_policy(policy_number, policy_series)
