# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the preflight_check action plugin: pure functions over values, no boto3, no Ansible runtime.

Each function returns the problems it found as sentences that name the variable (or the resource) and
what was found; an empty list means nothing to refuse. The plugin gathers the values (role argument
specs, role defaults rendered with the run's variables, template parameters, what AWS and Kubernetes
answer) and calls these in order: the inputs first, then the binding, then what only AWS knows.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re

from ansible.module_utils.common.validation import (
    check_type_bool,
    check_type_dict,
    check_type_float,
    check_type_int,
    check_type_list,
)

from ansible_collections.ai_model_registry.infra.plugins.module_utils import platform_model
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import cloudformation as cfn

# Prefixes of the collection's variables: a variable carrying one that no role or playbook declares is a typo.
PREFIXES = ("registry_", "preflight_", "aurora_", "redis_", "backup_", "dr_", "k8s_secrets_", "failover_")
# Variables with those prefixes that are not role inputs: what the roles publish, what the playbooks read.
RUN_VARIABLES = (
    "aurora_outputs",
    "redis_outputs",
    "backup_outputs",
    "backup_dr_vault_outputs",
    "dr_outputs",
    "dr_replica_outputs",
    "dr_secondary_outputs",
    "failover_report",
    "failover_confirm",
    "dr_drill_report",
    "dr_drill_confirm",
    "registry_teardown_confirm",
    "registry_environment_host",
    "registry_component",
    "registry_deployed",
    "preflight_result",
)
# What the stacks publish during the run: a value computed from these is known only then (deferred).
PRODUCED = RUN_VARIABLES[:7]

REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
VPC_PATTERN = re.compile(r"^vpc-[0-9a-f]{8,17}$")
SUBNET_PATTERN = re.compile(r"^subnet-[0-9a-f]{8,17}$")
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,52}[a-z0-9]$")
PREFIX_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,20}$")
ACCOUNT_PATTERN = re.compile(r"^[0-9]{12}$")
ROLE_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$")

TYPE_WORDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "str": "a string",
    "path": "a path",
    "list": "a list",
    "dict": "a dictionary",
}


class Deferred(object):
    """A value the run computes from a stack's outputs: checked when the role runs, not before."""

    def __init__(self, needs):
        self.needs = needs

    def __repr__(self):
        return "<from %s>" % self.needs


def is_deferred(value):
    return isinstance(value, Deferred)


