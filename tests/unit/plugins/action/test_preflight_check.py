"""The preflight_check action plugin on the collection's own roles and templates: the values a run will pass
(the local inventory over the role defaults, rendered by Ansible's Templar), the stacks it finds, the Kubernetes
target it reads, and the read-only AWS checks against scripted answers."""

from __future__ import annotations

import collections
import importlib
import json
import os
import pathlib
import sys

import botocore.exceptions
import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[4]
Checked = collections.namedtuple("Checked", "problems stacks run")
SITE = (
    "preflight",
    "aurora",
    "backup:dr_vault",
    "backup:plan",
    "dr:replica",
    "dr:primary",
    "dr:secondary",
    "redis",
    "k8s_secrets",
)
ARGS = {
    "roles": SITE,
    "account_id": "123456789012",
    "kubernetes": True,
    "kubernetes_context": "emulator",
    "kubernetes_server": None,
    "regions": {},
    "network": True,
    "drill_lock": False,
    "kubernetes_timeout": 2,
}


@pytest.fixture(scope="module")
def plugin():
    """The plugin imported through Ansible's collection loader, as ansible-playbook imports it: the Templar finds
    the collection's filters (registry_model) only so. The other unit tests import the collection as a plain
    package (pythonpath .build): their modules are set aside meanwhile and put back afterwards."""
    from ansible.plugins.loader import init_plugin_loader
    from ansible.utils.collection_loader import AnsibleCollectionConfig

    saved = {k: v for k, v in sys.modules.items() if k == "ansible_collections" or k.startswith("ansible_collections.")}
    meta_path, path_hooks = list(sys.meta_path), list(sys.path_hooks)
    for name in saved:
        del sys.modules[name]
    if AnsibleCollectionConfig.collection_finder is None:
        init_plugin_loader([str(REPO / ".build")])
    else:  # a second use in this process (xdist's worksteal may split this module): the finder is set aside below
        AnsibleCollectionConfig.collection_finder._install()
    try:
        yield importlib.import_module("ansible_collections.ai_model_registry.infra.plugins.action.preflight_check")
    finally:
        for name in [k for k in sys.modules if k == "ansible_collections" or k.startswith("ansible_collections.")]:
            del sys.modules[name]
        sys.modules.update(saved)
        sys.meta_path[:], sys.path_hooks[:] = meta_path, path_hooks
        sys.path_importer_cache.clear()


