# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.rpo_check: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/rpo_check.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client, redis_dr_copies, rpo
from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_datastore as gds
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore, warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

warm("rds", "backup", "cloudwatch", "elasticache", "s3")


class Checker:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.clients = aws_client.module_clients(module)
        self.api_calls = self.clients.api_calls
        self.now = rpo.now_utc()
        self.measurements = []
        self.batch = rpo.MetricBatch()
        self.pending = []  # (query id, name, store, metric, unit, target, detail, informational)
        self.dr_copy = None  # the DR region's newest copy of Redis, when asked for

    def target(self, section):
        own = (self.params[section] or {}).get("target_seconds")
        return own if own is not None else self.params["target_seconds"]

    def fail(self, e, what):
        self.module.fail_json_aws(e, msg="Could not read %s" % what, api_calls=self.api_calls)

    # --- the data stores ---

    def aurora_global(self, section):
        name = section["global_cluster_identifier"]
        target = self.target("aurora_global")
        try:
            found = self.clients("rds", self.module.region).call("DescribeGlobalClusters", GlobalClusterIdentifier=name)
            secondaries = [m for m in found["GlobalClusters"][0].get("GlobalClusterMembers", []) if not m["IsWriter"]]
        except is_boto3_error_code("GlobalClusterNotFoundFault"):
            secondaries = None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, "global database %s" % name)
        if not secondaries:
            self.measurements.append(
                rpo.measurement(
                    "aurora_global:%s:rpo_lag" % name,
                    "aurora_global",
                    "AuroraGlobalDBRPOLag",
                    None,
                    "seconds",
                    "rds DescribeGlobalClusters",
                    target,
                    detail="global database not found" if secondaries is None else "no secondary cluster",
                )
            )
            return
        for member in secondaries:
            region, cluster = gdb.arn_region(member["DBClusterArn"]), gdb.arn_cluster_id(member["DBClusterArn"])
            sync = member.get("SynchronizationStatus", "connected")
            for what, metric in (
                ("rpo_lag", "AuroraGlobalDBRPOLag"),
                ("replication_lag", "AuroraGlobalDBReplicationLag"),
            ):
                query = self.batch.add(region, "AWS/RDS", metric, [("DBClusterIdentifier", cluster)], "Maximum", 0.001)
                self.pending.append(
                    (
                        query,
                        "aurora_global:%s:%s" % (cluster, what),
                        "aurora_global",
                        metric,
                        "seconds",
                        target,
                        "secondary %s (%s)" % (cluster, sync),
                        False,
                    )
                )

    def s3_replication(self, section):
        region, target = self.module.region, self.target("s3_replication")
        dims = [
            ("SourceBucket", section["bucket"]),
            ("DestinationBucket", section["destination_bucket"]),
            ("RuleId", section["rule_id"]),
        ]
        base = "s3_replication:%s" % section["bucket"]
        for what, metric, stat, unit, goal, info in (
            ("latency", "ReplicationLatency", "Maximum", "seconds", target, False),
            ("failed_operations", "OperationsFailedReplication", "Sum", "count", 0, False),
            ("pending_operations", "OperationsPendingReplication", "Maximum", "count", None, True),
        ):
            query = self.batch.add(region, "AWS/S3", metric, dims, stat)
            detail = "to %s, rule %s" % (section["destination_bucket"], section["rule_id"])
            self.pending.append((query, "%s:%s" % (base, what), "s3_replication", metric, unit, goal, detail, info))

    def backup(self, section):
        target = self.target("backup")
        places = [("backup", self.module.region, section["vault_name"])]
        if section.get("dr_vault_name"):
            places.append(("backup_copy", section.get("dr_region") or self.module.region, section["dr_vault_name"]))
        for resource in section["resource_arns"]:
            for store, region, vault in places:
                try:
                    points = self.clients("backup", region).paginate(
                        "ListRecoveryPointsByBackupVault", BackupVaultName=vault, ByResourceArn=resource
                    )
                    detail = "vault %s" % vault
                except is_boto3_error_code("ResourceNotFoundException"):
                    points, detail = [], "vault %s not found" % vault
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                    self.fail(e, "recovery points in %s" % vault)
                newest = rpo.newest_recovery_point(points)
                self.measurements.append(
                    rpo.measurement(
                        "%s:%s" % (store, resource),
                        store,
                        "age of the newest completed recovery point",
                        rpo.age_seconds(newest["CreationDate"], self.now) if newest else None,
                        "seconds",
                        "backup ListRecoveryPointsByBackupVault %s %s" % (region, vault),
                        target,
                        measured_at=rpo.aware(newest["CreationDate"]) if newest else None,
                        detail=("%s, %s" % (detail, newest["RecoveryPointArn"]))
                        if newest
                        else detail + ", no completed recovery point",
                    )
                )

    def redis(self, section):
        group = section["replication_group_id"]
        # a Global Datastore's lag, or the age of the DR region's newest copy, is what moving Redis loses now: held to
        # its own target (the module's by default), not to the snapshots' (a cache's are daily)
        dr_target = section.get("replication_target_seconds")
        dr_target = self.params["target_seconds"] if dr_target is None else dr_target
        if section.get("dr_copies"):
            self.redis_dr_copies(group, section["dr_copies"], dr_target)
        if section.get("snapshots", True) and self.redis_snapshots(group):
            self.redis_global_datastore(group, self.module.region, dr_target)

    def redis_snapshots(self, group):
        """The age of the group's newest snapshot; whether the group was found."""
        region, target = self.module.region, self.target("redis")
        try:
            # DescribeSnapshots pages with Marker (at most 50 a page): the paginator follows it to the last page.
            snapshots = self.clients("elasticache", region).paginate("DescribeSnapshots", ReplicationGroupId=group)
            detail = ""
        except is_boto3_error_code(["SnapshotNotFoundFault", "ReplicationGroupNotFoundFault"]):
            snapshots, detail = [], "replication group not found"
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, "snapshots of %s" % group)
        newest = rpo.newest_snapshot_time(snapshots)
        self.measurements.append(
            rpo.measurement(
                "redis:%s:snapshot" % group,
                "redis",
                "age of the newest snapshot",
                rpo.age_seconds(newest, self.now) if newest else None,
                "seconds",
                "elasticache DescribeSnapshots %s" % region,
                target,
                measured_at=newest,
                detail=detail or ("%d snapshot(s)" % len(snapshots) if snapshots else "no snapshot"),
            )
        )
        return not detail

    def redis_dr_copies(self, group, copies, target):
        """Without a Global Datastore, the recovery point of a rebuild in the DR region: the age of the newest copy of
        Redis in its bucket (backup-policy.yaml's copy function); the copy itself is returned as ``redis_dr_copy``."""
        bucket, region = copies["bucket"], copies["region"]
        try:
            pages = self.clients("s3", region).paginate(
                "ListObjectsV2", key="Contents", Bucket=bucket, Prefix=redis_dr_copies.prefix(group)
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "the copies of Redis in s3://%s" % bucket)
        keys = [item["Key"] for item in pages]
        self.dr_copy = redis_dr_copies.newest_copy_record(keys, bucket, region)
        key, when = redis_dr_copies.newest_copy(keys)
        self.measurements.append(
            rpo.measurement(
                "redis:%s:dr_copy" % group,
                "redis",
                "age of the DR region's newest copy",
                rpo.age_seconds(when, self.now) if when else None,
                "seconds",
                "s3 ListObjectsV2 %s s3://%s" % (region, bucket),
                target,
                measured_at=when,
                detail=("copy %s" % key) if key else "no copy of %s in the DR region" % group,
            )
        )

    def redis_global_datastore(self, group, region, target):
        """With a Global Datastore, the recovery point of its DR copies: each secondary's GlobalDatastoreReplicationLag
        (what a failover to it would lose), read with the other metrics of its region."""
        try:
            found = self.clients("elasticache", region).call("DescribeReplicationGroups", ReplicationGroupId=group)
            global_id = (found["ReplicationGroups"][0].get("GlobalReplicationGroupInfo") or {}).get(
                "GlobalReplicationGroupId"
            )
            if not global_id:
                return
            members = (
                self.clients("elasticache", region)
                .call("DescribeGlobalReplicationGroups", GlobalReplicationGroupId=global_id, ShowMemberInfo=True)[
                    "GlobalReplicationGroups"
                ][0]
                .get("Members")
                or []
            )
            for member in members:
                if member.get("Role") != "SECONDARY":
                    continue
                other, other_region = member["ReplicationGroupId"], member["ReplicationGroupRegion"]
                described = self.clients("elasticache", other_region).call(
                    "DescribeReplicationGroups", ReplicationGroupId=other
                )["ReplicationGroups"][0]
                node = gds.primary_node(described)
                if node is None:  # no node yet (being created): no lag to read
                    continue
                query = self.batch.add(
                    other_region, "AWS/ElastiCache", gds.LAG_METRIC, [("CacheClusterId", node)], "Maximum"
                )
                detail = "Global Datastore %s, secondary %s in %s" % (global_id, other, other_region)
                self.pending.append(
                    (
                        query,
                        "redis:%s:replication_lag" % other,
                        "redis",
                        gds.LAG_METRIC,
                        "seconds",
                        target,
                        detail,
                        False,
                    )
                )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "the Global Datastore of %s" % group)

    def read_metrics(self):
        start, end = self.now - rpo.datetime.timedelta(minutes=15), self.now + rpo.datetime.timedelta(minutes=1)
        newest = {}
        for region, queries in sorted(self.batch.queries.items()):
            try:
                results = self.clients("cloudwatch", region).paginate(
                    "GetMetricData",
                    key="MetricDataResults",
                    MetricDataQueries=queries,
                    StartTime=start,
                    EndTime=end,
                    ScanBy="TimestampDescending",
                )
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                self.fail(e, "CloudWatch metrics in %s" % region)
            newest.update(self.batch.newest(results))
        for entry in self.pending:
            query, name, store, metric, unit, target, detail, informational = entry
            value, when = newest.get(query, (None, None))
            scale = self.batch.specs[query][5]
            self.measurements.append(
                rpo.measurement(
                    name,
                    store,
                    metric,
                    None if value is None else round(value * scale, 3),
                    unit,
                    self.batch.source(query),
                    target,
                    measured_at=when,
                    detail=detail if value is not None else detail + ", no datapoint in the last 15 minutes",
                    informational=informational,
                )
            )

    def run(self):
        for section in ("aurora_global", "backup", "s3_replication", "redis"):
            if self.params[section]:
                getattr(self, section)(self.params[section])
        self.read_metrics()
        order = {"aurora_global": 0, "backup": 1, "backup_copy": 2, "s3_replication": 3, "redis": 4}
        self.measurements.sort(key=lambda m: (order[m["store"]], m["name"]))
        result = {
            "changed": False,
            "environment": self.params["environment"],
            "measured_at": self.now.isoformat(),
            "measurements": self.measurements,
            "redis_dr_copy": self.dr_copy,
            "api_calls": self.api_calls,
        }
        result.update(rpo.verdict(self.measurements))
        if self.params["enforce"] and result["verdict"] == "fail":
            self.module.fail_json(msg="RPO check failed: %s" % "; ".join(result["findings"]), **result)
        self.module.exit_json(**result)


