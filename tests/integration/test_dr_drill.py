"""playbooks/dr_drill.yml on inventories/local, against real PostgreSQL servers behind the Aurora endpoints.

The tests of this module run on one pytest worker, in this order (tests/conftest.py schedules them so):
the three drills share one deployed platform (the ``platform`` fixture) - each drill must leave the
platform as it found it, and the tests assert exactly that; the tests after them start empty.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import psycopg
import pytest

from tests.integration.ansible import playbook

LOCK = "/ai-model-registry/development/dr-drill/lock"
BASELINE = {
    "global_switchover_seconds": 1,
    "global_failover_seconds": 1,
    "global_resync_seconds": 1,
    "backup_job_seconds": 0,
    "restore_job_seconds": 0,
    "backup_faults": {},
    "replication_lag_ms": {},
}
GLOBAL_ID = "ai-model-registry-development-aurora-cluster-global"
PRIMARY_ID = "ai-model-registry-development-aurora-cluster"


@pytest.fixture
def platform(emulator):
    """site.yml with real databases behind the Aurora endpoints, once for the drills that follow each other.

    A flag on the worker's emulator rather than a module-scoped fixture: every reset (the ``aws``
    fixture) clears it, so a test that emptied the emulator is never followed by a stale platform.
    """
    if not getattr(emulator, "platform_deployed", False):
        emulator.reset()
        emulator.post("aws", "/_emulator/config", {"databases": "postgresql"})
        playbook(emulator, "playbooks/site.yml", "-i", "inventories/local")
        emulator.platform_deployed = True
    return emulator


@pytest.fixture
def deployed(platform):
    """The shared platform with the emulator's default timings and an empty request log."""
    platform.post("aws", "/_emulator/config", BASELINE)
    platform.post("aws", "/_emulator/requests", method="DELETE")
    return platform


def _drill(aws, tmp_path, *extra: str):
    return playbook(
        aws,
        "playbooks/dr_drill.yml",
        "-i",
        "inventories/local",
        "-e",
        f"dr_drill_report_dir={tmp_path}",
        *extra,
        check=False,
    )


def _report(tmp_path) -> tuple[dict, ET.Element, str]:
    (directory,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    return (
        json.loads((directory / "report.json").read_text()),
        ET.parse(directory / "junit.xml").getroot(),  # noqa: S314 - our own report
        (directory / "report.md").read_text(),
    )


def _writer(client) -> str:
    gc = client("rds", "us-east-1").describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
    return next(m["DBClusterArn"] for m in gc["GlobalClusterMembers"] if m["IsWriter"]).split(":")[-1]


def _primary(client):
    """A connection to the primary cluster's database, as its master user."""
    cluster = client("rds").describe_db_clusters(DBClusterIdentifier=PRIMARY_ID)["DBClusters"][0]
    secret = json.loads(
        client("secretsmanager").get_secret_value(SecretId="ai-model-registry-development-aurora-db-credentials")[
            "SecretString"
        ]
    )
    return psycopg.connect(
        host=cluster["Endpoint"],
        port=cluster["Port"],
        user=secret["username"],
        password=secret["password"],
        dbname="modelregistry",
        autocommit=True,
    )


def _canaries(client) -> int:
    with _primary(client) as conn:
        return conn.execute("SELECT count(*) FROM dr_drill_canary").fetchone()[0]


def _temporary_clusters(client) -> list[str]:
    """Clusters and instances of drills the emulator still holds."""
    rds = client("rds")
    clusters = [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]]
    instances = [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    return [name for name in clusters + instances if "-drill-" in name]


def _published(client, metric: str) -> list[float]:
    """The values of the last 30 minutes of a metric the drills publish for the DR stack's alarms."""
    now = time.time()
    answer = client("cloudwatch", "us-east-1").get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AIModelRegistry/DR",
                        "MetricName": metric,
                        "Dimensions": [{"Name": "Environment", "Value": "development"}],
                    },
                    "Period": 1,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=now - 1800,
        EndTime=now + 60,
    )
    return [round(v, 3) for v in answer["MetricDataResults"][0]["Values"]]


