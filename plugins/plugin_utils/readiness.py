# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DR readiness decisions: is the DR region's database a twin of the primary's, and are the drills up to date."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import drill_report

DAY = 86400.0


def cluster_profile(cluster, instances, region, family=None, parameters=None):
    """What must match across the regions of a global database, from DescribeDBClusters/DescribeDBInstances and the
    cluster parameter group's family and user-set parameters (each region has its own group, by another name)."""
    return {
        "parameter_family": family,
        "parameters": dict(parameters or {}),
        "cluster": cluster["DBClusterIdentifier"],
        "region": region,
        "arn": cluster.get("DBClusterArn"),
        "engine_version": cluster.get("EngineVersion"),
        "parameter_group": cluster.get("DBClusterParameterGroup"),
        "encrypted": bool(cluster.get("StorageEncrypted")),
        "kms_key": cluster.get("KmsKeyId"),
        "instance_classes": sorted({i["DBInstanceClass"] for i in instances}),
    }


def parity_findings(writer, secondary):
    """What would make the DR region's cluster a different database after a failover, each naming both sides."""
    where = "%s in %s" % (secondary["cluster"], secondary["region"])
    found = []
    for key, label in (("engine_version", "engine version"), ("parameter_family", "cluster parameter group family")):
        if writer[key] != secondary[key]:
            found.append(
                "%s: %s has %s, the writer %s in %s has %s"
                % (label, where, secondary[key], writer["cluster"], writer["region"], writer[key])
            )
    differing = sorted(
        name
        for name in set(writer["parameters"]) | set(secondary["parameters"])
        if writer["parameters"].get(name) != secondary["parameters"].get(name)
    )
    if differing:
        found.append(
            "cluster parameters: %s (%s) differs from the writer's (%s) in %s"
            % (
                where,
                secondary["parameter_group"],
                writer["parameter_group"],
                ", ".join(
                    "%s=%s against %s"
                    % (n, secondary["parameters"].get(n, "default"), writer["parameters"].get(n, "default"))
                    for n in differing
                ),
            )
        )
    if writer["encrypted"] and not (secondary["encrypted"] and secondary["kms_key"]):
        found.append("encryption: %s has no KMS key, the writer's storage is encrypted" % where)
    if not secondary["instance_classes"]:
        found.append("instances: %s has none, so it cannot take the writer's load" % where)
    elif set(secondary["instance_classes"]) != set(writer["instance_classes"]):
        found.append(
            "instance class: %s has %s, the writer %s"
            % (where, ", ".join(secondary["instance_classes"]), ", ".join(writer["instance_classes"]))
        )
    return found


def drill_findings(status, now):
    """Per drill type, a finding when this period's drill is not done or did not pass; the last run's age in days."""
    found = []
    for kind, state in status.items():
        last = state["last"]
        state["last_age_days"] = round((now - drill_report._epoch(last["started_at"])) / DAY, 1) if last else None
        if not state["done"]:
            found.append(
                "%s drill: none this %s (last %s)"
                % (kind, state["every"], "%s days ago" % state["last_age_days"] if last else "never")
            )
        elif not state["passed"]:
            found.append("%s drill: this %s's did not pass" % (kind, state["every"]))
    return found


def drill_lines(status):
    """One line per drill type for a person: this period's verdict, the last run and its age."""
    lines = []
    for kind, state in status.items():
        verdict = "done, passed" if state["passed"] else ("done, failed" if state["done"] else "NOT DONE")
        last = state["last"]
        lines.append(
            "%s (every %s): this %s's drill %s; %s"
            % (
                kind,
                state["every"],
                state["every"],
                verdict,
                "last %s, %s, %s days ago" % (last["started_at"], last["result"], state["last_age_days"])
                if last
                else "never run",
            )
        )
    return lines
