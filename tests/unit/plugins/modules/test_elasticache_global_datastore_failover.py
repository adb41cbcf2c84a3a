"""elasticache_global_datastore_failover's Runner on scripted ElastiCache and CloudWatch answers."""

from __future__ import annotations

import botocore.exceptions
import botocore.session
import pytest

from ansible_collections.ai_model_registry.infra.plugins.action import elasticache_global_datastore_failover as gds
from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_datastore
from tests.unit.plugins.helpers import Clock, Done, FakeModule

GLOBAL_ID = "sgaui-registry-redis"
PRIMARY = ("us-west-2", "registry-redis")
SECONDARY = ("us-east-1", "registry-redis-dr")


def _global(primary=PRIMARY, status="available"):
    return {
        "GlobalReplicationGroupId": GLOBAL_ID,
        "Status": status,
        "Members": [
            {
                "ReplicationGroupRegion": r,
                "ReplicationGroupId": g,
                "Role": "PRIMARY" if (r, g) == primary else "SECONDARY",
            }
            for r, g in (PRIMARY, SECONDARY)
        ],
    }


def _group(member=True):
    group = {
        "ReplicationGroupId": SECONDARY[1],
        "MemberClusters": ["registry-redis-dr-001", "registry-redis-dr-002"],
        "NodeGroups": [
            {
                "PrimaryEndpoint": {"Address": "registry-redis-dr.use1.cache.amazonaws.com", "Port": 6379},
                "NodeGroupMembers": [
                    {"CacheClusterId": "registry-redis-dr-002", "CurrentRole": "primary"},
                    {"CacheClusterId": "registry-redis-dr-001", "CurrentRole": "replica"},
                ],
            }
        ],
    }
    if member:
        group["GlobalReplicationGroupInfo"] = {
            "GlobalReplicationGroupId": GLOBAL_ID,
            "GlobalReplicationGroupMemberRole": "SECONDARY",
        }
    return group


class FakeClient:
    """One client for both services: DescribeGlobalReplicationGroups follows a script (the last answer repeats)."""

    meta = botocore.session.get_session().create_client("cloudwatch", region_name="us-east-1").meta

    def __init__(self, script, group=None, lag=(0.4,)):
        self.script, self.group, self.lag = list(script), group or _group(), lag
        self.writes, self.lag_queries = [], []

    def can_paginate(self, operation_name):
        return operation_name == "get_metric_data"

    def describe_replication_groups(self, **params):
        if self.group == "missing":
            error = {"Error": {"Code": "ReplicationGroupNotFoundFault", "Message": "not found"}}
            raise botocore.exceptions.ClientError(error, "DescribeReplicationGroups")
        return {"ReplicationGroups": [self.group]}

    def describe_global_replication_groups(self, **params):
        assert params == {"GlobalReplicationGroupId": GLOBAL_ID, "ShowMemberInfo": True}
        return {"GlobalReplicationGroups": [self.script.pop(0) if len(self.script) > 1 else self.script[0]]}

    def get_metric_data(self, **params):
        self.lag_queries.append(params["MetricDataQueries"])
        stamps = [f"2026-01-01T00:0{i}:00" for i in range(len(self.lag))]
        return {"MetricDataResults": [{"Id": "replication", "Timestamps": stamps, "Values": list(self.lag)}]}

    def failover_global_replication_group(self, **params):
        self.writes.append(params)
        return {"GlobalReplicationGroup": {}}


DEFAULTS = {
    "replication_group_id": SECONDARY[1],
    "mode": "switchover",
    "allow_data_loss": False,
    "max_lag_seconds": 60.0,
    "wait": True,
    "wait_timeout": 60,
}


def _run(script, check_mode=False, diff=False, client=None, **params):
    client, clock = client or FakeClient(script), Clock(1000.0)
    module = FakeModule(client, {**DEFAULTS, **params}, region="us-east-1", check_mode=check_mode)
    module._diff = diff
    with pytest.raises(Done) as outcome:
        gds.Runner(module, clock=clock, sleep=clock.sleep).run()
    return outcome.value, client, module


