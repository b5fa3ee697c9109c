"""moto, made fast where the suites spend their time, without changing what it answers.

1. Copy-on-write items: UpdateItem copies the one item it changes before moto changes it in place (moto
   otherwise never changes a stored item: a Put stores a new one). So a test's table can start as new dicts
   over the seeded items, in microseconds, instead of unpickling ~1,500 items for every test.
2. TransactWriteItems' rollback keeps the items a transaction names (as they were: see 1), not a deep copy
   of every table it touches, once per operation, which was most of a handler test's time. Every operation
   is still applied by moto's own code, in order; on any failure the named items, and the stream records
   the transaction added, are put back, which is all a transaction can change.
3. Every Query (even on the base table) and Scan starts from all the table's items sorted by key, which moto
   sorts comparing its own DynamoType objects; the same order is now reached by comparing the plain key
   values (strings, and numbers as Decimals).
4. An item's attribute map (moto's LimitedSizeDict, which re-measures the whole item on every key set) is
   rebuilt in one step when copied (or unpickled); the 400 KB limit is still checked on every write.

`tests/unit/test_moto_fast.py` holds these to moto's semantics. Only the test suites install it
(tests/conftest.py); the local stack and the code under test never see it.
"""
from __future__ import annotations

import copy
import copyreg
import types
from decimal import Decimal
from typing import Any

_installed = False
originals: dict[str, Any] = {}  # moto's own functions, for the tests that compare against them


def _reduce_attributes(attrs: Any) -> tuple[Any, tuple[dict[str, Any]]]:
    return _attributes, (dict(attrs),)


def _attributes(plain: dict[str, Any]) -> Any:
    """A LimitedSizeDict holding `plain`, filled by dict.update (which skips the per-key size check): the
    item was measured when it was written."""
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(attrs, plain)
    return attrs


def _plain(value: Any) -> Any:
    return Decimal(value.value) if value.type == "N" else value.value


def install() -> None:
    """Patch moto's DynamoDB backend for this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.table import Table

    copyreg.pickle(LimitedSizeDict, _reduce_attributes)

    def deepcopy_but_tables(value: Any, memo: Any = None) -> Any:
        # 2: moto's own backup of a table before a transaction keeps the table itself (the journal restores).
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    # Only moto's DynamoDB backend module sees this `copy`; its per-item copies (UpdateItem's old image) stay real.
    models.copy = types.SimpleNamespace(deepcopy=deepcopy_but_tables)  # type: ignore[attr-defined]
    original_update = models.DynamoDBBackend.update_item
    original_transact = models.DynamoDBBackend.transact_write_items

    def locate(table: Any, key: dict[str, Any]) -> tuple[Any, Any]:
        hash_value = DynamoType(key[table.hash_key_attr])
        return hash_value, DynamoType(key[table.range_key_attr]) if table.range_key_attr else None

    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            table = self.get_table(table_name)
            hash_value, range_value = locate(table, key)
        except Exception:  # moto itself answers with the right error
            return original_update(self, table_name, key, *args, **kwargs)
        item = table.get_item(hash_value, range_value)
        if item is not None:  # 1: moto changes this item in place; the stored one may be shared
            if range_value is None:
                table.items[hash_value] = copy.deepcopy(item)
            else:
                table.items[hash_value][range_value] = copy.deepcopy(item)
        return original_update(self, table_name, key, *args, **kwargs)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        journal: list[tuple[Any, Any, Any, Any]] = []
        streams: dict[int, tuple[Any, int]] = {}
        seen: set[tuple[int, Any, Any]] = set()
        for entry in transact_items:
            try:
                _, op = next(iter(entry.items()))
                table = self.tables[op["TableName"]]
                hash_value, range_value = locate(table, op["Item"] if "Item" in op else op["Key"])
            except (AttributeError, KeyError, StopIteration, TypeError):
                continue  # malformed: moto raises its validation error before changing anything
            if (id(table), hash_value, range_value) in seen:
                continue  # the same item twice: moto refuses the transaction; keep the first (true) backup
            seen.add((id(table), hash_value, range_value))
            # The stored item itself: an update replaces it with a changed copy (1), so it stays as it is now.
            journal.append((table, hash_value, range_value, table.get_item(hash_value, range_value)))
            if table.stream_shard is not None:
                streams[id(table)] = (table.stream_shard, len(table.stream_shard.items))
        try:
            original_transact(self, transact_items)
        except BaseException:
            for table, hash_value, range_value, before in journal:
                if table.range_key_attr is None:
                    if before is None:
                        table.items.pop(hash_value, None)
                    else:
                        table.items[hash_value] = before
                elif before is None:
                    table.items.get(hash_value, {}).pop(range_value, None)
                else:
                    table.items.setdefault(hash_value, {})[range_value] = before
            for shard, length in streams.values():
                del shard.items[length:]
            raise

    original_all_items = originals["all_items"] = Table.all_items

    def all_items(self: Any) -> list[Any]:
        # 3: key attributes are S, N or B, one type per attribute; B (not in our tables) keeps moto's own sort.
        if any(d["AttributeType"] == "B" for d in self.attr if d["AttributeName"] in (
                self.hash_key_attr, self.range_key_attr)):
            return original_all_items(self)  # type: ignore[no-any-return]
        if self.range_key_attr:
            items = [item for by_range in self.items.values() for item in by_range.values()]
        else:
            items = list(self.items.values())
        return sorted(items, key=lambda x: (_plain(x.hash_key), _plain(x.range_key)) if x.range_key
                      else _plain(x.hash_key))

    Table.all_items = all_items  # type: ignore[method-assign]
    models.DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _installed = True
