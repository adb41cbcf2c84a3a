"""Weekly ElastiCache Redis snapshots, kept for a number of days.

AWS Backup does not protect ElastiCache, so the backup stack meets the seed's "daily and weekly
backups for Redis" with ElastiCache's own snapshots: the replication group takes daily automatic
snapshots (SnapshotRetentionLimit), and this function, run weekly by EventBridge, takes a manual
snapshot (kept beyond the automatic retention) and deletes its own weekly snapshots once they
are older than RETENTION_DAYS.

This file is the source of truth; `make lambda-code` embeds it in backup-policy.yaml.
"""

import datetime
import os

import boto3

PREFIX = "weekly"


def _created(snapshot):
    times = [n["SnapshotCreateTime"] for n in snapshot.get("NodeSnapshots", []) if n.get("SnapshotCreateTime")]
    return min(times) if times else None


def handler(event, context, client=None):
    elasticache = client or boto3.client("elasticache")
    group = os.environ["REPLICATION_GROUP_ID"]
    keep = datetime.timedelta(days=int(os.environ["RETENTION_DAYS"]))
    now = datetime.datetime.now(datetime.timezone.utc)
    name = f"{group}-{PREFIX}-{now:%Y%m%d%H%M}"
    elasticache.create_snapshot(ReplicationGroupId=group, SnapshotName=name)
    deleted = []
    pages = elasticache.get_paginator("describe_snapshots").paginate(ReplicationGroupId=group, SnapshotSource="manual")
    for page in pages:
        for snapshot in page["Snapshots"]:
            created = _created(snapshot)
            if snapshot["SnapshotName"].startswith(f"{group}-{PREFIX}-") and created and created < now - keep:
                elasticache.delete_snapshot(SnapshotName=snapshot["SnapshotName"])
                deleted.append(snapshot["SnapshotName"])
    return {"created": name, "deleted": deleted}
