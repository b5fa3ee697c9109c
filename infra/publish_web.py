"""Publish the web front-end of a deployed stack: write config.json from the stack's outputs, upload web/ to the
private bucket CloudFront reads, and invalidate the distribution.

    .venv/bin/python -m infra.publish_web --stack zapis [--region eu-north-1] [--oidc-issuer URL --client-id ID]
    .venv/bin/python -m infra.publish_web --stack zapis --dry-run   # print config.json and the file list only

config.json is what the page reads first (web/api.js): {"apiBase": "" (the API is served by the same CloudFront
distribution as the page, /v1/...; the direct ApiUrl is never handed to the page), "signIn": "oidc",
the provider's authorization and token endpoints (from its discovery document), "clientId", "scope"}. In the
local stack the server answers /config.json itself, so no such file lives in web/. Not run in CI.

The page's Content-Security-Policy (template.yaml, PageHeadersPolicy) lets it connect to its own origin and to the
stack's SignInOrigin only: publishing warns when the provider's token endpoint is elsewhere (sign-in would be
refused by the browser).
"""
from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
SKIP = {".DS_Store"}
# The staff client's callback until the page's address is known (template.yaml, StaffUserPoolClient).
PLACEHOLDER = "https://page-address.invalid/"


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    found = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in found}


def stack_parameters(cloudformation: Any, stack: str) -> dict[str, str]:
    found = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Parameters", [])
    return {p["ParameterKey"]: p.get("ResolvedValue") or p.get("ParameterValue", "") for p in found}


def oidc_endpoints(issuer: str) -> dict[str, str]:
    """The provider's authorization and token endpoints, from its OpenID discovery document."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    if not url.startswith("https://"):
        raise SystemExit(f"publish_web: the OIDC issuer must be https: {issuer}")
    with urllib.request.urlopen(url, timeout=10) as res:  # noqa: S310 - https checked above
        doc = json.load(res)
    return {"authorizationEndpoint": doc["authorization_endpoint"], "tokenEndpoint": doc["token_endpoint"]}


def build_config(outputs: dict[str, str], issuer: str, client_id: str, scope: str,
                 endpoints: dict[str, str] | None) -> dict[str, Any]:
    config: dict[str, Any] = {"apiBase": "", "signIn": "oidc", "issuer": issuer,
                              "clientId": client_id, "scope": scope}
    config.update(endpoints or {})
    return config


def staff_config(outputs: dict[str, str], params: dict[str, str],
                 endpoints: dict[str, str] | None) -> dict[str, Any] | None:
    """config.json's `staff` (web/registry.js): the staff provider's client, or None when the stack names none.
    The stack's own staff pool (StaffUserPoolClientId) or the first of StaffJwtAudience's client ids."""
    audiences = [a for a in params.get("StaffJwtAudience", "").split(",") if a]
    client_id = outputs.get("StaffUserPoolClientId") or (audiences[0] if audiences else "")
    if not client_id or not outputs.get("StaffIssuer"):
        return None
    return {"issuer": outputs["StaffIssuer"], "clientId": client_id, "scope": "openid profile email",
            **(endpoints or {})}


def add_staff_callback(cognito: Any, outputs: dict[str, str], url: str) -> bool:
    """The stack's staff pool's client learns the page's address as a sign-in callback (the template cannot name
    it: see StaffUserPoolClient). UpdateUserPoolClient resets what it is not given, so the client is read first
    and written back whole. False when there is no such pool or the address is already there."""
    client_id, issuer = outputs.get("StaffUserPoolClientId"), outputs.get("StaffIssuer", "")
    if not client_id:
        return False
    pool_id = issuer.rstrip("/").rsplit("/", 1)[-1]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    if url in client.get("CallbackURLs", []):
        return False
    kept = {k: v for k, v in client.items() if k not in {"ClientSecret", "CreationDate", "LastModifiedDate"}}
    kept["CallbackURLs"] = [*(u for u in client.get("CallbackURLs", []) if u != PLACEHOLDER), url]
    kept["LogoutURLs"] = [*(u for u in client.get("LogoutURLs", []) if u != PLACEHOLDER), url]
    cognito.update_user_pool_client(**kept)
    return True


def csp_warning(endpoints: dict[str, str] | None, params: dict[str, str]) -> str | None:
    """Why the page's CSP would block the sign-in (the token endpoint outside SignInOrigin), or None."""
    from urllib.parse import urlsplit

    if not endpoints or not endpoints.get("tokenEndpoint"):
        return None
    parts = urlsplit(endpoints["tokenEndpoint"])
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin == params.get("SignInOrigin", "").rstrip("/"):
        return None
    return (f"the token endpoint {origin} is not the stack's SignInOrigin ({params.get('SignInOrigin') or 'empty'}): "
            f"the page's Content-Security-Policy will refuse the sign-in; deploy with SignInOrigin={origin}")


