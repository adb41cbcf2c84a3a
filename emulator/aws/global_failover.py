"""Aurora Global Database switchover and failover, and the lag metrics AWS publishes for it.

moto 5.2.5 answers HTTP 500 to ``SwitchoverGlobalCluster`` and ``FailoverGlobalCluster`` and
ignores the identifier given to ``DescribeGlobalClusters``. This follows the RDS API reference:

- ``SwitchoverGlobalCluster(GlobalClusterIdentifier, TargetDbClusterIdentifier)``: planned, no data
  loss. ``FailoverGlobalCluster(..., AllowDataLoss | Switchover)``: ``AllowDataLoss`` fails over,
  ``Switchover`` (or neither) switches over; both together are an InvalidParameterCombination.
- The target is an ARN (or an identifier of a cluster in the request's region). Errors:
  GlobalClusterNotFoundFault (404), DBClusterNotFoundFault (404), InvalidGlobalClusterStateFault
  (global cluster not ``available``), InvalidDBClusterStateFault (target not ``available``),
  InvalidParameterValue (target not a secondary member).
- While it runs the global cluster is ``switching-over`` or ``failing-over`` and carries
  ``FailoverState`` (``pending``, then ``failing-over`` for both - the API's enum has no switching-over;
  From/To ARNs, ``IsDataLossAllowed``). After the configured duration the target is the writer and the global
  cluster ``available``. After a failover the old primary rejoins as a secondary in
  ``pending-resync``, ``connected`` ``global_resync_seconds`` later (Aurora rebuilds it).

The lag metrics of the secondaries are published by service_metrics.py.

Transitions advance lazily, on the next RDS or CloudWatch request after their time has come.
"""

from __future__ import annotations

