#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/rpo_check.py), on the
# controller; this file documents it for ansible-doc.

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
  - ElastiCache Redis - age of the newest available snapshot of the replication group (the rebuild path) and, when
    the group is in a Global Datastore, C(GlobalDatastoreReplicationLag) of every secondary, read in its region.
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
    description:
      - ElastiCache Redis snapshots, the lag of its Global Datastore's secondaries, and (O(redis.dr_copies)) the age of
        the DR region's newest copy of Redis.
    type: dict
    suboptions:
      replication_group_id:
        description: Replication group in the module's region.
        type: str
        required: true
      target_seconds:
        description: Highest acceptable snapshot age (default O(target_seconds)).
        type: float
      replication_target_seconds:
        description:
          - Highest acceptable lag of the Global Datastore's secondaries (default O(target_seconds), the module's) -
            what a failover to them would lose now, held apart from the snapshots' age (a cache's are daily).
        type: float
        version_added: 1.1.0
      snapshots:
        description:
          - Measure the age of the group's newest snapshot, and its Global Datastore's lag, in the module's region (the
            group's). V(false) measures only O(redis.dr_copies), from the DR region, as a failover does while the
            primary region may be down.
        type: bool
        default: true
        version_added: 1.1.0
      dr_copies:
        description:
          - "Without a Global Datastore, the bucket of copies of Redis in the DR region (backup-dr-vault.yaml's
            C(RedisCopyBucketName)): the age of its newest copy is what a rebuild there would lose, held to
            O(redis.replication_target_seconds); the copy is returned as RV(redis_dr_copy)."
        type: dict
        version_added: 1.1.0
        suboptions:
          bucket:
            description: The bucket.
            type: str
            required: true
          region:
            description: Its region (the DR region).
            type: str
            required: true
  enforce:
    description: Fail when the verdict is C(fail) (a target missed or a figure missing).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
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
redis_dr_copy:
  description:
    - The DR region's newest copy of Redis, to seed a rebuild from; null without one or without O(redis.dr_copies).
  returned: always
  type: dict
  version_added: 1.1.0
  contains:
    bucket:
      description: Its bucket.
      type: str
    region:
      description: The bucket's region.
      type: str
    key:
      description: Object key of its first shard.
      type: str
      sample: ai-model-registry-staging-redis-dr-copy-20260601120000-0001.rdb
    recovery_point:
      description: When its snapshot was asked for (ISO 8601); its data is at least that new.
      type: str
    snapshot_arns:
      description: Its objects, one per shard, as CreateReplicationGroup's C(SnapshotArns) takes them.
      type: list
      elements: str
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
summary:
  description:
    - 'The verdict for a person, with how many figures failed it and the worst figure measured, for example
      C(fail: 3 of 9 figures missing or over the target (the worst measured 5 s, s3_replication ReplicationLatency)).'
  returned: always
  type: str
  version_added: 1.1.0
findings:
  description:
    - One line per measurement in RV(breaches) - its store, the figure against its target, and its detail (which
      vault, which secondary) - or C(nothing was measured). Empty on a pass. The O(enforce) failure lists them.
  returned: always
  type: list
  elements: str
  version_added: 1.1.0
api_calls:
  description: The AWS API actions made, in order (C(service.Action)); a list read over several pages has one a page.
  returned: always
  type: list
  elements: str
"""
