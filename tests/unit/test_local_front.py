"""The local HTTP front (infra/local/server.py) is as faithful as API Gateway where clients can tell: JSON
errors for unknown routes and methods, a normal backlog, no keep-alive delay, request-read timeouts, no crash
on malformed request lines, no request text in its log, local CORS only, the functions' Timeout enforced,
and SIGINT/SIGTERM stop it once and quietly."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from infra import template
from infra.local import server

ROOT = template.ROOT


class FakeFunctions:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        self.events.append((function, event))
        return {"statusCode": 200, "headers": {"Content-Type": "application/json",
                                               "Access-Control-Allow-Origin": "*"}, "body": '{"items": []}'}


class FakeStack:
    def __init__(self, functions: Any = None) -> None:
        self.functions = functions or FakeFunctions()
        self.outbox = None


@pytest.fixture
def front(capfd: pytest.CaptureFixture[str]) -> Iterator[tuple[int, FakeStack]]:
    stack = FakeStack()
    httpd = server.make_server(stack, 0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd.server_address[1], stack
    httpd.shutdown()
    httpd.server_close()


def call(port: int, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, {k.lower(): v for k, v in res.getheaders()}, data


def raw_exchange(port: int, request: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(request)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def error_code(data: bytes) -> str:
    body = json.loads(data)
    assert set(body) == {"error"} and body["error"]["message"]
    return str(body["error"]["code"])


def test_unknown_routes_and_methods_answer_json(front: tuple[int, FakeStack]) -> None:
    port, stack = front
    for method, path, status, code in [
        ("TRACE", "/v1/districts", 404, "not_found"),        # API Gateway: no route for this method
        ("PATCH", "/v1/districts", 404, "not_found"),
        ("GET", "/v1/no-such-thing", 404, "not_found"),
        ("BREW", "/", 405, "method_not_allowed"),
        ("DELETE", "/_local/token", 405, "method_not_allowed"),
        ("GET", "/no-such-page.html", 404, "not_found"),
    ]:
        got, headers, data = call(port, method, path)
        assert (got, error_code(data)) == (status, code), (method, path)
        assert headers["content-type"].startswith("application/json")
    assert stack.functions.events == []
    assert call(port, "GET", "/v1/districts")[0] == 200


def test_the_listen_backlog_is_not_five(front: tuple[int, FakeStack]) -> None:
    assert server.Server.request_queue_size >= 128
    port, _ = front
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(40)]
    try:
        for s in sockets:
            s.sendall(b"GET /v1/districts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = [s.recv(64) for s in sockets]
    finally:
        for s in sockets:
            s.close()
    assert all(a.startswith(b"HTTP/1.1 200") for a in answers)


def test_an_answer_is_one_write_with_nodelay(front: tuple[int, FakeStack], monkeypatch: pytest.MonkeyPatch) -> None:
    port, _ = front
    writes: list[bytes] = []
    original = server.Handler.flush_headers

    def flush(self: server.Handler) -> None:
        writes.append(b"".join(self._headers_buffer))
        assert self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        original(self)

    monkeypatch.setattr(server.Handler, "flush_headers", flush)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    for _ in range(3):  # one kept-alive connection
        conn.request("GET", "/v1/districts")
        res = conn.getresponse()
        assert res.status == 200 and res.read() == b'{"items": []}'
    conn.close()
    assert len(writes) == 3 and all(w.endswith(b'\r\n\r\n{"items": []}') for w in writes)


def test_bad_content_length_never_blocks_a_thread(front: tuple[int, FakeStack],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    port, stack = front
    monkeypatch.setattr(server.Handler, "timeout", 0.5)
    # A negative length is refused at once.
    answer = raw_exchange(port, b"POST /v1/holds HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 400") and error_code(answer.split(b"\r\n\r\n", 1)[1]) == "bad_request"
    # A length larger than what comes: the read times out and the connection is answered and closed.
    started = time.monotonic()
    answer = raw_exchange(port, b"POST /v1/holds HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 5
    # Headers that never end: dropped after the timeout.
    started = time.monotonic()
    assert raw_exchange(port, b"GET /v1/districts HTTP/1.1\r\nHost: x\r\n") == b""
    assert time.monotonic() - started < 5
    answer = raw_exchange(port, b"POST /v1/holds HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413")
    assert stack.functions.events == []


def test_malformed_request_lines_get_a_json_400_and_no_request_text_is_logged(
        front: tuple[int, FakeStack], capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_ACCESS_LOG", "1")
    port, _ = front
    for line in [b"ivan.petrov@example.org\r\n\r\n", b"GET /x?mail=ivan.petrov@example.org HTTP/9.9\r\n\r\n",
                 b"GET\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"]:
        answer = raw_exchange(port, line)
        status_line = answer.split(b"\r\n", 1)[0]
        assert status_line.startswith(b"HTTP/1.") and (b" 400 " in status_line or b" 505 " in status_line)
        assert error_code(answer.split(b"\r\n\r\n", 1)[1]) == "bad_request"
    # The server still serves.
    assert call(port, "GET", "/v1/doctors/cl0101-d01/slots?email=ivan.petrov@example.org")[0] == 200
    assert call(port, "GET", "/v1/addresses/clinics?street=7800000101000000")[0] == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "AttributeError" not in err
    assert "example.org" not in err and "7800000101000000" not in err and "cl0101" not in err
    assert "[http] GET /v1/doctors/{doctorId}/slots 200" in err


def test_cors_admits_local_origins_only(front: tuple[int, FakeStack]) -> None:
    port, _ = front
    for origin, allowed in [("http://127.0.0.1:3000", True), ("http://localhost:5173", True),
                            ("https://evil.example.org", False), ("http://localhost.evil.org", False),
                            ("null", False)]:
        for method in ("GET", "OPTIONS"):
            _, headers, _ = call(port, method, "/v1/districts", headers={"Origin": origin})
            # The function's own "*" never reaches the browser.
            assert headers.get("access-control-allow-origin") == (origin if allowed else None), (origin, method)


def test_a_function_running_past_its_template_timeout_answers_503(tmp_path: Any) -> None:
    assert {f["name"]: f["timeout"] for f in template.functions().values()}["lookup"] == 10
    # DynamoDB that accepts connections and never answers: the handler hangs until its Timeout.
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(100)
    env = {**server.AWS_LOCAL, "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{hole.getsockname()[1]}",
           **server.function_environment("lookup", dict(server.LOCAL_VALUES, TABLE_NAME="zapis-local",
                                                        PUBLIC_BASE_URL="http://127.0.0.1"))}
    functions = server.Functions(env, 1, timeouts={"lookup": 1.0})
    httpd = server.make_server(FakeStack(functions), 0)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        # (the worker's start-up is Lambda's init phase, outside the Timeout: slow on a busy machine)
        status, headers, data = call(httpd.server_address[1], "GET", "/v1/districts", timeout=300)
        assert status == 503 and headers["retry-after"] == "1" and error_code(data) == "unavailable"
    finally:
        httpd.shutdown()
        httpd.server_close()
        functions.stop()
        hole.close()


def test_the_environment_comes_from_the_template_globals() -> None:
    env = server.function_environment("notifier", dict(server.LOCAL_VALUES, TABLE_NAME="zapis-local",
                                                        PUBLIC_BASE_URL="x", NOTIFIER_DLQ_URL="x"))
    variables = template.globals_function()["Environment"]["Variables"]
    assert set(variables) <= set(env)
    assert env["CLINIC_TIMEZONE"] == variables["CLINIC_TIMEZONE"] and env["HOLD_SECONDS"] == "300"
    assert env["SENDER_EMAIL"] == "no-reply@zapis.example.org"  # the notifier's own, from its parameter


STUB_STACK = """
import sys, time
from infra.local import server
class Stub:
    functions = None
    outbox = None
    def start(self):
        self.httpd = server.make_server(self, 0)
        print("port", self.httpd.server_address[1], flush=True)
    def serve(self):
        self.httpd.serve_forever(poll_interval=0.05)
    def stop(self):
        print("stopping", flush=True)
        time.sleep(0.5)  # a second signal arrives while stopping
        print("stopped", flush=True)
