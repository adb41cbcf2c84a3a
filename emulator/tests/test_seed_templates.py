"""The real templates, deployed with the seed's parameters, create what the service APIs then return.

Each assertion names the AWS behaviour it checks (CloudFormation resource reference: Ref/GetAtt
values; service API references: shapes and identifiers).
"""

from __future__ import annotations

import json
import re
import time

import pytest
from botocore.exceptions import ClientError

from emulator.seed import DR, PRIMARY, deploy_seed_order, describe, failures

RDS_CLUSTER_ENDPOINT = re.compile(r"^[a-z0-9-]+\.cluster-[a-z0-9]{12}\.us-west-2\.rds\.amazonaws\.com$")
RDS_READER_ENDPOINT = re.compile(r"^[a-z0-9-]+\.cluster-ro-[a-z0-9]{12}\.us-west-2\.rds\.amazonaws\.com$")
REDIS_PRIMARY_ENDPOINT = re.compile(r"^master\.ai-model-registry-redis\.[a-z0-9]{6}\.usw2\.cache\.amazonaws\.com$")


@pytest.fixture
def seed(client):
    return deploy_seed_order(client)


def test_every_stack_completes_in_the_seed_order(client, seed):
    for stack in ("aurora", "redis", "backup", "dr"):
        assert describe(client, f"ai-model-registry-{stack}", PRIMARY)["StackStatus"] == "CREATE_COMPLETE"
    for stack in ("backup-dr-vault", "dr-replica", "dr-secondary"):
        assert describe(client, f"ai-model-registry-{stack}", DR)["StackStatus"] == "CREATE_COMPLETE"


def test_aurora_outputs_have_aws_shapes_and_the_cluster_is_in_rds(client, seed):
    out = seed["aurora"]
    assert out["ClusterIdentifier"] == "ai-model-registry-aurora-cluster"  # the seed's DR command names it
    assert RDS_CLUSTER_ENDPOINT.match(out["ClusterEndpoint"]), out["ClusterEndpoint"]
    assert RDS_READER_ENDPOINT.match(out["ReaderEndpoint"]), out["ReaderEndpoint"]
    assert out["Port"] == "5432"
    cluster = client("rds").describe_db_clusters(DBClusterIdentifier=out["ClusterIdentifier"])["DBClusters"][0]
    assert cluster["Endpoint"] == out["ClusterEndpoint"]
    assert cluster["Engine"] == "aurora-postgresql"
    assert cluster["StorageEncrypted"] is True
    assert cluster["DeletionProtection"] is True  # production
    assert cluster["DBClusterArn"] == out["ClusterArn"]
    # writer plus the default two read replicas, from AWS::RDS::DBInstance with DBClusterIdentifier
    assert len(cluster["DBClusterMembers"]) == 3
    assert sum(m["IsClusterWriter"] for m in cluster["DBClusterMembers"]) == 1


def test_database_secret_is_generated_and_attached(client, seed):
    secret = client("secretsmanager").get_secret_value(SecretId="ai-model-registry-aurora-db-credentials")
    document = json.loads(secret["SecretString"])
    assert document["username"] == "postgres"
    assert len(document["password"]) == 32  # GenerateSecretString PasswordLength
    assert not set(document["password"]) & set("\"@/\\'`")  # ExcludeCharacters
    # SecretTargetAttachment adds the connection details of the cluster
    assert document["host"] == seed["aurora"]["ClusterEndpoint"]
    assert document["port"] == 5432
    assert document["dbClusterIdentifier"] == "ai-model-registry-aurora-cluster"
    assert document["engine"] == "postgres"


def test_redis_replication_group_token_and_endpoints(client, seed):
    out = seed["redis"]
    assert REDIS_PRIMARY_ENDPOINT.match(out["RedisEndpoint"]), out["RedisEndpoint"]
    assert out["RedisPort"] == "6379"
    group = client("elasticache").describe_replication_groups(ReplicationGroupId=out["ReplicationGroupId"])
    group = group["ReplicationGroups"][0]
    assert group["NodeGroups"][0]["PrimaryEndpoint"]["Address"] == out["RedisEndpoint"]
    assert group["AtRestEncryptionEnabled"] and group["TransitEncryptionEnabled"] and group["AuthTokenEnabled"]
    assert group["AutomaticFailover"] == "enabled" and group["MultiAZ"] == "enabled"
    assert len(group["MemberClusters"]) == 3
    assert group["SnapshotRetentionLimit"] == 7
    # the seed's kubectl reads the token as the whole SecretString
    token = client("secretsmanager").get_secret_value(SecretId="ai-model-registry-redis-auth-token")["SecretString"]
    assert len(token) == 64 and token.isalnum()


