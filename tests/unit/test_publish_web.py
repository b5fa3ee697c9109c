"""infra/publish_web.py: config.json from the stack's outputs, web/ uploaded with types and caching, stale
files removed (moto S3; the script itself is run by hand on deploy, not in CI)."""
from __future__ import annotations

import json

import boto3
from moto import mock_aws

from infra import publish_web

OUTPUTS = {"ApiUrl": "https://abc.execute-api.eu-north-1.amazonaws.com/v1stage/", "WebBucketName": "web",
           "WebDistributionId": "E123", "WebUrl": "https://d1.cloudfront.net"}


def test_config_hands_the_page_its_own_origin_and_the_provider() -> None:
    config = publish_web.build_config(OUTPUTS, "https://issuer.example", "client-1", "openid",
                                      {"authorizationEndpoint": "https://issuer.example/authorize",
                                       "tokenEndpoint": "https://issuer.example/token"})
    assert config["apiBase"] == ""  # /v1/... on the page's own CloudFront origin; ApiUrl is never advertised
    assert "execute-api" not in json.dumps(config)
    assert config["signIn"] == "oidc" and config["clientId"] == "client-1"
    assert config["tokenEndpoint"] == "https://issuer.example/token"


def test_a_token_endpoint_the_pages_csp_would_refuse_is_reported() -> None:
    endpoints = {"authorizationEndpoint": "https://login.example/authorize", "tokenEndpoint": "https://login.example/token"}
    assert publish_web.csp_warning(endpoints, {"SignInOrigin": "https://login.example"}) is None
    warning = publish_web.csp_warning(endpoints, {"SignInOrigin": ""})
    assert warning and "SignInOrigin=https://login.example" in warning
    assert publish_web.csp_warning(None, {}) is None


def test_upload_writes_web_and_config_and_removes_stale_files() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-north-1")
        s3.create_bucket(Bucket="web", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
        s3.put_object(Bucket="web", Key="old.js", Body=b"gone")
        keys = publish_web.upload(s3, "web", {"apiBase": "https://api.example"})
        assert {"index.html", "app.js", "errors.js", "styles.css", "config.json"} <= set(keys)
        listed = {o["Key"] for o in s3.list_objects_v2(Bucket="web")["Contents"]}
        assert listed == set(keys) and "old.js" not in listed
        js = s3.head_object(Bucket="web", Key="app.js")
        assert js["ContentType"].startswith("text/javascript")
        html = s3.head_object(Bucket="web", Key="index.html")
        assert html["CacheControl"] == "no-cache" and html["ContentType"] == "text/html; charset=utf-8"
        body = s3.get_object(Bucket="web", Key="config.json")["Body"].read()
        assert json.loads(body) == {"apiBase": "https://api.example"}
