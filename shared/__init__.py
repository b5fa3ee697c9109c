"""The project's package, shipped to every Lambda function as a layer (template.yaml, SharedLayer).

Faces on top, one core below, the platform at the ground; imports point down only (pyproject.toml, import-linter):

- `faces/`      translate a wire to the core and back: `v1/` (our API's pydantic models and error answers),
                `gorzdrav/`, `fhir/`, and what they share (`http`, `auth`: the wire's callers, `request_limits`).
- `notify/`     emails from the table's stream.
- `clinic/`     the staff's side: plans, the schedule job, absences, the day list, staff identity.
- `booking/`    what a patient does with slots: holds, bookings, moves, cancellations, referrals, the waiting
                list and its offers, reminders, tickets and the patient's history; the sweeper.
- `patients/`   who is asking (`callers`), the register (`attachment`), policy hashes, the limiter.
- `catalogue/`  districts, clinics, specialties, doctors, free slots, addresses: reads only.
- `domain/`     pure rules and types: a slot's states and window, the refusal rules, specialties.
- `platform/`   configuration, clock, DynamoDB access and keys, item types, errors, observability.

Read DESIGN.md beside this file for the single-table model.
"""