def test_backup_plan_selection_and_vaults(client, seed):
    backup = client("backup")
    plan = backup.get_backup_plan(BackupPlanId=seed["backup"]["BackupPlanId"])["BackupPlan"]
    rules = {r["RuleName"]: r for r in plan["Rules"]}
    assert set(rules) == {"hourly", "daily", "weekly"}
    assert rules["daily"]["CopyActions"][0]["DestinationBackupVaultArn"] == seed["backup-dr-vault"]["BackupVaultArn"]
    selections = backup.list_backup_selections(BackupPlanId=seed["backup"]["BackupPlanId"])["BackupSelectionsList"]
    assert [s["SelectionId"] for s in selections] == [seed["backup"]["AuroraSelectionId"]]
    selection = backup.get_backup_selection(
        BackupPlanId=seed["backup"]["BackupPlanId"], SelectionId=seed["backup"]["AuroraSelectionId"]
    )["BackupSelection"]
    assert selection["Resources"] == [seed["aurora"]["ClusterArn"]]
    vault = backup.describe_backup_vault(BackupVaultName="ai-model-registry-production-vault")
    assert vault["BackupVaultArn"] == seed["backup"]["BackupVaultArn"]
    assert client("backup", DR).describe_backup_vault(BackupVaultName="ai-model-registry-production-dr-vault")


def test_global_database_spans_both_regions(client, seed):
    global_id = seed["dr"]["GlobalClusterIdentifier"]
    members = client("rds").describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"][0]
    writers = {m["DBClusterArn"]: m["IsWriter"] for m in members["GlobalClusterMembers"]}
    assert writers == {seed["aurora"]["ClusterArn"]: True, seed["dr-secondary"]["SecondaryClusterArn"]: False}
    assert ".us-east-1.rds.amazonaws.com" in seed["dr-secondary"]["SecondaryClusterEndpoint"]


def test_artifacts_bucket_replicates_to_the_dr_region(client, seed):
    s3 = client("s3")
    assert s3.get_bucket_versioning(Bucket="ai-model-registry-artifacts")["Status"] == "Enabled"
    assert s3.get_bucket_versioning(Bucket="ai-model-registry-artifacts-replica")["Status"] == "Enabled"
    rule = s3.get_bucket_replication(Bucket="ai-model-registry-artifacts")["ReplicationConfiguration"]["Rules"][0]
    assert rule["Destination"]["Bucket"] == "arn:aws:s3:::ai-model-registry-artifacts-replica"
    assert rule["Destination"]["ReplicationTime"] == {"Status": "Enabled", "Time": {"Minutes": 15}}
    assert rule["Destination"]["Metrics"]["Status"] == "Enabled"
    assert rule["DeleteMarkerReplication"] == {"Status": "Enabled"}
    assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    policy = json.loads(s3.get_bucket_policy(Bucket="ai-model-registry-artifacts")["Policy"])  # S3::BucketPolicy
    assert policy["Statement"][0]["Sid"] == "DenyInsecureTransport"
    block = s3.get_public_access_block(Bucket="ai-model-registry-artifacts")["PublicAccessBlockConfiguration"]
    assert all(block.values())


def _replica(s3_dr, key: str) -> bytes | None:
    try:
        return s3_dr.get_object(Bucket="ai-model-registry-artifacts-replica", Key=key)["Body"].read()
    except s3_dr.exceptions.NoSuchKey:
        return None


def test_an_object_arrives_in_the_replica_after_the_replication_latency_unless_replication_fails(aws, client, seed):
    aws.post("aws", "/_emulator/config", {"s3_replication_latency_seconds": 2})
    s3, s3_dr = client("s3"), client("s3", "us-east-1")
    written = time.time()
    s3.put_object(Bucket="ai-model-registry-artifacts", Key="models/a.bin", Body=b"weights")
    with pytest.raises(s3_dr.exceptions.ClientError):  # not there yet: replication is asynchronous
        s3_dr.head_object(Bucket="ai-model-registry-artifacts-replica", Key="models/a.bin")
    deadline = time.time() + 30  # polled: the replicating timer runs late on a loaded machine
    while (replica := _replica(s3_dr, "models/a.bin")) is None and time.time() < deadline:
        time.sleep(0.1)
    assert replica == b"weights" and time.time() - written >= 2
    aws.post("aws", "/_emulator/config", {"s3_replication_failed_operations": 1, "s3_replication_latency_seconds": 0})
    s3.put_object(Bucket="ai-model-registry-artifacts", Key="models/b.bin", Body=b"lost")
    time.sleep(0.5)  # a replica made with no latency would be there by now
    keys = s3_dr.list_objects_v2(Bucket="ai-model-registry-artifacts-replica")["Contents"]
    assert [k["Key"] for k in keys] == ["models/a.bin"]


