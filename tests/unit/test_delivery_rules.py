"""The notifier's decisions as pure functions (shared/notify/delivery.py): what a failed claim means, and what
each kind of email requires of its item to be claimed."""
from __future__ import annotations

import pytest

from shared.notify import delivery
from shared.notify.messages import CANCELLATION, OFFER, REMINDER, TICKET
from shared.platform import statuses

NOW = 1_800_000_000


@pytest.mark.parametrize(("kind", "old", "expected"), [
    (TICKET, None, delivery.SKIPPED),                                        # the item is gone
    (TICKET, {"ticketEmailSentAt": NOW - 5}, delivery.DUPLICATE),
    (TICKET, {"ticketEmailLease": NOW + 30}, None),                           # another worker sends it: retry
    (CANCELLATION, {"cancelEmailSentAt": NOW}, delivery.DUPLICATE),
    (REMINDER, {"status": statuses.CANCELLED, "start": NOW + 99, "remindedStage": 1440}, delivery.SKIPPED),
    (REMINDER, {"status": statuses.BOOKED, "start": NOW, "remindedStage": 1440}, delivery.SKIPPED),  # started
    (REMINDER, {"status": statuses.BOOKED, "start": NOW + 99, "remindedStage": 1440}, None),
    (OFFER, {"status": "lapsed"}, delivery.SKIPPED),
    (OFFER, {"status": "offered", "offerEmailLease": NOW + 10}, None),
])
def test_what_a_failed_claim_means(kind: str, old: dict[str, object] | None, expected: str | None) -> None:
    marker = delivery.marker_of(kind, old or {"remindedStage": 1440})
    assert delivery.unclaimed_outcome(kind, marker, old, NOW) == expected


def test_each_kind_claims_only_while_its_email_still_makes_sense() -> None:
    for kind, extra in ((TICKET, set()), (CANCELLATION, set()), (REMINDER, {":booked"}), (OFFER, {":offered"})):
        marker = delivery.marker_of(kind, {"remindedStage": 120})
        condition, values, names = delivery.claim_condition(kind, marker, NOW, NOW + 60)
        assert "attribute_not_exists(#sent)" in condition and values[":lease"] == NOW + 60
        assert set(values) == {":lease", ":one", ":now"} | extra
        assert names["#sent"] == marker.sent
    assert delivery.marker_of(REMINDER, {"remindedStage": 120}).sent == "reminder120EmailSentAt"
