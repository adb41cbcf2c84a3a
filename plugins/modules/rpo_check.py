#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rpo_check
version_added: 1.0.0
short_description: Measure the current recovery point of each data store against its RPO target
description:
  - Measures, for one environment, how much data each data store would lose if it had to be recovered now,
    and compares each figure with its target (default the seed's RPO, one hour).
  - Aurora Global Database - C(AuroraGlobalDBRPOLag) and C(AuroraGlobalDBReplicationLag) of every secondary,
    read in the secondary's region.
  - AWS Backup - age of the newest completed recovery point of each protected resource in the vault, and of its
    newest copy in the DR region's vault.
  - S3 replication - C(ReplicationLatency) of the replication rule, and C(OperationsFailedReplication) (target 0);
    C(OperationsPendingReplication) is reported for information.
  - ElastiCache Redis - age of the newest available snapshot of the replication group.
  - A figure that cannot be measured (no datapoint, no recovery point, no snapshot) is a finding, never a pass.
  - CloudWatch is read with one C(GetMetricData) call per region, whatever the number of metrics (more only when
    its data points fill more than one page).
  - Every list is read to its last page, with the token its service pages with (C(Marker) for ElastiCache).
  - Reads only; never changes anything, so check mode runs the same measurements.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  environment:
    description: Name of the environment, repeated in the result for reports.
    type: str
  target_seconds:
    description: Default RPO target of every data store, in seconds.
    type: float
    default: 3600
  aurora_global:
    description: The Aurora global database.
    type: dict
    suboptions:
      global_cluster_identifier:
        description: Identifier of the global database.
        type: str
        required: true
      target_seconds:
        description: RPO target of the global database (default O(target_seconds)).
        type: float
  backup:
    description: AWS Backup recovery points of protected resources.
    type: dict
    suboptions:
      vault_name:
        description: Backup vault in the module's region.
        type: str
        required: true
      resource_arns:
        description: ARNs of the protected resources (the Aurora cluster, ...).
        type: list
        elements: str
        required: true
      dr_vault_name:
        description: Vault in O(backup.dr_region) that receives the copies; omit to skip the copy check.
        type: str
      dr_region:
        description: Region of O(backup.dr_vault_name).
        type: str
      target_seconds:
        description: RPO target of the backups (default O(target_seconds)).
        type: float
  s3_replication:
    description: Cross-region replication of the artifacts bucket.
    type: dict
    suboptions:
      bucket:
        description: Source bucket (in the module's region).
        type: str
        required: true
      destination_bucket:
        description: Destination bucket name.
        type: str
        required: true
      rule_id:
        description: Replication rule ID (its metrics are published per rule).
        type: str
        required: true
      target_seconds:
        description: Highest acceptable replication latency (default O(target_seconds)).
        type: float
  redis:
    description: ElastiCache Redis snapshots.
    type: dict
    suboptions:
      replication_group_id:
        description: Replication group in the module's region.
        type: str
        required: true
      target_seconds:
        description: Highest acceptable snapshot age (default O(target_seconds)).
        type: float
  enforce:
    description: Fail when the verdict is C(fail) (a target missed or a figure missing).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Measure the recovery point of every data store before a drill
  ai_model_registry.infra.rpo_check:
    region: us-west-2
    environment: production
    aurora_global:
      global_cluster_identifier: ai-model-registry-aurora-cluster-global
    backup:
      vault_name: ai-model-registry-production-vault
      resource_arns: ["{{ aurora_outputs.ClusterArn }}"]
      dr_vault_name: ai-model-registry-production-dr-vault
      dr_region: us-east-1
    s3_replication:
      bucket: ai-model-registry-artifacts
      destination_bucket: ai-model-registry-artifacts-replica
      rule_id: artifacts-to-dr-region
    redis:
      replication_group_id: ai-model-registry-redis
      target_seconds: 86400  # a cache: daily snapshots
    enforce: true
  register: rpo
"""

RETURN = r"""
environment:
  description: The environment measured.
  returned: always
  type: str
measured_at:
  description: When the measurement was made (ISO 8601).
  returned: always
  type: str
measurements:
  description: Every figure, with its source, time, target and verdict.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Unique name of the figure, C(<store>:<resource>:<what>).
      type: str
      sample: "aurora_global:ai-model-registry-aurora-cluster-dr:rpo_lag"
    store:
      description: C(aurora_global), C(backup), C(backup_copy), C(s3_replication) or C(redis).
      type: str
    metric:
      description: What was measured (a CloudWatch metric, or the age of a recovery point or snapshot).
      type: str
    value:
      description: The figure; null when it could not be measured.
      type: float
    unit:
      description: C(seconds) or C(count).
      type: str
    measured_at:
      description: Time of the datapoint, recovery point or snapshot the figure comes from (ISO 8601).
      type: str
    source:
      description: Where the figure comes from (API, region, names).
      type: str
    target:
      description: The target the figure is compared with; null for information only.
      type: float
    status:
      description: C(ok), C(breach), C(missing) or C(info).
      type: str
    detail:
      description: What a person needs to know about this figure.
      type: str
breaches:
  description: The measurements whose status is C(breach) or C(missing).
  returned: always
  type: list
  elements: dict
verdict:
  description: C(pass) when every figure was measured and within its target, else C(fail).
  returned: always
  type: str
worst_rpo_seconds:
  description: The largest figure in seconds that has a target (the recovery point the environment would have).
  returned: always
  type: float
api_calls:
  description: The AWS API actions made, in order (C(service.Action)); a list read over several pages has one a page.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client, rpo
from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


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
        group, region, target = section["replication_group_id"], self.module.region, self.target("redis")
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
            "api_calls": self.api_calls,
        }
        result.update(rpo.verdict(self.measurements))
        if self.params["enforce"] and result["verdict"] == "fail":
            names = ", ".join("%s (%s)" % (b["name"], b["status"]) for b in result["breaches"]) or "nothing measured"
            self.module.fail_json(msg="RPO check failed: %s" % names, **result)
        self.module.exit_json(**result)


def main():
    target = dict(type="float")
    argument_spec = dict(
        environment=dict(type="str"),
        target_seconds=dict(type="float", default=float(rpo.SEED_RPO_SECONDS)),
        aurora_global=dict(
            type="dict", options=dict(global_cluster_identifier=dict(type="str", required=True), target_seconds=target)
        ),
        backup=dict(
            type="dict",
            options=dict(
                vault_name=dict(type="str", required=True),
                resource_arns=dict(type="list", elements="str", required=True),
                dr_vault_name=dict(type="str"),
                dr_region=dict(type="str"),
                target_seconds=target,
            ),
        ),
        s3_replication=dict(
            type="dict",
            options=dict(
                bucket=dict(type="str", required=True),
                destination_bucket=dict(type="str", required=True),
                rule_id=dict(type="str", required=True),
                target_seconds=target,
            ),
        ),
        redis=dict(
            type="dict", options=dict(replication_group_id=dict(type="str", required=True), target_seconds=target)
        ),
        enforce=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_one_of=[["aurora_global", "backup", "s3_replication", "redis"]],
        supports_check_mode=True,
    )
    if module.params["target_seconds"] <= 0:
        module.fail_json(msg="target_seconds must be above 0", api_calls=[])
    Checker(module).run()


if __name__ == "__main__":
    main()
