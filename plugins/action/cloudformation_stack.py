# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.cloudformation_stack (documentation: plugins/modules/).

An action plugin, not a module: it runs in the controller's worker, where boto3 is already imported,
so one stack is one task with no new Python process, and it can show each stack event while it waits.
The decisions are in plugin_utils/cloudformation.py (controller side: it reads YAML); ``StackRunner`` is
the I/O around them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time
import uuid

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import cloudformation as cfn
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.arguments import validated_arguments
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import (
    SESSION_ARGUMENTS,
    boto3,
    botocore,
    session_clients,
    warm,
)

warm("cloudformation")

display = Display()

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "region": {"type": "str", "required": True, "aliases": ["aws_region"]},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent", "read"]},
    "template": {"type": "path"},
    "template_bucket": {"type": "str"},
    "parameters": {"type": "dict", "default": {}},
    "tags": {"type": "dict", "default": {}},
    "termination_protection": {"type": "bool", "default": False},
    "capabilities": {"type": "list", "elements": "str", "default": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]},
    "role_arn": {"type": "str"},
    "timeout_minutes": {"type": "int", "default": 90},
    "poll_seconds": {"type": "float", "default": 5},
    "drift": {"type": "str", "default": "report", "choices": ["report", "fail", "skip"]},
    "drift_max_age": {"type": "int", "default": 0},
    "delete_protected": {"type": "bool", "default": False},
    **SESSION_ARGUMENTS,
}


class StackFailed(Exception):
    """The stack operation failed; ``lines`` explain it, ``result`` is what was done so far."""

    def __init__(self, msg, lines=None, reason="failed"):
        super(StackFailed, self).__init__(msg)
        self.msg = msg
        self.lines = lines or []
        self.reason = reason


