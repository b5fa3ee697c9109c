"""The only module that talks to DynamoDB: the client, item (un)marshalling, retries and error mapping.

Domain modules build their requests with the key helpers of `shared.platform.keys` and call the functions here.
A failed condition never becomes a string match: transactions report per-item reasons, read with
`ReturnValuesOnConditionCheckFailure=ALL_OLD` so the caller learns why without a second read.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar, Unpack, cast

from shared.platform import budget, clients, items
from shared.platform import keys as key_of
from shared.platform.config import settings
from shared.platform.errors import DomainError

T = TypeVar("T")
U = TypeVar("U")
Item = dict[str, Any]
PARALLEL_READS = 8  # independent small reads sent side by side (`in_parallel`)

# Capacity errors botocore's standard mode already retried: what is left of them is a 503.
_TRANSIENT = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TransactionInProgressException",
    "InternalServerError",
    "ServiceUnavailable",
}
# Transaction contention only (`with_retries`): botocore does not retry a cancelled transaction.
MAX_ATTEMPTS = 6  # as before the one-policy change: a 50-patient rush on one slot needs them
# Unprocessed keys or items of a batch call (botocore retries the call, never what it left unprocessed).
BATCH_ROUNDS = 4


class OutcomeUnknown(DomainError):
    """A write whose answer never came (timeouts after botocore's attempts): it may or may not have been
    applied. Answered 503 `unavailable` unless the caller resolves it from the item (ALL_OLD)."""

    def __init__(self) -> None:
        super().__init__("unavailable", retry_after=budget.RETRY_AFTER_SECONDS)


def client() -> Any:
    """The DynamoDB client for the next call (`shared.platform.clients`): inside a request, the one whose timeouts and
    retries fit what is left of the budget (503 when nothing fits); outside, the plain one."""
    attempts = budget.attempts()
    if attempts == 0:
        return clients.client("dynamodb")
    return clients.client("dynamodb", "request" if attempts == 2 else "last")


def reset_client() -> None:
    """Forget the cached client (tests switch between moto and DynamoDB Local)."""
    clients.reset("dynamodb")


def table() -> str:
    return settings().table_name


# ---------------------------------------------------------------- marshalling
def to_attr(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, dict):
        return {"M": {k: to_attr(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_attr(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__}")


def to_item(values: Mapping[str, Any]) -> Item:
    return {k: to_attr(v) for k, v in values.items() if v is not None}


def _number(value: str) -> int | float:
    return int(value) if value.lstrip("-").isdigit() else float(value)


# Attribute type -> its value as plain Python (strings, the most common, are returned as they are).
_FROM_ATTR: dict[str, Callable[[Any], Any]] = {
    "N": _number,
    "BOOL": lambda value: value,
    "NULL": lambda _: None,
    "M": lambda value: {k: from_attr(v) for k, v in value.items()},
    "L": lambda value: [from_attr(v) for v in value],
    "SS": set,
}


def from_attr(attr: dict[str, Any]) -> Any:
    (kind, value), = attr.items()
    if kind == "S":
        return value
    if kind not in _FROM_ATTR:
        raise TypeError(f"unexpected attribute type {kind}")
    return _FROM_ATTR[kind](value)


def from_item(item: Item | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: from_attr(v) for k, v in item.items()}


# ---------------------------------------------------------------- errors and retries
def error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def _network(exc: Exception) -> bool:
    from botocore.exceptions import ConnectionError as NetworkError  # lazy: only on a failed call
    from botocore.exceptions import HTTPClientError  # lazy: only on a failed call

    return isinstance(exc, NetworkError | HTTPClientError)


def _call(method: str, write: bool = False, **params: Any) -> Any:
    """One SDK call inside the request's budget. botocore retries throttling and network errors (standard
    mode); what still fails is a 503 `unavailable`, an unanswered write `OutcomeUnknown`."""
    sdk = client()
    try:
        return getattr(sdk, method)(**params)
    except Exception as exc:
        if _network(exc):
            if write:
                raise OutcomeUnknown from exc
            raise DomainError("unavailable", retry_after=budget.RETRY_AFTER_SECONDS) from exc
        if error_code(exc) in _TRANSIENT:
            raise DomainError("unavailable", retry_after=budget.RETRY_AFTER_SECONDS) from exc
        raise


def _contention(exc: Exception) -> bool:
    """A cancelled transaction where no item's condition failed: trying again can succeed."""
    if error_code(exc) != "TransactionCanceledException":
        return False
    reasons = getattr(exc, "response", {}).get("CancellationReasons", [])
    codes = {r.get("Code") for r in reasons} - {"None", None}
    return bool(codes) and codes <= {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}


