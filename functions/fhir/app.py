"""FHIR function: the FHIR R4 Scheduling face at /fhir (open) and /fhir/me (signed-in patients).

Thin: routing only; shared.faces.fhir translates and calls the domain. Answers are application/fhir+json, errors
OperationOutcomes (shared/faces/fhir/http.py). Not in docs/openapi.json: the CapabilityStatement describes it.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.faces.fhir import capability, http, operations, search
from shared.platform.errors import DomainError, language
from shared.platform.observability import logger

app = APIGatewayHttpResolver()


def _answer(status: int, resource: dict[str, Any], headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status_code=status, content_type=http.CONTENT_TYPE, headers=headers,
                    body=json.dumps(resource, ensure_ascii=False, separators=(",", ":")))


def _refusal(exc: DomainError) -> Response[str]:
    lang = language(app.current_event.headers.get("accept-language"))
    retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return _answer(exc.status, http.outcome(exc.code, lang, exc.detail), retry)


@app.exception_handler(DomainError)
def _domain(exc: DomainError) -> Response[str]:
    logger.info("refused", extra={"code": exc.code})
    return _refusal(exc)


@app.not_found
def _no_route(exc: Exception) -> Response[str]:
    return _refusal(DomainError("not_found"))


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response[str]:
    # The exception type only: messages can quote request data.
    logger.error("unexpected failure", extra={"exception": type(exc).__name__})
    return _refusal(DomainError("unavailable", retry_after=2))


def _request() -> http.Request:
    return http.request_of(app.current_event.raw_event)


def metadata() -> Response[str]:
    request = _request()
    return _answer(200, capability.capability_statement(request.base, request.signed_in))


def search_type(resourceType: str) -> Response[str]:  # noqa: N803 - FHIR's name
    return _answer(200, search.search(_request(), resourceType))


def read(resourceType: str, id: str) -> Response[str]:  # noqa: N803, A002
    request = _request()
    if resourceType == "Appointment":
        if unquote(id) == "$find":
            return _answer(200, operations.find(request))
        return _answer(200, operations.read(request, id))
    return _answer(200, search.read(request, resourceType, id))


def type_operation(resourceType: str, operation: str) -> Response[str]:  # noqa: N803
    request = _request()
    name = unquote(operation)
    if resourceType == "Appointment" and name == "$find":
        return _answer(200, operations.find(request))
    if resourceType == "Appointment" and name == "$hold":
        return _answer(*operations.hold(request))
    if resourceType == "Appointment" and name == "$book":
        return _answer(*operations.book(request))
    raise DomainError("not_found")


def instance_operation(resourceType: str, id: str, operation: str) -> Response[str]:  # noqa: N803, A002
    if resourceType == "Appointment" and unquote(operation) == "$cancel":
        return _answer(200, operations.cancel(_request(), id))
    raise DomainError("not_found")


# The signed-in base first: /fhir/me/<x> would otherwise match /fhir/<resourceType>/<id>.
for prefix in ("/fhir/me", "/fhir"):
    app.get(f"{prefix}/metadata", include_in_schema=False)(metadata)
    app.get(f"{prefix}/<resourceType>", include_in_schema=False)(search_type)
    app.get(f"{prefix}/<resourceType>/<id>", include_in_schema=False)(read)
    app.post(f"{prefix}/<resourceType>/<operation>", include_in_schema=False)(type_operation)
    app.post(f"{prefix}/<resourceType>/<id>/<operation>", include_in_schema=False)(instance_operation)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
