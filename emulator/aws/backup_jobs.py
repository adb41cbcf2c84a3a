"""AWS Backup jobs and recovery points, which moto lacks (its server answers 404).

Follows the AWS Backup API reference:

- ``StartBackupJob`` (PUT /backup-jobs) -> ``BackupJobId``, ``RecoveryPointArn``, ``CreationDate``.
  The job is ``CREATED``, then ``RUNNING``, then ``COMPLETED`` after ``backup_job_seconds``
  (emulator setting, default 0), or ``FAILED`` with a ``StatusMessage`` when a
  ``backup_faults`` entry ``"backup:<fnmatch of resource ARN>"`` matches. For an Aurora cluster
  the recovery point is a real cluster snapshot ``awsbackup:job-<id>`` (SnapshotType ``awsbackup``),
  as AWS Backup makes it, so RDS can restore from it.
- ``DescribeBackupJob``, ``ListBackupJobs`` (filters byResourceArn, byState, byBackupVaultName).
- ``StartCopyJob`` (PUT /copy-jobs) copies a completed recovery point into a vault of another
  region (``DestinationBackupVaultArn``); ``DescribeCopyJob``. The copy of an Aurora snapshot is a
  cluster snapshot in the destination region.
- ``StartRestoreJob`` (PUT /restore-jobs) restores a completed recovery point of the call's region
  with the ``Metadata`` AWS Backup documents for the resource type. For Aurora (``DBClusterIdentifier``
  required; ``Engine``, ``EngineVersion``, ``Port``, ``DBSubnetGroupName``, ``VpcSecurityGroupIds``
  (JSON list), ``KmsKeyId``, ``DeletionProtection``, ``CopyTagsToSnapshot``, ``DBClusterParameterGroupName``
  honoured) it restores the recovery point's cluster snapshot into a new cluster, without instances,
  as AWS Backup does. ``PENDING`` -> ``RUNNING`` -> ``COMPLETED`` after ``restore_job_seconds`` (default
  0) with ``CreatedResourceArn``, or ``FAILED`` with ``StatusMessage`` when a ``backup_faults`` entry
  ``"restore:<fnmatch of the protected resource ARN>"`` matches, or the cluster identifier is taken.
  ``DescribeRestoreJob`` (GET /restore-jobs/<id>), ``ListRestoreJobs`` (filters byStatus,
  byResourceType, byCreatedAfter, byRestoreTestingPlanArn). Restore testing (restore_testing.py) starts
  its jobs here too.
- ``ListRecoveryPointsByBackupVault``, ``ListRecoveryPointsByResource``, ``DescribeRecoveryPoint``,
  ``DeleteRecoveryPoint``. A vault that holds recovery points cannot be deleted
  (InvalidRequestException), as on AWS.

States advance lazily, on the next request that reads them. A job's ``*_job_seconds`` setting is read then
too, so a test can hold a job running (a large value) and release it (0) without racing a clock.
"""

from __future__ import annotations

import fnmatch
import json
import threading
import time
from typing import Any
from urllib.parse import unquote

from moto.backup import urls as backup_urls
from moto.backup.exceptions import ResourceNotFoundException
from moto.backup.models import BackupBackend, backup_backends
from moto.backup.responses import BackupResponse
from moto.moto_api._internal import mock_random
from moto.rds.models import rds_backends

from emulator.aws.backup_api import InvalidParameterValueException, InvalidRequestException
from emulator.aws.control import STATE


def _store(backend: BackupBackend) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "emu_jobs"):
        backend.emu_jobs = {"backup": {}, "copy": {}, "restore": {}, "points": {}}
    return backend.emu_jobs


def _vault(backend: BackupBackend, name: str):
    vault = backend.vaults.get(name)
    if vault is None:
        raise ResourceNotFoundException(msg=f"Backup vault {name} does not exist")
    return vault


def _fault(kind: str, resource_arn: str) -> str | None:
    for pattern, message in (STATE.settings.get("backup_faults") or {}).items():
        job_kind, _sep, arn_pattern = pattern.partition(":")
        if job_kind == kind and fnmatch.fnmatchcase(resource_arn, arn_pattern):
            return message
    return None


