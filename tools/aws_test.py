"""`make test-aws`: the end-to-end path against a real AWS account - or the emulator - opt-in, costed, left empty.

    AWS_TEST_ACCOUNT=<12 digits> python -m tools.aws_test --settings inventories/<env>/group_vars/<env>.yml
    AWS_TEST_ACCOUNT=123456789012 python -m tools.aws_test --emulator        # the same run on a local emulator

1. Opt-in: refused (exit 2) unless AWS_TEST_ACCOUNT is 12 digits and the caller's account (STS GetCallerIdentity,
   the only AWS call before the refusal) is that account. A malformed or missing opt-in makes no AWS call at all.
2. The run's name prefix ``amr-test-<8 hex>`` (the length of the default prefix: every name the platform model
   derives from it fits AWS's limits, e.g. ElastiCache's 40 characters), an inventory generated from the settings
   file (regions, VPCs, subnets, Kubernetes binding; nothing else of it is used) and the test sizes below, the cost
   estimate and the stacks and resources it will create - printed before any write (``--plan-only`` stops there).
3. Phases: site.yml; site.yml again (changed=0 in every recap line; on the emulator 0 write calls); dr_drill.yml
   switchover (switch over and fail back); rows written and an AWS Backup job of the cluster, then dr_drill.yml
   restore (the rows checked in the restored cluster). A phase runs only when the ones before it passed.
4. Always (also after a failure or Ctrl-C/SIGTERM): the stacks' resources recorded, teardown.yml, then the sweep:
   everything that still carries the run's prefix - stacks, clusters, snapshots, caches, secrets, buckets (every
   object version), backup vaults and their recovery points, parameters, log groups, KMS keys (scheduled for
   deletion: AWS's shortest wait is 7 days), the Kubernetes namespace - and, by the Resource Groups Tagging API,
   any resource tagged Project=ai-model-registry whose ARN names the prefix or a key of the run. teardown.yml keeps
   data by design (buckets, vaults, KMS keys, final snapshots, the global cluster); a test account must end empty,
   so the sweep deletes those too. Anything the teardown left that it does not keep by design is a teardown finding.
5. A report (report.json, report.md) in aws-test-reports/<prefix>/: each phase with its result, duration and log;
   what the teardown left, what the sweep deleted, what is left. Exit 0 only when every phase passed and nothing is
   left; 1 otherwise; 2 for a refusal. ``--sweep-only --prefix amr-test-<8 hex>`` sweeps an interrupted run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field

import boto3
import yaml
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from plugins.module_utils import platform_model

REPO = pathlib.Path(__file__).resolve().parents[1]
ACCOUNT_PATTERN = re.compile(r"^[0-9]{12}$")
PREFIX_PATTERN = re.compile(r"^amr-test-[0-9a-f]{8}$")
ENVIRONMENT = "development"  # the cheapest shape the platform has: Serverless v2, no protection, no approval
HOST = "aws-test"
# The SDK app id of this harness's own calls (the emulator records callers by it; the collection's are "ansible").
APP_ID = "aws-test-harness"
EXIT_REFUSED = 2

# What the settings file gives the run: where it deploys and the cluster it is bound to. Everything else in the file
# (sizes, subscribers, a custom domain...) is left out: the test run has its own sizes and pages nobody.
TAKEN_SETTINGS = (
    "registry_primary_region",
    "registry_dr_region",
    "registry_vpc_id",
    "registry_private_subnet_ids",
    "registry_dr_vpc_id",
    "registry_dr_private_subnet_ids",
    "registry_kubernetes_context",
    "registry_kubernetes_server",
    "registry_template_bucket",
    "registry_cloudformation_role_arn",
    "registry_stack_poll_seconds",
    "registry_stack_timeout_minutes",
    "aurora_client_cidr",
    "aurora_client_security_group_id",
    "redis_client_cidr",
    "redis_client_security_group_id",
    "dr_client_cidr",
    "backup_postgres_driver_layer_arn",
)
REQUIRED_SETTINGS = TAKEN_SETTINGS[:6]

# The sizes of a test run (--set KEY=VALUE overrides one; the estimate follows): the smallest the templates accept.
TEST_SIZES = {
    "aurora_instance_mode": "serverless",
    "aurora_serverless_min_capacity": 0.5,
    "aurora_serverless_max_capacity": 2,
    "aurora_read_replicas": 0,
    "aurora_backup_retention_days": 1,
    "redis_node_type": "cache.t4g.micro",
    "redis_num_cache_clusters": 2,
    "redis_global_datastore": False,
    "registry_alarm_subscriptions": [],
    "dr_drill_restore_instance_class": "db.r6g.large",
}

# On-demand list prices, us-east-1, USD: one table, for an estimate only (other regions cost up to ~20 % more; taxes,
# free tier and credits are ignored). Taken from the AWS pricing pages below as they stood in 2025 - not re-read since
# (the machine this was written on could not reach them): check them against the pages before relying on a figure,
# and put the date you read them in PRICES_AS_OF.
PRICES_AS_OF = "2025 list prices, not re-read since"
PRICE_PAGES = (
    "https://aws.amazon.com/rds/aurora/pricing/",
    "https://aws.amazon.com/elasticache/pricing/",
    "https://aws.amazon.com/kms/pricing/",
    "https://aws.amazon.com/secrets-manager/pricing/",
    "https://aws.amazon.com/cloudwatch/pricing/",
    "https://aws.amazon.com/cloudtrail/pricing/",
)
HOURS_PER_MONTH = 730
PRICES = {
    "aurora_acu_hour": 0.12,  # Aurora Serverless v2, Aurora Standard, per ACU-hour
    "aurora_instance_hour": {  # Aurora PostgreSQL provisioned instances, Aurora Standard
        "db.t4g.medium": 0.073,
        "db.r6g.large": 0.26,
        "db.r6g.xlarge": 0.519,
        "db.r7g.large": 0.276,
        "db.r7g.xlarge": 0.552,
    },
    "elasticache_node_hour": {  # ElastiCache for Redis OSS, on-demand nodes
        "cache.t4g.micro": 0.016,
        "cache.t4g.small": 0.032,
        "cache.t4g.medium": 0.065,
        "cache.m7g.large": 0.158,
        "cache.r6g.large": 0.206,
        "cache.r7g.large": 0.219,
    },
    "kms_key_month": 1.00,
    "secret_month": 0.40,  # a replica counts as a secret
    "alarm_month": 0.10,  # standard resolution metric alarm
    "dashboard_month": 3.00,  # beyond the 3 free dashboards of an account
    "cloudtrail_100k_events": 2.00,  # management events of a second trail (the first copy is free)
    "lambda_million_requests": 0.20,
    "s3_gb_month": 0.023,
}
# How long each phase takes on AWS (minutes; Aurora global database creation and deletion dominate), for the
# expected duration and cost. The emulator takes about two minutes for all of it.
EXPECTED_MINUTES = {
    "deploy": 60,
    "rerun": 5,
    "switchover": 25,
    "restore": 45,
    "teardown": 45,
    "sweep": 10,
}
RESTORE_DRILL_INSTANCE_HOURS = 0.75  # the restore drill's temporary instance, the only resource not up the whole run
CLOUDTRAIL_EVENTS = 20000  # management events the run causes (API calls of CloudFormation, the playbooks, AWS)
KMS_PENDING_DAYS = 7  # the shortest waiting period of ScheduleKeyDeletion
CLOUDFORMATION_KEY_PENDING_DAYS = 30  # AWS::KMS::Key's PendingWindowInDays when a template does not set it

# The stacks of a run: (model key, component, region setting, template), in site.yml's order; teardown reverses it.
STACKS = (
    ("aurora", "aurora", "registry_primary_region", "roles/aurora/files/aurora-cluster.yaml"),
    ("redis", "redis", "registry_primary_region", "roles/redis/files/redis-cluster.yaml"),
    ("backup_dr_vault", "backup-dr-vault", "registry_dr_region", "roles/backup/files/backup-dr-vault.yaml"),
    ("dr_replica", "dr-replica", "registry_dr_region", "roles/dr/files/disaster-recovery-replica.yaml"),
    ("backup", "backup", "registry_primary_region", "roles/backup/files/backup-policy.yaml"),
    ("dr", "dr", "registry_primary_region", "roles/dr/files/disaster-recovery.yaml"),
    ("dr_secondary", "dr-secondary", "registry_dr_region", "roles/dr/files/disaster-recovery-secondary.yaml"),
    ("redis_dr", "redis-dr", "registry_dr_region", "roles/redis/files/redis-dr.yaml"),
)

# What teardown.yml keeps by design (teardown.yml: buckets, vaults with their recovery points, KMS keys, final
# snapshots; the DR template retains the global cluster), and what no teardown deletes: the test's own Kubernetes
# namespace (teardown.yml deletes the Secrets, never a namespace) and the log groups Lambda creates on a first run.
KEPT_BY_DESIGN = (
    "s3_bucket",
    "backup_vault",
    "backup_recovery_point",
    "kms_key",
    "rds_cluster_snapshot",
    "elasticache_snapshot",
    "rds_global_cluster",
)
NOT_TEARDOWNS = ("k8s_namespace", "log_group")

# The rows the restore drill finds again in the restored cluster.
RESTORE_TABLE = "aws_test_rows"
RESTORE_ROWS = 3
RESTORE_CHECKS = {
    "tables": [RESTORE_TABLE],
    "row_counts": [{"table": RESTORE_TABLE, "written_at": "created_at"}],
    "queries": [{"name": "rows the test wrote", "sql": "SELECT count(*) FROM aws_test_rows", "expect": RESTORE_ROWS}],
}

# What names the run and binds it: set by the harness alone (an override could point the run, its teardown or its
# sweep at another environment's resources).
IDENTITY = re.compile(
    r"^registry_(environment|name_prefix|aws_account_id|artifacts_bucket)$|_name_prefix$|_stack_name$|_environment$"
    r"|_namespaces?$|_bucket$|_lock_name$|_restart_deployments$|_confirm$"
)

RECAP_LINE = re.compile(r"^(\S+)\s+:\s+(ok=.*)$", re.MULTILINE)


class Refused(Exception):
    """The run is refused before anything is created."""


class Interrupted(Exception):
    """SIGTERM: handled as Ctrl-C is, the teardown and the sweep still run."""


# --- settings, plan and estimate -------------------------------------------------------------------------------


def new_prefix() -> str:
    return "amr-test-" + secrets.token_hex(4)


def parse_overrides(pairs: list[str]) -> dict:
    """``KEY=VALUE`` pairs, each value read as YAML (``aurora_read_replicas=1``, ``redis_global_datastore=true``)."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise Refused(f"--set {pair!r}: give KEY=VALUE")
        if IDENTITY.search(key):
            raise Refused(f"--set {key}: the run's names and binding are the harness's own. Nothing was created.")
        overrides[key] = yaml.safe_load(value)
    return overrides


