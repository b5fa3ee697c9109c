"""Reference data carries Russian text and, where there is one, an English twin (`name` / `nameEn`)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def localized(item: Mapping[str, Any], field: str, lang: str) -> str:
    """`item[field]` in the caller's language: the English twin when asked for and present."""
    english = item.get(f"{field}En") if lang == "en" else None
    return str(english or item.get(field, ""))
