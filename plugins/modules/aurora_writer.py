#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/aurora_writer.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: aurora_writer
version_added: 1.0.0
short_description: Where the writer of an Aurora global database is - the global database and the writer cluster
description:
  - Reads the global database (C(DescribeGlobalClusters)) and, when its writer is not O(own_cluster_arn), the writer
    cluster (C(DescribeDBClusters), in the writer's region). The C(k8s_secrets) and C(dns) roles point the
    application's Secret and the custom domain's records with it (filter
    P(ai_model_registry.infra.postgresql_secret_endpoints#filter)).
  - Reads only; runs on the controller with its AWS credentials.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  region:
    description: A region of the global database, where it is read.
    type: str
    required: true
    aliases: [aws_region]
  global_cluster_identifier:
    description: The Aurora global database.
    type: str
    required: true
  own_cluster_arn:
    description:
      - The caller's own cluster (its stack's C(ClusterArn)), whose endpoints the caller has; the writer cluster is
        described only when it is another.
    type: str
extends_documentation_fragment:
  - ai_model_registry.infra.controller_aws
  - ai_model_registry.infra.read_only
"""

EXAMPLES = r"""
- name: Find the global database's writer
  ai_model_registry.infra.aurora_writer:
    region: us-west-2
    global_cluster_identifier: ai-model-registry-aurora-cluster-global
    own_cluster_arn: "{{ aurora_outputs.ClusterArn }}"
  register: writer
"""

RETURN = r"""
global_cluster:
  description: The global database, in snake case as M(amazon.aws.rds_global_cluster_info) returns each (C(endpoint),
    the global writer endpoint; C(global_cluster_members) with C(db_cluster_arn) and C(is_writer)).
  returned: success
  type: dict
writer_arn:
  description: The ARN of the writer cluster; none while the global database has no writer.
  returned: success
  type: str
writer_cluster:
  description: The writer cluster as M(amazon.aws.rds_cluster_info) returns each, when it is not O(own_cluster_arn).
  returned: success
  type: dict
api_calls:
  description: The AWS API calls made, in order, as C(service.Action).
  returned: always
  type: list
  elements: str
"""