def with_retries(call: Callable[[], T], attempts: int = MAX_ATTEMPTS) -> T:
    """The one contention helper: run `call`, retrying transaction conflicts with full-jitter backoff; then
    503 `unavailable`. Throttling and network errors are botocore's (standard mode), never retried here."""
    for attempt in range(attempts):
        try:
            return call()
        except Exception as exc:
            if not _contention(exc):
                raise
            if attempt == attempts - 1:
                raise DomainError("unavailable", retry_after=budget.RETRY_AFTER_SECONDS) from exc
            time.sleep(random.uniform(0, min(0.4, 0.02 * 2**attempt)))
    raise AssertionError("unreachable")


@dataclass
class Cancelled(Exception):
    """A transaction some of whose conditions failed: `reasons[i]` is (code, old item) for item i; `roles[i]`
    its role when the transaction was given by role (a dict: role -> operation)."""

    def __init__(self, reasons: list[tuple[str, dict[str, Any] | None]], roles: Sequence[str] = ()) -> None:
        super().__init__(reasons)
        self.reasons = reasons
        self.roles = list(roles)

    def _index(self, which: int | str) -> int:
        return self.roles.index(which) if isinstance(which, str) else which

    def failed(self, which: int | str) -> bool:
        return self.reasons[self._index(which)][0] == "ConditionalCheckFailed"

    def old(self, which: int | str) -> dict[str, Any] | None:
        return self.reasons[self._index(which)][1]

    def refused(self) -> dict[str, dict[str, Any] | None]:
        """Role -> the item as it was (ALL_OLD), for every operation whose condition failed."""
        return {role: self.reasons[i][1] for i, role in enumerate(self.roles)
                if i < len(self.reasons) and self.failed(i)}


class ConditionFailed(Exception):
    """A single conditional write whose condition failed; `old` is the item as it was (ALL_OLD)."""

    def __init__(self, old: dict[str, Any] | None) -> None:
        super().__init__("condition failed")
        self.old = old


# ---------------------------------------------------------------- operations
def get(key: Item, consistent: bool = False, projection: str | None = None,
        names: dict[str, str] | None = None) -> dict[str, Any] | None:
    params: dict[str, Any] = {"TableName": table(), "Key": key, "ConsistentRead": consistent}
    if projection:
        params["ProjectionExpression"] = projection
    if names:
        params["ExpressionAttributeNames"] = names
    response = _call("get_item", **params)
    return from_item(response.get("Item"))


# ---------------------------------------------------------------- typed reads
def read(kind: type[T], key: Item, *, consistent: bool = False) -> T | None:
    """GetItem of the item `kind` (a TypedDict of shared/platform/items.py) stored under `key`: the caller then
    reads its attributes as typed, so a missing or renamed attribute is a mypy error."""
    return as_kind(kind, get(key, consistent=consistent))


def as_kind(kind: type[T], item: Mapping[str, Any] | None) -> T | None:
    """An item read by a wider call (a BatchGetItem, a Query, a refusal's ALL_OLD) as the `kind` it is. Items
    carry exactly what their writers put (items.py); no copy and no check at run time."""
    return cast("T | None", item)


def appointment(appointment_id: str, *, consistent: bool = False) -> items.Appointment | None:
    return read(items.Appointment, key_of.appointment_key(appointment_id), consistent=consistent)


