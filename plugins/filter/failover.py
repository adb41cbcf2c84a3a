# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The failover role's decisions, as filters: whether the switch left the application pointing at the new writer
(``failover_verification``), RTO and RPO of a switch, and the record a real failover keeps.

The role calls the modules and hands what they return to ``failover_report``; ``failover_history_report`` turns the
figures into the report the drills write (docs/dr-drill-report.md, type ``failover``), so that a real failover is
announced, published and kept in the DR history as the drills are.
Unit tests: tests/unit/plugins/filter/test_failover.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ai_model_registry.infra.plugins.filter.dns import dns_record_names
from ansible_collections.ai_model_registry.infra.plugins.filter.dr_drill import _iso, _seconds, dr_drill_report
from ansible_collections.ai_model_registry.infra.plugins.filter.kubernetes import k8s_secret_values
from ansible_collections.ai_model_registry.infra.plugins.module_utils.times import to_epoch


def _redis_figures(redis):
    """What elasticache_global_datastore_failover did (None when Redis did not take part)."""
    if not redis or redis.get("skipped"):
        return None
    return {
        "moved": bool(redis.get("changed")),
        "previous_primary": redis.get("previous_primary"),
        "primary": redis.get("primary"),
        "endpoint": (redis.get("endpoint") or {}).get("address"),
        "switch_seconds": (redis.get("timings") or {}).get("seconds"),
        "completed_at": (redis.get("timings") or {}).get("completed_at"),
        "lag_seconds": (redis.get("lag") or {}).get("replication_seconds"),
        "estimated_data_loss_seconds": redis.get("estimated_data_loss_seconds"),
    }


def failover_repointed(writer_endpoint, redis_plan, redis):
    """The Secrets a switch repoints: ``postgresql`` when the application writes to the cluster endpoint (the global
    writer endpoint follows the writer by itself), ``redis`` when Redis moves - its plan (check mode) or its move has
    an endpoint and neither failed. A skipped Redis step (no Global Datastore, no rebuild) is not a move."""
    components = ["postgresql"] if writer_endpoint == "cluster" else []
    plan, moved = redis_plan or {}, redis or {}
    if ("endpoint" in plan or "endpoint" in moved) and not plan.get("failed") and not moved.get("failed"):
        components.append("redis")
    return components


def redis_rebuild_seed(dr_before, copy):
    """The objects to seed the DR region's rebuilt Redis from: those it was seeded from when it exists already (a
    re-run keeps it - a new seed would replace the group and lose what was written to it since), else the copy's
    (``copy``: rpo_check's ``redis_dr_copy``; None: none, an empty cache)."""
    if dr_before.get("status", "ABSENT") != "ABSENT":
        deployed = (dr_before.get("parameters") or {}).get("SeedSnapshotArns") or ""
        return [arn for arn in deployed.split(",") if arn]
    return list((copy or {}).get("snapshot_arns") or [])


def redis_rebuild_result(now_primary, dr_before, groups, copy, target_region, started_at, completed_at=None):
    """What moving Redis without a Global Datastore did, in the shape elasticache_global_datastore_failover returns,
    so that the role's Secrets, records, verification and report treat both ways alike.

    ``now_primary``: the cloudformation_stack result of the group that serves now - the DR region's group rebuilt
    from a copy (to the DR region), or the primary region's own stack, read (the fail back); ``dr_before``: the read
    of the rebuilt group's stack before the move (a group rebuilt earlier served, else the primary region's);
    ``groups``: ``primary`` and ``dr``, each ``replication_group_id`` and ``region``; ``copy``: rpo_check's
    ``redis_dr_copy`` the rebuild was seeded from (None: no copy, an empty cache). The recovery point lost by a
    rebuild is the time from the copy's snapshot to the end of the move, when the rebuilt group serves (unknown,
    None, without a copy)."""
    outputs = now_primary.get("outputs") or {}
    started, completed = _seconds(started_at), _seconds(completed_at, time.time())
    previous = groups["dr"] if dr_before.get("status", "ABSENT") != "ABSENT" else groups["primary"]
    primary = groups["dr"] if target_region == groups["dr"]["region"] else groups["primary"]
    moved = primary != previous
    loss = None
    if moved and primary is groups["dr"] and copy:
        # what the old primary took until the rebuilt group served is lost too: the copy's age at the end of the move
        loss = round(completed - to_epoch(copy["recovery_point"]), 3)
    return {
        "changed": moved or bool(now_primary.get("changed")),
        "mode": "rebuild",
        "replication_group_id": primary["replication_group_id"],
        "region": primary["region"],
        "previous_primary": previous,
        "primary": primary,
        "endpoint": {"address": outputs.get("RedisEndpoint"), "port": int(outputs.get("RedisPort") or 0)},
        "seeded_from": copy.get("key") if loss is not None else None,
        "lag": {"replication_seconds": loss, "measured_at": copy.get("recovery_point") if loss is not None else None},
        "estimated_data_loss_seconds": loss,
        "timings": {
            "requested_at": _iso(started),
            "completed_at": _iso(completed),
            "seconds": round(completed - started, 3),
        }
        if moved
        else None,
        "api_calls": now_primary.get("api_calls") or [],
    }


