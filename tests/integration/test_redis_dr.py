"""Redis in the DR region on the deployed platform (inventories/local has production's Global Datastore): site.yml
deploys the secondary in the DR region after the primary, and it takes the primary's encryption and AUTH."""

from __future__ import annotations

import time

import pytest
import redis as redis_client

from emulator import tls
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
    # the secondary is a real replica of the primary (the platform fixture runs real caches): TLS only, the primary's
    # AUTH token, what is written to the primary arrives, and it refuses writes itself
    token = client("secretsmanager").get_secret_value(SecretId=redis["AuthTokenSecretName"])["SecretString"]

    def connect(outputs):
        return redis_client.Redis(
            host=outputs["RedisEndpoint"],
            port=int(outputs["RedisPort"]),
            password=token,
            ssl=True,
            ssl_ca_certs=str(tls.files(deployed.tls_dir).ca),
            decode_responses=True,
        )

    with connect(redis) as primary, connect(dr) as replica:
        primary.set("test-redis-dr", "replicated", ex=60)
        deadline = time.time() + 10
        while replica.get("test-redis-dr") != "replicated":
            assert time.time() < deadline, "the write did not reach the DR region's replica"
            time.sleep(0.1)
        with pytest.raises(redis_client.ReadOnlyError):
            replica.set("test-redis-dr", "written in the DR region")
        primary.delete("test-redis-dr")
