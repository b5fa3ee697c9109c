"""The local stack's console for people (issue 31): the functions' JSON goes to their log files, errors to the
console in one line each, background jobs in one line when they did something; every template reference has a
local value; the state file that `make invoke`, `make logs` and `make redrive` read, and that goes when the
stack stops; `make logs` renders the records."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra import invoke, redrive, template
from infra.local import console, logs, server, state

ROOT = template.ROOT


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A LOCAL_STATE_DIR of the test's own."""
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path / "local"))
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.setattr(console, "logs_dir", None)  # a stack that claims its place sets it for its process
    yield tmp_path / "local"


def record(level: str, message: str, **extra: Any) -> str:
    return json.dumps({"level": level, "location": "x:1", "message": message,
                       "timestamp": "2026-12-07 17:42:39,791+0000", "service": "zapis", **extra}) + "\n"


# ---------------------------------------------------------------- a function worker's stdout
def test_records_go_to_the_file_and_only_errors_to_the_console(tmp_path: Path) -> None:
    shown = io.StringIO()
    log = console.FunctionLog("notifier", tmp_path / "notifier.jsonl", shown)
    log.write(record("INFO", "email sent", appointmentId="a1"))
    log.write('{"_aws":{"Timestamp":1796665386821,"CloudWatchMetrics":[]},"HoldsReleased":[0.0]}\n')
    log.write(record("WARNING", "email not sent", code="Throttling"))
    log.write(record("ERROR", "notification failed", exception="ClientError")[:40])  # a line in two writes
    log.write(record("ERROR", "notification failed", exception="ClientError")[40:])
    log.report = False  # the stream poller says its batch's failure itself...
    log.write(record("ERROR", "stream record failed", error="RetryLater"))
    log.write(record("WARNING", "email dead-lettered", reason="ses"))  # ...but a dead letter is always said
    log.flush()
    written = (tmp_path / "notifier.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(written) == 6 and all(json.loads(line) for line in written)
    lines = shown.getvalue().splitlines()
    where = str(tmp_path / "notifier.jsonl")  # not make run's own logs: `make logs` would not show them
    assert lines == [
        f"[error] notifier: notification failed (ClientError) - {where}",
        f"[error] notifier: email dead-lettered (ses) - resend with make redrive; {where}"]


def test_make_runs_own_logs_are_read_with_make_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_STATE_DIR", raising=False)
    assert console.where("notifier", state.home() / state.LOGS) == "make logs FN=notifier"


def test_an_exception_the_handler_raised_is_a_record_with_its_stack_trace_not_its_text(tmp_path: Path) -> None:
    log = console.FunctionLog("lookup", tmp_path / "lookup.jsonl", io.StringIO())
    quoted = "policy " + "7800000101000000"  # data an exception's text may quote
    try:
        {}[quoted]
    except KeyError as exc:
        log.failed(exc)
    (written,) = [json.loads(line) for line in (tmp_path / "lookup.jsonl").read_text().splitlines()]
    assert written["level"] == "ERROR" and written["errorType"] == "KeyError"
    assert any("test_local_console.py" in frame for frame in written["stackTrace"])
    assert "7800000101000000" not in json.dumps(written)


def test_a_job_is_said_on_its_first_run_then_only_when_it_did_something(capsys: pytest.CaptureFixture[str]) -> None:
    jobs = console.Jobs()
    jobs.ran("sweeper", {"examined": 0, "released": 0, "skipped": 0}, "expired holds, every 60 s")
    jobs.ran("sweeper", {"examined": 4, "released": 0, "skipped": 0})  # looked, did nothing
    jobs.ran("sweeper", {"examined": 4, "released": 2, "skipped": 0})
    jobs.ran("schedule", {"clinics": 36, "doctors": 324, "created": 0, "closed": 0, "cancelled": 0})
    jobs.ran("schedule", {"clinics": 36, "doctors": 324, "created": 0, "closed": 0, "cancelled": 0})
    assert capsys.readouterr().out.splitlines() == [
        "[job] sweeper (expired holds, every 60 s): examined 0, released 0, skipped 0",
        "[job] sweeper: examined 4, released 2, skipped 0",
        "[job] schedule: clinics 36, doctors 324, created 0, closed 0, cancelled 0"]


def test_a_stacks_worker_writes_its_function_log_and_says_what_it_raised(tmp_path: Path) -> None:
    """The real worker pool: the handler's JSON in the file, nothing on stdout, FunctionError to the caller."""
    code = ("import sys\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "from pathlib import Path\n"
            "from infra.local.server import Functions, FunctionError\n"
            f"functions = Functions({{}}, 1, timeouts={{}}, logs=Path({str(tmp_path)!r}))\n"
            "try:\n"
            "    functions.invoke('sweeper', {'detail-type': 'Scheduled Event'})\n"
            "except FunctionError as exc:\n"
            "    print('raised', exc.error_type, flush=True)\n"
            "functions.stop()\n")
    env = dict(os.environ, AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:9", AWS_DEFAULT_REGION="eu-north-1",
               AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", TABLE_NAME="zapis-local",
               AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.stdout.startswith("raised "), done.stdout + done.stderr
    assert not [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in (tmp_path / "sweeper.jsonl").read_text().splitlines()]
    assert records[-1]["message"] == "invocation failed" and records[-1]["stackTrace"]


# ---------------------------------------------------------------- the functions' environment
def test_every_template_reference_has_a_local_value(capsys: pytest.CaptureFixture[str]) -> None:
    """A new !Ref in a function's environment needs a value in LOCAL_VALUES (infra/local/server.py) or in the
    stack's local_values(): `make run` would otherwise say it is not set."""
    stack = server.Stack.__new__(server.Stack)
    stack.port, stack.outbox = 3000, None
    local = dict(stack.local_values(), NOTIFIER_DLQ_URL="http://queue")
    for function in {f["name"] for f in template.functions().values()}:
        env = server.function_environment(function, local)
        assert set(env) == set(template.environment(function)), function
    assert "not set locally" not in capsys.readouterr().out


# ---------------------------------------------------------------- the state file
def test_the_state_file_says_where_the_stack_runs_and_goes_when_it_stops(place: Path) -> None:
    stack = server.Stack.__new__(server.Stack)
    server.Stack.__init__(stack)
    stack._claim()
    assert stack.place is not None and stack.place.primary
    assert state.running() == {"pid": os.getpid(), "starting": True}  # claimed: make invoke says "starting"
    stack.place.write({"port": 3100, "aws_env": {}, "local_values": {}})
    assert state.running() is not None and state.running()["port"] == 3100  # type: ignore[index]
    assert state.running(3100) is not None and state.running(3200) is None
    stack.stop()  # no DynamoDB Local, no outbox, no functions were started: only the place is given back
    assert not (place / "stack.json").exists() and state.running() is None


def test_a_second_stack_keeps_its_own_place(place: Path) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "infra.local.server"])
    try:
        # Between fork and exec the child's /proc cmdline is still the parent's: wait until it names the stack.
        cmdline = Path(f"/proc/{other.pid}/cmdline")
        deadline = time.monotonic() + 10
        while cmdline.exists() and b"infra.local.server" not in cmdline.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.01)
        place.mkdir(parents=True)
        (place / "stack.json").write_text(json.dumps({"pid": other.pid, "port": 3000}))
        mine = state.claim()
        assert not mine.primary and mine.dir == place / "stacks" / str(os.getpid())
        mine.write({"port": 3100})
        assert state.running()["port"] == 3000 and state.running(3100)["port"] == 3100  # type: ignore[index]
        mine.release()
        assert not mine.dir.exists() and (place / "stack.json").exists()
    finally:
        other.kill()
        other.wait()
    assert state.running() is None  # its process is gone: a stale file is no stack


