"""Limits every request body meets before the handler's models read it (issue 13).

Our bodies are tiny (a slot id, a hold id, a patient's identity): anything far larger, not JSON, nested
deeper than any model or carrying absurd numbers is refused with a contract 4xx instead of reaching the
JSON parser's recursion or int-size limits (which used to end as 503):

- a body over `MAX_BODY_BYTES` -> 413 `payload_too_large`;
- a body whose Content-Type is not `application/json` (lower case; parameters such as `charset` allowed; an absent
  Content-Type is read as JSON, as Powertools does) -> 415 `unsupported_media_type`;
- JSON nested deeper than `MAX_DEPTH`, a number longer than `MAX_NUMBER_CHARS` characters, NaN/Infinity
  or text that is not JSON -> 422 `validation_error` with `{"field": "body", "problem": ...}`.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from shared.errors import DomainError

MAX_BODY_BYTES = 8 * 1024
MAX_DEPTH = 8
MAX_NUMBER_CHARS = 32


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


def _is_json(content_type: str) -> bool:
    # Lower case as every client sends it: Powertools, which parses the body next, compares it so.
    return content_type.split(";", 1)[0].strip() in ("", "application/json")


def _invalid(problem: str) -> DomainError:
    return DomainError("validation_error", {"fields": [{"field": "body", "problem": problem}]})


def check(body: str | None, is_base64: bool, content_type: str | None) -> None:
    """Raise the contract's DomainError for a body that breaks a limit; return quietly otherwise."""
    if not body:
        return
    try:
        raw = base64.b64decode(body, validate=True) if is_base64 else body.encode("utf-8", errors="surrogatepass")
    except (binascii.Error, ValueError):
        raise _invalid("json_invalid") from None
    if len(raw) > MAX_BODY_BYTES:
        raise DomainError("payload_too_large", {"limitBytes": MAX_BODY_BYTES})
    if not _is_json(content_type or ""):
        raise DomainError("unsupported_media_type")
    try:
        value = json.loads(raw, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except _Refused as exc:
        raise _invalid(exc.problem) from None
    except RecursionError:  # nested past the parser's own limit
        raise _invalid("too_deep") from None
    except ValueError:  # not JSON, or not UTF-8
        raise _invalid("json_invalid") from None
    if _depth(value) > MAX_DEPTH:
        raise _invalid("too_deep")
