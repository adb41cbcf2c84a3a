"""The preflight's decisions: role inputs with their types, typos, the environment, template parameters,
the binding to an account and a cluster, regions, networks and the drill lock."""

from __future__ import annotations

import pytest

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import preflight

INT = {"type": "int"}
TIMEOUT = "registry_stack_timeout_minutes"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("30", "'30' (a string)"),
        (0, "0 (an integer)"),
        (2.5, "2.5 (a number)"),
        (True, "True (a boolean)"),
        (["a"], "['a'] (a list)"),
        ({"a": 1}, "{'a': 1} (a dictionary)"),
        (None, "None (nothing)"),
    ],
)
def test_a_value_is_shown_with_its_type(value, shown):
    assert preflight.describe(value) == shown


@pytest.mark.parametrize(
    ("name", "spec", "value", "message"),
    [
        (TIMEOUT, INT, 0, "registry_stack_timeout_minutes must be an integer >= 1, got 0 (an integer)"),
        (TIMEOUT, INT, "thirty", "registry_stack_timeout_minutes must be an integer >= 1, got 'thirty' (a string)"),
        (TIMEOUT, INT, "-5", "registry_stack_timeout_minutes must be an integer >= 1, got '-5' (a string)"),
        (TIMEOUT, INT, 2.5, "registry_stack_timeout_minutes must be an integer >= 1, got 2.5 (a number)"),
        (TIMEOUT, INT, True, "registry_stack_timeout_minutes must be an integer >= 1, got True (a boolean)"),
        (
            "registry_stack_poll_seconds",
            {"type": "float"},
            0,
            "registry_stack_poll_seconds must be a number > 0, got 0",
        ),
        ("dr_drill_switch_timeout_seconds", INT, -1, "dr_drill_switch_timeout_seconds must be an integer >= 1, got -1"),
        ("dr_drill_canary_count", INT, 0, "dr_drill_canary_count must be an integer >= 1"),
        (
            "aurora_read_replicas",
            {"type": "int", "choices": [0, 1, 2, 3]},
            99,
            "aurora_read_replicas must be one of 0, 1, 2, 3, got 99 (an integer)",
        ),
        (
            "aurora_read_replicas",
            {"type": "int", "choices": [0, 1, 2, 3]},
            "99",
            "aurora_read_replicas must be one of 0, 1, 2, 3, got 99 (an integer)",
        ),
        ("aurora_global_database", {"type": "bool"}, 5, "aurora_global_database must be a boolean, got 5 (an integer)"),
        (
            "k8s_secrets_components",
            {"type": "list", "elements": "str", "choices": ["postgresql", "redis"]},
            ["mysql"],
            "k8s_secrets_components must be a list of postgresql, redis, got 'mysql' (a string) in ['mysql']",
        ),
        ("registry_vpc_id", {"type": "str"}, ["vpc-1"], "registry_vpc_id must be a string, got ['vpc-1'] (a list)"),
        (
            "registry_private_subnet_ids",
            {"type": "list", "elements": "str"},
            {"a": 1},
            "registry_private_subnet_ids must be a list of strings, got {'a': 1} (a dictionary)",
        ),
        (
            "k8s_secrets_restart_deployments",
            {"type": "list", "elements": "dict"},
            ["api"],
            "k8s_secrets_restart_deployments must be a list of dictionaries, got 'api' (a string)",
        ),
    ],
)
def test_a_wrong_value_is_named_with_what_it_must_be_and_its_type(name, spec, value, message):
    errors = preflight.option_errors(name, value, spec)
    assert len(errors) == 1 and errors[0].startswith(message), errors


