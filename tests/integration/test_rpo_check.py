"""rpo_check through ansible-playbook, on the data stores the real templates build."""

from __future__ import annotations

import datetime
import time

import pytest

from emulator.seed import DR, PRIMARY, deploy_seed_order
from tests.integration.ansible import run_module, run_modules
from tests.integration.test_rds_global_cluster_failover import documented

MODULE = "rpo_check"


@pytest.fixture
def seed(aws, client):
    return deploy_seed_order(client)


def _args(seed: dict, **changes) -> dict:
    args = {
        "region": PRIMARY,
        "environment": "production",
        "aurora_global": {"global_cluster_identifier": seed["dr"]["GlobalClusterIdentifier"]},
        "backup": {
            "vault_name": seed["backup"]["BackupVaultName"],
            "resource_arns": [seed["aurora"]["ClusterArn"]],
            "dr_vault_name": seed["backup-dr-vault"]["BackupVaultName"],
            "dr_region": DR,
        },
        "s3_replication": {
            "bucket": "ai-model-registry-artifacts",
            "destination_bucket": "ai-model-registry-artifacts-replica",
            "rule_id": "artifacts-to-dr-region",
        },
        "redis": {"replication_group_id": "ai-model-registry-redis", "target_seconds": 86400},
    }
    args.update(changes)
    return args


def _by_name(result: dict) -> dict[str, dict]:
    return {m["name"]: m for m in result["measurements"]}


def _protect(client, seed: dict) -> None:
    """What the backup plan and the Redis snapshot window do on AWS: a backup, its copy, a snapshot."""
    backup = client("backup")
    point = backup.start_backup_job(
        BackupVaultName=seed["backup"]["BackupVaultName"],
        ResourceArn=seed["aurora"]["ClusterArn"],
        IamRoleArn=seed["backup"]["BackupRoleArn"],
    )["RecoveryPointArn"]
    backup.start_copy_job(
        RecoveryPointArn=point,
        SourceBackupVaultName=seed["backup"]["BackupVaultName"],
        DestinationBackupVaultArn=seed["backup-dr-vault"]["BackupVaultArn"],
        IamRoleArn=seed["backup"]["BackupRoleArn"],
    )
    client("elasticache").create_snapshot(ReplicationGroupId="ai-model-registry-redis", SnapshotName="daily")


def test_every_store_is_measured_and_a_missing_figure_is_a_finding(aws, client, seed, tmp_path):
    aws.post("aws", "/_emulator/config", {"collection_page_size": None})  # requests counted at AWS's page sizes
    result = run_module(aws, tmp_path, MODULE, _args(seed))[0]
    assert not result.get("failed") and result["changed"] is False
    figures = _by_name(result)
    secondary = "aurora_global:ai-model-registry-aurora-cluster-dr"
    assert figures[f"{secondary}:rpo_lag"]["value"] == 0.05 and figures[f"{secondary}:rpo_lag"]["status"] == "ok"
    assert figures[f"{secondary}:replication_lag"]["source"].startswith("cloudwatch us-east-1 AWS/RDS")
    assert figures["s3_replication:ai-model-registry-artifacts:latency"]["value"] == 5.0
    assert figures["s3_replication:ai-model-registry-artifacts:failed_operations"]["status"] == "ok"
    assert figures["s3_replication:ai-model-registry-artifacts:pending_operations"]["status"] == "info"
    # nothing has been backed up yet: those figures are missing, and missing is a finding
    missing = sorted(b["name"] for b in result["breaches"])
    assert missing == sorted(
        [
            f"backup:{seed['aurora']['ClusterArn']}",
            f"backup_copy:{seed['aurora']['ClusterArn']}",
            "redis:ai-model-registry-redis:snapshot",
        ]
    )
    assert {b["status"] for b in result["breaches"]} == {"missing"} and result["verdict"] == "fail"
    # one GetMetricData per region, whatever the number of metrics
    assert result["api_calls"].count("cloudwatch.GetMetricData") == 2
    # every documented key is returned, each measurement has every documented field
    assert set(documented(MODULE, "RETURN")) <= set(result)
    fields = set(documented(MODULE, "RETURN")["measurements"]["contains"])
    assert all(set(m) == fields for m in result["measurements"])

    _protect(client, seed)
    protected = run_module(aws, tmp_path, MODULE, _args(seed, enforce=True))[0]
    assert not protected.get("failed") and protected["verdict"] == "pass" and protected["breaches"] == []
    ages = _by_name(protected)
    assert 0 <= ages[f"backup_copy:{seed['aurora']['ClusterArn']}"]["value"] < 120
    assert ages["redis:ai-model-registry-redis:snapshot"]["target"] == 86400
    assert protected["worst_rpo_seconds"] >= 5.0


