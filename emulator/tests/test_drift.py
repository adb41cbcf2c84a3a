"""CloudFormation drift detection (emulator/aws/drift.py) as AWS documents it: the project's real templates and
small ones, deployed over the emulator's HTTP API, edited through the service APIs as a console would."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from emulator.aws import drift as drift_module
from emulator.seed import DR, PRIMARY, create, default_network, deploy_seed_order

STACKS = [
    (f"ai-model-registry-{name}", region)
    for name, region in [
        ("aurora", PRIMARY),
        ("redis", PRIMARY),
        ("backup", PRIMARY),
        ("dr", PRIMARY),
        ("backup-dr-vault", DR),
        ("dr-replica", DR),
        ("dr-secondary", DR),
    ]
]

TOPIC_AND_ALARM = {
    "Resources": {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "drift-alarms", "DisplayName": "Alarms"}},
        "Plain": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "drift-plain"}},
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": "drift-cpu",
                "Namespace": "AWS/RDS",
                "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "c1"}],
                "Statistic": "Average",
                "Period": 300,
                "EvaluationPeriods": 3,
                "Threshold": 80,
                "ComparisonOperator": "GreaterThanThreshold",
                "AlarmActions": [{"Ref": "Topic"}],
            },
        },
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "drift-secret"}},
    }
}

BUCKET = {
    "Resources": {
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": "drift-artifacts",
                "VersioningConfiguration": {"Status": "Enabled"},
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
                "Tags": [{"Key": "Environment", "Value": "production"}],
            },
        }
    }
}


def _detect(cfn, stack: str, **kwargs) -> dict:
    detection_id = cfn.detect_stack_drift(StackName=stack, **kwargs)["StackDriftDetectionId"]
    status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id)
    assert status["StackDriftDetectionId"] == detection_id
    return status


def _drifts(cfn, stack: str, *filters: str) -> dict[str, dict]:
    """Every page of DescribeStackResourceDrifts, by logical id."""
    found, token = {}, None
    while True:
        kwargs = {"StackResourceDriftStatusFilters": list(filters)} if filters else {}
        page = cfn.describe_stack_resource_drifts(StackName=stack, **kwargs, **({"NextToken": token} if token else {}))
        found.update({d["LogicalResourceId"]: d for d in page["StackResourceDrifts"]})
        token = page.get("NextToken")
        if not token:
            return found


def _differences(drift: dict) -> dict[str, tuple[str, str, str]]:
    return {
        d["PropertyPath"]: (d["ExpectedValue"], d["ActualValue"], d["DifferenceType"])
        for d in drift["PropertyDifferences"]
    }


def _resource_drift(cfn, stack: str) -> dict[str, str]:
    resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: r["DriftInformation"]["StackResourceDriftStatus"] for r in resources}


def _aurora(client) -> str:
    vpc, subnets = default_network(client, PRIMARY)
    create(client, "aurora", "aurora", PRIMARY, VpcId=vpc, PrivateSubnetIds=",".join(subnets), Environment="production")
    return "aurora"


def test_an_untouched_stack_is_in_sync(client):
    """The aurora role's own template, untouched: every checked resource IN_SYNC, the stack IN_SYNC.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"""
    cfn = client("cloudformation")
    stack = _aurora(client)
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["DriftInformation"] == {"StackDriftStatus": "NOT_CHECKED"}

    status = _detect(cfn, stack)

    assert status["DetectionStatus"] == "DETECTION_COMPLETE"
    assert status["StackDriftStatus"] == "IN_SYNC" and status["DriftedStackResourceCount"] == 0
    drifts = _drifts(cfn, stack)
    checked = {"Cluster", "AlarmTopic", "CpuAlarm", "ReplicaLagAlarm", "FreeMemoryAlarm"}
    assert set(drifts) == checked  # types the emulator cannot read back are not checked, so not listed
    assert {d["StackResourceDriftStatus"] for d in drifts.values()} == {"IN_SYNC"}
    cluster = drifts["Cluster"]
    assert cluster["ResourceType"] == "AWS::RDS::DBCluster"
    assert cluster["PhysicalResourceId"] == "ai-model-registry-aurora-cluster"
    expected = json.loads(cluster["ExpectedProperties"])
    assert expected["BackupRetentionPeriod"] == 14 and expected["DeletionProtection"] is True
    assert "MasterUserPassword" not in expected and "KmsKeyId" not in expected  # never compared
    assert "PropertyDifferences" not in cluster
    stack_drift = cfn.describe_stacks(StackName=stack)["Stacks"][0]["DriftInformation"]
    assert stack_drift["StackDriftStatus"] == "IN_SYNC"
    assert stack_drift["LastCheckTimestamp"] == status["Timestamp"]
    by_resource = _resource_drift(cfn, stack)
    assert by_resource["Cluster"] == "IN_SYNC"
    assert not {"GlobalCluster", "ReplicaInstance3"} & set(by_resource)  # Condition false: no such resource
    assert by_resource["EncryptionKey"] == "NOT_CHECKED"  # no live reader for AWS::KMS::Key
    listed = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    assert {r["LogicalResourceId"]: r["DriftInformation"]["StackResourceDriftStatus"] for r in listed} == by_resource


