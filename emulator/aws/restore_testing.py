"""AWS Backup restore testing, which moto lacks: plans, selections, their scheduled runs, and validation.

As the AWS Backup developer guide and API reference describe it:

- ``CreateRestoreTestingPlan`` (PUT /restore-testing/plans), ``Get``/``List``/``Update``/``Delete``; the name holds
  only letters, digits and underscores and cannot change; a plan with selections cannot be deleted
  (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DeleteRestoreTestingPlan.html). CloudFormation's
  ``AWS::Backup::RestoreTestingPlan`` (Ref: the name; GetAtt ``RestoreTestingPlanArn``).
- ``CreateRestoreTestingSelection`` (PUT /restore-testing/plans/{name}/selections), ``Get``/``List``/``Delete``:
  a protected resource type, up to 30 ARNs or ``*`` with conditions (not both), ``RestoreMetadataOverrides``,
  ``ValidationWindowHours`` 0-168 (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingSelectionForCreate.html).
  ``AWS::Backup::RestoreTestingSelection`` (Ref: ``plan|selection``, its primary identifier).
- A run - what AWS Backup does when the plan's schedule comes (https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html):
  for each selected resource, the recovery point its ``RecoveryPointSelection`` picks (``LATEST_WITHIN_WINDOW``
  or ``RANDOM_WITHIN_WINDOW`` among completed points of the included vaults created in the last
  ``SelectionWindowDays``) is restored with inferred metadata (for Aurora a cluster ``awsbackup-restore-test-<id>``
  of the point's engine; https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-inferred-metadata.html)
  and the selection's overrides (keys case-insensitive). The job's ``CreatedBy`` names the plan. No schedule
  runs here by itself: ``POST /_emulator/restore-testing/run {"plan": name, "region": ...}`` is the schedule firing.
- Every restore job that ends emits the EventBridge event ``Restore Job State Change`` (source ``aws.backup``;
  ``restoreTestingPlanArn`` in its detail for a restore test) to the rules of the region whose pattern matches;
  their Lambda targets are invoked asynchronously with it, as EventBridge does
  (https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html,
  https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-validation.html).
- ``PutRestoreValidationResult`` (PUT /restore-jobs/{id}/validations, HTTP 204) records ``ValidationStatus``
  (``FAILED``, ``SUCCESSFUL``, ``TIMED_OUT``, ``VALIDATING``) and its message on a completed restore test's job;
  ``DescribeRestoreJob`` returns them. A final status ends the validation window: AWS Backup deletes the restored
  resource ("upon the completion of the validation script or the end of the specified retention period, whichever
  comes first") and reports ``DeletionStatus`` (``DELETING``, then ``SUCCESSFUL``); RDS refuses to delete a
  cluster that still has instances, which is then ``DeletionStatus`` ``FAILED`` with RDS's message.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import random
import re
import threading
import time
from typing import Any

from moto.awslambda.utils import get_backend as lambda_backend
from moto.backup import urls as backup_urls
from moto.backup.exceptions import ResourceNotFoundException
from moto.backup.models import BackupBackend, backup_backends
from moto.backup.responses import BackupResponse
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import JsonRESTError, ServiceException
from moto.events.models import events_backends
from moto.moto_api._internal import mock_random
from moto.rds.models import rds_backends

from emulator.aws import backup_jobs, control
from emulator.aws.backup_api import InvalidParameterValueException, InvalidRequestException
from emulator.aws.resources import EmulatedResource

NAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
VALIDATION_STATUSES = ("FAILED", "SUCCESSFUL", "TIMED_OUT", "VALIDATING")
# Aurora's restore metadata keys (backup_jobs.AURORA_METADATA and the booleans), as overrides may spell them.
AURORA_KEYS = {
    key.lower(): key
    for key in (
        *backup_jobs.AURORA_METADATA,
        *backup_jobs.AURORA_BOOLEAN_METADATA,
        "DBClusterIdentifier",
        "VpcSecurityGroupIds",
        "AvailabilityZones",
    )
}


class AlreadyExistsException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("AlreadyExistsException", message)


def _store(backend: BackupBackend) -> dict[str, dict]:
    if not hasattr(backend, "emu_restore_testing"):
        backend.emu_restore_testing = {"plans": {}, "selections": {}}
    return backend.emu_restore_testing


def _plan(backend: BackupBackend, name: str) -> dict[str, Any]:
    plan = _store(backend)["plans"].get(name)
    if plan is None:
        raise ResourceNotFoundException(msg=f"Restore testing plan {name} not found")
    return plan


def _check_name(kind: str, name: str | None) -> str:
    if not name or not NAME.match(name):
        raise InvalidParameterValueException(f"{kind} must consist of only alphanumeric characters and underscores")
    return name


def _check_plan(document: dict[str, Any]) -> dict[str, Any]:
    if not document.get("ScheduleExpression"):
        raise InvalidParameterValueException("ScheduleExpression is required")
    selection = dict(document.get("RecoveryPointSelection") or {})
    for required in ("Algorithm", "IncludeVaults", "RecoveryPointTypes"):
        if not selection.get(required):
            raise InvalidParameterValueException(f"RecoveryPointSelection.{required} is required")
    if selection["Algorithm"] not in ("LATEST_WITHIN_WINDOW", "RANDOM_WITHIN_WINDOW"):
        raise InvalidParameterValueException(f"Invalid Algorithm {selection['Algorithm']}")
    selection["SelectionWindowDays"] = int(selection.get("SelectionWindowDays") or 30)
    if not 1 <= selection["SelectionWindowDays"] <= 365:
        raise InvalidParameterValueException("SelectionWindowDays must be between 1 and 365")
    hours = int(document.get("StartWindowHours") or 24)
    if not 1 <= hours <= 168:
        raise InvalidParameterValueException("StartWindowHours must be between 1 and 168")
    return {
        "RecoveryPointSelection": selection,
        "ScheduleExpression": document["ScheduleExpression"],
        "ScheduleExpressionTimezone": document.get("ScheduleExpressionTimezone") or "Etc/UTC",
        "StartWindowHours": hours,
    }


def create_plan(account: str, region: str, document: dict[str, Any], creator_request_id: str | None = None) -> dict:
    backend = backup_backends[account][region]
    name = _check_name("RestoreTestingPlanName", document.get("RestoreTestingPlanName"))
    if name in _store(backend)["plans"]:
        raise AlreadyExistsException(f"Restore testing plan {name} already exists")
    now = time.time()
    plan = _store(backend)["plans"][name] = {
        "RestoreTestingPlanName": name,
        "RestoreTestingPlanArn": f"arn:aws:backup:{region}:{account}:restore-testing-plan:{name}-{mock_random.uuid4()}",
        "CreationTime": now,
        "LastUpdateTime": now,
        "CreatorRequestId": creator_request_id,
        **_check_plan(document),
    }
    return plan


def update_plan(account: str, region: str, name: str, document: dict[str, Any]) -> dict:
    plan = _plan(backup_backends[account][region], name)
    current = {k: plan[k] for k in ("RecoveryPointSelection", "ScheduleExpression", "StartWindowHours")}
    plan.update(_check_plan({**current, **document}), LastUpdateTime=time.time())
    return plan


def delete_plan(account: str, region: str, name: str, missing_ok: bool = False) -> None:
    backend = backup_backends[account][region]
    if missing_ok and name not in _store(backend)["plans"]:
        return
    _plan(backend, name)
    if any(plan == name for plan, _selection in _store(backend)["selections"]):
        raise InvalidRequestException("Restore testing selections must be deleted before the restore testing plan")
    del _store(backend)["plans"][name]


def create_selection(account: str, region: str, plan_name: str, document: dict[str, Any]) -> dict:
    backend = backup_backends[account][region]
    plan = _plan(backend, plan_name)
    name = _check_name("RestoreTestingSelectionName", document.get("RestoreTestingSelectionName"))
    for required in ("IamRoleArn", "ProtectedResourceType"):
        if not document.get(required):
            raise InvalidParameterValueException(f"{required} is required")
    arns, conditions = document.get("ProtectedResourceArns") or [], document.get("ProtectedResourceConditions")
    if not arns and not conditions:
        raise InvalidParameterValueException("ProtectedResourceArns or ProtectedResourceConditions is required")
    if conditions and arns != ["*"] and arns:
        raise InvalidParameterValueException("Specific ProtectedResourceArns cannot be combined with conditions")
    if len(arns) > 30:
        raise InvalidParameterValueException("At most 30 ProtectedResourceArns")
    hours = int(document.get("ValidationWindowHours") or 0)
    if not 0 <= hours <= 168:
        raise InvalidParameterValueException("ValidationWindowHours must be between 0 and 168")
    if (plan_name, name) in _store(backend)["selections"]:
        raise AlreadyExistsException(f"Restore testing selection {name} already exists")
    selection = _store(backend)["selections"][(plan_name, name)] = {
        "RestoreTestingPlanName": plan_name,
        "RestoreTestingPlanArn": plan["RestoreTestingPlanArn"],
        "RestoreTestingSelectionName": name,
        "ProtectedResourceType": document["ProtectedResourceType"],
        "ProtectedResourceArns": list(arns),
        "ProtectedResourceConditions": conditions or {"StringEquals": [], "StringNotEquals": []},
        "RestoreMetadataOverrides": dict(document.get("RestoreMetadataOverrides") or {}),
        "IamRoleArn": document["IamRoleArn"],
        "ValidationWindowHours": hours,
        "CreationTime": time.time(),
    }
    return selection


def delete_selection(account: str, region: str, plan_name: str, name: str, missing_ok: bool = False) -> None:
    selections = _store(backup_backends[account][region])["selections"]
    if (plan_name, name) not in selections:
        if missing_ok:
            return
        raise ResourceNotFoundException(msg=f"Restore testing selection {name} not found in {plan_name}")
    del selections[(plan_name, name)]


# --- a run of a plan (its schedule firing) --------------------------------------------------------


def _candidates(backend: BackupBackend, plan: dict[str, Any], resource_arn: str) -> list[dict[str, Any]]:
    choice = plan["RecoveryPointSelection"]
    oldest = time.time() - choice["SelectionWindowDays"] * 86400
    backup_jobs._advance(backend)
    return [
        p
        for p in backup_jobs._store(backend)["points"].values()
        if p["ResourceArn"] == resource_arn
        and p["Status"] == "COMPLETED"
        and p["CreationDate"] >= oldest
        and "SNAPSHOT" in choice["RecoveryPointTypes"]
        and any(fnmatch.fnmatchcase(p["BackupVaultArn"], v) for v in choice["IncludeVaults"])
        and not any(fnmatch.fnmatchcase(p["BackupVaultArn"], v) for v in choice.get("ExcludeVaults") or [])
    ]


def _inferred_metadata(point: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    region, account, snapshot_id = backup_jobs._parse_arn(point["RecoveryPointArn"])
    source = rds_backends[account][region].cluster_snapshots[snapshot_id].cluster
    metadata = {
        "DBClusterIdentifier": f"awsbackup-restore-test-{mock_random.get_random_hex(12)}",
        "Engine": source.engine,
        "EngineVersion": source.engine_version,
        "DeletionProtection": "false",
    }
    metadata.update({AURORA_KEYS.get(key.lower(), key): value for key, value in overrides.items()})
    return metadata


def run_plan(account: str, region: str, name: str) -> list[str]:
    """What AWS Backup does when the plan's schedule comes: a restore job per selected resource; their IDs."""
    backend = backup_backends[account][region]
    plan = _plan(backend, name)
    started = []
    for (plan_name, _name), selection in list(_store(backend)["selections"].items()):
        if plan_name != name:
            continue
        arns = selection["ProtectedResourceArns"]
        if arns == ["*"]:
            arns = sorted({p["ResourceArn"] for p in backup_jobs._store(backend)["points"].values()})
        for arn in arns:
            points = _candidates(backend, plan, arn)
            if not points or backup_jobs._resource_type(arn) != selection["ProtectedResourceType"]:
                continue
            if plan["RecoveryPointSelection"]["Algorithm"] == "LATEST_WITHIN_WINDOW":
                point = max(points, key=lambda p: p["CreationDate"])
            else:
                point = random.choice(points)  # AWS picks one at random too
            job = backup_jobs.start_restore(
                backend,
                account,
                point["RecoveryPointArn"],
                _inferred_metadata(point, selection["RestoreMetadataOverrides"]),
                selection["IamRoleArn"],
                created_by={"RestoreTestingPlanArn": plan["RestoreTestingPlanArn"]},
            )
            job["_validation_window_hours"] = selection["ValidationWindowHours"]
            started.append(job["RestoreJobId"])
            # AWS runs the job to its end whether anyone looks or not: complete it when it is due.
            delay = max(0.0, backup_jobs.done_at(job) - time.time())
            threading.Timer(delay, backup_jobs._advance, args=(backend,)).start()
    plan["LastExecutionTime"] = time.time()
    return started


