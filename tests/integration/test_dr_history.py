"""The DR history over a season of runs, on the emulator: two drills of each type and a real failover, recorded one
after the other by dr_drill_report as the dr_drill and failover roles record them (reports made by the same filters),
make four series - in the history's index and page in the artifacts bucket, and in CloudWatch by DrillType.

The drills themselves run end to end in test_dr_drill*.py and test_failover_playbook.py, each on a platform of its
own; here the history they append to is the subject, so the seven records go through the module on one emulator.
"""

from __future__ import annotations

import json
import re
import time

import yaml

from ansible_collections.ai_model_registry.infra.plugins.filter import dr_drill, failover
from tests.integration.ansible import local_playbook

BUCKET = "ai-model-registry-local-artifacts"
CADENCE = {"restore": {"every": "month"}, "switchover": {"every": "quarter"}, "full": {"every": "year"}}
TARGETS = {"rto_seconds": 14400, "rpo_seconds": 3600}
DAY = 86400


def _drill(kind, started_at, rto, rpo, result="pass"):
    """A drill's report as the dr_drill role assembles it (dr_drill_report filter); a failed one has a failed step."""
    plan = {"id": f"development-{kind}-{started_at}", "type": kind, "environment": "development"}
    steps = [{"name": "Lock taken", "status": "ok", "detail": "", "at": started_at + 1}]
    if result == "fail":
        steps.append({"name": "Writer moved", "status": "failed", "detail": "not finished", "at": started_at + 60})
    measured = {"rto_seconds": rto, "rpo_seconds": rpo}
    return dr_drill.dr_drill_report(
        dict(plan, started_at=started_at), TARGETS, measured, {}, steps, {"status": "ok"}, ended_at=started_at + rto
    )


def _failover(declared_at):
    """A real failover's record as the failover role makes it (failover_history_report)."""
    report = {
        "environment": "development",
        "declared_at": declared_at,
        "switch_seconds": 42.0,
        "rto_seconds": 95.5,
        "rpo_seconds": 0.8,
        "action": "failover",
        "via": "rds_global_cluster_failover",
        "previous_writer": "us-west-2",
        "new_writer": "us-east-1",
        "endpoint": "ai-model-registry-development.global-abc.global.rds.amazonaws.com",
        "writer_endpoint": "global",
        "rto_target_seconds": TARGETS["rto_seconds"],
        "rpo_target_seconds": TARGETS["rpo_seconds"],
        "rpo_check": [],
    }
    return failover.failover_history_report(report, "pass", now=declared_at + 95.5)


def test_two_drills_of_each_type_and_a_failover_make_four_series(aws, client, tmp_path):
    client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    now = int(time.time())
    runs = [
        _drill("restore", now - 40 * DAY, 1500, 1800),
        _drill("switchover", now - 35 * DAY, 120, 0.4, result="fail"),
        _drill("full", now - 30 * DAY, 900, 6),
        _drill("restore", now - 9 * DAY, 1400, 900),
        _drill("switchover", now - 8 * DAY, 95, 0.3),
        _failover(now - 5 * DAY),
        _drill("full", now - 2 * DAY, 850, 5),
    ]
    (tmp_path / "runs.json").write_text(json.dumps({"runs": runs, "cadence": CADENCE}))
    book = tmp_path / "record.yml"
    record = {
        "ai_model_registry.infra.dr_drill_report": {
            "report": "{{ item }}",
            "directory": str(tmp_path / "reports" / "{{ item.drill_id }}"),
            "bucket": BUCKET,
            "bucket_region": "us-west-2",
            "key_prefix": "dr-drills/development/{{ item.drill_id }}",
            "history_prefix": "dr-history",
            "cadence": "{{ cadence }}",
            "metrics_region": "us-east-1",
        },
        "loop": "{{ runs }}",
        "loop_control": {"label": "{{ item.drill_id }}"},
    }
    tasks = [dict({"name": "Record each run as the roles do"}, **record)]
    book.write_text(yaml.safe_dump([{"name": "Record", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    local_playbook(aws, book, "-e", f"@{tmp_path / 'runs.json'}", module="dr_drill_report")

    s3 = client("s3")
    index = json.loads(s3.get_object(Bucket=BUCKET, Key="dr-history/development/index.json")["Body"].read())
    counts = {}
    for run in index["runs"]:
        counts[run["type"]] = counts.get(run["type"], 0) + 1
    assert counts == {"restore": 2, "switchover": 2, "full": 2, "failover": 1}
    assert [run["result"] for run in index["runs"] if run["type"] == "switchover"] == ["fail", "pass"]
    records = s3.list_objects_v2(Bucket=BUCKET, Prefix="dr-history/development/runs/")["KeyCount"]
    assert records == 7  # one object per run beside the index

    page = s3.get_object(Bucket=BUCKET, Key="dr-history/development/history.html")["Body"].read().decode()
    sections = dict(re.findall(r'<section class="type" id="(\w+)" data-runs="(\d+)">', page))
    assert sections == {"failover": "1", "full": "2", "restore": "2", "switchover": "2"}
    # a line per figure for each type with two runs: restore, switchover and full (a single failover is a point)
    series = re.findall(r'<svg class="series" data-figure="(\w+)" data-points="(\d+)"', page)
    assert series == [("rto_seconds", "2"), ("rpo_seconds", "2")] * 3
    assert "this quarter&#39;s drill done, passed" in page and "this year&#39;s drill done, passed" in page

    # CloudWatch: each figure by environment, and by DrillType - a series per type
    metrics = client("cloudwatch", "us-east-1").list_metrics(MetricName="RecoveryTimeSeconds")["Metrics"]
    types = {d["Value"] for m in metrics for d in m["Dimensions"] if d["Name"] == "DrillType"}
    assert types == {"restore", "switchover", "full", "failover"}
