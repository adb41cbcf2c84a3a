"""ElastiCache Global Datastore (global replication groups), which moto lacks.

As the ElastiCache API reference and user guide describe it
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastore.html,
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-CLI.html):

- ``CreateGlobalReplicationGroup(GlobalReplicationGroupIdSuffix, PrimaryReplicationGroupId)``: the ID is the
  suffix behind a prefix ElastiCache gives each region (``sgaui-`` in us-west-2, ``ldgnf-`` in us-east-1, ...);
  the ARN has no region (``arn:aws:elasticache::<account>:globalreplicationgroup:<id>``). The primary's engine,
  version, node type, encryption and AUTH become the global datastore's. Refused: a primary that is already a
  member (InvalidReplicationGroupState), a T-family node type (Global Datastore needs M5/R5 or newer:
  InvalidParameterValue), an ID taken (GlobalReplicationGroupAlreadyExistsFault). Status ``primary-only``
  until a secondary joins, then ``available``.
- A secondary joins with ``CreateReplicationGroup(GlobalReplicationGroupId=...)`` in another region: it takes
  the global datastore's engine, version, node type, encryption and AUTH (it is a read-only replica whose
  writes come from the primary); one member per region, at most two secondaries.
- ``DescribeGlobalReplicationGroups`` (by ID; ``Members`` only with ``ShowMemberInfo``), and each member's
  ``GlobalReplicationGroupInfo`` in ``DescribeReplicationGroups``.
- ``FailoverGlobalReplicationGroup(PrimaryRegion, PrimaryReplicationGroupId)``: promotes a secondary; the
  global datastore is ``modifying`` for the setting ``redis_global_failover_seconds`` (default 1), then the
  roles are swapped and it is ``available``. Refused while it is not ``available``
  (InvalidGlobalReplicationGroupState) or when the target is not a secondary member (InvalidParameterValue).
- ``DisassociateGlobalReplicationGroup`` makes a secondary a stand-alone replication group;
  ``DeleteGlobalReplicationGroup(RetainPrimaryReplicationGroup=true)`` only once no secondary is left;
  a member cannot be deleted with ``DeleteReplicationGroup`` (InvalidReplicationGroupState).
- CloudFormation ``AWS::ElastiCache::GlobalReplicationGroup`` (Ref and GetAtt ``GlobalReplicationGroupId``,
  ``Arn``, ``Status``) from its ``PRIMARY`` member; a secondary is an ``AWS::ElastiCache::ReplicationGroup``
  with ``GlobalReplicationGroupId`` in the other region's stack, and deleting that resource disassociates it
  first, as CloudFormation's handler does.

``WRITER_CHANGED`` hooks are told of each completed failover (real Redis servers, when there are some).
Transitions advance lazily, on the next ElastiCache request.
"""

from __future__ import annotations

import time
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.elasticache.exceptions import ReplicationGroupNotFound
from moto.elasticache.models import ElastiCacheBackend, ReplicationGroup, elasticache_backends
from moto.elasticache.responses import ElastiCacheResponse

from emulator.aws import control
from emulator.aws.control import STATE
from emulator.aws.resources import ElastiCacheReplicationGroup, EmulatedResource

# The prefix ElastiCache puts before a global datastore's suffix, per region of its primary (the table in
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-CLI.html); "emulx" elsewhere.
PREFIXES = {
    "us-east-1": "ldgnf",
    "us-east-2": "fpkhr",
    "us-west-1": "virxk",
    "us-west-2": "sgaui",
    "ca-central-1": "bxodz",
    "ap-south-1": "erpgt",
    "ap-northeast-1": "quwsw",
    "ap-northeast-2": "lfqnh",
    "ap-northeast-3": "nlapn",
    "ap-east-1": "knjmp",
    "ap-southeast-1": "vlqxn",
    "ap-southeast-2": "vbgxd",
    "eu-central-1": "iudkw",
    "eu-west-1": "gxeiz",
    "eu-west-2": "okuqm",
    "eu-west-3": "fgjhi",
    "sa-east-1": "juxlw",
}
SETTING = "redis_global_failover_seconds"
# account -> global replication group ID -> its state
GROUPS: dict[str, dict[str, dict[str, Any]]] = {}
# Called as hook(global_id, from_member, to_member) when a failover completes.
WRITER_CHANGED: list = []


class GlobalReplicationGroupNotFoundFault(ServiceException):
    code = "GlobalReplicationGroupNotFoundFault"


class GlobalReplicationGroupAlreadyExistsFault(ServiceException):
    code = "GlobalReplicationGroupAlreadyExistsFault"


class InvalidGlobalReplicationGroupStateFault(ServiceException):
    code = "InvalidGlobalReplicationGroupStateFault"


