"""Filling the table with "other" items in bulk, to show a doctor's slot look-up does not grow with the table.

Most items land in other partitions (other doctors' slots, appointments); a share lands in the looked-up
doctor's own partition but outside the window asked for (slots years before and after it), which is the
harder case: the Query's key condition must skip them, not read and filter them.
Requests are BatchWriteItem sent as raw JSON over HTTP (DynamoDB Local does not check signatures), so the
loader spends its CPU on DynamoDB Local, not on the SDK.
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

SAME_PARTITION_SHARE = 0.1
_HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.BatchWriteItem",
    "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/eu-north-1/dynamodb/aws4_request, "
                     "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0",
    "X-Amz-Date": "20260101T000000Z",
}


def _item(n: int, doctor_id: str) -> dict[str, Any]:
    """Item number n: every tenth in `doctor_id`'s partition, years away from any window looked up."""
    if n % int(1 / SAME_PARTITION_SHARE) == 0:
        year = 2001 + (n // 10) % 20 if n % 20 == 0 else 2040 + (n // 10) % 20
        sk = f"SLOT#{year}{(n // 200) % 12 + 1:02d}{(n // 7) % 28 + 1:02d}{(n // 3) % 24:02d}{n % 60:02d}"
        return {"PK": {"S": f"DOCTOR#{doctor_id}"}, "SK": {"S": f"{sk}#{n}"}, "entity": {"S": "slot"},
                "status": {"S": "booked"}, "start": {"N": "0"}, "room": {"S": "101"}}
    if n % 2:
        return {"PK": {"S": f"APPT#bulk{n:09d}"}, "SK": {"S": "#APPT"}, "entity": {"S": "appointment"},
                "status": {"S": "cancelled"}, "doctorId": {"S": f"bulk{n % 5000:05d}-d01"}}
    return {"PK": {"S": f"DOCTOR#bulk{n % 50000:05d}-d01"}, "SK": {"S": f"SLOT#{n:012d}"},
            "entity": {"S": "slot"}, "status": {"S": "free"}, "start": {"N": str(n)}, "room": {"S": "101"}}


class _Sender(threading.local):
    conn: http.client.HTTPConnection | None = None


def load(endpoint: str, table: str, first: int, count: int, doctor_id: str, workers: int = 4) -> float:
    """Write items first..first+count-1; returns items per second."""
    parts = urlsplit(endpoint)
    local = _Sender()

    def send(start: int) -> None:
        pending = [{"PutRequest": {"Item": _item(n, doctor_id)}} for n in range(start, min(start + 25,
                                                                                            first + count))]
        for attempt in range(20):
            if local.conn is None:
                local.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
            local.conn.request("POST", "/", body=json.dumps({"RequestItems": {table: pending}}), headers=_HEADERS)
            response = local.conn.getresponse()
            answer = json.loads(response.read() or b"{}")
            if response.status >= 300:
                raise RuntimeError(f"BatchWriteItem failed: {answer}")
            pending = (answer.get("UnprocessedItems") or {}).get(table, [])
            if not pending:
                return
            time.sleep(0.01 * 2**min(attempt, 6))
        raise RuntimeError("BatchWriteItem left items unprocessed")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(send, range(first, first + count, 25)))
    return count / (time.perf_counter() - started)
