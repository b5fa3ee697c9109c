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


def test_staff_sign_in_goes_into_config_json() -> None:
    """Issue 28: the staff pages' client (the stack's staff pool, or the first of StaffJwtAudience) and the staff
    provider's endpoints; no staff issuer, no `staff`."""
    endpoints = {"authorizationEndpoint": "https://staff.auth.example/oauth2/authorize",
                 "tokenEndpoint": "https://staff.auth.example/oauth2/token"}
    outputs = {"StaffIssuer": "https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_Staff",
               "StaffUserPoolClientId": "pages-client"}
    staff = publish_web.staff_config(outputs, {}, endpoints)
    assert staff == {"issuer": outputs["StaffIssuer"], "clientId": "pages-client", "scope": "openid profile email",
                     **endpoints}
    region = {"StaffIssuer": "https://login.region.example"}
    assert publish_web.staff_config(region, {"StaffJwtAudience": "pages,mis-import"}, None)["clientId"] == "pages"
    assert publish_web.staff_config({}, {"StaffJwtAudience": "pages"}, None) is None
    assert publish_web.staff_config(region, {"StaffJwtAudience": ""}, None) is None


class _Cognito:
    def __init__(self, client: dict) -> None:
        self.client, self.updates = client, []

    def describe_user_pool_client(self, UserPoolId: str, ClientId: str) -> dict:
        assert (UserPoolId, ClientId) == ("eu-north-1_Staff", "pages-client")
        return {"UserPoolClient": dict(self.client)}

    def update_user_pool_client(self, **kwargs: object) -> None:
        self.updates.append(kwargs)
        self.client = {**self.client, **kwargs}


def test_the_staff_client_learns_the_pages_address_once() -> None:
    """The page's address becomes a callback of the staff pool's client, everything else of the client written
    back as it was (UpdateUserPoolClient resets what it is not given); a second publish changes nothing."""
    outputs = {"StaffIssuer": "https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_Staff",
               "StaffUserPoolClientId": "pages-client"}
    cognito = _Cognito({"UserPoolId": "eu-north-1_Staff", "ClientId": "pages-client", "ClientName": "staff-pages",
                        "AllowedOAuthFlows": ["code"], "CallbackURLs": [publish_web.PLACEHOLDER],
                        "LogoutURLs": [publish_web.PLACEHOLDER], "CreationDate": "x", "LastModifiedDate": "y"})
    assert publish_web.add_staff_callback(cognito, outputs, "https://d1.cloudfront.net/") is True
    update = cognito.updates[0]
    assert update["CallbackURLs"] == update["LogoutURLs"] == ["https://d1.cloudfront.net/"]  # the placeholder gone
    assert update["AllowedOAuthFlows"] == ["code"] and update["ClientName"] == "staff-pages"
    assert "CreationDate" not in update and "LastModifiedDate" not in update
    assert publish_web.add_staff_callback(cognito, outputs, "https://d1.cloudfront.net/") is False
    assert len(cognito.updates) == 1
    assert publish_web.add_staff_callback(cognito, {"StaffIssuer": "https://login.region.example"}, "x") is False


def test_the_templates_staff_client_signs_in_by_code_flow_on_its_own_domain() -> None:
    """The stack's staff pool: a sign-in domain, a pages' client with the code flow whose callback is the page
    (PublicBaseUrl) or the placeholder publish_web replaces."""
    from infra import template

    resources = template.load()["Resources"]
    client = resources["StaffUserPoolClient"]["Properties"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert "openid" in client["AllowedOAuthScopes"] and client.get("GenerateSecret") is False
    assert client["CallbackURLs"]["Fn::If"][2] == [publish_web.PLACEHOLDER]
    assert "custom:clinic_id" not in client["WriteAttributes"] and "custom:staff_role" not in client["WriteAttributes"]
    assert resources["StaffUserPoolDomain"]["Properties"]["UserPoolId"] == {"Ref": "StaffUserPool"}
