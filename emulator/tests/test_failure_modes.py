"""Failure modes AWS documents and the collection depends on, as the emulator serves them; each test names the
page it follows. (The collection's side of each - retries, refusals - is tests/integration/test_aws_failure_modes.py.)
"""

from __future__ import annotations

import json
import pathlib
import urllib.error
import urllib.request

import pytest
import yaml
from botocore.exceptions import ClientError

from emulator.aws import policies, throttling

REPO = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"

# --- throttling: each service's code, in the protocol the client spoke --------------------------------------

# (service, a call the collection makes or a module it uses makes, the code AWS answers a throttled call with)
THROTTLED_CALLS = [
    ("cloudformation", lambda c: c.describe_stacks(), "Throttling"),
    ("rds", lambda c: c.describe_global_clusters(), "Throttling"),
    ("elasticache", lambda c: c.describe_replication_groups(), "Throttling"),
    ("sts", lambda c: c.get_caller_identity(), "Throttling"),
    ("cloudwatch", lambda c: c.list_metrics(), "Throttling"),  # JSON, query-compatible: x-amzn-query-error
    ("sns", lambda c: c.list_topics(), "ThrottlingException"),
    ("ec2", lambda c: c.describe_regions(), "RequestLimitExceeded"),
    ("s3", lambda c: c.list_buckets(), "SlowDown"),
    ("secretsmanager", lambda c: c.list_secrets(), "ThrottlingException"),
    ("ssm", lambda c: c.describe_parameters(), "ThrottlingException"),
    ("kms", lambda c: c.list_keys(), "ThrottlingException"),
    ("backup", lambda c: c.list_backup_vaults(), "ThrottlingException"),
    ("lambda", lambda c: c.list_functions(), "TooManyRequestsException"),
    ("route53", lambda c: c.create_hosted_zone(Name="throttled.internal", CallerReference="once"), "Throttling"),
]


@pytest.mark.parametrize(("service", "call", "code"), THROTTLED_CALLS, ids=[t[0] for t in THROTTLED_CALLS])
def test_a_throttled_call_carries_its_services_code_and_status(aws, client, service, call, code):
    """The codes and statuses of throttling.THROTTLES, each with the page it follows; botocore parses the code
    out of the answer in the protocol the client spoke (CloudWatch: JSON)."""
    aws.post("aws", "/_emulator/config", {"throttle": {"count": 1, "services": [_signing(service)]}})
    with pytest.raises(ClientError) as error:
        call(client(service, retries={"total_max_attempts": 1}))
    response = error.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == throttling.THROTTLES[service].status
    assert throttling.THROTTLES[service].doc.startswith("https://")


def _signing(service: str) -> str:
    return {"cloudwatch": "monitoring"}.get(service, service)


