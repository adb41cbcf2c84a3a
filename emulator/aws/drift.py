"""CloudFormation drift detection as AWS documents it; moto 5.2.5 has none of its actions.

Sources: the API reference of ``DetectStackDrift``, ``DescribeStackDriftDetectionStatus`` and
``DescribeStackResourceDrifts`` (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/),
and the user guide's "Detect unmanaged configuration changes to stacks and resources with drift
detection" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html):

- ``DetectStackDrift(StackName, LogicalResourceIds)`` answers a ``StackDriftDetectionId``. Only stacks in
  CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE or UPDATE_ROLLBACK_FAILED can be checked;
  any other status (a stack still in progress, ROLLBACK_COMPLETE) is a ValidationError "Drift detection
  cannot be performed on stack [<stack id>] while it is in [<status>] state". A stack that does not
  exist is AWS's usual ValidationError "Stack with id <name> does not exist". One detection at a time
  runs on a stack (the user guide); a second request meanwhile is refused, as is an unknown detection id
  (ValidationError; AWS documents neither message, so the wording is ours).
- The detection stays DETECTION_IN_PROGRESS for the ``drift_detection_seconds`` setting (default 0:
  complete at once; the current setting counts, so setting 0 completes a running detection), then
  DETECTION_COMPLETE with ``StackDriftStatus`` (DRIFTED when any checked resource is MODIFIED or DELETED,
  else IN_SYNC) and ``DriftedStackResourceCount`` (absent until complete). A resource whose live state
  cannot be read makes it DETECTION_FAILED, with the reason.
- Per resource, expected = the properties CloudFormation applied (the template's properties resolved:
  parameters, Ref, GetAtt, dynamic references), recorded when the resource was created or updated;
  actual = read back from moto's service backend by a reader registered for the type (``READERS``).
  Only the properties the template declares are compared ("This does not include default values");
  properties a service never returns (passwords, tokens) and KMS key ids are not compared, as AWS
  does not. A resource gone from its service is DELETED (no properties shown); one whose declared
  properties differ is MODIFIED with ``PropertyDifferences`` (paths such as ``/BackupRetentionPeriod``,
  ``/VersioningConfiguration/Status``, ``/AlarmActions/1``; NOT_EQUAL, REMOVE, and ADD/REMOVE for
  list items). Types without a reader are not checked: absent from ``DescribeStackResourceDrifts``
  (as the reference says), NOT_CHECKED in ``DescribeStackResources``/``ListStackResources``.
- ``DescribeStackResourceDrifts`` answers the latest result of each checked resource, filtered by
  ``StackResourceDriftStatusFilters``, paged by ``MaxResults`` (1-100) and ``NextToken``.
- ``DescribeStacks``/``ListStacks`` carry ``DriftInformation`` (NOT_CHECKED until a detection completes;
  ``LastCheckTimestamp``: when that detection was initiated); ``DescribeStackResources`` and
  ``ListStackResources`` carry each resource's ``DriftInformation``.

Readers: ``@reader("AWS::X::Y")`` on a function ``(resource, account_id, region) -> dict | None``
giving the live properties under their CloudFormation names (``None`` when the resource is gone; a
property the reader leaves out is not compared).
"""

from __future__ import annotations

import base64
import binascii
import collections
import datetime
import json
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse, StackResourceDTO
from moto.cloudwatch.models import cloudwatch_backends
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.elasticache.models import elasticache_backends
from moto.rds.models import rds_backends
from moto.s3.models import s3_backends
from moto.sns.models import sns_backends

from emulator.aws.control import SETTINGS, STATE

Stack = cfn_models.Stack

# User guide, "What is drift?": the statuses a stack can be checked in.
CHECKABLE_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED")
DRIFTED_STATUSES = ("MODIFIED", "DELETED")
MAX_RESULTS = 100  # BoxedMaxResults: 1-100

Reader = Callable[[Any, str, str], "dict[str, Any] | None"]
READERS: dict[str, Reader] = {}

_lock = threading.RLock()


