"""docs/openapi.json is generated from the handlers; a stale committed copy fails here."""
from __future__ import annotations

import json

from infra import openapi, template


def test_committed_openapi_is_current() -> None:
    assert openapi.OUT.read_text(encoding="utf-8") == openapi.generate(), "run `make openapi` and commit"


def test_every_template_route_is_documented() -> None:
    spec = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    for route in template.routes():
        if route["function"] in openapi.UNDOCUMENTED:
            continue
        assert route["method"].lower() in spec["paths"].get(route["path"], {}), route


def _operations() -> list[tuple[str, str, dict]]:
    spec = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    return [(method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def test_operation_ids_are_readable_and_unique() -> None:
    ids = [op["operationId"] for _, _, op in _operations()]
    assert len(ids) == len(set(ids))
    assert all(openapi.OPERATION_ID.match(i) and "_" not in i for i in ids), ids
    assert {"listDoctorSlots", "bookAppointment", "createHold", "cancelAppointment"} <= set(ids)


def test_every_error_response_is_the_contract_error_with_its_codes() -> None:
    from shared.platform.errors import CATALOGUE

    spec = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    assert "HTTPValidationError" not in json.dumps(spec) and "ValidationError" not in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"] == sorted(
        CATALOGUE)
    for method, path, op in _operations():
        errors = {int(s): r for s, r in op["responses"].items() if int(s) >= 400}
        assert {422, 503} <= set(errors), (method, path)
        if "{" in path:
            assert 404 in errors, (method, path)
        if "requestBody" in op:
            assert {413, 415} <= set(errors), (method, path)
        for status, response in errors.items():
            assert "#/components/schemas/Error" in json.dumps(response["content"]["application/json"]["schema"])
            assert response["x-error-codes"], (method, path, status)
            for code in response["x-error-codes"]:
                assert CATALOGUE[code][0] == status and f"`{code}`" in response["description"]


def test_routes_declare_their_own_codes() -> None:
    """A route's own codes (api.errors on its decorator) reach its documented responses."""
    booking = {op["operationId"]: op for _, _, op in _operations()}["bookAppointment"]
    assert "slot_unavailable" in booking["responses"]["409"]["x-error-codes"]
    assert "idempotency_key_required" in booking["responses"]["400"]["x-error-codes"]
    signed_in = {op["operationId"]: op for _, _, op in _operations()}["listMyAppointments"]
    assert signed_in["responses"]["401"]["x-error-codes"] == ["unauthorized"]
    staff = {op["operationId"]: op for _, _, op in _operations()}["changeAttachment"]
    assert "forbidden" in staff["responses"]["403"]["x-error-codes"]


def test_unknown_codes_are_refused_at_declaration() -> None:
    import pytest

    from shared.faces.v1 import api

    assert api.errors("slot_unavailable") == {"x-error-codes": ["slot_unavailable"]}
    with pytest.raises(ValueError):
        api.errors("no_such_code")


def test_deployed_api_admits_no_other_origin() -> None:
    """Local origins belong to the local stack alone (issue 13, item 8); deployed, the page shares the API's
    origin (CloudFront, issue 12), so the API answers no CORS at all."""
    api_ = next(iter(template.resources("AWS::Serverless::HttpApi").values()))
    assert "CorsConfiguration" not in api_["Properties"]
    assert "localhost" not in json.dumps(template.load()) and "127.0.0.1" not in json.dumps(template.load())
