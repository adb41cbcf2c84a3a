"""tools/iam_policies.py and docs/iam/roles.yaml: IAM's action matching, who runs what, and the roles' policies
against what CloudFormation's handlers, drift detection and the end-to-end runs need."""

from __future__ import annotations

import copy
import json
import urllib.error

import pytest

from tools import iam_policies as iam

ALLOW_DESCRIBE = [{"Effect": "Allow", "Action": ["rds:Describe*", "sns:Publish"], "Resource": "*"}]


def _log(*calls: str) -> set[str]:
    """The IAM actions of calls the emulator logged (``service.Action``)."""
    return iam.called_actions([{"service": c.split(".")[0], "action": c.split(".")[1]} for c in calls])


def _without(statements: list[dict], action: str) -> list[dict]:
    """``statements`` with ``action`` taken out of every Action list that names it."""
    changed = copy.deepcopy(statements)
    for statement in changed:
        if "Action" in statement:
            statement["Action"] = [a for a in iam.as_list(statement["Action"]) if a.lower() != action.lower()]
    return changed


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("rds:Describe*", "rds:DescribeDBClusters", True),
        ("rds:Describe*", "rds:ModifyDBCluster", False),
        ("RDS:describedbclusters", "rds:DescribeDBClusters", True),  # IAM compares actions case-insensitively
        ("s3:Get?bject", "s3:GetObject", True),
        ("*", "kms:Decrypt", True),
        ("rds:*Cluster", "rds:DescribeDBClusters", False),
    ],
)
def test_actions_match_as_iam_matches_them(pattern, action, expected):
    assert iam.matches(pattern, action) is expected


def test_an_allow_grants_its_actions_and_nothing_else():
    assert iam.granted(ALLOW_DESCRIBE, "rds:DescribeGlobalClusters")
    assert iam.granted(ALLOW_DESCRIBE, "sns:Publish")
    assert not iam.granted(ALLOW_DESCRIBE, "rds:FailoverGlobalCluster")
    assert not iam.granted([], "rds:DescribeDBClusters")


def test_not_action_grants_every_other_action():
    statements = [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]
    assert iam.granted(statements, "rds:DeleteDBCluster")
    assert not iam.granted(statements, "iam:PassRole")


