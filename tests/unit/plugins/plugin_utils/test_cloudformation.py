"""The stack plugin's decisions: templates in any form, parameters, the plan, events, failures, drift."""

from __future__ import annotations

import datetime
import json
import pathlib

import pytest

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import cloudformation as cfn

REPO = pathlib.Path(__file__).resolve().parents[4]

LONG = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Name: {Type: String}
  Size: {Type: Number, Default: 2, MinValue: 1, MaxValue: 5}
  Mode: {Type: String, Default: a, AllowedValues: [a, b]}
  Subnets: {Type: CommaDelimitedList, Default: ""}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {"Fn::Sub": "${Name}-bucket"}
      Tags: [{Key: size, Value: {Ref: Size}}]
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: {"Fn::GetAtt": [Bucket, Arn]}
      TopicName: {"Fn::GetAtt": [Bucket, Endpoint.Address]}
      KmsMasterKeyId: {"Fn::If": [IsProd, {"Fn::Join": ["-", [a, b]]}, {Ref: "AWS::NoValue"}]}
"""

SHORT = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Name: {Type: String}
  Size: {Type: Number, Default: 2, MinValue: 1, MaxValue: 5}
  Mode: {Type: String, Default: a, AllowedValues: [a, b]}
  Subnets: {Type: CommaDelimitedList, Default: ""}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${Name}-bucket"
      Tags: [{Key: size, Value: !Ref Size}]
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !GetAtt [Bucket, Arn]
      TopicName: !GetAtt Bucket.Endpoint.Address
      KmsMasterKeyId: !If [IsProd, !Join ["-", [a, b]], !Ref "AWS::NoValue"]
"""


def test_short_and_long_form_and_json_are_the_same_template():
    assert cfn.same_template(SHORT, LONG)
    as_json = json.dumps(cfn.load_template(LONG))
    assert cfn.same_template(as_json, SHORT)
    assert cfn.same_template(json.loads(as_json), SHORT)  # boto3 returns a JSON body parsed


def test_a_changed_property_is_a_different_template():
    assert not cfn.same_template(SHORT.replace("-bucket", "-other"), LONG)
    assert not cfn.same_template("", LONG)
    assert not cfn.same_template(None, LONG)


def test_getatt_short_form_splits_at_the_first_dot_only():
    template = cfn.load_template(SHORT)
    assert template["Resources"]["Topic"]["Properties"]["TopicName"] == {"Fn::GetAtt": ["Bucket", "Endpoint.Address"]}


def test_the_collection_templates_load_and_libyaml_reads_them_as_pyyaml_does():
    import yaml

    class PurePython(yaml.SafeLoader):
        pass

    PurePython.add_multi_constructor("!", cfn._short_form)
    templates = sorted(REPO.glob("roles/*/files/*.yaml"))
    assert templates and yaml.__with_libyaml__  # the fast parser is the one tested here
    for path in templates:
        body = path.read_text()
        assert cfn.load_template(body)["Resources"], path
        assert cfn.load_template(body) == cfn._plain(yaml.load(body, Loader=PurePython)), path  # noqa: S506


def test_unreadable_templates_are_refused():
    with pytest.raises(cfn.TemplateError, match="no Resources"):
        cfn.load_template("a: 1")
    with pytest.raises(cfn.TemplateError, match="neither YAML nor JSON"):
        cfn.load_template("Resources: [unclosed")
    with pytest.raises(cfn.TemplateError, match="unknown CloudFormation tag !Nope"):
        cfn.load_template("Resources:\n  A: !Nope x\n")


def test_a_placeholder_of_check_mode_passes_the_declared_constraints():
    # a parameter fed from a stack check mode would create: known, and checked, once that stack exists
    template = {"Parameters": {"N": {"Type": "Number", "MinValue": 1}, "E": {"Type": "String", "AllowedValues": ["a"]}}}
    pending = cfn.PENDING % ("s", "Out")
    assert cfn.resolve_parameters({"N": pending, "E": pending}, template) == {"N": pending, "E": pending}
    with pytest.raises(cfn.TemplateError, match="N=x is not a number"):
        cfn.resolve_parameters({"N": "x", "E": "a"}, template)


