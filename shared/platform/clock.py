"""Time in one place: epoch seconds for write conditions, the clinic's zone for everything shown."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from shared.platform.config import settings


def now() -> int:
    """Epoch seconds. Tests move time by patching this function."""
    return int(time.time())


@lru_cache(maxsize=4)
def zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or settings().timezone)


def local_iso(epoch: int) -> str:
    """ISO 8601 with the clinic's offset, e.g. 2026-11-26T08:00:00+03:00."""
    return datetime.fromtimestamp(epoch, zone()).isoformat()


def local_date(epoch: int) -> date:
    return datetime.fromtimestamp(epoch, zone()).date()


def day_start(day: date) -> int:
    """Epoch of local midnight starting `day` in the clinic's zone."""
    return int(datetime(day.year, day.month, day.day, tzinfo=zone()).timestamp())


def day_end(day: date) -> int:
    """Epoch of local midnight ending `day` (exclusive bound)."""
    return day_start(day + timedelta(days=1))


def utc_stamp(epoch: int) -> str:
    """Compact sortable UTC stamp used inside keys and ids: 202611260500."""
    return time.strftime("%Y%m%d%H%M", time.gmtime(epoch))


def parse_utc_stamp(stamp: str) -> int:
    return int(datetime.strptime(stamp, "%Y%m%d%H%M").replace(tzinfo=ZoneInfo("UTC")).timestamp())
