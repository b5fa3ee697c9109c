"""docs/openapi.json, generated from the handlers' routes and models (Powertools' OpenAPIMerge merges every
function's resolver into one document). `--write` regenerates it, `--check` fails when it is stale.

Errors: every operation documents each error status it can answer, with the contract's one `Error` schema
and, in the description and `x-error-codes`, the codes behind that status (statuses from shared/platform/errors.py's
catalogue). The codes are the route's own (`openapi_extensions=api.errors(...)` on its decorator) plus those
its kind of route can always answer (`implied_codes`). Statuses API Gateway itself can answer (401 from the
JWT authorizers, 403, 413, 429, 503) also admit its `{"message": ...}` body
(`GatewayError`, see docs/http-api.md, "Answers from API Gateway itself")."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from typing import Any

from infra.template import ROOT, functions, routes

OUT = ROOT / "docs" / "openapi.json"


# Functions whose routes are another API's, documented in docs/gorzdrav.md and docs/fhir.md rather than here: the
# gorzdrav façade answers gorzdrav.spb.ru's paths and shapes (issue 19).
UNDOCUMENTED = {"gorzdrav", "fhir"}  # faces that describe themselves (gorzdrav-api, FHIR metadata)


def generate() -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import Server

    merge = OpenAPIMerge(
        title="Zapis k vrachu (Запись на приём к врачу)",
        version="1.0.0",
        description="Booking doctor appointments at public polyclinics. Errors are always "
                    '{"error": {"code", "message"}}; Russian by default, English with Accept-Language: en.',
        servers=[Server(url="http://127.0.0.1:3000", description="local stack (make run)")],
        on_conflict="error",
    )
    for fn in functions().values():
        app = ROOT / "functions" / fn["name"] / "app.py"
        if fn["routes"] and app.exists() and fn["name"] not in UNDOCUMENTED:
            merge.add_file(app, resolver_name="app")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a handler that fails to load must fail the generation
        schema = json.loads(merge.get_openapi_json_schema())
    document_errors(schema)
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


STAFF_AUTHORIZER = "StaffJwt"
OPERATION_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")
ALWAYS = ("validation_error", "unavailable")
# What API Gateway answers by itself, before or instead of the function: a status the Error schema alone
# would not describe.
GATEWAY_STATUSES = {401, 403, 413, 429, 503}


def implied_codes(method: str, path: str, operation: dict[str, Any], authorizer: str | None) -> list[str]:
    """The codes any route of this kind can answer, whatever its own logic."""
    codes = list(ALWAYS)
    if "{" in path:
        codes.append("not_found")  # an id that names nothing
    if "requestBody" in operation:
        codes += ["payload_too_large", "unsupported_media_type"]  # shared/faces/request_limits.py
    if authorizer == STAFF_AUTHORIZER:
        codes += ["unauthorized", "forbidden"]
    elif authorizer:
        codes.append("unauthorized")
    return codes


def _error_schemas() -> dict[str, Any]:
    from shared.platform.errors import CATALOGUE

    return {
        "Error": {
            "title": "Error",
            "description": "Every error the functions answer: a code from the catalogue and a message in the "
                           "request's language (Russian by default, English with Accept-Language: en).",
            "type": "object",
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": sorted(CATALOGUE)},
                    "message": {"type": "string"},
                    "details": {"type": "object", "description": "Safe context, e.g. the fields that failed "
                                "validation (`fields`: field and problem; `unknownFields`: how many keys "
                                "were not ours, never their names)."},
                },
            }},
        },
        "GatewayError": {
            "title": "GatewayError",
            "description": "An answer from API Gateway itself (authorizer, throttling, payload limit, "
                           "integration timeout), not from a function.",
            "type": "object",
            "required": ["message"],
            "properties": {"message": {"type": "string", "examples": ["Unauthorized", "Too Many Requests"]}},
        },
    }


def _error_response(status: int, codes: list[str]) -> dict[str, Any]:
    """The response of one error status: our Error (or API Gateway's own answer, for the statuses it gives)."""
    ref: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
    if status in GATEWAY_STATUSES:
        ref = {"anyOf": [ref, {"$ref": "#/components/schemas/GatewayError"}]}
    return {
        "description": "Error codes: " + ", ".join(f"`{c}`" for c in codes),
        "content": {"application/json": {"schema": ref}},
        "x-error-codes": codes,
    }


def _document_operation(method: str, path: str, operation: dict[str, Any], authorizer: str | None) -> None:
    """One operation: its security, and its error responses (the codes it implies and its own) by status."""
    from shared.platform.errors import CATALOGUE

    op_id = operation.get("operationId", "")
    if not OPERATION_ID.match(op_id):
        raise ValueError(f"{method.upper()} {path}: give the route a readable operation_id= (camelCase), "
                         f"not {op_id!r}")
    if authorizer:
        operation["security"] = [{"staffToken" if authorizer == STAFF_AUTHORIZER else "patientToken": []}]
    own = operation.pop("x-error-codes", [])
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(implied_codes(method, path, operation, authorizer) + own):
        by_status.setdefault(CATALOGUE[code][0], []).append(code)
    responses = {k: v for k, v in operation["responses"].items() if int(k) < 400}
    for status, codes in sorted(by_status.items()):
        responses[str(status)] = _error_response(status, codes)
    operation["responses"] = responses


def document_errors(schema: dict[str, Any]) -> None:
    """Replace Powertools' HTTPValidationError with the contract's errors, per operation (see the module doc)."""
    authorizers = {(r["method"].lower(), r["path"]): r["authorizer"] for r in routes()}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            _document_operation(method, path, operation, authorizers.get((method, path)))
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(_error_schemas())
    components["securitySchemes"] = {"patientToken": {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A patient's token (the HTTP API's JWT authorizer; `POST /_local/token` on the local stack)."},
        "staffToken": {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A clinic staff member's token (the StaffJwt authorizer: the staff provider's issuer and "
                       "audience; claims clinic_id and staff_role). Locally `POST /_local/token` with "
                       "`{\"staff\": true, \"clinicId\", \"role\"}`."}}
    _drop_unused(components["schemas"], schema)


def _drop_unused(schemas: dict[str, Any], schema: dict[str, Any]) -> None:
    """Drop components nothing refers to (Powertools' HTTPValidationError, ValidationError, ...)."""
    while True:
        text = json.dumps({k: v for k, v in schema.items() if k != "components"}) + json.dumps(
            [v for v in schemas.values()])
        unused = [name for name in schemas if f'"#/components/schemas/{name}"' not in text]
        if not unused:
            return
        for name in unused:
            del schemas[name]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = generate()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/openapi.json is stale: run `make openapi` and commit it", file=sys.stderr)
            return 1
        print("docs/openapi.json is current")
        return 0
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(json.loads(text)['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