def test_parameters_are_strings_with_the_defaults_sent_explicitly():
    template = cfn.load_template(LONG)
    resolved = cfn.resolve_parameters({"Name": "x", "Subnets": ["s-1", "s-2"], "Mode": "b"}, template)
    assert resolved == {"Name": "x", "Size": "2", "Mode": "b", "Subnets": "s-1,s-2"}
    assert cfn.as_parameter(True) == "true" and cfn.as_parameter(None) == ""


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"Name": "x", "Typo": 1}, "does not declare: Typo"),
        ({}, "without a value: Name"),
        ({"Name": "x", "Size": 9}, "Size=9 is above its maximum 5"),
        ({"Name": "x", "Size": 0}, "Size=0 is below its minimum 1"),
        ({"Name": "x", "Size": "many"}, "Size=many is not a number"),
        ({"Name": "x", "Mode": "c"}, "Mode=c is not one of a, b"),
    ],
)
def test_bad_parameters_are_refused_before_any_call(given, message):
    with pytest.raises(cfn.TemplateError, match=message):
        cfn.resolve_parameters(given, cfn.load_template(LONG))


def _stack(status="CREATE_COMPLETE", **extra):
    stack = {
        "StackName": "s",
        "StackId": "arn:aws:cloudformation:us-west-2:123:stack/s/1",
        "StackStatus": status,
        "Parameters": [{"ParameterKey": "Name", "ParameterValue": "x"}],
        "Tags": [{"Key": "Project", "Value": "p"}],
        "EnableTerminationProtection": False,
        "Outputs": [{"OutputKey": "Arn", "OutputValue": "arn:x"}],
    }
    stack.update(extra)
    return stack


TEMPLATE = cfn.load_template("Parameters: {Name: {Type: String}}\nResources: {A: {Type: AWS::SNS::Topic}}")


def test_plan_nothing_to_change():
    plan = cfn.plan(_stack(), TEMPLATE, TEMPLATE, {"Name": "x"}, {"Project": "p"}, False)
    assert plan["action"] == "none"


@pytest.mark.parametrize(
    ("change", "action", "what"),
    [
        ({"parameters": {"Name": "y"}}, "update", "parameters"),
        ({"tags": {"Project": "q"}}, "update", "tags"),
        ({"protection": True}, "protection", "protection"),
        ({"template": {"Resources": {"B": {"Type": "AWS::SNS::Topic"}}}}, "update", "template"),
    ],
)
def test_plan_finds_each_difference(change, action, what):
    args = {"parameters": {"Name": "x"}, "tags": {"Project": "p"}, "protection": False, "template": TEMPLATE}
    args.update(change)
    plan = cfn.plan(_stack(), TEMPLATE, args["template"], args["parameters"], args["tags"], args["protection"])
    assert plan["action"] == action and plan[what]


def test_plan_create_and_recreate():
    assert cfn.plan(None, None, TEMPLATE, {}, {}, False)["action"] == "create"
    assert cfn.plan(_stack("REVIEW_IN_PROGRESS"), None, TEMPLATE, {}, {}, False)["action"] == "create"
    assert cfn.plan(_stack("ROLLBACK_COMPLETE"), None, TEMPLATE, {}, {}, False)["action"] == "recreate"


def test_no_echo_parameters_are_not_compared():
    template = cfn.load_template("Parameters: {Name: {Type: String, NoEcho: true}}\nResources: {A: {Type: X}}")
    stack = _stack(Parameters=[{"ParameterKey": "Name", "ParameterValue": "****"}])
    assert cfn.plan(stack, template, template, {"Name": "secret"}, {"Project": "p"}, False)["action"] == "none"


