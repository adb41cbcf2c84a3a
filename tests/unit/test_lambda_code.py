"""The Lambda functions' source files: embedded in their templates, and working against the emulator."""

from __future__ import annotations

import datetime
import importlib.util
import pathlib
import subprocess
import sys
import time
import types

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]


def _load(relative: str):
    spec = importlib.util.spec_from_file_location(pathlib.Path(relative).stem, REPO / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_templates_embed_the_current_source_files():
    result = subprocess.run(
        [sys.executable, "tools/lambda_code.py", "--check"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_embedding_detects_a_stale_template(tmp_path, monkeypatch):
    tool = _load("tools/lambda_code.py")
    template = tmp_path / "roles/x/files/t.yaml"
    (template.parent / "lambda").mkdir(parents=True)
    (template.parent / "lambda/f.py").write_text("def handler(event, context):\n    return 1\n")
    template.write_text("R:\n  Code:\n    # lambda-code: lambda/f.py\n    ZipFile: |\n      old\n\nNext: 1\n")
    rendered = tool.render(template)
    assert "      def handler(event, context):\n          return 1\n\nNext: 1\n" in rendered
    template.write_text(rendered)
    assert tool.render(template) == rendered  # stable


@pytest.fixture
def snapshots_module(monkeypatch):
    monkeypatch.setenv("REPLICATION_GROUP_ID", "rg1")
    monkeypatch.setenv("RETENTION_DAYS", "35")
    return _load("roles/backup/files/lambda/redis_snapshots.py")


def test_weekly_redis_snapshot_is_created(client, snapshots_module):
    elasticache = client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId="rg1", ReplicationGroupDescription="d", NumCacheClusters=2, Engine="redis"
    )
    result = snapshots_module.handler({}, None, client=elasticache)
    assert result["created"].startswith("rg1-weekly-") and result["deleted"] == []
    names = [s["SnapshotName"] for s in elasticache.describe_snapshots(ReplicationGroupId="rg1")["Snapshots"]]
    assert result["created"] in names


def test_only_old_weekly_snapshots_are_pruned(snapshots_module):
    now = datetime.datetime.now(datetime.UTC)

    class FakeElastiCache:
        """Records deletes; the pagination shape is ElastiCache's DescribeSnapshots."""

        deleted: list[str] = []

        def create_snapshot(self, **kwargs):
            return {}

        def get_paginator(self, name):
            snapshots = [
                {
                    "SnapshotName": "rg1-weekly-old",
                    "NodeSnapshots": [{"SnapshotCreateTime": now - datetime.timedelta(days=40)}],
                },
                {
                    "SnapshotName": "rg1-weekly-new",
                    "NodeSnapshots": [{"SnapshotCreateTime": now - datetime.timedelta(days=3)}],
                },
                {
                    "SnapshotName": "rg1-manual-old",
                    "NodeSnapshots": [{"SnapshotCreateTime": now - datetime.timedelta(days=90)}],
                },
            ]
            return type("P", (), {"paginate": lambda self, **kw: [{"Snapshots": snapshots}]})()

        def delete_snapshot(self, SnapshotName):
            self.deleted.append(SnapshotName)

    fake = FakeElastiCache()
    assert snapshots_module.handler({}, None, client=fake)["deleted"] == ["rg1-weekly-old"]


def test_shared_module_is_inlined_without_its_python2_header(tmp_path):
    tool = _load("tools/lambda_code.py")
    (tmp_path / "shared.py").write_text(
        "from __future__ import absolute_import\n__metaclass__ = type\n\n\ndef helper():\n    return 7\n"
    )
    source = "import os\n\nfrom shared import (  # lambda-inline: shared.py\n    helper,\n)\n\nVALUE = helper()\n"
    namespace: dict = {}
    rendered = tool.inline_shared(source, tmp_path)
    exec(compile(rendered, "index.py", "exec"), namespace)  # noqa: S102 - the code under test
    assert namespace["VALUE"] == 7 and "__future__" not in rendered and "from shared import" not in rendered


@pytest.fixture
def orchestrator(monkeypatch):
    """The orchestrator as deployed: the code inline in the template, shared module included."""
    monkeypatch.setenv("GLOBAL_CLUSTER_ID", "g1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    template = yaml.safe_load((REPO / "roles/dr/files/disaster-recovery-secondary.yaml").read_text())
    code = template["Resources"]["OrchestratorFunction"]["Properties"]["Code"]["ZipFile"]
    module = types.ModuleType("index")
    exec(compile(code, "index.py", "exec"), module.__dict__)  # noqa: S102 - the code under test
    return module


@pytest.fixture
def global_database(client):
    """A primary in us-west-2 and a secondary in us-east-1, through the RDS API."""
    primary = client("rds", "us-west-2").create_db_cluster(
        DBClusterIdentifier="p1",
        Engine="aurora-postgresql",
        MasterUsername="postgres",
        MasterUserPassword="password123",
    )["DBCluster"]
    client("rds", "us-west-2").create_global_cluster(
        GlobalClusterIdentifier="g1", SourceDBClusterIdentifier=primary["DBClusterArn"]
    )
    secondary = client("rds", "us-east-1").create_db_cluster(
        DBClusterIdentifier="s1", Engine="aurora-postgresql", GlobalClusterIdentifier="g1"
    )["DBCluster"]
    return primary["DBClusterArn"], secondary["DBClusterArn"]


def _clients(client):
    return {
        "rds": client("rds", "us-east-1"),
        "cloudwatch": client("cloudwatch", "us-east-1"),
        "sns": client("sns", "us-east-1"),
    }


def test_orchestrator_status_reports_writer_and_lag(aws, client, orchestrator, global_database):
    primary, secondary = global_database
    # the lag RDS publishes for the secondary (a datapoint of our own could fall into another minute than
    # the emulator's healthy 50 ms one, and the newest minute would win)
    aws.post("aws", "/_emulator/config", {"replication_lag_ms": {"s1": 1500}})
    status = orchestrator.handler({"action": "status"}, None, clients=_clients(client))
    assert status["writer"] == primary
    assert status["secondaries"] == [{"arn": secondary, "synchronization_status": "connected", "lag_seconds": 1.5}]


def test_orchestrator_refuses_unsafe_actions_without_changing_anything(aws, client, orchestrator, global_database):
    primary = global_database[0]
    clients = _clients(client)
    aws.post("aws", "/_emulator/config", {"replication_lag_ms": 90000})
    lagging = orchestrator.handler({"action": "switchover"}, None, clients=clients)
    assert lagging["changed"] is False and lagging["reason"] == "lag_above_bound"
    no_consent = orchestrator.handler({"action": "failover"}, None, clients=clients)
    assert no_consent["changed"] is False and "allow_data_loss" in no_consent["refused"]
    already = orchestrator.handler({"action": "switchover", "target_cluster_arn": primary}, None, clients=clients)
    assert already["changed"] is False and "already the writer" in already["message"]
    bogus = orchestrator.handler({"action": "explode"}, None, clients=clients)
    assert "unknown action" in bogus["refused"]
    members = client("rds").describe_global_clusters(GlobalClusterIdentifier="g1")["GlobalClusters"][0]
    assert [m["IsWriter"] for m in members["GlobalClusterMembers"] if m["DBClusterArn"] == primary] == [True]
    assert not any(e["write"] for e in aws.requests()["log"] if e["service"] == "rds" and "over" in e["action"])


@pytest.mark.parametrize(("action", "status"), [("switchover", "switching-over"), ("failover", "failing-over")])
def test_orchestrator_starts_a_switchover_or_failover_in_its_region(
    aws, client, orchestrator, global_database, action, status
):
    secondary = global_database[1]
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 60, "global_failover_seconds": 60})
    result = orchestrator.handler({"action": action, "allow_data_loss": True}, None, clients=_clients(client))
    assert result["changed"] is True and result["target"] == secondary
    gc = client("rds").describe_global_clusters(GlobalClusterIdentifier="g1")["GlobalClusters"][0]
    assert gc["Status"] == status and gc["FailoverState"]["ToDbClusterArn"] == secondary
    again = orchestrator.handler({"action": action, "allow_data_loss": True}, None, clients=_clients(client))
    assert again["changed"] is False and again["message"] == "already under way"


def test_orchestrator_waits_for_the_first_lag_datapoint_of_a_secondary_of_moments_ago(
    aws, client, orchestrator, global_database
):
    """AWS publishes a secondary's lag once a minute: right after a fail back the DR cluster has none yet."""
    primary, secondary = global_database
    rds = client("rds", "us-east-1")
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 0.2, "first_lag_datapoint_seconds": 3})
    for target in (secondary, primary):  # a switchover and its fail back: s1 is a secondary again, since now
        rds.switchover_global_cluster(GlobalClusterIdentifier="g1", TargetDbClusterIdentifier=target)
        while rds.describe_global_clusters(GlobalClusterIdentifier="g1")["GlobalClusters"][0]["Status"] != "available":
            time.sleep(0.1)
    started = time.time()
    result = orchestrator.handler({"action": "switchover"}, None, clients=_clients(client))
    assert result["changed"] is True and result["target"] == secondary, result
    assert result["lag"]["replication_seconds"] == 0.05 and time.time() - started >= 2
