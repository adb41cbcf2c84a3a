"""Every CloudWatch alarm of every template reaches a person: driven into ALARM, it is delivered to a
subscriber of its topic (an SQS queue, the subscriber a test can read).

The alarms are counted from the templates themselves (every ``AWS::CloudWatch::Alarm``, with its
``Condition``); the deployment must create each one, or the test says which alarm it left out. The
emulator publishes as AWS does (emulator/aws/alarms.py): as ``cloudwatch.amazonaws.com``, refused when the
topic policy or the topic's KMS key policy does not allow it - the AWS managed key ``alias/aws/sns`` never
does (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services,
https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns) - and records the failed action in the
alarm's history, which the failure message shows.

``ALARM_TEMPLATES_DIR`` points the test at another copy of the templates (e.g. the templates of an older
commit): a template that declares no subscriber parameters gets the queue subscribed through the SNS API,
so older templates are judged by the same alarms and the same delivery.
"""

from __future__ import annotations

import json
import os
import pathlib

import pytest

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.cloudformation import load_template
from emulator.seed import DR, PRIMARY, default_network, template_source

REPO = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE_DIR = pathlib.Path(os.environ.get("ALARM_TEMPLATES_DIR") or REPO / "roles")
ROLE_FILES = {
    "aurora-cluster.yaml": "aurora",
    "redis-cluster.yaml": "redis",
    "backup-policy.yaml": "backup",
    "backup-dr-vault.yaml": "backup",
    "disaster-recovery-replica.yaml": "dr",
    "disaster-recovery.yaml": "dr",
    "disaster-recovery-secondary.yaml": "dr",
}
ENVIRONMENT = "production"  # the environment with the most resources


def template_path(name: str) -> pathlib.Path:
    nested = TEMPLATE_DIR / ROLE_FILES[name] / "files" / name
    return nested if nested.exists() else TEMPLATE_DIR / name


def template(name: str) -> dict:
    return load_template(template_path(name).read_text())  # the collection's reader: libyaml's parse, kept


