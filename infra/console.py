"""The web console in AWS: a private bucket behind a CloudFront distribution, and its publishing.

    resources(stage, region)   the template's console resources and outputs (merged by infra.template)
    python -m infra.console STACK [DIST]   after `sam deploy`: upload web/dist and write config.json

The bucket is private; CloudFront reads it through origin access control (SigV4, the distribution
named in the bucket policy), never a public URL. The same distribution forwards `/v1/*` and `/docs*`
to the API's stage, so the page calls its own origin (no CORS, one certificate). Paths without a
file extension are the console's own routes: a CloudFront function gives them `index.html` (the
field app's, under `/field/`, its own), on the bucket's behaviour only, so the API's 404s stay the
API's.

`config.json` is written at deploy time from the stack's outputs: the API base (this origin), the
identity provider (Cognito's hosted UI with authorization code + PKCE, or in the China regions the
external OIDC provider the stack names) and an optional map tile layer (`GONGJIAN_TILES_URL`, e.g.
天地图 with the deployment's key). Hashed assets are cached for a year; `index.html` and
`config.json` never, so a deploy shows at once.
"""
from __future__ import annotations

import json
import mimetypes
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# CloudFront's managed policies (the same ids in every account)
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
# the field app (/field/) has its own index.html and service worker
SPA_ROUTES = """function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('.') === -1) {
    var field = request.uri === '/field' || request.uri.indexOf('/field/') === 0;
    request.uri = field ? '/field/index.html' : '/index.html';
  }
  return request;
}"""
FIELD_ENTRIES = ("field", "field/")  # China's distributions have no function: the field app's own entry keys
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"


