"""`make bench`: performance figures of site.yml on the emulator (not part of `make test`).

Prints, all measured in this one run (the machine is noisy: compare only within a run):
1. concurrency: wall time of a full deploy with a creation latency of L seconds per stack, minus the
   same deploy with no latency, as a ratio to 4L - the seed's four stacks one after another;
2. the AWS API calls of a no-op re-run, by action (writes must be 0);
3. wall time of 1 and of 5 environments deployed in one run;
4. rds_global_cluster_failover with an emulator switchover duration D: the seconds from request to
   the module seeing the new writer (target: within D + 5 s), and the API calls made while waiting.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

from emulator import launcher
from emulator.seed import deploy_seed_order
from tests.integration.ansible import run_module

REPO = pathlib.Path(__file__).resolve().parents[1]


def site(emulator, inventory: pathlib.Path | str, forks: int = 10) -> float:
    env = {
        **os.environ,
        **emulator.env(),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build"),
        "ANSIBLE_FORKS": str(forks),
    }
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - our own playbook
        [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "playbooks/site.yml", "-i", str(inventory)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(result.stdout[-5000:])
        raise SystemExit("site.yml failed")
    return time.monotonic() - started


def environments(count: int, directory: pathlib.Path) -> pathlib.Path:
    """An inventory with `count` environments (groups), each with its own names, in one account."""
    base = yaml.safe_load((REPO / "inventories/local/group_vars/local.yml").read_text())
    hosts = {}
    (directory / "group_vars").mkdir(parents=True)
    for n in range(1, count + 1):
        name = f"bench{n}"
        hosts[name] = {
            "hosts": {
                f"registry-{name}": {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                }
            }
        }
        settings = dict(base, registry_name_prefix=f"amr-{name}", registry_artifacts_bucket=f"amr-{name}-artifacts")
        (directory / "group_vars" / f"{name}.yml").write_text(yaml.safe_dump(settings))
    (directory / "hosts.yml").write_text(yaml.safe_dump({"ai_model_registry": {"children": hosts}}))
    return directory


def switchover(emulator, duration: float, work: pathlib.Path) -> dict:
    """One switchover to the DR region of the seed's global database, with the emulator taking D seconds."""
    emulator.reset()
    deploy_seed_order(emulator.client)
    emulator.post("aws", "/_emulator/config", {"global_switchover_seconds": duration})
    work.mkdir(parents=True, exist_ok=True)
    result = run_module(
        emulator,
        work,
        "rds_global_cluster_failover",
        {"global_cluster_identifier": "ai-model-registry-aurora-cluster-global", "target_region": "us-east-1"},
    )[0]
    if result.get("failed"):
        raise SystemExit(f"switchover failed: {result.get('msg')}")
    calls = result["api_calls"]
    waiting = calls[calls.index("rds.SwitchoverGlobalCluster") + 1 :]
    return {"seconds": result["timings"]["seconds"], "waiting_calls": len(waiting), "calls": len(calls)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=10.0, help="creation latency L per stack, seconds")
    parser.add_argument(
        "--switchover", type=float, nargs="*", default=[10.0, 60.0], help="emulator switchover durations D, seconds"
    )
    parser.add_argument("--only-switchover", action="store_true", help="run section 4 only")
    args = parser.parse_args()
    state_dir = REPO / ".emulator" / "bench"
    emulator = launcher.start(state_dir)
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        if not args.only_switchover:
            latency = args.latency
            emulator.reset()
            baseline = site(emulator, "inventories/local")
            emulator.reset()
            emulator.post("aws", "/_emulator/config", {"stack_latency": {"*": latency}})
            with_latency = site(emulator, "inventories/local")
            ratio = (with_latency - baseline) / (4 * latency)
            print("1. Concurrency (7 stacks, two levels)")
            print(f"   deploy without latency: {baseline:6.1f} s   (Ansible and emulator work: the fixed overhead)")
            print(f"   deploy with L = {latency:g} s:  {with_latency:6.1f} s")
            print(f"   (with L - without) / 4L = {ratio:.2f}   (seed's serial order = 1.00; target <= 0.60)")

            emulator.post("aws", "/_emulator/config", {"stack_latency": {}})
            emulator.post("aws", "/_emulator/requests", method="DELETE")
            noop = site(emulator, "inventories/local")
            calls = emulator.requests()
            print(f"\n2. No-op re-run: {noop:.1f} s, {calls['total']} AWS API calls, {calls['writes']} writes")
            for action, count in calls["by_action"].items():
                print(f"   {action:40} {count}")

            emulator.reset()
            one = site(emulator, environments(1, work / "one"))
            emulator.reset()
            five = site(emulator, environments(5, work / "five"), forks=40)
            print("\n3. Environments in one run (no latency, forks 40)")
            print(f"   1 environment:  {one:6.1f} s")
            print(f"   5 environments: {five:6.1f} s   ({five / one:.2f} x the time of one, for 5 x the stacks)")

        print("\n4. Global database switchover (rds_global_cluster_failover, wait with backoff capped at 5 s)")
        for duration in args.switchover:
            figures = switchover(emulator, duration, work / f"switchover-{duration:g}")
            late = figures["seconds"] - duration
            print(
                f"   D = {duration:4g} s: done after {figures['seconds']:6.1f} s (D + {late:.1f} s; target D + 5 s), "
                f"{figures['waiting_calls']} DescribeGlobalClusters while waiting, {figures['calls']} API calls in all"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        launcher.stop(state_dir)


if __name__ == "__main__":
    main()
