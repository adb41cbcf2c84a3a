# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Recovery point measurements: what to read, and how each figure compares with its target.

Pure functions over AWS API shapes (GetMetricData, ListRecoveryPointsByBackupVault,
DescribeSnapshots), used by the rpo_check module. A measurement is a dict:
``name``, ``store``, ``metric``, ``value``, ``unit``, ``measured_at``, ``source``, ``target``,
``status`` (``ok``, ``breach``, ``missing`` or ``info``) and ``detail``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

SEED_RPO_SECONDS = 3600


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def aware(value):
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value


def age_seconds(when, now):
    return round((now - aware(when)).total_seconds(), 3)


def measurement(name, store, metric, value, unit, source, target, measured_at=None, detail="", informational=False):
    """One figure with its verdict. A missing value is a finding, never a pass."""
    if value is None:
        status = "missing"
    elif informational or target is None:
        status = "info"
    else:
        status = "ok" if value <= target else "breach"
    if isinstance(measured_at, datetime.datetime):
        measured_at = aware(measured_at).isoformat()
    return {
        "name": name,
        "store": store,
        "metric": metric,
        "value": value,
        "unit": unit,
        "measured_at": measured_at,
        "source": source,
        "target": None if informational else target,
        "status": status,
        "detail": detail,
    }


class MetricBatch:
    """CloudWatch queries grouped by region: one GetMetricData per region, whatever the count."""

    def __init__(self):
        self.queries = {}  # region -> list of (query id, MetricDataQuery)
        self.specs = {}  # query id -> (region, namespace, metric, dimensions, stat, scale)

    def add(self, region, namespace, metric, dimensions, stat, scale=1.0):
        query_id = "q%d_%s" % (len(self.specs), re.sub(r"[^a-z0-9]", "", metric.lower()))
        self.specs[query_id] = (region, namespace, metric, dimensions, stat, scale)
        self.queries.setdefault(region, []).append(
            {
                "Id": query_id,
                "MetricStat": {
                    "Metric": {
                        "Namespace": namespace,
                        "MetricName": metric,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions],
                    },
                    "Period": 60,
                    "Stat": stat,
                },
                "ReturnData": True,
            }
        )
        return query_id

    @staticmethod
    def newest(results):
        """Per query id: (newest value, its time) or (None, None).

        A query's datapoints may come in several results, one a page when GetMetricData pages
        (NextToken): the newest of all of them counts, whichever page it was on."""
        pairs = {}
        for result in results:
            pairs.setdefault(result["Id"], []).extend(
                zip(result.get("Timestamps") or [], result.get("Values") or [])  # noqa: B905
            )
        return {query: max(found)[::-1] if found else (None, None) for query, found in pairs.items()}

    def source(self, query_id):
        region, namespace, metric, dimensions, stat, _scale = self.specs[query_id]
        dims = ",".join("%s=%s" % pair for pair in dimensions)
        return "cloudwatch %s %s %s %s (%s)" % (region, namespace, metric, stat, dims)


def newest_recovery_point(points):
    """The newest COMPLETED recovery point (ListRecoveryPointsBy* shapes), or None."""
    done = [p for p in points if p.get("Status") == "COMPLETED"]
    return max(done, key=lambda p: aware(p["CreationDate"])) if done else None


def newest_snapshot_time(snapshots):
    """Creation time of the newest available ElastiCache snapshot (DescribeSnapshots), or None."""
    times = []
    for snapshot in snapshots:
        if snapshot.get("SnapshotStatus", "available") != "available":
            continue
        for node in snapshot.get("NodeSnapshots") or []:
            if node.get("SnapshotCreateTime"):
                times.append(aware(node["SnapshotCreateTime"]))
    return max(times) if times else None


def quantity(value, unit):
    """A figure as a person reads it: ``5 s``, ``3`` (a count), ``none`` when it could not be measured."""
    if value is None:
        return "none"
    return {"seconds": "%g s", "count": "%g"}.get(unit, "%g " + unit) % value


def finding(m):
    """Why a breach or missing measurement fails the verdict, in one line: the store, the figure against its
    target, and the measurement's detail (which vault, which secondary)."""
    target = quantity(m["target"], m["unit"])
    if m["value"] is None:  # an informational figure has no target
        figure = "missing" + (" (target %s)" % target if m["target"] is not None else "")
    else:
        figure = "%s, over the target of %s" % (quantity(m["value"], m["unit"]), target)
    return "%s: %s %s%s" % (m["store"], m["metric"], figure, ": " + m["detail"] if m["detail"] else "")


def verdict(measurements):
    """Breaches (a target missed, or a figure missing), the overall verdict and the worst figure in seconds, with
    a one-line ``summary`` and a line per finding for a person (a fail says why, not only the worst figure)."""
    breaches = [m for m in measurements if m["status"] in ("breach", "missing")]
    timed = [m for m in measurements if m["unit"] == "seconds" and m["value"] is not None and m["target"]]
    worst = max(timed, key=lambda m: m["value"]) if timed else None
    failed = bool(breaches or not measurements)
    judged = [m for m in measurements if m["status"] != "info"]
    figures = "%d figure%s" % (len(judged), "" if len(judged) == 1 else "s")
    if not measurements:
        summary = "fail: nothing was measured"
    elif failed:
        summary = "fail: %d of %s missing or over the target" % (len(breaches), figures)
    else:
        summary = "pass: %s within the target" % figures
    if worst:
        summary += " (the worst measured %s, %s %s)" % (
            quantity(worst["value"], "seconds"),
            worst["store"],
            worst["metric"],
        )
    return {
        "breaches": breaches,
        "verdict": "fail" if failed else "pass",
        "worst_rpo_seconds": worst["value"] if worst else None,
        "summary": summary,
        "findings": [finding(m) for m in breaches] or (["nothing was measured"] if failed else []),
    }
