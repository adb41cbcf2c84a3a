"""A corpus of wrong inputs, each refused by the preflight before the first write, with a message naming the variable
or the resource (issue 14): site.yml, failover.yml, dr_drill.yml and teardown.yml against the emulators.

Each case is an environment (an inventory host: the local inventory's settings and the case's changes), so one
ansible-playbook run per playbook refuses all of its cases at once - each host's preflight is its own check, and
the emulator's request log (0 writes for the whole run) and the Kubernetes objects (unchanged) prove that none of
them wrote. Every refusal must come from the preflight role (its argument check or its one task).
"""

from __future__ import annotations

import json
import pathlib
import re
import time

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes import config

from tests.integration.ansible import REPO, playbook

BASE = yaml.safe_load((REPO / "inventories/local/group_vars/local.yml").read_text())
OTHER_ACCOUNT = {"registry_aws_account_id": "111111111111"}
OTHER_CONTEXT = {"registry_kubernetes_context": "model-registry-production"}
# Filled in by the site test's setup: a subnet in the same zone as subnet-...001, and one of another VPC.
SAME_ZONE_SUBNET = "<same-zone subnet>"
OTHER_VPC_SUBNET = "<other-VPC subnet>"

# (case id, variables changed (None removes one), what the refusal must say - every part)
SITE = [
    ("read-replicas-99", {"aurora_read_replicas": 99}, ["aurora_read_replicas must be one of 0, 1, 2, 3, got 99"]),
    (
        "global-database-5",
        {"aurora_global_database": 5},
        ["aurora_global_database must be a boolean, got 5 (an integer)"],
    ),
    (
        "components-mysql",
        {"k8s_secrets_components": ["mysql"]},
        ["k8s_secrets_components must be a list of postgresql, redis, got 'mysql'"],
    ),
    (
        "typo-read-replica",
        {"aurora_read_replica": 1},
        ["aurora_read_replica is not a variable", "did you mean aurora_read_replicas?"],
    ),
    ("typo-redis-node", {"redis_nodetype": "cache.t4g.small"}, ["redis_nodetype is not a variable", "redis_node_type"]),
    (
        "retention-0",
        {"aurora_backup_retention_days": 0},
        ["aurora_backup_retention_days must be an integer >= 1, got 0 (an integer)"],
    ),
    (
        "retention-36",
        {"aurora_backup_retention_days": 36},
        ["BackupRetentionDays=36 is above its maximum 35", "aurora_backup_retention_days"],
    ),
    ("node-type", {"redis_node_type": "not-a-type"}, ["NodeType=not-a-type does not match", "redis_node_type"]),
    (
        "redis-cluster-mode-with-global-datastore",  # inventories/local has production's Global Datastore
        {"redis_cluster_mode": "enabled"},
        ["redis_cluster_mode 'enabled' cannot go with redis_global_datastore"],
    ),
    (
        "prefix-too-long-for-redis",  # 21 characters: the DR Redis group's ID would have 42, ElastiCache allows 40
        {"registry_name_prefix": "ai-model-registry-abc"},
        ["registry_name_prefix 'ai-model-registry-abc' is too long for development", "at most 40 characters"],
    ),
    ("cache-clusters-7", {"redis_num_cache_clusters": 7}, ["NumCacheClusters=7 is above its maximum 6"]),
    (
        "weekly-retention-30",
        {"backup_weekly_retention_days": 30},
        ["WeeklyRetentionDays=30 is below its minimum 120", "backup_weekly_retention_days"],
    ),
    ("serverless-512", {"aurora_serverless_max_capacity": 512}, ["ServerlessMaxCapacity=512 is above its maximum 256"]),
    ("database-name", {"aurora_database_name": "Model-Registry"}, ["DatabaseName=Model-Registry does not match"]),
    ("client-cidr", {"aurora_client_cidr": "10.0.0.0"}, ["ClientCidr=10.0.0.0 does not match", "aurora_client_cidr"]),
    (
        "instance-mode",
        {"aurora_instance_mode": "spot"},
        ["aurora_instance_mode must be one of auto, provisioned, serverless, got 'spot'"],
    ),
    ("audit-trail", {"dr_audit_trail": "none"}, ["dr_audit_trail must be one of create, organization"]),
    (
        "snapshot-retention-negative",
        {"redis_snapshot_retention_days": -1},
        ["redis_snapshot_retention_days must be an integer >= 1, got -1"],
    ),
    (
        "restarts-not-dicts",
        {"k8s_secrets_restart_deployments": ["model-registry-api"]},
        ["k8s_secrets_restart_deployments must be a list of dictionaries, got 'model-registry-api' (a string)"],
    ),
    (
        "timeout-0-string",
        {"registry_stack_timeout_minutes": "0"},
        ["registry_stack_timeout_minutes must be an integer >= 1, got '0' (a string)"],
    ),
    ("timeout-words", {"registry_stack_timeout_minutes": "thirty"}, ["registry_stack_timeout_minutes"]),
    ("poll-0", {"registry_stack_poll_seconds": 0}, ["registry_stack_poll_seconds must be a number > 0, got 0"]),
    (
        "six-alarm-subscribers",  # the templates have five subscription slots
        {"registry_alarm_subscriptions": [{"protocol": "email", "endpoint": f"p{i}@example.com"} for i in range(6)]},
        ["aurora_alarm_subscriptions, backup_alarm_subscriptions", "6 subscribers; the alarm topics take at most 5"],
    ),
    ("drift-sometimes", {"registry_stack_drift": "sometimes"}, ["registry_stack_drift"]),
    (
        "subnets-a-string",
        {"registry_private_subnet_ids": "subnet-0a000000000000001"},
        ["registry_private_subnet_ids needs at least two subnets"],
    ),
    ("vpc-a-list", {"registry_vpc_id": ["vpc-0a000000000000001"]}, ["registry_vpc_id"]),
    ("account-missing", {"registry_aws_account_id": None}, ["registry_aws_account_id"]),
    (
        "account-short",
        {"registry_aws_account_id": "12345"},
        ["registry_aws_account_id must be an AWS account ID of 12 digits, got '12345'"],
    ),
    (
        "kubernetes-undeclared",
        {"registry_kubernetes_context": None},
        ["registry_kubernetes_context (or registry_kubernetes_server) is not set"],
    ),
    # the binding
    (
        "other-account",
        OTHER_ACCOUNT,
        ["credentials are of account 123456789012", "bound to account 111111111111 (registry_aws_account_id)"],
    ),
    (
        "other-context",
        OTHER_CONTEXT,
        ["the Kubernetes context is emulator", "bound to context model-registry-production"],
    ),
    (
        "other-server",
        {"registry_kubernetes_server": "https://k8s.example.com:6443"},
        ["the Kubernetes API server is http://127.0.0.1:", "bound to https://k8s.example.com:6443"],
    ),
    # what only AWS knows, asked with read-only calls
    (
        "subnet-missing",
        {"registry_private_subnet_ids": ["subnet-0a000000000000001", "subnet-0a0000000000000ff"]},
        ["registry_private_subnet_ids", "subnet subnet-0a0000000000000ff does not exist in us-west-2"],
    ),
    (
        "subnet-other-region",
        {"registry_private_subnet_ids": ["subnet-0a000000000000001", "subnet-0b000000000000001"]},
        ["subnet subnet-0b000000000000001 does not exist in us-west-2"],
    ),
    (
        "subnets-one-zone",
        {"registry_private_subnet_ids": ["subnet-0a000000000000001", SAME_ZONE_SUBNET]},
        ["registry_private_subnet_ids", "the subnets are all in us-west-2a"],
    ),
    (
        "subnet-other-vpc",
        {"registry_private_subnet_ids": ["subnet-0a000000000000001", OTHER_VPC_SUBNET]},
        ["is not in VPC vpc-0a000000000000001 (registry_vpc_id)"],
    ),
    (
        "dr-vpc-missing",
        {"registry_dr_vpc_id": "vpc-0b0000000000000ff"},
        ["registry_dr_vpc_id", "VPC vpc-0b0000000000000ff does not exist in us-east-1"],
    ),
    (
        "dr-region-missing",
        {"registry_dr_region": "eu-north-9"},
        ["registry_dr_region", "region eu-north-9 does not exist"],
    ),
]