def test_an_injected_replication_delay_is_a_breach_and_enforce_fails(aws, client, seed, tmp_path):
    _protect(client, seed)
    aws.post("aws", "/_emulator/config", {"replication_lag_ms": 5400000})  # 90 minutes behind
    result = run_module(aws, tmp_path, MODULE, _args(seed, enforce=True))[0]
    assert result["failed"] and result["verdict"] == "fail"
    breach = [b for b in result["breaches"] if b["name"].endswith(":rpo_lag")][0]
    assert (breach["value"], breach["target"], breach["status"]) == (5400.0, 3600.0, "breach")
    # the failure says why: each late figure against its target, where it was measured
    late = "aurora_global: AuroraGlobalDBRPOLag 5400 s, over the target of 3600 s: secondary ai-model-registry-aurora-"
    assert late in result["msg"] and late in "; ".join(result["findings"])
    assert result["summary"].startswith(f"fail: {len(result['breaches'])} of ")
    assert result["worst_rpo_seconds"] == 5400.0


def test_cloudwatch_cost_grows_with_regions_not_metrics(aws, client, seed, tmp_path):
    aws.post("aws", "/_emulator/config", {"collection_page_size": None})  # requests counted at AWS's page sizes
    only_s3 = run_module(aws, tmp_path, MODULE, {"region": PRIMARY, "s3_replication": _args(seed)["s3_replication"]})[0]
    assert only_s3["api_calls"] == ["cloudwatch.GetMetricData"] and len(only_s3["measurements"]) == 3


def test_redis_snapshots_are_read_to_the_last_page_where_the_newest_is(aws, client, tmp_path):
    """DescribeSnapshots pages with Marker (AWS: at most 50 records a page). The module followed NextToken, which
    ElastiCache never sends, so it read the first page only and missed the newest snapshot on a later one."""
    group, elasticache = "paged-redis", client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId=group, ReplicationGroupDescription="paging", NumCacheClusters=1, Engine="redis"
    )
    for index in range(4):
        elasticache.create_snapshot(ReplicationGroupId=group, SnapshotName=f"older-{index}")
    time.sleep(1.1)  # the newest is a second younger than the others, whatever precision its time travels with
    elasticache.create_snapshot(ReplicationGroupId=group, SnapshotName="newest")
    aws.post("aws", "/_emulator/config", {"page_size": {"elasticache.DescribeSnapshots": 2}})
    pages = elasticache.get_paginator("describe_snapshots").paginate(ReplicationGroupId=group)
    assert [[s["SnapshotName"] for s in page["Snapshots"]] for page in pages][-1] == ["newest"]  # on page 3 of 3
    newest = elasticache.describe_snapshots(SnapshotName="newest")["Snapshots"][0]["NodeSnapshots"][0]

    result = run_module(aws, tmp_path, MODULE, {"region": PRIMARY, "redis": {"replication_group_id": group}})[0]
    assert not result.get("failed"), result.get("msg")
    snapshot = _by_name(result)[f"redis:{group}:snapshot"]
    assert snapshot["detail"] == "5 snapshot(s)" and snapshot["status"] == "ok"
    assert datetime.datetime.fromisoformat(snapshot["measured_at"]) == newest["SnapshotCreateTime"]
    # one recorded call a page, then the group itself: in no Global Datastore, it has no DR copy's lag to read
    assert result["api_calls"] == ["elasticache.DescribeSnapshots"] * 3 + ["elasticache.DescribeReplicationGroups"]
    assert [m["name"] for m in result["measurements"]] == [f"redis:{group}:snapshot"]


