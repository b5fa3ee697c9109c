"""Every error code of the API has a human message in both languages of the front-end."""
from __future__ import annotations

import re
from pathlib import Path

from shared.platform.errors import CATALOGUE

I18N = (Path(__file__).resolve().parents[2] / "web" / "i18n.js").read_text(encoding="utf-8")


def _error_blocks() -> list[set[str]]:
    blocks = re.findall(r"errors: \{(.*?)\n  \},", I18N, flags=re.S)
    return [set(re.findall(r"^\s+(\w+):", block, flags=re.M)) for block in blocks]


def test_both_languages_have_a_message_for_every_api_error_code() -> None:
    blocks = _error_blocks()
    assert len(blocks) == 2, "expected the Russian and the English error texts"
    for codes in blocks:
        missing = set(CATALOGUE) - codes
        assert not missing, f"web/i18n.js has no message for {sorted(missing)}"
        assert {"network", "unknown"} <= codes
