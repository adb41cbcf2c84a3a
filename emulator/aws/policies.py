"""IAM policy conditions as AWS evaluates them, for the resource policies the emulator enforces: S3 bucket
policies (every S3 request), SNS topic and KMS key policies (a service's publish, alarms.py).

What IAM documents (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html):

- the operators ``String(Not)Equals``, ``String(Not)EqualsIgnoreCase``, ``String(Not)Like``, ``Arn(Not)Equals``,
  ``Arn(Not)Like``, ``Bool`` and ``Null``, each also with the ``IfExists`` suffix;
- condition keys are case-insensitive; several keys in one operator, and several operators in one
  ``Condition``, must all hold (AND); several values of one key: any of them (OR);
- a key the request context does not carry: the condition does not hold - except for the ``Not...``
  operators (the key "does not equal" a value it does not have) and ``...IfExists`` (holds), and ``Null``,
  which asks exactly that (``"true"``: the key is absent);
- ``*`` and ``?`` in ``Like`` values are wildcards; ``ArnEquals`` matches like ``ArnLike``.

An operator outside that list (``IpAddress``, ``NumericLessThan``, ``DateGreaterThan``, the ``ForAnyValue:``
set operators...) is not modelled: ``UnsupportedCondition`` is raised where a policy uses one, so a template
that starts to rely on one fails in the emulator instead of being evaluated wrongly.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

_STRING = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}
_LIKE = {"StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"}
SUPPORTED = frozenset(_STRING | _LIKE | {"Bool", "Null"})


class UnsupportedCondition(ValueError):
    """A condition operator the emulator does not evaluate."""


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def operator_of(name: str) -> tuple[str, bool]:
    """(base operator, IfExists) of a condition operator; UnsupportedCondition for one not modelled."""
    if_exists = name.endswith("IfExists")
    base = name[: -len("IfExists")] if if_exists else name
    if base not in SUPPORTED:
        raise UnsupportedCondition(f"the emulator does not evaluate the condition operator {name} (policies.py)")
    return base, if_exists


def condition_holds(condition: dict[str, Any] | None, context: dict[str, str]) -> bool:
    """Whether a statement's ``Condition`` block holds for a request with these context keys."""
    known = {key.lower(): value for key, value in context.items()}
    for name, tests in (condition or {}).items():
        base, if_exists = operator_of(name)
        negated = "Not" in base
        for key, expected in (tests or {}).items():
            actual = known.get(key.lower())
            values = [str(e) for e in as_list(expected)]
            if base == "Null":
                if (actual is None) != (values[0].lower() == "true"):
                    return False
                continue
            if actual is None:
                if if_exists or negated:
                    continue
                return False
            if base == "Bool":
                match = str(actual).lower() in [v.lower() for v in values]
            elif base in _LIKE:
                match = any(fnmatch.fnmatchcase(str(actual), v) for v in values)
            elif "IgnoreCase" in base:
                match = str(actual).lower() in [v.lower() for v in values]
            else:
                match = str(actual) in values
            if match == negated:
                return False
    return True


def operators(policy: dict[str, Any]) -> list[tuple[str, str]]:
    """(operator, condition key) of every condition of a policy document."""
    found = []
    for statement in as_list((policy or {}).get("Statement")):
        for name, tests in (statement.get("Condition") or {}).items():
            found.extend((name, key) for key in tests or {})
    return found


# --- resource policies naming a service principal (key and topic policies) -----------------------------


def _principal_matches(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if "*" in as_list(principal.get("AWS")):  # everyone, service principals included
        return True
    return service in as_list(principal.get("Service"))


def _action_matches(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in as_list(statement["NotAction"]))
    return any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in as_list(statement.get("Action")))


def _resource_matches(statement: dict[str, Any], resource: str) -> bool:
    resources = as_list(statement.get("Resource", "*"))
    return any(fnmatch.fnmatchcase(resource, r) for r in resources)


def _condition_holds(condition: dict[str, Any] | None, context: dict[str, str]) -> bool:
    """IAM's condition operators; an operator the emulator does not model never grants."""
    try:
        return condition_holds(condition, context)
    except UnsupportedCondition:
        return False


def policy_allows(policy: Any, service: str, action: str, resource: str, context: dict[str, str]) -> bool:
    """Whether a resource policy (key policy, topic policy) lets a service principal do ``action``:
    an Allow that applies and no Deny that applies."""
    document = json.loads(policy) if isinstance(policy, str) else policy
    allowed = False
    for statement in as_list((document or {}).get("Statement")):
        applies = (
            _principal_matches(statement.get("Principal"), service)
            and _action_matches(statement, action)
            and _resource_matches(statement, resource)
            and _condition_holds(statement.get("Condition"), context)
        )
        if applies and statement.get("Effect") == "Deny":
            return False
        allowed = allowed or (applies and statement.get("Effect") == "Allow")
    return allowed