def doctor(doctor_id: str, *, consistent: bool = False) -> items.Doctor | None:
    return read(items.Doctor, key_of.profile_key(key_of.doctor_pk(doctor_id)), consistent=consistent)


def clinic(clinic_id: str, *, consistent: bool = False) -> items.Clinic | None:
    return read(items.Clinic, key_of.profile_key(key_of.clinic_pk(clinic_id)), consistent=consistent)


def register_entry(policy_hash: str, *, consistent: bool = False) -> items.RegisterEntry | None:
    return read(items.RegisterEntry, key_of.attachment_key(policy_hash), consistent=consistent)


def batch_get(keys: list[Item], consistent: bool = False, projection: str | None = None) -> list[dict[str, Any]]:
    """All the items that exist among `keys` (one round trip while nothing is left unprocessed; at most 100
    keys), only the `projection`'s attributes when given (names, none of them reserved words)."""
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {table(): {"Keys": keys, "ConsistentRead": consistent}}
    if projection:
        request[table()]["ProjectionExpression"] = projection
    for attempt in range(BATCH_ROUNDS):
        response = _call("batch_get_item", RequestItems=request)
        found.extend(from_item(i) or {} for i in response.get("Responses", {}).get(table(), []))
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return found
        time.sleep(random.uniform(0, 0.02 * 2**attempt))
    raise DomainError("unavailable", retry_after=budget.RETRY_AFTER_SECONDS)


class ReadOptions(TypedDict, total=False):
    """A Query's optional parameters, by keyword: `index` (a GSI; none: the table, read `consistent` or not),
    `filter_expression`, `names`, `projection`, `forward` (ascending sort key, the default), `limit`."""

    index: str | None
    filter_expression: str | None
    names: dict[str, str] | None
    projection: str | None
    forward: bool
    limit: int | None
    consistent: bool


class QueryOptions(ReadOptions, total=False):
    """One page's options: ReadOptions and the page to start after (`start_key`, a LastEvaluatedKey)."""

    start_key: Item | None


def _query_params(key_condition: str, values: dict[str, Any], options: QueryOptions) -> dict[str, Any]:
    """The Query request; an option not given (or empty) is left out."""
    unknown = set(options) - QueryOptions.__optional_keys__
    if unknown:
        raise TypeError(f"unknown Query options: {', '.join(sorted(unknown))}")
    params: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": key_condition,
        "ExpressionAttributeValues": to_item(values),
        "ScanIndexForward": options.get("forward", True),
    }
    if options.get("index"):
        params["IndexName"] = options.get("index")
    else:
        params["ConsistentRead"] = options.get("consistent", False)
    optional = {"FilterExpression": options.get("filter_expression"), "ExpressionAttributeNames": options.get("names"),
                "ProjectionExpression": options.get("projection"), "Limit": options.get("limit"),
                "ExclusiveStartKey": options.get("start_key")}
    params.update({name: value for name, value in optional.items() if value})
    return params


def query(key_condition: str, values: dict[str, Any],
          **options: Unpack[QueryOptions]) -> tuple[list[dict[str, Any]], Item | None]:
    """One page of a Query: (items, LastEvaluatedKey)."""
    response = _call("query", **_query_params(key_condition, values, options))
    items = [from_item(i) or {} for i in response.get("Items", [])]
    return items, response.get("LastEvaluatedKey")


def query_all(key_condition: str, values: dict[str, Any], **options: Unpack[ReadOptions]) -> Iterator[dict[str, Any]]:
    start: Item | None = None
    while True:
        items, start = query(key_condition, values, start_key=start, **options)
        yield from items
        if not start:
            return


