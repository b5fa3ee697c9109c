"""template.yaml's shape: routes match the handlers both ways, and the security settings every deploy relies on
(authorizers per route, least-privilege actions per function, the notifier's stream filter, SnapStart with
an alias, log retention)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from infra import template

ROOT = Path(__file__).resolve().parents[2]

# Exactly the DynamoDB (and other) actions each function needs: a new action is a decision, made here too.
ACTIONS = {
    "LookupFunction": {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"},
    "BookingFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
                        "dynamodb:ConditionCheckItem"},
    # BatchGetItem: the appointment with the register entry (and a parent's link, issue 29); ConditionCheckItem: a
    # parent's cancellation checks the child's entry still names them.
    "CancellationFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                             "dynamodb:ConditionCheckItem"},
    # GetItem: a ticket by its link, the register; UpdateItem: the limiter of failed identity checks.
    # Query: the ByPatient index, and the patient's ACCESS# items (the clinic's access to a page, issue 28).
    # BatchGetItem: a family member's link with the parent's entry (issue 29).
    "HistoryFunction": {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"},
    # The registry: attachment changes, doctors and plans, absences (cancellations), the day list, attendance;
    # the access journal (its entries in those transactions; a read's entry and access items by BatchWriteItem).
    "RegistryFunction": {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem",
                         "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
                         "dynamodb:BatchWriteItem"},
    # The daily window job: reads clinics and plans, opens slots with conditional puts, fans out per clinic.
    "ScheduleFunction": {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem",
                         "dynamodb:UpdateItem", "dynamodb:DeleteItem", "sqs:SendMessage"},
    # The façade books, cancels and reads through the same domain code (and its name index).
    "GorzdravFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:UpdateItem",
                         "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"},
    # The FHIR face reads the directory and slots, holds, books and cancels through the same domain code.
    "FhirFunction": {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:UpdateItem",
                     "dynamodb:PutItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem"},
    "SweeperFunction": {"dynamodb:Query", "dynamodb:UpdateItem"},
    # Finds due reminders in its index and claims each with one conditional UpdateItem; sends nothing itself.
    "ReminderFunction": {"dynamodb:Query", "dynamodb:UpdateItem"},
    # (SAM grants the stream's read actions for the DynamoDB event source itself.)
    "NotifierFunction": {"ses:SendEmail", "dynamodb:UpdateItem", "sqs:SendMessage"},
    # The waiting list (issue 15): joins, lists, leaves, and books an offer through the booking's code.
    "WaitlistFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:UpdateItem",
                         "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"},
    # Offers from the stream: reads the queue, holds the slot and offers it in one transaction; its own DLQ.
    "OffersFunction": {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                       "dynamodb:ConditionCheckItem", "sqs:SendMessage"},
}
# Functions that render tickets read the address they link to from one SSM parameter (PublicBaseUrlParameter).
for _name in ("BookingFunction", "CancellationFunction", "HistoryFunction", "GorzdravFunction", "FhirFunction",
              "NotifierFunction", "WaitlistFunction"):
    ACTIONS[_name] = ACTIONS[_name] | {"ssm:GetParameter"}


def handler_routes() -> set[tuple[str, str, str]]:
    """Every route each function's resolver registered, however it was declared (decorator, loop, f-string)."""
    from infra.lambda_like import load_function

    out = set()
    for app_file in (ROOT / "functions").glob("*/app.py"):
        app = getattr(load_function(app_file.parent.name), "app", None)
        for route in (app._static_routes + app._dynamic_routes) if app is not None else []:
            out.add((app_file.parent.name, route.method.upper(), re.sub(r"<(\w+)>", r"{\1}", route.path)))
    return out


def test_routes_in_the_template_and_in_the_handlers_match_both_ways() -> None:
    declared = {(r["function"], r["method"], r["path"]) for r in template.routes()}
    served = handler_routes()
    assert declared - served == set(), "declared in template.yaml, served by no handler"
    assert served - declared == set(), "served by a handler, missing from template.yaml"


def test_every_me_route_needs_the_patient_jwt_and_no_other_route_does() -> None:
    for route in template.routes():
        if route["path"].startswith(("/v1/me/", "/fhir/me/")):
            assert route["authorizer"] == "PatientJwt", route
        elif route["path"].startswith("/v1/registry/"):
            continue
        else:
            assert route["authorizer"] in (None, "NONE"), route


