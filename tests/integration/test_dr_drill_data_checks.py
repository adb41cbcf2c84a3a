"""postgresql_data_checks through ansible-playbook, on real PostgreSQL servers behind emulated Aurora clusters."""

from __future__ import annotations

import time

import psycopg
import pytest
import yaml

from tests.integration.ansible import REPO, run_module

MODULE = "postgresql_data_checks"
PASSWORD = "s3cret-Passw0rd"


def _documented(section: str) -> dict:
    source = (REPO / "plugins/modules" / f"{MODULE}.py").read_text()
    return yaml.safe_load(source.split(f'{section} = r"""')[1].split('"""')[0])


def _endpoint(client, cluster_id: str) -> tuple[str, int]:
    cluster = client("rds").describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    return cluster["Endpoint"], cluster["Port"]


@pytest.fixture
def restored(aws, client):
    """A source with 8 rows, and its restore from a snapshot taken when it had 5; the time between."""
    aws.post("aws", "/_emulator/config", {"databases": "postgresql"})
    rds = client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="checks-source",
        Engine="aurora-postgresql",
        MasterUsername="registry",
        MasterUserPassword=PASSWORD,
        DatabaseName="modelregistry",
    )
    host, port = _endpoint(client, "checks-source")
    with psycopg.connect(
        host=host, port=port, user="registry", password=PASSWORD, dbname="modelregistry", autocommit=True
    ) as conn:
        conn.execute("CREATE TABLE models (id int PRIMARY KEY, created_at timestamptz DEFAULT clock_timestamp())")
        conn.execute("INSERT INTO models (id) SELECT generate_series(1, 5)")
        time.sleep(0.1)
        point = time.time()
        time.sleep(0.1)
        rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="checks-point", DBClusterIdentifier="checks-source")
        conn.execute("INSERT INTO models (id) SELECT generate_series(6, 8)")
    rds.restore_db_cluster_from_snapshot(
        DBClusterIdentifier="checks-restored", SnapshotIdentifier="checks-point", Engine="aurora-postgresql"
    )
    restored_host, restored_port = _endpoint(client, "checks-restored")
    return {
        "login_host": restored_host,
        "login_port": restored_port,
        "login_user": "registry",
        "login_password": PASSWORD,
        "login_db": "modelregistry",
        "source_host": host,
        "source_port": port,
        "recovery_point": str(point),
    }


def test_restored_data_is_checked_against_the_source_at_the_recovery_point(aws, restored, tmp_path):
    checks = {
        "tables": ["models", "pg_catalog.pg_class"],
        "row_counts": [{"table": "models", "written_at": "created_at"}],
        "queries": [
            {"name": "newest model", "sql": "SELECT max(id) FROM models", "expect": 5},
            {"name": "models exist", "sql": "SELECT count(*) > 0 FROM models", "expect": True},
        ],
    }
    result, process = run_module(aws, tmp_path, MODULE, {**restored, **checks})
    assert not result.get("failed") and result["passed"] is True and result["changed"] is False
    assert [(c["name"], c["status"]) for c in result["checks"]] == [
        ("expected tables", "ok"),
        ("row counts at the recovery point", "ok"),
        ("validation queries", "ok"),
    ]
    assert result["checks"][1]["detail"] == "models restored 5 / source 5"  # the source has 8 rows now
    assert result["checks"][2]["detail"] == "newest model: 5 (expected 5), models exist: True (expected True)"
    assert PASSWORD not in process.stdout + process.stderr
    # every documented return key is returned (reason only on failure)
    assert set(_documented("RETURN")) - {"reason"} <= set(result)
    assert all(set(_documented("RETURN")["checks"]["contains"]) <= set(c) for c in result["checks"])

    missing = run_module(aws, tmp_path, MODULE, {**restored, **checks, "tables": ["models", "model_versions"]})[0]
    assert not missing.get("failed") and missing["passed"] is False
    assert missing["checks"] == [
        {
            "name": "expected tables",
            "status": "failed",
            "detail": "missing: model_versions",
            "missing": ["model_versions"],
        }
    ]
    assert missing["skipped"] == ["row counts at the recovery point", "validation queries"]

    wrong = {**checks, "queries": [{"name": "newest model", "sql": "SELECT max(id) FROM models", "expect": 8}]}
    answered = run_module(aws, tmp_path, MODULE, {**restored, **wrong})[0]
    assert answered["passed"] is False and answered["checks"][-1]["detail"] == "newest model: 5 (expected 8)"


def test_a_name_that_is_no_identifier_is_refused_before_any_connection(aws, restored, tmp_path):
    # a port nothing listens on: a connection attempt would fail otherwise
    unreachable = {**restored, "login_port": 1, "source_port": 1}
    bad = {"row_counts": [{"table": "models; DROP TABLE models", "written_at": "created_at"}]}
    result = run_module(aws, tmp_path, MODULE, {**unreachable, **bad})[0]
    assert result["failed"] and result["reason"] == "invalid_checks"
    assert "not models; DROP TABLE models" in result["msg"] and "Nothing was connected to" in result["msg"]

    down = run_module(aws, tmp_path, MODULE, {**unreachable, "tables": ["models"]})[0]
    assert not down.get("failed") and down["passed"] is False
    assert down["checks"][0]["detail"].startswith("cannot query the restored database:")
