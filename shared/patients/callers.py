"""Who is asking (issue 25): one type for every face, made only by the constructors below.

Every operation a patient can make — hold, book, reschedule, cancel, read, join or leave the waiting list —
takes a `Caller` and decides the rest itself: which register check it runs, whether a failure counts against
the limiter, whose appointments it may touch. A face (`/v1`, `/v1/me`, gorzdrav, FHIR, FHIR `/me`, the
waiting list's link) translates its wire format into one of these constructors and nothing else, so a new
face cannot forget a check: there is no flag to pass and no unverified policy hash to reach an operation with.

The kinds, and what every operation does with them:

- `ANONYMOUS`, a typed policy, last name and birth date: the identity hash must be the register entry's (a
  transaction condition, or the operation's own read); failed checks count per policy (shared/patients/limiter.py),
  429 past the limit.
- `POLICY`, a typed policy alone (cancel, move, leave by policy): owns only what carries its policy hash; a
  miss (`not_found`) counts per policy.
- `SIGNED_IN`, a verified token's claims: the identity hash must be the entry's, so a token mixing one
  person's policy with another's name or birth date opens nothing (403); never counted (the patient can
  always sign in).
- `SEALED`, hashes we sealed (gorzdrav's patientId, a waiting-list entry's patient): checked as signed in;
  never counted (a sealed id cannot be guessed).
- `REPRESENTED` (issue 29), a child acted for by a legal representative (a signed-in parent, or the parent who
  put the child on a waiting list): the child's policy, identity, names and birth date, the parent's email and
  policy hash (`representative`). The register entry must carry the child's identity AND name the parent in its
  `representatives`: every creating transaction adds `contains(representatives, :parent)` to its ConditionCheck
  of the entry (`entry_condition`), so a representative removed by the registry loses the right at once, even
  racing; an operation on an existing appointment or entry checks it in the read (`check_entry`) and, for a
  cancellation, in its transaction too. Never counted.

The check costs no round trip of its own: a creating operation checks the identity in its transaction (the
register entry's ConditionCheck), an operation on an existing appointment or entry reads the register entry in
the BatchGetItem it makes anyway; only the signed-in lists (history, waiting list) make one GetItem.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from typing import Any

from shared.patients import limiter, policy
from shared.platform import dal, keys
from shared.platform.errors import DomainError


class Kind(Enum):
    ANONYMOUS = "anonymous"
    POLICY = "policy"
    SIGNED_IN = "signed_in"
    SEALED = "sealed"
    REPRESENTED = "represented"


_MADE_HERE = object()  # only this module's constructors pass it: a Caller cannot be made around them


@dataclasses.dataclass(frozen=True)
class Caller:
    kind: Kind
    policy_hash: str
    identity_hash: str | None  # None only for Kind.POLICY
    last_name: str = ""
    first_name: str = ""
    middle_name: str | None = None
    birth_date: str = ""
    email: str = ""
    phone: str | None = None
    representative: str | None = None  # REPRESENTED: the parent's policy hash
    booked_by: tuple[str, str, str | None] | None = None  # REPRESENTED: the parent's last, first, middle name
    _made: object = dataclasses.field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._made is not _MADE_HERE:
            raise TypeError("a Caller is made by shared.patients.callers' constructors only")

    def __repr__(self) -> str:  # never a name, a birth date or an email in a log line or a traceback
        return f"Caller({self.kind.value})"

    @property
    def counted(self) -> bool:
        """Failed identity checks count against the policy (the anonymous faces)."""
        return self.kind in (Kind.ANONYMOUS, Kind.POLICY)

    @property
    def identity(self) -> str:
        """The identity hash a register entry must carry; empty (matching no entry) for a policy alone."""
        return self.identity_hash or ""

    @property
    def patient_pk(self) -> str:
        return keys.policy_pk(self.policy_hash)

    @property
    def limiter_key(self) -> dict[str, Any] | None:
        """The limiter item an operation reads in its own BatchGetItem, for a counted caller."""
        return keys.limiter_key(self.policy_hash) if self.counted else None


@dataclasses.dataclass(frozen=True)
class Details:
    """What a booking records of a patient beyond the identity a caller is checked by: the given names (first
    name, patronymic) and the contact. Optional on every constructor: a hold or a look-up needs none."""

    first_name: str = ""
    middle_name: str | None = None
    email: str = ""
    phone: str | None = None


NO_DETAILS = Details()


# ---------------------------------------------------------------- constructors
def _new(kind: Kind, policy_hash: str, identity_hash: str | None, *, last_name: str = "", birth_date: str = "",
          details: Details = NO_DETAILS) -> Caller:
    return Caller(kind, policy_hash, identity_hash, last_name=last_name, first_name=details.first_name,
                  middle_name=details.middle_name, birth_date=birth_date, email=details.email, phone=details.phone,
                  _made=_MADE_HERE)


def anonymous(policy_number: str, policy_series: str | None, last_name: str, birth_date: str, *,
              details: Details = NO_DETAILS) -> Caller:
    """Someone who typed their identity: every operation checks it against the register and counts failures."""
    return _new(Kind.ANONYMOUS, policy.policy_hash(policy_number, policy_series),
                 policy.identity_hash(policy_number, policy_series, last_name, birth_date),
                 last_name=last_name, birth_date=birth_date, details=details)


def by_policy(policy_number: str, policy_series: str | None) -> Caller:
    """Someone who typed a policy alone: owns what carries that policy's hash; a miss counts as a failure."""
    return _new(Kind.POLICY, policy.policy_hash(policy_number, policy_series), None)


