"""Real PostgreSQL behind the emulated Aurora clusters: endpoints, replication, switchover, failover loss."""

from __future__ import annotations

import pathlib
import time

import psycopg
import pytest

PRIMARY, DR = "us-west-2", "us-east-1"
GLOBAL_ID = "pg-global"
PASSWORD = "s3cret-Passw0rd"


@pytest.fixture
def gdb(aws, client):
    aws.post(
        "aws",
        "/_emulator/config",
        {"databases": "postgresql", "global_switchover_seconds": 0.2, "global_failover_seconds": 0.2},
    )
    rds, rds_dr = client("rds", PRIMARY), client("rds", DR)
    primary = rds.create_db_cluster(
        DBClusterIdentifier="pg-primary",
        Engine="aurora-postgresql",
        MasterUsername="registry",
        MasterUserPassword=PASSWORD,
        DatabaseName="modelregistry",
    )["DBCluster"]
    rds.create_global_cluster(GlobalClusterIdentifier=GLOBAL_ID, SourceDBClusterIdentifier=primary["DBClusterArn"])
    secondary = rds_dr.create_db_cluster(
        DBClusterIdentifier="pg-secondary", Engine="aurora-postgresql", GlobalClusterIdentifier=GLOBAL_ID
    )["DBCluster"]
    return {"primary": primary, "secondary": secondary}


def _connect(client, region: str, cluster_id: str):
    cluster = client("rds", region).describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    return psycopg.connect(
        host=cluster["Endpoint"],
        port=cluster["Port"],
        user="registry",
        password=PASSWORD,
        dbname="modelregistry",
        autocommit=True,
        connect_timeout=5,
    )


def _wait_for_row(client, region, cluster_id, value, timeout=10.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with _connect(client, region, cluster_id) as conn:
            try:
                if conn.execute("SELECT count(*) FROM canary WHERE v = %s", (value,)).fetchone()[0]:
                    return True
            except psycopg.errors.UndefinedTable:
                pass  # the CREATE TABLE has not arrived yet
        time.sleep(0.1)
    return False


def _switch(client, gdb, action: str, target: str) -> None:
    rds = client("rds", DR)
    arn = gdb[target]["DBClusterArn"]
    if action == "failover":
        rds.failover_global_cluster(
            GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=arn, AllowDataLoss=True
        )
    else:
        rds.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=arn)
    deadline = time.time() + 60
    while time.time() < deadline:
        gc = rds.describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
        if gc["Status"] == "available":
            return
        time.sleep(0.2)
    raise AssertionError("switch did not finish")


def test_the_endpoint_is_a_real_database_with_the_master_credentials(client, gdb):
    assert gdb["primary"]["Endpoint"] == "127.0.0.1" and gdb["primary"]["Port"] != gdb["secondary"]["Port"]
    with _connect(client, PRIMARY, "pg-primary") as conn:
        assert conn.execute("SELECT current_database(), current_user").fetchone() == ("modelregistry", "registry")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host="127.0.0.1", port=gdb["primary"]["Port"], user="registry", password="wrong", dbname="modelregistry"
        )


def test_the_secondary_replicates_and_is_read_only(client, gdb):
    with _connect(client, PRIMARY, "pg-primary") as conn:
        conn.execute("CREATE TABLE canary (v text, at timestamptz DEFAULT now())")
        conn.execute("INSERT INTO canary (v) VALUES ('one')")
    assert _wait_for_row(client, DR, "pg-secondary", "one")
    with _connect(client, DR, "pg-secondary") as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("INSERT INTO canary (v) VALUES ('two')")


