"""dr_drill_temporary_clusters on a fake RDS: which clusters are a drill's, the deletion order, waits and refusals."""

from __future__ import annotations

import botocore.exceptions
import botocore.session
import pytest

from ansible_collections.ai_model_registry.infra.plugins.action import dr_drill_temporary_clusters as cleanup
from ansible_collections.ai_model_registry.infra.plugins.module_utils import drill_clusters
from tests.unit.plugins.helpers import Clock, Done, FakeModule

PREFIX = "ai-model-registry-staging-drill-"
TAG = "ai-model-registry:dr-drill"


def _cluster(name, tags=None, instances=(), protected=False):
    return {
        "DBClusterIdentifier": name,
        "TagList": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        "DBClusterMembers": [{"DBInstanceIdentifier": i} for i in instances],
        "DeletionProtection": protected,
    }


def _not_found(code, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": "not found"}}, operation)


class FakeRds:
    """RDS as DescribeDBClusters pages it (``Marker``, one cluster a page), deleting in the background: a deleted
    instance or cluster is still described for ``lingers`` more calls, and a cluster with instances is refused."""

    meta = botocore.session.get_session().create_client("rds", region_name="us-east-1").meta

    def __init__(self, clusters, lingers=2, restore_job_polls=0):
        self.clusters = {c["DBClusterIdentifier"]: c for c in clusters}
        self.instances = {
            i["DBInstanceIdentifier"]: c["DBClusterIdentifier"] for c in clusters for i in c["DBClusterMembers"]
        }
        self.going, self.lingers, self.writes = {}, lingers, []
        self.restore_job_polls = restore_job_polls  # DescribeRestoreJob answers RUNNING this many times

    def describe_restore_job(self, **params):  # AWS Backup's: FakeModule gives this client for every service
        self.restore_job_polls -= 1
        return {
            "RestoreJobId": params["RestoreJobId"],
            "Status": "RUNNING" if self.restore_job_polls >= 0 else "ABORTED",
        }

    def can_paginate(self, operation_name):
        return operation_name == "describe_db_clusters"

    def _tick(self):
        for name in list(self.going):
            self.going[name] -= 1
            if self.going[name] < 0:
                del self.going[name]
                self.clusters.pop(name, None)
                self.instances.pop(name, None)

    def describe_db_clusters(self, **params):
        self._tick()
        if "DBClusterIdentifier" in params:
            if params["DBClusterIdentifier"] not in self.clusters:
                raise _not_found("DBClusterNotFoundFault", "DescribeDBClusters")
            return {"DBClusters": [self.clusters[params["DBClusterIdentifier"]]]}
        names = sorted(self.clusters)
        start = names.index(params["Marker"]) if "Marker" in params else 0
        page = {"DBClusters": [self.clusters[n] for n in names[start : start + 1]]}
        if start + 1 < len(names):
            page["Marker"] = names[start + 1]
        return page

    def describe_db_instances(self, **params):
        self._tick()
        if params["DBInstanceIdentifier"] not in self.instances:
            raise _not_found("DBInstanceNotFound", "DescribeDBInstances")
        return {"DBInstances": [{"DBInstanceIdentifier": params["DBInstanceIdentifier"]}]}

    def delete_db_instance(self, **params):
        assert params["SkipFinalSnapshot"] is True
        self.writes.append(("instance", params["DBInstanceIdentifier"]))
        self.going.setdefault(params["DBInstanceIdentifier"], self.lingers)

    def delete_db_cluster(self, **params):
        assert params["SkipFinalSnapshot"] is True
        name = params["DBClusterIdentifier"]
        if any(cluster == name for cluster in self.instances.values()):
            raise _not_found("InvalidDBClusterStateFault", "DeleteDBCluster")  # AWS: it still has instances
        self.writes.append(("cluster", name))
        self.going.setdefault(name, self.lingers)


def _run(rds, check_mode=False, **params):
    args = {"environment": "staging", "tag_key": TAG, "name_prefix": PREFIX, "wait_timeout": 60, "restore_job_id": None}
    module = FakeModule(rds, {**args, **params}, region="us-west-2", check_mode=check_mode)
    clock = Clock(1000.0)
    with pytest.raises(Done) as outcome:
        cleanup.main(module, clock, clock.sleep)
    return outcome.value


DRILLS = [
    _cluster(PREFIX + "9a6d1b47", {TAG: "drill-1", "Environment": "staging"}, ["drill-1-instance"]),
    _cluster(PREFIX + "deadbeef", {}, []),  # interrupted before it was tagged: found by its name
    _cluster("restored-by-hand", {TAG: "drill-2", "Environment": "staging"}, ["by-hand-1"]),
    _cluster("ai-model-registry-staging-aurora", {"Environment": "staging"}, ["writer"]),
    _cluster("production-drill", {TAG: "drill-3", "Environment": "production"}, ["p-1"]),
    _cluster(PREFIX + "not-hex!", {}, []),
]


def test_deletes_every_drill_cluster_of_the_environment_read_from_every_page_instances_first():
    rds = FakeRds(DRILLS)
    done = _run(rds)
    assert not done.failed and done.result["changed"] is True
    assert done.result["removed"] == [
        {"cluster": PREFIX + "9a6d1b47", "instances": ["drill-1-instance"]},
        {"cluster": PREFIX + "deadbeef", "instances": []},
        {"cluster": "restored-by-hand", "instances": ["by-hand-1"]},
    ]
    assert rds.writes == [
        ("instance", "drill-1-instance"),
        ("instance", "by-hand-1"),
        ("cluster", PREFIX + "9a6d1b47"),
        ("cluster", PREFIX + "deadbeef"),
        ("cluster", "restored-by-hand"),
    ]
    assert sorted(rds.clusters) == ["ai-model-registry-staging-aurora", PREFIX + "not-hex!", "production-drill"]
    calls = done.result["api_calls"]
    assert calls[: len(DRILLS)] == ["rds.DescribeDBClusters"] * len(DRILLS)  # one page a cluster, by Marker
    assert calls.count("rds.DescribeDBInstances") > 2  # waited until the instances were gone


def test_nothing_left_is_no_change_and_no_write():
    rds = FakeRds(DRILLS[3:])
    done = _run(rds)
    assert not done.failed and done.result == {
        "changed": False,
        "removed": [],
        "api_calls": ["rds.DescribeDBClusters"] * 3,
    }
    assert rds.writes == []


def test_check_mode_says_what_it_would_delete_and_deletes_nothing():
    rds = FakeRds(DRILLS)
    done = _run(rds, check_mode=True)
    assert done.result["changed"] is True and len(done.result["removed"]) == 3 and rds.writes == []


def test_a_cluster_with_deletion_protection_is_refused_before_any_deletion():
    rds = FakeRds([*DRILLS, _cluster(PREFIX + "0badc0de", {}, ["x-1"], protected=True)])
    done = _run(rds)
    assert done.failed and "Deletion protection is on for " + PREFIX + "0badc0de" in done.result["msg"]
    assert rds.writes == []


def test_a_deletion_that_outlasts_the_timeout_names_what_is_left():
    rds = FakeRds(DRILLS[:1], lingers=10_000)
    done = _run(rds, wait_timeout=30)
    assert done.failed and done.result["msg"] == "still being deleted after 30 s: drill-1-instance"


def test_a_restore_job_still_running_is_waited_for_before_the_clusters_are_read():
    rds = FakeRds(DRILLS[:1], restore_job_polls=3)
    done = _run(rds, restore_job_id="job-1")
    assert not done.failed and done.result["api_calls"][:5] == ["backup.DescribeRestoreJob"] * 4 + [
        "rds.DescribeDBClusters"
    ]


def test_a_restore_job_that_outlasts_the_timeout_fails_before_any_deletion():
    rds = FakeRds(DRILLS[:1], restore_job_polls=10_000)
    done = _run(rds, restore_job_id="job-1", wait_timeout=30)
    assert done.failed and done.result["msg"] == "restore job job-1 is still RUNNING after 30 s" and rds.writes == []


def test_an_empty_prefix_is_refused_before_any_call():
    rds = FakeRds(DRILLS)
    done = _run(rds, name_prefix="")
    assert done.failed and done.result["msg"] == "name_prefix must not be empty" and done.result["api_calls"] == []


@pytest.mark.parametrize(
    ("name", "tags", "restored"),
    [
        (PREFIX + "0123abcd", {}, True),
        (PREFIX + "0123ABCD", {}, False),  # the drill names its clusters with lower-case hex
        (PREFIX + "0123abcd-1", {}, False),
        ("anything", {TAG: "d", "Environment": "staging"}, True),
        ("anything", {TAG: "d"}, False),
        ("anything", {"Environment": "staging"}, False),
    ],
)
def test_restored_by_a_drill(name, tags, restored):
    assert drill_clusters.restored_by_a_drill(name, tags, TAG, "staging", PREFIX) is restored
