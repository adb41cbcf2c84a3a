"""DR readiness decisions (plugin_utils/readiness.py): parity of the DR region's cluster, drills against cadence."""

from __future__ import annotations

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import drill_report, readiness

WRITER = readiness.cluster_profile(
    {
        "DBClusterIdentifier": "registry",
        "DBClusterArn": "arn:aws:rds:us-west-2:123456789012:cluster:registry",
        "EngineVersion": "15.4",
        "DBClusterParameterGroup": "registry-params",
        "StorageEncrypted": True,
        "KmsKeyId": "arn:aws:kms:us-west-2:123456789012:key/1",
    },
    [{"DBInstanceClass": "db.r6g.large"}, {"DBInstanceClass": "db.r6g.large"}],
    "us-west-2",
    "aurora-postgresql16",
    {"log_min_duration_statement": "1000"},
)


def _secondary(**changes):
    profile = dict(
        WRITER, cluster="registry-dr", region="us-east-1", kms_key="arn:aws:kms:us-east-1:1:key/2", parameter_group="dr"
    )
    profile.update(changes)
    return profile


def test_a_twin_has_no_finding():
    assert WRITER["instance_classes"] == ["db.r6g.large"] and WRITER["encrypted"]
    assert readiness.parity_findings(WRITER, _secondary()) == []


def test_each_difference_names_both_sides():
    found = readiness.parity_findings(
        WRITER,
        _secondary(
            engine_version="15.2",
            parameter_family="aurora-postgresql15",
            parameters={"rds.force_ssl": "1"},
            kms_key=None,
            instance_classes=["db.t4g.medium"],
        ),
    )
    assert found == [
        "engine version: registry-dr in us-east-1 has 15.2, the writer registry in us-west-2 has 15.4",
        "cluster parameter group family: registry-dr in us-east-1 has aurora-postgresql15, the writer registry in "
        "us-west-2 has aurora-postgresql16",
        "cluster parameters: registry-dr in us-east-1 (dr) differs from the writer's (registry-params) in "
        "log_min_duration_statement=default against 1000, rds.force_ssl=1 against default",
        "encryption: registry-dr in us-east-1 has no KMS key, the writer's storage is encrypted",
        "instance class: registry-dr in us-east-1 has db.t4g.medium, the writer db.r6g.large",
    ]
    assert readiness.parity_findings(WRITER, _secondary(instance_classes=[])) == [
        "instances: registry-dr in us-east-1 has none, so it cannot take the writer's load"
    ]


def test_drills_not_done_or_failed_this_period_are_findings_with_the_last_runs_age():
    now = drill_report._epoch("2026-11-29T12:00:00Z")
    index = {
        "runs": [
            {"drill_id": "a", "type": "restore", "started_at": "2026-10-28T12:00:00Z", "result": "pass"},
            {"drill_id": "b", "type": "switchover", "started_at": "2026-11-02T12:00:00Z", "result": "fail"},
        ]
    }
    cadence = {"restore": {"every": "month"}, "switchover": {"every": "quarter"}, "full": {"every": "year"}}
    status = drill_report.cadence_status(index, cadence, now)
    assert readiness.drill_findings(status, now) == [
        "full drill: none this year (last never)",
        "restore drill: none this month (last 32.0 days ago)",
        "switchover drill: this quarter's did not pass",
    ]
    lines = readiness.drill_lines(status)
    assert (
        lines[1] == "restore (every month): this month's drill NOT DONE; last 2026-10-28T12:00:00Z, pass, 32.0 days ago"
    )
    assert lines[0] == "full (every year): this year's drill NOT DONE; never run"
