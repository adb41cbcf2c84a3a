"""ElastiCache snapshots that hold a Redis dump, their export to S3 (CopySnapshot, which moto lacks) and replication
groups seeded from an S3 ``.rdb`` (CreateReplicationGroup's SnapshotArns), as AWS documents them.

- A snapshot (CreateSnapshot; CloudFormation's DeletionPolicy Snapshot) of a replication group with a real
  redis-server (caches.py, setting ``caches: redis``) keeps the server's data at that moment: ``SAVE`` and the
  bytes of its RDB file. DeleteSnapshot and the emulator's reset drop them. A snapshot of a group without a real
  server holds no data: its export is an empty RDB file.
- ``CopySnapshot(SourceSnapshotName, TargetSnapshotName)``: a new manual snapshot with the source's data;
  SnapshotNotFoundFault for a missing source, SnapshotAlreadyExistsFault for a name taken, InvalidSnapshotState
  for a source that is not ``available``
  (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CopySnapshot.html).
- With ``TargetBucket`` it exports (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html):
  ElastiCache writes ``<TargetSnapshotName>-0001.rdb`` into the bucket ("ElastiCache adds an instance identifier and
  .rdb"), one object per shard (``-0001``, ``-0002`` ...; the emulator's one server per group holds every key, so
  its data is in ``-0001`` and the other shards' objects are empty RDB files). The answer is the source snapshot,
  ``exporting``; the stored one stays ``available``. The object is put through the S3 backend as any put
  (versioning, replication, notifications), written by ElastiCache: no ACL grant is added for the account.
  Refused, with InvalidParameterValue and the API reference's and the page's messages:

  - "The S3 bucket %s does not exist.", "The S3 bucket %s is outside of the region.", "The S3 bucket %s is not
    owned by the authenticated user.";
  - ElastiCache's access: it acts as the service principal ``<region>.elasticache-snapshot.amazonaws.com``, which
    the bucket policy grants (the page's recommended way: s3:PutObject, s3:GetObject, s3:ListBucket,
    s3:GetBucketAcl, s3:ListMultipartUploadParts, s3:ListBucketMultipartUploads), or - the older way - the bucket
    ACL grants to ElastiCache's canonical user ID (READ, WRITE, READ_ACP; FULL_CONTROL covers them). Checked in the
    page's order, READ (s3:ListBucket on the bucket), WRITE (s3:PutObject on the object), READ_ACP
    (s3:GetBucketAcl on the bucket): "ElastiCache has not been granted READ permissions %s on the S3 Bucket." ...;
  - "The S3 bucket %s already contains an object with key %s.".
- ``CreateReplicationGroup(SnapshotArns=["arn:aws:s3:::bucket/key.rdb", ...])`` and the ``SnapshotArns`` of
  CloudFormation's ``AWS::ElastiCache::ReplicationGroup`` (resources.py passes them to the same backend method)
  seed the new group (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-seeding-redis.html): with
  real caches its server starts with the object's RDB loaded. The bucket must be in the group's region, and
  ElastiCache must be able to read the object
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-migrating-acls-prerequisites.html#object-ownership-elasticache-redis):
  a bucket policy allowing the region's principal s3:GetObject on it and s3:ListBucket, s3:GetBucketAcl on the
  bucket, or an object ACL READ grant to the canonical ID. AWS reports a seed it cannot read as an event and
  the group ends ``create-failed``; the emulator refuses at the call instead, before anything is created, with
  InvalidParameterValue and messages of its own wording: "ElastiCache has not been granted read access to the
  object %s ...", "The object %s does not exist.", "The object %s is not a Redis RDB file.", the bucket's as for
  an export, and "A cluster-mode disabled replication group is seeded from one .rdb file ..." for several ARNs
  (one file seeds one shard).

ACL grants count only where ACLs are enabled: "When you disable ACLs, permissions granted by bucket and object ACLs
no longer affect access" (the S3 page above), so on a bucket with Object Ownership ``BucketOwnerEnforced`` (S3's
default, s3_bucket.py) only the bucket policy grants. The policy is evaluated by policies.policy_allows with the
request context ``aws:SecureTransport`` true (ElastiCache reaches S3 over HTTPS) and ``aws:SourceAccount`` (the
account of the snapshot or group).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.elasticache.exceptions import InvalidParameterValueException, SnapshotAlreadyExists, SnapshotNotFound
from moto.elasticache.models import ElastiCacheBackend, ReplicationGroup, Snapshot
from moto.elasticache.responses import ElastiCacheResponse
from moto.s3.models import PERMISSION_FULL_CONTROL, FakeAcl, FakeBucket, S3Backend, s3_backends

from emulator.aws import caches, control, policies

# ElastiCache's canonical user ID in S3 ACLs (both pages above).
CANONICAL_ID = "540804c33a284a299d2547575ce1010f2312ef3da9b3a053c8bc45bf233e4353"
# The ACL permissions the export page asks for, in its order, each with its policy action and what that applies to.
EXPORT_PERMISSIONS = (
    ("READ", "s3:ListBucket", "bucket"),
    ("WRITE", "s3:PutObject", "object"),
    ("READ_ACP", "s3:GetBucketAcl", "bucket"),
)
# What seeding needs in a bucket policy (the S3 guide's ElastiCache section), and what each applies to.
SEED_ACTIONS = (("s3:GetObject", "object"), ("s3:ListBucket", "bucket"), ("s3:GetBucketAcl", "bucket"))
# An RDB file without keys: the magic and version, the EOF opcode, and a zero checksum, which Redis takes as
# "saved with checksum disabled" (redis-server 7.0 loads it: "Done loading RDB, keys loaded: 0").
EMPTY_RDB = b"REDIS0009\xff" + bytes(8)
# (account, region, snapshot name) -> the RDB file of the group's server when the snapshot was taken
DATA: dict[tuple[str, str, str], bytes] = {}


class InvalidSnapshotStateFault(ServiceException):
    code = "InvalidSnapshotState"


def principal(region: str) -> str:
    """The service principal ElastiCache reads and writes S3 as, in a region."""
    return f"{region}.elasticache-snapshot.amazonaws.com"


def shard_keys(target_name: str, shards: int) -> list[str]:
    """The objects of an export: ``<name>-0001.rdb``, one per shard."""
    return [f"{target_name}-{shard:04d}.rdb" for shard in range(1, max(shards, 1) + 1)]


# --- S3: the bucket and ElastiCache's access to it ------------------------------------------------------------


def _bucket(name: str, region: str) -> tuple[S3Backend, FakeBucket]:
    """The bucket (in whichever account holds it) and its backend; refused when missing or of another region."""
    partition, account = s3_backends.bucket_accounts.get(name, ("aws", ""))
    backend = s3_backends[account][partition] if account else None
    bucket = backend.buckets.get(name) if backend else None
    if bucket is None:
        raise InvalidParameterValueException(f"The S3 bucket {name} does not exist.")
    if bucket.region_name != region:
        raise InvalidParameterValueException(f"The S3 bucket {name} is outside of the region.")
    return backend, bucket


def _policy_allows(bucket: FakeBucket, region: str, account: str, action: str, resource: str) -> bool:
    if not bucket.policy:
        return False
    policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
    context = {"aws:SecureTransport": "true", "aws:SourceAccount": account}
    return policies.policy_allows(json.loads(policy), principal(region), action, resource, context)


def _acl_grants(bucket: FakeBucket, acl: FakeAcl | None, permission: str) -> bool:
    """Whether an ACL of the bucket or of one of its objects grants ElastiCache ``permission`` (ACLs enabled)."""
    if bucket.ownership_rule == "BucketOwnerEnforced" or acl is None:
        return False
    return any(
        grantee.id == CANONICAL_ID
        for grant in acl.grants
        if permission in grant.permissions or PERMISSION_FULL_CONTROL in grant.permissions
        for grantee in grant.grantees
    )


def _s3_arn(bucket: str, key: str = "") -> str:
    return f"arn:aws:s3:::{bucket}" + (f"/{key}" if key else "")


# --- snapshots and their data ---------------------------------------------------------------------------------


def _source(backend: ElastiCacheBackend, name: str) -> Snapshot:
    snapshot = backend.snapshots.get(name)
    if snapshot is None:
        raise SnapshotNotFound(name)
    if snapshot.snapshot_status != "available":
        raise InvalidSnapshotStateFault(f"Snapshot {name} is {snapshot.snapshot_status}, not available.")
    return snapshot


def data_of(account: str, region: str, snapshot_name: str) -> bytes:
    """The RDB file a snapshot holds (an empty one for a snapshot of a group without a real server)."""
    return DATA.get((account, region, snapshot_name), EMPTY_RDB)


def copy_within(
    backend: ElastiCacheBackend,
    source_name: str,
    target_name: str,
    kms_key_id: str | None = None,
    tags: list[dict[str, str]] | None = None,
) -> Snapshot:
    """CopySnapshot without TargetBucket: a new manual snapshot with the source's data."""
    source = _source(backend, source_name)
    if target_name in backend.snapshots:
        raise SnapshotAlreadyExists(target_name)
    target = copy.copy(source)
    target.snapshot_name = target_name
    target.arn = source.arn.rsplit(":", 1)[0] + f":{target_name}"
    target.snapshot_source, target.snapshot_status = "manual", "available"
    target.kms_key_id = kms_key_id or source.kms_key_id
    target.tags = tags or []
    target.node_snapshots = [dict(node) for node in getattr(source, "node_snapshots", [])]
    if tags:
        backend.tagging_service.tag_resource(target.arn, tags)
    backend.snapshots[target_name] = target
    key = (backend.account_id, backend.region_name)
    if (*key, source_name) in DATA:
        DATA[(*key, target_name)] = DATA[(*key, source_name)]
    return target


