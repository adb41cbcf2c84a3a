"""Redis without a Global Datastore, on the emulator: the backup stack's copy function snapshots the real cache,
ElastiCache exports the snapshot to S3 (as its service principal, ACLs disabled), S3 replicates it to the DR region,
dr_status.yml reads its age, and failover.yml rebuilds Redis in the DR region from it (redis-dr.yaml without a Global
Datastore): what the cache held at the snapshot is there, what was written after is not. The drills' rebuild (a copy
taken first, measured by sentinel keys) runs in test_aws_test_mode, whose environment has no Global Datastore."""

from __future__ import annotations

import base64
import json
import re
import time

import pytest
import redis as redis_client
from kubernetes import client as k8s
from kubernetes import config

from emulator import tls
from tests.integration.ansible import playbook
from tests.integration.drills import stack_outputs

DR = "us-east-1"


def _invoke(client, function: str) -> dict:
    response = client("lambda").invoke(FunctionName=function, Payload=b"{}")
    result = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, result
    return result


def _connect(outputs: dict, token: str, tls_dir) -> redis_client.Redis:
    return redis_client.Redis(
        host=outputs["RedisEndpoint"],
        port=int(outputs["RedisPort"]),
        password=token,
        ssl=True,
        ssl_ca_certs=str(tls.files(tls_dir).ca),
        decode_responses=True,
    )


def _copy_to_the_dr_region(client, function: str, after: str | None = None) -> str:
    """Run the copy function as its schedule would until a copy newer than ``after`` has reached the DR region: its
    first object. (With ``after``, the first run asks for a copy now, as redis_dr_copy does.)"""
    payload = b'{"copy_now": true}' if after else b"{}"
    for _run in range(10):
        response = client("lambda").invoke(FunctionName=function, Payload=payload)
        newest = json.loads(response["Payload"].read())["newest_copy"]
        if newest and newest != after:
            return newest
        payload = b"{}"
        time.sleep(1.1)  # the export's S3 replication (s3_replication_latency_seconds); a new second for the name
    raise AssertionError("no new copy reached the DR region")


def _redis_secret(aws) -> dict[str, str]:
    api = k8s.CoreV1Api(config.new_client_from_config(str(aws.kubeconfig)))
    secret = api.read_namespaced_secret("redis-credentials", "default")
    return {key: base64.b64decode(value).decode() for key, value in secret.data.items()}