def kind_of(value):
    """The type of a value in words: ``a string``, ``an integer``, ``a list`` ..."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a dictionary"
    return "a %s" % type(value).__name__


def describe(value):
    """``'30' (a string)``, ``0 (an integer)``: a value as a message shows it, with its type."""
    shown = repr(value) if isinstance(value, str) else str(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return "%s (%s)" % (shown, kind_of(value))


def lower_bound(name, kind):
    """The smallest sensible value of a numeric option, from its name: durations and counts are positive,
    a lag may be zero. ``(">=", 1)``, ``(">", 0)`` or None."""
    if kind not in ("int", "float"):
        return None
    if name.endswith("_lag_seconds"):
        return (">=", 0)
    for suffix in ("_seconds", "_minutes", "_timeout", "_days", "_count", "_ms"):
        if name.endswith(suffix):
            return (">=", 1) if kind == "int" else (">", 0)
    return None


def _convert(kind, value):
    """The value as Ansible's argument spec converts it (a string of digits is an integer, ``a,b`` a list);
    ValueError when it cannot be. Stricter than Ansible where a conversion hides a mistake: a boolean is no
    number, and a list or a dictionary is no string."""
    if kind in ("int", "float") and isinstance(value, bool):
        raise ValueError(kind)
    if kind in ("str", "path"):
        if isinstance(value, (list, tuple, dict)) or value is None:
            raise ValueError(kind)
        return value if isinstance(value, str) else str(value)
    checks = {
        "int": check_type_int,
        "float": check_type_float,
        "bool": check_type_bool,
        "list": check_type_list,
        "dict": check_type_dict,
    }
    if kind not in checks:
        return value
    try:
        return checks[kind](value)
    except (TypeError, ValueError):
        raise ValueError(kind) from None


PLURALS = {
    "int": "integers",
    "float": "numbers",
    "bool": "booleans",
    "str": "strings",
    "path": "paths",
    "list": "lists",
    "dict": "dictionaries",
}


def _expected(name, kind, spec):
    words = TYPE_WORDS.get(kind, kind)
    if kind == "list" and spec.get("elements"):
        words += " of %s" % PLURALS.get(spec["elements"], spec["elements"])
    bound = lower_bound(name, kind)
    if bound:
        words += " %s %s" % bound
    return words


def converted(value, spec):
    """The value as its role will see it (``"2"`` as 2, ``"a,b"`` as a list), or as it is when it does not convert."""
    try:
        return _convert(spec.get("type", "str"), value)
    except ValueError:
        return value


def option_errors(name, value, spec):
    """Problems of one role input against its argument spec (type, elements, choices) and the bound its name
    implies; the message names the variable, what it must be and what it got, with its type."""
    if is_deferred(value):
        return []
    kind = spec.get("type", "str")
    try:
        converted = _convert(kind, value)
    except ValueError:
        return ["%s must be %s, got %s" % (name, _expected(name, kind, spec), describe(value))]
    if kind == "list" and spec.get("elements"):
        for element in converted:
            try:
                _convert(spec["elements"], element)
            except ValueError:
                return [
                    "%s must be %s, got %s in %s" % (name, _expected(name, kind, spec), describe(element), converted)
                ]
    choices = spec.get("choices")
    if choices:
        found = converted if kind == "list" else [converted]
        wrong = [v for v in found if v not in choices and str(v) not in [str(c) for c in choices]]
        if wrong:
            return [
                "%s must be %s, got %s"
                % (
                    name,
                    ("a list of " if kind == "list" else "one of ") + ", ".join(str(c) for c in choices),
                    describe(wrong[0]) + (" in %s" % converted if kind == "list" else ""),
                )
            ]
    bound = lower_bound(name, kind)
    if bound:
        low_ok = converted >= bound[1] if bound[0] == ">=" else converted > bound[1]
        if not low_ok:
            return ["%s must be %s, got %s" % (name, _expected(name, kind, spec), describe(value))]
    return []


def entry_errors(role, entry, options, values, missing_sources=None):
    """Problems of one role entry point (``aurora``, ``main``) with the values the run passes it.

    ``options`` is the entry's argument spec; ``values`` name -> value (``Deferred`` for what the run
    computes); an option absent from ``values`` is unset. ``missing_sources`` name -> the undefined variable
    its default needs."""
    missing_sources = missing_sources or {}
    errors = []
    for name in sorted(options):
        spec = options[name] or {}
        if name in missing_sources:
            errors.append("%s (role %s, %s) needs %s, which is not set" % (name, role, entry, missing_sources[name]))
            continue
        if name not in values:
            if spec.get("required"):
                errors.append("%s is required by role %s (%s) and not set" % (name, role, entry))
            continue
        errors.extend(option_errors(name, values[name], spec))
    return errors


def unknown_variables(names, known):
    """Variables with a collection prefix that nothing declares: typos, each with the nearest known name."""
    known = set(known) | set(RUN_VARIABLES)
    errors = []
    for name in sorted(names):
        if not name.startswith(PREFIXES) or name in known:
            continue
        near = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
        hint = " (did you mean %s?)" % near[0] if near else ""
        errors.append("%s is not a variable of any role or playbook of this collection%s" % (name, hint))
    return errors


def environment_errors(values):
    """The relations and formats of an environment's registry_* settings (its inventory)."""
    errors = []
    primary, dr = values.get("registry_primary_region"), values.get("registry_dr_region")
    for name, example in (("registry_primary_region", "us-west-2"), ("registry_dr_region", "us-east-1")):
        if isinstance(values.get(name), str) and not REGION_PATTERN.match(values[name]):
            errors.append("%s %r is not an AWS region name (for example %s)" % (name, values[name], example))
    if primary and primary == dr:
        errors.append(
            "registry_dr_region must differ from registry_primary_region (both are %s): disaster recovery needs a "
            "second region for the secondary cluster and the artifacts replica" % primary
        )
    for name in ("registry_vpc_id", "registry_dr_vpc_id"):
        if isinstance(values.get(name), str) and not VPC_PATTERN.match(values[name]):
            errors.append("%s %r is not a VPC ID (vpc- and 8 or 17 hex digits)" % (name, values[name]))
    for name in ("registry_private_subnet_ids", "registry_dr_private_subnet_ids"):
        subnets = values.get(name)
        if not isinstance(subnets, list):
            continue
        if len(set(subnets)) < 2:
            errors.append(
                "%s needs at least two subnets in different Availability Zones (Aurora and ElastiCache Multi-AZ "
                "need them); it has %d" % (name, len(set(subnets)))
            )
        wrong = [s for s in subnets if not isinstance(s, str) or not SUBNET_PATTERN.match(s)]
        if wrong:
            errors.append("%s: %s is not a subnet ID (subnet- and 8 or 17 hex digits)" % (name, describe(wrong[0])))
    bucket = values.get("registry_artifacts_bucket")
    if isinstance(bucket, str) and not BUCKET_PATTERN.match(bucket):
        errors.append(
            "registry_artifacts_bucket %r is not a usable bucket name: 3-54 lowercase letters, digits, dots or "
            "hyphens (the replica adds -replica)" % bucket
        )
    prefix = values.get("registry_name_prefix")
    if isinstance(prefix, str) and not PREFIX_PATTERN.match(prefix):
        errors.append(
            "registry_name_prefix %r must be 2-21 lowercase letters, digits or hyphens, starting with a letter" % prefix
        )
    elif isinstance(prefix, str) and values.get("registry_environment") in platform_model.ENVIRONMENTS:
        errors.extend(platform_model.name_errors(prefix, values["registry_environment"]))
    errors.extend(alarm_subscription_errors(values))
    role = values.get("registry_cloudformation_role_arn")
    if isinstance(role, str) and role and not ROLE_ARN_PATTERN.match(role):
        errors.append("registry_cloudformation_role_arn %r is not the ARN of an IAM role" % role)
    if values.get("redis_global_datastore") is True and values.get("redis_cluster_mode") == "enabled":
        errors.append(
            "redis_cluster_mode 'enabled' cannot go with redis_global_datastore: the DR region's secondary "
            "(redis-dr.yaml) and the failover's Redis endpoint are those of a cluster-mode-disabled group; set "
            "redis_cluster_mode: disabled, or redis_global_datastore: false"
        )
    return errors


