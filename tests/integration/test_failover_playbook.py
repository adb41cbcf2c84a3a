"""playbooks/failover.yml on inventories/local: the runbook, both ways, by module and by the orchestrator."""

from __future__ import annotations

import base64
import json
import re

import psycopg
import pytest
from kubernetes import client as k8s
from kubernetes import config

from tests.integration.ansible import playbook

GLOBAL_ID = "ai-model-registry-development-aurora-cluster-global"
DOMAIN = "registry.internal"
ARTIFACTS = "ai-model-registry-local-artifacts"  # the dr stack's bucket, where the DR history lives


def _writer(client) -> str:
    gc = client("rds", "us-east-1").describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
    return next(m["DBClusterArn"] for m in gc["GlobalClusterMembers"] if m["IsWriter"]).split(":")[3]


def _secret(aws, name: str = "postgresql-credentials") -> dict[str, str]:
    api = k8s.CoreV1Api(config.new_client_from_config(str(aws.kubeconfig)))
    secret = api.read_namespaced_secret(name, "default")
    return {key: base64.b64decode(value).decode() for key, value in secret.data.items()}


def _redis(client, region: str) -> tuple[str, str]:
    """The Redis Global Datastore's primary (its region), and where redis-credentials should point in ``region``."""
    group = "ai-model-registry-development-redis" + ("-dr" if region == "us-east-1" else "")
    found = client("elasticache", region).describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]
    gds = client("elasticache", region).describe_global_replication_groups(
        GlobalReplicationGroupId=found["GlobalReplicationGroupInfo"]["GlobalReplicationGroupId"], ShowMemberInfo=True
    )["GlobalReplicationGroups"][0]
    primary = next(m["ReplicationGroupRegion"] for m in gds["Members"] if m["Role"] == "PRIMARY")
    return primary, found["NodeGroups"][0]["PrimaryEndpoint"]["Address"]


def _write_through_the_secret(aws, client) -> str:
    """A new connection as the application opens it, through its Secret: a write, and the region that took it."""
    secret = _secret(aws)
    with psycopg.connect(
        host=secret["host"],
        port=int(secret["port"]),
        user=secret["username"],
        password=secret["password"],
        dbname="modelregistry",
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS app_writes (at timestamptz DEFAULT now())")
        conn.execute("INSERT INTO app_writes DEFAULT VALUES")
        port = conn.execute("SELECT inet_server_port()").fetchone()[0]
    for region in ("us-west-2", "us-east-1"):
        if any(c["Port"] == port for c in client("rds", region).describe_db_clusters()["DBClusters"]):
            return region
    raise AssertionError(f"no cluster serves port {port}")


def _deployment_generation(aws) -> int:
    apps = k8s.AppsV1Api(config.new_client_from_config(str(aws.kubeconfig)))
    return apps.read_namespaced_deployment("model-registry-api", "default").metadata.generation


def _create_deployment(aws) -> None:
    apps = k8s.AppsV1Api(config.new_client_from_config(str(aws.kubeconfig)))
    template = {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "api", "image": "api"}]}}
    spec = {"replicas": 1, "selector": {"matchLabels": {"app": "api"}}, "template": template}
    apps.create_namespaced_deployment(
        "default",
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "model-registry-api"}, "spec": spec},
    )


def _records(client, zone_id: str) -> dict[str, tuple[str, int]]:
    sets = client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {s["Name"]: (s["ResourceRecords"][0]["Value"], s["TTL"]) for s in sets if s["Type"] == "CNAME"}


def _report(stdout: str) -> dict:
    """The figures the play printed: RTO, RPO and the writer."""
    rto = re.search(r"RTO ([\d.]+) s \(target 14400 s\)", stdout)
    rpo = re.search(r"RPO ([\d.]+) s \(target 3600 s\)", stdout)
    return {"rto": float(rto.group(1)), "rpo": float(rpo.group(1))}


def _history(client) -> dict:
    index = client("s3").get_object(Bucket=ARTIFACTS, Key="dr-history/development/index.json")
    return json.loads(index["Body"].read())


def _actions(aws) -> list[str]:
    return [f"{e['service']}.{e['action']}" for e in aws.requests()["log"]]


