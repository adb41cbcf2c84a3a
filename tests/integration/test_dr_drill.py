"""playbooks/dr_drill.yml on inventories/local, against real PostgreSQL servers behind the Aurora endpoints."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import psycopg
import pytest

from tests.integration.ansible import playbook

LOCK = "/ai-model-registry/development/dr-drill/lock"
GLOBAL_ID = "ai-model-registry-development-aurora-cluster-global"
PRIMARY_ID = "ai-model-registry-development-aurora-cluster"


def _drill(aws, tmp_path, *extra: str):
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


def _report(tmp_path) -> tuple[dict, ET.Element, str]:
    (directory,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    return (
        json.loads((directory / "report.json").read_text()),
        ET.parse(directory / "junit.xml").getroot(),  # noqa: S314 - our own report
        (directory / "report.md").read_text(),
    )


def _writer(client) -> str:
    gc = client("rds", "us-east-1").describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
    return next(m["DBClusterArn"] for m in gc["GlobalClusterMembers"] if m["IsWriter"]).split(":")[-1]


def _canaries(client) -> int:
    cluster = client("rds").describe_db_clusters(DBClusterIdentifier=PRIMARY_ID)["DBClusters"][0]
    secret = json.loads(
        client("secretsmanager").get_secret_value(SecretId="ai-model-registry-development-aurora-db-credentials")[
            "SecretString"
        ]
    )
    with psycopg.connect(
        host=cluster["Endpoint"],
        port=cluster["Port"],
        user=secret["username"],
        password=secret["password"],
        dbname="modelregistry",
    ) as conn:
        return conn.execute("SELECT count(*) FROM dr_drill_canary").fetchone()[0]


def _lock(client):
    try:
        return json.loads(client("ssm", "us-east-1").get_parameter(Name=LOCK)["Parameter"]["Value"])
    except client("ssm", "us-east-1").exceptions.ParameterNotFound:
        return None


@pytest.mark.slow
def test_switchover_drill_measures_reports_and_cleans_up_also_after_a_timeout(aws, client, tmp_path):
    aws.post("aws", "/_emulator/config", {"databases": "postgresql"})
    playbook(aws, "playbooks/site.yml", "-i", "inventories/local")

    # a switch that outlasts the drill's timeout: the drill fails, and still cleans up everything
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 8})
    failed = _drill(aws, tmp_path / "timeout", "-e", "dr_drill_switch_timeout_seconds=2")
    assert failed.returncode != 0 and "DR drill development-switchover-" in failed.stdout
    report, junit, page = _report(tmp_path / "timeout")
    assert report["result"] == "fail" and "not finished after 2 s" in report["failed_step"]
    assert report["cleanup"]["status"] == "ok"
    assert int(junit.find("testsuite").get("failures")) >= 1
    assert _writer(client) == PRIMARY_ID and _canaries(client) == 0 and _lock(client) is None

    # the quarterly drill: pass, with its measurements, reports, archive and announcement
    aws.post("aws", "/_emulator/config", {"global_switchover_seconds": 1})
    aws.post("aws", "/_emulator/requests", method="DELETE")
    passed = _drill(aws, tmp_path / "pass")
    assert passed.returncode == 0, passed.stdout[-3000:]
    report, junit, page = _report(tmp_path / "pass")
    assert report["schema"] == "ai_model_registry.infra/dr-drill-report/v1" and report["result"] == "pass"
    measured = report["measured"]
    assert 0 < float(measured["rto_seconds"]) < 120 and int(measured["canaries_lost"]) == 0
    assert float(measured["rpo_seconds"]) < 1 and report["rpo_check"]["verdict"] == "pass"
    assert [s["status"] for s in report["steps"]] == ["ok"] * 4
    assert junit.find("testsuite").get("failures") == "0" and len(junit.iter("testcase").__next__().attrib) == 2
    assert "| RTO measured / target |" in page and "Application path verified in the DR region" in page
    prefix = f"dr-drills/development/{report['drill_id']}/"
    archived = client("s3").list_objects_v2(Bucket="ai-model-registry-local-artifacts", Prefix=prefix)
    assert sorted(o["Key"][len(prefix) :] for o in archived["Contents"]) == ["junit.xml", "report.json", "report.md"]
    actions = [f"{e['service']}.{e['action']}" for e in aws.requests()["log"]]
    assert actions.count("rds.SwitchoverGlobalCluster") == 2 and "sns.Publish" in actions
    assert _writer(client) == PRIMARY_ID and _canaries(client) == 0 and _lock(client) is None


def test_a_second_drill_is_refused_while_one_runs(aws, client, tmp_path):
    running = {
        "drill_id": "development-switchover-other",
        "type": "switchover",
        "started_at": time.time(),
        "expires_at": time.time() + 3600,
    }
    client("ssm", "us-east-1").put_parameter(Name=LOCK, Value=json.dumps(running), Type="String")
    refused = _drill(aws, tmp_path)
    assert refused.returncode != 0
    assert "Another DR drill runs in development: development-switchover-other (switchover)" in refused.stdout
    assert _lock(client) == running  # the other drill's lock is left alone
    assert not any(e["service"] == "rds" and e["write"] for e in aws.requests()["log"])


def test_a_stale_lock_is_taken_over_and_released(aws, client, tmp_path):
    stale = {
        "drill_id": "development-switchover-dead",
        "type": "switchover",
        "started_at": time.time() - 90000,
        "expires_at": time.time() - 3600,
    }
    client("ssm", "us-east-1").put_parameter(Name=LOCK, Value=json.dumps(stale), Type="String")
    client("s3").create_bucket(  # where the failed drill's report goes
        Bucket="ai-model-registry-local-artifacts", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    result = _drill(aws, tmp_path)  # nothing deployed: the drill fails after taking the lock
    assert result.returncode != 0 and "is not deployed" in result.stdout
    assert _lock(client) is None  # taken over, then released by the failed drill


def test_production_needs_a_confirmation(aws, inventory, tmp_path):
    target = inventory(registry_environment="production")
    result = playbook(aws, "playbooks/dr_drill.yml", "-i", str(target), check=False)
    assert result.returncode != 0 and "-e dr_drill_confirm=registry-local" in result.stdout
    assert aws.requests()["total"] == 0