class StackRunner(object):
    """Reads, compares, deploys or deletes one stack through ``ApiClients``; pure I/O and waiting."""

    def __init__(self, clients, args, check_mode=False, say=None, sleep=time.sleep, clock=time.monotonic):
        self.clients = clients
        self.cfn = clients("cloudformation", args["region"])
        self.api_calls = clients.api_calls
        self.args = args
        self.name = args["name"]
        self.check_mode = check_mode
        self.say = say or (lambda line: None)
        self.sleep = sleep
        self.clock = clock
        self.deadline = clock() + args["timeout_minutes"] * 60
        self.events = []
        self.seen = set()
        self.result = {"name": self.name, "region": args["region"], "changed": False, "action": "none"}

    def service_role(self):
        """``RoleARN`` of the writes: CloudFormation's service role acts on the resources, not the caller. A preview's
        change set is never executed and goes without it (the read-only persona may not pass the role)."""
        return {"RoleARN": self.args["role_arn"]} if self.args.get("role_arn") else {}

    # --- reading ---

    def describe(self, stack_id=None):
        try:
            found = self.cfn.call("DescribeStacks", StackName=stack_id or self.name)["Stacks"]
        except botocore.exceptions.ClientError as e:
            if "does not exist" in str(e):
                return None
            raise
        return found[0] if found else None

    def deployed_template(self):
        return self.cfn.call("GetTemplate", StackName=self.name, TemplateStage="Original")["TemplateBody"]

    # --- waiting, with each new event shown ---

    def operation_events(self, stack_id, stack_name, seen=()):
        """The events of the stack's latest operation, newest first: DescribeStackEvents pages (NextToken) are read
        until the operation's start, or until an event already ``seen`` (the older ones were seen too)."""
        found = []
        for page in self.cfn.pages("DescribeStackEvents", StackName=stack_id):
            for event in page["StackEvents"]:
                if event["EventId"] in seen:
                    return found
                found.append(event)
                if cfn.is_operation_start(event, stack_name):
                    return found
        return found

    def show_new_events(self, stack_id):
        fresh = self.operation_events(stack_id, self.name, seen=self.seen)
        for event in reversed(fresh):  # oldest first, as they happened
            self.seen.add(event["EventId"])
            self.events.append(_event_record(event))
            self.say("%s: %s" % (self.name, cfn.event_line(event)))
        return fresh

    def wait(self, stack_id, doing):
        """Until the stack leaves *_IN_PROGRESS, or the overall timeout passes (StackFailed)."""
        delay = min(1.0, self.args["poll_seconds"])
        while True:
            self.show_new_events(stack_id)
            stack = self.describe(stack_id)
            status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
            if not status.endswith("_IN_PROGRESS"):
                return stack, status
            if self.clock() >= self.deadline:
                raise StackFailed(
                    "the %s stack (%s) did not finish %s in %d minutes: it is still %s"
                    % (self.name, self.args["region"], doing, self.args["timeout_minutes"], status),
                    reason="timeout",
                )
            self.sleep(delay)
            delay = min(delay * 2, self.args["poll_seconds"])

    def diagnose(self, stack_id, status, doing):
        found = cfn.failures(self.operation_events(stack_id, self.name), self.name)
        for failure in found:
            if failure["nested_stack_id"]:
                nested_name = failure["nested_stack_id"].split("/")[1]
                nested = self.operation_events(failure["nested_stack_id"], nested_name)
                failure["nested"] = cfn.failures(nested, nested_name)
        self.result["failures"] = found
        lines = cfn.failure_lines(found) or ["no failed resource was reported"]
        return StackFailed(
            "Stack %s (%s) did not %s: status %s. Failed resources: %s"
            % (self.name, self.args["region"], doing, status, "; ".join(lines)),
            lines,
        )

    # --- present ---

    def present(self, template_body):
        template = cfn.load_template(template_body)
        parameters = cfn.resolve_parameters(self.args["parameters"], template)
        tags = {k: cfn.as_parameter(v) for k, v in self.args["tags"].items()}
        protection = self.args["termination_protection"]

        stack = self.describe()
        if stack and stack["StackStatus"].endswith("_IN_PROGRESS") and stack["StackStatus"] != "REVIEW_IN_PROGRESS":
            self.say("%s: %s - another operation runs; waiting for it" % (self.name, stack["StackStatus"]))
            stack = self.wait(stack["StackId"], "its running operation")[0]
        status = stack["StackStatus"] if stack else "ABSENT"
        if status in cfn.BLOCKED_STATUSES:
            raise StackFailed(
                "Stack %s in %s is %s: CloudFormation cannot go on from there. See why with "
                '"aws cloudformation describe-stack-events --stack-name %s --region %s", fix the resource it names, '
                "then continue the rollback or delete the stack. Nothing was changed."
                % (self.name, self.args["region"], status, self.name, self.args["region"]),
                reason="needs_a_person",
            )
        deployed = self.deployed_template() if status not in cfn.CREATE_STATUSES + cfn.RECREATE_STATUSES else None
        wanted = cfn.plan(stack, deployed, template, parameters, tags, protection)
        self.result.update(status=status, stack_id=stack["StackId"] if stack else None)
        self.result["diff"] = _diff(stack, parameters, tags, protection, self.name)

        if wanted["action"] == "none":
            self.result["outputs"] = cfn.outputs(stack)
            self.drift(cfn.last_drift(stack, self.now(), self.args["drift_max_age"]))
            return self.result
        if self.check_mode:
            return self.preview(stack, wanted, template_body, template, parameters, tags)

        self.result["changed"] = True
        self.result["action"] = wanted["action"]
        if wanted["action"] == "recreate":
            self.say("%s: ROLLBACK_COMPLETE after a failed creation - deleting it to create it again" % self.name)
            self.cfn.call("DeleteStack", StackName=stack["StackId"], **self.service_role())
            self.wait(stack["StackId"], "deleting")
        request = {
            "StackName": self.name,
            **self.template_source(template_body),
            "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())],
            "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            "Capabilities": self.args["capabilities"],
        }
        request.update(self.service_role())
        if wanted["action"] in ("create", "recreate"):
            stack_id = self.cfn.call(
                "CreateStack", EnableTerminationProtection=protection, OnFailure="ROLLBACK", **request
            )["StackId"]
            doing = "create"
        else:
            stack_id = stack["StackId"]
            doing = "update"
            if wanted["action"] == "update":
                self.cfn.call("UpdateStack", **request)
            if wanted["protection"]:
                self.cfn.call(
                    "UpdateTerminationProtection", StackName=self.name, EnableTerminationProtection=protection
                )
        self.result["stack_id"] = stack_id
        final, status = self.wait(stack_id, doing) if wanted["action"] != "protection" else (self.describe(), None)
        status = status or final["StackStatus"]
        self.result["status"] = status
        if status not in cfn.SUCCESS_STATUSES:
            raise self.diagnose(stack_id, status, doing)
        self.result["outputs"] = cfn.outputs(final)
        if wanted["action"] not in ("create", "recreate"):
            self.drift()
        return self.result

    def preview(self, stack, wanted, template_body, template, parameters, tags):
        """Check mode: what would change, from a change set that is deleted again; no stack write."""
        self.result["action"] = "preview"
        self.result["changed"] = True
        if wanted["action"] in ("create", "recreate"):
            lines = ["Stack %s (%s) would be created with:" % (self.name, self.args["region"])]
            lines += cfn.resource_lines(template)
            self.result["outputs"] = cfn.pending_outputs(template, self.name)
        else:
            self.result["outputs"] = cfn.outputs(stack)  # as they are until the update runs
            lines = ["Stack %s (%s) would change:" % (self.name, self.args["region"])]
            lines += cfn.parameter_lines(cfn.deployed_parameters(stack), parameters)
            if wanted["tags"]:
                lines.append("tags: %s -> %s" % (cfn.deployed_tags(stack), tags))
            if wanted["protection"]:
                lines.append("termination protection -> %s" % self.args["termination_protection"])
            if wanted["action"] == "update":
                lines += self.change_set_lines(template_body, parameters, tags)
        self.result["preview"] = lines
        for line in lines:
            self.say(line)
        return self.result

    def template_source(self, template_body):
        """``TemplateBody``, or for a template over CloudFormation's request limit ``TemplateURL``: the template in
        the template bucket (uploaded unless there already; check mode uploads nothing - None when it is not there)."""
        if len(template_body.encode("utf-8")) <= cfn.TEMPLATE_BODY_LIMIT:
            return {"TemplateBody": template_body}
        bucket, region = self.args["template_bucket"], self.args["region"]
        key, url = cfn.template_object(bucket, region, self.name, template_body)
        s3 = self.clients("s3", region)
        try:
            s3.call("HeadObject", Bucket=bucket, Key=key)
        except botocore.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
            if self.check_mode:
                return None
            s3.call("PutObject", Bucket=bucket, Key=key, Body=template_body.encode("utf-8"))
        return {"TemplateURL": url}

    def change_set_lines(self, template_body, parameters, tags):
        source = self.template_source(template_body)
        if source is None:
            return [
                "(no change set: the template is over CloudFormation's %d-byte request limit and check mode does not "
                "upload it to s3://%s)" % (cfn.TEMPLATE_BODY_LIMIT, self.args["template_bucket"])
            ]
        name = "ansible-preview-" + uuid.uuid4().hex[:12]
        self.cfn.call(
            "CreateChangeSet",
            StackName=self.name,
            ChangeSetName=name,
            ChangeSetType="UPDATE",
            **source,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())],
            Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            Capabilities=self.args["capabilities"],
        )
        try:
            delay = 1.0
            while True:
                found = self.cfn.call("DescribeChangeSet", StackName=self.name, ChangeSetName=name)
                if found["Status"] not in ("CREATE_PENDING", "CREATE_IN_PROGRESS") or self.clock() >= self.deadline:
                    break
                self.sleep(delay)
                delay = min(delay * 2, self.args["poll_seconds"])
            changes = found.get("Changes")
            if found.get("NextToken"):  # DescribeChangeSet pages its Changes (NextToken): every page, from the first
                changes = self.cfn.paginate("DescribeChangeSet", key="Changes", StackName=self.name, ChangeSetName=name)
        finally:
            self.cfn.call("DeleteChangeSet", StackName=self.name, ChangeSetName=name)
        if found["Status"] == "FAILED":
            return ["(no resource changes: %s)" % found.get("StatusReason", "")]
        return cfn.change_lines(changes)

    # --- drift ---

    def drift(self, last=None):
        """The settled stack's drift: ``last`` (CloudFormation's recent result, ``cfn.last_drift``) or a new
        DetectStackDrift; drifted resources are reported (or fail the run)."""
        mode = self.args["drift"]
        if mode == "skip":
            return
        try:
            report = dict(last, drifted_resources=[], detected=False) if last else self.detect_drift()
            if report["status"] == "DRIFTED":
                drifts = self.cfn.paginate(
                    "DescribeStackResourceDrifts",
                    key="StackResourceDrifts",
                    StackName=self.name,
                    StackResourceDriftStatusFilters=["MODIFIED", "DELETED"],
                )
                report["drifted_resources"] = [_drift_record(d) for d in drifts]
                lines = cfn.drift_lines(drifts)
                self.result.setdefault("warnings", []).append(
                    "Stack %s (%s) has drifted from its template (changed outside CloudFormation; detection of %s):\n%s"
                    % (self.name, self.args["region"], report["checked_at"], "\n".join(lines))
                )
                if mode == "fail":
                    self.result["drift"] = report
                    raise StackFailed(
                        "Stack %s (%s) has drifted: %s. Nothing was changed."
                        % (self.name, self.args["region"], "; ".join(lines)),
                        lines,
                        reason="drifted",
                    )
        except botocore.exceptions.ClientError as e:
            if mode == "fail":
                raise
            report = {"status": "UNKNOWN", "drifted_resources": [], "reason": str(e)}
            self.result.setdefault("warnings", []).append("Drift detection of %s did not run: %s" % (self.name, e))
        self.result["drift"] = report

    def detect_drift(self):
        """A new drift detection of the stack, waited for within the task's deadline."""
        detection = self.cfn.call("DetectStackDrift", StackName=self.name)["StackDriftDetectionId"]
        delay = 0.5
        while True:
            found = self.cfn.call("DescribeStackDriftDetectionStatus", StackDriftDetectionId=detection)
            if found["DetectionStatus"] != "DETECTION_IN_PROGRESS" or self.clock() >= self.deadline:
                break
            self.sleep(delay)
            delay = min(delay * 2, self.args["poll_seconds"])
        report = {
            "status": found.get("StackDriftStatus", "UNKNOWN"),
            "checked_at": (found.get("Timestamp") or self.now()).isoformat(),  # when CloudFormation began it
            "age_seconds": 0,
            "drifted_resources": [],
            "detected": True,
        }
        if found["DetectionStatus"] != "DETECTION_COMPLETE":
            report["detection"] = found["DetectionStatus"]
            report["reason"] = found.get("DetectionStatusReason", "")
        return report

    @staticmethod
    def now():
        return datetime.datetime.now(datetime.timezone.utc)

    # --- read ---

    def read(self):
        """The deployed stack's status, outputs and parameters; ABSENT and empty when there is none. One call."""
        stack = self.describe()
        self.result.update(
            status=stack["StackStatus"] if stack else "ABSENT",
            stack_id=stack["StackId"] if stack else None,
            outputs=cfn.outputs(stack),
            parameters=cfn.deployed_parameters(stack) if stack else {},
        )
        return self.result

    # --- absent ---

    def absent(self):
        stack = self.describe()
        if not stack:
            self.result.update(status="ABSENT")
            return self.result
        protected = bool(stack.get("EnableTerminationProtection"))
        self.result.update(status=stack["StackStatus"], stack_id=stack["StackId"], changed=True, action="delete")
        self.result["diff"] = {
            "before_header": self.name,
            "after_header": self.name,
            "before": "stack: %s (%s)\n" % (self.name, stack["StackStatus"]),
            "after": "",
        }
        if protected and not self.args["delete_protected"]:
            raise StackFailed(
                "Stack %s (%s) has termination protection: it is deleted only with the teardown confirmation "
                "(delete_protected). Nothing was changed." % (self.name, self.args["region"]),
                reason="protected",
            )
        if self.check_mode:
            self.say(
                "Stack %s (%s) would be deleted%s"
                % (self.name, self.args["region"], " (its termination protection lifted first)" if protected else "")
            )
            self.result["action"] = "preview"
            return self.result
        if protected:
            self.cfn.call("UpdateTerminationProtection", StackName=self.name, EnableTerminationProtection=False)
        self.cfn.call("DeleteStack", StackName=stack["StackId"], **self.service_role())
        status = self.wait(stack["StackId"], "delete")[1]
        self.result["status"] = status
        if status != "DELETE_COMPLETE":
            raise self.diagnose(stack["StackId"], status, "delete")
        return self.result


