"""SwitchoverGlobalCluster / FailoverGlobalCluster and the global database lag metrics, as the RDS API
reference and the Aurora user guide describe them."""

from __future__ import annotations

import datetime
import time

import pytest
from botocore.exceptions import ClientError

PRIMARY, DR = "us-west-2", "us-east-1"
GLOBAL_ID = "registry-global"


def _cluster(rds, identifier: str, **extra) -> str:
    return rds.create_db_cluster(
        DBClusterIdentifier=identifier, Engine="aurora-postgresql", EngineVersion="16.8", **extra
    )["DBCluster"]["DBClusterArn"]


@pytest.fixture
def gdb(aws, client):
    """A global database: the writer in us-west-2, a secondary in us-east-1 (transitions of 0.5 s)."""
    aws.post(
        "aws",
        "/_emulator/config",
        {"global_switchover_seconds": 0.5, "global_failover_seconds": 0.5, "global_resync_seconds": 3},
    )
    primary = _cluster(
        client("rds", PRIMARY), "registry-primary", MasterUsername="postgres", MasterUserPassword="x" * 12
    )
    client("rds", PRIMARY).create_global_cluster(GlobalClusterIdentifier=GLOBAL_ID, SourceDBClusterIdentifier=primary)
    secondary = _cluster(client("rds", DR), "registry-secondary", GlobalClusterIdentifier=GLOBAL_ID)
    return {"primary": primary, "secondary": secondary}


def _describe(client, region: str = DR) -> dict:
    return client("rds", region).describe_global_clusters(GlobalClusterIdentifier=GLOBAL_ID)["GlobalClusters"][0]


def _writer(gc: dict) -> str:
    return next(m["DBClusterArn"] for m in gc["GlobalClusterMembers"] if m["IsWriter"])


def _sync_status(client, arn: str) -> str:
    member = next(m for m in _describe(client)["GlobalClusterMembers"] if m["DBClusterArn"] == arn)
    return member["SynchronizationStatus"]