def _resource_type(resource_arn: str) -> str:
    service, kind = resource_arn.split(":")[2], resource_arn.split(":")[5]
    return {("rds", "cluster"): "Aurora", ("rds", "db"): "RDS", ("s3", ""): "S3"}.get((service, kind), service.upper())


def _parse_arn(arn: str) -> tuple[str, str, str]:
    """(region, account, name); the name may hold colons (snapshot awsbackup:job-<id>)."""
    parts = arn.split(":", 6)
    return parts[3], parts[4], parts[6] if len(parts) > 6 else parts[5].split("/")[-1]


# --- state ----------------------------------------------------------------------------------------


# Jobs advance on requests and on restore testing's timers (threads of the server): one at a time, so no job
# finishes twice.
_ADVANCING = threading.RLock()


def done_at(job: dict[str, Any]) -> float:
    """When the job completes: its setting is read now, so a test holds a job running and then releases it."""
    return job["CreationDate"] + float(STATE.settings.get(job["_runs_for"], 0))


def _advance(backend: BackupBackend) -> None:
    with _ADVANCING:
        _advance_jobs(backend)


def _advance_jobs(backend: BackupBackend) -> None:
    now = time.time()
    store = _store(backend)
    for job in store["backup"].values():
        if job["State"] in ("CREATED", "RUNNING") and now >= done_at(job):
            _finish_backup(backend, job)
        elif job["State"] == "CREATED":
            job["State"] = "RUNNING"
    for job in store["copy"].values():
        if job["State"] in ("CREATED", "RUNNING") and now >= done_at(job):
            _finish_copy(backend, job)
        elif job["State"] == "CREATED":
            job["State"] = "RUNNING"
    for job in store["restore"].values():
        if job["Status"] in ("PENDING", "RUNNING") and now >= done_at(job):
            _finish_restore(job)
        elif job["Status"] == "PENDING":
            job["Status"] = "RUNNING"


def _finish_backup(backend: BackupBackend, job: dict[str, Any]) -> None:
    job["CompletionDate"] = time.time()
    if job["_fault"]:
        job.update(State="FAILED", StatusMessage=job["_fault"])
        return
    region, account, cluster_id = _parse_arn(job["ResourceArn"])
    if job["ResourceType"] == "Aurora":
        rds = rds_backends[account][region]
        if cluster_id not in rds.clusters:
            job.update(State="FAILED", StatusMessage=f"DB cluster {cluster_id} not found")
            return
        rds.create_db_cluster_snapshot(cluster_id, job["_snapshot_id"], snapshot_type="awsbackup")
    job.update(State="COMPLETED", PercentDone="100.0", BackupSizeInBytes=1073741824)
    _store(backend)["points"][job["RecoveryPointArn"]] = {
        "RecoveryPointArn": job["RecoveryPointArn"],
        "BackupVaultName": job["BackupVaultName"],
        "BackupVaultArn": job["BackupVaultArn"],
        "ResourceArn": job["ResourceArn"],
        "ResourceType": job["ResourceType"],
        "IamRoleArn": job["IamRoleArn"],
        "Status": "COMPLETED",
        "CreationDate": job["CreationDate"],
        "CompletionDate": job["CompletionDate"],
        "BackupSizeInBytes": job["BackupSizeInBytes"],
        "CreatedBy": {"BackupPlanId": "", "BackupRuleId": ""} if job.get("_on_demand") else {},
        "IsEncrypted": True,
        "StorageClass": "WARM",
    }


