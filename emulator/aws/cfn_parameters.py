"""CreateStack/UpdateStack parameter validation, as CloudFormation does it before creating anything.

AllowedValues, AllowedPattern, Min/MaxLength, Min/MaxValue, Number; the AWS-specific types
AWS::EC2::VPC::Id and List<AWS::EC2::Subnet::Id> (the IDs must exist in the stack's region); and the
template's Rules (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Contains over Ref). A violation is a
ValidationError and no stack is created - moto checks none of this.
"""

from __future__ import annotations

import re
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.ec2.models import ec2_backends


def _values(spec: dict[str, Any], value: str) -> list[str]:
    kind = spec.get("Type", "String")
    if kind.startswith("List<") or kind == "CommaDelimitedList":
        return [v.strip() for v in value.split(",")] if value else []
    return [value]


def _check_parameter(name: str, spec: dict[str, Any], value: str, account_id: str, region: str) -> None:
    kind = spec.get("Type", "String")
    for item in _values(spec, value):
        if "AllowedValues" in spec and item not in [str(v) for v in spec["AllowedValues"]]:
            raise ValidationError(message=f"Parameter '{name}' must be one of AllowedValues")
        if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], item):
            raise ValidationError(message=f"Parameter '{name}' must match pattern {spec['AllowedPattern']}")
        if "MinLength" in spec and len(item) < int(spec["MinLength"]):
            raise ValidationError(message=f"Parameter '{name}' must contain at least {spec['MinLength']} characters")
        if "MaxLength" in spec and len(item) > int(spec["MaxLength"]):
            raise ValidationError(message=f"Parameter '{name}' must contain at most {spec['MaxLength']} characters")
        if kind == "Number":
            try:
                number = float(item)
            except ValueError as exc:
                raise ValidationError(message=f"Parameter '{name}' must be a number") from exc
            if "MinValue" in spec and number < float(spec["MinValue"]):
                raise ValidationError(message=f"Parameter '{name}' must be a number not less than {spec['MinValue']}")
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                raise ValidationError(
                    message=f"Parameter '{name}' must be a number not greater than {spec['MaxValue']}"
                )
        if "AWS::EC2::VPC::Id" in kind or "AWS::EC2::Subnet::Id" in kind:
            ec2 = ec2_backends[account_id][region]
            known = ec2.vpcs if "VPC" in kind else {s.id for zone in ec2.subnets.values() for s in zone.values()}
            if item not in known:
                raise ValidationError(
                    message=f"Parameter validation failed: parameter value {item} for parameter "
                    f"name {name} does not exist. Rollback requested by user."
                )


def _evaluate(expression: Any, values: dict[str, str]) -> Any:
    if isinstance(expression, dict) and len(expression) == 1:
        ((function, argument),) = expression.items()
        if function == "Ref":
            return values.get(argument, "")
        if function == "Fn::Equals":
            return str(_evaluate(argument[0], values)) == str(_evaluate(argument[1], values))
        if function == "Fn::Not":
            return not _evaluate(argument[0], values)
        if function == "Fn::And":
            return all(_evaluate(a, values) for a in argument)
        if function == "Fn::Or":
            return any(_evaluate(a, values) for a in argument)
        if function == "Fn::Contains":
            return str(_evaluate(argument[1], values)) in [str(_evaluate(a, values)) for a in argument[0]]
    if isinstance(expression, list):
        return [_evaluate(e, values) for e in expression]
    return expression


def validate(template: dict[str, Any], given: dict[str, str], account_id: str, region: str) -> None:
    declared = template.get("Parameters") or {}
    values = {name: str(given.get(name, spec.get("Default", ""))) for name, spec in declared.items()}
    for name, spec in declared.items():
        if name in given or "Default" in spec:
            _check_parameter(name, spec, values[name], account_id, region)
    values["AWS::Region"] = region
    values["AWS::AccountId"] = account_id
    for rule in (template.get("Rules") or {}).values():
        if "RuleCondition" in rule and not _evaluate(rule["RuleCondition"], values):
            continue
        for assertion in rule.get("Assertions") or []:
            if not _evaluate(assertion["Assert"], values):
                raise ValidationError(message=assertion.get("AssertDescription", "Template rule assertion failed"))
