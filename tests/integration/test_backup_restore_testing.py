"""AWS Backup's monthly restore test of the deployed platform (backup-policy.yaml): its plan after site.yml, and a
run - the plan's schedule firing on the emulator - validated by the stack's own function with the restore drill's
checks, against the real PostgreSQL servers behind the Aurora endpoints.
"""

from __future__ import annotations

import json
import time

from tests.integration.drills import connect_primary, stack_outputs

TABLE = "restore_test_models"
CHECKS = {
    "tables": [TABLE],
    "row_counts": [{"table": TABLE, "written_at": "created_at"}],
    "queries": [{"name": "newest model", "sql": f"SELECT max(id) FROM {TABLE}", "expect": 5}],  # noqa: S608
}


def _back_up(client, backup: dict, aurora: dict) -> None:
    job = client("backup").start_backup_job(
        BackupVaultName=backup["BackupVaultName"], ResourceArn=aurora["ClusterArn"], IamRoleArn=backup["BackupRoleArn"]
    )
    assert client("backup").describe_backup_job(BackupJobId=job["BackupJobId"])["State"] == "COMPLETED"


def _restore_test(aws, client, plan_name: str) -> dict:
    """The plan's schedule fires; its restore job once validated and its restored cluster deleted."""
    started = aws.post("aws", "/_emulator/restore-testing/run", {"plan": plan_name, "region": "us-west-2"})
    [job_id] = started["RestoreJobIds"]
    deadline = time.time() + 60
    while True:
        job = client("backup").describe_restore_job(RestoreJobId=job_id)
        # the validation reported, and AWS Backup deleted what the restore test restored
        if job.get("DeletionStatus") in ("SUCCESSFUL", "FAILED") or time.time() > deadline:
            return job
        time.sleep(0.3)


def test_the_monthly_restore_test_is_validated_with_the_restore_drills_checks(deployed):
    aws, client = deployed, deployed.client
    backup, aurora = stack_outputs(client, "backup"), stack_outputs(client, "aurora")
    plan = client("backup").get_restore_testing_plan(RestoreTestingPlanName=backup["RestoreTestingPlanName"])
    plan = plan["RestoreTestingPlan"]
    assert plan["RestoreTestingPlanArn"] == backup["RestoreTestingPlanArn"]
    assert (plan["ScheduleExpression"], plan["RecoveryPointSelection"]["Algorithm"]) == (
        "cron(0 5 1 * ? *)",
        "LATEST_WITHIN_WINDOW",
    )
    selection = client("backup").get_restore_testing_selection(
        RestoreTestingPlanName=plan["RestoreTestingPlanName"], RestoreTestingSelectionName="aurora"
    )["RestoreTestingSelection"]
    assert selection["ProtectedResourceArns"] == [aurora["ClusterArn"]] and selection["ValidationWindowHours"] == 4

    # The checks are the inventory's (dr_drill_restore_checks, none in inventories/local): the test sets its own
    # on the function, as a redeploy with them would, and puts the deployed ones back.
    functions = client("lambda")
    name = backup["RestoreValidationFunctionName"]
    deployed_env = functions.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    functions.update_function_configuration(
        FunctionName=name, Environment={"Variables": {**deployed_env, "CHECKS": json.dumps(CHECKS)}}
    )
    try:
        with connect_primary(client) as conn:
            conn.execute(f"CREATE TABLE {TABLE} (id int PRIMARY KEY, created_at timestamptz DEFAULT clock_timestamp())")
            conn.execute(f"INSERT INTO {TABLE} (id) SELECT generate_series(1, 5)")
        _back_up(client, backup, aurora)
        with connect_primary(client) as conn:  # after the recovery point: not restored, not counted
            conn.execute(f"INSERT INTO {TABLE} (id) SELECT generate_series(6, 8)")

        good = _restore_test(aws, client, plan["RestoreTestingPlanName"])
        assert good["ValidationStatus"] == "SUCCESSFUL", good.get("ValidationStatusMessage")
        assert good["CreatedBy"]["RestoreTestingPlanArn"] == plan["RestoreTestingPlanArn"]
        counted = f"row counts at the recovery point: ok ({TABLE} restored 5 / source 5)"
        assert counted in good["ValidationStatusMessage"]
        assert "newest model: 5 (expected 5)" in good["ValidationStatusMessage"]
        assert good["DeletionStatus"] == "SUCCESSFUL"  # the validation removed its instance; AWS Backup the cluster

        # a table missing in the newest recovery point fails the restore test, and says which
        with connect_primary(client) as conn:
            conn.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_renamed")
        _back_up(client, backup, aurora)
        bad = _restore_test(aws, client, plan["RestoreTestingPlanName"])
        assert bad["ValidationStatus"] == "FAILED"
        assert bad["ValidationStatusMessage"] == (
            f"expected tables: failed (missing: {TABLE}); row counts at the recovery point: skipped; "
            "validation queries: skipped"
        )
        assert bad["DeletionStatus"] == "SUCCESSFUL"
        rds = client("rds")
        leftovers = [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]]
        leftovers += [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
        assert [n for n in leftovers if n.startswith("awsbackup-restore-test-")] == []
    finally:
        functions.update_function_configuration(FunctionName=name, Environment={"Variables": deployed_env})
        with connect_primary(client) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {TABLE}; DROP TABLE IF EXISTS {TABLE}_renamed")
