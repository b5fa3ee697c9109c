"""Settings read from the environment (template.yaml's Globals); read lazily so tests can set them first."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

BOOKING_HORIZON_DAYS = 14
# Holds spread over this many partitions of the sparse Holds index, so a rush does not heat one key.
HOLD_SHARDS = 8


@dataclass(frozen=True)
class Settings:
    table_name: str
    hold_seconds: int
    timezone: str
    policy_hash_key: bytes
    # How long one instance reuses a look-up's answer (0 = never): the 08:00 rush's thousands of identical
    # reads of one doctor's day become one per instance per interval (docs/SCALE.md). A stale list costs no
    # correctness: the hold's write condition decides.
    lookup_cache_seconds: float = 0.0


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        table_name=os.environ.get("TABLE_NAME", "zapis"),
        hold_seconds=int(os.environ.get("HOLD_SECONDS", "300")),
        timezone=os.environ.get("CLINIC_TIMEZONE", "Europe/Moscow"),
        policy_hash_key=os.environ.get("POLICY_HASH_KEY", "local-development-key").encode(),
        lookup_cache_seconds=float(os.environ.get("LOOKUP_CACHE_SECONDS", "0")),
    )
