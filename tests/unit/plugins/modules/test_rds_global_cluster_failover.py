"""rds_global_cluster_failover's Runner on scripted API answers: the settle option, waits and refusals."""

from __future__ import annotations

import botocore.session
import pytest

from ansible_collections.ai_model_registry.infra.plugins.action import rds_global_cluster_failover as failover
from tests.unit.plugins.helpers import Clock, Done, FakeModule

WEST = "arn:aws:rds:us-west-2:123456789012:cluster:registry"
EAST = "arn:aws:rds:us-east-1:123456789012:cluster:registry-dr"


def _gc(writer=WEST, status="available", sync="connected", to=None, state="switching-over"):
    members = [
        {"DBClusterArn": arn, "IsWriter": arn == writer, **({} if arn == writer else {"SynchronizationStatus": sync})}
        for arn in (WEST, EAST)
    ]
    cluster = {"GlobalClusterIdentifier": "g", "Status": status, "GlobalClusterMembers": members}
    if to:
        cluster["FailoverState"] = {"Status": state, "ToDbClusterArn": to}
    return cluster


class FakeClient:
    """A boto3 client whose DescribeGlobalClusters answers follow a script (the last answer repeats)."""

    # The lag is read with botocore's paginator of GetMetricData (it pages by data points): it reads the service
    # model; one page here.
    meta = botocore.session.get_session().create_client("cloudwatch", region_name="us-east-1").meta

    def __init__(self, script):
        self.script = list(script)
        self.writes = []

    def can_paginate(self, operation_name):
        return operation_name == "get_metric_data"

    def describe_global_clusters(self, aws_retry=False, **params):
        answer = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return {"GlobalClusters": [answer]}

    def describe_db_clusters(self, aws_retry=False, **params):
        named = {arn.rsplit(":", 1)[-1]: arn for arn in (WEST, EAST)}[params["DBClusterIdentifier"]]
        return {
            "DBClusters": [{"DBClusterArn": named, "Status": "available", "Endpoint": "writer.example", "Port": 5432}]
        }

    def get_metric_data(self, aws_retry=False, **params):
        return {"MetricDataResults": [{"Id": "replication", "Timestamps": ["2026-01-01T00:00:00"], "Values": [50.0]}]}

    def switchover_global_cluster(self, aws_retry=False, **params):
        self.writes.append(("switchover", params["TargetDbClusterIdentifier"]))

    def failover_global_cluster(self, aws_retry=False, **params):
        self.writes.append(("failover", params["TargetDbClusterIdentifier"]))


DEFAULTS = {
    "global_cluster_identifier": "g",
    "target_db_cluster_identifier": None,
    "target_region": "us-east-1",
    "mode": "switchover",
    "allow_data_loss": False,
    "max_lag_seconds": 60.0,
    "wait": True,
    "wait_timeout": 60,
    "settle": False,
    "describe_writer": False,
}


def _run(script, check_mode=False, **params):
    client, clock = FakeClient(script), Clock(1000.0)
    module = FakeModule(client, {**DEFAULTS, **params}, region="us-west-2", check_mode=check_mode)
    runner = failover.Runner(module, clock=clock, sleep=clock.sleep)
    with pytest.raises(Done) as outcome:
        runner.run()
    return outcome.value, client


@pytest.mark.parametrize(
    ("cluster", "why"),
    [
        (_gc(), None),
        (_gc(status="failing-over", to=EAST), "global database failing-over"),
        (_gc(to=EAST, state="pending"), "failover state pending"),
        (_gc(writer=EAST, sync="pending-resync"), "registry pending-resync"),
    ],
)
def test_unsettled_says_why(cluster, why):
    assert failover.unsettled(cluster) == why


def test_settle_waits_for_the_rebuild_after_a_failover_without_switching():
    rebuilding = _gc(writer=EAST, sync="pending-resync")
    done, client = _run([rebuilding, rebuilding, rebuilding, _gc(writer=EAST)], settle=True)
    assert not done.failed and done.result["changed"] is False and client.writes == []
    assert done.result["settled_seconds"] > 0
    assert done.result["api_calls"] == ["rds.DescribeGlobalClusters"] * 4
    assert all(m["synchronization_status"] in (None, "connected") for m in done.result["members"])


