"""The ticket link's token: only the token made for the id opens it; any other text is simply wrong."""
from __future__ import annotations

from shared.booking import ticket_link


def test_only_the_ids_own_token_is_valid_and_odd_text_is_just_wrong() -> None:
    good = ticket_link.token("a1")
    assert ticket_link.valid("a1", good)
    assert not ticket_link.valid("a2", good)
    assert not ticket_link.valid("a1", None)
    assert not ticket_link.valid("a1", "ё3e®")  # non-ASCII: refused, not a server error
