"""`make drill [DRILL=restore|switchover|full]`: one DR drill on the local emulators, with its report.

Starts the emulators with real PostgreSQL servers behind the Aurora endpoints, deploys the platform
(site.yml), gives the drill what a real environment has (a table of model rows and an hourly AWS
Backup recovery point for the restore drill, a daily Redis snapshot for the full simulation), runs
`ansible-playbook playbooks/dr_drill.yml -i inventories/local -e dr_drill_type=<DRILL>`, prints the
Markdown report and the addresses of its HTML page and of the history page, and stops the emulators. Reports
stay in .emulator/drill-reports/.

Arguments after the drill's type go to both playbooks, e.g. the application's Secret on the writer cluster's own
endpoint (repointed and restarted after the switch) instead of the global writer endpoint, to compare the
application's write outage of the two:
`python tools/drill.py switchover -e k8s_secrets_postgresql_writer_endpoint=cluster`.
"""

from __future__ import annotations

import json
import pathlib
import sys

import psycopg

from emulator import launcher
from tools.demo import run_playbook

REPO = pathlib.Path(__file__).resolve().parents[1]

RESTORE_CHECKS = {
    "tables": ["models"],
    "row_counts": [{"table": "models", "written_at": "created_at"}],
    "queries": [{"name": "models registered", "sql": "SELECT count(*) FROM models", "expect": 3}],
}


def _outputs(emulator, stack: str) -> dict[str, str]:
    found = emulator.client("cloudformation").describe_stacks(StackName=f"ai-model-registry-development-{stack}")
    return {o["OutputKey"]: o["OutputValue"] for o in found["Stacks"][0]["Outputs"]}


def _prepare(emulator, drill: str) -> None:
    """What the platform holds in real life before the drill: data, recovery points, snapshots."""
    aurora, backup = _outputs(emulator, "aurora"), _outputs(emulator, "backup")
    secret = json.loads(
        emulator.client("secretsmanager").get_secret_value(SecretId=aurora["SecretArn"])["SecretString"]
    )
    with psycopg.connect(
        host=aurora["ClusterEndpoint"],
        port=int(aurora["Port"]),
        user=secret["username"],
        password=secret["password"],
        dbname="modelregistry",
        autocommit=True,
    ) as conn:
        conn.execute("CREATE TABLE models (id int PRIMARY KEY, created_at timestamptz DEFAULT clock_timestamp())")
        conn.execute("INSERT INTO models (id) VALUES (1), (2), (3)")
    if drill == "restore":
        emulator.client("backup").start_backup_job(
            BackupVaultName=backup["BackupVaultName"],
            ResourceArn=aurora["ClusterArn"],
            IamRoleArn=backup["BackupRoleArn"],
        )
    if drill == "full":
        group = _outputs(emulator, "redis")["ReplicationGroupId"]
        emulator.client("elasticache").create_snapshot(ReplicationGroupId=group, SnapshotName=f"{group}-daily")


def main() -> None:
    drill = sys.argv[1] if len(sys.argv) > 1 else "switchover"
    extra_args = sys.argv[2:]
    state_dir = REPO / ".emulator" / "drill"
    reports = REPO / ".emulator" / "drill-reports"
    emulator = launcher.start(state_dir)
    try:
        emulator.reset()
        settings = {"databases": "postgresql", "caches": "redis", "s3_replication_latency_seconds": 2}
        emulator.post("aws", "/_emulator/config", settings)
        print("== ansible-playbook playbooks/site.yml -i inventories/local")
        elapsed, result = run_playbook(emulator, "playbooks/site.yml", "-i", "inventories/local", *extra_args)
        if result.returncode != 0:
            raise SystemExit(result.stdout[-6000:])
        print(f"   deployed in {elapsed:.1f} s")
        _prepare(emulator, drill)
        print(f"== ansible-playbook playbooks/dr_drill.yml -i inventories/local -e dr_drill_type={drill}")
        extra = {"dr_drill_type": drill, "dr_drill_report_dir": str(reports), "dr_drill_restore_checks": RESTORE_CHECKS}
        elapsed, result = run_playbook(
            emulator, "playbooks/dr_drill.yml", "-i", "inventories/local", "-e", json.dumps(extra), *extra_args
        )
        print(result.stdout[result.stdout.rindex("PLAY RECAP") :] if "PLAY RECAP" in result.stdout else result.stdout)
        newest = max(reports.iterdir(), key=lambda p: p.stat().st_mtime)
        print((newest / "report.md").read_text())
        print(f"   {elapsed:.1f} s; reports in {newest.relative_to(REPO)}")
        for page in ("report.html", "history.html"):
            print(f"   open in a browser: {(newest / page).as_uri()}")
        if result.returncode != 0:
            raise SystemExit(f"the drill failed (exit code {result.returncode})")
    finally:
        launcher.stop(state_dir)
        print("emulators stopped")


if __name__ == "__main__":
    main()
