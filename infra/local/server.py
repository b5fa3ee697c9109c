"""The local stack (`make run`): DynamoDB Local, the demo data, and an HTTP front that speaks API Gateway.

Each request becomes an API Gateway HTTP API v2 event for the function template.yaml routes it to, and
runs in a pool of worker processes per function, so handlers run exactly as in Lambda and requests are
served concurrently, as many Lambda instances would serve them. Routes are read from the template only.
Also here: local sign-in (`POST /_local/token`), the OpenAPI document with Swagger UI (`/docs`), the
hold sweeper every minute, the notifier fed from DynamoDB Local's stream, the email outbox
(`/_local/outbox`), and the web front-end (`web/`) at `/`.

Ports: PORT (API and web, 3000), DYNAMODB_PORT (8000), MOTO_PORT (SES, see infra/local/outbox.py).
Everything binds 127.0.0.1; Ctrl-C or SIGTERM stops every process started here.
"""
from __future__ import annotations

import json
import mimetypes
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra import ddb_local, template
from infra.lambda_like import Context, load_function
from infra.local import events, tokens

ROOT = template.ROOT
WEB = ROOT / "web"
DOCS = ROOT / "docs"
TABLE = "zapis-local"
SWAGGER_DIR = None  # resolved lazily from the Powertools package


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
def _worker_init(env: dict[str, str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))


def invoke_in_worker(function: str, event: dict[str, Any]) -> Any:
    return load_function(function).handler(event, Context(function))