def test_an_unconditional_deny_on_every_resource_wins_a_scoped_or_conditional_one_does_not():
    deny = {"Effect": "Deny", "Action": "rds:Describe*", "Resource": "*"}
    assert not iam.granted([*ALLOW_DESCRIBE, deny], "rds:DescribeDBClusters")
    scoped = {**deny, "Resource": "arn:aws:rds:*:*:cluster:other-*"}
    conditional = {**deny, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
    assert iam.granted([*ALLOW_DESCRIBE, scoped], "rds:DescribeDBClusters")
    assert iam.granted([*ALLOW_DESCRIBE, conditional], "rds:DescribeDBClusters")


def test_get_caller_identity_needs_no_permission():
    assert iam.granted([], "sts:GetCallerIdentity")


@pytest.mark.parametrize(
    ("service", "operation", "action"),
    [
        ("monitoring", "GetMetricData", "cloudwatch:GetMetricData"),
        ("rds", "SwitchoverGlobalCluster", "rds:SwitchoverGlobalCluster"),
        ("s3", "HeadObject", "s3:GetObject"),
        ("s3", "ListObjectsV2", "s3:ListBucket"),
        ("s3", "GetBucketReplication", "s3:GetReplicationConfiguration"),
        ("lambda", "Invoke", "lambda:InvokeFunction"),
    ],
)
def test_api_operations_are_authorized_as_their_iam_actions(service, operation, action):
    assert iam.iam_action(service, operation) == action
    assert iam.known_actions(action) == [action.lower()]


@pytest.mark.parametrize(
    ("path", "args", "module", "persona"),
    [
        ("playbooks/site.yml", ("-i", "inventories/local"), None, "deploy"),
        ("playbooks/teardown.yml", (), None, "deploy"),
        ("playbooks/site.yml", ("-i", "inventories/local", "--check"), None, "read-only"),
        ("playbooks/failover.yml", ("-e", "failover_to=primary"), None, "operate"),
        ("ai_model_registry.infra.dr_drill", ("-v",), None, "operate"),
        ("playbooks/failover.yml", ("--check", "--diff"), None, "read-only"),
        ("/tmp/x/module.yml", ("-i", "localhost,"), "rpo_check", "read-only"),
        ("/tmp/x/module.yml", (), "rds_global_cluster_failover", "operate"),
        ("/tmp/x/module.yml", ("--check",), "backup_restore_job", "read-only"),
        ("tests/integration/playbooks/k8s.yml", (), None, None),
        ("playbooks/awx_configure.yml", (), None, None),
    ],
)
def test_each_run_has_the_persona_of_who_runs_it(path, args, module, persona):
    assert iam.persona_for(path, args, module) == persona


def test_every_module_and_playbook_of_the_collection_has_a_persona():
    modules = {p.stem for p in (iam.REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__"}
    playbooks = {p.stem for p in (iam.REPO / "playbooks").glob("*.yml")}
    assert modules - set(iam.MODULE_PERSONAS) == set()
    assert playbooks - set(iam.PLAYBOOK_PERSONAS) == set()


def test_a_new_playbook_needs_a_persona():
    with pytest.raises(KeyError, match="new_runbook.yml: no IAM persona"):
        iam.persona_for("playbooks/new_runbook.yml")


def test_every_persona_has_a_role_and_policies_in_the_template():
    template = iam.load_template()
    for persona, role in iam.PERSONA_ROLES.items():
        assert template["Resources"][role]["Type"] == "AWS::IAM::Role"
        assert iam.policies()[persona], persona


class FakeEmulator:
    """The AWS emulator's record of actions by caller (``/_emulator/actions``), or only its request log."""

    def __init__(self, records=None, log=None):
        self.records, self.log = list(records or []), log or []

    def post(self, which, path, payload=None, method="POST"):
        assert (which, path, method) == ("aws", "/_emulator/actions", "GET")
        if not self.records:
            raise urllib.error.HTTPError(path, 404, "Not Found", {}, None)
        return {"actions": self.records.pop(0)}

    def requests(self):
        return {"log": self.log}


def test_a_runs_actions_are_its_own_calls_not_its_lambdas_nor_the_tests():
    before = {"rds.SwitchoverGlobalCluster": {"test": 1}, "rds.DescribeGlobalClusters": {"ansible": 2}}
    after = {
        "rds.SwitchoverGlobalCluster": {"test": 1, "ansible": 1},
        "rds.DescribeGlobalClusters": {"ansible": 2, "lambda": 3},
        "elasticache.CreateSnapshot": {"lambda": 1},
        "cloudwatch.GetMetricData": {"ansible": 1},
    }
    emulator = FakeEmulator([before, after])
    snapshot = iam.emulator_snapshot(emulator)
    assert iam.called_since(emulator, snapshot) == {"rds:SwitchoverGlobalCluster", "cloudwatch:GetMetricData"}


def test_an_emulator_without_a_record_of_callers_is_read_from_its_request_log_by_time():
    emulator = FakeEmulator()
    started = iam.emulator_snapshot(emulator)
    emulator.log = [
        {"time": started - 1, "service": "rds", "action": "DeleteDBCluster"},
        {"time": started + 1, "service": "s3", "action": "HeadObject"},
    ]
    assert iam.called_since(emulator, started) == {"s3:GetObject"}


def test_a_run_is_recorded_and_passes_when_its_persona_holds_every_action(tmp_path, monkeypatch):
    record = tmp_path / "iam.jsonl"
    monkeypatch.setenv("IAM_ACTIONS_LOG", str(record))
    log = _log("cloudformation.DescribeStacks", "sts.GetCallerIdentity", "monitoring.GetMetricData")
    assert iam.check_run("read-only", "site.yml --check", log) == []
    assert json.loads(record.read_text()) == {
        "persona": "read-only",
        "run": "site.yml --check",
        "actions": ["cloudformation:DescribeStacks", "cloudwatch:GetMetricData", "sts:GetCallerIdentity"],
    }


def test_a_run_fails_when_an_action_is_removed_from_its_policy(tmp_path, monkeypatch):
    monkeypatch.setenv("IAM_ACTIONS_LOG", str(tmp_path / "iam.jsonl"))
    log = _log("rds.SwitchoverGlobalCluster", "rds.DescribeGlobalClusters")
    assert iam.check_run("operate", "failover.yml", log) == []
    reduced = {**iam.policies(), "operate": _without(iam.policies()["operate"], "rds:SwitchoverGlobalCluster")}
    monkeypatch.setattr(iam, "policies", lambda: reduced)
    (refusal,) = iam.check_run("operate", "failover.yml", log)
    assert "failover.yml ran as the operate persona and called rds:SwitchoverGlobalCluster" in refusal
    assert "OperateRole" in refusal


def test_the_check_can_be_turned_off_to_collect_a_log(tmp_path, monkeypatch):
    monkeypatch.setenv("IAM_ACTIONS_LOG", str(tmp_path / "iam.jsonl"))
    monkeypatch.setenv("IAM_POLICY_CHECK", "0")
    assert iam.check_run("read-only", "rpo_check", _log("rds.FailoverGlobalCluster")) == []
    assert "rds:FailoverGlobalCluster" in (tmp_path / "iam.jsonl").read_text()


def test_an_operation_logged_under_a_name_iam_does_not_know_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("IAM_ACTIONS_LOG", str(tmp_path / "iam.jsonl"))
    monkeypatch.setitem(iam.ACTION_NAMES, ("s3", "HeadObject"), "s3:HeadObject")
    (refusal, _missing) = iam.check_run("deploy", "site.yml", _log("s3.HeadObject"))
    assert "s3:HeadObject, which is not an IAM action" in refusal


def _explicit_actions(statements):
    return sorted(
        {a for s in statements if s["Effect"] == "Allow" for a in iam.as_list(s.get("Action", [])) if "*" not in a}
    )


# Actions granted on two scopes, each with its own resources or conditions (IAM checks every resource of a request).
ON_TWO_RESOURCES = {
    "kms:Decrypt": "through Secrets Manager (deploy, operate) and through S3 and SNS (operate)",
    "s3:GetObject": "the drills' history (every persona) and their probes and reports (operate)",
    "backup:UntagResource": "vaults by name, plans by tag",
    "kms:CreateAlias": "the alias (by name) and its key (by tag)",
    "kms:DeleteAlias": "the alias (by name) and its key (by tag)",
    "kms:UpdateAlias": "the alias (by name) and its key (by tag)",
    "backup:TagResource": "vaults by name, new plans by their request tag",
    "rds:CreateDBInstance": "the drill's instance and cluster, and the groups it is made from",
    "rds:RestoreDBClusterFromSnapshot": "the drill's cluster, and the snapshot and groups it is made from",
}


@pytest.mark.parametrize("persona", sorted(iam.PERSONA_ROLES))
def test_each_action_a_policy_names_is_granted_once_so_removing_it_is_noticed(persona):
    statements = iam.policies()[persona]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    redundant = []
    for action in _explicit_actions(statements):
        listed = sum(action in iam.as_list(s.get("Action", [])) for s in allows)
        if action not in ON_TWO_RESOURCES and (listed > 1 or iam.granted(_without(statements, action), action)):
            redundant.append(action)
    assert redundant == [], f"{persona}: granted by two statements (or a wildcard): {redundant}"


@pytest.mark.parametrize("persona", sorted(iam.PERSONA_ROLES))
def test_every_action_the_policies_name_is_an_iam_action(persona):
    unknown = [a for s in iam.policies()[persona] for a in iam.as_list(s.get("Action", [])) if not iam.known_actions(a)]
    assert unknown == []


@pytest.mark.parametrize("persona", sorted(iam.PERSONA_ROLES))
def test_changes_are_scoped_to_resources_wherever_aws_allows_it(persona):
    """A statement on every resource without a condition holds only reads of metadata and actions AWS lets no policy
    scope (the Service Authorization Reference's resource types); secret values and objects are always scoped."""
    data_reads = ("secretsmanager:getsecretvalue", "s3:getobject", "kms:decrypt")
    unscoped = []
    for statement in iam.policies()[persona]:
        if (
            statement["Effect"] != "Allow"
            or iam.as_list(statement.get("Resource")) != ["*"]
            or "Condition" in statement
        ):
            continue
        for pattern in iam.as_list(statement["Action"]):
            for action in iam.known_actions(pattern):
                name = action.split(":")[1]
                reads_metadata = name.startswith(("describe", "list", "get")) and action not in data_reads
                if iam.resource_types(action) and not reads_metadata:
                    unscoped.append(f"{statement.get('Sid')}: {action}")
    assert unscoped == []


def test_the_service_role_grants_what_cloudformation_handlers_call_for_every_type_of_the_templates():
    assert iam.template_types()["AWS::RDS::DBCluster"]  # the templates were read
    assert iam.service_role_gaps() == {}


def test_the_service_role_check_names_a_type_whose_handler_needs_more():
    reduced = _without(iam.policies()["cloudformation"], "rds:CreateGlobalCluster")
    assert iam.service_role_gaps(reduced) == {"AWS::RDS::GlobalCluster": ["rds:CreateGlobalCluster"]}


@pytest.mark.parametrize("persona", ["deploy", "read-only"])
def test_the_personas_that_detect_drift_can_read_every_resource_of_the_stacks(persona):
    assert iam.drift_read_gaps(persona) == {}


def test_the_deploy_role_passes_only_the_cloudformation_role_to_cloudformation_only():
    (statement,) = [s for s in iam.policies()["deploy"] if "iam:PassRole" in iam.as_list(s.get("Action", []))]
    assert statement["Resource"] == {"Fn::GetAtt": ["CloudFormationRole", "Arn"]}
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}


def test_the_report_lists_what_a_collected_log_needs(tmp_path, capsys):
    log = tmp_path / "iam.jsonl"
    lines = [
        {"persona": "operate", "run": "dr_drill.yml", "actions": ["rds:SwitchoverGlobalCluster"]},
        {"persona": "read-only", "run": "module rpo_check", "actions": ["rds:FailoverGlobalCluster"]},
    ]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert iam.main(["--log", str(log)]) == 1
    out = capsys.readouterr().out
    assert "NOT GRANTED rds:FailoverGlobalCluster  (by module rpo_check)" in out
    assert "NOT GRANTED rds:SwitchoverGlobalCluster" not in out


def test_a_persona_renders_as_one_iam_document(capsys):
    assert iam.main(["--json", "read-only"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["Version"] == "2012-10-17"
    assert all(statement["Effect"] in ("Allow", "Deny") for statement in document["Statement"])
    assert "${NamePrefix}" in json.dumps(document) and "Fn::" not in json.dumps(document)
    assert iam.main(["--json", "deploy"]) == 0
    (passing,) = [s for s in json.loads(capsys.readouterr().out)["Statement"] if s["Action"] == "iam:PassRole"]
    assert (
        passing["Resource"]
        == "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/platform-access/${NamePrefix}-cloudformation"
    )


def test_every_managed_policy_fits_iams_size_limit_with_the_longest_parameters():
    """IAM refuses a managed policy over 6,144 characters, whitespace not counted
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)."""
    longest = {
        "${AWS::Partition}": "aws-us-gov",
        "${AWS::AccountId}": "123456789012",
        "${NamePrefix}": "a" * 21,
        "${ArtifactsBucketName}": "b" * 54,
        "${PlanPrefix}": "a" * 21,
        "${HostedZoneId}": "Z" * 32,
        "${DnsDomain}": "d" * 253,
    }
    for name, resource in iam.load_template()["Resources"].items():
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            text = json.dumps(resource["Properties"]["PolicyDocument"], separators=(",", ":"))
            for placeholder, value in longest.items():
                text = text.replace(placeholder, value)
            assert len(text) <= 6144, f"{name}: {len(text)} characters"