class InvalidReplicationGroupStateFault(ServiceException):
    code = "InvalidReplicationGroupStateFault"


class InvalidParameterValueException(ServiceException):
    code = "InvalidParameterValueException"


def _groups(account: str) -> dict[str, dict[str, Any]]:
    return GROUPS.setdefault(account, {})


def _replication_group(account: str, region: str, group_id: str) -> ReplicationGroup:
    group = elasticache_backends[account][region].replication_groups.get(group_id)
    if group is None:
        raise ReplicationGroupNotFound(group_id)
    return group


def advance(account: str) -> None:
    now = time.time()
    for global_id, found in _groups(account).items():
        failover = found.get("_failover")
        # the setting is read now, so a test holds a failover modifying and then releases it
        done_at = failover and failover["started_at"] + float(STATE.settings.get(SETTING, 1))
        if failover and now >= done_at:
            old = next(m for m in found["Members"] if m["Role"] == "PRIMARY")
            new = next(m for m in found["Members"] if m["ReplicationGroupId"] == failover["group_id"])
            old["Role"], new["Role"] = "SECONDARY", "PRIMARY"
            # its first lag datapoint comes later (service_metrics.py)
            found.setdefault("_secondary_since", {})[old["ReplicationGroupId"]] = done_at
            for member in (old, new):
                replication_group = _replication_group(
                    account, member["ReplicationGroupRegion"], member["ReplicationGroupId"]
                )
                replication_group.global_replication_group_member_role = member["Role"]
            found["Status"] = "available"
            del found["_failover"]
            for hook in WRITER_CHANGED:
                hook(account, global_id, dict(old), dict(new))


def secondary_since(found: dict[str, Any], member: dict[str, Any]) -> float:
    """When ``member`` last became a secondary by a failover (0: it has been one from the start)."""
    return found.get("_secondary_since", {}).get(member["ReplicationGroupId"], 0.0)


def find(account: str, global_id: str) -> dict[str, Any]:
    advance(account)
    found = _groups(account).get(global_id)
    if found is None:
        raise GlobalReplicationGroupNotFoundFault(f"GlobalReplicationGroup {global_id} not found.")
    return found


def _leave(group: ReplicationGroup | None) -> None:
    """A stand-alone replication group again: no GlobalReplicationGroupInfo in its description."""
    if group is not None:
        group.global_replication_group_id = ""
        group.__dict__.pop("global_replication_group_member_role", None)


def _member(group: ReplicationGroup, region: str, role: str) -> dict[str, Any]:
    return {
        "ReplicationGroupId": group.replication_group_id,
        "ReplicationGroupRegion": region,
        "Role": role,
        "AutomaticFailover": group.automatic_failover,
        "Status": "associated",
    }


def create(account: str, region: str, suffix: str, primary_id: str, description: str = "") -> dict[str, Any]:
    primary = _replication_group(account, region, primary_id)
    if primary.global_replication_group_id:
        raise InvalidReplicationGroupStateFault(
            f"Replication group {primary_id} is already a member of global replication group "
            f"{primary.global_replication_group_id}."
        )
    if (primary.cache_node_type or "").startswith("cache.t"):
        raise InvalidParameterValueException(
            f"Global Datastore does not support node type {primary.cache_node_type}; use M5, R5 or newer node types."
        )
    global_id = f"{PREFIXES.get(region, 'emulx')}-{suffix}"
    if global_id in _groups(account):
        raise GlobalReplicationGroupAlreadyExistsFault(f"GlobalReplicationGroup {global_id} already exists.")
    found = _groups(account)[global_id] = {
        "GlobalReplicationGroupId": global_id,
        "GlobalReplicationGroupDescription": description,
        "Status": "primary-only",
        "CacheNodeType": primary.cache_node_type,
        "Engine": primary.engine,
        "EngineVersion": primary.engine_version or "7.1",
        "Members": [_member(primary, region, "PRIMARY")],
        "ClusterEnabled": bool(primary.cluster_enabled),
        "AuthTokenEnabled": bool(primary.auth_token_enabled),
        "TransitEncryptionEnabled": bool(primary.transit_encryption_enabled),
        "AtRestEncryptionEnabled": bool(primary.at_rest_encryption_enabled),
        "ARN": f"arn:aws:elasticache::{account}:globalreplicationgroup:{global_id}",
    }
    if primary.cluster_enabled:
        found["GlobalNodeGroups"] = [{"GlobalNodeGroupId": f"{global_id}-0001", "Slots": "0-16383"}]
    primary.global_replication_group_id = global_id
    primary.global_replication_group_member_role = "PRIMARY"
    return found