def _ran(result):
    """A registered result of a task that ran and succeeded (not skipped, not failed, not absent)."""
    return bool(result) and not result.get("skipped") and not result.get("failed")


def _secret_problem(secrets, secret, key, expected, what):
    """A sentence when a namespace's ``secret`` does not hold ``expected`` under ``key`` (None: all do)."""
    values = k8s_secret_values(secrets.get("results"), secret, key)
    wrong = sorted({str(v) for v in values if v != expected})
    if not values:
        return "no namespace's %s was read back" % secret
    if wrong:
        return "%s names %s %s, not %s (%s)" % (secret, key, ", ".join(wrong), expected, what)
    return None


def failover_verification(switch, redis, secrets, settings):
    """What is wrong after a switch, one sentence each (empty: the application points at the new writer).

    ``switch``: what rds_global_cluster_failover returned, with its ``writer`` (describe_writer: the new writer
    cluster as DescribeDBClusters has it); ``redis``: the registered result of elasticache_global_datastore_failover
    (skipped or failed: Redis is not judged here, the role reports it at its end); ``secrets``: the registered loop
    of k8s_info over the namespaces (skipped: the Secrets are not judged). ``settings``: ``target_region``,
    ``writer_endpoint`` (``global`` or ``cluster``), ``custom_domain`` (the Secrets then carry its names, which the
    dns role's records point at the endpoints: the records are checked there), ``postgresql_secret``,
    ``redis_secret``.
    """
    problems = []
    writer = switch.get("writer") or {}
    if writer.get("status") != "available":
        problems.append("the new writer %s is %s, not available" % (switch.get("new_writer"), writer.get("status")))
    if switch.get("new_writer") != writer.get("db_cluster_arn"):
        problems.append("the writer described is %s, not %s" % (writer.get("db_cluster_arn"), switch.get("new_writer")))
    names = dns_record_names(settings["custom_domain"]) if settings.get("custom_domain") else {}
    cluster_endpoint = settings["writer_endpoint"] == "cluster"
    if cluster_endpoint:
        host = writer.get("endpoint")
        how = "the new writer's cluster endpoint"
    else:
        host = (switch.get("global_cluster") or {}).get("endpoint")
        how = "the global writer endpoint (run site.yml or the k8s_secrets role to write it)"
    redis_moved = _ran(redis)
    if redis_moved and (redis.get("primary") or {}).get("region") != settings["target_region"]:
        problems.append("Redis's primary is %s, not in %s" % (redis.get("primary"), settings["target_region"]))
    if not _ran(secrets):
        return problems
    checks = [(settings["postgresql_secret"], "host", names.get("host", host), "the custom name" if names else how)]
    if cluster_endpoint:  # two clusters may share a host name (the emulator's real databases do)
        checks.append((settings["postgresql_secret"], "port", str(writer.get("port")), "the new writer's port"))
    if redis_moved:
        redis_host = names.get("redis_host", (redis.get("endpoint") or {}).get("address"))
        checks.append(
            (settings["redis_secret"], "host", redis_host, "the custom name" if names else "the new Redis primary")
        )
    for secret, key, expected, what in checks:
        problem = _secret_problem(secrets, secret, key, expected, what)
        if problem:
            problems.append(problem)
    return problems


def failover_report(switch, rpo, writer, declared_at, switched_at, request, redis=None, now=None):
    """The figures of a switch (the role's ``failover_report``, which the drills read too).

    ``switch``: rds_global_cluster_failover's result; ``rpo``: rpo_check's; ``writer``: the new writer cluster as
    rds_cluster_info or rds_global_cluster_failover's describe_writer returns it (or empty);
    ``declared_at``/``switched_at``: when the run started and when the writer moved (epoch s); ``request``:
    environment, action, to, via, writer_endpoint, rto_target_seconds and rpo_target_seconds; ``redis``:
    elasticache_global_datastore_failover's result when the Redis Global Datastore moved too. RTO runs to ``now``
    (the verification is done); a failover's RPO is the data loss AWS estimated, a switchover's the recovery point
    measured before it."""
    declared, moved, ended = _seconds(declared_at), _seconds(switched_at), _seconds(now, time.time())
    global_cluster = switch.get("global_cluster") or {}
    if request["writer_endpoint"] == "cluster":
        endpoint = (writer or {}).get("endpoint", "")
    else:
        endpoint = global_cluster.get("endpoint", "")
    loss = switch.get("estimated_data_loss_seconds")
    return {
        "environment": request["environment"],
        "action": request["action"],
        "to": request["to"],
        "via": request["via"],
        "previous_writer": switch.get("previous_writer"),
        "new_writer": switch.get("new_writer"),
        "endpoint": endpoint,
        "writer_endpoint": request["writer_endpoint"],
        "declared_at": _iso(declared),
        "switch_seconds": round(moved - declared, 3),
        "rto_seconds": round(ended - declared, 3),
        "rto_target_seconds": _seconds(request["rto_target_seconds"]),
        "rpo_seconds": loss if loss is not None else rpo.get("worst_rpo_seconds"),
        "rpo_target_seconds": _seconds(request["rpo_target_seconds"]),
        "rpo_check": rpo.get("measurements") or [],
        "redis": _redis_figures(redis),
        "api_calls": (switch.get("api_calls") or []) + ((redis or {}).get("api_calls") or []),
    }


