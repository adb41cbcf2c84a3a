"""`make test-aws` (tools/aws_test.py), the real-account test mode, run here against the worker's emulator (issue 14).

The harness is the same one a person runs against an account: it is started as a subprocess with the emulator's
environment, as it would be with real credentials, and judged by the emulator's request log and state.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
from kubernetes import client as k8s
from kubernetes import config

REPO = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"  # the emulator's (inventories/local declares it)
SETTINGS = "inventories/local/group_vars/local.yml"
REGIONS = ("us-west-2", "us-east-1")


def _harness(aws, tmp_path, *args: str, account: str | None = ACCOUNT):
    env = {**os.environ, **aws.env()}
    env.pop("AWS_TEST_ACCOUNT", None)
    if account is not None:
        env["AWS_TEST_ACCOUNT"] = account
    return subprocess.run(  # noqa: S603 - our own tool
        [sys.executable, "-m", "tools.aws_test", "--settings", SETTINGS, "--report-dir", str(tmp_path), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def _calls(aws) -> dict:
    calls = aws.requests()
    aws.post("aws", "/_emulator/requests", method="DELETE")
    return calls


def _what_carries(client, prefix: str) -> list[str]:
    """Everything in the emulator whose name carries the prefix, read with the test's own client."""
    found = []
    for region in REGIONS:
        rds, cache = client("rds", region), client("elasticache", region)
        found += [s["StackName"] for s in client("cloudformation", region).describe_stacks()["Stacks"]]
        found += [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]]
        found += [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
        found += [g["GlobalClusterIdentifier"] for g in rds.describe_global_clusters()["GlobalClusters"]]
        for kind in ("manual", "automated", "awsbackup"):
            snapshots = rds.describe_db_cluster_snapshots(SnapshotType=kind)["DBClusterSnapshots"]
            found += [f"{s['DBClusterSnapshotIdentifier']} of {s['DBClusterIdentifier']}" for s in snapshots]
        found += [g["ReplicationGroupId"] for g in cache.describe_replication_groups()["ReplicationGroups"]]
        found += [s["SnapshotName"] for s in cache.describe_snapshots()["Snapshots"]]
        secrets = client("secretsmanager", region).list_secrets(IncludePlannedDeletion=True)["SecretList"]
        found += [s["Name"] for s in secrets]
        found += [v["BackupVaultName"] for v in client("backup", region).list_backup_vaults()["BackupVaultList"]]
        found += [p["Name"] for p in client("ssm", region).describe_parameters()["Parameters"]]
        found += [f["FunctionName"] for f in client("lambda", region).list_functions()["Functions"]]
        found += [t["TopicArn"] for t in client("sns", region).list_topics()["Topics"]]
    found += [b["Name"] for b in client("s3").list_buckets()["Buckets"]]
    return [name for name in found if prefix in name]


def test_the_refusals_name_the_opt_in_and_both_accounts_and_write_nothing(aws, tmp_path):
    refused = _harness(aws, tmp_path, account=None)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "Refused: no opt-in" in refused.stderr and "AWS_TEST_ACCOUNT=<the 12-digit ID" in refused.stderr
    assert _calls(aws)["total"] == 0  # not even STS

    refused = _harness(aws, tmp_path, account="12345")
    assert refused.returncode == 2 and "'12345' is not an AWS account ID (12 digits)" in refused.stderr
    assert _calls(aws)["total"] == 0

    # the run's names are the harness's own: an override could aim its teardown and sweep at another environment
    refused = _harness(aws, tmp_path, "--set", "registry_name_prefix=ai-model-registry")
    assert refused.returncode == 2 and "--set registry_name_prefix: the run's names" in refused.stderr
    assert _calls(aws)["total"] == 0

    refused = _harness(aws, tmp_path, account="111111111111")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"AWS_TEST_ACCOUNT=111111111111, but the AWS credentials are of account {ACCOUNT}" in refused.stderr
    assert refused.stdout == ""  # no estimate, no plan: nothing past the check
    assert _calls(aws)["by_action"] == {"sts.GetCallerIdentity": 1}

    # opted in, --plan-only: the estimate and the stacks, and reads only
    plan = _harness(aws, tmp_path, "--plan-only")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "Cost estimate - on-demand list prices of us-east-1" in plan.stdout
    assert "expected cost of the run: USD" in plan.stdout
    assert "amr-test-" in plan.stdout and "-development-dr-secondary" in plan.stdout
    calls = _calls(aws)
    assert calls["writes"] == 0, calls["by_action"]
    assert list(tmp_path.iterdir()) == []  # no inventory, no report: nothing of a run


def test_the_sweep_deletes_what_carries_the_prefix_and_fails_on_what_it_cannot(aws, client, tmp_path):
    """What an interrupted run leaves (--sweep-only): a stack - deleted, then what it retains in a second pass (a
    bucket with every object version, a KMS key) - a replicated secret, the drill lock; a resource it has no deletion
    for is left, named, and fails the run."""
    prefix = "amr-test-0000beef"
    retained = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    template = {
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                **retained,
                "Properties": {
                    "BucketName": f"{prefix}-artifacts",
                    "VersioningConfiguration": {"Status": "Enabled"},
                },
            },
            "Key": {"Type": "AWS::KMS::Key", **retained, "Properties": {}},
        }
    }
    stack = f"{prefix}-development-dr"
    client("cloudformation").create_stack(StackName=stack, TemplateBody=json.dumps(template))
    resources = client("cloudformation").list_stack_resources(StackName=stack)["StackResourceSummaries"]
    (key_id,) = [r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "Key"]
    s3 = client("s3")
    for body in (b"one", b"two"):
        s3.put_object(Bucket=f"{prefix}-artifacts", Key="dr-drills/report.json", Body=body)
    s3.delete_object(Bucket=f"{prefix}-artifacts", Key="dr-drills/report.json")  # a delete marker
    client("secretsmanager").create_secret(
        Name=f"{prefix}-development-redis-auth-token", SecretString="x", AddReplicaRegions=[{"Region": "us-east-1"}]
    )
    client("ssm", "us-east-1").put_parameter(Name=f"/{prefix}/development/dr-drill/lock", Value="{}", Type="String")
    topic = client("sns").create_topic(
        Name=f"{prefix}-development-stray", Tags=[{"Key": "Project", "Value": "ai-model-registry"}]
    )["TopicArn"]

    swept = _harness(aws, tmp_path, "--sweep-only", "--prefix", prefix)
    assert swept.returncode == 1, swept.stdout + swept.stderr
    report = json.loads((tmp_path / prefix / "report.json").read_text())
    assert [p["name"] for p in report["phases"]] == ["sweep"]  # no teardown of a run that is not there
    assert report["left"] == [f"tagged_resource {topic} (us-west-2) - listed by the Resource Groups Tagging API"]
    assert report["sweep_errors"] == [f"{report['left'][0]}: no automatic deletion; delete it by hand"]
    assert {item.split(" ")[0] for item in report["swept"]} == {
        "stack",
        "s3_bucket",
        "kms_key",
        "secret",
        "ssm_parameter",
    }
    assert _what_carries(client, prefix) == [topic]
    assert client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"


