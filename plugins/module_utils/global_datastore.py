# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An ElastiCache Global Datastore as the collection reads it: its members and primary, a replication group's
endpoint, and the replication lag ElastiCache publishes for a secondary. Shared by the
elasticache_global_datastore_failover and redis_primary action plugins."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# ElastiCache's lag of a Global Datastore secondary: published by the secondary region's primary node, in seconds
# (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html).
LAG_METRIC = "GlobalDatastoreReplicationLag"


def lag_query(cache_cluster_id):
    """The GetMetricData query of a secondary's replication lag (CloudWatch of its own region)."""
    return [
        {
            "Id": "replication",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ElastiCache",
                    "MetricName": LAG_METRIC,
                    "Dimensions": [{"Name": "CacheClusterId", "Value": cache_cluster_id}],
                },
                "Period": 60,
                "Stat": "Maximum",
            },
            "ReturnData": True,
        }
    ]


def parse_lag(results):
    """The newest lag datapoint of every page (seconds, as ElastiCache publishes it), and its time."""
    pairs = sorted(
        (when, value)
        for result in results
        for when, value in zip(result.get("Timestamps") or [], result.get("Values") or [])  # noqa: B905
    )
    if not pairs:
        return {"replication_seconds": None, "rpo_seconds": None, "measured_at": None}
    when, value = pairs[-1]
    stamp = when.isoformat() if hasattr(when, "isoformat") else str(when)
    return {"replication_seconds": float(value), "rpo_seconds": None, "measured_at": stamp}


def primary_node(group):
    """The cache cluster (node) that is the primary of a replication group's first shard: it publishes the lag."""
    for node_group in group.get("NodeGroups") or []:
        for member in node_group.get("NodeGroupMembers") or []:
            if member.get("CurrentRole") == "primary":
                return member["CacheClusterId"]
    members = group.get("MemberClusters") or []
    return members[0] if members else None


def endpoint(group):
    """Where clients connect: the configuration endpoint (cluster mode) or the first shard's primary endpoint."""
    found = group.get("ConfigurationEndpoint") or next(
        (g.get("PrimaryEndpoint") for g in group.get("NodeGroups") or [] if g.get("PrimaryEndpoint")), None
    )
    return {"address": found["Address"], "port": found["Port"]} if found else None


def role_of(global_group, region, group_id):
    """PRIMARY or SECONDARY: the role of a replication group in a global datastore (None: not a member)."""
    for member in global_group.get("Members") or []:
        if (member.get("ReplicationGroupRegion"), member.get("ReplicationGroupId")) == (region, group_id):
            return member.get("Role")
    return None


def primary_member(global_group):
    return next((m for m in global_group.get("Members") or [] if m.get("Role") == "PRIMARY"), None)


def find_primary(api, region, group_id):
    """Where the clients of ``group_id`` (in ``region``) write: the Global Datastore's primary replication group
    and its endpoint - ``group_id`` itself when it is the primary or in no Global Datastore. ``api(service, region)``
    gives a recording client (aws_client.ApiClients)."""
    group = api("elasticache", region).call("DescribeReplicationGroups", ReplicationGroupId=group_id)[
        "ReplicationGroups"
    ][0]
    own = {"replication_group_id": group_id, "region": region, "endpoint": endpoint(group)}
    global_id = (group.get("GlobalReplicationGroupInfo") or {}).get("GlobalReplicationGroupId")
    if not global_id:
        return dict(own, global_replication_group_id=None)
    found = api("elasticache", region).call(
        "DescribeGlobalReplicationGroups", GlobalReplicationGroupId=global_id, ShowMemberInfo=True
    )["GlobalReplicationGroups"][0]
    primary = primary_member(found)
    if primary is None or (primary["ReplicationGroupRegion"], primary["ReplicationGroupId"]) == (region, group_id):
        return dict(own, global_replication_group_id=global_id)
    other = api("elasticache", primary["ReplicationGroupRegion"]).call(
        "DescribeReplicationGroups", ReplicationGroupId=primary["ReplicationGroupId"]
    )["ReplicationGroups"][0]
    return {
        "replication_group_id": primary["ReplicationGroupId"],
        "region": primary["ReplicationGroupRegion"],
        "endpoint": endpoint(other),
        "global_replication_group_id": global_id,
    }
