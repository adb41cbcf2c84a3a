"""The emulator's CloudFormation resources follow AWS's resource provider schemas.

AWS publishes a JSON schema per resource type (the CloudFormation registry's resource provider schema,
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html): ``required``
properties, ``readOnlyProperties`` - the attributes ``Fn::GetAtt`` returns
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getatt.html).
cfn-lint ships them (``cfnlint/data/schemas/providers/us-west-2.json`` names each type's schema in
``cfnlint/data/schemas/resources/``), and ``Schema.get_atts`` is cfn-lint's list of what GetAtt accepts.
For every resource type in roles/*/files/*.yaml this checks the emulator's model of it against them.
"""

from __future__ import annotations

import collections
import json
import pathlib
import time

import pytest
import yaml

from emulator.aws import resource_schemas

REPO = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = sorted(REPO.glob("roles/*/files/*.yaml"))


def _walk_getatts(node, resources: dict[str, str], found: dict[str, set[str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::GetAtt":
                logical_id, attribute = value.split(".", 1) if isinstance(value, str) else value
                if logical_id in resources:
                    found[resources[logical_id]].add(attribute)
            _walk_getatts(value, resources, found)
    elif isinstance(node, list):
        for value in node:
            _walk_getatts(value, resources, found)


def _template_usage() -> tuple[set[str], dict[str, set[str]]]:
    """The resource types of the templates, and the GetAtt attributes they ask of each type."""
    types: set[str] = set()
    getatts: dict[str, set[str]] = collections.defaultdict(set)
    for path in TEMPLATES:
        # long-form intrinsics only (TOOLCHAIN.md); libyaml's parser when PyYAML has it
        template = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
        resources = {name: spec["Type"] for name, spec in (template.get("Resources") or {}).items()}
        types.update(resources.values())
        _walk_getatts(template, resources, getatts)
    return types, getatts


TYPES, GETATTS = _template_usage()


@pytest.fixture(scope="module")
def models():
    """The emulator's model class of each CloudFormation type, as its server registers them."""
    from moto.cloudformation import parsing

    from emulator.aws import extensions

    extensions.install()
    return {t: parsing.resource_class_from_type(t) for t in TYPES}


def test_the_templates_use_types():
    assert TEMPLATES and len(TYPES) > 20


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_every_type_has_a_schema_and_a_model(models, type_name):
    """A type without a provider schema or without a model in the emulator is not checked at all."""
    assert resource_schemas.schema(type_name) is not None, f"cfn-lint has no schema for {type_name}"
    assert models[type_name] is not None, f"the emulator has no model of {type_name}"


@pytest.mark.parametrize("type_name", sorted(GETATTS))
def test_the_attributes_the_templates_get_are_in_the_schema_and_served(models, type_name):
    """Every ``Fn::GetAtt`` of the templates names an attribute the schema lists, and the emulator's model
    serves it (``has_cfn_attr``: what moto checks Outputs against; our models serve their ATTRIBUTES)."""
    listed = resource_schemas.get_atts(type_name)
    model = models[type_name]
    for attribute in sorted(GETATTS[type_name]):
        assert attribute in listed, f"{type_name}.{attribute} is not an attribute of the schema"
        assert model.has_cfn_attr(attribute), f"the emulator does not serve {type_name}.{attribute}"
        if attribute in resource_schemas.read_only_atts(type_name) and hasattr(model, "ATTRIBUTES"):
            assert attribute in model.ATTRIBUTES


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_the_emulator_serves_no_attribute_the_schema_does_not_list(models, type_name):
    """Our models' ATTRIBUTES are all in the schema; moto's models (whose base answers yes to any
    attribute) are limited to the schema's list (resource_schemas.install), probed with every property
    name of the schema and the usual attribute names."""
    listed = resource_schemas.get_atts(type_name)
    model = models[type_name]
    if hasattr(model, "ATTRIBUTES"):
        assert set(model.ATTRIBUTES) <= listed, f"served but not in the schema: {set(model.ATTRIBUTES) - listed}"
    properties = set(resource_schemas.schema(type_name).schema.get("properties") or {})
    probes = properties | {"Arn", "Id", "Name", "Endpoint.Address", "Endpoint.Port"}
    served = {p for p in probes if model.has_cfn_attr(p)}
    assert served <= listed, f"served but not in the schema: {sorted(served - listed)}"


def _wait(cfn, name: str) -> dict:
    for _ in range(100):
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.05)
    raise AssertionError(f"{name} still in progress")


REQUIRED = sorted(t for t in TYPES if resource_schemas.required(t))


@pytest.mark.parametrize("type_name", REQUIRED)
def test_required_properties_are_enforced(client, type_name):
    """A resource without the schema's ``required`` properties fails as CloudFormation fails it (the
    registry validates the properties before any handler runs), naming each missing key."""
    cfn = client("cloudformation")
    name = "req-" + type_name.replace("::", "-").lower()
    cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": {"R": {"Type": type_name}}}))
    stack = _wait(cfn, name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    reason = next(e["ResourceStatusReason"] for e in events if e["ResourceStatus"] == "CREATE_FAILED")
    assert reason.startswith("Properties validation failed for resource R with message:")
    for key in resource_schemas.required(type_name):
        assert f"required key [{key}] not found" in reason


def test_moto_models_answer_the_attributes_the_templates_get(client):
    """Through the server: the GetAtts the templates ask of moto's own models resolve (Outputs), and one
    the schema does not list is refused (CloudFormation: "Template error: resource ... does not support
    attribute type ... in Fn::GetAtt")."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    resources = {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": policy}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 hour)"}},
        "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g"}},
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Runtime": "python3.11",
                "Handler": "index.handler",
                "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
            },
        },
    }
    asked = {
        "AWS::IAM::Role": "Role",
        "AWS::KMS::Key": "Key",
        "AWS::S3::Bucket": "Bucket",
        "AWS::SQS::Queue": "Queue",
        "AWS::Events::Rule": "Rule",
        "AWS::EC2::SecurityGroup": "Group",
        "AWS::Lambda::Function": "Function",
    }
    outputs = {}
    for type_name, logical_id in asked.items():
        for attribute in sorted(GETATTS.get(type_name, ())):
            key = f"{logical_id}{attribute.replace('.', '')}"
            outputs[key] = {"Value": {"Fn::GetAtt": [logical_id, attribute]}}
    assert outputs
    cfn = client("cloudformation")
    cfn.create_stack(StackName="getatts", TemplateBody=json.dumps({"Resources": resources, "Outputs": outputs}))
    stack = _wait(cfn, "getatts")
    events = cfn.describe_stack_events(StackName="getatts")["StackEvents"]
    failed = [
        (e["LogicalResourceId"], e.get("ResourceStatusReason")) for e in events if "FAILED" in e["ResourceStatus"]
    ]
    assert stack["StackStatus"] == "CREATE_COMPLETE", failed
    values = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert set(values) == set(outputs) and all(values.values())

    unlisted = {"Bad": {"Value": {"Fn::GetAtt": ["Dashboard", "DashboardName"]}}}
    dashboard = {"Dashboard": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": "{}"}}}
    with pytest.raises(cfn.exceptions.ClientError, match="DashboardName"):
        cfn.create_stack(StackName="unlisted", TemplateBody=json.dumps({"Resources": dashboard, "Outputs": unlisted}))
