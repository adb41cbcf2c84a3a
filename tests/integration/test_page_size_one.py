"""The collection's code paths that read AWS lists, with every list paged one item a page.

AWS pages its lists with the tokens its paginator models name (``NextToken``, ``Marker``, ...; botocore's
``paginators-1.json``). Code that reads only the first page, or follows a token the service never sends,
passes against an emulator that answers whole lists and breaks on a real account as soon as a list grows.
The emulator pages every list the collection reads (emulator/aws/paging.py) and the ``page_size`` setting
shrinks the pages to one item, so such code sees one item and fails here.
"""

from __future__ import annotations

import json
import types

import pytest
import yaml

from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import ApiClients
from emulator.seed import DR, deploy_seed_order
from tests.integration.ansible import REPO, run_module

ONE_A_PAGE = {"page_size": 1}


def _old_next_token_loop(elasticache, **params) -> list[dict]:
    """rpo_check's own paging loop before commit 22c59df: it followed ``NextToken``; ElastiCache pages with
    ``Marker`` (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DescribeSnapshots.html)."""
    items, token_name = [], "NextToken"
    while True:
        page = elasticache.describe_snapshots(**params)
        items.extend(page.get("Snapshots") or [])
        token = page.get(token_name)
        if not token:
            return items
        params[token_name] = token


def test_the_old_next_token_loop_sees_only_the_first_page_of_redis_snapshots(aws, client):
    elasticache = client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId="rg", ReplicationGroupDescription="paging", NumCacheClusters=1, Engine="redis"
    )
    for index in range(3):
        elasticache.create_snapshot(ReplicationGroupId="rg", SnapshotName=f"s{index}")
    aws.post("aws", "/_emulator/config", ONE_A_PAGE)

    assert [s["SnapshotName"] for s in _old_next_token_loop(elasticache, ReplicationGroupId="rg")] == ["s0"]
    clients = ApiClients(client)  # the collection's paginator, on the fixture's client factory
    snapshots = clients("elasticache", "us-west-2").paginate("DescribeSnapshots", ReplicationGroupId="rg")
    assert [s["SnapshotName"] for s in snapshots] == ["s0", "s1", "s2"]
    assert clients.api_calls == ["elasticache.DescribeSnapshots"] * 3


TEMPLATE = {
    "Resources": {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": "Topic"},
        "Other": {"Type": "AWS::SQS::Queue", "DependsOn": "Queue"},
    }
}


def test_a_failed_stack_is_diagnosed_and_shown_from_every_page_of_its_events(aws, tmp_path):
    """DescribeStackEvents pages with NextToken, newest first: the failed resource is pages away from the newest
    event (ROLLBACK_COMPLETE); the diagnosis and the events shown read back to the operation's start."""
    template = tmp_path / "stack.json"
    template.write_text(json.dumps(TEMPLATE))
    aws.post("aws", "/_emulator/faults", {"resource": "Queue", "reason": "Queue quota reached"})
    aws.post("aws", "/_emulator/config", ONE_A_PAGE)
    args = {"name": "paged-events", "region": "us-west-2", "template": str(template), "drift": "skip"}
    result = run_module(aws, tmp_path, "cloudformation_stack", args)[0]
    assert result["failed"] and result["status"] == "ROLLBACK_COMPLETE"
    assert result["failure_lines"] == ["Queue (AWS::SQS::Queue): CREATE_FAILED - Queue quota reached"]
    shown = [(e["logical_resource_id"], e["status"]) for e in result["events"]]
    assert shown[0] == ("paged-events", "CREATE_IN_PROGRESS") and shown[-1] == ("paged-events", "ROLLBACK_COMPLETE")
    assert ("Queue", "CREATE_FAILED") in shown and ("Topic", "DELETE_COMPLETE") in shown


def test_the_switchover_lag_check_reads_both_lag_figures(aws, client, tmp_path):
    """GetMetricData pages by data points (MaxDatapoints, NextToken): the RPO lag, the second query, is on the
    second page; the switchover's lag bound must see it."""
    deploy_seed_order(client)
    aws.post("aws", "/_emulator/config", {"page_size": {"cloudwatch.GetMetricData": 1}})
    args = {"global_cluster_identifier": "ai-model-registry-aurora-cluster-global", "target_region": DR}
    result = run_module(aws, tmp_path, "rds_global_cluster_failover", {**args, "max_lag_seconds": 5}, "--check")[0]
    assert not result.get("failed"), result.get("msg")
    assert result["lag"]["replication_seconds"] == pytest.approx(0.05)
    assert result["lag"]["rpo_seconds"] == pytest.approx(0.05)


@pytest.fixture
def orchestrator(monkeypatch):
    """The DR orchestrator Lambda as deployed: the code inline in its template."""
    monkeypatch.setenv("GLOBAL_CLUSTER_ID", "g1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    template = yaml.safe_load((REPO / "roles/dr/files/disaster-recovery-secondary.yaml").read_text())
    code = template["Resources"]["OrchestratorFunction"]["Properties"]["Code"]["ZipFile"]
    module = types.ModuleType("index")
    exec(compile(code, "index.py", "exec"), module.__dict__)  # noqa: S102 - the code under test
    return module


def test_the_orchestrator_lambda_reads_both_lag_figures(aws, client, orchestrator):
    rds_primary, rds_secondary = client("rds", "us-west-2"), client("rds", "us-east-1")
    primary = rds_primary.create_db_cluster(
        DBClusterIdentifier="p1", Engine="aurora-postgresql", MasterUsername="postgres", MasterUserPassword="x" * 12
    )["DBCluster"]
    rds_primary.create_global_cluster(GlobalClusterIdentifier="g1", SourceDBClusterIdentifier=primary["DBClusterArn"])
    secondary = rds_secondary.create_db_cluster(
        DBClusterIdentifier="s1", Engine="aurora-postgresql", GlobalClusterIdentifier="g1"
    )["DBCluster"]["DBClusterArn"]
    aws.post("aws", "/_emulator/config", {"page_size": {"cloudwatch.GetMetricData": 1}})
    lag = orchestrator._lag(client("cloudwatch", "us-east-1"), secondary)
    assert lag["replication_seconds"] == pytest.approx(0.05) and lag["rpo_seconds"] == pytest.approx(0.05)


def test_a_preview_lists_the_changes_of_every_page_of_the_change_set(aws, tmp_path):
    """DescribeChangeSet pages its Changes with NextToken
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html): check mode's
    preview lists every change, not the first page's."""
    template = tmp_path / "stack.json"
    template.write_text(json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    args = {"name": "paged-preview", "region": "us-west-2", "template": str(template), "drift": "skip"}
    assert not run_module(aws, tmp_path, "cloudformation_stack", args)[0].get("failed")
    template.write_text(json.dumps(TEMPLATE))  # adds Queue and Other
    aws.post("aws", "/_emulator/config", ONE_A_PAGE)
    preview = run_module(aws, tmp_path, "cloudformation_stack", args, "--check")[0]
    assert not preview.get("failed"), preview.get("msg")
    added = [line for line in preview["preview"] if line.startswith("+ ")]
    assert len(added) == 2 and any("Queue" in line for line in added) and any("Other" in line for line in added)
