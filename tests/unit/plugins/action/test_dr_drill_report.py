"""The dr_drill_report action's delivery (files, S3, SNS, CloudWatch) and its report formats, with fake AWS clients.

The drills' end-to-end tests (tests/integration/test_dr_drill*.py) run it through ansible-playbook."""

from __future__ import annotations

import datetime
import io
import json

import botocore.exceptions
import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.ai_model_registry.infra.plugins.action import dr_drill_report as plugin
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import drill_report

START = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC).timestamp()
REPORT = {
    "drill_id": "20261129T120000-switchover",
    "type": "switchover",
    "environment": "staging",
    "result": "fail",
    "started_at": "2026-11-29T12:00:00Z",
    "ended_at": "2026-11-29T12:01:40Z",
    "findings": ["RTO 900 s over 600 s"],
    "targets": {"rto_seconds": 600, "rpo_seconds": 3600},
    "measured": {"rto_seconds": "900.5", "rpo_seconds": 0.4},
    "steps": [
        {"name": "Lock <taken> & kept", "status": "ok", "detail": "", "at": START + 10},
        {"name": "Writer moved", "status": "failed", "detail": 'timed out "after" 60 s', "at": START + 85},
    ],
    "cleanup": {"status": "ok", "detail": "nothing left"},
    "failed_step": "",
}
ARGS = {
    "report": REPORT,
    "bucket": "artifacts",
    "bucket_region": "us-east-1",
    "key_prefix": "dr-drills/staging/20261129T120000-switchover",
    "history_prefix": None,
    "cadence": {},
    "topic_arn": "arn:aws:sns:us-west-2:123456789012:dr",
    "metrics_region": "us-west-2",
    "profile": None,
    "endpoint_url": None,
}


class FakeApi:
    """ApiClients' interface: api(service, region).call(action, **params), recorded; one action may fail.
    S3 keeps what is put, and answers GetObject of a missing key with NoSuchKey."""

    def __init__(self, failing=None):
        self.api_calls, self.sent, self.failing, self.objects = [], [], failing, {}

    def __call__(self, service, region):
        api = self

        class Client:
            def call(self, action, **params):
                api.api_calls.append(f"{service}.{action}")
                if action == api.failing:
                    raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, action)
                api.sent.append((service, region, action, params))
                if action == "PutObject":
                    api.objects[params["Key"]] = params["Body"]
                if action == "GetObject":
                    if params["Key"] not in api.objects:
                        raise botocore.exceptions.ClientError({"Error": {"Code": "NoSuchKey", "Message": "-"}}, action)
                    return {"Body": io.BytesIO(api.objects[params["Key"]])}
                return {}

        return Client()


def _deliver(tmp_path, api, check_mode=False, **changes):
    args = {**ARGS, "directory": str(tmp_path / "drill"), **changes}
    plugin.check_arguments(args)
    return plugin.deliver(args, "# the page\n", lambda: api, check_mode=check_mode)


def test_writes_the_files_then_archives_announces_and_publishes(tmp_path):
    api = FakeApi()
    result = _deliver(tmp_path, api)
    directory = tmp_path / "drill"
    assert sorted(p.name for p in directory.iterdir()) == ["junit.xml", "report.html", "report.json", "report.md"]
    assert json.loads((directory / "report.json").read_text()) == REPORT
    assert (directory / "report.md").read_text() == "# the page\n"
    assert oct(directory.stat().st_mode & 0o777) == "0o750"
    assert oct((directory / "junit.xml").stat().st_mode & 0o777) == "0o640"
    assert api.api_calls == ["s3.PutObject"] * 4 + ["sns.Publish", "cloudwatch.PutMetricData"]
    puts = [sent[3] for sent in api.sent if sent[2] == "PutObject"]
    assert [put["Key"] for put in puts] == [f"{ARGS['key_prefix']}/{name}" for name in drill_report.FILES]
    assert puts[1]["Body"] == b"# the page\n"
    (publish,) = [s for s in api.sent if s[2] == "Publish"]
    assert publish[1] == "us-west-2" and publish[3]["Subject"] == "DR drill switchover of staging: fail"
    (metrics,) = [s for s in api.sent if s[2] == "PutMetricData"]
    assert metrics[1] == "us-west-2" and metrics[3]["Namespace"] == "AIModelRegistry/DR"
    series = [(d["MetricName"], d["Value"], [x["Value"] for x in d["Dimensions"]]) for d in metrics[3]["MetricData"]]
    assert series == [
        ("RecoveryTimeSeconds", 900.5, ["staging"]),  # what the DR stack's alarms watch
        ("RecoveryTimeSeconds", 900.5, ["staging", "switchover"]),  # one series per drill type
        ("RecoveryPointSeconds", 0.4, ["staging"]),
        ("RecoveryPointSeconds", 0.4, ["staging", "switchover"]),
    ]
    assert result["changed"] and result["published"] == 4 and result["announced"]
    assert result["objects"][0] == f"s3://artifacts/{ARGS['key_prefix']}/report.json"


