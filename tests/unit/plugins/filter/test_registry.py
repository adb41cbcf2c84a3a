"""The one model of the platform: names as the templates give them, targets and cadence defined once."""

from __future__ import annotations

import pathlib

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.filter.registry import registry_model
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import cloudformation as cfn

ROLES = pathlib.Path(__file__).resolve().parents[4] / "roles"


def _template_name(template: str, resource: str, prop: str, prefix: str, environment: str) -> str:
    """The name a template gives a resource: its IsProduction branch and its Fn::Sub, evaluated by hand."""
    body = cfn.load_template((ROLES / template).read_text())  # libyaml's parse, kept for the next case
    value = body["Resources"][resource]["Properties"][prop]
    if "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        assert condition == "IsProduction"
        value = when_true if environment == "production" else when_false
    return value["Fn::Sub"].replace("${NamePrefix}", prefix).replace("${Environment}", environment)


NAMED = [
    ("aurora/files/aurora-cluster.yaml", "Cluster", "DBClusterIdentifier", lambda m: m["aurora_cluster"]),
    ("aurora/files/aurora-cluster.yaml", "GlobalCluster", "GlobalClusterIdentifier", lambda m: m["global_cluster"]),
    ("aurora/files/aurora-cluster.yaml", "DatabaseSecret", "Name", lambda m: m["secrets"]["database"]),
    ("aurora/files/aurora-cluster.yaml", "AlarmTopic", "TopicName", lambda m: m["topics"]["aurora_alarms"]),
    (
        "redis/files/redis-cluster.yaml",
        "ReplicationGroup",
        "ReplicationGroupId",
        lambda m: m["redis_replication_group"],
    ),
    ("redis/files/redis-cluster.yaml", "AuthTokenSecret", "Name", lambda m: m["secrets"]["redis_auth_token"]),
    ("redis/files/redis-dr.yaml", "ReplicationGroup", "ReplicationGroupId", lambda m: m["redis_dr_replication_group"]),
    ("backup/files/backup-dr-vault.yaml", "BackupVault", "BackupVaultName", lambda m: m["backup_vaults"]["dr"]),
    ("dr/files/disaster-recovery-secondary.yaml", "DRTopic", "TopicName", lambda m: m["topics"]["dr"]),
    ("backup/files/backup-policy.yaml", "NotificationTopic", "TopicName", lambda m: m["topics"]["backup"]),
    ("backup/files/backup-policy.yaml", "BackupVault", "BackupVaultName", lambda m: m["backup_vaults"]["primary"]),
]


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize(("template", "resource", "prop", "pick"), NAMED, ids=[n[1] + "." + n[2] for n in NAMED])
def test_names_are_the_ones_the_templates_give(template, resource, prop, pick, environment):
    model = registry_model("amr", environment)
    assert pick(model) == _template_name(template, resource, prop, "amr", environment)


def test_stacks_carry_the_seed_names_in_production_and_the_environment_elsewhere():
    assert registry_model("ai-model-registry", "production")["stacks"]["aurora"] == "ai-model-registry-aurora"
    staging = registry_model("ai-model-registry", "staging")["stacks"]
    assert staging["dr_secondary"] == "ai-model-registry-staging-dr-secondary"
    assert staging["redis_dr"] == "ai-model-registry-staging-redis-dr"
    assert len(set(staging.values())) == 8
    assert registry_model("amr", "staging")["tags"] == {
        "Project": "ai-model-registry",
        "Environment": "staging",
        "ManagedBy": "ai_model_registry.infra",
    }


def test_an_empty_prefix_is_the_default_one():
    assert registry_model("", "development")["stacks"]["redis"] == "ai-model-registry-development-redis"


def test_buckets_and_rules_come_with_the_artifacts_bucket():
    model = registry_model("amr", "staging", "amr-artifacts")
    assert model["buckets"] == {
        "artifacts": "amr-artifacts",
        "artifacts_replica": "amr-artifacts-replica",
        "templates": "amr-artifacts-templates",  # the name docs/iam/roles.yaml gives the template bucket
    }
    assert model["replication_rules"]["artifacts"] == "artifacts-to-dr-region"
    assert "buckets" not in registry_model("amr", "staging")


