"""Clinic staff: who is calling and for which polyclinic (issue 11).

Staff routes use API Gateway's AWS_IAM authorization: a request is signed (SigV4) by an IAM principal and
API Gateway hands the function its verified ARN. The clinic is carried by the principal's name:
`registry-<clinicId>` (an IAM user, or a role whose assumed-role sessions name the person:
`arn:aws:sts::<account>:assumed-role/registry-cl0101/anna.petrova`); `registry-city` is the city-level
operator who may act for every clinic. Any other principal API Gateway lets through acts for no clinic.
Creating a principal with such a name takes IAM administrator rights, so the name cannot be forged by staff,
and each clinic's role may further be limited to its own paths (docs/staff.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.platform.errors import DomainError

CITY = "city"
# The last path segment of a user or role name: `user/registry-cl0101`, `user/ops/registry-cl0101`,
# `assumed-role/zapis-registry-cl0101/<session>`.
_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:(?:iam::\d*:user/(?:[\w+=,.@-]+/)*|sts::\d*:assumed-role/)"
                        r"(?:[\w+=,.@-]*-)?registry-([a-z0-9]{2,24})(?:/[\w+=,.@-]+)?$")


@dataclass(frozen=True)
class Staff:
    principal: str
    clinic_id: str | None  # None: the city-level operator

    def require(self, clinic_id: str) -> None:
        """Refuse (403 `forbidden`) acting for another clinic than one's own."""
        if self.clinic_id is not None and self.clinic_id != clinic_id:
            raise DomainError("forbidden")


def _authorizer(event: dict[str, Any]) -> dict[str, Any]:
    """What API Gateway's authorizer verified: {"iam": ...} for a signed request, {"jwt": ...} for a token."""
    return (event.get("requestContext") or {}).get("authorizer") or {}


def caller(event: dict[str, Any]) -> Staff:
    """The staff member API Gateway verified (AWS_IAM): 401 without one, 403 when it names no clinic."""
    authorizer = _authorizer(event)
    arn = str((authorizer.get("iam") or {}).get("userArn") or "")
    if not arn:
        # A patient's token (JWT claims) is a known caller without staff rights: 403, not 401.
        raise DomainError("forbidden" if authorizer.get("jwt") else "unauthorized")
    m = _PRINCIPAL.match(arn)
    if not m:
        raise DomainError("forbidden")
    return Staff(principal=arn, clinic_id=None if m.group(1) == CITY else m.group(1))
