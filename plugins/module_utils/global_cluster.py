# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Aurora Global Database decisions shared by rds_global_cluster_failover and the DR orchestrator Lambda.

Pure functions over the shapes of the RDS and CloudWatch APIs (DescribeGlobalClusters,
GetMetricData): no Ansible and no boto3 import, so `make lambda-code` can inline this file into
the orchestrator's template and both decide the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import random

LAG_METRICS = {"replication": "AuroraGlobalDBReplicationLag", "rpo": "AuroraGlobalDBRPOLag"}
LAG_WINDOW_MINUTES = 10
IN_PROGRESS = ("switching-over", "failing-over")


class RefusedError(Exception):
    """Refused before any change. ``reason`` is a stable keyword a caller can test."""

    def __init__(self, reason, message):
        super(RefusedError, self).__init__(message)
        self.reason = reason


def arn_region(arn):
    parts = arn.split(":")
    return parts[3] if arn.startswith("arn:") and len(parts) > 5 else None


def arn_cluster_id(arn):
    return arn.split(":")[-1]


def writer_arn(global_cluster):
    for member in global_cluster.get("GlobalClusterMembers") or []:
        if member.get("IsWriter"):
            return member["DBClusterArn"]
    return None


def members(global_cluster):
    """The members, simply: ARN, region, role and synchronization status."""
    result = []
    for member in global_cluster.get("GlobalClusterMembers") or []:
        result.append(
            {
                "db_cluster_arn": member["DBClusterArn"],
                "region": arn_region(member["DBClusterArn"]),
                "is_writer": bool(member.get("IsWriter")),
                "synchronization_status": None
                if member.get("IsWriter")
                else member.get("SynchronizationStatus", "connected"),
            }
        )
    return result


def resolve_target(global_cluster, cluster=None, region=None):
    """The member that is to become the writer, from a cluster ARN or identifier, or a region."""
    candidates = global_cluster.get("GlobalClusterMembers") or []
    name = global_cluster.get("GlobalClusterIdentifier")
    if cluster:
        wanted = cluster.lower()
        found = [
            m
            for m in candidates
            if m["DBClusterArn"].lower() == wanted or arn_cluster_id(m["DBClusterArn"]).lower() == wanted
        ]
        if not found:
            raise RefusedError("not_a_member", "%s is not a member of global cluster %s" % (cluster, name))
        return found[0]
    found = [m for m in candidates if arn_region(m["DBClusterArn"]) == region]
    if not found:
        raise RefusedError("not_a_member", "global cluster %s has no member in %s" % (name, region))
    if len(found) > 1:
        raise RefusedError(
            "ambiguous_target",
            "global cluster %s has %d members in %s: name the cluster" % (name, len(found), region),
        )
    return found[0]


def transition(global_cluster, target_arn):
    """Where the global cluster stands relative to making ``target_arn`` the writer.

    ``done`` (target is the writer and nothing runs), ``running`` (a switchover/failover to the
    target is under way: wait for it, start nothing), ``busy`` (something else runs), or ``idle``.
    """
    state = global_cluster.get("FailoverState") or {}
    status = global_cluster.get("Status")
    if status in IN_PROGRESS or state.get("Status") in ("pending",) + IN_PROGRESS:
        return "running" if state.get("ToDbClusterArn") == target_arn else "busy"
    if writer_arn(global_cluster) == target_arn and status == "available":
        return "done"
    return "idle"


def check_target(global_cluster, member, cluster_status, planned):
    """Refusals before a switchover (planned) or failover, from the API's own constraints."""
    name = global_cluster.get("GlobalClusterIdentifier")
    if global_cluster.get("Status") != "available":
        raise RefusedError(
            "global_cluster_not_available",
            "global cluster %s is %s; it must be available" % (name, global_cluster.get("Status")),
        )
    if cluster_status != "available":
        raise RefusedError(
            "target_not_healthy",
            "target cluster %s is %s; it must be available" % (arn_cluster_id(member["DBClusterArn"]), cluster_status),
        )
    sync = member.get("SynchronizationStatus", "connected")
    if planned and sync != "connected":
        raise RefusedError(
            "target_not_healthy",
            "target cluster %s is %s, not connected: a switchover needs a synchronized secondary"
            % (arn_cluster_id(member["DBClusterArn"]), sync),
        )


def lag_queries(cluster_id):
    """One GetMetricData query per lag metric of a secondary cluster (CloudWatch, its own region)."""
    return [
        {
            "Id": key,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/RDS",
                    "MetricName": metric,
                    "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster_id}],
                },
                "Period": 60,
                "Stat": "Maximum",
            },
            "ReturnData": True,
        }
        for key, metric in sorted(LAG_METRICS.items())
    ]


