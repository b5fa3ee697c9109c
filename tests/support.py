"""Test helpers: load a function's handler as Lambda would, build API Gateway HTTP API v2 events."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
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

    event = build(method, path, body=None if body is None else json.dumps(body, ensure_ascii=False),
                  headers=headers or {}, query=query or {}, claims=claims)
    if route is not None:  # the route as API Gateway would name it, whatever the path matched
        event["routeKey"] = event["requestContext"]["routeKey"] = route
    return event


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
    """The JWT claims a signed-in demo patient's token carries (see shared/faces/auth.py), as the local sign-in
    issues them."""
    from infra.local.tokens import patient_claims

    return {k: str(v) for k, v in patient_claims(p).items()}


def patients_of(clinic_id: str) -> list[dict[str, Any]]:
    return [p for p in PATIENTS if p["clinicId"] == clinic_id]


# ---------------------------------------------------------------- a started local stack (browser and FHIR suites)
class LocalStack:
    """`python -m infra.local.server` on free ports, as the browser and FHIR suites drive it. `log`: its console
    output, `state_dir`: its LOCAL_STATE_DIR (state file and functions' logs); None for a stack started by hand."""

    def __init__(self, base: str, ddb_port: int, log: Path | None = None, state_dir: Path | None = None) -> None:
        self.base = base.rstrip("/")
        self.ddb_port = ddb_port
        self.log = log
        self.state_dir = state_dir

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """One JSON call; (status, parsed body or None)."""
        import urllib.error
        import urllib.request

        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as res:
                raw = res.read()
                return res.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None

    def token(self, policy_number: str) -> str:
        """A local sign-in token of a demo patient (POST /_local/token)."""
        status, body = self.call("POST", "/_local/token", {"policyNumber": policy_number})
        assert status == 200, body
        return str(body["token"])


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_stack(log_path: Path, startup_seconds: float = 600) -> Iterator[LocalStack]:
    """Start the local stack (its output to `log_path`; its state file and its functions' logs in a folder beside
    it), wait until it answers, stop it (SIGINT) afterwards. A stack that exits or does not answer in time fails
    the test, and so does a stack that leaves its state file behind when it stops."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    import pytest

    port, ddb_port = free_port(), free_port()
    state_dir = log_path.with_name(f"{log_path.stem}-state")  # never make run's own .cache/local
    env = dict(os.environ, PORT=str(port), DYNAMODB_PORT=str(ddb_port), MOTO_PORT=str(free_port()),
               LOCAL_ACCESS_LOG="0", LOCAL_WORKERS="2", LOCAL_PERSIST="0",  # a fresh in-memory table per run
               LOCAL_STATE_DIR=str(state_dir))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "infra.local.server"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"the local stack exited with {proc.returncode}; see {log_path}", pytrace=False)
                try:
                    with urllib.request.urlopen(f"{base}/v1/districts", timeout=5) as res:
                        if res.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the local stack did not answer /v1/districts within {startup_seconds} s",
                                pytrace=False)
                time.sleep(1)
            yield LocalStack(base, ddb_port, log_path, state_dir)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if (state_dir / "stack.json").exists():
            pytest.fail(f"the local stack left {state_dir / 'stack.json'} behind when it stopped", pytrace=False)


# ---------------------------------------------------------------- holds by made-up patients
def holder(n: int, clinic_id: str = "cl0101") -> Any:
    """A made-up patient attached to `clinic_id` (their register entry written now), as a hold's identity:
    holds are bound to a patient, one at a time (shared/booking/holds.py), so each concurrent hold needs its own."""
    from infra.demo import data
    from shared.patients import callers
    from shared.platform import dal

    person = {"lastName": "Держатель", "birthDate": "1970-01-01", "policyNumber": f"97{n:014d}",
              "policySeries": None, "clinicId": clinic_id}
    dal.put(data.register_items([person])[0])
    return callers.anonymous(person["policyNumber"], None, person["lastName"], person["birthDate"])


def hold_for(slot_id: str, n: int) -> str:
    """Hold `slot_id` for made-up patient `n` of the slot's clinic; returns the hold id."""
    from shared.booking import holds
    from shared.platform import keys

    clinic_id = keys.clinic_of_doctor(slot_id.split(".")[0]) or ""
    return str(holds.create_hold(slot_id, holder(n, clinic_id))["holdId"])