def cache_control(name: str) -> str:
    # File names carry no content hash: every file is revalidated, so a new upload shows at once.
    return "no-cache" if name.endswith((".html", ".json")) else "max-age=300, must-revalidate"


def files() -> list[Path]:
    return sorted(p for p in WEB.rglob("*") if p.is_file() and p.name not in SKIP and p.name != "config.json")


def content_type(path: Path) -> str:
    """The Content-Type a file is served with (text in UTF-8)."""
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".js":
        ctype = "text/javascript"
    if ctype.startswith("text/") or ctype.endswith("json"):
        ctype += "; charset=utf-8"
    return ctype


def _remove_stale(s3: Any, bucket: str, wanted: set[str]) -> None:
    """Files no longer in web/ are removed, so the bucket holds exactly what the page is."""
    stale = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for o in page.get("Contents", []) if o["Key"] not in wanted]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})


def upload(s3: Any, bucket: str, config: dict[str, Any]) -> list[str]:
    keys = []
    for path in files():
        key = path.relative_to(WEB).as_posix()
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type(path),
                      CacheControl=cache_control(key))
        keys.append(key)
    s3.put_object(Bucket=bucket, Key="config.json", Body=json.dumps(config, indent=2).encode(),
                  ContentType="application/json; charset=utf-8", CacheControl=cache_control("config.json"))
    keys.append("config.json")
    _remove_stale(s3, bucket, set(keys))
    return keys


def _staff(outputs: dict[str, str], params: dict[str, str]) -> dict[str, Any] | None:
    issuer = outputs.get("StaffIssuer", "")
    try:
        endpoints = oidc_endpoints(issuer) if issuer else None
    except (OSError, KeyError, ValueError) as exc:
        print(f"publish_web: no OIDC discovery document for staff at {issuer} ({type(exc).__name__}); staff sign-in "
              "will not work", file=sys.stderr)
        endpoints = None
    return staff_config(outputs, params, endpoints)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True, help="the deployed stack's name")
    parser.add_argument("--region", default=None)
    parser.add_argument("--oidc-issuer", default=None, help="default: the stack's JwtIssuer parameter")
    parser.add_argument("--client-id", default=None, help="default: the stack's JwtAudience parameter")
    parser.add_argument("--scope", default="openid profile email")
    parser.add_argument("--dry-run", action="store_true", help="print config.json and the files, upload nothing")
    args = parser.parse_args(argv)

    import boto3

    session = boto3.Session(region_name=args.region)
    cloudformation = session.client("cloudformation")
    outputs = stack_outputs(cloudformation, args.stack)
    params = stack_parameters(cloudformation, args.stack)
    issuer = args.oidc_issuer or params.get("JwtIssuer", "")
    client_id = args.client_id or params.get("JwtAudience", "")
    try:
        endpoints = oidc_endpoints(issuer)
    except (OSError, KeyError, ValueError) as exc:
        print(f"publish_web: no OIDC discovery document at {issuer} ({type(exc).__name__}); sign-in will not work",
              file=sys.stderr)
        endpoints = None
    config = build_config(outputs, issuer, client_id, args.scope, endpoints)
    staff = _staff(outputs, params)
    if staff:
        config["staff"] = staff
    warning = csp_warning(endpoints, params)
    if warning:
        print(f"publish_web: {warning}", file=sys.stderr)
    if args.dry_run:
        print(json.dumps(config, indent=2))
        print("\n".join(p.relative_to(WEB).as_posix() for p in files()))
        return 0

    keys = upload(session.client("s3"), outputs["WebBucketName"], config)
    if not params.get("PublicBaseUrl") and add_staff_callback(session.client("cognito-idp"), outputs,
                                                              outputs["WebUrl"].rstrip("/") + "/"):
        print("publish_web: the staff pool's client now accepts sign-ins returning to the page", file=sys.stderr)
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["WebDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time_ns())})
    print(f"published {len(keys)} files to {outputs['WebUrl']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
