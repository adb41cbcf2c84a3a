#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/elasticache_global_datastore_failover.py),
# on the controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: elasticache_global_datastore_failover
version_added: 1.1.0
short_description: Make a replication group the primary of its ElastiCache Global Datastore
description:
  - Promotes a member of an ElastiCache (Redis OSS or Valkey) Global Datastore to its primary with
    C(FailoverGlobalReplicationGroup); the former primary becomes a secondary.
  - The Global Datastore is found from the replication group's own C(GlobalReplicationGroupInfo), so only the
    replication group to promote and its region are needed; every call goes to that region, so a failover
    works while the primary region is down.
  - C(mode=switchover) (planned) is refused while the group's C(GlobalDatastoreReplicationLag) is above
    O(max_lag_seconds) or unknown. C(mode=failover) (the primary region is down) needs O(allow_data_loss=true)
    and reports that lag as the estimated data loss.
  - Idempotent. When the group already is the primary, nothing is called and C(changed) is false; a change of
    the Global Datastore under way is waited out first.
  - Every refusal happens before any change, with a stable RV(reason).
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  replication_group_id:
    description: The replication group to make the primary, in the module's O(region).
    type: str
    required: true
  max_lag_seconds:
    description:
      - Highest C(GlobalDatastoreReplicationLag) of the group (its primary node's, newest datapoint of the last
        10 minutes) at which a switchover starts. A switchover without any datapoint is refused too, after waiting
        for the first one for up to three minutes (and never past O(wait_timeout)) - AWS publishes the lag once a
        minute, and a group that became a secondary moments ago has none yet.
    type: float
    default: 60
  wait:
    description: Wait until the group is the primary and the Global Datastore is available.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait, from the start of the module; on timeout it fails and reports the state reached.
    type: int
    default: 1800
notes:
  - Check mode makes no call that changes anything and, with C(--diff), shows the primary before and after.
  - While waiting the module polls C(DescribeGlobalReplicationGroups) with a jittered backoff of at most 5 seconds.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
  - ai_model_registry.infra.global_switch
"""

EXAMPLES = r"""
- name: Planned switch of the cache tier to the DR region's secondary
  ai_model_registry.infra.elasticache_global_datastore_failover:
    region: us-east-1
    replication_group_id: ai-model-registry-production-redis-dr
    max_lag_seconds: 30
  register: redis_switch

- name: The primary region is down - promote the DR region's secondary, accepting the loss of unreplicated writes
  ai_model_registry.infra.elasticache_global_datastore_failover:
    region: us-east-1
    replication_group_id: ai-model-registry-production-redis-dr
    mode: failover
    allow_data_loss: true

- name: Fail back to the primary region's group
  ai_model_registry.infra.elasticache_global_datastore_failover:
    region: us-west-2
    replication_group_id: ai-model-registry-production-redis
"""

RETURN = r"""
mode:
  description: The operation asked for.
  returned: always
  type: str
  sample: switchover
replication_group_id:
  description: The replication group that is to be the primary.
  returned: always
  type: str
  sample: ai-model-registry-production-redis-dr
region:
  description: Its region, where every call went.
  returned: always
  type: str
  sample: us-east-1
global_replication_group_id:
  description: The Global Datastore, from the group's C(GlobalReplicationGroupInfo).
  returned: when the group is a member of one
  type: str
  sample: sgaui-ai-model-registry-production-redis
previous_primary:
  description: The primary when the module started.
  returned: when the Global Datastore was found
  type: dict
  contains:
    replication_group_id:
      description: Its replication group.
      type: str
    region:
      description: Its region.
      type: str
primary:
  description: The primary as last described (the group itself after a switch, or in check mode the one before).
  returned: when the Global Datastore was found
  type: dict
endpoint:
  description: Where clients of the group connect (its primary endpoint, or its configuration endpoint in cluster mode).
  returned: when the group is, or was made, the primary
  type: dict
  contains:
    address:
      description: Host name.
      type: str
    port:
      description: Port.
      type: int
lag:
  description: The group's C(GlobalDatastoreReplicationLag) read before deciding.
  returned: when a switch was considered
  type: dict
  contains:
    replication_seconds:
      description: Newest datapoint, in seconds (null without one).
      type: float
    measured_at:
      description: Its time.
      type: str
estimated_data_loss_seconds:
  description: For O(mode=failover), the lag at the start (null when unknown).
  returned: always
  type: float
timings:
  description: When the switch was requested and completed, and the seconds in between.
  returned: when a switch was started
  type: dict
reason:
  description: >-
    Why the module failed: C(allow_data_loss_required), C(bad_bound), C(not_found), C(not_a_member), C(busy),
    C(lag_unknown), C(lag_above_bound), C(timeout).
  returned: on failure
  type: str
api_calls:
  description: The AWS API calls made, in order.
  returned: always
  type: list
  elements: str
  sample: [elasticache.DescribeReplicationGroups, elasticache.DescribeGlobalReplicationGroups]
"""