@pytest.fixture
def check(plugin):
    """inputs() of the plugin for the local inventory with ``changes`` (None removes a variable)."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar

    def run(changes=None, roles=SITE, environment="local"):
        loader = DataLoader()
        variables = loader.load_from_file(
            str(REPO / f"inventories/{environment}/group_vars/{environment}.yml"),
            cache="none",
            trusted_as_template=True,
        )
        variables.update(playbook_dir=str(REPO / "playbooks"), inventory_hostname="registry-local")
        for key, value in (changes or {}).items():
            if value is None:
                variables.pop(key, None)
            else:
                variables[key] = value
        run_vars = plugin.RunVariables(Templar(loader=loader, variables={}), loader, variables)
        action = object.__new__(plugin.ActionModule)
        problems, stacks = action.inputs(dict(ARGS, roles=list(roles)), run_vars)
        return Checked(problems, stacks, run_vars)

    return run


def test_the_local_inventory_passes_and_values_from_stack_outputs_wait_for_the_run(check, plugin):
    checked = check()
    problems, stacks = checked.problems, checked.stacks
    assert problems == []
    by_name = {s["name"]: s for s in stacks}
    assert len(stacks) == 7 and by_name["ai-model-registry-development-aurora"]["region"] == "us-west-2"
    backup = by_name["ai-model-registry-development-backup"]["given"]
    assert plugin.preflight.is_deferred(backup["AuroraClusterArn"]) and backup["HourlyRetentionDays"] == 2
    assert by_name["ai-model-registry-development-aurora"]["sources"]["VpcId"] == ["registry_vpc_id"]
    assert [(network[0], network[1][0]) for network in plugin.networks(stacks)] == [
        ("us-west-2", "vpc-0a000000000000001"),
        ("us-east-1", "vpc-0b000000000000001"),
    ]


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_the_example_inventories_pass_every_input_check(check, environment):
    checked = check(environment=environment)
    problems, stacks = checked.problems, checked.stacks
    assert problems == [] and len(stacks) == 7


@pytest.mark.parametrize(
    "roles",
    [
        ["preflight", "failover", "k8s_secrets"],
        ["preflight", "dr_drill", "failover", "k8s_secrets"],
        ["preflight", "k8s_secrets:teardown", "dr:teardown", "backup:teardown", "redis:teardown", "aurora:teardown"],
    ],
    ids=["failover", "dr_drill", "teardown"],
)
def test_the_other_playbooks_inputs_pass_on_the_local_inventory(check, roles):
    checked = check(roles=roles)
    problems, stacks = checked.problems, checked.stacks
    assert problems == [] and stacks == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"aurora_read_replicas": 99}, "aurora_read_replicas must be one of 0, 1, 2, 3, got 99 (an integer)"),
        ({"aurora_global_database": 5}, "aurora_global_database must be a boolean, got 5 (an integer)"),
        ({"k8s_secrets_components": ["mysql"]}, "k8s_secrets_components must be a list of postgresql, redis"),
        (
            {"aurora_read_replica": 1},
            "aurora_read_replica is not a variable of any role or playbook of this "
            "collection (did you mean aurora_read_replicas?)",
        ),
        (
            {"registry_stack_timeout_minutes": "0"},
            "registry_stack_timeout_minutes must be an integer >= 1, got '0' (a string)",
        ),
        (
            {"aurora_backup_retention_days": 0},
            "BackupRetentionDays=0 is below its minimum 1 (BackupRetentionDays from aurora_backup_retention_days)",
        ),
        ({"aurora_backup_retention_days": 36}, "BackupRetentionDays=36 is above its maximum 35"),
        ({"redis_node_type": "not-a-type"}, "NodeType=not-a-type does not match"),
        ({"registry_vpc_id": None}, "aurora_vpc_id (role aurora, main) needs registry_vpc_id, which is not set"),
        (
            {"registry_private_subnet_ids": "subnet-0a000000000000001"},
            "registry_private_subnet_ids needs at least two subnets",
        ),
        ({"registry_aws_account_id": None}, None),  # the account comes in as an argument: see the binding tests
    ],
)
def test_a_bad_input_is_found_before_any_call_naming_the_variable(check, changes, message):
    problems = check(changes).problems
    if message is None:
        return
    assert any(message in p for p in problems), problems


def test_variables_the_roles_and_playbooks_read_are_no_typos(check):
    checked = check({"registry_alarm_subscriptions": [], "registry_stack_drift": "skip"})
    problems, run = checked.problems, checked.run
    assert problems == []
    assert {
        "registry_alarm_subscriptions",
        "registry_stack_timeout_minutes",
        "registry_teardown_confirm",
    } <= run.known()


def test_a_value_set_for_a_role_is_traced_to_the_variable_a_person_sets(check):
    run = check({"aurora_vpc_id": "vpc-0a000000000000009"}).run
    assert run.origin("aurora_vpc_id") == "aurora_vpc_id"  # set here, so named as it is
    assert run.origin("redis_vpc_id") == "registry_vpc_id"  # the role's default only passes it on


def _kubeconfig(tmp_path, context="emulator", server="http://127.0.0.1:9"):
    path = tmp_path / "kubeconfig"
    path.write_text(
        json.dumps(
            {
                "current-context": context,
                "clusters": [{"name": "c1", "cluster": {"server": server}}],
                "contexts": [
                    {"name": context, "context": {"cluster": "c1", "user": "u"}},
                    {"name": "other", "context": {"cluster": "c2", "user": "u"}},
                ],
                "users": [{"name": "u", "user": {"token": "t"}}],
            }
        )
    )
    return path


def test_the_kubernetes_target_is_read_as_kubernetes_core_reads_it(plugin, tmp_path):
    path = _kubeconfig(tmp_path)
    assert plugin.kubeconfig_target({"KUBECONFIG": f"/nowhere{os.pathsep}{path}"})[:2] == (
        "emulator",
        "http://127.0.0.1:9",
    )
    assert plugin.kubeconfig_target({"K8S_AUTH_KUBECONFIG": str(path), "K8S_AUTH_CONTEXT": "other"})[:2] == (
        "other",
        None,
    )
    assert plugin.kubeconfig_target({"K8S_AUTH_HOST": "https://h"})[:3] == (None, "https://h", "K8S_AUTH_HOST")
    assert plugin.kubeconfig_target({"KUBECONFIG": str(tmp_path / "absent")})[2].startswith("no kubeconfig")


def test_another_context_is_refused_before_the_api_is_asked(plugin, tmp_path):
    path = _kubeconfig(tmp_path, context="production")
    problems, found = plugin.kubernetes_check(dict(ARGS, kubernetes_context="staging"), {"KUBECONFIG": str(path)})
    assert found["context"] == "production" and "version" not in found
    assert len(problems) == 1 and "context is production" in problems[0] and "bound to context staging" in problems[0]


def test_an_api_that_does_not_answer_is_refused(plugin, tmp_path):
    problems = plugin.kubernetes_check(ARGS, {"KUBECONFIG": str(_kubeconfig(tmp_path))})[0]
    assert len(problems) == 1 and problems[0].startswith("The Kubernetes API does not answer")
    assert "http://127.0.0.1:9" in problems[0]


class FakeAws:
    """EC2 and SSM answers by region; records the calls (ApiClients' interface)."""

    def __init__(self, lock=None, buckets=None):
        self.api_calls = []
        self.lock = lock
        self.region = None
        network = yaml.safe_load((REPO / "inventories/local/group_vars/local.yml").read_text())
        self.buckets = {network["registry_template_bucket"]: "us-west-2"} if buckets is None else buckets

    def __call__(self, service, region):
        self.region = region
        return self

    def call(self, action, **params):
        self.api_calls.append((action, self.region))
        if action == "DescribeRegions":
            return {
                "Regions": [{"RegionName": r, "OptInStatus": "opt-in-not-required"} for r in ("us-west-2", "us-east-1")]
            }
        if action == "HeadBucket":
            if params["Bucket"] not in self.buckets:
                raise botocore.exceptions.ClientError({"Error": {"Code": "404"}}, "HeadBucket")
            if self.buckets[params["Bucket"]] != self.region:
                raise botocore.exceptions.ClientError({"Error": {"Code": "301"}}, "HeadBucket")
            return {}
        if action == "GetParameter":
            if self.lock is None:
                raise botocore.exceptions.ClientError({"Error": {"Code": "ParameterNotFound"}}, "GetParameter")
            return {"Parameter": {"Value": json.dumps(self.lock)}}
        raise AssertionError(action)

    def paginate(self, action, **params):
        self.api_calls.append((action, self.region))
        wanted = params["Filters"][0]["Values"]
        network = yaml.safe_load((REPO / "inventories/local/group_vars/local.yml").read_text())
        if action == "DescribeVpcs":
            known = [network["registry_vpc_id"], network["registry_dr_vpc_id"]]
            return [{"VpcId": v} for v in wanted if v in known]
        subnets = [
            {
                "SubnetId": s,
                "VpcId": "vpc-0a000000000000001" if "0a0" in s else "vpc-0b000000000000001",
                "AvailabilityZone": "zone-" + s[-1],
            }
            for s in network["registry_private_subnet_ids"] + network["registry_dr_private_subnet_ids"]
        ]
        return [s for s in subnets if s["SubnetId"] in wanted]


def test_regions_networks_and_the_lock_are_read_only_and_found(check, plugin):
    found = check(roles=(*SITE, "dr_drill"))
    stacks, run = found.stacks, found.run
    aws = FakeAws()
    checked = []
    assert (
        plugin.ActionModule.aws(
            object.__new__(plugin.ActionModule), dict(ARGS, drill_lock=True), run, stacks, aws, "us-east-1", checked
        )
        == []
    )
    assert checked == ["regions", "networks", "template buckets", "drill lock"]
    assert {call[0] for call in aws.api_calls} == {
        "DescribeRegions",
        "DescribeVpcs",
        "DescribeSubnets",
        "HeadBucket",
        "GetParameter",
    }
    assert ("HeadBucket", "us-west-2") in aws.api_calls  # the backup plan's template is over the request limit
    assert ("DescribeSubnets", "us-east-1") in aws.api_calls and ("GetParameter", "us-east-1") in aws.api_calls


def test_a_missing_subnet_a_missing_region_and_a_held_lock_are_refused(check, plugin):
    checked = check({"registry_private_subnet_ids": ["subnet-0a000000000000001", "subnet-0a0000000000000ff"]})
    stacks, run = checked.stacks, checked.run
    problems = plugin.ActionModule.aws(
        object.__new__(plugin.ActionModule), ARGS, run, stacks, FakeAws(), "us-east-1", []
    )
    assert problems == [
        "registry_private_subnet_ids (PrivateSubnetIds of ai-model-registry-development-aurora): subnet "
        "subnet-0a0000000000000ff does not exist in us-west-2"
    ]
    checked = check({"registry_dr_region": "eu-north-9"})
    stacks, run = checked.stacks, checked.run
    [region] = plugin.ActionModule.aws(
        object.__new__(plugin.ActionModule), ARGS, run, stacks, FakeAws(), "us-east-1", []
    )
    assert (
        region.startswith("region of ai-model-registry-development-backup-dr-vault")
        and "eu-north-9 does not exist" in region
    )
    # the template bucket missing, or in another region than the stack that reads from it
    checked = check()
    for buckets, says in (
        ({}, "does not exist"),
        ({"ai-model-registry-local-artifacts-templates": "eu-west-1"}, "is not in us-west-2"),
    ):
        [bucket] = plugin.ActionModule.aws(
            object.__new__(plugin.ActionModule),
            ARGS,
            checked.run,
            checked.stacks,
            FakeAws(buckets=buckets),
            "us-east-1",
            [],
        )
        assert bucket.startswith("the template bucket ai-model-registry-local-artifacts-templates") and says in bucket
    held = {"drill_id": "development-switchover-other", "type": "switchover", "started_at": 1e10, "expires_at": 2e10}
    run = check(roles=["preflight", "dr_drill"]).run
    [lock] = plugin.ActionModule.aws(
        object.__new__(plugin.ActionModule), dict(ARGS, drill_lock=True), run, [], FakeAws(held), "us-east-1", []
    )
    assert lock.startswith("Another DR drill runs in development: development-switchover-other (switchover)")


@pytest.mark.parametrize(
    ("regions", "home"),
    [
        ({"a": "us-west-2"}, "us-east-1"),
        ({"a": "us-gov-east-1"}, "us-gov-west-1"),
        ({"a": "cn-northwest-1"}, "cn-north-1"),
    ],
)
def test_account_wide_reads_go_to_the_partitions_first_region(plugin, regions, home):
    assert plugin.home_region(regions) == home


def test_a_template_over_the_request_limit_needs_a_template_bucket(check):
    # the backup plan's template (76 KB) is read from S3; the bucket defaults to the artifacts bucket's with -templates
    found = check({"registry_template_bucket": None})
    [backup] = [s for s in found.stacks if s["name"].endswith("-backup")]
    assert backup["template_bucket"] == "ai-model-registry-local-artifacts-templates"
    assert [s["name"] for s in found.stacks if s["template_bucket"]] == [backup["name"]]
    refused = check({"registry_template_bucket": ""})
    assert any(
        "backup-policy.yaml is" in p and "over the 51200 bytes CloudFormation takes in a request" in p
        for p in refused.problems
    ), refused.problems
