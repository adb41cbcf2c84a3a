"""`make demo`: the main job end to end on the local emulators.

Starts the emulators, runs `ansible-playbook playbooks/site.yml -i inventories/local`, runs it
again to show that nothing changes (and that the emulator saw no write call), shows what was
created - stacks, outputs, Kubernetes Secrets with their values redacted - and stops the emulators.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

from kubernetes import client as k8s
from kubernetes import config

from emulator import launcher

REPO = pathlib.Path(__file__).resolve().parents[1]

REGIONS = ("us-west-2", "us-east-1")


def run_playbook(emulator, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    """ansible-playbook with the emulators' environment, from the repository root; (seconds, process)."""
    env = {
        **os.environ,
        **emulator.env(),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build"),
    }
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - our own playbook
        [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.monotonic() - started, result


def _site(emulator) -> tuple[float, str]:
    elapsed, result = run_playbook(emulator, "playbooks/site.yml", "-i", "inventories/local")
    if result.returncode != 0:
        print(result.stdout[-6000:], result.stderr[-3000:])
        raise SystemExit(f"site.yml failed with exit code {result.returncode}")
    return elapsed, result.stdout[result.stdout.rindex("PLAY RECAP") :]


def main() -> None:
    state_dir = REPO / ".emulator" / "demo"
    emulator = launcher.start(state_dir)
    try:
        emulator.reset()
        print(f"AWS emulator {emulator.aws_url} - Kubernetes emulator {emulator.k8s_url}\n")
        print("== ansible-playbook playbooks/site.yml -i inventories/local  (first run: creates everything)")
        elapsed, recap = _site(emulator)
        print(recap)
        print(f"   {elapsed:.1f} s\n")
        emulator.post("aws", "/_emulator/requests", method="DELETE")
        print("== the same again  (nothing to change)")
        elapsed, recap = _site(emulator)
        print(recap)
        calls = emulator.requests()
        print(
            f"   {elapsed:.1f} s; AWS calls: {calls['total']}, of which writes: {calls['writes']}"
            f" ({', '.join(f'{k} x{v}' for k, v in calls['by_action'].items())})\n"
        )
        print("== stacks")
        for region in REGIONS:
            cfn = emulator.client("cloudformation", region)
            for stack in sorted(cfn.describe_stacks()["Stacks"], key=lambda s: s["StackName"]):
                print(f"   {stack['StackName']:48} {region:10} {stack['StackStatus']}")
                for output in sorted(stack.get("Outputs", []), key=lambda o: o["OutputKey"]):
                    if output["OutputKey"] in (
                        "ClusterEndpoint",
                        "ReaderEndpoint",
                        "RedisEndpoint",
                        "GlobalClusterIdentifier",
                        "SecondaryClusterEndpoint",
                        "ArtifactsBucketName",
                        "BackupPlanId",
                        "OrchestratorFunctionName",
                    ):
                        print(f"      {output['OutputKey']:26} {output['OutputValue']}")
        print("\n== Kubernetes Secrets (values redacted)")
        core = k8s.CoreV1Api(config.new_client_from_config(config_file=str(emulator.kubeconfig)))
        for secret in core.list_namespaced_secret("default").items:
            keys = ", ".join(f"{key}=<redacted>" for key in sorted(secret.data or {}))
            print(f"   default/{secret.metadata.name}: {keys}")
    finally:
        launcher.stop(state_dir)
        print("\nemulators stopped")


if __name__ == "__main__":
    main()
