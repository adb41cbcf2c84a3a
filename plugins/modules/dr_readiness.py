#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/dr_readiness.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dr_readiness
version_added: 1.0.0
short_description: Whether an environment could fail over today - DR-region parity and drills against their cadence
description:
  - Parity of the Aurora global database, as AWS ARC Region switch checks its plans - each secondary cluster against
    the writer - engine version, the cluster parameter group's family and the parameters set in it (each region has
    its own group), encryption with a KMS key, and the classes of its instances (a secondary without instances
    cannot take the writer's load).
  - The drills against their cadence, from the environment's drill history in the artifacts bucket (the
    C(dr_drill) role writes it) - per drill type the last run, its age, and whether this month's, quarter's or year's
    drill is done and passed.
  - Reads only (C(DescribeGlobalClusters), C(DescribeDBClusters), C(DescribeDBInstances),
    C(DescribeDBClusterParameterGroups), C(DescribeDBClusterParameters), C(GetObject)); runs on the
    controller with its AWS credentials. The live RPO of each store is C(ai_model_registry.infra.rpo_check)'s; the
    C(dr_status.yml) playbook runs both.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  region:
    description: A region of the global database (where it is read) and of the artifacts bucket.
    type: str
    required: true
  global_cluster_identifier:
    description: The Aurora global database.
    type: str
    required: true
  environment:
    description: The environment, the key of its drill history.
    type: str
    required: true
  bucket:
    description: The artifacts bucket holding the drill history.
    type: str
    required: true
  history_prefix:
    description: The key prefix of the drill history (the C(dr_drill) role's C(dr_drill_history_prefix)).
    type: str
    default: dr-history
  cadence:
    description: Per drill type, C(every) - C(month), C(quarter) or C(year) (the platform model's C(cadence)).
    type: dict
    required: true
extends_documentation_fragment:
  - ai_model_registry.infra.controller_aws
  - ai_model_registry.infra.read_only
"""

EXAMPLES = r"""
- name: Check DR-region parity and the drills against their cadence
  ai_model_registry.infra.dr_readiness:
    region: us-west-2
    global_cluster_identifier: ai-model-registry-aurora-cluster-global
    environment: production
    bucket: ai-model-registry-artifacts
    cadence: {restore: {every: month}, switchover: {every: quarter}, full: {every: year}}
  register: readiness
"""

RETURN = r"""
ready:
  description: No finding.
  returned: success
  type: bool
findings:
  description: Every finding, parity first, each naming what differs or is missing.
  returned: success
  type: list
  elements: str
parity_findings:
  description: The DR-region parity findings.
  returned: success
  type: list
  elements: str
drill_findings:
  description: The drills not done or not passed this period.
  returned: success
  type: list
  elements: str
clusters:
  description: Each member cluster (the writer first) - C(cluster), C(region), C(arn), C(writer), C(engine_version),
    C(parameter_group), C(parameter_family), C(parameters), C(encrypted), C(kms_key), C(instance_classes).
  returned: success
  type: list
  elements: dict
summary:
  description: Lines for a person - each drill type's verdict for this period and its last run, and the parity.
  returned: success
  type: list
  elements: str
writer_arn:
  description: The writer cluster's ARN.
  returned: success
  type: str
drills:
  description: Per drill type - C(every), C(runs), C(last) (its history record), C(last_age_days), C(done), C(passed).
  returned: success
  type: dict
api_calls:
  description: The AWS API calls made, in order, as C(service.Action).
  returned: always
  type: list
  elements: str
"""