RUN_PATH = "/_emulator/restore-testing/run"
_original_control = control.ControlMiddleware._control


def _control(self, environ, start_response, path: str):
    """``POST /_emulator/restore-testing/run {"plan": name, "region": ...}``: the plan's schedule fires now."""
    if path != RUN_PATH:
        return _original_control(self, environ, start_response, path)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    payload = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
    if environ.get("REQUEST_METHOD") != "POST" or not payload.get("plan"):
        return control._json_response(
            start_response, {"error": 'POST {"plan": name, "region": ...} runs a plan'}, "400 Bad Request"
        )
    account, region = payload.get("account") or DEFAULT_ACCOUNT_ID, payload.get("region") or "us-west-2"
    try:
        started = run_plan(account, region, payload["plan"])
    except JsonRESTError as error:
        return control._json_response(start_response, {"error": error.message}, "404 Not Found")
    return control._json_response(start_response, {"RestoreJobIds": started})


# --- the job's end: its event, and the validation result ----------------------------------------


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def restore_event(job: dict[str, Any], region: str) -> dict[str, Any]:
    """The EventBridge event AWS Backup emits when a restore job's status changes."""
    detail = {
        "restoreJobId": job["RestoreJobId"],
        "backupSizeInBytes": str(job.get("BackupSizeInBytes", 0)),
        "creationDate": _iso(job["CreationDate"]),
        "iamRoleArn": job["IamRoleArn"],
        "percentDone": 100.0,
        "resourceType": job["ResourceType"],
        "status": job["Status"],
        "completionDate": _iso(job["CompletionDate"]),
    }
    if job.get("CreatedResourceArn"):
        detail["createdResourceArn"] = job["CreatedResourceArn"]
    if job.get("StatusMessage"):
        detail["statusMessage"] = job["StatusMessage"]
    if job.get("CreatedBy", {}).get("RestoreTestingPlanArn"):
        detail["restoreTestingPlanArn"] = job["CreatedBy"]["RestoreTestingPlanArn"]
    return {
        "version": "0",
        "id": str(mock_random.uuid4()),
        "detail-type": "Restore Job State Change",
        "source": "aws.backup",
        "account": job["AccountId"],
        "time": _iso(job["CompletionDate"]),
        "region": region,
        "resources": [f"arn:aws:backup:{region}:{job['AccountId']}:restore-job:{job['RestoreJobId']}"],
        "detail": detail,
    }


