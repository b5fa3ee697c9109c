"""gorzdrav-compatible façade: gorzdrav.spb.ru's `/_api/api/v2/...` endpoints for existing third-party clients.

Thin: routing, tolerant parsing (query names in any case, bodies ignored on GET), one call into
shared.faces.gorzdrav.facade, and gorzdrav's envelope - business refusals are HTTP 200 with success false.
"""
from __future__ import annotations

import secrets
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.faces import request_limits
from shared.faces.gorzdrav import facade, wire
from shared.faces.gorzdrav.wire import GzError
from shared.faces.v1 import api
from shared.platform.errors import DomainError
from shared.platform.observability import logger

app = APIGatewayHttpResolver(serializer=api.serialize)
BASE = "/_api/api/v2"
JSON = "application/json; charset=utf-8"


def _answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=JSON, body=api.serialize(body), headers=headers)


def _ok(result: Any, headers: dict[str, str] | None = None) -> Response:
    return _answer(200, wire.ok(result), headers)


def _query() -> dict[str, str]:
    """Query parameters by lower-cased name: `lpuId`, `lpuid` and `LPUID` are one parameter."""
    return {k.lower(): v for k, v in (app.current_event.query_string_parameters or {}).items()}


def _body() -> dict[str, Any]:
    """A POST's JSON object, read under the input rules of every face (shared/faces/request_limits.py): a body they
    refuse is INVALID_REQUEST with HTTP 413, 415 or 400 (wire.unread); JSON that is not an object, 200."""
    event = app.current_event
    try:
        found = request_limits.parse(event.body, bool(event.is_base64_encoded), event.headers.get("content-type"),
                                     request_limits.GORZDRAV)
    except DomainError as refused:
        raise wire.unread(refused) from None
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise GzError(wire.INVALID_REQUEST)
    return found


def _size_limit(app_: APIGatewayHttpResolver, next_middleware: Any) -> Response:
    """The body limit holds on every route, GETs too, whose bodies are otherwise ignored (as gorzdrav ignores them)."""
    try:
        request_limits.check_size(app_.current_event.body, bool(app_.current_event.is_base64_encoded))
    except DomainError as refused:
        raise wire.unread(refused) from None
    response: Response = next_middleware(app_)
    return response


app.use([_size_limit])


def _token() -> dict[str, str]:
    """gorzdrav sends a `token` header here and some clients echo it; it is issued, never required."""
    return {"token": secrets.token_urlsafe(24), "Access-Control-Expose-Headers": "token"}


# ---------------------------------------------------------------- shared/...
@app.get(f"{BASE}/shared/districts")
def districts() -> Response:
    return _ok(facade.districts())


@app.get(f"{BASE}/shared/lpus")
def lpus() -> Response:
    return _ok(facade.lpus())


@app.get(f"{BASE}/shared/district/<districtId>/lpus")
def district_lpus(districtId: str) -> Response:  # noqa: N803 - gorzdrav's name
    return _ok(facade.district_lpus(districtId))


@app.get(f"{BASE}/shared/lpu/<lpuId>")
def lpu(lpuId: str) -> Response:  # noqa: N803
    return _ok(facade.lpu(lpuId))


# ---------------------------------------------------------------- schedule/...
@app.get(f"{BASE}/schedule/lpu/<lpuId>/specialties")
def specialties(lpuId: str) -> Response:  # noqa: N803
    return _ok(facade.specialties(lpuId))


@app.get(f"{BASE}/schedule/lpu/<lpuId>/speciality/<specialityId>/doctors")
def doctors(lpuId: str, specialityId: str) -> Response:  # noqa: N803
    return _ok(facade.doctors(lpuId, specialityId))


@app.get(f"{BASE}/schedule/lpu/<lpuId>/doctor/<doctorId>/timetable")
def timetable(lpuId: str, doctorId: str) -> Response:  # noqa: N803
    return _ok(facade.timetable(lpuId, doctorId))


@app.get(f"{BASE}/schedule/lpu/<lpuId>/doctor/<doctorId>/appointments")
def free_appointments(lpuId: str, doctorId: str) -> Response:  # noqa: N803
    return _ok(facade.free_appointments(lpuId, doctorId))


# ---------------------------------------------------------------- patient, appointments
@app.get(f"{BASE}/patient/search")
def search_patient() -> Response:
    return _ok(facade.search_patient(_query()), _token())


@app.post(f"{BASE}/patient/update")
def update_patient() -> Response:
    return _ok(facade.update_patient(_body()))


@app.post(f"{BASE}/appointment/create")
def create_appointment() -> Response:
    return _ok(facade.create_appointment(_body(), api.lang(app)))


@app.post(f"{BASE}/appointment/cancel")
def cancel_appointment() -> Response:
    return _ok(facade.cancel_appointment(_body(), api.lang(app)))


@app.get(f"{BASE}/appointments")
def patient_appointments() -> Response:
    return _ok(facade.patient_appointments(_query()))


@app.get(f"{BASE}/oms/attachment/lpus")
def attachment_lpus() -> Response:
    return _ok(facade.attachment_lpus(_query()))


@app.get(f"{BASE}/referral/<referralNumber>")
def referral(referralNumber: str) -> Response:  # noqa: N803
    return _ok(facade.referral(referralNumber), _token())


# ---------------------------------------------------------------- refusals in gorzdrav's envelope
def _refused(code: int, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    logger.info("refused", extra={"errorCode": code})
    return _answer(status, wire.error(code), headers)


@app.exception_handler(GzError)
def _business(exc: GzError) -> Response:
    return _refused(exc.code, exc.status)


@app.exception_handler(DomainError)
def _domain(exc: DomainError) -> Response:
    if exc.code in wire.FROM_DOMAIN:
        return _refused(wire.FROM_DOMAIN[exc.code])
    # Overload or throttling: a real 429/5xx, which gorzdrav clients retry.
    status = 429 if exc.code == "rate_limited" else 503
    return _refused(wire.SOMETHING_WRONG, status, {"Retry-After": str(exc.retry_after or 2)})


@app.not_found
def _no_route(exc: Exception) -> Response:
    return _answer(404, wire.error(wire.SOMETHING_WRONG))


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response:
    # The exception type only: messages can quote request data (names, birth dates).
    logger.error("unexpected failure", extra={"exception": type(exc).__name__})
    return _answer(503, wire.error(wire.SOMETHING_WRONG), {"Retry-After": "2"})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
