"""The local stack (`make run`): DynamoDB Local, the demo data, and an HTTP front that speaks API Gateway.

Each request becomes an API Gateway HTTP API v2 event for the function template.yaml routes it to, and
runs in a pool of worker processes per function, so handlers run exactly as in Lambda and requests are
served concurrently, as many Lambda instances would serve them. Routes are read from the template only.
Also here: local sign-in (`POST /_local/token`), the OpenAPI document with Swagger UI (`/docs`), the
hold sweeper every minute, the notifier fed from DynamoDB Local's stream, the email outbox
(`/_local/outbox`), and the web front-end (`web/`) at `/`.

Ports: PORT (API and web, 3000), DYNAMODB_PORT (8000), MOTO_PORT (SES, see infra/local/outbox.py).
Everything binds 127.0.0.1; Ctrl-C or SIGTERM stops every process started here.
The console shows progress, one line per request and per background job that did something, and every error
in one line; the functions' JSON logs and metrics go to .cache/local/logs/<function>.jsonl (`make logs`,
infra/local/console.py). Once ready, the stack writes where it runs to .cache/local/stack.json, which
`make invoke`, `make logs` and `make redrive` read; it is removed when the stack stops (infra/local/state.py).
"""
from __future__ import annotations

import json
import mimetypes
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra import ddb_local, template
from infra.lambda_like import Context, load_function
from infra.local import console, events, state, tokens
from infra.local import headers as front

ROOT = template.ROOT
WEB = ROOT / "web"
DOCS = ROOT / "docs"
TABLE = "zapis-local"


def log(message: str) -> None:
    print(f"[local] {message}", flush=True)


def _port(variable: str, default: int) -> int:
    """The port the variable names; unset, the default, or a free one when the default is taken."""
    if os.environ.get(variable):
        return int(os.environ[variable])
    if not ddb_local._port_in_use(default):
        return default
    port = ddb_local.free_port()
    log(f"port {default} is taken: using {port} (set {variable} to choose)")
    return port


# ---------------------------------------------------------------- worker processes
class FunctionTimeout(BaseException):
    """The function ran longer than its Timeout in template.yaml: Lambda ends such an invocation, so this is
    not an Exception the handler's own error handling could catch."""


class FunctionError(Exception):
    """The function raised (or its worker died): `error_type` names the exception, the function's log has the
    stack trace."""

    def __init__(self, function: str, error_type: str) -> None:
        super().__init__(f"{function} raised {error_type}")
        self.function, self.error_type = function, error_type


def _worker_init(env: dict[str, str], function: str, log_path: str | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # ...and a worker whose parent is gone (killed, or stopped on a path that skipped the pools' shutdown)
    # must not live on as an orphan holding memory and ports' clients: it exits within a second.
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch").start()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    if log_path:  # the function's JSON logs and metrics to its file, its errors to the console in one line
        console.FunctionLog.install(function, Path(log_path))
    try:
        load_function(function)  # the init phase, outside the invocation's timeout as in Lambda
    except Exception:  # noqa: BLE001, S110 - the invocation reports it
        pass


def _exit_with_parent(parent: int, every: float = 1.0) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


def _started() -> None:
    return None


def _timed_out(_signum: int, _frame: Any) -> None:
    raise FunctionTimeout


def invoke_in_worker(function: str, event: dict[str, Any], timeout: float | None = None,
                     report: bool = True) -> Any:
    """One invocation in a function's worker. `report`: its error records go to the console too (the stream
    poller says a failing batch in its own line instead)."""
    log = console.FunctionLog.current
    if log is not None:
        log.report = report
    try:
        return _run_handler(function, event, timeout)
    except FunctionTimeout as exc:
        if log is not None:
            log.failed(exc, f"Task timed out after {timeout} seconds")
        raise
    except Exception as exc:
        if log is not None:
            log.failed(exc)
        raise


def _run_handler(function: str, event: dict[str, Any], timeout: float | None) -> Any:
    module = load_function(function)
    if not timeout:
        return module.handler(event, Context(function))
    previous = signal.signal(signal.SIGALRM, _timed_out)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return module.handler(event, Context(function))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Functions:
    """One process pool per function: a few warm 'instances' each, created on first use. Each invocation
    runs under its function's Timeout from template.yaml. With `logs`, each function's output goes to
    `logs/<function>.jsonl` (else to this process's stdout, as the tests' pools have it)."""

    def __init__(self, env: dict[str, str] | Callable[[str], dict[str, str]], workers: int,
                 timeouts: dict[str, float] | None = None, logs: Path | None = None) -> None:
        self.env = env
        self.workers = workers
        self.timeouts = timeouts if timeouts is not None else {
            f["name"]: f["timeout"] for f in template.functions().values()}
        self.logs = logs
        self.pools: dict[str, ProcessPoolExecutor] = {}
        self.lock = threading.Lock()

    def where(self, function: str) -> str:
        """Where to read what `function` logged."""
        return console.where(function, self.logs)

    def pool(self, function: str) -> ProcessPoolExecutor:
        with self.lock:
            if function not in self.pools:
                import multiprocessing

                env = self.env(function) if callable(self.env) else self.env
                log = str(self.logs / f"{function}.jsonl") if self.logs else None
                self.pools[function] = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init, initargs=(env, function, log))
            return self.pools[function]

    def warm(self, function: str) -> None:
        """Start one instance of `function` now (its init phase), not on the first request."""
        if function in self.timeouts:
            self.pool(function).submit(_started)  # the worker's initializer imports the function

    def invoke(self, function: str, event: dict[str, Any], report: bool = True) -> Any:
        """The function's answer; FunctionTimeout past its Timeout, FunctionError when it raised. `report`: the
        error records it logs are shown on the console (what it raised is the caller's to say)."""
        timeout = self.timeouts.get(function)
        future = self.pool(function).submit(invoke_in_worker, function, event, timeout, report)
        try:
            # The worker stops the handler itself; this bound only catches a worker stuck outside Python.
            return future.result(timeout=(timeout or 30) + 60)
        except TimeoutError:
            self._discard(function)
            raise FunctionTimeout from None
        except Exception as exc:  # the handler's own exception, or a worker that died (BrokenProcessPool)
            raise FunctionError(function, type(exc).__name__) from exc

    def _discard(self, function: str) -> None:
        with self.lock:
            pool = self.pools.pop(function, None)
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        for pool in self.pools.values():
            pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------- HTTP front
