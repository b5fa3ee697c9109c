"""The one language decision: Russian by default, English only when asked for."""
from __future__ import annotations

from typing import Literal

Lang = Literal["ru", "en"]


def normalize(value: object) -> Lang:
    """A stored or given language: 'en' only when it says so, otherwise Russian."""
    return "en" if value == "en" else "ru"


def from_header(accept_language: str | None) -> Lang:
    """'en' when the client's first preference (Accept-Language) is English, otherwise Russian."""
    if not accept_language:
        return "ru"
    first = accept_language.split(",")[0].split(";")[0].strip().lower()
    return "en" if first.startswith("en") else "ru"
