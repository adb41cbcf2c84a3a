# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the stack role uses to decide whether a stack must change and to explain failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import yaml
from ansible.errors import AnsibleFilterError

FAILED_SUFFIXES = ("_FAILED",)


def _template(body):
    if isinstance(body, dict):
        return body
    try:
        return yaml.safe_load(body) or {}
    except yaml.YAMLError:
        return json.loads(body)


def _as_parameter(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_as_parameter(v) for v in value)
    if value is None:
        return ""
    return str(value)


def cfn_parameters(given, template_body):
    """Every parameter the template declares, as CloudFormation strings: given values over defaults.

    Fails on a parameter the template does not declare and on a required one that is missing, so
    a wrong call stops before any AWS request.
    """
    declared = _template(template_body).get("Parameters") or {}
    unknown = sorted(set(given or {}) - set(declared))
    if unknown:
        raise AnsibleFilterError("parameters not declared by the template: %s" % ", ".join(unknown))
    resolved, missing = {}, []
    for name, spec in declared.items():
        if given and name in given and given[name] is not None:
            resolved[name] = _as_parameter(given[name])
        elif "Default" in spec:
            resolved[name] = _as_parameter(spec["Default"])
        else:
            missing.append(name)
    if missing:
        raise AnsibleFilterError("required template parameters without a value: %s" % ", ".join(sorted(missing)))
    return resolved


def cfn_same_template(deployed, wanted):
    """True when two template bodies (YAML or JSON text, or parsed) describe the same template."""
    if deployed in (None, ""):
        return False
    return _template(deployed) == _template(wanted)


def cfn_failures(events, stack_name=None):
    """The failed resources of the stack's latest operation, newest events first, as readable lines.

    ``events`` is the ``stack_events`` list of amazon.aws.cloudformation_info (snake_case keys) or of
    DescribeStackEvents (CamelCase keys).
    """
    lines = []
    for event in events or []:
        status = event.get("resource_status") or event.get("ResourceStatus") or ""
        logical = event.get("logical_resource_id") or event.get("LogicalResourceId") or ""
        resource_type = event.get("resource_type") or event.get("ResourceType") or ""
        reason = event.get("resource_status_reason") or event.get("ResourceStatusReason") or ""
        if logical == stack_name and status.endswith("_IN_PROGRESS") and "User Initiated" in reason:
            break  # the start of the latest operation: older events belong to earlier runs
        if status.endswith(FAILED_SUFFIXES) and logical != stack_name:
            lines.append("%s (%s): %s - %s" % (logical, resource_type, status, reason or "no reason given"))
    return lines


def cfn_change_lines(changes):
    """A change set's changes as diff-like lines: + add, ~ modify (! when replaced), - remove."""
    symbols = {"Add": "+", "Modify": "~", "Remove": "-", "Import": ">", "Dynamic": "?"}
    lines = []
    for change in changes or []:
        resource = change.get("ResourceChange") or change.get("resource_change") or change
        action = resource.get("Action") or resource.get("action") or ""
        logical = resource.get("LogicalResourceId") or resource.get("logical_resource_id") or ""
        resource_type = resource.get("ResourceType") or resource.get("resource_type") or ""
        replacement = resource.get("Replacement") or resource.get("replacement") or ""
        marker = "!" if replacement == "True" else symbols.get(action, "?")
        suffix = " (replacement)" if replacement == "True" else ""
        lines.append("%s %s %s%s" % (marker, logical, resource_type, suffix))
    return lines


def cfn_parameter_changes(deployed, wanted):
    """Parameter differences as readable lines: name: old -> new."""
    deployed = deployed or {}
    lines = []
    for name in sorted(set(deployed) | set(wanted)):
        before, after = deployed.get(name), wanted.get(name)
        if before != after:
            lines.append(
                "%s: %s -> %s" % (name, "(none)" if before is None else before, "(removed)" if after is None else after)
            )
    return lines


def cfn_resources(template_body):
    """The resources a template would create, as ``+ LogicalId Type`` lines (preview of a new stack)."""
    resources = _template(template_body).get("Resources") or {}
    return ["+ %s %s" % (name, spec.get("Type", "")) for name, spec in sorted(resources.items())]


def stack_name(prefix, environment, component):
    """The stack of a component: the seed's name (ai-model-registry-aurora) in production, the
    environment after the prefix elsewhere (ai-model-registry-staging-aurora), so several
    environments share an account."""
    middle = "" if environment == "production" else "-" + environment
    return "%s%s-%s" % (prefix, middle, component)


class FilterModule(object):
    def filters(self):
        return {
            "cfn_parameters": cfn_parameters,
            "cfn_same_template": cfn_same_template,
            "cfn_failures": cfn_failures,
            "cfn_change_lines": cfn_change_lines,
            "cfn_parameter_changes": cfn_parameter_changes,
            "cfn_resources": cfn_resources,
            "stack_name": stack_name,
        }
