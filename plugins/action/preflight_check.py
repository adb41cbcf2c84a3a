# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.preflight_check (documentation: plugins/modules/preflight_check.py).

One check at the start of every playbook that writes, on the controller: it reads what the run will use
(the roles' argument specs and defaults, their stack tasks and the templates those deploy), renders the values
the run will pass with the run's variables, and refuses every bad input before the first write. Then it checks
that the environment is the one the credentials and the kubeconfig point at, and what only AWS knows (regions,
VPCs, subnets, the drill lock) with read-only calls. The decisions are in plugin_utils/preflight.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os
import re
import time

import yaml
from ansible.errors import AnsibleActionFail, AnsibleError, AnsibleUndefinedVariable
from ansible.plugins.action import ActionBase

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import cloudformation as cfn
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import preflight
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.arguments import (
    trusted_template,
    validated_arguments,
)
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import (
    boto3,
    boto3_clients,
    botocore,
    warm,
)

# Imported where ansible-playbook imports the action plugins (its own process), so the fork of each host's check and
# the later Kubernetes tasks inherit the library instead of importing it again (about 0.5 s of CPU a fork).
try:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
except ImportError:  # the Kubernetes check reports it when it runs
    k8s_client = k8s_config = None

warm("sts")

COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STACK_ACTION = "ai_model_registry.infra.cloudformation_stack"
VARIABLE = re.compile(r"\b((?:%s)\w+)" % "|".join(preflight.PREFIXES))
ALIAS = re.compile(r"^\{\{\s*(\w+)\s*\}\}$")
UNDEFINED = re.compile(r"'(\w+)' is undefined")

ARGUMENT_SPEC = {
    "roles": {"type": "list", "elements": "str", "required": True},
    "account_id": {"type": "raw"},
    "kubernetes": {"type": "bool", "default": True},
    "kubernetes_context": {"type": "str"},
    "kubernetes_server": {"type": "str"},
    "regions": {"type": "dict", "default": {}},
    "network": {"type": "bool", "default": True},
    "drill_lock": {"type": "bool", "default": False},
    "kubernetes_timeout": {"type": "float", "default": 10},
}


class _Missing(Exception):
    def __init__(self, needs):
        super(_Missing, self).__init__(needs)
        self.needs = needs


class RunVariables(object):
    """The run's variables over every role's defaults, rendered as the roles would see them."""

    def __init__(self, templar, loader, task_vars):
        self.task_vars = task_vars
        self.loader = loader
        self.defaults, self.specs = {}, {}
        for role in sorted(os.listdir(os.path.join(COLLECTION, "roles"))):
            self.defaults.update(self.load("roles", role, "defaults", "main.yml") or {})
            self.specs[role] = (self.load("roles", role, "meta", "argument_specs.yml") or {}).get("argument_specs", {})
        variables = dict(self.defaults)
        variables.update(task_vars)
        self.variables = variables
        self.templar = templar.copy_with_new_env(available_variables=variables)

    def load(self, *parts):
        """A role file as Ansible reads it (its strings are templates); libyaml's parser, as it is read often."""
        path = os.path.join(COLLECTION, *parts)
        if not os.path.exists(path):
            return None
        with open(path) as handle:
            return _trusted(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))  # noqa: S506

    def known(self):
        """Every variable a role declares, or a role or playbook reads (``registry_alarm_subscriptions`` is read
        by the roles' defaults, ``registry_stack_timeout_minutes`` by the playbooks)."""
        names = set(self.defaults)
        for entries in self.specs.values():
            for spec in entries.values():
                names.update((spec or {}).get("options") or {})
        for pattern in ("roles/*/defaults/*.yml", "roles/*/vars/*.yml", "roles/*/tasks/*.yml", "playbooks/*.yml"):
            for path in glob.glob(os.path.join(COLLECTION, pattern)):
                with open(path) as handle:
                    names.update(VARIABLE.findall(handle.read()))
        return names

    def render(self, expression):
        """The value of an expression; ``Deferred`` when it needs a stack output, ``_Missing`` when it needs
        a variable nobody set."""
        try:
            return self.templar.template(expression)
        except AnsibleUndefinedVariable as e:
            found = UNDEFINED.search(str(e))
            needs = found.group(1) if found else str(e)
            if needs in preflight.PRODUCED:
                return preflight.Deferred(needs)
            raise _Missing(needs) from None

    def origin(self, name, depth=0):
        """The variable a person sets for ``name``: ``aurora_vpc_id`` -> ``registry_vpc_id`` when the role's
        default only passes that on and nobody overrides it."""
        if name in self.task_vars or depth > 5:
            return name
        found = ALIAS.match(str(self.defaults.get(name, "")))
        return self.origin(found.group(1), depth + 1) if found else name

    def sources(self, expression):
        return sorted({self.origin(name) for name in VARIABLE.findall(str(expression))})


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = validated_arguments(self._task.args, ARGUMENT_SPEC, "preflight_check")
        run = RunVariables(self._templar, self._loader, task_vars or {})
        checked, api_calls = [], []
        result.update(changed=False, checked=checked, api_calls=api_calls)

        # 1. Every input, with no call at all.
        problems, stacks = self.inputs(args, run, self._task.check_mode)
        checked.append("inputs")
        if problems:
            return self.refuse(result, problems, "bad_input")

        # 2. Kubernetes: the cluster the kubeconfig points at, and that it answers.
        if args["kubernetes"]:
            problems, found = kubernetes_check(args)
            result["kubernetes"] = found
            checked.append("kubernetes")
            if problems:
                return self.refuse(result, problems, "kubernetes")

        # 3. AWS, read-only: the caller's account, then regions, networks and the drill lock.
        if boto3 is None:
            raise AnsibleActionFail("preflight_check needs boto3 and botocore on the controller")
        clients = aws_clients()
        result["api_calls"] = clients.api_calls
        home = home_region(args["regions"])
        try:
            identity = clients("sts", home).call("GetCallerIdentity")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            return self.refuse(result, ["AWS STS GetCallerIdentity failed, so the account is unknown: %s" % e], "aws")
        result["account"] = identity.get("Account")
        checked.append("account")
        problems = preflight.account_errors(args["account_id"], identity)
        if problems:
            return self.refuse(result, problems, "account")
        try:
            problems = self.aws(args, run, stacks, clients, home, checked)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            problems = ["a read-only AWS check failed: %s" % e]
        if problems:
            return self.refuse(result, problems, "not_found")
        result["msg"] = "Checked before any change: %s." % ", ".join(checked)
        return result

    @staticmethod
    def refuse(result, problems, reason):
        result.update(failed=True, reason=reason, problems=problems, msg=preflight.refusal(problems))
        return result

    # --- the inputs --------------------------------------------------------------------------------------

    def inputs(self, args, run, check_mode=False):
        problems = []
        values = {}
        entries = [tuple((name.split(":", 1) + ["main"])[:2]) for name in args["roles"]]
        for role, entry in entries:
            spec = (run.specs.get(role) or {}).get(entry)
            if spec is None:
                raise AnsibleActionFail("preflight_check: role %s has no entry point %s" % (role, entry))
            options = spec.get("options") or {}
            given, missing = {}, {}
            for name in options:
                if name not in run.variables:
                    continue
                try:
                    given[name] = run.render(run.variables[name])
                except _Missing as e:
                    if e.needs != name:
                        missing[name] = e.needs
            problems.extend(
                p for p in preflight.entry_errors(role, entry, options, given, missing) if p not in problems
            )
            values.update(
                (k, preflight.converted(v, options[k] or {})) for k, v in given.items() if not preflight.is_deferred(v)
            )
        problems.extend(preflight.environment_errors(values))
        problems.extend(preflight.unknown_variables(run.task_vars, run.known()))
        problems.extend(
            preflight.binding_declaration_errors(
                args["account_id"], args["kubernetes"], args["kubernetes_context"], args["kubernetes_server"]
            )
        )
        if ("failover", "main") in entries:
            problems.extend(preflight.failover_request_errors(values))
        if ("dr_drill", "main") in entries:
            problems.extend(drill_request_errors(values, check_mode))
        stacks = []
        inputs_ok = not problems
        for role, entry in entries:
            for stack in self.stack_tasks(run, role, entry, problems if inputs_ok else None):
                stacks.append(stack)
                problems.extend(
                    p
                    for p in preflight.parameter_errors(
                        stack["label"], stack["template"], stack["given"], stack["sources"]
                    )
                    if p not in problems
                )
        return problems, stacks

    def stack_tasks(self, run, role, entry, problems=None):
        """The stacks an entry point deploys: name, region, template and the parameters it passes.

        A value that cannot be rendered is left to the role when an input problem explains it already
        (``problems`` None), and is a problem of its own otherwise."""
        tasks = run.load("roles", role, "tasks", entry + ".yml") or []
        for task in tasks:
            stack_args = task.get(STACK_ACTION) if isinstance(task, dict) else None
            if not stack_args or "loop" in task or stack_args.get("state", "present") != "present":
                continue
            try:
                name, region = run.render(stack_args["name"]), run.render(stack_args["region"])
                template_file = run.render(stack_args["template"])
            except (AnsibleError, _Missing) as e:
                if problems is not None:
                    problems.append("role %s (%s): its stack cannot be named: %s" % (role, entry, _reason(e)))
                continue
            path = os.path.join(COLLECTION, "roles", role, "files", template_file)
            with open(path) as handle:
                body = handle.read()
            template = cfn.load_template(body)
            bucket = None
            if len(body.encode("utf-8")) > cfn.TEMPLATE_BODY_LIMIT:  # CloudFormation reads it from S3
                try:
                    bucket = run.render(stack_args.get("template_bucket", ""))
                except (AnsibleError, _Missing) as e:
                    bucket = ""
                    if problems is not None:
                        problems.append(
                            "role %s (%s): its template bucket cannot be named: %s" % (role, entry, _reason(e))
                        )
                if not bucket and problems is not None:
                    problems.append(
                        "stack %s: its template %s is %d bytes, over the %d bytes CloudFormation takes in a request, "
                        "and no template bucket is set (registry_template_bucket)"
                        % (name, template_file, len(body.encode("utf-8")), cfn.TEMPLATE_BODY_LIMIT)
                    )
            given, sources = {}, {}
            for parameter, expression in (stack_args.get("parameters") or {}).items():
                try:
                    given[parameter] = run.render(expression)
                except _Missing as e:
                    given[parameter] = preflight.Deferred(e.needs)
                except AnsibleError as e:
                    given[parameter] = preflight.Deferred(str(e))
                    if problems is not None:
                        problems.append("stack %s: parameter %s cannot be rendered: %s" % (name, parameter, _reason(e)))
                sources[parameter] = run.sources(expression)
            yield {
                "label": "the %s stack %s (%s, %s)" % (role, name, template_file, region),
                "name": name,
                "region": region,
                "template": template,
                "given": given,
                "sources": sources,
                "template_bucket": bucket,
            }

    # --- what only AWS knows --------------------------------------------------------------------------------

    def aws(self, args, run, stacks, clients, home, checked):
        problems = []
        regions = {}
        for name, region in args["regions"].items():
            regions.setdefault(region, set()).add(name)
        for stack in stacks:
            regions.setdefault(stack["region"], set()).add("region of " + stack["name"])
        if regions:
            found = clients("ec2", home).call("DescribeRegions", AllRegions=True)["Regions"]
            problems.extend(preflight.region_errors(regions, {r["RegionName"]: r.get("OptInStatus") for r in found}))
            checked.append("regions")
        if problems:
            return problems  # a VPC is looked up in its region: only in regions that exist
        if args["network"]:
            for region, vpc, subnets in networks(stacks):
                ec2 = clients("ec2", region)
                vpcs = ec2.paginate("DescribeVpcs", Filters=[{"Name": "vpc-id", "Values": [vpc[0]]}]) if vpc else []
                found = (
                    ec2.paginate("DescribeSubnets", Filters=[{"Name": "subnet-id", "Values": list(subnets[0])}])
                    if subnets
                    else []
                )
                for problem in preflight.network_errors(region, vpc, subnets, [v["VpcId"] for v in vpcs], found):
                    if problem not in problems:
                        problems.append(problem)
            checked.append("networks")
        buckets = sorted(
            {(stack["template_bucket"], stack["region"]) for stack in stacks if stack.get("template_bucket")}
        )
        for bucket, region in buckets:
            problems.extend(self.template_bucket(clients, bucket, region))
        if buckets:
            checked.append("template buckets")
        if args["drill_lock"]:
            problems.extend(self.drill_lock(run, clients))
            checked.append("drill lock")
        if any(role.split(":")[0] == "dns" for role in args["roles"]):
            problems.extend(self.hosted_zone(run, clients, home, checked))
        return problems

    @staticmethod
    def template_bucket(clients, bucket, region):
        """The bucket CloudFormation reads a large template from exists, in the stack's region (HeadBucket: 404
        missing, 301 elsewhere, 403 not the caller's to use)."""
        try:
            clients("s3", region).call("HeadBucket", Bucket=bucket)
            return []
        except botocore.exceptions.ClientError as e:
            code = e.response.get("Error", {}).get("Code")
        where = {"404": "does not exist", "NoSuchBucket": "does not exist", "301": "is not in " + region}
        return [
            "the template bucket %s (registry_template_bucket) %s: CloudFormation reads the templates over its request "
            "limit from it in %s (docs/iam/roles.yaml makes it)"
            % (bucket, where.get(code, "cannot be used (%s)" % code), region)
        ]

    @staticmethod
    def hosted_zone(run, clients, home, checked):
        """The custom domain's private hosted zone exists and is the domain's (only when one is configured)."""
        zone_id = run.render(run.variables.get("dns_zone_id", ""))
        if not zone_id:
            return []
        domain = run.render(run.variables.get("dns_domain", ""))
        try:
            answer = clients("route53", home).call("GetHostedZone", Id=zone_id)
        except botocore.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") != "NoSuchHostedZone":
                raise
            answer = None
        checked.append("hosted zone")
        return preflight.hosted_zone_errors(zone_id, domain, answer)

    @staticmethod
    def drill_lock(run, clients):
        # The dr_drill_lock module's own rules: one drill at a time, an expired lock is taken over.
        from ansible_collections.ai_model_registry.infra.plugins.action.dr_drill_lock import decide, held_message

        name = run.render(run.variables["dr_drill_lock_name"])
        region = run.render(run.variables["dr_drill_dr_region"])
        try:
            value = clients("ssm", region).call("GetParameter", Name=name)["Parameter"]["Value"]
        except botocore.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ParameterNotFound":
                return []
            raise
        try:
            holder = json.loads(value)
        except ValueError:
            holder = None
        if not isinstance(holder, dict) or "drill_id" not in holder:
            return ["dr_drill_lock_name: %s in %s does not hold a drill lock" % (name, region)]
        environment = run.render(run.variables.get("dr_drill_environment", ""))
        return preflight.lock_errors(holder, time.time(), decide, held_message, environment)


