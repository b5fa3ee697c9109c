"""OMS policy numbers are personal data: normalised, then kept only as a keyed hash (HMAC-SHA256)."""
from __future__ import annotations

import hashlib
import hmac
import re

from shared.platform.config import settings

_SPACES = re.compile(r"[\s\-]+")


def normalise(number: str, series: str | None = None) -> str:
    number = _SPACES.sub("", number).upper()
    series = _SPACES.sub("", series or "").upper()
    return f"{series}|{number}"


def policy_hash(number: str, series: str | None = None) -> str:
    """The only form in which a policy is stored or used as a key."""
    digest = hmac.new(settings().policy_hash_key, normalise(number, series).encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def identity_hash(number: str, series: str | None, last_name: str, birth_date: str) -> str:
    """Keyed hash of the identity the register checks (policy + last name + birth date)."""
    last = last_name.strip().lower().replace("ё", "е")
    raw = f"{normalise(number, series)}|{last}|{birth_date}"
    return hmac.new(settings().policy_hash_key, raw.encode(), hashlib.sha256).hexdigest()[:40]


def keyed_hash(*parts: str) -> str:
    """A keyed hash of other personal data kept for checking only (a referral's last name)."""
    raw = "|".join(p.strip().lower().replace("ё", "е") for p in parts)
    return hmac.new(settings().policy_hash_key, raw.encode(), hashlib.sha256).hexdigest()[:40]
