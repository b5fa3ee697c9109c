"""A structural guard for cold starts (issue: cold start within 1.3x a bare boto3 process): importing an API
function's handler and making its DynamoDB client must not pull a module it never uses. Not a timing test:
`make bench` measures the time; this fails the moment an import brings one of these back."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API_FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py")
                       if "shared.faces.v1.api" in p.read_text(encoding="utf-8")
                       or "shared.faces.http" in p.read_text(encoding="utf-8"))
# module name -> why it is refused
DENIED = {
    "s3transfer": "boto3.client() pulls it through boto3.session; clients come from botocore's session",
    "asyncio": "Powertools' event_handler package imports it for AppSync; we import the resolver alone",
    "aws_lambda_powertools.event_handler.appsync": "the event_handler package __init__",
    "aws_lambda_powertools.event_handler.bedrock_agent": "the event_handler package __init__",
    "aws_lambda_powertools.event_handler.openapi.swagger_ui": "the OpenAPI/Swagger generator (make openapi)",
    "infra.openapi": "the OpenAPI generator (make openapi)",
}

PROBE = """
import importlib.util, json, sys
sys.path.insert(0, {root!r})
spec = importlib.util.spec_from_file_location("app", {path!r})
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
from shared.platform import dal
dal.client()
print(json.dumps(sorted(sys.modules)))
"""


def test_every_api_function_is_checked() -> None:
    assert {"lookup", "booking", "cancellation", "history", "registry"} <= set(API_FUNCTIONS)


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_a_cold_start_imports_nothing_from_the_deny_list(function: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(AWS_DEFAULT_REGION="eu-north-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    code = PROBE.format(root=str(ROOT), path=str(ROOT / "functions" / function / "app.py"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True, timeout=120)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    pulled = {name: why for name, why in DENIED.items() if any(m == name or m.startswith(name + ".") for m in loaded)}
    assert not pulled, f"{function} imports {pulled}"
    # The guard itself can fail: the client and the resolver were really made.
    assert "botocore.client" in loaded and "aws_lambda_powertools.event_handler.api_gateway" in loaded


def test_the_package_names_are_still_there_when_asked_for() -> None:
    """The lean import keeps `aws_lambda_powertools.event_handler`'s own names reachable (run the real
    __init__ on first use)."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "import shared.faces.http\n"
            "import aws_lambda_powertools.event_handler as eh\n"
            "assert 'aws_lambda_powertools.event_handler.appsync' not in sys.modules\n"
            "assert eh.APIGatewayHttpResolver is shared.faces.http.APIGatewayHttpResolver\n"
            "assert eh.AppSyncResolver.__name__ == 'AppSyncResolver'\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=120)
    assert out.stdout.strip() == "ok"
