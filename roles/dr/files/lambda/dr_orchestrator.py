"""DR orchestrator for the AI model registry's Aurora Global Database (the seed's "manual failover").

Runs in the DR region, so it works when the primary region does not. Invoke it with an event:

    {"action": "status"}
    {"action": "switchover", "target_cluster_arn": "...", "max_lag_seconds": 60}
    {"action": "failover", "target_cluster_arn": "...", "allow_data_loss": true}

``target_cluster_arn`` defaults to the secondary cluster in this function's region. A switchover
(planned, no data loss) is refused while the replication lag is above ``max_lag_seconds``; a
failover (unplanned, the primary region is down) needs ``allow_data_loss: true`` said explicitly,
and reports the lag at the time as the estimated data loss. Every action is announced on SNS.

This file is the source of truth; `make lambda-code` embeds it in disaster-recovery-secondary.yaml,
with plugins/module_utils/global_cluster.py inlined.
"""

import datetime
import json
import os
import time

import boto3

# The decisions (target, health, lag) are the rds_global_cluster_failover module's own:
# `make lambda-code` inlines plugins/module_utils/global_cluster.py in place of this import.
from global_cluster import (  # lambda-inline: plugins/module_utils/global_cluster.py
    RefusedError,
    check_lag,
    check_target,
    lag_queries,
    lag_when_known,
    lag_window,
    parse_lag,
    resolve_target,
    transition,
    writer_arn,
)


def _global_cluster(rds, global_id):
    clusters = rds.describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"]
    if not clusters:
        raise RefusedError("global_cluster_not_found", "global cluster %s not found" % global_id)
    return clusters[0]


def _lag(cloudwatch, cluster_arn):
    start, end = lag_window()
    # GetMetricData pages by data points (NextToken): the RPO lag can be on a later page than the replication lag.
    pages = cloudwatch.get_paginator("get_metric_data").paginate(
        MetricDataQueries=lag_queries(cluster_arn.split(":")[-1]),
        StartTime=start,
        EndTime=end,
        ScanBy="TimestampDescending",
    )
    return parse_lag([result for page in pages for result in page["MetricDataResults"]])


def _cluster_status(rds, cluster_arn):
    clusters = rds.describe_db_clusters(DBClusterIdentifier=cluster_arn.split(":")[-1])["DBClusters"]
    return clusters[0]["Status"] if clusters else "not found"


def _status(rds, cloudwatch, global_id, region):
    cluster = _global_cluster(rds, global_id)
    secondaries = []
    for member in cluster.get("GlobalClusterMembers", []):
        if member.get("IsWriter"):
            continue
        # CloudWatch is regional: only this region's secondaries have their lag here.
        lag_seconds = None
        if (":rds:%s:" % region) in member["DBClusterArn"]:
            lag = _lag(cloudwatch, member["DBClusterArn"])
            lag_seconds = lag["rpo_seconds"] if lag["rpo_seconds"] is not None else lag["replication_seconds"]
        secondaries.append(
            {
                "arn": member["DBClusterArn"],
                "synchronization_status": member.get("SynchronizationStatus", "connected"),
                "lag_seconds": lag_seconds,
            }
        )
    return {
        "global_cluster": global_id,
        "status": cluster.get("Status"),
        "writer": writer_arn(cluster),
        "failover_state": cluster.get("FailoverState"),
        "secondaries": secondaries,
    }


def _deadline(context):
    """Until when the function may wait: its remaining time less a margin to publish the result."""
    remaining = context.get_remaining_time_in_millis() / 1000.0 if context is not None else 60.0
    return time.time() + max(0.0, remaining - 15)


def _act(rds, cloudwatch, global_id, region, action, event, result, deadline):
    cluster = _global_cluster(rds, global_id)
    member = resolve_target(cluster, event.get("target_cluster_arn"), region)
    target = member["DBClusterArn"]
    result["target"] = target
    result["previous_writer"] = writer_arn(cluster)
    state = transition(cluster, target)
    if state in ("done", "running"):
        result["changed"] = False
        result["message"] = "%s is already the writer" % target if state == "done" else "already under way"
        return
    if state == "busy":
        raise RefusedError("busy", "another switchover or failover is under way: %s" % cluster.get("FailoverState"))
    if action == "failover" and event.get("allow_data_loss") is not True:
        raise RefusedError("allow_data_loss_required", "a failover can lose data: set allow_data_loss to true")
    check_target(cluster, member, _cluster_status(rds, target), planned=action == "switchover")
    if action == "switchover":  # a secondary of moments ago has no lag datapoint yet: wait for its first
        lag = lag_when_known(lambda: _lag(cloudwatch, target), deadline, time.time, time.sleep)
    else:
        lag = _lag(cloudwatch, target)
    result["lag"] = lag
    if action == "switchover":
        check_lag(lag, float(event.get("max_lag_seconds", os.environ.get("MAX_SWITCHOVER_LAG_SECONDS", 60))))
        rds.switchover_global_cluster(GlobalClusterIdentifier=global_id, TargetDbClusterIdentifier=target)
    else:
        known = [v for v in (lag["rpo_seconds"], lag["replication_seconds"]) if v is not None]
        result["estimated_data_loss_seconds"] = max(known) if known else None
        rds.failover_global_cluster(
            GlobalClusterIdentifier=global_id, TargetDbClusterIdentifier=target, AllowDataLoss=True
        )
    result["changed"] = True


def handler(event, context, clients=None):
    clients = clients or {}
    rds = clients.get("rds") or boto3.client("rds")
    cloudwatch = clients.get("cloudwatch") or boto3.client("cloudwatch")
    sns = clients.get("sns") or boto3.client("sns")
    global_id = os.environ["GLOBAL_CLUSTER_ID"]
    region = os.environ.get("AWS_REGION", "")
    action = event.get("action", "status")
    result = {"action": action, "requested_at": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    try:
        if action == "status":
            result.update(_status(rds, cloudwatch, global_id, region))
            return result
        if action not in ("switchover", "failover"):
            raise RefusedError("unknown_action", "unknown action %r: use status, switchover or failover" % action)
        _act(rds, cloudwatch, global_id, region, action, event, result, _deadline(context))
    except RefusedError as exc:
        result.update(changed=False, refused=str(exc), reason=exc.reason)
    topic = os.environ.get("SNS_TOPIC_ARN")
    if topic and action != "status":
        sns.publish(
            TopicArn=topic, Subject=("AI model registry DR %s" % action)[:100], Message=json.dumps(result, default=str)
        )
    return result
