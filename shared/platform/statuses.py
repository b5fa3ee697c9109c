"""Statuses of slots and appointments, in one place (the item fields `status`)."""
from __future__ import annotations

# slot
FREE = "free"
HELD = "held"
CLOSED = "closed"  # by an absence, or a plan the time no longer fits: never offered again
# slot and appointment
BOOKED = "booked"
# appointment
CANCELLED = "cancelled"
FULFILLED = "fulfilled"
NOSHOW = "noshow"
RESCHEDULED = "rescheduled"  # moved to another time in one step: `rescheduledTo` names the new appointment
# referral (issue 15)
ISSUED = "issued"  # may be used for one booking
USED = "used"  # an appointment (`appointmentId`) uses it; a cancellation or an absence gives it back
# waiting-list entry (issue 15); it ends booked, cancelled (left) or lapsed (an offer not taken in time)
WAITING = "waiting"
OFFERED = "offered"  # a freed slot is held for it (`offerSlotId`, `offerHoldId`, `offerExpiresAt`)
LAPSED = "lapsed"
