"""Corrections to moto's own CloudFormation models where they disagree with AWS."""

from __future__ import annotations

import datetime
import fnmatch
import json
import re

from moto.awslambda.models import LambdaFunction
from moto.elasticache.exceptions import InvalidParameterValueException
from moto.elasticache.models import ElastiCacheBackend, Snapshot
from moto.iam import policy_conditions
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.kms.models import Key
from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue
from moto.rds.models import GlobalCluster, RDSBackend, find_cluster
from moto.s3.models import FakeBucket

from emulator.aws import policies

_original_key_create = Key.create_from_cloudformation_json.__func__


def _kms_key_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """AWS::KMS::Key takes Tags as Key/Value (the KMS API says TagKey/TagValue); moto expects the latter.
    KeyPolicy is optional (not ``required`` in the resource schema; without it KMS attaches its default key
    policy, which gives the account's root principal kms:*); moto failed with KeyError 'KeyPolicy'. A KeyPolicy
    given as an object (as the templates write it) is kept as the JSON document KMS stores and GetKeyPolicy
    returns: moto kept the object, and DescribeKey of such a key answered HTTP 500."""
    props = cloudformation_json.setdefault("Properties", {})
    props.setdefault(
        "KeyPolicy",
        {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        },
    )
    if not isinstance(props["KeyPolicy"], str):
        props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
    props["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags") or []]
    return _original_key_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


_original_lambda_create = LambdaFunction.create_from_cloudformation_json.__func__
_original_lambda_update = LambdaFunction.update_from_cloudformation_json.__func__


def _string_variables(cloudformation_json: dict) -> None:
    """AWS::Lambda::Function Environment.Variables is a map of strings (the resource schema; the Lambda
    API's EnvironmentVariables): CloudFormation passes ``60`` or a Ref to a Number parameter as "60".
    moto kept the number, and GetFunction answered a JSON number where botocore's model says string."""
    variables = ((cloudformation_json.get("Properties") or {}).get("Environment") or {}).get("Variables")
    if isinstance(variables, dict):
        for name, value in variables.items():
            if isinstance(value, bool):
                variables[name] = str(value).lower()
            elif not isinstance(value, str):
                variables[name] = str(value)


def _lambda_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    _string_variables(cloudformation_json)
    function = _original_lambda_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    function.__dict__["_emu_stack"] = True  # a stack's function: its calls are the collection's (lambda_runtime)
    return function


def _lambda_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    _string_variables(cloudformation_json)
    return _original_lambda_update(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    )


def create_global_cluster(
    self: RDSBackend,
    global_cluster_identifier: str,
    source_db_cluster_identifier: str | None,
    engine: str | None,
    engine_version: str | None,
    storage_encrypted: bool | None,
    deletion_protection: bool | None,
) -> GlobalCluster:
    """CreateGlobalCluster from a source cluster in any region (moto looks only in us-east-1)."""
    source = None
    if source_db_cluster_identifier is not None:
        if not source_db_cluster_identifier.startswith("arn:"):
            raise InvalidParameterValue("Malformed db cluster arn dbci")
        if engine is not None:
            raise InvalidParameterCombination(
                "When creating global cluster from existing db cluster, value for engineName should not be "
                "specified since it will be inherited from source cluster"
            )
        source = find_cluster(source_db_cluster_identifier)
        if source.global_cluster_identifier:
            raise InvalidParameterCombination(
                f"Cluster {source.db_cluster_identifier} is already a member of a global cluster"
            )
        engine, engine_version = source.engine, source.engine_version
        storage_encrypted = source.storage_encrypted
    elif engine is None:
        raise InvalidParameterValue("When creating standalone global cluster, value for engineName should be specified")
    global_cluster = GlobalCluster(
        backend=self,
        global_cluster_identifier=global_cluster_identifier,
        engine=engine,
        engine_version=engine_version,
        storage_encrypted=storage_encrypted,
        deletion_protection=deletion_protection,
    )
    self.global_clusters[global_cluster_identifier] = global_cluster
    if source is not None:
        source.global_cluster_identifier = global_cluster.global_cluster_arn
        source.is_writer = True
        global_cluster.members.append(source)
    return global_cluster


_original_delete_replication_group = ElastiCacheBackend.delete_replication_group


def delete_replication_group(self: ElastiCacheBackend, replication_group_id: str, retain_primary_cluster: bool | None):
    """AWS answers with the group in status "deleting" and then removes it; moto keeps it forever."""
    group = _original_delete_replication_group(self, replication_group_id, retain_primary_cluster)
    del self.replication_groups[replication_group_id]
    return group


# CreateReplicationGroup's ReplicationGroupId: "1 to 40 alphanumeric characters or hyphens; must begin with a letter;
# can't end with a hyphen or contain two consecutive hyphens"
# (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html); moto takes any.
REPLICATION_GROUP_ID = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,39}(?<!-)$")
_WRAPPED_CREATE_REPLICATION_GROUP = []  # the backend's method when install() ran


def create_replication_group(self: ElastiCacheBackend, replication_group_id: str, *args, **kwargs):
    if not REPLICATION_GROUP_ID.match(replication_group_id or ""):
        raise InvalidParameterValueException(
            f"Invalid replication group identifier {replication_group_id!r}: 1 to 40 letters, digits or hyphens, "
            "beginning with a letter, not ending with a hyphen nor containing two consecutive hyphens "
            f"({len(replication_group_id or '')} characters)"
        )
    return _WRAPPED_CREATE_REPLICATION_GROUP[0](self, replication_group_id, *args, **kwargs)


