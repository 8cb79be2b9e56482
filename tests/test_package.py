"""The deployable artefact: built by `make package`, importable from the zip alone, its template
complete and clean under cfn-lint, its IAM scoped per tenant on the key delimiter."""
from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


REGIONS = ("cn-north-1", "ap-east-1")  # AWS China (external identity provider) and elsewhere (Cognito)


def package(region: str) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGJIAN_")}
    subprocess.run([sys.executable, "-m", "infra.package", "prod", region], cwd=ROOT, check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return ROOT / "build" / f"prod-{region}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = package(REGIONS[0])
    unzipped = tmp_path_factory.mktemp("lambda")
    with zipfile.ZipFile(out / "deployment.zip") as z:
        z.extractall(unzipped)
    return {"template": json.loads((out / "sam.json").read_text()), "dir": unzipped}


def test_app_imports_from_the_zip_alone(built):
    probe = ("import json, app; print(json.dumps({'routes': sorted(app.app.routes), "
             "'handlers': sorted(s.name for s in app.app.event_sources), 'file': app.__file__, "
             "'functions': __import__('functions').__file__}))")
    # -S: no site-packages; only the unzipped folder and the standard library
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=built["dir"], capture_output=True, text=True,
                            env={"PYTHONPATH": str(built["dir"]), "AWS_DEFAULT_REGION": "cn-north-1", "PATH": os.environ["PATH"]})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    from app import app

    assert seen["routes"] == sorted(app.routes)
    assert seen["file"].startswith(str(built["dir"])) and seen["functions"].startswith(str(built["dir"]))
    assert (built["dir"] / "schemas" / "grid.json").exists()
    # our modules ship compiled for the runtime's Python, so a cold start does not compile them
    compiled = {p.name.split(".")[0] for p in (built["dir"] / "functions" / "api" / "__pycache__").glob(f"*.cpython-{sys.version_info.major}{sys.version_info.minor}.pyc")}
    assert {"declaration", "middleware", "structure"} <= compiled


def test_every_route_schedule_and_queue_is_in_the_template(built):
    from app import app

    resources = built["template"]["Resources"]
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    for path, methods in app.routes.items():
        for method in methods:
            assert method.lower() in paths[path], (method, path)
    functions = {v["Properties"].get("FunctionName", k): v for k, v in resources.items()
                 if v["Type"] == "AWS::Serverless::Function"}
    events = [e for f in functions.values() for e in f["Properties"].get("Events", {}).values()]
    kinds = sorted(e["Type"] for e in events)
    source_kinds = {"SQSEventConfig": "SQS", "DynamoDBEventConfig": "DynamoDB"}
    expected = sorted(source_kinds.get(s.__class__.__name__, "Schedule") for s in app.event_sources)
    assert kinds == expected
    # a scheduled job that fails for any tenant raises the alarm (the metric count_failures emits)
    alarm = resources["ScheduledJobFailuresAlarm"]["Properties"]
    assert "TenantFailures" in alarm["Metrics"][0]["Expression"] and alarm["Threshold"] == 0
    # each queue handler listens on the stage's own queue, the one the template creates
    assert sorted(str(e["Properties"]["Queue"]) for e in events if e["Type"] == "SQS") == [
        str({"Fn::GetAtt": ["AssessmentQueue", "Arn"]}), str({"Fn::GetAtt": ["JobsQueue", "Arn"]}),
        str({"Fn::GetAtt": ["NotifyQueue", "Arn"]})]
    assert "PreToken" not in functions  # cn-north-1: an external identity provider, no user pool to trigger it
    # the chainer reads the stage's audit table stream
    assert [e["Properties"]["Stream"] for e in events if e["Type"] == "DynamoDB"] == [
        {"Fn::GetAtt": ["AuditTable", "StreamArn"]}]
    for f in functions.values():
        sealer = f["Properties"]["Handler"] == "app.seal_audit_digests"
        assert f["Properties"]["Role"] == {"Fn::GetAtt": ["AuditSealerRole" if sealer else "ApiRole", "Arn"]}
        assert f["Properties"]["Environment"]["Variables"]["GONGJIAN_TABLE_PREFIX"] == "gongjian-prod"