def update(key: Item, update_expression: str, *, condition: str | None = None,
           values: dict[str, Any] | None = None, names: dict[str, str] | None = None,
           return_new: bool = False) -> dict[str, Any] | None:
    """One conditional UpdateItem; raises ConditionFailed carrying the old item."""
    params: dict[str, Any] = {
        "TableName": table(),
        "Key": key,
        "UpdateExpression": update_expression,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if condition:
        params["ConditionExpression"] = condition
    if values:
        params["ExpressionAttributeValues"] = to_item(values)
    if names:
        params["ExpressionAttributeNames"] = names
    if return_new:
        params["ReturnValues"] = "ALL_NEW"
    try:
        response = _call("update_item", write=True, **params)
    except Exception as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            raise ConditionFailed(from_item(getattr(exc, "response", {}).get("Item"))) from exc
        raise
    return from_item(response.get("Attributes"))


def put(item: Mapping[str, Any], condition: str | None = None, names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None) -> None:
    params: dict[str, Any] = {"TableName": table(), "Item": to_item(item),
                              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if condition:
        params["ConditionExpression"] = condition
    if names:
        params["ExpressionAttributeNames"] = names
    if values:
        params["ExpressionAttributeValues"] = to_item(values)
    try:
        _call("put_item", write=True, **params)
    except Exception as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            raise ConditionFailed(from_item(getattr(exc, "response", {}).get("Item"))) from exc
        raise


def transact(items: list[dict[str, Any]] | Mapping[str, dict[str, Any]]) -> None:
    """One TransactWriteItems. Each entry is {"Put"|"Update"|"Delete"|"ConditionCheck": {...}} without
    TableName; values are plain Python and are marshalled here. Given by role (role -> entry, written in the
    dict's order), a refusal names the roles (`Cancelled.refused()`). Raises Cancelled with per-item reasons."""
    roles = list(items) if isinstance(items, Mapping) else []
    entries = list(items.values()) if isinstance(items, Mapping) else items
    request = []
    for entry in entries:
        (op, body), = entry.items()
        body = dict(body, TableName=table(), ReturnValuesOnConditionCheckFailure="ALL_OLD")
        if "Item" in body:
            body["Item"] = to_item(body["Item"])
        if "ExpressionAttributeValues" in body:
            body["ExpressionAttributeValues"] = to_item(body["ExpressionAttributeValues"])
        request.append({op: body})
    try:
        with_retries(lambda: _call("transact_write_items", write=True, TransactItems=request))
    except Exception as exc:
        if error_code(exc) == "TransactionCanceledException":
            reasons = getattr(exc, "response", {}).get("CancellationReasons", [])
            raise Cancelled([(r.get("Code", "None"), from_item(r.get("Item"))) for r in reasons], roles) from exc
        raise


def apply(entry: Mapping[str, Any]) -> None:
    """One {"Update"|"Put": {...}} entry (as a transaction takes it) as a single conditional write: the same
    builder serves a transaction and a lone write. Raises ConditionFailed carrying the old item."""
    if "Put" in entry:
        body = entry["Put"]
        put(body["Item"], condition=body.get("ConditionExpression"), names=body.get("ExpressionAttributeNames"),
            values=body.get("ExpressionAttributeValues"))
        return
    body = entry["Update"]
    update(body["Key"], body["UpdateExpression"], condition=body.get("ConditionExpression"),
           values=body.get("ExpressionAttributeValues"), names=body.get("ExpressionAttributeNames"))


def batch_write(items: Sequence[Mapping[str, Any]]) -> None:
    """Unconditional bulk puts (demo data, imports): 25 per request, unprocessed items retried."""
    for i in range(0, len(items), 25):
        pending: dict[str, Any] = {table(): [{"PutRequest": {"Item": to_item(x)}} for x in items[i:i + 25]]}
        for attempt in range(BATCH_ROUNDS):
            response = _call("batch_write_item", write=True, RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
        else:
            raise DomainError("unavailable", retry_after=budget.RETRY_AFTER_SECONDS)


def in_parallel(fn: Callable[[T], U], items: list[T]) -> list[U]:
    """fn over items, up to PARALLEL_READS at a time (boto3 clients are thread-safe); results in order."""
    if len(items) <= 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(PARALLEL_READS, len(items))) as pool:
        return list(pool.map(fn, items))
