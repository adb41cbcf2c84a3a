"""dr_drill_restore on botocore's Stubber (every request checked against the RDS and AWS Backup API models): which
recovery point, the restore's requests in order, waits, timeouts and refusals."""

from __future__ import annotations

import datetime
import json

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from ansible_collections.ai_model_registry.infra.plugins.action import dr_drill_restore as restore
from tests.unit.plugins.helpers import Clock, Done, FakeModule

SOURCE = "ai-model-registry-staging-aurora"
SOURCE_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:" + SOURCE
TARGET = "ai-model-registry-staging-drill-9a6d1b47"
TARGET_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:" + TARGET
VAULT = "ai-model-registry-staging-backup-vault"
ROLE = "arn:aws:iam::123456789012:role/ai-model-registry-staging-backup-role"
POINT = "arn:aws:backup:us-west-2:123456789012:recovery-point:newest"
TAGS = {"ai-model-registry:dr-drill": "9a6d1b47", "Environment": "staging"}
TAG_LIST = [{"Key": "Environment", "Value": "staging"}, {"Key": "ai-model-registry:dr-drill", "Value": "9a6d1b47"}]


def _ago(seconds):
    """A time ``seconds`` before now (the module measures ages from its own start, just after)."""
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)


class Clients(FakeModule):
    """A module whose clients are real botocore clients of each service, stubbed."""

    def __init__(self, params, check_mode=False):
        super().__init__(None, params, region="us-west-2", check_mode=check_mode)
        session = botocore.session.get_session()
        self.clients = {
            service: session.create_client(
                service, region_name="us-west-2", aws_access_key_id="k", aws_secret_access_key="s"
            )
            for service in ("rds", "backup")
        }
        self.stubs = {service: Stubber(client) for service, client in self.clients.items()}

    def client(self, service, region=None, retry_decorator=None):
        return self.clients[service]


def _params(**params):
    return {
        "source_cluster": SOURCE,
        "cluster": TARGET,
        "backup_vault_name": VAULT,
        "iam_role_arn": ROLE,
        "instance_class": "db.r6g.large",
        "tags": TAGS,
        "wait_timeout": 600,
        **params,
    }


def _cluster(identifier, arn, status="available"):
    return {
        "DBClusters": [
            {
                "DBClusterIdentifier": identifier,
                "DBClusterArn": arn,
                "Status": status,
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.4",
                "DBSubnetGroup": "aurora-subnets",
                "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1"}, {"VpcSecurityGroupId": "sg-2"}],
                "Endpoint": identifier + ".cluster-x.us-west-2.rds.amazonaws.com",
                "Port": 5432,
            }
        ]
    }


def _points(*ages_and_statuses):
    return {
        "RecoveryPoints": [
            {
                "RecoveryPointArn": f"arn:aws:backup:us-west-2:123456789012:recovery-point:{name}",
                "CreationDate": _ago(age),
                "Status": status,
            }
            for name, age, status in ages_and_statuses
        ]
    }


def _run(module):
    clock = Clock(1000.0)
    for stub in module.stubs.values():
        stub.activate()
    with pytest.raises(Done) as outcome:
        restore.main(module, clock, clock.sleep)
    return outcome.value


def _source(module):
    module.stubs["rds"].add_response(
        "describe_db_clusters", _cluster(SOURCE, SOURCE_ARN), {"DBClusterIdentifier": SOURCE}
    )


def _instance(module, *statuses):
    rds = module.stubs["rds"]
    rds.add_response(
        "create_db_instance",
        {"DBInstance": {"DBInstanceIdentifier": TARGET + "-1"}},
        {
            "DBInstanceIdentifier": TARGET + "-1",
            "DBClusterIdentifier": TARGET,
            "Engine": "aurora-postgresql",
            "DBInstanceClass": "db.r6g.large",
            "Tags": TAG_LIST,
        },
    )
    for status in statuses:
        rds.add_response(
            "describe_db_instances",
            {"DBInstances": [{"DBInstanceIdentifier": TARGET + "-1", "DBInstanceStatus": status}]},
            {"DBInstanceIdentifier": TARGET + "-1"},
        )


