"""web/api.js reads both error shapes: the contract's and API Gateway's own `{"message": ...}` (issue 13)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"

SCRIPT = """
import { api, ApiError } from "./api.js";
const memory = () => { const m = new Map(); return { getItem: (k) => m.get(k) ?? null,
  setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) }; };
globalThis.sessionStorage = memory();  // signOut() on "unauthorized" clears the stored token
globalThis.localStorage = memory();
const answers = JSON.parse(process.argv[1]);
const out = [];
for (const [status, body] of answers) {
  globalThis.fetch = async () => new Response(body, { status, headers: { "Content-Type": "application/json" } });
  try {
    await api("POST", "/v1/holds", { body: {} });
    out.push(null);
  } catch (err) {
    out.push(err instanceof ApiError ? [err.code, err.status, err.retryable] : String(err));
  }
}
console.log(JSON.stringify(out));
"""


def run(answers: list[tuple[int, str]]) -> list:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (make test installs the web tests' packages with npm)")
    done = subprocess.run([node, "--input-type=module", "-e", SCRIPT, json.dumps(answers)], cwd=WEB,
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_gateway_answers_map_to_contract_codes() -> None:
    got = run([
        (401, '{"message":"Unauthorized"}'),
        (403, '{"message":"Forbidden"}'),
        (413, '{"message":"Request Entity Too Large"}'),
        (429, '{"message":"Too Many Requests"}'),
        (503, '{"message":"Service Unavailable"}'),
        (504, '{"message":"Endpoint request timed out"}'),
        (418, "not json"),
    ])
    assert got == [["unauthorized", 401, False], ["forbidden", 403, False], ["payload_too_large", 413, False],
                   ["rate_limited", 429, True], ["unavailable", 503, True], ["unavailable", 504, True],
                   ["unknown", 418, False]]


def test_contract_answers_keep_their_code() -> None:
    body = json.dumps({"error": {"code": "slot_unavailable", "message": "Это время уже занято."}})
    assert run([(409, body), (403, json.dumps({"error": {"code": "not_attached", "message": "x"}}))]) == [
        ["slot_unavailable", 409, False], ["not_attached", 403, False]]