def test_recovery_points_of_every_page_are_read(aws, client, tmp_path):
    """ListRecoveryPointsByBackupVault pages with NextToken: every page is read, the newest point counts."""
    arn = client("rds").create_db_cluster(
        DBClusterIdentifier="paged", Engine="aurora-postgresql", MasterUsername="postgres", MasterUserPassword="x" * 12
    )["DBCluster"]["DBClusterArn"]
    backup = client("backup")
    backup.create_backup_vault(BackupVaultName="paged-vault")
    role = "arn:aws:iam::123456789012:role/backup"
    points = [
        backup.start_backup_job(BackupVaultName="paged-vault", ResourceArn=arn, IamRoleArn=role)["RecoveryPointArn"]
        for _attempt in range(3)
    ]
    aws.post("aws", "/_emulator/config", {"page_size": {"backup.ListRecoveryPointsByBackupVault": 1}})
    args = {"region": PRIMARY, "backup": {"vault_name": "paged-vault", "resource_arns": [arn]}}
    result = run_module(aws, tmp_path, MODULE, args)[0]
    assert not result.get("failed"), result.get("msg")
    assert result["api_calls"] == ["backup.ListRecoveryPointsByBackupVault"] * 3
    figure = _by_name(result)[f"backup:{arn}"]
    assert figure["status"] == "ok" and figure["detail"] == f"vault paged-vault, {points[-1]}"


def test_metric_data_pages_keep_each_figures_newest_datapoint(aws, client, tmp_path):
    """GetMetricData pages by data points (MaxDatapoints): a query's older data points can follow on a later page
    under the same Id. The newest counts, whichever page holds it, not the last one read."""
    dims = [
        {"Name": "SourceBucket", "Value": "paged-bucket"},
        {"Name": "DestinationBucket", "Value": "paged-replica"},
        {"Name": "RuleId", "Value": "paged-rule"},
    ]
    now = datetime.datetime.now(datetime.UTC)
    client("cloudwatch", PRIMARY).put_metric_data(
        Namespace="AWS/S3",
        MetricData=[
            {
                "MetricName": "ReplicationLatency",
                "Value": value,
                "Timestamp": now - datetime.timedelta(minutes=minutes),
                "Unit": "Seconds",
                "Dimensions": dims,
            }
            for value, minutes in ((7.0, 1), (300.0, 3), (9000.0, 5))
        ],
    )
    aws.post("aws", "/_emulator/config", {"page_size": {"cloudwatch.GetMetricData": 1}})  # one data point a page
    args = {
        "region": PRIMARY,
        "s3_replication": {"bucket": "paged-bucket", "destination_bucket": "paged-replica", "rule_id": "paged-rule"},
    }
    result = run_module(aws, tmp_path, MODULE, args)[0]
    assert result["api_calls"] == ["cloudwatch.GetMetricData"] * 3  # three data points, one a page
    latency = _by_name(result)["s3_replication:paged-bucket:latency"]
    assert (latency["value"], latency["status"]) == (7.0, "ok")  # the newest; 9000 s came last, on page 3


BAD_INPUTS = [
    ({"region": PRIMARY}, "one of the following is required"),
    ({"region": PRIMARY, "redis": {}}, "missing required arguments: replication_group_id"),
    ({"region": PRIMARY, "target_seconds": 0, "redis": {"replication_group_id": "x"}}, "target_seconds must be"),
]


def test_bad_input_fails_before_any_aws_call(aws, tmp_path):
    aws.post("aws", "/_emulator/requests", method="DELETE")
    results = run_modules(aws, tmp_path, MODULE, [args for args, _message in BAD_INPUTS])[0]  # one task each
    for (args, message), result in zip(BAD_INPUTS, results, strict=True):
        assert result["failed"] and message in result["msg"], (args, result)
    assert aws.requests()["total"] == 0
