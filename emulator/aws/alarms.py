"""CloudWatch alarm actions as AWS runs them: a state change publishes to the alarm's SNS topics, as the
CloudWatch service, and the outcome is written to the alarm's history.

moto 5.2.5 stores the state SetAlarmState gives an alarm and does nothing else. AWS:

- SetAlarmState: "When the updated state differs from the previous value, the action configured for the
  appropriate state is invoked" - AlarmActions for ALARM, OKActions for OK, InsufficientDataActions for
  INSUFFICIENT_DATA, when ActionsEnabled
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html).
- The publish is made by the service principal ``cloudwatch.amazonaws.com`` on behalf of the alarm
  (aws:SourceAccount the alarm's account, aws:SourceArn the alarm's ARN). It is refused when the topic's
  access policy does not let that principal publish, and when the topic is encrypted with a KMS key whose
  key policy does not give the principal kms:GenerateDataKey* and kms:Decrypt - always the case for the
  AWS managed key ``alias/aws/sns``, whose policy cannot be changed
  (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services,
  https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns).
- Either way the alarm history gets an ``Action`` item: "Successfully executed action <topic>", or
  "Failed to execute action <topic>. Received error: ..." with the error AWS writes
  (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger); state changes are
  ``StateUpdate`` items. DescribeAlarmHistory, which moto lacks, returns them
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html,
  API_AlarmHistoryItem.html): AlarmName, HistoryItemType, StartDate/EndDate, ScanBy, MaxRecords, NextToken.
- A delivered notification is the JSON alarm message (AlarmName, NewStateValue, OldStateValue, Trigger,
  ...) under the subject ``ALARM: "<name>" in <region name>``; moto's SNS hands it to the topic's
  subscribers (an SQS subscriber receives it in its queue, which is how tests observe delivery).

``publish_as_service`` is the one gate every service publish goes through, so other emulated publishers
(EventBridge, AWS Backup) can use the same checks.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
from typing import Any

from moto.cloudwatch.exceptions import InvalidParameterValue
from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.kms.models import kms_backends
from moto.moto_api._internal import mock_random
from moto.sns.models import sns_backends

from emulator.aws import policies

CLOUDWATCH = "cloudwatch.amazonaws.com"
KMS_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")  # what SNS asks KMS for on the publisher's behalf
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-central-1": "EU (Frankfurt)",
}
_LOCK = threading.Lock()


class DeliveryRefused(Exception):
    """A service publish AWS refuses; the message is the error text AWS records."""


# --- the publish gate -----------------------------------------------------------------------------


def _key_refusal(account_id: str, region: str, key_id: str, service: str, context: dict[str, str]) -> str | None:
    kms = kms_backends[account_id][region]
    # The AWS managed key of SNS (alias/aws/sns): its policy lets principals of this account use it
    # through SNS only, and cannot be edited - no service principal is ever allowed.
    if kms.get_alias_name(key_id).startswith("alias/aws/"):
        return "denied"
    try:
        key = kms.keys[kms.any_id_to_key_id(key_id)]
    except (KeyError, AttributeError):  # moto: an unknown alias resolves to None
        return "not found"
    if any(a.startswith("alias/aws/") for a in key.aliases) or not key.enabled:
        return "denied"
    for action in KMS_ACTIONS:
        if not policies.policy_allows(key.policy, service, action, key.arn, context):
            return "denied"
    return None


def publish_as_service(
    account_id: str,
    region: str,
    topic_arn: str,
    service: str,
    source_arn: str,
    subject: str,
    message: str,
    kms_context: dict[str, str] | None = None,
) -> str:
    """Publish to a topic as a service principal would; the message id, or DeliveryRefused."""
    sns = sns_backends[account_id][region]
    topic = sns.topics.get(topic_arn)
    if topic is None:
        raise DeliveryRefused(f'"Resource: {topic_arn} does not exist"')
    context = {"aws:SourceAccount": account_id, "aws:SourceArn": source_arn, "AWS:SourceOwner": account_id}
    if not policies.policy_allows(topic.policy, service, "SNS:Publish", topic_arn, context):
        raise DeliveryRefused(
            f'"Resource: {source_arn} is not authorized to perform: SNS:Publish on resource: {topic_arn}"'
        )
    if topic.kms_master_key_id:
        refusal = _key_refusal(account_id, region, topic.kms_master_key_id, service, kms_context or context)
        if refusal:
            if service == CLOUDWATCH:
                raise DeliveryRefused(
                    '"CloudWatch Alarms does not have authorization to access the SNS topic encryption key."'
                )
            raise DeliveryRefused(
                '"null (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Proxy: null)"'
            )
    message_id = str(mock_random.uuid4())
    subscriptions, _ = sns.list_subscriptions_by_topic(topic_arn=topic_arn)
    for subscription in subscriptions:
        try:  # SNS accepted the message; a subscriber that cannot take it does not undo that
            subscription.publish(message, message_id, subject=subject)
        except Exception as error:  # noqa: BLE001 - moto raises whatever its backends raise
            topic.__dict__.setdefault("_emu_undelivered", []).append((subscription.arn, message_id, repr(error)))
    topic.sent_notifications.append((message_id, message, subject, None, None))
    return message_id


# --- alarm history and actions --------------------------------------------------------------------


def _history(backend: CloudWatchBackend) -> list[dict[str, Any]]:
    return backend.__dict__.setdefault("_emu_alarm_history", [])


def _millis(when: datetime.datetime) -> int:
    return (
        int(when.replace(tzinfo=datetime.UTC).timestamp() * 1000)
        if when.tzinfo is None
        else int(when.timestamp() * 1000)
    )


def _stamp(when: datetime.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def _record(backend: CloudWatchBackend, alarm, item_type: str, summary: str, data: dict[str, Any]) -> None:
    with _LOCK:
        _history(backend).append(
            {
                "AlarmName": alarm.name,
                "AlarmType": "CompositeAlarm" if alarm.rule else "MetricAlarm",
                "Timestamp": utcnow(),
                "HistoryItemType": item_type,
                "HistorySummary": summary[:255],
                "HistoryData": json.dumps(data),
            }
        )


def notification(alarm, old_state: str, account_id: str, region: str) -> tuple[str, str]:
    """The subject and message CloudWatch publishes for a state change."""
    region_name = REGION_NAMES.get(region, region)
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account_id,
        "AlarmConfigurationUpdatedTimestamp": _stamp(alarm.configuration_updated_timestamp),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": _stamp(alarm.state_updated_timestamp),
        "Region": region_name,
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old_state,
        "OKActions": alarm.ok_actions,
        "AlarmActions": alarm.alarm_actions,
        "InsufficientDataActions": alarm.insufficient_data_actions,
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "StatisticType": "Statistic",
            "Statistic": (alarm.statistic or "").upper(),
            "Unit": alarm.unit,
            "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": alarm.threshold,
            "TreatMissingData": alarm.treat_missing_data or "missing",
            "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile or "",
        },
    }
    subject = (f'{alarm.state_value}: "{alarm.name}" in {region_name}')[:100]
    return subject, json.dumps(message)


def _actions_for(alarm) -> list[str]:
    return {
        "ALARM": alarm.alarm_actions,
        "OK": alarm.ok_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }[alarm.state_value] or []


def run_actions(backend: CloudWatchBackend, alarm, old_state: str) -> None:
    """Invoke the actions of the alarm's new state, each recorded as an Action history item."""
    if not alarm.actions_enabled:
        return
    account_id, region = backend.account_id, backend.region_name
    for action in _actions_for(alarm):
        if not action.startswith("arn:aws:sns:") and ":sns:" not in action:
            continue  # EC2, Auto Scaling and Systems Manager actions are not emulated
        subject, message = notification(alarm, old_state, account_id, region)
        data = {"actionState": "Succeeded", "stateUpdateTimestamp": _millis(alarm.state_updated_timestamp)}
        data["notificationResource"] = action
        try:
            message_id = publish_as_service(account_id, region, action, CLOUDWATCH, alarm.alarm_arn, subject, message)
        except DeliveryRefused as refused:
            data.update(actionState="Failed", error=str(refused).strip('"'))
            _record(backend, alarm, "Action", f"Failed to execute action {action}. Received error: {refused}", data)
            continue
        data["publishedMessage"] = {"messageId": message_id, "sentTimestamp": _millis(utcnow())}
        _record(backend, alarm, "Action", f"Successfully executed action {action}", data)