def test_a_console_edit_of_the_aurora_cluster_is_modified(client):
    """ModifyDBCluster outside CloudFormation: the cluster is MODIFIED with one difference per property changed.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/detect-drift-stack.html"""
    cfn = client("cloudformation")
    stack = _aurora(client)
    client("rds").modify_db_cluster(
        DBClusterIdentifier="ai-model-registry-aurora-cluster",
        BackupRetentionPeriod=3,
        DeletionProtection=False,
        ApplyImmediately=True,
    )

    status = _detect(cfn, stack)

    assert status["StackDriftStatus"] == "DRIFTED" and status["DriftedStackResourceCount"] == 1
    drifted = _drifts(cfn, stack, "MODIFIED", "DELETED")
    assert list(drifted) == ["Cluster"]
    cluster = drifted["Cluster"]
    assert cluster["StackResourceDriftStatus"] == "MODIFIED"
    assert _differences(cluster) == {
        "/BackupRetentionPeriod": ("14", "3", "NOT_EQUAL"),
        "/DeletionProtection": ("true", "false", "NOT_EQUAL"),
    }
    assert json.loads(cluster["ActualProperties"])["BackupRetentionPeriod"] == 3
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["DriftInformation"]["StackDriftStatus"] == "DRIFTED"
    assert _resource_drift(cfn, stack)["Cluster"] == "MODIFIED"


def test_a_console_edit_of_the_redis_replication_group_is_modified(client):
    """The redis role's template; ModifyReplicationGroup changes the snapshot retention it declares.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResourceDrifts.html"""
    cfn = client("cloudformation")
    vpc, subnets = default_network(client, PRIMARY)
    create(client, "redis", "redis", PRIMARY, VpcId=vpc, PrivateSubnetIds=",".join(subnets), Environment="production")
    assert _detect(cfn, "redis")["StackDriftStatus"] == "IN_SYNC"
    client("elasticache").modify_replication_group(
        ReplicationGroupId="ai-model-registry-redis", SnapshotRetentionLimit=1, ApplyImmediately=True
    )

    status = _detect(cfn, "redis")

    assert status["StackDriftStatus"] == "DRIFTED" and status["DriftedStackResourceCount"] == 1
    drifts = _drifts(cfn, "redis")
    assert drifts["ReplicationGroup"]["StackResourceDriftStatus"] == "MODIFIED"
    assert _differences(drifts["ReplicationGroup"]) == {"/SnapshotRetentionLimit": ("7", "1", "NOT_EQUAL")}
    assert drifts["CpuAlarm"]["StackResourceDriftStatus"] == "IN_SYNC"


def test_bucket_versioning_suspended_and_a_tag_added(client):
    """Nested properties are compared by path; an item added to a list is an ADD.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="bucket", TemplateBody=json.dumps(BUCKET))
    assert _detect(cfn, "bucket")["StackDriftStatus"] == "IN_SYNC"
    s3 = client("s3")
    s3.put_bucket_versioning(Bucket="drift-artifacts", VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_tagging(
        Bucket="drift-artifacts",
        Tagging={"TagSet": [{"Key": "Environment", "Value": "production"}, {"Key": "Owner", "Value": "ops"}]},
    )

    assert _detect(cfn, "bucket")["StackDriftStatus"] == "DRIFTED"

    bucket = _drifts(cfn, "bucket")["Bucket"]
    assert _differences(bucket) == {
        "/VersioningConfiguration/Status": ("Enabled", "Suspended", "NOT_EQUAL"),
        "/Tags/1": ("null", '{"Key":"Owner","Value":"ops"}', "ADD"),
    }


def test_topic_and_alarm_edits_deletion_and_undeclared_properties(client):
    """An alarm rewritten by PutMetricAlarm is MODIFIED, a deleted topic is DELETED (without properties), and a
    property the template does not declare is not drift.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="alarms", TemplateBody=json.dumps(TOPIC_AND_ALARM))
    sns, cloudwatch = client("sns"), client("cloudwatch")
    topics = {t["TopicArn"].rsplit(":", 1)[-1]: t["TopicArn"] for t in sns.list_topics()["Topics"]}
    other = sns.create_topic(Name="pager")["TopicArn"]
    cloudwatch.put_metric_alarm(
        AlarmName="drift-cpu",
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "DBClusterIdentifier", "Value": "c1"}],
        Statistic="Average",
        Period=300,
        EvaluationPeriods=3,
        Threshold=95,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topics["drift-alarms"], other],
        TreatMissingData="breaching",  # not declared in the template: not compared
    )
    sns.set_topic_attributes(TopicArn=topics["drift-plain"], AttributeName="DisplayName", AttributeValue="Plain")
    sns.delete_topic(TopicArn=topics["drift-alarms"])

    status = _detect(cfn, "alarms")

    assert status["StackDriftStatus"] == "DRIFTED" and status["DriftedStackResourceCount"] == 2
    drifts = _drifts(cfn, "alarms")
    assert _differences(drifts["Alarm"]) == {
        "/Threshold": ("80", "95", "NOT_EQUAL"),
        "/AlarmActions/1": ("null", other, "ADD"),
    }
    deleted = drifts["Topic"]
    assert deleted["StackResourceDriftStatus"] == "DELETED"
    assert deleted["PhysicalResourceId"] == topics["drift-alarms"]
    assert not {"ExpectedProperties", "ActualProperties", "PropertyDifferences"} & set(deleted)
    assert drifts["Plain"]["StackResourceDriftStatus"] == "IN_SYNC"  # DisplayName is not in its template
    assert "Secret" not in drifts
    assert _resource_drift(cfn, "alarms") == {
        "Topic": "DELETED",
        "Plain": "IN_SYNC",
        "Alarm": "MODIFIED",
        "Secret": "NOT_CHECKED",
    }