def alarm_subscription_errors(values):
    """The roles' alarm subscribers (``<role>_alarm_subscriptions``, by default the environment's one
    registry_alarm_subscriptions) that the templates cannot take: one sentence for each problem, naming every role
    variable that has it."""
    found = {}
    for name in sorted(values):
        if name.endswith("_alarm_subscriptions") and isinstance(values[name], list):
            for problem in platform_model.alarm_subscription_problems(values[name]):
                found.setdefault(problem, []).append(name)
    return [
        "%s (registry_alarm_subscriptions unless set) %s" % (", ".join(names), problem)
        for problem, names in found.items()
    ]


def binding_declaration_errors(account_id, kubernetes, context, server):
    """The environment's declared binding: an account ID of 12 digits; a Kubernetes context or API server
    when the run talks to Kubernetes."""
    errors = []
    if account_id is None or account_id == "":
        errors.append(
            "registry_aws_account_id is not set: declare the AWS account of this environment (12 digits), so a run "
            "with another account's credentials is refused"
        )
    elif not ACCOUNT_PATTERN.match(str(account_id)):
        errors.append("registry_aws_account_id must be an AWS account ID of 12 digits, got %s" % describe(account_id))
    if kubernetes and not (context or server):
        errors.append(
            "registry_kubernetes_context (or registry_kubernetes_server) is not set: declare the Kubernetes "
            "context or API server of this environment, so a run with another cluster's kubeconfig is refused"
        )
    return errors