def test_the_newest_completed_backup_point_is_restored_tagged_given_an_instance_and_its_endpoint_returned():
    module = Clients(_params())
    _source(module)
    backup = module.stubs["backup"]
    backup.add_response(
        "list_recovery_points_by_backup_vault",
        _points(("older", 7200, "COMPLETED"), ("newest", 600, "COMPLETED"), ("running", 10, "RUNNING")),
        {"BackupVaultName": VAULT, "ByResourceArn": SOURCE_ARN},
    )
    backup.add_response(
        "start_restore_job",
        {"RestoreJobId": "job-1"},
        {"RecoveryPointArn": POINT, "IamRoleArn": ROLE, "ResourceType": "Aurora", "Metadata": ANY},
    )
    backup.add_response(
        "describe_restore_job", {"RestoreJobId": "job-1", "Status": "RUNNING"}, {"RestoreJobId": "job-1"}
    )
    backup.add_response(
        "describe_restore_job",
        {"RestoreJobId": "job-1", "Status": "COMPLETED", "CreatedResourceArn": TARGET_ARN},
        {"RestoreJobId": "job-1"},
    )
    module.stubs["rds"].add_response("add_tags_to_resource", {}, {"ResourceName": TARGET_ARN, "Tags": TAG_LIST})
    _instance(module, "creating", "available")
    module.stubs["rds"].add_response(
        "describe_db_clusters", _cluster(TARGET, TARGET_ARN), {"DBClusterIdentifier": TARGET}
    )

    done = _run(module)

    assert not done.failed, done.result
    result = done.result
    assert result["changed"] is True
    assert result["cluster"] == {
        "identifier": TARGET,
        "instance": TARGET + "-1",
        "arn": TARGET_ARN,
        "endpoint": TARGET + ".cluster-x.us-west-2.rds.amazonaws.com",
        "port": 5432,
    }
    point = result["recovery_point"]
    assert point["source"] == "AWS Backup" and point["arn"] == POINT and 599 < point["age_seconds"] < 660
    assert point["detail"] == f"AWS Backup {POINT} of {point['creation_date']} ({point['age_seconds']} s old)"
    assert result["restore_job"]["status"] == "COMPLETED" and result["duration_seconds"] > 0
    assert result["api_calls"] == [
        "rds.DescribeDBClusters",
        "backup.ListRecoveryPointsByBackupVault",
        "backup.StartRestoreJob",
        "backup.DescribeRestoreJob",
        "backup.DescribeRestoreJob",
        "rds.AddTagsToResource",
        "rds.CreateDBInstance",
        "rds.DescribeDBInstances",
        "rds.DescribeDBInstances",
        "rds.DescribeDBClusters",
    ]
    for stub in module.stubs.values():
        stub.assert_no_pending_responses()


def test_the_restore_job_gets_the_source_network_without_deletion_protection_as_aws_backup_strings():
    module = Clients(_params())
    _source(module)
    backup = module.stubs["backup"]
    backup.add_response("list_recovery_points_by_backup_vault", _points(("newest", 60, "COMPLETED")))
    sent = {}

    def capture(**params):
        sent.update(params)

    module.clients["backup"].meta.events.register("provide-client-params.backup.StartRestoreJob", capture)
    backup.add_response("start_restore_job", {"RestoreJobId": "job-1"})
    backup.add_response("describe_restore_job", {"RestoreJobId": "job-1", "Status": "FAILED", "StatusMessage": "quota"})

    done = _run(module)

    assert done.failed and done.result["reason"] == "restore_failed"
    assert done.result["msg"] == "restore job job-1 FAILED: quota"
    assert json.loads(sent["params"]["Metadata"]["VpcSecurityGroupIds"]) == ["sg-1", "sg-2"]
    assert {k: v for k, v in sent["params"]["Metadata"].items() if k != "VpcSecurityGroupIds"} == {
        "DBClusterIdentifier": TARGET,
        "DeletionProtection": "false",
        "Engine": "aurora-postgresql",
        "EngineVersion": "15.4",
        "DBSubnetGroupName": "aurora-subnets",
    }
    assert "rds.CreateDBInstance" not in done.result["api_calls"]


def test_without_a_recovery_point_the_newest_automated_snapshot_read_from_every_page_is_restored():
    module = Clients(_params())
    _source(module)
    module.stubs["backup"].add_response("list_recovery_points_by_backup_vault", _points(("running", 10, "RUNNING")))
    rds = module.stubs["rds"]
    query = {"DBClusterIdentifier": SOURCE, "SnapshotType": "automated"}

    def snapshot(name, age, status="available"):
        return {
            "DBClusterSnapshotIdentifier": name,
            "DBClusterSnapshotArn": "arn:aws:rds:us-west-2:123456789012:cluster-snapshot:" + name,
            "SnapshotCreateTime": _ago(age),
            "Status": status,
        }

    rds.add_response(
        "describe_db_cluster_snapshots",
        {"DBClusterSnapshots": [snapshot("rds:day-1", 172800)], "Marker": "page-2"},
        query,
    )
    rds.add_response(
        "describe_db_cluster_snapshots",
        {"DBClusterSnapshots": [snapshot("rds:day-2", 86400), snapshot("rds:now", 5, "creating")]},
        {**query, "Marker": "page-2"},
    )
    rds.add_response(
        "restore_db_cluster_from_snapshot",
        {"DBCluster": {"DBClusterIdentifier": TARGET}},
        {
            "DBClusterIdentifier": TARGET,
            "SnapshotIdentifier": "rds:day-2",
            "DeletionProtection": False,
            "Tags": TAG_LIST,
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.4",
            "DBSubnetGroupName": "aurora-subnets",
            "VpcSecurityGroupIds": ["sg-1", "sg-2"],
        },
    )
    rds.add_response("describe_db_clusters", _cluster(TARGET, TARGET_ARN, "creating"), {"DBClusterIdentifier": TARGET})
    rds.add_response("describe_db_clusters", _cluster(TARGET, TARGET_ARN), {"DBClusterIdentifier": TARGET})
    _instance(module, "available")
    rds.add_response("describe_db_clusters", _cluster(TARGET, TARGET_ARN), {"DBClusterIdentifier": TARGET})

    done = _run(module)

    assert not done.failed, done.result
    point = done.result["recovery_point"]
    assert point["source"] == "automated snapshot" and point["snapshot_identifier"] == "rds:day-2"
    assert point["detail"].startswith("automated snapshot arn:aws:rds:") and point["detail"].endswith(" s old)")
    assert 86399 < point["age_seconds"] < 86500 and done.result["restore_job"] == {}
    assert done.result["duration_seconds"] > 0 and done.result["cluster"]["port"] == 5432
    rds.assert_no_pending_responses()


