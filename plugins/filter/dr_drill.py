# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR drill's decisions, as filters: what a drill is called, its timeline, what it measured, its verdict.

The ``dr_drill`` role calls modules and records what they return; everything it decides - RTO and RPO,
which canaries were lost, whether a step passed, which clusters are leftovers, the findings and the
result of the report - is decided here, with unit tests (tests/unit/plugins/filter/test_dr_drill.py).
Each filter is documented in ``plugins/filter/<name>.yml``. Times are seconds since the epoch; a filter
that records a time takes it as an argument (``at``) and reads the clock only when it is not given.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import math
import random
import time

from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.module_utils import data_checks, drill_clusters
from ansible_collections.ai_model_registry.infra.plugins.module_utils.times import to_epoch

SCHEMA = "ai_model_registry.infra/dr-drill-report/v1"
STATUSES = ("ok", "failed")


def _seconds(value, default=0.0):
    """A time or duration given as a number, numeric text or None (then ``default``)."""
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError("not a number of seconds: %r" % (value,)) from None


def _epoch(value):
    """Seconds since the epoch of a number, numeric text or an ISO 8601 time (AWS's, with or without offset: UTC)."""
    try:
        return to_epoch(value)
    except ValueError:
        raise AnsibleFilterError("not a time: %r" % (value,)) from None


def _iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _status(ok):
    return "ok" if ok else "failed"


# --- before the drill --------------------------------------------------------------------------------------


def dr_drill_request_errors(drill_type, cadence, restore_checks=None, check_mode=False):
    """Why the drill request cannot run, as sentences (empty when it can): checked before any AWS call.

    In check mode a restore drill previews what it would restore (its recovery point, read-only); a switchover
    drill has no such preview: it would have to switch to measure anything."""
    errors = []
    if drill_type not in (cadence or {}):
        errors.append("dr_drill_type=%s: choose one of %s" % (drill_type, ", ".join(cadence or {})))
    elif check_mode and drill_type != "restore":
        errors.append(
            "dr_drill_type=%s cannot be previewed with --check (the drill measures a real switch): preview the "
            "switch with playbooks/failover.yml --check, or the restore drill with -e dr_drill_type=restore --check"
            % drill_type
        )
    checks = restore_checks or {}
    for problem in data_checks.problems(checks.get("tables"), checks.get("row_counts"), checks.get("queries")):
        errors.append("dr_drill_restore_checks: %s" % problem)
    return errors


def dr_drill_plan(drill_type, environment, model, report_prefix, tag_key, started_at=None, nonce=None):
    """The drill's identity and the names of what it creates, so a later drill finds an interrupted one's leftovers.

    ``model`` is the platform model (``registry_model``): the temporary cluster's name comes from its
    ``drill.temporary_cluster_prefix``.
    """
    started = _seconds(started_at, time.time())
    nonce = random.randint(0, 99999) if nonce is None else int(nonce)  # noqa: S311 - a name, not a secret
    drill_id = "%s-%s-%s-%d" % (environment, drill_type, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started)), nonce)
    digest = hashlib.sha1(drill_id.encode("utf-8")).hexdigest()[:8]  # noqa: S324 - a short name, not security
    return {
        "id": drill_id,
        "type": drill_type,
        "environment": environment,
        "started_at": started,
        # The full simulation is the unplanned failover; the others switch over (planned, no data loss).
        "action": "failover" if drill_type == "full" else "switchover",
        "restore_cluster": model["drill"]["temporary_cluster_prefix"] + digest,
        "tags": {tag_key: drill_id, "Environment": environment},
        "probe_key": "%s/%s/%s/replication-probe.txt" % (report_prefix, environment, drill_id),
    }