@pytest.mark.slow(seconds=140)  # real databases behind the endpoints, the custom domain
@pytest.mark.timeout(900)  # on a machine as loaded as load average 15 it took over 600 s
def test_orchestrator_switch_site_after_failover_fail_back_and_unplanned_failover(aws, client, inventory, tmp_path):
    # real databases behind the endpoints: the runbook's verification connects through the application's Secret
    aws.post("aws", "/_emulator/config", {"databases": "postgresql"})
    zone_id = (
        client("route53")
        .create_hosted_zone(  # the seed's "Route 53 hosted zone (if using custom domain)"
            Name=DOMAIN,
            CallerReference="failover-test",
            HostedZoneConfig={"PrivateZone": True},
            VPC={"VPCRegion": "us-west-2", "VPCId": "vpc-0a000000000000001"},
        )["HostedZone"]["Id"]
        .split("/")[-1]
    )
    local = str(inventory(registry_dns_zone_id=zone_id, registry_dns_domain=DOMAIN, failover_report_dir=str(tmp_path)))
    playbook(aws, "playbooks/site.yml", "-i", local)
    _create_deployment(aws)  # the application, restarted by k8s_secrets whenever its database Secret changes
    inventory(k8s_secrets_restart_deployments=[{"namespace": "default", "name": "model-registry-api"}])
    secret, generation = _secret(aws), _deployment_generation(aws)
    gc = client("rds", "us-east-1").describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
    assert secret["host"] == gc["Endpoint"] and _writer(client) == "us-west-2"
    # the custom domain's records: the writer's to the global writer endpoint, the reader's and Redis's regional
    records = _records(client, zone_id)
    assert set(records) == {f"{name}.{DOMAIN}." for name in ("postgresql", "postgresql-reader", "redis")}
    assert records[f"postgresql.{DOMAIN}."] == (gc["Endpoint"], 5)
    assert _write_through_the_secret(aws, client) == "us-west-2"
    west_redis, east_redis = _redis(client, "us-west-2"), _redis(client, "us-east-1")
    assert west_redis[0] == "us-west-2" and _secret(aws, "redis-credentials")["host"] == west_redis[1]
    assert records[f"redis.{DOMAIN}."][0] == west_redis[1]

    # check mode shows the move and changes nothing
    aws.post("aws", "/_emulator/requests", method="DELETE")
    preview = playbook(aws, "playbooks/failover.yml", "-i", local, "--check", "--diff")
    assert "+    writer: arn:aws:rds:us-east-1:" in preview.stdout
    assert "+    redis_primary: ai-model-registry-development-redis-dr (us-east-1)" in preview.stdout
    assert aws.requests()["writes"] == 0 and _writer(client) == "us-west-2"
    # and says so: what would move, the recovery point now, no RTO (nothing was switched, nothing measured)
    shown = " ".join(preview.stdout.split())
    assert (
        "Preview, nothing switched: switchover of development to the dr region would make arn:aws:rds:us-east-1:"
        in shown
    )
    assert "RPO now " in shown and "Redis: would follow by switchover" in shown
    assert re.search(r"RTO [\d.]+ s", shown) is None

    # the seed's manual path: the orchestrator Lambda switches over, the playbook waits, verifies through the Secret
    # (the module's own planned switchover and fail-back run in the switchover drill, test_dr_drill.py)
    aws.post("aws", "/_emulator/requests", method="DELETE")
    moved = playbook(aws, "playbooks/failover.yml", "-i", local, "-e", "failover_use_orchestrator=true")
    assert _writer(client) == "us-east-1"
    # the global writer endpoint followed the writer: the database Secret is as it was, and a new connection
    # through it writes to the DR region's writer; the one restart is redis-credentials' (a regional endpoint)
    assert _secret(aws) == secret and _deployment_generation(aws) == generation + 1
    assert moved.stdout.count("RUNNING HANDLER [ai_model_registry.infra.k8s_secrets : Restart the Deployments") == 1
    assert _write_through_the_secret(aws, client) == "us-east-1"
    # Redis moved with it: the Global Datastore's primary is the DR region's group, and redis-credentials and the
    # custom domain's Redis record (regional endpoints) were repointed to it
    assert _redis(client, "us-east-1")[0] == "us-east-1"
    assert _secret(aws, "redis-credentials")["host"] == east_redis[1]
    assert _records(client, zone_id)[f"redis.{DOMAIN}."] == (east_redis[1], 5)
    figures = _report(moved.stdout)
    assert 0 < figures["rto"] < 120 and figures["rpo"] == 0.05  # a plausible figure, also on a busy machine
    actions = _actions(aws)
    assert "lambda.Invoke" in actions and actions.count("rds.SwitchoverGlobalCluster") == 1
    assert actions.index("lambda.Invoke") < actions.index("rds.SwitchoverGlobalCluster")
    # both stores' lag gates are read before either moves; Redis moves after the database
    assert actions.index("elasticache.DescribeGlobalReplicationGroups") < actions.index("lambda.Invoke")
    assert actions.index("rds.SwitchoverGlobalCluster") < actions.index("elasticache.FailoverGlobalReplicationGroup")
    assert "sns.Publish" in actions and "monitoring.PutMetricData" in actions
    # recorded as the drills record theirs: the report (type failover), archived, and appended to the DR history
    (record,) = [json.loads(p.read_text()) for p in tmp_path.glob("*-failover-*/report.json")]
    assert (record["type"], record["result"], record["measured"]["rpo_seconds"]) == ("failover", "pass", 0.05)
    assert "Redis primary moved by switchover" in [step["name"] for step in record["steps"]]
    assert [run["type"] for run in _history(client)["runs"]] == ["failover"]
    # nothing in the primary region is needed before the switch (it may be down)
    first_switch = actions.index("rds.SwitchoverGlobalCluster")
    assert {e["region"] for e in aws.requests()["log"][:first_switch]} == {"us-east-1"}

    # the main job after a failover keeps the application's Secret, and writes nothing
    aws.post("aws", "/_emulator/requests", method="DELETE")
    playbook(aws, "playbooks/site.yml", "-i", local)
    assert _secret(aws) == secret and aws.requests()["writes"] == 0
    assert _secret(aws, "redis-credentials")["host"] == east_redis[1]  # it follows the Global Datastore's primary
    assert _records(client, zone_id)[f"redis.{DOMAIN}."][0] == east_redis[1]
    # and the failover run again finds the writer where it asked for it: nothing changes (it only announces that)
    again = playbook(aws, "playbooks/failover.yml", "-i", local)
    assert [f"{e['service']}.{e['action']}" for e in aws.requests()["log"] if e["write"]] == ["sns.Publish"]
    assert _writer(client) == "us-east-1"
    assert "changed=0" in again.stdout.split("PLAY RECAP")[-1], again.stdout[-3000:]

    # the same playbook fails back
    playbook(aws, "playbooks/failover.yml", "-i", local, "-e", "failover_to=primary")
    assert _writer(client) == "us-west-2" and _secret(aws) == secret
    assert _write_through_the_secret(aws, client) == "us-west-2"
    assert _redis(client, "us-west-2")[0] == "us-west-2" and _secret(aws, "redis-credentials")["host"] == west_redis[1]

    # an unplanned failover: the lag at the start is the data that may be lost; the cache cannot follow (its Global
    # Datastore is busy with a change of its own): the database fails over all the same, its path is verified and
    # recorded, and the run then fails saying what Redis did not do
    aws.post("aws", "/_emulator/config", {"replication_lag_ms": 2500, "redis_global_failover_seconds": 120})
    global_redis = client("elasticache").describe_replication_groups(
        ReplicationGroupId="ai-model-registry-development-redis"
    )["ReplicationGroups"][0]["GlobalReplicationGroupInfo"]["GlobalReplicationGroupId"]
    client("elasticache", "us-east-1").failover_global_replication_group(
        GlobalReplicationGroupId=global_redis,
        PrimaryRegion="us-east-1",
        PrimaryReplicationGroupId="ai-model-registry-development-redis-dr",
    )
    lost = playbook(
        aws,
        "playbooks/failover.yml",
        "-i",
        local,
        "-e",
        "failover_action=failover",
        "-e",
        "failover_allow_data_loss=true",
        check=False,
    )
    assert lost.returncode != 0 and f"Redis did not follow: Global Datastore {global_redis} is modifying" in lost.stdout
    # the run's last lines say so too, not "not moved" as if there were no Global Datastore
    assert f"Redis: did not follow - Global Datastore {global_redis} is modifying" in " ".join(lost.stdout.split())
    assert _writer(client) == "us-east-1" and _report(lost.stdout)["rpo"] == 2.5
    assert _secret(aws) == secret and _deployment_generation(aws) == generation + 2  # Redis moved: over and back
    assert _write_through_the_secret(aws, client) == "us-east-1"
    assert _records(client, zone_id)[f"postgresql.{DOMAIN}."] == (gc["Endpoint"], 5)  # follows by itself
    assert _secret(aws, "redis-credentials")["host"] == west_redis[1]  # not repointed: Redis did not move
    # the switch there, the fail back and the failover: three real failovers in the history, its page shows them
    runs = _history(client)["runs"]
    assert [(run["type"], run["rpo_seconds"]) for run in runs][-1] == ("failover", 2.5) and len(runs) == 3
    page = client("s3").get_object(Bucket=ARTIFACTS, Key="dr-history/development/history.html")["Body"].read()
    assert b'<section class="type" id="failover" data-runs="3"><h2>failover: 3 real, not drills</h2>' in page


@pytest.mark.parametrize(
    ("extra", "changes", "message"),
    [
        (["-e", "failover_action=failover"], {}, "set failover_allow_data_loss=true"),
        ([], {"registry_environment": "production"}, "-e failover_confirm=registry-local"),
        (["-e", "failover_to=sideways"], {}, "failover_to"),
    ],
)
def test_refusals_happen_before_any_aws_call(aws, inventory, extra, changes, message):
    target = inventory(**changes)
    result = playbook(aws, "playbooks/failover.yml", "-i", str(target), *extra, check=False)
    assert result.returncode != 0 and message in result.stdout
    assert aws.requests()["total"] == 0


def test_a_missing_platform_is_reported_clearly(aws):
    result = playbook(aws, "playbooks/failover.yml", "-i", "inventories/local", check=False)
    assert result.returncode != 0
    assert "Stack ai-model-registry-development-dr-secondary not found in us-east-1" in result.stdout
    assert json.dumps(aws.requests()["writes"]) == "0"
