"""The least-privilege IAM policies of docs/iam/roles.yaml against the AWS actions the runs really call.

Personas (one role each in the template): ``deploy`` runs site.yml and teardown.yml, through CloudFormation's
service role ``cloudformation`` (the stacks' resources are created by CloudFormation with that role, not by the
person); ``operate`` runs failover.yml and dr_drill.yml; ``read-only`` runs dr_status.yml, rpo_check and every
``--check``.

The end-to-end tests record, for every ansible-playbook run, the AWS actions the emulator answered the run's own
clients (tests/integration/ansible.py): a run that called an action its persona's policy does not grant fails its
test, and each run is appended to ``IAM_ACTIONS_LOG`` (default tests/output/iam-actions.jsonl, which grows from run
to run: delete it first to see one run's actions). The service role is checked without a run: it must grant what
CloudFormation's resource handlers of every type in roles/*/files/*.yaml need (the resource provider schemas cfn-lint
ships), and the personas that detect drift must be able to read them.

    python -m tools.iam_policies                # per persona: actions called but not granted, statements never used
    python -m tools.iam_policies --log FILE     # the same from another collected log
    python -m tools.iam_policies --json deploy  # a persona's policy as one IAM JSON document (placeholders kept)

Collect a log with a policy that still lacks actions: ``IAM_POLICY_CHECK=0 IAM_ACTIONS_LOG=/tmp/iam.jsonl pytest
tests/integration/test_x.py`` and then ``python -m tools.iam_policies --log /tmp/iam.jsonl``.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import glob
import importlib.util
import json
import os
import pathlib
import sys
import time
import urllib.error
from typing import Any

import yaml

REPO = pathlib.Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "docs" / "iam" / "roles.yaml"
DEFAULT_LOG = REPO / "tests" / "output" / "iam-actions.jsonl"

# The role of each persona in the template; a persona's policies are the managed policies attached to it.
PERSONA_ROLES = {
    "deploy": "DeployRole",
    "operate": "OperateRole",
    "read-only": "ReadOnlyRole",
    "cloudformation": "CloudFormationRole",
}
# Who runs what. A playbook of playbooks/ missing here is an error: a new playbook needs a persona.
PLAYBOOK_PERSONAS = {
    "site": "deploy",
    "teardown": "deploy",
    "failover": "operate",
    "dr_drill": "operate",
    "dr_status": "read-only",
    "awx_configure": None,  # talks to AWX only
}
MODULE_PERSONAS = {
    "cloudformation_stack": "deploy",
    "rds_global_cluster_failover": "operate",
    "backup_restore_job": "operate",
    "cloudwatch_metric_data": "operate",
    "dr_drill_lock": "operate",
    "dr_drill_canaries": "operate",
    "dr_drill_report": "operate",
    "dr_drill_restore": "operate",
    "dr_drill_temporary_clusters": "operate",
    "kubernetes_objects": "deploy",  # Kubernetes only: no AWS action to grant
    "kubernetes_objects_info": "read-only",  # Kubernetes only
    "postgresql_data_checks": "operate",
    "preflight_check": "deploy",
    "rpo_check": "read-only",
    "dr_readiness": "read-only",
    "aurora_writer": "read-only",
    "redis_primary": "read-only",
    "elasticache_global_datastore_failover": "operate",
    "redis_dr_copy": "operate",  # a drill's copy of Redis (the copy function, invoked)
    "route53_records": "operate",  # flips the custom domain's records in a failover (site.yml's deploy writes them too)
}
READ_ONLY = "read-only"

# "No permissions are required to perform this operation" (an explicit deny cannot block it either):
# https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
ALWAYS_ALLOWED = frozenset({"sts:GetCallerIdentity"})

# Signing names whose IAM service prefix differs.
SERVICE_PREFIXES = {"monitoring": "cloudwatch"}
# API operations whose IAM action has another name (Service Authorization Reference, "Actions defined by ...":
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html,
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html). S3's versioned variants
# (GetObjectVersion, DeleteObjectVersion) depend on a VersionId the request log does not keep: the policies grant them
# next to the plain actions where versioned buckets are read or emptied.
ACTION_NAMES = {
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "PutBucketReplication"): "s3:PutReplicationConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "GetObjectTagging"): "s3:GetObjectTagging",
    ("lambda", "Invoke"): "lambda:InvokeFunction",
    # The emulator's request log names an object's PUT and DELETE after the first of botocore's operations with that
    # URI (emulator/aws/control.py reads neither the x-amz-copy-source header nor the uploadId parameter): what the
    # collection sends is PutObject and DeleteObject; it never copies objects or uploads in parts.
    ("s3", "CopyObject"): "s3:PutObject",
    ("s3", "AbortMultipartUpload"): "s3:DeleteObject",
}

# Resource handler permissions the service role leaves out, each for a feature no template uses. A new resource type
# or property that needs one of them shows up in tests/unit/test_iam_policies.py.
UNUSED_HANDLER_PERMISSIONS = {
    # S3 metadata tables and S3 Files (AWS::S3::Bucket MetadataTableConfiguration, not used)
    "s3tables:*": "S3 metadata table configuration of AWS::S3::Bucket, not used",
    "s3files:*": "S3 Files mount targets of AWS::S3::Bucket, not used",
    "s3:CreateBucketMetadataTableConfiguration": "S3 metadata table configuration, not used",
    "s3:DeleteBucketMetadataTableConfiguration": "S3 metadata table configuration, not used",
    "s3:UpdateBucketMetadata*": "S3 metadata table configuration, not used",
    # Secret rotation targets other than RDS (SecretTargetAttachment TargetType)
    "docdb-elastic:*": "SecretTargetAttachment to DocumentDB elastic clusters, not used",
    "redshift:*": "SecretTargetAttachment to Redshift clusters, not used",
    "redshift-serverless:*": "SecretTargetAttachment to Redshift Serverless, not used",
    # Log delivery to Firehose, file systems for Lambda, organization trails
    "firehose:*": "delivery to Kinesis Data Firehose, not used",
    "elasticfilesystem:*": "EFS file systems of AWS::Lambda::Function (FileSystemConfigs), not used",
    "organizations:*": "organization trails of AWS::CloudTrail::Trail (IsOrganizationTrail), not used",
    "lambda:PassCapacityProvider": "Lambda capacity providers, not used",
    "lambda:GetLayerVersion": "Lambda layers, not used",
    "lambda:*CodeSigningConfig": "Lambda code signing, not used",
}


# Read-handler permissions drift detection would use that the personas do not hold: without them CloudFormation
# reports those resources' drift as not checked, which a read-only role must accept.
DRIFT_READS_NOT_GRANTED = {
    "secretsmanager:GetSecretValue": "AWS::SecretsManager::Secret and SecretTargetAttachment: a secret's value",
    "kms:Decrypt": "AWS::Lambda::Function: decrypts the function's environment",
    "iam:PassRole": "AWS::Events::Rule: passes a target's role (the rules here have none)",
}


def _template_loader():
    """A YAML loader that reads CloudFormation's short-form tags as plain values (the template uses long forms)."""

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when PyYAML has it
        pass

    def any_tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node, deep=True)}
        return {suffix: loader.construct_mapping(node, deep=True)}

    Loader.add_multi_constructor("!", any_tag)
    return Loader


