"""What one warm instance remembers for a moment: answers of hot reads, slots it saw taken.

At the 08:00 rush thousands of patients read the same doctor's day and aim at the same slots; an instance
that answers from what it learned in the last second spares the doctor's partition (docs/SCALE.md). It is
never a source of truth: every write's condition still decides, and the memo only ever makes an answer
up to `LOOKUP_CACHE_SECONDS` old (0, the default outside AWS, turns it off).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

_MISSING = object()
LIMIT = 4096

_entries: dict[tuple[Any, ...], tuple[float, Any]] = {}
_lock = threading.Lock()


def ticks() -> float:
    """Seconds on a monotonic clock (tests move it)."""
    return time.monotonic()


def recall(key: tuple[Any, ...], seconds: float) -> Any:
    """The value remembered under `key` less than `seconds` ago, else None."""
    if seconds <= 0:
        return None
    with _lock:
        hit = _entries.get(key)
    if hit is None or ticks() - hit[0] >= seconds:
        return None
    return hit[1]


def remember(key: tuple[Any, ...], value: Any) -> None:
    with _lock:
        if len(_entries) >= LIMIT:
            _entries.clear()
        _entries[key] = (ticks(), value)


def forget(key: tuple[Any, ...] | None = None) -> None:
    """Drop one entry, or everything (tests)."""
    with _lock:
        if key is None:
            _entries.clear()
        else:
            _entries.pop(key, None)


def through(key: tuple[Any, ...], compute: Callable[[], Any], seconds: float) -> Any:
    """The remembered value, or a fresh one from `compute` (then remembered)."""
    hit = _entries.get(key, (0.0, _MISSING)) if seconds > 0 else (0.0, _MISSING)
    if hit[1] is not _MISSING and ticks() - hit[0] < seconds:
        return hit[1]
    value = compute()
    if seconds > 0:
        remember(key, value)
    return value
