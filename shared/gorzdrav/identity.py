"""Who a gorzdrav client's patient is: clinic + full name + birth date, as gorzdrav finds them (no policy).

- The **name index**: `GZNAME#<hmac(full name, birth date)>` / `POLICY#<policy hash>` - one item per
  register entry, keyed by keyed hashes only (never a name in a key or an attribute). A look-up Queries the
  name key and keeps the register entries (one BatchGetItem) attached to the asked clinic; exactly one
  must remain, namesakes born the same day at one clinic are "not found" rather than a guess.
- The **patientId**: AES-GCM (authenticated encryption) of the register entry's key, its identity hash and
  the names the client gave, under a key derived from the policy-hash secret (Secrets Manager). It
  reveals nothing, cannot be forged or altered, and lets create/cancel/appointments work from the id
  alone; the booking transaction still checks the register entry's clinic and identity hash itself.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from shared import dal, keys
from shared.config import settings

_PREFIX = "gz1."
_AAD = b"gorzdrav-patientId-v1"
_SPACES = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class GzPatient:
    """What a sealed patientId carries."""

    policy_hash: str
    identity_hash: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: str  # ISO date


def _norm(value: str | None) -> str:
    return _SPACES.sub(" ", (value or "").strip().lower().replace("ё", "е"))


def name_hash(last_name: str, first_name: str, middle_name: str | None, birth_date: str) -> str:
    """Keyed hash of the full name and ISO birth date (case, ё/е and spacing do not matter)."""
    raw = "|".join(("gorzdrav-name", _norm(last_name), _norm(first_name), _norm(middle_name), birth_date))
    return hmac.new(settings().policy_hash_key, raw.encode(), hashlib.sha256).hexdigest()[:40]


def index_item(person: dict[str, Any], policy_hash: str) -> dict[str, Any]:
    """The name-index item of one register entry (demo data, the import, the registry)."""
    return {"PK": keys.gz_name_pk(name_hash(person["lastName"], person["firstName"], person.get("middleName"),
                                            person["birthDate"])),
            "SK": keys.policy_pk(policy_hash), "entity": "gzNameIndex"}


# ---------------------------------------------------------------- the sealed patientId
@lru_cache(maxsize=4)
def _aead(secret: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(hmac.new(secret, b"gorzdrav patientId key", hashlib.sha256).digest())


def seal(patient: GzPatient) -> str:
    payload = json.dumps([patient.policy_hash, patient.identity_hash, patient.last_name, patient.first_name,
                          patient.middle_name, patient.birth_date], ensure_ascii=False, separators=(",", ":"))
    nonce = os.urandom(12)
    sealed = nonce + _aead(settings().policy_hash_key).encrypt(nonce, payload.encode(), _AAD)
    return _PREFIX + base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def unseal(patient_id: Any) -> GzPatient | None:
    """The patient a patientId names, or None for anything not sealed by us (forged, altered, truncated)."""
    from cryptography.exceptions import InvalidTag

    if not isinstance(patient_id, str) or not patient_id.startswith(_PREFIX) or len(patient_id) > 1200:
        return None
    body = patient_id[len(_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        plain = _aead(settings().policy_hash_key).decrypt(raw[:12], raw[12:], _AAD)
        p, i, last, first, middle, birth = json.loads(plain)
    except (binascii.Error, ValueError, InvalidTag, TypeError):
        return None
    return GzPatient(p, i, last, first, middle, birth)


# ---------------------------------------------------------------- the look-up
def failed_check(clinic_id: str) -> None:
    """The one place a failed identity check is counted. Our API has no failed-check limiter yet; when the
    per-policy limiter (issue 12) exists, the façade calls it from here, so both APIs share one limit."""


def find(clinic_id: str, last_name: str, first_name: str, middle_name: str | None, birth_day: date) -> str | None:
    """A sealed patientId for the one register entry attached to `clinic_id` with this name and birth
    date, or None. One Query of the name index and one BatchGetItem of the register entries."""
    birth = birth_day.isoformat()
    found = dal.query_all("PK = :pk", {":pk": keys.gz_name_pk(name_hash(last_name, first_name, middle_name,
                                                                          birth))}, projection="SK")
    entry_keys = [keys.key(item["SK"], keys.ATTACHMENT_SK) for item in found][:25]
    entries = [e for e in (dal.batch_get(entry_keys) if entry_keys else []) if e.get("clinicId") == clinic_id]
    if len(entries) != 1:
        failed_check(clinic_id)
        return None
    entry = entries[0]
    return seal(GzPatient(policy_hash=keys.policy_hash_of(entry["PK"]), identity_hash=entry["identityHash"],
                          last_name=last_name.strip(), first_name=first_name.strip(),
                          middle_name=(middle_name or "").strip() or None, birth_date=birth))
