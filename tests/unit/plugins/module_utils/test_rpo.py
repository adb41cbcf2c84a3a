"""Recovery point evaluation used by rpo_check, branch by branch."""

from __future__ import annotations

import datetime
import importlib.util
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[4]
_spec = importlib.util.spec_from_file_location("rpo", REPO / "plugins/module_utils/rpo.py")
rpo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rpo)

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("value", "target", "informational", "status"),
    [
        (10.0, 60.0, False, "ok"),
        (60.0, 60.0, False, "ok"),
        (61.0, 60.0, False, "breach"),
        (None, 60.0, False, "missing"),
        (3.0, None, False, "info"),
        (3.0, 0, True, "info"),
        (None, None, True, "missing"),
    ],
)
def test_measurement_status(value, target, informational, status):
    m = rpo.measurement("n", "s", "metric", value, "seconds", "src", target, informational=informational)
    assert m["status"] == status
    assert m["target"] == (None if informational else target)


def test_ages_from_datetimes_naive_datetimes_and_epoch_seconds():
    assert rpo.age_seconds(NOW - datetime.timedelta(minutes=5), NOW) == 300
    assert rpo.age_seconds(datetime.datetime(2026, 6, 1, 11, 0), NOW) == 3600  # naive means UTC
    assert rpo.age_seconds(NOW.timestamp() - 90, NOW) == 90


def test_metric_batch_groups_by_region_and_keeps_the_newest_value():
    batch = rpo.MetricBatch()
    first = batch.add("us-east-1", "AWS/RDS", "AuroraGlobalDBRPOLag", [("DBClusterIdentifier", "c")], "Maximum", 0.001)
    second = batch.add("us-west-2", "AWS/S3", "ReplicationLatency", [("SourceBucket", "b")], "Maximum")
    third = batch.add("us-east-1", "AWS/RDS", "AuroraGlobalDBReplicationLag", [("DBClusterIdentifier", "c")], "Maximum")
    assert sorted(batch.queries) == ["us-east-1", "us-west-2"]
    assert [q["Id"] for q in batch.queries["us-east-1"]] == [first, third]
    assert len({first, second, third}) == 3 and all(q[0].islower() for q in (first, second, third))
    newest = rpo.MetricBatch.newest(
        [
            {"Id": first, "Timestamps": [NOW - datetime.timedelta(minutes=1), NOW], "Values": [7.0, 9.0]},
            {"Id": second, "Timestamps": [], "Values": []},
        ]
    )
    assert newest == {first: (9.0, NOW), second: (None, None)}
    assert batch.source(first) == "cloudwatch us-east-1 AWS/RDS AuroraGlobalDBRPOLag Maximum (DBClusterIdentifier=c)"


def test_metric_batch_keeps_the_newest_value_of_a_query_whose_data_points_span_pages():
    """GetMetricData pages by data points: one query's data points can come in two results, newest first."""
    minute = datetime.timedelta(minutes=1)
    pages = [
        {"Id": "q0", "Timestamps": [NOW, NOW - minute], "Values": [9.0, 8.0], "StatusCode": "PartialData"},
        {"Id": "q0", "Timestamps": [NOW - 2 * minute], "Values": [7.0], "StatusCode": "Complete"},
        {"Id": "q1", "Timestamps": [NOW - 3 * minute], "Values": [5.0], "StatusCode": "PartialData"},
        {"Id": "q1", "Timestamps": [], "Values": [], "StatusCode": "Complete"},
        {"Id": "q2", "Timestamps": [], "Values": []},
    ]
    assert rpo.MetricBatch.newest(pages) == {"q0": (9.0, NOW), "q1": (5.0, NOW - 3 * minute), "q2": (None, None)}


def test_newest_recovery_point_ignores_unfinished_ones():
    points = [
        {"RecoveryPointArn": "old", "Status": "COMPLETED", "CreationDate": NOW - datetime.timedelta(hours=5)},
        {"RecoveryPointArn": "new", "Status": "COMPLETED", "CreationDate": NOW - datetime.timedelta(hours=1)},
        {"RecoveryPointArn": "running", "Status": "PARTIAL", "CreationDate": NOW},
    ]
    assert rpo.newest_recovery_point(points)["RecoveryPointArn"] == "new"
    assert rpo.newest_recovery_point(points[2:]) is None


def test_newest_snapshot_time_skips_snapshots_being_created():
    snapshots = [
        {"SnapshotStatus": "available", "NodeSnapshots": [{"SnapshotCreateTime": NOW - datetime.timedelta(days=1)}]},
        {"SnapshotStatus": "creating", "NodeSnapshots": [{"SnapshotCreateTime": NOW}]},
        {"SnapshotStatus": "available", "NodeSnapshots": []},
    ]
    assert rpo.newest_snapshot_time(snapshots) == NOW - datetime.timedelta(days=1)
    assert rpo.newest_snapshot_time([]) is None


def test_verdict():
    ok = rpo.measurement("a", "s", "m", 5.0, "seconds", "src", 60.0)
    info = rpo.measurement("b", "s", "m", 900.0, "count", "src", None, informational=True)
    late = rpo.measurement("c", "s", "m", 7200.0, "seconds", "src", 3600.0)
    assert rpo.verdict([ok, info]) == {
        "breaches": [],
        "verdict": "pass",
        "worst_rpo_seconds": 5.0,
        "summary": "pass: 1 figure within the target (the worst measured 5 s, s m)",
        "findings": [],
    }
    assert rpo.verdict([ok, late])["verdict"] == "fail" and rpo.verdict([ok, late])["worst_rpo_seconds"] == 7200.0
    nothing = rpo.verdict([])  # nothing measured proves nothing
    assert (nothing["verdict"], nothing["summary"], nothing["findings"]) == (
        "fail",
        "fail: nothing was measured",
        ["nothing was measured"],
    )


def test_a_fail_says_why_not_only_the_worst_figure():
    """A missing recovery point fails the verdict though every measured figure is small: the summary counts the
    findings, and each names its store, its figure against the target and its detail."""
    lag = rpo.measurement("lag", "aurora_global", "AuroraGlobalDBRPOLag", 0.05, "seconds", "src", 3600.0)
    vault = rpo.measurement(
        "v",
        "backup",
        "age of the newest completed recovery point",
        None,
        "seconds",
        "src",
        3600.0,
        detail="vault v1, no completed recovery point",
    )
    late = rpo.measurement("c", "redis", "age of the newest snapshot", 90000.0, "seconds", "src", 86400.0)
    failed = rpo.measurement("f", "s3_replication", "OperationsFailedReplication", 3.0, "count", "src", 0)
    result = rpo.verdict([lag, vault, late, failed])
    pending = rpo.measurement(
        "p", "s3_replication", "OperationsPendingReplication", None, "count", "src", None, informational=True
    )
    assert rpo.finding(pending) == "s3_replication: OperationsPendingReplication missing"
    assert result["summary"] == (
        "fail: 3 of 4 figures missing or over the target (the worst measured 90000 s, redis age of the newest snapshot)"
    )
    assert result["findings"] == [
        "backup: age of the newest completed recovery point missing (target 3600 s): vault v1, no completed "
        "recovery point",
        "redis: age of the newest snapshot 90000 s, over the target of 86400 s",
        "s3_replication: OperationsFailedReplication 3, over the target of 0",
    ]