def load_template(path: pathlib.Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_template_loader())  # noqa: S506 - SafeLoader subclass


def persona_policies(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each persona's policy statements: those of the managed policies attached to its role."""
    found: dict[str, list[dict[str, Any]]] = {persona: [] for persona in PERSONA_ROLES}
    role_personas = {role: persona for persona, role in PERSONA_ROLES.items()}
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::ManagedPolicy":
            continue
        for role in resource["Properties"].get("Roles", []):
            persona = role_personas.get(role.get("Ref") if isinstance(role, dict) else role)
            if persona:
                found[persona].extend(as_list(resource["Properties"]["PolicyDocument"]["Statement"]))
    return found


@functools.cache
def policies() -> dict[str, list[dict[str, Any]]]:
    return persona_policies(load_template())


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def matches(pattern: str, action: str) -> bool:
    """IAM's action matching: case-insensitive, ``*`` any run of characters, ``?`` one character."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def covers(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(matches(p, action) for p in as_list(statement["NotAction"]))
    return any(matches(p, action) for p in as_list(statement.get("Action", [])))


def granted(statements: list[dict[str, Any]], action: str) -> bool:
    """Whether ``statements`` allow ``action`` on some resource.

    An Allow grants whatever its Resource and Condition say (scoping is reviewed in the template, and exercised by
    a real account); a Deny refuses only when it applies to every resource without a condition, as an explicit
    deny overrides any allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
    """
    if action in ALWAYS_ALLOWED:
        return True
    for statement in statements:
        everywhere = as_list(statement.get("Resource")) == ["*"] and not statement.get("Condition")
        if statement.get("Effect") == "Deny" and everywhere and covers(statement, action):
            return False
    return any(s.get("Effect") == "Allow" and covers(s, action) for s in statements)


@functools.cache
def catalogue() -> dict[str, dict[str, Any]]:
    """IAM's actions per service prefix, each with the resource types it can be scoped to (none: only "*"): the
    Service Authorization Reference as cfn-lint ships it (cfnlint/data/AdditionalSpecs/Policies.json)."""
    package = importlib.util.find_spec("cfnlint")  # found, not imported: importing cfn-lint takes seconds
    path = pathlib.Path(package.origin).parent / "data" / "AdditionalSpecs" / "Policies.json"
    return {prefix.lower(): spec for prefix, spec in json.loads(path.read_text()).items()}


@functools.cache
def known_actions(pattern: str) -> list[str]:
    """The IAM actions ``pattern`` names (``rds:Describe*`` -> every rds:Describe action; a typo -> none)."""
    prefix, _colon, name = pattern.partition(":")
    actions = catalogue().get(prefix.lower(), {}).get("Actions", {})
    return sorted(f"{prefix.lower()}:{a}" for a in actions if fnmatch.fnmatchcase(a, name.lower()))


def resource_types(action: str) -> list[str]:
    """The resource types ``action`` can be scoped to (empty: AWS allows only "*")."""
    prefix, _colon, name = action.lower().partition(":")
    spec = catalogue().get(prefix, {}).get("Actions", {}).get(name, {})
    return list(spec.get("Resources", []))


def iam_action(service: str, operation: str) -> str:
    """The IAM action an API operation needs (``monitoring``/``GetMetricData`` -> ``cloudwatch:GetMetricData``)."""
    return ACTION_NAMES.get((service, operation)) or f"{SERVICE_PREFIXES.get(service, service)}:{operation}"


def called_actions(log: list[dict[str, Any]]) -> set[str]:
    """The IAM actions of the emulator's request log entries (``/_emulator/requests``)."""
    return {iam_action(entry["service"], entry["action"]) for entry in log}


def emulator_snapshot(emulator) -> dict[str, dict[str, int]] | float:
    """Before a run: the AWS emulator's count of every action by caller (``GET /_emulator/actions``), or the time for
    an emulator without that record (its request log is then read by time, every caller's calls together)."""
    try:
        return emulator.post("aws", "/_emulator/actions", method="GET")["actions"]
    except urllib.error.HTTPError:
        return time.time()


def called_since(emulator, before: dict[str, dict[str, int]] | float) -> set[str]:
    """The IAM actions the run called since ``before``: the calls of ansible-playbook's own clients (caller
    ``ansible``), not those of the Lambda functions the run invoked (they hold their own roles) nor the tests'."""
    if isinstance(before, float):
        return called_actions([e for e in emulator.requests()["log"] if e["time"] >= before])
    after = emulator.post("aws", "/_emulator/actions", method="GET")["actions"]
    return {
        iam_action(*name.split(".", 1))
        for name, callers in after.items()
        if callers.get("ansible", 0) > before.get(name, {}).get("ansible", 0)
    }


def persona_for(path: str | os.PathLike, args: tuple[str, ...] | list[str] = (), module: str | None = None):
    """The persona that runs this playbook (None: one of the tests' own playbooks, or no AWS)."""
    if "--check" in args or "-C" in args:
        return READ_ONLY
    if module:
        if module not in MODULE_PERSONAS:
            raise KeyError(f"module {module}: no IAM persona - add it to MODULE_PERSONAS in tools/iam_policies.py")
        return MODULE_PERSONAS[module]
    text = str(path)
    name = pathlib.PurePath(text).stem
    if text.startswith("ai_model_registry.infra."):
        name = text.rsplit(".", 1)[-1]
    elif (REPO / text).parent != REPO / "playbooks":  # relative paths are the checkout's (ansible.py runs there)
        return None
    if name not in PLAYBOOK_PERSONAS:
        raise KeyError(f"{text}: no IAM persona - add it to PLAYBOOK_PERSONAS in tools/iam_policies.py")
    return PLAYBOOK_PERSONAS[name]


def not_granted(persona: str, actions: set[str], statements: dict[str, list[dict[str, Any]]] | None = None):
    """The actions of ``actions`` that ``persona``'s policy does not grant, sorted."""
    return sorted(a for a in actions if not granted((statements or policies())[persona], a))


def check_run(persona: str | None, label: str, actions: set[str]) -> list[str]:
    """After one playbook run: record its actions (IAM_ACTIONS_LOG) and return the refusal lines, if any."""
    if persona is None or not actions:
        return []
    destination = pathlib.Path(os.environ.get("IAM_ACTIONS_LOG") or DEFAULT_LOG)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("a") as out:  # one short line an append: whole lines even with xdist workers
        out.write(json.dumps({"persona": persona, "run": label, "actions": sorted(actions)}) + "\n")
    if os.environ.get("IAM_POLICY_CHECK", "1") == "0":
        return []
    refusals = [
        f"{label}: the emulator logged {action}, which is not an IAM action: name the operation's IAM action in "
        "ACTION_NAMES of tools/iam_policies.py"
        for action in sorted(actions)
        if action not in ALWAYS_ALLOWED and not known_actions(action)
    ]
    missing = not_granted(persona, actions)
    if missing:
        refusals.append(
            f"{label} ran as the {persona} persona and called {', '.join(missing)}, which the "
            f"{PERSONA_ROLES[persona]} policies of {TEMPLATE.relative_to(REPO)} do not grant: grant it (scoped) "
            "there, or stop calling it (python -m tools.iam_policies shows every gap of a collected log)"
        )
    return refusals


# --- CloudFormation's resource handlers (the service role) ---


@functools.cache
def template_types(pattern: str = "roles/*/files/*.yaml") -> dict[str, list[str]]:
    """Every resource type of the collection's templates, with the templates that use it."""
    found: dict[str, list[str]] = {}
    for path in sorted(glob.glob(str(REPO / pattern))):
        template = yaml.load(pathlib.Path(path).read_text(), Loader=_template_loader())  # noqa: S506
        for resource in (template.get("Resources") or {}).values():
            found.setdefault(resource["Type"], []).append(pathlib.Path(path).name)
    return found


@functools.cache
def handler_permissions(type_name: str, handlers: tuple[str, ...] = ("create", "read", "update", "delete")):
    """The IAM actions CloudFormation's handlers of ``type_name`` call, from its resource provider schema
    (https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html, ``handlers``)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", type_name).schema
    except ResourceNotFoundError:
        return set()
    declared = schema.get("handlers") or {}
    return {p for h in handlers for p in declared.get(h, {}).get("permissions", [])}


def unused_feature(action: str) -> bool:
    """A permission of a feature no template uses, or a name a schema lists that is no IAM action (IAM would never
    ask for it: ``s3:DeleteBucketCors`` is authorized as ``s3:PutBucketCORS``)."""
    return any(matches(pattern, action) for pattern in UNUSED_HANDLER_PERMISSIONS) or not known_actions(action)


def service_role_gaps(statements=None, types=None) -> dict[str, list[str]]:
    """Per resource type, the handler permissions the service role does not grant (unused features left out)."""
    statements = statements or policies()["cloudformation"]
    gaps = {}
    for type_name in sorted(types or template_types()):
        missing = sorted(
            p for p in handler_permissions(type_name) if not unused_feature(p) and not granted(statements, p)
        )
        if missing:
            gaps[type_name] = missing
    return gaps


def drift_read_gaps(persona: str, statements=None, types=None) -> dict[str, list[str]]:
    """Drift detection reads every resource with the caller's own permissions, not the service role's
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/detect-drift-stack.html): the read handler's
    permissions of each type that ``persona`` must hold."""
    statements = statements or policies()[persona]
    gaps = {}
    for type_name in sorted(types or template_types()):
        missing = sorted(
            p
            for p in handler_permissions(type_name, ("read",))
            if not unused_feature(p) and p not in DRIFT_READS_NOT_GRANTED and not granted(statements, p)
        )
        if missing:
            gaps[type_name] = missing
    return gaps


# --- the report ---


def read_log(path: pathlib.Path) -> dict[str, dict[str, set[str]]]:
    """persona -> action -> the runs that called it, from a collected IAM_ACTIONS_LOG."""
    found: dict[str, dict[str, set[str]]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            for action in record["actions"]:
                found.setdefault(record["persona"], {}).setdefault(action, set()).add(record["run"])
    return found


def unused_statements(statements: list[dict[str, Any]], actions: set[str]) -> list[str]:
    """Sids of Allow statements no collected action needed (statements for what the emulator cannot see are
    named ``AwsOnly...`` and not listed)."""
    unused = []
    for statement in statements:
        sid = statement.get("Sid", "?")
        if statement.get("Effect") != "Allow" or sid.startswith("AwsOnly"):
            continue
        if not any(covers(statement, a) for a in actions):
            unused.append(sid)
    return unused


def report(collected: dict[str, dict[str, set[str]]]) -> tuple[list[str], bool]:
    lines, clean = [], True
    for persona in ("deploy", "operate", "read-only"):
        actions = collected.get(persona, {})
        missing = not_granted(persona, set(actions))
        lines.append(f"{persona} ({PERSONA_ROLES[persona]}): {len(actions)} actions called")
        for action in missing:
            clean = False
            lines.append(f"  NOT GRANTED {action}  (by {', '.join(sorted(actions[action])[:3])})")
        for sid in unused_statements(policies()[persona], set(actions)):
            lines.append(f"  never used: statement {sid}")
    gaps = service_role_gaps()
    lines.append(f"cloudformation ({PERSONA_ROLES['cloudformation']}): handlers of {len(template_types())} types")
    for type_name, missing in gaps.items():
        clean = False
        lines.append(f"  NOT GRANTED for {type_name}: {', '.join(missing)}")
    for persona in ("deploy", READ_ONLY):
        for type_name, missing in drift_read_gaps(persona).items():
            clean = False
            lines.append(f"  {persona} cannot read {type_name} for drift detection: {', '.join(missing)}")
    return lines, clean


def rendered(persona: str) -> dict[str, Any]:
    """One IAM policy document of ``persona``'s statements, ``Fn::Sub`` strings as their text (``${NamePrefix}``)
    and a role's ``Fn::GetAtt`` as its ARN."""
    resources = load_template()["Resources"]

    def plain(value):
        if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
            return value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
            role = resources[value["Fn::GetAtt"][0]]["Properties"]
            return "arn:${AWS::Partition}:iam::${AWS::AccountId}:role" + role["Path"] + plain(role["RoleName"])
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {"Version": "2012-10-17", "Statement": plain(policies()[persona])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", type=pathlib.Path, default=DEFAULT_LOG, help="a collected IAM_ACTIONS_LOG")
    parser.add_argument("--json", metavar="PERSONA", choices=sorted(PERSONA_ROLES), help="print a persona's policy")
    options = parser.parse_args(argv)
    if options.json:
        print(json.dumps(rendered(options.json), indent=2))
        return 0
    if not options.log.exists():
        print(f"{options.log}: no collected log (run the end-to-end tests first)", file=sys.stderr)
        return 2
    lines, clean = report(read_log(options.log))
    print("\n".join(lines))
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
