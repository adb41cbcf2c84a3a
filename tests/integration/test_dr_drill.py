"""playbooks/dr_drill.yml on inventories/local, against real PostgreSQL servers behind the Aurora endpoints.

The switchover and full drills run on whichever workers are free, each on the platform its worker deployed (the
``platform`` fixture deploys it once per worker, on the worker's kept emulator, and again after a failed test): two
workers run them side by side. A drill must leave the platform as it found it - the tests assert exactly that - so a
worker that runs both shares one deployment.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.ansible import playbook
from tests.integration.drills import (
    LOCK,
    PRIMARY_ID,
    canary_count,
    connect_primary,
    current_writer,
    published,
    read_lock,
    read_report,
    redis_canary_keys,
    run_drill,
    stack_outputs,
)


@pytest.mark.slow(seconds=125)
def test_switchover_drill_measures_reports_and_cleans_up_also_after_a_timeout(deployed, tmp_path):
    aws, client = deployed, deployed.client
    # a switch that outlasts the drill's timeout: the drill fails, and still cleans up everything
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 8})
    failed = run_drill(aws, tmp_path / "timeout", "-e", "dr_drill_switch_timeout_seconds=2")
    assert failed.returncode != 0 and "DR drill development-switchover-" in failed.stdout
    report, junit, page = read_report(tmp_path / "timeout")
    assert report["result"] == "fail" and "not finished after 2 s" in report["failed_step"]
    assert report["cleanup"]["status"] == "ok"
    assert int(junit.find("testsuite").get("failures")) >= 1
    assert current_writer(client) == PRIMARY_ID and canary_count(client) == 0 and read_lock(client) is None

    # the quarterly drill: pass, with its measurements, reports, archive and announcement
    with connect_primary(client) as conn:  # a canary an interrupted drill left: this drill's cleanup removes it too
        conn.execute("INSERT INTO dr_drill_canary (drill_id, seq) VALUES ('development-switchover-interrupted', 1)")
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 1})
    aws.post("aws", "/_emulator/requests", method="DELETE")
    passed = run_drill(aws, tmp_path / "pass")
    assert passed.returncode == 0, passed.stdout[-3000:]
    report, junit, page = read_report(tmp_path / "pass")
    assert report["schema"] == "ai_model_registry.infra/dr-drill-report/v1" and report["result"] == "pass"
    measured = report["measured"]
    assert 0 < float(measured["rto_seconds"]) < 120 and int(measured["canaries_lost"]) == 0
    # commits acknowledged while the writer moved: every one of them is on the new writer
    assert int(measured["canaries_written_during_switch"]) > 0 and float(measured["canary_rpo_seconds"]) < 1
    assert float(measured["rpo_seconds"]) < 1 and report["rpo_check"]["verdict"] == "pass"
    # the first write after the move ends the gap the move fell in: at most the longest gap
    assert 0 <= float(measured["first_write_after_move_seconds"]) <= float(measured["write_outage_seconds"]) + 0.01
    assert [s["status"] for s in report["steps"]] == ["ok"] * 5
    # Redis moved with the database (the Global Datastore). FailoverGlobalReplicationGroup has no planned variant: it
    # promotes what the secondary received, so even a switchover may lose the writes in flight (the emulator's lag:
    # 50 ms) - measured, in seconds at most: the emulator's relay runs late on a loaded machine (over 1 s seen)
    assert int(measured["redis_canaries_written"]) > 20 and float(measured["redis_rpo_seconds"]) < 3
    assert "Redis's sentinel keys read in the DR region" in page and redis_canary_keys(aws) == []
    assert junit.find("testsuite").get("failures") == "0" and len(junit.iter("testcase").__next__().attrib) == 2
    assert "| RTO measured / target |" in page and "Application path verified in the DR region" in page
    prefix = f"dr-drills/development/{report['drill_id']}/"
    archived = client("s3").list_objects_v2(Bucket="ai-model-registry-local-artifacts", Prefix=prefix)
    archived_names = sorted(o["Key"][len(prefix) :] for o in archived["Contents"])
    assert archived_names == ["junit.xml", "report.html", "report.json", "report.md"]
    # the history: the failed drill (timeout) and this one, in the index and the page beside the report
    index = client("s3").get_object(Bucket="ai-model-registry-local-artifacts", Key="dr-history/development/index.json")
    switchovers = [run for run in json.loads(index["Body"].read())["runs"] if run["type"] == "switchover"]
    assert [run["result"] for run in switchovers[-2:]] == ["fail", "pass"]
    assert switchovers[-1]["drill_id"] == report["drill_id"]
    assert switchovers[-1]["rto_seconds"] == measured["rto_seconds"]
    history_page = next((tmp_path / "pass").iterdir()) / "history.html"
    assert "switchover (every quarter): this quarter&#39;s drill done, passed" in history_page.read_text()
    actions = [f"{e['service']}.{e['action']}" for e in aws.requests()["log"]]
    assert actions.count("rds.SwitchoverGlobalCluster") == 2 and "sns.Publish" in actions
    assert float(measured["rto_seconds"]) in published(client, "RecoveryTimeSeconds")
    assert float(measured["rpo_seconds"]) in published(client, "RecoveryPointSeconds")
    assert current_writer(client) == PRIMARY_ID and canary_count(client) == 0 and read_lock(client) is None


@pytest.mark.slow(seconds=85)
def test_full_simulation_with_an_injected_replication_delay_measures_the_loss_and_rebuilds(deployed, tmp_path):
    aws, client = deployed, deployed.client
    aws.post("aws", "/_emulator/config", {"replication_lag_ms": 5000, "s3_replication_latency_seconds": 1})
    redis = stack_outputs(client, "redis")["ReplicationGroupId"]  # the daily snapshot the seed's Redis backups keep
    client("elasticache").create_snapshot(ReplicationGroupId=redis, SnapshotName=f"{redis}-daily")
    result = run_drill(aws, tmp_path, "-e", "dr_drill_type=full")
    assert result.returncode == 0, result.stdout[-3000:]
    report, junit, page = read_report(tmp_path)
    measured = report["measured"]
    assert report["result"] == "pass" and measured["action"] == "failover"
    # the commits of the last 5 s before the failover never reached the DR region: lost, and measured
    # (the switchover drill, without the delay, loses none and measures well under a second)
    assert int(measured["canaries_written_during_switch"]) > 0 and int(measured["canaries_lost"]) > 0
    # about the injected 5 s (the relay's pace and the writer's acknowledgements add to it on a busy machine); the lag
    # is short because every wait of the drill's fail back (the writer's WAL through the relay) lasts it again
    assert 2 < float(measured["canary_rpo_seconds"]) < 20
    assert float(measured["aws_reported_lag_seconds"]) == 5 and float(measured["rpo_seconds"]) >= 5
    # Redis's sentinel keys of the last 5 s before its Global Datastore failed over never reached the DR region
    # (the same injected lag on its replication): lost, and its measured RPO is the lag, within a second
    assert int(measured["redis_canaries_lost"]) > 0 and abs(float(measured["redis_rpo_seconds"]) - 5) <= 1
    assert float(measured["redis_aws_reported_lag_seconds"]) == 5
    # the RPO check before it held the Global Datastore's lag to the RPO target, the snapshots to their day
    figures = {m["name"].rsplit(":", 1)[1]: m for m in report["rpo_check"]["measurements"] if m["store"] == "redis"}
    assert (figures["replication_lag"]["value"], figures["replication_lag"]["target"]) == (5, 3600)
    assert figures["snapshot"]["target"] == 86400
    assert 1 <= float(measured["s3_replication_seconds"]) < 30
    steps = {s["name"]: s["status"] for s in report["steps"]}
    assert steps["S3 replication to the DR region"] == "ok"
    assert steps["Global database rebuilt, the primary region a connected secondary again"] == "ok"
    assert steps["Failed back and verified in the primary region"] == "ok"
    assert steps["Redis's sentinel keys read in the DR region"] == "ok"
    assert "cold cache" not in page  # Redis moved: no snapshot assessment
    client("elasticache").delete_snapshot(SnapshotName=f"{redis}-daily")
    actions = [f"{e['service']}.{e['action']}" for e in aws.requests()["log"]]
    assert actions.count("rds.FailoverGlobalCluster") == 1 and actions.count("rds.SwitchoverGlobalCluster") == 1
    assert current_writer(client) == PRIMARY_ID and canary_count(client) == 0 and read_lock(client) is None
    assert redis_canary_keys(aws) == []  # the cleanup deleted the sentinel keys on the primary of after the fail-back
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
    refused = run_drill(aws, tmp_path)
    assert refused.returncode != 0
    assert "Another DR drill runs in development: development-switchover-other (switchover)" in refused.stdout
    assert read_lock(client) == running  # the other drill's lock is left alone
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
    result = run_drill(aws, tmp_path)  # nothing deployed: the drill fails after taking the lock
    assert result.returncode != 0 and "is not deployed" in result.stdout
    assert read_lock(client) is None  # taken over, then released by the failed drill


def test_production_needs_a_confirmation(aws, inventory, tmp_path):
    target = inventory(registry_environment="production")
    result = playbook(aws, "playbooks/dr_drill.yml", "-i", str(target), check=False)
    assert result.returncode != 0 and "-e dr_drill_confirm=registry-local" in result.stdout
    assert aws.requests()["total"] == 0
