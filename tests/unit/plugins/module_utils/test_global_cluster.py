"""The global-database decisions shared by the failover module and the orchestrator Lambda, branch by branch."""

from __future__ import annotations

import datetime
import importlib.util
import pathlib
import random

import pytest

REPO = pathlib.Path(__file__).resolve().parents[4]
_spec = importlib.util.spec_from_file_location("global_cluster", REPO / "plugins/module_utils/global_cluster.py")
gdb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gdb)

WEST = "arn:aws:rds:us-west-2:123456789012:cluster:registry"
EAST = "arn:aws:rds:us-east-1:123456789012:cluster:registry-dr"


def _cluster(status="available", writer=WEST, sync="connected", failover_state=None, extra=()):
    members = [
        {"DBClusterArn": arn, "IsWriter": arn == writer, **({} if arn == writer else {"SynchronizationStatus": sync})}
        for arn in (WEST, EAST, *extra)
    ]
    cluster = {"GlobalClusterIdentifier": "g", "Status": status, "GlobalClusterMembers": members}
    if failover_state:
        cluster["FailoverState"] = failover_state
    return cluster


def test_arn_parts():
    assert gdb.arn_region(EAST) == "us-east-1" and gdb.arn_cluster_id(EAST) == "registry-dr"
    assert gdb.arn_region("registry-dr") is None


def test_members_and_writer():
    cluster = _cluster()
    assert gdb.writer_arn(cluster) == WEST
    assert gdb.writer_arn({"GlobalClusterMembers": []}) is None
    assert gdb.members(cluster) == [
        {"db_cluster_arn": WEST, "region": "us-west-2", "is_writer": True, "synchronization_status": None},
        {"db_cluster_arn": EAST, "region": "us-east-1", "is_writer": False, "synchronization_status": "connected"},
    ]


@pytest.mark.parametrize(
    ("cluster", "region", "expected"), [(EAST, None, EAST), ("REGISTRY-DR", None, EAST), (None, "us-east-1", EAST)]
)
def test_resolve_target_by_arn_identifier_or_region(cluster, region, expected):
    assert gdb.resolve_target(_cluster(), cluster, region)["DBClusterArn"] == expected


@pytest.mark.parametrize(
    ("cluster", "region", "reason"),
    [("stranger", None, "not_a_member"), (None, "eu-west-1", "not_a_member"), (None, "us-east-1", "ambiguous_target")],
)
def test_resolve_target_refusals(cluster, region, reason):
    two_in_east = _cluster(extra=("arn:aws:rds:us-east-1:123456789012:cluster:other",))
    with pytest.raises(gdb.RefusedError) as refused:
        gdb.resolve_target(two_in_east, cluster, region)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("cluster", "expected"),
    [
        (_cluster(writer=EAST), "done"),
        (_cluster(), "idle"),
        (_cluster(status="switching-over", failover_state={"Status": "pending", "ToDbClusterArn": EAST}), "running"),
        (_cluster(status="failing-over", failover_state={"Status": "failing-over", "ToDbClusterArn": WEST}), "busy"),
        (_cluster(status="modifying", writer=EAST), "idle"),
    ],
)
def test_transition(cluster, expected):
    assert gdb.transition(cluster, EAST) == expected


@pytest.mark.parametrize(
    ("cluster", "status", "planned", "reason"),
    [
        (_cluster(status="modifying"), "available", True, "global_cluster_not_available"),
        (_cluster(), "backing-up", True, "target_not_healthy"),
        (_cluster(sync="pending-resync"), "available", True, "target_not_healthy"),
    ],
)
def test_check_target_refusals(cluster, status, planned, reason):
    member = gdb.resolve_target(cluster, EAST)
    with pytest.raises(gdb.RefusedError) as refused:
        gdb.check_target(cluster, member, status, planned)
    assert refused.value.reason == reason


def test_a_failover_accepts_a_secondary_that_is_not_synchronized():
    cluster = _cluster(sync="pending-resync")
    gdb.check_target(cluster, gdb.resolve_target(cluster, EAST), "available", planned=False)