@pytest.mark.slow(seconds=145)
def test_the_whole_path_passes_on_the_emulator_and_leaves_nothing(aws, client, tmp_path):
    """Deploy, the no-op re-run, switchover and fail back, the restore drill, teardown and sweep: exit 0, and
    nothing in the emulator (or its Kubernetes) carries the run's prefix."""
    aws.post("aws", "/_emulator/config", {"databases": "postgresql", "caches": "redis"})
    run = _harness(aws, tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-8000:]
    # the estimate and the plan come first, before the first phase writes anything
    assert output.index("Cost estimate") < output.index("Stacks it creates") < output.index("== deploy")
    (directory,) = tmp_path.iterdir()
    prefix = directory.name
    report = json.loads((directory / "report.json").read_text())
    phases = {p["name"]: p for p in report["phases"]}
    assert list(phases) == ["deploy", "rerun", "switchover", "restore", "teardown", "sweep"]
    assert all(p["result"] == "passed" for p in phases.values()), phases
    assert phases["rerun"]["extra"]["aws_writes"] == 0 and phases["rerun"]["extra"]["aws_calls"] > 0
    assert set(phases["rerun"]["extra"]["recap"]) >= {"aws-test", "aws-test/aurora", "aws-test/dr-secondary"}
    assert "3 rows found in the restored cluster" in phases["restore"]["detail"]
    # its environment has no Redis Global Datastore: the switchover drill rebuilt Redis in the DR region from a copy it
    # took first; the sentinel keys written before the copy were read back from the rebuilt group, those acknowledged
    # after it lost, and the loss measured beside the copy's age at the switch
    (drill,) = (directory / "drill-reports").glob("*-switchover-*/report.json")
    drill = json.loads(drill.read_text())
    measured = drill["measured"]
    assert drill["result"] == "pass" and 0 < measured["redis_canaries_lost"] < measured["redis_canaries_written"]
    assert 0 < measured["redis_rpo_seconds"] < 120 and 0 < measured["redis_aws_reported_lag_seconds"] < 120
    [redis_step] = [s for s in drill["steps"] if s["name"] == "Redis's sentinel keys read in the DR region"]
    assert redis_step["status"] == "ok"
    assert (directory / "report.md").read_text().startswith(f"# AWS test run {prefix}: PASS")
    # teardown.yml kept its data by design, and nothing else; the sweep deleted all of it
    kept = {item.split(" ", 1)[0] for item in report["teardown_left"]}
    assert {"s3_bucket", "backup_vault", "backup_recovery_point", "kms_key", "rds_cluster_snapshot"} <= kept
    assert report["teardown_findings"] == [] and report["left"] == [] and report["sweep_errors"] == []
    assert len(report["swept"]) == len(report["teardown_left"])
    # the emulator agrees: nothing carries the prefix, the run's KMS keys wait for their deletion
    assert _what_carries(client, prefix) == []
    for region in REGIONS:
        kms = client("kms", region)
        states = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] for k in kms.list_keys()["Keys"]]
        assert states and set(states) == {"PendingDeletion"}, (region, states)
    core = k8s.CoreV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    assert prefix not in [n.metadata.name for n in core.list_namespace().items]