def join(account: str, region: str, group: ReplicationGroup, global_id: str) -> None:
    """A replication group created with GlobalReplicationGroupId: a secondary with the global datastore's settings."""
    found = find(account, global_id)
    if any(m["ReplicationGroupRegion"] == region for m in found["Members"]):
        raise InvalidParameterValueException(f"Global replication group {global_id} already has a member in {region}.")
    if len(found["Members"]) >= 3:
        raise InvalidParameterValueException(f"Global replication group {global_id} has two secondaries already.")
    group.engine, group.engine_version = found["Engine"], found["EngineVersion"]
    group.cache_node_type = found["CacheNodeType"]
    group.auth_token_enabled = found["AuthTokenEnabled"]
    group.transit_encryption_enabled = found["TransitEncryptionEnabled"]
    group.at_rest_encryption_enabled = found["AtRestEncryptionEnabled"]
    group.global_replication_group_id = global_id
    group.global_replication_group_member_role = "SECONDARY"
    found["Members"].append(_member(group, region, "SECONDARY"))
    found["Status"] = "available"


def failover(account: str, global_id: str, region: str, group_id: str) -> dict[str, Any]:
    found = find(account, global_id)
    if found["Status"] != "available":
        raise InvalidGlobalReplicationGroupStateFault(
            f"Global replication group {global_id} is {found['Status']}, not available."
        )
    target = next(
        (m for m in found["Members"] if (m["ReplicationGroupRegion"], m["ReplicationGroupId"]) == (region, group_id)),
        None,
    )
    if target is None or target["Role"] != "SECONDARY":
        raise InvalidParameterValueException(
            f"Replication group {group_id} in {region} is not a secondary member of {global_id}."
        )
    found["Status"] = "modifying"
    found["_failover"] = {"group_id": group_id, "started_at": time.time()}
    return found


def disassociate(account: str, global_id: str, group_id: str, region: str) -> dict[str, Any]:
    found = find(account, global_id)
    member = next(
        (m for m in found["Members"] if (m["ReplicationGroupRegion"], m["ReplicationGroupId"]) == (region, group_id)),
        None,
    )
    if member is None or member["Role"] != "SECONDARY":
        raise InvalidParameterValueException(f"Replication group {group_id} is not a secondary member of {global_id}.")
    if found["Status"] != "available":
        raise InvalidGlobalReplicationGroupStateFault(f"Global replication group {global_id} is {found['Status']}.")
    found["Members"].remove(member)
    _leave(elasticache_backends[account][region].replication_groups.get(group_id))
    if len(found["Members"]) == 1:
        found["Status"] = "primary-only"
    return found


def delete(account: str, global_id: str, retain_primary: bool) -> dict[str, Any]:
    found = find(account, global_id)
    if not retain_primary:
        raise InvalidParameterValueException("RetainPrimaryReplicationGroup must be true.")
    if len(found["Members"]) > 1:
        raise InvalidGlobalReplicationGroupStateFault(
            f"Global replication group {global_id} still has secondary members: disassociate them first."
        )
    primary = found["Members"][0]
    backend = elasticache_backends[account][primary["ReplicationGroupRegion"]]
    _leave(backend.replication_groups.get(primary["ReplicationGroupId"]))
    del _groups(account)[global_id]
    return {**found, "Status": "deleting"}


def _view(found: dict[str, Any], members: bool = True) -> dict[str, Any]:
    view = {k: v for k, v in found.items() if not k.startswith("_")}
    if not members:
        view.pop("Members")
    return view


# --- the ElastiCache API ---------------------------------------------------------------------------


def create_global_replication_group(self: ElastiCacheResponse) -> ActionResult:
    found = create(
        self.current_account,
        self.region,
        self._get_param("GlobalReplicationGroupIdSuffix"),
        self._get_param("PrimaryReplicationGroupId"),
        self._get_param("GlobalReplicationGroupDescription") or "",
    )
    return ActionResult({"GlobalReplicationGroup": _view(found)})


def describe_global_replication_groups(self: ElastiCacheResponse) -> ActionResult:
    global_id = self._get_param("GlobalReplicationGroupId")
    members = bool(self._get_bool_param("ShowMemberInfo"))
    advance(self.current_account)
    found = [find(self.current_account, global_id)] if global_id else list(_groups(self.current_account).values())
    return ActionResult({"GlobalReplicationGroups": [_view(f, members) for f in found]})


def failover_global_replication_group(self: ElastiCacheResponse) -> ActionResult:
    found = failover(
        self.current_account,
        self._get_param("GlobalReplicationGroupId"),
        self._get_param("PrimaryRegion"),
        self._get_param("PrimaryReplicationGroupId"),
    )
    return ActionResult({"GlobalReplicationGroup": _view(found)})


