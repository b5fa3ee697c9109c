"""Families (issue 29): a child's legal representatives, and a signed-in parent acting for a child.

The register entry of a child (`POLICY#<child hash>/ATTACHMENT`) names its representatives: `representatives`, the
parents' keyed policy hashes. Each representative has a link on their own side, written in the same transaction as
the entry's change (the registry's, shared/patients/attachment.py):

  link  `POLICY#<parent hash>` / `FAMILY#<member id>`: the child's policy and identity hashes, names and birth date
        (personal data as an appointment's: stored, never logged). The member id is a keyed hash of (parent,
        child): opaque, url-safe, not reversible, and another parent's id for the same child is another id.

A parent's family is one Query of their links (`family`); a `familyMemberId` is one GetItem of a link, by key
(`acting_for`). The right itself is never taken from the link: the child's Caller (`callers.represented`) makes
every operation check the child's entry — identity AND the parent among `representatives` — in its transaction,
so a representative the registry removed loses the right at once, even racing.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from shared.patients import callers, policy
from shared.platform import dal, keys
from shared.platform.errors import DomainError

T = TypeVar("T")
MAX_REPRESENTATIVES = 4
_MEMBER_ID = re.compile(r"^[0-9a-f]{40}$")
CHILD_FIELDS = ("policyHash", "identityHash", "lastName", "firstName", "middleName", "birthDate")


def member_id(parent_hash: str, member_hash: str) -> str:
    """The opaque id of a family member as one parent sees it (self: the parent's own hash twice)."""
    return policy.keyed_hash("family-member", parent_hash, member_hash)


def link_key(parent_hash: str, child_hash: str) -> dict[str, dict[str, str]]:
    return keys.family_key(parent_hash, member_id(parent_hash, child_hash))


def link_item(parent_hash: str, child: Mapping[str, Any]) -> dict[str, Any]:
    """The parent's link to a child (`child`: CHILD_FIELDS)."""
    key = link_key(parent_hash, str(child["policyHash"]))
    item: dict[str, Any] = {"PK": key["PK"]["S"], "SK": key["SK"]["S"], "entity": "familyLink",
            "memberId": member_id(parent_hash, str(child["policyHash"]))}
    item.update({f: child.get(f) for f in CHILD_FIELDS if child.get(f) is not None})
    return item


@dataclass(frozen=True)
class Representatives:
    """A child's representatives as a registry change writes them: the child (CHILD_FIELDS) and the parents'
    policy hashes, in the order given."""

    child: Mapping[str, Any]
    parents: tuple[str, ...]

    def operations(self, before: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The links of the change, by role: each parent on the register (ConditionCheck of their entry) and
        linked (Put), each former one unlinked (Delete)."""
        ops: dict[str, dict[str, Any]] = {}
        for n, parent in enumerate(self.parents):
            ops[f"parent{n}"] = {"ConditionCheck": {"Key": keys.attachment_key(parent),
                                                    "ConditionExpression": "attribute_exists(PK)"}}
            ops[f"link{n}"] = {"Put": {"Item": link_item(parent, self.child)}}
        for n, parent in enumerate(p for p in dict.fromkeys(before) if p not in self.parents):
            ops[f"unlink{n}"] = {"Delete": {"Key": link_key(parent, str(self.child["policyHash"]))}}
        return ops

    @staticmethod
    def refused_parent(failed: Mapping[str, Any]) -> int | None:
        """The index of the first representative not on the register, from a refused transaction's roles."""
        found = sorted(int(role[6:]) for role in failed if role.startswith("parent"))
        return found[0] if found else None


def parent_hashes(parents: Iterable[tuple[str, str | None]], child_hash: str) -> tuple[str, ...]:
    """The representatives' keyed hashes (policy number, series), each once; never the child itself."""
    hashes = tuple(dict.fromkeys(policy.policy_hash(number, series) for number, series in parents))
    if child_hash in hashes or len(hashes) > MAX_REPRESENTATIVES:
        raise DomainError("validation_error", {"fields": [{"field": "representatives", "problem": "invalid"}]})
    return hashes


# ---------------------------------------------------------------- a parent, signed in
def family(parent: callers.Caller) -> dict[str, Any]:
    """The signed-in patient and the children they represent (GET /v1/me/family): self first, then the children
    by birth date. The parent is checked against the register (one GetItem), the links are one Query."""
    callers.verify(parent)
    links = dal.query_all("PK = :pk AND begins_with(SK, :f)",
                          {":pk": parent.patient_pk, ":f": keys.FAMILY_PREFIX}, consistent=True)
    me = {"id": member_id(parent.policy_hash, parent.policy_hash), "lastName": parent.last_name,
          "firstName": parent.first_name, "middleName": parent.middle_name, "birthDate": parent.birth_date,
          "relation": "self"}
    children = sorted(links, key=lambda link: (str(link.get("birthDate", "")), str(link.get("memberId", ""))))
    return {"items": [me] + [{"id": c["memberId"], "lastName": c["lastName"], "firstName": c.get("firstName") or "",
                              "middleName": c.get("middleName"), "birthDate": c["birthDate"], "relation": "child"}
                             for c in children]}


def _representative(parent: callers.Caller, link: Mapping[str, Any]) -> callers.Caller:
    return callers.represented(link, parent_hash=parent.policy_hash,
                               booked_by=(parent.last_name, parent.first_name, parent.middle_name),
                               email=parent.email)


def _link_of(parent: callers.Caller, key: dict[str, Any]) -> dict[str, Any] | None:
    """The parent's link at `key`, read with the parent's own register entry (the token is the register's)."""
    entry_key = keys.attachment_key(parent.policy_hash)
    found = {i["SK"]: i for i in dal.batch_get([key, entry_key], consistent=True)}
    callers.check_entry(parent, found.get(keys.ATTACHMENT_SK))
    return found.get(key["SK"]["S"])


def acting_for(parent: callers.Caller, member: str | None) -> callers.Caller:
    """Who a signed-in request acts for: the parent (no `familyMemberId`, or their own), or the child their link
    names (404 `not_found` for any other id: another adult's child is as unknown as a made-up id)."""
    if not member or member == member_id(parent.policy_hash, parent.policy_hash):
        return parent
    if not _MEMBER_ID.match(member):
        raise DomainError("not_found")
    link = _link_of(parent, keys.family_key(parent.policy_hash, member))
    if not link:
        raise DomainError("not_found")
    return _representative(parent, link)


def on_behalf(parent: callers.Caller, patient_of: Callable[[], str | None], act: Callable[[callers.Caller], T]) -> T:
    """`act` on an appointment or a waiting-list entry as the parent; when it is none of theirs (404) and its
    patient (`patient_of()`: the item's policy hash, read only then) is a child they represent (the parent's link
    for that child exists), as that child's representative. Another adult's item stays 404: no link of this
    parent names its patient."""
    try:
        return act(parent)
    except DomainError as refused:
        if refused.code != "not_found":
            raise
        patient_hash = patient_of()
        if not patient_hash or patient_hash == parent.policy_hash:
            raise
        link = _link_of(parent, link_key(parent.policy_hash, patient_hash))
        if not link:
            raise
    return act(_representative(parent, link))


def appointment_patient(appointment_id: str) -> str | None:
    """The policy hash of an appointment's patient (one GetItem, the PatPK alone), None for no such appointment."""
    if not keys.valid_appointment_id(appointment_id):
        return None
    found = dal.get(keys.appointment_key(appointment_id), projection="PatPK")
    return keys.policy_hash_of(str(found["PatPK"])) if found and found.get("PatPK") else None
