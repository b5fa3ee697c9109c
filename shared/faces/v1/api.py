"""What every HTTP function shares: the resolver's error handling, the request's language, the caller.

Handlers stay thin: `app = APIGatewayHttpResolver(enable_validation=True)`, then `api.configure(app)`,
then routes that parse, make one call into the domain, and return a model.
"""
from __future__ import annotations

import json
import re
from typing import Any

from shared.faces import request_limits
from shared.faces.http import (
    APIGatewayHttpResolver,
    RequestUnsupportedContentType,
    RequestValidationError,
    Response,
    content_types,
)
from shared.platform import budget
from shared.platform.errors import CATALOGUE, DomainError, error_body
from shared.platform.language import from_header
from shared.platform.observability import logger


def serialize(value: Any) -> str:
    """JSON as UTF-8 text: Cyrillic stays readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def lang(app: APIGatewayHttpResolver) -> str:
    return from_header(app.current_event.headers.get("accept-language"))


def error_response(code: str, lang_: str, status: int, detail: dict[str, Any] | None = None,
                   retry_after: int | None = None) -> Response[str]:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=serialize(error_body(code, lang_, detail)), headers=headers)


def errors(*codes: str) -> dict[str, Any]:
    """A route's own error codes, for docs/openapi.json: `@app.post(..., openapi_extensions=api.errors(...))`.
    infra/openapi.py turns them, with the codes every route of its kind can answer (validation_error,
    unavailable; not_found with a path parameter; 413/415 with a body; 401/403 from the template's
    authorizer), into one response per status with the contract's `Error` schema."""
    unknown = [c for c in codes if c not in CATALOGUE]
    if unknown:
        raise ValueError(f"not in shared/platform/errors.py's catalogue: {unknown}")
    return {"x-error-codes": list(codes)}


def json_response(status: int, body: Any) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


_FIELD_NAME = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_-]{0,40}|\d{1,3})$")


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Where and what, never the value typed (it may be a policy number or a name). Unknown keys are
    refused but never named (a key can carry personal data): one `unknown_field` entry per object that
    had some (`_unknown_fields` counts them)."""
    out: list[dict[str, str]] = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        if err.get("type") == "extra_forbidden":
            loc = loc[:-1]  # the parent object, a name of our models; never the unknown key itself
        # A body that is not JSON can put request text where a field name should be: keep names only.
        loc = [p if _FIELD_NAME.match(p) else "body" for p in loc]
        entry = {"field": ".".join(loc) or "body", "problem": str(err.get("type", "invalid"))}
        if entry["problem"] == "extra_forbidden":
            entry["problem"] = "unknown_field"
        if entry not in out:
            out.append(entry)
    return out


def _unknown_fields(exc: RequestValidationError) -> int:
    return sum(err.get("type") == "extra_forbidden" for err in exc.errors())


def _guard_bodies(app: APIGatewayHttpResolver) -> None:
    """Run shared.faces.request_limits (the input rules of every face, /v1's media type and depth) before Powertools
    parses and validates the body, for every route.
    Powertools puts its request validation first in each route's middleware stack, ahead of any `app.use`
    middleware, so the check wraps that step; its failures go through the exception handlers below."""
    validate = getattr(app, "_request_validation_middleware", None)
    if validate is None:
        raise RuntimeError("api.configure needs APIGatewayHttpResolver(enable_validation=True)")

    def limited(app_: APIGatewayHttpResolver, next_middleware: Any) -> Any:
        event = app_.current_event
        request_limits.check(event.body, bool(event.is_base64_encoded), event.headers.get("content-type"),
                             request_limits.V1)
        return validate(app_, next_middleware)

    app._request_validation_middleware = limited  # type: ignore[assignment]


def configure(app: APIGatewayHttpResolver) -> None:
    """Map every failure to the contract's error shape, in the caller's language."""
    _guard_bodies(app)

    def _domain(exc: DomainError) -> Response[str]:
        logger.info("refused", extra={"code": exc.code})
        return error_response(exc.code, lang(app), exc.status, exc.detail, exc.retry_after)

    def _invalid(exc: RequestValidationError) -> Response[str]:
        if any(err.get("loc", ("",))[0] == "response" for err in exc.errors()):
            # Our answer broke our own model: a bug, not the caller's fault.
            logger.error("response failed validation", extra={"fields": [str(e.get("loc")) for e in exc.errors()]})
            return error_response("unavailable", lang(app), 503, retry_after=2)
        fields, unknown = _field_errors(exc), _unknown_fields(exc)
        logger.info("invalid request", extra={"fields": [f["field"] for f in fields], "unknownFields": unknown})
        detail: dict[str, Any] = {"fields": fields}
        if unknown:
            detail["unknownFields"] = unknown
        return error_response("validation_error", lang(app), 422, detail)

    def _unsupported(exc: RequestUnsupportedContentType) -> Response[str]:
        # request_limits refuses these first; this keeps any other path to Powertools' own check a 415.
        return error_response("unsupported_media_type", lang(app), 415)

    @app.not_found
    def _no_route(exc: Exception) -> Response[str]:
        return error_response("not_found", lang(app), 404)

    def _unexpected(exc: Exception) -> Response[str]:
        # The exception type only: messages of boto3 or pydantic errors can quote request data.
        logger.error("unexpected failure", extra={"exception": type(exc).__name__})
        return error_response("unavailable", lang(app), 503, retry_after=2)

    def _budget(app_: APIGatewayHttpResolver, next_middleware: Any) -> Response[Any]:
        # The request's deadline: the function's remaining time minus a margin (shared/platform/budget.py).
        budget.start(app_.lambda_context)
        try:
            response: Response[Any] = next_middleware(app_)
            return response
        finally:
            budget.clear()

    app.use([_budget])
    # Registered by call, not as decorators (Powertools' decorators are untyped).
    app.exception_handler(DomainError)(_domain)
    app.exception_handler(RequestValidationError)(_invalid)
    app.exception_handler(RequestUnsupportedContentType)(_unsupported)
    app.exception_handler(Exception)(_unexpected)


def claims(app: APIGatewayHttpResolver) -> dict[str, str]:
    """Claims the HttpApi JWT authorizer verified; none means the route was reached unsigned."""
    ctx = app.current_event.raw_event.get("requestContext", {})
    found = ((ctx.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    if not found:
        raise DomainError("unauthorized")
    return found