def disassociate_global_replication_group(self: ElastiCacheResponse) -> ActionResult:
    found = disassociate(
        self.current_account,
        self._get_param("GlobalReplicationGroupId"),
        self._get_param("ReplicationGroupId"),
        self._get_param("ReplicationGroupRegion"),
    )
    return ActionResult({"GlobalReplicationGroup": _view(found)})


def delete_global_replication_group(self: ElastiCacheResponse) -> ActionResult:
    found = delete(
        self.current_account,
        self._get_param("GlobalReplicationGroupId"),
        bool(self._get_bool_param("RetainPrimaryReplicationGroup")),
    )
    return ActionResult({"GlobalReplicationGroup": _view(found)})


HANDLERS = (
    create_global_replication_group,
    describe_global_replication_groups,
    failover_global_replication_group,
    disassociate_global_replication_group,
    delete_global_replication_group,
)

# The backend's methods as install() finds them (moto_fixes.py replaces some first).
_original: dict[str, Any] = {}


def _create_replication_group(self: ElastiCacheBackend, *args, **kwargs) -> ReplicationGroup:
    global_id = kwargs.get("global_replication_group_id")
    if global_id:
        find(self.account_id, global_id)  # refused before anything is created
    group = _original["create_replication_group"](self, *args, **kwargs)
    if global_id:
        try:
            join(self.account_id, self.region_name, group, global_id)
        except ServiceException:
            self.replication_groups.pop(group.replication_group_id, None)
            raise
    return group


def _delete_replication_group(self: ElastiCacheBackend, replication_group_id: str, *args, **kwargs):
    group = self.replication_groups.get(replication_group_id)
    if group is not None and group.global_replication_group_id:
        raise InvalidReplicationGroupStateFault(
            f"Replication group {replication_group_id} is a member of global replication group "
            f"{group.global_replication_group_id}: remove it from the global datastore first."
        )
    return _original["delete_replication_group"](self, replication_group_id, *args, **kwargs)


def _describe_replication_groups(self: ElastiCacheBackend, *args, **kwargs):
    advance(self.account_id)
    return _original["describe_replication_groups"](self, *args, **kwargs)


def _reset() -> None:
    GROUPS.clear()


# --- CloudFormation -------------------------------------------------------------------------------


class ElastiCacheGlobalReplicationGroup(EmulatedResource):
    TYPE = "AWS::ElastiCache::GlobalReplicationGroup"
    ATTRIBUTES = ("GlobalReplicationGroupId", "Arn", "Status")
    REPLACE_ON = ("GlobalReplicationGroupIdSuffix",)

    def create(self) -> None:
        primary = next((m for m in self.props["Members"] if m.get("Role") == "PRIMARY"), self.props["Members"][0])
        region = primary.get("ReplicationGroupRegion") or self.region_name
        found = create(
            self.account_id,
            region,
            self.props.get("GlobalReplicationGroupIdSuffix") or self.name,
            primary["ReplicationGroupId"],
            self.props.get("GlobalReplicationGroupDescription") or "",
        )
        self.global_id = found["GlobalReplicationGroupId"]

    def destroy(self) -> None:
        if self.global_id in _groups(self.account_id):
            delete(self.account_id, self.global_id, retain_primary=True)

    def ref(self) -> str:
        return self.global_id

    def attribute(self, name: str) -> Any:
        found = find(self.account_id, self.global_id)
        return {"GlobalReplicationGroupId": self.global_id, "Arn": found["ARN"], "Status": found["Status"]}[name]


_original_destroy = ElastiCacheReplicationGroup.destroy


def _destroy_replication_group(self: ElastiCacheReplicationGroup) -> None:
    """A secondary leaves its global datastore before it is deleted, as CloudFormation's handler does."""
    group = self.backend.replication_groups.get(self.name)
    if group is not None and group.global_replication_group_id:
        global_id = group.global_replication_group_id
        if group.global_replication_group_member_role == "SECONDARY":
            disassociate(self.account_id, global_id, self.name, self.region_name)
    _original_destroy(self)


def install() -> None:
    for handler in HANDLERS:
        setattr(ElastiCacheResponse, handler.__name__, handler)
    for name, wrapper in (
        ("create_replication_group", _create_replication_group),
        ("delete_replication_group", _delete_replication_group),
        ("describe_replication_groups", _describe_replication_groups),
    ):
        _original[name] = getattr(ElastiCacheBackend, name)
        setattr(ElastiCacheBackend, name, wrapper)
    ElastiCacheReplicationGroup.destroy = _destroy_replication_group
    control.SETTINGS.setdefault(SETTING, "duration of FailoverGlobalReplicationGroup (default 1)")
    control.RESET_HOOKS.append(_reset)