def _event_record(event):
    return {
        "timestamp": str(event.get("Timestamp")),
        "logical_resource_id": event.get("LogicalResourceId"),
        "resource_type": event.get("ResourceType"),
        "status": event.get("ResourceStatus"),
        "reason": event.get("ResourceStatusReason", ""),
    }


def _drift_record(drift):
    return {
        "logical_resource_id": drift.get("LogicalResourceId"),
        "resource_type": drift.get("ResourceType"),
        "status": drift.get("StackResourceDriftStatus"),
        "property_differences": [
            {
                "path": d.get("PropertyPath"),
                "expected": d.get("ExpectedValue"),
                "actual": d.get("ActualValue"),
                "type": d.get("DifferenceType"),
            }
            for d in drift.get("PropertyDifferences") or []
        ],
    }


def _yaml_lines(values):
    return "".join("%s: %s\n" % (k, values[k]) for k in sorted(values))


def _diff(stack, parameters, tags, protection, name):
    before = ""
    if stack:
        before = (
            "# parameters\n"
            + _yaml_lines(cfn.deployed_parameters(stack))
            + "# tags\n"
            + _yaml_lines(cfn.deployed_tags(stack))
            + "termination_protection: %s\n" % bool(stack.get("EnableTerminationProtection"))
        )
    after = (
        "# parameters\n"
        + _yaml_lines(parameters)
        + "# tags\n"
        + _yaml_lines(tags)
        + "termination_protection: %s\n" % bool(protection)
    )
    return {"before_header": name + " (deployed)", "after_header": name + " (wanted)", "before": before, "after": after}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = validated_arguments(self._task.args, ARGUMENT_SPEC, "cloudformation_stack")
        if args["timeout_minutes"] < 1 or args["poll_seconds"] <= 0 or args["drift_max_age"] < 0:
            raise AnsibleActionFail(
                "cloudformation_stack: timeout_minutes must be >= 1, poll_seconds > 0 and drift_max_age >= 0"
            )
        if boto3 is None:
            raise AnsibleActionFail("cloudformation_stack needs boto3 and botocore on the controller")
        template_body = None
        if args["state"] == "present":
            if not args["template"]:
                raise AnsibleActionFail("cloudformation_stack: state=present needs a template")
            path = self._find_needle("files", args["template"])  # the calling role's files/ first
            with open(path) as handle:
                template_body = handle.read()
            size = len(template_body.encode("utf-8"))
            if size > cfn.TEMPLATE_BODY_LIMIT and not args["template_bucket"]:
                raise AnsibleActionFail(
                    "cloudformation_stack: the template %s is %d bytes, over the %d bytes CloudFormation takes in a "
                    "request: give template_bucket, an S3 bucket in %s to read it from (TemplateURL). Nothing was "
                    "changed." % (args["template"], size, cfn.TEMPLATE_BODY_LIMIT, args["region"])
                )

        clients = session_clients(args)
        runner = StackRunner(
            clients, args, check_mode=self._task.check_mode, say=lambda line: display.display("    " + line)
        )
        try:
            if args["state"] == "present":
                outcome = runner.present(template_body)
            elif args["state"] == "read":
                outcome = runner.read()
            else:
                outcome = runner.absent()
            result.update(outcome)
            result["failed"] = False
        except cfn.TemplateError as e:
            message = "%s: %s. Nothing was changed." % (args["name"], e)
            result.update(runner.result, failed=True, reason="bad_input", msg=message)
        except StackFailed as e:
            result.update(runner.result, failed=True, reason=e.reason, msg=e.msg, failure_lines=e.lines)
        except botocore.exceptions.BotoCoreError as e:
            result.update(runner.result, failed=True, reason="aws_error", msg="%s: %s" % (args["name"], e))
        except botocore.exceptions.ClientError as e:
            result.update(runner.result, failed=True, reason="aws_error", msg="%s: %s" % (args["name"], e))
        result["events"] = runner.events
        result["api_calls"] = runner.api_calls
        if not self._task.diff:
            result.pop("diff", None)
        return result