def test_alarms_subscriptions_and_the_orchestrator(client, seed):
    alarms = client("cloudwatch").describe_alarms(AlarmNamePrefix="ai-model-registry-production-redis")
    assert {a["MetricName"] for a in alarms["MetricAlarms"]} >= {
        "EngineCPUUtilization",
        "DatabaseMemoryUsagePercentage",
        "CurrConnections",
        "Evictions",
        "ReplicationLag",
    }
    dr_alarms = client("cloudwatch", DR).describe_alarms(AlarmNamePrefix="ai-model-registry-production-dr")
    metrics = {a["MetricName"] for a in dr_alarms["MetricAlarms"]}
    assert {"AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag", "RecoveryTimeSeconds"} <= metrics
    function = client("lambda", DR).get_function(FunctionName=seed["dr-secondary"]["OrchestratorFunctionName"])
    assert (
        function["Configuration"]["Environment"]["Variables"]["GLOBAL_CLUSTER_ID"]
        == (seed["dr"]["GlobalClusterIdentifier"])
    )


def test_dashboards_for_each_concern_with_valid_bodies(client, seed):
    cloudwatch = client("cloudwatch")
    names = {d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]}
    expected = {
        seed["aurora"]["PerformanceDashboardName"]: "ai-model-registry-aurora-cluster",
        seed["redis"]["PerformanceDashboardName"]: "ai-model-registry-redis",
        seed["backup"]["SuccessDashboardName"]: "ai-model-registry-production-vault",
        seed["dr"]["DashboardName"]: "ai-model-registry-aurora-cluster-dr",
        seed["dr"]["CostDashboardName"]: "EstimatedCharges",
    }
    assert set(expected) <= names
    for name, reference in expected.items():
        dashboard = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
        # Fn::Sub filled every reference: the body names the real resources, no ${...} is left.
        assert reference in json.dumps(dashboard)
        assert "${" not in json.dumps(dashboard)
        assert all(w["properties"]["metrics"] for w in dashboard["widgets"])


def test_a_trail_records_infrastructure_changes(client, seed):
    trail = client("cloudtrail").get_trail(Name=seed["dr"]["AuditTrailArn"])["Trail"]
    assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"] and trail["KmsKeyId"]
    assert trail["S3BucketName"] == "ai-model-registry-artifacts-audit-trail"
    assert client("cloudtrail").get_trail_status(Name=trail["TrailARN"])["IsLogging"]
    selectors = client("cloudtrail").get_event_selectors(TrailName=trail["TrailARN"])["EventSelectors"]
    assert selectors == [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]


def test_a_trail_without_a_bucket_policy_for_cloudtrail_fails_as_on_aws(client):
    template = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "no-policy-trail"}},
            "Trail": {
                "Type": "AWS::CloudTrail::Trail",
                "Properties": {"TrailName": "t1", "S3BucketName": {"Ref": "Bucket"}, "IsLogging": True},
            },
        }
    }
    client("cloudformation").create_stack(StackName="trail", TemplateBody=json.dumps(template))
    assert describe(client, "trail", PRIMARY)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("InsufficientS3BucketPolicyException" in failure[2] for failure in failures(client, "trail", PRIMARY))