@pytest.mark.parametrize(
    ("name", "spec", "value"),
    [
        (TIMEOUT, INT, 30),
        (TIMEOUT, INT, "30"),  # -e registry_stack_timeout_minutes=30: Ansible's argument spec takes it, and so do we
        ("aurora_read_replicas", {"type": "int", "choices": [0, 1, 2, 3]}, "1"),
        ("failover_max_lag_seconds", {"type": "float"}, 0),  # a lag may be zero
        ("dr_max_switchover_lag_seconds", INT, 0),
        ("aurora_global_database", {"type": "bool"}, "false"),
        ("k8s_secrets_components", {"type": "list", "elements": "str", "choices": ["postgresql", "redis"]}, ["redis"]),
        ("aurora_engine_version", {"type": "str"}, 16.8),  # a YAML number for a string: Ansible converts it
        ("registry_private_subnet_ids", {"type": "list", "elements": "str"}, "subnet-1,subnet-2"),
        ("aurora_read_replicas", INT, preflight.Deferred("aurora_outputs")),
    ],
)
def test_a_value_ansible_accepts_is_accepted(name, spec, value):
    assert preflight.option_errors(name, value, spec) == []


def test_an_entry_point_reports_missing_required_and_unset_sources():
    options = {
        "aurora_vpc_id": {"type": "str", "required": True},
        "aurora_region": {"type": "str", "required": True},
        "aurora_read_replicas": {"type": "int", "choices": [0, 1]},
    }
    errors = preflight.entry_errors(
        "aurora", "main", options, {"aurora_read_replicas": 5}, {"aurora_vpc_id": "registry_vpc_id"}
    )
    assert errors == [
        "aurora_read_replicas must be one of 0, 1, got 5 (an integer)",
        "aurora_region is required by role aurora (main) and not set",
        "aurora_vpc_id (role aurora, main) needs registry_vpc_id, which is not set",
    ]


def test_typos_with_a_role_prefix_are_reported_with_the_nearest_name():
    known = {"aurora_read_replicas", "redis_node_type", "registry_vpc_id"}
    names = [
        "aurora_read_replica",
        "redis_nodetype",
        "aurora_read_replicas",
        "ansible_connection",
        "my_var",
        "aurora_outputs",
        "registry_teardown_confirm",
        "dr_something_else",
    ]
    assert preflight.unknown_variables(names, known) == [
        "aurora_read_replica is not a variable of any role or playbook of this collection (did you mean "
        "aurora_read_replicas?)",
        "dr_something_else is not a variable of any role or playbook of this collection",
        "redis_nodetype is not a variable of any role or playbook of this collection (did you mean redis_node_type?)",
    ]


GOOD = {
    "registry_primary_region": "us-west-2",
    "registry_dr_region": "us-east-1",
    "registry_vpc_id": "vpc-0a000000000000001",
    "registry_dr_vpc_id": "vpc-0b000000000000001",
    "registry_private_subnet_ids": ["subnet-0a000000000000001", "subnet-0a000000000000002"],
    "registry_dr_private_subnet_ids": ["subnet-0b000000000000001", "subnet-0b000000000000002"],
    "registry_artifacts_bucket": "ai-model-registry-local-artifacts",
    "registry_name_prefix": "ai-model-registry",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"registry_dr_region": "us-west-2"}, "registry_dr_region must differ from registry_primary_region"),
        ({"registry_primary_region": "oregon"}, "registry_primary_region 'oregon' is not an AWS region name"),
        ({"registry_vpc_id": "vpc-xyz"}, "registry_vpc_id 'vpc-xyz' is not a VPC ID"),
        (
            {"registry_private_subnet_ids": ["subnet-0a000000000000001"]},
            "registry_private_subnet_ids needs at least two subnets in different Availability Zones",
        ),
        (
            {"registry_dr_private_subnet_ids": ["subnet-0b000000000000001", "sub-2"]},
            "registry_dr_private_subnet_ids: 'sub-2' (a string) is not a subnet ID",
        ),
        ({"registry_artifacts_bucket": "Bad_Bucket"}, "not a usable bucket name"),
        ({"registry_name_prefix": "X"}, "registry_name_prefix 'X' must be 2-21 lowercase letters"),
        ({"registry_cloudformation_role_arn": "cloudformation"}, "'cloudformation' is not the ARN of an IAM role"),
        (
            {"registry_cloudformation_role_arn": "arn:aws:iam::123456789012:user/deployer"},
            "is not the ARN of an IAM role",
        ),
    ],
)
def test_the_environment_settings_and_their_relations(changes, message):
    assert preflight.environment_errors(GOOD) == []
    errors = preflight.environment_errors({**GOOD, **changes})
    assert len(errors) == 1 and message in errors[0], errors