def _wait_available(client, timeout: float = 5.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        gc = _describe(client)
        if gc["Status"] == "available":
            return gc
        time.sleep(0.1)
    raise AssertionError("global cluster never became available")


def test_switchover_runs_then_flips_the_writer(client, gdb):
    answer = client("rds", DR).switchover_global_cluster(
        GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=gdb["secondary"]
    )["GlobalCluster"]
    assert answer["Status"] == "switching-over"
    assert answer["FailoverState"] == {
        "Status": "pending",
        "FromDbClusterArn": gdb["primary"],
        "ToDbClusterArn": gdb["secondary"],
        "IsDataLossAllowed": False,
    }
    assert _writer(answer) == gdb["primary"]  # nothing flips before the transition is done
    gc = _wait_available(client)
    assert _writer(gc) == gdb["secondary"]
    assert "FailoverState" not in gc
    old = next(m for m in gc["GlobalClusterMembers"] if m["DBClusterArn"] == gdb["primary"])
    assert old["SynchronizationStatus"] == "connected"  # a switchover keeps the old primary in sync
    assert gc["GlobalClusterMembers"][0]["Readers"] or gc["GlobalClusterMembers"][1]["Readers"]


def test_failover_with_data_loss_rebuilds_the_old_primary(client, gdb):
    answer = client("rds", DR).failover_global_cluster(
        GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=gdb["secondary"], AllowDataLoss=True
    )["GlobalCluster"]
    assert answer["Status"] == "failing-over"
    assert answer["FailoverState"]["IsDataLossAllowed"] is True
    gc = _wait_available(client)
    assert _writer(gc) == gdb["secondary"]
    old = next(m for m in gc["GlobalClusterMembers"] if m["DBClusterArn"] == gdb["primary"])
    assert old["SynchronizationStatus"] == "pending-resync"
    # a switchover back needs the old primary in sync again
    with pytest.raises(ClientError, match="InvalidDBClusterStateFault"):
        client("rds", PRIMARY).switchover_global_cluster(
            GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=gdb["primary"]
        )
    # rebuilt global_resync_seconds after the failover (3 s: long enough for the checks above on a loaded machine)
    deadline = time.time() + 10
    while time.time() < deadline and _sync_status(client, gdb["primary"]) == "pending-resync":
        time.sleep(0.2)
    assert _sync_status(client, gdb["primary"]) == "connected"


def test_failover_without_allow_data_loss_is_a_switchover(client, gdb):
    answer = client("rds", DR).failover_global_cluster(
        GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=gdb["secondary"], Switchover=True
    )["GlobalCluster"]
    assert answer["Status"] == "switching-over"
    assert answer["FailoverState"]["IsDataLossAllowed"] is False


@pytest.mark.parametrize(
    ("arguments", "code", "status"),
    [
        ({"GlobalClusterIdentifier": "nope"}, "GlobalClusterNotFoundFault", 404),
        (
            {"TargetDbClusterIdentifier": "arn:aws:rds:us-east-1:123456789012:cluster:gone"},
            "DBClusterNotFoundFault",
            404,
        ),
        ({"TargetDbClusterIdentifier": "primary"}, "InvalidParameterValue", 400),  # already the writer
        ({"TargetDbClusterIdentifier": "outsider"}, "InvalidParameterValue", 400),  # not a member
    ],
)
def test_refusals_carry_aws_error_codes(client, gdb, arguments, code, status):
    outsider = _cluster(client("rds", DR), "outsider", MasterUsername="postgres", MasterUserPassword="x" * 12)
    call = {"GlobalClusterIdentifier": GLOBAL_ID, "TargetDbClusterIdentifier": gdb["secondary"], **arguments}
    call["TargetDbClusterIdentifier"] = {"primary": gdb["primary"], "outsider": outsider}.get(
        call["TargetDbClusterIdentifier"], call["TargetDbClusterIdentifier"]
    )
    with pytest.raises(ClientError) as error:
        client("rds", DR).switchover_global_cluster(**call)
    assert error.value.response["Error"]["Code"] == code
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert _writer(_describe(client)) == gdb["primary"]  # refused: nothing changed


def test_one_transition_at_a_time_and_no_mixed_parameters(client, gdb):
    rds = client("rds", DR)
    with pytest.raises(ClientError, match="InvalidParameterCombination"):
        rds.failover_global_cluster(
            GlobalClusterIdentifier=GLOBAL_ID,
            TargetDbClusterIdentifier=gdb["secondary"],
            AllowDataLoss=True,
            Switchover=True,
        )
    rds.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=gdb["secondary"])
    with pytest.raises(ClientError, match="InvalidGlobalClusterStateFault"):
        rds.failover_global_cluster(
            GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=gdb["secondary"], AllowDataLoss=True
        )


def test_describe_global_clusters_filters_by_identifier(client, gdb):
    client("rds").create_global_cluster(GlobalClusterIdentifier="other", Engine="aurora-postgresql")
    assert [g["GlobalClusterIdentifier"] for g in client("rds").describe_global_clusters()["GlobalClusters"]] == [
        GLOBAL_ID,
        "other",
    ]
    assert _describe(client, PRIMARY)["GlobalClusterIdentifier"] == GLOBAL_ID
    with pytest.raises(ClientError, match="GlobalClusterNotFoundFault"):
        client("rds").describe_global_clusters(GlobalClusterIdentifier="missing")


def test_the_writer_endpoint_is_named_after_the_global_database_and_stays(client, gdb):
    # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html: "The
    # first part of the writer endpoint name is the name of your Aurora Global Database"; Aurora moves it to the
    # new writer, so the name does not change with a switchover.
    endpoint = _describe(client)["Endpoint"]
    assert endpoint.startswith(f"{GLOBAL_ID}.global-") and endpoint.endswith(".global.rds.amazonaws.com")
    client("rds", DR).switchover_global_cluster(
        GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=gdb["secondary"]
    )
    assert _wait_available(client)["Endpoint"] == endpoint


