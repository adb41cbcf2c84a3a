"""Stack lifecycle as the CloudFormation API reference describes it: events, rollback, update rules,
change sets, termination protection, dynamic references and creation latency."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from emulator.seed import failures

SECRET_AND_TOPIC = {
    "Resources": {
        "Secret": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {"Name": "engine-test", "GenerateSecretString": {"PasswordLength": 20}},
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "engine-test"}},
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": "engine-test",
                "Namespace": "AWS/RDS",
                "MetricName": "CPUUtilization",
                "Statistic": "Average",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 80,
                "ComparisonOperator": "GreaterThanThreshold",
                "AlarmActions": [{"Ref": "Topic"}],
            },
        },
    },
    "Outputs": {"SecretArn": {"Value": {"Ref": "Secret"}}, "AlarmArn": {"Value": {"Fn::GetAtt": ["Alarm", "Arn"]}}},
}


def _template(threshold: int = 80) -> str:
    template = json.loads(json.dumps(SECRET_AND_TOPIC))
    template["Resources"]["Alarm"]["Properties"]["Threshold"] = threshold
    return json.dumps(template)


def _status(cfn, name: str) -> str:
    return cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


def _stack_events(cfn, name: str) -> list[str]:
    """Statuses of the stack's own events, newest first."""
    return [
        e["ResourceStatus"]
        for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
        if e["LogicalResourceId"] == name
    ]


def test_each_resource_reports_its_own_events(client):
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=_template())
    events = [
        (e["LogicalResourceId"], e["ResourceStatus"]) for e in cfn.describe_stack_events(StackName="s")["StackEvents"]
    ]
    for resource in ("Secret", "Topic", "Alarm"):
        assert (resource, "CREATE_IN_PROGRESS") in events and (resource, "CREATE_COMPLETE") in events
    assert events[0] == ("s", "CREATE_COMPLETE")  # newest first, as AWS lists them


def test_a_failing_resource_rolls_the_creation_back(aws, client):
    aws.post("aws", "/_emulator/faults", {"resource": "Alarm", "reason": "Limit exceeded for alarms"})
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=_template())
    assert _status(cfn, "s") == "ROLLBACK_COMPLETE"
    assert ("Alarm", "CREATE_FAILED", "Limit exceeded for alarms") in failures(client, "s", "us-west-2")
    # the resources created before the failure were deleted
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        client("secretsmanager").get_secret_value(SecretId="engine-test")
    assert "Outputs" not in cfn.describe_stacks(StackName="s")["Stacks"][0]
    # AWS refuses to update a stack in ROLLBACK_COMPLETE: it must be deleted and created again
    with pytest.raises(ClientError, match="ROLLBACK_COMPLETE state and can not be updated"):
        cfn.update_stack(StackName="s", TemplateBody=_template(90))
    cfn.delete_stack(StackName="s")
    aws.post("aws", "/_emulator/faults", method="DELETE")
    cfn.create_stack(StackName="s", TemplateBody=_template())
    assert _status(cfn, "s") == "CREATE_COMPLETE"


def test_a_fault_by_resource_type_and_stack_pattern(aws, client):
    aws.post("aws", "/_emulator/faults", {"type": "AWS::SNS::Topic", "stack": "prod-*", "reason": "Access denied"})
    cfn = client("cloudformation")
    cfn.create_stack(StackName="dev-a", TemplateBody=_template())
    cfn.create_stack(StackName="prod-a", TemplateBody=_template().replace("engine-test", "engine-prod"))
    assert _status(cfn, "dev-a") == "CREATE_COMPLETE"
    assert _status(cfn, "prod-a") == "ROLLBACK_COMPLETE"


def test_an_update_without_changes_is_refused(client):
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=_template())
    with pytest.raises(ClientError, match="No updates are to be performed."):
        cfn.update_stack(StackName="s", TemplateBody=_template())
    # the same template reformatted is still no change: AWS compares the parsed template
    with pytest.raises(ClientError, match="No updates are to be performed."):
        cfn.update_stack(StackName="s", TemplateBody=json.dumps(json.loads(_template()), indent=4))


def test_an_update_changes_the_resource_in_place(client):
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=_template())
    arn = client("secretsmanager").describe_secret(SecretId="engine-test")["ARN"]
    cfn.update_stack(StackName="s", TemplateBody=_template(95))
    assert _status(cfn, "s") == "UPDATE_COMPLETE"
    alarm = client("cloudwatch").describe_alarms(AlarmNames=["engine-test"])["MetricAlarms"][0]
    assert alarm["Threshold"] == 95
    assert client("secretsmanager").describe_secret(SecretId="engine-test")["ARN"] == arn  # untouched


def test_a_failed_update_rolls_back(aws, client):
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=_template())
    template = json.loads(_template())
    template["Resources"]["Extra"] = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "extra"}}
    aws.post("aws", "/_emulator/faults", {"resource": "Extra", "reason": "Topic quota reached"})
    cfn.update_stack(StackName="s", TemplateBody=json.dumps(template))
    assert _status(cfn, "s") == "UPDATE_ROLLBACK_COMPLETE"
    assert ("Extra", "UPDATE_FAILED", "Topic quota reached") in failures(client, "s", "us-west-2")
    assert dict(cfn.get_template(StackName="s")["TemplateBody"]) == json.loads(_template())  # boto3 parses JSON


