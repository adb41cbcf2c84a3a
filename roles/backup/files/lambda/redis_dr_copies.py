"""Copies of Redis in the DR region: snapshot, export to S3, replicated by S3 to the DR region's copy bucket.

Run every few minutes by EventBridge. Each run reads where the copies stand and takes the next steps
(redis_dr_copies.plan): a manual snapshot every INTERVAL_MINUTES, its export to EXPORT_BUCKET once it is
available, its deletion once S3 replication has brought the export to SEED_BUCKET (SEED_REGION). It then
publishes the age of the newest copy in the DR region (metric RedisDRCopyAgeSeconds), which an alarm holds to
the RPO. An event {"copy_now": true} (redis_dr_copy: a drill, a switchover) takes a snapshot now, within the
interval too. Redis is rebuilt from a copy by redis-dr.yaml with SeedSnapshotArns (roles/redis/README.md).

This file is the source of truth; `make lambda-code` embeds it in backup-policy.yaml.
"""

import datetime
import os

import boto3
from redis_dr_copies import newest_copy, plan, prefix  # lambda-inline: plugins/module_utils/redis_dr_copies.py

METRIC_NAMESPACE = "AIModelRegistry/DR"


def _keys(s3, bucket, key_prefix):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key_prefix)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def handler(event, context, clients=None):
    clients = clients or {}
    region = os.environ.get("AWS_REGION")
    elasticache = clients.get("elasticache") or boto3.client("elasticache")
    s3 = clients.get("s3") or boto3.client("s3")
    seed_s3 = clients.get("seed_s3") or boto3.client("s3", region_name=os.environ["SEED_REGION"])
    cloudwatch = clients.get("cloudwatch") or boto3.client("cloudwatch")
    group, export_bucket, seed_bucket = (
        os.environ["REPLICATION_GROUP_ID"],
        os.environ["EXPORT_BUCKET"],
        os.environ["SEED_BUCKET"],
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    pages = elasticache.get_paginator("describe_snapshots").paginate(ReplicationGroupId=group, SnapshotSource="manual")
    snapshots = [snapshot for page in pages for snapshot in page["Snapshots"]]
    exported = _keys(s3, export_bucket, prefix(group))
    copied = _keys(seed_s3, seed_bucket, prefix(group))
    copy_now = bool((event or {}).get("copy_now"))
    steps = plan(group, snapshots, exported, copied, now, int(os.environ["INTERVAL_MINUTES"]) * 60, copy_now)
    for action, name in steps:
        if action == "export":
            elasticache.copy_snapshot(SourceSnapshotName=name, TargetSnapshotName=name, TargetBucket=export_bucket)
        elif action == "delete":
            elasticache.delete_snapshot(SnapshotName=name)
        else:
            elasticache.create_snapshot(ReplicationGroupId=group, SnapshotName=name)
    key, when = newest_copy(copied)
    age = round((now - when).total_seconds(), 3) if when else None
    if age is not None:
        cloudwatch.put_metric_data(
            Namespace=METRIC_NAMESPACE,
            MetricData=[
                {
                    "MetricName": "RedisDRCopyAgeSeconds",
                    "Dimensions": [{"Name": "ReplicationGroupId", "Value": group}],
                    "Value": age,
                    "Unit": "Seconds",
                }
            ],
        )
    return {
        "region": region,
        "steps": [{"action": action, "snapshot": name} for action, name in steps],
        "newest_copy": key,
        "newest_copy_age_seconds": age,
    }
