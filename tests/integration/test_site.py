"""playbooks/site.yml on inventories/local against the emulators: the main job, as users run it."""

from __future__ import annotations

import base64
import json
import re

import pytest
from kubernetes import client as k8s
from kubernetes import config

from tests.integration.ansible import playbook

STACKS = {
    "us-west-2": ["aurora", "redis", "backup", "dr"],
    "us-east-1": ["backup-dr-vault", "dr-replica", "dr-secondary", "redis-dr"],
}


def _recap(stdout: str) -> dict[str, dict[str, int]]:
    recap = {}
    for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", stdout[stdout.rindex("PLAY RECAP") :], re.M):
        recap[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counts)}
    return recap


def _assert_no_secret_in(output: str, client) -> None:
    """Neither the database password nor the Redis token (nor their base64) in the output."""
    secrets = client("secretsmanager")
    database = json.loads(
        secrets.get_secret_value(SecretId="ai-model-registry-development-aurora-db-credentials")["SecretString"]
    )
    token = secrets.get_secret_value(SecretId="ai-model-registry-development-redis-auth-token")["SecretString"]
    assert len(output) > 10000  # really verbose
    for secret in (database["password"], token):
        assert secret not in output
        assert base64.b64encode(secret.encode()).decode() not in output


def _stack_status(client, region: str, name: str) -> str:
    return client("cloudformation", region).describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


@pytest.mark.slow(seconds=60)
def test_site_deploys_everything_no_secret_shows_a_rerun_changes_nothing_and_a_repoint_restarts(aws, client):
    """The main job end to end on one deployment: deploy (at -vvv), rerun, then repoint the Secrets."""
    first = playbook(aws, "playbooks/site.yml", "-i", "inventories/local", "-vvv")
    assert all(counts["failed"] == 0 for counts in _recap(first.stdout).values())
    _assert_no_secret_in(first.stdout + first.stderr, client)
    created = {r: [s["StackName"] for s in client("cloudformation", r).describe_stacks()["Stacks"]] for r in STACKS}
    for region, stacks in STACKS.items():
        for stack in stacks:
            name = f"ai-model-registry-development-{stack}"
            assert name in created[region], f"{name} missing in {region}:\n{first.stdout[-4000:]}"
            assert _stack_status(client, region, name) == "CREATE_COMPLETE"
    # backup and dr were fed from the aurora and redis outputs, not from typed ARNs
    cluster = client("rds").describe_db_clusters(DBClusterIdentifier="ai-model-registry-development-aurora-cluster")
    arn = cluster["DBClusters"][0]["DBClusterArn"]
    selection_plan = client("backup").list_backup_plans()["BackupPlansList"][0]["BackupPlanId"]
    selection = client("backup").list_backup_selections(BackupPlanId=selection_plan)["BackupSelectionsList"][0]
    resources = client("backup").get_backup_selection(
        BackupPlanId=selection_plan, SelectionId=selection["SelectionId"]
    )["BackupSelection"]
    assert resources["Resources"] == [arn]
    # the Secrets the seed's kubectl commands make, with the stack's endpoint
    core = k8s.CoreV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    data = core.read_namespaced_secret("postgresql-credentials", "default").data
    assert set(data) == {"host", "port", "username", "password", "reader_host"}
    # the global database's writer endpoint, which Aurora moves with the writer; reads stay on the stack's cluster
    global_id = "ai-model-registry-development-aurora-cluster-global"
    gdb = client("rds").describe_global_clusters(GlobalClusterIdentifier=global_id)
    assert base64.b64decode(data["host"]).decode() == gdb["GlobalClusters"][0]["Endpoint"]
    assert base64.b64decode(data["reader_host"]).decode() == cluster["DBClusters"][0]["ReaderEndpoint"]
    assert set(core.read_namespaced_secret("redis-credentials", "default").data) == {"host", "port", "password"}
    # the credentials can be read in the DR region too (secret replicas), for a failover
    for secret in ("aurora-db-credentials", "redis-auth-token"):
        assert client("secretsmanager", "us-east-1").describe_secret(SecretId=f"ai-model-registry-development-{secret}")

    aws.post("aws", "/_emulator/requests", method="DELETE")
    second = playbook(aws, "playbooks/site.yml", "-i", "inventories/local", env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})
    # what an AWX workflow hands to its next node (set_stats): the outputs, no secret
    stats = second.stdout.split("CUSTOM STATS")[-1]
    assert "registry_deployed" in stats and cluster["DBClusters"][0]["Endpoint"] in stats
    assert {host: counts["changed"] for host, counts in _recap(second.stdout).items()} == dict.fromkeys(
        _recap(second.stdout), 0
    )
    calls = aws.requests()
    assert calls["writes"] == 0, calls["by_action"]
    # one task per stack: two reads to compare, two to detect drift
    assert calls["by_action"]["cloudformation.GetTemplate"] == 8
    assert calls["by_action"]["cloudformation.DetectStackDrift"] == 8

    # a console edit is drift: the next run that detects anew (the last detection is seconds old) reports the
    # resource and its property, and changes nothing
    client("rds").modify_db_cluster(
        DBClusterIdentifier="ai-model-registry-development-aurora-cluster",
        BackupRetentionPeriod=3,
        ApplyImmediately=True,
    )
    now = ("-e", "registry_stack_drift_max_age=0")
    drifted = playbook(aws, "playbooks/site.yml", "-i", "inventories/local", "--tags", "aurora", *now)
    assert "Stack ai-model-registry-development-aurora (us-west-2) has drifted" in drifted.stdout + drifted.stderr
    assert "/BackupRetentionPeriod: expected 14, actual 3" in drifted.stdout + drifted.stderr
    assert all(counts["changed"] == 0 for counts in _recap(drifted.stdout).values())

    # after a failover the same role repoints the Secrets; changed values restart the named Deployments
    apps = k8s.AppsV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    apps.create_namespaced_deployment(
        "default",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "model-registry-api"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "api"}},
                "template": {
                    "metadata": {"labels": {"app": "api"}},
                    "spec": {"containers": [{"name": "api", "image": "registry/api"}]},
                },
            },
        },
    )
    # a second application reads only redis-credentials: the database Secret's change does not restart it
    worker = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "cache-warmer"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "warmer"}},
            "template": {
                "metadata": {"labels": {"app": "warmer"}},
                "spec": {"containers": [{"name": "warmer", "image": "registry/warmer"}]},
            },
        },
    }
    apps.create_namespaced_deployment("default", worker)
    before = apps.read_namespaced_deployment("model-registry-api", "default").metadata.generation
    worker_before = apps.read_namespaced_deployment("cache-warmer", "default").metadata.generation
    restarts = [
        {"namespace": "default", "name": "model-registry-api"},
        {"namespace": "default", "name": "cache-warmer", "secrets": ["redis-credentials"]},
    ]
    repoint = [
        "--tags",
        "k8s_secrets",
        "-e",
        json.dumps(
            {
                "k8s_secrets_postgresql_host": "dr-writer.cluster-x.us-east-1.rds.amazonaws.com",
                "k8s_secrets_restart_deployments": restarts,
            }
        ),
    ]
    playbook(aws, "playbooks/site.yml", "-i", "inventories/local", *repoint)
    secret = core.read_namespaced_secret("postgresql-credentials", "default")
    assert base64.b64decode(secret.data["host"]).decode() == "dr-writer.cluster-x.us-east-1.rds.amazonaws.com"
    restarted = apps.read_namespaced_deployment("model-registry-api", "default")
    assert restarted.metadata.generation == before + 1
    assert "kubectl.kubernetes.io/restartedAt" in restarted.spec.template.metadata.annotations
    assert apps.read_namespaced_deployment("cache-warmer", "default").metadata.generation == worker_before
    again = playbook(aws, "playbooks/site.yml", "-i", "inventories/local", *repoint)
    assert "RUNNING HANDLER" not in again.stdout  # nothing changed, nothing restarted
    assert apps.read_namespaced_deployment("model-registry-api", "default").metadata.generation == before + 1