def reader(resource_type: str) -> Callable[[Reader], Reader]:
    """Registers the function that reads the live properties of a resource type."""

    def register(function: Reader) -> Reader:
        READERS[resource_type] = function
        return function

    return register


# --- expected properties: what CloudFormation applied ---------------------------------------------


def _plain(value: Any) -> Any:
    """Resolved template values as JSON: a Ref to some moto models yields the model, not its id."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    for attr in ("physical_resource_id", "name"):
        if isinstance(getattr(value, attr, None), str):
            return getattr(value, attr)
    return str(value)


_original_parse_resource_and_generate_name = parsing.parse_resource_and_generate_name


def parse_resource_and_generate_name(logical_id: str, resource_json: dict[str, Any], resources_map):
    """Keeps the resolved properties of the resource CloudFormation is about to create or update."""
    result = _original_parse_resource_and_generate_name(logical_id, resource_json, resources_map)
    if result:
        resources_map.__dict__.setdefault("_emu_parsed", {})[logical_id] = _plain(result[1].get("Properties") or {})
    return result


def _applied(resources_map, logical_id: str) -> None:
    """The resource was created or updated: its properties are what the stack expects from now on."""
    properties = resources_map.__dict__.get("_emu_parsed", {}).pop(logical_id, None)
    if properties is not None:
        resources_map.__dict__.setdefault("_emu_applied", {})[logical_id] = properties


def _recording(operation):
    def record(logical_id: str, resource_json: dict[str, Any], resources_map, *args: Any, **kwargs: Any):
        resource = operation(logical_id, resource_json, resources_map, *args, **kwargs)
        if resource is not None:
            _applied(resources_map, logical_id)
        return resource

    return record


# --- comparison -----------------------------------------------------------------------------------


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _canonical(value: Any) -> Any:
    """One form for values AWS treats as equal: 7 and "7", true and "true", 8 and 8.0."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower()
        try:
            number = float(value)
        except ValueError:
            return value
        return _number(number) if math.isfinite(number) else value
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _key(value: Any) -> str:
    return json.dumps(_canonical(value), sort_keys=True)