class Functions:
    """One process pool per function: a few warm 'instances' each, created on first use."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.env = env
        self.workers = workers
        self.pools: dict[str, ProcessPoolExecutor] = {}
        self.lock = threading.Lock()

    def pool(self, function: str) -> ProcessPoolExecutor:
        with self.lock:
            if function not in self.pools:
                import multiprocessing

                self.pools[function] = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init, initargs=(self.env,))
            return self.pools[function]

    def invoke(self, function: str, event: dict[str, Any], timeout: float = 30) -> Any:
        return self.pool(function).submit(invoke_in_worker, function, event).result(timeout=timeout)

    def stop(self) -> None:
        for pool in self.pools.values():
            pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------- HTTP front
def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _cors_origin(origin: str | None) -> str | None:
    if not origin:
        return None
    host = urlsplit(origin).hostname
    return origin if host in ("127.0.0.1", "localhost") else None


class Handler(BaseHTTPRequestHandler):
    server_version = "zapis-local"
    protocol_version = "HTTP/1.1"
    stack: Stack  # set by Stack.serve
    body: bytes = b""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        # Method, path without query, status: no personal data reaches the console.
        if os.environ.get("LOCAL_ACCESS_LOG", "1") == "1":
            sys.stderr.write(f"[http] {self.command} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n")

    # -- plumbing
    def _send(self, status: int, body: bytes | str | dict | list | None, headers: dict[str, str] | None = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False)
        data = body.encode() if isinstance(body, str) else (body or b"")
        self.send_response(status)
        sent = {k.lower() for k in (headers or {})}
        if "content-type" not in sent and data:
            self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        origin = _cors_origin(self.headers.get("Origin"))
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _body(self) -> bytes:
        return self.body

    def do_OPTIONS(self) -> None:
        self._send(204, None, {
            "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Authorization, Idempotency-Key, Accept-Language",
            "Access-Control-Max-Age": "600",
        })

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        # Read the whole request first, whatever the answer: an unread body left on a kept-alive
        # connection would be taken for the next request.
        self.body = self._read_body()
        try:
            url = urlsplit(self.path)
            path = url.path
            if path.startswith("/v1/"):
                return self._api(method, path, url.query)
            if path == "/_local/token" and method == "POST":
                return self._token()
            if path.startswith("/_local/outbox"):
                return self._outbox(path)
            if path in ("/docs", "/docs/") or path.startswith("/docs/") or path == "/openapi.json":
                return self._docs(path)
            if method == "GET":
                return self._static(path)
            self._send(404, _error("not_found", "Не найдено."))
        except BrokenPipeError:
            pass
        except Exception:  # noqa: BLE001 - the front must answer, whatever broke behind it
            traceback.print_exc()
            self._send(502, _error("unavailable", "Internal error in the local stack"))

    # -- API
    def _api(self, method: str, path: str, query: str) -> None:
        matched = events.match_route(method, path)
        if matched is None:
            # As API Gateway: no route for this method and path.
            self._send(404, _error("not_found", "Не найдено."))
            return
        route, _ = matched
        claims = None
        authorizer = route.get("authorizer")
        headers = {k.lower(): v for k, v in self.headers.items()}
        if authorizer:
            try:
                claims = tokens.verify(headers.get("authorization"))
            except tokens.TokenError:
                self._send(401, _error("unauthorized", "Требуется вход в систему."))
                return
            if authorizer == "AWS_IAM" and claims.get("staff") != "true":
                self._send(403, _error("forbidden", "Нужен доступ сотрудника регистратуры."))
                return
        body = self._body()
        event = events.http_event(method, path, body=body.decode("utf-8", errors="replace") if body else None,
                                  headers=headers, query=dict(parse_qsl(query)),
                                  claims=claims if authorizer and authorizer != "AWS_IAM" else None)
        if authorizer == "AWS_IAM":
            # Deployed, the clinic is in the staff principal's name (shared/staff.py): registry-<clinicId>.
            staff_name = f"registry-{claims.get('clinic_id') or 'city'}" if claims else "local-staff"
            event["requestContext"]["authorizer"] = {"iam": {
                "accessKey": "LOCALSTAFF", "accountId": "000000000000", "callerId": "local-staff",
                "principalOrgId": None, "userArn": f"arn:aws:iam::000000000000:user/{staff_name}",
                "userId": "local-staff", "cognitoIdentity": None}}
        result = self.stack.functions.invoke(route["function"], event)
        if not isinstance(result, dict) or "statusCode" not in result:
            self._send(200, result)
            return
        out_headers = dict(result.get("headers") or {})
        raw = result.get("body") or ""
        if result.get("isBase64Encoded"):
            import base64

            raw = base64.b64decode(raw)
        self._send(int(result["statusCode"]), raw, out_headers)

    def _token(self) -> None:
        try:
            request = json.loads(self._body() or b"{}")
            token = tokens.issue(request if isinstance(request, dict) else {})
        except (ValueError, tokens.TokenError) as exc:
            self._send(422, _error("validation_error", str(exc)))
            return
        self._send(200, {"token": token})

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
            self._send(404, _error("not_found", "Не найдено."))
            return
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript") or ctype.endswith("json"):
            ctype += "; charset=utf-8"
        self._send(200, target.read_bytes(), {"Cache-Control": "no-cache"}, content_type=ctype)


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
class Stack:
    def __init__(self) -> None:
        self.port = int(os.environ.get("PORT", "3000"))
        self.ddb_port = _port("DYNAMODB_PORT", 8000)
        self.workers = int(os.environ.get("LOCAL_WORKERS", "3"))
        self.sweep_seconds = float(os.environ.get("SWEEP_SECONDS", "60"))
        self.stopping = threading.Event()
        self.ddb: ddb_local.DynamoDBLocal | None = None
        self.outbox: Any = None
        self.functions: Functions
        self.threads: list[threading.Thread] = []

    def env(self) -> dict[str, str]:
        env = {
            "AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "eu-north-1",
            "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{self.ddb_port}",
            "TABLE_NAME": TABLE, "HOLD_SECONDS": os.environ.get("HOLD_SECONDS", "300"),
            "CLINIC_TIMEZONE": "Europe/Moscow", "POLICY_HASH_KEY": "local-development-key",
            "POWERTOOLS_SERVICE_NAME": "zapis", "POWERTOOLS_METRICS_NAMESPACE": "Zapis",
            "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_DEV": "false",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}",
            "SENDER_EMAIL": "no-reply@zapis.example.org", "REPLY_TO_EMAIL": "registry@zapis.example.org",
            "SES_CONFIGURATION_SET": "", "AWS_LAMBDA_LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
            # Off by default, so a demo sees its own writes at once; deployed it is 1 s (template.yaml).
            "LOOKUP_CACHE_SECONDS": os.environ.get("LOOKUP_CACHE_SECONDS", "0"),
        }
        if self.outbox is not None:
            env.update(self.outbox.client_env())
        return env

    def start(self) -> None:
        started = time.monotonic()
        self.ddb = ddb_local.start(self.ddb_port)
        log(f"DynamoDB Local on {self.ddb.endpoint}")
        self._start_outbox()
        os.environ.update(self.env())
        import boto3

        from infra import seed

        template.create_table(boto3.client("dynamodb"), TABLE)
        count = seed.seed()
        log(f"table {TABLE} created from template.yaml, {count} demo items seeded")
        self.functions = Functions(self.env(), self.workers)
        self._start_background()
        log(f"ready in {time.monotonic() - started:.1f}s")

    def _start_outbox(self) -> None:
        from infra.local import outbox

        self.outbox = outbox
        outbox.start(_port("MOTO_PORT", 4566))

    def _start_background(self) -> None:
        self.threads.append(threading.Thread(target=self._sweep_loop, name="sweeper", daemon=True))
        self.threads.append(threading.Thread(target=self._open_day_loop, name="schedule", daemon=True))
        from infra.local import stream

        # DynamoDB Local's stream feeds the notifier, as Lambda's event source mapping would.
        self.threads.append(threading.Thread(
            target=stream.run, name="stream",
            kwargs={"table": TABLE, "deliver": lambda ev: self.functions.invoke("notifier", ev),
                    "stop": self.stopping}, daemon=True))
        for t in self.threads:
            t.start()

    def _sweep_loop(self) -> None:
        """EventBridge's rate(1 minute) for the hold sweeper."""
        scheduled = {"version": "0", "id": "local", "detail-type": "Scheduled Event", "source": "aws.events",
                     "account": "000000000000", "region": "eu-north-1", "resources": [], "detail": {}}
        while not self.stopping.wait(self.sweep_seconds):
            try:
                self.functions.invoke("sweeper", dict(scheduled, time=time.strftime("%Y-%m-%dT%H:%M:%SZ")))
            except Exception as exc:  # noqa: BLE001 - next minute tries again, as the schedule would
                log(f"sweeper run failed: {type(exc).__name__}")

    def _open_day_loop(self) -> None:
        """The daily job (EventBridge Scheduler at DayOpensAt): locally a while after start, then every
        OPEN_DAY_SECONDS; it is idempotent, so a run with nothing due only reads."""
        scheduled = {"version": "0", "id": "local", "detail-type": "Scheduled Event", "source": "aws.scheduler",
                     "account": "000000000000", "region": "eu-north-1", "resources": [], "detail": "{}"}
        wait = float(os.environ.get("OPEN_DAY_FIRST_SECONDS", "30"))
        while not self.stopping.wait(wait):
            wait = float(os.environ.get("OPEN_DAY_SECONDS", "3600"))
            try:
                self.functions.invoke("schedule", dict(scheduled, time=time.strftime("%Y-%m-%dT%H:%M:%SZ")),
                                      timeout=900)
            except Exception as exc:  # noqa: BLE001 - the next run catches up, as the schedule would
                log(f"daily job failed: {type(exc).__name__}")

    def serve(self) -> None:
        Handler.stack = self
        ThreadingHTTPServer.daemon_threads = True
        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        log(f"API and web on http://127.0.0.1:{self.port}  (docs: /docs, outbox: /_local/outbox)")
        try:
            httpd.serve_forever(poll_interval=0.2)
        finally:
            httpd.server_close()

    def stop(self) -> None:
        self.stopping.set()
        if hasattr(self, "functions"):
            self.functions.stop()
        if self.outbox is not None:
            try:
                self.outbox.stop()
            except Exception as exc:  # noqa: BLE001 - stopping must go on to DynamoDB Local
                log(f"outbox did not stop cleanly: {type(exc).__name__}")
        if self.ddb is not None:
            self.ddb.stop()
        log("stopped")


def main() -> int:
    stack = Stack()

    def _terminate(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        stack.start()
        stack.serve()
    except ddb_local.DynamoDBLocalUnavailable as exc:
        print(f"make run: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