def _trusted(value):
    if isinstance(value, str):
        return trusted_template(value)
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    if isinstance(value, dict):
        return {k: _trusted(v) for k, v in value.items()}
    return value


def _reason(error):
    text = getattr(error, "needs", None)
    return ("%s is not set" % text) if text else str(error).splitlines()[0][:300]


def drill_request_errors(values, check_mode=False):
    """The drill's own request (its type against the cadence, the restore checks, check mode), as the role asks it."""
    from ansible_collections.ai_model_registry.infra.plugins.filter.dr_drill import dr_drill_request_errors

    return dr_drill_request_errors(
        values.get("dr_drill_type"),
        values.get("dr_drill_cadence"),
        values.get("dr_drill_restore_checks"),
        check_mode,
    )


def networks(stacks):
    """(region, (vpc, label), ([subnets], label)) of every stack parameter typed as a VPC or a subnet list."""
    seen = set()
    for stack in stacks:
        vpc = subnets = None
        for parameter, spec in (stack["template"].get("Parameters") or {}).items():
            value = stack["given"].get(parameter)
            if value is None or preflight.is_deferred(value):
                continue
            label = "%s (%s of %s)" % (
                ", ".join(stack["sources"].get(parameter) or [parameter]),
                parameter,
                stack["name"],
            )
            if spec.get("Type") == "AWS::EC2::VPC::Id":
                vpc = (cfn.as_parameter(value), label)
            elif spec.get("Type") == "List<AWS::EC2::Subnet::Id>":
                subnets = ([s.strip() for s in cfn.as_parameter(value).split(",") if s.strip()], label)
        key = (stack["region"], vpc and vpc[0], subnets and tuple(subnets[0]))
        if (vpc or subnets) and key not in seen:
            seen.add(key)
            yield stack["region"], vpc, subnets


