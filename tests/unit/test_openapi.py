"""docs/openapi.json is generated from the handlers; a stale committed copy fails here."""
from __future__ import annotations

import json

from infra import openapi, template


def test_committed_openapi_is_current() -> None:
    assert openapi.OUT.read_text(encoding="utf-8") == openapi.generate(), "run `make openapi` and commit"


def test_every_template_route_is_documented() -> None:
    spec = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    for route in template.routes():
        if route["path"].startswith("/fhir/"):
            continue  # the FHIR face describes itself: GET /fhir/metadata (its CapabilityStatement)
        assert route["method"].lower() in spec["paths"].get(route["path"], {}), route
