"""What the local front adds to every answer (issue 30): the page's security headers (a strict Content-Security-
Policy, nosniff, no referrer), gzip for text the client accepts it for, CORS for local pages only (never for
`Origin: null`), a `Server` header without versions, and the endpoint CSP violation reports are sent to.

Deployed, CloudFront does the same: the stack's response-headers policies (template.yaml, `PageHeadersPolicy` and
`ApiHeadersPolicy`) send the same policy text, and the behaviours compress. `page_csp()` is the one text both
use; tests/unit/test_template.py checks the template's against it.

The server calls (infra/local/server.py):
- `finish(path, accept_encoding, headers, content_type, body)` on every answer, before its headers are written:
  the headers to send (security headers, Content-Encoding, Vary) and the body (gzipped or not);
- `cors_origin(origin, path)` for the Access-Control-Allow-Origin of an answer;
- `csp_report(body, content_type)` for `POST /_csp-report`: the status (204) and the lines to log;
- `SERVER` as its `Server` header.

Pure functions over bytes and strings: no sockets, no state.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

SERVER = "zapis-local"  # no Python, no version: nothing to look a vulnerability up by
CSP_REPORT_PATH = "/_csp-report"
REPORT_GROUP = "csp"  # the Reporting-Endpoints name the policy's report-to names

# The page (web/): scripts, styles, fetches and everything else from its own origin only. No inline script or
# style attribute is needed (the page builds its elements with h(), web/ui.js, and styles them by class); the
# favicon is `data:,`; the OIDC provider's token endpoint is added to connect-src when deployed.
PAGE_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
# An API answer is data, never a document: nothing may run or load in it, nothing may frame it.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Pages of the local stack itself (Swagger UI at /docs, the outbox) have inline scripts and styles: they are
# not the product, so they are only kept out of frames.
TOOL_CSP = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/problem+json",
                "application/fhir+json", "image/svg+xml")
MIN_COMPRESS = 512  # below this gzip's own header outweighs what it saves
MAX_REPORT = 64 * 1024


def page_csp(connect: Iterable[str] = (), report: str | None = CSP_REPORT_PATH) -> str:
    """The page's policy; `connect`: origins the page may call besides its own (the sign-in provider)."""
    extra = " ".join(o for o in connect if o)
    directives = [f"{d} {extra}" if d.startswith("connect-src") and extra else d for d in PAGE_DIRECTIVES]
    if report:
        directives += [f"report-uri {report}", f"report-to {REPORT_GROUP}"]
    return "; ".join(directives)


def kind(path: str) -> str:
    """"api", "tool" or "page": which policy an answer for `path` gets."""
    if path.startswith(("/v1/", "/_api/", "/fhir", "/_local/token", "/openapi.json", CSP_REPORT_PATH)):
        return "api"
    if path.startswith(("/docs", "/_local/")):
        return "tool"
    return "page"


