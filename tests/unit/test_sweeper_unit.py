"""The sweeper's own logic with a fake data layer: bounded work, the release condition, the counts."""
from __future__ import annotations

from typing import Any

import pytest

from shared.booking import sweeper
from shared.platform import dal, keys

NOW = 1_795_000_000


class FakeIndex:
    """The Holds index as dal.query pages it, and the slots as dal.update's condition judges them."""

    def __init__(self, holds: list[tuple[str, int, str]]) -> None:
        # (slot id, expiry, hold id) -> an index entry and a held slot item.
        self.slots: dict[tuple[str, str], dict[str, Any]] = {}
        self.queries: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        # The index as last propagated: it may lag the slots (tests change slots behind its back).
        self.index: dict[tuple[str, str], dict[str, Any]] = {}
        for slot_id, expires, hold_id in holds:
            k = keys.slot_key(slot_id)
            assert k
            pk, sk = k["PK"]["S"], k["SK"]["S"]
            self.slots[(pk, sk)] = {"PK": pk, "SK": sk, "status": "held", "holdId": hold_id,
                                    "holdExpiresAt": expires, "HoldPK": keys.hold_shard(slot_id),
                                    "HoldSK": keys.hold_sk(expires, slot_id)}
            self.index[(pk, sk)] = dict(self.slots[(pk, sk)])

    def query(self, key_condition: str, values: dict[str, Any], *, limit: int | None = None,
              start_key: dict[str, Any] | None = None, **kwargs: Any) -> tuple[list[dict[str, Any]], Any]:
        self.queries.append({"values": values, "limit": limit, **kwargs})
        assert key_condition == "HoldPK = :pk AND HoldSK <= :upto" and kwargs["index"] == "Holds"
        entries = sorted((s for s in self.index.values()
                          if s.get("HoldPK") == values[":pk"] and s["HoldSK"] <= values[":upto"]),
                         key=lambda s: s["HoldSK"])
        offset = start_key["offset"] if start_key else 0
        # Pages of at most two, to exercise paging.
        page_size = min(limit or 2, 2)
        page = entries[offset:offset + page_size]
        more = offset + page_size < len(entries)
        return ([{"PK": s["PK"], "SK": s["SK"], "holdId": s["holdId"]} for s in page],
                {"offset": offset + page_size} if more else None)

    def update(self, key: dict[str, Any], expression: str, *, condition: str, values: dict[str, Any],
               names: dict[str, str]) -> None:
        self.updates.append({"condition": condition, "values": values})
        item = self.slots[(key["PK"]["S"], key["SK"]["S"])]
        assert condition == "#st = :held AND holdId = :h AND holdExpiresAt <= :now"
        if not (item["status"] == "held" and item.get("holdId") == values[":h"]
                and item["holdExpiresAt"] <= values[":now"]):
            raise dal.ConditionFailed(dict(item))
        item["status"] = "free"
        self.index.pop((item["PK"], item["SK"]), None)
        for field in ("holdId", "holdExpiresAt", "HoldPK", "HoldSK"):
            item.pop(field, None)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []

    class Metrics:
        def add_metric(self, name: str, unit: Any, value: float) -> None:
            out.append((name, value))

    monkeypatch.setattr(sweeper, "metrics", lambda: Metrics())
    return out


def install(monkeypatch: pytest.MonkeyPatch, fake: FakeIndex) -> None:
    monkeypatch.setattr(dal, "query", fake.query)
    monkeypatch.setattr(dal, "update", fake.update)


def slot(n: int) -> str:
    return keys.slot_id("cl0101-d01", NOW + 86400 + n * 1200)


def test_releases_expired_holds_of_every_shard(monkeypatch: pytest.MonkeyPatch,
                                               published: list[tuple[str, float]]) -> None:
    holds = [(slot(n), NOW - n, f"{slot(n)}.hold{n:016d}") for n in range(20)]
    fake = FakeIndex([*holds, (slot(99), NOW + 1, f"{slot(99)}.later{0:016d}")])
    install(monkeypatch, fake)

    result = sweeper.sweep(NOW)

    assert result == sweeper.SweepResult(examined=20, released=20, skipped=0)
    assert published == [("HoldsReleased", 20)]
    assert {q["values"][":pk"] for q in fake.queries} == set(keys.all_hold_shards())
    assert all(q["values"][":upto"] == f"{NOW:011d}#~" for q in fake.queries)
    assert fake.slots[_pk_sk(slot(99))]["status"] == "held"  # expires one second from now


def test_work_is_bounded_per_shard(monkeypatch: pytest.MonkeyPatch, published: list[tuple[str, float]]) -> None:
    holds = [(slot(n), NOW - 100 + n, f"{slot(n)}.hold{n:016d}") for n in range(40)]
    fake = FakeIndex(holds)
    install(monkeypatch, fake)
    per_shard: dict[str, int] = {}
    for slot_id, _, _ in holds:
        per_shard[keys.hold_shard(slot_id)] = per_shard.get(keys.hold_shard(slot_id), 0) + 1

    first = sweeper.sweep(NOW, limit_per_shard=3)

    assert first.released == sum(min(3, n) for n in per_shard.values())
    assert all((q["limit"] or 0) <= 3 for q in fake.queries)
    second = sweeper.sweep(NOW, limit_per_shard=3)
    assert second.released == sum(min(3, max(0, n - 3)) for n in per_shard.values())
    # Oldest expiries go first.
    freed = [s for s, _, _ in holds if fake.slots[_pk_sk(s)]["status"] == "free"]
    for shard in per_shard:
        mine = [s for s, _, _ in holds if keys.hold_shard(s) == shard]
        assert [s for s in mine if s in freed] == mine[:6]


def _pk_sk(slot_id: str) -> tuple[str, str]:
    k = keys.slot_key(slot_id)
    assert k
    return k["PK"]["S"], k["SK"]["S"]


def test_a_stale_index_entry_never_frees_a_slot_that_moved_on(monkeypatch: pytest.MonkeyPatch,
                                                              published: list[tuple[str, float]]) -> None:
    """The index is eventually consistent: an entry may still list a hold whose slot was booked, or held
    anew by another hold, or whose hold was extended. The condition judges the slot as it is now."""
    holds = [(slot(n), NOW - 10, f"{slot(n)}.hold{n:016d}") for n in range(4)]
    fake = FakeIndex(holds)
    install(monkeypatch, fake)
    booked, reheld, extended, expired = (fake.slots[_pk_sk(s)] for s, _, _ in holds)
    booked.update(status="booked", appointmentId="A" * 24)
    reheld.update(holdId=f"{slot(1)}.another{0:016d}", holdExpiresAt=NOW - 5)  # still expired, another hold
    extended.update(holdExpiresAt=NOW + 300)  # same hold, no longer expired

    result = sweeper.sweep(NOW)

    assert result == sweeper.SweepResult(examined=4, released=1, skipped=3)
    assert published == [("HoldsReleased", 1)]
    assert booked["status"] == "booked" and reheld["status"] == "held" and extended["status"] == "held"
    assert expired["status"] == "free"
    # The condition names the hold the index listed, and the sweep's own "now".
    assert {u["values"][":h"] for u in fake.updates} == {h for _, _, h in holds}
    assert {u["values"][":now"] for u in fake.updates} == {NOW}


def test_nothing_to_do_still_publishes_zero(monkeypatch: pytest.MonkeyPatch,
                                            published: list[tuple[str, float]]) -> None:
    install(monkeypatch, FakeIndex([]))
    assert sweeper.sweep(NOW) == sweeper.SweepResult(0, 0, 0)
    assert published == [("HoldsReleased", 0)]