def test_invoke_reads_the_state_file(place: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke.main(["lookup", str(ROOT / "events/lookup/districts.json")]) == 1
    assert "no local stack is running" in capsys.readouterr().err
    stack = server.Stack.__new__(server.Stack)
    server.Stack.__init__(stack)
    stack.port, stack.ddb_port = 3100, 8100
    stack._claim()
    assert stack.place is not None
    stack.place.write(stack.state())
    try:
        found = invoke.running_stack("make invoke")
        assert found is not None
        env = server.environment_of("lookup", found)
        assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:8100" and env["TABLE_NAME"] == "zapis-local"
        assert server.environment_of("notifier", found)["PUBLIC_BASE_URL"] == "http://127.0.0.1:3100"
    finally:
        stack.place.release()


def test_redrive_without_a_queue_or_a_stack_says_so(place: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NOTIFIER_DLQ_URL", raising=False)
    assert redrive.main([]) == 2
    err = capsys.readouterr().err
    assert "no local stack is running" in err and "no queue named" in err


# ---------------------------------------------------------------- make logs
def test_logs_render_records_metrics_and_stack_traces() -> None:
    level, text = logs.render("booking", record("INFO", "slot held", slotId="cl0101-d01.1", cold_start=True))
    assert level == logs.LEVELS["INFO"] and text.endswith("booking INFO slot held  slotId=cl0101-d01.1")
    level, text = logs.render("sweeper", json.dumps({"_aws": {"Timestamp": 1796665386821, "CloudWatchMetrics": [
        {"Namespace": "Zapis", "Metrics": [{"Name": "HoldsReleased", "Unit": "Count"}]}]}, "HoldsReleased": [2.0]}))
    assert text.endswith("sweeper METRIC HoldsReleased=2.0")
    level, text = logs.render("lookup", json.dumps({"level": "ERROR", "message": "invocation failed",
                                                    "errorType": "KeyError", "stackTrace": ["  File x, line 1"]}))
    assert level == logs.LEVELS["ERROR"] and "invocation failed KeyError\n      File x, line 1" in text


def test_logs_without_a_stack_print_the_last_run_in_time_order_and_filter(place: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = place / "logs"
    folder.mkdir(parents=True)
    (folder / "booking.jsonl").write_text(record("INFO", "slot held").replace("39,791", "41,000"))
    (folder / "sweeper.jsonl").write_text(record("WARNING", "holds swept") + record("ERROR", "sweep failed")
                                          .replace("39,791", "45,000"))
    out = io.StringIO()
    assert logs.main(["--no-follow"], out=out) == 0
    assert [line.split(" ", 3)[3] for line in out.getvalue().splitlines()] == [
        "holds swept", "slot held", "sweep failed"]
    assert "no local stack is running" in capsys.readouterr().err
    out = io.StringIO()
    assert logs.main(["--function", "sweeper", "--level", "ERROR"], out=out) == 0
    assert out.getvalue().count("\n") == 1 and "sweep failed" in out.getvalue()
    assert logs.main(["--function", "nosuch"], out=io.StringIO()) == 2


def test_a_follower_reads_new_lines_and_starts_again_when_a_new_run_empties_the_file(tmp_path: Path) -> None:
    follower = logs.Follower(tmp_path, "booking")
    path = tmp_path / "booking.jsonl"
    path.write_text('{"a": 1}\n{"b"')
    assert follower.lines() == [("booking", '{"a": 1}')]
    with path.open("a") as f:
        f.write(': 2}\n')
    assert follower.lines() == [("booking", '{"b": 2}')]
    path.write_text('{"c": 3}\n')  # a new run
    assert follower.lines() == [("booking", '{"c": 3}')]


# ---------------------------------------------------------------- the front
class RaisingFunctions:
    logs = None

    def invoke(self, function: str, event: dict[str, Any], report: bool = True) -> Any:
        raise server.FunctionError(function, "KeyError")

    def where(self, function: str) -> str:
        return console.where(function, self.logs)


def test_a_function_that_raises_is_one_console_line_and_a_502(capfd: pytest.CaptureFixture[str]) -> None:
    import http.client
    import threading

    stack = type("Stack", (), {"functions": RaisingFunctions(), "outbox": None})()
    httpd = server.make_server(stack, 0)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", httpd.server_address[1], timeout=30)
        conn.request("GET", "/v1/districts")
        response = conn.getresponse()
        body = json.loads(response.read())
        conn.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert response.status == 502 and body["error"]["code"] == "unavailable"
    said = capfd.readouterr()
    assert said.out.splitlines() == ["[error] GET /v1/districts: lookup raised KeyError - make logs FN=lookup"]
    assert "Traceback" not in said.out + said.err
