"""The hold sweeper: frees slots whose hold has expired, found through the sparse Holds index.

Correctness never waits for it (an expired hold already counts as free in every condition); it keeps the
slot items and the Holds index tidy. Each release is one conditional UpdateItem that only succeeds while
the slot is still held by that same hold and that hold is still expired, so a slot booked or held again
meanwhile is left alone, and two sweeps running at once release each hold once.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.domain import slots
from shared.platform import dal, keys
from shared.platform.observability import logger, metrics

INDEX = "Holds"
# Bounded work per run: at most this many expired holds per shard; the next minute's run takes the rest.
LIMIT_PER_SHARD = 200


@dataclass(frozen=True)
class SweepResult:
    examined: int
    released: int
    skipped: int


def sweep(now: int, limit_per_shard: int = LIMIT_PER_SHARD) -> SweepResult:
    """Release holds that expired at or before `now`, at most `limit_per_shard` per shard."""
    from aws_lambda_powertools.metrics import MetricUnit  # lazy: only the sweeper's runs publish metrics

    examined = released = 0
    for shard in keys.all_hold_shards():
        for hold in _expired(shard, now, limit_per_shard):
            examined += 1
            released += _release(hold, now)
    skipped = examined - released
    metrics().add_metric(name="HoldsReleased", unit=MetricUnit.Count, value=released)
    logger.info("holds swept", extra={"examined": examined, "released": released, "skipped": skipped})
    return SweepResult(examined, released, skipped)


def _expired(shard: str, now: int, limit: int) -> list[dict[str, object]]:
    """Up to `limit` index entries of one shard whose expiry is at or before `now`, oldest first."""
    found: list[dict[str, object]] = []
    start: dal.Item | None = None
    while len(found) < limit:
        items, start = dal.query("HoldPK = :pk AND HoldSK <= :upto",
                                 {":pk": shard, ":upto": f"{now:011d}#~"},
                                 index=INDEX, limit=limit - len(found), start_key=start,
                                 projection="PK, SK, holdId")
        found.extend(items)
        if not start:
            break
    return found


def _release(hold: dict[str, object], now: int) -> int:
    """1 when this hold was released; 0 when the slot moved on (booked, released, held anew) - the index
    is eventually consistent and another sweep may have been first."""
    try:
        dal.apply(slots.expire(keys.key(str(hold["PK"]), str(hold["SK"])), str(hold.get("holdId", "")), now))
    except dal.ConditionFailed:
        return 0
    return 1
