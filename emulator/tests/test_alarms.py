"""CloudWatch alarm actions reach SNS subscribers only when AWS would let them (emulator/aws/alarms.py).

Documentation each test follows:
- SetAlarmState, "when the updated state differs from the previous value, the action configured for the
  appropriate state is invoked": https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
- DescribeAlarmHistory and AlarmHistoryItem (HistoryItemType ConfigurationUpdate | StateUpdate | Action):
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_AlarmHistoryItem.html
- Encrypted topics and the services that publish to them (the key policy must give the service principal
  kms:GenerateDataKey* and kms:Decrypt; the AWS managed key alias/aws/sns cannot):
  https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services,
  https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
- A topic policy that does not let CloudWatch publish, and the history item it leaves:
  https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
ROOT = {
    "Sid": "Admin",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
CLOUDWATCH_MAY_USE_THE_KEY = {
    "Sid": "CloudWatchAlarms",
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
    "Resource": "*",
    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
}


@pytest.fixture
def alarm_to(client):
    """``alarm_to(kms_key_id=None, key_statements=None, topic_policy=None)``: a topic (encrypted as asked),
    an SQS queue subscribed to it, and an alarm whose ALARM and OK actions publish to it."""
    sns, sqs, kms, cloudwatch = client("sns"), client("sqs"), client("kms"), client("cloudwatch")

    def make(kms_key_id=None, key_statements=None, topic_policy=None, name="a1", actions_enabled=True):
        if key_statements is not None:
            policy = {"Version": "2012-10-17", "Statement": [ROOT, *key_statements]}
            kms_key_id = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
        attributes = {"KmsMasterKeyId": kms_key_id} if kms_key_id else {}
        topic = sns.create_topic(Name=f"{name}-topic", Attributes=attributes)["TopicArn"]
        if topic_policy is not None:
            sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(topic_policy))
        queue = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            AlarmDescription="test alarm",
            Namespace="AWS/RDS",
            MetricName="CPUUtilization",
            Dimensions=[{"Name": "DBClusterIdentifier", "Value": "c1"}],
            Statistic="Average",
            Period=300,
            EvaluationPeriods=1,
            Threshold=80,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic],
            OKActions=[topic],
            ActionsEnabled=actions_enabled,
        )
        return topic, queue

    return make


def received(client, queue: str) -> list[dict]:
    """The alarm notifications an SQS subscriber got (SNS envelopes, Message parsed)."""
    messages = client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    envelopes = [json.loads(m["Body"]) for m in messages]
    return [dict(e, Message=json.loads(e["Message"])) for e in envelopes]


def history(client, name: str, item_type: str | None = None) -> list[dict]:
    kwargs = {"AlarmName": name, **({"HistoryItemType": item_type} if item_type else {})}
    return client("cloudwatch").describe_alarm_history(**kwargs)["AlarmHistoryItems"]


def test_an_alarm_entering_alarm_publishes_to_a_topic_whose_customer_managed_key_allows_cloudwatch(client, alarm_to):
    """SetAlarmState (API_SetAlarmState.html): a changed state invokes the state's actions; the key policy
    gives cloudwatch.amazonaws.com kms:GenerateDataKey* and kms:Decrypt (sns-key-management.html)."""
    topic, queue = alarm_to(key_statements=[CLOUDWATCH_MAY_USE_THE_KEY])
    client("cloudwatch").set_alarm_state(AlarmName="a1", StateValue="ALARM", StateReason="testing")
    (notification,) = received(client, queue)
    assert notification["TopicArn"] == topic
    assert notification["Subject"] == 'ALARM: "a1" in US West (Oregon)'
    message = notification["Message"]
    assert (message["AlarmName"], message["NewStateValue"], message["OldStateValue"]) == ("a1", "ALARM", "OK")
    assert message["NewStateReason"] == "testing" and message["AWSAccountId"] == ACCOUNT
    assert message["Trigger"]["MetricName"] == "CPUUtilization"
    assert message["Trigger"]["Dimensions"] == [{"value": "c1", "name": "DBClusterIdentifier"}]
    (action,) = history(client, "a1", "Action")
    assert action["HistorySummary"] == f"Successfully executed action {topic}"
    assert json.loads(action["HistoryData"])["actionState"] == "Succeeded"


def test_the_aws_managed_key_alias_aws_sns_keeps_alarm_notifications_from_subscribers(client, alarm_to):
    """CloudWatch cannot use alias/aws/sns (its key policy cannot be changed); the alarm history records
    the failed action as AWS writes it (repost.aws knowledge-center/cloudwatch-configure-alarm-sns)."""
    topic, queue = alarm_to(kms_key_id="alias/aws/sns")
    client("cloudwatch").set_alarm_state(AlarmName="a1", StateValue="ALARM", StateReason="testing")
    assert received(client, queue) == []
    (action,) = history(client, "a1", "Action")
    assert action["HistorySummary"] == (
        f'Failed to execute action {topic}. Received error: "CloudWatch Alarms does not have authorization '
        'to access the SNS topic encryption key."'
    )
    assert json.loads(action["HistoryData"])["actionState"] == "Failed"


@pytest.mark.parametrize(
    "statements",
    [
        pytest.param([], id="no-statement-for-cloudwatch"),
        pytest.param([dict(CLOUDWATCH_MAY_USE_THE_KEY, Action=["kms:Decrypt"])], id="decrypt-only"),
        pytest.param(
            [dict(CLOUDWATCH_MAY_USE_THE_KEY, Principal={"Service": "events.amazonaws.com"})], id="another-service"
        ),
        pytest.param(
            [dict(CLOUDWATCH_MAY_USE_THE_KEY, Condition={"StringEquals": {"aws:SourceAccount": "999999999999"}})],
            id="another-account",
        ),
    ],
)
def test_a_customer_managed_key_must_allow_cloudwatch_both_key_actions(client, alarm_to, statements):
    """sns-key-management.html#compatibility-with-aws-services: the publishing service needs
    kms:GenerateDataKey* and kms:Decrypt on the topic's key, for its own principal and account."""
    topic, queue = alarm_to(key_statements=statements)
    client("cloudwatch").set_alarm_state(AlarmName="a1", StateValue="ALARM", StateReason="testing")
    assert received(client, queue) == []
    (action,) = history(client, "a1", "Action")
    assert action["HistorySummary"].startswith(f"Failed to execute action {topic}. Received error:")