def test_check_mode_writes_and_sends_nothing(tmp_path):
    api = FakeApi()
    result = _deliver(tmp_path, api, check_mode=True)
    assert not (tmp_path / "drill").exists() and api.api_calls == []
    assert result["files"][0].endswith("drill/report.json") and result["published"] == 0


def test_without_bucket_topic_and_region_it_only_writes_the_files(tmp_path):
    result = _deliver(tmp_path, None, bucket=None, topic_arn=None, metrics_region=None)
    assert (tmp_path / "drill/junit.xml").exists() and result["api_calls"] == [] and "objects" not in result


def test_a_refused_call_fails_the_task_and_keeps_the_files(tmp_path):
    api = FakeApi(failing="Publish")
    result = _deliver(tmp_path, api)
    assert result["failed"] and "sns.Publish failed" in result["msg"] and str(tmp_path / "drill") in result["msg"]
    assert (tmp_path / "drill/report.json").exists() and "cloudwatch.PutMetricData" not in api.api_calls


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"report": {"drill_id": "x"}}, "the report has no type, environment"),
        ({"bucket_region": None}, "bucket needs bucket_region"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(tmp_path, changes, message):
    with pytest.raises(AnsibleActionFail, match=message):
        _deliver(tmp_path, FakeApi(), **changes)
    assert not (tmp_path / "drill").exists()


def test_each_run_is_appended_to_the_history_with_its_index_and_page(tmp_path):
    api = FakeApi()
    cadence = {"switchover": {"every": "quarter"}, "restore": {"every": "month"}}
    first = _deliver(tmp_path / "one", api, history_prefix="dr-history", cadence=cadence)
    second_report = dict(REPORT, drill_id="20261129T130000-restore", type="restore", result="pass")
    second = _deliver(tmp_path / "two", api, history_prefix="dr-history", cadence=cadence, report=second_report)
    again = _deliver(tmp_path / "three", api, history_prefix="dr-history", cadence=cadence, report=second_report)
    assert (first["history"]["runs"], second["history"]["runs"], again["history"]["runs"]) == (1, 2, 2)
    index = json.loads(api.objects["dr-history/staging/index.json"])
    assert [(run["type"], run["result"]) for run in index["runs"]] == [("switchover", "fail"), ("restore", "pass")]
    record = json.loads(api.objects["dr-history/staging/runs/20261129T120000-switchover.json"])
    assert record["rto_seconds"] == "900.5" and record["targets"] == REPORT["targets"]
    page = (tmp_path / "three/drill/history.html").read_text()
    assert page == api.objects["dr-history/staging/history.html"].decode()
    assert '<section class="type" id="switchover" data-runs="1">' in page
    assert "api_calls" in again and api.api_calls.count("s3.GetObject") == 3


def test_history_needs_the_bucket(tmp_path):
    with pytest.raises(AnsibleActionFail, match="history_prefix needs bucket"):
        _deliver(tmp_path, FakeApi(), bucket=None, history_prefix="dr-history")


def test_a_relative_directory_is_the_working_directorys_and_the_files_are_named_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _deliver(tmp_path, FakeApi(), directory="dr-drill-reports/drill-1")
    assert (tmp_path / "dr-drill-reports/drill-1/report.json").is_file()
    assert result["files"][0] == str(tmp_path / "dr-drill-reports/drill-1/report.json")