def run_settings(base: dict, prefix: str, account: str, overrides: dict) -> tuple[dict, list[str]]:
    """The inventory's group_vars of the run, and the settings of ``base`` it left out."""
    missing = [key for key in REQUIRED_SETTINGS if key not in base]
    if missing:
        raise Refused(f"the settings file lacks {', '.join(missing)}: nothing was created")
    if not (base.get("registry_kubernetes_context") or base.get("registry_kubernetes_server")):
        raise Refused(
            "the settings file names no Kubernetes cluster (registry_kubernetes_context or registry_kubernetes_server):"
            " the run writes the application's Secrets and the drills read through them. Nothing was created."
        )
    settings = {
        "registry_environment": ENVIRONMENT,
        "registry_name_prefix": prefix,
        "registry_aws_account_id": account,
        "registry_artifacts_bucket": f"{prefix}-artifacts",
        **{key: base[key] for key in TAKEN_SETTINGS if key in base},
        **TEST_SIZES,
        # The run's own namespace: a test cluster may hold other environments' Secrets of the same names.
        "k8s_secrets_namespaces": [prefix],
        "k8s_secrets_restart_deployments": [],
        "dr_drill_namespace": prefix,
        **overrides,
    }
    return settings, sorted(key for key in base if key not in TAKEN_SETTINGS)


def write_inventory(directory: pathlib.Path, settings: dict) -> pathlib.Path:
    inventory = directory / "inventory"
    (inventory / "group_vars").mkdir(parents=True, exist_ok=True)
    hosts = {
        "ai_model_registry": {
            "children": {
                "aws_test": {
                    "hosts": {
                        HOST: {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                        }
                    }
                }
            }
        }
    }
    (inventory / "hosts.yml").write_text("---\n" + yaml.safe_dump(hosts, sort_keys=False))
    header = f"---\n# Generated by tools/aws_test.py for the test run {settings['registry_name_prefix']}.\n"
    (inventory / "group_vars" / "aws_test.yml").write_text(header + yaml.safe_dump(settings, sort_keys=False))
    return inventory


def planned_stacks(settings: dict) -> list[dict]:
    """Every stack the run creates: name, region, template and its resources by type (conditional ones included)."""
    model = platform_model.model(settings["registry_name_prefix"], ENVIRONMENT, settings["registry_artifacts_bucket"])
    stacks = []
    for key, component, region_setting, template in STACKS:
        if key == "redis_dr" and not settings.get("redis_global_datastore"):
            continue
        resources = yaml.safe_load((REPO / template).read_text()).get("Resources", {})
        types: dict[str, int] = {}
        retained: dict[str, int] = {}  # DeletionPolicy Retain: left by the teardown, deleted by the sweep
        for resource in resources.values():
            types[resource["Type"]] = types.get(resource["Type"], 0) + 1
            if resource.get("DeletionPolicy") == "Retain":
                retained[resource["Type"]] = retained.get(resource["Type"], 0) + 1
        stacks.append(
            {
                "key": key,
                "component": component,
                "name": model["stacks"][key],
                "region": settings[region_setting],
                "template": template,
                "resources": dict(sorted(types.items())),
                "retained": dict(sorted(retained.items())),
            }
        )
    return stacks


def _count(stacks: list[dict], resource_type: str, which: str = "resources") -> int:
    return sum(stack[which].get(resource_type, 0) for stack in stacks)


