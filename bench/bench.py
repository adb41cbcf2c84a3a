"""`make bench`: performance figures of site.yml on the emulator (not part of `make test`).

Prints, all measured in this one run (the machine is noisy: compare only within a run):
1. concurrency: wall time of a full deploy with a creation latency of L seconds per stack, minus the
   same deploy with no latency, as a ratio to 4L - the seed's four stacks one after another (target <= 0.55);
2. the no-op re-run of site.yml (drift from CloudFormation's last detection under an hour old, the default; a new
   detection every run, `-e registry_stack_drift_max_age=0`; `-e registry_stack_drift=skip`) against
   what a user would run instead: AWS CLI v1 `aws cloudformation deploy --no-fail-on-empty-changeset` over the
   same stacks, one after another, with their deployed templates, parameters and tags. Wall times (median of
   --repeat rounds, interleaved), the ratio (target <= 1.0), the API calls of every stack by action with its
   writes (target: 0 writes, at most 2 calls a stack), and where site.yml's time goes (ansible.posix.json
   callback: start-up, preflight, the stack tasks, the rest of the stack plays, k8s_secrets);
3. wall time of 1 and of 5 environments deployed in one run, without latency and with L per stack (target: 5 in at
   most 2x the time of one);
4. rds_global_cluster_failover with an emulator switchover duration D: the seconds from request to
   the module seeing the new writer (target: within D + 5 s), and the API calls made while waiting;
5. the write outage the application sees in a switchover drill (real databases behind the endpoints): with the
   global writer endpoint in postgresql-credentials (the default) against the writer cluster's endpoint, rewritten
   and restarted after the switch (`k8s_secrets_postgresql_writer_endpoint: cluster`) - one drill each way.

`python bench/bench.py --only noop` runs one section (repeat --only for several).
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

from emulator import launcher
from emulator.aws.cfn_engine import TEMPLATE_BODY_LIMIT
from emulator.aws.control import READ_ACTIONS, READ_PREFIXES
from emulator.aws.s3_bucket import TEMPLATE_BUCKET
from emulator.seed import deploy_seed_order
from tests.integration.ansible import playbook, run_module
from tests.integration.drills import BASELINE

REPO = pathlib.Path(__file__).resolve().parents[1]
SECTIONS = ("concurrency", "noop", "environments", "switchover", "outage")
STACK_ACTION = "ai_model_registry.infra.cloudformation_stack"
LOCAL_SETTINGS = REPO / "inventories/local/group_vars/local.yml"


class Run:
    """One ansible-playbook run: its wall time, output and (with the JSON callback) its parsed report."""

    def __init__(self, seconds: float, started: float, ended: float, stdout: str, report: dict | None = None):
        self.seconds = seconds
        self.started = started
        self.ended = ended
        self.stdout = stdout
        self.report = report


def site(
    emulator,
    inventory: pathlib.Path | str,
    *extra: str,
    forks: int = 10,
    json_report: bool = False,
) -> Run:
    """`ansible-playbook playbooks/site.yml -i INVENTORY EXTRA...`, as a user runs it (default output callback)."""
    env = {
        **os.environ,
        **emulator.env(),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build"),
        "ANSIBLE_FORKS": str(forks),
    }
    if json_report:  # per host and task start/end and every result (api_calls of the stack tasks)
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    command = [
        str(pathlib.Path(sys.executable).parent / "ansible-playbook"),
        "playbooks/site.yml",
        "-i",
        str(inventory),
    ]
    started_wall, started = time.time(), time.monotonic()
    result = subprocess.run(  # noqa: S603 - our own playbook
        [*command, *extra], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    seconds, ended_wall = time.monotonic() - started, time.time()
    if result.returncode != 0:
        print(result.stdout[-5000:], result.stderr[-3000:])
        raise SystemExit(f"site.yml {' '.join(extra)} failed")
    report = json.loads(result.stdout[result.stdout.index("{") :]) if json_report else None
    return Run(seconds, started_wall, ended_wall, result.stdout, report)


def environments(count: int, directory: pathlib.Path) -> pathlib.Path:
    """An inventory with `count` environments (groups), each with its own names, in one account."""
    base = yaml.safe_load(LOCAL_SETTINGS.read_text())
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


def drill_outage(emulator, endpoint: str, work: pathlib.Path) -> dict:
    """A switchover drill on a fresh platform whose database Secret names ``endpoint`` (global or cluster): the
    write outage and RTO its report measured."""
    emulator.reset()
    emulator.post("aws", "/_emulator/config", {"databases": "postgresql", "caches": "redis", **BASELINE})
    choice = ("-e", f"k8s_secrets_postgresql_writer_endpoint={endpoint}")
    site(emulator, "inventories/local", *choice)
    reports = work / f"outage-{endpoint}"
    playbook(
        emulator, "playbooks/dr_drill.yml", "-i", "inventories/local", "-e", f"dr_drill_report_dir={reports}", *choice
    )
    (report,) = [json.loads(path.read_text()) for path in reports.glob("*/report.json")]
    if report["result"] != "pass":
        raise SystemExit(f"the {endpoint} drill failed: {report.get('findings')}")
    return report["measured"]


# --- section 2: the no-op re-run against the AWS CLI ---


def is_write(call: str) -> bool:
    """``service.Action`` is a write by the emulator's rule (IAM access level: drift detection only reads)."""
    action = call.split(".", 1)[-1]
    return not (action.startswith(READ_PREFIXES) or action in READ_ACTIONS)


