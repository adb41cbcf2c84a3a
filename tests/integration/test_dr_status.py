"""playbooks/dr_status.yml on the deployed platform: readiness read only, and a DR cluster whose parameter group
differs from the writer's found by the parity check (as AWS ARC Region switch's plan evaluation finds it)."""

from __future__ import annotations

import json

import pytest

from tests.integration.ansible import playbook

DR_CLUSTER = "ai-model-registry-development-aurora-cluster-dr"


def _status(aws, *extra: str) -> tuple[int, dict, dict, list[str]]:
    """dr_status.yml's exit code, what its two checks returned (the JSON callback's results) and the lines it
    shows."""
    ran = playbook(
        aws,
        "playbooks/dr_status.yml",
        "-i",
        "inventories/local",
        *extra,
        check=False,
        env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"},
    )
    tasks = {t["task"]["name"]: t["hosts"]["registry-local"] for t in json.loads(ran.stdout)["plays"][0]["tasks"]}
    readiness = tasks["Check the DR region's parity with the writer and the drills against their cadence"]
    return (
        ran.returncode,
        readiness,
        tasks["Measure each store's recovery point now"],
        tasks["Show the readiness"]["msg"],
    )


@pytest.mark.slow(seconds=25)
def test_dr_status_reads_only_and_finds_parameters_that_differ(deployed):
    aws, client = deployed, deployed.client
    code, readiness, rpo, shown = _status(aws)
    assert (
        code == 0
        and rpo["verdict"] in ("pass", "fail")
        and set(readiness["drills"]) == {"restore", "switchover", "full"}
    )
    # a person reads the verdict with why it fails - each missing or late figure, with its store and detail - then
    # each drill and the parity, once each
    assert shown[0] == f"RPO now: {rpo['summary']}" and shown[0].startswith(f"RPO now: {rpo['verdict']}: ")
    assert shown[1 : 1 + len(rpo["breaches"])] == rpo["findings"] and len(shown) == len(set(shown))
    for breach, line in zip(rpo["breaches"], rpo["findings"], strict=True):
        assert line.startswith(f"{breach['store']}: {breach['metric']} ") and line.endswith(breach["detail"])
    assert shown[1 + len(rpo["breaches"]) :] == readiness["summary"]
    writer, secondary = readiness["clusters"]
    assert (writer["writer"], secondary["cluster"], secondary["region"]) == (True, DR_CLUSTER, "us-east-1")
    assert secondary["parameters"] == writer["parameters"] and secondary["parameters"]["log_connections"] == "1"
    assert not any(f.startswith("cluster parameters") for f in readiness["parity_findings"])
    # the DR secondary takes the writer's instance class (Serverless v2 outside production): it can carry its load
    assert secondary["instance_classes"] == writer["instance_classes"] == ["db.serverless"]
    assert readiness["parity_findings"] == []
    assert [e for e in aws.requests()["log"] if e["write"]] == []
    # the live RPO of the Redis Global Datastore's DR copy: its secondary's lag, read in the DR region
    (redis_lag,) = [m for m in rpo["measurements"] if m["name"].endswith(":replication_lag") and m["store"] == "redis"]
    assert redis_lag["name"] == "redis:ai-model-registry-development-redis-dr:replication_lag"
    assert (redis_lag["value"], redis_lag["status"]) == (0.05, "ok")
    assert redis_lag["source"].startswith("cloudwatch us-east-1 AWS/ElastiCache GlobalDatastoreReplicationLag")
    # with a Global Datastore the backup stack takes no copies of Redis: none measured (test_redis_dr_copies: without)
    assert not [m for m in rpo["measurements"] if m["name"].endswith(":dr_copy")]

    rds = client("rds", "us-east-1")
    original = rds.describe_db_clusters(DBClusterIdentifier=DR_CLUSTER)["DBClusters"][0]["DBClusterParameterGroup"]
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="changed-by-hand", DBParameterGroupFamily="aurora-postgresql16", Description="x"
    )
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="changed-by-hand",
        Parameters=[{"ParameterName": "log_min_duration_statement", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    rds.modify_db_cluster(DBClusterIdentifier=DR_CLUSTER, DBClusterParameterGroupName="changed-by-hand")
    try:
        code, readiness, rpo, _shown = _status(aws, "-e", "dr_status_enforce=true")
    finally:
        rds.modify_db_cluster(DBClusterIdentifier=DR_CLUSTER, DBClusterParameterGroupName=original)
        rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName="changed-by-hand")
    (finding,) = [f for f in readiness["parity_findings"] if f.startswith("cluster parameters")]
    assert code != 0 and not readiness["ready"]
    assert finding.startswith(
        f"cluster parameters: {DR_CLUSTER} in us-east-1 (changed-by-hand) differs from the writer"
    )
    assert "log_connections=default against 1" in finding and "log_min_duration_statement=1 against default" in finding
