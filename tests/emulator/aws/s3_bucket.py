"""AWS::S3::Bucket properties that moto's CloudFormation model ignores.

Versioning, replication (with Replication Time Control and metrics), public access block and
lifecycle rules are applied through moto's S3 backend, so GetBucketVersioning and
GetBucketReplication return what the template declared.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.s3.exceptions import ReplicationConfigurationNotFoundError
from moto.s3.models import FakeBucket, s3_backends
from moto.s3.responses import S3Response


def _replication(config: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in config.get("Rules") or []:
        api_rule = {k: v for k, v in rule.items() if k != "Id"}
        if "Id" in rule:
            api_rule["ID"] = rule["Id"]
        rules.append(api_rule)
    return {"Role": config["Role"], "Rule": rules}


def _lifecycle(config: dict[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for rule in config.get("Rules") or []:
        api_rule: dict[str, Any] = {
            "ID": rule.get("Id", ""),
            "Status": rule["Status"],
            "Filter": {"Prefix": rule.get("Prefix", "")},
        }
        if "ExpirationInDays" in rule:
            api_rule["Expiration"] = {"Days": rule["ExpirationInDays"]}
        if "NoncurrentVersionExpiration" in rule:
            api_rule["NoncurrentVersionExpiration"] = {
                "NoncurrentDays": rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
            }
        if "Transitions" in rule:
            api_rule["Transition"] = [
                {"Days": t["TransitionInDays"], "StorageClass": t["StorageClass"]} for t in rule["Transitions"]
            ]
        if "AbortIncompleteMultipartUpload" in rule:
            api_rule["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
            }
        rules.append(api_rule)
    return rules


def _apply(bucket: FakeBucket, props: dict[str, Any], account_id: str) -> None:
    backend = s3_backends[account_id]["aws"]
    if "VersioningConfiguration" in props:
        backend.put_bucket_versioning(bucket.name, props["VersioningConfiguration"]["Status"])
    if "ReplicationConfiguration" in props:
        backend.put_bucket_replication(bucket.name, _replication(props["ReplicationConfiguration"]))
    if "PublicAccessBlockConfiguration" in props:
        backend.put_public_access_block(bucket.name, props["PublicAccessBlockConfiguration"])
    if "LifecycleConfiguration" in props:
        backend.put_bucket_lifecycle_configuration(bucket.name, _lifecycle(props["LifecycleConfiguration"]))


_original_create = FakeBucket.create_from_cloudformation_json.__func__
_original_update = FakeBucket.update_from_cloudformation_json.__func__


def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    bucket = _original_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    _apply(bucket, cloudformation_json.get("Properties") or {}, account_id)
    return bucket


def update_from_cloudformation_json(
    cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
):
    bucket = _original_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    _apply(bucket, cloudformation_json.get("Properties") or {}, account_id)
    return bucket


_RULE_FIELDS = (
    "ID",
    "Priority",
    "Status",
    "Filter",
    "DeleteMarkerReplication",
    "Destination",
    "SourceSelectionCriteria",
    "ExistingObjectReplication",
)


def get_bucket_replication(self: S3Response):
    """GetBucketReplication with the rules as stored; moto answered every rule with DeleteMarkerReplication
    Disabled and an empty prefix filter, whatever was put."""
    self.data["Action"] = "GetBucketReplication"
    replication = self.backend.get_bucket_replication(self.bucket_name)
    if not replication:
        raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
    rules = [{key: rule[key] for key in _RULE_FIELDS if key in rule} for rule in replication["Rule"]]
    for rule in rules:
        rule.setdefault("DeleteMarkerReplication", {"Status": "Disabled"})
        rule.setdefault("Filter", {"Prefix": ""})
    return self.serialized(ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))


def install() -> None:
    S3Response.get_bucket_replication = get_bucket_replication
    FakeBucket.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
    FakeBucket.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)