def resources(stage: str, region: str, *, cognito: bool) -> dict[str, Any]:
    """The console's bucket, its policy, the distribution, and (with Cognito) the hosted UI's domain.

    The China regions' CloudFront has neither origin access control nor functions: there the bucket
    is read through an origin access identity, the console's routes are the bucket's 403/404 answered
    with `index.html`, and so that rule cannot touch the API's answers the page calls the API at its
    own URL (`apiBase`, with `GONGJIAN_CORS_ORIGIN` set to the console's origin when packaging)."""
    china = region.startswith("cn-")
    prefix = f"gongjian-{stage}"
    api_domain = {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    api_behaviour = {"TargetOriginId": "api", "ViewerProtocolPolicy": "https-only", "Compress": True,
                     "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                     "CachePolicyId": CACHING_DISABLED, "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST}
    reader = ({"CanonicalUser": {"Fn::GetAtt": ["ConsoleOriginIdentity", "S3CanonicalUserId"]}} if china
              else {"Service": "cloudfront.amazonaws.com"})
    only_this = {} if china else {"Condition": {"StringEquals": {"AWS:SourceArn": {
        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${ConsoleDistribution}"}}}}
    bucket_origin: dict[str, Any] = {"Id": "console", "DomainName": {"Fn::GetAtt": ["ConsoleBucket", "RegionalDomainName"]}}
    if china:
        bucket_origin["S3OriginConfig"] = {"OriginAccessIdentity": {"Fn::Sub": "origin-access-identity/cloudfront/${ConsoleOriginIdentity}"}}
    else:
        bucket_origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
        bucket_origin["OriginAccessControlId"] = {"Fn::GetAtt": ["ConsoleOriginAccess", "Id"]}
    out: dict[str, Any] = {
        "ConsoleBucket": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": {"Fn::Sub": f"{prefix}-console-${{AWS::AccountId}}"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}},
        "ConsoleBucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "ConsoleBucket"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "ThisDistributionOnly", "Effect": "Allow", "Principal": reader,
                 "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${ConsoleBucket.Arn}/*"}, **only_this},
                {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": [{"Fn::GetAtt": ["ConsoleBucket", "Arn"]}, {"Fn::Sub": "${ConsoleBucket.Arn}/*"}],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}},
        "ConsoleOriginAccess": {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {
            "OriginAccessControlConfig": {"Name": f"{prefix}-console", "OriginAccessControlOriginType": "s3",
                                          "SigningBehavior": "always", "SigningProtocol": "sigv4"}}},
        "ConsoleRoutes": {"Type": "AWS::CloudFront::Function", "Properties": {
            "Name": f"{prefix}-console-routes", "AutoPublish": True, "FunctionCode": SPA_ROUTES,
            "FunctionConfig": {"Comment": "console routes → index.html", "Runtime": "cloudfront-js-2.0"}}},
        "ConsoleDistribution": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Enabled": True, "Comment": f"{prefix} console and API", "DefaultRootObject": "index.html",
            "HttpVersion": "http2and3", "PriceClass": "PriceClass_All", "Aliases": [{"Ref": "ConsoleDomainName"}],
            "ViewerCertificate": ({"IamCertificateId": {"Ref": "ConsoleCertificateId"}} if china
                                  else {"AcmCertificateArn": {"Ref": "ConsoleCertificateArn"}})
            | {"SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
            "Origins": [bucket_origin],
            "DefaultCacheBehavior": {
                "TargetOriginId": "console", "ViewerProtocolPolicy": "redirect-to-https", "Compress": True,
                "AllowedMethods": ["GET", "HEAD"], "CachePolicyId": CACHING_OPTIMIZED,
                "ResponseHeadersPolicyId": SECURITY_HEADERS},
        }}},
    }
    config = out["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    if china:
        del out["ConsoleOriginAccess"], out["ConsoleRoutes"]
        out["ConsoleOriginIdentity"] = {"Type": "AWS::CloudFront::CloudFrontOriginAccessIdentity", "Properties": {
            "CloudFrontOriginAccessIdentityConfig": {"Comment": f"{prefix} console"}}}
        config["CustomErrorResponses"] = [{"ErrorCode": code, "ResponseCode": 200, "ResponsePagePath": "/index.html"}
                                          for code in (403, 404)]
        del config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
    else:
        config["Origins"].append({"Id": "api", "DomainName": api_domain, "OriginPath": "/api", "CustomOriginConfig": {
            "OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]}})
        config["DefaultCacheBehavior"]["FunctionAssociations"] = [
            {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["ConsoleRoutes", "FunctionARN"]}}]
        config["CacheBehaviors"] = [{**api_behaviour, "PathPattern": "/v1/*"}, {**api_behaviour, "PathPattern": "/docs*"}]
    outputs: dict[str, Any] = {
        "ConsoleBucketName": {"Value": {"Ref": "ConsoleBucket"}},
        "ConsoleUrl": {"Value": {"Fn::Sub": "https://${ConsoleDomainName}"}},
        "ConsoleDistributionDomain": {"Value": {"Fn::GetAtt": ["ConsoleDistribution", "DomainName"]},
                                      "Description": "point the console's host name here (CNAME)"},
    }
    if china:  # the page calls the API on its own origin, except in China (see above)
        outputs["ApiBase"] = {"Value": {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api"}}
    if cognito:
        out["UserPoolDomain"] = {"Type": "AWS::Cognito::UserPoolDomain", "Properties": {
            "UserPoolId": {"Ref": "UserPool"}, "Domain": {"Fn::Sub": f"{prefix}-${{AWS::AccountId}}"}}}
        outputs["IdentityAuthority"] = {"Value": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${UserPool}"}}
        outputs["IdentityClientId"] = {"Value": {"Ref": "UserPoolClient"}}
        outputs["IdentityDomain"] = {"Value": {"Fn::Sub": "${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"}}
    else:
        outputs["IdentityAuthority"] = {"Value": {"Ref": "IdentityIssuer"}}
        outputs["IdentityClientId"] = {"Value": {"Ref": "IdentityAudience"}}
    return {"Resources": out, "Outputs": outputs}


def parameters(region: str) -> dict[str, Any]:
    """The console's own host name and its certificate: the hosted UI's callbacks name the host, and
    naming it rather than the distribution keeps the template acyclic (the API's functions know the
    web client, the distribution knows the API)."""
    certificate = (("ConsoleCertificateId", "IAM server certificate id for the console's host name (ICP-filed)")
                   if region.startswith("cn-") else
                   ("ConsoleCertificateArn", "ACM certificate (us-east-1) for the console's host name"))
    return {"ConsoleDomainName": {"Type": "String", "MinLength": 3, "Description": "The console's host name, e.g. gongjian.example.gov.cn"},
            certificate[0]: {"Type": "String", "MinLength": 1, "Description": certificate[1]}}


def hosted_ui_client(prefix: str) -> dict[str, Any]:
    """The web client's OAuth settings for Cognito's hosted UI: code flow (PKCE is the client's), back
    to the console's own callback."""
    console = "https://${ConsoleDomainName}"
    apps = (console, console + "/field")  # the console and the field app sign in with the same client
    return {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "profile"], "SupportedIdentityProviders": ["COGNITO"],
            "CallbackURLs": [{"Fn::Sub": app + "/auth/callback"} for app in apps],
            "LogoutURLs": [{"Fn::Sub": app + "/sign-in"} for app in apps]}


def page_config(outputs: dict[str, str], tiles_url: str | None = None) -> dict[str, Any]:
    """config.json from the stack's outputs: what the page needs to find the API and sign users in."""
    auth: dict[str, Any]
    if outputs.get("IdentityDomain"):
        auth = {"mode": "cognito", "authority": outputs["IdentityAuthority"], "clientId": outputs["IdentityClientId"],
                "domain": outputs["IdentityDomain"]}
    else:
        auth = {"mode": "oidc", "authority": outputs["IdentityAuthority"], "clientId": outputs["IdentityClientId"]}
    tiles = {"url": tiles_url, "attribution": os.environ.get("GONGJIAN_TILES_ATTRIBUTION", "")} if tiles_url else None
    return {"apiBase": outputs.get("ApiBase", ""), "auth": auth, "tiles": tiles}


def publish(s3: Any, bucket: str, dist: Path, config: dict[str, Any]) -> int:
    """Upload the built console and field app and the config.json; returns the number of objects written.
    Hashed assets are immutable; everything else (index.html, the service worker, the manifest) is
    revalidated, so a deploy shows at once. The field app's index.html is also written at `field` and
    `field/`, which the China regions' distributions (no function) would otherwise miss."""
    mimetypes.add_type("application/manifest+json", ".webmanifest")
    written = 0
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        key = path.relative_to(dist).as_posix()
        if key == "config.json":
            continue  # the deployment's own, below
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = IMMUTABLE if key.startswith(("assets/", "field/assets/")) else NO_CACHE
        for target in (key, *FIELD_ENTRIES) if key == "field/index.html" else (key,):
            s3.put_object(Bucket=bucket, Key=target, Body=path.read_bytes(), ContentType=kind, CacheControl=cache)
            written += 1
    s3.put_object(Bucket=bucket, Key="config.json", Body=json.dumps(config, ensure_ascii=False).encode(),
                  ContentType="application/json", CacheControl=NO_CACHE)
    return written + 1


def main(stack: str, dist: Path) -> None:
    import boto3

    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    config = page_config(outputs, os.environ.get("GONGJIAN_TILES_URL"))
    count = publish(boto3.client("s3"), outputs["ConsoleBucketName"], dist, config)
    print(f"console: {count} files to {outputs['ConsoleBucketName']}; open {outputs['ConsoleUrl']}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "web" / "dist")