FAILOVER = [
    ("data-loss-unconfirmed", {"failover_action": "failover"}, ["set failover_allow_data_loss=true"]),
    ("to-sideways", {"failover_to": "sideways"}, ["failover_to must be one of dr, primary, got 'sideways'"]),
    ("wait-timeout-0", {"failover_wait_timeout": 0}, ["failover_wait_timeout must be an integer >= 1, got 0"]),
    ("lag-negative", {"failover_max_lag_seconds": -1}, ["failover_max_lag_seconds must be a number >= 0, got -1"]),
    (
        "orchestrator-back",
        {"failover_use_orchestrator": True, "failover_to": "primary"},
        ["failover_use_orchestrator:"],
    ),
    (
        "allow-loss-perhaps",
        {"failover_allow_data_loss": "perhaps"},
        ["failover_allow_data_loss must be a boolean, got 'perhaps' (a string)"],
    ),
    (
        "rpo-target-words",
        {"failover_rpo_target_seconds": "an hour"},
        ["failover_rpo_target_seconds must be a number > 0, got 'an hour' (a string)"],
    ),
    ("components-mysql", {"k8s_secrets_components": ["mysql"]}, ["k8s_secrets_components must be a list of"]),
    ("other-account", OTHER_ACCOUNT, ["credentials are of account 123456789012", "bound to account 111111111111"]),
    (
        "other-context",
        OTHER_CONTEXT,
        ["the Kubernetes context is emulator", "bound to context model-registry-production"],
    ),
]