def security_headers(path: str, content_type: str | None = None) -> dict[str, str]:
    """The security headers of an answer for `path` (the page's CSP only on its HTML documents)."""
    out = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
    where = kind(path)
    if where == "api":
        out["Content-Security-Policy"] = API_CSP
    elif where == "tool":
        out["Content-Security-Policy"] = TOOL_CSP
    else:
        # Every file of the page gets the policy (a script's own policy is ignored, a document's is the one that
        # counts, so a stray HTML file is covered too).
        out["Content-Security-Policy"] = page_csp()
        if (content_type or "").startswith("text/html"):
            out["Reporting-Endpoints"] = f'{REPORT_GROUP}="{CSP_REPORT_PATH}"'
    return out


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether the Accept-Encoding header accepts gzip (an explicit q=0 refuses it)."""
    for part in (accept_encoding or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def compressible(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower().startswith(COMPRESSIBLE)


def finish(path: str, accept_encoding: str | None, headers: Mapping[str, str], content_type: str | None,
           body: bytes) -> tuple[dict[str, str], bytes]:
    """The headers and the body to send for an answer: `headers` (the answer's own, which win) with the security
    headers, and the body gzipped when the client accepts gzip and the type is text worth compressing."""
    out = {**security_headers(path, content_type), **dict(headers)}
    lower = {k.lower() for k in out}
    if not compressible(content_type) or "content-encoding" in lower:
        return out, body
    out["Vary"] = ", ".join(v for v in (out.pop("Vary", ""), "Accept-Encoding") if v)
    if len(body) < MIN_COMPRESS or not accepts_gzip(accept_encoding):
        return out, body
    out["Content-Encoding"] = "gzip"
    return out, gzip.compress(body, compresslevel=6, mtime=0)


def cors_origin(origin: str | None, path: str = "") -> str | None:
    """The Access-Control-Allow-Origin for a request from `origin`: local pages on any route; any web origin on
    the gorzdrav face (/_api/, its clients are other sites); never `null` (sandboxed frames, file: pages, data:
    URLs all send it: allowing it would allow any of them) nor anything but an http(s) origin."""
    if not origin or origin.strip().lower() == "null":
        return None
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        return None
    if path.startswith("/_api/"):
        return origin
    return origin if parts.hostname in ("127.0.0.1", "localhost") else None


# ---------------------------------------------------------------- CSP violation reports
def _origin_of(uri: Any) -> str:
    """What a report's URI may say in the log: its scheme and host (no path, query or fragment: they can carry
    tokens and personal data), or the keyword ('inline', 'eval', 'data' ...)."""
    text = str(uri or "").strip()
    if not text:
        return "-"
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.hostname:
        return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    word = (parts.scheme or text).split(":")[0].lower()
    return word if word.isalpha() and len(word) <= 20 else "other"


def _path_of(uri: Any) -> str:
    """A source file's path on the page's origin (no query, no fragment), else its origin."""
    parts = urlsplit(str(uri or ""))
    if parts.scheme in ("http", "https") and parts.hostname:
        path = parts.path if len(parts.path) <= 100 else parts.path[:100] + "…"
        return f"{_origin_of(uri)}{path}"
    return _origin_of(uri)


def _word(value: Any, limit: int = 40) -> str:
    text = str(value or "-")
    return "".join(c if c.isalnum() or c in "-_'" else "?" for c in text[:limit]) or "-"


def _violations(data: Any) -> list[dict[str, Any]]:
    """The reports in a body: report-uri's `{"csp-report": {...}}` or the Reporting API's list of reports."""
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        return [r["body"] for r in data
                if isinstance(r, dict) and r.get("type") == "csp-violation" and isinstance(r.get("body"), dict)]
    return []


def _line(report: Mapping[str, Any]) -> str:
    def get(*names: str) -> Any:
        return next((report[n] for n in names if report.get(n) not in (None, "")), None)

    directive = _word(get("effectiveDirective", "effective-directive", "violated-directive", "violatedDirective"))
    blocked = _origin_of(get("blockedURL", "blocked-uri", "blockedURI"))
    source = _path_of(get("sourceFile", "source-file"))
    line = get("lineNumber", "line-number")
    disposition = _word(get("disposition") or "enforce", 10)
    at = f":{int(line)}" if isinstance(line, int) and not isinstance(line, bool) else ""
    # Never the document's address (its fragment and query hold ids and tokens), the sample (it can be page
    # text), the referrer or anything the patient typed.
    return f"[csp] {disposition} {directive} blocked={blocked} source={source}{at}"


def csp_report(body: bytes, content_type: str | None = None) -> tuple[int, list[str]]:
    """A browser's violation report: (the status to answer, the lines to log). 204 whatever the body holds (a
    browser does nothing with the answer), 413 past 64 KB; nothing personal is logged."""
    if len(body) > MAX_REPORT:
        return 413, []
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        return 204, ["[csp] a report that is not JSON"]
    lines = [_line(r) for r in _violations(data)[:20]]
    return 204, lines or ["[csp] a report without violations"]