def test_change_sets_list_only_real_changes(client):
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=_template())
    cfn.create_change_set(StackName="s", ChangeSetName="same", TemplateBody=_template(), ChangeSetType="UPDATE")
    same = cfn.describe_change_set(StackName="s", ChangeSetName="same")
    assert same["Status"] == "FAILED"
    assert same["StatusReason"].startswith("The submitted information didn't contain changes.")
    cfn.create_change_set(StackName="s", ChangeSetName="new", TemplateBody=_template(70), ChangeSetType="UPDATE")
    changes = cfn.describe_change_set(StackName="s", ChangeSetName="new")["Changes"]
    assert [(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in changes] == [
        ("Modify", "Alarm")
    ]
    cfn.execute_change_set(StackName="s", ChangeSetName="new")
    assert _status(cfn, "s") == "UPDATE_COMPLETE"
    assert client("cloudwatch").describe_alarms(AlarmNames=["engine-test"])["MetricAlarms"][0]["Threshold"] == 70


def test_a_stack_created_from_a_change_set_has_outputs(client):
    cfn = client("cloudformation")
    cfn.create_change_set(StackName="s", ChangeSetName="c1", TemplateBody=_template(), ChangeSetType="CREATE")
    assert _status(cfn, "s") == "REVIEW_IN_PROGRESS"
    cfn.execute_change_set(StackName="s", ChangeSetName="c1")
    stack = cfn.describe_stacks(StackName="s")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {o["OutputKey"] for o in stack["Outputs"]} == {"SecretArn", "AlarmArn"}


def test_termination_protection_blocks_deletion(client):
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=_template(), EnableTerminationProtection=True)
    assert cfn.describe_stacks(StackName="s")["Stacks"][0]["EnableTerminationProtection"] is True
    with pytest.raises(ClientError, match="cannot be deleted while TerminationProtection is enabled"):
        cfn.delete_stack(StackName="s")
    cfn.update_termination_protection(StackName="s", EnableTerminationProtection=False)
    cfn.delete_stack(StackName="s")
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName="s")


def test_dynamic_references_resolve_secrets(client):
    client("secretsmanager").create_secret(Name="src", SecretString=json.dumps({"password": "s3cr3t-value"}))
    template = {
        "Resources": {
            "Copy": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {"Name": "copy", "SecretString": "{{resolve:secretsmanager:src:SecretString:password}}"},
            }
        }
    }
    client("cloudformation").create_stack(StackName="s", TemplateBody=json.dumps(template))
    assert client("secretsmanager").get_secret_value(SecretId="copy")["SecretString"] == "s3cr3t-value"


def test_an_unsupported_resource_type_fails_loudly(client):
    template = {"Resources": {"X": {"Type": "AWS::Bogus::Thing", "Properties": {}}}}
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=json.dumps(template))
    assert _status(cfn, "s") == "ROLLBACK_COMPLETE"
    reason = failures(client, "s", "us-west-2")[0][2]
    assert reason == "Resource type AWS::Bogus::Thing is not supported by the emulator"


def test_creation_latency_keeps_the_stack_in_progress(aws, client):
    aws.post("aws", "/_emulator/config", {"stack_latency": {"slow-*": 1.5}})
    cfn = client("cloudformation")
    started = time.monotonic()
    cfn.create_stack(StackName="slow-one", TemplateBody=_template())
    cfn.create_stack(StackName="fast-one", TemplateBody=_template().replace("engine-test", "engine-fast"))
    assert _status(cfn, "fast-one") == "CREATE_COMPLETE"
    stack = cfn.describe_stacks(StackName="slow-one")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_IN_PROGRESS" and "Outputs" not in stack
    assert _stack_events(cfn, "slow-one")[0] == "CREATE_IN_PROGRESS"  # the final event is not listed yet
    while _status(cfn, "slow-one") == "CREATE_IN_PROGRESS":
        assert time.monotonic() - started < 10
        time.sleep(0.1)
    assert time.monotonic() - started >= 1.5
    assert _status(cfn, "slow-one") == "CREATE_COMPLETE"
    assert _stack_events(cfn, "slow-one")[0] == "CREATE_COMPLETE"
    # an update during the latency is refused, as for any stack in progress
    aws.post("aws", "/_emulator/config", {"stack_latency": {"*": 5}})
    cfn.update_stack(StackName="fast-one", TemplateBody=_template(50).replace("engine-test", "engine-fast"))
    with pytest.raises(ClientError, match="UPDATE_IN_PROGRESS state and can not be updated"):
        cfn.update_stack(StackName="fast-one", TemplateBody=_template(60).replace("engine-test", "engine-fast"))


