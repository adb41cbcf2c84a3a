"""Metrics AWS services publish on their own, which a moto-backed world never would.

Before each CloudWatch read (GetMetricData, GetMetricStatistics) the emulator publishes, once a
minute and in the region where AWS publishes them:

- ``AWS/RDS`` ``AuroraGlobalDBReplicationLag`` and ``AuroraGlobalDBRPOLag`` (milliseconds,
  dimension ``DBClusterIdentifier``) for every secondary of a global database that is connected
  (Aurora user guide, "Monitoring Aurora Global Database"). Value: setting ``replication_lag_ms``
  (a number, or ``{fnmatch of cluster id: ms}``), default 50 ms.
- ``AWS/S3`` ``ReplicationLatency`` (seconds), ``OperationsPendingReplication``,
  ``OperationsFailedReplication`` and ``BytesPendingReplication`` (dimensions ``SourceBucket``,
  ``DestinationBucket``, ``RuleId``) for every enabled replication rule whose destination has
  replication metrics enabled (S3 user guide, "Replication metrics"). Values: settings
  ``s3_replication_latency_seconds`` (default 5) and ``s3_replication_failed_operations`` (default 0).
- ``AWS/ElastiCache`` ``GlobalDatastoreReplicationLag`` (seconds, dimension ``CacheClusterId``: the primary node
  of the secondary region's replication group, which publishes it) for every secondary member of a Global
  Datastore ("Metrics for Valkey and Redis OSS",
  https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html). Value: setting
  ``replication_lag_ms`` of the secondary's replication group ID, as the real Redis replication (caches.py) lags.

A test injects a replication delay by changing a setting; the next minute's datapoint shows it.

A member that became a secondary by a switchover or failover publishes its first lag datapoint only some time
later, as AWS publishes these metrics once a minute (setting ``first_lag_datapoint_seconds``, default 3: the
emulator's time is short, its switchover takes 1 s where AWS's takes minutes). Until then a read finds no
datapoint for it: a switch back at once cannot check the lag yet.
"""

from __future__ import annotations

import fnmatch
import time
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend
from moto.elasticache.models import elasticache_backends
from moto.s3.models import s3_backends

from emulator.aws import global_datastore, global_failover
from emulator.aws.control import STATE

AURORA_LAG_METRICS = ("AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag")


def lag_ms(cluster_id: str) -> float:
    configured = STATE.settings.get("replication_lag_ms", {})
    if isinstance(configured, (int, float)):
        return float(configured)
    value = 50.0  # a healthy global database replicates in well under a second
    for pattern, ms in configured.items():
        if fnmatch.fnmatchcase(cluster_id, pattern):
            value = float(ms)
    return value


def _publishing_yet(since: float) -> bool:
    return time.time() >= since + float(STATE.settings.get("first_lag_datapoint_seconds", 3))


def _once_a_minute(backend: CloudWatchBackend, key: tuple) -> bool:
    published = backend.__dict__.setdefault("_emu_published", set())
    key = (*key, int(time.time() // 60))
    if key in published:
        return False
    published.add(key)
    return True


def _aurora(backend: CloudWatchBackend) -> None:
    for gc in list(global_failover.global_clusters(backend.account_id).values()):
        global_failover.advance(gc)
        for member in gc.members:
            if member.is_writer or member.region != backend.region_name:
                continue
            if global_failover.synchronization_status(gc, member) != "connected":
                continue
            if not _publishing_yet(global_failover.secondary_since(gc, member)):
                continue
            value = lag_ms(member.db_cluster_identifier)
            # a datapoint a minute, and one at once when the injected lag changed (the emulator's time is short)
            if not _once_a_minute(backend, ("aurora", member.db_cluster_arn, value)):
                continue
            dims = [{"Name": "DBClusterIdentifier", "Value": member.db_cluster_identifier}]
            backend.put_metric_data(
                "AWS/RDS",
                [
                    {"MetricName": n, "Value": value, "Unit": "Milliseconds", "Dimensions": dims}
                    for n in AURORA_LAG_METRICS
                ],
            )


def _metrics_enabled(rule: dict[str, Any]) -> bool:
    metrics = (rule.get("Destination") or {}).get("Metrics") or {}
    return rule.get("Status") == "Enabled" and metrics.get("Status") == "Enabled"


def _s3(backend: CloudWatchBackend) -> None:
    latency = float(STATE.settings.get("s3_replication_latency_seconds", 5))
    failed = float(STATE.settings.get("s3_replication_failed_operations", 0))
    for bucket in list(s3_backends[backend.account_id]["aws"].buckets.values()):
        replication = getattr(bucket, "replication", None)  # set only once replication is configured
        if bucket.region_name != backend.region_name or not replication:
            continue
        rules = replication.get("Rule") or []
        for rule in rules if isinstance(rules, list) else [rules]:
            if not _metrics_enabled(rule) or not _once_a_minute(backend, ("s3", bucket.name, rule.get("ID"))):
                continue
            dims = [
                {"Name": "SourceBucket", "Value": bucket.name},
                {"Name": "DestinationBucket", "Value": rule["Destination"]["Bucket"].split(":::")[-1]},
                {"Name": "RuleId", "Value": rule.get("ID", "")},
            ]
            backend.put_metric_data(
                "AWS/S3",
                [
                    {"MetricName": "ReplicationLatency", "Value": latency, "Unit": "Seconds", "Dimensions": dims},
                    {"MetricName": "OperationsPendingReplication", "Value": 0, "Unit": "Count", "Dimensions": dims},
                    {"MetricName": "OperationsFailedReplication", "Value": failed, "Unit": "Count", "Dimensions": dims},
                    {"MetricName": "BytesPendingReplication", "Value": 0, "Unit": "Bytes", "Dimensions": dims},
                ],
            )


def _redis(backend: CloudWatchBackend) -> None:
    global_datastore.advance(backend.account_id)
    for found in list(global_datastore.GROUPS.get(backend.account_id, {}).values()):
        for member in found["Members"]:
            if member["Role"] != "SECONDARY" or member["ReplicationGroupRegion"] != backend.region_name:
                continue
            if not _publishing_yet(global_datastore.secondary_since(found, member)):
                continue
            group = elasticache_backends[backend.account_id][backend.region_name].replication_groups.get(
                member["ReplicationGroupId"]
            )
            if group is None or not group.member_clusters:
                continue
            value = lag_ms(group.replication_group_id) / 1000.0
            if not _once_a_minute(backend, ("redis", group.replication_group_id, value)):
                continue
            dims = [{"Name": "CacheClusterId", "Value": group.member_clusters[0]}]
            backend.put_metric_data(
                "AWS/ElastiCache",
                [
                    {
                        "MetricName": "GlobalDatastoreReplicationLag",
                        "Value": value,
                        "Unit": "Seconds",
                        "Dimensions": dims,
                    }
                ],
            )


def publish(backend: CloudWatchBackend) -> None:
    _aurora(backend)
    _s3(backend)
    _redis(backend)


def _publishing(method):
    def wrapper(self: CloudWatchBackend, *args, **kwargs):
        publish(self)
        return method(self, *args, **kwargs)

    wrapper.__wrapped__ = method
    return wrapper


def install() -> None:
    for name in ("get_metric_data", "get_metric_statistics"):
        setattr(CloudWatchBackend, name, _publishing(getattr(CloudWatchBackend, name)))
