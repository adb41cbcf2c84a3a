"""Lists page as the AWS API references describe them (emulator/aws/paging.py).

- ElastiCache DescribeSnapshots, MaxRecords (default 50, minimum 20, maximum 50) and Marker:
  https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DescribeSnapshots.html
- AWS Backup ListRecoveryPointsByBackupVault, MaxResults (1-1000) and NextToken:
  https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRecoveryPointsByBackupVault.html
- CloudWatch GetMetricData, MaxDatapoints (default 100,800) and NextToken, StatusCode PartialData:
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html
"""

from __future__ import annotations

import datetime

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/backup"


@pytest.fixture
def snapshots(client):
    """``snapshots(n)``: a replication group with n snapshots s00, s01, ... (in creation order)."""
    elasticache = client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId="rg1", ReplicationGroupDescription="d", NumCacheClusters=1, Engine="redis"
    )

    def make(count: int) -> list[str]:
        names = [f"s{i:02d}" for i in range(count)]
        for name in names:
            elasticache.create_snapshot(ReplicationGroupId="rg1", SnapshotName=name)
        return names

    return make


def _names(page: dict) -> list[str]:
    return [s["SnapshotName"] for s in page["Snapshots"]]


def test_describe_snapshots_answers_50_records_a_page_then_a_marker_to_the_rest(client, snapshots):
    names = snapshots(55)
    elasticache = client("elasticache")
    first = elasticache.describe_snapshots(ReplicationGroupId="rg1")
    assert _names(first) == names[:50] and first["Marker"]
    last = elasticache.describe_snapshots(ReplicationGroupId="rg1", Marker=first["Marker"])
    assert _names(last) == names[50:] and "Marker" not in last  # moto echoed the request's Marker

    small = elasticache.describe_snapshots(ReplicationGroupId="rg1", MaxRecords=20)
    assert _names(small) == names[:20]
    pages = elasticache.get_paginator("describe_snapshots").paginate(
        ReplicationGroupId="rg1", PaginationConfig={"PageSize": 20}
    )
    assert [_names(p) for p in pages] == [names[:20], names[20:40], names[40:]]


@pytest.mark.parametrize("params", [{"MaxRecords": 19}, {"MaxRecords": 51}, {"Marker": "not-a-marker"}])
def test_describe_snapshots_refuses_a_page_size_outside_20_to_50_and_an_unknown_marker(client, snapshots, params):
    snapshots(1)
    with pytest.raises(ClientError) as error:
        client("elasticache").describe_snapshots(ReplicationGroupId="rg1", **params)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_the_page_size_setting_shrinks_pages_for_tests_and_the_paginator_reads_them_all(aws, client, snapshots):
    names = snapshots(5)
    aws.post("aws", "/_emulator/config", {"page_size": {"elasticache.DescribeSnapshots": 2}})
    pages = list(client("elasticache").get_paginator("describe_snapshots").paginate(ReplicationGroupId="rg1"))
    assert [_names(p) for p in pages] == [names[:2], names[2:4], names[4:]]
    assert [bool(p.get("Marker")) for p in pages] == [True, True, False]
    # a request's own limit is still checked against AWS's bounds
    with pytest.raises(ClientError):
        client("elasticache").describe_snapshots(ReplicationGroupId="rg1", MaxRecords=2)
    # a marker of another list is refused
    with pytest.raises(ClientError):
        client("backup").list_recovery_points_by_backup_vault(BackupVaultName="any", NextToken=pages[0]["Marker"])


def test_the_collection_page_size_shrinks_only_the_collections_pages_by_list(aws, client, snapshots):
    names = snapshots(5)
    aws.post("aws", "/_emulator/config", {"collection_page_size": {"elasticache.DescribeSnapshots": 2, "*": 1}})
    ansible = aws.client("elasticache", user_agent_appid="ansible")  # a playbook run's calls

    def pages(elasticache) -> list[list[str]]:
        return [_names(p) for p in elasticache.get_paginator("describe_snapshots").paginate(ReplicationGroupId="rg1")]

    assert pages(ansible) == [names[:2], names[2:4], names[4:]]
    assert pages(client("elasticache")) == [names]  # a test's own reads: AWS's page size
    aws.post("aws", "/_emulator/config", {"collection_page_size": {"*": 1}})  # a list the dict does not name
    assert pages(ansible) == [[name] for name in names]