def _emit(job: dict[str, Any]) -> None:
    region = job["RecoveryPointArn"].split(":")[3]
    event = restore_event(job, region)
    events = events_backends[job["AccountId"]][region]
    for bus in list(events.event_buses.values()):
        for rule in list(bus.rules.values()):
            if rule.state != "ENABLED" or not rule.event_pattern.matches_event(event):
                continue
            for target in rule.targets:
                if target["Arn"].split(":")[2] == "lambda":
                    # EventBridge invokes Lambda asynchronously: the function's own calls come back to us.
                    threading.Thread(target=_invoke, args=(job["AccountId"], target["Arn"], event), daemon=True).start()


def _invoke(account: str, function_arn: str, event: dict[str, Any]) -> None:
    lambda_backend(account, function_arn.split(":")[3]).invoke(
        function_name=function_arn, qualifier=None, body=json.dumps(event), headers={}, response_headers={}
    )


def _delete_restored(job: dict[str, Any]) -> None:
    """End of the validation window: the restored cluster goes, as AWS Backup deletes a restore test's resource."""
    region, account, cluster_id = backup_jobs._parse_arn(job["CreatedResourceArn"])
    try:
        rds_backends[account][region].delete_db_cluster(cluster_id)
    except ServiceException as error:  # RDS's refusal, as its API words it
        job.update(DeletionStatus="FAILED", DeletionStatusMessage=error.message)
    else:
        job.update(DeletionStatus="SUCCESSFUL")