def signed_in(policy_number: str, policy_series: str | None, last_name: str, birth_date: str, *,
              details: Details = NO_DETAILS) -> Caller:
    """The patient of a token API Gateway verified, its claims validated by the face (shared/faces/auth.py).
    The register check happens in each operation (403 `patient_not_found` for a token that does not match
    the register)."""
    return _new(Kind.SIGNED_IN, policy.policy_hash(policy_number, policy_series),
                 policy.identity_hash(policy_number, policy_series, last_name, birth_date),
                 last_name=last_name, birth_date=birth_date, details=details)


def sealed(policy_hash: str, identity_hash: str, *, last_name: str, birth_date: str,
           details: Details = NO_DETAILS) -> Caller:
    """A patient known by hashes we sealed ourselves (gorzdrav's patientId, a waiting-list entry's patient)."""
    return _new(Kind.SEALED, policy_hash, identity_hash, last_name=last_name, birth_date=birth_date,
                 details=details)


def represented(child: Mapping[str, Any], *, parent_hash: str, booked_by: tuple[str, str, str | None],
                email: str) -> Caller:
    """A child acted for by a legal representative (`parent_hash`, whose names are `booked_by` and whose address
    is `email`; a child has none of its own). `child`: `policyHash`, `identityHash`, `lastName`, `firstName`,
    `middleName`, `birthDate`, as the parent's FAMILY# link (shared/patients/family.py) or a waiting-list entry a
    parent made keeps them."""
    return Caller(Kind.REPRESENTED, str(child["policyHash"]), str(child["identityHash"]),
                  last_name=str(child["lastName"]), first_name=str(child.get("firstName") or ""),
                  middle_name=child.get("middleName") or None, birth_date=str(child["birthDate"]), email=email,
                  representative=parent_hash, booked_by=booked_by, _made=_MADE_HERE)


# ---------------------------------------------------------------- what operations do with a caller
def represents(entry: Mapping[str, Any] | None, parent_hash: str | None) -> bool:
    """The register entry names `parent_hash` among its legal representatives (a string set or a list)."""
    return bool(entry) and parent_hash is not None and parent_hash in ((entry or {}).get("representatives") or ())


def check_entry(caller: Caller, entry: Mapping[str, Any] | None) -> None:
    """The register entry (read by the operation) names this caller: 403 `patient_not_found` otherwise. A
    caller who gave only a policy is proven by ownership instead (the item's PatPK). A representative no longer
    named by the child's entry: 404 `not_found` (the child is none of theirs)."""
    if caller.identity_hash is None:
        return
    if not entry or entry.get("identityHash") != caller.identity_hash:
        raise DomainError("patient_not_found")
    if caller.kind is Kind.REPRESENTED and not represents(entry, caller.representative):
        raise DomainError("not_found")


def verify(caller: Caller) -> Caller:
    """For an operation that reads nothing else first (a signed-in list): one GetItem of the register entry."""
    if caller.identity_hash is not None:
        with counting(caller):
            check_entry(caller, dal.get(keys.attachment_key(caller.policy_hash),
                                        projection="identityHash, representatives"))
    return caller


@contextmanager
def counting(caller: Caller, codes: Iterable[str] = ("patient_not_found",), *,
             guarded: bool = False) -> Iterator[None]:
    """Around an operation: a counted caller's refusals `codes` count as failed identity checks of the policy
    (shared/patients/limiter.py; 429 past the limit); `guarded`, the operation reads the limiter item itself in its own
    BatchGetItem (`Caller.limiter_key`) and calls `limiter.check`. Other callers are never counted."""
    if not caller.counted:
        yield
        return
    with limiter.counting(caller.policy_hash, codes, guarded=guarded):
        yield


def check_limit(caller: Caller, item: Mapping[str, Any] | None) -> None:
    """429 when a counted caller's limiter item (read with the operation's other items) is at the limit."""
    if caller.counted:
            limiter.check(dict(item) if item else None)
