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
    assert [d["MetricName"] for d in drill_report.metric_data(report)] == ["RecoveryTimeSeconds"]
    assert drill_report.metric_data(dict(REPORT, measured={})) == []
    assert len(drill_report.subject(report)) == 100