DRILL = [
    ("type-monthly", {"dr_drill_type": "monthly"}, ["dr_drill_type must be one of restore, switchover, full"]),
    (
        "switch-timeout-0",
        {"dr_drill_switch_timeout_seconds": 0},
        ["dr_drill_switch_timeout_seconds must be an integer >= 1, got 0"],
    ),
    (
        "settle-timeout-negative",
        {"dr_drill_settle_timeout_seconds": -5},
        ["dr_drill_settle_timeout_seconds must be an integer >= 1, got -5"],
    ),
    (
        "restore-timeout-words",
        {"dr_drill_restore_timeout_seconds": "two hours"},
        ["dr_drill_restore_timeout_seconds must be an integer >= 1, got 'two hours' (a string)"],
    ),
    ("canaries-0", {"dr_drill_canary_count": 0}, ["dr_drill_canary_count must be an integer >= 1, got 0"]),
    (
        "canary-interval-0",
        {"dr_drill_canary_interval_seconds": 0},
        ["dr_drill_canary_interval_seconds must be a number > 0, got 0"],
    ),
    ("lock-ttl-0", {"dr_drill_lock_ttl_seconds": 0}, ["dr_drill_lock_ttl_seconds must be an integer >= 1"]),
    (
        "restore-query",
        {"dr_drill_restore_checks": {"queries": [{"name": "models"}]}},
        ["dr_drill_restore_checks: queries[0] needs name, sql and expect"],
    ),
    ("typo-drill-type", {"dr_drill_typ": "restore"}, ["dr_drill_typ is not a variable", "dr_drill_type"]),
    ("other-account", OTHER_ACCOUNT, ["credentials are of account 123456789012", "bound to account 111111111111"]),
    (
        "other-context",
        OTHER_CONTEXT,
        ["the Kubernetes context is emulator", "bound to context model-registry-production"],
    ),
    # well-formed inputs: refused by the lock another drill holds (set up by the test)
    ("lock-held", {}, ["Another DR drill runs in development: development-switchover-other (switchover)"]),
]

TEARDOWN = [
    ("other-account", OTHER_ACCOUNT, ["credentials are of account 123456789012", "bound to account 111111111111"]),
    (
        "other-context",
        OTHER_CONTEXT,
        ["the Kubernetes context is emulator", "bound to context model-registry-production"],
    ),
    ("typo-stack-name", {"redis_stack_nme": "x"}, ["redis_stack_nme is not a variable", "redis_stack_name"]),
    (
        "dr-region-missing",
        {"registry_dr_region": "eu-north-9"},
        ["registry_dr_region", "region eu-north-9 does not exist"],
    ),
    (
        "stack-name-list",
        {"aurora_stack_name": ["a", "b"]},
        ["aurora_stack_name must be a string, got ['a', 'b'] (a list)"],
    ),
]

PREFLIGHT_TASK = "TASK [ai_model_registry.infra.preflight : "