def clear_requests(emulator) -> None:
    emulator.post("aws", "/_emulator/requests", method="DELETE")


def logged_calls(emulator) -> list[str]:
    return [f"{entry['service']}.{entry['action']}" for entry in emulator.requests()["log"]]


def deployed_stacks(emulator) -> list[dict]:
    """The deployed stacks in both regions, in creation order (level 1 before level 2), each with the file of
    roles/<Component tag>/files/ whose text is its deployed template, its parameters and tags as CLI arguments."""
    settings = yaml.safe_load(LOCAL_SETTINGS.read_text())
    stacks = []
    for region in (settings["registry_primary_region"], settings["registry_dr_region"]):
        client = emulator.client("cloudformation", region)
        for stack in client.describe_stacks()["Stacks"]:
            name = stack["StackName"]
            tags = {tag["Key"]: tag["Value"] for tag in stack.get("Tags", [])}
            body = client.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
            files = [
                p
                for p in sorted((REPO / "roles" / tags["Component"] / "files").glob("*.yaml"))
                if p.read_text() == body
            ]
            if len(files) != 1:
                raise SystemExit(f"{name}: no single template in roles/{tags['Component']}/files/ is its deployed one")
            if any(p.get("ParameterValue") == "****" for p in stack.get("Parameters", [])):
                raise SystemExit(f"{name}: a NoEcho parameter cannot be read back for the AWS CLI")
            stacks.append(
                {
                    "name": name,
                    "region": region,
                    "created": stack["CreationTime"],
                    "template": files[0].relative_to(REPO),
                    "parameters": [f"{p['ParameterKey']}={p['ParameterValue']}" for p in stack.get("Parameters", [])],
                    "tags": [f"{key}={value}" for key, value in tags.items()],
                }
            )
    return sorted(stacks, key=lambda s: s["created"])