import time
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import (
    DBClusterNotFoundError,
    InvalidDBClusterStateFault,
    InvalidParameterCombination,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import DBCluster, GlobalCluster, rds_backends
from moto.rds.responses import RDSResponse

from emulator.aws.control import STATE


class GlobalClusterNotFoundFault(RDSClientError):
    def __init__(self, identifier: str):
        super().__init__("GlobalClusterNotFoundFault", f"Global cluster {identifier} not found.")


class InvalidGlobalClusterState(RDSClientError):
    def __init__(self, message: str):
        super().__init__("InvalidGlobalClusterStateFault", message)


# --- state on moto's GlobalCluster -----------------------------------------------------------------


def _transition(gc: GlobalCluster) -> dict[str, Any] | None:
    return gc.__dict__.get("_emu_transition")


def _sync(gc: GlobalCluster) -> dict[str, float]:
    """Per member ARN: the time at which it is ``connected`` again (0: connected)."""
    return gc.__dict__.setdefault("_emu_resync", {})


def secondary_since(gc: GlobalCluster, member: DBCluster) -> float:
    """When ``member`` last became a connected secondary by a switch (0: it has been one from the start)."""
    return gc.__dict__.get("_emu_secondary_since", {}).get(member.db_cluster_arn, 0.0)


# Called with (from ARN, to ARN, data loss, completion time) when a writer changes (databases.py).
WRITER_CHANGED: list = []


def advance(gc: GlobalCluster) -> None:
    """Finish a switchover or failover whose time has come."""
    transition = _transition(gc)
    if transition and time.time() >= transition["done_at"]:
        gc.__dict__["_emu_transition"] = None  # first, so a hook's own requests do not finish it twice
        for hook in WRITER_CHANGED:
            hook(transition["from"], transition["to"], transition["data_loss"], transition["done_at"])
        for member in gc.members:
            member.is_writer = member.db_cluster_arn == transition["to"]
        connected_at = transition["done_at"]
        if transition["data_loss"]:
            # Aurora rebuilds the old primary as a secondary of the new one once it is reachable.
            connected_at += transition["resync"]
            _sync(gc)[transition["from"]] = connected_at
        gc.__dict__.setdefault("_emu_secondary_since", {})[transition["from"]] = connected_at
        gc.__dict__["_status"] = "available"


def _get_status(gc: GlobalCluster) -> str:
    advance(gc)
    return gc.__dict__.get("_status", "available")


def _set_status(gc: GlobalCluster, value: str) -> None:
    gc.__dict__["_status"] = value


def _failover_state(gc: GlobalCluster) -> dict[str, Any] | None:
    advance(gc)
    transition = _transition(gc)
    if not transition:
        return None
    halfway = transition["started_at"] + transition["duration"] / 2
    # FailoverState.Status is pending | failing-over | cancelling for both kinds (the RDS API's FailoverState;
    # botocore's enum FailoverStatus): IsDataLossAllowed tells a switchover from a failover. The global
    # cluster's own Status is the one that says switching-over.
    return {
        "Status": "pending" if time.time() < halfway else "failing-over",
        "FromDbClusterArn": transition["from"],
        "ToDbClusterArn": transition["to"],
        "IsDataLossAllowed": transition["data_loss"],
    }


def synchronization_status(gc: GlobalCluster, member: DBCluster) -> str:
    resync_at = _sync(gc).get(member.db_cluster_arn, 0)
    return "pending-resync" if time.time() < resync_at else "connected"


def _members(gc: GlobalCluster) -> list[dict[str, Any]]:
    advance(gc)
    members = []
    for member in gc.members:
        entry = {
            "DBClusterArn": member.db_cluster_arn,
            "IsWriter": bool(member.is_writer),
            "DBClusterParameterGroupStatus": "in-sync",
            "PromotionTier": 1,
            "Readers": [m.db_cluster_arn for m in gc.members if not m.is_writer] if member.is_writer else [],
        }
        if not member.is_writer:
            entry["GlobalWriteForwardingStatus"] = "disabled"
            entry["SynchronizationStatus"] = synchronization_status(gc, member)
        members.append(entry)
    return members


# --- the API --------------------------------------------------------------------------------------


def global_clusters(account_id: str) -> dict[str, GlobalCluster]:
    return rds_backends[account_id]["us-east-1"].global_clusters


def find_global_cluster(account_id: str, identifier: str) -> GlobalCluster:
    wanted = identifier.lower()
    for gc in global_clusters(account_id).values():
        if wanted in (gc.global_cluster_identifier, gc.global_cluster_arn.lower()):
            return gc
    raise GlobalClusterNotFoundFault(identifier)


def _find_cluster(account_id: str, region: str, identifier: str) -> DBCluster:
    if identifier.startswith("arn:"):
        parts = identifier.split(":")
        region, cluster_id = parts[3], parts[-1]
    else:
        cluster_id = identifier
    cluster = rds_backends[account_id][region].clusters.get(cluster_id.lower())
    if cluster is None:
        raise DBClusterNotFoundError(cluster_id)
    return cluster


def start(account_id: str, region: str, global_id: str, target_id: str, data_loss: bool) -> GlobalCluster:
    gc = find_global_cluster(account_id, global_id)
    status = _get_status(gc)
    if status != "available":
        raise InvalidGlobalClusterState(
            f"Global cluster {gc.global_cluster_identifier} is in state {status}; it must be available."
        )
    target = _find_cluster(account_id, region, target_id)
    if target not in gc.members:
        raise InvalidParameterValue(
            f"DB cluster {target.db_cluster_arn} is not a member of global cluster {gc.global_cluster_identifier}."
        )
    if target.is_writer:
        raise InvalidParameterValue(
            f"DB cluster {target.db_cluster_arn} is already the primary cluster of {gc.global_cluster_identifier}."
        )
    if target.status != "available":
        raise InvalidDBClusterStateFault(f"DB cluster {target.db_cluster_identifier} is {target.status}.")
    if not data_loss and synchronization_status(gc, target) != "connected":
        raise InvalidDBClusterStateFault(
            f"DB cluster {target.db_cluster_identifier} is not synchronized with the primary; a switchover needs it."
        )
    writer = next(m for m in gc.members if m.is_writer)
    key = "global_failover_seconds" if data_loss else "global_switchover_seconds"
    duration = float(STATE.settings.get(key, 1.0))
    now = time.time()
    gc.__dict__["_emu_transition"] = {
        "from": writer.db_cluster_arn,
        "to": target.db_cluster_arn,
        "data_loss": data_loss,
        "started_at": now,
        "duration": duration,
        "done_at": now + duration,
        "resync": float(STATE.settings.get("global_resync_seconds", 1.0)),
    }
    _set_status(gc, "failing-over" if data_loss else "switching-over")
    return gc


def _switchover_global_cluster(self: RDSResponse) -> ActionResult:
    gc = start(
        self.current_account,
        self.region,
        self.params["GlobalClusterIdentifier"],
        self.params["TargetDbClusterIdentifier"],
        data_loss=False,
    )
    return ActionResult({"GlobalCluster": gc})


def _failover_global_cluster(self: RDSResponse) -> ActionResult:
    params = self.params
    allow_data_loss = str(params.get("AllowDataLoss", "")).lower() == "true"
    if "AllowDataLoss" in params and "Switchover" in params:
        raise InvalidParameterCombination("Specify either AllowDataLoss or Switchover, not both.")
    gc = start(
        self.current_account,
        self.region,
        params["GlobalClusterIdentifier"],
        params["TargetDbClusterIdentifier"],
        data_loss=allow_data_loss,
    )
    return ActionResult({"GlobalCluster": gc})


def _describe_global_clusters(self: RDSResponse) -> ActionResult:
    identifier = self.params.get("GlobalClusterIdentifier")
    if identifier:
        clusters = [find_global_cluster(self.current_account, identifier)]
    else:
        clusters = list(global_clusters(self.current_account).values())
    return ActionResult({"GlobalClusters": clusters})


def install() -> None:
    GlobalCluster.status = property(_get_status, _set_status)
    GlobalCluster.failover_state = property(_failover_state)
    GlobalCluster.global_cluster_members = property(_members)
    RDSResponse.switchover_global_cluster = _switchover_global_cluster
    RDSResponse.failover_global_cluster = _failover_global_cluster
    RDSResponse.describe_global_clusters = _describe_global_clusters