def test_a_changed_declared_topic_property_is_not_equal(client):
    """SetTopicAttributes on a property the template declares.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_PropertyDifference.html"""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="alarms", TemplateBody=json.dumps(TOPIC_AND_ALARM))
    arn = next(t["TopicArn"] for t in client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":drift-alarms"))
    client("sns").set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Pager")

    _detect(cfn, "alarms")

    drifted = _drifts(cfn, "alarms", "MODIFIED")
    assert list(drifted) == ["Topic"]
    assert _differences(drifted["Topic"]) == {"/DisplayName": ("Alarms", "Pager", "NOT_EQUAL")}


def test_expected_properties_follow_updates_and_rollbacks(aws, client):
    """After an update the template's new values are expected; a stack rolled back to its previous template
    (UPDATE_ROLLBACK_COMPLETE) can be checked and expects that template's values.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="alarms", TemplateBody=json.dumps(TOPIC_AND_ALARM))
    template = json.loads(json.dumps(TOPIC_AND_ALARM))
    template["Resources"]["Alarm"]["Properties"]["Threshold"] = 90
    cfn.update_stack(StackName="alarms", TemplateBody=json.dumps(template))

    assert _detect(cfn, "alarms")["StackDriftStatus"] == "IN_SYNC"
    assert json.loads(_drifts(cfn, "alarms")["Alarm"]["ExpectedProperties"])["Threshold"] == 90

    template["Resources"]["Extra"] = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "drift-extra"}}
    aws.post("aws", "/_emulator/faults", {"resource": "Extra", "reason": "Topic quota reached"})
    cfn.update_stack(StackName="alarms", TemplateBody=json.dumps(template))
    assert cfn.describe_stacks(StackName="alarms")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    status = _detect(cfn, "alarms")
    assert status["DetectionStatus"] == "DETECTION_COMPLETE" and status["StackDriftStatus"] == "IN_SYNC"
    assert "Extra" not in _drifts(cfn, "alarms")


def test_logical_resource_ids_limit_the_check(client):
    """DetectStackDrift with LogicalResourceIds checks only those resources; earlier results of others stay.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DetectStackDrift.html"""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="alarms", TemplateBody=json.dumps(TOPIC_AND_ALARM))

    _detect(cfn, "alarms", LogicalResourceIds=["Alarm"])

    assert set(_drifts(cfn, "alarms")) == {"Alarm"}
    assert _resource_drift(cfn, "alarms")["Plain"] == "NOT_CHECKED"
    client("cloudwatch").delete_alarms(AlarmNames=["drift-cpu"])
    _detect(cfn, "alarms", LogicalResourceIds=["Plain"])
    drifts = _drifts(cfn, "alarms")
    assert drifts["Alarm"]["StackResourceDriftStatus"] == "IN_SYNC"  # not checked again
    assert drifts["Plain"]["StackResourceDriftStatus"] == "IN_SYNC"
    status = _detect(cfn, "alarms", LogicalResourceIds=["Alarm"])
    assert status["StackDriftStatus"] == "DRIFTED"
    assert _drifts(cfn, "alarms", "DELETED").keys() == {"Alarm"}


def test_resource_drifts_are_paged(client):
    """MaxResults (1-100) and NextToken, as botocore's model of DescribeStackResourceDrifts says.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResourceDrifts.html"""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="alarms", TemplateBody=json.dumps(TOPIC_AND_ALARM))
    _detect(cfn, "alarms")

    first = cfn.describe_stack_resource_drifts(StackName="alarms", MaxResults=2)
    second = cfn.describe_stack_resource_drifts(StackName="alarms", MaxResults=2, NextToken=first["NextToken"])

    assert [d["LogicalResourceId"] for d in first["StackResourceDrifts"]] == ["Topic", "Plain"]
    assert [d["LogicalResourceId"] for d in second["StackResourceDrifts"]] == ["Alarm"]
    assert "NextToken" not in second
    with pytest.raises(ClientError, match="Member must have value less than or equal to 100"):
        cfn.describe_stack_resource_drifts(StackName="alarms", MaxResults=101)
    with pytest.raises(ClientError, match="Invalid NextToken"):
        cfn.describe_stack_resource_drifts(StackName="alarms", NextToken="not-a-token")