def cli_command(aws: str, stack: dict) -> list[str]:
    command = [aws, "cloudformation", "deploy", "--no-fail-on-empty-changeset", "--stack-name", stack["name"]]
    command += ["--template-file", str(stack["template"])]
    if (REPO / stack["template"]).stat().st_size > TEMPLATE_BODY_LIMIT:
        # over CloudFormation's request limit: through S3, as a CLI user must (the account's template bucket)
        bucket, region = TEMPLATE_BUCKET
        assert stack["region"] == region, stack
        command += ["--s3-bucket", bucket]
    if stack["parameters"]:
        command += ["--parameter-overrides", *stack["parameters"]]
    if stack["tags"]:
        command += ["--tags", *stack["tags"]]
    return command + ["--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "--region", stack["region"]]


def cli_env(emulator, work: pathlib.Path) -> dict[str, str]:
    """The emulator's endpoint (AWS_ENDPOINT_URL, which CLI v1 honours) and credentials; no user config."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "PYTHON"))}
    return {
        **env,
        **emulator.env(),
        "AWS_CONFIG_FILE": str(work / "aws-config-none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(work / "aws-credentials-none"),
        "AWS_PAGER": "",
    }


def cli_loop(emulator, aws: str, stacks: list[dict], env: dict[str, str]) -> tuple[float, dict[str, dict]]:
    """The shell user's loop: one `aws cloudformation deploy` after another. Returns the summed wall time of the
    seven commands and, per stack, its time and the API calls the emulator logged for it."""
    per_stack = {}
    for stack in stacks:
        clear_requests(emulator)
        started = time.monotonic()
        result = subprocess.run(  # noqa: S603 - the AWS CLI with fixed arguments
            cli_command(aws, stack), cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        seconds = time.monotonic() - started
        calls = logged_calls(emulator)
        if result.returncode != 0:
            raise SystemExit(f"aws cloudformation deploy {stack['name']} failed:\n{result.stdout}\n{result.stderr}")
        if not calls:
            raise SystemExit(f"aws cloudformation deploy {stack['name']}: the emulator saw no call (endpoint unused?)")
        if "No changes to deploy" not in result.stdout:
            raise SystemExit(f"aws cloudformation deploy {stack['name']} found changes:\n{result.stdout}")
        per_stack[stack["name"]] = {"seconds": seconds, "calls": calls}
    return sum(s["seconds"] for s in per_stack.values()), per_stack


def timestamp(text: str) -> float:
    """The JSON callback's UTC ISO time (``...Z``) as seconds since the epoch."""
    return datetime.datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=datetime.UTC).timestamp()


def union(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def stack_results(run: Run) -> dict[str, dict]:
    """Per stack of a JSON-callback run: the stack task's seconds, API calls and whether it changed."""
    found = {}
    for play in run.report["plays"]:
        for task in play["tasks"]:
            for result in task["hosts"].values():
                if result.get("action") == STACK_ACTION and not result.get("skipped"):
                    found[result["name"]] = {
                        "seconds": timestamp(task["task"]["duration"]["end"])
                        - timestamp(task["task"]["duration"]["start"]),
                        "calls": result.get("api_calls", []),
                        "changed": bool(result.get("changed")),
                    }
    return found


def breakdown(run: Run) -> list[tuple[str, str, float]]:
    """Where a JSON-callback run's wall time goes, as (kind, label, seconds): start-up, each play (a stack play
    split into its cloudformation_stack tasks - the union of their intervals over the concurrent hosts - and the
    rest of the play), and the end (recap, exit)."""
    plays = run.report["plays"]
    starts = [timestamp(play["play"]["duration"]["start"]) for play in plays]
    last = plays[-1]["play"]["duration"]
    finish = timestamp(last.get("end", last["start"]))
    rows = [("other", "ansible-playbook start-up (Python, Ansible, inventory, playbook)", starts[0] - run.started)]
    for index, play in enumerate(plays):
        stop = starts[index + 1] if index + 1 < len(plays) else finish
        wall = stop - starts[index]
        stack_tasks = [
            (timestamp(task["task"]["duration"]["start"]), timestamp(task["task"]["duration"]["end"]))
            for task in play["tasks"]
            if any(r.get("action") == STACK_ACTION and not r.get("skipped") for r in task["hosts"].values())
        ]
        name = play["play"]["name"]
        if stack_tasks:
            busy = union(stack_tasks)
            short = name.split(" - ")[0]
            rows.append(("stack", f"{short}: the {len(stack_tasks)} cloudformation_stack tasks (concurrent)", busy))
            rows.append(
                ("stack-play", f"{short}: the rest of the play (include_role, argument specs, set_fact)", wall - busy)
            )
        else:
            rows.append(("other", f"play: {name}", wall))
    rows.append(("other", "recap and exit", run.ended - finish))
    return rows


def slowest_tasks(run: Run, count: int = 6) -> list[tuple[str, str, float]]:
    tasks = []
    for play in run.report["plays"]:
        for task in play["tasks"]:
            duration = task["task"]["duration"]
            if "end" in duration:
                hosts = ", ".join(sorted(task["hosts"]))
                tasks.append((task["task"]["name"], hosts, timestamp(duration["end"]) - timestamp(duration["start"])))
    return sorted(tasks, key=lambda t: -t[2])[:count]


def by_action(calls: list[str]) -> str:
    counted = collections.Counter(call.split(".", 1)[-1] for call in calls)
    return ", ".join(f"{action} {n}" for action, n in counted.items())


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):5.1f} s (min {min(values):.1f}, max {max(values):.1f})"


