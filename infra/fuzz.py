"""`make fuzz`: schemathesis against a local stack this script starts and stops (issue 13).

Starts `python -m infra.local.server` on free ports (or PORT / DYNAMODB_PORT / MOTO_PORT when set), waits
until it answers, signs in a demo patient for the signed-in routes, and runs schemathesis on
docs/openapi.json with the checks not_a_server_error, status_code_conformance and
response_schema_conformance: an answer that is a 5xx, a status the document does not list for the
operation, or a body that does not match its schema fails the run. FUZZ_EXAMPLES (default 25) sets the
examples per operation, FUZZ_SEED (default fixed, so `make test` is reproducible) the random seed.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from infra.template import ROOT

CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(url: str, body: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - our own local stack
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def _wait(base: str, stack: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            raise RuntimeError(f"the local stack exited with {stack.returncode}")
        try:
            if _request(f"{base}/v1/districts")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the local stack did not answer within {seconds:.0f}s")


def _token(base: str) -> str:
    patients = json.loads((ROOT / "infra/demo/patients.json").read_text(encoding="utf-8"))
    status, body = _request(f"{base}/_local/token", {"policyNumber": patients[0]["policyNumber"]})
    if status != 200 or "token" not in body:
        raise RuntimeError(f"local sign-in answered {status}")
    return str(body["token"])


def main() -> int:
    env = dict(os.environ)
    for name in ("PORT", "DYNAMODB_PORT", "MOTO_PORT"):
        env[name] = env.get(name) or str(_free_port())
    base = f"http://127.0.0.1:{env['PORT']}"
    # Its state file and logs apart from `make run`'s (.cache/local), so a stack started by hand is still the one
    # that `make invoke`, `make logs` and `make redrive` reach.
    env.setdefault("LOCAL_STATE_DIR", str(ROOT / ".build" / "fuzz-stack"))
    # The stack's own output goes to a file: shown when it fails to start, otherwise it would bury the report.
    output = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
    stack = subprocess.Popen([sys.executable, "-m", "infra.local.server"], cwd=ROOT, env=env,
                             stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        try:
            _wait(base, stack)
        except RuntimeError:
            output.seek(0)
            print(output.read()[-4000:], file=sys.stderr)
            raise
        command = [
            sys.executable, "-m", "infra.schemathesis_cli", "run", str(ROOT / "docs/openapi.json"), "--url", base,
            "--checks", CHECKS, "--max-examples", os.environ.get("FUZZ_EXAMPLES", "25"),
            "--seed", os.environ.get("FUZZ_SEED", "13013"), "--workers", "2",
            "--generation-database", "none", "--no-color", "--request-timeout", "30",
            "--header", f"Authorization: Bearer {_token(base)}",
        ]
        print(f"fuzz: schemathesis against the local stack on {base}", flush=True)
        return subprocess.call(command, cwd=ROOT)
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        try:
            stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()
        output.close()


if __name__ == "__main__":
    sys.exit(main())