# --- handlers -------------------------------------------------------------------------------------


def _body(self: BackupResponse) -> dict[str, Any]:
    return json.loads(self.body or "{}")


def _plan_view(plan: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in plan.items() if v is not None}


def create_restore_testing_plan(self: BackupResponse) -> str:
    params = _body(self)
    plan = create_plan(
        self.current_account, self.region, params.get("RestoreTestingPlan") or {}, params.get("CreatorRequestId")
    )
    return json.dumps({k: plan[k] for k in ("CreationTime", "RestoreTestingPlanArn", "RestoreTestingPlanName")})


def get_restore_testing_plan(self: BackupResponse) -> str:
    plan = _plan(self.backup_backend, self.uri_match["RestoreTestingPlanName"])
    return json.dumps({"RestoreTestingPlan": _plan_view(plan)})


def list_restore_testing_plans(self: BackupResponse) -> str:
    keys = ("CreationTime", "LastExecutionTime", "LastUpdateTime", "RestoreTestingPlanArn", "RestoreTestingPlanName")
    keys += ("ScheduleExpression", "ScheduleExpressionTimezone", "StartWindowHours")
    plans = _store(self.backup_backend)["plans"].values()
    return json.dumps({"RestoreTestingPlans": [{k: p[k] for k in keys if p.get(k) is not None} for p in plans]})


