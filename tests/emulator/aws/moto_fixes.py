"""Corrections to moto's own CloudFormation models where they disagree with AWS."""

from __future__ import annotations

from moto.kms.models import Key

_original_key_create = Key.create_from_cloudformation_json.__func__


def _kms_key_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """AWS::KMS::Key takes Tags as Key/Value (the KMS API says TagKey/TagValue); moto expects the latter."""
    props = cloudformation_json.setdefault("Properties", {})
    props["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags") or []]
    return _original_key_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


def install() -> None:
    Key.create_from_cloudformation_json = classmethod(_kms_key_create)