def estimate(settings: dict, stacks: list[dict]) -> dict:
    """Hourly cost of what the run keeps up, the expected duration and cost: low (minimum capacity) and high."""
    serverless = settings.get("aurora_instance_mode") in ("serverless", "auto")
    instances = 1 + int(settings.get("aurora_read_replicas", 2)) + 1  # writer, readers, the DR secondary's one
    lines = []
    if serverless:
        low_acu, high_acu = (
            float(settings["aurora_serverless_min_capacity"]),
            float(settings["aurora_serverless_max_capacity"]),
        )
        price = PRICES["aurora_acu_hour"]
        lines.append(
            {
                "item": f"Aurora Serverless v2: {instances} instances, two regions, {low_acu:g}-{high_acu:g} ACU",
                "low": instances * low_acu * price,
                "high": instances * high_acu * price,
            }
        )
    else:
        klass = settings.get("aurora_instance_class", "db.r6g.large")
        price = _price("aurora_instance_hour", klass)
        lines.append({"item": f"Aurora {klass}: {instances} instances in two regions", "low": instances * price})
    nodes = int(settings.get("redis_num_cache_clusters", 3))
    if settings.get("redis_global_datastore"):
        nodes += int(settings.get("redis_dr_num_cache_clusters", 2))
    node_type = settings.get("redis_node_type", "cache.r7g.large")
    lines.append(
        {"item": f"ElastiCache {node_type}: {nodes} nodes", "low": nodes * _price("elasticache_node_hour", node_type)}
    )
    keys, retained_keys = _count(stacks, "AWS::KMS::Key"), _count(stacks, "AWS::KMS::Key", "retained")
    lines.append({"item": f"KMS keys: up to {keys}", "low": keys * PRICES["kms_key_month"] / HOURS_PER_MONTH})
    secret_count = 2 * _count(stacks, "AWS::SecretsManager::Secret")  # each with its replica in the DR region
    lines.append(
        {
            "item": f"Secrets Manager: {secret_count} secrets (with their DR replicas)",
            "low": secret_count * PRICES["secret_month"] / HOURS_PER_MONTH,
        }
    )
    alarms, dashboards = _count(stacks, "AWS::CloudWatch::Alarm"), _count(stacks, "AWS::CloudWatch::Dashboard")
    lines.append(
        {
            "item": f"CloudWatch: up to {alarms} alarms, {dashboards} dashboards",
            "low": (alarms * PRICES["alarm_month"] + dashboards * PRICES["dashboard_month"]) / HOURS_PER_MONTH,
        }
    )
    functions, buckets = _count(stacks, "AWS::Lambda::Function"), _count(stacks, "AWS::S3::Bucket")
    lines.append({"item": f"Lambda: {functions} functions, a few invocations", "low": 0.0})
    lines.append({"item": f"S3: up to {buckets} buckets, kilobytes of reports and logs", "low": 0.0})
    for line in lines:
        line.setdefault("high", line["low"])
    hours = sum(EXPECTED_MINUTES.values()) / 60
    one_off = {
        "restore drill instance": RESTORE_DRILL_INSTANCE_HOURS
        * _price("aurora_instance_hour", settings.get("dr_drill_restore_instance_class", "db.r6g.large")),
        "CloudTrail events": CLOUDTRAIL_EVENTS / 100000 * PRICES["cloudtrail_100k_events"],
        "KMS keys during their deletion wait, if billed (retained ones 7 days, CloudFormation's 30)": (
            retained_keys * KMS_PENDING_DAYS / 30 + (keys - retained_keys) * CLOUDFORMATION_KEY_PENDING_DAYS / 30
        )
        * PRICES["kms_key_month"],
    }
    hourly_low, hourly_high = sum(line["low"] for line in lines), sum(line["high"] for line in lines)
    return {
        "lines": lines,
        "hourly": {"low": hourly_low, "high": hourly_high},
        "expected_hours": hours,
        "phases_minutes": dict(EXPECTED_MINUTES),
        "one_off": one_off,
        "expected": {
            "low": hourly_low * hours + sum(one_off.values()),
            "high": hourly_high * hours + sum(one_off.values()),
        },
        "prices_as_of": PRICES_AS_OF,
        "price_pages": list(PRICE_PAGES),
    }


def _price(table: str, name: str) -> float:
    try:
        return PRICES[table][name]
    except KeyError:
        raise Refused(
            f"no list price of {name} in tools/aws_test.py PRICES[{table!r}]: add it to estimate the run"
        ) from None


def render_plan(settings: dict, stacks: list[dict], cost: dict, left_out: list[str], target: str) -> str:
    prefix = settings["registry_name_prefix"]
    out = [f"== Test run {prefix} in account {settings['registry_aws_account_id']} ({target})", ""]
    out.append(
        f"Cost estimate - on-demand list prices of us-east-1 ({cost['prices_as_of']}); an estimate, not a quote:"
    )
    out.append(f"  {'USD per hour while deployed':66} {'low':>7} {'high':>7}")
    for line in cost["lines"]:
        out.append(f"  {line['item']:66} {line['low']:7.3f} {line['high']:7.3f}")
    out.append(f"  {'total per hour':66} {cost['hourly']['low']:7.3f} {cost['hourly']['high']:7.3f}")
    phases = ", ".join(f"{name} {minutes}" for name, minutes in cost["phases_minutes"].items())
    out.append(f"  expected duration on AWS: {cost['expected_hours']:.1f} h (minutes: {phases})")
    for item, amount in cost["one_off"].items():
        out.append(f"  plus {item}: USD {amount:.2f}")
    out.append(
        f"  expected cost of the run: USD {cost['expected']['low']:.2f} - {cost['expected']['high']:.2f} "
        "(high: every Aurora instance at its maximum capacity the whole run)"
    )
    out.append("")
    out.append(
        "Stacks it creates (deleted by teardown.yml, then swept with what they retain), with the resources their "
        "templates declare (conditional ones included: read replicas, subscriptions):"
    )
    for stack in stacks:
        resources = ", ".join(f"{t.removeprefix('AWS::')} x{n}" for t, n in stack["resources"].items())
        out.append(f"  {stack['name']:46} {stack['region']:10} {stack['template']}")
        out.append(f"      {resources}")
        if stack["retained"]:
            kept = ", ".join(f"{t.removeprefix('AWS::')} x{n}" for t, n in stack["retained"].items())
            out.append(f"      kept by teardown.yml (DeletionPolicy Retain), deleted by the sweep: {kept}")
    out.append("Outside the stacks:")
    out.append(f"  Kubernetes namespace {prefix} with the Secrets postgresql-credentials and redis-credentials")
    out.append(
        f"  table {RESTORE_TABLE} ({RESTORE_ROWS} rows) and one AWS Backup job of the Aurora cluster (restore drill)"
    )
    out.append(
        f"  the drills' temporary cluster and instance, lock parameter, reports in s3://{prefix}-artifacts/; "
        "log groups Lambda creates"
    )
    if left_out:
        out.append(f"Left out of the settings file (the test run has its own): {', '.join(left_out)}")
    out.append("")
    return "\n".join(out)


# --- AWS ---------------------------------------------------------------------------------------------------------


class Aws:
    """boto3 clients of the run's credentials, one per service and region, with this harness's app id."""

    def __init__(self, poll_seconds: float):
        self.session = boto3.session.Session()
        self.config = Config(user_agent_appid=APP_ID, retries={"mode": "standard", "max_attempts": 10})
        self.poll_seconds = poll_seconds
        self.clients: dict[tuple[str, str], object] = {}

    def client(self, service: str, region: str):
        key = (service, region)
        if key not in self.clients:
            self.clients[key] = self.session.client(service, region_name=region, config=self.config)
        return self.clients[key]

    def pages(self, service: str, region: str, operation: str, key: str, **params) -> list:
        client = self.client(service, region)
        if client.can_paginate(operation):
            items = []
            for page in client.get_paginator(operation).paginate(**params):
                items.extend(page.get(key, []))
            return items
        return getattr(client, operation)(**params).get(key, [])


def caller_account(aws: Aws, region: str) -> dict:
    try:
        return aws.client("sts", region).get_caller_identity()
    except (BotoCoreError, ClientError) as e:
        raise Refused(
            f"the AWS credentials could not be checked (STS GetCallerIdentity: {e}). Nothing was created."
        ) from e


def check_opt_in(value: str | None) -> str:
    """AWS_TEST_ACCOUNT, checked before any AWS call."""
    if not value:
        raise Refused(
            "no opt-in: this run creates real, billed infrastructure (estimate printed once opted in) in the account "
            "of your AWS credentials. Set AWS_TEST_ACCOUNT=<the 12-digit ID of that account> to opt in. "
            "No AWS call was made."
        )
    if not ACCOUNT_PATTERN.match(value):
        raise Refused(f"AWS_TEST_ACCOUNT={value!r} is not an AWS account ID (12 digits). No AWS call was made.")
    return value


def check_account(expected: str, identity: dict) -> None:
    found = str(identity.get("Account", ""))
    if found != expected:
        raise Refused(
            f"AWS_TEST_ACCOUNT={expected}, but the AWS credentials are of account {found} "
            f"({identity.get('Arn', 'unknown caller')}). Only sts:GetCallerIdentity was called; nothing was created. "
            f"Use the credentials of account {expected}, or set AWS_TEST_ACCOUNT to the account you mean to spend in."
        )