def _lag(client, region: str, cluster_id: str) -> dict[str, list[float]]:
    now = datetime.datetime.now(datetime.UTC)
    queries = [
        {
            "Id": name.lower(),
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/RDS",
                    "MetricName": name,
                    "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster_id}],
                },
                "Period": 60,
                "Stat": "Maximum",
            },
        }
        for name in ("AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag")
    ]
    result = client("cloudwatch", region).get_metric_data(
        MetricDataQueries=queries,
        StartTime=now - datetime.timedelta(minutes=5),
        EndTime=now + datetime.timedelta(minutes=1),
    )
    return {r["Id"]: r["Values"] for r in result["MetricDataResults"]}


def test_lag_metrics_are_published_for_secondaries_in_their_region(aws, client, gdb):
    """AWS publishes the lag of each secondary, in its region, as one-minute CloudWatch datapoints
    (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html,
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html): a cluster that
    has just become a secondary has no datapoint yet."""
    aws.post(
        "aws",
        "/_emulator/config",
        {"replication_lag_ms": {"registry-secondary": 2500}, "first_lag_datapoint_seconds": 600},
    )
    assert _lag(client, DR, "registry-secondary") == {
        "auroraglobaldbreplicationlag": [2500.0],
        "auroraglobaldbrpolag": [2500.0],
    }
    assert _lag(client, PRIMARY, "registry-primary") == {"auroraglobaldbreplicationlag": [], "auroraglobaldbrpolag": []}
    # after a switchover the old primary is the secondary that reports lag
    client("rds", DR).switchover_global_cluster(
        GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=gdb["secondary"]
    )
    _wait_available(client)
    assert _lag(client, PRIMARY, "registry-primary")["auroraglobaldbrpolag"] == []  # not yet: the next minute's
    # the minute passes (set, not slept: a 1 s wait raced the switchover itself on a loaded machine)
    aws.post("aws", "/_emulator/config", {"first_lag_datapoint_seconds": 0})
    assert _lag(client, PRIMARY, "registry-primary")["auroraglobaldbrpolag"] == [50.0]


def test_unknown_settings_are_refused(aws):
    with pytest.raises(Exception, match="400"):
        aws.post("aws", "/_emulator/config", {"replication_lag": 5})


def test_s3_replication_metrics_are_published_for_rules_with_metrics(aws, client):
    s3, s3_dr = client("s3"), client("s3", DR)
    s3.create_bucket(Bucket="src", CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    s3_dr.create_bucket(Bucket="dst")
    for bucket, api in (("src", s3), ("dst", s3_dr)):
        api.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    rule = {
        "ID": "to-dr",
        "Status": "Enabled",
        "Priority": 1,
        "Filter": {"Prefix": ""},
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {
            "Bucket": "arn:aws:s3:::dst",
            "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}},
            "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
        },
    }
    s3.put_bucket_replication(
        Bucket="src", ReplicationConfiguration={"Role": "arn:aws:iam::123456789012:role/r", "Rules": [rule]}
    )
    aws.post("aws", "/_emulator/config", {"s3_replication_latency_seconds": 42, "s3_replication_failed_operations": 3})
    now = datetime.datetime.now(datetime.UTC)
    dims = [
        {"Name": "SourceBucket", "Value": "src"},
        {"Name": "DestinationBucket", "Value": "dst"},
        {"Name": "RuleId", "Value": "to-dr"},
    ]

    def newest(metric: str, statistic: str) -> list[float]:
        datapoints = client("cloudwatch").get_metric_statistics(
            Namespace="AWS/S3",
            MetricName=metric,
            Dimensions=dims,
            StartTime=now - datetime.timedelta(minutes=5),
            EndTime=now + datetime.timedelta(minutes=1),
            Period=60,
            Statistics=[statistic],
        )["Datapoints"]
        return [d[statistic] for d in datapoints]

    assert newest("ReplicationLatency", "Maximum") == [42.0]
    # Maximum, not Sum: the two reads may straddle a minute, and the emulator publishes once a minute into
    # 60-second buckets aligned on StartTime, so one bucket can hold two datapoints of 3
    assert newest("OperationsFailedReplication", "Maximum") == [3.0]
    # published in the source bucket's region only
    assert client("cloudwatch", DR).list_metrics(Namespace="AWS/S3", MetricName="ReplicationLatency")["Metrics"] == []
