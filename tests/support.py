"""Test helpers: load a function's handler as Lambda would, build API Gateway HTTP API v2 events."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra.lambda_like import Context as Context  # re-exported: the tests run handlers as Lambda does
from infra.lambda_like import load_function as load_function

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
PATIENTS = json.loads((ROOT / "infra/demo/patients.json").read_text(encoding="utf-8"))


def http_event(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
               query: dict[str, str] | None = None, claims: dict[str, str] | None = None,
               route: str | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as the local stack and API Gateway build it."""
    from infra.local.events import http_event as build

    return build(method, path, body=None if body is None else json.dumps(body, ensure_ascii=False),
                 headers=headers or {}, query=query or {}, claims=claims, route_key=route)


def invoke(name: str, event: dict[str, Any]) -> tuple[int, Any]:
    """Run functions/<name> with `event`; returns (status, parsed JSON body or None)."""
    response = load_function(name).handler(event, Context())
    raw = response.get("body")
    return response["statusCode"], json.loads(raw) if raw else None


def event_file(relative: str) -> dict[str, Any]:
    return json.loads((EVENTS / relative).read_text(encoding="utf-8"))


def patient_body(p: dict[str, Any]) -> dict[str, Any]:
    keys = ["lastName", "firstName", "middleName", "birthDate", "policyNumber", "policySeries", "email"]
    return {k: p[k] for k in keys if p.get(k) is not None}


def claims_of(p: dict[str, Any]) -> dict[str, str]:
    """The JWT claims a signed-in demo patient's token carries (see shared/auth.py), as the local sign-in
    issues them."""
    from infra.local.tokens import patient_claims

    return {k: str(v) for k, v in patient_claims(p).items()}


def patients_of(clinic_id: str) -> list[dict[str, Any]]:
    return [p for p in PATIENTS if p["clinicId"] == clinic_id]
