#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/dr_drill_restore.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dr_drill_restore
version_added: 1.1.0
short_description: Restore an Aurora cluster's newest recovery point into a temporary cluster, ready to connect
description:
  - The restore step of the monthly restore test, in one task. Restores the newest completed AWS Backup recovery
    point of O(source_cluster) in O(backup_vault_name) (C(StartRestoreJob), waiting for the job) or, when the vault
    has none (or none is given), the cluster's newest automated snapshot (C(RestoreDBClusterFromSnapshot)), into the
    new cluster O(cluster); tags it, adds the instance C(<cluster>-1) and waits until the instance is available.
  - The restored cluster has the source's engine and engine version, DB subnet group and VPC security groups, and no
    deletion protection (the drill's cleanup deletes it with M(ai_model_registry.infra.dr_drill_temporary_clusters)).
  - Returns the restored cluster's endpoint and port, and what was restored with its age (the drill's RPO).
  - A restore always creates a cluster, so the module always reports a change. Check mode reads the source and finds
    the recovery point, and creates nothing.
  - Fails with R(reason,return_reason) C(no_recovery_point) when there is nothing to restore; on a failure after
    the restore job started, the result still names the job (RV(restore_job)), for a cleanup to wait for its end.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  source_cluster:
    description: The Aurora cluster whose data is restored (its identifier).
    type: str
    required: true
  cluster:
    description: The identifier of the restored cluster; must not exist yet.
    type: str
    required: true
  backup_vault_name:
    description: The AWS Backup vault whose newest completed recovery point of O(source_cluster) is restored.
    type: str
  iam_role_arn:
    description: The role AWS Backup restores with (the backup stack's C(BackupRoleArn)); with O(backup_vault_name).
    type: str
  instance_class:
    description: The class of the restored cluster's instance, e.g. C(db.r6g.large).
    type: str
    required: true
  tags:
    description: Tags of the restored cluster and its instance (a drill's id and environment, which its cleanup finds).
    type: dict
    default: {}
  wait_timeout:
    description:
      - Seconds from the module's start until the instance is available (the restore job or the cluster, then the
        instance); fails with R(reason,return_reason) C(timeout) after that.
    type: int
    default: 7200
notes:
  - Calls C(DescribeDBClusters), C(ListRecoveryPointsByBackupVault) (every page), C(DescribeDBClusterSnapshots)
    when the vault has no recovery point, C(StartRestoreJob) and C(DescribeRestoreJob) or
    C(RestoreDBClusterFromSnapshot), C(AddTagsToResource) (a restore job takes no tags), C(CreateDBInstance) and
    C(DescribeDBInstances); it polls with a jittered backoff of at most 15 seconds (the job) and 5 seconds (RDS).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Restore the newest recovery point of the Aurora cluster into a temporary cluster
  ai_model_registry.infra.dr_drill_restore:
    region: us-west-2
    source_cluster: ai-model-registry-staging-aurora
    cluster: ai-model-registry-staging-drill-9a6d1b47
    backup_vault_name: ai-model-registry-staging-backup-vault
    iam_role_arn: arn:aws:iam::123456789012:role/ai-model-registry-staging-backup-role
    instance_class: db.r6g.large
    tags: {"ai-model-registry:dr-drill": 9a6d1b47, Environment: staging}
    wait_timeout: 7200
  register: restored
"""

RETURN = r"""
cluster:
  description: The restored cluster.
  returned: always
  type: dict
  contains:
    identifier:
      description: The cluster's identifier (O(cluster)).
      type: str
    instance:
      description: The identifier of its instance.
      type: str
    arn:
      description: The cluster's ARN.
      type: str
      returned: success, not in check mode
    endpoint:
      description: The cluster's writer endpoint.
      type: str
      returned: success, not in check mode
    port:
      description: The port it listens on.
      type: int
      returned: success, not in check mode
  sample: {identifier: ai-model-registry-staging-drill-9a6d1b47, instance: ai-model-registry-staging-drill-9a6d1b47-1,
           endpoint: ai-model-registry-staging-drill-9a6d1b47.cluster-c1a2b3.us-west-2.rds.amazonaws.com, port: 5432}
recovery_point:
  description: What was restored (in check mode, what would be).
  returned: when one was found
  type: dict
  contains:
    source:
      description: C(AWS Backup) or C(automated snapshot).
      type: str
    arn:
      description: The ARN of the recovery point or of the snapshot.
      type: str
    snapshot_identifier:
      description: The snapshot's identifier.
      type: str
      returned: from an automated snapshot
    creation_date:
      description: When it was created (ISO 8601).
      type: str
    age_seconds:
      description: Its age when the module found it, what a restore of it loses.
      type: float
    detail:
      description: The above in one line, as a drill report's step shows it.
      type: str
      sample: AWS Backup arn:aws:backup:us-west-2:1234:recovery-point:1a of 2026-11-30T10:00:00+00:00 (600 s old)
restore_job:
  description: The AWS Backup restore job as C(DescribeRestoreJob) returns it, keys in snake case; empty when a
    snapshot was restored.
  returned: always
  type: dict
  sample: {"restore_job_id": "1F2E...", "status": "COMPLETED", "created_resource_arn": "arn:aws:rds:..."}
duration_seconds:
  description: Seconds from the restore request until the restored cluster was available (before its instance).
  returned: success, not in check mode
  type: float
reason:
  description: Why the module failed (no_recovery_point, restore_failed, timeout), for playbooks to branch on.
  returned: failure
  type: str
api_calls:
  description: The AWS API calls made, in order (C(service.Action)); a list read over several pages has one a page.
  returned: always
  type: list
  elements: str
  sample: [rds.DescribeDBClusters, backup.ListRecoveryPointsByBackupVault, backup.StartRestoreJob,
           backup.DescribeRestoreJob, rds.AddTagsToResource, rds.CreateDBInstance, rds.DescribeDBInstances,
           rds.DescribeDBClusters]
"""