def test_deleting_the_stacks_deletes_their_resources(client, seed):
    cfn_dr, cfn = client("cloudformation", DR), client("cloudformation")
    rds = client("rds")
    # production clusters have deletion protection: the delete fails the way AWS reports it
    cfn.delete_stack(StackName="ai-model-registry-aurora")
    assert describe(client, "ai-model-registry-aurora", PRIMARY)["StackStatus"] == "DELETE_FAILED"
    rds.modify_db_cluster(DBClusterIdentifier="ai-model-registry-aurora-cluster", DeletionProtection=False)
    client("rds", DR).modify_db_cluster(
        DBClusterIdentifier="ai-model-registry-aurora-cluster-dr", DeletionProtection=False
    )
    for stack in ("dr-secondary", "dr-replica", "backup-dr-vault"):
        cfn_dr.delete_stack(StackName=f"ai-model-registry-{stack}")
    for stack in ("dr", "backup", "redis", "aurora"):
        cfn.delete_stack(StackName=f"ai-model-registry-{stack}")
    with pytest.raises(ClientError, match="DBClusterNotFound"):
        rds.describe_db_clusters(DBClusterIdentifier="ai-model-registry-aurora-cluster")
    with pytest.raises(ClientError, match="ResourceNotFound"):
        client("secretsmanager").get_secret_value(SecretId="ai-model-registry-aurora-db-credentials")
    with pytest.raises(ClientError, match="ReplicationGroupNotFound"):
        client("elasticache").describe_replication_groups(ReplicationGroupId="ai-model-registry-redis")
    # DeletionPolicy: Snapshot leaves a final snapshot; Retain keeps the buckets
    snapshots = [s["DBClusterSnapshotIdentifier"] for s in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]]
    assert any(s.startswith("ai-model-registry-aurora-cluster-final-") for s in snapshots)
    assert client("s3").head_bucket(Bucket="ai-model-registry-artifacts")


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"VpcId": "vpc-nope"}, "parameter value vpc-nope for parameter name VpcId does not exist"),
        ({"Environment": "qa"}, "Parameter 'Environment' must be one of AllowedValues"),
        ({"ReadReplicaCount": "7"}, "Parameter 'ReadReplicaCount' must be one of AllowedValues"),
        ({"DatabaseName": "Bad-Name"}, "Parameter 'DatabaseName' must match pattern"),
        ({"BackupRetentionDays": "90"}, "must be a number not greater than 35"),
    ],
)
def test_the_aurora_template_refuses_bad_parameters(client, parameters, message):
    from emulator.seed import create, default_network

    vpc, subnets = default_network(client, PRIMARY)
    given = {"VpcId": vpc, "PrivateSubnetIds": ",".join(subnets), "Environment": "staging", **parameters}
    with pytest.raises(ClientError, match=message):
        create(client, "aurora", "bad", PRIMARY, **given)
    assert client("rds").describe_db_clusters()["DBClusters"] == []


def test_the_dr_templates_refuse_the_dr_region_equal_to_the_primary(client):
    from emulator.seed import create

    with pytest.raises(ClientError, match="DRRegion must differ from PrimaryRegion"):
        create(
            client,
            "dr",
            "bad",
            PRIMARY,
            Environment="staging",
            PrimaryRegion=PRIMARY,
            DRRegion=PRIMARY,
            S3BucketName="bucket-x",
            AuroraClusterIdentifier="c1",
        )
    with pytest.raises(ClientError, match="Deploy this stack in PrimaryRegion"):
        create(
            client,
            "dr",
            "bad",
            DR,
            Environment="staging",
            PrimaryRegion=PRIMARY,
            DRRegion=DR,
            S3BucketName="bucket-x",
            AuroraClusterIdentifier="c1",
        )


def test_one_subnet_fails_the_subnet_group_and_rolls_back(client):
    from emulator.seed import create, default_network, failures

    vpc, subnets = default_network(client, PRIMARY)
    stack = create(
        client, "aurora", "one-subnet", PRIMARY, VpcId=vpc, PrivateSubnetIds=subnets[0], Environment="staging"
    )
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [
        reason for logical, _status, reason in failures(client, "one-subnet", PRIMARY) if logical == "SubnetGroup"
    ]
    assert "cover at least 2 AZs" in reasons[0]


def test_bucket_policies_see_https_as_aws_endpoints_are(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="tls-only", CreateBucketConfiguration={"LocationConstraint": PRIMARY})

    def policy(secure: str) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": secure}},
                    }
                ],
            }
        )

    s3.put_bucket_policy(Bucket="tls-only", Policy=policy("false"))  # the templates' DenyInsecureTransport
    s3.put_object(Bucket="tls-only", Key="k", Body=b"v")
    assert s3.get_object(Bucket="tls-only", Key="k")["Body"].read() == b"v"
    s3.put_bucket_policy(Bucket="tls-only", Policy=policy("true"))  # denying TLS requests denies ours
    with pytest.raises(ClientError, match="AccessDenied|Forbidden|403"):
        s3.get_object(Bucket="tls-only", Key="k")
