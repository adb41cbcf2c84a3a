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

import datetime
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import module_clients
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

MAX_POLL_DELAY = 5.0


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def unsettled(global_cluster):
    """Why the global database has not settled yet, or None when it has.

    Settled: available, no switchover or failover under way, and every secondary ``connected`` (after a
    failover Aurora rebuilds the old primary, ``pending-resync`` until then).
    """
    status = global_cluster.get("Status")
    state = (global_cluster.get("FailoverState") or {}).get("Status")
    if status != "available":
        return "global database %s" % status
    if state in ("pending",) + gdb.IN_PROGRESS:
        return "failover state %s" % state
    waiting = [
        "%s %s" % (gdb.arn_cluster_id(m["db_cluster_arn"]), m["synchronization_status"])
        for m in gdb.members(global_cluster)
        if not m["is_writer"] and m["synchronization_status"] != "connected"
    ]
    return ", ".join(waiting) or None


class Runner:
    def __init__(self, module, clock=time.time, sleep=time.sleep):
        self.module = module
        self.params = module.params
        self.clock, self.sleep = clock, sleep
        self.deadline = clock() + self.params["wait_timeout"]
        target = self.params["target_db_cluster_identifier"] or ""
        self.region = self.params["target_region"] or gdb.arn_region(target) or module.region
        # Every call to the target's region, so a failover works while the primary region is down.
        clients = module_clients(module)
        self.rds = clients("rds", self.region)
        self.cloudwatch = clients("cloudwatch", self.region)
        self.settle = self.params["settle"] and not module.check_mode
        self.settled_seconds = 0.0
        self.result = {
            "changed": False,
            "mode": self.params["mode"],
            "global_cluster_identifier": self.params["global_cluster_identifier"],
            "settled_seconds": None,
            "api_calls": clients.api_calls,
        }

    def fail(self, reason, msg, **extra):
        self.result.update(extra)
        self.module.fail_json(msg=msg, reason=reason, **self.result)

    def exit(self, msg):
        if self.settle:
            self.result["settled_seconds"] = round(self.settled_seconds, 3)
        self.module.exit_json(msg=msg, **self.result)

    def describe(self):
        try:
            found = self.rds.call(
                "DescribeGlobalClusters", GlobalClusterIdentifier=self.params["global_cluster_identifier"]
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
            clusters = self.rds.call("DescribeDBClusters", DBClusterIdentifier=gdb.arn_cluster_id(arn))["DBClusters"]
        except is_boto3_error_code("DBClusterNotFoundFault"):
            return "not found in %s" % self.region
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not describe the target cluster", **self.result)
        return clusters[0]["Status"] if clusters else "not found"

    def lag(self, arn):
        start, end = gdb.lag_window()
        try:
            # GetMetricData pages by data points (NextToken): the RPO lag may come a page after the replication lag.
            results = self.cloudwatch.paginate(
                "GetMetricData",
                key="MetricDataResults",
                MetricDataQueries=gdb.lag_queries(gdb.arn_cluster_id(arn)),
                StartTime=start,
                EndTime=end,
                ScanBy="TimestampDescending",
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="Could not read the replication lag from CloudWatch", **self.result)
        return gdb.parse_lag(results)

    def poll(self, done, on_timeout):
        """Describe the global database until ``done(cluster)``; at the deadline ``on_timeout(cluster)``."""
        delays = gdb.backoff_delays(initial=1.0, maximum=MAX_POLL_DELAY)
        while True:
            cluster = self.describe()
            if done(cluster):
                return cluster
            remaining = self.deadline - self.clock()
            if remaining <= 0:
                on_timeout(cluster)
            self.sleep(min(next(delays), remaining))

    def wait_settled(self, cluster):
        """With ``settle``: wait until the global database has settled; the cluster as last described."""
        if not self.settle or unsettled(cluster) is None:
            return cluster
        started = self.clock()

        def timeout(last):
            self.settled_seconds += self.clock() - started
            self.result["settled_seconds"] = round(self.settled_seconds, 3)
            self.fail(
                "not_settled",
                "global database %s not settled after %s s: %s"
                % (self.params["global_cluster_identifier"], self.params["wait_timeout"], unsettled(last)),
            )

        cluster = self.poll(lambda c: unsettled(c) is None, timeout)
        self.settled_seconds += self.clock() - started
        return cluster

    def wait_for(self, target_arn, requested):
        timings = {"requested_at": requested.isoformat(), "completed_at": None, "seconds": None}
        self.result["timings"] = timings
        if not self.params["wait"]:
            return

        def timeout(cluster):
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

        cluster = self.poll(lambda c: gdb.transition(c, target_arn) == "done", timeout)
        completed = _now()
        timings.update(completed_at=completed.isoformat(), seconds=round((completed - requested).total_seconds(), 3))
        self.wait_settled(cluster)

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
        # With settle, whatever runs is waited out first: the decision is taken on a settled global database.
        cluster = self.wait_settled(cluster)
        member = gdb.resolve_target(cluster, target)
        state = gdb.transition(cluster, target)
        if state == "done":
            self.exit("%s is already the writer" % target)
        if state == "busy":
            self.fail(
                "busy",
                "another switchover or failover of %s is under way: %s"
                % (params["global_cluster_identifier"], cluster.get("FailoverState")),
            )
        if state == "running":
            # Started earlier (a previous run, the orchestrator Lambda): wait for it, start nothing.
            self.wait_for(target, _now())
            self.exit("a %s to %s was already under way" % (params["mode"], target))

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
            self.exit("would %s to %s" % (params["mode"], target))

        requested = _now()
        try:
            if planned:
                self.rds.call(
                    "SwitchoverGlobalCluster",
                    GlobalClusterIdentifier=params["global_cluster_identifier"],
                    TargetDbClusterIdentifier=target,
                )
            else:
                self.rds.call(
                    "FailoverGlobalCluster",
                    GlobalClusterIdentifier=params["global_cluster_identifier"],
                    TargetDbClusterIdentifier=target,
                    AllowDataLoss=True,
                )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.result["changed"] = False
            self.module.fail_json_aws(e, msg="%s to %s refused by RDS" % (params["mode"], target), **self.result)
        self.wait_for(target, requested)
        self.exit("%s to %s done" % (params["mode"], target))


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
        settle=dict(type="bool", default=False),
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
    if module.params["settle"] and not module.params["wait"]:
        module.fail_json(msg="settle needs wait: true", changed=False, api_calls=[])
    Runner(module).run()


if __name__ == "__main__":
    main()