def _render(value: Any) -> str:
    """A value as PropertyDifference shows it: scalars as text, objects and lists as JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _difference(path: str, expected: Any, actual: Any, kind: str) -> dict[str, str]:
    return {
        "PropertyPath": path,
        "ExpectedValue": _render(expected),
        "ActualValue": _render(actual),
        "DifferenceType": kind,
    }


def _only(actual: Any, keys: set[str]) -> Any:
    return {k: v for k, v in actual.items() if k in keys} if isinstance(actual, dict) else actual


def differences(expected: Any, actual: Any, path: str = "") -> list[dict[str, str]]:
    """The property differences of one declared value: objects compare the keys declared, lists their items."""
    if isinstance(expected, dict):
        if actual is None:
            return [_difference(path, expected, None, "REMOVE")]
        if not isinstance(actual, dict):
            return [_difference(path, expected, actual, "NOT_EQUAL")]
        found: list[dict[str, str]] = []
        for key, value in expected.items():
            if value is not None:
                found += differences(value, actual.get(key), f"{path}/{key}")
        return found
    if isinstance(expected, list):
        if actual is None:
            return [_difference(path, expected, None, "REMOVE")]
        if not isinstance(actual, list):
            return [_difference(path, expected, actual, "NOT_EQUAL")]
        if expected and all(isinstance(item, dict) for item in expected):
            declared = {key for item in expected for key in item}  # a service's extra keys are defaults
            actual = [_only(item, declared) for item in actual]
        found = []
        unmatched = collections.Counter(_key(item) for item in actual)
        for index, item in enumerate(expected):
            if unmatched[_key(item)] > 0:
                unmatched[_key(item)] -= 1
            else:
                found.append(_difference(f"{path}/{index}", item, None, "REMOVE"))
        unmatched = collections.Counter(_key(item) for item in expected)
        for index, item in enumerate(actual):
            if unmatched[_key(item)] > 0:
                unmatched[_key(item)] -= 1
            else:
                found.append(_difference(f"{path}/{index}", None, item, "ADD"))
        return found
    if actual is None:
        return [_difference(path, expected, None, "REMOVE")]
    if _canonical(expected) != _canonical(actual):
        return [_difference(path, expected, actual, "NOT_EQUAL")]
    return []


# --- detection ------------------------------------------------------------------------------------


@dataclass
class Detection:
    detection_id: str
    stack: Stack
    started: datetime.datetime
    started_at: float
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    published: bool = False

    @property
    def done(self) -> bool:
        return time.time() >= self.started_at + float(STATE.settings.get("drift_detection_seconds", 0))

    @property
    def drifted_count(self) -> int:
        return sum(1 for r in self.results.values() if r["StackResourceDriftStatus"] in DRIFTED_STATUSES)

    @property
    def stack_drift_status(self) -> str:
        return "DRIFTED" if self.drifted_count else "IN_SYNC"


def _state(stack: Stack) -> dict[str, Any]:
    return stack.__dict__.setdefault("_emu_drift", {"status": "NOT_CHECKED", "checked": None, "resources": {}})


def _detections(backend: cfn_models.CloudFormationBackend) -> dict[str, Detection]:
    return backend.__dict__.setdefault("_emu_drift_detections", {})


def _settle(stack: Stack) -> None:
    """A detection's results become the stack's once it is complete."""
    state = _state(stack)
    detection: Detection | None = state.get("pending")
    if detection is None or not detection.done:
        return
    with _lock:
        if detection.published:
            return
        state["status"] = detection.stack_drift_status
        state["checked"] = detection.started
        state["resources"].update(detection.results)
        state.pop("pending", None)
        detection.published = True


def _check(stack: Stack, logical_id: str, resource: Any, when: datetime.datetime) -> dict[str, Any] | None:
    """The StackResourceDrift of one resource, or None for a type the emulator cannot read back."""
    resource_type = getattr(resource, "cf_resource_type", None) or stack.resource_map._resource_json_map[
        logical_id
    ].get("Type")
    read = READERS.get(resource_type)
    if read is None:
        return None
    drift: dict[str, Any] = {
        "StackId": stack.stack_id,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": getattr(resource, "physical_resource_id", None) or "",
        "ResourceType": resource_type,
        "Timestamp": when,
    }
    live = read(resource, stack.account_id, stack.region_name)
    if live is None:
        drift["StackResourceDriftStatus"] = "DELETED"
        return drift
    declared = stack.resource_map.__dict__.get("_emu_applied", {}).get(logical_id, {})
    # Compared: the properties the template declared and the service returns.
    expected = {k: v for k, v in declared.items() if v is not None and k in live}
    actual = {k: live[k] for k in expected}
    found = [d for name, value in expected.items() for d in differences(value, actual[name], f"/{name}")]
    drift["ExpectedProperties"] = json.dumps(expected, sort_keys=True, default=str)
    drift["ActualProperties"] = json.dumps(actual, sort_keys=True, default=str)
    drift["StackResourceDriftStatus"] = "MODIFIED" if found else "IN_SYNC"
    if found:
        drift["PropertyDifferences"] = found
    return drift


def _resources(stack: Stack) -> list[tuple[str, Any]]:
    """The stack's resources that exist, in template order."""
    parsed = stack.resource_map._parsed_resources
    return [
        (logical_id, parsed[logical_id])
        for logical_id in stack.resource_map._resource_json_map
        if hasattr(parsed.get(logical_id), "logical_resource_id")
    ]