def test_lag_queries_window_and_parsing():
    queries = gdb.lag_queries("registry-dr")
    assert [q["MetricStat"]["Metric"]["MetricName"] for q in queries] == [
        "AuroraGlobalDBReplicationLag",
        "AuroraGlobalDBRPOLag",
    ]
    now = datetime.datetime(2026, 1, 1, 12, 0, 30, tzinfo=datetime.UTC)
    start, end = gdb.lag_window(now)
    assert (now - start).total_seconds() == 600 and (end - now).total_seconds() == 60
    older, newer = now - datetime.timedelta(minutes=2), now - datetime.timedelta(minutes=1)
    lag = gdb.parse_lag(
        [
            {"Id": "replication", "Timestamps": [older, newer], "Values": [9000.0, 250.0]},
            {"Id": "rpo", "Timestamps": [], "Values": []},
        ]
    )
    assert lag == {"replication_seconds": 0.25, "rpo_seconds": None, "measured_at": newer.isoformat()}


@pytest.mark.parametrize(
    ("replication", "rpo", "bound", "reason"),
    [(None, None, 60, "lag_unknown"), (0.5, 61.0, 60, "lag_above_bound"), (0.5, 0.2, 60, None), (0.0, None, 0, None)],
)
def test_check_lag(replication, rpo, bound, reason):
    lag = {"replication_seconds": replication, "rpo_seconds": rpo, "measured_at": None}
    if reason is None:
        gdb.check_lag(lag, bound)
        return
    with pytest.raises(gdb.RefusedError) as refused:
        gdb.check_lag(lag, bound)
    assert refused.value.reason == reason


def test_backoff_grows_to_its_cap_with_jitter():
    delays = gdb.backoff_delays(initial=1.0, maximum=5.0, factor=2.0, rng=random.Random(1))
    first = [next(delays) for poll in range(8)]
    assert 0.5 <= first[0] <= 1.0 and all(2.5 <= d <= 5.0 for d in first[3:])
    assert len(set(first)) == len(first)  # jittered: no two polls in lockstep


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.now += seconds


def _lag_reads(first_datapoint_at, clock):
    """A new secondary's lag as CloudWatch answers it: no datapoint until ``first_datapoint_at``."""
    reads = []

    def read():
        reads.append(clock())
        known = clock() >= first_datapoint_at
        return {"replication_seconds": 0.05 if known else None, "rpo_seconds": None, "measured_at": None}

    return read, reads


def test_a_new_secondarys_lag_is_read_until_its_first_datapoint():
    clock = _Clock()
    read, reads = _lag_reads(first_datapoint_at=70, clock=clock)
    lag = gdb.lag_when_known(read, deadline=1800, clock=clock, sleep=clock.sleep)
    assert lag["replication_seconds"] == 0.05
    assert 70 <= clock.now < 70 + 20  # at most one poll delay after the datapoint came
    assert len(reads) > 2


def test_a_lag_known_at_once_costs_one_read():
    clock = _Clock()
    read, reads = _lag_reads(first_datapoint_at=0, clock=clock)
    assert gdb.lag_when_known(read, deadline=1800, clock=clock, sleep=clock.sleep)["replication_seconds"] == 0.05
    assert reads == [0.0]


@pytest.mark.parametrize(("deadline", "stops_at"), [(1800, gdb.FIRST_LAG_DATAPOINT_SECONDS), (40, 40)])
def test_no_datapoint_is_waited_for_past_the_patience_or_the_deadline(deadline, stops_at):
    clock = _Clock()
    read, reads = _lag_reads(first_datapoint_at=10_000, clock=clock)
    lag = gdb.lag_when_known(read, deadline=deadline, clock=clock, sleep=clock.sleep)
    assert not gdb.lag_known(lag) and clock.now == pytest.approx(stops_at)
    with pytest.raises(gdb.RefusedError) as refused:
        gdb.check_lag(lag, 60)
    assert refused.value.reason == "lag_unknown"
