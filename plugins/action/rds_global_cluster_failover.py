# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.rds_global_cluster_failover: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/rds_global_cluster_failover.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import module_clients
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore, warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

warm("rds", "cloudwatch")

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
        if self.params["describe_writer"]:
            self.result["writer"] = self.describe_writer(self.result.get("new_writer"))
        self.module.exit_json(msg=msg, **self.result)

    def describe_writer(self, arn):
        """The writer cluster as DescribeDBClusters has it in snake case (empty: not in this region, not found)."""
        if not arn or gdb.arn_region(arn) != self.region:
            return {}
        try:
            clusters = self.rds.call("DescribeDBClusters", DBClusterIdentifier=gdb.arn_cluster_id(arn))["DBClusters"]
        except is_boto3_error_code("DBClusterNotFoundFault"):
            return {}
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not describe the writer %s" % arn, **self.result)
        return camel_dict_to_snake_dict(clusters[0]) if clusters else {}

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
        return gdb.poll_until(self.describe, done, on_timeout, self.deadline, self.clock, self.sleep, MAX_POLL_DELAY)

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

        try:
            # the target first: one that is not synchronized publishes no lag, which would only be waited for
            gdb.check_target(cluster, member, self.target_status(target), planned)
            if planned:  # a secondary of moments ago (a switch back) has no lag datapoint yet: wait for its first
                lag = gdb.lag_when_known(lambda: self.lag(target), self.deadline, self.clock, self.sleep)
            else:
                lag = self.lag(target)
            self.result.update(lag=lag, estimated_data_loss_seconds=None)
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


ARGUMENT_SPEC = dict(
    gdb.SWITCH_ARGUMENTS,
    global_cluster_identifier={"type": "str", "required": True},
    target_db_cluster_identifier={"type": "str", "aliases": ["target_cluster"]},
    target_region={"type": "str"},
    settle={"type": "bool", "default": False},
    describe_writer={"type": "bool", "default": False},
)


def main(module):
    # Refusals that need no AWS call come first: nothing is asked, nothing changes.
    refusal = gdb.request_refusal(module.params)
    if refusal:
        module.fail_json(msg=refusal[1], reason=refusal[0], changed=False, api_calls=[])
    if module.params["settle"] and not module.params["wait"]:
        module.fail_json(msg="settle needs wait: true", changed=False, api_calls=[])
    Runner(module).run()


class ActionModule(ControllerModuleAction):
    MODULE = {
        "argument_spec": ARGUMENT_SPEC,
        "mutually_exclusive": [["target_db_cluster_identifier", "target_region"]],
        "required_one_of": [["target_db_cluster_identifier", "target_region"]],
        "supports_check_mode": True,
        "aws": True,
    }
    main = staticmethod(main)
