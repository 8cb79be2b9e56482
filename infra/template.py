"""The CloudFormation resources merged into `chalice package` output (`--merge-template`).

Tables come from the PynamoDB models (`functions.models.ALL_TABLES`), the single definition of
their keys and indexes; everything else a stage needs is declared here: the bucket (encrypted,
versioned, private, TLS-only, exports expiring by tag), the assessment and notification queues with
their dead-letter queues, the KMS key that seals robot and webhook secrets, the Cognito user pool whose tokens the app verifies, API Gateway error responses that carry
CORS headers, and least-privilege IAM:

- in the China regions (no Cognito user pools there) an external OpenID Connect provider instead,
  named by stack parameters;
- the API function's own role reaches the tables and bucket of its stage only, with no PartiQL;
- `TenantDataRole`, which the function assumes per tenant with a `tenant` session tag, reaches
  only items whose partition key starts with `<tenant>#` (`dynamodb:LeadingKeys` on the delimiter,
  so `acme` never reaches `acme-corp`) and only objects under `tenants/<tenant>/`, with no Scan or
  PartiQL at all.

    python -m infra.template STAGE REGION > build/resources.json
"""
from __future__ import annotations

import json
import sys
from typing import Any

from infra import console

TENANT_ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                       "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"]
EXPORT_RETENTION_DAYS = (1, 3, 7, 14, 30)
AUDIT_DIGEST_RETENTION_YEARS = 10  # digests outlive any export or record retention a district sets
COGNITO_ADMIN_ACTIONS = ["cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser", "cognito-idp:AdminDisableUser",
                         "cognito-idp:AdminEnableUser", "cognito-idp:AdminUserGlobalSignOut",
                         "cognito-idp:AdminUpdateUserAttributes"]
PRE_TOKEN = "PreToken"  # the function Chalice packages for `app.issue_token_claims`


def logical_name(table_name: str) -> str:
    return "".join(part.capitalize() for part in table_name.split("-")[-1:]) + "Table"


def table_resource(model: Any) -> dict[str, Any]:
    """A DynamoDB table exactly as the PynamoDB model declares it."""
    schema = model._get_schema()
    resource: dict[str, Any] = {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "TableName": model.Meta.table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": sorted(schema["attribute_definitions"], key=lambda a: a["AttributeName"]),
            "KeySchema": schema["key_schema"],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        },
    }
    if getattr(model.Meta, "stream_view_type", None):
        resource["Properties"]["StreamSpecification"] = {"StreamViewType": model.Meta.stream_view_type}
    if schema["global_secondary_indexes"]:
        resource["Properties"]["GlobalSecondaryIndexes"] = [
            {"IndexName": i["index_name"], "KeySchema": i["key_schema"], "Projection": i["projection"]}
            for i in schema["global_secondary_indexes"]]
    return resource