def failover_lines(report, preview=False, redis_plan=None):
    """What a person reads at the end of a failover run (``report``: ``failover_report``'s). A preview (check mode)
    moved nothing and measured no RTO: it says which cluster would become the writer, the recovery point now, and
    whether Redis would follow (``redis_plan``: the registered check-mode run of the Redis move)."""
    where = "%s of %s to the %s region" % (report["action"], report["environment"], report["to"])
    rpo = "%s s (target %g s)" % (report["rpo_seconds"], report["rpo_target_seconds"])
    redis, plan = report.get("redis"), redis_plan or {}
    if not preview:
        if redis:
            moved = "Redis primary in %s, lag %s s" % (
                (redis.get("primary") or {}).get("region"),
                redis.get("lag_seconds"),
            )
        elif plan.get("failed"):  # an unplanned failover went on without the cache: the run fails at its end
            moved = "Redis: did not follow - %s" % plan.get("msg", "refused")
        else:
            moved = "Redis: not moved (no Global Datastore)"
        return [
            "%s: writer %s" % (where, report["new_writer"]),
            "RTO %s s (target %g s), writer moved after %s s"
            % (report["rto_seconds"], report["rto_target_seconds"], report["switch_seconds"]),
            "RPO " + rpo,
            moved,
        ]
    if report["new_writer"] and report["new_writer"] == report["previous_writer"]:
        writer = "Preview, nothing switched: %s - %s is the writer already" % (where, report["new_writer"])
    else:
        writer = "Preview, nothing switched: %s would make %s the writer (now %s)" % (
            where,
            report["new_writer"],
            report["previous_writer"],
        )
    if plan.get("failed"):
        follows = "Redis: its Global Datastore could not follow - %s" % plan.get("msg", "refused")
    elif plan.get("endpoint"):
        follows = "Redis: would follow by %s, its primary then %s" % (report["action"], plan["endpoint"].get("address"))
    else:
        follows = "Redis: no Global Datastore to move"
    return [writer, "RPO now " + rpo, follows]


def failover_history_report(report, rpo_verdict=None, now=None):
    """A real failover as the drills' report (type ``failover``): its figures against the targets, its steps (the
    recovery point measured, the writer moved, the application's path verified), no cleanup (the new layout stays).
    Its id names the environment, the type and when it was declared, as a drill's does."""
    declared = to_epoch(report["declared_at"])
    ended = _seconds(now, time.time())
    moved = declared + _seconds(report["switch_seconds"])
    drill = {
        "id": "%s-failover-%s" % (report["environment"], time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(declared))),
        "type": "failover",
        "environment": report["environment"],
        "started_at": declared,
    }
    steps = [
        {"name": "Recovery point measured", "status": "ok", "detail": "%s s" % report["rpo_seconds"], "at": declared},
        {
            "name": "Writer moved by %s (%s)" % (report["action"], report["via"]),
            "status": "ok",
            "detail": "%s -> %s" % (report["previous_writer"], report["new_writer"]),
            "at": moved,
        },
        {"name": "Application path verified", "status": "ok", "detail": report["endpoint"], "at": ended},
    ]
    redis = report.get("redis")
    if redis and redis["moved"]:
        steps.insert(
            2,
            {
                "name": "Redis primary moved by %s" % report["action"],
                "status": "ok",
                "detail": "%s -> %s (lag %s s)"
                % (redis["previous_primary"]["region"], redis["primary"]["region"], redis["lag_seconds"]),
                "at": to_epoch(redis["completed_at"]) if redis.get("completed_at") else moved,
            },
        )
    measured = {
        "rto_seconds": report["rto_seconds"],
        "rpo_seconds": report["rpo_seconds"],
        "writer_moved_seconds": report["switch_seconds"],
        "writer_endpoint": report["writer_endpoint"],
        "action": report["action"],
    }
    targets = {"rto_seconds": report["rto_target_seconds"], "rpo_seconds": report["rpo_target_seconds"]}
    rpo_check = {"verdict": rpo_verdict, "measurements": report["rpo_check"]}
    cleanup = {"status": "not run", "detail": "a real failover: the new layout stays"}
    return dr_drill_report(drill, targets, measured, rpo_check, steps, cleanup, ended_at=ended)


class FilterModule(object):
    def filters(self):
        return {
            "failover_verification": failover_verification,
            "failover_report": failover_report,
            "failover_lines": failover_lines,
            "failover_history_report": failover_history_report,
            "failover_repointed": failover_repointed,
            "redis_rebuild_result": redis_rebuild_result,
            "redis_rebuild_seed": redis_rebuild_seed,
        }