def _finish_copy(backend: BackupBackend, job: dict[str, Any]) -> None:
    job["CompletionDate"] = time.time()
    if job["_fault"]:
        job.update(State="FAILED", StatusMessage=job["_fault"])
        return
    dest_region, account, dest_vault_name = _parse_arn(job["DestinationBackupVaultArn"])
    dest_vault_name = dest_vault_name.split("backup-vault:")[-1]
    destination = backup_backends[account][dest_region]
    source_point = _store(backend)["points"][job["SourceRecoveryPointArn"]]
    if source_point["ResourceType"] == "Aurora":
        source_region, _acct, snapshot = _parse_arn(source_point["RecoveryPointArn"])
        rds_backends[account][dest_region].copy_db_cluster_snapshot(
            f"arn:aws:rds:{source_region}:{account}:cluster-snapshot:{snapshot}", job["_copy_snapshot_id"]
        )
    job["State"] = "COMPLETED"
    _store(destination)["points"][job["DestinationRecoveryPointArn"]] = {
        **source_point,
        "RecoveryPointArn": job["DestinationRecoveryPointArn"],
        "BackupVaultName": dest_vault_name,
        "BackupVaultArn": job["DestinationBackupVaultArn"],
        "SourceBackupVaultArn": job["SourceBackupVaultArn"],
        # A copy holds the data of its source's point in time: it keeps the source's CreationDate.
        "CompletionDate": job["CompletionDate"],
    }


# Metadata keys of an Aurora restore (AWS Backup developer guide, "Restore an Aurora cluster") and
# the RDS parameter each becomes.
AURORA_METADATA = {
    "Engine": "engine",
    "EngineVersion": "engine_version",
    "Port": "port",
    "DBSubnetGroupName": "db_subnet_group_name",
    "KmsKeyId": "kms_key_id",
    "DBClusterParameterGroupName": "db_cluster_parameter_group_name",
    "DatabaseName": "database_name",
}
AURORA_BOOLEAN_METADATA = {"DeletionProtection": "deletion_protection", "CopyTagsToSnapshot": "copy_tags_to_snapshot"}


# Called with each restore job that has just ended (COMPLETED or FAILED): restore_testing.py sends its event.
RESTORE_ENDED: list = []


def _finish_restore(job: dict[str, Any]) -> None:
    _restore(job)
    for hook in RESTORE_ENDED:
        hook(job)


def _restore(job: dict[str, Any]) -> None:
    job["CompletionDate"] = time.time()
    if job["_fault"]:
        job.update(Status="FAILED", StatusMessage=job["_fault"])
        return
    region, account, snapshot = _parse_arn(job["RecoveryPointArn"])
    rds = rds_backends[account][region]
    metadata = job["_metadata"]
    cluster_id = metadata["DBClusterIdentifier"]
    if cluster_id in rds.clusters:
        job.update(Status="FAILED", StatusMessage=f"DB cluster {cluster_id} already exists")
        return
    if snapshot not in rds.cluster_snapshots:
        job.update(Status="FAILED", StatusMessage=f"Cluster snapshot {snapshot} not found")
        return
    overrides = {"db_cluster_identifier": cluster_id, "tags": []}
    overrides.update({AURORA_METADATA[k]: v for k, v in metadata.items() if k in AURORA_METADATA})
    overrides.update(
        {AURORA_BOOLEAN_METADATA[k]: v.lower() == "true" for k, v in metadata.items() if k in AURORA_BOOLEAN_METADATA}
    )
    if metadata.get("Port"):
        overrides["port"] = int(metadata["Port"])
    if metadata.get("VpcSecurityGroupIds"):
        overrides["vpc_security_group_ids"] = json.loads(metadata["VpcSecurityGroupIds"])
    cluster = rds.restore_db_cluster_from_snapshot(snapshot, overrides)
    cluster.deletion_protection = overrides.get("deletion_protection", False)  # moto keeps the source's otherwise
    job.update(Status="COMPLETED", PercentDone="100.00%", CreatedResourceArn=cluster.db_cluster_arn)


def _recovery_point(resource_type: str, region: str, account: str, kind: str, job_id: str) -> tuple[str, str]:
    """(snapshot id, recovery point ARN): an Aurora recovery point is a cluster snapshot awsbackup:<kind>-<id>."""
    if resource_type == "Aurora":
        snapshot_id = f"awsbackup:{kind}-{job_id.lower()}"
        return snapshot_id, f"arn:aws:rds:{region}:{account}:cluster-snapshot:{snapshot_id}"
    return "", f"arn:aws:backup:{region}:{account}:recovery-point:{job_id.lower()}"


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


# --- handlers -------------------------------------------------------------------------------------


def _params(self: BackupResponse) -> dict[str, Any]:
    return json.loads(self.body or "{}")