def update_restore_testing_plan(self: BackupResponse) -> str:
    name = self.uri_match["RestoreTestingPlanName"]
    plan = update_plan(self.current_account, self.region, name, _body(self).get("RestoreTestingPlan") or {})
    keys = ("CreationTime", "RestoreTestingPlanArn", "RestoreTestingPlanName")
    return json.dumps({**{k: plan[k] for k in keys}, "UpdateTime": plan["LastUpdateTime"]})


def delete_restore_testing_plan(self: BackupResponse) -> str:
    delete_plan(self.current_account, self.region, self.uri_match["RestoreTestingPlanName"])
    return json.dumps({})


def create_restore_testing_selection(self: BackupResponse) -> str:
    plan_name = self.uri_match["RestoreTestingPlanName"]
    selection = create_selection(
        self.current_account, self.region, plan_name, _body(self).get("RestoreTestingSelection") or {}
    )
    keys = ("CreationTime", "RestoreTestingPlanArn", "RestoreTestingPlanName", "RestoreTestingSelectionName")
    return json.dumps({k: selection[k] for k in keys})


def _selection(self: BackupResponse) -> dict[str, Any]:
    plan, name = self.uri_match["RestoreTestingPlanName"], self.uri_match["RestoreTestingSelectionName"]
    selection = _store(self.backup_backend)["selections"].get((plan, name))
    if selection is None:
        raise ResourceNotFoundException(msg=f"Restore testing selection {name} not found in {plan}")
    return selection


def get_restore_testing_selection(self: BackupResponse) -> str:
    selection = {k: v for k, v in _selection(self).items() if k != "RestoreTestingPlanArn"}
    return json.dumps({"RestoreTestingSelection": selection})


def list_restore_testing_selections(self: BackupResponse) -> str:
    plan_name = self.uri_match["RestoreTestingPlanName"]
    _plan(self.backup_backend, plan_name)
    keys = ("CreationTime", "IamRoleArn", "ProtectedResourceType", "RestoreTestingPlanName")
    keys += ("RestoreTestingSelectionName", "ValidationWindowHours")
    selections = [s for (plan, _n), s in _store(self.backup_backend)["selections"].items() if plan == plan_name]
    return json.dumps({"RestoreTestingSelections": [{k: s[k] for k in keys} for s in selections]})


def delete_restore_testing_selection(self: BackupResponse) -> str:
    selection = _selection(self)
    delete_selection(
        self.current_account, self.region, selection["RestoreTestingPlanName"], selection["RestoreTestingSelectionName"]
    )
    return json.dumps({})