def detect(backend: cfn_models.CloudFormationBackend, stack_name: str, logical_ids: list[str]) -> Detection:
    stack = backend.get_stack(stack_name)
    status = stack.status
    if status not in CHECKABLE_STATUSES:
        raise ValidationError(
            message=f"Drift detection cannot be performed on stack [{stack.stack_id}] while it is in [{status}] state"
        )
    with _lock:
        _settle(stack)
        state = _state(stack)
        if state.get("pending") is not None:
            raise ValidationError(
                message=f"Drift detection [{state['pending'].detection_id}] is already in progress on stack "
                f"[{stack.stack_id}]"
            )
        detection = Detection(str(uuid.uuid4()), stack, utcnow(), time.time())
        for logical_id, resource in _resources(stack):
            if logical_ids and logical_id not in logical_ids:
                continue
            try:
                result = _check(stack, logical_id, resource, detection.started)
            except Exception as exc:  # noqa: BLE001 - AWS reports the resource it could not check
                detection.failures.append(f"Failed to detect drift on resource [{logical_id}]: {exc}")
                continue
            if result is not None:
                detection.results[logical_id] = result
        _detections(backend)[detection.detection_id] = detection
        state["pending"] = detection
        _settle(stack)
    return detection


# --- the API --------------------------------------------------------------------------------------


def detect_stack_drift(self: CloudFormationResponse) -> ActionResult:
    detection = detect(
        self.cloudformation_backend, self._get_param("StackName"), list(self._get_param("LogicalResourceIds", []))
    )
    return ActionResult({"StackDriftDetectionId": detection.detection_id})


def describe_stack_drift_detection_status(self: CloudFormationResponse) -> ActionResult:
    detection_id = self._get_param("StackDriftDetectionId")
    detection = _detections(self.cloudformation_backend).get(detection_id)
    if detection is None:
        raise ValidationError(message=f"Drift detection [{detection_id}] does not exist")
    _settle(detection.stack)
    result: dict[str, Any] = {
        "StackId": detection.stack.stack_id,
        "StackDriftDetectionId": detection.detection_id,
        "Timestamp": detection.started,
    }
    if not detection.published:
        result["DetectionStatus"] = "DETECTION_IN_PROGRESS"
        return ActionResult(result)
    result["DetectionStatus"] = "DETECTION_FAILED" if detection.failures else "DETECTION_COMPLETE"
    if detection.failures:
        result["DetectionStatusReason"] = "; ".join(detection.failures)
    result["StackDriftStatus"] = detection.stack_drift_status
    result["DriftedStackResourceCount"] = detection.drifted_count
    return ActionResult(result)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(message="Invalid NextToken") from exc


def describe_stack_resource_drifts(self: CloudFormationResponse) -> ActionResult:
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    max_results = self._get_int_param("MaxResults")
    if max_results is not None and not 1 <= max_results <= MAX_RESULTS:
        bound = "greater than or equal to 1" if max_results < 1 else f"less than or equal to {MAX_RESULTS}"
        raise ValidationError(
            message=f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )
    filters = set(self._get_param("StackResourceDriftStatusFilters", []) or [])
    _settle(stack)
    latest = _state(stack)["resources"]
    drifts = [
        latest[logical_id]
        for logical_id, _resource in _resources(stack)
        if logical_id in latest and (not filters or latest[logical_id]["StackResourceDriftStatus"] in filters)
    ]
    start = _offset(self._get_param("NextToken"))
    size = max_results or MAX_RESULTS
    result: dict[str, Any] = {"StackResourceDrifts": drifts[start : start + size]}
    if start + size < len(drifts):
        result["NextToken"] = _token(start + size)
    return ActionResult(result)


# --- DriftInformation on stacks and stack resources -------------------------------------------------


def _stack_drift_information(self: Stack) -> dict[str, Any]:
    _settle(self)
    state = _state(self)
    information: dict[str, Any] = {"StackDriftStatus": state["status"]}
    if state["checked"] is not None:
        information["LastCheckTimestamp"] = state["checked"]
    return information


def resource_drift_information(stack: Stack, logical_id: str) -> dict[str, Any]:
    _settle(stack)
    result = _state(stack)["resources"].get(logical_id)
    if result is None:
        return {"StackResourceDriftStatus": "NOT_CHECKED"}
    return {"StackResourceDriftStatus": result["StackResourceDriftStatus"], "LastCheckTimestamp": result["Timestamp"]}


_original_dto_init = StackResourceDTO.__init__


def _dto_init(self: StackResourceDTO, stack: Stack, resource: Any) -> None:
    _original_dto_init(self, stack, resource)
    self.drift_information = resource_drift_information(stack, self.logical_resource_id)


