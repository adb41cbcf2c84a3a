#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/redis_primary.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: redis_primary
version_added: 1.1.0
short_description: Where the clients of a Redis replication group write - its Global Datastore's primary, or its rebuild
description:
  - Reads a replication group (C(DescribeReplicationGroups)) and, when it is a member of an ElastiCache Global
    Datastore, the Global Datastore (C(DescribeGlobalReplicationGroups)) and, when the primary is another group,
    that group in its region. Returns the primary and the endpoint its clients connect to.
  - Without a Global Datastore, the group that C(failover.yml) rebuilt in the DR region from a copy of Redis
    (O(rebuilt)) is where clients write while it exists (until the fail back deletes it).
  - The C(k8s_secrets) and C(dns) roles point redis-credentials and the custom domain's Redis record with it, so a
    run after a failover keeps them on the new primary.
  - Reads only; runs on the controller with its AWS credentials.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  region:
    description: The region of O(replication_group_id), where it is read.
    type: str
    required: true
    aliases: [aws_region]
  replication_group_id:
    description: The caller's replication group (the redis stack's C(ReplicationGroupId)).
    type: str
    required: true
  rebuilt:
    description:
      - Without a Global Datastore, the replication group C(failover.yml) rebuilds in the DR region (the redis role's
        C(rebuild) entry point); read only when O(replication_group_id) is in no Global Datastore.
    type: dict
    version_added: 1.1.0
    suboptions:
      replication_group_id:
        description: Its ID.
        type: str
        required: true
      region:
        description: Its region (the DR region).
        type: str
        required: true
extends_documentation_fragment:
  - ai_model_registry.infra.controller_aws
  - ai_model_registry.infra.read_only
"""

EXAMPLES = r"""
- name: Find where the application's Redis clients write
  ai_model_registry.infra.redis_primary:
    region: us-west-2
    replication_group_id: "{{ redis_outputs.ReplicationGroupId }}"
  register: redis_primary
"""

RETURN = r"""
replication_group_id:
  description:
    - The primary replication group (O(replication_group_id) itself when it is the primary or in no Global Datastore).
  returned: success
  type: str
region:
  description: Its region.
  returned: success
  type: str
endpoint:
  description: Where its clients connect (the primary endpoint, or the configuration endpoint in cluster mode).
  returned: success
  type: dict
  contains:
    address:
      description: Host name.
      type: str
    port:
      description: Port.
      type: int
rebuilt:
  description: Whether the primary is the group rebuilt in the DR region (O(rebuilt)).
  returned: success
  type: bool
  version_added: 1.1.0
global_replication_group_id:
  description: The Global Datastore; none when the group is in none.
  returned: success
  type: str
api_calls:
  description: The AWS API calls made, in order, as C(service.Action).
  returned: always
  type: list
  elements: str
"""
