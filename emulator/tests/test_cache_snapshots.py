"""ElastiCache snapshots that hold a Redis dump, exported to S3 and seeding new replication groups
(emulator/aws/cache_snapshots.py), as AWS documents them:

- https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html (CopySnapshot with TargetBucket:
  ``<name>-0001.rdb``, one object per shard; ElastiCache's access by a bucket policy for
  ``<region>.elasticache-snapshot.amazonaws.com`` or bucket ACL grants to its canonical user ID; the "has not been
  granted READ / WRITE / READ_ACP permissions" messages)
- https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CopySnapshot.html (the bucket's errors,
  SnapshotNotFoundFault, SnapshotAlreadyExistsFault, InvalidSnapshotState)
- https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-seeding-redis.html and
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-migrating-acls-prerequisites.html#object-ownership-elasticache-redis
  (SnapshotArns: a bucket of the group's region, read access for ElastiCache; ACL grants count only where ACLs are
  enabled)
"""

from __future__ import annotations

import json
import types

import pytest
import yaml
from botocore.exceptions import ClientError

from emulator.aws import cache_snapshots
from emulator.seed import failures

# What the export page's bucket policy allows ElastiCache, and what seeding needs (the S3 guide's ElastiCache section).
EXPORT_ACTIONS = (
    "s3:PutObject",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:GetBucketAcl",
    "s3:ListMultipartUploadParts",
    "s3:ListBucketMultipartUploads",
)
SEED_ACTIONS = ("s3:GetObject", "s3:ListBucket", "s3:GetBucketAcl")
CANONICAL_ID = "540804c33a284a299d2547575ce1010f2312ef3da9b3a053c8bc45bf233e4353"
EMPTY_RDB = b"REDIS0009\xff" + bytes(8)


def _policy(bucket: str, region: str, actions) -> str:
    """The page's statement for the region's ElastiCache principal, beside the product's Deny of plain HTTP."""
    resources = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": f"{region}.elasticache-snapshot.amazonaws.com"},
                    "Action": list(actions),
                    "Resource": resources,
                },
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": resources,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )


def _bucket(client, name: str, region: str = "us-west-2", actions=EXPORT_ACTIONS, **create):
    """A bucket of the region (S3's default Object Ownership unless ``create`` says otherwise: BucketOwnerEnforced,
    ACLs disabled) whose policy allows the region's ElastiCache principal ``actions`` (none: no policy)."""
    s3 = client("s3", region)
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **where, **create)
    if actions:
        s3.put_bucket_policy(Bucket=name, Policy=_policy(name, region, actions))
    return s3