_original_set_alarm_state = CloudWatchBackend.set_alarm_state


def set_alarm_state(self: CloudWatchBackend, alarm_name: str, reason: str, reason_data: str, state_value: str) -> None:
    alarm = self.alarms.get(alarm_name)
    old = alarm.state_value if alarm else None
    old_reason = alarm.state_reason if alarm else None
    _original_set_alarm_state(self, alarm_name, reason, reason_data, state_value)
    alarm = self.alarms[alarm_name]
    if old == alarm.state_value:
        return  # the same state: AWS invokes no action
    _record(
        self,
        alarm,
        "StateUpdate",
        f"Alarm updated from {old} to {alarm.state_value}",
        {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": old_reason},
            "newState": {"stateValue": alarm.state_value, "stateReason": reason, "stateReasonData": reason_data},
        },
    )
    run_actions(self, alarm, old)


# --- DescribeAlarmHistory -------------------------------------------------------------------------

HISTORY_ITEM_TYPES = ("ConfigurationUpdate", "StateUpdate", "Action")


def _aware(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if isinstance(value, (int, float)) or str(value).replace(".", "", 1).isdigit():
        return datetime.datetime.fromtimestamp(float(value), datetime.UTC)
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def describe_alarm_history(self: CloudWatchResponse) -> ActionResult:
    name = self._get_param("AlarmName")
    item_type = self._get_param("HistoryItemType")
    if item_type and item_type not in HISTORY_ITEM_TYPES:
        raise InvalidParameterValue("HistoryItemType must be one of {}".format(", ".join(HISTORY_ITEM_TYPES)))
    start, end = _aware(self._get_param("StartDate")), _aware(self._get_param("EndDate"))
    limit = int(self._get_param("MaxRecords") or 100)
    if not 1 <= limit <= 100:
        raise InvalidParameterValue("MaxRecords must be between 1 and 100")
    with _LOCK:
        items = list(_history(cloudwatch_backends[self.current_account][self.region]))
    selected = []
    for item in items:
        stamp = (
            item["Timestamp"].replace(tzinfo=datetime.UTC) if item["Timestamp"].tzinfo is None else item["Timestamp"]
        )
        if name and item["AlarmName"] != name:
            continue
        if item_type and item["HistoryItemType"] != item_type:
            continue
        if (start and stamp < start) or (end and stamp > end):
            continue
        selected.append(item)
    if (self._get_param("ScanBy") or "TimestampDescending") == "TimestampDescending":
        selected.reverse()
    token = self._get_param("NextToken")
    offset = 0
    if token:
        try:
            offset = int(base64.b64decode(token).decode().split(":")[1])
        except (ValueError, IndexError) as exc:
            raise InvalidParameterValue("The service couldn't process NextToken") from exc
    page = selected[offset : offset + limit]
    result: dict[str, Any] = {"AlarmHistoryItems": page}
    if offset + limit < len(selected):
        result["NextToken"] = base64.b64encode(f"history:{offset + limit}".encode()).decode()
    return ActionResult(result)


def install() -> None:
    CloudWatchBackend.set_alarm_state = set_alarm_state
    CloudWatchResponse.describe_alarm_history = describe_alarm_history
