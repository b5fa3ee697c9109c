"""Input rules, in one place, that every face's request meets before the face reads it (issue 13; issue 25, 4).

Our bodies are tiny (a slot id, a hold id, a patient's identity, a FHIR Parameters of a few resources):
anything far larger, not JSON, nested deeper than any body of ours or carrying absurd numbers is refused
with a contract 4xx instead of reaching the JSON parser's recursion or int-size limits (which used to end
as 503). The same rules hold on every face (/v1, gorzdrav, FHIR); a face chooses only its media types and how
deep its bodies may nest (`Rules`):

- a body over `MAX_BODY_BYTES` -> 413 `payload_too_large`;
- a body whose Content-Type is not one of the face's JSON media types (lower case; parameters such as `charset`
  allowed; an absent Content-Type is read as JSON, as Powertools does) -> 415 `unsupported_media_type`;
- JSON nested deeper than the face's depth, a number longer than `MAX_NUMBER_CHARS` characters or not finite,
  NaN/Infinity, text that is not JSON (or not UTF-8, or bad base64) -> 422 `validation_error` with
  `{"field": "body", "problem": ...}`.

Dates have one rule too (`checked_date`): a date before `DATE_MIN` or after `DATE_MAX` is a 422
`validation_error` (`problem: "out_of_range"`) naming the parameter, so no face does date or epoch
arithmetic on a date the calendar's ends would overflow on.

Each face translates the refusal (a DomainError) to its own wire: /v1 the contract's error (shared/faces/v1/api.py),
gorzdrav its envelope (functions/gorzdrav/app.py), FHIR an OperationOutcome (functions/fhir/app.py).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from fnmatch import fnmatchcase
from typing import Any

from shared.platform.errors import DomainError

MAX_BODY_BYTES = 8 * 1024
MAX_DEPTH = 8
# FHIR's Parameters nest resources. The deepest body the FHIR suites send (tests/handler/test_fhir.py through
# tests/fhir_check.py) is 9 levels: Parameters.parameter[].resource.contained[].name[].given[] of an Argonaut
# booking. A client's own elements go further: a contained Patient's identifier[].type.coding[] is 11 and a
# nested extension (extension[].extension[].valueCoding) 13. 16 leaves room and still refuses a pile of brackets.
FHIR_MAX_DEPTH = 16
MAX_NUMBER_CHARS = 32
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)


@dataclass(frozen=True)
class Rules:
    """What one face accepts: its JSON media types (fnmatch patterns) and how deep its bodies nest. Every other
    limit is the same for all faces."""

    media_types: tuple[str, ...] = ("application/json",)
    max_depth: int = MAX_DEPTH


V1 = Rules()
# gorzdrav.spb.ru is ASP.NET: its clients may send any of the JSON media types ASP.NET reads.
GORZDRAV = Rules(media_types=("application/json", "text/json", "application/*+json"))
FHIR = Rules(media_types=("application/fhir+json", "application/json"), max_depth=FHIR_MAX_DEPTH)


class _Refused(ValueError):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _number(text: str) -> float | int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused("number_too_large")
    if not any(c in text for c in ".eE"):
        return int(text)
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as infinity
        raise _Refused("number_too_large")
    return value


def _constant(_: str) -> Any:
    raise _Refused("json_invalid")  # NaN, Infinity, -Infinity are not JSON


def _depth(value: Any) -> int:
    """Nesting depth without recursion (the parsed value is small: MAX_BODY_BYTES)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _is_json(content_type: str, rules: Rules) -> bool:
    # Lower case as every client sends it: Powertools, which parses /v1's bodies next, compares it so.
    media = content_type.split(";", 1)[0].strip()
    return media == "" or any(fnmatchcase(media, pattern) for pattern in rules.media_types)


def invalid(field: str, problem: str) -> DomainError:
    return DomainError("validation_error", {"fields": [{"field": field, "problem": problem}]})


def _sized(body: str, is_base64: bool) -> bytes:
    try:
        raw = base64.b64decode(body, validate=True) if is_base64 else body.encode("utf-8", errors="surrogatepass")
    except (binascii.Error, ValueError):
        raise invalid("body", "json_invalid") from None
    if len(raw) > MAX_BODY_BYTES:
        raise DomainError("payload_too_large", {"limitBytes": MAX_BODY_BYTES})
    return raw


def check_size(body: str | None, is_base64: bool) -> None:
    """The size limit alone, for a route that ignores its body (gorzdrav's GETs)."""
    if body:
        _sized(body, is_base64)


def parse(body: str | None, is_base64: bool, content_type: str | None, rules: Rules = V1) -> Any:
    """The body's JSON value (None without a body), or the contract's DomainError for a body that breaks a limit."""
    if not body:
        return None
    raw = _sized(body, is_base64)
    if not _is_json(content_type or "", rules):
        raise DomainError("unsupported_media_type")
    try:
        value = json.loads(raw, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except _Refused as exc:
        raise invalid("body", exc.problem) from None
    except RecursionError:  # nested past the parser's own limit
        raise invalid("body", "too_deep") from None
    except ValueError:  # not JSON, or not UTF-8
        raise invalid("body", "json_invalid") from None
    if _depth(value) > rules.max_depth:
        raise invalid("body", "too_deep")
    return value


def check(body: str | None, is_base64: bool, content_type: str | None, rules: Rules = V1) -> None:
    """Raise the contract's DomainError for a body that breaks a limit; return quietly otherwise."""
    parse(body, is_base64, content_type, rules)


def date_in_range(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def checked_date(value: date | datetime, field: str) -> None:
    """Refuse a date outside DATE_MIN..DATE_MAX as the contract's 422, naming the parameter (never its value)."""
    if not date_in_range(value):
        raise invalid(field, "out_of_range")