def test_a_topic_policy_that_does_not_let_cloudwatch_publish_is_recorded_as_aws_records_it(client, alarm_to):
    """repost.aws knowledge-center/cloudwatch-receive-sns-for-alarm-trigger: 'Resource: <alarm> is not
    authorized to perform: SNS:Publish on resource: <topic>'."""
    only_eventbridge = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": "*",
            }
        ],
    }
    topic, queue = alarm_to(key_statements=[CLOUDWATCH_MAY_USE_THE_KEY], topic_policy=only_eventbridge)
    client("cloudwatch").set_alarm_state(AlarmName="a1", StateValue="ALARM", StateReason="testing")
    assert received(client, queue) == []
    alarm_arn = f"arn:aws:cloudwatch:us-west-2:{ACCOUNT}:alarm:a1"
    (action,) = history(client, "a1", "Action")
    assert action["HistorySummary"] == (
        f'Failed to execute action {topic}. Received error: "Resource: {alarm_arn} is not authorized to '
        f'perform: SNS:Publish on resource: {topic}"'
    )


def test_an_unencrypted_topic_with_its_default_policy_takes_alarms_of_its_own_account(client, alarm_to):
    """The default topic policy lets principals of the owner account publish (AWS:SourceOwner);
    CloudWatch alarm actions of that account are delivered (API_SetAlarmState.html)."""
    _, queue = alarm_to()
    client("cloudwatch").set_alarm_state(AlarmName="a1", StateValue="ALARM", StateReason="testing")
    assert len(received(client, queue)) == 1


def test_only_a_changed_state_invokes_actions_and_ok_invokes_the_ok_actions(client, alarm_to):
    """API_SetAlarmState.html: an action runs when the updated state differs from the previous value;
    OKActions run on the way back to OK."""
    _, queue = alarm_to(key_statements=[CLOUDWATCH_MAY_USE_THE_KEY])
    cloudwatch = client("cloudwatch")
    for state in ("ALARM", "ALARM", "OK"):
        cloudwatch.set_alarm_state(AlarmName="a1", StateValue=state, StateReason="testing")
    states = [n["Message"]["NewStateValue"] for n in received(client, queue)]
    assert sorted(states) == ["ALARM", "OK"]
    updates = history(client, "a1", "StateUpdate")
    assert [u["HistorySummary"] for u in updates] == [
        "Alarm updated from ALARM to OK",
        "Alarm updated from OK to ALARM",
    ]


def test_an_alarm_with_actions_disabled_publishes_nothing(client, alarm_to):
    """PutMetricAlarm ActionsEnabled=false: the state changes, no action runs (API_PutMetricAlarm.html)."""
    _, queue = alarm_to(key_statements=[CLOUDWATCH_MAY_USE_THE_KEY], actions_enabled=False)
    client("cloudwatch").set_alarm_state(AlarmName="a1", StateValue="ALARM", StateReason="testing")
    assert received(client, queue) == []
    assert history(client, "a1", "Action") == []
    assert len(history(client, "a1", "StateUpdate")) == 1


def test_describe_alarm_history_filters_orders_and_pages(client, alarm_to):
    """API_DescribeAlarmHistory.html: AlarmName and HistoryItemType filter, newest first by default
    (ScanBy TimestampDescending), MaxRecords 1-100 with NextToken."""
    alarm_to(key_statements=[CLOUDWATCH_MAY_USE_THE_KEY], name="a1")
    alarm_to(key_statements=[CLOUDWATCH_MAY_USE_THE_KEY], name="a2")
    cloudwatch = client("cloudwatch")
    for state in ("ALARM", "OK", "ALARM"):
        cloudwatch.set_alarm_state(AlarmName="a1", StateValue=state, StateReason="testing")
    cloudwatch.set_alarm_state(AlarmName="a2", StateValue="ALARM", StateReason="testing")
    items = history(client, "a1")
    assert len(items) == 6 and {i["AlarmName"] for i in items} == {"a1"}
    assert items == sorted(items, key=lambda i: i["Timestamp"], reverse=True)
    first = cloudwatch.describe_alarm_history(AlarmName="a1", MaxRecords=4)
    rest = cloudwatch.describe_alarm_history(AlarmName="a1", MaxRecords=4, NextToken=first["NextToken"])
    assert len(first["AlarmHistoryItems"]) == 4 and len(rest["AlarmHistoryItems"]) == 2 and "NextToken" not in rest
    ascending = cloudwatch.describe_alarm_history(ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert [i["AlarmName"] for i in ascending][-2:] == ["a2", "a2"]
    with pytest.raises(ClientError):
        cloudwatch.describe_alarm_history(HistoryItemType="Everything")