READ_TIMEOUT = float(os.environ.get("LOCAL_READ_TIMEOUT", "10"))  # seconds to send a request line, headers, body
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
GATEWAY_TEXT = {  # the answers the gateway gives by itself (not the functions' catalogue)
    "not_found": ("Не найдено.", "Not found."),
    "method_not_allowed": ("Метод не поддерживается.", "Method not allowed."),
    "bad_request": ("Некорректный запрос.", "Bad request."),
    "request_timeout": ("Запрос не был получен вовремя.", "The request was not received in time."),
    "payload_too_large": ("Запрос слишком большой.", "The request is too large."),
    "unauthorized": ("Требуется вход в систему.", "Sign-in is required."),
    "forbidden": ("Нужен доступ сотрудника регистратуры.", "Registry staff access is required."),
    "unavailable": ("Сервис временно недоступен. Повторите попытку позже.",
                    "The service is temporarily unavailable. Please try again later."),
}


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _cors_origin(origin: str | None, path: str = "") -> str | None:
    """Only local pages may call the local stack from a browser (the gorzdrav façade: any web origin; never
    `Origin: null`): infra/local/headers.py decides."""
    return front.cors_origin(origin, path)


class BadRequest(Exception):
    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status, self.code = status, code


class Refused(BadRequest):
    """The gateway's own refusal of a request to a route with an authorizer: 401 without a valid token."""


def _encoded(body: bytes | str | dict | list | None) -> bytes:
    if isinstance(body, (dict, list)):
        body = json.dumps(body, ensure_ascii=False)
    return body.encode() if isinstance(body, str) else (body or b"")


def _is_docs(path: str) -> bool:
    return path in ("/docs", "/docs/") or path.startswith("/docs/") or path == "/openapi.json"


def _verified_claims(authorizer: str | None, headers: dict[str, str]) -> dict[str, Any] | None:
    """The local token's claims on a route with a JWT authorizer (PatientJwt, StaffJwt; None without one);
    Refused as API Gateway would. One local issuer signs both kinds: a patient's token on a staff route reaches
    the function, which refuses it (403), as it would a token without staff claims deployed."""
    if not authorizer:
        return None
    try:
        return tokens.verify(headers.get("authorization"))
    except tokens.TokenError:
        raise Refused(401, "unauthorized") from None


def _joined_query(query: str) -> dict[str, str]:
    """As API Gateway: repeated parameters joined by commas."""
    joined: dict[str, str] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        joined[k] = f"{joined[k]},{v}" if k in joined else v
    return joined


