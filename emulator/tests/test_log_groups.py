"""A log group encrypted with a KMS key exists only when the key's policy lets CloudWatch Logs use it
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): through the API, and through
a template's AWS::Logs::LogGroup, whose stack then fails with AWS's reason."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "us-west-2"
ADMIN = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
LOGS = {
    "Effect": "Allow",
    "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    "Resource": "*",
    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"}},
}


def _key(client, *statements) -> str:
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return client("kms", REGION).create_key(Policy=policy)["KeyMetadata"]["Arn"]


def test_a_key_whose_policy_does_not_name_cloudwatch_logs_is_refused(client):
    logs = client("logs", REGION)
    with pytest.raises(ClientError) as refused:
        logs.create_log_group(logGroupName="/app/refused", kmsKeyId=_key(client, ADMIN))
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        "The specified KMS key does not exist or is not allowed to be used with Arn "
        f"'arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app/refused'"
    )
    assert logs.describe_log_groups()["logGroups"] == []
    key = _key(client, ADMIN, LOGS)
    logs.create_log_group(logGroupName="/app/encrypted", kmsKeyId=key)
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"] == key
    # the policy's encryption context names other log groups only: refused
    other = dict(LOGS, Condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:x:1:log-group:y"}})
    with pytest.raises(ClientError, match="AccessDeniedException"):
        logs.create_log_group(logGroupName="/app/other", kmsKeyId=_key(client, ADMIN, other))


def test_a_templates_log_group_with_such_a_key_fails_its_stack(client):
    template = {
        "Resources": {
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [ADMIN]}},
            },
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/app/stack", "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
            },
        }
    }
    cloudformation = client("cloudformation", REGION)
    cloudformation.create_stack(StackName="logs", TemplateBody=json.dumps(template))
    stack = cloudformation.describe_stacks(StackName="logs")["Stacks"][0]
    assert stack["StackStatus"] in ("CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_IN_PROGRESS")
    reasons = [
        e.get("ResourceStatusReason", "") for e in cloudformation.describe_stack_events(StackName="logs")["StackEvents"]
    ]
    assert any("is not allowed to be used with Arn" in reason for reason in reasons), reasons