def test_recovery_points_page_with_next_token(aws, client):
    rds, backup = client("rds"), client("backup")
    arn = rds.create_db_cluster(
        DBClusterIdentifier="c1", Engine="aurora-postgresql", MasterUsername="postgres", MasterUserPassword="x" * 12
    )["DBCluster"]["DBClusterArn"]
    backup.create_backup_vault(BackupVaultName="vault")
    points = [
        backup.start_backup_job(BackupVaultName="vault", ResourceArn=arn, IamRoleArn=ROLE)["RecoveryPointArn"]
        for _attempt in range(3)
    ]
    everything = backup.list_recovery_points_by_backup_vault(BackupVaultName="vault")
    assert len(everything["RecoveryPoints"]) == 3 and "NextToken" not in everything  # AWS documents no default

    first = backup.list_recovery_points_by_backup_vault(BackupVaultName="vault", ByResourceArn=arn, MaxResults=2)
    assert len(first["RecoveryPoints"]) == 2 and first["NextToken"]
    rest = backup.list_recovery_points_by_backup_vault(
        BackupVaultName="vault", ByResourceArn=arn, MaxResults=2, NextToken=first["NextToken"]
    )
    assert len(rest["RecoveryPoints"]) == 1 and "NextToken" not in rest
    read = [p["RecoveryPointArn"] for page in (first, rest) for p in page["RecoveryPoints"]]
    assert sorted(read) == sorted(points)

    aws.post("aws", "/_emulator/config", {"page_size": 1})
    pages = list(backup.get_paginator("list_recovery_points_by_backup_vault").paginate(BackupVaultName="vault"))
    assert [len(p["RecoveryPoints"]) for p in pages] == [1, 1, 1]
    with pytest.raises(ClientError) as error:
        backup.list_recovery_points_by_backup_vault(BackupVaultName="vault", MaxResults=1001)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_metric_data_pages_by_data_points_and_a_cut_query_is_partial(aws, client):
    cloudwatch = client("cloudwatch", "us-east-1")
    now = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    minutes = [now - datetime.timedelta(minutes=m) for m in (3, 2, 1)]
    for name, values in (("A", [1.0, 2.0, 3.0]), ("B", [10.0, 20.0])):
        cloudwatch.put_metric_data(
            Namespace="Test/Paging",
            MetricData=[
                {"MetricName": name, "Value": v, "Timestamp": t} for v, t in zip(values, minutes, strict=False)
            ],
        )
    queries = [
        {
            "Id": name.lower(),
            "MetricStat": {"Metric": {"Namespace": "Test/Paging", "MetricName": name}, "Period": 60, "Stat": "Maximum"},
        }
        for name in ("A", "B", "C")  # C has no data points
    ]
    window = {"StartTime": now - datetime.timedelta(minutes=10), "EndTime": now + datetime.timedelta(minutes=1)}
    whole = cloudwatch.get_metric_data(MetricDataQueries=queries, ScanBy="TimestampDescending", **window)
    assert "NextToken" not in whole and [r["Values"] for r in whole["MetricDataResults"]] == [[3, 2, 1], [20, 10], []]

    pages = list(
        cloudwatch.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries, ScanBy="TimestampDescending", PaginationConfig={"PageSize": 2}, **window
        )
    )
    assert [[(r["Id"], r["Values"], r["StatusCode"]) for r in p["MetricDataResults"]] for p in pages] == [
        [("a", [3.0, 2.0], "PartialData")],
        [("a", [1.0], "Complete"), ("b", [20.0], "PartialData")],
        [("b", [10.0], "Complete"), ("c", [], "Complete")],
    ]

    aws.post("aws", "/_emulator/config", {"page_size": {"cloudwatch.GetMetricData": 4}})
    shrunk = cloudwatch.get_metric_data(MetricDataQueries=queries, ScanBy="TimestampDescending", **window)
    assert sum(len(r["Values"]) for r in shrunk["MetricDataResults"]) == 4 and shrunk["NextToken"]


def test_object_lists_page_with_a_continuation_token_and_the_setting_shrinks_them(aws, client):
    """ListObjectsV2 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): MaxKeys a page, then
    NextContinuationToken, which the next request sends as ContinuationToken."""
    s3 = client("s3")
    s3.create_bucket(Bucket="paged-objects", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    keys = [f"copy-{n}.rdb" for n in range(5)]
    for key in keys:
        s3.put_object(Bucket="paged-objects", Key=key, Body=b"x")
    first = s3.list_objects_v2(Bucket="paged-objects", MaxKeys=2)
    assert [o["Key"] for o in first["Contents"]] == keys[:2] and first["IsTruncated"]
    aws.post("aws", "/_emulator/config", {"page_size": {"s3.ListObjectsV2": 2}})
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket="paged-objects"))
    assert [[o["Key"] for o in p["Contents"]] for p in pages] == [keys[:2], keys[2:4], keys[4:]]
