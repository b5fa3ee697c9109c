"""The suites' cheaper moto rollback (tests/moto_fast.py) keeps moto's transaction semantics: a
transaction that fails changes nothing (items, stream), one that succeeds applies every operation."""
from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests import moto_fast

TABLE = "rollback-test"


@pytest.fixture
def ddb() -> Iterator[Any]:
    moto_fast.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-north-1")
        client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                  {"AttributeName": "SK", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        for pk, n in (("B", 1), ("C", 1), ("D", 1)):
            client.put_item(TableName=TABLE, Item={"PK": {"S": pk}, "SK": {"S": "x"}, "n": {"N": str(n)}})
        yield client
        client.delete_table(TableName=TABLE)  # a session-wide mock (tests/conftest.py) may outlive this one


def _state(client: Any) -> dict[str, Any]:
    return {i["PK"]["S"]: i for i in client.scan(TableName=TABLE)["Items"]}


def _stream_records(client: Any) -> int:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return len(dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].tables[TABLE].stream_shard.items)


def _ops(c_condition: str) -> list[dict[str, Any]]:
    key = {"SK": {"S": "x"}}
    return [
        {"Put": {"TableName": TABLE, "Item": {"PK": {"S": "A"}, **key, "n": {"N": "7"}},
                 "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Update": {"TableName": TABLE, "Key": {"PK": {"S": "B"}, **key}, "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": TABLE, "Key": {"PK": {"S": "D"}, **key}}},
        {"ConditionCheck": {"TableName": TABLE, "Key": {"PK": {"S": "C"}, **key},
                            "ConditionExpression": c_condition, "ExpressionAttributeValues": {":v": {"N": "1"}}}},
    ]


def test_a_failed_transaction_changes_no_item_and_no_stream_record(ddb: Any) -> None:
    before, records = _state(ddb), _stream_records(ddb)
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=_ops("n <> :v"))  # the last operation fails
    assert _state(ddb) == before
    assert _stream_records(ddb) == records
    # and the table still works as before: the same transaction, now allowed, applies all of it
    ddb.transact_write_items(TransactItems=_ops("n = :v"))
    after = _state(ddb)
    assert sorted(after) == ["A", "B", "C"]
    assert after["A"]["n"] == {"N": "7"} and after["B"]["n"] == {"N": "2"}
    assert _stream_records(ddb) == records + 3


def test_a_transaction_naming_one_item_twice_is_refused_and_changes_nothing(ddb: Any) -> None:
    before = _state(ddb)
    key = {"PK": {"S": "B"}, "SK": {"S": "x"}}
    with pytest.raises(ddb.exceptions.ClientError):
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": TABLE, "Key": key, "UpdateExpression": "SET n = :v",
                        "ExpressionAttributeValues": {":v": {"N": "5"}}}},
            {"Delete": {"TableName": TABLE, "Key": key}},
        ])
    assert _state(ddb) == before


def test_the_rollback_no_longer_copies_the_table(ddb: Any) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = models.dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].tables[TABLE]
    assert models.copy.deepcopy(table) is table
    item = table.get_item(DynamoType({"S": "B"}), DynamoType({"S": "x"}))
    assert models.copy.deepcopy(item) is not item  # per-item copies stay real


def test_an_unpickled_or_copied_item_keeps_its_attributes_and_its_type(ddb: Any) -> None:
    import pickle

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    table = models.dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].tables[TABLE]
    item = table.get_item(DynamoType({"S": "B"}), DynamoType({"S": "x"}))
    for again in (pickle.loads(pickle.dumps(item)), copy.deepcopy(item)):
        assert type(again.attrs) is LimitedSizeDict
        assert again.to_json() == item.to_json()
    # the size limit still holds for writes
    with pytest.raises(ddb.exceptions.ClientError, match="size"):
        ddb.put_item(TableName=TABLE, Item={"PK": {"S": "big"}, "SK": {"S": "x"}, "v": {"S": "x" * 410_000}})


def test_an_update_changes_a_copy_so_an_item_shared_with_another_table_stays_as_it_was(ddb: Any) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = models.dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].tables[TABLE]
    key = (DynamoType({"S": "B"}), DynamoType({"S": "x"}))
    shared = table.get_item(*key)
    ddb.update_item(TableName=TABLE, Key={"PK": {"S": "B"}, "SK": {"S": "x"}}, UpdateExpression="SET n = :v",
                    ExpressionAttributeValues={":v": {"N": "9"}})
    assert shared.attrs["n"] == DynamoType({"N": "1"})
    assert table.get_item(*key).attrs["n"] == DynamoType({"N": "9"})


def test_items_come_in_moto_s_own_key_order(ddb: Any) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb import models

    for pk, sk in (("A", "b"), ("A", "a"), ("a", "z"), ("Б", "1"), ("B", "10"), ("B", "9"), ("B", "")):
        ddb.put_item(TableName=TABLE, Item={"PK": {"S": pk}, "SK": {"S": sk or "#"}})
    table = models.dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].tables[TABLE]
    ours = [(i.hash_key.value, i.range_key.value) for i in table.all_items()]
    assert ours == [(i.hash_key.value, i.range_key.value) for i in moto_fast.originals["all_items"](table)]
    assert len(ours) == 10
    found = ddb.query(TableName=TABLE, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "B"}})
    assert [i["SK"]["S"] for i in found["Items"]] == ["#", "10", "9", "x"]
