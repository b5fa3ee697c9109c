"""Who a gorzdrav client's patient is: clinic + full name + birth date, as gorzdrav finds them (no policy).

- The **name index** (shared/patients/name_index.py, written with every register entry): one item per
  register entry, keyed by keyed hashes only (never a name in a key or an attribute). A look-up Queries the
  name key and keeps the register entries (one BatchGetItem) attached to the asked clinic; exactly one
  must remain, namesakes born the same day at one clinic are "not found" rather than a guess.
- The **limits** (issue 25): a look-up that finds nobody is a failed identity check, counted with
  shared/patients/limiter.py per full name (`gzname:<hmac(last, first, middle name)>`, no birth date: a birth-date
  sweep of one person counts on one item, at whichever clinics it is tried; IDENTITY_FAILURES_MAX per
  IDENTITY_FAILURES_WINDOW, as a policy's) and per clinic (`gzclinic:<clinicId>`,
  GORZDRAV_CLINIC_FAILURES_MAX: many names sprayed at one clinic). Both items are read before the look-up
  (one BatchGetItem): past either limit the answer is 429 whatever the birth date, the right one included.
  A found patient costs nothing. The prefixes keep these subjects apart from policy hashes (40 hex digits).
- The **patientId**: AES-GCM (authenticated encryption) of the register entry's key, its identity hash,
  the names the client gave and the time it was issued, under a key derived from the policy-hash secret
  (Secrets Manager). It reveals nothing, cannot be forged or altered, and lets create/cancel/appointments
  work from the id alone for GORZDRAV_PATIENT_ID_SECONDS (24 h) after the search; older, it opens nothing
  ("patient not found": search again). The booking transaction still checks the register entry's clinic and
  identity hash itself. Ids of the first format (`gz1.`, no issue time) open nothing either.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from shared.patients import limiter, name_index
from shared.platform import clock, dal, keys
from shared.platform.config import settings
from shared.platform.errors import DomainError

_PREFIX = "gz2."
_AAD = b"gorzdrav-patientId-v2"
# An id issued this far "in the future" is still accepted (instances' clocks differ by a little).
CLOCK_SKEW_SECONDS = 300
# Limiter subjects (shared/patients/limiter.py): never equal to a policy hash, which is hex digits only.
NAME_SUBJECT = "gzname:"
CLINIC_SUBJECT = "gzclinic:"


@dataclass(frozen=True)
class GzPatient:
    """What a sealed patientId carries."""

    policy_hash: str
    identity_hash: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: str  # ISO date
    issued_at: int = 0  # when the patientId was sealed (epoch seconds); 0: not sealed yet, seal() stamps now


def full_name_hash(last_name: str, first_name: str, middle_name: str | None) -> str:
    """Keyed hash of the full name alone, normalised as name_hash (so every spelling the name index finds as
    one person counts on one limiter item), without the birth date a sweep varies."""
    norm = name_index.normalise
    raw = "|".join(("gorzdrav-full-name", norm(last_name), norm(first_name), norm(middle_name)))
    return hmac.new(settings().policy_hash_key, raw.encode(), hashlib.sha256).hexdigest()[:40]


def name_subject(last_name: str, first_name: str, middle_name: str | None) -> str:
    return NAME_SUBJECT + full_name_hash(last_name, first_name, middle_name)


def clinic_subject(clinic_id: str) -> str:
    return CLINIC_SUBJECT + clinic_id


# ---------------------------------------------------------------- the sealed patientId
@lru_cache(maxsize=4)
def _aead(secret: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # lazy: cryptography costs cold start

    return AESGCM(hmac.new(secret, b"gorzdrav patientId key", hashlib.sha256).digest())


def seal(patient: GzPatient) -> str:
    """The patientId of `patient`, issued now (or at `patient.issued_at` when set)."""
    issued = patient.issued_at or clock.now()
    payload = json.dumps([patient.policy_hash, patient.identity_hash, patient.last_name, patient.first_name,
                          patient.middle_name, patient.birth_date, issued],
                         ensure_ascii=False, separators=(",", ":"))
    nonce = os.urandom(12)
    sealed = nonce + _aead(settings().policy_hash_key).encrypt(nonce, payload.encode(), _AAD)
    return _PREFIX + base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def unseal(patient_id: Any) -> GzPatient | None:
    """The patient a patientId names, or None for anything not sealed by us (forged, altered, truncated, the
    first format) and for an id issued more than GORZDRAV_PATIENT_ID_SECONDS ago."""
    from cryptography.exceptions import InvalidTag  # lazy: cryptography costs cold start

    if not isinstance(patient_id, str) or not patient_id.startswith(_PREFIX) or len(patient_id) > 1200:
        return None
    body = patient_id[len(_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        plain = _aead(settings().policy_hash_key).decrypt(raw[:12], raw[12:], _AAD)
        p, i, last, first, middle, birth, issued = json.loads(plain)
    except (binascii.Error, ValueError, InvalidTag, TypeError):
        return None
    now = clock.now()
    if (not isinstance(issued, int) or isinstance(issued, bool) or issued > now + CLOCK_SKEW_SECONDS
            or now - issued > settings().gorzdrav_patient_id_seconds):
        return None
    return GzPatient(p, i, last, first, middle, birth, issued)


# ---------------------------------------------------------------- the look-up
def _subjects(clinic_id: str, last_name: str | None, first_name: str | None,
              middle_name: str | None) -> list[tuple[str, int]]:
    """The limiter subjects of a look-up and their thresholds: the full name's, the clinic's."""
    s = settings()
    out = []
    if last_name and first_name:
        out.append((name_subject(last_name, first_name, middle_name), s.identity_failures_max))
    if clinic_id:
        out.append((clinic_subject(clinic_id), s.gorzdrav_clinic_failures_max))
    return out


def guard(clinic_id: str, last_name: str, first_name: str, middle_name: str | None) -> None:
    """Refuse (429 `rate_limited`, Retry-After) a look-up whose name or clinic has used up its failures in
    this window, before anything is looked up (one BatchGetItem of both limiter items)."""
    subjects = _subjects(clinic_id, last_name, first_name, middle_name)
    found = {item["PK"]: item for item in dal.batch_get([keys.limiter_key(s) for s, _ in subjects])}
    for subject, limit in subjects:
        limiter.check(found.get(keys.limiter_key(subject)["PK"]["S"]), limit)


def failed_check(clinic_id: str, last_name: str, first_name: str, middle_name: str | None) -> None:
    """Count one failed look-up on the full name and on the clinic (each UpdateItem conditional, as the
    policy's); 429 when either could not be counted (already at its limit, a race)."""
    refusal: DomainError | None = None
    for subject, limit in _subjects(clinic_id, last_name, first_name, middle_name):
        try:
            limiter.record_failure(subject, limit)
        except DomainError as refused:
            refusal = refusal or refused
    if refusal is not None:
        raise refusal


def find(clinic_id: str, last_name: str, first_name: str, middle_name: str | None, birth_day: date) -> str | None:
    """A sealed patientId for the one register entry attached to `clinic_id` with this name and birth
    date, or None (a failed check, counted). 429 past the name's or the clinic's limit, before the look-up.
    One BatchGetItem of the limiter items, one Query of the name index, one BatchGetItem of the register
    entries; a failure adds two UpdateItems."""
    guard(clinic_id, last_name, first_name, middle_name)
    birth = birth_day.isoformat()
    name_pk = keys.gz_name_pk(name_index.name_hash(last_name, first_name, middle_name, birth))
    found = dal.query_all("PK = :pk", {":pk": name_pk}, projection="SK")
    entry_keys = [keys.key(item["SK"], keys.ATTACHMENT_SK) for item in found][:25]
    entries = [e for e in (dal.batch_get(entry_keys) if entry_keys else []) if e.get("clinicId") == clinic_id]
    if len(entries) != 1:
        failed_check(clinic_id, last_name, first_name, middle_name)
        return None
    entry = entries[0]
    return seal(GzPatient(policy_hash=keys.policy_hash_of(entry["PK"]), identity_hash=entry["identityHash"],
                          last_name=last_name.strip(), first_name=first_name.strip(),
                          middle_name=(middle_name or "").strip() or None, birth_date=birth))