def test_an_unreachable_kubernetes_api_fails_before_any_aws_call(aws, tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(aws.kubeconfig.read_text().replace(aws.k8s_url, "http://127.0.0.1:9"))
    result = playbook(
        aws,
        "playbooks/site.yml",
        "-i",
        "inventories/local",
        check=False,
        env={"KUBECONFIG": str(kubeconfig), "K8S_AUTH_KUBECONFIG": str(kubeconfig)},
    )
    assert result.returncode != 0
    assert "The Kubernetes API does not answer" in result.stdout
    assert aws.requests()["total"] == 0


@pytest.mark.slow
def test_a_failed_stack_is_diagnosed_and_recovered_on_the_next_run(aws, client):
    aws.post("aws", "/_emulator/faults", {"resource": "ReplicationGroup", "reason": "Insufficient cache capacity"})
    failed = playbook(aws, "playbooks/site.yml", "-i", "inventories/local", "--tags", "redis", check=False)
    assert failed.returncode != 0
    assert "ReplicationGroup (AWS::ElastiCache::ReplicationGroup): CREATE_FAILED - Insufficient cache capacity" in (
        failed.stdout
    )
    assert _stack_status(client, "us-west-2", "ai-model-registry-development-redis") == "ROLLBACK_COMPLETE"
    aws.post("aws", "/_emulator/faults", method="DELETE")
    playbook(aws, "playbooks/site.yml", "-i", "inventories/local", "--tags", "redis")
    assert _stack_status(client, "us-west-2", "ai-model-registry-development-redis") == "CREATE_COMPLETE"


@pytest.mark.slow
def test_check_mode_previews_a_change_and_writes_nothing(aws, client):
    playbook(aws, "playbooks/site.yml", "-i", "inventories/local", "--tags", "aurora")
    aws.post("aws", "/_emulator/requests", method="DELETE")
    preview = playbook(
        aws,
        "playbooks/site.yml",
        "-i",
        "inventories/local",
        "--tags",
        "aurora",
        "--check",
        "-e",
        "aurora_read_replicas=1",
    )
    assert "parameter ReadReplicaCount: 2 -> 1" in preview.stdout
    assert "would change" in preview.stdout
    actions = aws.requests()["by_action"]
    assert not {"cloudformation.UpdateStack", "cloudformation.ExecuteChangeSet", "cloudformation.CreateStack"} & set(
        actions
    )
    stack = client("cloudformation").describe_stacks(StackName="ai-model-registry-development-aurora")["Stacks"][0]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["ReadReplicaCount"] == "2"


@pytest.mark.slow
def test_check_mode_on_an_empty_account_previews_every_stack_and_writes_nothing(aws, client, inventory):
    # the first run a team makes: level 2 stacks, the Secrets and the records are fed by stacks not created yet
    zone = client("route53").create_hosted_zone(
        Name="registry.internal",
        CallerReference="first-preview",
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": "us-west-2", "VPCId": "vpc-0a000000000000001"},
    )["HostedZone"]["Id"]
    target = inventory(registry_dns_zone_id=zone.split("/")[-1], registry_dns_domain="registry.internal")
    aws.post("aws", "/_emulator/requests", method="DELETE")
    preview = playbook(aws, "playbooks/site.yml", "-i", str(target), "--check", "--diff")
    for stack in ("aurora", "redis", "backup-dr-vault", "dr-replica", "backup", "dr", "dr-secondary", "redis-dr"):
        assert f"Stack ai-model-registry-development-{stack} (" in preview.stdout, stack
    assert preview.stdout.count("would be created with:") == 8
    assert "Would write postgresql and redis credentials to the namespaces default once the" in preview.stdout
    assert "Would point the records of registry.internal at the endpoints" in preview.stdout
    assert aws.requests()["writes"] == 0 and client("cloudformation").describe_stacks()["Stacks"] == []


def test_teardown_refuses_production_without_confirmation(aws, inventory):
    result = playbook(
        aws, "playbooks/teardown.yml", "-i", str(inventory(registry_environment="production")), check=False
    )
    assert result.returncode != 0
    assert "-e registry_teardown_confirm=registry-local" in result.stdout
    assert aws.requests()["total"] == 0


@pytest.mark.slow(seconds=40)
def test_teardown_deletes_in_reverse_order_and_keeps_the_data(aws, client):
    playbook(aws, "playbooks/site.yml", "-i", "inventories/local")
    # the orchestrator ran once: its output went to the log group its stack owns (retention, the stack's key)
    client("lambda", "us-east-1").invoke(FunctionName="ai-model-registry-development-dr-orchestrator", Payload=b"{}")
    owned = client("logs", "us-east-1").describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"], "kmsKeyId" in g) for g in owned] == [
        ("/aws/lambda/ai-model-registry-development-dr-orchestrator", 365, True)
    ]
    aws.post("aws", "/_emulator/requests", method="DELETE")
    preview = playbook(aws, "playbooks/teardown.yml", "-i", "inventories/local", "--check")
    assert "Stack ai-model-registry-development-aurora (us-west-2) would be deleted" in preview.stdout
    assert aws.requests()["writes"] == 0  # check mode writes nothing, termination protection included
    playbook(aws, "playbooks/teardown.yml", "-i", "inventories/local")
    for region in STACKS:
        assert client("cloudformation", region).describe_stacks()["Stacks"] == []
    deletes = [e for e in aws.requests()["log"] if e["action"] == "DeleteStack"]
    assert [e["region"] for e in deletes][:1] == ["us-east-1"]  # the DR secondary goes first
    core = k8s.CoreV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    assert [s.metadata.name for s in core.list_namespaced_secret("default").items] == []
    for region in STACKS:  # no log group outlives its stack (one Lambda made itself would)
        assert client("logs", region).describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"] == []
    # retained: the artifacts bucket, the vaults; final snapshots of the cluster and the cache
    assert client("s3").head_bucket(Bucket="ai-model-registry-local-artifacts")
    snapshots = client("rds").describe_db_cluster_snapshots()["DBClusterSnapshots"]
    assert any("final" in s["DBClusterSnapshotIdentifier"] for s in snapshots)


def test_site_runs_by_its_collection_name(aws):
    """`ansible-playbook ai_model_registry.infra.site`, as from an installed collection."""
    result = playbook(aws, "ai_model_registry.infra.site", "-i", "inventories/local", "--list-tasks")
    assert "ansible_collections/ai_model_registry/infra/playbooks/site.yml" in result.stdout
    assert "Level 2" in result.stdout
    assert "ai_model_registry.infra.k8s_secrets : Write the namespaces and the Secrets" in result.stdout