def export(backend: ElastiCacheBackend, source_name: str, target_name: str, bucket_name: str) -> Snapshot:
    """CopySnapshot with TargetBucket: ``<target>-0001.rdb`` ... in the bucket; the answer is the source,
    ``exporting``."""
    account, region = backend.account_id, backend.region_name
    source = _source(backend, source_name)
    s3, bucket = _bucket(bucket_name, region)
    if bucket.account_id != account:
        raise InvalidParameterValueException(f"The S3 bucket {bucket_name} is not owned by the authenticated user.")
    keys = shard_keys(target_name, source.num_node_groups or 1)
    for permission, action, applies_to in EXPORT_PERMISSIONS:
        resources = [_s3_arn(bucket_name)] if applies_to == "bucket" else [_s3_arn(bucket_name, key) for key in keys]
        if not all(_policy_allows(bucket, region, account, action, r) for r in resources) and not _acl_grants(
            bucket, bucket.acl, permission
        ):
            raise InvalidParameterValueException(
                f"ElastiCache has not been granted {permission} permissions {bucket_name} on the S3 Bucket."
            )
    taken = next((key for key in keys if s3.get_object(bucket_name, key) is not None), None)
    if taken:
        raise InvalidParameterValueException(
            f"The S3 bucket {bucket_name} already contains an object with key {taken}."
        )
    for shard, key in enumerate(keys):
        s3.put_object(bucket_name, key, data_of(account, region, source_name) if shard == 0 else EMPTY_RDB)
    answer = copy.copy(source)
    answer.snapshot_status = "exporting"
    return answer


