# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files and figures of a DR drill report (docs/dr-drill-report.md), from the report dict."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import html
import json
import xml.etree.ElementTree as ET  # nosec B405 - writes XML, parses none

# The order the files are written, archived and listed in.
FILES = ("report.json", "report.md", "junit.xml", "report.html")
COLOURS = {"ok": "#2e7d32", "failed": "#c62828"}  # any other status: grey
TIMELINE_WIDTH = 640  # px of the time axis in report.html
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
    """The measured RTO and RPO as CloudWatch data points; none that was not measured.

    Each twice: by environment (the series the DR stack's alarms and dashboard watch) and by environment and
    drill type (one series per type: a restore's RTO is not a switchover's)."""
    environment = {"Name": "Environment", "Value": str(report["environment"])}
    by_type = [environment, {"Name": "DrillType", "Value": str(report["type"])}]
    data = []
    for key, name in (("rto_seconds", "RecoveryTimeSeconds"), ("rpo_seconds", "RecoveryPointSeconds")):
        value = (report.get("measured") or {}).get(key)
        if value not in (None, ""):
            for dimensions in ([environment], by_type):
                data.append({"MetricName": name, "Value": float(value), "Unit": "Seconds", "Dimensions": dimensions})
    return data


def subject(report):
    """The SNS subject: at most 100 characters, as SNS requires."""
    return ("DR drill %s of %s: %s" % (report["type"], report["environment"], report["result"]))[:100]


def kind_of(report, cadence):
    """How a run is named: a drill type with its cadence (``switchover (quarterly)``), or a real failover."""
    every = (cadence.get(report["type"]) or {}).get("every")
    return "%s (%sly)" % (report["type"], every) if every else "%s (a real failover, not a drill)" % report["type"]


def report_markdown(report, cadence):
    """The Markdown page of a run (the SNS announcement, report.md): the figures, findings, timeline and RPO check."""
    measured, targets = report.get("measured") or {}, report.get("targets") or {}

    def figure(key):
        value = measured.get(key)
        return "not measured" if value in (None, "") else value

    rows = [
        ("Drill", kind_of(report, cadence)),
        ("Environment", report["environment"]),
        ("Started / ended", "%s / %s" % (report["started_at"], report.get("ended_at", ""))),
        ("RTO measured / target", "%s s / %s s" % (figure("rto_seconds"), targets.get("rto_seconds"))),
        ("RPO measured / target", "%s s / %s s" % (figure("rpo_seconds"), targets.get("rpo_seconds"))),
    ]
    if "canaries_written" in measured:
        path = (
            "global writer endpoint"
            if measured.get("writer_endpoint") == "global"
            else "cluster endpoint, Secret repointed"
        )
        rows += [
            ("Canaries written / lost", "%s / %s" % (measured["canaries_written"], measured.get("canaries_lost"))),
            ("Replication lag AWS reported", "%s s" % measured.get("aws_reported_lag_seconds")),
            ("Application write outage (%s)" % path, "%s s" % measured.get("write_outage_seconds")),
            (
                "First write through the Secret after the writer moved",
                "%s s" % measured.get("first_write_after_move_seconds"),
            ),
        ]
    if "recovery_point_arn" in measured:
        rows += [
            (
                "Recovery point (%s)" % measured.get("recovery_point_source"),
                "%s, %s s old" % (measured["recovery_point_arn"], measured.get("recovery_point_age_seconds")),
            ),
            ("Restore job duration", "%s s" % (measured.get("restore_seconds") or "-")),
        ]
    if "redis_rpo_seconds" in measured:
        rows += [
            (
                "Redis sentinel keys written / lost",
                "%s / %s" % (measured.get("redis_canaries_written"), measured.get("redis_canaries_lost")),
            ),
            ("Redis RPO measured (sentinel keys)", "%s s" % measured["redis_rpo_seconds"]),
            ("Redis replication lag AWS reported", "%s s" % measured.get("redis_aws_reported_lag_seconds")),
            ("Redis failover took", "%s s" % measured.get("redis_failover_seconds")),
        ]
    if "s3_replication_seconds" in measured:
        rows.append(("S3 probe replicated in", "%s s" % measured["s3_replication_seconds"]))
    cleanup = report.get("cleanup") or {}
    rows.append(("Cleanup", "%s: %s" % (cleanup.get("status", "-"), cleanup.get("detail", ""))))

    lines = ["# DR drill %s: %s" % (report["drill_id"], str(report["result"]).upper()), "", "| | |", "|---|---|"]
    lines += ["| %s | %s |" % row for row in rows]
    if report.get("findings"):
        lines += ["", "## Findings", ""] + ["- %s" % finding for finding in report["findings"]]
    lines += ["", "## Timeline", "", "| Time (UTC) | Step | Status | Detail |", "|---|---|---|---|"]
    for step in report.get("steps") or []:
        at = datetime.datetime.fromtimestamp(_epoch(step["at"]), tz=datetime.timezone.utc).strftime("%H:%M:%S")
        lines.append("| %s | %s | %s | %s |" % (at, step["name"], step["status"], step.get("detail", "")))
    rpo_check = report.get("rpo_check") or {}
    lines += ["", "## Recovery point before the drill (%s)" % rpo_check.get("verdict", "not measured"), ""]
    lines += ["| Figure | Value | Target | Status |", "|---|---|---|---|"]
    for m in rpo_check.get("measurements") or []:
        lines.append(
            "| %s | %s %s | %s | %s |" % (m["name"], m["value"], m.get("unit", ""), m.get("target"), m["status"])
        )
    return "\n".join(lines) + "\n"