def _query(self: BackupResponse, name: str) -> str | None:
    values = self.querystring.get(name)
    return values[0] if values else None


def _uri(self: BackupResponse, name: str) -> str:
    """A path parameter, by its member name (the URI uses the lowerCamel location name)."""
    return unquote(self.uri_match[name[0].lower() + name[1:]])


def start_backup_job(self: BackupResponse) -> str:
    params = _params(self)
    for required in ("BackupVaultName", "ResourceArn", "IamRoleArn"):
        if not params.get(required):
            raise InvalidParameterValueException(f"{required} is required")
    vault = _vault(self.backup_backend, params["BackupVaultName"])
    job_id = str(mock_random.uuid4()).upper()
    resource_arn = params["ResourceArn"]
    resource_type = _resource_type(resource_arn)
    region = self.region
    snapshot_id, point_arn = _recovery_point(resource_type, region, self.current_account, "job", job_id)
    now = time.time()
    _store(self.backup_backend)["backup"][job_id] = {
        "AccountId": self.current_account,
        "BackupJobId": job_id,
        "BackupVaultName": vault.backup_vault_name,
        "BackupVaultArn": vault.backup_vault_arn,
        "RecoveryPointArn": point_arn,
        "ResourceArn": resource_arn,
        "ResourceType": resource_type,
        "IamRoleArn": params["IamRoleArn"],
        "CreationDate": now,
        "State": "CREATED",
        "PercentDone": "0.0",
        "_runs_for": "backup_job_seconds",
        "_fault": _fault("backup", resource_arn),
        "_snapshot_id": snapshot_id,
        "_on_demand": True,
    }
    return json.dumps({"BackupJobId": job_id, "RecoveryPointArn": point_arn, "CreationDate": now, "IsParent": False})


def describe_backup_job(self: BackupResponse) -> str:
    _advance(self.backup_backend)
    job = _store(self.backup_backend)["backup"].get(_uri(self, "BackupJobId"))
    if job is None:
        raise ResourceNotFoundException(msg=f"Backup job {_uri(self, 'BackupJobId')} not found")
    return json.dumps(_public(job))


def list_backup_jobs(self: BackupResponse) -> str:
    _advance(self.backup_backend)
    jobs = list(_store(self.backup_backend)["backup"].values())
    filters = {"resourceArn": "ResourceArn", "state": "State", "backupVaultName": "BackupVaultName"}
    for query, key in filters.items():
        wanted = _query(self, query)
        if wanted:
            jobs = [j for j in jobs if j[key] == wanted]
    return json.dumps({"BackupJobs": [_public(j) for j in jobs]})


def start_copy_job(self: BackupResponse) -> str:
    params = _params(self)
    for required in ("RecoveryPointArn", "SourceBackupVaultName", "DestinationBackupVaultArn", "IamRoleArn"):
        if not params.get(required):
            raise InvalidParameterValueException(f"{required} is required")
    _advance(self.backup_backend)
    source_vault = _vault(self.backup_backend, params["SourceBackupVaultName"])
    point = _store(self.backup_backend)["points"].get(params["RecoveryPointArn"])
    if point is None or point["BackupVaultName"] != source_vault.backup_vault_name:
        raise ResourceNotFoundException(msg=f"Recovery point {params['RecoveryPointArn']} not found")
    dest_region, account, _name = _parse_arn(params["DestinationBackupVaultArn"])
    _vault(backup_backends[account][dest_region], params["DestinationBackupVaultArn"].split("backup-vault:")[-1])
    job_id = str(mock_random.uuid4()).upper()
    copy_snapshot, dest_arn = _recovery_point(point["ResourceType"], dest_region, account, "copyjob", job_id)
    now = time.time()
    _store(self.backup_backend)["copy"][job_id] = {
        "AccountId": account,
        "CopyJobId": job_id,
        "SourceBackupVaultArn": source_vault.backup_vault_arn,
        "SourceRecoveryPointArn": point["RecoveryPointArn"],
        "DestinationBackupVaultArn": params["DestinationBackupVaultArn"],
        "DestinationRecoveryPointArn": dest_arn,
        "ResourceArn": point["ResourceArn"],
        "ResourceType": point["ResourceType"],
        "IamRoleArn": params["IamRoleArn"],
        "CreationDate": now,
        "State": "CREATED",
        "_runs_for": "copy_job_seconds",
        "_fault": _fault("copy", point["ResourceArn"]),
        "_copy_snapshot_id": copy_snapshot,
    }
    return json.dumps({"CopyJobId": job_id, "CreationDate": now, "IsParent": False})


