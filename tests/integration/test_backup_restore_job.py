"""backup_restore_job through ansible-playbook: the paths the restore drill does not take."""

from __future__ import annotations

from tests.integration.ansible import run_module
from tests.integration.test_rds_global_cluster_failover import documented

MODULE = "backup_restore_job"
ROLE = "arn:aws:iam::123456789012:role/backup"


def _args(cluster_arn: str, **changes) -> dict:
    args = {
        "region": "us-west-2",
        "resource_arn": cluster_arn,
        "backup_vault_name": "vault",
        "iam_role_arn": ROLE,
        "metadata": {"DBClusterIdentifier": "restored", "Engine": "aurora-postgresql", "DeletionProtection": False},
        "wait_timeout": 60,
    }
    args.update(changes)
    return args


def _cluster_with_points(client, count: int) -> tuple[str, list[str]]:
    rds = client("rds")
    arn = rds.create_db_cluster(
        DBClusterIdentifier="source", Engine="aurora-postgresql", MasterUsername="postgres", MasterUserPassword="x" * 12
    )["DBCluster"]["DBClusterArn"]
    client("backup").create_backup_vault(BackupVaultName="vault")
    points = [
        client("backup").start_backup_job(BackupVaultName="vault", ResourceArn=arn, IamRoleArn=ROLE)["RecoveryPointArn"]
        for _attempt in range(count)
    ]
    return arn, points


def test_the_newest_point_is_restored_with_its_age_and_every_documented_key(aws, client, tmp_path):
    arn, points = _cluster_with_points(client, 2)
    aws.post("aws", "/_emulator/requests", method="DELETE")
    preview, _process = run_module(aws, tmp_path, MODULE, _args(arn), "--check")
    assert preview["changed"] and preview["recovery_point"]["arn"] == points[-1]
    assert aws.requests()["writes"] == 0  # check mode starts nothing

    result, _process = run_module(aws, tmp_path, MODULE, _args(arn))
    assert result["changed"] and not result.get("failed")
    assert result["recovery_point"]["arn"] == points[-1] and result["recovery_point"]["age_seconds"] >= 0
    assert result["created_resource_arn"].endswith(":cluster:restored")
    assert result["restore_job"]["status"] == "COMPLETED" and result["duration_seconds"] >= 0
    start = result["api_calls"].index("backup.StartRestoreJob")  # after every page of the recovery points
    assert start >= 1 and set(result["api_calls"][:start]) == {"backup.ListRecoveryPointsByBackupVault"}
    assert set(documented(MODULE, "RETURN")) - {"reason"} <= set(result)
    restored = client("rds").describe_db_clusters(DBClusterIdentifier="restored")["DBClusters"][0]
    assert restored["DeletionProtection"] is False


def test_no_point_and_bad_input_fail_clearly_before_any_write(aws, client, tmp_path):
    arn, _points = _cluster_with_points(client, 0)
    aws.post("aws", "/_emulator/requests", method="DELETE")
    nothing, _process = run_module(aws, tmp_path, MODULE, _args(arn))
    assert nothing["failed"] and nothing["reason"] == "no_recovery_point"
    assert "no completed recovery point of " + arn in nothing["msg"]

    unnamed, _process = run_module(aws, tmp_path, MODULE, _args(arn, metadata={"Engine": "aurora-postgresql"}))
    assert unnamed["failed"] and "metadata.DBClusterIdentifier is required" in unnamed["msg"]
    assert aws.requests()["writes"] == 0


def test_recovery_points_are_read_from_every_page(aws, client, tmp_path):
    """ListRecoveryPointsByBackupVault pages with NextToken: every page is read (one recorded call a page)."""
    arn, points = _cluster_with_points(client, 3)
    aws.post("aws", "/_emulator/config", {"page_size": {"backup.ListRecoveryPointsByBackupVault": 1}})
    preview, _process = run_module(aws, tmp_path, MODULE, _args(arn), "--check")
    assert not preview.get("failed"), preview.get("msg")
    assert preview["api_calls"] == ["backup.ListRecoveryPointsByBackupVault"] * 3
    assert preview["recovery_point"]["arn"] == points[-1]