def _epoch(value):
    """Seconds since the epoch of an ISO 8601 time (``2026-11-29T12:00:00Z``) or a number."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text).timestamp()


def timeline(report):
    """The steps as bars on one time axis, to scale: each from the step before it (the drill's start for the
    first) to the moment it was recorded. ``x``/``width`` in px of TIMELINE_WIDTH, times in s from the start."""
    start = _epoch(report["started_at"])
    moments = [float(step["at"]) for step in report["steps"]]
    end = max([_epoch(report.get("ended_at") or start)] + moments + [start])
    scale = TIMELINE_WIDTH / max(end - start, 1e-9)
    bars, previous = [], start
    for step, moment in zip(report["steps"], moments):  # noqa: B905 - same length by construction
        begin = min(previous, moment)
        bars.append(
            {
                "name": step["name"],
                "status": step["status"],
                "detail": step.get("detail", ""),
                "from_s": round(begin - start, 3),
                "to_s": round(moment - start, 3),
                "x": round((begin - start) * scale, 1),
                "width": round(max((moment - begin) * scale, 2), 1),
            }
        )
        previous = moment
    cleanup = (report.get("cleanup") or {}).get("status")
    if cleanup in ("ok", "failed"):  # the cleanup and the report: from the last step to the end
        bars.append(
            {
                "name": "Cleanup and report",
                "status": cleanup,
                "detail": report["cleanup"].get("detail", ""),
                "from_s": round(previous - start, 3),
                "to_s": round(end - start, 3),
                "x": round((previous - start) * scale, 1),
                "width": round(max((end - previous) * scale, 2), 1),
            }
        )
    return {"seconds": round(end - start, 3), "bars": bars}


def _figure_rows(report):
    measured, targets = report.get("measured") or {}, report.get("targets") or {}
    rows = []
    for key, label in (("rto_seconds", "RTO"), ("rpo_seconds", "RPO")):
        value, target = measured.get(key), targets.get(key)
        if value in (None, ""):
            rows.append((label, "not measured", "%s s" % target, "failed"))
        else:
            within = float(value) <= float(target)
            rows.append((label, "%s s" % value, "%s s" % target, "ok" if within else "failed"))
    labelled = (
        ("write_outage_seconds", "Write outage the application saw", " s"),
        ("canaries_written", "Canary writes acknowledged", ""),
        ("canaries_lost", "Canary writes lost", ""),
        ("redis_rpo_seconds", "Redis RPO measured (sentinel keys)", " s"),
        ("redis_canaries_lost", "Redis sentinel keys lost", ""),
        ("restore_seconds", "Restore job", " s"),
        ("s3_replication_seconds", "S3 probe replicated in", " s"),
    )
    for key, label, unit in labelled:
        if measured.get(key) not in (None, ""):
            rows.append((label, "%s%s" % (measured[key], unit), "", ""))
    return rows


def report_html(report):
    """A self-contained page (no external asset: it opens offline and as an S3 object): the verdict, the figures
    against their targets, the findings and the timeline of the steps drawn to scale (SVG)."""
    e = html.escape
    line = timeline(report)
    row_height, label_width = 22, 330
    height = row_height * len(line["bars"]) + 30
    svg = [
        '<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
        'aria-label="timeline of the drill">' % (label_width + TIMELINE_WIDTH + 10, height)
    ]
    for index, segment in enumerate(line["bars"]):
        y = index * row_height
        svg.append(
            '<text x="0" y="%d" font-size="12">%s</text>' % (y + 15, e(segment["name"][:48]))
            + '<rect class="step %s" x="%.1f" y="%d" width="%.1f" height="16" fill="%s" data-from="%s" data-to="%s">'
            % (
                e(segment["status"]),
                label_width + segment["x"],
                y + 3,
                segment["width"],
                COLOURS.get(segment["status"], "#9e9e9e"),
                segment["from_s"],
                segment["to_s"],
            )
            + "<title>%s: %s (%s s to %s s)</title></rect>"
            % (e(segment["name"]), e(segment["detail"]), segment["from_s"], segment["to_s"])
        )
    axis_y = row_height * len(line["bars"]) + 18
    svg.append(
        '<text x="%d" y="%d" font-size="11">0 s</text><text x="%d" y="%d" font-size="11" text-anchor="end">%s s</text>'
        % (label_width, axis_y, label_width + TIMELINE_WIDTH, axis_y, line["seconds"])
    )
    svg.append("</svg>")
    figures = "".join(
        '<tr class="%s"><th>%s</th><td>%s</td><td>%s</td></tr>' % (e(status), e(label), e(value), e(target))
        for label, value, target, status in _figure_rows(report)
    )
    findings = "".join("<li>%s</li>" % e(str(f)) for f in report.get("findings") or []) or "<li>none</li>"
    cleanup = report.get("cleanup") or {}
    title = "DR drill %s: %s" % (report["drill_id"], str(report["result"]).upper())
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>%s</title><style>'
        "body{font-family:sans-serif;margin:24px;color:#212121}h1.pass{color:#2e7d32}h1.fail{color:#c62828}"
        "table{border-collapse:collapse}th,td{border:1px solid #bdbdbd;padding:4px 10px;text-align:left}"
        "tr.ok td:nth-child(2){color:#2e7d32}tr.failed td:nth-child(2){color:#c62828}"
        "</style></head><body>"
        '<h1 class="%s">%s</h1>'
        "<p>%s drill of <b>%s</b>, %s to %s. Cleanup: %s.</p>"
        '<h2>Figures</h2><table id="figures"><tr><th></th><th>Measured</th><th>Target</th></tr>%s</table>'
        '<h2>Findings</h2><ul id="findings">%s</ul>'
        "<h2>Timeline (%s s)</h2>%s"
        "</body></html>\n"
    ) % (
        e(title),
        "pass" if report["result"] == "pass" else "fail",
        e(title),
        e(str(report["type"])),
        e(str(report["environment"])),
        e(str(report["started_at"])),
        e(str(report.get("ended_at", ""))),
        e("%s %s" % (cleanup.get("status", ""), cleanup.get("detail", ""))),
        figures,
        findings,
        line["seconds"],
        "".join(svg),
    )


# --- history: one record per run, an index, and a page ---------------------------------------------------------

PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
NO_SERIES = "<i>a line from two measured runs on</i>"


def history_record(report):
    """What the history keeps of a run: when, what, the verdict and the figures against their targets."""
    measured = report.get("measured") or {}
    return {
        "drill_id": report["drill_id"],
        "type": report["type"],
        "environment": report["environment"],
        "started_at": report["started_at"],
        "result": report["result"],
        "rto_seconds": measured.get("rto_seconds"),
        "rpo_seconds": measured.get("rpo_seconds"),
        "write_outage_seconds": measured.get("write_outage_seconds"),
        "targets": report.get("targets") or {},
    }


def history_index(index, record):
    """The index with ``record`` in it (replacing a record of the same run), oldest first."""
    runs = [run for run in (index or {}).get("runs", []) if run["drill_id"] != record["drill_id"]] + [record]
    return {
        "schema": "ai_model_registry.infra/dr-history/v1",
        "runs": sorted(runs, key=lambda r: _epoch(r["started_at"])),
    }


def period_start(every, now):
    """The start (epoch s, UTC) of the calendar month, quarter or year ``now`` falls in."""
    moment = datetime.datetime.fromtimestamp(now, tz=datetime.timezone.utc)
    months = PERIOD_MONTHS[every]
    month = (moment.month - 1) // months * months + 1
    return datetime.datetime(moment.year, month, 1, tzinfo=datetime.timezone.utc).timestamp()


def cadence_status(index, cadence, now):
    """Per drill type: its last run and whether this period's (month, quarter, year) run happened and passed."""
    status = {}
    for kind in sorted(cadence):
        runs = [run for run in index.get("runs", []) if run["type"] == kind]
        since = period_start(cadence[kind]["every"], now)
        this_period = [run for run in runs if _epoch(run["started_at"]) >= since]
        status[kind] = {
            "every": cadence[kind]["every"],
            "runs": len(runs),
            "last": runs[-1] if runs else None,
            "done": bool(this_period),
            "passed": any(run["result"] == "pass" for run in this_period),
        }
    return status