_original_snapshot_init = Snapshot.__init__


def _snapshot_init(self: Snapshot, *args, **kwargs) -> None:
    """DescribeSnapshots carries NodeSnapshots with each node's SnapshotCreateTime; moto has none."""
    _original_snapshot_init(self, *args, **kwargs)
    group = self.replication_group_id or self.cache_cluster_id
    now = datetime.datetime.now(datetime.UTC)
    self.node_snapshots = [
        {
            "CacheClusterId": f"{group}-001",
            "NodeGroupId": "0001",
            "CacheNodeId": "0001",
            "CacheSize": "6 MB",
            "CacheNodeCreateTime": now,
            "SnapshotCreateTime": now,
        }
    ]


def _principal_applies(principal, account_id: str) -> bool:
    """A statement's Principal names the requester: everyone, or this account (its root or the account id)."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    accounts = policies.as_list(principal.get("AWS"))
    return "*" in accounts or any(a in (account_id, f"arn:aws:iam::{account_id}:root") for a in accounts)


def _bucket_permission(self: FakeBucket, action: str, resource: str):
    """The bucket policy as S3 evaluates it for a request of the bucket's own account (policies.py): a Deny whose
    principal, action, resource and condition apply wins, then an Allow; else neither. The request context:
    aws:SecureTransport "true" (AWS's endpoints are HTTPS; the emulator's plain HTTP is its own transport) and
    aws:PrincipalAccount; keys a direct request does not carry (aws:SourceAccount, aws:SourceArn: a service's
    request on someone's behalf) are absent, so conditions on them hold only as IAM says absent keys do.
    (moto passed no context keys, ignored operators it lacked - Bool, StringLike... - and let a condition on an
    absent key match.)"""
    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = self.policy.decode() if isinstance(self.policy, bytes) else self.policy
    document = json.loads(policy) if isinstance(policy, str) else policy
    context = {"aws:SecureTransport": "true", "aws:PrincipalAccount": self.account_id}
    result = PermissionResult.NEUTRAL
    for statement in policies.as_list(document.get("Statement")):
        if not _principal_applies(statement.get("Principal"), self.account_id):
            continue
        actions = policies.as_list(statement.get("Action"))
        if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(resource, r) for r in policies.as_list(statement.get("Resource", "*"))):
            continue
        if not policies.condition_holds(statement.get("Condition"), context):
            continue
        if statement.get("Effect") == "Deny":
            return PermissionResult.DENIED
        result = PermissionResult.PERMITTED
    return result


def _bool_operation(expected, actual) -> bool:
    """IAM's Bool condition operator, which moto lacks (it ignored such conditions: always a match)."""
    values = expected if isinstance(expected, list) else [expected]
    return str(actual).lower() in [str(v).lower() for v in values]


_WRAPPED_DELETE_DB_CLUSTER: list = []


def _delete_db_cluster(self: RDSBackend, cluster_identifier: str, *args, **kwargs):
    """A deleted cluster's automated snapshots go with it, as RDS removes a cluster's automated backups when it is
    deleted (DeleteDBCluster, DeleteAutomatedBackups: default true); its final snapshot (manual) stays. moto kept
    them listed in DescribeDBClusterSnapshots, as if a teardown had left them."""
    cluster = _WRAPPED_DELETE_DB_CLUSTER[0](self, cluster_identifier, *args, **kwargs)
    automated = [
        name
        for name, snapshot in self.cluster_snapshots.items()
        if snapshot.snapshot_type == "automated" and snapshot.db_cluster_identifier == cluster_identifier
    ]
    for name in automated:
        self.delete_db_cluster_snapshot(name)
    return cluster


_original_statement_permitted = IAMPolicyStatement.is_action_permitted


def _statement_permitted(
    self: IAMPolicyStatement, action, resource="*", principal=None, incoming_condition_values=None
):
    """A Deny statement applies only when its condition holds (moto denied whenever it did not)."""
    if (
        self._statement.get("Effect") == "Deny"
        and self._statement.get("Condition")
        and not self._check_conditions(incoming_condition_values)
    ):
        return PermissionResult.NEUTRAL
    return _original_statement_permitted(self, action, resource, principal, incoming_condition_values)


def install() -> None:
    LambdaFunction.create_from_cloudformation_json = classmethod(_lambda_create)
    LambdaFunction.update_from_cloudformation_json = classmethod(_lambda_update)
    policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", _bool_operation)
    IAMPolicyStatement.is_action_permitted = _statement_permitted
    FakeBucket.get_permission = _bucket_permission
    Snapshot.__init__ = _snapshot_init
    ElastiCacheBackend.delete_replication_group = delete_replication_group
    _WRAPPED_CREATE_REPLICATION_GROUP[:] = [ElastiCacheBackend.create_replication_group]
    ElastiCacheBackend.create_replication_group = create_replication_group
    Key.create_from_cloudformation_json = classmethod(_kms_key_create)
    RDSBackend.create_global_cluster = create_global_cluster
    # After databases.install() and global_endpoint.install(): this wraps their cluster deletion.
    _WRAPPED_DELETE_DB_CLUSTER[:] = [RDSBackend.delete_db_cluster]
    RDSBackend.delete_db_cluster = _delete_db_cluster