def home_region(regions):
    """Where the account-wide reads go (STS, DescribeRegions): the partition's first region, which always exists."""
    declared = " ".join(str(r) for r in regions.values())
    if "us-gov-" in declared:
        return "us-gov-west-1"
    if re.search(r"\bcn-", declared):
        return "cn-north-1"
    return "us-east-1"


def aws_clients():
    """ApiClients of the controller's credentials; AWS_ENDPOINT_URL as botocore reads it; few retries, short
    timeouts (the checks are reads: a wrong account or network should be said fast)."""
    return boto3_clients(max_attempts=3, config=botocore.config.Config(connect_timeout=10, read_timeout=20))


def kubeconfig_target(environ):
    """The context and API server kubernetes.core would use: K8S_AUTH_HOST, or the kubeconfig's context
    (K8S_AUTH_CONTEXT, else its current-context). Returns (context, server, source, kubeconfig path)."""
    import yaml

    if environ.get("K8S_AUTH_HOST") and not environ.get("K8S_AUTH_KUBECONFIG"):
        return None, environ["K8S_AUTH_HOST"], "K8S_AUTH_HOST", None
    listed = environ.get("K8S_AUTH_KUBECONFIG") or environ.get("KUBECONFIG") or "~/.kube/config"
    paths = [os.path.expanduser(p) for p in listed.split(os.pathsep) if p]
    path = next((p for p in paths if os.path.exists(p)), None)
    if path is None:
        return None, None, "no kubeconfig at %s" % listed, None
    with open(path) as handle:
        config = yaml.safe_load(handle) or {}
    context = environ.get("K8S_AUTH_CONTEXT") or config.get("current-context")
    contexts = {c.get("name"): c.get("context") or {} for c in config.get("contexts") or []}
    clusters = {c.get("name"): c.get("cluster") or {} for c in config.get("clusters") or []}
    cluster = clusters.get(contexts.get(context, {}).get("cluster"), {})
    server = environ.get("K8S_AUTH_HOST") or cluster.get("server")
    return context, server, "kubeconfig %s" % path, path