def test_cloudwatch_throttles_a_query_client_in_xml_and_a_json_client_in_json(aws, client):
    """CloudWatch speaks query (AWS CLI v1, older SDKs) and JSON (this botocore). A throttled call is answered in
    the client's protocol: the query ErrorResponse of https://repost.aws/knowledge-center/cloudwatch-400-error-throttling,
    or JSON with the query code in x-amzn-query-error (awsQueryCompatible,
    https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait)."""
    aws.post("aws", "/_emulator/config", {"throttle": {"count": 2, "services": ["monitoring"]}})
    request = urllib.request.Request(  # noqa: S310 - the local emulator
        aws.aws_url + "/",
        data=b"Action=ListMetrics&Version=2010-08-01",
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-west-2/monitoring/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    body = answer.value.read().decode()
    assert answer.value.code == 400 and "<Code>Throttling</Code>" in body and "<Type>Sender</Type>" in body

    with pytest.raises(ClientError) as error:
        client("cloudwatch", retries={"total_max_attempts": 1}).list_metrics()
    headers = error.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-query-error"] == "Throttling;Sender"
    assert headers["content-type"].startswith("application/x-amz-json-1.0")
    assert error.value.response["Error"]["Code"] == "Throttling"


def test_botocores_retries_recover_from_every_services_throttle(aws, client):
    """botocore's standard retry mode (what the collection's action plugins use) retries each code above."""
    for service, call, _code in THROTTLED_CALLS:
        aws.post("aws", "/_emulator/config", {"throttle": {"count": 1, "services": [_signing(service)]}})
        call(client(service, retries={"mode": "standard", "max_attempts": 3}))
    assert aws.requests()["throttled"] == len(THROTTLED_CALLS)


# --- S3 bucket policy conditions ----------------------------------------------------------------------------


def _bucket_policies() -> list[tuple[str, str, dict]]:
    """(template, logical id, policy document) of every AWS::S3::BucketPolicy of the templates."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    found = []
    for path in sorted(REPO.glob("roles/*/files/*.yaml")):
        template = yaml.load(path.read_text(), Loader=Loader)  # noqa: S506 - a SafeLoader subclass
        for name, resource in (template.get("Resources") or {}).items():
            if resource.get("Type") == "AWS::S3::BucketPolicy":
                found.append((path.name, name, resource["Properties"]["PolicyDocument"]))
    return found


def test_every_bucket_policy_condition_of_the_templates_is_one_the_emulator_evaluates():
    """The templates' bucket policies use Bool (aws:SecureTransport) and StringEquals (aws:SourceAccount,
    aws:SourceArn, s3:x-amz-acl); an operator the emulator does not evaluate (IpAddress, Numeric..., Date...,
    ForAnyValue:...) fails here before it is silently misjudged (policies.SUPPORTED)."""
    seen = set()
    for _template, _name, document in _bucket_policies():
        for operator, key in policies.operators(document):
            policies.operator_of(operator)  # UnsupportedCondition names the template's new operator
            seen.add((operator, key.lower()))
    assert {op for op, _key in seen} <= {"Bool", "StringEquals"}, seen
    assert ("Bool", "aws:securetransport") in seen and ("StringEquals", "aws:sourcearn") in seen


def _bucket(client, name: str, statements: list[dict]):
    s3 = client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_object(Bucket=name, Key="k", Body=b"v")
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return s3


def _deny(condition: dict) -> dict:
    return {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*",
            "Condition": condition}  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "denied"),
    [
        # a key the request does not carry: the condition does not hold
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, False),
        ({"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-west-2:123456789012:trail/t"}}, False),
        # ... except for the negated operators and ...IfExists, and Null asks exactly that
        ({"StringNotEquals": {"aws:SourceAccount": ACCOUNT}}, True),
        ({"StringEqualsIfExists": {"aws:SourceAccount": "999999999999"}}, True),
        ({"Null": {"aws:SourceArn": "true"}}, True),
        # keys are case-insensitive; several values of one key: any of them
        ({"StringEquals": {"AWS:PrincipalAccount": ["999999999999", ACCOUNT]}}, True),
        ({"StringLike": {"aws:PrincipalAccount": "1234*"}}, True),
        # several keys: all of them
        ({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:PrincipalAccount": "999999999999"}}, False),
        ({"Bool": {"aws:SecureTransport": "false"}}, False),  # the templates' DenyInsecureTransport
    ],
)
def test_bucket_policy_conditions_follow_iams_evaluation(client, condition, denied):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html"""
    s3 = _bucket(client, "conditions", [_deny(condition)])
    if denied:
        with pytest.raises(ClientError, match="AccessDenied|Forbidden|403"):
            s3.get_object(Bucket="conditions", Key="k")
    else:
        assert s3.get_object(Bucket="conditions", Key="k")["Body"].read() == b"v"


def test_a_condition_operator_the_emulator_does_not_evaluate_is_refused_loudly(client):
    s3 = _bucket(client, "unmodelled", [_deny({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})])
    with pytest.raises(ClientError) as error:
        s3.get_object(Bucket="unmodelled", Key="k")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


# --- CloudFormation: termination protection, UPDATE_ROLLBACK_FAILED -----------------------------------------

TOPIC = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}


