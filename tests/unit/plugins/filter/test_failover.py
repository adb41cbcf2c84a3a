"""The failover role's figures (plugins/filter/failover.py)."""

from __future__ import annotations

from ansible_collections.ai_model_registry.infra.plugins.filter import failover as f
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import drill_report

T0 = 1795996800.0  # 2026-11-30T00:00:00Z
SWITCH = {
    "previous_writer": "arn:aws:rds:us-west-2:123456789012:cluster:primary",
    "new_writer": "arn:aws:rds:us-east-1:123456789012:cluster:secondary",
    "global_cluster": {"endpoint": "global.global-abc.global.rds.amazonaws.com"},
    "estimated_data_loss_seconds": None,
    "api_calls": ["rds.SwitchoverGlobalCluster"],
}
RPO = {"worst_rpo_seconds": 0.05, "measurements": [{"name": "Aurora lag", "value": 0.05, "status": "ok"}]}
WRITER = {"endpoint": "secondary.cluster-abc.us-east-1.rds.amazonaws.com"}
REQUEST = {
    "environment": "staging",
    "action": "switchover",
    "to": "dr",
    "via": "module",
    "writer_endpoint": "global",
    "rto_target_seconds": "14400",
    "rpo_target_seconds": 3600,
}


def _report(switch=None, request=None):
    return f.failover_report(switch or SWITCH, RPO, WRITER, T0, T0 + 42.5, request or REQUEST, now=T0 + 60.25)


def test_a_switchover_measures_its_rto_and_the_recovery_point_before_it():
    report = _report()
    assert (report["switch_seconds"], report["rto_seconds"], report["rpo_seconds"]) == (42.5, 60.25, 0.05)
    assert report["declared_at"] == "2026-11-30T00:00:00Z" and report["rto_target_seconds"] == 14400.0
    assert report["endpoint"] == "global.global-abc.global.rds.amazonaws.com"  # the Secret's host: Aurora moves it
    assert report["new_writer"] == SWITCH["new_writer"] and report["api_calls"] == ["rds.SwitchoverGlobalCluster"]


def test_a_failover_loses_what_aws_estimated_and_a_cluster_endpoint_is_the_writers():
    switch = dict(SWITCH, estimated_data_loss_seconds=2.5)
    report = _report(switch, dict(REQUEST, action="failover", writer_endpoint="cluster"))
    assert report["rpo_seconds"] == 2.5 and report["endpoint"] == WRITER["endpoint"]
    # a loss of zero is a figure, not a missing one
    assert _report(dict(SWITCH, estimated_data_loss_seconds=0))["rpo_seconds"] == 0


def test_a_real_failover_is_kept_as_the_drills_report_of_type_failover():
    record = f.failover_history_report(_report(), rpo_verdict="ok", now=T0 + 60.25)
    assert record["drill_id"] == "staging-failover-20261130T000000Z" and record["type"] == "failover"
    assert record["result"] == "pass" and record["findings"] == []
    assert record["measured"]["rto_seconds"] == 60.25 and record["targets"] == {
        "rto_seconds": 14400.0,
        "rpo_seconds": 3600.0,
    }
    assert [s["at"] - T0 for s in record["steps"]] == [0.0, 42.5, 60.25]
    assert record["rpo_check"] == {"verdict": "ok", "measurements": RPO["measurements"]}
    # the drills' renderers take it: a timeline without a cleanup bar, the history's record
    bars = [segment["name"] for segment in drill_report.timeline(record)["bars"]]
    assert bars == ["Recovery point measured", "Writer moved by switchover (module)", "Application path verified"]
    assert drill_report.history_record(record)["type"] == "failover"
    # a missed target is a finding, as in a drill
    late = f.failover_history_report(_report(request=dict(REQUEST, rto_target_seconds=30)), now=T0 + 60.25)
    assert late["result"] == "fail" and late["findings"] == ["RTO 60.25 s above the target 30.0 s"]


REDIS = {
    "changed": True,
    "previous_primary": {"replication_group_id": "registry-redis", "region": "us-west-2"},
    "primary": {"replication_group_id": "registry-redis-dr", "region": "us-east-1"},
    "endpoint": {"address": "registry-redis-dr.use1.cache.amazonaws.com", "port": 6379},
    "timings": {"seconds": 3.5, "completed_at": "2026-11-30T00:00:50Z"},
    "lag": {"replication_seconds": 0.4},
    "estimated_data_loss_seconds": None,
    "api_calls": ["elasticache.FailoverGlobalReplicationGroup"],
}


def test_the_redis_global_datastore_that_moved_too_is_in_the_figures_and_the_record():
    report = f.failover_report(SWITCH, RPO, WRITER, T0, T0 + 42.5, REQUEST, REDIS, now=T0 + 60.25)
    assert report["redis"]["moved"] and report["redis"]["endpoint"] == "registry-redis-dr.use1.cache.amazonaws.com"
    assert (report["redis"]["switch_seconds"], report["redis"]["lag_seconds"]) == (3.5, 0.4)
    assert report["api_calls"] == ["rds.SwitchoverGlobalCluster", "elasticache.FailoverGlobalReplicationGroup"]
    record = f.failover_history_report(report, rpo_verdict="ok", now=T0 + 60.25)
    assert [(s["name"], s["at"] - T0) for s in record["steps"]][1:3] == [
        ("Writer moved by switchover (module)", 42.5),
        ("Redis primary moved by switchover", 50.0),
    ]
    assert record["steps"][2]["detail"] == "us-west-2 -> us-east-1 (lag 0.4 s)"
    # without a Global Datastore (the task skipped), or already in place (no step), nothing more
    assert _report()["redis"] is None
    assert f._redis_figures({"skipped": True}) is None
    unmoved = f.failover_report(SWITCH, RPO, WRITER, T0, T0 + 1, REQUEST, dict(REDIS, changed=False), now=T0 + 2)
    assert len(f.failover_history_report(unmoved, now=T0 + 2)["steps"]) == 3