def test_a_switchover_promotes_the_secondary_waits_and_returns_its_endpoint():
    moving = _global(status="modifying")
    done, client, module = _run([_global(), moving, moving, _global(primary=SECONDARY)])
    assert not done.failed and done.result["changed"] is True
    assert client.writes == [
        {"GlobalReplicationGroupId": GLOBAL_ID, "PrimaryRegion": "us-east-1", "PrimaryReplicationGroupId": SECONDARY[1]}
    ]
    assert done.result["previous_primary"] == {"replication_group_id": PRIMARY[1], "region": PRIMARY[0]}
    assert done.result["primary"] == {"replication_group_id": SECONDARY[1], "region": SECONDARY[0]}
    assert done.result["endpoint"] == {"address": "registry-redis-dr.use1.cache.amazonaws.com", "port": 6379}
    assert done.result["timings"]["seconds"] is not None and done.result["estimated_data_loss_seconds"] is None
    # the lag of the secondary region's primary node, the one that publishes it
    (query,) = client.lag_queries[0]
    assert query["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "CacheClusterId", "Value": "registry-redis-dr-002"}]
    assert query["MetricStat"]["Metric"]["MetricName"] == "GlobalDatastoreReplicationLag"
    assert done.result["api_calls"][-1] == "elasticache.DescribeGlobalReplicationGroups"
    assert done.result["api_calls"].count("elasticache.FailoverGlobalReplicationGroup") == 1


def test_the_primary_already_is_where_asked_nothing_is_called():
    done, client, module = _run([_global(primary=SECONDARY)])
    assert not done.failed and done.result["changed"] is False and client.writes == []
    assert done.result["api_calls"] == [
        "elasticache.DescribeReplicationGroups",
        "elasticache.DescribeGlobalReplicationGroups",
    ]
    assert done.result["endpoint"]["port"] == 6379


def test_a_change_under_way_is_waited_out_before_deciding():
    moving = _global(status="modifying", primary=SECONDARY)
    done, client, module = _run([moving, moving, _global(primary=SECONDARY)])
    assert not done.failed and done.result["changed"] is False and client.writes == []


@pytest.mark.parametrize(
    ("lag", "reason"),
    [((75.0,), "lag_above_bound"), ((), "lag_unknown")],
)
def test_a_switchover_is_refused_above_the_bound_or_without_a_datapoint(lag, reason):
    done, client, module = _run([_global()], client=FakeClient([_global()], lag=lag))
    assert done.failed and done.result["reason"] == reason and client.writes == []
    assert "GlobalDatastoreReplicationLag" in done.result["msg"] and "Aurora" not in done.result["msg"]


def test_the_newest_datapoint_counts():
    done, client, module = _run([_global()], client=FakeClient([_global()], lag=(90.0, 2.0)), check_mode=True)
    assert not done.failed and done.result["lag"]["replication_seconds"] == 2.0


def test_a_failover_reports_the_lag_as_the_estimated_loss():
    client = FakeClient([_global(), _global(primary=SECONDARY)], lag=(75.0,))
    done, client, module = _run([], client=client, mode="failover", allow_data_loss=True)
    assert not done.failed and done.result["estimated_data_loss_seconds"] == 75.0 and len(client.writes) == 1


def test_a_failover_without_a_datapoint_warns_that_the_loss_is_unknown():
    client = FakeClient([_global(), _global(primary=SECONDARY)], lag=())
    done, client, module = _run([], client=client, mode="failover", allow_data_loss=True)
    assert not done.failed and done.result["estimated_data_loss_seconds"] is None
    assert module.warnings == [
        "No GlobalDatastoreReplicationLag datapoint for registry-redis-dr: the data loss of this failover is unknown"
    ]


def test_check_mode_shows_the_move_and_calls_nothing_that_changes():
    done, client, module = _run([_global()], check_mode=True, diff=True)
    assert not done.failed and done.result["changed"] is True and client.writes == []
    assert done.result["diff"] == {
        "before": {"redis_primary": "registry-redis (us-west-2)"},
        "after": {"redis_primary": "registry-redis-dr (us-east-1)"},
    }


def test_a_timeout_reports_the_state_reached():
    done, client, module = _run([_global(), _global(status="modifying")], wait_timeout=10)
    assert done.failed and done.result["reason"] == "timeout"
    assert "is modifying, primary registry-redis in us-west-2" in done.result["msg"]


@pytest.mark.parametrize(
    ("group", "reason"),
    [("missing", "not_found"), (_group(member=False), "not_a_member")],
)
def test_a_group_that_cannot_be_promoted_is_refused(group, reason):
    done, client, module = _run([_global()], client=FakeClient([_global()], group=group))
    assert done.failed and done.result["reason"] == reason and client.writes == []


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"mode": "failover"}, "allow_data_loss_required"),
        ({"allow_data_loss": True}, "allow_data_loss_required"),
        ({"max_lag_seconds": -1.0}, "bad_bound"),
        ({"wait_timeout": 0}, "bad_bound"),
    ],
)
def test_bad_requests_are_refused_before_any_call(params, reason):
    client = FakeClient([_global()])
    module = FakeModule(client, {**DEFAULTS, **params}, region="us-east-1")
    with pytest.raises(Done) as outcome:
        gds.main(module)
    assert outcome.value.failed and outcome.value.result["reason"] == reason
    assert outcome.value.result["api_calls"] == [] and client.writes == []