def describe_copy_job(self: BackupResponse) -> str:
    _advance(self.backup_backend)
    job = _store(self.backup_backend)["copy"].get(_uri(self, "CopyJobId"))
    if job is None:
        raise ResourceNotFoundException(msg=f"Copy job {_uri(self, 'CopyJobId')} not found")
    return json.dumps({"CopyJob": _public(job)})


def start_restore(
    backend: BackupBackend,
    account: str,
    point_arn: str,
    metadata: dict[str, str],
    iam_role_arn: str,
    created_by: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A restore job of a completed recovery point (StartRestoreJob, or a restore testing plan's run)."""
    _advance(backend)
    point = _store(backend)["points"].get(point_arn)
    if point is None or point["Status"] != "COMPLETED":
        raise ResourceNotFoundException(msg=f"Recovery point {point_arn} not found")
    if point["ResourceType"] != "Aurora":
        raise InvalidParameterValueException(f"Only Aurora recovery points restore here, not {point['ResourceType']}")
    if not metadata.get("DBClusterIdentifier"):
        raise InvalidParameterValueException("Metadata DBClusterIdentifier is required to restore an Aurora cluster")
    job_id = str(mock_random.uuid4()).upper()
    now = time.time()
    job = _store(backend)["restore"][job_id] = {
        "AccountId": account,
        "RestoreJobId": job_id,
        "RecoveryPointArn": point["RecoveryPointArn"],
        "RecoveryPointCreationDate": point["CreationDate"],
        "SourceResourceArn": point["ResourceArn"],
        "BackupVaultArn": point["BackupVaultArn"],
        "CreationDate": now,
        "Status": "PENDING",
        "PercentDone": "0.00%",
        "BackupSizeInBytes": point.get("BackupSizeInBytes", 0),
        "IamRoleArn": iam_role_arn,
        "ResourceType": point["ResourceType"],
        "_runs_for": "restore_job_seconds",
        "_fault": _fault("restore", point["ResourceArn"]),
        "_metadata": dict(metadata),
    }
    if created_by:
        job["CreatedBy"] = created_by
    return job


def start_restore_job(self: BackupResponse) -> str:
    params = _params(self)
    for required in ("RecoveryPointArn", "Metadata", "IamRoleArn"):
        if not params.get(required):
            raise InvalidParameterValueException(f"{required} is required")
    job = start_restore(
        self.backup_backend, self.current_account, params["RecoveryPointArn"], params["Metadata"], params["IamRoleArn"]
    )
    return json.dumps({"RestoreJobId": job["RestoreJobId"]})


def describe_restore_job(self: BackupResponse) -> str:
    _advance(self.backup_backend)
    job = _store(self.backup_backend)["restore"].get(_uri(self, "RestoreJobId"))
    if job is None:
        raise ResourceNotFoundException(msg=f"Restore job {_uri(self, 'RestoreJobId')} not found")
    return json.dumps(_public(job))


def list_restore_jobs(self: BackupResponse) -> str:
    _advance(self.backup_backend)
    jobs = list(_store(self.backup_backend)["restore"].values())
    for query, key in {"status": "Status", "resourceType": "ResourceType"}.items():
        wanted = _query(self, query)
        if wanted:
            jobs = [j for j in jobs if j[key] == wanted]
    plan_arn = _query(self, "restoreTestingPlanArn")
    if plan_arn:
        jobs = [j for j in jobs if j.get("CreatedBy", {}).get("RestoreTestingPlanArn") == plan_arn]
    after = _query(self, "createdAfter")
    if after:
        jobs = [j for j in jobs if j["CreationDate"] > float(after)]
    return json.dumps({"RestoreJobs": [_public(j) for j in jobs]})


def _points(self: BackupResponse) -> list[dict[str, Any]]:
    _advance(self.backup_backend)
    return list(_store(self.backup_backend)["points"].values())


def list_recovery_points_by_backup_vault(self: BackupResponse) -> str:
    vault = _vault(self.backup_backend, _uri(self, "BackupVaultName"))
    points = [p for p in _points(self) if p["BackupVaultName"] == vault.backup_vault_name]
    wanted = _query(self, "resourceArn")
    if wanted:
        points = [p for p in points if p["ResourceArn"] == wanted]
    points.sort(key=lambda p: p["CreationDate"], reverse=True)
    return json.dumps({"RecoveryPoints": points})


def list_recovery_points_by_resource(self: BackupResponse) -> str:
    resource = _uri(self, "ResourceArn")
    points = sorted(
        (p for p in _points(self) if p["ResourceArn"] == resource), key=lambda p: p["CreationDate"], reverse=True
    )
    keys = ("RecoveryPointArn", "CreationDate", "Status", "StatusMessage", "EncryptionKeyArn", "BackupSizeBytes")
    return json.dumps(
        {
            "RecoveryPoints": [
                {**{k: p[k] for k in keys if k in p}, "BackupVaultName": p["BackupVaultName"], "IsParent": False}
                for p in points
            ]
        }
    )


def _point(self: BackupResponse) -> dict[str, Any]:
    vault = _vault(self.backup_backend, _uri(self, "BackupVaultName"))
    arn = _uri(self, "RecoveryPointArn")
    point = _store(self.backup_backend)["points"].get(arn)
    if point is None or point["BackupVaultName"] != vault.backup_vault_name:
        raise ResourceNotFoundException(msg=f"Recovery point {arn} not found in {vault.backup_vault_name}")
    return point


def describe_recovery_point(self: BackupResponse) -> str:
    _advance(self.backup_backend)
    return json.dumps(_point(self))


def delete_recovery_point(self: BackupResponse) -> str:
    point = _point(self)
    if point["ResourceType"] == "Aurora":
        region, account, snapshot = _parse_arn(point["RecoveryPointArn"])
        rds_backends[account][region].cluster_snapshots.pop(snapshot, None)
    del _store(self.backup_backend)["points"][point["RecoveryPointArn"]]
    return "{}"


_original_delete_backup_vault = BackupBackend.delete_backup_vault


def delete_backup_vault(self: BackupBackend, backup_vault_name: str) -> None:
    if any(p["BackupVaultName"] == backup_vault_name for p in _store(self)["points"].values()):
        raise InvalidRequestException("Backup vault cannot be deleted because it contains recovery points")
    return _original_delete_backup_vault(self, backup_vault_name)


HANDLERS = (
    start_backup_job,
    describe_backup_job,
    list_backup_jobs,
    start_copy_job,
    describe_copy_job,
    start_restore_job,
    describe_restore_job,
    list_restore_jobs,
    list_recovery_points_by_backup_vault,
    list_recovery_points_by_resource,
    describe_recovery_point,
    delete_recovery_point,
)

# moto turns these into werkzeug rules, where "?" is a literal: list both spellings instead.
URL_PATHS = {
    f"{{0}}{path}": BackupResponse.dispatch
    for path in (
        "/backup-jobs",
        "/backup-jobs/",
        "/backup-jobs/(?P<job>[^/]+)$",
        "/copy-jobs",
        "/copy-jobs/",
        "/copy-jobs/(?P<job>[^/]+)$",
        "/restore-jobs",
        "/restore-jobs/",
        "/restore-jobs/(?P<job>[^/]+)$",
        "/backup-vaults/(?P<vault>[^/]+)/recovery-points/",
        "/backup-vaults/(?P<vault>[^/]+)/recovery-points/(?P<arn>.+)$",
        "/resources/(?P<arn>.+)/recovery-points/",
    )
}


def install() -> None:
    for handler in HANDLERS:
        setattr(BackupResponse, handler.__name__, handler)
    backup_urls.url_paths.update(URL_PATHS)
    BackupBackend.delete_backup_vault = delete_backup_vault
