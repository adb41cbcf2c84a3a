# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files and figures of a DR drill report (docs/dr-drill-report.md), from the report dict."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import xml.etree.ElementTree as ET  # nosec B405 - writes XML, parses none

# The order the files are written, archived and listed in.
FILES = ("report.json", "report.md", "junit.xml")
NAMESPACE = "AIModelRegistry/DR"  # what the DR stack's alarms and dashboard watch


def report_json(report):
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


def junit_xml(report, cases):
    """JUnit XML of the report's test cases (``{name, failure}``, failure None when passed), as CI and AWX read it.

    ElementTree escapes every name and message; the XML declaration names the encoding of the bytes written."""
    suites = ET.Element("testsuites", name="dr-drill")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="%s drill of %s" % (report["type"], report["environment"]),
        tests=str(len(cases)),
        failures=str(sum(1 for case in cases if case["failure"] is not None)),
        timestamp=str(report["started_at"]),
    )
    for case in cases:
        element = ET.SubElement(suite, "testcase", classname="dr_drill.%s" % report["type"], name=case["name"])
        if case["failure"] is not None:
            ET.SubElement(element, "failure", message=str(case["failure"]))
    ET.indent(suites)
    return ET.tostring(suites, encoding="UTF-8", xml_declaration=True).decode("utf-8") + "\n"


def metric_data(report):
    """The measured RTO and RPO as CloudWatch data points of the environment; none that was not measured."""
    dimensions = [{"Name": "Environment", "Value": str(report["environment"])}]
    data = []
    for key, name in (("rto_seconds", "RecoveryTimeSeconds"), ("rpo_seconds", "RecoveryPointSeconds")):
        value = (report.get("measured") or {}).get(key)
        if value not in (None, ""):
            data.append({"MetricName": name, "Value": float(value), "Unit": "Seconds", "Dimensions": dimensions})
    return data


def subject(report):
    """The SNS subject: at most 100 characters, as SNS requires."""
    return ("DR drill %s of %s: %s" % (report["type"], report["environment"], report["result"]))[:100]
