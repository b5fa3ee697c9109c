"""What every benchmark section shares: DynamoDB Local with the demo data at a frozen instant, the Lambda
environment, handlers loaded as Lambda loads them, and a meter of SDK calls and consumed capacity.

The clock is frozen at the sample events' instant (their `timeEpoch`), so the sample events in events/
name slots that exist and are bookable whenever the benchmark runs.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.lambda_like import Context, load_function

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
TABLE = "zapis-bench"
CLINICS = {"cl0101", "cl0102"}

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def event(relative: str) -> dict[str, Any]:
    return json.loads((EVENTS / relative).read_text(encoding="utf-8"))


# The instant every sample event was made at: slots named in events/ are in the booking window then.
FROZEN_NOW = event("lookup/doctor_slots.json")["requestContext"]["timeEpoch"] // 1000


def lambda_env(endpoint: str) -> dict[str, str]:
    """The variables template.yaml's Globals give every function, pointed at DynamoDB Local."""
    return {
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "TABLE_NAME": TABLE,
        "HOLD_SECONDS": "300",
        "CLINIC_TIMEZONE": "Europe/Moscow",
        "POLICY_HASH_KEY": "bench-policy-key",
        "POWERTOOLS_SERVICE_NAME": "zapis",
        "POWERTOOLS_METRICS_NAMESPACE": "Zapis",
        "POWERTOOLS_LOGGER_LOG_EVENT": "false",
        "POWERTOOLS_TRACE_DISABLED": "false",
        # Logs go nowhere: the benchmark measures the code, not the terminal.
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "AWS_LAMBDA_LOG_LEVEL": "WARNING",
    }


def freeze_clock(at: int = FROZEN_NOW) -> None:
    from shared.platform import clock

    clock.now = lambda: at  # type: ignore[assignment]


def set_clock(at: int) -> None:
    freeze_clock(at)


def invoke(name: str, ev: dict[str, Any]) -> tuple[int, Any]:
    """One invocation. Never overlap two in one process: Powertools' resolver keeps the current event on
    its class (Lambda runs one invocation at a time per instance)."""
    response = load_function(name).handler(ev, Context())
    if "statusCode" not in response:
        return 200, response
    raw = response.get("body")
    return response["statusCode"], json.loads(raw) if raw else None


# ---------------------------------------------------------------- DynamoDB Local
@dataclass
class Local:
    endpoint: str
    stop: Any


def start_local() -> Local:
    """DynamoDB Local on a free port (or DYNAMODB_ENDPOINT if given), the bench table, the demo data."""
    from infra import ddb_local

    given = os.environ.get("BENCH_DYNAMODB_ENDPOINT")
    if given:
        local = Local(given, lambda: None)
    else:
        handle = ddb_local.start(ddb_local.free_port())
        local = Local(handle.endpoint, handle.stop)
    os.environ.update(lambda_env(local.endpoint))
    from shared.platform import config, dal

    config.settings.cache_clear()
    dal.reset_client()
    freeze_clock()
    return local


def create_table(name: str = TABLE) -> None:
    from infra import template
    from shared.platform import dal

    client = dal.client()
    if name in client.list_tables()["TableNames"]:
        client.delete_table(TableName=name)
        client.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    template.create_table(client, name)


def seed(clinics: set[str] = CLINICS) -> int:
    from infra import seed as demo_seed

    return demo_seed.seed(clinics)


# ---------------------------------------------------------------- the meter
# Operations that accept ReturnConsumedCapacity.
_CAPACITY_OPS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                 "BatchWriteItem", "TransactWriteItems", "TransactGetItems"}


@dataclass
class Call:
    op: str
    ok: bool
    read: float = 0.0
    write: float = 0.0
    error: str | None = None
    capacity: list[dict[str, Any]] = field(default_factory=list)


class Meter:
    """Counts DynamoDB SDK calls per thread (botocore event hooks) and sums their ConsumedCapacity.

    `with meter.measure() as calls:` collects the calls the current thread makes inside the block.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self.attached: Any = None

    def attach(self, client: Any) -> None:
        if self.attached is client:
            return
        events = client.meta.events
        events.register("provide-client-params.dynamodb.*", self._ask_capacity, unique_id="bench-capacity")
        events.register("after-call.dynamodb.*", self._record, unique_id="bench-record")
        self.attached = client
        # Inside a request `shared.platform.dal` calls through the budget's clients (shared.platform.clients):
        # meter them too.
        for profile in ("request", "last"):
            for_request = dynamodb_client(profile)
            for_request.meta.events.register("provide-client-params.dynamodb.*", self._ask_capacity,
                                             unique_id="bench-capacity")
            for_request.meta.events.register("after-call.dynamodb.*", self._record, unique_id="bench-record")

    def _ask_capacity(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if getattr(self._local, "calls", None) is not None and model.name in _CAPACITY_OPS:
            params.setdefault("ReturnConsumedCapacity", "INDEXES")

    def _record(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        calls = getattr(self._local, "calls", None)
        if calls is None:
            return
        consumed = parsed.get("ConsumedCapacity") or []
        if isinstance(consumed, dict):
            consumed = [consumed]
        error = (parsed.get("Error") or {}).get("Code")
        read = sum(float(c.get("ReadCapacityUnits", 0) or 0) for c in consumed)
        write = sum(float(c.get("WriteCapacityUnits", 0) or 0) for c in consumed)
        if not read and not write:
            # Some answers give only the total (CapacityUnits): count it as reads for read operations.
            total = sum(float(c.get("CapacityUnits", 0) or 0) for c in consumed)
            if model.name in {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}:
                read = total
            else:
                write = total
        calls.append(Call(model.name, http_response.status_code < 300, read, write, error, consumed))

    @contextmanager
    def measure(self) -> Iterator[list[Call]]:
        calls: list[Call] = []
        self._local.calls = calls
        try:
            yield calls
        finally:
            self._local.calls = None


METER = Meter()


def dynamodb_client(profile: str = "") -> Any:
    """The process's DynamoDB client of `profile` ("" plain; "request" and "last" inside a request's budget)."""
    from shared.platform import clients

    return clients.client("dynamodb", profile)


def metered_client() -> Any:
    from shared.platform import dal

    client = dal.client()
    METER.attach(client)
    return client


# ---------------------------------------------------------------- statistics
def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started
