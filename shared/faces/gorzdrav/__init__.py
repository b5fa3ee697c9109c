"""The gorzdrav.spb.ru-compatible façade (issue 19): gorzdrav's `/_api/api/v2/...` answered from our domain.

- `wire`: the envelope, the error codes and their Russian texts, time and id formats, tolerant parsing.
- `identity`: the keyed-hash name index and the sealed, unforgeable `patientId`.
- `facade`: one function per endpoint, each translating onto the same domain calls our own API makes
  (shared.catalogue.lookup, shared.booking.bookings, shared.booking.cancellation, shared.booking.history,
  shared.patients.attachment).
"""