def noop_comparison(emulator, aws: str, repeat: int, work: pathlib.Path) -> None:
    emulator.reset()
    emulator.post("aws", "/_emulator/config", {"stack_latency": {}})
    deploy = site(emulator, "inventories/local")
    stacks = deployed_stacks(emulator)
    env = cli_env(emulator, work)
    version = subprocess.run(  # noqa: S603 - the AWS CLI
        [aws, "--version"], env=env, capture_output=True, text=True, check=True
    )
    # report: the default - CloudFormation's last drift detection when under an hour old (the first round detects);
    # detect: a new detection on every run; skip: no drift.
    variants = {
        "report": (),
        "detect": ("-e", "registry_stack_drift_max_age=0"),
        "skip": ("-e", "registry_stack_drift=skip"),
    }
    labels = {
        "report": "site.yml, drift: report (default)      ",
        "detect": "site.yml -e registry_stack_drift_max_age=0",
        "skip": "site.yml -e registry_stack_drift=skip  ",
    }
    times: dict[str, list[float]] = {variant: [] for variant in [*variants, "cli"]}
    totals: dict[str, list[dict]] = {variant: [] for variant in variants}
    cli_stacks: dict[str, dict] = {}
    for _round in range(repeat):  # interleaved, so that the machine's noise falls on all three alike
        for variant, extra in variants.items():
            clear_requests(emulator)
            times[variant].append(site(emulator, "inventories/local", *extra).seconds)
            logged = emulator.requests()
            totals[variant].append({"total": logged["total"], "writes": logged["writes"]})
        seconds, cli_stacks = cli_loop(emulator, aws, stacks, env)
        times["cli"].append(seconds)
    # One more run of each variant with the JSON callback: per stack calls and where the time goes.
    reports, report_calls = {}, {}
    for variant, extra in variants.items():
        clear_requests(emulator)
        reports[variant] = site(emulator, "inventories/local", *extra, json_report=True)
        report_calls[variant] = logged_calls(emulator)

    cli = statistics.median(times["cli"])
    print(f"2. No-op re-run of site.yml against a loop of `aws cloudformation deploy` ({version.stdout.split()[0]})")
    print(
        f"   {len(stacks)} stacks deployed by site.yml (first deploy {deploy.seconds:.1f} s); median of {repeat} rounds"
    )
    for variant in variants:
        print(f"   {labels[variant]}  {spread(times[variant])}")
    print(f"   aws cli loop, one stack after another     {spread(times['cli'])}")
    for variant in variants:
        ratio = statistics.median(times[variant]) / cli
        verdict = "met" if ratio <= 1.0 else "MISSED"
        print(f"   ratio site.yml (drift {variant}) / cli loop: {ratio:.2f}   (target <= 1.0: {verdict})")
    for variant in variants:
        writes = [t["writes"] for t in totals[variant]]
        calls = [t["total"] for t in totals[variant]]
        print(f"   site.yml drift {variant}: AWS API calls per run {calls}, writes per run {writes} (target 0)")

    print("\n   API calls per stack, by action (site.yml: the plugin's api_calls; aws cli: the emulator's request log)")
    results = {variant: stack_results(run) for variant, run in reports.items()}
    sums: dict[str, list[str]] = {variant: [] for variant in [*variants, "cli"]}
    for stack in stacks:
        name = stack["name"]
        print(f"   {name} ({stack['region']}, {stack['template']})")
        for variant in variants:
            found = results[variant].get(name, {"calls": [], "seconds": 0.0, "changed": None})
            calls = found["calls"]
            sums[variant] += calls
            writes = sum(map(is_write, calls))
            changed = "" if found["changed"] is False else f", changed={found['changed']}"
            print(
                f"     site.yml drift {variant:6} {len(calls)} calls, {plural(writes, 'write')}{changed}  "
                f"[{by_action(calls)}]  task {found['seconds']:.2f} s"
            )
        calls = cli_stacks[name]["calls"]
        sums["cli"] += calls
        print(
            f"     aws cli              {len(calls)} calls, {plural(sum(map(is_write, calls)), 'write')}  "
            f"[{by_action(calls)}]  {cli_stacks[name]['seconds']:.2f} s"
        )
    print("   Total")
    for variant in variants:
        stack_calls, run_calls = sums[variant], report_calls[variant]
        others = collections.Counter(run_calls) - collections.Counter(stack_calls)
        print(
            f"     site.yml drift {variant:6} {len(stack_calls)} calls for the stacks "
            f"({len(stack_calls) / len(stacks):.1f} a stack), {sum(map(is_write, stack_calls))} writes; "
            f"{len(run_calls)} in the whole run (the emulator's log), the others: "
            f"{', '.join(f'{call} {n}' for call, n in sorted(others.items())) or 'none'}"
        )
    print(
        f"     aws cli              {len(sums['cli'])} calls ({len(sums['cli']) / len(stacks):.1f} a stack), "
        f"{sum(map(is_write, sums['cli']))} writes"
    )

    print("\n   Where site.yml's time goes (one more run of each with the ansible.posix.json callback)")
    rows = {variant: breakdown(run) for variant, run in reports.items()}
    print(f"     {'':78} " + " ".join(f"{variant:>7}" for variant in variants))
    for row in zip(*rows.values(), strict=True):
        print(f"     {row[0][1][:78]:78} " + " ".join(f"{seconds:6.2f}s" for _kind, _label, seconds in row))
    for variant, run in reports.items():
        stack = sum(seconds for kind, _label, seconds in rows[variant] if kind == "stack")
        plays = stack + sum(seconds for kind, _label, seconds in rows[variant] if kind == "stack-play")
        print(
            f"     drift {variant}: {run.seconds:.1f} s in all: the stack tasks {stack:.1f} s "
            f"({100 * stack / run.seconds:.0f}%), the two stack plays {plays:.1f} s (the cli loop: {cli:.1f} s), "
            f"everything else {run.seconds - plays:.1f} s"
        )
    print("     slowest tasks (drift report run):")
    for name, hosts, seconds in slowest_tasks(reports["report"]):
        print(f"       {seconds:5.2f} s  {name[:70]}  [{hosts[:60]}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=10.0, help="creation latency L per stack, seconds")
    parser.add_argument(
        "--switchover", type=float, nargs="*", default=[10.0, 60.0], help="emulator switchover durations D, seconds"
    )
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run only this section (repeat it for several)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds of the no-op comparison (median)")
    parser.add_argument(
        "--aws", default=str(REPO / ".venv-awscli/bin/aws"), help="AWS CLI v1 (make bench installs .venv-awscli)"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each figure as it is measured, also through make
    sections = args.only or list(SECTIONS)
    if "noop" in sections and not pathlib.Path(args.aws).exists():
        raise SystemExit(f"{args.aws} not found: `make .venv-awscli/.installed` or `make bench` installs it")
    state_dir = REPO / ".emulator" / "bench"
    emulator = launcher.start(state_dir)
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        if "concurrency" in sections:
            latency = args.latency
            emulator.reset()
            baseline = site(emulator, "inventories/local").seconds
            emulator.reset()
            emulator.post("aws", "/_emulator/config", {"stack_latency": {"*": latency}})
            with_latency = site(emulator, "inventories/local").seconds
            emulator.post("aws", "/_emulator/config", {"stack_latency": {}})
            ratio = (with_latency - baseline) / (4 * latency)
            print("1. Concurrency (7 stacks, two levels)")
            print(f"   deploy without latency: {baseline:6.1f} s   (Ansible and emulator work: the fixed overhead)")
            print(f"   deploy with L = {latency:g} s:  {with_latency:6.1f} s")
            verdict = "met" if ratio <= 0.55 else "MISSED"
            print(
                f"   (with L - without) / 4L = {ratio:.2f}   (seed's serial order = 1.00; target <= 0.55: {verdict})\n"
            )

        if "noop" in sections:
            noop_comparison(emulator, args.aws, args.repeat, work)
            print()

        if "environments" in sections:
            # Without latency the run is all Ansible and emulator work (CPU: 5 x the work on this machine's cores);
            # with each stack taking L, as AWS's take minutes, it is mostly waiting, which environments share.
            print("3. Environments in one run (forks 40)")
            for latency in (0.0, args.latency):
                setting = {"stack_latency": {"*": latency} if latency else {}}
                emulator.reset()
                emulator.post("aws", "/_emulator/config", setting)
                one = site(emulator, environments(1, work / f"one-{latency:g}")).seconds
                emulator.reset()
                emulator.post("aws", "/_emulator/config", setting)
                five = site(emulator, environments(5, work / f"five-{latency:g}"), forks=40).seconds
                verdict = "met" if five <= 2 * one else "MISSED"
                print(
                    f"   L = {latency:4g} s: 1 environment {one:6.1f} s, 5 environments {five:6.1f} s "
                    f"({five / one:.2f} x the time of one, for 5 x the stacks; target <= 2: {verdict})"
                )
            emulator.post("aws", "/_emulator/config", {"stack_latency": {}})
            print()

        if "switchover" in sections:
            print("4. Global database switchover (rds_global_cluster_failover, wait with backoff capped at 5 s)")
            for duration in args.switchover:
                figures = switchover(emulator, duration, work / f"switchover-{duration:g}")
                late = figures["seconds"] - duration
                print(
                    f"   D = {duration:4g} s: done after {figures['seconds']:6.1f} s (D + {late:.1f} s; "
                    f"target D + 5 s), {figures['waiting_calls']} DescribeGlobalClusters while waiting, "
                    f"{figures['calls']} API calls in all"
                )

        if "outage" in sections:
            print("5. Write outage in a switchover drill (the longest gap between the canaries' acknowledged writes)")
            figures = {endpoint: drill_outage(emulator, endpoint, work) for endpoint in ("global", "cluster")}
            for endpoint, measured in figures.items():
                print(
                    f"   {endpoint:7} endpoint in the Secret: write outage {measured['write_outage_seconds']:6.2f} s, "
                    f"RTO {measured['rto_seconds']:6.2f} s"
                )
            gain = figures["cluster"]["write_outage_seconds"] - figures["global"]["write_outage_seconds"]
            print(f"   the global writer endpoint spares the application {gain:.2f} s of write outage a switch\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        launcher.stop(state_dir)


if __name__ == "__main__":
    main()