class Emulator:
    """The local emulator behind AWS_ENDPOINT_URL, when there is one: its request log counts write calls."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    @classmethod
    def detect(cls) -> Emulator | None:
        url = os.environ.get("AWS_ENDPOINT_URL", "")
        if not url:
            return None
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/_emulator/health", timeout=5) as answer:  # noqa: S310
                return cls(url) if answer.status == 200 else None
        except (urllib.error.URLError, OSError):
            return None

    def call(self, path: str, method: str = "GET", payload: object | None = None) -> dict:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(  # noqa: S310 - the local emulator
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return json.loads(answer.read() or b"null")


# --- phases ------------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    result: str = "not run"  # passed, failed, skipped, not run
    seconds: float = 0.0
    detail: str = ""
    log: str = ""
    extra: dict = field(default_factory=dict)


def recap(stdout: str) -> dict[str, dict[str, int]]:
    if "PLAY RECAP" not in stdout:
        return {}
    return {
        host: {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts)}
        for host, counts in RECAP_LINE.findall(stdout[stdout.rindex("PLAY RECAP") :])
    }


class Runner:
    """Runs the playbooks of the run: its inventory, the repository's ansible.cfg, one log file per phase."""

    def __init__(self, directory: pathlib.Path, inventory: pathlib.Path, timeout: float):
        self.directory = directory
        self.inventory = inventory
        self.timeout = timeout
        self.env = {
            **os.environ,
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
        }

    def playbook(self, phase: Phase, playbook: str, *args: str) -> str:
        command = [
            str(pathlib.Path(sys.executable).parent / "ansible-playbook"),
            playbook,
            "-i",
            str(self.inventory),
            *args,
        ]
        log = self.directory / f"{phase.name}.log"
        phase.log = log.name
        print(
            f"   $ ansible-playbook {playbook} -i {self.inventory.relative_to(self.directory.parent)} {' '.join(args)}"
        )
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 - the collection's own playbooks
                command, cwd=REPO, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            lines = []
            timed_out = threading.Event()

            def stop() -> None:  # also a playbook that prints nothing
                timed_out.set()
                process.terminate()

            watchdog = threading.Timer(self.timeout, stop)
            watchdog.start()
            try:
                for line in process.stdout:
                    out.write(line)
                    lines.append(line)
                    if line.startswith(("TASK [", "PLAY [")):
                        out.flush()
                process.wait()
            except BaseException:
                process.terminate()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                raise
            finally:
                watchdog.cancel()
        stdout = "".join(lines)
        if timed_out.is_set():
            raise PhaseFailed(f"{playbook} ran longer than {self.timeout:.0f} s and was stopped")
        if process.returncode != 0:
            failed = re.findall(r"^(?:fatal|failed): .*$", stdout, re.MULTILINE)
            raise PhaseFailed(f"exit code {process.returncode}" + (f": {failed[-1][:400]}" if failed else ""))
        return stdout


class PhaseFailed(Exception):
    pass


def run_phase(report: Report, phase: Phase, work) -> bool:
    """``work(phase)`` timed; passed unless it raises. Later phases are skipped after a failure."""
    report.phases.append(phase)
    if any(p.result == "failed" for p in report.phases[:-1]):
        phase.result = "skipped"
        phase.detail = "an earlier phase failed"
        print(f"== {phase.name}: skipped (an earlier phase failed)")
        return False
    print(f"== {phase.name}")
    started = time.monotonic()
    try:
        detail = work(phase)
        phase.result, phase.detail = "passed", detail or ""
    except Exception as e:  # noqa: BLE001 - whatever stops a phase fails it; the teardown and the sweep follow
        phase.result, phase.detail = "failed", f"{type(e).__name__}: {e}" if not isinstance(e, PhaseFailed) else str(e)
    phase.seconds = round(time.monotonic() - started, 1)
    print(f"   {phase.result} in {phase.seconds:.1f} s{': ' + phase.detail if phase.detail else ''}")
    return phase.result == "passed"


def stack_outputs(aws: Aws, name: str, region: str) -> dict[str, str]:
    stack = aws.client("cloudformation", region).describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def write_rows_and_back_up(aws: Aws, settings: dict, timeout: float) -> str:
    """What the restore drill finds again: rows written through the cluster's endpoint, then an AWS Backup job of
    the cluster (as the hourly plan makes them) that is waited for. Its recovery point ARN."""
    import psycopg  # only this phase talks SQL (the controller must reach Aurora's port, as the drills need)

    region = settings["registry_primary_region"]
    model = platform_model.model(settings["registry_name_prefix"], ENVIRONMENT)
    aurora = stack_outputs(aws, model["stacks"]["aurora"], region)
    backup = stack_outputs(aws, model["stacks"]["backup"], region)
    secret = json.loads(
        aws.client("secretsmanager", region).get_secret_value(SecretId=aurora["SecretArn"])["SecretString"]
    )
    with psycopg.connect(
        host=aurora["ClusterEndpoint"],
        port=int(aurora["Port"]),
        user=secret["username"],
        password=secret["password"],
        dbname=settings.get("aurora_database_name", "modelregistry"),
        autocommit=True,
        connect_timeout=30,
    ) as conn:
        conn.execute(
            f"CREATE TABLE {RESTORE_TABLE} (id int PRIMARY KEY, created_at timestamptz DEFAULT clock_timestamp())"
        )
        conn.execute(f"INSERT INTO {RESTORE_TABLE} (id) SELECT generate_series(1, {RESTORE_ROWS})")
    client = aws.client("backup", region)
    job = client.start_backup_job(
        BackupVaultName=backup["BackupVaultName"], ResourceArn=aurora["ClusterArn"], IamRoleArn=backup["BackupRoleArn"]
    )
    deadline = time.monotonic() + timeout
    while True:
        state = client.describe_backup_job(BackupJobId=job["BackupJobId"])
        if state["State"] == "COMPLETED":
            return job["RecoveryPointArn"]
        if state["State"] in ("FAILED", "ABORTED", "EXPIRED", "PARTIAL"):
            raise PhaseFailed(
                f"backup job {job['BackupJobId']} ended {state['State']}: {state.get('StatusMessage', '')}"
            )
        if time.monotonic() > deadline:
            raise PhaseFailed(f"backup job {job['BackupJobId']} still {state['State']} after {timeout:.0f} s")
        time.sleep(aws.poll_seconds)


# --- leftovers: found by prefix, by the recorded stack resources, by tag ----------------------------------------


@dataclass
class Leftover:
    kind: str
    region: str
    id: str
    detail: str = ""

    def label(self) -> str:
        return f"{self.kind} {self.id} ({self.region}){' - ' + self.detail if self.detail else ''}"


