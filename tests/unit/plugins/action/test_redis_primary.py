"""redis_primary: where the clients of a Redis replication group write - the Global Datastore's primary."""

from __future__ import annotations

import botocore.exceptions
import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.ai_model_registry.infra.plugins.action import redis_primary as plugin
from ansible_collections.ai_model_registry.infra.plugins.module_utils.global_datastore import find_primary
from tests.unit.plugins.helpers import run_read_action

OWN = ("us-west-2", "registry-redis")
DR = ("us-east-1", "registry-redis-dr")


class FakeApi:
    """ElastiCache of two regions: each group's endpoint, and a Global Datastore whose primary is ``primary``."""

    def __init__(self, primary=OWN, global_id="sgaui-registry-redis"):
        self.primary, self.global_id, self.api_calls = primary, global_id, []

    def __call__(self, service, region):
        api = self

        class Client:
            def call(self, action, **params):
                api.api_calls.append((region, action))
                if action == "DescribeGlobalReplicationGroups":
                    members = [
                        {
                            "ReplicationGroupRegion": r,
                            "ReplicationGroupId": g,
                            "Role": "PRIMARY" if (r, g) == api.primary else "SECONDARY",
                        }
                        for r, g in (OWN, DR)
                    ]
                    return {"GlobalReplicationGroups": [{"Members": members}]}
                group = {
                    "ReplicationGroupId": params["ReplicationGroupId"],
                    "NodeGroups": [
                        {"PrimaryEndpoint": {"Address": f"{params['ReplicationGroupId']}.{region}", "Port": 6379}}
                    ],
                }
                if api.global_id:
                    group["GlobalReplicationGroupInfo"] = {"GlobalReplicationGroupId": api.global_id}
                return {"ReplicationGroups": [group]}

        return Client()


def test_the_own_group_as_primary_is_where_its_clients_write():
    api = FakeApi()
    found = find_primary(api, *OWN)
    assert found == {
        "replication_group_id": "registry-redis",
        "region": "us-west-2",
        "endpoint": {"address": "registry-redis.us-west-2", "port": 6379},
        "global_replication_group_id": "sgaui-registry-redis",
    }
    assert [call[1] for call in api.api_calls] == ["DescribeReplicationGroups", "DescribeGlobalReplicationGroups"]


def test_after_a_failover_the_dr_regions_group_is_described_in_its_region():
    api = FakeApi(primary=DR)
    found = find_primary(api, *OWN)
    assert (found["replication_group_id"], found["region"]) == ("registry-redis-dr", "us-east-1")
    assert found["endpoint"] == {"address": "registry-redis-dr.us-east-1", "port": 6379}
    assert api.api_calls[-1] == ("us-east-1", "DescribeReplicationGroups")


def test_a_group_in_no_global_datastore_is_its_own_primary_in_one_call():
    api = FakeApi(global_id=None)
    found = find_primary(api, *OWN)
    assert found["global_replication_group_id"] is None and found["endpoint"]["address"] == "registry-redis.us-west-2"
    assert len(api.api_calls) == 1


def _run(args, api):
    return run_read_action(plugin, args, api)


def test_the_task_returns_the_primary_and_an_aws_error_is_a_failed_result():
    result = _run({"region": "us-west-2", "replication_group_id": "registry-redis"}, FakeApi(primary=DR))
    assert result["region"] == "us-east-1" and result["changed"] is False and not result.get("failed")
    assert len(result["api_calls"]) == 3

    class Refusing(FakeApi):
        def __call__(self, service, region):
            class Client:
                def call(self, action, **params):
                    raise botocore.exceptions.ClientError({"Error": {"Code": "ReplicationGroupNotFoundFault"}}, action)

            return Client()

    failed = _run({"region": "us-west-2", "replication_group_id": "gone"}, Refusing())
    assert failed["failed"] and failed["msg"].startswith(
        "The primary of Redis replication group gone could not be read"
    )
    with pytest.raises(AnsibleActionFail, match="redis_primary: missing required arguments"):
        _run({"region": "us-west-2"}, FakeApi())


class WithoutGlobalDatastore(FakeApi):
    """No Global Datastore; the DR region's group exists only when ``rebuilt`` (failover.yml rebuilt it)."""

    def __init__(self, rebuilt):
        super().__init__(global_id=None)
        self.rebuilt = rebuilt

    def __call__(self, service, region):
        client = super().__call__(service, region)
        if region != DR[0] or self.rebuilt:
            return client

        class Missing:
            def call(self, action, **params):
                self_api.api_calls.append((region, action))
                raise botocore.exceptions.ClientError({"Error": {"Code": "ReplicationGroupNotFoundFault"}}, action)

        self_api = self
        return Missing()


REBUILT = {"replication_group_id": DR[1], "region": DR[0]}


def test_without_a_global_datastore_a_group_rebuilt_in_the_dr_region_is_where_clients_write():
    api = WithoutGlobalDatastore(rebuilt=True)
    result = _run({"region": "us-west-2", "replication_group_id": "registry-redis", "rebuilt": REBUILT}, api)
    assert result["rebuilt"] and (result["replication_group_id"], result["region"]) == (
        "registry-redis-dr",
        "us-east-1",
    )
    assert result["endpoint"] == {"address": "registry-redis-dr.us-east-1", "port": 6379}
    assert api.api_calls == [("us-west-2", "DescribeReplicationGroups"), ("us-east-1", "DescribeReplicationGroups")]


def test_without_a_rebuilt_group_the_own_group_serves_and_with_a_global_datastore_rebuilt_is_not_read():
    api = WithoutGlobalDatastore(rebuilt=False)
    result = _run({"region": "us-west-2", "replication_group_id": "registry-redis", "rebuilt": REBUILT}, api)
    assert not result["rebuilt"] and result["region"] == "us-west-2" and not result.get("failed")
    api = FakeApi(primary=OWN)
    result = _run({"region": "us-west-2", "replication_group_id": "registry-redis", "rebuilt": REBUILT}, api)
    assert not result["rebuilt"] and result["replication_group_id"] == "registry-redis" and len(api.api_calls) == 2
