# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write, archive and announce a DR drill report in one task (documentation: plugins/modules/dr_drill_report.py).

An action plugin: the files are written and sent from the controller's worker, where boto3 is imported, instead of
a dozen module processes (a directory, three templates, three S3 puts, SNS, CloudWatch) that made the report the
slowest part of a drill.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.ai_model_registry.infra.plugins.filter.dr_drill import dr_drill_junit_cases
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import drill_report
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.arguments import validated_arguments
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import (
    SESSION_ARGUMENTS,
    boto3,
    botocore,
    session_clients,
    warm,
)

warm("s3", "cloudwatch", "sns")

ARGUMENT_SPEC = {
    "report": {"type": "dict", "required": True},
    "directory": {"type": "path", "required": True},
    "bucket": {"type": "str"},
    "bucket_region": {"type": "str"},
    "key_prefix": {"type": "str", "default": ""},
    "history_prefix": {"type": "str"},
    "cadence": {"type": "dict", "default": {}},
    "topic_arn": {"type": "str"},
    "metrics_region": {"type": "str"},
    **SESSION_ARGUMENTS,
}
REQUIRED_KEYS = (
    "drill_id",
    "type",
    "environment",
    "result",
    "started_at",
    "steps",
    "measured",
    "targets",
    "cleanup",
    "failed_step",
)


def check_arguments(args):
    """Refusals before anything is written: AnsibleActionFail naming what is missing."""
    missing = [key for key in REQUIRED_KEYS if key not in args["report"]]
    if missing:
        raise AnsibleActionFail("dr_drill_report: the report has no %s" % ", ".join(missing))
    if args["bucket"] and not args["bucket_region"]:
        raise AnsibleActionFail("dr_drill_report: bucket needs bucket_region")
    if args["history_prefix"] and not args["bucket"]:
        raise AnsibleActionFail("dr_drill_report: history_prefix needs bucket (the history lives in S3)")


def deliver(args, markdown, clients, check_mode=False):
    """Write the three files, then archive, announce and publish as asked; the task's result.

    ``clients`` makes the ApiClients (called only when there is something to send)."""
    report = args["report"]
    contents = {
        "report.json": drill_report.report_json(report),
        "report.md": markdown,
        "junit.xml": drill_report.junit_xml(report, dr_drill_junit_cases(report)),
        "report.html": drill_report.report_html(report),
    }
    # a relative directory is the run's working directory's: the files are named by their whole path
    directory = args["directory"] = os.path.abspath(args["directory"])
    paths = {name: os.path.join(directory, name) for name in drill_report.FILES}
    keys = {name: ("%s/%s" % (args["key_prefix"], name)).lstrip("/") for name in drill_report.FILES}
    metrics = drill_report.metric_data(report) if args["metrics_region"] else []
    result = {"changed": True, "files": [paths[name] for name in drill_report.FILES], "api_calls": []}
    if args["bucket"]:
        result["objects"] = ["s3://%s/%s" % (args["bucket"], keys[name]) for name in drill_report.FILES]
    if check_mode:
        result.update(published=0, announced=False)
        return result

    os.makedirs(args["directory"], mode=0o750, exist_ok=True)
    for name in drill_report.FILES:
        with open(paths[name], "w", encoding="utf-8") as handle:
            handle.write(contents[name])
        os.chmod(paths[name], 0o640)
    if not (args["bucket"] or args["topic_arn"] or metrics):
        result.update(published=0, announced=False)
        return result

    api = clients()
    result["api_calls"] = api.api_calls
    try:
        s3 = api("s3", args["bucket_region"]) if args["bucket"] else None
        if s3:
            for name in drill_report.FILES:
                s3.call("PutObject", Bucket=args["bucket"], Key=keys[name], Body=contents[name].encode("utf-8"))
        if args["history_prefix"]:
            result["history"] = record_history(s3, args, report, os.path.join(args["directory"], "history.html"))
        if args["topic_arn"]:
            # arn:aws:sns:<region>:<account>:<name>: a topic is published to in its own region
            sns = api("sns", args["topic_arn"].split(":")[3])
            sns.call("Publish", TopicArn=args["topic_arn"], Subject=drill_report.subject(report), Message=markdown)
        if metrics:
            api("cloudwatch", args["metrics_region"]).call(
                "PutMetricData", Namespace=drill_report.NAMESPACE, MetricData=metrics
            )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        failed_call = api.api_calls[-1] if api.api_calls else "AWS"
        result.update(failed=True, msg="The report is in %s; %s failed: %s" % (args["directory"], failed_call, e))
        return result
    result.update(published=len(metrics), announced=bool(args["topic_arn"]))
    return result


def record_history(s3, args, report, page_path, now=None):
    """Append the run to the environment's history in the bucket - its record, the index, the history page - and
    write the page beside the report files. Drills hold the drill lock, so the index is not written concurrently."""
    base = "%s/%s" % (args["history_prefix"].rstrip("/"), report["environment"])
    record = drill_report.history_record(report)
    try:
        index = json.loads(s3.call("GetObject", Bucket=args["bucket"], Key=base + "/index.json")["Body"].read())
    except botocore.exceptions.ClientError as e:
        if e.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
            raise
        index = {}  # the environment's first run
    index = drill_report.history_index(index, record)
    page = drill_report.history_html(index, args["cadence"], time.time() if now is None else now)
    with open(page_path, "w", encoding="utf-8") as handle:
        handle.write(page)
    objects = {
        "%s/runs/%s.json" % (base, report["drill_id"]): drill_report.report_json(record),
        base + "/index.json": drill_report.report_json(index),
        base + "/history.html": page,
    }
    for key, body in objects.items():
        s3.call("PutObject", Bucket=args["bucket"], Key=key, Body=body.encode("utf-8"))
    return {"runs": len(index["runs"]), "objects": sorted(objects), "page": page_path}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = validated_arguments(self._task.args, ARGUMENT_SPEC, "dr_drill_report")
        check_arguments(args)
        if boto3 is None:
            raise AnsibleActionFail("dr_drill_report needs boto3 and botocore on the controller")
        markdown = drill_report.report_markdown(args["report"], args["cadence"])
        result.update(
            deliver(
                args,
                markdown,
                lambda: session_clients(args),
                check_mode=self._task.check_mode,
            )
        )
        return result