def test_the_endpoint_of_a_cluster_mode_group_is_its_configuration_endpoint():
    group = {"ConfigurationEndpoint": {"Address": "cfg.example", "Port": 6380}, "NodeGroups": []}
    assert global_datastore.endpoint(group) == {"address": "cfg.example", "port": 6380}
    assert (
        global_datastore.primary_node({"MemberClusters": ["a-001"]}) == "a-001"
        and global_datastore.primary_node({}) is None
    )


class Failing(FakeClient):
    """ElastiCache or CloudWatch answering one operation with an AWS error."""

    def __init__(self, script, failing, **kwargs):
        super().__init__(script, **kwargs)
        self.failing = failing

    def __getattribute__(self, name):
        if name == object.__getattribute__(self, "failing"):

            def refuse(**params):
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": "InvalidParameterValue", "Message": "no"}}, name
                )

            return refuse
        return object.__getattribute__(self, name)


@pytest.mark.parametrize(
    ("failing", "message"),
    [
        ("describe_replication_groups", "Could not describe replication group registry-redis-dr"),
        ("describe_global_replication_groups", "Could not describe the Global Datastore"),
        ("get_metric_data", "Could not read the Global Datastore's replication lag from CloudWatch"),
        ("failover_global_replication_group", "switchover to registry-redis-dr refused by ElastiCache"),
    ],
)
def test_an_aws_error_fails_with_what_was_being_done_and_changes_nothing_more(failing, message):
    client = Failing([_global()], failing)
    done, client, module = _run([], client=client)
    assert done.failed and done.result["msg"] == message
    assert done.result["changed"] is False and client.writes == []


def test_a_group_the_global_datastore_does_not_list_is_not_a_member():
    stranger = _global()
    stranger["Members"] = stranger["Members"][:1]  # only the primary: the DR group left
    done, client, module = _run([stranger])
    assert done.failed and done.result["reason"] == "not_a_member" and "is not a member of sgaui-" in done.result["msg"]


def test_without_wait_a_change_under_way_is_refused_as_busy_and_a_switch_is_not_waited_for():
    done, client, module = _run([_global(status="modifying")], wait=False)
    assert done.failed and done.result["reason"] == "busy" and client.writes == []
    started, client, module = _run([_global()], wait=False)
    assert not started.failed and len(client.writes) == 1 and started.result["timings"]["completed_at"] is None
    assert started.result["api_calls"].count("elasticache.DescribeGlobalReplicationGroups") == 1


def test_a_group_without_nodes_has_no_lag_to_read_and_a_switchover_is_refused():
    client = FakeClient([_global()], group=dict(_group(), NodeGroups=[], MemberClusters=[]))
    done, client, module = _run([], client=client)
    assert done.failed and done.result["reason"] == "lag_unknown" and client.lag_queries == []


def test_check_mode_does_not_wait_for_a_change_under_way():
    done, client, module = _run([_global(status="modifying")], check_mode=True)
    assert done.failed and done.result["reason"] == "busy" and client.writes == []
    assert done.result["api_calls"].count("elasticache.DescribeGlobalReplicationGroups") == 1