_original_list_stack_resources = CloudFormationResponse.list_stack_resources


def list_stack_resources(self: CloudFormationResponse) -> ActionResult:
    answer = _original_list_stack_resources(self)
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    for summary in answer.result["StackResourceSummaries"]:
        summary["DriftInformation"] = resource_drift_information(stack, summary["LogicalResourceId"])
    return answer


# --- readers: live properties from moto's service backends -----------------------------------------


def _tag_list(tags: Any) -> list[dict[str, str]]:
    if isinstance(tags, dict):
        return [{"Key": k, "Value": v} for k, v in tags.items()]
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags or []]


@reader("AWS::RDS::DBCluster")
def _db_cluster(resource: Any, account_id: str, region: str) -> dict[str, Any] | None:
    cluster = rds_backends[account_id][region].clusters.get(resource.name)
    if cluster is None:
        return None
    scaling = cluster.serverless_v2_scaling_configuration
    return {
        "Engine": cluster.engine,
        "EngineVersion": cluster.engine_version,
        "EngineMode": cluster.engine_mode,
        "DatabaseName": cluster.database_name,
        "MasterUsername": cluster.master_username,
        "Port": cluster.port,
        "DBSubnetGroupName": cluster.db_subnet_group_name,
        "DBClusterParameterGroupName": cluster.parameter_group,
        "VpcSecurityGroupIds": list(cluster.vpc_security_group_ids or []),
        "StorageEncrypted": cluster.storage_encrypted,
        "StorageType": cluster.storage_type,
        "BackupRetentionPeriod": cluster.backup_retention_period,
        "PreferredBackupWindow": cluster.preferred_backup_window,
        "PreferredMaintenanceWindow": cluster.preferred_maintenance_window,
        "CopyTagsToSnapshot": cluster.copy_tags_to_snapshot,
        "DeletionProtection": cluster.deletion_protection,
        "EnableIAMDatabaseAuthentication": cluster.iam_auth,
        "EnableCloudwatchLogsExports": list(cluster.enabled_cloudwatch_logs_exports or []),
        "ServerlessV2ScalingConfiguration": {
            "MinCapacity": scaling["min_capacity"],
            "MaxCapacity": scaling["max_capacity"],
        }
        if scaling
        else None,
        "GlobalClusterIdentifier": cluster.global_cluster_identifier,
        "Tags": _tag_list(cluster.tags),
    }


@reader("AWS::ElastiCache::ReplicationGroup")
def _replication_group(resource: Any, account_id: str, region: str) -> dict[str, Any] | None:
    group = elasticache_backends[account_id][region].replication_groups.get(resource.name)
    if group is None:
        return None
    live = {
        "ReplicationGroupDescription": group.description,
        "Engine": group.engine,
        "EngineVersion": group.engine_version,
        "CacheNodeType": group.cache_node_type,
        "Port": group.port,
        "ClusterMode": group.cluster_mode,
        "AutomaticFailoverEnabled": group.automatic_failover == "enabled",
        "MultiAZEnabled": group.multi_az == "enabled",
        "AtRestEncryptionEnabled": group.at_rest_encryption_enabled,
        "TransitEncryptionEnabled": group.transit_encryption_enabled,
        "CacheSubnetGroupName": group.cache_subnet_group_name,
        "SecurityGroupIds": list(group.security_group_ids or []),
        "CacheParameterGroupName": group.cache_parameter_group_name,
        "SnapshotRetentionLimit": group.snapshot_retention_limit,
        "SnapshotWindow": group.snapshot_window,
        "PreferredMaintenanceWindow": group.preferred_maintenance_window,
        "AutoMinorVersionUpgrade": group.auto_minor_version_upgrade,
        "NotificationTopicArn": group.notification_topic_arn,
        "DataTieringEnabled": group.data_tiering == "enabled",
        "LogDeliveryConfigurations": [
            {k: v for k, v in config.items() if k not in ("status", "message")}
            for config in group.log_delivery_configurations or []
        ],
        "Tags": _tag_list(group.tags),
    }
    if group.cluster_mode == "enabled":
        live["NumNodeGroups"] = len(group.node_groups)
    else:
        live["NumCacheClusters"] = len(group.member_clusters)
    return live