def test_a_prefix_that_makes_a_name_longer_than_aws_allows_is_refused_with_the_length_it_may_have():
    fits = {**GOOD, "registry_environment": "development", "registry_name_prefix": "ai-model-registry-a"}
    assert preflight.environment_errors(fits) == []  # 19 characters: ai-model-registry-a-development-redis-dr, 40
    errors = preflight.environment_errors({**fits, "registry_name_prefix": "ai-model-registry-ab"})
    assert errors == [
        "registry_name_prefix 'ai-model-registry-ab' is too long for development: ElastiCache's replication group ID "
        "'ai-model-registry-ab-development-redis-dr' would have 41 characters, AWS allows at most 40 characters "
        "(shorten the prefix to at most 19)"
    ]
    production = {**fits, "registry_environment": "production", "registry_name_prefix": "ai-model-registry-abcd"[:21]}
    assert preflight.environment_errors(production) == []  # production's names carry no environment


def test_a_global_datastore_needs_cluster_mode_disabled():
    both = {**GOOD, "redis_global_datastore": True, "redis_cluster_mode": "enabled"}
    errors = preflight.environment_errors(both)
    assert len(errors) == 1 and errors[0].startswith(
        "redis_cluster_mode 'enabled' cannot go with redis_global_datastore"
    )
    assert preflight.environment_errors({**both, "redis_global_datastore": False}) == []
    assert preflight.environment_errors({**both, "redis_cluster_mode": "disabled"}) == []


def test_the_binding_must_be_declared():
    assert preflight.binding_declaration_errors("123456789012", True, "emulator", None) == []
    assert preflight.binding_declaration_errors("123456789012", False, None, None) == []
    missing = preflight.binding_declaration_errors(None, True, None, None)
    assert missing[0].startswith("registry_aws_account_id is not set")
    assert missing[1].startswith("registry_kubernetes_context (or registry_kubernetes_server) is not set")
    assert preflight.binding_declaration_errors("12345", False, None, None) == [
        "registry_aws_account_id must be an AWS account ID of 12 digits, got '12345' (a string)"
    ]


