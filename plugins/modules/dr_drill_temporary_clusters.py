#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/dr_drill_temporary_clusters.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dr_drill_temporary_clusters
version_added: 1.1.0
short_description: Delete the Aurora clusters DR drills restored, and their instances
description:
  - Finds, in one region, every Aurora cluster a restore drill made - tagged O(tag_key) by a drill of O(environment)
    (its C(Environment) tag), or named O(name_prefix) followed by 8 hexadecimal digits (a drill interrupted before
    it tagged its cluster) - and deletes it without a final snapshot, its instances first (RDS refuses to delete a
    cluster that still has one).
  - Finds this drill's cluster and those an interrupted drill left; a re-run with nothing left changes nothing.
  - One task for what took a listing, a filter and a delete per instance and per cluster.
  - A cluster found with deletion protection is not a drill's as it was restored (drills restore without it); the
    module refuses before deleting anything, and names it.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  environment:
    description: The environment whose drills' clusters are deleted (the value of their C(Environment) tag).
    type: str
    required: true
  tag_key:
    description: The tag a drill puts on what it creates (its value is the drill id).
    type: str
    required: true
  name_prefix:
    description:
      - The start of a drill's temporary cluster names (C(registry_model)'s C(drill.temporary_cluster_prefix), e.g.
        C(ai-model-registry-staging-drill-)); must not be empty.
    type: str
    required: true
  restore_job_id:
    description:
      - An AWS Backup restore job whose end is waited for first (any end, C(COMPLETED), C(FAILED) or C(ABORTED)), as
        the cluster it restores appears only then. A drill that timed out while its restore job ran passes it here.
    type: str
  wait_timeout:
    description:
      - Seconds to wait for the restore job (O(restore_job_id)), then for the instances and then the clusters to be
        gone (RDS refuses to delete a cluster while it has an instance), from the start of the module to its end; on
        timeout it fails naming what is left.
    type: int
    default: 1800
notes:
  - Check mode deletes nothing; it reports what would be deleted.
  - Polls C(DescribeRestoreJob) with O(restore_job_id).
  - Reads the clusters with C(DescribeDBClusters) (every page, with their tags), deletes with C(DeleteDBInstance) and
    C(DeleteDBCluster) (C(SkipFinalSnapshot)), and polls C(DescribeDBInstances) and C(DescribeDBClusters) with a
    jittered backoff of at most 5 seconds while waiting.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Delete the restored clusters of drills in the primary region (this drill's, and an interrupted one's)
  ai_model_registry.infra.dr_drill_temporary_clusters:
    region: us-west-2
    environment: staging
    tag_key: ai-model-registry:dr-drill
    name_prefix: ai-model-registry-staging-drill-
  register: removed
"""

RETURN = r"""
removed:
  description: The clusters found (deleted, or in check mode to be deleted), each with its instances.
  returned: always
  type: list
  elements: dict
  contains:
    cluster:
      description: The cluster's identifier.
      type: str
    instances:
      description: The identifiers of its instances.
      type: list
      elements: str
  sample: [{cluster: ai-model-registry-staging-drill-9a6d1b47, instances: [ai-model-registry-staging-drill-9a6d1b47-1]}]
api_calls:
  description: The AWS API calls the module made, in order, as C(service.Action).
  returned: always
  type: list
  elements: str
  sample: [rds.DescribeDBClusters, rds.DeleteDBInstance, rds.DescribeDBInstances, rds.DeleteDBCluster,
           rds.DescribeDBClusters]
"""