def test_detection_in_progress_then_complete(aws, client):
    """DETECTION_IN_PROGRESS for the drift_detection_seconds setting: no drift status or count until complete, the
    stack keeps its previous drift status, and one detection at a time runs on a stack.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackDriftDetectionStatus.html"""
    cfn = client("cloudformation")
    cfn.create_stack(StackName="alarms", TemplateBody=json.dumps(TOPIC_AND_ALARM))
    aws.post("aws", "/_emulator/config", {"drift_detection_seconds": 600})

    status = _detect(cfn, "alarms")

    assert status["DetectionStatus"] == "DETECTION_IN_PROGRESS"
    assert "StackDriftStatus" not in status and "DriftedStackResourceCount" not in status
    assert cfn.describe_stacks(StackName="alarms")["Stacks"][0]["DriftInformation"]["StackDriftStatus"] == "NOT_CHECKED"
    assert cfn.describe_stack_resource_drifts(StackName="alarms")["StackResourceDrifts"] == []
    with pytest.raises(ClientError, match="already in progress"):
        cfn.detect_stack_drift(StackName="alarms")
    aws.post("aws", "/_emulator/config", {"drift_detection_seconds": 0})
    done = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=status["StackDriftDetectionId"])
    assert done["DetectionStatus"] == "DETECTION_COMPLETE" and done["StackDriftStatus"] == "IN_SYNC"
    assert cfn.describe_stacks(StackName="alarms")["Stacks"][0]["DriftInformation"]["StackDriftStatus"] == "IN_SYNC"


def test_errors(aws, client):
    """A stack that does not exist, a stack in progress or rolled back, an unknown detection id: ValidationError.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"""
    cfn = client("cloudformation")
    for call in (cfn.detect_stack_drift, cfn.describe_stack_resource_drifts):
        with pytest.raises(ClientError, match="Stack with id nope does not exist") as error:
            call(StackName="nope")
        assert error.value.response["Error"]["Code"] == "ValidationError"
    aws.post("aws", "/_emulator/config", {"stack_latency": {"slow": 600}})
    slow = cfn.create_stack(StackName="slow", TemplateBody=json.dumps(BUCKET))["StackId"]
    with pytest.raises(ClientError) as error:
        cfn.detect_stack_drift(StackName="slow")
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert error.value.response["Error"]["Message"] == (
        f"Drift detection cannot be performed on stack [{slow}] while it is in [CREATE_IN_PROGRESS] state"
    )
    aws.post("aws", "/_emulator/faults", {"resource": "Alarm", "reason": "Limit exceeded for alarms"})
    cfn.create_stack(StackName="failed", TemplateBody=json.dumps(TOPIC_AND_ALARM))
    with pytest.raises(ClientError, match=r"while it is in \[ROLLBACK_COMPLETE\] state"):
        cfn.detect_stack_drift(StackName="failed")
    with pytest.raises(ClientError) as error:
        cfn.describe_stack_drift_detection_status(StackDriftDetectionId="00000000-0000-0000-0000-000000000000")
    assert error.value.response["Error"]["Code"] == "ValidationError"


def test_every_stack_of_the_platform_is_in_sync_once_deployed(client):
    """The collection checks drift after every deployment: the seed's stacks, untouched, must not report drift.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"""
    deploy_seed_order(client)
    checked = set()
    for stack, region in STACKS:
        cfn = client("cloudformation", region)
        status = _detect(cfn, stack)
        assert (stack, status["DetectionStatus"], status["StackDriftStatus"]) == (
            stack,
            "DETECTION_COMPLETE",
            "IN_SYNC",
        )
        checked |= {d["ResourceType"] for d in _drifts(cfn, stack).values()}
    assert checked == set(drift_module.READERS)  # every reader ran on a real template