def test_every_registry_route_needs_the_staff_jwt_and_no_iam_is_left() -> None:
    """Issue 28: staff sign in through their own OIDC provider (StaffJwt: its own issuer and audience, a Cognito
    pool by default); no AWS_IAM route, no IAM authorizer, no per-clinic IAM policy is left."""
    registry = [r for r in template.routes() if r["path"].startswith("/v1/registry/")]
    assert len(registry) >= 7 and all(r["function"] == "registry" for r in registry)
    assert all(r["authorizer"] == "StaffJwt" for r in registry), registry
    assert ("GET", "/v1/registry/clinics/{clinicId}/journal") in {(r["method"], r["path"]) for r in registry}
    api = template.resources("AWS::Serverless::HttpApi")["HttpApi"]["Properties"]
    assert "EnableIamAuthorizer" not in api["Auth"]
    patient, staff = api["Auth"]["Authorizers"]["PatientJwt"], api["Auth"]["Authorizers"]["StaffJwt"]
    assert patient["JwtConfiguration"]["issuer"] and patient["JwtConfiguration"]["audience"]
    assert staff["IdentitySource"] == "$request.header.Authorization"
    # Its own issuer and audience: the stack's staff pool unless the parameters name the region's provider.
    issuer, audience = staff["JwtConfiguration"]["issuer"], staff["JwtConfiguration"]["audience"]
    assert issuer["Fn::If"][0] == "CreateStaffPool" and issuer["Fn::If"][2] == {"Ref": "StaffJwtIssuer"}
    assert "StaffUserPool" in issuer["Fn::If"][1]["Fn::Sub"]
    assert audience["Fn::If"][1] == {"Fn::Split": [",", {"Ref": "StaffJwtAudience"}]}
    assert audience["Fn::If"][2] == [{"Ref": "StaffUserPoolClient"}]
    assert staff["JwtConfiguration"] != patient["JwtConfiguration"]
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    assert "AWS_IAM" not in text and "RegistryStaffPolicy" not in text
    assert not template.resources("AWS::IAM::ManagedPolicy").keys() - {"NotifierRedrivePolicy"}


def test_the_staff_pool_is_made_only_without_an_issuer_and_nobody_writes_their_own_clinic_or_role() -> None:
    doc = template.load()
    assert doc["Conditions"]["CreateStaffPool"] == {"Fn::Equals": [{"Ref": "StaffJwtIssuer"}, ""]}
    assert doc["Parameters"]["StaffJwtIssuer"]["Default"] == ""
    assert doc["Rules"]["StaffAudienceWithIssuer"]["Assertions"]
    pool = template.resources("AWS::Cognito::UserPool")["StaffUserPool"]
    client = template.resources("AWS::Cognito::UserPoolClient")["StaffUserPoolClient"]
    assert pool["Condition"] == client["Condition"] == "CreateStaffPool"
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert {a["Name"] for a in pool["Properties"]["Schema"]} == {"clinic_id", "staff_role"}
    props = client["Properties"]
    assert {"custom:clinic_id", "custom:staff_role"} <= set(props["ReadAttributes"])
    assert not any(a.startswith("custom:") for a in props["WriteAttributes"])
    assert props["GenerateSecret"] is False