# --- seeding a replication group from S3 ----------------------------------------------------------------------


def _object_arn(arn: str) -> tuple[str, str]:
    bucket, _slash, key = arn.removeprefix("arn:aws:s3:::").partition("/")
    if not arn.startswith("arn:aws:s3:::") or not bucket or not key:
        raise InvalidParameterValueException(f"Invalid S3 object ARN {arn}: arn:aws:s3:::<bucket>/<key> expected.")
    return bucket, key


def seed_data(account: str, region: str, arn: str) -> bytes:
    """The RDB file of one SnapshotArns entry, as ElastiCache may read it; refused otherwise."""
    bucket_name, key_name = _object_arn(arn)
    s3, bucket = _bucket(bucket_name, region)
    key = s3.get_object(bucket_name, key_name)
    if key is None:
        raise InvalidParameterValueException(f"The object {arn} does not exist.")
    by_policy = all(
        _policy_allows(bucket, region, account, action, arn if applies_to == "object" else _s3_arn(bucket_name))
        for action, applies_to in SEED_ACTIONS
    )
    if not by_policy and not _acl_grants(bucket, key.acl, "READ"):
        raise InvalidParameterValueException(
            f"ElastiCache has not been granted read access to the object {arn} (a bucket policy allowing "
            f"{principal(region)} s3:GetObject on it and s3:ListBucket, s3:GetBucketAcl on its bucket, or an "
            f"object ACL READ grant to ElastiCache's canonical user ID)."
        )
    if not key.value.startswith(b"REDIS"):
        raise InvalidParameterValueException(f"The object {arn} is not a Redis RDB file.")
    return key.value


