"""Clinic staff: who is calling, for which polyclinic and in which role (issues 11 and 28).

Staff routes are guarded by API Gateway's JWT authorizer `StaffJwt` (template.yaml: the staff OIDC provider's
issuer and audience, a Cognito user pool by default), which hands the function the token's claims as strings
(`requestContext.authorizer.jwt.claims`). The clinic and the role are claims the provider sets, never the
person: `clinic_id` (a clinic id, or `city` for the city operator) and `staff_role` (`receptionist`, `head`,
`city`); Cognito spells custom attributes `custom:clinic_id` / `custom:staff_role`, accepted too. The person
is only the token's `sub` (the journal's actor, never a name).

No token: 401 `unauthorized`. A token without staff claims (a patient's) or with claims that disagree: 403
`forbidden`. Then each route asks `require(clinic_id, action)`: the clinic must be the caller's own (the city
operator: any) and the role must allow the action (ROLE_ACTIONS), else 403 `forbidden`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.domain import journal
from shared.platform.errors import DomainError

CITY = "city"
RECEPTIONIST = "receptionist"
HEAD = "head"
ROLES = (RECEPTIONIST, HEAD, CITY)

# What a route needs (its action) and which roles have it.
DAYLIST = "daylist"
ATTENDANCE = "attendance"
PLANS = "plans"
ABSENCES = "absences"
REFERRALS = "referrals"
ATTACHMENTS = "attachments"
REPRESENTATIVES = "representatives"
JOURNAL = "journal"
_RECEPTION = frozenset({DAYLIST, ATTENDANCE})
_HEAD = _RECEPTION | {PLANS, ABSENCES, REFERRALS, ATTACHMENTS, REPRESENTATIVES, JOURNAL}
ROLE_ACTIONS: dict[str, frozenset[str]] = {RECEPTIONIST: _RECEPTION, HEAD: _HEAD, CITY: _HEAD}

_CLINIC_ID = re.compile(r"^[a-z0-9]{2,24}$")
_SUBJECT_MAX = 256


@dataclass(frozen=True)
class Staff:
    subject: str
    clinic_id: str | None  # None: the city operator
    role: str

    @property
    def principal(self) -> str:
        """Who registered a change (attachment history, referrals): the token's subject."""
        return self.subject

    @property
    def actor(self) -> journal.Actor:
        return journal.Actor(self.subject, self.role)

    def allowed(self, action: str) -> bool:
        return action in ROLE_ACTIONS.get(self.role, frozenset())

    def require_role(self, action: str) -> None:
        """Refuse (403 `forbidden`) an action the role does not have."""
        if not self.allowed(action):
            raise DomainError("forbidden")

    def require(self, clinic_id: str, action: str) -> None:
        """Refuse (403 `forbidden`) acting for another clinic than one's own, or an action the role lacks."""
        self.require_role(action)
        if self.clinic_id is not None and self.clinic_id != clinic_id:
            raise DomainError("forbidden")


def _claims(event: dict[str, Any]) -> dict[str, Any] | None:
    """The claims API Gateway's JWT authorizer verified (None: the request reached the function unsigned)."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    return claims if isinstance(claims, dict) and claims else None


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if value is None:
        value = claims.get(f"custom:{name}")
    return str(value).strip() if value is not None else ""


def caller(event: dict[str, Any]) -> Staff:
    """The staff member of the verified token: 401 without a token, 403 when it is not a staff token."""
    claims = _claims(event)
    if claims is None:
        raise DomainError("unauthorized")
    subject = str(claims.get("sub") or "")
    clinic, role = _claim(claims, "clinic_id"), _claim(claims, "staff_role")
    if not subject or len(subject) > _SUBJECT_MAX or role not in ROLES:
        raise DomainError("forbidden")  # a patient's token, or one the staff provider did not make
    if (role == CITY) != (clinic == CITY) or not _CLINIC_ID.match(clinic):
        raise DomainError("forbidden")  # the role and the clinic disagree
    return Staff(subject=subject, clinic_id=None if role == CITY else clinic, role=role)