@reader("AWS::S3::Bucket")
def _bucket(resource: Any, account_id: str, region: str) -> dict[str, Any] | None:
    backend = s3_backends[account_id]["aws"]
    bucket = backend.buckets.get(resource.name)
    if bucket is None:
        return None
    block = bucket.public_access_block
    return {
        "BucketName": bucket.name,
        "VersioningConfiguration": {"Status": bucket.versioning_status} if bucket.versioning_status else None,
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": block.block_public_acls,
            "IgnorePublicAcls": block.ignore_public_acls,
            "BlockPublicPolicy": block.block_public_policy,
            "RestrictPublicBuckets": block.restrict_public_buckets,
        }
        if block
        else None,
        "Tags": _tag_list(backend.tagger.get_tag_dict_for_resource(bucket.arn)),
    }


@reader("AWS::SNS::Topic")
def _topic(resource: Any, account_id: str, region: str) -> dict[str, Any] | None:
    backend = sns_backends[account_id][region]
    topic = backend.topics.get(resource.arn)
    if topic is None:
        return None
    subscriptions = [s for s in backend.subscriptions.values() if s.topic.arn == topic.arn]
    # Tags are not compared: moto's model keeps a template's Tags apart from the tags its API reads.
    return {
        "TopicName": topic.name,
        "DisplayName": topic.display_name,
        "FifoTopic": topic.fifo_topic,
        "ContentBasedDeduplication": topic.content_based_deduplication,
        "Subscription": [{"Endpoint": s.endpoint, "Protocol": s.protocol} for s in subscriptions],
    }


@reader("AWS::CloudWatch::Alarm")
def _alarm(resource: Any, account_id: str, region: str) -> dict[str, Any] | None:
    alarm = cloudwatch_backends[account_id][region].alarms.get(resource.name)
    if alarm is None:
        return None
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "Namespace": alarm.namespace,
        "MetricName": alarm.metric_name,
        "Dimensions": [{"Name": d.name, "Value": d.value} for d in alarm.dimensions],
        "Statistic": alarm.statistic,
        "ExtendedStatistic": alarm.extended_statistic,
        "Period": alarm.period,
        "EvaluationPeriods": alarm.evaluation_periods,
        "DatapointsToAlarm": alarm.datapoints_to_alarm,
        "Threshold": alarm.threshold,
        "ThresholdMetricId": alarm.threshold_metric_id,
        "ComparisonOperator": alarm.comparison_operator,
        "TreatMissingData": alarm.treat_missing_data,
        "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile,
        "Unit": alarm.unit,
        "ActionsEnabled": alarm.actions_enabled,
        "AlarmActions": list(alarm.alarm_actions or []),
        "OKActions": list(alarm.ok_actions or []),
        "InsufficientDataActions": list(alarm.insufficient_data_actions or []),
    }


def install() -> None:
    SETTINGS.setdefault(
        "drift_detection_seconds", "DetectStackDrift stays DETECTION_IN_PROGRESS this long (default 0, drift.py)"
    )
    parsing.parse_resource_and_generate_name = parse_resource_and_generate_name
    # After cfn_engine.install(), whose resource creation (events, faults, rollback) these wrap.
    parsing.parse_and_create_resource = _recording(parsing.parse_and_create_resource)
    parsing.parse_and_update_resource = _recording(parsing.parse_and_update_resource)
    Stack.drift_information = property(_stack_drift_information)
    StackResourceDTO.__init__ = _dto_init
    CloudFormationResponse.detect_stack_drift = detect_stack_drift
    CloudFormationResponse.describe_stack_drift_detection_status = describe_stack_drift_detection_status
    CloudFormationResponse.describe_stack_resource_drifts = describe_stack_resource_drifts
    CloudFormationResponse.list_stack_resources = list_stack_resources