def test_the_user_pool_takes_its_claims_from_the_directory_and_the_api_administers_only_it():
    resources = json.loads((package("ap-east-1") / "sam.json").read_text())["Resources"]
    pool = resources["UserPool"]["Properties"]
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"] == {"LambdaArn": {"Fn::GetAtt": ["PreToken", "Arn"]},
                                                                "LambdaVersion": "V1_0"}
    trigger = resources["PreToken"]["Properties"]
    assert trigger["Handler"] == "app.issue_token_claims" and trigger["Role"] == {"Fn::GetAtt": ["PreTokenRole", "Arn"]}
    permission = resources["PreTokenPermission"]["Properties"]
    assert permission["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    [trigger_rights] = resources["PreTokenRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert trigger_rights["Action"] == ["dynamodb:GetItem", "dynamodb:PutItem"]
    assert len(trigger_rights["Resource"]) == 2  # the user records' table and the audit table, nothing else
    api = resources["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    cognito = [s for s in api if any(a.startswith("cognito-idp:") for a in s["Action"])]
    assert len(cognito) == 1 and cognito[0]["Resource"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    assert sorted(cognito[0]["Action"]) == sorted(f"cognito-idp:{a}" for a in (
        "AdminCreateUser", "AdminDeleteUser", "AdminDisableUser", "AdminEnableUser", "AdminUserGlobalSignOut",
        "AdminUpdateUserAttributes"))
    api_env = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert api_env["GONGJIAN_USER_POOL_ID"] == {"Ref": "UserPool"}


def test_only_the_sealer_may_sign_or_write_audit_digests(built):
    """The app's writers can read digests and the public key, never sign or overwrite one; the
    digest bucket keeps every object under compliance-mode Object Lock."""
    resources = built["template"]["Resources"]
    api = resources["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    sealer = resources["AuditSealerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]

    def actions_on(statements, resource_name):
        return {a for s in statements if resource_name in json.dumps(s["Resource"]) for a in s["Action"]}

    assert actions_on(api, "AuditSigningKey") == {"kms:GetPublicKey"}
    assert actions_on(api, "AuditDigestBucket") == {"s3:GetObject", "s3:ListBucket"}
    assert "kms:Sign" in actions_on(sealer, "AuditSigningKey") and "s3:PutObject" in actions_on(sealer, "AuditDigestBucket")
    bucket = resources["AuditDigestBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert resources["AuditSigningKey"]["Properties"]["KeySpec"] == "ECC_NIST_P256"
    assert resources["AuditTable"]["Properties"]["StreamSpecification"] == {"StreamViewType": "KEYS_ONLY"}


def test_tables_match_the_models(built):
    os.environ.setdefault("GONGJIAN_TABLE_PREFIX", "gongjian-test")
    from functions.models import ALL_TABLES

    resources = built["template"]["Resources"]
    declared = {r["Properties"]["TableName"]: r["Properties"] for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"}
    assert len(declared) == len(ALL_TABLES)
    for model in ALL_TABLES:
        area = model.Meta.table_name.rsplit("-", 1)[-1]
        props = declared[f"gongjian-prod-{area}"]
        schema = model._get_schema()
        assert props["KeySchema"] == schema["key_schema"]
        assert sorted(i["IndexName"] for i in props.get("GlobalSecondaryIndexes", [])) == \
            sorted(i["index_name"] for i in schema["global_secondary_indexes"])
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["SSESpecification"]["SSEEnabled"] is True and props["BillingMode"] == "PAY_PER_REQUEST"


PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def test_bucket_is_private_encrypted_versioned_and_tls_only(built):
    """Each setting by name and value: `all({}.values())` is True, so a missing block would pass a
    check that only asks whether the values present are truthy."""
    resources = built["template"]["Resources"]
    bucket = resources["DataBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["PublicAccessBlockConfiguration"] == {flag: True for flag in PUBLIC_ACCESS_FLAGS}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert len(encryption) == 1
    assert encryption[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert encryption[0]["BucketKeyEnabled"] is True
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    for days in (1, 3, 7, 14, 30):
        rule = rules[f"exports-{days}d"]
        assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] == days
        assert rule["TagFilters"] == [{"Key": "expires-after-days", "Value": str(days)}]
    assert rules["staging-uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] >= 1

    policy = resources["DataBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "DataBucket"}
    statements = policy["PolicyDocument"]["Statement"]
    tls = [s for s in statements if s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
    assert len(tls) == 1, statements
    deny = tls[0]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    # Both the bucket (listing) and every object in it.
    assert deny["Resource"] == [{"Fn::GetAtt": ["DataBucket", "Arn"]}, {"Fn::Sub": "${DataBucket.Arn}/*"}]
    assert not [s for s in statements if s["Effect"] == "Allow" and s.get("Principal") == "*"]
    assert resources["AssessmentQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3


def test_tenant_role_is_scoped_on_the_delimiter(built):
    policy = built["template"]["Resources"]["TenantDataRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    allow = next(s for s in policy if s["Sid"] == "OwnPartitionsOnly")
    pattern = allow["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"][0]
    assert pattern == "${aws:PrincipalTag/tenant}#*"
    as_acme = pattern.replace("${aws:PrincipalTag/tenant}", "acme")
    assert fnmatch.fnmatchcase("acme#street", as_acme)
    assert not fnmatch.fnmatchcase("acme-corp#street", as_acme)  # a bare "acme*" would have allowed this
    assert "dynamodb:Scan" not in allow["Action"]
    deny = next(s for s in policy if s["Sid"] == "NoScanNoPartiQL")
    assert deny["Effect"] == "Deny" and "dynamodb:Scan" in deny["Action"] and "dynamodb:PartiQL*" in deny["Action"]


@pytest.mark.parametrize("region", REGIONS)
def test_cfn_lint_finds_nothing(built, region):
    sam = package(region) / "sam.json"
    result = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--regions", region, "--", str(sam)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""
    resources = json.loads(sam.read_text())["Resources"]
    assert ("UserPool" in resources) == (not region.startswith("cn-"))


@pytest.mark.parametrize("region", REGIONS)
def test_the_console_is_served_from_a_private_bucket_through_cloudfront(region):
    """`make package` adds the console's hosting: a private bucket only the distribution reads, the
    console's routes answered with index.html, and (outside China) the API behind the same origin;
    the hosted UI's callbacks name the console's own host."""
    template = json.loads((package(region) / "sam.json").read_text())
    resources, china = template["Resources"], region.startswith("cn-")
    bucket = resources["ConsoleBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    grant, tls = resources["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert grant["Action"] == "s3:GetObject" and tls["Effect"] == "Deny"
    config = resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    if china:
        assert "CanonicalUser" in grant["Principal"] and "OriginAccessIdentity" in json.dumps(origins["console"])
        assert {e["ErrorCode"] for e in config["CustomErrorResponses"]} == {403, 404} and "api" not in origins
        assert "ApiBase" in template["Outputs"] and "ConsoleCertificateId" in template["Parameters"]
    else:
        assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert "ConsoleDistribution" in json.dumps(grant["Condition"])  # this distribution, no other
        assert origins["console"]["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccess", "Id"]}
        assert resources["ConsoleOriginAccess"]["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
        assert {b["PathPattern"]: b["TargetOriginId"] for b in config["CacheBehaviors"]} == {"/v1/*": "api", "/docs*": "api"}
        assert "CustomErrorResponses" not in config  # the API's 404s stay the API's
        assert config["DefaultCacheBehavior"]["FunctionAssociations"][0]["EventType"] == "viewer-request"
        client = resources["UserPoolClient"]["Properties"]
        assert client["AllowedOAuthFlows"] == ["code"]
        assert client["CallbackURLs"] == [{"Fn::Sub": "https://${ConsoleDomainName}/auth/callback"},
                                          {"Fn::Sub": "https://${ConsoleDomainName}/field/auth/callback"}]
        assert "IdentityDomain" in template["Outputs"]


def test_the_cloudfront_function_opens_each_apps_own_page():
    """The viewer-request function (run here in node, as CloudFront runs JavaScript): the console's
    routes get its index.html, the field app's its own; files and the API's paths pass untouched."""
    from infra import console

    script = console.SPA_ROUTES + """
const uris = JSON.parse(process.argv[1]);
console.log(JSON.stringify(uris.map((uri) => handler({ request: { uri } }).uri)));"""
    uris = ["/", "/incidents/01ABC", "/field", "/field/", "/field/report", "/field/sw.js", "/assets/index-1.js",
            "/config.json", "/fieldwork"]
    answer = subprocess.run(["node", "-e", script, json.dumps(uris)], capture_output=True, text=True, check=True)
    assert json.loads(answer.stdout) == ["/index.html", "/index.html", "/field/index.html", "/field/index.html",
                                         "/field/index.html", "/field/sw.js", "/assets/index-1.js", "/config.json", "/index.html"]


def test_publishing_writes_the_console_and_its_deployment_config():
    """After a deploy, `python -m infra.console STACK` uploads the built console and a config.json
    made from the stack's outputs (here into the local S3-compatible server)."""
    import uuid

    import boto3

    from functions import config
    from infra import console

    s3 = boto3.client("s3", endpoint_url=config.S3_ENDPOINT, region_name="us-east-1")
    bucket = f"console-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    outputs = {"ConsoleBucketName": bucket, "IdentityAuthority": "https://cognito-idp.ap-east-1.amazonaws.com/pool",
               "IdentityClientId": "client", "IdentityDomain": "gongjian-prod.auth.ap-east-1.amazoncognito.com"}
    written = console.publish(s3, bucket, ROOT / "web" / "dist", console.page_config(outputs))
    assert written == len([p for p in (ROOT / "web" / "dist").rglob("*") if p.is_file()]) + len(console.FIELD_ENTRIES)
    page = json.loads(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())
    assert page == {"apiBase": "", "auth": {"mode": "cognito", "authority": outputs["IdentityAuthority"], "clientId": "client",
                                            "domain": outputs["IdentityDomain"]}, "tiles": None}
    index = s3.get_object(Bucket=bucket, Key="index.html")
    assert index["ContentType"].startswith("text/html") and index["CacheControl"] == "no-cache"
    asset = next(k["Key"] for k in s3.list_objects_v2(Bucket=bucket, Prefix="assets/")["Contents"] if k["Key"].endswith(".js"))
    script = s3.get_object(Bucket=bucket, Key=asset)
    assert "javascript" in script["ContentType"] and "immutable" in script["CacheControl"]
    for key in ("field/index.html", *console.FIELD_ENTRIES):  # the field app's entry, also where China's CDN asks
        entry = s3.get_object(Bucket=bucket, Key=key)
        assert entry["ContentType"].startswith("text/html") and b'rel="manifest"' in entry["Body"].read()
    assert s3.get_object(Bucket=bucket, Key="field/manifest.webmanifest")["ContentType"] == "application/manifest+json"
    assert s3.get_object(Bucket=bucket, Key="field/sw.js")["CacheControl"] == "no-cache"  # a new version is found at once
    china = console.page_config({**outputs, "ApiBase": "https://api.example/api", "IdentityDomain": ""})
    assert china["apiBase"] == "https://api.example/api" and china["auth"]["mode"] == "oidc"