# Inputs wrong on their own: the preflight refuses them before any AWS call at all, so a run of only these makes none.
INPUTS_ALONE = [
    ("vpc-missing", {"registry_vpc_id": None}, ["registry_vpc_id"]),
    ("one-subnet", {"registry_private_subnet_ids": ["subnet-0a000000000000001"]}, ["at least two subnets"]),
    ("environment-qa", {"registry_environment": "qa"}, ["registry_environment"]),
    ("dr-region-is-primary", {"registry_dr_region": "us-west-2"}, ["must differ from registry_primary_region"]),
    ("bucket-name", {"registry_artifacts_bucket": "Bad_Bucket"}, ["not a usable bucket name"]),
]


def _inventory(tmp_path: pathlib.Path, cases, substitutions=None) -> pathlib.Path:
    """One inventory host per case: the local inventory's settings with the case's changes, as host vars."""
    hosts = {}
    for case_id, changes, _parts in cases:
        values = {**BASE, "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
        for key, value in changes.items():
            value = (substitutions or {}).get(value, value) if isinstance(value, str) else value
            if isinstance(value, list):
                value = [(substitutions or {}).get(v, v) if isinstance(v, str) else v for v in value]
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
        hosts[case_id] = values
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump({"ai_model_registry": {"children": {"local": {"hosts": hosts}}}}))
    return path


def _refusals(stdout: str) -> dict[str, tuple[str, str]]:
    """host -> (the task that failed, its message), from the default callback's JSON results."""
    found = {}
    decoder = json.JSONDecoder()
    for match in re.finditer(r"^fatal: \[([^\]]+)\]: FAILED! => ", stdout, re.M):
        result = decoder.raw_decode(stdout, match.end())[0]
        task = stdout.rfind("TASK [", 0, match.start())
        found[match.group(1)] = (stdout[task : stdout.index("\n", task)], result.get("msg", ""))
    return found


def _kubernetes_objects(aws) -> list[tuple[str, str, str, str]]:
    api = k8s.CoreV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    objects = []
    for namespace in api.list_namespace().items:
        objects.append(("Namespace", "", namespace.metadata.name, namespace.metadata.resource_version))
        for secret in api.list_namespaced_secret(namespace.metadata.name).items:
            objects.append(
                ("Secret", secret.metadata.namespace, secret.metadata.name, secret.metadata.resource_version)
            )
    return sorted(objects)


def _refused(aws, tmp_path, book, cases, substitutions=None):
    """Run ``book`` once for every case; each must be refused by the preflight, saying every expected part."""
    before = _kubernetes_objects(aws)
    aws.post("aws", "/_emulator/requests", method="DELETE")
    result = playbook(
        aws,
        book,
        "-i",
        str(_inventory(tmp_path, cases, substitutions)),
        check=False,
        env={"ANSIBLE_CALLBACK_RESULT_FORMAT": "json", "ANSIBLE_DISPLAY_ARGS_TO_STDOUT": "0"},
    )
    assert result.returncode != 0
    refusals = _refusals(result.stdout)
    wrong = []
    for case_id, _changes, parts in cases:
        task, message = refusals.get(case_id, ("(not refused)", ""))
        flat = " ".join(message.split())
        missing = [part for part in parts if part not in flat]
        if not task.startswith(PREFLIGHT_TASK) or missing:
            wrong.append(f"{case_id}: {task} {message!r}, without {missing}")
    assert not wrong, "\n".join(wrong) + "\n" + result.stdout[-3000:]
    requests = aws.requests()
    assert requests["writes"] == 0, requests["by_action"]
    assert _kubernetes_objects(aws) == before
    return requests


@pytest.mark.slow(seconds=25)  # one environment per bad input in one run
def test_site_refuses_every_bad_input_before_the_first_write(aws, client, tmp_path):
    ec2 = client("ec2", "us-west-2")
    same_zone = ec2.create_subnet(
        VpcId="vpc-0a000000000000001", CidrBlock="10.10.9.0/24", AvailabilityZone="us-west-2a"
    )["Subnet"]["SubnetId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    elsewhere = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.99.1.0/24", AvailabilityZone="us-west-2b")
    substitutions = {SAME_ZONE_SUBNET: same_zone, OTHER_VPC_SUBNET: elsewhere["Subnet"]["SubnetId"]}
    requests = _refused(aws, tmp_path, "playbooks/site.yml", SITE, substitutions)
    assert not [name for name in requests["by_action"] if name.startswith("cloudformation.")]  # no stack touched
    assert {"sts.GetCallerIdentity", "ec2.DescribeRegions", "ec2.DescribeSubnets"} <= set(requests["by_action"])


