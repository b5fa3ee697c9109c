"""The FHIR R4 Scheduling face (issue 21): our directory, slots and bookings as FHIR resources.

Translation only: every rule stays in the domain modules (shared.booking.bookings, shared.booking.cancellation,
shared.catalogue.lookup);
this package maps their items and answers to FHIR and FHIR requests to their arguments.

- `codes`: code systems, identifier systems, ids, status and error mappings (one place for each).
- `resources`: our items -> Organization, Location, Practitioner, PractitionerRole, HealthcareService,
  Schedule, Slot, Appointment.
- `directory`: the reads of reference data (clinics, specialties, doctors) and of slots the searches need.
- `search`: search parameters, paging (`page-token`), searchset Bundles.
- `operations`: Appointment $find, $hold, $book, $cancel and the owner's read.
- `capability`: the CapabilityStatement of each base.
- `http`: FHIR requests and answers: media types, Parameters, OperationOutcome.
"""