def test_the_template_bucket_is_the_one_the_bootstrap_stack_makes():
    """docs/iam/roles.yaml (the team's bootstrap stack, CloudFormation: it cannot ask the model) names it alike."""
    roles = yaml.safe_load((ROLES.parent / "docs/iam/roles.yaml").read_text())
    rule = roles["Resources"]["TemplateBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    model = registry_model("amr", "staging", "amr-artifacts")
    assert rule.replace("${ArtifactsBucketName}", "amr-artifacts") == model["buckets"]["templates"]


def test_targets_and_cadence_are_the_seeds():
    model = registry_model("amr", "production")
    assert model["targets"] == {"rto_seconds": 14400, "rpo_seconds": 3600}
    assert set(model["cadence"]) == {"restore", "switchover", "full"}
    assert all("INTERVAL=" in c["rrule"] for c in model["cadence"].values())


def test_an_unknown_environment_is_refused():
    with pytest.raises(AnsibleFilterError, match="environment must be one of"):
        registry_model("amr", "qa")


def test_check_mode_placeholders_of_a_stack_not_created_yet_are_pending():
    from ansible_collections.ai_model_registry.infra.plugins.filter.registry import stack_pending

    template = cfn.load_template((ROLES / "aurora/files/aurora-cluster.yaml").read_text())
    placeholders = cfn.pending_outputs(template, "ai-model-registry-staging-aurora")
    assert set(placeholders) == set(template["Outputs"]) and "ClusterArn" in placeholders
    assert placeholders["ClusterArn"] == "(known once stack ai-model-registry-staging-aurora exists: ClusterArn)"
    assert stack_pending(placeholders) and stack_pending({"A": "x", "B": placeholders["ClusterArn"]})
    assert not stack_pending({"ClusterArn": "arn:aws:rds:us-west-2:123456789012:cluster:c"}) and not stack_pending({})
    assert not stack_pending(None)


@pytest.mark.parametrize(
    "template",
    [
        "aurora/files/aurora-cluster.yaml",
        "redis/files/redis-cluster.yaml",
        "backup/files/backup-policy.yaml",
        "dr/files/disaster-recovery.yaml",
        "dr/files/disaster-recovery-secondary.yaml",
    ],
)
def test_the_alarm_subscription_slots_are_the_templates(template):
    from ansible_collections.ai_model_registry.infra.plugins.module_utils import platform_model

    resources = cfn.load_template((ROLES / template).read_text())["Resources"].values()
    slots = [r for r in resources if r["Type"] == "AWS::SNS::Subscription" and "AlarmSubscription" in r["Condition"]]
    assert len(slots) == platform_model.ALARM_SUBSCRIPTION_SLOTS


def test_alarm_subscribers_are_the_template_parameters_and_what_they_cannot_take_fails():
    from ansible_collections.ai_model_registry.infra.plugins.filter.registry import alarm_subscribers

    given = [{"protocol": "email", "endpoint": "oncall@example.com"}, {"protocol": "https", "endpoint": "https://x/y"}]
    assert alarm_subscribers(given, "protocol") == ["email", "https"]
    assert alarm_subscribers(given, "endpoint") == ["oncall@example.com", "https://x/y"]
    assert alarm_subscribers([], "endpoint") == []
    six = [{"protocol": "email", "endpoint": f"p{i}@example.com"} for i in range(6)]
    with pytest.raises(AnsibleFilterError, match="lists 6 subscribers; the alarm topics take at most 5. Nothing was"):
        alarm_subscribers(six, "protocol")
    with pytest.raises(AnsibleFilterError, match="'a@x,b@x' with a comma"):
        alarm_subscribers([{"protocol": "email", "endpoint": "a@x,b@x"}], "endpoint")
    with pytest.raises(AnsibleFilterError, match="not a {protocol, endpoint} pair"):
        alarm_subscribers([{"protocol": "email"}], "endpoint")
    with pytest.raises(AnsibleFilterError, match="protocol or endpoint, not 'Endpoint'"):
        alarm_subscribers(given, "Endpoint")
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        alarm_subscribers("oncall@example.com", "endpoint")