def test_switchover_promotes_the_secondary_without_loss_and_back(client, gdb):
    with _connect(client, PRIMARY, "pg-primary") as conn:
        conn.execute("CREATE TABLE canary (v text, at timestamptz DEFAULT now())")
        conn.execute("INSERT INTO canary (v) VALUES ('before')")
    _switch(client, gdb, "switchover", "secondary")
    with _connect(client, DR, "pg-secondary") as conn:
        assert conn.execute("SELECT count(*) FROM canary WHERE v = 'before'").fetchone()[0] == 1
        conn.execute("INSERT INTO canary (v) VALUES ('after')")  # writable now
    assert _wait_for_row(client, PRIMARY, "pg-primary", "after")  # the old primary follows the new one
    _switch(client, gdb, "switchover", "primary")
    with _connect(client, PRIMARY, "pg-primary") as conn:
        conn.execute("INSERT INTO canary (v) VALUES ('back')")


def test_failover_loses_the_commits_of_the_last_lag_seconds(aws, client, gdb):
    with _connect(client, PRIMARY, "pg-primary") as conn:
        conn.execute("CREATE TABLE canary (v text, at timestamptz DEFAULT now())")
        conn.execute("INSERT INTO canary (v) VALUES ('old')")
    assert _wait_for_row(client, DR, "pg-secondary", "old")
    aws.post("aws", "/_emulator/config", {"replication_lag_ms": 3000})
    with _connect(client, PRIMARY, "pg-primary") as conn:
        conn.execute("INSERT INTO canary (v) VALUES ('recent')")
    _switch(client, gdb, "failover", "secondary")
    with _connect(client, DR, "pg-secondary") as conn:
        rows = {v for (v,) in conn.execute("SELECT v FROM canary").fetchall()}
        conn.execute("INSERT INTO canary (v) VALUES ('on-dr')")  # the new writer takes writes
    assert rows == {"old"}  # 'recent' was within the 3 s lag: lost, as a failover loses it
    assert _wait_for_row(client, PRIMARY, "pg-primary", "on-dr", timeout=20)  # rebuilt as a standby


def test_deleting_the_cluster_stops_its_server(client, gdb):
    port = gdb["secondary"]["Port"]
    client("rds", DR).remove_from_global_cluster(
        GlobalClusterIdentifier=GLOBAL_ID, DbClusterIdentifier=gdb["secondary"]["DBClusterArn"]
    )
    client("rds", DR).delete_db_cluster(DBClusterIdentifier="pg-secondary", SkipFinalSnapshot=True)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=port, user="registry", password=PASSWORD, connect_timeout=2)


def test_a_cluster_with_an_instance_is_refused_deletion_until_the_instance_is_gone(client):
    # The drills' cleanup deletes the instances first (dr_drill_temporary_clusters): RDS refuses DeleteDBCluster with
    # InvalidDBClusterStateFault while the cluster has one -
    # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html (Errors) and
    # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html ("delete all of the DB
    # instances in the cluster" before the cluster).
    rds = client("rds", PRIMARY)
    rds.create_db_cluster(
        DBClusterIdentifier="with-instance", Engine="aurora-postgresql", MasterUsername="u", MasterUserPassword=PASSWORD
    )
    rds.create_db_instance(
        DBInstanceIdentifier="with-instance-1",
        DBClusterIdentifier="with-instance",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r6g.large",
    )
    with pytest.raises(rds.exceptions.InvalidDBClusterStateFault):
        rds.delete_db_cluster(DBClusterIdentifier="with-instance", SkipFinalSnapshot=True)
    rds.delete_db_instance(DBInstanceIdentifier="with-instance-1", SkipFinalSnapshot=True)
    rds.delete_db_cluster(DBClusterIdentifier="with-instance", SkipFinalSnapshot=True)
    assert [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]] == []