def test_the_journal_is_kept_for_the_retention_parameter_by_the_tables_ttl() -> None:
    doc = template.load()
    assert doc["Parameters"]["JournalRetentionDays"]["Default"] == 1826
    registry = template.resources("AWS::Serverless::Function")["RegistryFunction"]["Properties"]
    assert registry["Environment"]["Variables"]["JOURNAL_RETENTION_DAYS"] == {"Ref": "JournalRetentionDays"}
    table = template.resources("AWS::DynamoDB::Table")["Table"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


def statements(props: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for policy in props.get("Policies") or []:
        assert isinstance(policy, dict) and set(policy) == {"Statement"}, f"only inline statements: {policy}"
        out += policy["Statement"]
    return out


def test_each_function_has_exactly_its_actions_and_no_wildcards() -> None:
    functions = template.resources("AWS::Serverless::Function")
    assert set(functions) == set(ACTIONS)
    for logical, res in functions.items():
        granted: set[str] = set()
        for st in statements(res["Properties"]):
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            assert all("*" not in a for a in actions), (logical, actions)
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            assert "*" not in resources, (logical, st)
            granted |= set(actions)
        assert granted == ACTIONS[logical], logical


def test_the_notifier_sees_only_appointment_inserts_and_cancellations() -> None:
    notifier = template.resources("AWS::Serverless::Function")["NotifierFunction"]["Properties"]
    (stream,) = [e["Properties"] for e in notifier["Events"].values() if e["Type"] == "DynamoDB"]
    patterns = [json.loads(f["Pattern"]) for f in stream["FilterCriteria"]["Filters"]]
    assert {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["appointment"]}}}} in patterns
    modify, reminder, offer = [p for p in patterns if p["eventName"] == ["MODIFY"]]
    assert offer["dynamodb"]["NewImage"] == {"entity": {"S": ["waitEntry"]}, "status": {"S": ["offered"]}}
    assert offer["dynamodb"]["OldImage"]["status"] == {"S": ["waiting"]}
    assert reminder["dynamodb"]["NewImage"]["status"] == {"S": ["booked"]}
    assert reminder["dynamodb"]["NewImage"]["remindedStage"] == {"N": [{"exists": True}]}
    assert modify["dynamodb"]["NewImage"]["status"] == {"S": ["cancelled"]}
    assert modify["dynamodb"]["OldImage"]["status"] == {"S": ["booked"]}
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "OnFailure" in stream["DestinationConfig"]


def test_the_offers_function_sees_free_slots_and_ended_offers_only() -> None:
    offers = template.resources("AWS::Serverless::Function")["OffersFunction"]["Properties"]
    (stream,) = [e["Properties"] for e in offers["Events"].values() if e["Type"] == "DynamoDB"]
    freed, ended = [json.loads(f["Pattern"]) for f in stream["FilterCriteria"]["Filters"]]
    assert freed["dynamodb"]["NewImage"] == {"entity": {"S": ["slot"]}, "status": {"S": ["free"]}}
    assert ended["dynamodb"]["OldImage"]["offerEntry"] == {"S": [{"exists": True}]}
    assert "free" not in ended["dynamodb"]["NewImage"]["status"]["S"]  # the first pattern's
    assert stream["StartingPosition"] == "LATEST" and "OnFailure" in stream["DestinationConfig"]