def kubernetes_check(args, environ=None):
    """The binding to the declared cluster, then that its API answers (GET /version)."""
    environ = os.environ if environ is None else environ
    context, server, source, path = kubeconfig_target(environ)
    found = {"context": context, "server": server, "source": source}
    problems = preflight.kubernetes_errors(
        args["kubernetes_context"], args["kubernetes_server"], context, server, source
    )
    if problems:
        return problems, found
    try:
        if k8s_client is None:
            raise ImportError("the kubernetes Python library is not installed on the controller")
        if path:
            api = k8s_config.new_client_from_config(config_file=path, context=context)
            api.configuration.host = server or api.configuration.host  # K8S_AUTH_HOST wins, as in kubernetes.core
        else:
            configuration = k8s_client.Configuration()
            configuration.host = server
            if environ.get("K8S_AUTH_API_KEY"):
                configuration.api_key = {"authorization": "Bearer " + environ["K8S_AUTH_API_KEY"]}
            configuration.verify_ssl = environ.get("K8S_AUTH_VERIFY_SSL", "true").lower() not in ("false", "no", "0")
            api = k8s_client.ApiClient(configuration)
        # GET /version with the credentials, as kubernetes.core's k8s_cluster_info starts (the generated VersionApi
        # asks for /version/, which not every server or emulator maps).
        headers = {"Accept": "application/json"}
        for setting in api.configuration.auth_settings().values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[setting["key"]] = setting["value"]
        response = api.rest_client.request(
            "GET",
            api.configuration.host.rstrip("/") + "/version",
            headers=headers,
            _request_timeout=args["kubernetes_timeout"],
        )
        if getattr(response, "status", 200) >= 400:
            raise ValueError("HTTP %s" % response.status)
        body = response.read() if hasattr(response, "read") else response.data
        found["version"] = json.loads(body or b"{}").get("gitVersion")
    # Any failure (refused connection, TLS, credentials, an exec plugin) means the API does not answer this run.
    except Exception as e:  # noqa: BLE001  # pylint: disable=broad-exception-caught
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        problems.append(
            "The Kubernetes API does not answer (%s at %s: %s). Check KUBECONFIG or K8S_AUTH_KUBECONFIG and the "
            "current context, or set preflight_check_kubernetes: false to deploy the AWS side only"
            % (source, server or "no server", reason[:200])
        )
    return problems, found