TARGET = {"type": "float"}
ARGUMENT_SPEC = {
    "environment": {"type": "str"},
    "target_seconds": {"type": "float", "default": float(rpo.SEED_RPO_SECONDS)},
    "aurora_global": {
        "type": "dict",
        "options": {"global_cluster_identifier": {"type": "str", "required": True}, "target_seconds": TARGET},
    },
    "backup": {
        "type": "dict",
        "options": {
            "vault_name": {"type": "str", "required": True},
            "resource_arns": {"type": "list", "elements": "str", "required": True},
            "dr_vault_name": {"type": "str"},
            "dr_region": {"type": "str"},
            "target_seconds": TARGET,
        },
    },
    "s3_replication": {
        "type": "dict",
        "options": {
            "bucket": {"type": "str", "required": True},
            "destination_bucket": {"type": "str", "required": True},
            "rule_id": {"type": "str", "required": True},
            "target_seconds": TARGET,
        },
    },
    "redis": {
        "type": "dict",
        "options": {
            "replication_group_id": {"type": "str", "required": True},
            "target_seconds": TARGET,
            "replication_target_seconds": TARGET,
            "snapshots": {"type": "bool", "default": True},
            "dr_copies": {
                "type": "dict",
                "options": {"bucket": {"type": "str", "required": True}, "region": {"type": "str", "required": True}},
            },
        },
    },
    "enforce": {"type": "bool", "default": False},
}


def main(module):
    if module.params["target_seconds"] <= 0:
        module.fail_json(msg="target_seconds must be above 0", api_calls=[])
    Checker(module).run()


class ActionModule(ControllerModuleAction):
    MODULE = {
        "argument_spec": ARGUMENT_SPEC,
        "required_one_of": [["aurora_global", "backup", "s3_replication", "redis"]],
        "supports_check_mode": True,
        "aws": True,
    }
    main = staticmethod(main)