class Sweeper:
    """Finds what a run left in the account (and its cluster), and deletes it."""

    def __init__(self, aws: Aws, settings: dict, timeout: float):
        self.aws = aws
        self.prefix = settings["registry_name_prefix"]
        self.regions = [settings["registry_primary_region"], settings["registry_dr_region"]]
        self.settings = settings
        self.timeout = timeout
        self.model = platform_model.model(self.prefix, ENVIRONMENT, settings["registry_artifacts_bucket"])
        self.recorded: list[dict] = []  # the stacks' resources, recorded before the teardown
        self.kubernetes_error = ""

    def mine(self, name: str) -> bool:
        return name.startswith(self.prefix + "-") or name == self.prefix

    # Recording

    def record_stack_resources(self) -> list[dict]:
        for region in self.regions:
            for stack in self.aws.pages("cloudformation", region, "describe_stacks", "Stacks"):
                if not self.mine(stack["StackName"]):
                    continue
                for resource in self.aws.pages(
                    "cloudformation",
                    region,
                    "list_stack_resources",
                    "StackResourceSummaries",
                    StackName=stack["StackId"],
                ):
                    if resource.get("PhysicalResourceId"):
                        self.recorded.append(
                            {
                                "stack": stack["StackName"],
                                "region": region,
                                "type": resource["ResourceType"],
                                "logical_id": resource["LogicalResourceId"],
                                "physical_id": resource["PhysicalResourceId"],
                            }
                        )
        return self.recorded

    # Finding

    def find(self) -> list[Leftover]:
        found: list[Leftover] = []
        for region in self.regions:
            for finder in (
                self._stacks,
                self._rds,
                self._elasticache,
                self._secrets,
                self._backup_vaults,
                self._parameters,
                self._log_groups,
                self._functions,
                self._kms_keys,
            ):
                found.extend(finder(region))
        found.extend(self._buckets())
        found.extend(self._roles())
        found.extend(self._namespace())
        known = {item.id for item in found}
        for region in self.regions:
            found.extend(item for item in self._tagged(region) if item.id not in known)
        return found

    def _stacks(self, region: str) -> list[Leftover]:
        return [
            Leftover("stack", region, s["StackName"], s["StackStatus"])
            for s in self.aws.pages("cloudformation", region, "describe_stacks", "Stacks")
            if self.mine(s["StackName"]) and s["StackStatus"] != "DELETE_COMPLETE"
        ]

    def _rds(self, region: str) -> list[Leftover]:
        found = [
            Leftover("rds_instance", region, i["DBInstanceIdentifier"], i["DBInstanceStatus"])
            for i in self.aws.pages("rds", region, "describe_db_instances", "DBInstances")
            if self.mine(i["DBInstanceIdentifier"])
        ]
        found += [
            Leftover("rds_cluster", region, c["DBClusterIdentifier"], c["Status"])
            for c in self.aws.pages("rds", region, "describe_db_clusters", "DBClusters")
            if self.mine(c["DBClusterIdentifier"])
        ]
        if region == self.regions[0]:  # global clusters are listed in every region
            found += [
                Leftover(
                    "rds_global_cluster",
                    region,
                    g["GlobalClusterIdentifier"],
                    f"{len(g['GlobalClusterMembers'])} members",
                )
                for g in self.aws.pages("rds", region, "describe_global_clusters", "GlobalClusters")
                if self.mine(g["GlobalClusterIdentifier"])
            ]
        for snapshot_type in ("manual", "awsbackup"):  # automated ones go with their cluster
            found += [
                Leftover("rds_cluster_snapshot", region, s["DBClusterSnapshotIdentifier"], s["SnapshotType"])
                for s in self.aws.pages(
                    "rds", region, "describe_db_cluster_snapshots", "DBClusterSnapshots", SnapshotType=snapshot_type
                )
                if self.mine(s["DBClusterSnapshotIdentifier"]) or self.mine(s.get("DBClusterIdentifier", ""))
            ]
        return found

    def _elasticache(self, region: str) -> list[Leftover]:
        found = [
            Leftover("elasticache_replication_group", region, g["ReplicationGroupId"], g["Status"])
            for g in self.aws.pages("elasticache", region, "describe_replication_groups", "ReplicationGroups")
            if self.mine(g["ReplicationGroupId"])
        ]
        if region == self.regions[0]:
            found += [
                Leftover("elasticache_global_group", region, g["GlobalReplicationGroupId"], g["Status"])
                for g in self.aws.pages(
                    "elasticache", region, "describe_global_replication_groups", "GlobalReplicationGroups"
                )
                if self.prefix + "-" in g["GlobalReplicationGroupId"]  # AWS puts a region code before the name
            ]
        found += [
            Leftover("elasticache_snapshot", region, s["SnapshotName"], s.get("SnapshotSource", ""))
            for s in self.aws.pages("elasticache", region, "describe_snapshots", "Snapshots")
            if self.mine(s["SnapshotName"])
        ]
        return found

    def _secrets(self, region: str) -> list[Leftover]:
        found = []
        for secret in self.aws.pages(
            "secretsmanager", region, "list_secrets", "SecretList", IncludePlannedDeletion=True
        ):
            if not self.mine(secret["Name"]):
                continue
            if secret.get("PrimaryRegion") and secret["PrimaryRegion"] != region:
                continue  # a replica: it goes with its primary
            state = "scheduled for deletion" if secret.get("DeletedDate") else "active"
            found.append(Leftover("secret", region, secret["Name"], state))
        return found

    def _backup_vaults(self, region: str) -> list[Leftover]:
        found = []
        for vault in self.aws.pages("backup", region, "list_backup_vaults", "BackupVaultList"):
            if not self.mine(vault["BackupVaultName"]):
                continue
            for point in self._recovery_points(region, vault["BackupVaultName"]):
                found.append(
                    Leftover(
                        "backup_recovery_point",
                        region,
                        point["RecoveryPointArn"],
                        f"in {vault['BackupVaultName']}, of {point.get('ResourceArn', '?').rsplit(':', 1)[-1]}",
                    )
                )
            found.append(Leftover("backup_vault", region, vault["BackupVaultName"]))
        return found

    def _recovery_points(self, region: str, vault: str) -> list[dict]:
        return [
            point
            for point in self.aws.pages(
                "backup", region, "list_recovery_points_by_backup_vault", "RecoveryPoints", BackupVaultName=vault
            )
            if point.get("Status") != "DELETING"
        ]

    def _parameters(self, region: str) -> list[Leftover]:
        return [
            Leftover("ssm_parameter", region, p["Name"])
            for p in self.aws.pages(
                "ssm",
                region,
                "describe_parameters",
                "Parameters",
                ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [f"/{self.prefix}/"]}],
            )
            if p["Name"].startswith(f"/{self.prefix}/")
        ]

    def _log_groups(self, region: str) -> list[Leftover]:
        return [
            Leftover("log_group", region, g["logGroupName"])
            for g in self.aws.pages("logs", region, "describe_log_groups", "logGroups", logGroupNamePattern=self.prefix)
            if self.prefix + "-" in g["logGroupName"] or g["logGroupName"].endswith(self.prefix)
        ]

    def _functions(self, region: str) -> list[Leftover]:
        return [
            Leftover("lambda_function", region, f["FunctionName"])
            for f in self.aws.pages("lambda", region, "list_functions", "Functions")
            if self.mine(f["FunctionName"])
        ]

    def _kms_keys(self, region: str) -> list[Leftover]:
        """The keys the stacks created (recorded before the teardown) and keys of the run's aliases, unless already
        scheduled for deletion (AWS deletes a key only after a waiting period of at least 7 days)."""
        keys = {r["physical_id"] for r in self.recorded if r["type"] == "AWS::KMS::Key" and r["region"] == region}
        keys |= {
            a["TargetKeyId"]
            for a in self.aws.pages("kms", region, "list_aliases", "Aliases")
            if a.get("TargetKeyId") and self.prefix in a["AliasName"]
        }
        found = []
        client = self.aws.client("kms", region)
        for key in sorted(keys):
            try:
                state = client.describe_key(KeyId=key)["KeyMetadata"]["KeyState"]
            except client.exceptions.NotFoundException:
                continue
            if state not in ("PendingDeletion", "PendingReplicaDeletion"):
                found.append(Leftover("kms_key", region, key, state))
        return found

    def _buckets(self) -> list[Leftover]:
        client = self.aws.client("s3", self.regions[0])
        found = []
        for bucket in self.aws.pages("s3", self.regions[0], "list_buckets", "Buckets"):
            if self.mine(bucket["Name"]):
                location = client.get_bucket_location(Bucket=bucket["Name"]).get("LocationConstraint") or "us-east-1"
                found.append(Leftover("s3_bucket", location, bucket["Name"]))
        return found

    def _roles(self) -> list[Leftover]:
        return [
            Leftover("iam_role", "global", r["RoleName"])
            for r in self.aws.pages("iam", self.regions[0], "list_roles", "Roles")
            if self.mine(r["RoleName"])
        ]

    def _kubernetes(self):
        from kubernetes import client as k8s
        from kubernetes import config

        context = self.settings.get("registry_kubernetes_context")
        api = config.new_client_from_config(context=context) if context else config.new_client_from_config()
        return k8s.CoreV1Api(api), k8s.exceptions.ApiException

    def _namespace(self) -> list[Leftover]:
        try:
            core, api_exception = self._kubernetes()
            try:
                namespace = core.read_namespace(self.prefix)
            except api_exception as e:
                if e.status == 404:
                    return []
                raise
        except Exception as e:  # noqa: BLE001 - an unreachable cluster is reported, the AWS sweep goes on
            self.kubernetes_error = f"the Kubernetes namespace {self.prefix} could not be checked: {e}"
            return [Leftover("k8s_namespace", "kubernetes", self.prefix, "not checked: " + str(e)[:200])]
        return [Leftover("k8s_namespace", "kubernetes", self.prefix, namespace.status.phase or "")]

    def _tagged(self, region: str) -> list[Leftover]:
        """Resources the Tagging API lists with the platform's tags whose ARN names the run (its prefix, or a key it
        created), except keys already scheduled for deletion (found above)."""
        keys = {r["physical_id"] for r in self.recorded if r["type"] == "AWS::KMS::Key"}
        found = []
        for resource in self.aws.pages(
            "resourcegroupstaggingapi",
            region,
            "get_resources",
            "ResourceTagMappingList",
            TagFilters=[{"Key": "Project", "Values": [platform_model.DEFAULT_PREFIX]}],
        ):
            arn = resource["ResourceARN"]
            key_id = arn.rsplit("/", 1)[-1] if ":kms:" in arn else ""
            if self.prefix not in arn and key_id not in keys:
                continue
            if key_id:
                state = self.aws.client("kms", region).describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
                if state in ("PendingDeletion", "PendingReplicaDeletion"):
                    continue
            found.append(Leftover("tagged_resource", region, arn, "listed by the Resource Groups Tagging API"))
        return found

    # Deleting

    def delete(self, leftovers: list[Leftover]) -> tuple[list[Leftover], dict]:
        """Deletes in dependency order; (deleted, {(kind, id): error})."""
        order = (
            "stack",
            "k8s_namespace",
            "rds_instance",
            "rds_cluster",
            "rds_global_cluster",
            "backup_recovery_point",  # an Aurora recovery point is an awsbackup snapshot: it goes with its point
            "rds_cluster_snapshot",
            "elasticache_global_group",
            "elasticache_replication_group",
            "elasticache_snapshot",
            "backup_vault",
            "s3_bucket",
            "secret",
            "ssm_parameter",
            "log_group",
            "lambda_function",
            "iam_role",
            "kms_key",
        )
        stack_order = [self.model["stacks"][key] for key, *_rest in reversed(STACKS)]
        ranked = sorted(
            leftovers,
            key=lambda item: (
                order.index(item.kind) if item.kind in order else len(order),
                stack_order.index(item.id) if item.id in stack_order else len(stack_order),
            ),
        )
        deleted, errors = [], {}
        for item in ranked:
            action = getattr(self, f"_delete_{item.kind}", None)
            if action is None:
                errors[item.kind, item.id] = f"{item.label()}: no automatic deletion; delete it by hand"
                continue
            try:
                action(item)
            except Exception as e:  # noqa: BLE001 - AWS's, Kubernetes' or a timeout: reported, the sweep goes on
                errors[item.kind, item.id] = f"{item.label()}: {type(e).__name__}: {e}"
                print(f"   could not delete {item.label()}: {e}")
                continue
            deleted.append(item)
            print(f"   deleted {item.label()}")
        return deleted, errors

    def _wait(self, what: str, gone) -> None:
        deadline = time.monotonic() + self.timeout
        while not gone():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} still there after {self.timeout:.0f} s")
            time.sleep(self.aws.poll_seconds)

    def _delete_stack(self, item: Leftover) -> None:
        client = self.aws.client("cloudformation", item.region)
        client.delete_stack(StackName=item.id)

        def gone() -> bool:
            try:
                status = client.describe_stacks(StackName=item.id)["Stacks"][0]["StackStatus"]
            except ClientError:
                return True
            if status == "DELETE_FAILED":
                raise TimeoutError(f"stack {item.id} is DELETE_FAILED: see its events")
            return status == "DELETE_COMPLETE"

        self._wait(f"stack {item.id}", gone)

    def _delete_k8s_namespace(self, item: Leftover) -> None:
        core, api_exception = self._kubernetes()
        core.delete_namespace(item.id)

        def gone() -> bool:
            try:
                core.read_namespace(item.id)
            except api_exception as e:
                return e.status == 404
            return False

        self._wait(f"namespace {item.id}", gone)

    def _delete_rds_instance(self, item: Leftover) -> None:
        client = self.aws.client("rds", item.region)
        client.delete_db_instance(DBInstanceIdentifier=item.id, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
        client.get_waiter("db_instance_deleted").wait(
            DBInstanceIdentifier=item.id, WaiterConfig={"Delay": self.aws.poll_seconds, "MaxAttempts": 720}
        )

    def _delete_rds_cluster(self, item: Leftover) -> None:
        client = self.aws.client("rds", item.region)
        cluster = client.describe_db_clusters(DBClusterIdentifier=item.id)["DBClusters"][0]
        for global_cluster in self.aws.pages("rds", item.region, "describe_global_clusters", "GlobalClusters"):
            if any(m["DBClusterArn"] == cluster["DBClusterArn"] for m in global_cluster["GlobalClusterMembers"]):
                client.remove_from_global_cluster(
                    GlobalClusterIdentifier=global_cluster["GlobalClusterIdentifier"],
                    DbClusterIdentifier=cluster["DBClusterArn"],
                )
        if cluster.get("DeletionProtection"):
            client.modify_db_cluster(DBClusterIdentifier=item.id, DeletionProtection=False, ApplyImmediately=True)
        client.delete_db_cluster(DBClusterIdentifier=item.id, SkipFinalSnapshot=True)
        self._wait(
            f"cluster {item.id}",
            lambda: (
                item.id
                not in [
                    c["DBClusterIdentifier"]
                    for c in self.aws.pages("rds", item.region, "describe_db_clusters", "DBClusters")
                ]
            ),
        )

    def _delete_rds_global_cluster(self, item: Leftover) -> None:
        self.aws.client("rds", item.region).delete_global_cluster(GlobalClusterIdentifier=item.id)

    def _delete_rds_cluster_snapshot(self, item: Leftover) -> None:
        client = self.aws.client("rds", item.region)
        if item.detail == "awsbackup":  # AWS Backup's: deleted with its recovery point (above), else refused by RDS
            snapshots = client.describe_db_cluster_snapshots(SnapshotType="awsbackup")["DBClusterSnapshots"]
            if item.id not in [s["DBClusterSnapshotIdentifier"] for s in snapshots]:
                item.detail = "awsbackup, deleted with its recovery point"
                return
        client.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=item.id)

    def _delete_elasticache_global_group(self, item: Leftover) -> None:
        self.aws.client("elasticache", item.region).delete_global_replication_group(
            GlobalReplicationGroupId=item.id, RetainPrimaryReplicationGroup=False
        )

    def _delete_elasticache_replication_group(self, item: Leftover) -> None:
        client = self.aws.client("elasticache", item.region)
        client.delete_replication_group(ReplicationGroupId=item.id, RetainPrimaryCluster=False)
        client.get_waiter("replication_group_deleted").wait(
            ReplicationGroupId=item.id, WaiterConfig={"Delay": self.aws.poll_seconds, "MaxAttempts": 720}
        )

    def _delete_elasticache_snapshot(self, item: Leftover) -> None:
        self.aws.client("elasticache", item.region).delete_snapshot(SnapshotName=item.id)

    def _delete_backup_recovery_point(self, item: Leftover) -> None:
        vault = item.detail.split(",", 1)[0].removeprefix("in ")
        self.aws.client("backup", item.region).delete_recovery_point(BackupVaultName=vault, RecoveryPointArn=item.id)

    def _delete_backup_vault(self, item: Leftover) -> None:
        """After its recovery points (deleted before it); AWS deletes a point asynchronously: waited for."""
        everything = lambda: self.aws.pages(  # noqa: E731
            "backup", item.region, "list_recovery_points_by_backup_vault", "RecoveryPoints", BackupVaultName=item.id
        )
        self._wait(f"the recovery points of {item.id}", lambda: not everything())
        self.aws.client("backup", item.region).delete_backup_vault(BackupVaultName=item.id)

    def _delete_s3_bucket(self, item: Leftover) -> None:
        client = self.aws.client("s3", item.region)
        versions = client.get_paginator("list_object_versions")
        for page in versions.paginate(Bucket=item.id):
            objects = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if objects:
                client.delete_objects(Bucket=item.id, Delete={"Objects": objects, "Quiet": True})
        client.delete_bucket(Bucket=item.id)

    def _delete_secret(self, item: Leftover) -> None:
        client = self.aws.client("secretsmanager", item.region)
        described = client.describe_secret(SecretId=item.id)
        if described.get("DeletedDate"):  # scheduled: restored first, deleted at once below
            client.restore_secret(SecretId=item.id)
        replicas = [r["Region"] for r in described.get("ReplicationStatus", [])]
        if replicas:
            client.remove_regions_from_replication(SecretId=item.id, RemoveReplicaRegions=replicas)
        client.delete_secret(SecretId=item.id, ForceDeleteWithoutRecovery=True)

    def _delete_ssm_parameter(self, item: Leftover) -> None:
        self.aws.client("ssm", item.region).delete_parameter(Name=item.id)

    def _delete_log_group(self, item: Leftover) -> None:
        self.aws.client("logs", item.region).delete_log_group(logGroupName=item.id)

    def _delete_lambda_function(self, item: Leftover) -> None:
        self.aws.client("lambda", item.region).delete_function(FunctionName=item.id)

    def _delete_iam_role(self, item: Leftover) -> None:
        iam = self.aws.client("iam", self.regions[0])
        for policy in self.aws.pages(
            "iam", self.regions[0], "list_attached_role_policies", "AttachedPolicies", RoleName=item.id
        ):
            iam.detach_role_policy(RoleName=item.id, PolicyArn=policy["PolicyArn"])
        for name in self.aws.pages("iam", self.regions[0], "list_role_policies", "PolicyNames", RoleName=item.id):
            iam.delete_role_policy(RoleName=item.id, PolicyName=name)
        for profile in self.aws.pages(
            "iam", self.regions[0], "list_instance_profiles_for_role", "InstanceProfiles", RoleName=item.id
        ):
            iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=item.id)
        iam.delete_role(RoleName=item.id)

    def _delete_kms_key(self, item: Leftover) -> None:
        answer = self.aws.client("kms", item.region).schedule_key_deletion(
            KeyId=item.id, PendingWindowInDays=KMS_PENDING_DAYS
        )
        item.detail = f"was {item.detail}, deleted by AWS on {answer['DeletionDate']:%Y-%m-%d}"