def account_errors(expected, identity):
    """STS GetCallerIdentity's account against the declared one; ``identity`` is its answer."""
    found = str(identity.get("Account", ""))
    if found == str(expected):
        return []
    return [
        "the AWS credentials are of account %s (%s), but this environment is bound to account %s "
        "(registry_aws_account_id): use the credentials of account %s, or the inventory of account %s"
        % (found, identity.get("Arn", "unknown caller"), expected, expected, found)
    ]


def _server(url):
    return (url or "").rstrip("/").lower()


def kubernetes_errors(expected_context, expected_server, found_context, found_server, source):
    """The current Kubernetes context and API server against the declared ones; ``source`` says where they
    were read (the kubeconfig path, or K8S_AUTH_HOST)."""
    errors = []
    if expected_context and found_context != expected_context:
        errors.append(
            "the Kubernetes context is %s (%s), but this environment is bound to context %s "
            "(registry_kubernetes_context): switch to it (kubectl config use-context %s) or set K8S_AUTH_CONTEXT"
            % (found_context or "not set", source, expected_context, expected_context)
        )
    if expected_server and _server(found_server) != _server(expected_server):
        errors.append(
            "the Kubernetes API server is %s (%s), but this environment is bound to %s (registry_kubernetes_server)"
            % (found_server or "not set", source, expected_server)
        )
    return errors


def region_errors(regions, available):
    """Declared regions against EC2 DescribeRegions(AllRegions): ``regions`` region -> the variables naming it,
    ``available`` region -> its OptInStatus."""
    errors = []
    for region in sorted(regions):
        names = ", ".join(sorted(regions[region]))
        if region not in available:
            errors.append("%s: region %s does not exist (EC2 DescribeRegions does not list it)" % (names, region))
        elif available[region] == "not-opted-in":
            errors.append("%s: region %s is not enabled in this account (opt in first)" % (names, region))
    return errors


def network_errors(region, vpc, subnets, vpcs_found, subnets_found):
    """A stack's VPC and subnets against EC2's answer in their region.

    ``vpc`` and ``subnets`` are ``(value, label)`` where label names the variable (and the stack parameter);
    ``vpcs_found`` the VPC IDs DescribeVpcs returned, ``subnets_found`` DescribeSubnets' entries."""
    errors = []
    vpc_id, vpc_label = vpc if vpc else (None, None)
    if vpc_id and vpc_id not in vpcs_found:
        errors.append("%s: VPC %s does not exist in %s" % (vpc_label, vpc_id, region))
    if not subnets:
        return errors
    subnet_ids, subnet_label = subnets
    found = {s["SubnetId"]: s for s in subnets_found}
    absent = [s for s in subnet_ids if s not in found]
    if absent:
        errors.append("%s: subnet %s does not exist in %s" % (subnet_label, ", ".join(absent), region))
    if vpc_id and vpc_id in vpcs_found:
        elsewhere = [s for s in subnet_ids if s in found and found[s].get("VpcId") != vpc_id]
        if elsewhere:
            errors.append(
                "%s: subnet %s is not in VPC %s (%s)"
                % (subnet_label, ", ".join(elsewhere), vpc_id, vpc_label.split(" ")[0])
            )
    zones = {found[s].get("AvailabilityZone") for s in subnet_ids if s in found}
    if not absent and len(zones) < 2:
        errors.append(
            "%s: the subnets are all in %s; Aurora and ElastiCache need subnets in at least two Availability Zones"
            % (subnet_label, ", ".join(sorted(z for z in zones if z)) or "one zone")
        )
    return errors


def _relaxed(template, deferred):
    """The template with the declarations of deferred parameters emptied: their values come during the run."""
    relaxed = dict(template)
    relaxed["Parameters"] = dict(template.get("Parameters") or {})
    for name in deferred:
        if name in relaxed["Parameters"]:
            relaxed["Parameters"][name] = {"Type": "String", "Default": ""}
    return relaxed


