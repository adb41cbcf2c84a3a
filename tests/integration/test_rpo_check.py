"""rpo_check through ansible-playbook, on the data stores the real templates build."""

from __future__ import annotations

import pytest

from emulator.seed import DR, PRIMARY, deploy_seed_order
from tests.integration.ansible import run_module
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
    assert "aurora-cluster-dr:rpo_lag (breach)" in result["msg"]
    assert result["worst_rpo_seconds"] == 5400.0


def test_cloudwatch_cost_grows_with_regions_not_metrics(aws, client, seed, tmp_path):
    only_s3 = run_module(aws, tmp_path, MODULE, {"region": PRIMARY, "s3_replication": _args(seed)["s3_replication"]})[0]
    assert only_s3["api_calls"] == ["cloudwatch.GetMetricData"] and len(only_s3["measurements"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"region": PRIMARY}, "one of the following is required"),
        ({"region": PRIMARY, "redis": {}}, "missing required arguments: replication_group_id"),
        ({"region": PRIMARY, "target_seconds": 0, "redis": {"replication_group_id": "x"}}, "target_seconds must be"),
    ],
)
def test_bad_input_fails_before_any_aws_call(aws, tmp_path, args, message):
    aws.post("aws", "/_emulator/requests", method="DELETE")
    result = run_module(aws, tmp_path, MODULE, args)[0]
    assert result["failed"] and message in result["msg"]
    assert aws.requests()["total"] == 0
