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
    "writer": {"endpoint": "secondary.cluster-abc.us-east-1.rds.amazonaws.com"},  # describe_writer
}
RPO = {"worst_rpo_seconds": 0.05, "measurements": [{"name": "Aurora lag", "value": 0.05, "status": "ok"}]}
WRITER = SWITCH["writer"]
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


def test_the_lines_of_a_switch_give_its_rto_rpo_and_where_redis_is():
    report = f.failover_report(SWITCH, RPO, WRITER, T0, T0 + 42.5, REQUEST, REDIS, now=T0 + 60.25)
    assert f.failover_lines(report) == [
        f"switchover of staging to the dr region: writer {SWITCH['new_writer']}",
        "RTO 60.25 s (target 14400 s), writer moved after 42.5 s",
        "RPO 0.05 s (target 3600 s)",
        "Redis primary in us-east-1, lag 0.4 s",
    ]
    assert f.failover_lines(_report())[-1] == "Redis: not moved (no Global Datastore)"
    # an unplanned failover whose cache could not follow went on without it: the line says why
    refused = {"failed": True, "msg": "no lag datapoint"}
    assert f.failover_lines(_report(), False, refused)[-1] == "Redis: did not follow - no lag datapoint"


def test_a_preview_says_what_would_move_and_measures_no_rto():
    """Check mode moved nothing: no RTO (a check-mode run's seconds are not a switch's), the writer it would make,
    the recovery point now, and whether Redis would follow - refused or not."""
    plan = {"changed": True, "endpoint": {"address": "registry-redis-dr.use1.cache.amazonaws.com", "port": 6379}}
    lines = f.failover_lines(_report(), True, plan)
    assert lines == [
        f"Preview, nothing switched: switchover of staging to the dr region would make {SWITCH['new_writer']} the "
        f"writer (now {SWITCH['previous_writer']})",
        "RPO now 0.05 s (target 3600 s)",
        "Redis: would follow by switchover, its primary then registry-redis-dr.use1.cache.amazonaws.com",
    ]
    assert not any("RTO" in line for line in lines)
    refused = f.failover_lines(_report(), True, {"failed": True, "msg": "lag 12 s above the bound 5 s"})
    assert refused[-1] == "Redis: its Global Datastore could not follow - lag 12 s above the bound 5 s"
    assert f.failover_lines(_report(), True)[-1] == "Redis: no Global Datastore to move"
    there = f.failover_lines(_report(dict(SWITCH, previous_writer=SWITCH["new_writer"])), True)
    assert there[0].endswith(f"{SWITCH['new_writer']} is the writer already")


# --- failover_verification: what the role read back after the switch ---

NEW_WRITER = {
    "status": "available",
    "db_cluster_arn": SWITCH["new_writer"],
    "endpoint": WRITER["endpoint"],
    "port": 5433,
}
MOVED_REDIS = {
    "changed": True,
    "primary": {"region": "us-east-1", "replication_group_id": "registry-redis-dr"},
    "endpoint": {"address": "registry-redis-dr.use1.cache.amazonaws.com", "port": 6379},
}
SETTINGS = {
    "target_region": "us-east-1",
    "writer_endpoint": "global",
    "custom_domain": "",
    "postgresql_secret": "postgresql-credentials",
    "redis_secret": "redis-credentials",
}


def _secrets(*namespaces):
    """The registered k8s_info loop: per namespace, {secret name: {key: value}}."""
    import base64

    def encoded(data):
        return {k: base64.b64encode(str(v).encode()).decode() for k, v in data.items()}

    return {
        "changed": False,
        "results": [
            {"resources": [{"metadata": {"name": name}, "data": encoded(data)} for name, data in secrets.items()]}
            for secrets in namespaces
        ],
    }


def _namespace(
    pg_host=SWITCH["global_cluster"]["endpoint"], pg_port=5432, redis_host=MOVED_REDIS["endpoint"]["address"]
):
    return {
        "postgresql-credentials": {"host": pg_host, "port": pg_port},
        "redis-credentials": {"host": redis_host, "port": 6379},
    }


def _verify(writer=None, redis=None, secrets=None, **settings):
    secrets = secrets if secrets is not None else _secrets(_namespace(), _namespace())
    switch = {**SWITCH, "writer": writer or NEW_WRITER}
    return f.failover_verification(switch, redis or MOVED_REDIS, secrets, {**SETTINGS, **settings})


def test_the_application_points_at_the_new_writer_and_the_new_redis_primary():
    assert _verify() == []


