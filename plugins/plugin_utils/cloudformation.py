# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudFormation decisions of the cloudformation_stack action plugin: pure functions, no boto3.

- ``load_template``: a template body (YAML in long or short form, JSON, or already parsed) as one
  canonical structure, so ``!Ref X`` and ``Ref: X`` compare equal;
- ``resolve_parameters``: every declared parameter as CloudFormation strings, refusing unknown and
  missing ones before any AWS call;
- ``plan``: what must change between the deployed stack and the wanted one;
- status classes, event lines, failure diagnosis and drift lines.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import hashlib
import json

import yaml

# Statuses CloudFormation cannot continue from without a person (AWS: "Troubleshooting CloudFormation").
# The most template CloudFormation takes in a request (TemplateBody); a larger one is read from S3 (TemplateURL, up to
# 1 MB): https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
TEMPLATE_BODY_LIMIT = 51200
BLOCKED_STATUSES = ("DELETE_FAILED", "UPDATE_ROLLBACK_FAILED", "ROLLBACK_FAILED", "IMPORT_ROLLBACK_FAILED")
SETTLED_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE")
# A stack in these statuses has no usable resources: it is deleted and created again.
RECREATE_STATUSES = ("ROLLBACK_COMPLETE",)
# A stack that exists only as a change set (REVIEW_IN_PROGRESS) is created, not updated.
CREATE_STATUSES = ("ABSENT", "REVIEW_IN_PROGRESS")
SUCCESS_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE")

# The short-form intrinsic functions of CloudFormation YAML and their long form.
_SHORT_FORMS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
}
for _name in (
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "Length",
    "ToJsonString",
):
    _SHORT_FORMS["!" + _name] = "Fn::" + _name


class TemplateError(ValueError):
    """A template that cannot be read, or parameters it does not accept."""


class _TemplateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML with CloudFormation's short-form tags, read as their long form; libyaml's parser when PyYAML has it
    (several times faster: every stack task reads its template and the deployed one)."""


def _short_form(loader, tag_suffix, node):
    tag = "!" + tag_suffix
    if tag not in _SHORT_FORMS:
        raise TemplateError("unknown CloudFormation tag %s at line %d" % (tag, node.start_mark.line + 1))
    key = _SHORT_FORMS[tag]
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if key == "Fn::GetAtt":
            # !GetAtt Resource.Attribute.With.Dots: the resource is before the first dot.
            resource, attribute = value.split(".", 1) if "." in value else (value, "")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def _plain(value):
    """Dates and other YAML scalars as CloudFormation sees them (strings), recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return str(value)


