"""The files and figures of a DR drill report (plugin_utils/drill_report.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import drill_report
from tests.unit.plugins.action.test_dr_drill_report import REPORT


def test_junit_xml_escapes_names_and_counts_failures():
    cases = [{"name": 'a <b> & "c"', "failure": None}, {"name": "RTO within 600 s", "failure": "RTO 900 s <over>"}]
    text = drill_report.junit_xml(REPORT, cases)
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    suite = ET.fromstring(text.encode()).find("testsuite")  # noqa: S314 - our own output
    assert suite.get("tests") == "2" and suite.get("failures") == "1" and suite.get("timestamp") == REPORT["started_at"]
    first, second = suite.iter("testcase")
    assert first.get("name") == 'a <b> & "c"' and first.get("classname") == "dr_drill.switchover"
    assert first.find("failure") is None and second.find("failure").get("message") == "RTO 900 s <over>"


def test_metrics_leave_out_what_was_not_measured_and_the_subject_fits_sns():
    report = dict(REPORT, measured={"rto_seconds": 12}, environment="e" * 120)
    assert [d["MetricName"] for d in drill_report.metric_data(report)] == ["RecoveryTimeSeconds"] * 2
    assert drill_report.metric_data(dict(REPORT, measured={})) == []
    assert len(drill_report.subject(report)) == 100


def test_the_markdown_page_has_the_figures_the_findings_and_the_timeline():
    cadence = {"switchover": {"every": "quarter"}}
    page = drill_report.report_markdown(dict(REPORT, rpo_check={"verdict": "ok", "measurements": []}), cadence)
    lines = page.splitlines()
    assert lines[0] == "# DR drill 20261129T120000-switchover: FAIL"
    assert "| Drill | switchover (quarterly) |" in lines and "| RTO measured / target | 900.5 s / 600 s |" in lines
    assert "- RTO 900 s over 600 s" in lines and "| Cleanup | ok: nothing left |" in lines
    assert '| 12:01:25 | Writer moved | failed | timed out "after" 60 s |' in lines
    assert "## Recovery point before the drill (ok)" in lines
    # a real failover has no cadence; a figure not measured says so
    failover = drill_report.report_markdown(dict(REPORT, type="failover", measured={"rto_seconds": 3}), cadence)
    assert "| Drill | failover (a real failover, not a drill) |" in failover.splitlines()
    assert "| RPO measured / target | not measured s / 3600 s |" in failover.splitlines()


def test_the_timeline_is_to_scale_from_the_start_to_the_end():
    line = drill_report.timeline(REPORT)  # 100 s: steps recorded at 10 s and 85 s
    assert line["seconds"] == 100.0
    lock, writer, cleanup = line["bars"]
    assert (lock["from_s"], lock["to_s"], lock["x"], lock["width"]) == (0.0, 10.0, 0.0, 64.0)
    assert (writer["from_s"], writer["to_s"], writer["x"], writer["width"]) == (10.0, 85.0, 64.0, 480.0)
    assert (cleanup["name"], cleanup["status"], cleanup["x"], cleanup["width"]) == ("Cleanup and report", "ok", 544, 96)
    not_run = drill_report.timeline(dict(REPORT, cleanup={"status": "not run", "detail": ""}))
    assert [segment["name"] for segment in not_run["bars"]] == ["Lock <taken> & kept", "Writer moved"]


def test_the_page_is_self_contained_escaped_and_shows_figures_findings_and_timeline():
    page = drill_report.report_html(REPORT)
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Lock &lt;taken&gt; &amp; kept" in page and "<taken>" not in page
    assert '<tr class="failed"><th>RTO</th><td>900.5 s</td><td>600 s</td></tr>' in page
    assert '<tr class="ok"><th>RPO</th><td>0.4 s</td><td>3600 s</td></tr>' in page
    assert "<li>RTO 900 s over 600 s</li>" in page and 'class="step failed" x="394.0"' in page


def test_cadence_knows_whether_this_periods_drill_is_done_and_passed():
    def run(kind, when, result):
        return {"drill_id": when, "type": kind, "started_at": when, "result": result}

    index = {
        "runs": [
            run("switchover", "2026-09-30T10:00:00Z", "pass"),  # last quarter
            run("restore", "2026-11-03T10:00:00Z", "fail"),
            run("restore", "2026-11-10T10:00:00Z", "pass"),
            run("full", "2026-03-17T10:00:00Z", "fail"),
        ]
    }
    cadence = {"restore": {"every": "month"}, "switchover": {"every": "quarter"}, "full": {"every": "year"}}
    now = drill_report._epoch("2026-11-29T12:00:00Z")
    status = drill_report.cadence_status(index, cadence, now)
    assert (status["restore"]["done"], status["restore"]["passed"], status["restore"]["runs"]) == (True, True, 2)
    assert (status["switchover"]["done"], status["switchover"]["passed"]) == (False, False)
    assert (status["full"]["done"], status["full"]["passed"]) == (True, False)
    assert drill_report.period_start("quarter", now) == drill_report._epoch("2026-10-01T00:00:00Z")
    page = drill_report.history_html(index, cadence, now)
    assert "restore (every month): this month&#39;s drill done, passed" in page
    assert "switchover (every quarter): this quarter&#39;s drill not done" in page
    assert '<svg class="series" data-figure="rto_seconds"' not in page  # no figures measured: no line
    # real failovers have no cadence: a series of their own after the drills'
    index["runs"] += [dict(run("failover", "2026-11-20T03:00:00Z", "pass"), rto_seconds=n) for n in (40, 55)]
    page = drill_report.history_html(index, cadence, now)
    assert page.index('id="full"') < page.index(
        '<section class="type" id="failover" data-runs="2"><h2>failover: 2 real'
    )
    assert '<svg class="series" data-figure="rto_seconds" data-points="2"' in page
    assert "failover" not in drill_report.cadence_status(index, cadence, now)