def parameter_errors(stack, template, given, sources):
    """The parameters a stack task passes, against the template's own declarations, before any stack is touched:
    unknown and missing parameters, AllowedValues, MinValue/MaxValue (``resolve_parameters``, as the stack plugin
    checks them), and AllowedPattern, MinLength/MaxLength (which CloudFormation would refuse at CreateStack).

    ``stack`` labels the messages, ``given`` parameter -> value (``Deferred`` for values the run computes),
    ``sources`` parameter -> the variables its expression reads."""
    deferred = [name for name, value in given.items() if is_deferred(value)]
    plain = {name: value for name, value in given.items() if not is_deferred(value)}
    errors = []
    try:
        resolved = cfn.resolve_parameters(plain, _relaxed(template, deferred))
    except cfn.TemplateError as e:
        return ["%s: %s" % (stack, _with_sources(str(e), sources))]
    declared = template.get("Parameters") or {}
    for name in sorted(plain):
        spec, value = declared.get(name) or {}, resolved.get(name, "")
        pattern = spec.get("AllowedPattern")
        if pattern and not re.match(pattern + r"\Z", value):
            errors.append("%s: %s=%s does not match %s" % (stack, name, value, pattern))
        if "MinLength" in spec and len(value) < int(spec["MinLength"]):
            errors.append("%s: %s=%s is shorter than %s characters" % (stack, name, value, spec["MinLength"]))
        if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
            errors.append("%s: %s=%s is longer than %s characters" % (stack, name, value, spec["MaxLength"]))
    return [_with_sources(e, sources) for e in errors]


def _with_sources(message, sources):
    """A message about template parameters, with the variables that set each parameter it names."""
    named = []
    for parameter in sorted(sources):
        if re.search(r"\b%s\b" % re.escape(parameter), message) and sources[parameter]:
            named.append("%s from %s" % (parameter, ", ".join(sources[parameter])))
    return message + (" (%s)" % "; ".join(named) if named else "")


def failover_request_errors(values):
    """The failover's own request, before any AWS call (the failover role asks the same again)."""
    errors = []
    if values.get("failover_action") == "failover" and not _truthy(values.get("failover_allow_data_loss")):
        errors.append(
            "failover_action=failover can lose the writes not yet replicated: set failover_allow_data_loss=true to "
            "confirm, or use failover_action=switchover while the primary region is up"
        )
    if _truthy(values.get("failover_use_orchestrator")) and values.get("failover_to", "dr") != "dr":
        errors.append(
            "failover_use_orchestrator: the orchestrator Lambda runs in the DR region and promotes its cluster; "
            "fail back (failover_to=primary) with the module instead"
        )
    return errors


def hosted_zone_errors(zone_id, domain, answer):
    """The custom domain's hosted zone against Route 53's GetHostedZone ``answer`` (None: NoSuchHostedZone).

    The records name private endpoints, so the zone must be private, and its name the domain they are named under.
    """
    if not domain:
        return ["dns_domain: the domain of hosted zone %s is not set (registry_dns_domain)" % zone_id]
    if answer is None:
        return ["dns_zone_id: hosted zone %s does not exist (registry_dns_zone_id)" % zone_id]
    zone = answer.get("HostedZone") or {}
    errors = []
    if (zone.get("Name") or "").rstrip(".").lower() != domain.rstrip(".").lower():
        errors.append("dns_domain: hosted zone %s is %s, not %s" % (zone_id, zone.get("Name"), domain))
    if not (zone.get("Config") or {}).get("PrivateZone"):
        errors.append("dns_zone_id: hosted zone %s is public; the endpoints are private, so is their zone" % zone_id)
    return errors


def _truthy(value):
    try:
        return bool(check_type_bool(value)) if value is not None else False
    except (TypeError, ValueError):
        return False


def lock_errors(holder, now, decide, held_message, environment):
    """The drill lock as found (read-only): refused when another drill holds it and it has not expired.

    ``decide`` and ``held_message`` are the dr_drill_lock module's own rules."""
    if holder is None:
        return []
    if decide(holder, None, now) == "refuse":
        return [held_message(holder, environment).replace(" Nothing was changed.", "")]
    return []


def refusal(problems):
    """The one message of a refused run: a line per problem (a multi-line message is shown as it is, not folded)."""
    return "Refused before any change, nothing was changed (%d problem%s):\n%s" % (
        len(problems),
        "" if len(problems) == 1 else "s",
        "\n".join("(%d) %s" % (i + 1, p) for i, p in enumerate(problems)),
    )
