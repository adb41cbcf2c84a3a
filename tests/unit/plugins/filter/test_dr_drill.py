"""The DR drill's decisions (plugins/filter/dr_drill.py): names, timeline, RTO/RPO, verdicts, report."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.filter import dr_drill as f
from ansible_collections.ai_model_registry.infra.plugins.module_utils import platform_model

CADENCE = platform_model.DRILL_CADENCE
MODEL = platform_model.model("ai-model-registry", "development", "bucket")
T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z


# --- before the drill


def test_a_valid_request_has_no_error():
    checks = {"tables": ["public.models"], "row_counts": [{"table": "models", "written_at": "created_at"}]}
    assert f.dr_drill_request_errors("restore", CADENCE, checks) == []
    assert f.dr_drill_request_errors("switchover", CADENCE, None) == []
    assert f.dr_drill_request_errors("restore", CADENCE, checks, check_mode=True) == []


def test_check_mode_previews_the_restore_drill_only():
    [error] = f.dr_drill_request_errors("switchover", CADENCE, None, check_mode=True)
    assert error.startswith("dr_drill_type=switchover cannot be previewed with --check")
    assert "playbooks/failover.yml --check" in error
    assert len(f.dr_drill_request_errors("full", CADENCE, None, True)) == 1


def test_request_errors_name_the_type_and_the_bad_checks():
    errors = f.dr_drill_request_errors(
        "yearly", CADENCE, {"tables": ["x;drop"], "queries": [{"name": "q", "sql": "SELECT 1"}]}
    )
    assert errors[0] == "dr_drill_type=yearly: choose one of restore, switchover, full"
    assert "not x;drop" in errors[1] and errors[2] == "dr_drill_restore_checks: queries[0] needs name, sql and expect"


def test_the_plan_names_the_drill_and_what_it_creates():
    plan = f.dr_drill_plan("full", "development", MODEL, "dr-drills", "ai-model-registry:dr-drill", T0, 42)
    assert plan["id"] == "development-full-20270115T080000Z-42" and plan["started_at"] == T0
    assert plan["action"] == "failover"
    assert plan["restore_cluster"].startswith("ai-model-registry-development-drill-")
    assert len(plan["restore_cluster"]) == len("ai-model-registry-development-drill-") + 8
    assert plan["tags"] == {"ai-model-registry:dr-drill": plan["id"], "Environment": "development"}
    assert plan["probe_key"] == f"dr-drills/development/{plan['id']}/replication-probe.txt"
    assert f.dr_drill_plan("restore", "development", MODEL, "p", "k", T0, 42)["action"] == "switchover"
    # the same drill id names the same cluster: a later drill finds it
    again = f.dr_drill_plan("full", "development", MODEL, "dr-drills", "k", T0, 42)
    assert again["restore_cluster"] == plan["restore_cluster"]


@pytest.mark.parametrize(("timeout", "delay", "polls"), [(1800, 5, 360), ("900", 2, 450), (3, 5, 1), (7, 2, 3)])
def test_polls_fill_the_timeout(timeout, delay, polls):
    assert f.dr_drill_polls(timeout, delay) == polls


# --- the timeline


def test_a_step_is_appended_with_its_time():
    steps = f.dr_drill_step([], "RPO check", detail="verdict pass", at=T0)
    steps = f.dr_drill_step(steps, "Declared", status=False, at=T0 + 1)
    assert steps == [
        {"name": "RPO check", "status": "ok", "at": T0, "detail": "verdict pass"},
        {"name": "Declared", "status": "failed", "at": T0 + 1, "detail": ""},
    ]


def test_steps_from_a_module_or_a_step_filter_take_a_prefix():
    checks = [{"name": "expected tables", "status": "failed", "detail": "missing: models", "missing": ["models"]}]
    steps = f.dr_drill_step([], checks, prefix="Restored data: ", at=T0)
    assert steps == [
        {"name": "Restored data: expected tables", "status": "failed", "at": T0, "detail": "missing: models"}
    ]
    assert f.dr_drill_step([], {"name": "n", "status": "ok"}, at=T0)[0]["name"] == "n"


def test_an_unknown_status_is_an_error():
    with pytest.raises(AnsibleFilterError, match="not ok or failed"):
        f.dr_drill_step([], "x", status="maybe")


# --- restore drill


def test_the_recovery_point_of_aws_backup():
    job = {"recovery_point": {"arn": "arn:rp", "creation_date": "2027-01-15T07:00:00+00:00", "age_seconds": 3600.12345}}
    point = f.dr_drill_recovery_point(job, [], T0)
    assert point == {
        "source": "AWS Backup",
        "arn": "arn:rp",
        "creation_date": "2027-01-15T07:00:00+00:00",
        "epoch": T0 - 3600,
        "age_seconds": 3600.123,
    }


def test_without_a_recovery_point_the_newest_snapshot_and_its_age_at_the_declaration():
    snapshots = [
        {
            "db_cluster_snapshot_arn": "arn:new",
            "db_cluster_snapshot_identifier": "rds:new",
            "snapshot_create_time": "2027-01-15T07:30:00Z",
        },
        {
            "db_cluster_snapshot_arn": "arn:old",
            "db_cluster_snapshot_identifier": "rds:old",
            "snapshot_create_time": "2027-01-14T07:30:00.000000+00:00",
        },
    ]
    point = f.dr_drill_recovery_point({"recovery_point": {}}, snapshots, T0)
    assert point["source"] == "automated snapshot" and point["arn"] == "arn:new" and point["age_seconds"] == 1800
    assert point["snapshot_identifier"] == "rds:new"  # automated snapshots' names hold a colon: not from the ARN
    with pytest.raises(AnsibleFilterError, match="no snapshot"):
        f.dr_drill_recovery_point({}, [], T0)


def test_restore_measured():
    point = {"source": "AWS Backup", "arn": "arn:rp", "age_seconds": 120.5}
    measured = f.dr_drill_restore_measured(point, "c-drill-1", T0, T0 + 95.25, {"duration_seconds": 60})
    assert measured == {
        "rto_seconds": 95.25,
        "rpo_seconds": 120.5,
        "restore_seconds": 60.0,
        "recovery_point_source": "AWS Backup",
        "recovery_point_arn": "arn:rp",
        "recovery_point_age_seconds": 120.5,
        "restored_cluster": "c-drill-1",
    }
    assert f.dr_drill_restore_measured(point, "c", T0, T0 + 1, {"duration_seconds": None})["restore_seconds"] is None


# --- switchover drill and full simulation

BEFORE = [{"seq": n, "at": T0 + n / 100} for n in range(1, 4)]  # 3 canaries before the switch
DURING = f"1000 {T0 + 1}\n1001 {T0 + 2}\n1002 {T0 + 3}\n"  # the writer's acknowledgements
SWITCH = {"rpo_seconds": 0.05, "switch_seconds": 4.5}


def _evidence(found, action="switchover", dr_server="127.0.0.1:5433", switch=None, during=DURING):
    switch = switch or SWITCH
    return f.dr_drill_switch_evidence(BEFORE, during, found, switch, T0, T0 + 10.5, action, "127.0.0.1:5432", dr_server)


def test_a_switchover_that_lost_nothing():
    found = (
        BEFORE + [{"seq": s, "at": T0 + i} for i, s in ((1, 1000), (2, 1001), (3, 1002))] + [{"seq": 0, "at": T0 + 11}]
    )
    evidence = _evidence(found)
    assert evidence["measured"] == {
        "rto_seconds": 10.5,
        "canaries_written": 6,
        "canaries_written_during_switch": 3,
        "canaries_lost": 0,
        "canary_rpo_seconds": 0.0,
        "rpo_seconds": 0.05,  # the lag AWS reported is the larger
        "aws_reported_lag_seconds": 0.05,
        "writer_moved_seconds": 4.5,
        # the writer's last acknowledgement at T0+3, the next write the verification's at T0+10.5 (repointed Secret)
        "write_outage_seconds": 7.5,
        # the writer moved at T0+4.5: the first write after it is the verification's, through the repointed Secret
        "first_write_after_move_seconds": 6.0,
        "writer_endpoint": "cluster",
        "action": "switchover",
    }
    assert evidence["verification"]["status"] == "ok" and evidence["expected_after_failback"] == 7
    assert evidence["verification"]["detail"] == (
        "3 of 3 canaries written before and 3 of 3 acknowledged during the switch read, and a write accepted, "
        "by 127.0.0.1:5433"
    )


def test_through_the_global_writer_endpoint_the_writer_reconnects_by_itself():
    # acknowledgements every 0.5 s but for 2 s while the writer moved, up to the verification at T0+10.5
    times = [1 + n / 2 for n in range(7)] + [6 + n / 2 for n in range(10)]
    during = [[1000 + i, T0 + at] for i, at in enumerate(times)]
    switch = dict(SWITCH, writer_endpoint="global")
    measured = _evidence(BEFORE, switch=switch, during=during)["measured"]
    assert measured["write_outage_seconds"] == 2.0 and measured["writer_endpoint"] == "global"
    assert measured["first_write_after_move_seconds"] == 1.5  # moved at T0+4.5, the writer's next write at T0+6


def test_a_failover_measures_what_it_lost():
    found = BEFORE + [{"seq": 1000, "at": T0 + 1}, {"seq": 1003, "at": T0 + 4}]  # 1003: committed, never acknowledged
    evidence = _evidence(found, action="failover")
    measured = evidence["measured"]
    assert measured["canaries_lost"] == 2 and measured["canary_rpo_seconds"] == 2.0 and measured["rpo_seconds"] == 2.0
    assert evidence["verification"]["status"] == "ok"  # a failover may lose: that is its RPO
    assert evidence["expected_after_failback"] == 6  # the 5 rows found, 1003 too, and the one written in the DR region
    # the same loss in a switchover fails its verification
    assert _evidence(found)["verification"]["status"] == "failed"


def test_a_failover_measures_the_lost_seconds_also_when_the_writer_goes_on_writing_after_it():
    # through the global writer endpoint the background writer reaches the new writer after the failover: its
    # newest acknowledgement is found, the seconds before the failover (1001, 1002) are not
    during = f"1000 {T0 + 1}\n1001 {T0 + 2}\n1002 {T0 + 3}\n1003 {T0 + 8}\n"
    found = BEFORE + [{"seq": 1000, "at": T0 + 1}, {"seq": 1003, "at": T0 + 8}]
    measured = _evidence(found, action="failover", during=during)["measured"]
    assert measured["canaries_lost"] == 2 and measured["canary_rpo_seconds"] == 2.0


def test_nothing_found_is_a_loss_since_the_first_canary():
    measured = _evidence([], action="failover", switch={"rpo_seconds": None, "switch_seconds": "3"})["measured"]
    assert measured["canaries_lost"] == 6 and measured["canary_rpo_seconds"] == 3 - 0.01
    assert measured["aws_reported_lag_seconds"] == 0.0 and measured["writer_moved_seconds"] == 3.0


def test_the_application_must_have_moved():
    found = BEFORE + [{"seq": s, "at": T0} for s in (1000, 1001, 1002)]
    assert _evidence(found, dr_server="127.0.0.1:5432")["verification"]["status"] == "failed"


def test_failback_step():
    evidence = {"expected_after_failback": 7}
    ok = f.dr_drill_failback_step(7, evidence, "127.0.0.1:5432", "127.0.0.1:5432")
    assert ok == {
        "name": "Failed back and verified in the primary region",
        "status": "ok",
        "detail": "7 canaries on 127.0.0.1:5432",
    }
    assert f.dr_drill_failback_step("6", evidence, "127.0.0.1:5432", "127.0.0.1:5432")["status"] == "failed"
    assert f.dr_drill_failback_step(7, evidence, "127.0.0.1:5433", "127.0.0.1:5432")["status"] == "failed"


def test_s3_probe_step():
    arrived = f.dr_drill_s3_probe_step("id", "id", "s3://b-replica/k", T0, T0 + 2.345, 900)
    assert arrived["status"] == "ok" and arrived["seconds"] == 2.345
    assert arrived["detail"] == "s3://b-replica/k arrived after 2.3 s"
    lost = f.dr_drill_s3_probe_step("", "id", "s3://b-replica/k", T0, T0 + 900, 900)
    assert lost["status"] == "failed" and lost["seconds"] is None
    assert lost["detail"] == "the probe did not reach the replica within 900 s"


def test_redis_step():
    measurements = [
        {"store": "aurora_global", "status": "ok"},
        {"store": "redis", "status": "ok", "value": 120.0, "unit": "seconds", "target": 86400.0},
    ]
    step = f.dr_drill_redis_step(measurements, "us-west-2", 86400)
    assert step["status"] == "ok" and "cold cache" in step["detail"]
    assert "Newest snapshot in us-west-2: 120.0 seconds old (target 86400.0 s)." in step["detail"]
    none = f.dr_drill_redis_step([], "us-west-2", 86400)
    assert none["status"] == "failed" and "none  old (target 86400 s)" in none["detail"]


# --- cleanup


def test_leftovers_by_tag_of_this_environment_or_by_name():
    prefix = "ai-model-registry-development-drill-"
    clusters = [
        {
            "db_cluster_identifier": "tagged",
            "tags": {"k": "d1", "Environment": "development"},
            "db_cluster_members": [{"db_instance_identifier": "tagged-1"}],
        },
        {"db_cluster_identifier": "other-env", "tags": {"k": "d2", "Environment": "staging"}},
        {"db_cluster_identifier": prefix + "deadbeef", "tags": {}},
        {"db_cluster_identifier": prefix + "deadbeef-not", "tags": {}},
        {
            "db_cluster_identifier": "ai-model-registry-development-aurora-cluster",
            "tags": {"Environment": "development"},
        },
    ]
    assert f.dr_drill_leftovers(clusters, "k", "development", prefix) == [
        {"cluster": "tagged", "instances": ["tagged-1"]},
        {"cluster": prefix + "deadbeef", "instances": []},
    ]


def test_cleanup_summary():
    removed = [{"cluster": "a", "instances": []}, {"cluster": "b", "instances": []}]
    assert f.dr_drill_cleanup_summary("restore", removed) == {
        "status": "ok",
        "detail": "temporary clusters removed: a, b",
    }
    assert f.dr_drill_cleanup_summary("full", [])["detail"] == (
        "temporary clusters removed: none; writer in the primary region, canary rows removed; replication probe removed"
    )


# --- the report

DRILL = {"id": "development-switchover-x", "type": "switchover", "environment": "development", "started_at": T0}
TARGETS = {"rto_seconds": "14400", "rpo_seconds": 3600}
OK_STEP = {"name": "RPO check", "status": "ok", "at": T0, "detail": ""}


def test_a_passing_report():
    report = f.dr_drill_report(
        DRILL,
        TARGETS,
        {"rto_seconds": 10.0, "rpo_seconds": 0.1},
        {"verdict": "pass", "measurements": [], "x": 1},
        [OK_STEP],
        {"status": "ok", "detail": "d"},
        "",
        T0 + 60,
    )
    assert report["result"] == "pass" and report["findings"] == []
    assert report["schema"] == "ai_model_registry.infra/dr-drill-report/v1"
    assert report["started_at"] == "2027-01-15T08:00:00Z" and report["ended_at"] == "2027-01-15T08:01:00Z"
    assert report["targets"] == {"rto_seconds": 14400.0, "rpo_seconds": 3600.0}
    assert report["rpo_check"] == {"verdict": "pass", "measurements": []}
    assert set(report) == {
        "schema",
        "drill_id",
        "type",
        "environment",
        "started_at",
        "ended_at",
        "result",
        "findings",
        "targets",
        "measured",
        "rpo_check",
        "steps",
        "cleanup",
        "failed_step",
    }


def test_findings_say_why_a_drill_failed():
    failed = dict(OK_STEP, name="S3 replication", status="failed")
    findings = f.dr_drill_findings(
        {"rto_seconds": 20000, "rpo_seconds": 4000},
        {"rto_seconds": 14400, "rpo_seconds": 3600},
        [OK_STEP, failed],
        {"status": "failed", "detail": "Delete: boom"},
        "Take the lock: held",
    )
    assert findings == [
        "Take the lock: held",
        "RTO 20000 s above the target 14400 s",
        "RPO 4000 s above the target 3600 s",
        "step failed: S3 replication",
        "cleanup failed: Delete: boom",
    ]
    nothing = f.dr_drill_report(DRILL, TARGETS, {}, None, [], None)
    assert nothing["result"] == "fail" and nothing["cleanup"] == {"status": "not run", "detail": ""}
    # the lock was not taken: nothing to clean up, and no finding for it
    assert nothing["findings"] == ["no measurement: the drill did not get that far"]


def test_junit_cases():
    report = f.dr_drill_report(
        DRILL, TARGETS, {"rto_seconds": 20000.0}, {}, [OK_STEP], {"status": "ok", "detail": ""}, "a step: boom"
    )
    assert f.dr_drill_junit_cases(report) == [
        {"name": "RPO check", "failure": None},
        {"name": "RTO within 14400.0 s", "failure": "RTO 20000.0 s"},
        {"name": "RPO within 3600.0 s", "failure": "not measured"},
        {"name": "Cleanup", "failure": None},
        {"name": "Drill steps", "failure": "a step: boom"},
    ]


def test_every_filter_is_documented():
    import pathlib

    import yaml

    docs = pathlib.Path(f.__file__).parent
    for name in f.FilterModule().filters():
        doc = yaml.safe_load((docs / f"{name}.yml").read_text())
        assert doc["DOCUMENTATION"]["name"] == name and doc["EXAMPLES"] and doc["RETURN"]["_value"]


def test_evidence_reads_the_pairs_dr_drill_canaries_returns():
    written = [[1, T0], [2, T0]]
    during = [[1000, T0 + 1], [1001, T0 + 2]]
    found = [[1, T0], [2, T0], [1000, T0 + 1]]
    evidence = f.dr_drill_switch_evidence(written, during, found, SWITCH, T0, T0 + 5, "failover", "a:1", "b:2")
    assert evidence["measured"]["canaries_lost"] == 1 and evidence["measured"]["canary_rpo_seconds"] == 1.0
    assert evidence["expected_after_failback"] == 4


def test_the_canaries_cover_the_replication_lag_before_a_failover():
    rpo = {
        "measurements": [
            {"store": "aurora_global", "value": 15.0},
            {"store": "redis", "value": 80000.0},  # a snapshot's age is not the database's window
            {"store": "aurora_global", "value": None},
        ]
    }
    assert f.dr_drill_canary_cover_seconds(rpo, 120) == 16
    assert f.dr_drill_canary_cover_seconds({"measurements": [{"store": "aurora_global", "value": 0.05}]}) == 2
    assert f.dr_drill_canary_cover_seconds(rpo, 10) == 10 and f.dr_drill_canary_cover_seconds({}) == 1


def test_redis_evidence_measures_the_sentinel_keys_a_failover_lost():
    written = [[1, 100.0], [2, 100.0]]
    during = [[1000, 101.0], [1001, 102.0], [1002, 103.0], [1003, 104.0]]
    found = [[1, 100.0], [2, 100.0], [1000, 101.0], [1001, 102.0]]  # what replication had delivered
    switch = {"redis": {"lag_seconds": 2.0, "switch_seconds": 1.5}}
    evidence = f.dr_drill_redis_evidence(written, during, found, switch, 3600, "run_id a", "run_id b")
    assert evidence["measured"] == {
        "redis_canaries_written": 6,
        "redis_canaries_lost": 2,
        "redis_rpo_seconds": 2.0,  # from the newest key kept (102) to the last lost (104)
        "redis_aws_reported_lag_seconds": 2.0,
        "redis_failover_seconds": 1.5,
    }
    step = evidence["step"]
    assert step["status"] == "ok" and step["name"] == "Redis's sentinel keys read in the DR region"
    assert "2 of 2 keys written before and 2 of 4 acknowledged during the switch" in step["detail"]
    assert "on run_id b: 2 lost, 2.0 s of writes (target 3600 s)" in step["detail"]


@pytest.mark.parametrize(
    ("found", "target", "dr_server"),
    [
        ([[1, 100.0], [1000, 101.0]], 3600, "run_id a"),  # read on the primary of before: Redis did not move
        ([], 3600, "run_id b"),  # nothing arrived
        ([[1, 100.0]], 1, "run_id b"),  # 4 s of writes lost, above a 1 s target
    ],
)
def test_redis_evidence_fails_when_redis_did_not_move_nothing_arrived_or_the_loss_is_above_target(
    found, target, dr_server
):
    during = [[1000, 101.0], [1001, 102.0], [1002, 103.0], [1003, 104.0]]
    evidence = f.dr_drill_redis_evidence([[1, 100.0]], during, found, {}, target, "run_id a", dr_server)
    assert evidence["step"]["status"] == "failed"
    assert evidence["measured"]["redis_aws_reported_lag_seconds"] is None  # no Redis figures in the switch report