# --- the run -----------------------------------------------------------------------------------------------------


@dataclass
class Report:
    prefix: str
    account: str
    target: str
    started_at: str
    settings: dict = field(default_factory=dict)
    estimate: dict = field(default_factory=dict)
    stacks: list = field(default_factory=list)
    phases: list = field(default_factory=list)
    recorded_resources: int = 0
    teardown_left: list = field(default_factory=list)
    teardown_findings: list = field(default_factory=list)
    swept: list = field(default_factory=list)
    sweep_errors: list = field(default_factory=list)
    left: list = field(default_factory=list)
    keys_pending_deletion: list = field(default_factory=list)
    passed: bool = False

    def write(self, directory: pathlib.Path) -> None:
        data = asdict(self)
        (directory / "report.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
        (directory / "report.md").write_text(self.markdown())

    def markdown(self) -> str:
        out = [
            f"# AWS test run {self.prefix}: {'PASS' if self.passed else 'FAIL'}",
            "",
            f"Account {self.account} ({self.target}), started {self.started_at}. "
            f"Estimated cost: USD {self.estimate.get('expected', {}).get('low', 0):.2f} - "
            f"{self.estimate.get('expected', {}).get('high', 0):.2f} on AWS (prices of {PRICES_AS_OF}).",
            "",
            "| Phase | Result | Seconds | Detail |",
            "|---|---|---|---|",
        ]
        for phase in self.phases:
            detail = phase.detail.replace("|", "\\|").replace("\n", " ")
            out.append(f"| {phase.name} | {phase.result} | {phase.seconds:.1f} | {detail} |")
        out += ["", f"The stacks held {self.recorded_resources} resources (recorded before the teardown).", ""]
        out.append("## What the teardown left, and the sweep")
        out.append("")
        out.append(
            "teardown.yml keeps data by design (buckets, backup vaults and their recovery points, KMS keys, final "
            "snapshots, the global cluster); a test account must end empty, so the sweep deletes them too (KMS keys: "
            f"scheduled for deletion after {KMS_PENDING_DAYS} days, AWS's shortest wait)."
        )
        out.append("")
        for title, items in (
            ("Left by the teardown", self.teardown_left),
            ("Teardown findings (left, not kept by design)", self.teardown_findings),
            ("Deleted by the sweep", self.swept),
            ("KMS keys scheduled for deletion", self.keys_pending_deletion),
            ("Sweep errors", self.sweep_errors),
            ("Left after the sweep", self.left),
        ):
            out.append(f"**{title}**: {len(items)}")
            out += [f"- {item}" for item in items]
            out.append("")
        return "\n".join(out)


def load_settings(path: pathlib.Path) -> dict:
    try:
        values = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as e:
        raise Refused(f"the settings file {path} could not be read: {e}. Nothing was created.") from e
    if not isinstance(values, dict):
        raise Refused(f"the settings file {path} is not a mapping of settings. Nothing was created.")
    return values


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.aws_test", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--settings", type=pathlib.Path, help="YAML with the registry_* settings of the account")
    parser.add_argument("--emulator", action="store_true", help="start a local emulator and run against it")
    parser.add_argument("--prefix", help="the run's prefix (amr-test-<8 hex>); default: a new one")
    parser.add_argument("--plan-only", action="store_true", help="print the estimate and the plan, create nothing")
    parser.add_argument("--sweep-only", action="store_true", help="only sweep what the run --prefix left")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a test size")
    parser.add_argument("--report-dir", type=pathlib.Path, default=REPO / "aws-test-reports")
    parser.add_argument("--phase-timeout", type=float, default=4 * 3600, help="seconds a playbook may run")
    parser.add_argument("--settle-seconds", type=float, help="how long the sweep's last look waits for AWS to agree")
    args = parser.parse_args(argv)
    if args.sweep_only and not args.prefix:
        parser.error("--sweep-only needs the --prefix of the run to sweep")
    if args.prefix and not PREFIX_PATTERN.match(args.prefix):
        parser.error("--prefix must be amr-test-<8 hex digits>: the sweep deletes everything that carries it")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    emulator_process = None
    try:
        account = check_opt_in(os.environ.get("AWS_TEST_ACCOUNT"))
        if not args.settings and not args.emulator:
            raise Refused(
                "give --settings FILE (make test-aws AWS_TEST_SETTINGS=FILE): the account's regions, VPCs, subnets "
                "and Kubernetes binding, e.g. your copy of inventories/staging/group_vars/staging.yml. "
                "No AWS call was made."
            )
        if args.emulator:
            emulator_process = _start_emulator()
        base = load_settings(args.settings or REPO / "inventories/local/group_vars/local.yml")
        prefix = args.prefix or new_prefix()
        settings, left_out = run_settings(base, prefix, account, parse_overrides(args.set))
        emulator = Emulator.detect()
        aws = Aws(poll_seconds=1 if emulator else 15)
        check_account(account, caller_account(aws, settings["registry_primary_region"]))
        stacks = planned_stacks(settings)
        cost = estimate(settings, stacks)
        target = f"the emulator at {emulator.url}" if emulator else "AWS"
        print(render_plan(settings, stacks, cost, left_out, target), flush=True)
        if args.plan_only:
            return 0
        return run(args, settings, stacks, cost, aws, emulator, target)
    except Refused as e:
        print(f"Refused: {e}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        if emulator_process is not None:
            from emulator import launcher

            launcher.stop(emulator_process)


def _start_emulator() -> pathlib.Path:
    """`make test-aws AWS_TEST_TARGET=emulator`: an emulator of its own, with real databases behind Aurora."""
    from emulator import launcher

    state_dir = REPO / ".emulator" / "aws-test"
    running = launcher.start(state_dir)
    running.reset()
    running.post("aws", "/_emulator/config", {"databases": "postgresql", "caches": "redis"})
    os.environ.update(running.env())
    return state_dir


def _sigterm(signum, frame):
    raise Interrupted(f"signal {signum}")


def run(args, settings: dict, stacks: list[dict], cost: dict, aws: Aws, emulator, target: str) -> int:
    prefix = settings["registry_name_prefix"]
    directory = args.report_dir / prefix
    directory.mkdir(parents=True, exist_ok=True)
    inventory = write_inventory(directory, settings)
    report = Report(
        prefix=prefix,
        account=settings["registry_aws_account_id"],
        target=target,
        started_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        settings=settings,
        estimate=cost,
        stacks=stacks,
    )
    runner = Runner(directory, inventory, args.phase_timeout)
    sweeper = Sweeper(aws, settings, timeout=args.phase_timeout)
    previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        if not args.sweep_only:
            _phases(report, runner, aws, settings, emulator, directory)
    except (KeyboardInterrupt, Interrupted) as e:
        report.phases.append(Phase("interrupted", "failed", detail=f"{type(e).__name__} {e}".strip()))
        print(f"== interrupted ({e}): tearing down")
    finally:
        signal.signal(signal.SIGTERM, previous)
        print(
            "== always: teardown and sweep (if they are stopped, sweep later: "
            f"python -m tools.aws_test --sweep-only --prefix {prefix} with the same settings)"
        )
        _always(report, runner, sweeper, args, bool(emulator), skip_teardown=args.sweep_only)
        report.passed = all(p.result == "passed" for p in report.phases) and not report.left and not report.sweep_errors
        report.write(directory)
        print(report.markdown())
        print(f"Report: {directory / 'report.md'} and report.json")
    return 0 if report.passed else 1


def _phases(report: Report, runner: Runner, aws: Aws, settings: dict, emulator, directory: pathlib.Path) -> None:
    drill_reports = directory / "drill-reports"

    def deploy(phase: Phase) -> str:
        counts = recap(runner.playbook(phase, "playbooks/site.yml"))
        return f"{len(counts)} hosts in the recap"

    def rerun(phase: Phase) -> str:
        if emulator:
            emulator.call("/_emulator/requests", "DELETE")
        counts = recap(runner.playbook(phase, "playbooks/site.yml"))
        changed = {host: c["changed"] for host, c in counts.items() if c.get("changed")}
        phase.extra["recap"] = counts
        if not counts or changed:
            raise PhaseFailed(f"the second run changed something: {changed or 'no PLAY RECAP'}")
        detail = f"changed=0 on all {len(counts)} hosts"
        if emulator:
            calls = emulator.call("/_emulator/requests")
            writes = sorted({f"{e['service']}.{e['action']}" for e in calls["log"] if e["write"]})
            phase.extra["aws_calls"], phase.extra["aws_writes"] = calls["total"], calls["writes"]
            if calls["writes"]:
                raise PhaseFailed(f"the second run made {calls['writes']} AWS write calls: {writes}")
            detail += f"; {calls['total']} AWS calls, 0 writes"
        return detail

    def switchover(phase: Phase) -> str:
        runner.playbook(
            phase,
            "playbooks/dr_drill.yml",
            "-e",
            "dr_drill_type=switchover",
            "-e",
            f"dr_drill_report_dir={drill_reports}",
        )
        return "switched over to the DR region and back: " + _drill_verdict(drill_reports, "switchover")

    def restore(phase: Phase) -> str:
        point = write_rows_and_back_up(aws, settings, runner.timeout)
        phase.extra["recovery_point"] = point
        extra = {
            "dr_drill_type": "restore",
            "dr_drill_report_dir": str(drill_reports),
            "dr_drill_restore_checks": RESTORE_CHECKS,
        }
        runner.playbook(phase, "playbooks/dr_drill.yml", "-e", json.dumps(extra))
        return f"{RESTORE_ROWS} rows found in the restored cluster: " + _drill_verdict(drill_reports, "restore")

    run_phase(report, Phase("deploy"), deploy)
    run_phase(report, Phase("rerun"), rerun)
    run_phase(report, Phase("switchover"), switchover)
    run_phase(report, Phase("restore"), restore)


def _drill_verdict(directory: pathlib.Path, drill_type: str) -> str:
    reports = sorted(directory.glob(f"*-{drill_type}-*/report.json"), key=lambda p: p.stat().st_mtime)
    if not reports:
        raise PhaseFailed(f"the {drill_type} drill wrote no report")
    data = json.loads(reports[-1].read_text())
    if data.get("result") != "pass":
        raise PhaseFailed(
            f"drill {data.get('drill_id')}: {data.get('result')} ({data.get('failed_step') or 'see its report'})"
        )
    return f"drill {data.get('drill_id')} {data['result']}, RTO {data.get('measured', {}).get('rto_seconds', '?')} s"


def _always(report: Report, runner: Runner, sweeper: Sweeper, args, on_emulator: bool, skip_teardown: bool) -> None:
    """The stacks' resources recorded, teardown.yml, then the sweep and its last look."""
    try:
        report.recorded_resources = len(sweeper.record_stack_resources())
    except (BotoCoreError, ClientError) as e:
        report.sweep_errors.append(f"the stacks' resources could not be recorded: {e}")
    if not skip_teardown:
        run_teardown = Phase("teardown")
        report.phases.append(run_teardown)
        print("== teardown")
        started = time.monotonic()
        try:
            runner.playbook(run_teardown, "playbooks/teardown.yml", "-e", f"registry_teardown_confirm={HOST}")
            run_teardown.result = "passed"
        except Exception as e:  # noqa: BLE001 - a failed teardown is reported; the sweep follows
            run_teardown.result, run_teardown.detail = "failed", str(e)
        run_teardown.seconds = round(time.monotonic() - started, 1)
        print(f"   {run_teardown.result} in {run_teardown.seconds:.1f} s {run_teardown.detail}".rstrip())
    sweep = Phase("sweep")
    report.phases.append(sweep)
    print("== sweep: what still carries the prefix or the run's tags")
    started = time.monotonic()
    try:
        found = sweeper.find()
        report.teardown_left = [item.label() for item in found]
        findings = [i for i in found if i.kind not in KEPT_BY_DESIGN + NOT_TEARDOWNS]
        report.teardown_findings = [item.label() for item in findings]
        if findings and not skip_teardown and run_teardown.result == "passed":
            run_teardown.result = "failed"
            run_teardown.detail = f"left {len(findings)} resources it does not keep by design: " + "; ".join(
                item.label() for item in findings[:5]
            )
        # Stacks the sweep deletes (after a failed teardown) leave what they retain: a second pass finds it.
        deleted, errors, left = [], {}, found
        for _attempt in range(3):
            done, failed = sweeper.delete(left)
            deleted += done
            errors.update(failed)
            left = sweeper.find()
            if not left or not done:
                break
        settle = args.settle_seconds if args.settle_seconds is not None else (0 if on_emulator else 300)
        deadline = time.monotonic() + settle
        while left and time.monotonic() < deadline:  # AWS's lists may lag a deletion by a few minutes
            time.sleep(30)
            left = sweeper.find()
        report.swept = [item.label() for item in deleted]
        report.keys_pending_deletion = [item.label() for item in deleted if item.kind == "kms_key"]
        still = {(item.kind, item.id) for item in left}
        report.sweep_errors += [message for key, message in errors.items() if key in still]
        report.left = [item.label() for item in left]
        sweep.result = "passed" if not left and not report.sweep_errors else "failed"
        sweep.detail = f"{len(deleted)} deleted, {len(left)} left"
    except Exception as e:  # noqa: BLE001 - reported: the account may not be empty
        sweep.result, sweep.detail = "failed", f"{type(e).__name__}: {e}"
        report.left.append(f"the sweep stopped ({type(e).__name__}: {e}): the account may hold more of the run")
    sweep.seconds = round(time.monotonic() - started, 1)
    print(f"   {sweep.result} in {sweep.seconds:.1f} s: {sweep.detail}")


if __name__ == "__main__":
    sys.exit(main())
