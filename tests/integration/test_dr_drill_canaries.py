"""dr_drill_canaries through ansible-playbook, on a real PostgreSQL server behind an emulated Aurora cluster."""

from __future__ import annotations

import time

import psycopg
import yaml

from tests.integration.ansible import REPO, run_module

MODULE = "dr_drill_canaries"
PASSWORD = "s3cret-Passw0rd"


def _documented(section: str) -> dict:
    source = (REPO / "plugins/modules" / f"{MODULE}.py").read_text()
    return yaml.safe_load(source.split(f'{section} = r"""')[1].split('"""')[0])


def test_canaries_written_through_a_background_writer_read_and_removed(aws, client, tmp_path):
    aws.post("aws", "/_emulator/config", {"databases": "postgresql"})
    client("rds").create_db_cluster(
        DBClusterIdentifier="canaries",
        Engine="aurora-postgresql",
        MasterUsername="registry",
        MasterUserPassword=PASSWORD,
        DatabaseName="modelregistry",
    )
    cluster = client("rds").describe_db_clusters(DBClusterIdentifier="canaries")["DBClusters"][0]
    login = {
        "login_host": cluster["Endpoint"],
        "login_port": cluster["Port"],
        "login_user": "registry",
        "login_password": PASSWORD,
        "login_db": "modelregistry",
        "drill_id": "development-switchover-1",
        "acknowledgements": str(tmp_path / "drill" / "acknowledged.txt"),
    }
    written, process = run_module(aws, tmp_path, MODULE, {**login, "count": 5, "interval_seconds": 0.1})
    assert written["changed"] and [seq for seq, at in written["written"]] == [1, 2, 3, 4, 5]
    assert written["writer_pid"] > 0 and written["endpoint"] == f"{cluster['Endpoint']}:{cluster['Port']}"
    assert PASSWORD not in process.stdout + process.stderr
    time.sleep(1)  # the background writer keeps adding canaries after the module returned

    read = run_module(aws, tmp_path, MODULE, {**login, "state": "read", "write": True})[0]
    assert not read.get("failed"), read
    acknowledged = [seq for seq, at in read["acknowledged"]]
    assert acknowledged and acknowledged == list(range(1000, 1000 + len(acknowledged)))
    # every acknowledged commit is there, and the writer stopped: nothing after its last acknowledgement
    assert [seq for seq, at in read["found"]] == [1, 2, 3, 4, 5, *acknowledged]
    assert read["count"] == 5 + len(acknowledged) + 1  # and the canary written now (seq 0)
    assert (tmp_path / "drill" / "acknowledged.txt.done").exists()
    # every documented return key is returned (reason only on failure, redis only with the option)
    always = set(_documented("RETURN")) - {"reason", "redis"}
    assert always <= set(written) and always <= set(read) and "redis" not in read

    removed = run_module(aws, tmp_path, MODULE, {**login, "state": "absent"})[0]
    assert removed["changed"] and removed["deleted"] == read["count"]
    with psycopg.connect(
        host=cluster["Endpoint"], port=cluster["Port"], user="registry", password=PASSWORD, dbname="modelregistry"
    ) as conn:
        assert conn.execute("SELECT count(*) FROM dr_drill_canary").fetchone()[0] == 0


def test_a_table_that_is_no_identifier_is_refused(aws, tmp_path):
    args = {"login_host": "127.0.0.1", "login_port": 1, "login_user": "u", "login_password": "p", "login_db": "d"}
    refused = run_module(aws, tmp_path, MODULE, {**args, "drill_id": "x", "table": "canary; DROP TABLE models"})[0]
    assert refused["failed"] and refused["reason"] == "invalid_table"
