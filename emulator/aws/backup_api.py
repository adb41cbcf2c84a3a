"""AWS Backup selections, which moto lacks (its server answers HTTP 500).

Follows the AWS Backup API reference: CreateBackupSelection (PUT /backup/plans/{id}/selections/),
GetBackupSelection, ListBackupSelections, DeleteBackupSelection; a plan that still has selections
cannot be deleted (InvalidRequestException).
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.backup.exceptions import ResourceNotFoundException
from moto.backup.models import BackupBackend, backup_backends
from moto.backup.responses import BackupResponse
from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random


class InvalidParameterValueException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("InvalidParameterValueException", message)


class InvalidRequestException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("InvalidRequestException", message)


def _selections(backend: BackupBackend) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "emu_selections"):
        backend.emu_selections = {}
    return backend.emu_selections


def _live_plan(backend: BackupBackend, plan_id: str):
    plan = backend.plans.get(plan_id)
    if plan is None or plan.deletion_date is not None:
        raise ResourceNotFoundException(msg=f"Failed reading Backup plan with provided version: {plan_id}")
    return plan


def create_selection(
    account_id: str, region: str, plan_id: str, selection: dict[str, Any], creator_request_id: str | None = None
) -> str:
    backend = backup_backends[account_id][region]
    _live_plan(backend, plan_id)
    for required in ("SelectionName", "IamRoleArn"):
        if not selection.get(required):
            raise InvalidParameterValueException(f"{required} is required")
    if not re.match(r"^[a-zA-Z0-9\-_.]{1,50}$", selection["SelectionName"]):
        raise InvalidParameterValueException("SelectionName must be 1-50 letters, digits, -, _ or .")
    selection_id = str(mock_random.uuid4())
    _selections(backend)[selection_id] = {
        "SelectionId": selection_id,
        "BackupPlanId": plan_id,
        "BackupSelection": selection,
        "CreationDate": unix_time(),
        "CreatorRequestId": creator_request_id,
    }
    return selection_id


def delete_selection(account_id: str, region: str, plan_id: str, selection_id: str, missing_ok: bool = False) -> None:
    backend = backup_backends[account_id][region]
    entry = _selections(backend).get(selection_id)
    if entry is None or entry["BackupPlanId"] != plan_id:
        if missing_ok:
            return
        raise ResourceNotFoundException(msg=f"Backup selection {selection_id} not found")
    del _selections(backend)[selection_id]


def selections_of(backend: BackupBackend, plan_id: str) -> list[dict[str, Any]]:
    return [s for s in _selections(backend).values() if s["BackupPlanId"] == plan_id]


_SELECTION_PATH = re.compile(r"/backup/plans/([^/]+)/selections/?([^/]*)/?$")


def _ids(response: BackupResponse) -> tuple[str, str]:
    match = _SELECTION_PATH.search(response.path.split("?")[0])
    return match.group(1), match.group(2)


def create_backup_selection(self: BackupResponse) -> str:
    plan_id = _ids(self)[0]
    params = json.loads(self.body or "{}")
    selection_id = create_selection(
        self.current_account, self.region, plan_id, params.get("BackupSelection") or {}, params.get("CreatorRequestId")
    )
    entry = _selections(self.backup_backend)[selection_id]
    return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": entry["CreationDate"]})


def get_backup_selection(self: BackupResponse) -> str:
    plan_id, selection_id = _ids(self)
    entry = _selections(self.backup_backend).get(selection_id)
    if entry is None or entry["BackupPlanId"] != plan_id:
        raise ResourceNotFoundException(msg=f"Backup selection {selection_id} not found")
    return json.dumps(entry)


def list_backup_selections(self: BackupResponse) -> str:
    plan_id = _ids(self)[0]
    _live_plan(self.backup_backend, plan_id)
    return json.dumps(
        {
            "BackupSelectionsList": [
                {
                    "SelectionId": s["SelectionId"],
                    "SelectionName": s["BackupSelection"]["SelectionName"],
                    "BackupPlanId": plan_id,
                    "CreationDate": s["CreationDate"],
                    "CreatorRequestId": s["CreatorRequestId"],
                    "IamRoleArn": s["BackupSelection"]["IamRoleArn"],
                }
                for s in selections_of(self.backup_backend, plan_id)
            ]
        }
    )


def delete_backup_selection(self: BackupResponse) -> str:
    plan_id, selection_id = _ids(self)
    delete_selection(self.current_account, self.region, plan_id, selection_id)
    return "{}"


_original_delete_backup_plan = BackupBackend.delete_backup_plan


def delete_backup_plan(self: BackupBackend, backup_plan_id: str):
    if selections_of(self, backup_plan_id):
        raise InvalidRequestException("Related backup plan selections must be deleted prior to backup plan deletion")
    return _original_delete_backup_plan(self, backup_plan_id)


def install() -> None:
    for handler in (create_backup_selection, get_backup_selection, list_backup_selections, delete_backup_selection):
        setattr(BackupResponse, handler.__name__, handler)
    BackupBackend.delete_backup_plan = delete_backup_plan
