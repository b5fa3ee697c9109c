"""Translate the SAM template to plain CloudFormation offline (no AWS calls).

    python infra/sam_translate.py [template.yaml] [-o .build/template.cfn.json]

cfn-lint (1.x) validates SAM templates without running the SAM transform, so
this script runs aws-sam-translator itself and writes the CloudFormation that
AWS would deploy; `make lint-template` lints that JSON too. The managed-policy
loader is a stand-in that resolves AWS managed policy names to ARNs locally.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]

# AWS managed policies that live under a path other than "/"; every other name
# resolves to arn:<partition>:iam::aws:policy/<name>.
_POLICY_PATHS = {
    "AWSLambdaBasicExecutionRole": "service-role/",
    "AWSLambdaDynamoDBExecutionRole": "service-role/",
    "AWSLambdaKinesisExecutionRole": "service-role/",
    "AWSLambdaSQSQueueExecutionRole": "service-role/",
    "AWSLambdaVPCAccessExecutionRole": "service-role/",
    "AWSLambdaMSKExecutionRole": "service-role/",
    "AWSLambdaRole": "service-role/",
    "AWSXrayWriteOnlyAccess": "",
    "AWSXRayDaemonWriteAccess": "",
}


class _OfflinePolicyMap(dict):
    """Every name is 'known'; the ARN is built locally instead of asking IAM."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and not name.startswith("arn:")

    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{_POLICY_PATHS.get(name, '')}{name}"

    def get(self, name: Any, default: Any = None) -> Any:
        return self[name] if name in self else default


class OfflineManagedPolicyLoader:
    """Drop-in for samtranslator's ManagedPolicyLoader that never calls IAM."""

    def load(self) -> dict[str, str]:
        return _OfflinePolicyMap()


def load_template(path: Path) -> dict[str, Any]:
    """Parse a CloudFormation/SAM YAML or JSON file, short-form tags included."""
    from cfnlint.decode import convert_dict, decode

    template, matches = decode(str(path))
    if matches:
        for m in matches:
            print(f"{path}: {m}", file=sys.stderr)
        raise SystemExit(f"could not parse {path}")
    return convert_dict(template)


# Local paths that `sam package` would upload to S3, per SAM resource type.
_LOCAL_URI_PROPS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
    "AWS::Serverless::Application": "Location",
}


def _as_packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Replace local artifact paths with S3 URIs, as `sam package` would."""
    for res in (template.get("Resources") or {}).values():
        if not isinstance(res, dict):
            continue
        prop = _LOCAL_URI_PROPS.get(res.get("Type", ""))
        props = res.get("Properties")
        if not prop or not isinstance(props, dict):
            continue
        value = props.get(prop)
        if isinstance(value, str) and not value.startswith(("s3://", "https://")):
            key = value.strip("./").replace("/", "-") or "artifact"
            props[prop] = f"s3://sam-translate-placeholder/{key}.zip"
    return template


def translate(template: dict[str, Any], parameter_values: dict[str, Any] | None = None) -> dict[str, Any]:
    from samtranslator.translator.transform import transform

    template = _as_packaged(template)
    return transform(template, dict(parameter_values or {}), OfflineManagedPolicyLoader())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("template", nargs="?", default=str(REPO_ROOT / "template.yaml"))
    ap.add_argument("-o", "--output", default=str(REPO_ROOT / ".build" / "template.cfn.json"))
    ap.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION") or "eu-north-1")
    ap.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="parameter override (defaults from the template apply otherwise)",
    )
    ap.add_argument(
        "--lint-ignore",
        action="append",
        default=[],
        metavar="RULE",
        help="add RULE to the output's Metadata cfn-lint ignore_checks (kept with the template's own)",
    )
    args = ap.parse_args(argv)

    params = dict(p.split("=", 1) for p in args.parameter)
    # The translator reads the region from a boto3 session for AWS::Region /
    # AWS::Partition; nothing is sent to AWS.
    os.environ["AWS_DEFAULT_REGION"] = args.region
    from samtranslator.model.exceptions import InvalidDocumentException

    try:
        cfn = translate(load_template(Path(args.template)), params)
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(f"{args.template}: SAM transform error: {cause.message}", file=sys.stderr)
        return 1
    if args.lint_ignore:
        # cfn-lint's --ignore-checks would replace the template's own list; merge into it instead.
        config = cfn.setdefault("Metadata", {}).setdefault("cfn-lint", {}).setdefault("config", {})
        ignored = list(config.get("ignore_checks") or [])
        config["ignore_checks"] = ignored + [r for r in args.lint_ignore if r not in ignored]
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(cfn, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    n = len(cfn.get("Resources", {}))
    print(f"sam_translate: {args.template} -> {out} ({n} CloudFormation resources)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
