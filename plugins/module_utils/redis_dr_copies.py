# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis copies in the DR region without a Global Datastore: what the copy function does next, and the
recovery point a copy holds.

The path (backup-policy.yaml's RedisDRCopyFunction, run every few minutes): a manual ElastiCache snapshot
``<group>-dr-copy-<UTC time>`` every ``interval`` seconds; once it is available, exported to the export bucket
of its region (CopySnapshot with TargetBucket: ElastiCache writes ``<name>-0001.rdb``, one object per shard,
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html); S3 replication copies the
object to the DR region's seed bucket; once the export is there, the snapshot is deleted (the copy lives in S3).
A replication group seeded from the newest object (SnapshotArns) rebuilds Redis in the DR region.

Each run reads the state and takes the next steps, so a run that fails halfway is finished by the next one.
Pure functions over the shapes of DescribeSnapshots and ListObjectsV2: no Ansible and no boto3 import, so
`make lambda-code` inlines this file into the function, and rpo_check reads recovery points the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

MARK = "-dr-copy-"
TIME_FORMAT = "%Y%m%d%H%M%S"
# ElastiCache names a shard's export <snapshot name>-<4-digit shard number>.rdb
_KEY = re.compile(r"^(?P<snapshot>.+%s(?P<time>\d{14}))-(?P<shard>\d{4})\.rdb$" % re.escape(MARK))
IN_PROGRESS = ("creating", "exporting", "copying")


def snapshot_name(group_id, when):
    """The name of the copy snapshot taken at ``when`` (aware UTC datetime)."""
    return "%s%s%s" % (group_id, MARK, when.strftime(TIME_FORMAT))


def prefix(group_id):
    """The prefix of this group's copy snapshots and of their objects."""
    return group_id + MARK


def recovery_point(key_or_name):
    """When the copy's snapshot was asked for (the name's time, UTC; its data is at least that new), or None for a
    key or name that is not a copy's."""
    match = _KEY.match(key_or_name) or re.match(r"^.+%s(?P<time>\d{14})$" % re.escape(MARK), key_or_name)
    if not match:
        return None
    return datetime.datetime.strptime(match.group("time"), TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)


def newest_copy(keys):
    """(key, recovery point) of the newest complete copy among object keys, or (None, None). A copy of several
    shards is complete when its shard 0001 is there (ElastiCache exports all shards together)."""
    found = [(recovery_point(key), key) for key in keys if _KEY.match(key) and key.endswith("-0001.rdb")]
    if not found:
        return None, None
    when, key = max(found)
    return key, when


def newest_copy_record(keys, bucket, region, since=None):
    """The newest copy among the object ``keys`` of ``bucket`` (in ``region``), as rpo_check and redis_dr_copy return it
    - ``bucket``, ``region``, ``key``, ``recovery_point`` (ISO 8601), ``snapshot_arns`` (CreateReplicationGroup's
    SnapshotArns) - or None without one (taken at ``since`` or later, when given)."""
    key, when = newest_copy(keys)
    if key is None or (since is not None and when < since):
        return None
    return {
        "bucket": bucket,
        "region": region,
        "key": key,
        "recovery_point": when.isoformat(),
        "snapshot_arns": ["arn:aws:s3:::%s/%s" % (bucket, k) for k in copy_objects(keys, key)],
    }


def copy_objects(keys, first_key):
    """Every shard's object of the copy whose first shard is ``first_key``, in shard order (SnapshotArns)."""
    return sorted(key for key in keys if _snapshot_of(key) == _snapshot_of(first_key))


def _snapshot_of(key):
    match = _KEY.match(key)
    return match.group("snapshot") if match else None


def plan(group_id, snapshots, exported_keys, copied_keys, now, interval_seconds, copy_now=False):
    """The next steps of the copy function, in order, as (action, snapshot name) pairs:

    - ``export``: an available copy snapshot not exported yet (CopySnapshot to the export bucket);
    - ``delete``: a copy snapshot whose export has reached the DR region (DeleteSnapshot);
    - ``snapshot``: a new copy snapshot, when none is on its way and the newest recovery point - in the DR region,
      exported, or a snapshot still to export - is ``interval_seconds`` old or older; with ``copy_now`` (a drill asks
      for a copy of the moment) also within the interval, unless one of this very second exists.

    ``snapshots``: DescribeSnapshots entries of the group (others are ignored); ``exported_keys`` and
    ``copied_keys``: object keys of the export bucket and of the DR region's seed bucket."""
    # a failed snapshot is neither a recovery point nor on its way: the next one is taken as if it were not there
    ours = [
        s
        for s in snapshots
        if s.get("SnapshotName", "").startswith(prefix(group_id)) and s.get("SnapshotStatus") != "failed"
    ]
    exported = set(map(_snapshot_of, exported_keys)) - {None}
    copied = set(map(_snapshot_of, copied_keys)) - {None}
    steps = []
    for snapshot in sorted(ours, key=lambda s: s["SnapshotName"]):
        name, status = snapshot["SnapshotName"], snapshot.get("SnapshotStatus")
        if status != "available":
            continue
        if name in copied:
            steps.append(("delete", name))
        elif name not in exported:
            steps.append(("export", name))
    on_its_way = [s for s in ours if s.get("SnapshotStatus") in IN_PROGRESS]
    points = [recovery_point(name) for name in copied | exported | {s["SnapshotName"] for s in ours}]
    newest = max([p for p in points if p is not None], default=None)
    due = newest is None or (now - newest).total_seconds() >= (1 if copy_now else interval_seconds)
    if not on_its_way and due:
        steps.append(("snapshot", snapshot_name(group_id, now)))
    return steps