def test_a_snapshot_holds_the_data_of_its_time_and_restores_into_a_new_server(aws, client, gdb):
    with _connect(client, PRIMARY, "pg-primary") as conn:
        conn.execute("CREATE TABLE models (id int)")
        conn.execute("INSERT INTO models SELECT generate_series(1, 5)")
    rds = client("rds", PRIMARY)
    rds.create_db_cluster_snapshot(DBClusterIdentifier="pg-primary", DBClusterSnapshotIdentifier="before")
    with _connect(client, PRIMARY, "pg-primary") as conn:
        conn.execute("INSERT INTO models VALUES (6)")
    rds.restore_db_cluster_from_snapshot(
        DBClusterIdentifier="pg-restored", SnapshotIdentifier="before", Engine="aurora-postgresql"
    )
    restored = rds.describe_db_clusters(DBClusterIdentifier="pg-restored")["DBClusters"][0]
    assert not restored.get("GlobalClusterIdentifier")  # a stand-alone cluster, as RDS restores it
    with _connect(client, PRIMARY, "pg-restored") as conn:
        assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 5  # the data of the snapshot's time
        conn.execute("INSERT INTO models VALUES (7)")  # a writable primary of its own
    with _connect(client, PRIMARY, "pg-primary") as conn:
        assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 6
    rds.delete_db_cluster(DBClusterIdentifier="pg-restored", SkipFinalSnapshot=True)
    rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="before")
    servers = aws.state_dir / "postgres-servers"
    gone = [line for line in servers.read_text().split() if "pg-restored" in line or "snapshot" in line]
    assert gone and not any(pathlib.Path(line).exists() for line in gone)


def _wait_connected(client, cluster_arn: str, timeout: float = 20.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        gc = client("rds", DR).describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
        member = next(m for m in gc["GlobalClusterMembers"] if m["DBClusterArn"] == cluster_arn)
        if member.get("SynchronizationStatus", "connected") == "connected":
            return
        time.sleep(0.2)
    raise AssertionError(f"{cluster_arn} never connected")


def _through_global_endpoint(client, gdb):
    """A connection to the global database's writer endpoint, on the port the application was given."""
    gc = client("rds", DR).describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]
    return psycopg.connect(
        host=gc["Endpoint"],
        port=gdb["primary"]["Port"],
        user="registry",
        password=PASSWORD,
        dbname="modelregistry",
        autocommit=True,
        connect_timeout=5,
    )


@pytest.mark.parametrize("action", ["switchover", "failover"])
def test_the_global_writer_endpoint_follows_the_writer_and_drops_open_connections(client, gdb, action):
    # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html: the
    # writer endpoint "is automatically updated by Aurora to route requests to the current writer instance", so no
    # connection string changes after a switchover or failover; connections open while the writer moves are dropped
    # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html: "unavailable for
    # a short time while the primary and selected secondary clusters are assuming their new roles").
    endpoint = client("rds", DR).describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0][
        "Endpoint"
    ]
    assert endpoint.startswith("127.") and endpoint != "127.0.0.1"  # its own name, no cluster's endpoint
    ports = {"primary": gdb["primary"]["Port"], "secondary": gdb["secondary"]["Port"]}
    held = _through_global_endpoint(client, gdb)
    assert held.execute("SELECT inet_server_port(), pg_is_in_recovery()").fetchone() == (ports["primary"], False)
    held.execute("CREATE TABLE canary (v text)")
    held.execute("INSERT INTO canary VALUES ('before')")
    assert _wait_for_row(client, DR, "pg-secondary", "before")
    _switch(client, gdb, action, "secondary")
    with pytest.raises(psycopg.OperationalError):
        held.execute("INSERT INTO canary VALUES ('on a dropped connection')")
    held.close()
    with _through_global_endpoint(client, gdb) as conn:  # the same host and port as before
        assert conn.execute("SELECT inet_server_port(), pg_is_in_recovery()").fetchone() == (ports["secondary"], False)
        conn.execute("INSERT INTO canary VALUES ('after')")
    assert _wait_for_row(client, PRIMARY, "pg-primary", "after", timeout=20)  # the old primary follows
    _wait_connected(client, gdb["primary"]["DBClusterArn"])  # after a failover Aurora resynchronizes it first
    _switch(client, gdb, "switchover", "primary")
    with _through_global_endpoint(client, gdb) as conn:
        assert conn.execute("SELECT inet_server_port()").fetchone()[0] == ports["primary"]
        conn.execute("INSERT INTO canary VALUES ('back')")
    assert (
        client("rds", DR).describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]["Endpoint"]
        == endpoint
    )
