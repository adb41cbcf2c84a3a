#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/redis_dr_copy.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: redis_dr_copy
version_added: 1.1.0
short_description: Take a copy of Redis now and wait until it is in the DR region
description:
  - Without a Global Datastore, the backup stack copies Redis to the DR region (its C(RedisDRCopyFunctionName), run
    every five minutes - a snapshot, exported to S3 by ElastiCache, replicated by S3). This module asks that function
    for a copy of this moment (the event C(copy_now=true)), runs it again every O(poll_seconds) to take the next
    steps, and returns once the copy is in the DR region's bucket, ready to seed a rebuild from.
  - A switchover and the drills take one before Redis is rebuilt, so the rebuild loses only what is written after it
    (the failover role's C(failover_redis_copy_first)).
  - Check mode invokes nothing.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  function_name:
    description: The copy function (the backup stack's output C(RedisDRCopyFunctionName)), in the module's region.
    type: str
    required: true
  replication_group_id:
    description: The replication group it copies (the redis stack's C(ReplicationGroupId)).
    type: str
    required: true
  bucket:
    description: The DR region's bucket of copies (backup-dr-vault.yaml's C(RedisCopyBucketName)).
    type: str
    required: true
  bucket_region:
    description: Its region (the DR region).
    type: str
    required: true
  timeout_seconds:
    description: How long the copy may take to reach the DR region (a snapshot, its export and S3 replication).
    type: int
    default: 1800
  poll_seconds:
    description: Seconds between two runs of the function while waiting.
    type: float
    default: 5.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Take a copy of Redis now, in the DR region
  ai_model_registry.infra.redis_dr_copy:
    region: us-west-2
    function_name: "{{ backup_outputs.RedisDRCopyFunctionName }}"
    replication_group_id: "{{ redis_outputs.ReplicationGroupId }}"
    bucket: "{{ backup_dr_vault_outputs.RedisCopyBucketName }}"
    bucket_region: us-east-1
  register: fresh
"""

RETURN = r"""
copy:
  description:
    - The copy, with the keys of M(ai_model_registry.infra.rpo_check)'s C(redis_dr_copy) - C(bucket), C(region), C(key),
      C(recovery_point), C(snapshot_arns) - ready for CreateReplicationGroup's C(SnapshotArns); null in check mode.
  returned: success
  type: dict
seconds:
  description: How long it took.
  returned: success
  type: float
invocations:
  description: What each run of the copy function answered (its steps, its newest copy).
  returned: always
  type: list
  elements: dict
api_calls:
  description: The AWS API calls made, in order.
  returned: always
  type: list
  elements: str
"""
