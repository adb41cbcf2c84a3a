"""module_utils/aws_client: recorded calls, botocore's paginators (each service's own token), retries.

boto3 clients with botocore's Stubber: no network, the real service models and paginator models.
"""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.retries.standard import ThrottledRetryableChecker
from botocore.stub import Stubber

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client
from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def _boto3(service: str, region: str = "us-west-2"):
    return boto3.client(
        service,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubbed():
    """``stubbed(service)`` -> (ApiClients of plain boto3 clients, as an action plugin builds them, the Stubber)."""
    made = {}

    def make(service, region):
        made[service] = _boto3(service, region)
        return made[service]

    clients = aws_client.ApiClients(make)
    stubbers = []

    def stub(service, region="us-west-2"):
        client = clients(service, region)
        stubber = Stubber(made[service])
        stubber.activate()
        stubbers.append(stubber)
        return client, stubber

    yield clients, stub
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def _snapshot(name: str, hours_ago: int) -> dict:
    created = NOW - datetime.timedelta(hours=hours_ago)
    return {"SnapshotName": name, "NodeSnapshots": [{"SnapshotCreateTime": created}]}


def test_a_call_is_recorded_as_service_action_even_when_it_fails(stubbed):
    clients, stub = stubbed
    rds, stubber = stub("rds")
    stubber.add_response("describe_global_clusters", {"GlobalClusters": []}, {"GlobalClusterIdentifier": "g"})
    stubber.add_client_error("describe_global_clusters", "GlobalClusterNotFoundFault", http_status_code=404)
    assert rds.call("DescribeGlobalClusters", GlobalClusterIdentifier="g")["GlobalClusters"] == []
    with pytest.raises(ClientError):
        rds.call("DescribeGlobalClusters", GlobalClusterIdentifier="gone")
    assert clients.api_calls == ["rds.DescribeGlobalClusters", "rds.DescribeGlobalClusters"]


def test_one_client_per_service_and_region_all_recording_into_one_list(stubbed):
    clients, _stub = stubbed
    assert clients("backup", "us-west-2") is clients("backup", "us-west-2")
    assert clients("backup", "us-east-1") is not clients("backup", "us-west-2")
    assert clients("backup", "us-east-1").api_calls is clients.api_calls


def test_elasticache_snapshots_are_followed_by_marker_to_the_last_page(stubbed):
    """The rpo_check defect: DescribeSnapshots pages with Marker; a NextToken loop stops after page one."""
    clients, stub = stubbed
    elasticache, stubber = stub("elasticache")
    first = [_snapshot(f"s{i}", 30 - i) for i in range(2)]
    stubber.add_response(
        "describe_snapshots", {"Snapshots": first, "Marker": "m1"}, {"ReplicationGroupId": "rg", "MaxRecords": 20}
    )
    stubber.add_response(
        "describe_snapshots",
        {"Snapshots": [_snapshot("newest", 1)]},
        {"ReplicationGroupId": "rg", "MaxRecords": 20, "Marker": "m1"},
    )
    snapshots = elasticache.paginate("DescribeSnapshots", page_size=20, ReplicationGroupId="rg")
    assert [s["SnapshotName"] for s in snapshots] == ["s0", "s1", "newest"]
    assert clients.api_calls == ["elasticache.DescribeSnapshots"] * 2  # one recorded call a page


def test_recovery_points_are_followed_by_next_token(stubbed):
    clients, stub = stubbed
    backup, stubber = stub("backup")
    base = {"BackupVaultName": "vault", "ByResourceArn": "arn:aws:rds:us-west-2:1:cluster:c"}
    stubber.add_response(
        "list_recovery_points_by_backup_vault", {"RecoveryPoints": [{"RecoveryPointArn": "a"}], "NextToken": "t"}, base
    )
    stubber.add_response(
        "list_recovery_points_by_backup_vault",
        {"RecoveryPoints": [{"RecoveryPointArn": "b"}]},
        {**base, "NextToken": "t"},
    )
    points = backup.paginate("ListRecoveryPointsByBackupVault", **base)
    assert [p["RecoveryPointArn"] for p in points] == ["a", "b"]
    assert clients.api_calls == ["backup.ListRecoveryPointsByBackupVault"] * 2


def test_pages_are_handed_out_as_they_come(stubbed):
    _clients, stub = stubbed
    elasticache, stubber = stub("elasticache")
    stubber.add_response("describe_snapshots", {"Snapshots": [_snapshot("a", 2)], "Marker": "m"}, {})
    stubber.add_response("describe_snapshots", {"Snapshots": [_snapshot("b", 1)]}, {"Marker": "m"})
    pages = list(elasticache.pages("DescribeSnapshots"))
    assert [[s["SnapshotName"] for s in p["Snapshots"]] for p in pages] == [["a"], ["b"]]
    assert pages[0]["Marker"] == "m" and "Marker" not in pages[1]


def test_the_result_key_comes_from_the_paginator_model_and_an_ambiguous_one_is_refused(stubbed):
    clients, stub = stubbed
    assert clients("elasticache", "us-west-2").result_key("DescribeSnapshots") == "Snapshots"
    assert clients("backup", "us-west-2").result_key("ListRecoveryPointsByBackupVault") == "RecoveryPoints"
    cloudwatch, stubber = stub("cloudwatch")
    with pytest.raises(ValueError, match=r"GetMetricData has result keys \['MetricDataResults', 'Messages'\]"):
        cloudwatch.paginate("GetMetricData", MetricDataQueries=[], StartTime=NOW, EndTime=NOW)
    with pytest.raises(ValueError, match="Datapoints is not a result key of cloudwatch.GetMetricData"):
        cloudwatch.paginate("GetMetricData", key="Datapoints", MetricDataQueries=[], StartTime=NOW, EndTime=NOW)
    with pytest.raises(ValueError, match="cloudwatch.PutMetricData is not a paginated operation"):
        cloudwatch.paginate("PutMetricData", Namespace="n", MetricData=[])
    assert clients.api_calls == []  # refused before any call

    params = {"MetricDataQueries": [], "StartTime": NOW, "EndTime": NOW}
    page_one = {"Id": "q0", "Timestamps": [NOW], "Values": [1.0], "StatusCode": "PartialData"}
    page_two = {"Id": "q0", "Timestamps": [NOW - datetime.timedelta(minutes=1)], "Values": [2.0]}
    stubber.add_response("get_metric_data", {"MetricDataResults": [page_one], "NextToken": "n"}, params)
    stubber.add_response("get_metric_data", {"MetricDataResults": [page_two]}, {**params, "NextToken": "n"})
    results = cloudwatch.paginate("GetMetricData", key="MetricDataResults", **params)
    assert [r["Values"] for r in results] == [[1.0], [2.0]]
    assert clients.api_calls == ["cloudwatch.GetMetricData"] * 2


def test_an_operation_botocore_has_no_paginator_for_pages_with_the_token_its_service_model_names(stubbed):
    """CloudFormation's DescribeStackResourceDrifts pages with NextToken, but botocore models no paginator for it."""
    clients, stub = stubbed
    cloudformation, stubber = stub("cloudformation")
    assert not cloudformation.can_paginate("DescribeStackResourceDrifts")
    drift = {
        "StackId": "arn:aws:cloudformation:us-west-2:1:stack/s/1",
        "LogicalResourceId": "Bucket",
        "ResourceType": "AWS::S3::Bucket",
        "StackResourceDriftStatus": "MODIFIED",
        "Timestamp": NOW,
    }
    stubber.add_response(
        "describe_stack_resource_drifts",
        {"StackResourceDrifts": [drift], "NextToken": "t"},
        {"StackName": "s", "MaxResults": 5},
    )
    stubber.add_response(
        "describe_stack_resource_drifts",
        {"StackResourceDrifts": [{**drift, "LogicalResourceId": "Key"}]},
        {"StackName": "s", "MaxResults": 5, "NextToken": "t"},
    )
    drifts = cloudformation.paginate("DescribeStackResourceDrifts", page_size=5, StackName="s")
    assert [d["LogicalResourceId"] for d in drifts] == ["Bucket", "Key"]
    assert clients.api_calls == ["cloudformation.DescribeStackResourceDrifts"] * 2


def test_the_throttling_codes_are_botocores():
    assert list(aws_client.THROTTLING_CODES) == list(ThrottledRetryableChecker._THROTTLED_ERROR_CODES)


class FakeModule:
    """What module_clients uses of an AnsibleAWSModule: region and client(service, region, retry_decorator)."""

    region = "us-west-2"

    def __init__(self):
        self.made = []
        self.stubbers = {}

    def client(self, service, region=None, retry_decorator=None):
        client = _boto3(service, region)
        self.made.append((service, region))
        self.stubbers[(service, region)] = Stubber(client)
        self.stubbers[(service, region)].activate()
        return RetryingBotoClientWrapper(client, retry_decorator)


@pytest.fixture
def no_sleep(monkeypatch):
    slept = []
    monkeypatch.setattr(cloud.time, "sleep", slept.append)
    return slept


def test_module_clients_retry_throttling_on_every_page_and_record_each_page_once(no_sleep):
    module = FakeModule()
    clients = aws_client.module_clients(module)
    elasticache = clients("elasticache", None)
    assert module.made == [("elasticache", "us-west-2")]  # no region: the module's
    stubber = module.stubbers[("elasticache", "us-west-2")]
    stubber.add_response("describe_snapshots", {"Snapshots": [_snapshot("a", 2)], "Marker": "m"}, {})
    # SlowDown is not in AWSRetry's own list: botocore's throttling codes are added to it
    stubber.add_client_error("describe_snapshots", "SlowDown", http_status_code=503, expected_params={"Marker": "m"})
    stubber.add_client_error("describe_snapshots", "Throttling", http_status_code=400, expected_params={"Marker": "m"})
    stubber.add_response("describe_snapshots", {"Snapshots": [_snapshot("b", 1)]}, {"Marker": "m"})
    assert [s["SnapshotName"] for s in elasticache.paginate("DescribeSnapshots")] == ["a", "b"]
    assert len(no_sleep) == 2  # the second page was retried twice, not the listing restarted
    assert clients.api_calls == ["elasticache.DescribeSnapshots"] * 2
    stubber.assert_no_pending_responses()


def test_module_clients_do_not_retry_other_errors(no_sleep):
    module = FakeModule()
    clients = aws_client.module_clients(module)
    backup = clients("backup", "us-east-1")
    module.stubbers[("backup", "us-east-1")].add_client_error(
        "list_recovery_points_by_backup_vault", "ResourceNotFoundException", http_status_code=404
    )
    with pytest.raises(ClientError):
        backup.paginate("ListRecoveryPointsByBackupVault", BackupVaultName="missing")
    assert no_sleep == [] and clients.api_calls == ["backup.ListRecoveryPointsByBackupVault"]


def test_snake_case_is_botocores():
    assert aws_client.snake_case("DescribeGlobalClusters") == "describe_global_clusters"
    assert aws_client.snake_case("ListRecoveryPointsByBackupVault") == "list_recovery_points_by_backup_vault"