def test_inputs_wrong_on_their_own_are_refused_before_any_aws_call(aws, tmp_path):
    assert _refused(aws, tmp_path, "playbooks/site.yml", INPUTS_ALONE)["total"] == 0


def test_failover_refuses_every_bad_input_before_the_writer_moves(aws, tmp_path):
    requests = _refused(aws, tmp_path, "playbooks/failover.yml", FAILOVER)
    assert set(requests["by_action"]) <= {"sts.GetCallerIdentity", "ec2.DescribeRegions"}


def test_a_drill_refuses_every_bad_input_and_a_held_lock_before_anything_is_written(aws, client, tmp_path):
    running = {
        "drill_id": "development-switchover-other",
        "type": "switchover",
        "started_at": time.time(),
        "expires_at": time.time() + 3600,
    }
    lock = "/ai-model-registry/development/dr-drill/lock"
    client("ssm", "us-east-1").put_parameter(Name=lock, Value=json.dumps(running), Type="String")
    _refused(aws, tmp_path, "playbooks/dr_drill.yml", DRILL)
    assert json.loads(client("ssm", "us-east-1").get_parameter(Name=lock)["Parameter"]["Value"]) == running


def test_teardown_refuses_every_bad_input_before_anything_is_deleted(aws, client, tmp_path):
    # Something to delete, so a teardown that went on would write: a stack of the environment and its Secret.
    client("cloudformation", "us-west-2").create_stack(
        StackName="ai-model-registry-development-redis",
        TemplateBody=json.dumps({"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}),
    )
    api = k8s.CoreV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    api.create_namespaced_secret("default", {"metadata": {"name": "redis-credentials"}, "data": {}})
    _refused(aws, tmp_path, "playbooks/teardown.yml", TEARDOWN)
    stacks = client("cloudformation", "us-west-2").describe_stacks()["Stacks"]
    assert [s["StackName"] for s in stacks] == ["ai-model-registry-development-redis"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["-e", "registry_stack_timeout_minutes=0"],
            "registry_stack_timeout_minutes must be an integer >= 1, got '0' (a string)",
        ),
        (["-e", "aurora_read_replicas=99"], "aurora_read_replicas must be one of 0, 1, 2, 3, got 99"),
    ],
    ids=["timeout-0", "read-replicas-99"],
)
def test_extra_vars_are_checked_as_the_inventory_is(aws, extra, message):
    """-e gives strings: they are converted as the role's argument spec would, then checked."""
    result = playbook(aws, "playbooks/site.yml", "-i", "inventories/local", *extra, check=False)
    assert result.returncode != 0 and message in " ".join(result.stdout.split())
    assert aws.requests()["writes"] == 0


@pytest.mark.parametrize(("environment", "account"), [("staging", "111111111111"), ("production", "222222222222")])
def test_the_example_inventories_are_refused_by_the_emulators_account_and_cluster(aws, environment, account):
    """Well-formed settings (every input passes), bound to another account and cluster than the emulators':
    refused with both named, before any write - staging's credentials or kubeconfig used for production, say."""
    inventory = f"inventories/{environment}"
    cluster = playbook(aws, "playbooks/site.yml", "-i", inventory, check=False)
    assert cluster.returncode != 0
    assert f"bound to context model-registry-{environment}" in cluster.stdout
    assert "the Kubernetes context is emulator" in cluster.stdout
    assert aws.requests()["total"] == 0  # the cluster is checked before any AWS call
    account_run = playbook(
        aws, "playbooks/site.yml", "-i", inventory, "-e", "preflight_check_kubernetes=false", check=False
    )
    assert account_run.returncode != 0
    assert "the AWS credentials are of account 123456789012" in account_run.stdout
    assert f"bound to account {account} (registry_aws_account_id)" in account_run.stdout
    requests = aws.requests()
    assert requests["writes"] == 0 and list(requests["by_action"]) == ["sts.GetCallerIdentity"]


def test_the_corpus_is_large_enough():
    assert len(SITE) + len(FAILOVER) + len(DRILL) + len(TEARDOWN) >= 30