def _keys(s3, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _body(s3, bucket: str, key: str) -> bytes:
    """GetObject by the bucket owner."""
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def _refusal(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def _export(client, snapshot: str, bucket: str, target: str | None = None) -> dict:
    return client("elasticache").copy_snapshot(
        SourceSnapshotName=snapshot, TargetSnapshotName=target or snapshot, TargetBucket=bucket
    )["Snapshot"]


# --- export and seeding with real data --------------------------------------------------------------------------


def test_a_snapshot_holds_the_data_of_its_moment_and_its_export_seeds_groups_in_both_regions(
    aws, command, cache_group, client
):
    """The export page's steps with the recommended bucket policy on a bucket with ACLs disabled; then the object
    seeds a group in its region (CreateReplicationGroup) and, copied to the DR region, one there (CloudFormation)."""
    _host, port = cache_group("cache")
    command(port, "SET", "model:1", "before")
    elasticache = client("elasticache")
    elasticache.create_snapshot(ReplicationGroupId="cache", SnapshotName="cache-copy")
    command(port, "SET", "model:2", "after")

    s3 = _bucket(client, "exports")
    ownership = s3.get_bucket_ownership_controls(Bucket="exports")["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    answer = _export(client, "cache-copy", "exports")
    assert (answer["SnapshotName"], answer["SnapshotStatus"]) == ("cache-copy", "exporting")
    assert elasticache.describe_snapshots(SnapshotName="cache-copy")["Snapshots"][0]["SnapshotStatus"] == "available"
    assert _keys(s3, "exports") == ["cache-copy-0001.rdb"]  # "ElastiCache adds an instance identifier and .rdb"
    assert _body(s3, "exports", "cache-copy-0001.rdb").startswith(b"REDIS")  # the bucket owner reads it

    _host, seeded = cache_group("cache-restored", SnapshotArns=["arn:aws:s3:::exports/cache-copy-0001.rdb"])
    assert command(seeded, "GET", "model:1") == "before"
    assert command(seeded, "GET", "model:2") is None  # written after the snapshot

    dr_s3 = _bucket(client, "seeds", "us-east-1", SEED_ACTIONS)
    dr_s3.copy_object(
        Bucket="seeds", Key="cache-copy-0001.rdb", CopySource={"Bucket": "exports", "Key": "cache-copy-0001.rdb"}
    )
    client("cloudformation", "us-east-1").create_stack(StackName="dr", TemplateBody=_seeded_stack("seeds"))
    dr = client("elasticache", "us-east-1").describe_replication_groups(ReplicationGroupId="cache-dr")
    dr_port = dr["ReplicationGroups"][0]["NodeGroups"][0]["PrimaryEndpoint"]["Port"]
    assert command(dr_port, "GET", "model:1", ca=None, password=None) == "before"  # no in-transit encryption
    assert command(dr_port, "GET", "model:2", ca=None, password=None) is None


def _seeded_stack(bucket: str) -> str:
    group = {
        "ReplicationGroupId": "cache-dr",
        "ReplicationGroupDescription": "seeded from S3",
        "NumCacheClusters": 2,
        "CacheNodeType": "cache.r6g.large",
        "SnapshotArns": [f"arn:aws:s3:::{bucket}/cache-copy-0001.rdb"],
    }
    return yaml.safe_dump({"Resources": {"Cache": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": group}}})


def test_a_plain_copy_is_a_new_manual_snapshot_with_the_same_data(command, cache_group, client):
    """CopySnapshot without TargetBucket (API reference): a new snapshot; a name taken or a missing source refused."""
    _host, port = cache_group("cache")
    command(port, "SET", "model:1", "v1")
    elasticache = client("elasticache")
    elasticache.create_snapshot(ReplicationGroupId="cache", SnapshotName="nightly")
    copied = elasticache.copy_snapshot(SourceSnapshotName="nightly", TargetSnapshotName="kept")["Snapshot"]
    fields = ("SnapshotName", "SnapshotStatus", "SnapshotSource", "ReplicationGroupId")
    assert [copied[f] for f in fields] == ["kept", "available", "manual", "cache"]
    elasticache.delete_snapshot(SnapshotName="nightly")  # the copy has its own data

    _bucket(client, "exports")
    _export(client, "kept", "exports")
    _host, seeded = cache_group("restored", SnapshotArns=["arn:aws:s3:::exports/kept-0001.rdb"])
    assert command(seeded, "GET", "model:1") == "v1"

    taken = _refusal(lambda: elasticache.copy_snapshot(SourceSnapshotName="kept", TargetSnapshotName="kept"))
    assert taken == ("SnapshotAlreadyExistsFault", "Snapshot kept already exists.")
    missing = _refusal(lambda: elasticache.copy_snapshot(SourceSnapshotName="nightly", TargetSnapshotName="again"))
    assert missing == ("SnapshotNotFoundFault", "Snapshot nightly not found.")
    assert [s["SnapshotName"] for s in elasticache.describe_snapshots()["Snapshots"]] == ["kept"]


def test_deleting_a_snapshot_or_resetting_drops_its_data_and_an_empty_export_loads(aws, command, cache_group, client):
    """A snapshot of a group without a real server exports an empty RDB file, which a real redis-server loads."""
    _host, port = cache_group("cache")
    command(port, "SET", "model:1", "v1")
    elasticache = client("elasticache")
    elasticache.create_snapshot(ReplicationGroupId="cache", SnapshotName="nightly")
    elasticache.delete_snapshot(SnapshotName="nightly")
    aws.post("aws", "/_emulator/config", {"caches": "off"})
    cache_group("plain")  # no real server: its snapshots hold no data
    elasticache.create_snapshot(ReplicationGroupId="plain", SnapshotName="nightly")  # the deleted one's name
    s3 = _bucket(client, "exports")
    _export(client, "nightly", "exports")
    assert _body(s3, "exports", "nightly-0001.rdb") == EMPTY_RDB

    aws.post("aws", "/_emulator/config", {"caches": "redis"})
    _host, seeded = cache_group("restored", SnapshotArns=["arn:aws:s3:::exports/nightly-0001.rdb"])
    assert command(seeded, "DBSIZE") == 0

    command(seeded, "SET", "model:1", "v2")
    elasticache.create_snapshot(ReplicationGroupId="restored", SnapshotName="weekly")
    aws.reset()
    cache_group("plain")
    elasticache.create_snapshot(ReplicationGroupId="plain", SnapshotName="weekly")
    _bucket(client, "exports")
    _export(client, "weekly", "exports")
    assert _body(s3, "exports", "weekly-0001.rdb") == EMPTY_RDB  # the reset dropped the data


def test_a_group_of_two_shards_exports_one_object_per_shard_and_is_seeded_from_both(client):
    """The export page: "-0001, -0002 ..." per node group; SnapshotArns lists every shard's object."""
    elasticache = client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId="sharded",
        ReplicationGroupDescription="two shards",
        ClusterMode="enabled",
        NumNodeGroups=2,
        ReplicasPerNodeGroup=1,
    )
    elasticache.create_snapshot(ReplicationGroupId="sharded", SnapshotName="sharded-copy")
    s3 = _bucket(client, "exports")
    _export(client, "sharded-copy", "exports")
    assert _keys(s3, "exports") == ["sharded-copy-0001.rdb", "sharded-copy-0002.rdb"]
    arns = [f"arn:aws:s3:::exports/{key}" for key in _keys(s3, "exports")]
    elasticache.create_replication_group(
        ReplicationGroupId="sharded-restored",
        ReplicationGroupDescription="seeded",
        ClusterMode="enabled",
        NumNodeGroups=2,
        SnapshotArns=arns,
    )


# --- refusals: nothing is written, nothing is created ----------------------------------------------------------


def _no_policy(client):
    _bucket(client, "exports", actions=())


def _policy_without(action: str):
    return lambda client: _bucket(client, "exports", actions=[a for a in EXPORT_ACTIONS if a != action])


def _other_region(client):
    _bucket(client, "exports", "us-east-1")


def _no_bucket(client):
    pass


def _key_taken(client):
    _bucket(client, "exports").put_object(Bucket="exports", Key="nightly-0001.rdb", Body=b"not ElastiCache's")


EXPORT_REFUSALS = {
    "no grant": (_no_policy, "ElastiCache has not been granted READ permissions exports on the S3 Bucket."),
    "no PutObject": (
        _policy_without("s3:PutObject"),
        "ElastiCache has not been granted WRITE permissions exports on the S3 Bucket.",
    ),
    "no GetBucketAcl": (
        _policy_without("s3:GetBucketAcl"),
        "ElastiCache has not been granted READ_ACP permissions exports on the S3 Bucket.",
    ),
    "another region": (_other_region, "The S3 bucket exports is outside of the region."),
    "missing bucket": (_no_bucket, "The S3 bucket exports does not exist."),
    "key taken": (_key_taken, "The S3 bucket exports already contains an object with key nightly-0001.rdb."),
}


@pytest.mark.parametrize(("setup", "message"), EXPORT_REFUSALS.values(), ids=EXPORT_REFUSALS.keys())
def test_an_export_elasticache_cannot_make_is_refused_and_writes_nothing(aws, cache_group, client, setup, message):
    """The export page's and the API reference's messages, InvalidParameterValue."""
    cache_group("cache")
    client("elasticache").create_snapshot(ReplicationGroupId="cache", SnapshotName="nightly")
    setup(client)
    before = {b["Name"]: _keys(client("s3"), b["Name"]) for b in client("s3").list_buckets()["Buckets"]}
    assert _refusal(lambda: _export(client, "nightly", "exports")) == ("InvalidParameterValue", message)
    after = {b["Name"]: _keys(client("s3"), b["Name"]) for b in client("s3").list_buckets()["Buckets"]}
    assert after == before
    if "exports" in after and after["exports"]:
        assert _body(client("s3"), "exports", "nightly-0001.rdb") == b"not ElastiCache's"


def test_an_export_to_a_bucket_of_another_account_is_refused(cache_group, client):
    """API reference: "The S3 bucket %s is not owned by the authenticated user." (moto's x-moto-account-id header
    makes the other account's request)."""
    other = client("s3")
    other.meta.events.register(
        "before-sign.s3.*", lambda request, **kw: request.headers.__setitem__("x-moto-account-id", "111122223333")
    )
    other.create_bucket(Bucket="theirs", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    other.put_bucket_policy(Bucket="theirs", Policy=_policy("theirs", "us-west-2", EXPORT_ACTIONS))
    cache_group("cache")
    client("elasticache").create_snapshot(ReplicationGroupId="cache", SnapshotName="nightly")
    assert _refusal(lambda: _export(client, "nightly", "theirs")) == (
        "InvalidParameterValue",
        "The S3 bucket theirs is not owned by the authenticated user.",
    )
    assert _keys(other, "theirs") == []


def _seed_object(actions=SEED_ACTIONS, region: str = "us-west-2", body: bytes = EMPTY_RDB, granted: str = ""):
    """Setup: ``nightly-0001.rdb`` in a bucket ``seeds`` of ``region`` whose policy allows ``actions`` to the
    ElastiCache principal of ``granted`` (by default the bucket's region)."""

    def setup(client):
        s3 = _bucket(client, "seeds", region, ())
        if actions:
            s3.put_bucket_policy(Bucket="seeds", Policy=_policy("seeds", granted or region, actions))
        s3.put_object(Bucket="seeds", Key="nightly-0001.rdb", Body=body)

    return setup


ARN = "arn:aws:s3:::seeds/nightly-0001.rdb"
NO_READ = f"ElastiCache has not been granted read access to the object {ARN}"
SEED_REFUSALS = {
    "no grant": (_seed_object(actions=()), [ARN], NO_READ),
    "no GetObject": (_seed_object(actions=("s3:ListBucket", "s3:GetBucketAcl")), [ARN], NO_READ),
    "another region's principal": (_seed_object(granted="us-east-1"), [ARN], NO_READ),
    "missing object": (lambda client: _bucket(client, "seeds", actions=SEED_ACTIONS), [ARN], f"The object {ARN} does"),
    "another region": (_seed_object(region="us-east-1"), [ARN], "The S3 bucket seeds is outside of the region."),
    "missing bucket": (_no_bucket, [ARN], "The S3 bucket seeds does not exist."),
    "not an RDB file": (_seed_object(body=b"hello"), [ARN], f"The object {ARN} is not a Redis RDB file."),
    "two files for one shard": (_seed_object(), [ARN, ARN], "A cluster-mode disabled replication group is seeded"),
}


@pytest.mark.parametrize(("setup", "arns", "message"), SEED_REFUSALS.values(), ids=SEED_REFUSALS.keys())
def test_a_seed_elasticache_cannot_read_is_refused_before_anything_is_created(caches, client, setup, arns, message):
    """The seeding page and the S3 guide's ElastiCache section; AWS reports a failed seed as an event (create-failed
    group), the emulator refuses the call (InvalidParameterValue, its own wording) with real caches on: no group, no
    server."""
    setup(client)
    elasticache = client("elasticache")
    code, refused = _refusal(
        lambda: elasticache.create_replication_group(
            ReplicationGroupId="cache-dr", ReplicationGroupDescription="seeded", NumCacheClusters=2, SnapshotArns=arns
        )
    )
    assert code == "InvalidParameterValue" and refused.startswith(message)
    assert elasticache.describe_replication_groups()["ReplicationGroups"] == []


def test_cloudformation_fails_a_replication_group_whose_seed_elasticache_cannot_read(client):
    """AWS::ElastiCache::ReplicationGroup's SnapshotArns go through the same checks: the resource fails, the stack
    rolls back, the reason names the object."""
    _seed_object(actions=())(client)
    cloudformation = client("cloudformation")
    cloudformation.create_stack(StackName="dr", TemplateBody=_seeded_stack("seeds").replace("cache-copy", "nightly"))
    assert cloudformation.describe_stacks(StackName="dr")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    [(resource, status, reason)] = failures(client, "dr", "us-west-2")
    assert (resource, status) == ("Cache", "CREATE_FAILED") and NO_READ in reason
    assert client("elasticache").describe_replication_groups()["ReplicationGroups"] == []


# --- the older way: ACL grants to ElastiCache's canonical user ID, where ACLs are enabled -------------------------


def test_acl_grants_to_elasticaches_canonical_id_count_only_where_acls_are_enabled(cache_group, client):
    """The export page's ACL way (READ, WRITE, READ_ACP on the bucket) and the seeding page's (READ on the object);
    "When you disable ACLs, permissions granted by bucket and object ACLs no longer affect access" (S3 guide)."""
    grant = f"id={CANONICAL_ID}"
    cache_group("cache")
    elasticache = client("elasticache")
    elasticache.create_snapshot(ReplicationGroupId="cache", SnapshotName="nightly")

    enforced = _bucket(client, "enforced", actions=())
    enforced.put_bucket_acl(Bucket="enforced", GrantFullControl=grant)
    assert _refusal(lambda: _export(client, "nightly", "enforced")) == (
        "InvalidParameterValue",
        "ElastiCache has not been granted READ permissions enforced on the S3 Bucket.",
    )

    s3 = _bucket(client, "legacy", actions=(), ObjectOwnership="ObjectWriter")
    s3.put_bucket_acl(Bucket="legacy", GrantRead=grant, GrantWrite=grant, GrantReadACP=grant)
    _export(client, "nightly", "legacy")
    assert _keys(s3, "legacy") == ["nightly-0001.rdb"]

    def seed():
        return elasticache.create_replication_group(
            ReplicationGroupId="restored",
            ReplicationGroupDescription="seeded",
            NumCacheClusters=2,
            SnapshotArns=["arn:aws:s3:::legacy/nightly-0001.rdb"],
        )

    code, message = _refusal(seed)  # the bucket's grants are not the object's
    assert (code, message.startswith("ElastiCache has not been granted read access")) == ("InvalidParameterValue", True)
    s3.put_object_acl(Bucket="legacy", Key="nightly-0001.rdb", GrantRead=grant)
    assert seed()["ReplicationGroup"]["ReplicationGroupId"] == "restored"


def test_a_source_snapshot_that_is_not_available_is_neither_copied_nor_exported():
    """API reference: InvalidSnapshotState. moto's snapshots are available at once, so no HTTP request reaches
    this state: the backend functions are called with a snapshot that is still being created."""
    backend = types.SimpleNamespace(
        account_id="123456789012",
        region_name="us-west-2",
        snapshots={"nightly": types.SimpleNamespace(snapshot_status="creating")},
    )
    for call in (
        lambda: cache_snapshots.copy_within(backend, "nightly", "kept"),
        lambda: cache_snapshots.export(backend, "nightly", "nightly", "exports"),
    ):
        with pytest.raises(cache_snapshots.InvalidSnapshotStateFault) as error:
            call()
        assert error.value.code == "InvalidSnapshotState"
