# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.elasticache_global_datastore_failover: the module's logic, run on the
controller (controller_module.py); its documentation is plugins/modules/elasticache_global_datastore_failover.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import module_clients
from ansible_collections.ai_model_registry.infra.plugins.module_utils.global_datastore import (
    LAG_METRIC,
    endpoint,
    lag_query,
    parse_lag,
    primary_member,
    primary_node,
    role_of,
)
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore, warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

warm("elasticache", "cloudwatch")

MAX_POLL_DELAY = 5.0


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


class Runner:
    def __init__(self, module, clock=time.time, sleep=time.sleep):
        self.module = module
        self.params = module.params
        self.clock, self.sleep = clock, sleep
        self.deadline = clock() + self.params["wait_timeout"]
        self.region = module.region
        self.group_id = self.params["replication_group_id"]
        # Every call to the target's region, so a failover works while the primary region is down.
        clients = module_clients(module)
        self.elasticache = clients("elasticache", self.region)
        self.cloudwatch = clients("cloudwatch", self.region)
        self.result = {
            "changed": False,
            "mode": self.params["mode"],
            "replication_group_id": self.group_id,
            "region": self.region,
            "global_replication_group_id": None,
            "previous_primary": None,
            "primary": None,
            "endpoint": None,
            "lag": None,
            "estimated_data_loss_seconds": None,
            "timings": None,
            "api_calls": clients.api_calls,
        }

    def fail(self, reason, msg):
        self.module.fail_json(msg=msg, reason=reason, **self.result)

    def exit(self, msg):
        self.module.exit_json(msg=msg, **self.result)

    def aws_error(self, error, msg):
        self.module.fail_json_aws(error, msg=msg, **self.result)

    def describe_group(self):
        try:
            return self.elasticache.call("DescribeReplicationGroups", ReplicationGroupId=self.group_id)[
                "ReplicationGroups"
            ][0]
        except is_boto3_error_code("ReplicationGroupNotFoundFault"):
            self.fail("not_found", "replication group %s not found in %s" % (self.group_id, self.region))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.aws_error(e, "Could not describe replication group %s" % self.group_id)

    def describe_global(self):
        try:
            found = self.elasticache.call(
                "DescribeGlobalReplicationGroups",
                GlobalReplicationGroupId=self.result["global_replication_group_id"],
                ShowMemberInfo=True,
            )["GlobalReplicationGroups"][0]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.aws_error(e, "Could not describe the Global Datastore")
        primary = primary_member(found) or {}
        self.result["primary"] = {
            "replication_group_id": primary.get("ReplicationGroupId"),
            "region": primary.get("ReplicationGroupRegion"),
        }
        return found

    def is_done(self, found):
        return found.get("Status") == "available" and role_of(found, self.region, self.group_id) == "PRIMARY"

    def poll(self, done, what):
        """Describe the Global Datastore until ``done(found)``; fail at the deadline with the state reached."""

        def timeout(found):
            self.fail(
                "timeout",
                "%s not finished after %s s: Global Datastore %s is %s, primary %s in %s"
                % (
                    what,
                    self.params["wait_timeout"],
                    found.get("GlobalReplicationGroupId"),
                    found.get("Status"),
                    self.result["primary"]["replication_group_id"],
                    self.result["primary"]["region"],
                ),
            )

        return gdb.poll_until(
            self.describe_global, done, timeout, self.deadline, self.clock, self.sleep, MAX_POLL_DELAY
        )

    def lag(self, group):
        node = primary_node(group)
        if node is None:
            return parse_lag([])
        start, end = gdb.lag_window()
        try:
            results = self.cloudwatch.paginate(
                "GetMetricData",
                key="MetricDataResults",
                MetricDataQueries=lag_query(node),
                StartTime=start,
                EndTime=end,
                ScanBy="TimestampDescending",
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.aws_error(e, "Could not read the Global Datastore's replication lag from CloudWatch")
        return parse_lag(results)

    def run(self):
        params = self.params
        planned = params["mode"] == "switchover"
        group = self.describe_group()
        info = group.get("GlobalReplicationGroupInfo") or {}
        if not info.get("GlobalReplicationGroupId"):
            self.fail(
                "not_a_member",
                "replication group %s in %s is not a member of a Global Datastore" % (self.group_id, self.region),
            )
        self.result["global_replication_group_id"] = info["GlobalReplicationGroupId"]
        found = self.describe_global()
        self.result["previous_primary"] = dict(self.result["primary"])
        if role_of(found, self.region, self.group_id) is None:
            self.fail(
                "not_a_member",
                "replication group %s in %s is not a member of %s"
                % (self.group_id, self.region, info["GlobalReplicationGroupId"]),
            )
        if found.get("Status") != "available" and params["wait"] and not self.module.check_mode:
            # another failover (or a change) is under way: let it end, then decide on what it left
            found = self.poll(lambda f: f.get("Status") == "available", "the change under way")
        if self.is_done(found):
            self.result["endpoint"] = endpoint(group)
            self.exit("%s in %s is already the primary" % (self.group_id, self.region))
        if found.get("Status") != "available":
            self.fail("busy", "Global Datastore %s is %s" % (found["GlobalReplicationGroupId"], found.get("Status")))

        if planned:  # a secondary of moments ago (a switch back) has no lag datapoint yet: wait for its first
            lag = gdb.lag_when_known(lambda: self.lag(group), self.deadline, self.clock, self.sleep)
        else:
            lag = self.lag(group)
        self.result["lag"] = lag
        if planned:
            try:
                gdb.check_lag(lag, params["max_lag_seconds"], metrics=LAG_METRIC)
            except gdb.RefusedError as e:
                self.fail(e.reason, str(e) if e.reason == "lag_unknown" else "%s: %s" % (LAG_METRIC, e))
        else:
            self.result["estimated_data_loss_seconds"] = lag["replication_seconds"]
            if lag["replication_seconds"] is None:
                self.module.warn(
                    "No %s datapoint for %s: the data loss of this failover is unknown" % (LAG_METRIC, self.group_id)
                )

        self.result["changed"] = True
        self.result["endpoint"] = endpoint(group)
        before = "%(replication_group_id)s (%(region)s)" % self.result["previous_primary"]
        if self.module._diff:
            self.result["diff"] = {
                "before": {"redis_primary": before},
                "after": {"redis_primary": "%s (%s)" % (self.group_id, self.region)},
            }
        if self.module.check_mode:
            self.exit("would %s the Global Datastore to %s in %s" % (params["mode"], self.group_id, self.region))

        requested = _now()
        self.result["timings"] = timings = {
            "requested_at": requested.isoformat(),
            "completed_at": None,
            "seconds": None,
        }
        try:
            self.elasticache.call(
                "FailoverGlobalReplicationGroup",
                GlobalReplicationGroupId=self.result["global_replication_group_id"],
                PrimaryRegion=self.region,
                PrimaryReplicationGroupId=self.group_id,
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.result["changed"] = False
            self.aws_error(e, "%s to %s refused by ElastiCache" % (params["mode"], self.group_id))
        if params["wait"]:
            self.poll(self.is_done, "%s to %s" % (params["mode"], self.group_id))
            completed = _now()
            timings.update(
                completed_at=completed.isoformat(), seconds=round((completed - requested).total_seconds(), 3)
            )
        self.exit("%s of the Global Datastore to %s in %s done" % (params["mode"], self.group_id, self.region))


ARGUMENT_SPEC = dict(gdb.SWITCH_ARGUMENTS, replication_group_id={"type": "str", "required": True})


def main(module):
    # Refusals that need no AWS call come first: nothing is asked, nothing changes.
    refusal = gdb.request_refusal(module.params)
    if refusal:
        module.fail_json(msg=refusal[1], reason=refusal[0], changed=False, api_calls=[])
    Runner(module).run()


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": True, "aws": True}
    main = staticmethod(main)
