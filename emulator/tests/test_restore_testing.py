"""AWS Backup restore testing as the AWS Backup developer guide and API reference describe it.

- https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html (plans, selections, runs)
- https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-validation.html (EventBridge -> Lambda ->
  PutRestoreValidationResult)
- https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutRestoreValidationResult.html
- https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingSelectionForCreate.html
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
import yaml
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/backup"
PLAN = {
    "RestoreTestingPlanName": "monthly_aurora",
    "ScheduleExpression": "cron(0 5 1 * ? *)",
    "RecoveryPointSelection": {
        "Algorithm": "LATEST_WITHIN_WINDOW",
        "IncludeVaults": ["*"],
        "RecoveryPointTypes": ["SNAPSHOT"],
        "SelectionWindowDays": 7,
    },
}
# The validation function of the restore testing validation guide, in Python: it reports what the event says.
VALIDATOR = """
import boto3

def handler(event, context):
    detail = event["detail"]
    boto3.client("backup").put_restore_validation_result(
        RestoreJobId=detail["restoreJobId"],
        ValidationStatus="SUCCESSFUL",
        ValidationStatusMessage=detail["status"] + " " + detail["restoreTestingPlanArn"] + " " + event["detail-type"],
    )
"""
# The rule the guide has: restore jobs of a restore testing plan that reach COMPLETED.
PATTERN = {
    "source": ["aws.backup"],
    "detail-type": ["Restore Job State Change"],
    "detail": {"status": ["COMPLETED"], "restoreTestingPlanArn": [{"exists": True}]},
}


@pytest.fixture
def point(client):
    """A completed recovery point of an Aurora cluster in vault "vault"; its ARN."""
    rds = client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="c1", Engine="aurora-postgresql", MasterUsername="postgres", MasterUserPassword="x" * 12
    )
    cluster_arn = rds.describe_db_clusters(DBClusterIdentifier="c1")["DBClusters"][0]["DBClusterArn"]
    backup = client("backup")
    backup.create_backup_vault(BackupVaultName="vault")
    return backup.start_backup_job(BackupVaultName="vault", ResourceArn=cluster_arn, IamRoleArn=ROLE)


def _plan_with_selection(client, cluster_arn: str, **selection) -> str:
    backup = client("backup")
    arn = backup.create_restore_testing_plan(RestoreTestingPlan=PLAN)["RestoreTestingPlanArn"]
    backup.create_restore_testing_selection(
        RestoreTestingPlanName="monthly_aurora",
        RestoreTestingSelection={
            "RestoreTestingSelectionName": "aurora",
            "ProtectedResourceType": "Aurora",
            "ProtectedResourceArns": [cluster_arn],
            "IamRoleArn": ROLE,
            "ValidationWindowHours": 2,
            **selection,
        },
    )
    return arn


def _validator(client) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.py", VALIDATOR)
    client("iam").create_role(RoleName="validator", AssumeRolePolicyDocument="{}")
    function = client("lambda").create_function(
        FunctionName="validator",
        Runtime="python3.12",
        Role="arn:aws:iam::123456789012:role/validator",
        Handler="index.handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=30,
    )
    events = client("events")
    events.put_rule(Name="restore-tests", EventPattern=json.dumps(PATTERN))
    events.put_targets(Rule="restore-tests", Targets=[{"Id": "validator", "Arn": function["FunctionArn"]}])


def _run(aws, plan: str = "monthly_aurora") -> list[str]:
    return aws.post("aws", "/_emulator/restore-testing/run", {"plan": plan, "region": "us-west-2"})["RestoreJobIds"]


def _wait(client, job_id: str, key: str, timeout: float = 20) -> dict:
    deadline = time.time() + timeout
    while True:
        job = client("backup").describe_restore_job(RestoreJobId=job_id)
        if job.get(key) or time.time() > deadline:
            return job
        time.sleep(0.2)


def test_a_run_restores_the_newest_point_and_the_validation_function_reports_through_eventbridge(aws, client, point):
    cluster_arn = client("rds").describe_db_clusters(DBClusterIdentifier="c1")["DBClusters"][0]["DBClusterArn"]
    time.sleep(0.05)
    newest = client("backup").start_backup_job(BackupVaultName="vault", ResourceArn=cluster_arn, IamRoleArn=ROLE)
    plan_arn = _plan_with_selection(client, cluster_arn)
    _validator(client)

    [job_id] = _run(aws)
    job = _wait(client, job_id, "ValidationStatus")
    assert job["RecoveryPointArn"] == newest["RecoveryPointArn"] and job["SourceResourceArn"] == cluster_arn
    assert job["CreatedBy"] == {"RestoreTestingPlanArn": plan_arn} and job["Status"] == "COMPLETED"
    assert job["ValidationStatus"] == "SUCCESSFUL"
    assert job["ValidationStatusMessage"] == f"COMPLETED {plan_arn} Restore Job State Change"
    # the validation ended the window: AWS Backup deleted the restored cluster
    restored = job["CreatedResourceArn"].split(":")[-1]
    assert restored.startswith("awsbackup-restore-test-") and job["DeletionStatus"] == "SUCCESSFUL"
    clusters = [c["DBClusterIdentifier"] for c in client("rds").describe_db_clusters()["DBClusters"]]
    assert clusters == ["c1"]
    listed = client("backup").list_restore_jobs(ByRestoreTestingPlanArn=plan_arn)["RestoreJobs"]
    assert [j["RestoreJobId"] for j in listed] == [job_id]
    assert client("backup").get_restore_testing_plan(RestoreTestingPlanName="monthly_aurora")["RestoreTestingPlan"][
        "LastExecutionTime"
    ]


def test_without_a_matching_rule_nothing_validates_and_the_restored_cluster_stays_for_the_window(aws, client, point):
    cluster_arn = client("rds").describe_db_clusters(DBClusterIdentifier="c1")["DBClusters"][0]["DBClusterArn"]
    _plan_with_selection(client, cluster_arn, RestoreMetadataOverrides={"dbclusterparametergroupname": "pg1"})
    [job_id] = _run(aws)
    job = _wait(client, job_id, "CreatedResourceArn")
    assert job["Status"] == "COMPLETED" and "ValidationStatus" not in job and "DeletionStatus" not in job
    restored = client("rds").describe_db_clusters(DBClusterIdentifier=job["CreatedResourceArn"].split(":")[-1])
    assert restored["DBClusters"][0]["DBClusterParameterGroup"] == "pg1"  # overrides: keys case-insensitive


def test_validation_results_are_refused_for_other_jobs_and_bad_statuses(aws, client, point):
    backup = client("backup")
    cluster_arn = client("rds").describe_db_clusters(DBClusterIdentifier="c1")["DBClusters"][0]["DBClusterArn"]
    plain = backup.start_restore_job(
        RecoveryPointArn=point["RecoveryPointArn"], Metadata={"DBClusterIdentifier": "r1"}, IamRoleArn=ROLE
    )["RestoreJobId"]
    with pytest.raises(ClientError) as refused:
        backup.put_restore_validation_result(RestoreJobId=plain, ValidationStatus="SUCCESSFUL")
    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
    with pytest.raises(ClientError) as missing:
        backup.put_restore_validation_result(RestoreJobId="NO-SUCH-JOB", ValidationStatus="SUCCESSFUL")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"

    _plan_with_selection(client, cluster_arn)
    [job_id] = _run(aws)
    _wait(client, job_id, "CreatedResourceArn")
    backup.put_restore_validation_result(RestoreJobId=job_id, ValidationStatus="VALIDATING")
    assert "DeletionStatus" not in backup.describe_restore_job(RestoreJobId=job_id)  # not final: window open
    restored = backup.describe_restore_job(RestoreJobId=job_id)["CreatedResourceArn"].split(":")[-1]
    client("rds").create_db_instance(
        DBInstanceIdentifier="r-1",
        DBClusterIdentifier=restored,
        Engine="aurora-postgresql",
        DBInstanceClass="db.r5.large",
    )
    backup.put_restore_validation_result(RestoreJobId=job_id, ValidationStatus="FAILED", ValidationStatusMessage="no")
    job = backup.describe_restore_job(RestoreJobId=job_id)
    # RDS refuses to delete a cluster that has instances: the deletion fails with its message
    assert (job["ValidationStatus"], job["ValidationStatusMessage"]) == ("FAILED", "no")
    assert job["DeletionStatus"] == "FAILED"
    assert "still contains DB instances" in job["DeletionStatusMessage"]
    with pytest.raises(ClientError) as closed:
        backup.put_restore_validation_result(RestoreJobId=job_id, ValidationStatus="SUCCESSFUL")
    assert closed.value.response["Error"]["Code"] == "InvalidRequestException"


def test_plans_and_selections_follow_the_api_rules(client, point):
    backup = client("backup")
    with pytest.raises(ClientError) as named:
        backup.create_restore_testing_plan(RestoreTestingPlan={**PLAN, "RestoreTestingPlanName": "monthly-aurora"})
    assert named.value.response["Error"]["Code"] == "InvalidParameterValueException"
    _plan_with_selection(client, "arn:aws:rds:us-west-2:123456789012:cluster:c1")
    with pytest.raises(ClientError) as again:
        backup.create_restore_testing_plan(RestoreTestingPlan=PLAN)
    assert again.value.response["Error"]["Code"] == "AlreadyExistsException"
    with pytest.raises(ClientError) as both:
        backup.create_restore_testing_selection(
            RestoreTestingPlanName="monthly_aurora",
            RestoreTestingSelection={
                "RestoreTestingSelectionName": "both",
                "ProtectedResourceType": "Aurora",
                "ProtectedResourceArns": ["arn:aws:rds:us-west-2:123456789012:cluster:c1"],
                "ProtectedResourceConditions": {"StringEquals": [{"Key": "aws:ResourceTag/x", "Value": "y"}]},
                "IamRoleArn": ROLE,
            },
        )
    assert both.value.response["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as in_use:
        backup.delete_restore_testing_plan(RestoreTestingPlanName="monthly_aurora")
    assert in_use.value.response["Error"]["Code"] == "InvalidRequestException"
    selections = backup.list_restore_testing_selections(RestoreTestingPlanName="monthly_aurora")
    assert [s["RestoreTestingSelectionName"] for s in selections["RestoreTestingSelections"]] == ["aurora"]
    backup.delete_restore_testing_selection(
        RestoreTestingPlanName="monthly_aurora", RestoreTestingSelectionName="aurora"
    )
    backup.delete_restore_testing_plan(RestoreTestingPlanName="monthly_aurora")
    assert backup.list_restore_testing_plans()["RestoreTestingPlans"] == []


TEMPLATE = {
    "Resources": {
        "Plan": {
            "Type": "AWS::Backup::RestoreTestingPlan",
            "Properties": {**PLAN, "StartWindowHours": 24},
        },
        "Selection": {
            "Type": "AWS::Backup::RestoreTestingSelection",
            "Properties": {
                "RestoreTestingPlanName": {"Ref": "Plan"},
                "RestoreTestingSelectionName": "aurora",
                "ProtectedResourceType": "Aurora",
                "ProtectedResourceArns": ["arn:aws:rds:us-west-2:123456789012:cluster:c1"],
                "IamRoleArn": ROLE,
                "ValidationWindowHours": 4,
            },
        },
    },
    "Outputs": {
        "PlanArn": {"Value": {"Fn::GetAtt": ["Plan", "RestoreTestingPlanArn"]}},
        "Selection": {"Value": {"Ref": "Selection"}},
    },
}


def test_cloudformation_creates_and_deletes_the_plan_and_its_selection(client):
    cfn = client("cloudformation")
    cfn.create_stack(StackName="rt", TemplateBody=yaml.safe_dump(TEMPLATE))
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName="rt")["Stacks"][0]["Outputs"]}
    plan = client("backup").get_restore_testing_plan(RestoreTestingPlanName="monthly_aurora")["RestoreTestingPlan"]
    assert outputs == {"PlanArn": plan["RestoreTestingPlanArn"], "Selection": "monthly_aurora|aurora"}
    assert plan["StartWindowHours"] == 24 and plan["RecoveryPointSelection"]["SelectionWindowDays"] == 7
    selection = client("backup").get_restore_testing_selection(
        RestoreTestingPlanName="monthly_aurora", RestoreTestingSelectionName="aurora"
    )["RestoreTestingSelection"]
    assert selection["ValidationWindowHours"] == 4
    cfn.delete_stack(StackName="rt")
    assert client("backup").list_restore_testing_plans()["RestoreTestingPlans"] == []