def resources(stage: str, region: str) -> dict[str, Any]:
    """Every resource of the stage; table names follow `GONGJIAN_TABLE_PREFIX` (set by the caller)."""
    from functions.models import ALL_TABLES, AuditTable, PlatformTable

    prefix = f"gongjian-{stage}"
    tables = {logical_name(m.Meta.table_name): table_resource(m) for m in ALL_TABLES}
    table_arns = [{"Fn::GetAtt": [name, "Arn"]} for name in tables]
    index_arns = [{"Fn::Sub": ["${Arn}/index/*", {"Arn": {"Fn::GetAtt": [name, "Arn"]}}]} for name in tables]
    bucket_arn = {"Fn::GetAtt": ["DataBucket", "Arn"]}
    cors = {"gatewayresponse.header.Access-Control-Allow-Origin": f"'{cors_origin()}'",
            "gatewayresponse.header.Access-Control-Allow-Headers": "'Authorization,Content-Type,Idempotency-Key,If-Match,X-Tenant,Accept-Language'"}
    out: dict[str, Any] = dict(tables)
    out["DataBucket"] = {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketName": {"Fn::Sub": f"{prefix}-data-${{AWS::AccountId}}"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            # the console and the field app PUT photos and minutes to presigned URLs and read exports
            # back to check their manifest: from the web client's origin only
            "CorsConfiguration": {"CorsRules": [{"AllowedMethods": ["GET", "HEAD", "PUT"], "AllowedOrigins": [cors_origin()],
                                                 "AllowedHeaders": ["*"], "ExposedHeaders": ["ETag"], "MaxAge": 600}]},
            "LifecycleConfiguration": {"Rules": [
                {"Id": f"exports-{days}d", "Status": "Enabled", "ExpirationInDays": days,
                 "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                 "TagFilters": [{"Key": "expires-after-days", "Value": str(days)}]} for days in EXPORT_RETENTION_DAYS] + [
                {"Id": "staging-uploads", "Status": "Enabled", "Prefix": "tenants/", "AbortIncompleteMultipartUpload":
                 {"DaysAfterInitiation": 2}}]},
        },
    }
    out["DataBucketPolicy"] = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": {"Ref": "DataBucket"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [bucket_arn, {"Fn::Sub": "${DataBucket.Arn}/*"}],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}},
    }
    out["AssessmentDeadLetterQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": f"{prefix}-assessments-dlq", "MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True}}
    out["AssessmentQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": f"{prefix}-assessments", "VisibilityTimeout": 960, "SqsManagedSseEnabled": True,
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["AssessmentDeadLetterQueue", "Arn"]}, "maxReceiveCount": 3}}}
    out["JobsDeadLetterQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": f"{prefix}-jobs-dlq", "MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True}}
    out["JobsQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": f"{prefix}-jobs", "VisibilityTimeout": 960, "SqsManagedSseEnabled": True,
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}, "maxReceiveCount": 3}}}
    out["NotifyDeadLetterQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": f"{prefix}-notify-dlq", "MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True}}
    out["NotifyQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": f"{prefix}-notify", "VisibilityTimeout": 60, "SqsManagedSseEnabled": True,
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["NotifyDeadLetterQueue", "Arn"]}, "maxReceiveCount": 3}}}
    # robot and webhook secrets are sealed with this key, bound to their tenant (encryption context)
    out["SecretsKey"] = {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                         "Properties": {"EnableKeyRotation": True, "KeyPolicy": {"Version": "2012-10-17", "Statement": [
                             {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                              "Action": "kms:*", "Resource": "*"}]}}}
    # Audit digests: signed with a key only the sealer's role may use, kept where nobody can
    # overwrite or delete them before their retention ends (functions.audit.digests)
    out["AuditSigningKey"] = {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                              "Properties": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY",
                                             "KeyPolicy": {"Version": "2012-10-17", "Statement": [
                                                 {"Sid": "Account", "Effect": "Allow",
                                                  "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                                                  "Action": "kms:*", "Resource": "*"}]}}}
    out["AuditDigestBucket"] = {
        "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketName": {"Fn::Sub": f"{prefix}-audit-digests-${{AWS::AccountId}}"},
            "ObjectLockEnabled": True,
            "ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {
                "Mode": "COMPLIANCE", "Years": AUDIT_DIGEST_RETENTION_YEARS}}},
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}}
    audit_table_arn = {"Fn::GetAtt": [logical_name(AuditTable.Meta.table_name), "Arn"]}
    out["AuditSealerRole"] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
        "Policies": [{"PolicyName": "gongjian-audit-sealer", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Sign", "Effect": "Allow", "Action": ["kms:Sign", "kms:GetPublicKey"],
             "Resource": {"Fn::GetAtt": ["AuditSigningKey", "Arn"]}},
            {"Sid": "WriteDigests", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
             "Resource": {"Fn::Sub": "${AuditDigestBucket.Arn}/audit-digests/*"}},
            # without it S3 answers a missing `latest.json` with 403, not 404 (a district's first seal)
            {"Sid": "ListDigests", "Effect": "Allow", "Action": ["s3:ListBucket"],
             "Resource": {"Fn::GetAtt": ["AuditDigestBucket", "Arn"]},
             "Condition": {"StringLike": {"s3:prefix": ["audit-digests/*"]}}},
            {"Sid": "Chain", "Effect": "Allow", "Action": TENANT_ITEM_ACTIONS,
             "Resource": [audit_table_arn, {"Fn::Sub": ["${Arn}/index/*", {"Arn": audit_table_arn}]}]},
            {"Sid": "TenantList", "Effect": "Allow", "Action": ["dynamodb:Query"],
             "Resource": {"Fn::Sub": ["${Arn}/index/*", {"Arn": {"Fn::GetAtt": [logical_name(PlatformTable.Meta.table_name), "Arn"]}}]}},
            {"Sid": "TenantCredentials", "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
             "Resource": {"Fn::GetAtt": ["TenantDataRole", "Arn"]}}]}}]}}
    # any tenant a scheduled job failed for (functions.platform.tenants.count_failures), across jobs
    out["ScheduledJobFailuresAlarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": f"{prefix}-scheduled-job-tenant-failures",
        "AlarmDescription": "A scheduled job failed for at least one tenant (see the error logs: job, tenant, error)",
        "ComparisonOperator": "GreaterThanThreshold", "Threshold": 0, "EvaluationPeriods": 1,
        "TreatMissingData": "notBreaching",
        "Metrics": [{"Id": "failures", "Period": 3600, "ReturnData": True,
                     "Expression": 'SELECT SUM(TenantFailures) FROM SCHEMA("Gongjian", job)'}]}}
    out["UserPool"] = {"Type": "AWS::Cognito::UserPool", "Properties": {
        "UserPoolName": f"{prefix}-users", "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "MfaConfiguration": "OPTIONAL", "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
        "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireLowercase": True, "RequireNumbers": True,
                                        "RequireUppercase": True, "RequireSymbols": False}},
        # Only the tenant lives in Cognito; roles and scopes come from the user directory at every
        # token (the pre-token trigger), so a change there needs no Cognito update.
        # (roles, communities and grids are no longer read but stay declared: a pool's attributes can
        # never be removed, so a stage made before the directory deploys unchanged)
        "Schema": [{"Name": name, "AttributeDataType": "String", "Mutable": True}
                   for name in ("tenant", "roles", "communities", "grids", "audit_tenants")],
        "LambdaConfig": {"PreTokenGenerationConfig": {"LambdaArn": {"Fn::GetAtt": [PRE_TOKEN, "Arn"]},
                                                      "LambdaVersion": "V1_0"}}}}
    for group, text in (("platform_admin", "平台管理员 / platform admins"), ("auditor", "审计员 / auditors")):
        out[f"UserPoolGroup{group.title().replace('_', '')}"] = {"Type": "AWS::Cognito::UserPoolGroup", "Properties": {
            "UserPoolId": {"Ref": "UserPool"}, "GroupName": group, "Description": text}}
    out["PreTokenPermission"] = {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": [PRE_TOKEN, "Arn"]},
        "Principal": "cognito-idp.amazonaws.com", "SourceArn": {"Fn::GetAtt": ["UserPool", "Arn"]}}}
    out["PreTokenRole"] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
        "Policies": [{"PolicyName": "gongjian-pre-token", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            # read the user's record; mark a first sign-in (the record and its audit entry, in one transaction)
            {"Sid": "Directory", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
             "Resource": [{"Fn::GetAtt": [logical_name(PlatformTable.Meta.table_name), "Arn"]},
                          {"Fn::GetAtt": [logical_name(AuditTable.Meta.table_name), "Arn"]}]}]}}]}}
    out["UserPoolClient"] = {"Type": "AWS::Cognito::UserPoolClient", "Properties": {
        "UserPoolId": {"Ref": "UserPool"}, "ClientName": f"{prefix}-web", "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "PreventUserExistenceErrors": "ENABLED",
        "ReadAttributes": ["custom:tenant", "custom:audit_tenants", "email", "phone_number", "name"],
        # users may change their name only: never their district or an auditor's grants
        "WriteAttributes": ["name"], **console.hosted_ui_client(prefix)}}
    out["ApiRole"] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
        "Policies": [{"PolicyName": "gongjian-api", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Tables", "Effect": "Allow", "Action": TENANT_ITEM_ACTIONS + ["dynamodb:DescribeTable",
                                                                                  "dynamodb:Scan"],
             "Resource": table_arns + index_arns},
            {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
                                                              "s3:DeleteObjectVersion",
                                                              "s3:AbortMultipartUpload", "s3:PutObjectTagging"],
             "Resource": {"Fn::Sub": "${DataBucket.Arn}/*"}},
            {"Sid": "Listing", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
             "Resource": bucket_arn},
            {"Sid": "Queue", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                            "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
             "Resource": [{"Fn::GetAtt": [name, "Arn"]} for name in ("AssessmentQueue", "NotifyQueue", "JobsQueue")]},
            # the chainer's event source mapping reads the audit table's stream
            {"Sid": "AuditStream", "Effect": "Allow", "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                                                  "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
             "Resource": {"Fn::GetAtt": [logical_name(AuditTable.Meta.table_name), "StreamArn"]}},
            # verify reads the digests and the public key; only the sealer's role signs or writes them
            {"Sid": "ReadDigests", "Effect": "Allow", "Action": ["s3:GetObject"],
             "Resource": {"Fn::Sub": "${AuditDigestBucket.Arn}/audit-digests/*"}},
            {"Sid": "ListDigests", "Effect": "Allow", "Action": ["s3:ListBucket"],
             "Resource": {"Fn::GetAtt": ["AuditDigestBucket", "Arn"]}},
            {"Sid": "DigestPublicKey", "Effect": "Allow", "Action": ["kms:GetPublicKey"],
             "Resource": {"Fn::GetAtt": ["AuditSigningKey", "Arn"]}},
            {"Sid": "Secrets", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"],
             "Resource": {"Fn::GetAtt": ["SecretsKey", "Arn"]}, "Condition": {"Null": {"kms:EncryptionContext:tenant": "false"}}},
            # SMS and email to people who chose them, when the stage turns them on (GONGJIAN_SMS_ENABLED,
            # GONGJIAN_EMAIL_FROM): SMS has no topic ARN to name; email only from the account's identities
            {"Sid": "Messaging", "Effect": "Allow", "Action": ["sns:Publish", "ses:SendEmail"],
             "Resource": ["*"], "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
            {"Sid": "TenantCredentials", "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
             "Resource": {"Fn::GetAtt": ["TenantDataRole", "Arn"]}},
            # the user directory keeps the pool in step: invite, disable (and sign out), enable, contact details
            {"Sid": "DirectoryAdmin", "Effect": "Allow", "Action": COGNITO_ADMIN_ACTIONS,
             "Resource": {"Fn::GetAtt": ["UserPool", "Arn"]}}]}}]}}
    out["TenantDataRole"] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
             "Action": ["sts:AssumeRole", "sts:TagSession"],
             "Condition": {"StringLike": {"aws:RequestTag/tenant": "?*"}}}]},
        "Policies": [{"PolicyName": "one-tenant", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "OwnPartitionsOnly", "Effect": "Allow", "Action": TENANT_ITEM_ACTIONS, "Resource": table_arns + index_arns,
             "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenant}#*"]}}},
            {"Sid": "OwnObjectsOnly", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject",
                                                                     "s3:DeleteObject", "s3:DeleteObjectVersion",
                                                                     "s3:AbortMultipartUpload"],
             "Resource": {"Fn::Sub": "${DataBucket.Arn}/tenants/${!aws:PrincipalTag/tenant}/*"}},
            {"Sid": "NoScanNoPartiQL", "Effect": "Deny", "Action": ["dynamodb:Scan", "dynamodb:PartiQL*",
                                                                    "dynamodb:ExecuteStatement", "dynamodb:BatchExecuteStatement"],
             "Resource": "*"}]}}]}}
    for name, status in (("Default4xx", "DEFAULT_4XX"), ("Default5xx", "DEFAULT_5XX")):
        out[f"GatewayResponse{name}"] = {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": {
            "RestApiId": {"Ref": "RestAPI"}, "ResponseType": status, "ResponseParameters": cors,
            "ResponseTemplates": {"application/json": '{"type":"about:blank","title":$context.error.messageString,'
                                                      '"status":"$context.error.responseType"}'}}}
    # An unknown path (or method) reaches no function: answer it as the app answers 404, not with the
    # gateway's "Missing Authentication Token" 403.
    out["GatewayResponseUnknownRoute"] = {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": {
        "RestApiId": {"Ref": "RestAPI"}, "ResponseType": "MISSING_AUTHENTICATION_TOKEN", "StatusCode": "404",
        "ResponseParameters": cors,
        "ResponseTemplates": {"application/json": '{"type":"https://gongjian.example/problems/not-found",'
                                                  '"title":"对象不存在","status":404,"detail":"对象不存在"}'}}}
    hosting = console.resources(stage, region, cognito=not external_identity(region))
    out.update(hosting["Resources"])
    if external_identity(region):
        for name in ("UserPool", "UserPoolClient", "PreTokenPermission", "PreTokenRole", "UserPoolGroupPlatformAdmin",
                     "UserPoolGroupAuditor"):
            del out[name]
        out["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].pop()  # no pool to administer
        return {"Parameters": PARAMETERS | console.parameters(region), "Resources": out, "Outputs": hosting["Outputs"]}
    return {"Parameters": console.parameters(region), "Resources": out, "Outputs": hosting["Outputs"]}


# The China regions have no Cognito user pools: there the stage names an external OpenID Connect
# provider (its JWKS URL, issuer and audience) as parameters, and the template creates no pool.
PARAMETERS = {name: {"Type": "String", "MinLength": 1, "Description": text} for name, text in (
    ("IdentityJwksUrl", "External OIDC provider's JWKS URL"),
    ("IdentityIssuer", "External OIDC provider's issuer (iss)"),
    ("IdentityAudience", "External OIDC provider's audience (aud) for this app"))}


def external_identity(region: str) -> bool:
    return region.startswith("cn-")


def function_environment(stage: str, region: str) -> dict[str, Any]:
    """What every function of the stage reads (functions.config)."""
    prefix = f"gongjian-{stage}"
    if external_identity(region):
        identity = {"GONGJIAN_JWKS_URL": {"Ref": "IdentityJwksUrl"}, "GONGJIAN_JWT_ISSUER": {"Ref": "IdentityIssuer"},
                    "GONGJIAN_JWT_AUDIENCE": {"Ref": "IdentityAudience"}}
    else:
        pool = "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${UserPool}"
        identity = {"GONGJIAN_JWKS_URL": {"Fn::Sub": pool + "/.well-known/jwks.json"},
                    "GONGJIAN_JWT_ISSUER": {"Fn::Sub": pool}, "GONGJIAN_JWT_AUDIENCE": {"Ref": "UserPoolClient"},
                    "GONGJIAN_USER_POOL_ID": {"Ref": "UserPool"}}
    return {"Variables": {**identity,
        "GONGJIAN_STAGE": stage, "GONGJIAN_TABLE_PREFIX": prefix,
        "GONGJIAN_BUCKET": {"Ref": "DataBucket"},
        "GONGJIAN_ASSESSMENT_QUEUE_URL": {"Ref": "AssessmentQueue"},
        "GONGJIAN_NOTIFY_QUEUE_URL": {"Ref": "NotifyQueue"},
        "GONGJIAN_JOBS_QUEUE_URL": {"Ref": "JobsQueue"},
        "GONGJIAN_SECRETS_KEY_ID": {"Fn::GetAtt": ["SecretsKey", "Arn"]},
        "GONGJIAN_AUDIT_SIGNING_KEY_ID": {"Fn::GetAtt": ["AuditSigningKey", "Arn"]},
        "GONGJIAN_AUDIT_DIGEST_BUCKET": {"Ref": "AuditDigestBucket"},
        "GONGJIAN_TENANT_ROLE_ARN": {"Fn::GetAtt": ["TenantDataRole", "Arn"]},
        "GONGJIAN_CURSOR_SECRET": {"Fn::Sub": "{{resolve:secretsmanager:" + prefix + "/app:SecretString:cursor_secret}}"},
        "GONGJIAN_EXPORT_SIGNING_KEY": {"Fn::Sub": "{{resolve:secretsmanager:" + prefix + "/app:SecretString:export_signing_key}}"},
        "GONGJIAN_CORS_ORIGIN": cors_origin(),
        "POWERTOOLS_SERVICE_NAME": "gongjian"}}


def trigger_environment(stage: str) -> dict[str, Any]:
    """What the pre-token trigger reads: the tables alone. Nothing of the user pool, which names the
    trigger (a reference back would make the template circular)."""
    return {"Variables": {"GONGJIAN_STAGE": stage, "GONGJIAN_TABLE_PREFIX": f"gongjian-{stage}",
                          "POWERTOOLS_SERVICE_NAME": "gongjian"}}


def cors_origin() -> str:
    """The web client's origin, given when packaging (`GONGJIAN_CORS_ORIGIN=https://… make package`):
    Chalice writes the preflight answers into the template at that moment."""
    import os

    return os.environ.get("GONGJIAN_CORS_ORIGIN", "*")


if __name__ == "__main__":
    json.dump(resources(sys.argv[1] if len(sys.argv) > 1 else "prod", sys.argv[2] if len(sys.argv) > 2 else "ap-east-1"),
              sys.stdout, indent=2, ensure_ascii=False)
