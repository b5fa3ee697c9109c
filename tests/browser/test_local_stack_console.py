"""`make run`'s console for people (issue 31), on the local stack the browser suite starts: no JSON line and no
warning of the project's own; `make invoke`, `make logs` and `make redrive` find the stack through its state file,
whatever ports it took; a stream record that fails is one console line at once, its dead letter another."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser  # it needs the local stack the browser suite starts
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def started(stack: Any) -> Any:
    if stack.log is None or stack.state_dir is None:
        pytest.skip("a stack started by hand (BROWSER_STACK_URL): its console is not ours to read")
    return stack


def console(stack: Any) -> list[str]:
    return stack.log.read_text(encoding="utf-8", errors="replace").splitlines()


def tool(stack: Any, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m <args>` as the make targets run it, pointed at this stack's state folder."""
    env = dict(os.environ, LOCAL_STATE_DIR=str(stack.state_dir))
    env.pop("PORT", None)
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def wait_for(stack: Any, text: str, seconds: float) -> float:
    """Seconds until a console line holds `text`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if any(text in line for line in console(stack)):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"no console line with {text!r} within {seconds} s:\n" + "\n".join(console(stack)[-20:]))


def test_the_console_has_no_json_and_no_warning(started: Any) -> None:
    lines = console(started)
    assert any(line.startswith("[local] ready in ") for line in lines), lines
    assert not [line for line in lines if line.lstrip().startswith("{")], "JSON on the console"
    assert not [line for line in lines if "warning" in line.lower() or "not set locally" in line
                or "LOCAL_VALUES" in line], lines
    state = json.loads((started.state_dir / "stack.json").read_text(encoding="utf-8"))
    assert state["base"] == started.base and state["dynamodb_endpoint"].endswith(f":{started.ddb_port}")


def test_make_invoke_finds_the_stack_on_its_own_ports(started: Any) -> None:
    done = tool(started, "infra.invoke", "lookup", "events/lookup/districts.json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["statusCode"] == 200 and answer["body"]["items"]


def test_a_failing_stream_record_is_one_console_line_at_once_then_its_dead_letter(started: Any) -> None:
    import boto3

    from shared.platform import keys

    appointment_id = f"docs-broken-{uuid.uuid4().hex[:8]}"
    ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{started.ddb_port}", region_name="eu-north-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    # An appointment the notifier cannot make an email of (no time, no doctor): it fails on every try.
    ddb.put_item(TableName="zapis-local", Item={
        **keys.appointment_key(appointment_id), "entity": {"S": "appointment"},
        "status": {"S": "booked"}, "id": {"S": appointment_id}, "email": {"S": "broken@example.org"}})
    before = len(console(started))
    seconds = wait_for(started, "[stream] NotifierFunction: 1 of 1 record(s) failed", 15)
    print(f"the failing record was on the console after {seconds:.2f} s")
    wait_for(started, "[stream] NotifierFunction: 1 record(s) dead-lettered after 6 attempts", 60)
    said = [line for line in console(started)[before:] if line.startswith("[stream]") or line.startswith("[error]")]
    assert len(said) == 2, said  # the first failure and the dead letter; the retries in between are not said
    where = started.state_dir / "logs" / "notifier.jsonl"
    assert all(line.endswith(str(where.relative_to(ROOT))) for line in said), said  # where its log is

    logs = tool(started, "infra.local.logs", "--no-follow", "--function", "notifier", "--level", "ERROR")
    assert logs.returncode == 0 and "notifier ERROR stream record failed" in logs.stdout, logs.stdout + logs.stderr
    redrive = tool(started, "infra.redrive", "--dry-run")
    assert f"would resend ticket of appointment {appointment_id}" in redrive.stdout, redrive.stdout + redrive.stderr
