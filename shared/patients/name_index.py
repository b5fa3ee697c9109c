"""The register's name index: `GZNAME#<hmac(full name, birth date)>` / `POLICY#<policy hash>`, one item per
register entry with a full name, keyed by keyed hashes only (never a name in a key or an attribute). Written
with the register entry (demo data, the import, the registry's changes); read by the gorzdrav face, whose
clients find a patient by name and birth date rather than by policy."""
from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from shared.platform import keys
from shared.platform.config import settings

_SPACES = re.compile(r"[\s\-]+")


def normalise(value: str | None) -> str:
    """A name as the index compares it: case, ё/е and spacing do not matter."""
    return _SPACES.sub(" ", (value or "").strip().lower().replace("ё", "е"))


def name_hash(last_name: str, first_name: str, middle_name: str | None, birth_date: str) -> str:
    """Keyed hash of the full name and ISO birth date."""
    raw = "|".join(("gorzdrav-name", normalise(last_name), normalise(first_name), normalise(middle_name), birth_date))
    return hmac.new(settings().policy_hash_key, raw.encode(), hashlib.sha256).hexdigest()[:40]


def index_item(person: dict[str, Any], policy_hash: str) -> dict[str, Any]:
    """The name-index item of one register entry."""
    return {"PK": keys.gz_name_pk(name_hash(person["lastName"], person["firstName"], person.get("middleName"),
                                            person["birthDate"])),
            "SK": keys.policy_pk(policy_hash), "entity": "gzNameIndex"}