def test_parameters_are_described_as_the_api_shows_them(client):
    template = {
        "Parameters": {
            "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
            "Count": {"Type": "Number", "Default": 3},
            "Secret": {"Type": "String", "NoEcho": True},
        },
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    }
    cfn = client("cloudformation")
    cfn.create_stack(
        StackName="s",
        TemplateBody=json.dumps(template),
        Parameters=[
            {"ParameterKey": "Subnets", "ParameterValue": "subnet-0a000000000000001,subnet-0a000000000000002"},
            {"ParameterKey": "Secret", "ParameterValue": "hunter2"},
        ],
    )
    described = {
        p["ParameterKey"]: p["ParameterValue"] for p in cfn.describe_stacks(StackName="s")["Stacks"][0]["Parameters"]
    }
    assert described == {"Subnets": "subnet-0a000000000000001,subnet-0a000000000000002", "Count": "3", "Secret": "****"}
    # the same values again are no change
    with pytest.raises(ClientError, match="No updates are to be performed."):
        cfn.update_stack(
            StackName="s",
            TemplateBody=json.dumps(template),
            Parameters=[
                {"ParameterKey": "Subnets", "ParameterValue": "subnet-0a000000000000001,subnet-0a000000000000002"},
                {"ParameterKey": "Secret", "ParameterValue": "hunter2"},
            ],
        )


def test_a_secret_with_a_replica_is_deleted_and_created_again(client):
    template = json.dumps(
        {
            "Resources": {
                "S": {
                    "Type": "AWS::SecretsManager::Secret",
                    "Properties": {
                        "Name": "replicated",
                        "GenerateSecretString": {},
                        "ReplicaRegions": [{"Region": "us-east-1"}],
                    },
                }
            }
        }
    )
    cfn = client("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=template)
    assert client("secretsmanager", "us-east-1").describe_secret(SecretId="replicated")
    cfn.delete_stack(StackName="s")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        client("secretsmanager", "us-east-1").describe_secret(SecretId="replicated")
    cfn.create_stack(StackName="s", TemplateBody=template)
    assert _status(cfn, "s") == "CREATE_COMPLETE"


def test_a_key_policy_written_as_an_object_is_stored_as_kms_stores_it(client):
    """AWS::KMS::Key's KeyPolicy is a JSON object in a template; KMS keeps the JSON document (GetKeyPolicy returns
    it as a string), and DescribeKey reads it - also of a key the stack retained (DeletionPolicy: Retain), which a
    teardown leaves and a sweep schedules for deletion."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    template = {
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {"KeyPolicy": policy}}
        },
        "Outputs": {"KeyId": {"Value": {"Ref": "Key"}}},
    }
    cfn, kms = client("cloudformation"), client("kms")
    cfn.create_stack(StackName="kms-key", TemplateBody=json.dumps(template))
    key_id = cfn.describe_stacks(StackName="kms-key")["Stacks"][0]["Outputs"][0]["OutputValue"]
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == policy
    cfn.delete_stack(StackName="kms-key")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_a_template_url_on_the_emulators_endpoint_names_its_bucket_in_the_path(client):
    """`aws cloudformation deploy --s3-bucket` uploads the template and passes a path-style URL built from its
    endpoint (https://s3.<region>.amazonaws.com/<bucket>/<key> on AWS; AWS_ENDPOINT_URL here)."""
    s3 = client("s3")
    s3.create_bucket(Bucket="cli-templates", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_object(Bucket="cli-templates", Key="t.template", Body=_template().encode())
    cfn = client("cloudformation")
    cfn.create_stack(StackName="from-url", TemplateURL=f"{s3.meta.endpoint_url}/cli-templates/t.template")
    assert _status(cfn, "from-url") == "CREATE_COMPLETE"


def test_a_template_body_over_51200_bytes_is_refused_and_taken_from_s3(client):
    """CloudFormation takes at most 51,200 bytes of TemplateBody in a request; a larger template comes as TemplateURL
    (an S3 object of up to 1 MB): https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
    and https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html."""
    cfn = client("cloudformation")
    large = json.loads(_template())
    large["Description"] = "x" * (51200 - len(_template()))  # a few bytes over the limit with the key
    body = json.dumps(large)
    assert len(body.encode()) > 51200
    for call in (
        lambda: cfn.create_stack(StackName="large", TemplateBody=body),
        lambda: cfn.validate_template(TemplateBody=body),
        lambda: cfn.create_change_set(StackName="large", ChangeSetName="c", TemplateBody=body, ChangeSetType="CREATE"),
    ):
        with pytest.raises(ClientError, match="Member must have length less than or equal to 51200") as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "large" not in [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]
    client("s3").create_bucket(Bucket="templates", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    client("s3").put_object(Bucket="templates", Key="large.json", Body=body.encode())
    url = "https://templates.s3.us-west-2.amazonaws.com/large.json"
    cfn.create_stack(StackName="large", TemplateURL=url)
    assert _status(cfn, "large") == "CREATE_COMPLETE"
    assert cfn.get_template(StackName="large")["TemplateBody"]["Description"] == large["Description"]
