"""AWS Backup selections (moto answers HTTP 500): the API reference's requests, shapes and errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/backup"
CLUSTER = "arn:aws:rds:us-west-2:123456789012:cluster:c1"


@pytest.fixture
def plan_id(client):
    plan = {"BackupPlanName": "p", "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "v"}]}
    client("backup").create_backup_vault(BackupVaultName="v")
    return client("backup").create_backup_plan(BackupPlan=plan)["BackupPlanId"]


def test_selection_round_trip(client, plan_id):
    backup = client("backup")
    created = backup.create_backup_selection(
        BackupPlanId=plan_id, BackupSelection={"SelectionName": "aurora", "IamRoleArn": ROLE, "Resources": [CLUSTER]}
    )
    assert created["BackupPlanId"] == plan_id
    got = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert got["BackupSelection"]["Resources"] == [CLUSTER]
    listed = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    assert [(s["SelectionName"], s["IamRoleArn"]) for s in listed] == [("aurora", ROLE)]
    # a plan with selections cannot be deleted
    with pytest.raises(ClientError, match="InvalidRequestException"):
        backup.delete_backup_plan(BackupPlanId=plan_id)
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []
    backup.delete_backup_plan(BackupPlanId=plan_id)


def test_selection_errors(client, plan_id):
    backup = client("backup")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        backup.get_backup_selection(BackupPlanId=plan_id, SelectionId="nope")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        backup.create_backup_selection(
            BackupPlanId="missing", BackupSelection={"SelectionName": "x", "IamRoleArn": ROLE}
        )
    with pytest.raises(ClientError, match="InvalidParameterValueException"):
        backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection={"SelectionName": "x", "IamRoleArn": ""})
