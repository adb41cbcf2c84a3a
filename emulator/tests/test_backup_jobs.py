"""AWS Backup jobs, copy jobs and recovery points, as the AWS Backup API reference describes them."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/backup"
DR_VAULT = "arn:aws:backup:us-east-1:123456789012:backup-vault:dr-vault"


@pytest.fixture
def cluster(client):
    rds = client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="c1", Engine="aurora-postgresql", MasterUsername="postgres", MasterUserPassword="x" * 12
    )
    client("backup").create_backup_vault(BackupVaultName="vault")
    client("backup", "us-east-1").create_backup_vault(BackupVaultName="dr-vault")
    return rds.describe_db_clusters(DBClusterIdentifier="c1")["DBClusters"][0]["DBClusterArn"]


def _start(client, resource_arn: str) -> dict:
    return client("backup").start_backup_job(BackupVaultName="vault", ResourceArn=resource_arn, IamRoleArn=ROLE)


def test_a_backup_job_runs_then_leaves_a_recovery_point_that_is_a_cluster_snapshot(aws, client, cluster):
    aws.post("aws", "/_emulator/config", {"backup_job_seconds": 600})  # held running, then released: no race
    job = _start(client, cluster)
    assert job["RecoveryPointArn"].startswith("arn:aws:rds:us-west-2:123456789012:cluster-snapshot:awsbackup:job-")
    backup = client("backup")
    assert backup.describe_backup_job(BackupJobId=job["BackupJobId"])["State"] == "RUNNING"
    assert backup.list_recovery_points_by_resource(ResourceArn=cluster)["RecoveryPoints"] == []
    aws.post("aws", "/_emulator/config", {"backup_job_seconds": 0})
    described = backup.describe_backup_job(BackupJobId=job["BackupJobId"])
    assert described["State"] == "COMPLETED" and described["ResourceType"] == "Aurora"
    points = backup.list_recovery_points_by_resource(ResourceArn=cluster)["RecoveryPoints"]
    assert [(p["RecoveryPointArn"], p["Status"], p["BackupVaultName"]) for p in points] == [
        (job["RecoveryPointArn"], "COMPLETED", "vault")
    ]
    snapshots = client("rds").describe_db_cluster_snapshots(SnapshotType="awsbackup")["DBClusterSnapshots"]
    assert [s["DBClusterSnapshotIdentifier"] for s in snapshots] == [job["RecoveryPointArn"].split(":", 6)[6]]
    assert (
        backup.list_backup_jobs(ByResourceArn=cluster, ByState="COMPLETED")["BackupJobs"][0]["BackupJobId"]
        == (job["BackupJobId"])
    )


def test_a_copy_job_puts_the_recovery_point_in_the_dr_vault(client, cluster):
    point = _start(client, cluster)["RecoveryPointArn"]
    copy = client("backup").start_copy_job(
        RecoveryPointArn=point, SourceBackupVaultName="vault", DestinationBackupVaultArn=DR_VAULT, IamRoleArn=ROLE
    )
    assert client("backup").describe_copy_job(CopyJobId=copy["CopyJobId"])["CopyJob"]["State"] == "COMPLETED"
    copies = client("backup", "us-east-1").list_recovery_points_by_backup_vault(
        BackupVaultName="dr-vault", ByResourceArn=cluster
    )["RecoveryPoints"]
    assert len(copies) == 1 and copies[0]["SourceBackupVaultArn"].endswith(":backup-vault:vault")
    assert copies[0]["RecoveryPointArn"].startswith("arn:aws:rds:us-east-1:")
    dr_snapshots = client("rds", "us-east-1").describe_db_cluster_snapshots()["DBClusterSnapshots"]
    assert [s["DBClusterSnapshotArn"] for s in dr_snapshots] == [copies[0]["RecoveryPointArn"]]


def test_an_injected_fault_fails_the_job_with_its_message(aws, client, cluster):
    aws.post("aws", "/_emulator/config", {"backup_faults": {"backup:*:cluster:c1": "Insufficient privileges"}})
    job = _start(client, cluster)
    described = client("backup").describe_backup_job(BackupJobId=job["BackupJobId"])
    assert (described["State"], described["StatusMessage"]) == ("FAILED", "Insufficient privileges")
    assert client("backup").list_recovery_points_by_resource(ResourceArn=cluster)["RecoveryPoints"] == []


def test_a_vault_with_recovery_points_cannot_be_deleted(client, cluster):
    point = _start(client, cluster)["RecoveryPointArn"]
    backup = client("backup")
    assert backup.describe_recovery_point(BackupVaultName="vault", RecoveryPointArn=point)["Status"] == "COMPLETED"
    with pytest.raises(ClientError, match="contains recovery points"):
        backup.delete_backup_vault(BackupVaultName="vault")
    backup.delete_recovery_point(BackupVaultName="vault", RecoveryPointArn=point)
    assert client("rds").describe_db_cluster_snapshots(SnapshotType="awsbackup")["DBClusterSnapshots"] == []
    backup.delete_backup_vault(BackupVaultName="vault")


def test_unknown_jobs_vaults_and_points_are_not_found(client, cluster):
    backup = client("backup")
    for call in (
        lambda: backup.describe_backup_job(BackupJobId="NOPE"),
        lambda: backup.describe_copy_job(CopyJobId="NOPE"),
        lambda: backup.list_recovery_points_by_backup_vault(BackupVaultName="missing"),
        lambda: backup.describe_recovery_point(BackupVaultName="vault", RecoveryPointArn="arn:aws:backup:x"),
        lambda: backup.start_backup_job(BackupVaultName="missing", ResourceArn=cluster, IamRoleArn=ROLE),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_elasticache_snapshots_carry_their_node_snapshot_time(client):
    elasticache = client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId="rg1", ReplicationGroupDescription="d", NumCacheClusters=2, Engine="redis"
    )
    before = time.time()
    elasticache.create_snapshot(ReplicationGroupId="rg1", SnapshotName="daily")
    nodes = elasticache.describe_snapshots(ReplicationGroupId="rg1")["Snapshots"][0]["NodeSnapshots"]
    assert nodes[0]["CacheClusterId"] == "rg1-001"
    assert before - 1 <= nodes[0]["SnapshotCreateTime"].timestamp() <= time.time() + 1


def _restore(client, point: str, cluster_id: str = "c1-restored", **metadata: str) -> str:
    return client("backup").start_restore_job(
        RecoveryPointArn=point,
        IamRoleArn=ROLE,
        ResourceType="Aurora",
        Metadata={"DBClusterIdentifier": cluster_id, "Engine": "aurora-postgresql", **metadata},
    )["RestoreJobId"]


def test_a_restore_job_restores_the_recovery_point_into_a_new_stand_alone_cluster(aws, client, cluster):
    point = _start(client, cluster)["RecoveryPointArn"]
    aws.post("aws", "/_emulator/config", {"restore_job_seconds": 600})  # held running, then released: no race
    job_id = _restore(client, point, DBSubnetGroupName="", DeletionProtection="false")
    backup = client("backup")
    running = backup.describe_restore_job(RestoreJobId=job_id)
    assert running["Status"] == "RUNNING" and "CreatedResourceArn" not in running
    aws.post("aws", "/_emulator/config", {"restore_job_seconds": 0})
    done = backup.describe_restore_job(RestoreJobId=job_id)
    assert done["Status"] == "COMPLETED" and done["RecoveryPointArn"] == point
    assert done["CreatedResourceArn"].endswith(":cluster:c1-restored") and done["ResourceType"] == "Aurora"
    restored = client("rds").describe_db_clusters(DBClusterIdentifier="c1-restored")["DBClusters"][0]
    assert restored["DBClusterMembers"] == [] and not restored.get("GlobalClusterIdentifier")
    assert restored["DeletionProtection"] is False
    assert [j["RestoreJobId"] for j in backup.list_restore_jobs(ByStatus="COMPLETED")["RestoreJobs"]] == [job_id]


def test_a_restore_job_into_a_taken_identifier_or_with_a_fault_fails_with_its_message(aws, client, cluster):
    point = _start(client, cluster)["RecoveryPointArn"]
    taken = client("backup").describe_restore_job(RestoreJobId=_restore(client, point, cluster_id="c1"))
    assert (taken["Status"], taken["StatusMessage"]) == ("FAILED", "DB cluster c1 already exists")
    aws.post("aws", "/_emulator/config", {"backup_faults": {"restore:*:cluster:c1": "Access denied to the KMS key"}})
    faulted = client("backup").describe_restore_job(RestoreJobId=_restore(client, point))
    assert (faulted["Status"], faulted["StatusMessage"]) == ("FAILED", "Access denied to the KMS key")
    assert "c1-restored" not in str(client("rds").describe_db_clusters()["DBClusters"])


def test_a_restore_job_needs_a_completed_point_and_a_cluster_identifier(client, cluster):
    point = _start(client, cluster)["RecoveryPointArn"]
    with pytest.raises(ClientError) as missing:
        _restore(client, point.replace("job-", "job-0"))
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as no_id:
        client("backup").start_restore_job(RecoveryPointArn=point, IamRoleArn=ROLE, Metadata={"Engine": "x"})
    assert no_id.value.response["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as unknown:
        client("backup").describe_restore_job(RestoreJobId="nope")
    assert unknown.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_deleted_clusters_automated_snapshots_go_with_it_its_final_snapshot_and_recovery_points_stay(client, cluster):
    """RDS removes a cluster's automated backups when the cluster is deleted (DeleteDBCluster's
    DeleteAutomatedBackups, default true); a final snapshot and AWS Backup's recovery points are kept."""
    rds = client("rds")
    job = _start(client, cluster)
    assert client("backup").describe_backup_job(BackupJobId=job["BackupJobId"])["State"] == "COMPLETED"
    point = job["RecoveryPointArn"]
    snapshots = rds.describe_db_cluster_snapshots(DBClusterIdentifier="c1")["DBClusterSnapshots"]
    assert "automated" in [s["SnapshotType"] for s in snapshots]  # the one RDS takes at creation
    rds.delete_db_cluster(DBClusterIdentifier="c1", FinalDBSnapshotIdentifier="c1-final")
    left = rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]  # automated and manual ones
    assert [s["DBClusterSnapshotIdentifier"] for s in left] == ["c1-final"]
    kept = rds.describe_db_cluster_snapshots(SnapshotType="awsbackup")["DBClusterSnapshots"]
    assert [s["DBClusterSnapshotArn"] for s in kept] == [point]
