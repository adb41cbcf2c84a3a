"""rds_global_cluster_failover through ansible-playbook, on the global database the real templates build."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from emulator.seed import DR, PRIMARY, deploy_seed_order
from tests.integration.ansible import REPO, run_module

GLOBAL_ID = "ai-model-registry-aurora-cluster-global"
PRIMARY_ID, SECONDARY_ID = "ai-model-registry-aurora-cluster", "ai-model-registry-aurora-cluster-dr"
MODULE = "rds_global_cluster_failover"


def documented(module: str, section: str) -> dict:
    """DOCUMENTATION, EXAMPLES or RETURN of one of our modules, parsed."""
    source = (REPO / "plugins/modules" / f"{module}.py").read_text()
    return yaml.safe_load(source.split(f'{section} = r"""')[1].split('"""')[0])


@pytest.fixture
def gdb(aws, client):
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 2, "global_failover_seconds": 2})
    deploy_seed_order(client)
    return aws


def _writer(client, region: str = DR) -> str:
    gc = client("rds", region).describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
    return next(m["DBClusterArn"] for m in gc["GlobalClusterMembers"] if m["IsWriter"]).split(":")[-1]


def _run(gdb, tmp_path: pathlib.Path, *extra: str, **args) -> dict:
    return run_module(gdb, tmp_path, MODULE, {"global_cluster_identifier": GLOBAL_ID, **args}, *extra)[0]


def _writes(gdb) -> list[str]:
    return [f"{e['service']}.{e['action']}" for e in gdb.requests()["log"] if e["write"]]


def test_switchover_and_back_then_an_idempotent_rerun(gdb, client, tmp_path):
    result = _run(gdb, tmp_path, target_region=DR, max_lag_seconds=5, describe_writer=True)
    assert result["changed"] is True and not result.get("failed")
    assert result["previous_writer"].endswith(PRIMARY_ID) and result["new_writer"].endswith(SECONDARY_ID)
    assert _writer(client) == SECONDARY_ID
    assert result["lag"]["replication_seconds"] == pytest.approx(0.05)
    assert result["estimated_data_loss_seconds"] is None
    assert 2 <= result["timings"]["seconds"] < 2 + 5  # the emulator's duration, plus at most one poll delay
    pages = [c for i, c in enumerate(result["api_calls"]) if i == 0 or result["api_calls"][i - 1] != c]
    assert pages[:4] == [  # a call and the pages that follow it as one (the lag's GetMetricData pages)
        "rds.DescribeGlobalClusters",
        "rds.DescribeDBClusters",
        "cloudwatch.GetMetricData",
        "rds.SwitchoverGlobalCluster",
    ]
    assert set(pages[4:-1]) == {"rds.DescribeGlobalClusters"} and pages[-1] == "rds.DescribeDBClusters"
    # describe_writer: the new writer as DescribeDBClusters has it in its region, its endpoints for the Secrets
    [described] = client("rds", DR).describe_db_clusters(DBClusterIdentifier=SECONDARY_ID)["DBClusters"]
    assert result["writer"]["db_cluster_arn"] == result["new_writer"] == described["DBClusterArn"]
    assert (result["writer"]["endpoint"], result["writer"]["port"]) == (described["Endpoint"], described["Port"])
    # every documented return key is really returned (reason only on failure)
    assert set(documented(MODULE, "RETURN")) - {"reason"} <= set(result)
    member_keys = set(documented(MODULE, "RETURN")["members"]["contains"])
    assert all(set(m) == member_keys for m in result["members"])
    assert set(result["lag"]) == set(documented(MODULE, "RETURN")["lag"]["contains"])
    assert set(result["timings"]) == set(documented(MODULE, "RETURN")["timings"]["contains"])

    again = _run(gdb, tmp_path, target_db_cluster_identifier=SECONDARY_ID)
    assert again["changed"] is False and again["api_calls"] == ["rds.DescribeGlobalClusters"]

    # AWS publishes a new secondary's lag with the next minute's datapoints: a switch back at once waits for the
    # first one (AWS's "Monitoring Aurora Global Database" page) instead of refusing an unknown lag.
    gdb.post("aws", "/_emulator/config", {"first_lag_datapoint_seconds": 8})
    back = _run(gdb, tmp_path, target_region=PRIMARY)
    assert back["changed"] is True and _writer(client, PRIMARY) == PRIMARY_ID
    assert back["lag"]["replication_seconds"] == pytest.approx(0.05)
    assert back["api_calls"].count("cloudwatch.GetMetricData") > 1  # read until the first datapoint came


def test_failover_needs_allow_data_loss_and_reports_the_estimated_loss(gdb, client, tmp_path):
    gdb.post("aws", "/_emulator/config", {"replication_lag_ms": 1500, "global_resync_seconds": 120})
    gdb.post("aws", "/_emulator/requests", method="DELETE")
    refused = _run(gdb, tmp_path, target_region=DR, mode="failover")
    assert refused["failed"] and refused["reason"] == "allow_data_loss_required"
    assert "allow_data_loss: true" in refused["msg"]
    assert gdb.requests()["total"] == 0  # refused before any AWS call
    result = _run(gdb, tmp_path, target_region=DR, mode="failover", allow_data_loss=True)
    assert result["changed"] and _writer(client) == SECONDARY_ID
    assert result["estimated_data_loss_seconds"] == pytest.approx(1.5)
    assert "rds.FailoverGlobalCluster" in result["api_calls"]
    old = next(m for m in result["members"] if m["db_cluster_arn"].endswith(":" + PRIMARY_ID))
    assert old["synchronization_status"] == "pending-resync"


def test_check_mode_changes_nothing_and_shows_the_writer_diff(gdb, client, tmp_path):
    gdb.post("aws", "/_emulator/requests", method="DELETE")
    result = _run(gdb, tmp_path, "--check", "--diff", target_region=DR)
    assert result["changed"] is True
    assert result["diff"] == {
        "before": {"writer": result["previous_writer"]},
        "after": {"writer": result["target_db_cluster_arn"]},
    }
    assert "SwitchoverGlobalCluster" not in " ".join(result["api_calls"])
    assert _writes(gdb) == [] and _writer(client) == PRIMARY_ID


@pytest.mark.parametrize(
    ("args", "config", "reason", "message"),
    [
        ({"global_cluster_identifier": "nope", "target_region": DR}, {}, "global_cluster_not_found", "not found"),
        ({"target_db_cluster_identifier": "stranger"}, {}, "not_a_member", "not a member"),
        ({"target_region": "eu-west-1"}, {}, "not_a_member", "no member in eu-west-1"),
        ({"target_region": DR, "max_lag_seconds": 1}, {"replication_lag_ms": 4000}, "lag_above_bound", "4.000 s"),
        ({"target_region": DR, "mode": "switchover", "allow_data_loss": True}, {}, "allow_data_loss_required", ""),
    ],
)
def test_refusals_leave_the_writer_unchanged(gdb, client, tmp_path, args, config, reason, message):
    if config:
        gdb.post("aws", "/_emulator/config", config)
    gdb.post("aws", "/_emulator/requests", method="DELETE")
    result = _run(gdb, tmp_path, **args)
    assert result["failed"] and result["changed"] is False
    assert result["reason"] == reason and message in result["msg"]
    assert _writes(gdb) == []
    assert _writer(client) == PRIMARY_ID


def test_a_target_that_is_not_synchronized_is_refused(gdb, client, tmp_path):
    gdb.post("aws", "/_emulator/config", {"global_resync_seconds": 120})
    _run(gdb, tmp_path, target_region=DR, mode="failover", allow_data_loss=True)
    # the old primary is being rebuilt (pending-resync): a switchover back must wait for it
    result = _run(gdb, tmp_path, target_region=PRIMARY)
    assert result["failed"] and result["reason"] == "target_not_healthy"
    assert "pending-resync" in result["msg"]
    assert _writer(client) == SECONDARY_ID


def test_timeout_reports_the_state_reached(gdb, client, tmp_path):
    gdb.post("aws", "/_emulator/config", {"global_switchover_seconds": 6})
    result = _run(gdb, tmp_path, target_region=DR, wait_timeout=1)
    assert result["failed"] and result["reason"] == "timeout" and result["changed"] is True
    assert "switching-over" in result["msg"] and result["timings"]["completed_at"] is None
    # a rerun finds the switchover under way and waits for it instead of starting another one
    again = _run(gdb, tmp_path, target_region=DR)
    assert not again.get("failed") and again["changed"] is False
    assert "rds.SwitchoverGlobalCluster" not in again["api_calls"]
    assert _writer(client) == SECONDARY_ID


@pytest.mark.slow(seconds=50)
def test_settle_waits_for_the_rebuild_and_for_a_running_switch(gdb, client, tmp_path):
    # long enough that the next ansible-playbook starts while the old primary is still being rebuilt
    gdb.post("aws", "/_emulator/config", {"global_resync_seconds": 12})
    failed_over = _run(gdb, tmp_path, target_region=DR, mode="failover", allow_data_loss=True)
    assert failed_over["settled_seconds"] is None  # without settle, the writer in place is enough
    # the writer is already the target: no switch, only the wait until the old primary is a connected secondary
    rebuilt = _run(gdb, tmp_path, target_region=DR, settle=True)
    assert not rebuilt.get("failed") and rebuilt["changed"] is False and rebuilt["settled_seconds"] > 0
    assert set(rebuilt["api_calls"]) == {"rds.DescribeGlobalClusters"}
    assert [m["synchronization_status"] for m in rebuilt["members"] if not m["is_writer"]] == ["connected"]
    # a switch under way to the other region is waited out (not refused as busy), then the writer comes back
    gdb.post("aws", "/_emulator/config", {"global_switchover_seconds": 10})
    _run(gdb, tmp_path, target_region=PRIMARY, wait=False)
    back = _run(gdb, tmp_path, target_region=DR, settle=True)
    assert not back.get("failed") and back["changed"] is True and back["settled_seconds"] > 0
    assert back["api_calls"].count("rds.SwitchoverGlobalCluster") == 1 and _writer(client) == SECONDARY_ID


def test_ansible_doc_renders_the_module():
    import subprocess
    import sys

    from tests.integration.ansible import BIN

    out = subprocess.run(  # noqa: S603 - our own venv's ansible-doc
        [str(BIN / "ansible-doc"), f"ai_model_registry.infra.{MODULE}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={"ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build"), "PATH": str(pathlib.Path(sys.executable).parent)},
    ).stdout
    for option in documented(MODULE, "DOCUMENTATION")["options"]:
        assert option in out
    assert "RETURN VALUES" in out and "estimated_data_loss_seconds" in out
