"""infra/local/headers.py (issue 30): the local front's security headers, gzip, CORS and CSP reports."""
from __future__ import annotations

import gzip
import json

import pytest

from infra.local import headers

JS = b"export const x = 1;\n" * 200
HTML = "text/html; charset=utf-8"


def test_the_page_gets_a_strict_policy_nosniff_and_no_referrer() -> None:
    sent, _ = headers.finish("/", "gzip", {}, HTML, b"<!doctype html>")
    csp = dict(d.split(" ", 1) for d in sent["Content-Security-Policy"].split("; "))
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert "unsafe" not in sent["Content-Security-Policy"]
    assert csp["connect-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["report-uri"] == headers.CSP_REPORT_PATH and csp["report-to"] == headers.REPORT_GROUP
    assert sent["Reporting-Endpoints"] == f'csp="{headers.CSP_REPORT_PATH}"'
    assert sent["X-Content-Type-Options"] == "nosniff" and sent["Referrer-Policy"] == "no-referrer"


def test_the_sign_in_provider_is_added_to_connect_src() -> None:
    csp = headers.page_csp(["https://login.example.org"], report=None)
    assert "connect-src 'self' https://login.example.org" in csp and "report-uri" not in csp


@pytest.mark.parametrize("path", ["/v1/districts", "/_api/api/v2/shared/districts", "/fhir/Slot", "/_local/token",
                                  "/_csp-report"])
def test_api_answers_are_data_that_nothing_runs_in(path: str) -> None:
    sent, _ = headers.finish(path, None, {"Content-Type": "application/json"}, "application/json", b"{}")
    assert sent["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert sent["X-Content-Type-Options"] == "nosniff" and sent["Referrer-Policy"] == "no-referrer"
    assert "Reporting-Endpoints" not in sent


@pytest.mark.parametrize("path", ["/docs", "/docs/swagger-ui-bundle.min.js", "/_local/outbox/view"])
def test_the_local_tools_keep_their_inline_scripts_but_no_frames(path: str) -> None:
    sent, _ = headers.finish(path, None, {}, HTML, b"<html>")
    assert sent["Content-Security-Policy"] == headers.TOOL_CSP and "script-src" not in sent["Content-Security-Policy"]


def test_text_is_gzipped_when_the_client_accepts_it() -> None:
    sent, body = headers.finish("/app.js", "gzip, deflate, br", {"Cache-Control": "no-cache"},
                                "text/javascript; charset=utf-8", JS)
    assert sent["Content-Encoding"] == "gzip" and sent["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == JS and len(body) < len(JS) / 10
    assert sent["Cache-Control"] == "no-cache"  # the answer's own headers are kept
    # The same bytes every time (no timestamp in the gzip header): ETags and caches stay stable.
    assert headers.finish("/app.js", "gzip", {}, "text/javascript", JS)[1] == body


@pytest.mark.parametrize(("accept", "content_type", "body"), [
    (None, "text/javascript", JS),                     # no Accept-Encoding
    ("br", "text/javascript", JS),                     # gzip not among them
    ("gzip;q=0, br", "text/javascript", JS),           # gzip refused explicitly
    ("gzip", "image/png", JS),                         # not text
    ("gzip", "application/json", b'{"items": []}'),    # too small to be worth it
])
def test_not_gzipped(accept: str | None, content_type: str, body: bytes) -> None:
    sent, out = headers.finish("/x", accept, {}, content_type, body)
    assert "Content-Encoding" not in sent and out == body


def test_an_answer_already_encoded_is_left_alone() -> None:
    sent, out = headers.finish("/v1/x", "gzip", {"Content-Encoding": "br"}, "application/json", JS)
    assert sent["Content-Encoding"] == "br" and out == JS and "Vary" not in sent


def test_vary_keeps_what_the_answer_varies_on() -> None:
    sent, _ = headers.finish("/v1/x", "gzip", {"Vary": "Accept-Language"}, "application/json", JS)
    assert sent["Vary"] == "Accept-Language, Accept-Encoding"


@pytest.mark.parametrize(("origin", "path", "allowed"), [
    ("http://127.0.0.1:3000", "/v1/districts", True),
    ("http://localhost:5173", "/v1/districts", True),
    ("https://evil.example", "/v1/districts", False),
    ("https://bot.example", "/_api/api/v2/shared/districts", True),   # the gorzdrav face: other sites' clients
    ("null", "/_api/api/v2/shared/districts", False),                 # a sandboxed frame, a file: page, data:
    ("null", "/v1/districts", False),
    ("file://", "/_api/x", False),
    ("chrome-extension://abc", "/_api/x", False),
    ("http://127.0.0.1:3000/path", "/v1/x", False),
    (None, "/v1/x", False),
])
def test_cors_never_for_null(origin: str | None, path: str, allowed: bool) -> None:
    assert headers.cors_origin(origin, path) == (origin if allowed else None)


def test_a_report_uri_report_is_logged_without_personal_data() -> None:
    report = {"csp-report": {
        "document-uri": "http://127.0.0.1:3000/#/ticket/APPT123?t=secret-token",
        "referrer": "http://127.0.0.1:3000/#/my?policy=7800000101000000",
        "violated-directive": "script-src-elem", "effective-directive": "script-src-elem",
        "original-policy": headers.page_csp(),
        "blocked-uri": "https://cdn.example.org/x.js?policy=7800000101000000",
        "source-file": "http://127.0.0.1:3000/views/book.js?v=1", "line-number": 12, "column-number": 3,
        "script-sample": "Иванов Иван 7800000101000000", "status-code": 200, "disposition": "enforce"}}
    status, lines = headers.csp_report(json.dumps(report, ensure_ascii=False).encode(), "application/csp-report")
    assert status == 204
    assert lines == ["[csp] enforce script-src-elem blocked=https://cdn.example.org "
                     "source=http://127.0.0.1:3000/views/book.js:12"]
    for secret in ("secret-token", "7800000101000000", "Иванов", "APPT123", "ticket"):
        assert secret not in lines[0]


def test_reporting_api_reports_and_keywords() -> None:
    reports = [
        {"type": "csp-violation", "url": "http://127.0.0.1:3000/#/x", "body": {
            "documentURL": "http://127.0.0.1:3000/", "effectiveDirective": "style-src-attr", "blockedURL": "inline",
            "sourceFile": "http://127.0.0.1:3000/ui.js", "lineNumber": 4, "sample": "color: red",
            "disposition": "enforce"}},
        {"type": "csp-violation", "body": {"effectiveDirective": "script-src", "blockedURL": "eval"}},
        {"type": "deprecation", "body": {"id": "x"}},
    ]
    status, lines = headers.csp_report(json.dumps(reports).encode(), "application/reports+json")
    assert status == 204
    assert lines == ["[csp] enforce style-src-attr blocked=inline source=http://127.0.0.1:3000/ui.js:4",
                     "[csp] enforce script-src blocked=eval source=-"]


@pytest.mark.parametrize("body", [b"", b"not json", b"\xff\xfe", b"[]", b'{"x": 1}', b'{"csp-report": "x"}'])
def test_any_body_gets_204_and_one_line(body: bytes) -> None:
    status, lines = headers.csp_report(body)
    assert status == 204 and len(lines) == 1 and lines[0].startswith("[csp] ")


def test_a_huge_report_is_refused() -> None:
    assert headers.csp_report(b"x" * (headers.MAX_REPORT + 1)) == (413, [])


def test_the_server_name_has_no_version() -> None:
    assert headers.SERVER == "zapis-local" and not any(c.isdigit() for c in headers.SERVER)


# ---------------------------------------------------------------- the front itself, once server.py calls the module
def _wired() -> bool:
    from infra.local import server

    return getattr(server, "front", None) is headers


@pytest.mark.skipif(not _wired(), reason="infra/local/server.py does not call infra/local/headers.py yet (issue 30)")
def test_the_local_front_sends_them() -> None:
    import http.client
    import threading

    from infra.local import server

    class Functions:
        def invoke(self, function: str, event: dict) -> dict:
            return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                    "body": json.dumps({"items": [{"id": i, "name": "x" * 40} for i in range(40)]})}

    class Stack:
        functions = Functions()
        outbox = None

    httpd = server.make_server(Stack(), 0)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def call(method: str, path: str, hdrs: dict[str, str] | None = None, body: bytes | None = None) -> tuple:
        conn = http.client.HTTPConnection("127.0.0.1", httpd.server_address[1], timeout=10)
        conn.request(method, path, body=body, headers=hdrs or {})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, data

    try:
        status, got, data = call("GET", "/", {"Accept-Encoding": "gzip"})
        assert status == 200 and got["content-encoding"] == "gzip" and b"<!doctype html>" in gzip.decompress(data)
        assert got["content-security-policy"] == headers.page_csp()
        assert got["x-content-type-options"] == "nosniff" and got["referrer-policy"] == "no-referrer"
        assert got["server"] == "zapis-local"
        status, got, data = call("GET", "/i18n.js", {"Accept-Encoding": "gzip"})
        assert got["content-encoding"] == "gzip" and len(data) < int(len(gzip.decompress(data)) / 2)
        status, got, data = call("GET", "/v1/districts", {"Accept-Encoding": "gzip", "Origin": "null"})
        assert status == 200 and got["content-encoding"] == "gzip" and json.loads(gzip.decompress(data))["items"]
        assert got["content-security-policy"] == headers.API_CSP and "access-control-allow-origin" not in got
        status, got, _ = call("GET", "/v1/districts", {"Origin": "http://127.0.0.1:3000"})
        assert got["access-control-allow-origin"] == "http://127.0.0.1:3000" and "content-encoding" not in got
        status, got, data = call("POST", headers.CSP_REPORT_PATH, {"Content-Type": "application/csp-report"},
                                 json.dumps({"csp-report": {"effective-directive": "script-src-elem"}}).encode())
        assert status == 204 and data == b""
    finally:
        httpd.shutdown()
        httpd.server_close()
