#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

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
  mode:
    description: C(switchover) (planned, no data loss) or C(failover) (unplanned, may lose data).
    type: str
    choices: [switchover, failover]
    default: switchover
  allow_data_loss:
    description:
      - Must be V(true) for O(mode=failover), to say explicitly that writes not yet replicated are lost.
      - Not allowed with O(mode=switchover).
    type: bool
    default: false
  max_lag_seconds:
    description:
      - Highest replication lag (the newer of C(AuroraGlobalDBReplicationLag) and C(AuroraGlobalDBRPOLag) in
        the last 10 minutes, in the target's region) at which a switchover starts.
      - A switchover without any lag datapoint is refused too.
    type: float
    default: 60
  wait:
    description: Wait until the target is the writer and the global database is available.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait; on timeout the module fails and reports the state reached.
    type: int
    default: 1800
notes:
  - Check mode makes no call that changes anything and, with C(--diff), shows the writer before and after.
  - While waiting the module polls C(DescribeGlobalClusters) with a jittered backoff of at most 5 seconds.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
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
      C(lag_above_bound), C(allow_data_loss_required), C(timeout).
  returned: on failure
  type: str
global_cluster:
  description: The global database as DescribeGlobalClusters returned it last, in snake case.
  returned: when the global database was found
  type: dict
"""

import datetime
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

MAX_POLL_DELAY = 5.0


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


class Runner:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.api_calls = []
        self.result = {
            "changed": False,
            "mode": self.params["mode"],
            "global_cluster_identifier": self.params["global_cluster_identifier"],
            "api_calls": self.api_calls,
        }
        target = self.params["target_db_cluster_identifier"] or ""
        self.region = self.params["target_region"] or gdb.arn_region(target) or module.region
        retry = AWSRetry.jittered_backoff(retries=10, catch_extra_error_codes=["Throttling"])
        self.rds = module.client("rds", region=self.region, retry_decorator=retry)
        self.cloudwatch = module.client("cloudwatch", region=self.region, retry_decorator=retry)

    def call(self, client, service, action, **params):
        self.api_calls.append("%s.%s" % (service, action))
        return getattr(client, botocore.xform_name(action))(aws_retry=True, **params)

    def fail(self, reason, msg, **extra):
        self.result.update(extra)
        self.module.fail_json(msg=msg, reason=reason, **self.result)

    def describe(self):
        try:
            found = self.call(
                self.rds,
                "rds",
                "DescribeGlobalClusters",
                GlobalClusterIdentifier=self.params["global_cluster_identifier"],
            )["GlobalClusters"]
        except is_boto3_error_code("GlobalClusterNotFoundFault"):
            found = []
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not describe the global database", **self.result)
        if not found:
            self.fail(
                "global_cluster_not_found",
                "global database %s not found (asked in %s)" % (self.params["global_cluster_identifier"], self.region),
            )
        cluster = found[0]
        self.result.update(
            global_cluster=camel_dict_to_snake_dict(cluster),
            members=gdb.members(cluster),
            new_writer=gdb.writer_arn(cluster),
        )
        return cluster

    def target_status(self, arn):
        try:
            clusters = self.call(self.rds, "rds", "DescribeDBClusters", DBClusterIdentifier=gdb.arn_cluster_id(arn))[
                "DBClusters"
            ]
        except is_boto3_error_code("DBClusterNotFoundFault"):
            return "not found in %s" % self.region
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not describe the target cluster", **self.result)
        return clusters[0]["Status"] if clusters else "not found"

    def lag(self, arn):
        start, end = gdb.lag_window()
        try:
            answer = self.call(
                self.cloudwatch,
                "cloudwatch",
                "GetMetricData",
                MetricDataQueries=gdb.lag_queries(gdb.arn_cluster_id(arn)),
                StartTime=start,
                EndTime=end,
                ScanBy="TimestampDescending",
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="Could not read the replication lag from CloudWatch", **self.result)
        return gdb.parse_lag(answer["MetricDataResults"])

    def wait_for(self, target_arn, requested):
        timings = {"requested_at": requested.isoformat(), "completed_at": None, "seconds": None}
        self.result["timings"] = timings
        if not self.params["wait"]:
            return
        deadline = time.time() + self.params["wait_timeout"]
        delays = gdb.backoff_delays(initial=1.0, maximum=MAX_POLL_DELAY)
        while True:
            cluster = self.describe()
            if gdb.transition(cluster, target_arn) == "done":
                completed = _now()
                timings.update(
                    completed_at=completed.isoformat(), seconds=round((completed - requested).total_seconds(), 3)
                )
                return
            remaining = deadline - time.time()
            if remaining <= 0:
                self.fail(
                    "timeout",
                    "%s to %s not finished after %s s: global database %s, writer %s, failover state %s"
                    % (
                        self.params["mode"],
                        target_arn,
                        self.params["wait_timeout"],
                        cluster.get("Status"),
                        gdb.writer_arn(cluster),
                        cluster.get("FailoverState"),
                    ),
                )
            time.sleep(min(next(delays), remaining))

    def run(self):
        params = self.params
        planned = params["mode"] == "switchover"
        cluster = self.describe()
        previous = gdb.writer_arn(cluster)
        self.result["previous_writer"] = previous
        try:
            member = gdb.resolve_target(cluster, params["target_db_cluster_identifier"], params["target_region"])
        except gdb.RefusedError as e:
            self.fail(e.reason, str(e))
        target = member["DBClusterArn"]
        self.result["target_db_cluster_arn"] = target
        state = gdb.transition(cluster, target)
        if state == "done":
            self.module.exit_json(msg="%s is already the writer" % target, **self.result)
        if state == "busy":
            self.fail(
                "busy",
                "another switchover or failover of %s is under way: %s"
                % (params["global_cluster_identifier"], cluster.get("FailoverState")),
            )
        if state == "running":
            # Started earlier (a previous run, the orchestrator Lambda): wait for it, start nothing.
            self.wait_for(target, _now())
            self.module.exit_json(msg="a %s to %s was already under way" % (params["mode"], target), **self.result)

        lag = self.lag(target)
        self.result.update(lag=lag, estimated_data_loss_seconds=None)
        try:
            gdb.check_target(cluster, member, self.target_status(target), planned)
            if planned:
                gdb.check_lag(lag, params["max_lag_seconds"])
        except gdb.RefusedError as e:
            self.fail(e.reason, str(e))
        if not planned:
            known = [v for v in (lag["rpo_seconds"], lag["replication_seconds"]) if v is not None]
            self.result["estimated_data_loss_seconds"] = max(known) if known else None
            if not known:
                self.module.warn("No lag datapoint for %s: the data loss of this failover is unknown" % target)

        self.result["changed"] = True
        if self.module._diff:
            self.result["diff"] = {"before": {"writer": previous}, "after": {"writer": target}}
        if self.module.check_mode:
            self.result["new_writer"] = target
            self.module.exit_json(msg="would %s to %s" % (params["mode"], target), **self.result)

        requested = _now()
        try:
            if planned:
                self.call(
                    self.rds,
                    "rds",
                    "SwitchoverGlobalCluster",
                    GlobalClusterIdentifier=params["global_cluster_identifier"],
                    TargetDbClusterIdentifier=target,
                )
            else:
                self.call(
                    self.rds,
                    "rds",
                    "FailoverGlobalCluster",
                    GlobalClusterIdentifier=params["global_cluster_identifier"],
                    TargetDbClusterIdentifier=target,
                    AllowDataLoss=True,
                )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.result["changed"] = False
            self.module.fail_json_aws(e, msg="%s to %s refused by RDS" % (params["mode"], target), **self.result)
        self.wait_for(target, requested)
        self.module.exit_json(msg="%s to %s done" % (params["mode"], target), **self.result)


def main():
    argument_spec = dict(
        global_cluster_identifier=dict(type="str", required=True),
        target_db_cluster_identifier=dict(type="str", aliases=["target_cluster"]),
        target_region=dict(type="str"),
        mode=dict(type="str", choices=["switchover", "failover"], default="switchover"),
        allow_data_loss=dict(type="bool", default=False),
        max_lag_seconds=dict(type="float", default=60),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[["target_db_cluster_identifier", "target_region"]],
        required_one_of=[["target_db_cluster_identifier", "target_region"]],
        supports_check_mode=True,
    )
    # Refusals that need no AWS call come first: nothing is asked, nothing changes.
    if module.params["mode"] == "failover" and not module.params["allow_data_loss"]:
        module.fail_json(
            msg="a failover can lose the writes not yet replicated: set allow_data_loss: true to confirm, "
            "or use mode: switchover while the primary region is up",
            reason="allow_data_loss_required",
            changed=False,
            api_calls=[],
        )
    if module.params["mode"] == "switchover" and module.params["allow_data_loss"]:
        module.fail_json(
            msg="allow_data_loss applies to mode: failover; a switchover never loses data",
            reason="allow_data_loss_required",
            changed=False,
            api_calls=[],
        )
    if module.params["max_lag_seconds"] < 0 or module.params["wait_timeout"] < 1:
        module.fail_json(msg="max_lag_seconds must be >= 0 and wait_timeout >= 1", changed=False, api_calls=[])
    Runner(module).run()


if __name__ == "__main__":
    main()
