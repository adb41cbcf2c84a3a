"""The monthly restore drill (playbooks/dr_drill.yml -e dr_drill_type=restore) on a deployed platform.

It runs beside the switchover and full drills (test_dr_drill.py) on another worker, on the platform the ``platform``
fixture deploys for that worker.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.integration.ansible import run_modules
from tests.integration.drills import (
    PRIMARY_ID,
    connect_primary,
    published,
    read_lock,
    read_report,
    run_drill,
    stack_outputs,
    temporary_clusters,
)


def _back_up(client) -> str:
    """An on-demand AWS Backup job of the Aurora cluster, as the hourly plan makes them; its point's ARN."""
    backup, aurora = stack_outputs(client, "backup"), stack_outputs(client, "aurora")
    job = client("backup").start_backup_job(
        BackupVaultName=backup["BackupVaultName"], ResourceArn=aurora["ClusterArn"], IamRoleArn=backup["BackupRoleArn"]
    )
    assert client("backup").describe_backup_job(BackupJobId=job["BackupJobId"])["State"] == "COMPLETED"
    return job["RecoveryPointArn"]


RESTORE_CHECKS = {
    "dr_drill_restore_checks": {
        "tables": ["models"],
        "row_counts": [{"table": "models", "written_at": "created_at"}],
        "queries": [{"name": "newest model", "sql": "SELECT max(id) FROM models", "expect": 5}],
    }
}


def _restore(aws, tmp_path, *extra: str):
    return run_drill(aws, tmp_path, "-e", "dr_drill_type=restore", "-e", json.dumps(RESTORE_CHECKS), *extra)


@pytest.mark.slow(seconds=110)
def test_restore_drill_validates_restored_data_and_removes_what_it_restored_whatever_fails(deployed, tmp_path):
    aws, client = deployed, deployed.client
    # an empty vault, whatever ran on the shared platform before (the monthly restore test leaves its point)
    vault = stack_outputs(client, "backup")["BackupVaultName"]
    for page in client("backup").get_paginator("list_recovery_points_by_backup_vault").paginate(BackupVaultName=vault):
        for point in page["RecoveryPoints"]:
            client("backup").delete_recovery_point(BackupVaultName=vault, RecoveryPointArn=point["RecoveryPointArn"])
    with connect_primary(client) as conn:
        conn.execute("CREATE TABLE models (id int PRIMARY KEY, created_at timestamptz DEFAULT clock_timestamp())")
        conn.execute("INSERT INTO models (id) SELECT generate_series(1, 5)")
    # what an interrupted drill left behind: found by its name, removed by the next drill
    client("rds").restore_db_cluster_from_snapshot(
        DBClusterIdentifier="ai-model-registry-development-drill-deadbeef",
        SnapshotIdentifier=client("rds").describe_db_cluster_snapshots(DBClusterIdentifier=PRIMARY_ID)[
            "DBClusterSnapshots"
        ][0]["DBClusterSnapshotIdentifier"],
        Engine="aurora-postgresql",
    )

    # no recovery point in the vault yet: the newest automated snapshot (the empty cluster at creation)
    # is restored, and the validation finds the table missing
    empty = _restore(aws, tmp_path / "fallback")
    report, junit, page = read_report(tmp_path / "fallback")
    assert empty.returncode != 0 and report["result"] == "fail"
    restored = next(s for s in report["steps"] if s["name"].startswith("Recovery point restored into"))
    assert restored["detail"].startswith("automated snapshot arn:aws:rds:us-west-2:")
    tables = next(s for s in report["steps"] if s["name"] == "Restored data: expected tables")
    assert tables["status"] == "failed" and tables["detail"] == "missing: models"
    assert "ai-model-registry-development-drill-deadbeef" in report["cleanup"]["detail"]
    assert temporary_clusters(client) == [] and read_lock(client) is None

    point = _back_up(client)
    time.sleep(0.2)
    with connect_primary(client) as conn:  # written after the recovery point: not in the restored data
        conn.execute("INSERT INTO models (id) SELECT generate_series(6, 8)")

    # the restore outlasts the drill's timeout: the cleanup waits for the job, then deletes its cluster
    aws.post("aws", "/_emulator/config", {"restore_job_seconds": 4})
    slow = _restore(aws, tmp_path / "slow", "-e", "dr_drill_restore_timeout_seconds=1")
    report, _junit, _page = read_report(tmp_path / "slow")
    assert slow.returncode != 0 and "after 1 s" in report["failed_step"]
    assert "ai-model-registry-development-drill-" in report["cleanup"]["detail"]
    assert temporary_clusters(client) == [] and read_lock(client) is None

    # the monthly restore test passes: 5 rows at the recovery point, 5 restored
    aws.post("aws", "/_emulator/config", {"restore_job_seconds": 1})
    aws.post("aws", "/_emulator/requests", method="DELETE")
    passed = _restore(aws, tmp_path / "pass")
    assert passed.returncode == 0, passed.stdout[-3000:]
    report, junit, page = read_report(tmp_path / "pass")
    measured = report["measured"]
    assert report["result"] == "pass" and measured["recovery_point_arn"] == point
    assert measured["recovery_point_source"] == "AWS Backup" and 0 < float(measured["rpo_seconds"]) < 600
    assert 1 <= float(measured["restore_seconds"]) < float(measured["rto_seconds"]) < 600
    details = {s["name"]: (s["status"], s["detail"]) for s in report["steps"]}
    assert details["Restored data: row counts at the recovery point"] == ("ok", "models restored 5 / source 5")
    assert details["Restored data: validation queries"] == ("ok", "newest model: 5 (expected 5)")
    assert report["rpo_check"]["verdict"] == "pass" and junit.find("testsuite").get("failures") == "0"
    assert float(measured["rto_seconds"]) in published(client, "RecoveryTimeSeconds")
    actions = [f"{e['service']}.{e['action']}" for e in aws.requests()["log"]]
    assert actions.count("backup.StartRestoreJob") == 1 and actions.count("rds.DeleteDBCluster") == 1
    assert temporary_clusters(client) == [] and read_lock(client) is None
    with connect_primary(client) as conn:
        assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 8  # the source is untouched
        conn.execute("DROP TABLE models")