def test_another_account_is_refused_naming_both():
    identity = {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/ci"}
    assert preflight.account_errors("123456789012", identity) == []
    [error] = preflight.account_errors("111111111111", identity)
    assert "credentials are of account 123456789012 (arn:aws:iam::123456789012:user/ci)" in error
    assert "bound to account 111111111111 (registry_aws_account_id)" in error


def test_another_cluster_is_refused_naming_both():
    assert preflight.kubernetes_errors("staging", None, "staging", "https://a", "kubeconfig k") == []
    assert preflight.kubernetes_errors(None, "https://a.example/", None, "https://A.example", "K8S_AUTH_HOST") == []
    [context] = preflight.kubernetes_errors("staging", None, "production", "https://p", "kubeconfig /k")
    assert "the Kubernetes context is production (kubeconfig /k)" in context and "bound to context staging" in context
    [server] = preflight.kubernetes_errors(None, "https://s", "x", "https://p", "kubeconfig /k")
    assert "API server is https://p (kubeconfig /k), but this environment is bound to https://s" in server
    [unset] = preflight.kubernetes_errors("staging", None, None, "https://h", "K8S_AUTH_HOST")
    assert "the Kubernetes context is not set (K8S_AUTH_HOST)" in unset


def test_regions_must_exist_and_be_enabled():
    available = {"us-west-2": "opt-in-not-required", "us-east-1": "opt-in-not-required", "ap-east-1": "not-opted-in"}
    assert preflight.region_errors({"us-west-2": {"registry_primary_region"}}, available) == []
    assert preflight.region_errors({"us-north-9": {"registry_dr_region", "region of x"}}, available) == [
        "region of x, registry_dr_region: region us-north-9 does not exist (EC2 DescribeRegions does not list it)"
    ]
    assert "is not enabled in this account" in preflight.region_errors({"ap-east-1": {"r"}}, available)[0]


SUBNETS = [
    {"SubnetId": "subnet-1", "VpcId": "vpc-1", "AvailabilityZone": "us-west-2a"},
    {"SubnetId": "subnet-2", "VpcId": "vpc-1", "AvailabilityZone": "us-west-2b"},
    {"SubnetId": "subnet-3", "VpcId": "vpc-1", "AvailabilityZone": "us-west-2a"},
    {"SubnetId": "subnet-9", "VpcId": "vpc-9", "AvailabilityZone": "us-west-2c"},
]


@pytest.mark.parametrize(
    ("vpc", "subnets", "messages"),
    [
        ("vpc-1", ["subnet-1", "subnet-2"], []),
        ("vpc-0", ["subnet-1", "subnet-2"], ["registry_vpc_id (VpcId of s): VPC vpc-0 does not exist in us-west-2"]),
        (
            "vpc-1",
            ["subnet-1", "subnet-7"],
            ["registry_private_subnet_ids (PrivateSubnetIds of s): subnet subnet-7 does not exist in us-west-2"],
        ),
        (
            "vpc-1",
            ["subnet-1", "subnet-3"],
            [
                "registry_private_subnet_ids (PrivateSubnetIds of s): the subnets are all in us-west-2a; Aurora and "
                "ElastiCache need subnets in at least two Availability Zones"
            ],
        ),
        (
            "vpc-1",
            ["subnet-1", "subnet-9"],
            [
                "registry_private_subnet_ids (PrivateSubnetIds of s): subnet subnet-9 is not in VPC vpc-1 "
                "(registry_vpc_id)"
            ],
        ),
    ],
)
def test_vpcs_and_subnets_exist_together_in_two_zones(vpc, subnets, messages):
    found = [s for s in SUBNETS if s["SubnetId"] in subnets]
    vpcs = [v for v in ("vpc-1", "vpc-9") if v == vpc]
    errors = preflight.network_errors(
        "us-west-2",
        (vpc, "registry_vpc_id (VpcId of s)"),
        (subnets, "registry_private_subnet_ids (PrivateSubnetIds of s)"),
        vpcs,
        found,
    )
    assert errors == messages


TEMPLATE = {
    "Parameters": {
        "Retention": {"Type": "Number", "Default": 14, "MinValue": 1, "MaxValue": 35},
        "NodeType": {
            "Type": "String",
            "Default": "cache.r7g.large",
            "AllowedPattern": "^cache\\.[a-z0-9]+\\.[a-z0-9]+$",
        },
        "Mode": {"Type": "String", "AllowedValues": ["a", "b"]},
        "ClusterArn": {"Type": "String", "AllowedPattern": "^arn:.*$"},
        "Name": {"Type": "String", "Default": "x", "MinLength": 2, "MaxLength": 4},
    },
    "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
}
SOURCES = {"Retention": ["aurora_backup_retention_days"], "NodeType": ["redis_node_type"], "Mode": ["m"]}


@pytest.mark.parametrize(
    ("given", "messages"),
    [
        ({"Retention": 14, "Mode": "a", "ClusterArn": preflight.Deferred("aurora_outputs")}, []),
        (
            {"Retention": 0, "Mode": "a"},
            ["stack s: Retention=0 is below its minimum 1 (Retention from aurora_backup_retention_days)"],
        ),
        (
            {"Retention": 36, "Mode": "a"},
            ["stack s: Retention=36 is above its maximum 35 (Retention from aurora_backup_retention_days)"],
        ),
        ({"Mode": "c"}, ["stack s: Mode=c is not one of a, b (Mode from m)"]),
        (
            {"Mode": "a", "NodeType": "not-a-type"},
            [
                "stack s: NodeType=not-a-type does not match ^cache\\.[a-z0-9]+\\.[a-z0-9]+$ "
                "(NodeType from redis_node_type)"
            ],
        ),
        ({"Mode": "a", "Name": "toolong"}, ["stack s: Name=toolong is longer than 4 characters"]),
        ({"Mode": "a", "Name": "x"}, ["stack s: Name=x is shorter than 2 characters"]),
        ({"Mode": "a", "Extra": 1}, ["stack s: parameters the template does not declare: Extra"]),
        ({}, ["stack s: template parameters without a value: ClusterArn, Mode (Mode from m)"]),
    ],
)
def test_template_parameters_are_checked_against_the_templates_constraints(given, messages):
    given = {"ClusterArn": "arn:x", **given}
    if given == {"ClusterArn": "arn:x"}:
        given = {}
    assert preflight.parameter_errors("stack s", TEMPLATE, given, SOURCES) == messages


def test_the_failover_request():
    assert preflight.failover_request_errors({"failover_action": "switchover"}) == []
    assert preflight.failover_request_errors({"failover_action": "failover", "failover_allow_data_loss": "true"}) == []
    [loss] = preflight.failover_request_errors({"failover_action": "failover", "failover_allow_data_loss": False})
    assert "set failover_allow_data_loss=true" in loss
    [lambda_back] = preflight.failover_request_errors({"failover_use_orchestrator": True, "failover_to": "primary"})
    assert lambda_back.startswith("failover_use_orchestrator:")


def test_the_drill_lock_is_refused_only_while_another_drill_holds_it():
    from ansible_collections.ai_model_registry.infra.plugins.action.dr_drill_lock import decide, held_message

    held = {"drill_id": "development-switchover-other", "type": "switchover", "started_at": 0, "expires_at": 200}
    assert preflight.lock_errors(None, 100, decide, held_message, "development") == []
    assert preflight.lock_errors(held, 300, decide, held_message, "development") == []  # stale: taken over
    [error] = preflight.lock_errors(held, 100, decide, held_message, "development")
    assert error.startswith("Another DR drill runs in development: development-switchover-other (switchover)")
    assert "Nothing was changed" not in error


def test_one_refusal_message_lists_every_problem_a_line_each():
    assert preflight.refusal(["a", "b"]) == "Refused before any change, nothing was changed (2 problems):\n(1) a\n(2) b"
    assert preflight.refusal(["a"]) == "Refused before any change, nothing was changed (1 problem):\n(1) a"


ZONE = {"HostedZone": {"Id": "/hostedzone/Z1", "Name": "registry.internal.", "Config": {"PrivateZone": True}}}


@pytest.mark.parametrize(
    ("domain", "answer", "expected"),
    [
        ("registry.internal", ZONE, []),
        ("Registry.Internal.", ZONE, []),
        ("", ZONE, ["dns_domain: the domain of hosted zone Z1 is not set (registry_dns_domain)"]),
        ("registry.internal", None, ["dns_zone_id: hosted zone Z1 does not exist (registry_dns_zone_id)"]),
        ("other.internal", ZONE, ["dns_domain: hosted zone Z1 is registry.internal., not other.internal"]),
        (
            "registry.internal",
            {"HostedZone": {"Name": "registry.internal.", "Config": {"PrivateZone": False}}},
            ["dns_zone_id: hosted zone Z1 is public; the endpoints are private, so is their zone"],
        ),
    ],
)
def test_the_custom_domains_hosted_zone(domain, answer, expected):
    assert preflight.hosted_zone_errors("Z1", domain, answer) == expected


def test_alarm_subscribers_the_templates_cannot_take_are_one_sentence_for_every_role_that_has_them():
    six = [{"protocol": "email", "endpoint": f"p{i}@example.com"} for i in range(6)]
    comma = [{"protocol": "email", "endpoint": "a@example.com,b@example.com"}]
    assert preflight.environment_errors({**GOOD, "aurora_alarm_subscriptions": six[:5]}) == []
    errors = preflight.environment_errors(
        {**GOOD, "aurora_alarm_subscriptions": six, "redis_alarm_subscriptions": six, "dr_alarm_subscriptions": comma}
    )
    assert errors == [
        "aurora_alarm_subscriptions, redis_alarm_subscriptions (registry_alarm_subscriptions unless set) lists 6 "
        "subscribers; the alarm topics take at most 5",
        "dr_alarm_subscriptions (registry_alarm_subscriptions unless set) has the endpoint "
        "'a@example.com,b@example.com' with a comma, which the template's list parameter would split",
    ]