def _series_svg(runs, key, width=360, height=60):
    """A small line of one figure over the runs (left oldest); empty without two measured points."""
    points = [(i, float(run[key])) for i, run in enumerate(runs) if run.get(key) not in (None, "")]
    if len(points) < 2:
        return ""
    top = max(value for index, value in points) or 1.0
    step = width / max(len(runs) - 1, 1)
    coordinates = " ".join("%.1f,%.1f" % (i * step, height - value / top * (height - 4)) for i, value in points)
    return (
        '<svg class="series" data-figure="%s" data-points="%d" xmlns="http://www.w3.org/2000/svg" width="%d" '
        'height="%d"><polyline points="%s" fill="none" stroke="#1565c0" stroke-width="2"/></svg>'
        % (key, len(points), width, height, coordinates)
    )


def history_html(index, cadence, now):
    """The history page: per drill type, is this period's drill done and passed, and its RTO and RPO over time."""
    e = html.escape
    sections = []
    status = cadence_status(index, cadence, now)
    # the drill types first, then what has no cadence: the real failovers
    others = sorted({run["type"] for run in index.get("runs", [])} - set(status))
    for kind in list(status) + others:
        runs = [run for run in index.get("runs", []) if run["type"] == kind]
        state = status.get(kind)
        if state is None:
            heading = "%s: %d real, not drills" % (e(kind), len(runs))
        else:
            verdict = "done, passed" if state["passed"] else ("done, failed" if state["done"] else "not done")
            heading = "%s (every %s): this %s&#39;s drill %s" % (e(kind), e(state["every"]), e(state["every"]), verdict)
        rows = "".join(
            '<tr class="%s"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>'
            % tuple(
                e(str(v))
                for v in (
                    run["result"],
                    run["started_at"],
                    run["result"],
                    run.get("rto_seconds"),
                    run.get("rpo_seconds"),
                    run.get("write_outage_seconds"),
                )
            )
            for run in reversed(runs)
        )
        sections.append(
            '<section class="type" id="%s" data-runs="%d"><h2>%s</h2>'
            "<p>RTO %s</p><p>RPO %s</p>"
            "<table><tr><th>Started</th><th>Result</th><th>RTO s</th><th>RPO s</th><th>Write outage s</th></tr>%s"
            "</table></section>"
            % (
                e(kind),
                len(runs),
                heading,
                _series_svg(runs, "rto_seconds") or NO_SERIES,
                _series_svg(runs, "rpo_seconds") or NO_SERIES,
                rows,
            )
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>DR history</title><style>'
        "body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}"
        "th,td{border:1px solid #bdbdbd;padding:3px 8px}tr.fail td{color:#c62828}"
        "</style></head><body><h1>DR drill history</h1>%s</body></html>\n" % "".join(sections)
    )
