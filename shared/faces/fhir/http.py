"""FHIR requests and answers: the media types, the base URL, search parameters, Parameters bodies and
OperationOutcome errors. Independent of the resolver, so the domain calls can be driven from anywhere."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from shared.faces import request_limits
from shared.faces.fhir import codes, shape
from shared.platform.errors import CATALOGUE, DomainError, language, message

FHIR_JSON = "application/fhir+json"
CONTENT_TYPE = f"{FHIR_JSON}; charset=utf-8"


def invalid(field_name: str, problem: str = "invalid") -> DomainError:
    """Our validation_error naming the parameter or element (never its value)."""
    return request_limits.invalid(field_name, problem)


def count_of(raw: Any) -> int | None:
    """A `_count` as given in a query (ASCII digits) or a Parameters body (an integer), or None when it is not one.
    `str.isdigit` is not enough: it is true for "²", which int() refuses, as it refuses 5,000 digits."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if raw >= 0 else None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 9:
        return int(raw)
    return None


@dataclass
class Request:
    """What a FHIR interaction needs from an API Gateway HTTP API (2.0) event."""

    method: str
    base: str                      # absolute base URL of the FHIR endpoint: .../fhir or .../fhir/me
    params: list[tuple[str, str]]  # search parameters in order, repeats kept (start=ge..&start=lt..)
    headers: dict[str, str]
    body: Any = None
    claims: dict[str, str] | None = None
    lang: str = "ru"
    signed_in: bool = False

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]

    def one(self, name: str) -> str | None:
        found = self.values(name)
        if len(found) > 1:
            raise invalid(name, "repeated")
        return found[0] if found else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _base_path(raw_path: str) -> tuple[str, bool]:
    """(the path of the FHIR base the request came through, whether it is the signed-in base /fhir/me)."""
    at = raw_path.find("/fhir")
    signed_in = raw_path[at:].startswith("/fhir/me/") or raw_path[at:] == "/fhir/me"
    return raw_path[: at + len("/fhir")] + ("/me" if signed_in else ""), signed_in


def _claims(ctx: dict[str, Any]) -> dict[str, str] | None:
    return ((ctx.get("authorizer") or {}).get("jwt") or {}).get("claims") or None


def request_of(event: dict[str, Any]) -> Request:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    ctx = event.get("requestContext") or {}
    http = ctx.get("http") or {}
    base_path, signed_in = _base_path(event.get("rawPath") or http.get("path") or "/fhir")
    host = headers.get("host") or ctx.get("domainName") or "localhost"
    base = f"{headers.get('x-forwarded-proto', 'http')}://{host}{base_path}"
    params = parse_qsl(event.get("rawQueryString") or "", keep_blank_values=True)
    # The input rules of every face (shared/faces/request_limits.py), with FHIR's media types and depth.
    body = request_limits.parse(event.get("body"), bool(event.get("isBase64Encoded")), headers.get("content-type"),
                                request_limits.FHIR)
    return Request(method=http.get("method", "GET").upper(), base=base, params=params,
                   headers=headers, body=body, claims=_claims(ctx), lang=language(headers.get("accept-language")),
                   signed_in=signed_in)


# ---------------------------------------------------------------- Parameters (operation input)
def parameters(request: Request) -> dict[str, list[dict[str, Any]]]:
    """An operation's input by name: a Parameters body, else the query string (GET $find)."""
    body = request.body
    if body is None:
        out: dict[str, list[dict[str, Any]]] = {}
        for k, v in request.params:
            out.setdefault(k, []).append({"name": k, "valueString": v})
        return out
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise invalid("resourceType", "parameters_expected")
    shape.check(body)  # every element the operations read has its FHIR JSON type
    found: dict[str, list[dict[str, Any]]] = {}
    for p in body.get("parameter") or []:
        if isinstance(p.get("name"), str):
            found.setdefault(p["name"], []).append(p)
    return found


def value(param: dict[str, Any]) -> Any:
    """The value[x] of one parameter (the resource for `resource`), or None."""
    if "resource" in param:
        return param["resource"]
    for k, v in param.items():
        if k.startswith("value"):
            return v
    return None


def first(params: dict[str, list[dict[str, Any]]], *names: str) -> Any:
    """The value of the first parameter present among `names` (synonyms of IHE and Argonaut)."""
    for name in names:
        for p in params.get(name, []):
            found = value(p)
            if found is not None:
                return found
    return None


# ---------------------------------------------------------------- OperationOutcome
def outcome(code: str, lang: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Our error as an OperationOutcome: the FHIR issue type, our code in details.coding, the text in the
    caller's language, and for invalid input the names of the elements (never their values)."""
    issue: dict[str, Any] = {
        "severity": "error",
        "code": codes.ISSUE_CODE.get(code, "processing"),
        "details": {"coding": [{"system": codes.ERROR_SYSTEM, "code": code}], "text": message(code, lang)},
    }
    fields = [f["field"] for f in (detail or {}).get("fields", []) if f.get("field")]
    if fields:
        issue["expression"] = fields
    if detail and "allowedFrom" in detail:
        issue["diagnostics"] = f"allowedFrom={detail['allowedFrom']}"
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def status_of(code: str) -> int:
    return CATALOGUE[code][0]