def check_seed(account: str, region: str, arns: list[str], cluster_mode_enabled: bool) -> list[bytes]:
    """The RDB files of a new group's SnapshotArns, every one readable; refused before anything is created."""
    if len(arns) > 1 and not cluster_mode_enabled:
        raise InvalidParameterValueException(
            "A cluster-mode disabled replication group is seeded from one .rdb file (one file seeds one shard); "
            f"SnapshotArns has {len(arns)}."
        )
    return [seed_data(account, region, arn) for arn in arns]


def _seed(backend: ElastiCacheBackend, group: ReplicationGroup) -> bytes | None:
    """caches.SEEDS hook: a seeded group's server starts with its first object (the emulator's one server per
    group; an export of several shards holds its data in -0001)."""
    arns = getattr(group, "snapshot_arns", None) or []
    return seed_data(backend.account_id, backend.region_name, arns[0]) if arns else None


# --- the ElastiCache API and backend ----------------------------------------------------------------------------


def copy_snapshot(self: ElastiCacheResponse) -> ActionResult:
    source, target = self._get_param("SourceSnapshotName"), self._get_param("TargetSnapshotName")
    bucket = self._get_param("TargetBucket")
    if bucket:
        snapshot = export(self.elasticache_backend, source, target, bucket)
    else:
        snapshot = copy_within(
            self.elasticache_backend, source, target, self._get_param("KmsKeyId"), self._get_param("Tags", [])
        )
    return ActionResult({"Snapshot": snapshot})


_original: dict[str, Any] = {}


def _create_snapshot(
    self: ElastiCacheBackend, snapshot_name: str, replication_group_id: str | None = None, *args, **kwargs
) -> Snapshot:
    snapshot = _original["create_snapshot"](self, snapshot_name, replication_group_id, *args, **kwargs)
    server = caches.server_of(self.account_id, self.region_name, replication_group_id or "")
    if server is not None:
        DATA[(self.account_id, self.region_name, snapshot_name)] = caches.dump(server)
    return snapshot


def _delete_snapshot(self: ElastiCacheBackend, snapshot_name: str, *args, **kwargs) -> Snapshot:
    snapshot = _original["delete_snapshot"](self, snapshot_name, *args, **kwargs)
    DATA.pop((self.account_id, self.region_name, snapshot_name), None)
    return snapshot


def _create_replication_group(self: ElastiCacheBackend, *args, **kwargs) -> ReplicationGroup:
    arns = kwargs.get("snapshot_arns") or []
    if arns:
        cluster_mode = kwargs.get("cluster_mode") == "enabled" or (kwargs.get("num_node_groups") or 1) > 1
        check_seed(self.account_id, self.region_name, arns, cluster_mode)
    return _original["create_replication_group"](self, *args, **kwargs)


def install() -> None:
    ElastiCacheResponse.copy_snapshot = copy_snapshot
    for name, wrapper in (
        ("create_snapshot", _create_snapshot),
        ("delete_snapshot", _delete_snapshot),
        ("create_replication_group", _create_replication_group),
    ):
        _original[name] = getattr(ElastiCacheBackend, name)
        setattr(ElastiCacheBackend, name, wrapper)
    caches.SEEDS.append(_seed)
    control.RESET_HOOKS.append(DATA.clear)