@functools.lru_cache(maxsize=32)
def _parsed(body):
    """A body's parse, kept: a stack task reads its template and the deployed one (mostly the same text), and a
    preflight check reads every template of the run. Callers get a copy (``_plain``)."""
    try:
        return yaml.load(body, Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        try:
            return json.loads(body)
        except ValueError:
            raise TemplateError("the template is neither YAML nor JSON: %s" % e) from None


def load_template(body):
    """A template body (YAML long or short form, JSON, or a dict as boto3 returns JSON) as a plain dict."""
    parsed = body if isinstance(body, dict) else _parsed(body)
    if not isinstance(parsed, dict) or not isinstance(parsed.get("Resources"), dict):
        raise TemplateError("the template has no Resources section")
    return _plain(parsed)


def template_object(bucket, region, stack_name, body):
    """Where a template too large for a request goes in S3, and the URL CloudFormation reads it from: one object per
    stack and content (``<stack>/<sha256 of the body>.yaml``), so an unchanged template is not uploaded again."""
    key = "cloudformation-templates/%s/%s.yaml" % (stack_name, hashlib.sha256(body.encode("utf-8")).hexdigest()[:32])
    return key, "https://%s.s3.%s.amazonaws.com/%s" % (bucket, region, key)


def same_template(deployed, wanted):
    """True when two template bodies describe the same template, whatever their form."""
    if deployed in (None, ""):
        return False
    return load_template(deployed) == load_template(wanted)


def as_parameter(value):
    """A value as CloudFormation takes it: lists comma-joined, booleans lowercase, None empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(as_parameter(v) for v in value)
    if value is None:
        return ""
    return str(value)


def resolve_parameters(given, template):
    """Every parameter the template declares, as strings: given values over the template's defaults.

    Unknown and missing parameters are refused, and so are values the declaration refuses
    (AllowedValues, MinValue/MaxValue, AllowedPattern is left to CloudFormation).
    """
    declared = template.get("Parameters") or {}
    given = given or {}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise TemplateError("parameters the template does not declare: %s" % ", ".join(unknown))
    resolved, missing, refused = {}, [], []
    for name in sorted(declared):
        spec = declared[name] or {}
        if name in given and given[name] is not None:
            value = as_parameter(given[name])
        elif "Default" in spec:
            value = as_parameter(spec["Default"])
        else:
            missing.append(name)
            continue
        problem = _refusal(name, value, spec)
        if problem:
            refused.append(problem)
        resolved[name] = value
    if missing:
        raise TemplateError("template parameters without a value: %s" % ", ".join(missing))
    if refused:
        raise TemplateError("; ".join(refused))
    return resolved


def _refusal(name, value, spec):
    if is_pending(value):
        return None  # check mode: the output of a stack not created yet, checked when it exists
    allowed = spec.get("AllowedValues")
    if allowed and value not in [as_parameter(a) for a in allowed]:
        return "%s=%s is not one of %s" % (name, value, ", ".join(as_parameter(a) for a in allowed))
    if spec.get("Type") == "Number" and value != "":
        try:
            number = float(value)
        except ValueError:
            return "%s=%s is not a number" % (name, value)
        if "MinValue" in spec and number < float(spec["MinValue"]):
            return "%s=%s is below its minimum %s" % (name, value, spec["MinValue"])
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            return "%s=%s is above its maximum %s" % (name, value, spec["MaxValue"])
    return None


def no_echo_parameters(template):
    return {name for name, spec in (template.get("Parameters") or {}).items() if (spec or {}).get("NoEcho")}


def deployed_parameters(stack):
    """DescribeStacks' Parameters list as a dict (the resolved value of an SSM parameter type is not used)."""
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters") or []}


def deployed_tags(stack):
    return {t["Key"]: t["Value"] for t in stack.get("Tags") or []}


def plan(stack, deployed_template, template, parameters, tags, protection):
    """What must change: a dict of ``template``, ``parameters``, ``tags``, ``protection`` (bools) and
    ``action`` (none, create, recreate, update, protection). ``stack`` is DescribeStacks' entry or None."""
    status = stack["StackStatus"] if stack else "ABSENT"
    if status in CREATE_STATUSES:
        return {"action": "create", "status": status}
    if status in RECREATE_STATUSES:
        return {"action": "recreate", "status": status}
    hidden = no_echo_parameters(template)  # AWS shows NoEcho values as ****: they cannot be compared
    before = deployed_parameters(stack)
    changes = {
        "template": not same_template(deployed_template, template),
        "parameters": any(before.get(k) != v for k, v in parameters.items() if k not in hidden)
        or set(before) != set(parameters),
        "tags": deployed_tags(stack) != tags,
        "protection": bool(stack.get("EnableTerminationProtection")) != bool(protection),
    }
    if changes["template"] or changes["parameters"] or changes["tags"]:
        action = "update"
    elif changes["protection"]:
        action = "protection"
    else:
        action = "none"
    changes.update(action=action, status=status)
    return changes


def parameter_lines(before, after):
    """Parameter differences as ``name: old -> new`` lines."""
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            lines.append(
                "parameter %s: %s -> %s" % (name, "(none)" if old is None else old, "(removed)" if new is None else new)
            )
    return lines


def change_lines(changes):
    """A change set's changes as diff-like lines: + add, ~ modify, ! replace, - remove."""
    symbols = {"Add": "+", "Modify": "~", "Remove": "-", "Import": ">", "Dynamic": "?"}
    lines = []
    for change in changes or []:
        resource = change.get("ResourceChange") or change
        replaced = resource.get("Replacement") == "True"
        lines.append(
            "%s %s %s%s"
            % (
                "!" if replaced else symbols.get(resource.get("Action"), "?"),
                resource.get("LogicalResourceId", ""),
                resource.get("ResourceType", ""),
                " (replacement)" if replaced else "",
            )
        )
    return lines


def resource_lines(template):
    """The resources a template would create, as ``+ LogicalId Type`` lines."""
    return ["+ %s %s" % (name, (spec or {}).get("Type", "")) for name, spec in sorted(template["Resources"].items())]


def event_line(event):
    """One stack event as the person watching reads it."""
    reason = event.get("ResourceStatusReason")
    return "%s %s (%s) %s%s" % (
        _clock(event.get("Timestamp")),
        event.get("LogicalResourceId", ""),
        event.get("ResourceType", ""),
        event.get("ResourceStatus", ""),
        (": " + reason) if reason else "",
    )


def _clock(timestamp):
    return timestamp.strftime("%H:%M:%S") if hasattr(timestamp, "strftime") else str(timestamp or "")


def is_operation_start(event, stack_name):
    """The stack's own ``*_IN_PROGRESS`` event that starts an operation (User Initiated)."""
    return (
        event.get("LogicalResourceId") == stack_name
        and event.get("ResourceType") == "AWS::CloudFormation::Stack"
        and event.get("ResourceStatus", "").endswith("_IN_PROGRESS")
        and "User Initiated" in (event.get("ResourceStatusReason") or "")
    )


def latest_operation(events, stack_name):
    """The events of the latest operation, newest first (DescribeStackEvents' order)."""
    found = []
    for event in events or []:
        found.append(event)
        if is_operation_start(event, stack_name):
            break
    return found


def failures(events, stack_name):
    """The failed resources of an operation (newest first) as dicts: logical id, type, status, reason,
    and the physical id of a nested stack, whose own events explain it."""
    found = []
    for event in latest_operation(events, stack_name):
        status = event.get("ResourceStatus", "")
        if status.endswith("_FAILED") and event.get("LogicalResourceId") != stack_name:
            found.append(
                {
                    "logical_resource_id": event.get("LogicalResourceId", ""),
                    "resource_type": event.get("ResourceType", ""),
                    "status": status,
                    "reason": event.get("ResourceStatusReason") or "no reason given",
                    "nested_stack_id": event.get("PhysicalResourceId")
                    if event.get("ResourceType") == "AWS::CloudFormation::Stack"
                    else None,
                }
            )
    return found


def failure_lines(found, indent=""):
    lines = []
    for failure in found:
        lines.append(
            "%s%s (%s): %s - %s"
            % (indent, failure["logical_resource_id"], failure["resource_type"], failure["status"], failure["reason"])
        )
        for nested in failure.get("nested") or []:
            lines.extend(failure_lines([nested], indent + "  "))
    return lines


def last_drift(stack, now, max_age):
    """CloudFormation's last drift result of ``stack`` (DescribeStacks' ``DriftInformation``) when its detection began
    at most ``max_age`` seconds before ``now`` (aware datetimes): ``{"status", "checked_at", "age_seconds"}``; None
    when a new detection is due - never checked, older, or ``max_age`` 0.

    ``LastCheckTimestamp`` is when the last detection was initiated; one that is still running leaves the status of
    the one before it, which is what is reported then.
    """
    information = (stack or {}).get("DriftInformation") or {}
    checked = information.get("LastCheckTimestamp")
    status = information.get("StackDriftStatus", "NOT_CHECKED")
    if not max_age or checked is None or status == "NOT_CHECKED":
        return None
    age = (now - checked).total_seconds()
    if not 0 <= age <= max_age:
        return None
    return {"status": status, "checked_at": checked.isoformat(), "age_seconds": round(age)}


def drift_lines(drifts):
    """Drifted resources (DescribeStackResourceDrifts) as readable lines with their property differences."""
    lines = []
    for drift in drifts:
        lines.append(
            "%s (%s) %s"
            % (drift.get("LogicalResourceId"), drift.get("ResourceType"), drift.get("StackResourceDriftStatus"))
        )
        for difference in drift.get("PropertyDifferences") or []:
            lines.append(
                "  %s: expected %s, actual %s (%s)"
                % (
                    difference.get("PropertyPath"),
                    difference.get("ExpectedValue"),
                    difference.get("ActualValue"),
                    difference.get("DifferenceType"),
                )
            )
    return lines


def outputs(stack):
    return {o["OutputKey"]: o.get("OutputValue", "") for o in (stack or {}).get("Outputs") or []}


# Check mode's value of an output of a stack that does not exist yet.
PENDING = "(known once stack %s exists: %s)"


def pending_outputs(template, stack_name):
    """The outputs of a stack check mode would create: each output the template declares, as a placeholder naming
    it, so that the previews of the stacks fed from them run and show where their values come from."""
    return {key: PENDING % (stack_name, key) for key in sorted(template.get("Outputs") or {})}


def is_pending(value):
    """True for a value that holds a placeholder of ``pending_outputs``."""
    return isinstance(value, str) and "(known once stack " in value