def test_a_writer_that_is_not_available_or_not_the_one_switched_to_is_named():
    other = {**NEW_WRITER, "status": "modifying", "db_cluster_arn": SWITCH["previous_writer"]}
    assert _verify(writer=other) == [
        f"the new writer {SWITCH['new_writer']} is modifying, not available",
        f"the writer described is {SWITCH['previous_writer']}, not {SWITCH['new_writer']}",
    ]


def test_each_secret_that_names_another_endpoint_is_named_with_what_it_should_be():
    stale = _namespace(pg_host="old.cluster.us-west-2", redis_host="registry-redis.usw2.cache.amazonaws.com")
    assert _verify(secrets=_secrets(_namespace(), stale)) == [
        "postgresql-credentials names host old.cluster.us-west-2, not global.global-abc.global.rds.amazonaws.com "
        "(the global writer endpoint (run site.yml or the k8s_secrets role to write it))",
        "redis-credentials names host registry-redis.usw2.cache.amazonaws.com, not "
        "registry-redis-dr.use1.cache.amazonaws.com (the new Redis primary)",
    ]


def test_with_cluster_endpoints_the_secret_names_the_new_writers_endpoint_and_port():
    right = _namespace(pg_host=WRITER["endpoint"], pg_port=5433)
    assert _verify(secrets=_secrets(right), writer_endpoint="cluster") == []
    wrong_port = _namespace(pg_host=WRITER["endpoint"], pg_port=5432)
    assert _verify(secrets=_secrets(wrong_port), writer_endpoint="cluster") == [
        "postgresql-credentials names port 5432, not 5433 (the new writer's port)"
    ]


def test_with_a_custom_domain_the_secrets_carry_its_names_whatever_the_endpoints():
    custom = _namespace(pg_host="postgresql.registry.internal", redis_host="redis.registry.internal")
    assert _verify(secrets=_secrets(custom), custom_domain="registry.internal") == []
    # the AWS endpoint in a Secret is wrong there: the application must follow the records
    assert _verify(secrets=_secrets(_namespace()), custom_domain="registry.internal") == [
        "postgresql-credentials names host global.global-abc.global.rds.amazonaws.com, not "
        "postgresql.registry.internal (the custom name)",
        "redis-credentials names host registry-redis-dr.use1.cache.amazonaws.com, not redis.registry.internal "
        "(the custom name)",
    ]


def test_redis_is_judged_only_when_it_moved_and_the_secrets_only_when_read_back():
    stale_redis = _secrets(_namespace(redis_host="registry-redis.usw2.cache.amazonaws.com"))
    for redis in ({"skipped": True}, {"failed": True, "msg": "busy"}):
        assert _verify(redis=redis, secrets=stale_redis) == []
    assert _verify(secrets={"skipped": True, "changed": False}) == []
    wrong_region = {**MOVED_REDIS, "primary": {"region": "us-west-2", "replication_group_id": "registry-redis"}}
    assert (
        _verify(redis=wrong_region)
        == [
            "Redis's primary is {'region': 'us-west-2', 'replication_group_id': 'registry-redis'}, not in us-east-1",
            "redis-credentials names host registry-redis-dr.use1.cache.amazonaws.com, not "
            "registry-redis-dr.use1.cache.amazonaws.com (the new Redis primary)",
        ][:1]
    )


def test_secrets_read_back_from_no_namespace_are_a_problem():
    assert _verify(secrets={"changed": False, "results": []}) == [
        "no namespace's postgresql-credentials was read back",
        "no namespace's redis-credentials was read back",
    ]


# --- Redis without a Global Datastore: rebuilt from a copy, in the Global Datastore failover's shape ---------------

GROUPS = {
    "primary": {"replication_group_id": "amr-staging-redis", "region": "us-west-2"},
    "dr": {"replication_group_id": "amr-staging-redis-dr", "region": "us-east-1"},
}
COPY = {
    "key": "amr-staging-redis-dr-copy-20261129233000-0001.rdb",
    "recovery_point": "2026-11-29T23:30:00+00:00",  # 30 minutes before T0
    "snapshot_arns": ["arn:aws:s3:::copies/amr-staging-redis-dr-copy-20261129233000-0001.rdb"],
}
REBUILT = {
    "changed": True,
    "outputs": {"ReplicationGroupId": "amr-staging-redis-dr", "RedisEndpoint": "dr.cache", "RedisPort": "6379"},
    "api_calls": ["cloudformation.CreateStack"],
}
HOME = {
    "changed": False,
    "outputs": {"ReplicationGroupId": "amr-staging-redis", "RedisEndpoint": "home.cache", "RedisPort": "6380"},
}


