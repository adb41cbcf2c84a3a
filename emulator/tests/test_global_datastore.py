"""ElastiCache Global Datastore as the ElastiCache API reference and user guide describe it.

- https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastore.html
- https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-CLI.html (ID prefixes per region,
  the secondary joining with create-replication-group --global-replication-group-id, failover, disassociate, delete)
- https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_FailoverGlobalReplicationGroup.html
- https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html (GlobalDatastoreReplicationLag:
  the lag of the secondary region's primary node behind the primary region's, in seconds)
"""

from __future__ import annotations

import datetime

import pytest
import yaml
from botocore.exceptions import ClientError


def _primary(client, node_type: str = "cache.r6g.large") -> None:
    client("elasticache").create_replication_group(
        ReplicationGroupId="cache",
        ReplicationGroupDescription="primary",
        NumCacheClusters=2,
        CacheNodeType=node_type,
        Engine="redis",
        EngineVersion="7.1",
        AutomaticFailoverEnabled=True,
        TransitEncryptionEnabled=True,
        AtRestEncryptionEnabled=True,
        AuthToken="a-long-enough-auth-token-0123456789",
    )


def _create_global(client, suffix: str = "registry") -> dict:
    return client("elasticache").create_global_replication_group(
        GlobalReplicationGroupIdSuffix=suffix, PrimaryReplicationGroupId="cache"
    )["GlobalReplicationGroup"]


def _secondary(client, name: str = "cache-dr", region: str = "us-east-1") -> dict:
    return client("elasticache", region).create_replication_group(
        ReplicationGroupId=name,
        ReplicationGroupDescription="secondary",
        GlobalReplicationGroupId="sgaui-registry",
        NumCacheClusters=2,
    )["ReplicationGroup"]


def _global(client, members: bool = True) -> dict:
    return client("elasticache", "eu-west-1").describe_global_replication_groups(
        GlobalReplicationGroupId="sgaui-registry", ShowMemberInfo=members
    )["GlobalReplicationGroups"][0]


def _roles(client) -> dict[str, str]:
    return {m["ReplicationGroupId"]: m["Role"] for m in _global(client)["Members"]}


def test_a_global_datastore_takes_the_primarys_settings_and_a_secondary_joins_it(client):
    _primary(client)
    created = client("elasticache").create_global_replication_group(
        GlobalReplicationGroupIdSuffix="registry", PrimaryReplicationGroupId="cache"
    )["GlobalReplicationGroup"]
    assert created["GlobalReplicationGroupId"] == "sgaui-registry"  # us-west-2's prefix
    assert created["ARN"] == "arn:aws:elasticache::123456789012:globalreplicationgroup:sgaui-registry"
    assert created["Status"] == "primary-only" and created["CacheNodeType"] == "cache.r6g.large"
    assert created["AuthTokenEnabled"] and created["TransitEncryptionEnabled"] and created["AtRestEncryptionEnabled"]

    secondary = _secondary(client)
    assert secondary["GlobalReplicationGroupInfo"] == {
        "GlobalReplicationGroupId": "sgaui-registry",
        "GlobalReplicationGroupMemberRole": "SECONDARY",
    }
    assert secondary["AuthTokenEnabled"] and secondary["TransitEncryptionEnabled"]  # the global datastore's
    described = _global(client)
    assert described["Status"] == "available"
    assert [(m["ReplicationGroupId"], m["ReplicationGroupRegion"], m["Role"]) for m in described["Members"]] == [
        ("cache", "us-west-2", "PRIMARY"),
        ("cache-dr", "us-east-1", "SECONDARY"),
    ]
    assert "Members" not in _global(client, members=False)  # only with ShowMemberInfo
    primary = client("elasticache").describe_replication_groups(ReplicationGroupId="cache")["ReplicationGroups"][0]
    assert primary["GlobalReplicationGroupInfo"]["GlobalReplicationGroupMemberRole"] == "PRIMARY"


