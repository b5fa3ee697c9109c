"""The DynamoDB Local fixtures work: a template-shaped table, env for boto3, conditional writes."""

from __future__ import annotations

import os

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.template import table_definition

pytestmark = pytest.mark.integration


def test_table_matches_template_and_env_points_at_it(ddb_endpoint: str, ddb_table: str) -> None:
    assert os.environ["TABLE_NAME"] == ddb_table
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == ddb_endpoint
    # A client built from the environment alone (as the handlers build theirs) reaches DynamoDB Local.
    client = boto3.client("dynamodb")
    assert client.meta.endpoint_url == ddb_endpoint
    desc = client.describe_table(TableName=ddb_table)["Table"]
    expected = table_definition()
    assert desc["KeySchema"] == expected["KeySchema"]
    assert {g["IndexName"] for g in desc.get("GlobalSecondaryIndexes", [])} == {
        g["IndexName"] for g in expected["GlobalSecondaryIndexes"]
    }


def test_put_get_and_failing_condition(ddb_table: str) -> None:
    table = boto3.resource("dynamodb").Table(ddb_table)
    key = {k["AttributeName"]: f"SMOKE#{k['KeyType']}" for k in table.key_schema}
    table.put_item(
        Item={**key, "status": "held"},
        ConditionExpression="attribute_not_exists(#k)",
        ExpressionAttributeNames={"#k": next(iter(key))},
    )
    assert table.get_item(Key=key, ConsistentRead=True)["Item"]["status"] == "held"

    with pytest.raises(ClientError) as err:
        table.put_item(
            Item={**key, "status": "stolen"},
            ConditionExpression="attribute_not_exists(#k)",
            ExpressionAttributeNames={"#k": next(iter(key))},
        )
    assert err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert table.get_item(Key=key, ConsistentRead=True)["Item"]["status"] == "held"


def test_tables_are_fresh_per_test(ddb_table: str) -> None:
    table = boto3.resource("dynamodb").Table(ddb_table)
    assert table.scan(Select="COUNT")["Count"] == 0
