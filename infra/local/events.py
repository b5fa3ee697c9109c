"""API Gateway HTTP API (payload format 2.0) events, built the way API Gateway builds them, from the routes
template.yaml declares. Used by the local stack, `make invoke` and the tests."""
from __future__ import annotations

import re
import time
import uuid
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from infra import template


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    out = []
    for route in template.routes():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route["path"]))
        out.append((re.compile(f"^{pattern}$"), route))
    # Literal segments win over parameters, as in API Gateway (/v1/appointments/search vs /{id}).
    out.sort(key=lambda pr: pr[1]["path"].count("{"))
    return out


def match_route(method: str, path: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """(route, path parameters) of the template route serving `method path`, or None."""
    for pattern, route in _compiled():
        m = pattern.match(path)
        if m and route["method"] == method.upper():
            return route, m.groupdict()
    return None


def path_exists(path: str) -> bool:
    return any(p.match(path) for p, _ in _compiled())


def _request_context(method: str, path: str, route_key: str, user_agent: str,
                     claims: dict[str, str] | None) -> dict[str, Any]:
    now = time.time()
    ctx: dict[str, Any] = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": "127.0.0.1",
        "domainPrefix": "127",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                 "userAgent": user_agent},
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        ctx["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return ctx


def http_event(method: str, path: str, *, body: str | None = None, headers: dict[str, str] | None = None,
               query: dict[str, str] | None = None, claims: dict[str, str] | None = None) -> dict[str, Any]:
    """The event of `method path` as API Gateway hands it to the route's function (its route key and path
    parameters from template.yaml's routes; `$default` when none matches)."""
    method = method.upper()
    headers = headers or {}
    matched = match_route(method, path)
    route_key = f"{method} {matched[0]['path']}" if matched else "$default"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": _request_context(method, path, route_key, headers.get("user-agent", "local"), claims),
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    if matched and matched[1]:
        event["pathParameters"] = matched[1]
    if body is not None:
        event["body"] = body
    return event
