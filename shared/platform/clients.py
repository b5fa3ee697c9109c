"""The one place that makes AWS clients (DynamoDB for `shared.platform.dal`, SES v2 and SQS for the notifier).

Clients come from botocore's session directly: boto3 stays the dependency, but `boto3.client()` imports
`boto3.session`, which pulls `s3transfer` (55-85 ms at a cold start) that no function here uses. A client is
made once per process and service (botocore clients are thread-safe once made) and made again after a
SnapStart restore, so a restored instance reuses neither the snapshot's connections nor its credentials.

Timeouts and retries are sized to the request's time budget (`shared.platform.budget`): botocore's standard retry
mode retries throttling and network errors and `total_max_attempts` bounds it. Inside a request, a DynamoDB
call that starts with `CALL_WORST_SECONDS` left gets the `request` client (short timeouts, one retry); with
less but `ATTEMPT_SECONDS` left, the `last` client (a single attempt); with less, no call starts
(`budget.attempts`). Without a deadline (scripts, seeding, the sweeper and the notifier, whose Timeouts are
30-50 s) the plain client keeps longer timeouts (2 s connect, 10 s read, 3 attempts): a busy DynamoDB Local
on a shared machine answers a 25-item batch write in seconds.
"""
from __future__ import annotations

import threading
from typing import Any

# DynamoDB: 2 attempts x (1 s connect + 2 s read) + at most 1 s of botocore's first backoff.
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 2.0
MAX_ATTEMPTS = 2
ATTEMPT_SECONDS = CONNECT_TIMEOUT + READ_TIMEOUT
CALL_WORST_SECONDS = MAX_ATTEMPTS * ATTEMPT_SECONDS + 1.0

# service -> botocore Config arguments
_CONFIG: dict[str, dict[str, Any]] = {
    "dynamodb": {"retries": {"mode": "standard", "total_max_attempts": 3},
                 "connect_timeout": 2, "read_timeout": 10, "max_pool_connections": 64},
    "dynamodb/request": {"retries": {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
                         "connect_timeout": CONNECT_TIMEOUT, "read_timeout": READ_TIMEOUT, "max_pool_connections": 64},
    "dynamodb/last": {"retries": {"mode": "standard", "total_max_attempts": 1},
                      "connect_timeout": CONNECT_TIMEOUT, "read_timeout": READ_TIMEOUT, "max_pool_connections": 64},
    # The notifier's SES and SQS calls (Timeout 30 s): botocore retries throttling and 5xx, then the stream.
    "sesv2": {"retries": {"mode": "standard", "total_max_attempts": 3}, "connect_timeout": 2, "read_timeout": 5},
    "sqs": {"retries": {"mode": "standard", "total_max_attempts": 3}, "connect_timeout": 2, "read_timeout": 5},
    # The public address (shared.booking.ticket_link.base_url): one small read per instance, inside a request's budget.
    "ssm": {"retries": {"mode": "standard", "total_max_attempts": 2}, "connect_timeout": 1, "read_timeout": 2},
}

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_session: Any = None  # one botocore session: its loader keeps the service models, so a second client is cheap
# The session's loader of botocore's service models (static JSON, parsed once per process): kept when the session
# is made again (a SnapStart restore, a test's new endpoint), so a new session does not parse them again.
_loader: Any = None


def client(service: str, profile: str = "") -> Any:
    """The process's client for `service` (endpoint and region from the environment, as boto3 reads them);
    `profile` "request" or "last" for DynamoDB inside a request's budget (see above)."""
    name = f"{service}/{profile}" if profile else service
    found = _clients.get(name)
    if found is None:
        with _lock:
            found = _clients.get(name)
            if found is None:
                import botocore.session  # lazy: made once, under the lock, after a SnapStart restore
                from botocore.config import Config  # lazy: with the session above

                global _session, _loader
                if _session is None:
                    _session = botocore.session.get_session()
                    if _loader is None:
                        _loader = _session.get_component("data_loader")
                    else:
                        _session.register_component("data_loader", _loader)
                found = _session.create_client(service, config=Config(**_CONFIG[name]))
                _clients[name] = found
    return found


def reset(service: str | None = None) -> None:
    """Forget the cached client(s): tests switch between moto and DynamoDB Local; SnapStart restores."""
    global _session
    with _lock:
        _session = None  # it caches the credentials (and settings) it resolved
        if service is None:
            _clients.clear()
        else:
            for name in [n for n in _clients if n == service or n.startswith(service + "/")]:
                del _clients[name]


# Lambda SnapStart (template.yaml). The module ships with Lambda's Python runtime only.
try:
    from snapshot_restore_py import register_after_restore
except ImportError:
    pass
else:
    register_after_restore(reset)
