"""CloudFormation stack lifecycle as AWS documents it, on top of moto's engine.

moto creates every resource synchronously and reports only stack-level events. AWS instead:
- reports one event per resource (CREATE_IN_PROGRESS, CREATE_COMPLETE, CREATE_FAILED with a reason);
- rolls a failed creation back (ROLLBACK_IN_PROGRESS, resources deleted, ROLLBACK_COMPLETE) and a
  failed update back (UPDATE_ROLLBACK_COMPLETE);
- takes time: the stack is *_IN_PROGRESS, without outputs, until it completes (our creation latency);
- refuses an update without changes ("No updates are to be performed."), an update of a stack that is
  in progress or in ROLLBACK_COMPLETE, and a delete of a stack with termination protection;
- resolves dynamic references ``{{resolve:secretsmanager:...}}`` and ``{{resolve:ssm:...}}``.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import time
import urllib.parse
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.secretsmanager.models import secretsmanager_backends
from moto.ssm.models import ssm_backends

from emulator.aws import cfn_parameters, resource_schemas
from emulator.aws.control import STATE

Stack = cfn_models.Stack
CloudFormationBackend = cfn_models.CloudFormationBackend

# A completed status stays hidden behind its in-progress status until the stack's latency has passed.
_HIDDEN_UNTIL_READY = {
    "CREATE_COMPLETE": "CREATE_IN_PROGRESS",
    "UPDATE_COMPLETE": "UPDATE_IN_PROGRESS",
    "ROLLBACK_COMPLETE": "ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE": "UPDATE_ROLLBACK_IN_PROGRESS",
}
_STARTS_CLOCK = {"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"}

_context = threading.local()


class ResourceFailed(Exception):
    """A resource could not be created or updated; the stack rolls back."""

    def __init__(self, logical_id: str, resource_type: str, reason: str):
        super().__init__(reason)
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = reason


# --- status, latency and visibility -------------------------------------------------------------


def _get_status(self: Stack) -> str:
    status = self.__dict__.get("_emu_status")
    if status in _HIDDEN_UNTIL_READY and time.time() < self.__dict__.get("_emu_ready_at", 0):
        return _HIDDEN_UNTIL_READY[status]
    return status


def _set_status(self: Stack, value: str) -> None:
    if value in _STARTS_CLOCK:
        self.__dict__["_emu_ready_at"] = time.time() + STATE.latency_for(self.name)
    self.__dict__["_emu_status"] = value


_original_outputs = Stack.outputs


def _outputs(self: Stack):
    status = self.status
    if status.endswith("_IN_PROGRESS") or status.startswith(("ROLLBACK", "DELETE")):
        return None  # AWS shows outputs only once the stack is complete; we cannot for deleted resources
    return _original_outputs.fget(self)


_original_getitem = parsing.ResourceMap.__getitem__


def _getitem(self: parsing.ResourceMap, key: str):
    """moto creates a missing resource on first reference; once a stack is settled, nothing may."""
    if self.__dict__.get("_emu_sealed") and key not in self._parsed_resources and key in self._resource_json_map:
        return None
    return _original_getitem(self, key)


_original_add_stack_event = Stack._add_stack_event


def _add_stack_event(
    self: Stack, resource_status: str, resource_status_reason: str | None = None, resource_properties: str | None = None
) -> None:
    _original_add_stack_event(self, resource_status, resource_status_reason, resource_properties)
    ready_at = self.__dict__.get("_emu_ready_at", 0)
    if resource_status in _HIDDEN_UNTIL_READY and ready_at > time.time():
        # The final event carries the time the stack really completes; it is listed from then on.
        self.events[-1].timestamp = datetime.datetime.fromtimestamp(ready_at, datetime.UTC).replace(tzinfo=None)


def _resource_event(
    stack: Stack, logical_id: str, resource_type: str, status: str, physical_id: str = "", reason: str | None = None
) -> None:
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id,
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def describe_stack_events(self: CloudFormationBackend, stack_name: str) -> list[cfn_models.Event]:
    now = utcnow()
    return [event for event in self.get_stack(stack_name).events if event.timestamp <= now]


# --- per-resource creation: events, faults, dynamic references ------------------------------------

_original_parse_and_create_resource = parsing.parse_and_create_resource
_original_parse_resource = parsing.parse_resource


def _stack_of(resources_map: parsing.ResourceMap) -> Stack | None:
    stack = getattr(_context, "stack", None)
    if stack is not None and stack.stack_id == resources_map.stack_id:
        return stack
    backend = cfn_models.cloudformation_backends[resources_map._account_id][resources_map._region_name]
    return backend.stacks.get(resources_map.stack_id)


def parse_and_create_resource(
    logical_id: str,
    resource_json: dict[str, Any],
    resources_map: parsing.ResourceMap,
    account_id: str,
    region_name: str,
):
    resource_type = resource_json["Type"]
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return None
    stack = _stack_of(resources_map)
    stack_name = stack.name if stack else ""
    if (
        resource_type not in parsing.NULL_MODELS
        and not resource_type.startswith("Custom::")
        and parsing.resource_class_from_type(resource_type) is None
    ):
        raise _fail(stack, logical_id, resource_type, f"Resource type {resource_type} is not supported by the emulator")
    fault = STATE.fault_for(stack_name, logical_id, resource_type)
    if fault:
        raise _fail(stack, logical_id, resource_type, fault.reason)
    missing = resource_schemas.missing_required(logical_id, resource_type, resource_json.get("Properties"))
    if missing:  # the registry validates against the type's schema before any handler runs
        raise _fail(stack, logical_id, resource_type, missing)
    try:
        resource = _original_parse_and_create_resource(
            logical_id, resource_json, resources_map, account_id, region_name
        )
    except ResourceFailed:
        raise
    except Exception as exc:
        raise _fail(stack, logical_id, resource_type, getattr(exc, "message", None) or str(exc)) from exc
    if stack is not None and resource is not None:
        physical = getattr(resource, "physical_resource_id", "") or ""
        _resource_event(stack, logical_id, resource_type, "CREATE_IN_PROGRESS")
        _resource_event(stack, logical_id, resource_type, "CREATE_COMPLETE", physical)
        stack.__dict__.setdefault("_emu_created", []).append(logical_id)
    return resource


def _fail(stack: Stack | None, logical_id: str, resource_type: str, reason: str) -> ResourceFailed:
    if stack is not None:
        verb = "UPDATE" if stack.__dict__.get("_emu_status", "").startswith("UPDATE") else "CREATE"
        _resource_event(stack, logical_id, resource_type, "CREATE_IN_PROGRESS")
        _resource_event(stack, logical_id, resource_type, f"{verb}_FAILED", reason=reason)
    return ResourceFailed(logical_id, resource_type, reason)


_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]+)\}\}")


def _resolve_reference(match: re.Match[str], account_id: str, region_name: str) -> str:
    service, spec = match.group(1), match.group(2)
    if service in ("ssm", "ssm-secure"):
        name = spec.split(":")[0]
        parameter = ssm_backends[account_id][region_name].get_parameter(name)
        if parameter is None:
            raise ValidationError(message=f"Parameter {name} not found")
        return parameter.value
    parts = spec.split(":")
    if parts[0] == "arn":  # the secret id is a full ARN with 7 colon-separated parts
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, rest = parts[0], parts[1:]
    rest += [""] * (4 - len(rest))
    json_key, stage, version_id = rest[1:4]
    secret = secretsmanager_backends[account_id][region_name].get_secret_value(
        secret_id=secret_id, version_id=version_id or None, version_stage=stage or None
    )
    value = secret["SecretString"] if isinstance(secret, dict) else secret.secret_string
    if json_key:
        value = json.loads(value)[json_key]
    return str(value)


def _resolve_dynamic(value: Any, account_id: str, region_name: str) -> Any:
    if isinstance(value, str) and "{{resolve:" in value:
        return _DYNAMIC_REFERENCE.sub(lambda m: _resolve_reference(m, account_id, region_name), value)
    if isinstance(value, dict):
        return {k: _resolve_dynamic(v, account_id, region_name) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_dynamic(v, account_id, region_name) for v in value]
    return value


def parse_resource(resource_json: dict[str, Any], resources_map: parsing.ResourceMap):
    result = _original_parse_resource(resource_json, resources_map)
    if not result:
        return result
    resource_class, cleaned, resource_type = result
    cleaned["Properties"] = _resolve_dynamic(
        cleaned.get("Properties", {}), resources_map._account_id, resources_map._region_name
    )
    return resource_class, cleaned, resource_type


# --- create, update, execute change set: with rollback ---------------------------------------------


def _delete_created(stack: Stack, logical_ids: list[str]) -> None:
    """Delete resources in reverse creation order, as a rollback does."""
    resource_map = stack.resource_map
    for logical_id in reversed(logical_ids):
        resource = resource_map._parsed_resources.get(logical_id)
        if not isinstance(resource, CloudFormationModel) and not hasattr(resource, "logical_resource_id"):
            continue
        resource_json = resource_map._resource_json_map.get(logical_id) or {"Type": resource.cf_resource_type}
        _resource_event(stack, logical_id, resource_json["Type"], "DELETE_IN_PROGRESS")
        try:
            resource_map._delete_resource(resource, resource_json)
        except Exception:  # noqa: BLE001,S110 - AWS keeps rolling back past a failed delete
            pass
        resource_map._parsed_resources.pop(logical_id, None)
        _resource_event(stack, logical_id, resource_json["Type"], "DELETE_COMPLETE")


def _run(stack: Stack, work) -> ResourceFailed | None:
    previous = getattr(_context, "stack", None)
    _context.stack = stack
    stack.__dict__["_emu_created"] = []
    stack.resource_map.__dict__["_emu_sealed"] = False
    try:
        work()
    except ResourceFailed as failure:
        return failure
    finally:
        _context.stack = previous
        stack.resource_map.__dict__["_emu_sealed"] = True
    return None


def _roll_back_creation(stack: Stack, failure: ResourceFailed) -> None:
    stack.status = "ROLLBACK_IN_PROGRESS"
    _add_stack_event(
        stack,
        "ROLLBACK_IN_PROGRESS",
        f"The following resource(s) failed to create: [{failure.logical_id}]. Rollback requested by user.",
    )
    _delete_created(stack, stack.__dict__.get("_emu_created", []))
    stack.status = "ROLLBACK_COMPLETE"
    _add_stack_event(stack, "ROLLBACK_COMPLETE")


def create_resources(self: Stack) -> None:
    self.status = "CREATE_IN_PROGRESS"
    failure = _run(self, lambda: self.resource_map.create(self.template_dict))
    self.description = self.template_dict.get("Description")
    if failure:
        _roll_back_creation(self, failure)
    else:
        self.status = "CREATE_COMPLETE"
        _add_stack_event(self, "CREATE_COMPLETE")


def _snapshot(stack: Stack) -> dict[str, Any]:
    resource_map = stack.resource_map
    return {
        "template": stack.template,
        "parameters": stack.parameters,
        "json_map": resource_map._resource_json_map,
        "map_template": resource_map._template,
        "input_parameters": resource_map.input_parameters,
    }


def _rollback_fault(stack: Stack, before: dict[str, Any]) -> tuple[str, str, str] | None:
    """A resource of the stack as it was that cannot be restored (a "rollback" fault): (id, type, reason)."""
    for logical_id, resource_json in (before["json_map"] or {}).items():
        resource_type = (resource_json or {}).get("Type", "")
        fault = STATE.fault_for(stack.name, logical_id, resource_type, during="rollback")
        if fault:
            return logical_id, resource_type, fault.reason
    return None


def _roll_back_update(stack: Stack, failure: ResourceFailed, before: dict[str, Any]) -> None:
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    _add_stack_event(
        stack, "UPDATE_ROLLBACK_IN_PROGRESS", f"The following resource(s) failed to update: [{failure.logical_id}]. "
    )
    _delete_created(stack, stack.__dict__.get("_emu_created", []))
    stuck = _rollback_fault(stack, before)
    if stuck:
        # AWS: "UPDATE_ROLLBACK_FAILED - Ongoing removal of new resources and restoration of old resources failed"
        # (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed):
        # the stack stays there, refusing updates, until a person fixes the resource and continues the rollback.
        logical_id, resource_type, reason = stuck
        _resource_event(stack, logical_id, resource_type, "UPDATE_FAILED", reason=reason)
        stack.status = "UPDATE_ROLLBACK_FAILED"
        reason = f"The following resource(s) failed to update: [{logical_id}]. "
        _add_stack_event(stack, "UPDATE_ROLLBACK_FAILED", reason)
        return
    resource_map = stack.resource_map
    resource_map._resource_json_map = before["json_map"]
    resource_map._template = before["map_template"]
    resource_map.input_parameters = before["input_parameters"]
    stack.template, stack.parameters = before["template"], before["parameters"]
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    _add_stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")


def update(
    self: Stack,
    template: str,
    role_arn: str | None = None,
    parameters: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    parameters_as_given = {k: _api_value(v) for k, v in (parameters or {}).items()}
    cfn_parameters.validate(Stack.parse_template(template), parameters_as_given, self.account_id, self.region_name)
    before = _snapshot(self)
    self.status = "UPDATE_IN_PROGRESS"
    _add_stack_event(self, "UPDATE_IN_PROGRESS", resource_status_reason="User Initiated")

    def work() -> None:
        self.template = template
        self._parse_template()
        self.resource_map.update(self.template_dict, parameters)
        self.output_map = self._create_output_map()

    failure = _run(self, work)
    if failure:
        _roll_back_update(self, failure, before)
        return
    self.role_arn = role_arn
    if parameters:
        self.parameters = parameters
    if tags is not None:
        self.tags = tags
    self.status = "UPDATE_COMPLETE"
    _add_stack_event(self, "UPDATE_COMPLETE")


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    change_set = self.describe_change_set(change_set_name)
    if change_set.execution_status != "AVAILABLE":
        raise ValidationError(
            message=f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
            f"status of [{change_set.status}]"
        )
    stack = self.stacks[change_set.stack_id]
    kind = change_set.change_set_type
    before = _snapshot(stack)
    stack.status = f"{kind}_IN_PROGRESS"
    _add_stack_event(stack, f"{kind}_IN_PROGRESS", resource_status_reason="User Initiated")

    def work() -> None:
        change_set.apply()
        stack.template = change_set.template
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.parameters = change_set.parameters
        stack.output_map = stack._create_output_map()

    failure = _run(stack, work)
    change_set.execution_status = "EXECUTE_FAILED" if failure else "EXECUTE_COMPLETE"
    if failure and kind == "CREATE":
        _roll_back_creation(stack, failure)
    elif failure:
        _roll_back_update(stack, failure, before)
    else:
        stack.status = f"{kind}_COMPLETE"
        _add_stack_event(stack, f"{kind}_COMPLETE")
    # AWS deletes the stack's other change sets once one is executed.
    for other_id in [
        cs_id for cs_id, cs in self.change_sets.items() if cs.stack_id == stack.stack_id and cs is not change_set
    ]:
        del self.change_sets[other_id]


# --- guards that AWS applies ----------------------------------------------------------------------


def _validate_status(self: CloudFormationResponse, stack: Stack) -> None:
    status = stack.status
    if status == "ROLLBACK_COMPLETE" or status.endswith("_IN_PROGRESS") or status.endswith("_FAILED"):
        raise ValidationError(
            stack.stack_id, message=f"Stack:{stack.stack_id} is in {status} state and can not be updated."
        )


def _validate_different_update(
    self: CloudFormationResponse, incoming_params, stack_body: str, old_stack: Stack
) -> None:
    """AWS compares the parsed template, the resolved parameters and the tags."""
    if self._get_param("ChangeSetName"):
        return  # a change set without changes is created in status FAILED, not refused
    template = Stack.parse_template(stack_body) if stack_body is not None else old_stack.template_dict
    new_params = {
        name: _api_value(spec["Default"])
        for name, spec in (template.get("Parameters") or {}).items()
        if "Default" in spec
    }
    new_params.update(self._get_param_values(incoming_params or [], old_stack.stack_parameters))
    new_tags = {item["Key"]: item["Value"] for item in self._get_param("Tags", [])} or None
    same_template = stack_body is None or Stack.parse_template(stack_body) == Stack.parse_template(old_stack.template)
    same_tags = new_tags is None or new_tags == old_stack.tags
    if same_template and old_stack.stack_parameters == new_params and same_tags:
        raise ValidationError(old_stack.name, message="No updates are to be performed.")


def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection", False)
    return ActionResult({"StackId": stack.stack_id})


_original_delete_resource = parsing.ResourceMap._delete_resource


def _delete_resource(self: parsing.ResourceMap, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
    """Tell the resource its DeletionPolicy (Snapshot keeps a final snapshot) before deleting it."""
    try:
        parsed_resource.deletion_policy = resource_json.get("DeletionPolicy")
    except AttributeError:
        pass
    _original_delete_resource(self, parsed_resource, resource_json)


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    """AWS accepts the request and reports a failed resource delete as DELETE_FAILED on the stack."""
    stack = next((s for s in self.stacks.values() if name_or_stack_id in (s.name, s.stack_id)), None)
    if stack is None:
        return  # deleting a stack that does not exist succeeds
    if stack.enable_termination_protection:
        raise ValidationError(message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled")
    stack.status = "DELETE_IN_PROGRESS"
    _add_stack_event(stack, "DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
    try:
        stack.resource_map.delete()
    except Exception as exc:  # noqa: BLE001 - the resource's own error is the reason AWS reports
        reason = getattr(exc, "message", None) or str(exc)
        remaining = [
            logical_id
            for logical_id, resource in stack.resource_map._parsed_resources.items()
            if hasattr(resource, "logical_resource_id")
            and stack.resource_map._resource_json_map.get(logical_id, {}).get("DeletionPolicy") != "Retain"
        ]
        for logical_id in remaining:
            resource_type = stack.resource_map._resource_json_map[logical_id]["Type"]
            _resource_event(stack, logical_id, resource_type, "DELETE_FAILED", reason=reason)
        stack.status = "DELETE_FAILED"
        _add_stack_event(
            stack, "DELETE_FAILED", f"The following resource(s) failed to delete: [{', '.join(sorted(remaining))}]. "
        )
        return
    stack.status = "DELETE_COMPLETE"
    _add_stack_event(stack, "DELETE_COMPLETE")
    self.stacks.pop(stack.stack_id)
    self.deleted_stacks[stack.stack_id] = stack
    for name in [name for name, export in self.exports.items() if export.exporting_stack_id == stack.stack_id]:
        del self.exports[name]


def create_stack(
    self: CloudFormationBackend,
    name: str,
    template: str,
    parameters: dict[str, Any],
    notification_arns: list[str] | None = None,
    tags: dict[str, str] | None = None,
    role_arn: str | None = None,
    enable_termination_protection: bool | None = False,
    timeout_in_mins: int | None = None,
    stack_policy_body: str | None = None,
) -> Stack:
    """moto's create_stack, with exports published after the resources exist (and only on success)."""
    if name in [stack.name for stack in self.stacks.values()]:
        raise cfn_models.AlreadyExistsException(f"Stack [{name}] already exists")
    cfn_parameters.validate(Stack.parse_template(template), parameters, self.account_id, self.region_name)
    stack = Stack(
        stack_id=cfn_models.generate_stack_id(name, self.region_name, self.account_id),
        name=name,
        template=template,
        parameters=parameters,
        account_id=self.account_id,
        region_name=self.region_name,
        notification_arns=notification_arns,
        tags=tags,
        role_arn=role_arn,
        cross_stack_resources=self.exports,
        enable_termination_protection=enable_termination_protection,
        timeout_in_mins=timeout_in_mins,
        stack_policy_body=stack_policy_body,
    )
    self.stacks[stack.stack_id] = stack
    _add_stack_event(stack, "CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.create_resources()
    if stack.__dict__["_emu_status"] == "CREATE_COMPLETE":
        self._validate_export_uniqueness(stack)
        for export in stack.exports:
            self.exports[export.name] = export
    return stack


def _api_value(value: Any) -> str:
    """A parameter as the API shows it: list parameters comma-joined, numbers as text."""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _parameter_list(self: Stack) -> list[dict[str, Any]]:
    """DescribeStacks parameters; moto printed lists as Python reprs and masked NoEcho by value."""
    resource_map = self.resource_map
    return [
        {
            "ParameterKey": key,
            "ParameterValue": "****" if key in getattr(resource_map, "no_echo_parameter_keys", []) else _api_value(v),
        }
        for key, v in resource_map.resolved_parameters.items()
    ]


def _stack_parameters(self: Stack) -> dict[str, str]:
    return {key: _api_value(v) for key, v in self.resource_map.resolved_parameters.items()}


def _stack_resources(self: Stack) -> list[Any]:
    """The stack's resources; one whose Condition is false does not exist (moto listed it as an empty entry)."""
    return [resource for resource in self.resource_map.values() if hasattr(resource, "logical_resource_id")]


_MOTO_STACK_FROM_S3_URL = CloudFormationResponse._get_stack_from_s3_url


def _stack_from_s3_url(self, template_url: str) -> str:
    """A TemplateURL on the emulator's own endpoint - path style, as `aws cloudformation deploy --s3-bucket` makes it
    from AWS_ENDPOINT_URL - names its bucket in the path, as an s3.<region>.amazonaws.com URL does; moto took the
    host's first label ("127") for the bucket."""
    host = urllib.parse.urlparse(template_url).hostname or ""
    if host == "localhost" or host.replace(".", "").isdigit():
        template_url = "https://s3.amazonaws.com" + urllib.parse.urlparse(template_url).path
    return _MOTO_STACK_FROM_S3_URL(self, template_url)


# CloudFormation takes a template body of at most 51,200 bytes in a request (TemplateBody of CreateStack, UpdateStack,
# CreateChangeSet, ValidateTemplate, GetTemplateSummary); a larger template is given as TemplateURL, an S3 object of
# up to 1 MB: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html,
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
TEMPLATE_BODY_LIMIT = 51200
_TEMPLATE_BODY_ACTIONS = (
    "create_stack",
    "update_stack",
    "create_change_set",
    "validate_template",
    "get_template_summary",
)


def _template_body_limited(action):
    def checked(self):
        body = self._get_param("TemplateBody")
        if body is not None and len(body.encode("utf-8")) > TEMPLATE_BODY_LIMIT:
            raise ValidationError(
                message="1 validation error detected: Value at 'templateBody' failed to satisfy constraint: "
                f"Member must have length less than or equal to {TEMPLATE_BODY_LIMIT}"
            )
        return action(self)

    return checked


def install() -> None:
    CloudFormationResponse._get_stack_from_s3_url = _stack_from_s3_url
    for name in _TEMPLATE_BODY_ACTIONS:
        setattr(CloudFormationResponse, name, _template_body_limited(getattr(CloudFormationResponse, name)))
    Stack.parameter_list = property(_parameter_list)
    Stack.stack_resources = property(_stack_resources)
    Stack.stack_parameters = property(_stack_parameters)
    CloudFormationBackend.create_stack = create_stack
    Stack.status = property(_get_status, _set_status)
    Stack.outputs = property(_outputs)
    Stack._add_stack_event = _add_stack_event
    Stack.create_resources = create_resources
    Stack.update = update
    CloudFormationBackend.describe_stack_events = describe_stack_events
    CloudFormationBackend.execute_change_set = execute_change_set
    CloudFormationBackend.delete_stack = delete_stack
    parsing.ResourceMap._delete_resource = _delete_resource
    parsing.ResourceMap.__getitem__ = _getitem
    CloudFormationResponse._validate_status = _validate_status
    CloudFormationResponse._validate_different_update = _validate_different_update
    CloudFormationResponse.update_termination_protection = update_termination_protection
    parsing.parse_and_create_resource = parse_and_create_resource
    parsing.parse_resource = parse_resource
