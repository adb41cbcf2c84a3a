"""ai_model_registry.infra.cloudformation_stack through ansible-playbook against the emulator."""

from __future__ import annotations

import re

import yaml

from ansible_collections.ai_model_registry.infra.plugins.modules import cloudformation_stack as docs
from tests.integration.ansible import run_module, run_modules

SHORT_FORM = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Name: {Type: String}
  Retention: {Type: Number, Default: 60, MinValue: 60, MaxValue: 1209600}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${Name}-alerts"
      DisplayName: !Ref Name
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Join ["-", [!Ref Name, queue]]
      MessageRetentionPeriod: !Ref Retention
Outputs:
  TopicArn: {Value: !Ref Topic}
  QueueArn: {Value: !GetAtt Queue.Arn}
"""


def _stack(tmp_path, **changes):
    template = tmp_path / "short-form.yaml"
    template.write_text(SHORT_FORM)
    args = {"name": "amr-short", "region": "us-west-2", "template": str(template), "parameters": {"Name": "amr"}}
    args.update(changes)
    return args


def test_a_short_form_template_deploys_and_a_rerun_changes_nothing_in_two_reads(aws, client, tmp_path):
    role = "arn:aws:iam::123456789012:role/platform-access/ai-model-registry-cloudformation"
    created, process = run_module(aws, tmp_path, "cloudformation_stack", _stack(tmp_path, role_arn=role))
    assert created["changed"] and created["action"] == "create", created.get("msg")
    # CloudFormation's service role made the resources (the stack keeps it for its later operations)
    assert client("cloudformation").describe_stacks(StackName="amr-short")["Stacks"][0]["RoleARN"] == role
    assert created["outputs"]["TopicArn"].endswith(":amr-alerts")
    # each stack event was shown as it arrived, not a retry counter
    assert re.search(r"amr-short: \S+ Queue \(AWS::SQS::Queue\) CREATE_COMPLETE", process.stdout)
    assert "RETRYING" not in process.stdout

    # the first re-run detects drift (never checked); the next reports that detection: two reads, nothing else
    detected = run_module(aws, tmp_path, "cloudformation_stack", _stack(tmp_path, drift_max_age=3600))[0]
    assert (detected["changed"], detected["action"], detected["drift"]["detected"]) == (False, "none", True)
    assert detected["api_calls"][2:] == [
        "cloudformation.DetectStackDrift",
        "cloudformation.DescribeStackDriftDetectionStatus",
    ]
    aws.post("aws", "/_emulator/requests", method="DELETE")
    again = run_module(aws, tmp_path, "cloudformation_stack", _stack(tmp_path, drift_max_age=3600))[0]
    assert (again["changed"], again["action"]) == (False, "none")
    assert again["api_calls"] == ["cloudformation.DescribeStacks", "cloudformation.GetTemplate"]
    assert aws.requests()["total"] == 2
    assert again["drift"] == {**detected["drift"], "detected": False, "age_seconds": again["drift"]["age_seconds"]}


def test_every_documented_return_key_is_returned(aws, tmp_path):
    documented = yaml.safe_load(docs.RETURN)
    calls = [
        _stack(tmp_path),
        (_stack(tmp_path, parameters={"Name": "amr", "Retention": 120}), {"check_mode": True}),
        _stack(tmp_path),
        _stack(tmp_path, parameters={"Name": "amr", "Retention": 1}),
        {"name": "amr-short", "region": "us-west-2", "state": "read"},
    ]
    created, preview, drifted, refused, read = run_modules(aws, tmp_path, "cloudformation_stack", calls)[0]
    assert preview["action"] == "preview" and refused["failed"], (preview, refused)
    assert (read["status"], read["parameters"]["Name"], read["changed"]) == ("CREATE_COMPLETE", "amr", False)
    seen = set(created) | set(preview) | set(drifted) | set(refused) | set(read)
    assert set(documented) - {"failures"} <= seen, set(documented) - seen


def test_bad_parameters_are_refused_before_any_aws_call(aws, tmp_path):
    result = run_module(aws, tmp_path, "cloudformation_stack", _stack(tmp_path, parameters={"Name": "amr", "Typo": 1}))[
        0
    ]
    assert result["failed"] and result["reason"] == "bad_input"
    assert "does not declare: Typo" in result["msg"] and "Nothing was changed" in result["msg"]
    assert aws.requests()["total"] == 0


def test_a_console_edit_is_reported_as_drift_and_can_fail_the_run(aws, client, tmp_path):
    created = run_module(aws, tmp_path, "cloudformation_stack", _stack(tmp_path))[0]
    client("sns").set_topic_attributes(
        TopicArn=created["outputs"]["TopicArn"], AttributeName="DisplayName", AttributeValue="edited in the console"
    )
    reported, process = run_module(aws, tmp_path, "cloudformation_stack", _stack(tmp_path))
    assert reported["changed"] is False, reported
    assert reported["drift"]["status"] == "DRIFTED", reported
    topic = [d for d in reported["drift"]["drifted_resources"] if d["logical_resource_id"] == "Topic"][0]
    assert topic["status"] == "MODIFIED"
    assert {"path": "/DisplayName", "expected": "amr", "actual": "edited in the console", "type": "NOT_EQUAL"} in topic[
        "property_differences"
    ]
    assert "has drifted from its template" in process.stdout + process.stderr
    failed = run_module(aws, tmp_path, "cloudformation_stack", _stack(tmp_path, drift="fail"))[0]
    assert failed["failed"] and failed["reason"] == "drifted"


def test_check_mode_deletes_nothing_and_protection_needs_the_confirmation(aws, client, tmp_path):
    run_module(aws, tmp_path, "cloudformation_stack", _stack(tmp_path, termination_protection=True))
    aws.post("aws", "/_emulator/requests", method="DELETE")
    preview = run_module(
        aws,
        tmp_path,
        "cloudformation_stack",
        {"name": "amr-short", "region": "us-west-2", "state": "absent", "delete_protected": True},
        "--check",
    )[0]
    assert preview["action"] == "preview" and aws.requests()["writes"] == 0
    refused = run_module(
        aws, tmp_path, "cloudformation_stack", {"name": "amr-short", "region": "us-west-2", "state": "absent"}
    )[0]
    assert refused["failed"] and refused["reason"] == "protected" and aws.requests()["writes"] == 0
    deleted = run_module(
        aws,
        tmp_path,
        "cloudformation_stack",
        {"name": "amr-short", "region": "us-west-2", "state": "absent", "delete_protected": True},
    )[0]
    assert deleted["status"] == "DELETE_COMPLETE", deleted.get("msg")
    assert client("cloudformation").describe_stacks()["Stacks"] == []
