"""The local stack's email outbox: moto's SES (and SQS, for the notifier's dead-letter queue) as a server.

    start(port=None) -> str        # ThreadedMotoServer on 127.0.0.1:$MOTO_PORT (default 4566); its endpoint
    client_env() -> dict[str, str] # environment for the functions: SES/SQS endpoints, NOTIFIER_DLQ_URL
    outbox_items() -> list[dict]   # [{"to", "subject", "raw"}] of every email sent so far, oldest first
    outbox_html() -> str           # a page listing them: text and HTML parts readable, the .ics shown
    stop()

The server runs in this process, so the sent emails are read straight from moto's SES backend (moto keeps
every message it accepted). The demo sender (SENDER_EMAIL, default no-reply@zapis.example.org) is verified
at start, as the real identity is verified in SES; any other sender is refused, as SES would.
`GET /_local/outbox` (JSON) and `/_local/outbox.html` in infra/local/server.py call these.
Port: MOTO_PORT, default 4566 (the usual port of local AWS emulators; set MOTO_PORT if it is taken).
"""
from __future__ import annotations

import email
import html
import os
from email import policy
from typing import Any

DEFAULT_PORT = 4566
REGION = "eu-north-1"
DLQ_NAME = "zapis-notifier-dlq"

_server: Any = None
_endpoint: str | None = None
_queue_url: str | None = None


def sender() -> str:
    return os.environ.get("SENDER_EMAIL", "no-reply@zapis.example.org")


def start(port: int | None = None) -> str:
    """Start moto's server (idempotent), verify the demo sender, create the dead-letter queue."""
    global _server, _endpoint, _queue_url
    if _server is not None:
        return _endpoint or ""
    import logging

    from moto.server import ThreadedMotoServer

    # One access-log line per email and per poll would drown the stack's own log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    port = port or int(os.environ.get("MOTO_PORT") or DEFAULT_PORT)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _server, _endpoint = server, f"http://127.0.0.1:{port}"
    import boto3

    region = os.environ.get("AWS_DEFAULT_REGION", REGION)
    creds = {"aws_access_key_id": "local", "aws_secret_access_key": "local", "region_name": region}
    boto3.client("sesv2", endpoint_url=_endpoint, **creds).create_email_identity(EmailIdentity=sender())
    _queue_url = boto3.client("sqs", endpoint_url=_endpoint, **creds).create_queue(QueueName=DLQ_NAME)["QueueUrl"]
    return _endpoint


def stop() -> None:
    global _server, _endpoint, _queue_url
    if _server is not None:
        _server.stop()
    _server = _endpoint = _queue_url = None


def client_env() -> dict[str, str]:
    """What a function needs to send through this outbox and dead-letter into its queue."""
    if not _endpoint:
        return {}
    env = {"AWS_ENDPOINT_URL_SESV2": _endpoint, "AWS_ENDPOINT_URL_SES": _endpoint,
           "AWS_ENDPOINT_URL_SQS": _endpoint}
    if _queue_url:
        env["NOTIFIER_DLQ_URL"] = _queue_url
    return env


def _sent_messages() -> list[Any]:
    from moto.ses.models import ses_backends

    out: list[Any] = []
    for account in list(ses_backends.keys()):
        for region in list(ses_backends[account].keys()):
            out.extend(getattr(ses_backends[account][region], "sent_messages", []))
    return out


def items_from_raw(raws: list[str]) -> list[dict[str, str]]:
    out = []
    for raw in raws:
        msg = email.message_from_string(raw, policy=policy.default)
        out.append({"to": str(msg.get("To", "")), "subject": str(msg.get("Subject", "")), "raw": raw})
    return out


def outbox_items() -> list[dict[str, str]]:
    """Every email moto's SES accepted, oldest first: {"to", "subject", "raw"} (raw: the whole MIME text)."""
    return items_from_raw([m.raw_data for m in _sent_messages() if hasattr(m, "raw_data")])


def email_parts(raw: str) -> dict[str, str]:
    """{content type: decoded text} of an email's text/plain, text/html and text/calendar parts."""
    msg = email.message_from_string(raw, policy=policy.default)
    parts: dict[str, str] = {}
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("text/plain", "text/html", "text/calendar") and ctype not in parts:
            content = part.get_content()
            parts[ctype] = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return parts


def render_html(items: list[dict[str, str]]) -> str:
    e = html.escape
    blocks = []
    for n, item in enumerate(reversed(items), start=1):
        parts = email_parts(item["raw"])
        body_html = parts.get("text/html", "")
        blocks.append(
            f'<article aria-labelledby="m{n}"><h2 id="m{n}">{e(item["subject"])}</h2>'
            f"<p><strong>To:</strong> {e(item['to'])}</p>"
            + (f'<iframe title="{e(item["subject"])}" sandbox srcdoc="{e(body_html, quote=True)}"></iframe>'
               if body_html else "")
            + f"<details><summary>Plain text</summary><pre>{e(parts.get('text/plain', ''))}</pre></details>"
            f"<details><summary>Calendar (.ics)</summary><pre>{e(parts.get('text/calendar', ''))}</pre></details>"
            f"<details><summary>Raw MIME</summary><pre>{e(item['raw'])}</pre></details></article>")
    empty = "<p>No emails yet. Book an appointment and this page will show its ticket.</p>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Local outbox</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:Arial,sans-serif;max-width:900px;margin:16px auto;padding:0 12px;line-height:1.4}"
        "article{border:1px solid #ccc;border-radius:6px;padding:8px 16px;margin:16px 0}"
        "iframe{width:100%;height:560px;border:1px solid #ddd}pre{white-space:pre-wrap;background:#f6f6f6;"
        "padding:8px}</style></head><body><main><h1>Local outbox</h1>"
        f"<p>{len(items)} email(s), newest first. JSON: <a href=\"/_local/outbox\">/_local/outbox</a></p>"
        + ("".join(blocks) or empty) + "</main></body></html>")


def outbox_html() -> str:
    """A page a person can read: each email's HTML part, its plain text, its calendar file."""
    return render_html(outbox_items())
