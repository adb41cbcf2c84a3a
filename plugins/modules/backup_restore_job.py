#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/backup_restore_job.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup_restore_job
version_added: 1.0.0
short_description: Restore an AWS Backup recovery point and wait for the restored resource
description:
  - Starts an AWS Backup restore job (C(StartRestoreJob)) of one recovery point and waits until it ends
    (C(DescribeRestoreJob)), as the monthly restore test needs it. No module of amazon.aws starts restore jobs.
  - The recovery point is given (O(recovery_point_arn)), or the newest completed one of O(resource_arn) in
    O(backup_vault_name).
  - Returns the restored resource's ARN, the restore's duration and the recovery point's age when the restore
    started, the figures of a restore test report.
  - A restore job always creates a new resource, so the module always reports a change. In check mode it finds
    the recovery point and starts nothing.
  - For Aurora, AWS Backup restores the cluster without instances; add one to connect.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  recovery_point_arn:
    description: The recovery point to restore.
    type: str
  resource_arn:
    description: The protected resource whose newest completed recovery point in O(backup_vault_name) is restored.
    type: str
  backup_vault_name:
    description: The vault to look in, with O(resource_arn).
    type: str
  iam_role_arn:
    description: The role AWS Backup restores with (the backup stack's C(BackupRoleArn)).
    type: str
    required: true
  resource_type:
    description: The resource type of the recovery point, as AWS Backup names it.
    type: str
    default: Aurora
  metadata:
    description:
      - Restore metadata of the resource type, for Aurora C(DBClusterIdentifier) (required), C(Engine),
        C(DBSubnetGroupName), C(VpcSecurityGroupIds) (a JSON list), C(DeletionProtection), ...
      - Values are passed as strings; lists and dicts are written as JSON.
    type: dict
    required: true
  wait:
    description: Wait until the restore job ends.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait before failing with reason C(timeout).
    type: int
    default: 7200
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Restore the newest recovery point of the Aurora cluster into a temporary cluster
  ai_model_registry.infra.backup_restore_job:
    region: us-west-2
    resource_arn: arn:aws:rds:us-west-2:123456789012:cluster:ai-model-registry-aurora-cluster
    backup_vault_name: ai-model-registry-backup-vault
    iam_role_arn: arn:aws:iam::123456789012:role/ai-model-registry-backup-role
    metadata:
      DBClusterIdentifier: ai-model-registry-restore-test
      Engine: aurora-postgresql
      DBSubnetGroupName: ai-model-registry-aurora-subnets
      VpcSecurityGroupIds: [sg-0123456789abcdef0]
      DeletionProtection: false
  register: restore
"""

RETURN = r"""
restore_job:
  description: The restore job as C(DescribeRestoreJob) returns it, keys in snake case.
  returned: when a job was started
  type: dict
  sample: {"restore_job_id": "1F2E...", "status": "COMPLETED", "created_resource_arn": "arn:aws:rds:..."}
created_resource_arn:
  description: ARN of the restored resource; empty when the job did not complete.
  returned: always
  type: str
recovery_point:
  description: The restored recovery point, its creation time and age when the restore started.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the recovery point.
      type: str
    creation_date:
      description: When the recovery point was created (ISO 8601).
      type: str
    age_seconds:
      description: Age of the recovery point when the restore was requested.
      type: float
duration_seconds:
  description: Seconds from the restore request to the job's end; null without O(wait).
  returned: always
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
"""
