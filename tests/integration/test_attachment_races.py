"""Changes of polyclinic racing on DynamoDB Local (moto is not thread-safe): two changes of one patient at
the same moment -> exactly one wins; the register entry and the history agree with the winner."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.demo import data
from shared.patients import attachment, policy
from shared.platform import dal, keys
from shared.platform.errors import DomainError

pytestmark = pytest.mark.integration

CLINICS = {"cl0101", "cl0102", "cl0201"}
ROUNDS = 6


def person(n: int) -> dict[str, Any]:
    return {"lastName": "Гонкина", "firstName": "Анна", "birthDate": "1985-05-05",
            "policyNumber": f"98{n:014d}", "policySeries": None, "clinicId": "cl0101"}


@pytest.fixture
def people(ddb_table: str) -> list[dict[str, Any]]:
    """Three clinics' profiles and ROUNDS patients attached to cl0101 (one per round)."""
    found = [person(n) for n in range(ROUNDS)]
    items = [i for i in data.reference_items() if i["SK"] == keys.PROFILE and i["PK"] in
             {keys.clinic_pk(c) for c in CLINICS}]
    dal.batch_write(items + data.register_items(found))
    return found


def change(p: dict[str, Any], clinic_id: str, reason: str, start: threading.Barrier) -> str:
    start.wait()
    try:
        # With the first name, every racer's transaction also writes the same name-index item (issue 19).
        out = attachment.change(last_name=p["lastName"], first_name=p["firstName"], birth_date=p["birthDate"],
                                policy_number=p["policyNumber"], policy_series=None, clinic_id=clinic_id,
                                reason=reason, registered_by="race")
    except DomainError as refused:
        return refused.code
    return f"attached:{out['attachment']['clinicId']}"


def race(p: dict[str, Any], *moves: tuple[str, str]) -> list[str]:
    start = threading.Barrier(len(moves))
    with ThreadPoolExecutor(max_workers=len(moves)) as pool:
        return list(pool.map(lambda m: change(p, m[0], m[1], start), moves))


def state(p: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    pk = keys.policy_pk(policy.policy_hash(p["policyNumber"]))
    entry = dal.get(keys.key(pk, keys.ATTACHMENT_SK), consistent=True)
    assert entry
    events = list(dal.query_all("PK = :pk AND begins_with(SK, :h)", {":pk": pk, ":h": keys.ATTACHMENT_HISTORY_PREFIX},
                                consistent=True))
    return entry, events


def test_two_changes_by_choice_one_wins(people: list[dict[str, Any]]) -> None:
    for p in people:
        outcomes = race(p, ("cl0102", "choice"), ("cl0201", "choice"))
        winners = [o for o in outcomes if o.startswith("attached:")]
        assert len(winners) == 1, outcomes
        assert [o for o in outcomes if o not in winners] == ["attachment_change_too_soon"], outcomes
        entry, events = state(p)
        winner = winners[0].split(":")[1]
        assert entry["clinicId"] == winner and entry["version"] == 1 and entry["previousClinicId"] == "cl0101"
        assert sorted((e["event"], e["clinicId"]) for e in events) == [("attached", winner), ("detached", "cl0101")]
    # The name index of these namesakes (one name and birth date, ROUNDS policies): one item per policy.
    from shared.patients import name_index

    name_pk = keys.gz_name_pk(name_index.name_hash("Гонкина", "Анна", None, "1985-05-05"))
    index = list(dal.query_all("PK = :pk", {":pk": name_pk}, consistent=True))
    assert sorted(i["SK"] for i in index) == sorted(keys.policy_pk(policy.policy_hash(p["policyNumber"]))
                                                    for p in people)


def test_two_registrations_of_the_same_change_one_wins(people: list[dict[str, Any]]) -> None:
    for p in people:
        outcomes = race(p, ("cl0102", "relocation"), ("cl0102", "relocation"))
        assert sorted(outcomes) == ["already_attached", "attached:cl0102"], outcomes
        entry, events = state(p)
        assert entry["clinicId"] == "cl0102" and entry["version"] == 1
        assert len(events) == 2


def test_relocations_to_different_clinics_are_serialised(people: list[dict[str, Any]]) -> None:
    """No limit on relocations: both may win, one after the other, and the history says so in order."""
    for p in people:
        outcomes = race(p, ("cl0102", "relocation"), ("cl0201", "relocation"))
        winners = [o.split(":")[1] for o in outcomes if o.startswith("attached:")]
        assert winners and all(o.startswith("attached:") or o == "already_attached" for o in outcomes), outcomes
        entry, events = state(p)
        assert entry["version"] == len(winners)
        assert len(events) == 2 * len(winners)
        ordered = sorted(events, key=lambda e: e["SK"])
        # Each change closes the attachment the previous one opened; the last one opened is the entry's.
        opened = [e["clinicId"] for e in ordered if e["event"] == "attached"]
        closed = [e["clinicId"] for e in ordered if e["event"] == "detached"]
        assert closed == ["cl0101", *opened[:-1]] and opened[-1] == entry["clinicId"]


def test_a_stale_read_cannot_write(people: list[dict[str, Any]]) -> None:
    """The race made deterministic: a change decided on an entry read before another change was written is
    refused by the transaction's condition, and the retry decides again from the entry as it is now."""
    p = people[0]
    pk = keys.policy_pk(policy.policy_hash(p["policyNumber"]))
    entry_key = keys.key(pk, keys.ATTACHMENT_SK)
    stale = dal.get(entry_key, consistent=True)
    assert race(p, ("cl0102", "choice")) == ["attached:cl0102"]
    identity = policy.identity_hash(p["policyNumber"], None, p["lastName"], p["birthDate"])
    move = attachment.Change(policy.policy_hash(p["policyNumber"]), identity, "cl0201", "choice", "race")
    outcome, fresh = attachment._try_change(stale, move)
    assert outcome is None and fresh and fresh["clinicId"] == "cl0102" and fresh["version"] == 1
    entry, events = state(p)
    assert entry["clinicId"] == "cl0102" and len(events) == 2
    with pytest.raises(DomainError) as refused:
        attachment._try_change(fresh, move)
    assert refused.value.code == "attachment_change_too_soon"