def dr_drill_polls(timeout_seconds, delay_seconds):
    """How many polls ``delay_seconds`` apart fill ``timeout_seconds`` (an ``until`` loop's ``retries``), at least 1."""
    return max(1, int(_seconds(timeout_seconds) // _seconds(delay_seconds, 1.0)))


def dr_drill_canary_cover_seconds(rpo_check, max_seconds=120):
    """How long the canary writer must run before an unplanned failover so that its canaries cover the window the
    failover loses: the global database's replication lag the RPO check measured, plus a second, in whole seconds;
    at most ``max_seconds``. A switchover loses nothing and needs no wait (the caller asks only for a failover)."""
    lags = [
        _seconds(m.get("value"))
        for m in (rpo_check or {}).get("measurements") or []
        if m.get("store") == "aurora_global" and m.get("value") is not None
    ]
    return int(math.ceil(min(max(lags or [0.0]) + 1.0, _seconds(max_seconds))))  # whole seconds: pause takes those


# --- the timeline ------------------------------------------------------------------------------------------


def dr_drill_step(steps, name, status="ok", detail="", at=None, prefix=""):
    """The timeline with one step more: ``name`` and ``status`` (``ok``/``failed``, or a boolean) and ``detail``.

    ``name`` may also be a step (a dict with ``name``, ``status``, ``detail``) or a list of steps, as the step
    filters and ``postgresql_data_checks`` return them, each name after ``prefix``.
    """
    if isinstance(name, dict):
        name = [name]
    if isinstance(name, list):
        added = [(prefix + step["name"], step["status"], step.get("detail", "")) for step in name]
    else:
        added = [(name, status, detail)]
    moment = _seconds(at, time.time())
    result = list(steps or [])
    for step_name, step_status, step_detail in added:
        if isinstance(step_status, bool):
            step_status = _status(step_status)
        if step_status not in STATUSES:
            raise AnsibleFilterError("dr_drill_step: status of %r is %r, not ok or failed" % (step_name, step_status))
        result.append({"name": step_name, "status": step_status, "at": moment, "detail": str(step_detail or "")})
    return result


# --- restore drill -----------------------------------------------------------------------------------------


def dr_drill_recovery_point(restore_job, snapshots=None, declared_at=None):
    """What the restore drill restored: the AWS Backup recovery point of ``backup_restore_job``'s result, or else
    the newest of ``snapshots`` (``rds_snapshot_info``'s ``cluster_snapshots``), with its age at the declaration."""
    point = (restore_job or {}).get("recovery_point") or {}
    if point.get("arn"):
        return {
            "source": "AWS Backup",
            "arn": point["arn"],
            "creation_date": point["creation_date"],
            "epoch": _epoch(point["creation_date"]),
            "age_seconds": round(_seconds(point.get("age_seconds")), 3),
        }
    if not snapshots:
        raise AnsibleFilterError("dr_drill_recovery_point: no AWS Backup recovery point and no snapshot")
    newest = max(snapshots, key=lambda s: _epoch(s["snapshot_create_time"]))
    created = _epoch(newest["snapshot_create_time"])
    return {
        "source": "automated snapshot",
        "arn": newest["db_cluster_snapshot_arn"],
        "snapshot_identifier": newest["db_cluster_snapshot_identifier"],
        "creation_date": newest["snapshot_create_time"],
        "epoch": created,
        "age_seconds": round(_seconds(declared_at, time.time()) - created, 3),
    }


def dr_drill_restore_measured(point, restored_cluster, declared_at, validated_at, restore_job=None):
    """The restore drill's figures: RTO from the declared data loss to validated data, RPO the point's age."""
    duration = (restore_job or {}).get("duration_seconds")
    return {
        "rto_seconds": round(_seconds(validated_at) - _seconds(declared_at), 3),
        # What a restore of this point loses: everything written after it.
        "rpo_seconds": point["age_seconds"],
        "restore_seconds": None if duration is None else _seconds(duration),
        "recovery_point_source": point["source"],
        "recovery_point_arn": point["arn"],
        "recovery_point_age_seconds": point["age_seconds"],
        "restored_cluster": restored_cluster,
    }


# --- switchover drill and full simulation ------------------------------------------------------------------


def _rows(rows):
    """``(seq, at)`` pairs from query rows (dicts with seq and at) or from the writer's ``<seq> <at>`` lines."""
    if isinstance(rows, str):
        rows = [line.split() for line in rows.splitlines() if line.strip()]
    pairs = []
    for row in rows or []:
        seq, at = (row["seq"], row["at"]) if isinstance(row, dict) else row
        pairs.append((int(float(seq)), _seconds(at)))
    return pairs


def dr_drill_switch_evidence(
    written,
    during,
    found,
    switch,
    declared_at,
    verified_at,
    action="switchover",
    primary_server="",
    dr_server="",
):
    """What the switch lost and took, from the canaries.

    ``written``: the canaries committed on the primary before the switch (``[seq, at]`` pairs or rows with ``seq``
    and ``at``); ``during``: what the background writer got acknowledged while the writer moved (pairs, or its
    ``<seq> <at>`` lines); ``found``: the drill's canaries read on the new writer afterwards; ``switch``: the
    failover role's ``failover_report``; ``primary_server`` and ``dr_server``: the server that answered through the
    application's Secret before and after the switch (its address and port: with the global writer endpoint the
    Secret's host stays, the server behind it changes). Returns ``measured`` (the report's figures, among them the
    application's write outage: the longest time without an acknowledged write through its Secret, up to the write
    that verified the DR region, and the time from the writer's move to the first write through the Secret after
    it), ``verification`` (the step: nothing lost - a failover may lose, that is its RPO -
    and the application's writes reaching another server than before) and
    ``expected_after_failback`` (the canaries the primary must hold after the fail-back: those found and the one
    written through the DR region).
    """
    loss = _canary_loss(written, during, found)
    before, acknowledged_during, acknowledged = loss["before"], loss["during"], loss["acknowledged"]
    lost, canary_rpo = loss["lost"], loss["rpo_seconds"]
    aws_lag = _seconds((switch or {}).get("rpo_seconds"))
    # the background writer keeps the application's path: through the global writer endpoint it reconnects by itself;
    # through a cluster endpoint it writes again only once the Secret is repointed (the verification's write)
    writes = sorted([at for seq, at in before + acknowledged_during] + [_seconds(verified_at)])
    outage = max([writes[i + 1] - writes[i] for i in range(len(writes) - 1)] or [0.0])
    # what a client feels once the writer has moved: until its first write through the Secret is acknowledged
    moved_at = _seconds(declared_at) + _seconds((switch or {}).get("switch_seconds"))
    after_move = [at for at in writes if at >= moved_at]
    measured = {
        "rto_seconds": round(_seconds(verified_at) - _seconds(declared_at), 3),
        "canaries_written": len(acknowledged),
        "canaries_written_during_switch": len(acknowledged_during),
        "canaries_lost": lost,
        "canary_rpo_seconds": canary_rpo,
        "rpo_seconds": round(max(aws_lag, canary_rpo), 3),
        "aws_reported_lag_seconds": aws_lag,
        "writer_moved_seconds": _seconds((switch or {}).get("switch_seconds")),
        "write_outage_seconds": round(outage, 3),
        "first_write_after_move_seconds": round(min(after_move) - moved_at, 3) if after_move else None,
        "writer_endpoint": (switch or {}).get("writer_endpoint", "cluster"),
        "action": action,
    }
    moved = bool(dr_server) and dr_server != primary_server
    verification = {
        "name": "Application path verified in the DR region",
        "status": _status((action == "failover" or lost == 0) and moved),
        "detail": "%d of %d canaries written before and %d of %d acknowledged during the switch read, and a write "
        "accepted, by %s"
        % (loss["found_before"], len(before), loss["found_during"], len(acknowledged_during), dr_server),
    }
    return {
        "measured": measured,
        "verification": verification,
        # every row the DR side had (a commit whose acknowledgement the writer never got too) and the one written there
        "expected_after_failback": loss["found"] + 1,
    }


def _canary_loss(written, during, found):
    """The acknowledged canaries (``written`` before the switch, ``during`` it) the new primary lacks (``found``
    there), and the recovery point they span."""
    before, acknowledged_during = _rows(written), _rows(during)
    found = [(seq, at) for seq, at in _rows(found) if seq > 0]  # seq 0: the one written through the DR region
    acknowledged = dict(before + acknowledged_during)
    present = {seq: at for seq, at in found if seq in acknowledged}
    # The recovery point: from the newest canary kept before the first lost one to the last lost one. Through the
    # global writer endpoint the writer goes on writing to the new writer, so the newest acknowledged canary is
    # found after a failover that lost the seconds before it. Nothing kept before: at least since the first canary.
    lost_at = [at for seq, at in acknowledged.items() if seq not in present]
    kept_before = [at for at in present.values() if lost_at and at <= min(lost_at)]
    newest_kept = max(kept_before or [min(acknowledged.values() or [0.0])])
    return {
        "before": before,
        "during": acknowledged_during,
        "acknowledged": acknowledged,
        "found": len(found),
        "found_before": len([seq for seq, at in before if seq in present]),
        "found_during": len([seq for seq, at in acknowledged_during if seq in present]),
        "lost": len(acknowledged) - len(present),
        "rpo_seconds": round(max(max(lost_at or [newest_kept]) - newest_kept, 0.0), 3),
    }


def dr_drill_redis_evidence(written, during, found, switch, target_seconds, primary_server="", dr_server=""):
    """What Redis's switch lost, from its sentinel keys (dr_drill_canaries engine=redis), as the database's canaries.

    ``written``/``during``/``found``: the keys written before the switch, acknowledged during it, and read through
    the repointed ``redis-credentials`` afterwards; ``switch``: the failover role's ``failover_report`` (its ``redis``
    figures); ``primary_server``/``dr_server``: the servers that answered before and after (their run_id). Returns
    ``measured`` (``redis_*`` figures of the report) and ``step``: the keys reached the DR region's primary, which
    answers through the Secret, and the measured loss is within ``target_seconds``.
    """
    loss = _canary_loss(written, during, found)
    redis = (switch or {}).get("redis") or {}
    measured = {
        "redis_canaries_written": len(loss["acknowledged"]),
        "redis_canaries_lost": loss["lost"],
        "redis_rpo_seconds": loss["rpo_seconds"],
        "redis_aws_reported_lag_seconds": redis.get("lag_seconds"),
        "redis_failover_seconds": redis.get("switch_seconds"),
    }
    moved = bool(dr_server) and dr_server != primary_server
    within = loss["rpo_seconds"] <= _seconds(target_seconds)
    return {
        "measured": measured,
        "step": {
            "name": "Redis's sentinel keys read in the DR region",
            "status": _status(moved and loss["found"] > 0 and within),
            "detail": "%d of %d keys written before and %d of %d acknowledged during the switch read through the "
            "repointed Secret on %s: %d lost, %s s of writes (target %s s)"
            % (
                loss["found_before"],
                len(loss["before"]),
                loss["found_during"],
                len(loss["during"]),
                dr_server or "no server",
                loss["lost"],
                loss["rpo_seconds"],
                target_seconds,
            ),
        },
    }


def dr_drill_failback_step(found, evidence, server, primary_server):
    """The fail-back step: the primary holds every canary the DR side had, and the application reaches it again
    (``server``: the server that answered through the application's Secret; ``primary_server``: before the drill)."""
    found = int(found)
    return {
        "name": "Failed back and verified in the primary region",
        "status": _status(found == evidence["expected_after_failback"] and server == primary_server),
        "detail": "%d canaries on %s" % (found, server),
    }


def dr_drill_s3_probe_step(contents, expected, url, written_at, arrived_at, timeout_seconds):
    """The S3 replication step of the full simulation, and the replication time (None when it never arrived)."""
    arrived = contents == expected
    seconds = round(_seconds(arrived_at) - _seconds(written_at), 3) if arrived else None
    return {
        "name": "S3 replication to the DR region",
        "status": _status(arrived),
        "detail": "%s arrived after %.1f s" % (url, seconds)
        if arrived
        else "the probe did not reach the replica within %s s" % timeout_seconds,
        "seconds": seconds,
    }


def dr_drill_redis_step(measurements, region, target_seconds):
    """What Redis offers in the DR region: the templates keep none there; the newest snapshot in the primary."""
    redis = next((m for m in measurements or [] if m.get("store") == "redis"), {})
    return {
        "name": "Redis for the DR region",
        "status": _status(redis.get("status") == "ok"),
        "detail": "The templates keep no Redis in the DR region: the application starts there with a cold cache. "
        "Newest snapshot in %s: %s %s old (target %s s)."
        % (
            region,
            "none" if redis.get("value") is None else redis["value"],
            redis.get("unit", ""),
            redis.get("target") if redis.get("target") is not None else target_seconds,
        ),
    }


# --- cleanup -----------------------------------------------------------------------------------------------


def dr_drill_leftovers(clusters, tag_key, environment, temporary_prefix):
    """The clusters drills restored (``rds_cluster_info``'s clusters): tagged by a drill of this environment, or
    named ``<temporary_prefix><8 hex>`` (an interrupted drill may not have tagged its cluster yet)."""
    found = []
    for cluster in clusters or []:
        identifier, tags = cluster["db_cluster_identifier"], cluster.get("tags")
        if drill_clusters.restored_by_a_drill(identifier, tags, tag_key, environment, temporary_prefix):
            found.append(
                {
                    "cluster": cluster["db_cluster_identifier"],
                    "instances": [m["db_instance_identifier"] for m in cluster.get("db_cluster_members") or []],
                }
            )
    return found


def dr_drill_cleanup_summary(drill_type, removed):
    """The cleanup's record once every task of it passed."""
    detail = "temporary clusters removed: %s" % (", ".join(c["cluster"] for c in removed or []) or "none")
    if drill_type != "restore":
        detail += "; writer in the primary region, canary rows removed"
    if drill_type == "full":
        detail += "; replication probe removed"
    return {"status": "ok", "detail": detail}


# --- the report --------------------------------------------------------------------------------------------


def dr_drill_findings(measured, targets, steps, cleanup, failed_step=""):
    """Why the drill failed: a step that raised, no measurement, a missed target, a failed step or cleanup."""
    findings = [failed_step] if failed_step else []
    if not measured:
        findings.append("no measurement: the drill did not get that far")
    else:
        for key, label in (("rto_seconds", "RTO"), ("rpo_seconds", "RPO")):
            if _seconds(measured.get(key)) > _seconds(targets[key]):
                findings.append("%s %s s above the target %s s" % (label, measured[key], targets[key]))
    findings.extend("step failed: %s" % s["name"] for s in steps or [] if s["status"] != "ok")
    if (cleanup or {}).get("status") == "failed":  # "not run": the drill did not take the lock, nothing to undo
        findings.append("cleanup failed: %s" % cleanup.get("detail", ""))
    return findings


def dr_drill_report(drill, targets, measured, rpo_check, steps, cleanup, failed_step="", ended_at=None):
    """The report (schema ``ai_model_registry.infra/dr-drill-report/v1``, docs/dr-drill-report.md)."""
    targets = {"rto_seconds": _seconds(targets["rto_seconds"]), "rpo_seconds": _seconds(targets["rpo_seconds"])}
    cleanup = cleanup or {"status": "not run", "detail": ""}
    findings = dr_drill_findings(measured, targets, steps, cleanup, failed_step)
    return {
        "schema": SCHEMA,
        "drill_id": drill["id"],
        "type": drill["type"],
        "environment": drill["environment"],
        "started_at": _iso(drill["started_at"]),
        "ended_at": _iso(_seconds(ended_at, time.time())),
        "result": "fail" if findings else "pass",
        "findings": findings,
        "targets": targets,
        "measured": measured or {},
        "rpo_check": {
            "verdict": (rpo_check or {}).get("verdict"),
            "measurements": (rpo_check or {}).get("measurements") or [],
        },
        "steps": list(steps or []),
        "cleanup": cleanup,
        "failed_step": failed_step or "",
    }


def dr_drill_junit_cases(report):
    """The JUnit test cases of a report: one per step, RTO, RPO, the cleanup and a step that raised."""
    cases = [{"name": s["name"], "failure": None if s["status"] == "ok" else s["detail"]} for s in report["steps"]]
    measured, targets = report["measured"], report["targets"]
    for key, label in (("rto_seconds", "RTO"), ("rpo_seconds", "RPO")):
        if measured.get(key) is None:
            failure = "not measured"
        elif _seconds(measured[key]) <= _seconds(targets[key]):
            failure = None
        else:
            failure = "%s %s s" % (label, measured[key])
        cases.append({"name": "%s within %s s" % (label, targets[key]), "failure": failure})
    cleanup = report["cleanup"]
    cases.append({"name": "Cleanup", "failure": cleanup["detail"] if cleanup["status"] == "failed" else None})
    if report["failed_step"]:
        cases.append({"name": "Drill steps", "failure": report["failed_step"]})
    return cases


class FilterModule(object):
    def filters(self):
        return {
            "dr_drill_request_errors": dr_drill_request_errors,
            "dr_drill_plan": dr_drill_plan,
            "dr_drill_polls": dr_drill_polls,
            "dr_drill_canary_cover_seconds": dr_drill_canary_cover_seconds,
            "dr_drill_step": dr_drill_step,
            "dr_drill_recovery_point": dr_drill_recovery_point,
            "dr_drill_restore_measured": dr_drill_restore_measured,
            "dr_drill_switch_evidence": dr_drill_switch_evidence,
            "dr_drill_failback_step": dr_drill_failback_step,
            "dr_drill_s3_probe_step": dr_drill_s3_probe_step,
            "dr_drill_redis_step": dr_drill_redis_step,
            "dr_drill_redis_evidence": dr_drill_redis_evidence,
            "dr_drill_leftovers": dr_drill_leftovers,
            "dr_drill_cleanup_summary": dr_drill_cleanup_summary,
            "dr_drill_findings": dr_drill_findings,
            "dr_drill_report": dr_drill_report,
            "dr_drill_junit_cases": dr_drill_junit_cases,
        }
