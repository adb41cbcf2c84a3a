"""The collection against failure modes AWS documents (the emulator's side: emulator/tests/test_failure_modes.py).

- Throttling: every service the collection calls through module_utils/aws_client.py answers a throttled call
  with its own code (emulator/aws/throttling.py names the page of each); the collection's retries recover,
  both as its action plugins make calls (botocore's standard retry mode) and as its modules do (amazon.aws's
  AWSRetry with aws_client.THROTTLING_CODES, botocore's own retries off to show it is ours that recover).
- Termination protection
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html): the stack
  plugin deletes a protected stack only with the teardown confirmation.
- UPDATE_ROLLBACK_FAILED
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed):
  the stack plugin refuses to touch such a stack and names the command that shows why.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client
from tests.integration.ansible import run_module

# (service, signing name, an action the collection calls through aws_client, its parameters)
CALLS = [
    ("cloudformation", "cloudformation", "DescribeStacks", {}),
    ("rds", "rds", "DescribeGlobalClusters", {}),
    ("elasticache", "elasticache", "DescribeSnapshots", {}),
    ("cloudwatch", "monitoring", "GetMetricData", {"MetricDataQueries": [], "StartTime": 0, "EndTime": 60}),
    ("backup", "backup", "ListRecoveryPointsByBackupVault", {"BackupVaultName": "vault"}),
    ("ssm", "ssm", "GetParameter", {"Name": "lock"}),
    ("sts", "sts", "GetCallerIdentity", {}),
    ("ec2", "ec2", "DescribeRegions", {}),
    ("route53", "route53", "GetHostedZone", {"Id": "zone"}),
]


class _Module:
    """What module_clients needs of an AnsibleAWSModule: its region and ``client(..., retry_decorator)``, which
    wraps the boto3 client in amazon.aws's RetryingBotoClientWrapper as AnsibleAWSModule.client does."""

    region = "us-west-2"

    def __init__(self, emulator):
        self.emulator = emulator

    def client(self, service, region=None, retry_decorator=None):
        from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

        plain = self.emulator.client(service, region or self.region, retries={"total_max_attempts": 1})
        return RetryingBotoClientWrapper(plain, retry_decorator)


@pytest.mark.parametrize(("service", "signing", "action", "params"), CALLS, ids=[c[0] for c in CALLS])
def test_the_collections_retries_recover_from_each_services_throttle(
    aws, monkeypatch, service, signing, action, params
):
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # AWSRetry's jittered back-off, not its waiting
    aws.client("backup").create_backup_vault(BackupVaultName="vault")
    aws.client("ssm").put_parameter(Name="lock", Value="free", Type="String")
    zone = aws.client("route53").create_hosted_zone(Name="registry.internal", CallerReference="r")["HostedZone"]["Id"]
    params = {**params, "Id": zone.split("/")[-1]} if service == "route53" else params
    throttle = {"throttle": {"count": 2, "services": [signing], "actions": [action]}}

    aws.post("aws", "/_emulator/config", throttle)  # as the modules call: AWSRetry, botocore's retries off
    clients = aws_client.module_clients(_Module(aws))
    clients(service, None).call(action, **params)
    assert clients.api_calls == [f"{service}.{action}"]

    aws.post("aws", "/_emulator/config", throttle)  # as the action plugins call: botocore's standard retries
    from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import boto3_clients

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, aws.env()[name])
    boto3_clients(endpoint_url=aws.aws_url)(service, "us-west-2").call(action, **params)
    assert aws.requests()["throttled"] == 4


def test_throttling_codes_cover_every_code_the_emulator_answers_with():
    """aws_client.THROTTLING_CODES, which the modules' AWSRetry retries, knows every service's throttling code."""
    from emulator.aws.throttling import THROTTLES

    assert {t.code for t in THROTTLES.values()} | {t.query_code for t in THROTTLES.values() if t.query_code} <= set(
        aws_client.THROTTLING_CODES
    )


TOPIC = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}


def _template(tmp_path, body: dict):
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(body))
    return str(path)


def _writes(aws) -> list[str]:
    return [f"{e['service']}.{e['action']}" for e in aws.requests()["log"] if e["write"]]


def test_a_stack_in_update_rollback_failed_is_refused_with_the_command_that_shows_why(aws, client, tmp_path):
    args = {"name": "stuck", "region": "us-west-2", "template": _template(tmp_path, TOPIC), "drift": "skip"}
    assert not run_module(aws, tmp_path, "cloudformation_stack", args)[0].get("failed")
    aws.post("aws", "/_emulator/faults", {"resource": "Queue", "reason": "Queue quota reached"})
    aws.post("aws", "/_emulator/faults", {"resource": "Topic", "reason": "Topic changed outside", "during": "rollback"})
    grown = {"Resources": {**TOPIC["Resources"], "Queue": {"Type": "AWS::SQS::Queue"}}}
    failed = run_module(aws, tmp_path, "cloudformation_stack", {**args, "template": _template(tmp_path, grown)})[0]
    assert failed["failed"] and failed["status"] == "UPDATE_ROLLBACK_FAILED"
    assert "Topic (AWS::SNS::Topic): UPDATE_FAILED - Topic changed outside" in failed["failure_lines"]

    aws.post("aws", "/_emulator/requests", method="DELETE")
    refused = run_module(aws, tmp_path, "cloudformation_stack", args)[0]
    assert refused["failed"] and refused["reason"] == "needs_a_person"
    assert (
        'See why with "aws cloudformation describe-stack-events --stack-name stuck --region us-west-2"'
        in (refused["msg"])
    )
    assert refused["msg"].endswith("Nothing was changed.") and _writes(aws) == []
    stack = client("cloudformation").describe_stacks(StackName="stuck")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_FAILED"


def test_a_protected_stack_is_deleted_only_with_the_teardown_confirmation(aws, client, tmp_path):
    args = {"name": "kept", "region": "us-west-2", "template": _template(tmp_path, TOPIC), "drift": "skip"}
    created = run_module(aws, tmp_path, "cloudformation_stack", {**args, "termination_protection": True})[0]
    assert not created.get("failed"), created.get("msg")
    cfn = client("cloudformation")
    assert cfn.describe_stacks(StackName="kept")["Stacks"][0]["EnableTerminationProtection"] is True

    aws.post("aws", "/_emulator/requests", method="DELETE")
    refused = run_module(
        aws, tmp_path, "cloudformation_stack", {"name": "kept", "region": "us-west-2", "state": "absent"}
    )[0]
    assert refused["failed"] and refused["reason"] == "protected" and _writes(aws) == []

    deleted = run_module(
        aws,
        tmp_path,
        "cloudformation_stack",
        {"name": "kept", "region": "us-west-2", "state": "absent", "delete_protected": True},
    )[0]
    assert not deleted.get("failed") and deleted["status"] == "DELETE_COMPLETE"
    assert deleted["api_calls"][1:3] == ["cloudformation.UpdateTerminationProtection", "cloudformation.DeleteStack"]
