"""AWS::S3::Bucket properties that moto's CloudFormation model ignores, and object replication.

Versioning, replication (with Replication Time Control and metrics), public access block,
lifecycle rules and Object Ownership are applied through moto's S3 backend, so GetBucketVersioning,
GetBucketReplication and GetBucketOwnershipControls return what the template declared (a bucket
without OwnershipControls gets S3's default, BucketOwnerEnforced).

Replication itself, which moto lacks: an object put into a bucket with an enabled replication rule
whose prefix matches appears in the rule's destination bucket ``s3_replication_latency_seconds``
later (setting, default 5, the figure the ReplicationLatency metric publishes); with
``s3_replication_failed_operations`` above 0 it never arrives (the OperationsFailedReplication metric
says so). Replicas are not replicated again.

The bucket a team keeps for templates over CloudFormation's request limit (docs/iam/roles.yaml makes it, next to the
roles), named in inventories/local as ``registry_template_bucket``, is there in us-west-2 from the account's first use
and after every reset, as the network is (network.py).
"""

from __future__ import annotations

import threading
from typing import Any

from moto.core.responses import ActionResult
from moto.s3.exceptions import ReplicationConfigurationNotFoundError
from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.s3.responses import S3Response

from emulator.aws.control import STATE


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
    rules = (props.get("OwnershipControls") or {}).get("Rules") or []
    if rules:
        backend.put_bucket_ownership_controls(bucket.name, rules[0]["ObjectOwnership"])


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


_original_put_object = S3Backend.put_object
_REPLICA = threading.local()


def _destination(bucket: FakeBucket, key_name: str) -> str | None:
    for rule in sorted(
        (getattr(bucket, "replication", None) or {}).get("Rule", []), key=lambda r: -int(r.get("Priority", 0))
    ):
        prefix = (rule.get("Filter") or {}).get("Prefix", rule.get("Prefix", "")) or ""
        if rule.get("Status") == "Enabled" and key_name.startswith(prefix):
            return rule["Destination"]["Bucket"].split(":::")[-1]
    return None


def _replicate(backend: S3Backend, destination: str, key_name: str, value: bytes) -> None:
    _REPLICA.active = True
    try:
        _original_put_object(backend, destination, key_name, value)
    except Exception:  # noqa: BLE001, S110 - the destination is gone (a reset, a teardown): nothing to replicate to
        pass
    finally:
        _REPLICA.active = False


def put_object(self: S3Backend, bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any):
    key = _original_put_object(self, bucket_name, key_name, value, *args, **kwargs)
    destination = None if getattr(_REPLICA, "active", False) else _destination(self.get_bucket(bucket_name), key_name)
    if destination and not float(STATE.settings.get("s3_replication_failed_operations", 0)):
        delay = float(STATE.settings.get("s3_replication_latency_seconds", 5))
        timer = threading.Timer(delay, _replicate, args=(self, destination, key_name, bytes(value)))
        timer.daemon = True
        timer.start()
    return key


_original_bucket_init = FakeBucket.__init__


def _bucket_init(self: FakeBucket, *args: Any, **kwargs: Any) -> None:
    """A new bucket's Object Ownership is "Bucket owner enforced" (ACLs disabled), S3's default since April 2023
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html); moto had none, so
    GetBucketOwnershipControls answered OwnershipControlsNotFoundError. CreateBucket's x-amz-object-ownership and
    PutBucketOwnershipControls still set another."""
    _original_bucket_init(self, *args, **kwargs)
    self.ownership_rule = "BucketOwnerEnforced"


# inventories/local's registry_template_bucket: the local artifacts bucket's name with -templates, as roles.yaml has it
TEMPLATE_BUCKET = ("ai-model-registry-local-artifacts-templates", "us-west-2")
_original_backend_init = S3Backend.__init__


def _backend_init(self: S3Backend, region_name: str, account_id: str) -> None:
    _original_backend_init(self, region_name, account_id)
    name, region = TEMPLATE_BUCKET
    # moto keeps one S3 backend per partition ("aws", "aws-cn", ...): the bucket is the "aws" partition's, made here
    # itself (create_bucket's lookups of s3_backends would recurse into this backend's creation). A reset builds a
    # new backend, whose bucket replaces the old one's.
    if region_name == "aws":
        self.buckets[name] = FakeBucket(name=name, account_id=account_id, region_name=region)


def install() -> None:
    S3Backend.__init__ = _backend_init
    FakeBucket.__init__ = _bucket_init
    S3Backend.put_object = put_object
    S3Response.get_bucket_replication = get_bucket_replication
    FakeBucket.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
    FakeBucket.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)
