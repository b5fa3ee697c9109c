"""Pure rules and types: a slot's states and the booking window, refusal rules, specialties. No I/O."""