def lag_window(now=None):
    """StartTime and EndTime of the lag read; the end rounded up so the open minute counts."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now - datetime.timedelta(minutes=LAG_WINDOW_MINUTES), now + datetime.timedelta(minutes=1)


def parse_lag(results):
    """Newest value of each lag metric in seconds (None when there is no datapoint), and its time.

    ``results`` may come from several GetMetricData pages: a query's data points then arrive in several results
    under the same Id, and the newest of all of them counts."""
    lag = {"replication_seconds": None, "rpo_seconds": None, "measured_at": None}
    newest = {}
    for result in results:
        # zip(strict=) is Python 3.10+; module_utils also run on older targets.
        pairs = sorted(zip(result.get("Timestamps") or [], result.get("Values") or []), reverse=True)  # noqa: B905
        if not pairs or (result["Id"] in newest and newest[result["Id"]] >= pairs[0][0]):
            continue
        when, value = pairs[0]
        newest[result["Id"]] = when
        lag["%s_seconds" % result["Id"]] = value / 1000.0
        stamp = when.isoformat() if hasattr(when, "isoformat") else str(when)
        lag["measured_at"] = max(lag["measured_at"] or stamp, stamp)
    return lag


def check_lag(lag, max_lag_seconds, metrics="AuroraGlobalDBReplicationLag or AuroraGlobalDBRPOLag"):
    """A switchover waits for the secondaries to catch up: refuse when that would take too long (``metrics``: the
    names of the lag metrics, for the message)."""
    worst = [v for v in (lag["replication_seconds"], lag["rpo_seconds"]) if v is not None]
    if not worst:
        raise RefusedError(
            "lag_unknown",
            "no %s datapoint in the last %d minutes: the replication lag cannot be checked"
            % (metrics, LAG_WINDOW_MINUTES),
        )
    if max(worst) > max_lag_seconds:
        raise RefusedError(
            "lag_above_bound",
            "replication lag %.3f s is above max_lag_seconds %s" % (max(worst), max_lag_seconds),
        )


# AWS publishes the lag metrics once a minute, and only for secondaries: a cluster (or Redis group) that has just
# become a secondary - a switch moments ago - has its first datapoint within about two minutes.
FIRST_LAG_DATAPOINT_SECONDS = 180


def lag_known(lag):
    return lag["replication_seconds"] is not None or lag["rpo_seconds"] is not None


def lag_when_known(read, deadline, clock, sleep, patience=FIRST_LAG_DATAPOINT_SECONDS):
    """``read()`` the lag until it has a datapoint, for at most ``patience`` seconds and never past ``deadline``
    (by ``clock``); the last lag read, which ``check_lag`` refuses if it still has none. A switch back right after
    a switch is then checked, not refused for want of a datapoint."""
    lag = read()
    stop = min(deadline, clock() + patience)
    delays = backoff_delays(initial=5.0, maximum=20.0)
    while not lag_known(lag) and clock() < stop:
        sleep(min(next(delays), stop - clock()))
        lag = read()
    return lag


# The options the switch modules share (rds_global_cluster_failover, elasticache_global_datastore_failover; their
# documentation: doc fragment ai_model_registry.infra.global_switch), which request_refusal checks.
SWITCH_ARGUMENTS = {
    "mode": {"type": "str", "choices": ["switchover", "failover"], "default": "switchover"},
    "allow_data_loss": {"type": "bool", "default": False},
    "max_lag_seconds": {"type": "float", "default": 60},
    "wait": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 1800},
}


def request_refusal(params):
    """Why a switch request is refused before any AWS call (None: it is not): the mode and ``allow_data_loss``
    disagree, or a bound is out of range. Shared by the global database's and the Global Datastore's modules."""
    if params["mode"] == "failover" and not params["allow_data_loss"]:
        return (
            "allow_data_loss_required",
            "a failover can lose the writes not yet replicated: set allow_data_loss: true to confirm, "
            "or use mode: switchover while the primary region is up",
        )
    if params["mode"] == "switchover" and params["allow_data_loss"]:
        return "allow_data_loss_required", "allow_data_loss applies to mode: failover; a switchover never loses data"
    if params["max_lag_seconds"] < 0 or params["wait_timeout"] < 1:
        return "bad_bound", "max_lag_seconds must be >= 0 and wait_timeout >= 1"
    return None


def backoff_delays(initial=1.0, maximum=30.0, factor=1.6, rng=None):
    """Poll delays: growing by ``factor`` up to ``maximum``, each with full jitter over its upper half."""
    rng = rng or random.Random()
    delay = initial
    while True:
        yield delay / 2 + rng.random() * delay / 2
        delay = min(maximum, delay * factor)


def poll_until(describe, done, on_timeout, deadline, clock, sleep, maximum_delay=5.0):
    """``describe()`` until ``done(answer)``, waiting with ``backoff_delays``; at ``deadline`` (by ``clock``)
    ``on_timeout(answer)``, which is expected to end the module. The answer that was done. Shared by the modules
    that wait on a global database or a Global Datastore."""
    delays = backoff_delays(initial=1.0, maximum=maximum_delay)
    while True:
        answer = describe()
        if done(answer):
            return answer
        remaining = deadline - clock()
        if remaining <= 0:
            on_timeout(answer)
        sleep(min(next(delays), remaining))