def put_restore_validation_result(self: BackupResponse):
    job_id = self.uri_match["restoreJobId"]
    backup_jobs._advance(self.backup_backend)
    job = backup_jobs._store(self.backup_backend)["restore"].get(job_id)
    if job is None:
        raise ResourceNotFoundException(msg=f"Restore job {job_id} not found")
    params = _body(self)
    status = params.get("ValidationStatus")
    if status not in VALIDATION_STATUSES:
        raise InvalidParameterValueException(f"ValidationStatus must be one of {', '.join(VALIDATION_STATUSES)}")
    if not job.get("CreatedBy", {}).get("RestoreTestingPlanArn"):
        raise InvalidRequestException(f"Restore job {job_id} was not started by a restore testing plan")
    if job["Status"] != "COMPLETED":
        raise InvalidRequestException(f"Restore job {job_id} is {job['Status']}, not COMPLETED")
    if job.get("DeletionStatus"):
        raise InvalidRequestException(f"The validation window of restore job {job_id} has ended")
    result = {"ValidationStatus": status}
    if params.get("ValidationStatusMessage"):
        result["ValidationStatusMessage"] = params["ValidationStatusMessage"]
    if status != "VALIDATING":
        result["DeletionStatus"] = "DELETING"  # with the result: a reader never sees a final one without it
    job.update(result)
    if status != "VALIDATING":
        _delete_restored(job)
    return 204, {}, ""


HANDLERS = (
    create_restore_testing_plan,
    get_restore_testing_plan,
    list_restore_testing_plans,
    update_restore_testing_plan,
    delete_restore_testing_plan,
    create_restore_testing_selection,
    get_restore_testing_selection,
    list_restore_testing_selections,
    delete_restore_testing_selection,
    put_restore_validation_result,
)

URL_PATHS = {
    f"{{0}}{path}": BackupResponse.dispatch
    for path in (
        "/restore-testing/plans$",
        "/restore-testing/plans/(?P<plan>[^/]+)$",
        "/restore-testing/plans/(?P<plan>[^/]+)/selections$",
        "/restore-testing/plans/(?P<plan>[^/]+)/selections/(?P<selection>[^/]+)$",
        "/restore-jobs/(?P<job>[^/]+)/validations$",
    )
}


# --- CloudFormation -------------------------------------------------------------------------------


class BackupRestoreTestingPlan(EmulatedResource):
    TYPE = "AWS::Backup::RestoreTestingPlan"
    NAME_PROPERTY = "RestoreTestingPlanName"
    ATTRIBUTES = ("RestoreTestingPlanArn",)
    REPLACE_ON = ("RestoreTestingPlanName",)

    BACKENDS = backup_backends

    def _document(self) -> dict[str, Any]:
        keys = ("RecoveryPointSelection", "ScheduleExpression", "ScheduleExpressionTimezone", "StartWindowHours")
        return {k: self.props[k] for k in keys if self.props.get(k) is not None}

    def create(self) -> None:
        self.name = self.props["RestoreTestingPlanName"]
        create_plan(self.account_id, self.region_name, {"RestoreTestingPlanName": self.name, **self._document()})

    def modify(self, previous: dict[str, Any]) -> None:
        update_plan(self.account_id, self.region_name, self.name, self._document())

    def destroy(self) -> None:
        delete_plan(self.account_id, self.region_name, self.name, missing_ok=True)

    def attribute(self, name: str) -> Any:
        return _plan(self.backend, self.name)["RestoreTestingPlanArn"]


class BackupRestoreTestingSelection(EmulatedResource):
    TYPE = "AWS::Backup::RestoreTestingSelection"
    REPLACE_ON = ("ProtectedResourceType", "RestoreTestingPlanName", "RestoreTestingSelectionName")

    def _document(self) -> dict[str, Any]:
        return {k: v for k, v in self.props.items() if k != "RestoreTestingPlanName"}

    def create(self) -> None:
        self.plan_name = self.props["RestoreTestingPlanName"]
        self.name = self.props["RestoreTestingSelectionName"]
        create_selection(self.account_id, self.region_name, self.plan_name, self._document())

    def modify(self, previous: dict[str, Any]) -> None:
        delete_selection(self.account_id, self.region_name, self.plan_name, self.name, missing_ok=True)
        create_selection(self.account_id, self.region_name, self.plan_name, self._document())

    def destroy(self) -> None:
        delete_selection(self.account_id, self.region_name, self.plan_name, self.name, missing_ok=True)

    def ref(self) -> str:
        return f"{self.plan_name}|{self.name}"


def install() -> None:
    for handler in HANDLERS:
        setattr(BackupResponse, handler.__name__, handler)
    backup_urls.url_paths.update(URL_PATHS)
    backup_jobs.RESTORE_ENDED.append(_emit)
    control.ControlMiddleware._control = _control