@pytest.mark.slow(seconds=140)
def test_without_a_global_datastore_failover_rebuilds_redis_in_the_dr_region_and_fails_back(aws, client, tmp_path):
    """An environment without a Global Datastore (redis_global_datastore false): a switchover is refused while no copy
    of Redis is in the DR region; with one, failover.yml rebuilds Redis there from it and repoints redis-credentials
    (what the copy held is there, what was written after it is not); the fail back points home and deletes it."""
    aws.post(
        "aws", "/_emulator/config", {"databases": "postgresql", "caches": "redis", "s3_replication_latency_seconds": 1}
    )
    without = ("-i", "inventories/local", "-e", "redis_global_datastore=false")
    deployed = playbook(aws, "playbooks/site.yml", *without)
    assert deployed.returncode == 0, deployed.stdout[-3000:]
    redis, backup = stack_outputs(client, "redis"), stack_outputs(client, "backup")
    assert "GlobalReplicationGroupId" not in redis
    dr_stack = "ai-model-registry-development-redis-dr"  # made only by a rebuild
    assert dr_stack not in [s["StackName"] for s in client("cloudformation", DR).list_stacks()["StackSummaries"]]
    home = _redis_secret(aws)
    assert home["host"] == redis["RedisEndpoint"]

    # from the periodic copies only (the copy function's schedule), not one taken for the switchover
    periodic = ("-e", "failover_redis_copy_first=false")
    refused = playbook(aws, "playbooks/failover.yml", *without, *periodic, check=False)
    assert refused.returncode != 0 and "Nothing was changed" in refused.stdout
    assert "is missing or older than the RPO" in refused.stdout
    assert _redis_secret(aws) == home
    # Redis left where it is (no rebuild): not in the Secrets the switch repoints (a skipped Redis step used to count
    # as a Redis move, and redis-credentials was rewritten with an empty host)
    preview = playbook(aws, "playbooks/failover.yml", *without, "-e", "failover_redis_rebuild=false", "--check")
    assert "Would repoint the" not in preview.stdout and "redis" not in preview.stdout.split("RECAP")[-1]

    # the copy function as its schedule runs it: a snapshot, its export once available, its deletion once replicated
    function, group = backup["RedisDRCopyFunctionName"], redis["ReplicationGroupId"]
    with _connect(redis, home["password"], aws.tls_dir) as primary:
        primary.set("rebuild-test:before", "in the copy")
        [step] = _invoke(client, function)["steps"]
        primary.set("rebuild-test:after", "written after the copy")
    assert step["action"] == "snapshot" and step["snapshot"].startswith(f"{group}-dr-copy-")
    snapshot, copy = step["snapshot"], step["snapshot"] + "-0001.rdb"
    assert _invoke(client, function)["steps"] == [{"action": "export", "snapshot": snapshot}]
    exported = client("s3").list_objects_v2(Bucket=backup["RedisExportBucketName"])["Contents"]
    assert [o["Key"] for o in exported] == [copy]
    deadline = time.time() + 15
    while "Contents" not in client("s3", DR).list_objects_v2(Bucket=backup["RedisCopyBucketName"], Prefix=group):
        assert time.time() < deadline, "the export did not reach the DR region"
        time.sleep(0.2)
    done = _invoke(client, function)
    assert done["steps"] == [{"action": "delete", "snapshot": snapshot}] and done["newest_copy"] == copy
    names = [s["SnapshotName"] for s in client("elasticache").describe_snapshots(ReplicationGroupId=group)["Snapshots"]]
    assert snapshot not in names  # the copy lives in S3 now
    # dr_status.yml: what a rebuild would lose now, the copy's age
    status = playbook(aws, "playbooks/dr_status.yml", *without, env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    tasks = {t["task"]["name"]: t["hosts"]["registry-local"] for t in json.loads(status.stdout)["plays"][0]["tasks"]}
    measured = tasks["Measure each store's recovery point now"]["measurements"]
    [copy_age] = [m for m in measured if m["name"] == f"redis:{group}:dr_copy"]
    assert copy_age["status"] == "ok" and 0 <= copy_age["value"] < 60 and copy in copy_age["detail"]

    preview = playbook(aws, "playbooks/failover.yml", *without, *periodic, "--check")
    assert f"Stack {dr_stack} (us-east-1) would be created" in preview.stdout
    assert dr_stack not in [s["StackName"] for s in client("cloudformation", DR).list_stacks()["StackSummaries"]]

    moved = playbook(aws, "playbooks/failover.yml", *without, *periodic)
    assert moved.returncode == 0, moved.stdout[-3000:]
    rebuilt = {
        o["OutputKey"]: o["OutputValue"]
        for o in client("cloudformation", DR).describe_stacks(StackName=dr_stack)["Stacks"][0]["Outputs"]
    }
    assert rebuilt["SeedSnapshotArns"].endswith("/" + copy)
    secret = _redis_secret(aws)
    assert (secret["host"], secret["port"]) == (rebuilt["RedisEndpoint"], rebuilt["RedisPort"])
    with _connect(
        {"RedisEndpoint": secret["host"], "RedisPort": secret["port"]}, secret["password"], aws.tls_dir
    ) as app:
        assert app.get("rebuild-test:before") == "in the copy"
        assert app.get("rebuild-test:after") is None  # written after the copy: lost, as the report says
    assert re.search(r"Redis primary in us-east-1, lag [0-9.]+ s", moved.stdout)

    # a re-run, after the schedule made a newer copy (of the old primary): the rebuilt group is kept, not re-seeded
    _copy_to_the_dr_region(client, backup["RedisDRCopyFunctionName"], after=copy)
    again = playbook(aws, "playbooks/failover.yml", *without)
    assert again.returncode == 0 and re.search(r"changed=0 ", again.stdout), again.stdout[-2000:]
    # a site.yml run while failed over keeps the application on the rebuilt group (redis_primary finds it)
    playbook(aws, "playbooks/site.yml", *without)
    assert _redis_secret(aws)["host"] == rebuilt["RedisEndpoint"]

    back = playbook(aws, "playbooks/failover.yml", *without, "-e", "failover_to=primary")
    assert back.returncode == 0, back.stdout[-3000:]
    assert _redis_secret(aws)["host"] == redis["RedisEndpoint"]
    statuses = {s["StackName"]: s["StackStatus"] for s in client("cloudformation", DR).list_stacks()["StackSummaries"]}
    assert statuses[dr_stack] == "DELETE_COMPLETE"
