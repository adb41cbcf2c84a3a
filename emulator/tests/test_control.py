"""Test controls: the request log counts calls by service and action; throttling answers in each
protocol's own error format, which botocore recognises and retries."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_request_log_counts_calls_by_action_and_writes(aws, client):
    cfn, secrets = client("cloudformation"), client("secretsmanager")
    cfn.describe_stacks()
    cfn.describe_stacks()
    secrets.create_secret(Name="x", SecretString="y")  # JSON protocol: X-Amz-Target
    client("backup").list_backup_vaults()  # REST protocol: method and path
    client("s3").list_buckets()
    log = aws.requests()
    assert log["by_action"]["cloudformation.DescribeStacks"] == 2
    assert log["by_action"]["secretsmanager.CreateSecret"] == 1
    assert log["by_action"]["backup.ListBackupVaults"] == 1
    assert log["by_action"]["s3.ListBuckets"] == 1
    assert log["writes"] == 1
    assert {e["region"] for e in log["log"]} == {"us-west-2"}
    aws.post("aws", "/_emulator/requests", method="DELETE")
    assert aws.requests()["total"] == 0


def test_throttling_is_retried_by_botocore(aws, client):
    aws.post("aws", "/_emulator/config", {"throttle": {"count": 2, "services": ["cloudformation"]}})
    cfn = client("cloudformation", retries={"mode": "standard", "max_attempts": 5})
    cfn.describe_stacks()  # succeeds on the third attempt
    client("secretsmanager").list_secrets()  # another service: not throttled
    log = aws.requests()
    assert log["throttled"] == 2
    assert log["by_action"]["cloudformation.DescribeStacks"] == 3


def test_a_fraction_of_calls_is_throttled(aws, client):
    aws.post("aws", "/_emulator/config", {"throttle": {"rate": 0.5, "seed": 3}})
    sns = client("sns", retries={"max_attempts": 1})
    for _attempt in range(20):
        try:
            sns.list_topics()
        except ClientError:
            pass
    assert 3 <= aws.requests()["throttled"] <= 17


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("cloudformation", lambda c: c.describe_stacks(), "Throttling"),  # query protocol
        ("secretsmanager", lambda c: c.list_secrets(), "ThrottlingException"),  # JSON protocol
        ("backup", lambda c: c.list_backup_vaults(), "ThrottlingException"),  # REST-JSON protocol
        ("s3", lambda c: c.list_buckets(), "SlowDown"),  # REST-XML protocol
    ],
)
def test_throttling_error_codes_per_protocol(aws, client, service, call, code):
    aws.post("aws", "/_emulator/config", {"throttle": {"rate": 1.0}})
    with pytest.raises(ClientError) as error:
        call(client(service, retries={"max_attempts": 1}))
    assert error.value.response["Error"]["Code"] == code


def test_reset_clears_state_and_controls(aws, client):
    client("secretsmanager").create_secret(Name="x", SecretString="y")
    aws.post("aws", "/_emulator/config", {"stack_latency": {"*": 3}})
    aws.reset()
    assert client("secretsmanager").list_secrets()["SecretList"] == []
    assert aws.post("aws", "/_emulator/config", method="GET")["stack_latency"] == {}


def test_a_fault_needs_a_reason_and_a_target(aws):
    from urllib.error import HTTPError

    with pytest.raises(HTTPError, match="400"):
        aws.post("aws", "/_emulator/faults", {"resource": "X"})


@pytest.mark.parametrize("region", ["us-west-2", "us-east-1"])
def test_the_fixed_network_exists_and_survives_a_reset(aws, client, region):
    from emulator.aws.network import network_ids

    ids = network_ids(region)
    for _attempt in range(2):
        ec2 = client("ec2", region)
        assert ec2.describe_vpcs(VpcIds=[ids["vpc_id"]])["Vpcs"][0]["CidrBlock"] == ids["cidr"]
        subnets = ec2.describe_subnets(SubnetIds=ids["subnet_ids"])["Subnets"]
        assert len({s["AvailabilityZone"] for s in subnets}) == 3
        aws.reset()


def test_s3_operations_of_one_method_and_path_are_told_apart_by_their_required_members(aws, client):
    """PutObject and CopyObject are both PUT /{Bucket}/{Key+}; CopyObject requires x-amz-copy-source. DeleteObject
    and AbortMultipartUpload are both DELETE /{Bucket}/{Key+}; the abort requires uploadId (botocore's S3 model)."""
    s3 = client("s3")
    s3.create_bucket(Bucket="log", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_object(Bucket="log", Key="a", Body=b"x")
    s3.copy_object(Bucket="log", Key="b", CopySource={"Bucket": "log", "Key": "a"})
    upload = s3.create_multipart_upload(Bucket="log", Key="c")["UploadId"]
    s3.abort_multipart_upload(Bucket="log", Key="c", UploadId=upload)
    s3.delete_object(Bucket="log", Key="b")
    counts = aws.requests()["by_action"]
    assert [counts.get(f"s3.{a}") for a in ("PutObject", "CopyObject", "AbortMultipartUpload", "DeleteObject")] == [
        1,
        1,
        1,
        1,
    ]