def test_a_stack_with_termination_protection_is_not_deleted(client):
    """https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html: "If a user
    attempts to delete a stack with termination protection enabled, the deletion fails and the stack, including
    its status, remains unchanged"."""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="kept", TemplateBody=json.dumps(TOPIC), EnableTerminationProtection=True)
    with pytest.raises(ClientError, match="cannot be deleted while TerminationProtection is enabled"):
        cfn.delete_stack(StackName="kept")
    assert cfn.describe_stacks(StackName="kept")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    cfn.update_termination_protection(StackName="kept", EnableTerminationProtection=False)
    cfn.delete_stack(StackName="kept")


def test_an_update_whose_rollback_fails_ends_update_rollback_failed_and_refuses_updates(aws, client):
    """https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed:
    a resource that cannot be restored leaves the stack UPDATE_ROLLBACK_FAILED; it cannot be updated until the
    rollback is continued (the fault "during": "rollback")."""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="stuck", TemplateBody=json.dumps(TOPIC))
    aws.post("aws", "/_emulator/faults", {"resource": "Queue", "reason": "Queue quota reached"})
    aws.post("aws", "/_emulator/faults", {"resource": "Topic", "reason": "Topic changed outside", "during": "rollback"})
    grown = {"Resources": {**TOPIC["Resources"], "Queue": {"Type": "AWS::SQS::Queue"}}}
    cfn.update_stack(StackName="stuck", TemplateBody=json.dumps(grown))
    assert cfn.describe_stacks(StackName="stuck")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_FAILED"
    pages = cfn.get_paginator("describe_stack_events").paginate(StackName="stuck")
    events = [event for page in pages for event in page["StackEvents"]]
    assert (events[0]["LogicalResourceId"], events[0]["ResourceStatus"]) == ("stuck", "UPDATE_ROLLBACK_FAILED")
    assert any(e["LogicalResourceId"] == "Topic" and e["ResourceStatus"] == "UPDATE_FAILED" for e in events)
    with pytest.raises(ClientError, match="UPDATE_ROLLBACK_FAILED state and can not be updated"):
        cfn.update_stack(StackName="stuck", TemplateBody=json.dumps(TOPIC))


# --- S3 Object Ownership ------------------------------------------------------------------------------------


def test_a_new_bucket_has_acls_disabled_and_a_templates_ownership_controls_apply(client):
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html: "Bucket owner enforced"
    is the default for new buckets; AWS::S3::Bucket OwnershipControls sets another (amazon.aws.s3_object reads it
    to decide whether to set object ACLs)."""
    s3 = client("s3")
    s3.create_bucket(Bucket="owned", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    rules = s3.get_bucket_ownership_controls(Bucket="owned")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    template = {
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": "writer-owned",
                    "OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
                },
            }
        }
    }
    client("cloudformation").create_stack(StackName="owned", TemplateBody=json.dumps(template))
    rules = s3.get_bucket_ownership_controls(Bucket="writer-owned")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]


# --- names AWS refuses -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group_id",
    ["a" * 41, "ai-model-registry-x1-development-redis-dr", "1cache", "cache-", "cache--dr"],
)
def test_a_replication_group_id_elasticache_does_not_allow_is_refused(client, group_id):
    """CreateReplicationGroup's ReplicationGroupId: 1 to 40 letters, digits or hyphens, beginning with a letter, no
    trailing or double hyphen (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html)."""
    elasticache = client("elasticache")
    with pytest.raises(ClientError) as refused:
        elasticache.create_replication_group(
            ReplicationGroupId=group_id, ReplicationGroupDescription="x", CacheNodeType="cache.t4g.micro"
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert elasticache.describe_replication_groups()["ReplicationGroups"] == []
    allowed = "a" * 40
    elasticache.create_replication_group(
        ReplicationGroupId=allowed, ReplicationGroupDescription="x", CacheNodeType="cache.t4g.micro"
    )
    assert [g["ReplicationGroupId"] for g in elasticache.describe_replication_groups()["ReplicationGroups"]] == [
        allowed
    ]
