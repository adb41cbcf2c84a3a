"""aurora_writer: the global database and its writer cluster, described only when it is not the caller's own."""

from __future__ import annotations

import botocore.exceptions
import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.ai_model_registry.infra.plugins.action import aurora_writer as plugin
from ansible_collections.ai_model_registry.infra.plugins.action.aurora_writer import find_writer
from tests.unit.plugins.helpers import run_read_action

PRIMARY = "arn:aws:rds:us-west-2:123456789012:cluster:primary"
SECONDARY = "arn:aws:rds:us-east-1:123456789012:cluster:secondary"


class FakeApi:
    def __init__(self, writer):
        self.writer, self.api_calls = writer, []

    def __call__(self, service, region):
        api = self

        class Client:
            def call(self, action, **params):
                api.api_calls.append((region, action, params))
                if action == "DescribeGlobalClusters":
                    members = [{"DBClusterArn": arn, "IsWriter": arn == api.writer} for arn in (PRIMARY, SECONDARY)]
                    return {
                        "GlobalClusters": [
                            {"Endpoint": "g.global-x.global.rds.amazonaws.com", "GlobalClusterMembers": members}
                        ]
                    }
                return {"DBClusters": [{"DBClusterArn": api.writer, "ReaderEndpoint": "r", "Port": 5432}]}

        return Client()


def test_the_own_cluster_as_writer_is_not_described_again():
    api = FakeApi(PRIMARY)
    found = find_writer(api, "us-west-2", "g", own_cluster_arn=PRIMARY)
    assert found["writer_arn"] == PRIMARY and found["writer_cluster"] is None
    assert found["global_cluster"]["endpoint"] == "g.global-x.global.rds.amazonaws.com"
    assert found["global_cluster"]["global_cluster_members"][0] == {"db_cluster_arn": PRIMARY, "is_writer": True}
    assert [call[1] for call in api.api_calls] == ["DescribeGlobalClusters"]


def test_another_regions_writer_is_described_in_its_region_in_snake_case():
    api = FakeApi(SECONDARY)
    found = find_writer(api, "us-west-2", "g", own_cluster_arn=PRIMARY)
    assert found["writer_cluster"] == {"db_cluster_arn": SECONDARY, "reader_endpoint": "r", "port": 5432}
    assert api.api_calls[1] == ("us-east-1", "DescribeDBClusters", {"DBClusterIdentifier": "secondary"})
    # without an own cluster the writer is always described
    assert find_writer(FakeApi(PRIMARY), "us-west-2", "g")["writer_cluster"]["db_cluster_arn"] == PRIMARY


def _run(args, api):
    return run_read_action(plugin, args, api)


def test_the_task_returns_the_writer_and_an_aws_error_is_a_failed_result():
    api = FakeApi(SECONDARY)
    api.api_calls = []
    result = _run({"region": "us-west-2", "global_cluster_identifier": "g", "own_cluster_arn": PRIMARY}, api)
    assert result["writer_arn"] == SECONDARY and result["writer_cluster"]["port"] == 5432
    assert result["changed"] is False and not result.get("failed")

    class Refusing(FakeApi):
        def __call__(self, service, region):
            class Client:
                def call(self, action, **params):
                    raise botocore.exceptions.ClientError({"Error": {"Code": "GlobalClusterNotFoundFault"}}, action)

            return Client()

    failed = _run({"region": "us-west-2", "global_cluster_identifier": "gone"}, Refusing(PRIMARY))
    assert failed["failed"] and failed["msg"].startswith("The writer of gone could not be read")
    with pytest.raises(AnsibleActionFail, match="aurora_writer: missing required arguments"):
        _run({"region": "us-west-2"}, api)