@pytest.mark.slow(seconds=15)
def test_check_mode_previews_the_restore_drill_writes_nothing_and_refuses_to_preview_a_switch(deployed, tmp_path):
    aws, client = deployed, deployed.client
    preview = run_drill(aws, tmp_path, "-e", "dr_drill_type=restore", "--check")
    assert preview.returncode == 0, preview.stdout[-3000:]
    assert re.search(
        r"Would restore (AWS Backup|automated snapshot) arn:aws:\S+\s+of \S+ \([0-9.]+ s old\)", preview.stdout
    )
    assert aws.requests()["writes"] == 0
    assert list(tmp_path.iterdir()) == []  # no report
    assert temporary_clusters(client) == [] and read_lock(client) is None

    refused = run_drill(aws, tmp_path, "-e", "dr_drill_type=switchover", "--check")
    assert refused.returncode != 0
    assert "dr_drill_type=switchover cannot be previewed with --check" in " ".join(refused.stdout.split())
    assert aws.requests()["writes"] == 0


BAD_INPUTS = [
    ({"cluster": "ai-model-registry-development-aurora-cluster"}, "cluster must not be the source cluster"),
    ({"wait_timeout": 0}, "wait_timeout must be above 0"),
    ({"backup_vault_name": "vault"}, "parameters are required together: backup_vault_name, iam_role_arn"),
]


def test_the_module_refuses_bad_input_before_any_aws_call(aws, tmp_path):
    args = {"region": "us-west-2", "source_cluster": PRIMARY_ID, "cluster": "drill-x", "instance_class": "db.r6g.large"}
    aws.post("aws", "/_emulator/requests", method="DELETE")
    calls = [{**args, **changes} for changes, _message in BAD_INPUTS]  # one task each, in one playbook run
    results = run_modules(aws, tmp_path, "dr_drill_restore", calls)[0]
    for (changes, message), result in zip(BAD_INPUTS, results, strict=True):
        assert result["failed"] and message in result["msg"], (changes, result)
    assert aws.requests()["total"] == 0