def test_what_a_global_datastore_refuses(client):
    elasticache = client("elasticache")
    _primary(client, node_type="cache.t4g.micro")
    with pytest.raises(ClientError) as small:
        elasticache.create_global_replication_group(
            GlobalReplicationGroupIdSuffix="r", PrimaryReplicationGroupId="cache"
        )
    assert small.value.response["Error"]["Code"] == "InvalidParameterValue"
    elasticache.delete_replication_group(ReplicationGroupId="cache")
    _primary(client)
    elasticache.create_global_replication_group(
        GlobalReplicationGroupIdSuffix="registry", PrimaryReplicationGroupId="cache"
    )
    with pytest.raises(ClientError) as member:
        elasticache.create_global_replication_group(
            GlobalReplicationGroupIdSuffix="other", PrimaryReplicationGroupId="cache"
        )
    assert member.value.response["Error"]["Code"] == "InvalidReplicationGroupState"
    with pytest.raises(ClientError) as missing:
        client("elasticache", "us-east-1").describe_global_replication_groups(GlobalReplicationGroupId="sgaui-nope")
    assert missing.value.response["Error"]["Code"] == "GlobalReplicationGroupNotFoundFault"
    _secondary(client)
    with pytest.raises(ClientError) as same_region:
        _secondary(client, "cache-dr-2")
    assert same_region.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert client("elasticache", "us-east-1").describe_replication_groups()["ReplicationGroups"][0][
        "ReplicationGroupId"
    ] == ("cache-dr")
    with pytest.raises(ClientError) as in_use:
        elasticache.delete_replication_group(ReplicationGroupId="cache")
    assert in_use.value.response["Error"]["Code"] == "InvalidReplicationGroupState"
    with pytest.raises(ClientError) as not_empty:
        elasticache.delete_global_replication_group(
            GlobalReplicationGroupId="sgaui-registry", RetainPrimaryReplicationGroup=True
        )
    assert not_empty.value.response["Error"]["Code"] == "InvalidGlobalReplicationGroupState"


def test_failover_promotes_the_secondary_after_a_modifying_phase(aws, client):
    aws.post("aws", "/_emulator/config", {"redis_global_failover_seconds": 600})  # held modifying, then released
    _primary(client)
    client("elasticache").create_global_replication_group(
        GlobalReplicationGroupIdSuffix="registry", PrimaryReplicationGroupId="cache"
    )
    _secondary(client)
    dr = client("elasticache", "us-east-1")
    with pytest.raises(ClientError) as not_secondary:
        dr.failover_global_replication_group(
            GlobalReplicationGroupId="sgaui-registry", PrimaryRegion="us-west-2", PrimaryReplicationGroupId="cache"
        )
    assert not_secondary.value.response["Error"]["Code"] == "InvalidParameterValue"
    answer = dr.failover_global_replication_group(
        GlobalReplicationGroupId="sgaui-registry", PrimaryRegion="us-east-1", PrimaryReplicationGroupId="cache-dr"
    )["GlobalReplicationGroup"]
    assert answer["Status"] == "modifying" and _roles(client) == {"cache": "PRIMARY", "cache-dr": "SECONDARY"}
    with pytest.raises(ClientError) as busy:
        dr.failover_global_replication_group(
            GlobalReplicationGroupId="sgaui-registry", PrimaryRegion="us-east-1", PrimaryReplicationGroupId="cache-dr"
        )
    assert busy.value.response["Error"]["Code"] == "InvalidGlobalReplicationGroupState"
    aws.post("aws", "/_emulator/config", {"redis_global_failover_seconds": 0})
    assert _global(client)["Status"] == "available"
    assert _roles(client) == {"cache": "SECONDARY", "cache-dr": "PRIMARY"}
    promoted = dr.describe_replication_groups(ReplicationGroupId="cache-dr")["ReplicationGroups"][0]
    assert promoted["GlobalReplicationGroupInfo"]["GlobalReplicationGroupMemberRole"] == "PRIMARY"


def _lag(client, region: str, node: str) -> list[float]:
    now = datetime.datetime.now(datetime.UTC)
    return client("cloudwatch", region).get_metric_statistics(
        Namespace="AWS/ElastiCache",
        MetricName="GlobalDatastoreReplicationLag",
        Dimensions=[{"Name": "CacheClusterId", "Value": node}],
        StartTime=now - datetime.timedelta(minutes=5),
        EndTime=now + datetime.timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]