sys.exit(server.run(Stub()))
"""


@pytest.mark.parametrize("signals", [(signal.SIGINT,), (signal.SIGTERM,), (signal.SIGINT, signal.SIGTERM),
                                     (signal.SIGTERM, signal.SIGTERM)])
def test_sigint_and_sigterm_stop_it_once_and_quietly(signals: tuple[int, ...]) -> None:
    # Started in the background by a script: SIGINT arrives ignored, as a shell's `&` leaves it.
    proc = subprocess.Popen([sys.executable, "-c", STUB_STACK], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("port")
    for n, sig in enumerate(signals):
        proc.send_signal(sig)
        if n == 0 and len(signals) > 1:
            assert proc.stdout.readline() == "stopping\n"
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert out.count("stopped") == 1


def test_a_function_worker_exits_when_the_stack_dies_without_stopping_its_pools() -> None:
    # A stack killed outright (SIGKILL: no shutdown path runs) must not leave its warm 'instances' behind.
    code = ("import os, sys, time\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "from infra.local.server import Functions\n"
            "pool = Functions({}, 1, timeouts={}).pool('sweeper')\n"
            "print(pool.submit(os.getpid).result(timeout=60), flush=True)\n"
            "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())  # type: ignore[union-attr]
        os.kill(worker, 0)  # alive while its parent is
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    raise AssertionError("the worker outlived its stack")