def test_snapstart_on_published_versions_behind_an_alias() -> None:
    glob = template.load()["Globals"]["Function"]
    assert glob["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert glob["AutoPublishAlias"]  # SnapStart applies to published versions only: the alias publishes them


def test_every_function_logs_to_its_own_group_with_a_retention() -> None:
    groups = template.resources("AWS::Logs::LogGroup")
    for logical, res in template.resources("AWS::Serverless::Function").items():
        ref = res["Properties"]["LoggingConfig"]["LogGroup"]
        name = ref["Ref"] if isinstance(ref, dict) else str(ref).removeprefix("!Ref ").strip()
        assert name in groups, logical
        assert 1 <= int(groups[name]["Properties"]["RetentionInDays"]) <= 365, logical
    assert all("RetentionInDays" in g["Properties"] for g in groups.values())


def test_the_page_distribution_serves_every_route_uncached() -> None:
    """Issue 12: the API sits behind the page's CloudFront distribution, so every route the template declares
    is matched by a behaviour that sends it to the API origin with caching off; the page's own origin, no CORS."""
    from fnmatch import fnmatchcase

    config = template.resources("AWS::CloudFront::Distribution")["WebDistribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert "HttpApi" in json.dumps(origins["api"]["DomainName"])
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    behaviours = config["CacheBehaviors"]
    for route in template.routes():
        matched = [b for b in behaviours if fnmatchcase(route["path"], b["PathPattern"])]
        assert matched, f"{route['method']} {route['path']} is not served through CloudFront"
        (first, *_) = matched
        assert first["TargetOriginId"] == "api", route
        assert first["CachePolicyId"] == {"Ref": "ApiCachePolicy"}
        assert set(first["AllowedMethods"]) >= {"GET", "POST", "PUT", "DELETE", "OPTIONS"}
    policy = template.resources("AWS::CloudFront::CachePolicy")["ApiCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert policy["DefaultTTL"] == 0 and policy["MinTTL"] == 0 and policy["MaxTTL"] <= 1
    keyed = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert {"Authorization", "Accept-Language"} <= set(keyed["HeadersConfig"]["Headers"])
    assert keyed["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert "CorsConfiguration" not in template.resources("AWS::Serverless::HttpApi")["HttpApi"]["Properties"]


def test_functions_do_not_depend_on_the_distribution() -> None:
    """The distribution fronts the API, the API integrates the functions: a function (or the Globals) that
    referred to the distribution would close a cycle. The address comes from an SSM parameter instead."""
    assert "WebDistribution" not in json.dumps(template.globals_function())
    for logical, res in template.resources("AWS::Serverless::Function").items():
        assert "WebDistribution" not in json.dumps(res), logical
    parameter = template.resources("AWS::SSM::Parameter")["PublicBaseUrlParameter"]["Properties"]
    env = template.globals_function()["Environment"]["Variables"]
    assert env["PUBLIC_BASE_URL_PARAMETER"] == parameter["Name"]
    assert "WebDistribution" in json.dumps(parameter["Value"])


def test_waf_guards_the_edge_and_can_be_turned_off() -> None:
    acl = template.resources("AWS::WAFv2::WebACL")["WebAcl"]
    assert acl["Condition"] == "CreateWebAcl"
    props = acl["Properties"]
    assert props["Scope"] == "CLOUDFRONT"
    rules = {r["Name"]: r for r in props["Rules"]}
    assert len({r["Priority"] for r in props["Rules"]}) == len(rules)
    managed = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules.values()
               if "ManagedRuleGroupStatement" in r["Statement"]}
    assert managed == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                       "AWSManagedRulesAmazonIpReputationList"}
    rates = {name: r["Statement"]["RateBasedStatement"] for name, r in rules.items()
             if "RateBasedStatement" in r["Statement"]}
    assert rates["rate-writes"]["AggregateKeyType"] == "IP" and "ScopeDownStatement" in rates["rate-writes"]
    assert "ScopeDownStatement" not in rates["rate-all"]
    params = template.load()["Parameters"]
    limit = {name: params[rate["Limit"]["Ref"]]["Default"] for name, rate in rates.items()}
    assert limit["rate-writes"] < limit["rate-all"]
    for name in rates:
        assert rules[name]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    size = rules["body-size"]["Statement"]["SizeConstraintStatement"]
    from shared.faces.request_limits import MAX_BODY_BYTES

    assert size["ComparisonOperator"] == "GT" and size["Size"] == MAX_BODY_BYTES
    for key, body in props["CustomResponseBodies"].items():
        assert json.loads(body["Content"])["error"]["code"] == key  # the contract's error shape
    assert params["Waf"]["AllowedValues"] == ["on", "off"]
    config = template.resources("AWS::CloudFront::Distribution")["WebDistribution"]["Properties"]["DistributionConfig"]
    assert "WebAcl" in json.dumps(config["WebACLId"]) and "AWS::NoValue" in json.dumps(config["WebACLId"])


def test_every_stream_function_has_error_and_iterator_age_alarms() -> None:
    """A stream function that fails or falls behind is loud deployed: an alarm on its Errors and its IteratorAge."""
    functions = template.resources("AWS::Serverless::Function")
    streamed = {name for name, res in functions.items()
                if any(e["Type"] == "DynamoDB" for e in (res["Properties"].get("Events") or {}).values())}
    assert streamed >= {"OffersFunction", "NotifierFunction"}
    watched: dict[str, set[str]] = {}
    for alarm in template.resources("AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        for dim in props.get("Dimensions") or []:
            ref = dim.get("Value")
            name = ref.get("Ref") if isinstance(ref, dict) else str(ref).removeprefix("!Ref ").strip()
            watched.setdefault(str(name), set()).add(props["MetricName"])
    for name in streamed:
        assert {"Errors", "IteratorAge"} <= watched.get(name, set()), name


def _header_policy(config: dict[str, Any], behaviour: dict[str, Any]) -> dict[str, Any]:
    ref = behaviour["ResponseHeadersPolicyId"]
    assert isinstance(ref, dict) and set(ref) == {"Ref"}, f"the stack's own policy, not a managed one: {ref}"
    policy = template.resources("AWS::CloudFront::ResponseHeadersPolicy")[ref["Ref"]]
    return dict(policy["Properties"]["ResponseHeadersPolicyConfig"])


def _csp(text: str) -> dict[str, str]:
    return {d.split()[0]: " ".join(d.split()[1:]) for d in text.split(";") if d.strip()}


def test_the_page_and_the_api_get_the_stacks_own_security_headers() -> None:
    """Issue 30: a strict CSP, nosniff and no referrer on the page and on every API behaviour, from response-headers
    policies of the stack's own (the managed SecurityHeadersPolicy has no CSP); the page's CSP is the local
    front's (infra/local/headers.py), with the sign-in provider's origin in connect-src."""
    from infra.local import headers

    config = template.resources("AWS::CloudFront::Distribution")["WebDistribution"]["Properties"]["DistributionConfig"]
    page = _header_policy(config, config["DefaultCacheBehavior"])
    security = page["SecurityHeadersConfig"]
    sub = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    text, variables = sub["Fn::Sub"]
    assert "${SignInOrigin}" in text and "SignInOrigin" in template.load()["Parameters"]
    # The staff pages' provider (issue 28): the stack's staff pool's sign-in domain, or StaffSignInOrigin.
    assert variables["StaffOrigin"]["Fn::If"][0] == "CreateStaffPool"
    assert "StaffUserPoolDomain" in variables["StaffOrigin"]["Fn::If"][1]["Fn::Sub"]
    assert variables["StaffOrigin"]["Fn::If"][2] == {"Ref": "StaffSignInOrigin"}
    csp = _csp(text.replace("${SignInOrigin}", "https://login.example.org").replace("${StaffOrigin}", ""))
    assert csp == _csp(headers.page_csp(["https://login.example.org"])), "the template's CSP is the local front's"
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert "unsafe" not in text
    assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["connect-src"] == "'self' https://login.example.org"
    assert csp["report-uri"] == headers.CSP_REPORT_PATH
    for policy in [page] + [_header_policy(config, b) for b in config["CacheBehaviors"]]:
        sec = policy["SecurityHeadersConfig"]
        assert sec["ContentSecurityPolicy"]["Override"] is True
        assert sec["ContentTypeOptions"]["Override"] is True  # X-Content-Type-Options: nosniff
        assert sec["ReferrerPolicy"] == {"ReferrerPolicy": "no-referrer", "Override": True}
        assert sec["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    reporting = {h["Header"]: h["Value"] for h in page["CustomHeadersConfig"]["Items"]}
    assert reporting["Reporting-Endpoints"] == f'{headers.REPORT_GROUP}="{headers.CSP_REPORT_PATH}"'


def test_every_api_behaviour_answers_with_the_api_policy_and_compresses() -> None:
    from infra.local import headers

    config = template.resources("AWS::CloudFront::Distribution")["WebDistribution"]["Properties"]["DistributionConfig"]
    api = [b for b in config["CacheBehaviors"] if b["TargetOriginId"] == "api"]
    assert {b["PathPattern"] for b in api} == {"/v1/*", "/_api/*", "/fhir*"}
    for behaviour in [*api, config["DefaultCacheBehavior"]]:
        assert behaviour["Compress"] is True, behaviour.get("PathPattern", "default")
    for behaviour in api:
        policy = _header_policy(config, behaviour)
        assert policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"] == headers.API_CSP
    keyed = template.resources("AWS::CloudFront::CachePolicy")["ApiCachePolicy"]["Properties"]["CachePolicyConfig"][
        "ParametersInCacheKeyAndForwardedToOrigin"]
    assert keyed["EnableAcceptEncodingGzip"] is True and keyed["EnableAcceptEncodingBrotli"] is True


def test_csp_reports_are_answered_at_the_edge_and_log_nothing_of_the_body() -> None:
    config = template.resources("AWS::CloudFront::Distribution")["WebDistribution"]["Properties"]["DistributionConfig"]
    (report,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/_csp-report"]
    assert "POST" in report["AllowedMethods"]
    (association,) = report["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function = template.resources("AWS::CloudFront::Function")["CspReportFunction"]["Properties"]
    code = function["FunctionCode"]
    assert "statusCode: 204" in code and "body" not in code and "uri" not in code.lower()