def test_no_vault_given_restores_the_newest_snapshot_without_asking_aws_backup():
    module = Clients(_params(backup_vault_name=None, iam_role_arn=None), check_mode=True)
    _source(module)
    module.stubs["rds"].add_response(
        "describe_db_cluster_snapshots",
        {
            "DBClusterSnapshots": [
                {
                    "DBClusterSnapshotIdentifier": "rds:day-2",
                    "DBClusterSnapshotArn": "arn:aws:rds:us-west-2:123456789012:cluster-snapshot:rds:day-2",
                    "SnapshotCreateTime": _ago(0),
                }
            ]
        },
    )
    done = _run(module)
    assert not done.failed and done.result["recovery_point"]["snapshot_identifier"] == "rds:day-2"
    assert done.result["api_calls"] == ["rds.DescribeDBClusters", "rds.DescribeDBClusterSnapshots"]


def test_nothing_to_restore_fails_with_its_reason_and_writes_nothing():
    module = Clients(_params())
    _source(module)
    module.stubs["backup"].add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": []})
    module.stubs["rds"].add_response("describe_db_cluster_snapshots", {"DBClusterSnapshots": []})
    done = _run(module)
    assert done.failed and done.result["reason"] == "no_recovery_point"
    assert done.result["msg"] == (
        f"nothing to restore: no completed recovery point of {SOURCE} in vault {VAULT} and no automated snapshot"
    )
    assert done.result["changed"] is False


def test_check_mode_finds_the_point_and_writes_nothing():
    module = Clients(_params(), check_mode=True)
    _source(module)
    module.stubs["backup"].add_response("list_recovery_points_by_backup_vault", _points(("newest", 60, "COMPLETED")))
    done = _run(module)
    assert not done.failed and done.result["changed"] is True and done.result["recovery_point"]["arn"] == POINT
    assert done.result["api_calls"] == ["rds.DescribeDBClusters", "backup.ListRecoveryPointsByBackupVault"]
    assert done.result["cluster"] == {"identifier": TARGET, "instance": TARGET + "-1"}


def test_a_restore_job_that_outlasts_the_timeout_fails_naming_the_job_for_the_cleanup():
    module = Clients(_params(wait_timeout=5))
    _source(module)
    backup = module.stubs["backup"]
    backup.add_response("list_recovery_points_by_backup_vault", _points(("newest", 60, "COMPLETED")))
    backup.add_response("start_restore_job", {"RestoreJobId": "job-1"})
    for _poll in range(20):
        backup.add_response("describe_restore_job", {"RestoreJobId": "job-1", "Status": "RUNNING"})
    done = _run(module)
    assert done.failed and done.result["reason"] == "timeout"
    assert done.result["msg"] == "restore job job-1 is still RUNNING after 5 s"
    assert done.result["restore_job"]["restore_job_id"] == "job-1" and done.result["duration_seconds"] is None


def test_an_instance_that_outlasts_the_timeout_fails_naming_it():
    module = Clients(_params(backup_vault_name=None, iam_role_arn=None, wait_timeout=5))
    _source(module)
    rds = module.stubs["rds"]
    rds.add_response(
        "describe_db_cluster_snapshots",
        {
            "DBClusterSnapshots": [
                {"DBClusterSnapshotIdentifier": "s", "DBClusterSnapshotArn": "arn:s", "SnapshotCreateTime": _ago(0)}
            ]
        },
    )
    rds.add_response("restore_db_cluster_from_snapshot", {"DBCluster": {}})
    rds.add_response("describe_db_clusters", _cluster(TARGET, TARGET_ARN))
    _instance(module, *["creating"] * 20)
    done = _run(module)
    assert done.failed and done.result["reason"] == "timeout"
    assert done.result["msg"] == f"instance {TARGET}-1 is still creating after 5 s"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"cluster": SOURCE}, "cluster must not be the source cluster " + SOURCE),
        ({"wait_timeout": 0}, "wait_timeout must be above 0"),
    ],
)
def test_bad_input_is_refused_before_any_call(params, message):
    module = Clients(_params(**params))
    done = _run(module)
    assert done.failed and done.result == {"msg": message, "api_calls": []}
