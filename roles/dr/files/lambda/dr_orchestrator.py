"""DR orchestrator for the AI model registry's Aurora Global Database (the seed's "manual failover").

Runs in the DR region, so it works when the primary region does not. Invoke it with an event:

    {"action": "status"}
    {"action": "switchover", "target_cluster_arn": "...", "max_lag_seconds": 60}
    {"action": "failover", "target_cluster_arn": "...", "allow_data_loss": true}

``target_cluster_arn`` defaults to the secondary cluster in this function's region. A switchover
(planned, no data loss) is refused while the replication lag is above ``max_lag_seconds``; a
failover (unplanned, the primary region is down) needs ``allow_data_loss: true`` said explicitly,
and reports the lag at the time as the estimated data loss. Every action is announced on SNS.

This file is the source of truth; `make lambda-code` embeds it in disaster-recovery-secondary.yaml.
"""

import datetime
import json
import os

import boto3


class RefusedError(Exception):
    """The action was refused before anything changed."""


def _members(rds, global_id):
    clusters = rds.describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"]
    if not clusters:
        raise RefusedError(f"global cluster {global_id} not found")
    return clusters[0], clusters[0].get("GlobalClusterMembers", [])


def _lag_seconds(cloudwatch, cluster_id):
    """Newest AuroraGlobalDBRPOLag of a secondary cluster (milliseconds in CloudWatch), or None."""
    now = datetime.datetime.now(datetime.timezone.utc)
    result = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "rpo",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/RDS",
                        "MetricName": "AuroraGlobalDBRPOLag",
                        "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster_id}],
                    },
                    "Period": 60,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=now - datetime.timedelta(minutes=10),
        EndTime=now + datetime.timedelta(minutes=1),  # rounded up: the current, open minute counts
        ScanBy="TimestampDescending",
    )
    values = result["MetricDataResults"][0].get("Values", [])
    return values[0] / 1000.0 if values else None


def _status(rds, cloudwatch, global_id):
    cluster, members = _members(rds, global_id)
    writer = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
    secondaries = []
    for member in members:
        if member.get("IsWriter"):
            continue
        cluster_id = member["DBClusterArn"].split(":")[-1]
        secondaries.append({"arn": member["DBClusterArn"], "lag_seconds": _lag_seconds(cloudwatch, cluster_id)})
    return {"global_cluster": global_id, "status": cluster.get("Status"), "writer": writer, "secondaries": secondaries}


def _target(members, event, region):
    target = event.get("target_cluster_arn")
    if not target:
        local = [m["DBClusterArn"] for m in members if f":rds:{region}:" in m["DBClusterArn"]]
        if not local:
            raise RefusedError(f"no member of the global cluster in {region}; give target_cluster_arn")
        target = local[0]
    member = next((m for m in members if m["DBClusterArn"] == target), None)
    if member is None:
        raise RefusedError(f"{target} is not a member of the global cluster")
    return target, member


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
            result.update(_status(rds, cloudwatch, global_id))
            return result
        if action not in ("switchover", "failover"):
            raise RefusedError(f"unknown action {action!r}: use status, switchover or failover")
        cluster, members = _members(rds, global_id)
        target, member = _target(members, event, region)
        result["target"] = target
        result["previous_writer"] = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
        if member.get("IsWriter"):
            result["changed"] = False
            result["message"] = f"{target} is already the writer"
            return result
        lag = _lag_seconds(cloudwatch, target.split(":")[-1])
        result["lag_seconds"] = lag
        if action == "switchover":
            limit = float(event.get("max_lag_seconds", os.environ.get("MAX_SWITCHOVER_LAG_SECONDS", 60)))
            if lag is None or lag > limit:
                raise RefusedError(f"replication lag {lag} s is unknown or above {limit} s: not switching over")
            rds.switchover_global_cluster(GlobalClusterIdentifier=global_id, TargetDbClusterIdentifier=target)
        else:
            if event.get("allow_data_loss") is not True:
                raise RefusedError("a failover can lose data: set allow_data_loss to true to confirm")
            result["estimated_data_loss_seconds"] = lag
            rds.failover_global_cluster(
                GlobalClusterIdentifier=global_id, TargetDbClusterIdentifier=target, AllowDataLoss=True
            )
        result["changed"] = True
    except RefusedError as exc:
        result.update(changed=False, refused=str(exc))
    topic = os.environ.get("SNS_TOPIC_ARN")
    if topic and action != "status":
        sns.publish(
            TopicArn=topic, Subject=f"AI model registry DR {action}"[:100], Message=json.dumps(result, default=str)
        )
    return result