def test_parameter_and_change_lines():
    assert cfn.parameter_lines({"A": "1", "B": "2"}, {"A": "1", "B": "3", "C": "4"}) == [
        "parameter B: 2 -> 3",
        "parameter C: (none) -> 4",
    ]
    changes = [
        {"ResourceChange": {"Action": "Modify", "LogicalResourceId": "Db", "ResourceType": "T", "Replacement": "True"}},
        {"ResourceChange": {"Action": "Add", "LogicalResourceId": "Q", "ResourceType": "U"}},
    ]
    assert cfn.change_lines(changes) == ["! Db T (replacement)", "+ Q U"]
    assert cfn.resource_lines(TEMPLATE) == ["+ A AWS::SNS::Topic"]


def _event(logical, status, reason="", rtype="AWS::SNS::Topic", physical="p"):
    return {
        "EventId": logical + status,
        "LogicalResourceId": logical,
        "ResourceType": rtype,
        "ResourceStatus": status,
        "ResourceStatusReason": reason,
        "PhysicalResourceId": physical,
        "Timestamp": datetime.datetime(2026, 11, 29, 14, 0, 5),
    }


def test_failures_of_the_latest_operation_only_with_nested_stacks():
    events = [
        _event("s", "ROLLBACK_COMPLETE", rtype="AWS::CloudFormation::Stack"),
        _event("Nested", "CREATE_FAILED", "Embedded stack failed", "AWS::CloudFormation::Stack", "arn:x:stack/n/1"),
        _event("Topic", "CREATE_FAILED", "Quota"),
        _event("s", "CREATE_IN_PROGRESS", "User Initiated", "AWS::CloudFormation::Stack"),
        _event("Old", "UPDATE_FAILED", "an earlier run"),
    ]
    found = cfn.failures(events, "s")
    assert [f["logical_resource_id"] for f in found] == ["Nested", "Topic"]
    assert found[0]["nested_stack_id"] == "arn:x:stack/n/1" and found[1]["nested_stack_id"] is None
    found[0]["nested"] = [dict(found[1], logical_resource_id="Inner")]
    assert cfn.failure_lines(found) == [
        "Nested (AWS::CloudFormation::Stack): CREATE_FAILED - Embedded stack failed",
        "  Inner (AWS::SNS::Topic): CREATE_FAILED - Quota",
        "Topic (AWS::SNS::Topic): CREATE_FAILED - Quota",
    ]


def test_event_and_drift_lines():
    assert cfn.event_line(_event("Topic", "CREATE_FAILED", "Quota")) == (
        "14:00:05 Topic (AWS::SNS::Topic) CREATE_FAILED: Quota"
    )
    drift = {
        "LogicalResourceId": "Cluster",
        "ResourceType": "AWS::RDS::DBCluster",
        "StackResourceDriftStatus": "MODIFIED",
        "PropertyDifferences": [
            {
                "PropertyPath": "/BackupRetentionPeriod",
                "ExpectedValue": "14",
                "ActualValue": "3",
                "DifferenceType": "NOT_EQUAL",
            }
        ],
    }
    assert cfn.drift_lines([drift]) == [
        "Cluster (AWS::RDS::DBCluster) MODIFIED",
        "  /BackupRetentionPeriod: expected 14, actual 3 (NOT_EQUAL)",
    ]
    assert cfn.outputs(_stack()) == {"Arn": "arn:x"} and cfn.outputs(None) == {}


def test_the_last_drift_detection_counts_only_when_recent_and_checked():
    now = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
    checked = now - datetime.timedelta(seconds=600)
    stack = {"DriftInformation": {"StackDriftStatus": "DRIFTED", "LastCheckTimestamp": checked}}
    assert cfn.last_drift(stack, now, 600) == {
        "status": "DRIFTED",
        "checked_at": checked.isoformat(),
        "age_seconds": 600,
    }
    assert cfn.last_drift(stack, now, 599) is None  # older than allowed: detect anew
    assert cfn.last_drift(stack, now, 0) is None  # 0: a new detection on every run
    assert cfn.last_drift(stack, checked - datetime.timedelta(seconds=1), 3600) is None  # a clock behind AWS's
    assert cfn.last_drift({"DriftInformation": {"StackDriftStatus": "NOT_CHECKED"}}, now, 3600) is None
    assert cfn.last_drift({}, now, 3600) is None and cfn.last_drift(None, now, 3600) is None
