"""Redis in the DR region on the deployed platform (inventories/local has production's Global Datastore): site.yml
deploys the secondary in the DR region after the primary, and it takes the primary's encryption and AUTH."""

from __future__ import annotations

from tests.integration.drills import stack_outputs

DR = "us-east-1"


def test_site_deploys_the_global_datastore_and_its_secondary_in_the_dr_region(deployed):
    client = deployed.client
    redis = stack_outputs(client, "redis")
    dr_stack = client("cloudformation", DR).describe_stacks(StackName="ai-model-registry-development-redis-dr")
    dr = {o["OutputKey"]: o["OutputValue"] for o in dr_stack["Stacks"][0]["Outputs"]}
    found = client("elasticache", DR).describe_global_replication_groups(
        GlobalReplicationGroupId=redis["GlobalReplicationGroupId"], ShowMemberInfo=True
    )["GlobalReplicationGroups"][0]
    assert found["GlobalReplicationGroupId"] == "sgaui-ai-model-registry-development-redis"
    assert found["Status"] == "available"
    assert [(m["ReplicationGroupId"], m["ReplicationGroupRegion"], m["Role"]) for m in found["Members"]] == [
        (redis["ReplicationGroupId"], "us-west-2", "PRIMARY"),
        (dr["ReplicationGroupId"], DR, "SECONDARY"),
    ]
    secondary = client("elasticache", DR).describe_replication_groups(ReplicationGroupId=dr["ReplicationGroupId"])
    secondary = secondary["ReplicationGroups"][0]
    assert [secondary[k] for k in ("AuthTokenEnabled", "TransitEncryptionEnabled", "AtRestEncryptionEnabled")] == [
        True,
        True,
        True,
    ]
    assert dr["KmsKeyArn"].endswith(f":key/{secondary['KmsKeyId']}")  # a key of the DR region
    assert dr["RedisEndpoint"].endswith(".use1.cache.amazonaws.com") and dr["RedisPort"] == "6379"
