"""What the DR drill tests share: running a drill, reading its report, and looking at the platform."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import psycopg
import redis

from emulator import tls
from tests.integration.ansible import playbook

LOCK = "/ai-model-registry/development/dr-drill/lock"
BASELINE = {
    "global_switchover_seconds": 1,
    "global_failover_seconds": 1,
    "global_resync_seconds": 1,
    "backup_job_seconds": 0,
    "restore_job_seconds": 0,
    "backup_faults": {},
    "replication_lag_ms": {},
}
GLOBAL_ID = "ai-model-registry-development-aurora-cluster-global"
PRIMARY_ID = "ai-model-registry-development-aurora-cluster"


def run_drill(aws, tmp_path, *extra: str):
    return playbook(
        aws,
        "playbooks/dr_drill.yml",
        "-i",
        "inventories/local",
        "-e",
        f"dr_drill_report_dir={tmp_path}",
        *extra,
        check=False,
    )


def read_report(tmp_path) -> tuple[dict, ET.Element, str]:
    (directory,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    return (
        json.loads((directory / "report.json").read_text()),
        ET.parse(directory / "junit.xml").getroot(),  # noqa: S314 - our own report
        (directory / "report.md").read_text(),
    )


def current_writer(client) -> str:
    gc = client("rds", "us-east-1").describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
    return next(m["DBClusterArn"] for m in gc["GlobalClusterMembers"] if m["IsWriter"]).split(":")[-1]


def connect_primary(client):
    """A connection to the primary cluster's database, as its master user."""
    cluster = client("rds").describe_db_clusters(DBClusterIdentifier=PRIMARY_ID)["DBClusters"][0]
    secret = json.loads(
        client("secretsmanager").get_secret_value(SecretId="ai-model-registry-development-aurora-db-credentials")[
            "SecretString"
        ]
    )
    return psycopg.connect(
        host=cluster["Endpoint"],
        port=cluster["Port"],
        user=secret["username"],
        password=secret["password"],
        dbname="modelregistry",
        autocommit=True,
    )


def redis_canary_keys(aws) -> list[str]:
    """The drills' sentinel keys on Redis's primary (the Global Datastore's, wherever it is), over TLS with its
    AUTH token, trusting the emulator's CA."""
    client = aws.client
    outputs = stack_outputs(client, "redis")
    found = client("elasticache").describe_global_replication_groups(
        GlobalReplicationGroupId=outputs["GlobalReplicationGroupId"], ShowMemberInfo=True
    )["GlobalReplicationGroups"][0]
    primary = next(m for m in found["Members"] if m["Role"] == "PRIMARY")
    regional = client("elasticache", primary["ReplicationGroupRegion"])
    group = regional.describe_replication_groups(ReplicationGroupId=primary["ReplicationGroupId"])["ReplicationGroups"]
    endpoint = group[0]["NodeGroups"][0]["PrimaryEndpoint"]
    token = client("secretsmanager").get_secret_value(SecretId=outputs["AuthTokenSecretName"])["SecretString"]
    with redis.Redis(
        host=endpoint["Address"],
        port=endpoint["Port"],
        password=token,
        ssl=True,
        ssl_ca_certs=str(tls.files(aws.tls_dir).ca),
        decode_responses=True,
    ) as cache:
        return sorted(cache.scan_iter(match="dr-drill-canary:*"))


def canary_count(client) -> int:
    with connect_primary(client) as conn:
        return conn.execute("SELECT count(*) FROM dr_drill_canary").fetchone()[0]


def temporary_clusters(client) -> list[str]:
    """Clusters and instances of drills the emulator still holds."""
    rds = client("rds")
    clusters = [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]]
    instances = [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    return [name for name in clusters + instances if "-drill-" in name]


def published(client, metric: str) -> list[float]:
    """The values of the last 30 minutes of a metric the drills publish for the DR stack's alarms."""
    now = time.time()
    answer = client("cloudwatch", "us-east-1").get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AIModelRegistry/DR",
                        "MetricName": metric,
                        "Dimensions": [{"Name": "Environment", "Value": "development"}],
                    },
                    "Period": 1,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=now - 1800,
        EndTime=now + 60,
    )
    return [round(v, 3) for v in answer["MetricDataResults"][0]["Values"]]


def read_lock(client):
    try:
        return json.loads(client("ssm", "us-east-1").get_parameter(Name=LOCK)["Parameter"]["Value"])
    except client("ssm", "us-east-1").exceptions.ParameterNotFound:
        return None


def stack_outputs(client, stack: str) -> dict[str, str]:
    found = client("cloudformation").describe_stacks(StackName=f"ai-model-registry-development-{stack}")["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in found["Outputs"]}