def test_a_rebuild_in_the_dr_region_loses_what_was_written_since_the_copy():
    moved = f.redis_rebuild_result(REBUILT, {"status": "ABSENT"}, GROUPS, COPY, "us-east-1", T0, T0 + 90)
    assert moved["changed"] and moved["mode"] == "rebuild"
    assert (moved["previous_primary"], moved["primary"]) == (GROUPS["primary"], GROUPS["dr"])
    assert moved["endpoint"] == {"address": "dr.cache", "port": 6379}
    # the copy's age when the rebuilt group serves: 30 minutes before the move started, which took 90 s
    assert moved["estimated_data_loss_seconds"] == 1890 and moved["lag"]["replication_seconds"] == 1890
    assert moved["seeded_from"] == COPY["key"] and moved["timings"]["seconds"] == 90
    # the figures, the record and the verification read it as they read a Global Datastore's failover
    figures = f._redis_figures(moved)
    assert figures["moved"] and figures["lag_seconds"] == 1890 and figures["endpoint"] == "dr.cache"
    assert (
        f.failover_verification(
            {**SWITCH, "writer": {"status": "available", "db_cluster_arn": SWITCH["new_writer"]}},
            moved,
            {"skipped": True},
            {"target_region": "us-east-1", "writer_endpoint": "global"},
        )
        == []
    )


def test_a_rebuild_without_a_copy_starts_empty_and_its_loss_is_unknown():
    moved = f.redis_rebuild_result(REBUILT, {"status": "ABSENT"}, GROUPS, None, "us-east-1", T0, T0 + 5)
    assert moved["changed"] and moved["estimated_data_loss_seconds"] is None and moved["seeded_from"] is None


def test_the_fail_back_returns_to_the_primary_regions_group_and_loses_nothing_measured():
    dr_before = {"status": "CREATE_COMPLETE", "outputs": REBUILT["outputs"]}
    moved = f.redis_rebuild_result(HOME, dr_before, GROUPS, None, "us-west-2", T0, T0 + 30)
    assert (moved["previous_primary"], moved["primary"]) == (GROUPS["dr"], GROUPS["primary"])
    assert moved["changed"] and moved["endpoint"] == {"address": "home.cache", "port": 6380}
    assert moved["estimated_data_loss_seconds"] is None


def test_a_rerun_where_redis_already_is_changes_nothing():
    dr_before = {"status": "CREATE_COMPLETE", "outputs": REBUILT["outputs"]}
    again = f.redis_rebuild_result(dict(REBUILT, changed=False), dr_before, GROUPS, COPY, "us-east-1", T0, T0 + 1)
    assert not again["changed"] and again["timings"] is None and again["estimated_data_loss_seconds"] is None
    home = f.redis_rebuild_result(HOME, {"status": "ABSENT"}, GROUPS, None, "us-west-2", T0, T0 + 1)
    assert not home["changed"]


def test_a_rebuild_seeds_from_the_newest_copy_and_a_rerun_keeps_the_seed_it_was_built_from():
    assert f.redis_rebuild_seed({"status": "ABSENT"}, COPY) == COPY["snapshot_arns"]
    assert f.redis_rebuild_seed({"status": "ABSENT"}, None) == []
    built = {"status": "CREATE_COMPLETE", "parameters": {"SeedSnapshotArns": "arn:aws:s3:::copies/older-0001.rdb"}}
    assert f.redis_rebuild_seed(built, COPY) == ["arn:aws:s3:::copies/older-0001.rdb"]
    assert f.redis_rebuild_seed({"status": "CREATE_COMPLETE", "parameters": {"SeedSnapshotArns": ""}}, COPY) == []


def test_the_secrets_a_switch_repoints():
    moved = {"changed": True, "endpoint": {"address": "redis.dr", "port": 6379}}
    assert f.failover_repointed("global", {}, moved) == ["redis"]
    assert f.failover_repointed("cluster", moved, {"skipped": True}) == ["postgresql", "redis"]  # check mode
    # a skipped Redis step (no Global Datastore, no rebuild) is no move: its Secret keeps its host
    assert f.failover_repointed("global", {"skipped": True}, {"skipped": True}) == []
    assert f.failover_repointed("cluster", None, None) == ["postgresql"]
    assert f.failover_repointed("global", {}, {**moved, "failed": True}) == []
