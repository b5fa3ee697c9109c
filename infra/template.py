"""template.yaml is the one source of truth: this module reads the table's keys and the API's routes
from it for the local stack and the tests."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short tags (!Ref, !Sub, !GetAtt ...) as {"Fn::X": value}."""


def _tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 - safe loader subclass


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in load()["Resources"].items() if r["Type"] == kind}


def table_definition() -> dict[str, Any]:
    """CreateTable arguments (without TableName) of the one DynamoDB table."""
    (props,) = [r["Properties"] for r in resources("AWS::DynamoDB::Table").values()]
    definition: dict[str, Any] = {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {"IndexName": g["IndexName"], "KeySchema": g["KeySchema"], "Projection": g["Projection"]}
            for g in props.get("GlobalSecondaryIndexes", [])
        ],
    }
    if "StreamSpecification" in props:
        definition["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return definition


def create_table(client: Any, table_name: str) -> None:
    """Create the table as template.yaml defines it and wait until it is active."""
    client.create_table(TableName=table_name, **table_definition())
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def functions() -> dict[str, dict[str, Any]]:
    """Logical id -> {"name": folder under functions/, "handler": "app.handler", "routes": [...], ...}."""
    out = {}
    for logical, res in resources("AWS::Serverless::Function").items():
        props = res["Properties"]
        routes = []
        for event in (props.get("Events") or {}).values():
            ep = event.get("Properties", {})
            if event["Type"] == "HttpApi":
                auth = (ep.get("Auth") or {}).get("Authorizer")
                routes.append({"method": ep["Method"].upper(), "path": ep["Path"], "authorizer": auth})
        out[logical] = {
            "name": Path(props["CodeUri"]).name,
            "handler": props["Handler"],
            "routes": routes,
            "environment": (props.get("Environment") or {}).get("Variables", {}),
            "timeout": float(props.get("Timeout") or globals_function().get("Timeout") or 3),
        }
    return out


def globals_function() -> dict[str, Any]:
    """The template's Globals.Function section."""
    return (load().get("Globals") or {}).get("Function") or {}


def environment(function: str) -> dict[str, Any]:
    """Variables a function gets (by folder name): Globals' and its own, as written in the template."""
    variables = dict((globals_function().get("Environment") or {}).get("Variables") or {})
    for f in functions().values():
        if f["name"] == function:
            variables.update(f["environment"])
    return variables


def parameter_default(value: Any) -> Any:
    """The Default of a template parameter `value` refers to ({"Ref": name}), else None."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return ((load().get("Parameters") or {}).get(value["Ref"]) or {}).get("Default")
    return None


def routes() -> list[dict[str, Any]]:
    """Every HTTP route with the function folder that serves it."""
    return [dict(r, function=f["name"]) for f in functions().values() for r in f["routes"]]