def test_without_settle_the_writer_in_place_is_enough():
    done, client = _run([_gc(writer=EAST, sync="pending-resync")])
    assert not done.failed and done.result["settled_seconds"] is None
    assert done.result["api_calls"] == ["rds.DescribeGlobalClusters"]


def test_settle_waits_out_a_switch_to_the_other_region_then_switches_back():
    away = _gc(status="switching-over", to=EAST)
    done, client = _run([away, away, _gc(writer=EAST), _gc(writer=WEST)], target_region="us-west-2", settle=True)
    assert not done.failed and done.result["changed"] is True
    assert client.writes == [("switchover", WEST)]
    assert done.result["previous_writer"] == WEST  # the writer when the module started
    assert done.result["new_writer"] == WEST


def test_without_settle_a_switch_to_the_other_region_is_refused_as_busy():
    done, client = _run([_gc(status="switching-over", to=EAST)], target_region="us-west-2")
    assert done.failed and done.result["reason"] == "busy" and client.writes == []


def test_settle_times_out_with_what_it_waited_for():
    done, client = _run([_gc(writer=EAST, sync="pending-resync")], settle=True, wait_timeout=30)
    assert done.failed and done.result["reason"] == "not_settled"
    assert "registry pending-resync" in done.result["msg"] and done.result["settled_seconds"] >= 30


def test_settle_after_a_failover_waits_for_the_old_primary():
    script = [_gc(), _gc(status="failing-over", to=EAST, state="failing-over")]
    script += [_gc(writer=EAST, sync="pending-resync")] * 3 + [_gc(writer=EAST)]
    done, client = _run(script, mode="failover", allow_data_loss=True, settle=True)
    assert not done.failed and client.writes == [("failover", EAST)]
    assert done.result["timings"]["seconds"] is not None and done.result["settled_seconds"] > 0
    assert done.result["estimated_data_loss_seconds"] == pytest.approx(0.05)


def test_check_mode_neither_waits_nor_switches():
    done, client = _run([_gc(writer=EAST, sync="pending-resync")], check_mode=True, settle=True)
    assert not done.failed and client.writes == [] and done.result["settled_seconds"] is None
    assert done.result["api_calls"] == ["rds.DescribeGlobalClusters"]


def test_a_timeout_of_the_switch_reports_the_state_reached():
    running = _gc(status="switching-over", to=EAST)
    done, client = _run([_gc(), running], wait_timeout=5)
    assert done.failed and done.result["reason"] == "timeout" and done.result["changed"] is True
    assert "not finished after 5 s" in done.result["msg"] and done.result["timings"]["completed_at"] is None


def test_describe_writer_returns_the_new_writer_after_the_switch():
    done, client = _run([_gc(), _gc(writer=EAST)], describe_writer=True)
    assert not done.failed and client.writes == [("switchover", EAST)]
    assert done.result["writer"] == {
        "db_cluster_arn": EAST,
        "status": "available",
        "endpoint": "writer.example",
        "port": 5432,
    }
    assert done.result["api_calls"][-1] == "rds.DescribeDBClusters"


def test_describe_writer_in_check_mode_describes_the_cluster_that_would_be_the_writer():
    done, client = _run([_gc()], check_mode=True, describe_writer=True)
    assert client.writes == [] and done.result["new_writer"] == EAST and done.result["writer"]["db_cluster_arn"] == EAST


def test_describe_writer_names_no_cluster_of_another_region():
    # a switch back to the primary region (target us-west-2) described from there finds its own writer only
    done, client = _run([_gc(writer=WEST)], target_region="us-west-2", describe_writer=True)
    assert done.result["writer"]["db_cluster_arn"] == WEST
    runner = failover.Runner(FakeModule(client, {**DEFAULTS, "describe_writer": True}, region="us-west-2"))
    assert runner.describe_writer(WEST) == {}  # the runner works in us-east-1: no call to another region