def alarms_of(name: str) -> dict[str, str | None]:
    """The template's alarms: logical id -> its Condition (None when it always exists)."""
    resources = template(name).get("Resources") or {}
    return {k: r.get("Condition") for k, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def every_template() -> list[str]:
    return sorted(ROLE_FILES)


class Platform:
    """The seven stacks in the seed's order, with an SQS inbox per region as the environment's subscriber."""

    def __init__(self, client):
        self.client = client
        self.inboxes: dict[str, tuple[str, str]] = {}
        self.stacks: dict[str, tuple[str, str]] = {}  # template -> (stack name, region)
        for region in (PRIMARY, DR):
            sqs = client("sqs", region)
            url = sqs.create_queue(QueueName="oncall-inbox")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self.inboxes[region] = (url, arn)

    def deploy(self, name: str, region: str, **parameters) -> dict[str, str]:
        declared = template(name).get("Parameters") or {}
        if "AlarmSubscriptionEndpoints" in declared:  # the inventory's subscriber list, as the roles pass it
            parameters.update(AlarmSubscriptionProtocols="sqs", AlarmSubscriptionEndpoints=self.inboxes[region][1])
        stack = f"ai-model-registry-{name.removesuffix('.yaml')}"
        cfn = self.client("cloudformation", region)
        cfn.create_stack(
            StackName=stack,
            **template_source(self.client, template_path(name), stack),
            Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()],
            Capabilities=["CAPABILITY_IAM"],
        )
        described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        assert described["StackStatus"] == "CREATE_COMPLETE", (name, described["StackStatus"])
        self.stacks[name] = (stack, region)
        return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs") or []}

    def deploy_all(self) -> None:
        vpc, subnets = default_network(self.client, PRIMARY)
        dr_vpc, dr_subnets = default_network(self.client, DR)
        network = {"VpcId": vpc, "PrivateSubnetIds": ",".join(subnets), "Environment": ENVIRONMENT}
        aurora = self.deploy("aurora-cluster.yaml", PRIMARY, **network)
        redis = self.deploy("redis-cluster.yaml", PRIMARY, **network)
        vault = self.deploy("backup-dr-vault.yaml", DR, Environment=ENVIRONMENT)
        self.deploy(
            "backup-policy.yaml",
            PRIMARY,
            Environment=ENVIRONMENT,
            RedisCopyBucketName=vault["RedisCopyBucketName"],
            AuroraClusterArn=aurora["ClusterArn"],
            RedisClusterArn=redis["RedisClusterArn"],
            DatabaseSecretArn=aurora["SecretArn"],
            VpcId=vpc,
            PrivateSubnetIds=",".join(subnets),
        )
        bucket = "ai-model-registry-artifacts"
        self.deploy("disaster-recovery-replica.yaml", DR, Environment=ENVIRONMENT, S3BucketName=bucket)
        dr = self.deploy(
            "disaster-recovery.yaml",
            PRIMARY,
            Environment=ENVIRONMENT,
            PrimaryRegion=PRIMARY,
            DRRegion=DR,
            S3BucketName=bucket,
            AuroraClusterIdentifier=aurora["ClusterIdentifier"],
        )
        self.deploy(
            "disaster-recovery-secondary.yaml",
            DR,
            Environment=ENVIRONMENT,
            PrimaryRegion=PRIMARY,
            GlobalClusterIdentifier=dr["GlobalClusterIdentifier"],
            AuroraClusterIdentifier=aurora["ClusterIdentifier"],
            VpcId=dr_vpc,
            PrivateSubnetIds=",".join(dr_subnets),
        )

    def alarm_names(self, name: str) -> dict[str, str]:
        """The template's alarms the stack created: logical id -> alarm name."""
        stack, region = self.stacks[name]
        pages = self.client("cloudformation", region).get_paginator("list_stack_resources").paginate(StackName=stack)
        return {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for page in pages
            for r in page["StackResourceSummaries"]
            if r["ResourceType"] == "AWS::CloudWatch::Alarm"
        }

    def subscribe_old_templates(self) -> None:
        """Templates without subscriber parameters (older ones): the inbox joins each alarm topic by API."""
        for name, (_stack, region) in self.stacks.items():
            if "AlarmSubscriptionEndpoints" in (template(name).get("Parameters") or {}):
                continue
            cloudwatch, sns = self.client("cloudwatch", region), self.client("sns", region)
            names = list(self.alarm_names(name).values())
            topics = {a for alarm in describe_alarms(cloudwatch, names) for a in alarm["AlarmActions"]}
            for topic in topics:
                sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=self.inboxes[region][1])

    def received(self, region: str) -> list[dict]:
        """Every alarm notification the region's inbox holds (the SNS envelope's Message, parsed)."""
        sqs, url = self.client("sqs", region), self.inboxes[region][0]
        messages = []
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                messages.append(json.loads(json.loads(message["Body"])["Message"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def describe_alarms(cloudwatch, names: list[str]) -> list[dict]:
    found = []
    for start in range(0, len(names), 100):
        found += cloudwatch.describe_alarms(AlarmNames=names[start : start + 100])["MetricAlarms"]
    return found


def test_the_templates_declare_alarms():
    counts = {name: len(alarms_of(name)) for name in every_template()}
    assert sum(counts.values()) > 0, counts
    # every alarm publishes somewhere: an alarm without actions reaches nobody by construction
    for name in every_template():
        for logical_id, resource in (template(name).get("Resources") or {}).items():
            if resource["Type"] == "AWS::CloudWatch::Alarm":
                assert resource["Properties"].get("AlarmActions"), f"{name}: {logical_id} has no AlarmActions"


def test_every_alarm_of_every_template_reaches_a_subscriber(client):
    platform = Platform(client)
    platform.deploy_all()
    platform.subscribe_old_templates()
    expected: dict[str, tuple[str, str, str]] = {}  # alarm name -> (template, logical id, region)
    for name in every_template():
        created = platform.alarm_names(name)
        for logical_id, condition in alarms_of(name).items():
            assert logical_id in created, (
                f"{name}: alarm {logical_id} (Condition {condition}) was not created by this deployment; "
                "give the test parameters that create it"
            )
            expected[created[logical_id]] = (name, logical_id, platform.stacks[name][1])
    assert len(expected) == sum(len(alarms_of(name)) for name in every_template())

    for alarm_name, (_name, _logical_id, region) in expected.items():
        client("cloudwatch", region).set_alarm_state(
            AlarmName=alarm_name, StateValue="ALARM", StateReason="test_alarm_delivery: driven into ALARM"
        )
    delivered = {}
    for region in (PRIMARY, DR):
        for message in platform.received(region):
            if message["NewStateValue"] == "ALARM":
                delivered[message["AlarmName"]] = message
    missing = sorted(set(expected) - set(delivered))
    if missing:
        reasons = []
        for alarm_name in missing:
            name, logical_id, region = expected[alarm_name]
            items = client("cloudwatch", region).describe_alarm_history(AlarmName=alarm_name, HistoryItemType="Action")[
                "AlarmHistoryItems"
            ]
            reasons.append(f"{name} {logical_id}: " + ("; ".join(i["HistorySummary"] for i in items) or "no action"))
        pytest.fail(f"{len(missing)} of {len(expected)} alarms reached no subscriber:\n  " + "\n  ".join(reasons))
    for alarm_name, message in delivered.items():
        assert message["Trigger"]["MetricName"], alarm_name


def test_the_subscriber_list_becomes_one_subscription_per_entry(client):
    """AlarmSubscriptionProtocols/Endpoints (the environment's registry_alarm_subscriptions, as the roles
    pass them) become one SNS subscription each, in order, on the template's topic."""
    if "AlarmSubscriptionEndpoints" not in (template("aurora-cluster.yaml").get("Parameters") or {}):
        pytest.skip("these templates declare no subscriber parameters")
    vpc, subnets = default_network(client, PRIMARY)
    cfn = client("cloudformation")
    queue = "arn:aws:sqs:us-west-2:123456789012:oncall-inbox"
    client("sqs").create_queue(QueueName="oncall-inbox")
    parameters = {
        "VpcId": vpc,
        "PrivateSubnetIds": ",".join(subnets),
        "Environment": "staging",
        "AlarmSubscriptionProtocols": "email,https,sqs",
        "AlarmSubscriptionEndpoints": f"oncall@example.com,https://events.pagerduty.com/integration/x/enqueue,{queue}",
    }
    cfn.create_stack(
        StackName="aurora",
        TemplateBody=template_path("aurora-cluster.yaml").read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    outputs = {
        o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName="aurora")["Stacks"][0]["Outputs"]
    }
    subscriptions = client("sns").list_subscriptions_by_topic(TopicArn=outputs["AlarmTopicArn"])["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions) == [
        ("email", "oncall@example.com"),
        ("https", "https://events.pagerduty.com/integration/x/enqueue"),
        ("sqs", queue),
    ]
    resources = cfn.describe_stack_resources(StackName="aurora")["StackResources"]
    created = {r["LogicalResourceId"] for r in resources if r["ResourceType"] == "AWS::SNS::Subscription"}
    assert created == {"AlarmSubscription1", "AlarmSubscription2", "AlarmSubscription3"}
