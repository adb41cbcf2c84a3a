"""The copy function's decisions (what to do next) and the recovery point of a copy, step by step."""

from __future__ import annotations

import datetime
import importlib.util
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[4]
_spec = importlib.util.spec_from_file_location("redis_dr_copies", REPO / "plugins/module_utils/redis_dr_copies.py")
copies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(copies)

GROUP = "amr-staging-redis"
NOW = datetime.datetime(2026, 6, 1, 12, 0, 0, tzinfo=datetime.UTC)
HALF_HOUR = 1800


def at(minutes_ago: float) -> datetime.datetime:
    return NOW - datetime.timedelta(minutes=minutes_ago)


def name(minutes_ago: float) -> str:
    return copies.snapshot_name(GROUP, at(minutes_ago))


def key(minutes_ago: float, shard: int = 1) -> str:
    return f"{name(minutes_ago)}-{shard:04d}.rdb"


def snapshot(minutes_ago: float, status: str = "available", group: str = GROUP) -> dict:
    return {"SnapshotName": copies.snapshot_name(group, at(minutes_ago)), "SnapshotStatus": status}


def test_names_keys_and_recovery_points_round_trip():
    assert name(0) == "amr-staging-redis-dr-copy-20260601120000"
    assert copies.recovery_point(name(5)) == at(5)
    assert copies.recovery_point(key(5)) == at(5)
    assert copies.recovery_point(key(5, shard=3)) == at(5)
    assert copies.recovery_point("automatic.amr-staging-redis-2026-06-01-03-00") is None
    assert copies.recovery_point("amr-staging-redis-dr-copy-2026.rdb") is None


def test_the_first_run_takes_a_snapshot():
    assert copies.plan(GROUP, [], [], [], NOW, HALF_HOUR) == [("snapshot", name(0))]


def test_a_snapshot_being_created_is_waited_for():
    assert copies.plan(GROUP, [snapshot(2, "creating")], [], [], NOW, HALF_HOUR) == []


def test_an_available_snapshot_is_exported_and_no_new_one_taken_within_the_interval():
    assert copies.plan(GROUP, [snapshot(3)], [], [], NOW, HALF_HOUR) == [("export", name(3))]


def test_an_export_on_its_way_is_waited_for():
    # AWS shows the source snapshot "exporting" until ElastiCache has written the object
    assert copies.plan(GROUP, [snapshot(3, "exporting")], [], [], NOW, HALF_HOUR) == []


def test_an_exported_snapshot_waits_for_replication_before_it_is_deleted():
    assert copies.plan(GROUP, [snapshot(3)], [key(3)], [], NOW, HALF_HOUR) == []
    assert copies.plan(GROUP, [snapshot(3)], [key(3)], [key(3)], NOW, HALF_HOUR) == [("delete", name(3))]


def test_a_new_snapshot_once_the_newest_copy_is_an_interval_old():
    assert copies.plan(GROUP, [], [key(29)], [key(29)], NOW, HALF_HOUR) == []
    assert copies.plan(GROUP, [], [key(30)], [key(30)], NOW, HALF_HOUR) == [("snapshot", name(0))]


def test_a_copy_still_on_its_way_counts_as_the_newest_recovery_point():
    # exported 10 minutes ago but not replicated yet: no second snapshot piles up behind it
    assert copies.plan(GROUP, [], [key(10)], [key(45)], NOW, HALF_HOUR) == []


def test_deleting_and_a_new_snapshot_in_one_run():
    steps = copies.plan(GROUP, [snapshot(31)], [key(31)], [key(31)], NOW, HALF_HOUR)
    assert steps == [("delete", name(31)), ("snapshot", name(0))]


def test_a_failed_snapshot_is_neither_a_recovery_point_nor_waited_for():
    assert copies.plan(GROUP, [snapshot(1, "failed")], [], [], NOW, HALF_HOUR) == [("snapshot", name(0))]


def test_other_snapshots_of_the_group_are_left_alone():
    weekly = {"SnapshotName": GROUP + "-weekly-202606010400", "SnapshotStatus": "available"}
    other = snapshot(50, group="amr-production-redis")
    assert copies.plan(GROUP, [weekly, other], [], [], NOW, HALF_HOUR) == [("snapshot", name(0))]


def test_several_pending_snapshots_are_handled_oldest_first():
    steps = copies.plan(GROUP, [snapshot(5), snapshot(40)], [key(40)], [key(40)], NOW, HALF_HOUR)
    assert steps == [("delete", name(40)), ("export", name(5))]


@pytest.mark.parametrize(
    ("keys", "newest"),
    [
        ([], (None, None)),
        ([key(90), key(30), key(60)], (key(30), at(30))),
        # a copy is complete with its first shard: a lone second shard is not a copy yet
        ([key(90), key(10, shard=2)], (key(90), at(90))),
        (["notes.txt", key(5)], (key(5), at(5))),
    ],
)
def test_the_newest_copy(keys, newest):
    assert copies.newest_copy(keys) == newest


def test_the_objects_of_a_copy_of_several_shards_in_shard_order():
    keys = [key(5, 2), key(5, 1), key(30, 1), key(5, 3)]
    assert copies.copy_objects(keys, key(5)) == [key(5, 1), key(5, 2), key(5, 3)]


def test_a_copy_asked_for_now_is_taken_within_the_interval_unless_one_is_on_its_way():
    assert copies.plan(GROUP, [], [key(5)], [key(5)], NOW, HALF_HOUR, copy_now=True) == [("snapshot", name(0))]
    assert copies.plan(GROUP, [snapshot(1, "creating")], [], [key(5)], NOW, HALF_HOUR, copy_now=True) == []
    # not twice in the same second (the snapshot's name is its second)
    assert copies.plan(GROUP, [snapshot(0)], [], [], NOW, HALF_HOUR, copy_now=True) == [("export", name(0))]