def test_the_secondarys_primary_node_publishes_its_replication_lag_in_seconds(aws, client):
    aws.post(
        "aws",
        "/_emulator/config",
        {
            "replication_lag_ms": {"cache-dr": 2500},
            "redis_global_failover_seconds": 0,
            "first_lag_datapoint_seconds": 600,  # held back, then released: no race
        },
    )
    _primary(client)
    _create_global(client)
    node = _secondary(client)["MemberClusters"][0]
    (point,) = _lag(client, "us-east-1", node)
    assert (point["Maximum"], point["Unit"]) == (2.5, "Seconds")
    assert _lag(client, "us-west-2", "cache-001") == []  # a primary has no lag to publish
    # after a failover the roles swap: the former primary's node publishes, the new primary's does not again
    client("elasticache", "us-east-1").failover_global_replication_group(
        GlobalReplicationGroupId="sgaui-registry", PrimaryRegion="us-east-1", PrimaryReplicationGroupId="cache-dr"
    )
    assert _roles(client) == {"cache": "SECONDARY", "cache-dr": "PRIMARY"}
    assert _lag(client, "us-west-2", "cache-001") == []  # a new secondary's first datapoint comes with the next minute
    aws.post("aws", "/_emulator/config", {"first_lag_datapoint_seconds": 0})
    assert len(_lag(client, "us-west-2", "cache-001")) == 1


def test_a_secondary_leaves_then_the_global_datastore_is_deleted_and_the_primary_stays(client):
    elasticache = client("elasticache")
    _primary(client)
    elasticache.create_global_replication_group(
        GlobalReplicationGroupIdSuffix="registry", PrimaryReplicationGroupId="cache"
    )
    _secondary(client)
    left = elasticache.disassociate_global_replication_group(
        GlobalReplicationGroupId="sgaui-registry", ReplicationGroupId="cache-dr", ReplicationGroupRegion="us-east-1"
    )["GlobalReplicationGroup"]
    assert left["Status"] == "primary-only"
    client("elasticache", "us-east-1").delete_replication_group(ReplicationGroupId="cache-dr")  # stand-alone now
    elasticache.delete_global_replication_group(
        GlobalReplicationGroupId="sgaui-registry", RetainPrimaryReplicationGroup=True
    )
    assert elasticache.describe_global_replication_groups()["GlobalReplicationGroups"] == []
    primary = elasticache.describe_replication_groups(ReplicationGroupId="cache")["ReplicationGroups"][0]
    assert primary["Status"] == "available"


PRIMARY_STACK = {
    "Resources": {
        "Global": {
            "Type": "AWS::ElastiCache::GlobalReplicationGroup",
            "Properties": {
                "GlobalReplicationGroupIdSuffix": "registry",
                "Members": [{"ReplicationGroupId": "cache", "ReplicationGroupRegion": "us-west-2", "Role": "PRIMARY"}],
            },
        }
    },
    "Outputs": {
        "Id": {"Value": {"Ref": "Global"}},
        "Arn": {"Value": {"Fn::GetAtt": ["Global", "Arn"]}},
    },
}
SECONDARY_STACK = {
    "Parameters": {"GlobalId": {"Type": "String"}},
    "Resources": {
        "Secondary": {
            "Type": "AWS::ElastiCache::ReplicationGroup",
            "Properties": {
                "ReplicationGroupId": "cache-dr",
                "ReplicationGroupDescription": "secondary",
                "GlobalReplicationGroupId": {"Ref": "GlobalId"},
                "NumCacheClusters": 2,
            },
        }
    },
}


def test_cloudformation_deploys_the_global_datastore_and_its_secondary_in_order_and_deletes_them(client):
    _primary(client)
    primary_stack, dr_stack = client("cloudformation"), client("cloudformation", "us-east-1")
    primary_stack.create_stack(StackName="redis", TemplateBody=yaml.safe_dump(PRIMARY_STACK))
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in primary_stack.describe_stacks(StackName="redis")["Stacks"][0]["Outputs"]
    }
    assert outputs == {
        "Id": "sgaui-registry",
        "Arn": "arn:aws:elasticache::123456789012:globalreplicationgroup:sgaui-registry",
    }
    dr_stack.create_stack(
        StackName="redis-dr",
        TemplateBody=yaml.safe_dump(SECONDARY_STACK),
        Parameters=[{"ParameterKey": "GlobalId", "ParameterValue": "sgaui-registry"}],
    )
    assert _roles(client) == {"cache": "PRIMARY", "cache-dr": "SECONDARY"}
    dr_stack.delete_stack(StackName="redis-dr")  # the secondary leaves the global datastore, then goes
    assert client("elasticache", "us-east-1").describe_replication_groups()["ReplicationGroups"] == []
    primary_stack.delete_stack(StackName="redis")
    assert client("elasticache").describe_global_replication_groups()["GlobalReplicationGroups"] == []
