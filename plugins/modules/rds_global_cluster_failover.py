#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/rds_global_cluster_failover.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_global_cluster_failover
version_added: 1.0.0
short_description: Switch over or fail over an Aurora global database to a secondary cluster
description:
  - Makes a secondary cluster of an Aurora global database its writer.
  - C(mode=switchover) is the planned operation (SwitchoverGlobalCluster), without data loss; it is refused
    while the secondary is not synchronized or its replication lag is above O(max_lag_seconds).
  - C(mode=failover) is the unplanned operation for an outage of the primary region (FailoverGlobalCluster
    with C(AllowDataLoss)); it needs O(allow_data_loss=true), and reports the lag at the start as the
    estimated data loss.
  - All calls go to the target's region, so a failover works while the primary region is down.
  - Idempotent. When the target is already the writer and the global cluster is available, nothing is
    called and C(changed) is false; when a switchover or failover to the target is already under way,
    the module waits for it instead of starting another one.
  - Every refusal happens before any change, with a stable RV(reason).
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  global_cluster_identifier:
    description: Identifier of the global database.
    type: str
    required: true
  target_db_cluster_identifier:
    description:
      - The secondary cluster to promote, as an ARN or an identifier.
      - Exactly one of O(target_db_cluster_identifier) and O(target_region) is required.
    type: str
    aliases: [target_cluster]
  target_region:
    description: The region whose member of the global database is to be promoted.
    type: str
  max_lag_seconds:
    description:
      - Highest replication lag (the newer of C(AuroraGlobalDBReplicationLag) and C(AuroraGlobalDBRPOLag) in
        the last 10 minutes, in the target's region) at which a switchover starts.
      - A switchover without any lag datapoint is refused too, after waiting for the first one for up to three
        minutes (and never past O(wait_timeout)) - AWS publishes the lag once a minute, and a cluster that became a
        secondary moments ago (a switch back right after a switch) has none yet.
    type: float
    default: 60
  wait:
    description: Wait until the target is the writer and the global database is available.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait, from the start of the module to its end (the waits of O(settle) included); on timeout
        the module fails and reports the state reached.
    type: int
    default: 1800
  settle:
    description:
      - Also wait until the global database has settled - available, no switchover or failover under way, and
        every secondary C(connected) - before deciding and again once the target is the writer.
      - Before deciding, a switchover or failover to another target is waited out (instead of refused as
        C(busy)), and so is a secondary still being rebuilt after a failover (a switchover needs it connected).
      - Afterwards, the module returns only once every secondary is connected again (after a failover, the old
        primary rebuilt as a secondary of the new writer), also when the target was already the writer.
      - Needs O(wait). Check mode does not wait.
    type: bool
    default: false
  describe_writer:
    description:
      - Also describe the writer cluster the module returns with (C(DescribeDBClusters) in the target's region;
        in check mode the cluster that would be the writer) as RV(writer), for the endpoints a caller repoints
        its application to - one call more, instead of a task of its own.
    type: bool
    default: false
    version_added: 1.1.0
notes:
  - Check mode makes no call that changes anything and, with C(--diff), shows the writer before and after.
  - While waiting the module polls C(DescribeGlobalClusters) with a jittered backoff of at most 5 seconds.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
  - ai_model_registry.infra.global_switch
"""

EXAMPLES = r"""
- name: Planned switchover to the DR region (quarterly test, regional rotation)
  ai_model_registry.infra.rds_global_cluster_failover:
    global_cluster_identifier: ai-model-registry-aurora-cluster-global
    target_region: us-east-1
    max_lag_seconds: 30
  register: switchover

- name: The primary region is down - fail over, accepting the loss of unreplicated writes
  ai_model_registry.infra.rds_global_cluster_failover:
    global_cluster_identifier: ai-model-registry-aurora-cluster-global
    target_db_cluster_identifier: arn:aws:rds:us-east-1:123456789012:cluster:ai-model-registry-aurora-cluster-dr
    mode: failover
    allow_data_loss: true
  register: failover

- name: Fail back once the old primary is synchronized again
  ai_model_registry.infra.rds_global_cluster_failover:
    global_cluster_identifier: ai-model-registry-aurora-cluster-global
    target_region: us-west-2

- name: After a failover - wait until the old primary is rebuilt as a connected secondary (no switch)
  ai_model_registry.infra.rds_global_cluster_failover:
    global_cluster_identifier: ai-model-registry-aurora-cluster-global
    target_region: us-east-1
    settle: true
    wait_timeout: 3600

- name: Whatever a failed run left under way - let it finish, then put the writer back and wait for the rebuild
  ai_model_registry.infra.rds_global_cluster_failover:
    global_cluster_identifier: ai-model-registry-aurora-cluster-global
    target_region: us-west-2
    settle: true
"""

RETURN = r"""
mode:
  description: The operation asked for.
  returned: always
  type: str
  sample: switchover
global_cluster_identifier:
  description: The global database.
  returned: always
  type: str
  sample: ai-model-registry-aurora-cluster-global
target_db_cluster_arn:
  description: ARN of the cluster that is to be the writer.
  returned: when the target was found
  type: str
  sample: arn:aws:rds:us-east-1:123456789012:cluster:ai-model-registry-aurora-cluster-dr
previous_writer:
  description: ARN of the writer when the module started.
  returned: when the global database was found
  type: str
new_writer:
  description: ARN of the writer when the module returned (in check mode, the writer it would be).
  returned: when the global database was found
  type: str
writer:
  description:
    - The cluster RV(new_writer) names, as C(DescribeDBClusters) returns it in snake case (as
      amazon.aws.rds_cluster_info's C(clusters) items; e.g. C(endpoint), C(reader_endpoint), C(port), C(status),
      C(db_cluster_arn)).
    - Empty when the writer is not in the target's region or not found there.
  returned: with O(describe_writer), when the module returns without failing
  type: dict
  sample: {db_cluster_arn: "arn:aws:rds:us-east-1:123456789012:cluster:ai-model-registry-aurora-cluster-dr",
           endpoint: ai-model-registry-aurora-cluster-dr.cluster-c1a2b3.us-east-1.rds.amazonaws.com,
           reader_endpoint: ai-model-registry-aurora-cluster-dr.cluster-ro-c1a2b3.us-east-1.rds.amazonaws.com,
           port: 5432, status: available}
members:
  description: Members of the global database when the module returned.
  returned: when the global database was found
  type: list
  elements: dict
  contains:
    db_cluster_arn:
      description: ARN of the member cluster.
      type: str
    region:
      description: Region of the member cluster.
      type: str
    is_writer:
      description: Whether the member is the writer.
      type: bool
    synchronization_status:
      description: C(connected) or C(pending-resync) for a secondary, null for the writer.
      type: str
lag:
  description: Replication lag of the target at the start, from CloudWatch in the target's region.
  returned: when the target was checked
  type: dict
  contains:
    replication_seconds:
      description: Newest C(AuroraGlobalDBReplicationLag), in seconds; null without datapoint.
      type: float
    rpo_seconds:
      description: Newest C(AuroraGlobalDBRPOLag), in seconds; null without datapoint.
      type: float
    measured_at:
      description: Time of the newest datapoint (ISO 8601).
      type: str
estimated_data_loss_seconds:
  description: For a failover, the lag at the start (the writes that may be lost); null for a switchover.
  returned: when the target was checked
  type: float
timings:
  description: When the operation was requested and completed, and the seconds between.
  returned: when a switchover or failover was requested or awaited
  type: dict
  contains:
    requested_at:
      description: ISO 8601 time of the request (or of the start of the wait for one already running).
      type: str
    completed_at:
      description: ISO 8601 time at which the target was seen as the writer; null without O(wait).
      type: str
    seconds:
      description: Seconds from request to completion; null without O(wait).
      type: float
settled_seconds:
  description:
    - With O(settle), the seconds the module waited for the global database to settle, before and after the switch
      (0 when it had settled already); null without O(settle) or in check mode.
  returned: when the global database was found
  type: float
  sample: 12.4
api_calls:
  description: The AWS API actions the module made, in order (C(service.Action)).
  returned: always
  type: list
  elements: str
  sample: [rds.DescribeGlobalClusters, rds.DescribeDBClusters, cloudwatch.GetMetricData, rds.SwitchoverGlobalCluster]
reason:
  description:
    - Why the module refused or failed, as a keyword - C(global_cluster_not_found), C(not_a_member),
      C(ambiguous_target), C(global_cluster_not_available), C(busy), C(target_not_healthy), C(lag_unknown),
      C(lag_above_bound), C(allow_data_loss_required), C(timeout), C(not_settled) (O(settle) timed out).
  returned: on failure
  type: str
global_cluster:
  description: The global database as DescribeGlobalClusters returned it last, in snake case.
  returned: when the global database was found
  type: dict
"""