def _response_of(result: Any) -> tuple[int, Any, dict[str, str] | None]:
    """(status, body, headers) of a function's answer (a bare value: 200 with it as JSON)."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return 200, result, None
    raw = result.get("body") or ""
    if result.get("isBase64Encoded"):
        import base64

        raw = base64.b64decode(raw)
    return int(result["statusCode"]), raw, dict(result.get("headers") or {})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's default of 5 resets a burst of new connections


class Handler(BaseHTTPRequestHandler):
    server_version = front.SERVER
    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT  # a client that stops sending is dropped, never holds a thread for ever
    stack: Any  # set by make_server
    body: bytes = b""
    label = "-"  # what the access log names: a route template, never the request's own text
    started = 0.0

    def setup(self) -> None:
        super().setup()
        # Each answer is one write (see _send); no Nagle delay on kept-alive connections either way.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        return front.SERVER  # the Server header names no Python and no version

    def __getattr__(self, name: str) -> Any:
        # Any method (TRACE, PATCH, made-up ones) reaches the router, which answers in JSON.
        if name.startswith("do_"):
            return self._any
        raise AttributeError(name)

    # -- logging: method, route template and status only (paths and queries can hold personal data)
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if os.environ.get("LOCAL_ACCESS_LOG", "1") == "1":
            ms = (time.monotonic() - self.started) * 1000 if self.started else 0.0
            method = self.command if self.command and self.command.isalpha() and len(self.command) < 16 else "-"
            sys.stderr.write(f"[http] {method} {self.label} {code} {ms:.0f}ms\n")

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the stdlib's messages quote the request line; log_request has the status

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own rejections (malformed request line, headers, version) in the contract's shape."""
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # so the status line and headers are written
        status = code if code in (400, 408, 413, 414, 431, 505) else 400
        gateway = {408: "request_timeout", 413: "payload_too_large"}.get(status, "bad_request")
        self._send(status, self._gateway_error(gateway), {"Connection": "close"})

    # -- plumbing
    def _lang(self) -> int:
        headers = getattr(self, "headers", None)
        return 1 if headers is not None and (headers.get("Accept-Language") or "").lower().startswith("en") else 0

    def _gateway_error(self, code: str) -> dict[str, Any]:
        return _error(code, GATEWAY_TEXT[code][self._lang()])

    def _send(self, status: int, body: bytes | str | dict | list | None, headers: dict[str, str] | None = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        data = _encoded(body)
        own = dict(headers or {})
        ctype = next((v for k, v in own.items() if k.lower() == "content-type"), content_type if data else None)
        request_headers = getattr(self, "headers", None)
        # Security headers (CSP, nosniff, no referrer) and gzip: infra/local/headers.py.
        own, data = front.finish(urlsplit(getattr(self, "path", "") or "").path,
                                 request_headers.get("Accept-Encoding") if request_headers is not None else None,
                                 own, ctype, data)
        self.send_response(status)
        self._send_own_headers(own, content_type if data else None)
        self._send_cors()
        self.send_header("Content-Length", str(len(data)))
        self._headers_buffer.append(b"\r\n")  # end_headers without its flush: headers and body in one write
        if getattr(self, "command", None) != "HEAD":
            self._headers_buffer.append(data)
        self.flush_headers()

    def _send_own_headers(self, headers: dict[str, str], content_type: str | None) -> None:
        """The answer's headers (its CORS origin is the front's to decide), with `content_type` unless it has one."""
        if content_type and "content-type" not in {k.lower() for k in headers}:
            self.send_header("Content-Type", content_type)
        for k, v in headers.items():
            if not k.lower().startswith("access-control-allow-origin"):
                self.send_header(k, v)

    def _send_cors(self) -> None:
        request_headers = getattr(self, "headers", None)
        origin = _cors_origin(request_headers.get("Origin") if request_headers is not None else None,
                              urlsplit(getattr(self, "path", "") or "").path)
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def _read_body(self) -> bytes:
        raw = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            raise BadRequest(400, "bad_request")  # API Gateway's HTTP APIs want a length too
        if raw is None:
            return b""
        if not raw.strip().isdigit():
            raise BadRequest(400, "bad_request")
        length = int(raw)
        if length > MAX_BODY:
            raise BadRequest(413, "payload_too_large")
        try:
            body = self.rfile.read(length) if length else b""
        except TimeoutError:
            raise BadRequest(408, "request_timeout") from None
        if len(body) < length:
            raise BadRequest(400, "bad_request")
        return body

    def _body(self) -> bytes:
        return self.body

    def do_OPTIONS(self) -> None:
        self.started = time.monotonic()
        self.label = "OPTIONS"
        try:
            self.body = self._read_body()
        except BadRequest as exc:
            self.close_connection = True
            self._send(exc.status, self._gateway_error(exc.code))
            return
        self._send(204, None, {
            "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Authorization, Idempotency-Key, Accept-Language, token, "
                                            "X-Requested-With",
            "Access-Control-Max-Age": "600",
        })

    def do_HEAD(self) -> None:
        self._dispatch("GET")

    def _any(self) -> None:
        self._dispatch(self.command)

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        self.started = time.monotonic()
        self.label = "-"
        # Read the whole request first, whatever the answer: an unread body left on a kept-alive
        # connection would be taken for the next request.
        try:
            self.body = self._read_body()
        except BadRequest as exc:
            self.close_connection = True
            self._send(exc.status, self._gateway_error(exc.code), {"Connection": "close"})
            return
        try:
            url = urlsplit(self.path)
            self._serve(method, url.path, url.query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except FunctionError as failed:
            # A Lambda function that raises: API Gateway answers without the function's body.
            console.say("error", f"{method} {self.label}: {failed} - {self.stack.functions.where(failed.function)}")
            self._send(502, _error("unavailable", "Internal error in the local stack"))
        except Exception as exc:  # noqa: BLE001 - the front must answer, whatever broke behind it
            self._internal_error(exc)
            self._send(502, _error("unavailable", "Internal error in the local stack"))

    def _internal_error(self, exc: Exception) -> None:
        """A bug of the local stack itself: one line, the stack trace in the logs' front.log when there are logs."""
        logs = getattr(self.stack.functions, "logs", None)
        if not isinstance(logs, Path):
            log(f"internal error in the local stack: {type(exc).__name__}")
            traceback.print_exc()
            return
        with (logs / "front.log").open("a", encoding="utf-8") as out:
            traceback.print_exc(file=out)
        log(f"internal error in the local stack: {type(exc).__name__} - stack trace in {logs / 'front.log'}")

    def _serve(self, method: str, path: str, query: str) -> None:
        """The API (every path template.yaml routes), else the local stack's own pages."""
        if path.startswith(("/v1/", "/_api/")) or events.path_exists(path):
            self._api(method, path, query)
            return
        self.label, allowed, serve = self._local_page(path)
        if method == allowed:
            serve(path)
        else:
            self._not_allowed(allowed)

    def _local_page(self, path: str) -> tuple[str, str, Callable[[str], None]]:
        """(the access log's label, the one method allowed, what serves it) of a page of the local stack."""
        if path == "/_local/token":
            return path, "POST", lambda _path: self._token()
        if path == front.CSP_REPORT_PATH:
            return path, "POST", lambda _path: self._csp_report()
        if path.startswith("/_local/outbox"):
            return "/_local/outbox", "GET", self._outbox
        if _is_docs(path):
            return "/docs", "GET", self._docs
        return "/(web)", "GET", self._static

    def _not_allowed(self, allow: str) -> None:
        self._send(405, self._gateway_error("method_not_allowed"), {"Allow": allow})

    # -- API
    def _api(self, method: str, path: str, query: str) -> None:
        matched = events.match_route(method, path)
        if matched is None:
            # As API Gateway: no route for this method and path (a known path with another method too).
            self.label = "/v1/(no route)"
            self._send(404, self._gateway_error("not_found"))
            return
        route, _ = matched
        self.label = route["path"]
        authorizer = route.get("authorizer")
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            claims = _verified_claims(authorizer, headers)
        except Refused as refused:
            self._send(refused.status, self._gateway_error(refused.code))
            return
        body = self._body()
        event = events.http_event(method, path, body=body.decode("utf-8", errors="replace") if body else None,
                                  headers=headers, query=_joined_query(query),
                                  claims=claims)
        event["rawQueryString"] = query  # the raw query string as sent (repeats kept)
        try:
            result = self.stack.functions.invoke(route["function"], event)
        except FunctionTimeout:
            # API Gateway answers this way when the integration (the function) times out.
            console.say("error", f"{method} {self.label}: {route['function']} timed out (Timeout in template.yaml)"
                        f" - {self.stack.functions.where(route['function'])}")
            self._send(503, self._gateway_error("unavailable"), {"Retry-After": "1"})
            return
        self._send(*_response_of(result))

    def _token(self) -> None:
        try:
            request = json.loads(self._body() or b"{}")
            token = tokens.issue(request if isinstance(request, dict) else {})
        except tokens.TokenError as refused:
            lang = "en" if (self.headers.get("Accept-Language") or "").lower().startswith("en") else "ru"
            self._send(refused.status, _error(refused.code, refused.text(lang)))
            return
        except ValueError as exc:
            self._send(422, _error("validation_error", str(exc)))
            return
        self._send(200, {"token": token})

    def _csp_report(self) -> None:
        """A browser's CSP violation report: one console line each, nothing personal (infra/local/headers.py)."""
        status, lines = front.csp_report(self.body, self.headers.get("Content-Type"))
        for line in lines:
            console.say("csp", line.removeprefix("[csp] "))
        self._send(status, None)

    def _outbox(self, path: str) -> None:
        outbox = self.stack.outbox
        if outbox is None:
            self._send(404, _error("not_found", "The outbox is not running"))
        elif path.rstrip("/").endswith(".html") or path.rstrip("/").endswith("/view"):
            self._send(200, outbox.outbox_html(), content_type="text/html; charset=utf-8")
        else:
            self._send(200, {"items": outbox.outbox_items()})

    def _docs(self, path: str) -> None:
        if path == "/openapi.json" or path == "/docs/openapi.json":
            spec = DOCS / "openapi.json"
            self._send(200, spec.read_bytes() if spec.exists() else b"{}")
            return
        swagger = _swagger_dir()
        name = path.rsplit("/", 1)[-1]
        if name in ("swagger-ui-bundle.min.js", "swagger-ui.min.css"):
            ctype = "application/javascript" if name.endswith(".js") else "text/css"
            self._send(200, (swagger / name).read_bytes(), {"Cache-Control": "max-age=3600"}, content_type=ctype)
            return
        self._send(200, SWAGGER_PAGE, content_type="text/html; charset=utf-8")

    def _static(self, path: str) -> None:
        if path == "/config.json":
            self._send(200, {"apiBase": "", "signIn": "local", "tokenEndpoint": "/_local/token"})
            return
        target = (WEB / path.lstrip("/")).resolve()
        if path.endswith("/"):
            target = target / "index.html"
        if not str(target).startswith(str(WEB.resolve())) or not target.is_file():
            self._send(404, self._gateway_error("not_found"))
            return
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript") or ctype.endswith("json"):
            ctype += "; charset=utf-8"
        self._send(200, target.read_bytes(), {"Cache-Control": "no-cache"}, content_type=ctype)


def make_server(stack: Any, port: int, host: str = "127.0.0.1") -> Server:
    """The HTTP front on host:port for `stack` (anything with .functions and .outbox)."""
    handler = type("StackHandler", (Handler,), {"stack": stack})
    return Server((host, port), handler)


def _swagger_dir() -> Path:
    import aws_lambda_powertools.event_handler.openapi.swagger_ui as ui

    return Path(ui.__file__).parent


SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zapis k vrachu - API</title>
<link rel="stylesheet" href="/docs/swagger-ui.min.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.min.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""


# ---------------------------------------------------------------- the stack
# What the template's references and secrets stand for locally; everything else in the functions' environment
# is read from template.yaml (Globals.Function.Environment and each function's own Environment).
LOCAL_VALUES = {
    "POLICY_HASH_KEY": "local-development-key",
    "SES_CONFIGURATION_SET": "",  # moto's SES has no configuration set
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
    "PUBLIC_BASE_URL_PARAMETER": "",  # PUBLIC_BASE_URL is the local stack's own address (below)
    # No SQS fan-out locally: the daily job's scheduled run opens every clinic in turn (functions/schedule).
    "OPENER_QUEUE_URL": "",
}
_said: set[str] = set()
# Printed once the waiting list's offers follow the table's stream (a time freed before is offered to nobody).
OFFERS_FOLLOW = "waiting-list offers follow the table's stream from now on"
CONSUMED = {  # what a stream consumer's `[job]` line says it handled
    "notifier": "change(s) that may mean an email handled",
    "offers": "freed slot(s) checked against the waiting list",
}
AWS_LOCAL = {"AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "eu-north-1",
             "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


def function_environment(function: str, local: dict[str, str]) -> dict[str, str]:
    """The environment template.yaml gives `function`, with references resolved for the local stack:
    `local` values first, then literals, then the referenced parameter's Default."""
    env: dict[str, str] = {}
    for name, value in template.environment(function).items():
        if name in local:
            env[name] = local[name]
        elif isinstance(value, (str, int, float, bool)):
            env[name] = str(value)
        elif template.parameter_default(value) is not None:
            env[name] = str(template.parameter_default(value))
        elif name not in _said:
            # A fact about this stack, said once (tests/unit/test_local_console.py keeps the list empty).
            _said.add(name)
            log(f"{name} ({json.dumps(value)} in template.yaml) is not set locally: the functions run without it")
    return env


def environment_of(function: str, running: dict[str, Any]) -> dict[str, str]:
    """`function`'s environment in a stack (`running`: its state, with aws_env and local_values): the endpoints
    of its DynamoDB Local and outbox, and template.yaml's variables resolved as function_environment does."""
    local = running["local_values"]
    return {**running["aws_env"], **function_environment(function, local),
            "AWS_LAMBDA_LOG_LEVEL": local.get("AWS_LAMBDA_LOG_LEVEL", "INFO")}


class _Bars:
    """rich progress bars for the slow steps of the start (plain lines when the output is not a terminal)."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)

    def __call__(self, label: str, total: int) -> Callable[[int], None]:
        if not self.console.is_terminal:
            log(f"{label}: {total} items ...")
            return lambda _n: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        # "\\[": the label's [local] is text, not rich markup
        progress = Progress(TextColumn("\\[local] {task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=self.console, transient=False)
        task = progress.add_task(label, total=total)
        progress.start()
        done = [0]
        lock = threading.Lock()

        def advance(n: int) -> None:
            with lock:
                done[0] += n
                progress.update(task, advance=n)
                if done[0] >= total:
                    progress.stop()

        if total == 0:
            progress.stop()
        return advance


class Stack:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.port = int(os.environ.get("PORT", "3000"))
        self.ddb_port = _port("DYNAMODB_PORT", 8000)
        self.workers = int(os.environ.get("LOCAL_WORKERS", "3"))
        self.sweep_seconds = float(os.environ.get("SWEEP_SECONDS", "60"))
        # LOCAL_PERSIST=0: a fresh in-memory table (the tests' stacks)
        self.persist = os.environ.get("LOCAL_PERSIST", "1") != "0"
        self.stopping = threading.Event()
        self.ddb: ddb_local.DynamoDBLocal | None = None
        self.store: Any = None
        self.outbox: Any = None
        self.functions: Functions
        self.httpd: Server | None = None
        self.loader: threading.Thread | None = None
        self.threads: list[threading.Thread] = []
        self.place: state.Place | None = None
        self.jobs = console.Jobs()

    def local_values(self) -> dict[str, str]:
        values = dict(LOCAL_VALUES, TABLE_NAME=TABLE, PUBLIC_BASE_URL=f"http://127.0.0.1:{self.port}",
                      AWS_LAMBDA_LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
                      # Off by default, so a demo sees its own writes at once (deployed: template.yaml's value).
                      LOOKUP_CACHE_SECONDS=os.environ.get("LOOKUP_CACHE_SECONDS", "0"))
        if os.environ.get("HOLD_SECONDS"):
            values["HOLD_SECONDS"] = os.environ["HOLD_SECONDS"]
        if self.outbox is not None:
            values.update({k: v for k, v in self.outbox.client_env().items() if k == "NOTIFIER_DLQ_URL"})
        return values

    def aws_env(self) -> dict[str, str]:
        env = dict(AWS_LOCAL, AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{self.ddb_port}")
        if self.outbox is not None:
            env.update(self.outbox.client_env())
        return env

    def function_env(self, function: str) -> dict[str, str]:
        return environment_of(function, {"aws_env": self.aws_env(), "local_values": self.local_values()})

    def env(self) -> dict[str, str]:
        """This process's environment for the seed and the pollers (the Globals a function gets)."""
        return {**self.aws_env(), **function_environment("", self.local_values())}

    def _claim(self) -> None:
        """Where this stack says it runs and keeps its functions' logs (infra/local/state.py)."""
        self.place = state.claim()
        console.logs_dir = self.place.logs
        if self.place.owner is not None:
            here = self.place.dir.relative_to(ROOT) if self.place.dir.is_relative_to(ROOT) else self.place.dir
            log(f"another local stack (pid {self.place.owner['pid']}) answers `make invoke`, `make logs` and "
                f"`make redrive`; this one's state and logs are in {here} (PORT={self.port} make invoke ... "
                f"reaches it)")

    def start(self) -> None:
        from infra.local import table

        self._claim()
        if self.persist:
            self.store = table.Store.open()
            if self.store is None:
                log("the kept table is in use by another running stack: this one runs in memory")
        kept = self.store.path if self.store else None
        where = f"kept in {kept.relative_to(ROOT) if kept.is_relative_to(ROOT) else kept}" if kept else "in memory"
        self.ddb = ddb_local.start(self.ddb_port, in_memory=self.store is None,
                                   db_path=self.store.work if self.store else None)
        log(f"DynamoDB Local on {self.ddb.endpoint} ({where})")
        self._start_outbox()
        os.environ.update(self.env())
        import boto3

        from shared.platform import clock

        self.functions = Functions(self.function_env, self.workers, logs=self.place.logs if self.place else None)
        self.functions.warm("lookup")  # the first page's function starts while the table is prepared
        client = boto3.client("dynamodb")
        bars = _Bars()
        what, count, later = table.prepare(client, TABLE, self.store, clock.local_date(clock.now()), bars)
        log({"loaded": f"table {TABLE} created from template.yaml, {count} demo items loaded",
             "caught up": f"table {TABLE} kept from the last run (make reset: a clean demo)",
             "kept": f"table {TABLE} kept from the last run (make reset: a clean demo)"}[what])
        self._start_background(resumed=what != "loaded")
        if later:
            self._load_later(later, bars)
        self._start_offers()
        self.httpd = make_server(self, self.port)

    def _start_offers(self) -> None:
        """The waiting list's offers (issue 15) read the same stream, as a second event source mapping would,
        from its end once the booking window's bulk load on a new table is done (its inserts are the demo's
        slots, not days a clinic opens, and reading them twice over slows the first minute's requests). On a
        kept table that is at once; on a new one, a time freed in that first minute is offered to nobody."""
        from infra.local import stream

        loader = getattr(self, "loader", None)

        def run() -> None:
            while loader is not None and loader.is_alive() and not self.stopping.wait(0.5):
                pass
            log(OFFERS_FOLLOW)
            stream.run(table=TABLE, deliver=self._consumer("offers"), stop=self.stopping,
                       function="OffersFunction", starting_position="LATEST")

        thread = threading.Thread(target=run, name="offers", daemon=True)
        self.threads.append(thread)
        thread.start()

    def _load_later(self, days: list[Any], bars: Any) -> None:
        """The rest of the booking window, a day at a time, while the stack already answers."""
        from infra.local import table

        def load() -> None:
            started = time.monotonic()
            try:
                n = table.load_days(TABLE, self.store, days, bars, stop=self.stopping.is_set)
            except Exception as exc:  # noqa: BLE001 - the next start goes on from the last finished day
                if not self.stopping.is_set():
                    log(f"loading the booking window stopped: {type(exc).__name__}")
                return
            if not self.stopping.is_set():
                log(f"booking window complete: {n} slots for {len(days)} more day(s) in "
                    f"{time.monotonic() - started:.1f}s")

        self.loader = threading.Thread(target=load, name="window", daemon=True)
        self.loader.start()

    def _start_outbox(self) -> None:
        from infra.local import outbox

        self.outbox = outbox
        outbox.start(_port("MOTO_PORT", 4566))

    def _start_background(self, resumed: bool) -> None:
        self.threads.append(threading.Thread(target=self._sweep_loop, name="sweeper", daemon=True))
        self.threads.append(threading.Thread(target=self._open_day_loop, name="schedule", daemon=True))
        from infra.local import stream

        # DynamoDB Local's stream feeds the notifier, as Lambda's event source mapping would. A kept table's
        # stream resumes at its end: nothing wrote to the table while the stack was stopped.
        self.threads.append(threading.Thread(
            target=stream.run, name="stream",
            kwargs={"table": TABLE, "deliver": self._consumer("notifier"),
                    "stop": self.stopping, "starting_position": "LATEST" if resumed else None}, daemon=True))
        for t in self.threads:
            t.start()

    def _consumer(self, function: str) -> Callable[[dict[str, Any]], Any]:
        """`function` as the stream's event source mapping invokes it, with a `[job]` line per batch it handled
        (its failures are the poller's to say, in one line)."""
        def deliver(event: dict[str, Any]) -> Any:
            try:
                result = self.functions.invoke(function, event, report=False)
            except FunctionTimeout:  # a function error for the event source mapping: retried, then dead-lettered
                raise FunctionError(function, "Task timed out") from None
            records = len(event.get("Records") or [])
            failed = len((result or {}).get("batchItemFailures") or []) if isinstance(result, dict) else 0
            if records > failed:
                handled = f"{records - failed} {CONSUMED.get(function, 'stream record(s) handled')}"
                console.say("job", f"{function}: {handled}{self._outbox_note(function)}")
            return result

        return deliver

    def _outbox_note(self, function: str) -> str:
        if function != "notifier" or self.outbox is None:
            return ""
        try:
            count = len(self.outbox.outbox_items())
        except Exception:  # noqa: BLE001 - only a hint
            return ""
        return f"; the outbox has {count} email(s): http://127.0.0.1:{self.port}/_local/outbox.html"

    def _run_job(self, job: str, event: dict[str, Any], what: str) -> None:
        """One run of a scheduled function: a `[job]` line when it did something, one `[error]` line when it
        failed (the next run tries again, as the schedule would)."""
        try:
            result = self.functions.invoke(job, dict(event, time=time.strftime("%Y-%m-%dT%H:%M:%SZ")))
        except (Exception, FunctionTimeout) as exc:  # noqa: BLE001 - the next run tries again
            if not self.stopping.is_set():  # (a run cut short by Ctrl-C is not an error)
                failed = f"{job} timed out" if isinstance(exc, FunctionTimeout) else str(exc) or type(exc).__name__
                console.say("error", f"{job} ({what}): {failed} - {self.functions.where(job)}")
            return
        self.jobs.ran(job, result, what)

    def _sweep_loop(self) -> None:
        """EventBridge's rate(1 minute) for the hold sweeper, and the reminder job (rate(5 minutes) deployed;
        every minute here, which only makes a due reminder leave sooner)."""
        scheduled = {"version": "0", "id": "local", "detail-type": "Scheduled Event", "source": "aws.events",
                     "account": "000000000000", "region": "eu-north-1", "resources": [], "detail": {}}
        every = f"every {self.sweep_seconds:g} s"
        while not self.stopping.wait(self.sweep_seconds):
            self._run_job("sweeper", scheduled, f"expired holds, {every}")
            self._run_job("reminder", scheduled, f"reminder emails, {every}")

    def _open_day_loop(self) -> None:
        """The daily job (EventBridge Scheduler at DayOpensAt): locally a while after start, then every
        OPEN_DAY_SECONDS; it is idempotent, so a run with nothing due only reads."""
        scheduled = {"version": "0", "id": "local", "detail-type": "Scheduled Event", "source": "aws.scheduler",
                     "account": "000000000000", "region": "eu-north-1", "resources": [], "detail": "{}"}
        wait = float(os.environ.get("OPEN_DAY_FIRST_SECONDS", "30"))
        every = float(os.environ.get("OPEN_DAY_SECONDS", "3600"))
        while not self.stopping.wait(wait):
            wait = every
            self._run_job("schedule", scheduled, f"daily job opening days, every {every:g} s, each clinic in turn")

    def state(self) -> dict[str, Any]:
        """What `make invoke`, `make logs` and `make redrive` need to reach this stack (infra/local/state.py)."""
        return {"port": self.port, "base": f"http://127.0.0.1:{self.port}", "table": TABLE,
                "dynamodb_endpoint": f"http://127.0.0.1:{self.ddb_port}", "started": time.time(),
                "aws_env": self.aws_env(), "local_values": self.local_values()}

    def serve(self) -> None:
        assert self.httpd is not None
        base = f"http://127.0.0.1:{self.port}"
        if self.place is not None:
            self.place.write(self.state())
        log(f"ready in {time.monotonic() - self.started:.1f}s: page {base}/  API {base}/v1/districts  "
            f"docs {base}/docs  outbox {base}/_local/outbox.html  (Ctrl-C stops; bookings are kept)")
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.httpd.server_close()

    def stop(self) -> None:
        self.stopping.set()
        if self.loader is not None:
            self.loader.join(timeout=5)  # a day cut short is finished by the next start (infra/local/table.py)
        if hasattr(self, "functions"):
            self.functions.stop()
        if self.outbox is not None:
            try:
                self.outbox.stop()
            except Exception as exc:  # noqa: BLE001 - stopping must go on to DynamoDB Local
                log(f"outbox did not stop cleanly: {type(exc).__name__}")
        if self.ddb is not None:
            self.ddb.stop()
        if self.store is not None:
            self.store.close()
        if self.place is not None:
            self.place.release()
        log("stopped")


def run(stack: Any) -> int:
    """Start `stack` and serve until SIGINT or SIGTERM (either, once: a second signal while stopping is
    ignored); stop everything, quietly. Also when started in the background, where SIGINT comes ignored."""

    def _stop(_signum: int, _frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    code = 0
    try:
        stack.start()
        stack.serve()
    except ddb_local.DynamoDBLocalUnavailable as exc:
        print(f"make run: {exc}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
    return code


def main() -> int:
    return run(Stack())


if __name__ == "__main__":
    sys.exit(main())