def _lock(client):
    try:
        return json.loads(client("ssm", "us-east-1").get_parameter(Name=LOCK)["Parameter"]["Value"])
    except client("ssm", "us-east-1").exceptions.ParameterNotFound:
        return None


@pytest.mark.slow
def test_switchover_drill_measures_reports_and_cleans_up_also_after_a_timeout(deployed, tmp_path):
    aws, client = deployed, deployed.client
    # a switch that outlasts the drill's timeout: the drill fails, and still cleans up everything
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 8})
    failed = _drill(aws, tmp_path / "timeout", "-e", "dr_drill_switch_timeout_seconds=2")
    assert failed.returncode != 0 and "DR drill development-switchover-" in failed.stdout
    report, junit, page = _report(tmp_path / "timeout")
    assert report["result"] == "fail" and "not finished after 2 s" in report["failed_step"]
    assert report["cleanup"]["status"] == "ok"
    assert int(junit.find("testsuite").get("failures")) >= 1
    assert _writer(client) == PRIMARY_ID and _canaries(client) == 0 and _lock(client) is None

    # the quarterly drill: pass, with its measurements, reports, archive and announcement
    with _primary(client) as conn:  # a canary an interrupted drill left: this drill's cleanup removes it too
        conn.execute("INSERT INTO dr_drill_canary (drill_id, seq) VALUES ('development-switchover-interrupted', 1)")
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 1})
    aws.post("aws", "/_emulator/requests", method="DELETE")
    passed = _drill(aws, tmp_path / "pass")
    assert passed.returncode == 0, passed.stdout[-3000:]
    report, junit, page = _report(tmp_path / "pass")
    assert report["schema"] == "ai_model_registry.infra/dr-drill-report/v1" and report["result"] == "pass"
    measured = report["measured"]
    assert 0 < float(measured["rto_seconds"]) < 120 and int(measured["canaries_lost"]) == 0
    # commits acknowledged while the writer moved: every one of them is on the new writer
    assert int(measured["canaries_written_during_switch"]) > 0 and float(measured["canary_rpo_seconds"]) < 1
    assert float(measured["rpo_seconds"]) < 1 and report["rpo_check"]["verdict"] == "pass"
    assert [s["status"] for s in report["steps"]] == ["ok"] * 4
    assert junit.find("testsuite").get("failures") == "0" and len(junit.iter("testcase").__next__().attrib) == 2
    assert "| RTO measured / target |" in page and "Application path verified in the DR region" in page
    prefix = f"dr-drills/development/{report['drill_id']}/"
    archived = client("s3").list_objects_v2(Bucket="ai-model-registry-local-artifacts", Prefix=prefix)
    assert sorted(o["Key"][len(prefix) :] for o in archived["Contents"]) == ["junit.xml", "report.json", "report.md"]
    actions = [f"{e['service']}.{e['action']}" for e in aws.requests()["log"]]
    assert actions.count("rds.SwitchoverGlobalCluster") == 2 and "sns.Publish" in actions
    assert float(measured["rto_seconds"]) in _published(client, "RecoveryTimeSeconds")
    assert float(measured["rpo_seconds"]) in _published(client, "RecoveryPointSeconds")
    assert _writer(client) == PRIMARY_ID and _canaries(client) == 0 and _lock(client) is None


