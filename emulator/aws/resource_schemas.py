"""CloudFormation resource provider schemas, as cfn-lint ships them (cfnlint/data/schemas).

AWS publishes one JSON schema per resource type (the CloudFormation registry's "resource provider
schema": https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html):
its ``required`` properties, its ``readOnlyProperties`` (what ``Fn::GetAtt`` returns) and more.
cfn-lint bundles them per region with its patches; ``Schema.get_atts`` is cfn-lint's list of the
attributes ``Fn::GetAtt`` accepts for a type (the read-only properties, and for the types CloudFormation
documents so, every property).

The emulator refuses a resource without a required property as CloudFormation does, with the message
the registry's validation gives ("Properties validation failed for resource X with message: #: required
key [Y] not found"), before any handler runs.
"""

from __future__ import annotations

import functools
from typing import Any

REGION = "us-west-2"  # the schemas differ by region only in which types exist


@functools.cache
def schema(type_name: str) -> dict[str, Any] | None:
    """The provider schema of ``type_name`` (None: not a registry type, e.g. Custom::, AWS::CloudFormation::)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    try:
        return PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, type_name)
    except ResourceNotFoundError:
        return None


@functools.cache
def get_atts(type_name: str) -> frozenset[str] | None:
    """What ``Fn::GetAtt`` accepts for ``type_name`` (None: no schema)."""
    found = schema(type_name)
    return frozenset(found.get_atts) if found else None


def read_only_atts(type_name: str) -> set[str]:
    """The ``readOnlyProperties`` as GetAtt names (``/properties/Endpoint/Address`` -> ``Endpoint.Address``)."""
    found = schema(type_name)
    if not found:
        return set()
    return {p.removeprefix("/properties/").replace("/", ".") for p in found.schema.get("readOnlyProperties", [])}


def required(type_name: str) -> list[str]:
    found = schema(type_name)
    return list(found.schema.get("required", [])) if found else []


def missing_required(logical_id: str, type_name: str, properties: dict[str, Any] | None) -> str | None:
    """CloudFormation's message for the required properties ``properties`` lacks, or None."""
    missing = [name for name in required(type_name) if name not in (properties or {})]
    if not missing:
        return None
    keys = ", ".join(f"#: required key [{name}] not found" for name in missing)
    return f"Properties validation failed for resource {logical_id} with message: [{keys}]"


def _only_schema_atts(model_class, type_name: str) -> None:
    """``Fn::GetAtt`` of ``model_class`` answers only what the type's schema lists, as CloudFormation does
    ("Template error: resource X does not support attribute type Y in Fn::GetAtt"); moto's base model says
    yes to every attribute (``has_cfn_attr``) and some answer ones AWS does not have."""
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    def unserved(self, attribute_name: str):
        raise UnformattedGetAttTemplateException()

    get = getattr(model_class, "get_cfn_attribute", unserved)  # some moto models have none at all
    get = getattr(get, "__wrapped__", get)  # a parent class's wrapper: wrap what it wraps
    has = model_class.has_cfn_attr.__func__
    has = getattr(has, "__wrapped__", has)

    @functools.wraps(get)
    def get_cfn_attribute(self, attribute_name: str):
        listed = get_atts(type_name)
        if listed is not None and attribute_name not in listed:
            raise UnformattedGetAttTemplateException()
        return get(self, attribute_name)

    @functools.wraps(has)
    def has_cfn_attr(cls, attr: str) -> bool:
        listed = get_atts(type_name)
        return (listed is None or attr in listed) and has(cls, attr)

    model_class.get_cfn_attribute = get_cfn_attribute
    model_class.has_cfn_attr = classmethod(has_cfn_attr)


def install() -> None:
    """After every model is registered (extensions.install): GetAtt answers only what the schemas list."""
    from moto.cloudformation import parsing

    for type_name, model_class in parsing.get_model_map().items():
        if type_name.startswith("AWS::"):
            _only_schema_atts(model_class, type_name)  # the schema is read on the first GetAtt