def _outputs(client, stack: str) -> dict[str, str]:
    found = client("cloudformation").describe_stacks(StackName=f"ai-model-registry-development-{stack}")["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in found["Outputs"]}


def _back_up(client) -> str:
    """An on-demand AWS Backup job of the Aurora cluster, as the hourly plan makes them; its point's ARN."""
    backup, aurora = _outputs(client, "backup"), _outputs(client, "aurora")
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
    return _drill(aws, tmp_path, "-e", "dr_drill_type=restore", "-e", json.dumps(RESTORE_CHECKS), *extra)


@pytest.mark.slow
def test_restore_drill_validates_restored_data_and_removes_what_it_restored_whatever_fails(deployed, tmp_path):
    aws, client = deployed, deployed.client
    with _primary(client) as conn:
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
    report, junit, page = _report(tmp_path / "fallback")
    assert empty.returncode != 0 and report["result"] == "fail"
    restored = next(s for s in report["steps"] if s["name"].startswith("Recovery point restored into"))
    assert restored["detail"].startswith("automated snapshot arn:aws:rds:us-west-2:")
    tables = next(s for s in report["steps"] if s["name"] == "Restored data: expected tables")
    assert tables["status"] == "failed" and tables["detail"] == "missing: models"
    assert "ai-model-registry-development-drill-deadbeef" in report["cleanup"]["detail"]
    assert _temporary_clusters(client) == [] and _lock(client) is None

    point = _back_up(client)
    time.sleep(0.2)
    with _primary(client) as conn:  # written after the recovery point: not in the restored data
        conn.execute("INSERT INTO models (id) SELECT generate_series(6, 8)")

    # the restore outlasts the drill's timeout: the cleanup waits for the job, then deletes its cluster
    aws.post("aws", "/_emulator/config", {"restore_job_seconds": 4})
    slow = _restore(aws, tmp_path / "slow", "-e", "dr_drill_restore_timeout_seconds=1")
    report, _junit, _page = _report(tmp_path / "slow")
    assert slow.returncode != 0 and "after 1 s" in report["failed_step"]
    assert "ai-model-registry-development-drill-" in report["cleanup"]["detail"]
    assert _temporary_clusters(client) == [] and _lock(client) is None

    # the monthly restore test passes: 5 rows at the recovery point, 5 restored
    aws.post("aws", "/_emulator/config", {"restore_job_seconds": 1})
    aws.post("aws", "/_emulator/requests", method="DELETE")
    passed = _restore(aws, tmp_path / "pass")
    assert passed.returncode == 0, passed.stdout[-3000:]
    report, junit, page = _report(tmp_path / "pass")
    measured = report["measured"]
    assert report["result"] == "pass" and measured["recovery_point_arn"] == point
    assert measured["recovery_point_source"] == "AWS Backup" and 0 < float(measured["rpo_seconds"]) < 600
    assert 1 <= float(measured["restore_seconds"]) < float(measured["rto_seconds"]) < 600
    details = {s["name"]: (s["status"], s["detail"]) for s in report["steps"]}
    assert details["Restored data: row counts at the recovery point"] == ("ok", "models restored 5 / source 5")
    assert details["Restored data: validation queries"] == ("ok", "newest model: 5 (expected 5)")
    assert report["rpo_check"]["verdict"] == "pass" and junit.find("testsuite").get("failures") == "0"
    assert float(measured["rto_seconds"]) in _published(client, "RecoveryTimeSeconds")
    actions = [f"{e['service']}.{e['action']}" for e in aws.requests()["log"]]
    assert actions.count("backup.StartRestoreJob") == 1 and actions.count("rds.DeleteDBCluster") == 1
    assert _temporary_clusters(client) == [] and _lock(client) is None
    with _primary(client) as conn:
        assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 8  # the source is untouched
        conn.execute("DROP TABLE models")


@pytest.mark.slow
def test_full_simulation_with_an_injected_replication_delay_measures_the_loss_and_rebuilds(deployed, tmp_path):
    aws, client = deployed, deployed.client
    aws.post("aws", "/_emulator/config", {"replication_lag_ms": 15000, "s3_replication_latency_seconds": 1})
    redis = _outputs(client, "redis")["ReplicationGroupId"]  # the daily snapshot the seed's Redis backups keep
    client("elasticache").create_snapshot(ReplicationGroupId=redis, SnapshotName=f"{redis}-daily")
    result = _drill(aws, tmp_path, "-e", "dr_drill_type=full")
    assert result.returncode == 0, result.stdout[-3000:]
    report, junit, page = _report(tmp_path)
    measured = report["measured"]
    assert report["result"] == "pass" and measured["action"] == "failover"
    # the commits of the last 15 s before the failover never reached the DR region: lost, and measured
    # (the switchover drill, without the delay, loses none and measures well under a second)
    assert int(measured["canaries_written_during_switch"]) > 0 and int(measured["canaries_lost"]) > 0
    # about the injected 15 s (the relay's pace and the writer's acknowledgements add to it on a busy machine)
    assert 3 < float(measured["canary_rpo_seconds"]) < 30
    assert float(measured["aws_reported_lag_seconds"]) == 15 and float(measured["rpo_seconds"]) >= 15
    assert 1 <= float(measured["s3_replication_seconds"]) < 30
    steps = {s["name"]: s["status"] for s in report["steps"]}
    assert steps["S3 replication to the DR region"] == "ok"
    assert steps["Global database rebuilt, the primary region a connected secondary again"] == "ok"
    assert steps["Failed back and verified in the primary region"] == "ok"
    assert "cold cache" in page
    client("elasticache").delete_snapshot(SnapshotName=f"{redis}-daily")
    actions = [f"{e['service']}.{e['action']}" for e in aws.requests()["log"]]
    assert actions.count("rds.FailoverGlobalCluster") == 1 and actions.count("rds.SwitchoverGlobalCluster") == 1
    assert _writer(client) == PRIMARY_ID and _canaries(client) == 0 and _lock(client) is None
    probe = f"dr-drills/development/{report['drill_id']}/replication-probe.txt"
    for region, bucket in (
        ("us-west-2", "ai-model-registry-local-artifacts"),
        ("us-east-1", "ai-model-registry-local-artifacts-replica"),
    ):
        listed = client("s3", region).list_objects_v2(Bucket=bucket, Prefix=probe)
        assert listed.get("KeyCount", 0) == 0


def test_a_second_drill_is_refused_while_one_runs(aws, client, tmp_path):
    running = {
        "drill_id": "development-switchover-other",
        "type": "switchover",
        "started_at": time.time(),
        "expires_at": time.time() + 3600,
    }
    client("ssm", "us-east-1").put_parameter(Name=LOCK, Value=json.dumps(running), Type="String")
    refused = _drill(aws, tmp_path)
    assert refused.returncode != 0
    assert "Another DR drill runs in development: development-switchover-other (switchover)" in refused.stdout
    assert _lock(client) == running  # the other drill's lock is left alone
    assert not any(e["service"] == "rds" and e["write"] for e in aws.requests()["log"])


def test_a_stale_lock_is_taken_over_and_released(aws, client, tmp_path):
    stale = {
        "drill_id": "development-switchover-dead",
        "type": "switchover",
        "started_at": time.time() - 90000,
        "expires_at": time.time() - 3600,
    }
    client("ssm", "us-east-1").put_parameter(Name=LOCK, Value=json.dumps(stale), Type="String")
    client("s3").create_bucket(  # where the failed drill's report goes
        Bucket="ai-model-registry-local-artifacts", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    result = _drill(aws, tmp_path)  # nothing deployed: the drill fails after taking the lock
    assert result.returncode != 0 and "is not deployed" in result.stdout
    assert _lock(client) is None  # taken over, then released by the failed drill


def test_production_needs_a_confirmation(aws, inventory, tmp_path):
    target = inventory(registry_environment="production")
    result = playbook(aws, "playbooks/dr_drill.yml", "-i", str(target), check=False)
    assert result.returncode != 0 and "-e dr_drill_confirm=registry-local" in result.stdout
    assert aws.requests()["total"] == 0
