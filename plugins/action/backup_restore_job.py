# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.backup_restore_job: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/backup_restore_job.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client, rpo
from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction

MAX_POLL_DELAY = 15.0
ENDED = ("COMPLETED", "FAILED", "ABORTED")


def metadata_strings(metadata):
    """AWS Backup's Metadata is a map of strings: lists and dicts as JSON, booleans as true/false."""
    strings = {}
    for key, value in metadata.items():
        if isinstance(value, bool):
            strings[key] = "true" if value else "false"
        elif isinstance(value, (list, dict)):
            strings[key] = json.dumps(value)
        else:
            strings[key] = str(value)
    return strings


class Restore:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        clients = aws_client.module_clients(module)
        self.backup = clients("backup", module.region)
        self.api_calls = clients.api_calls
        self.result = {"changed": False, "created_resource_arn": "", "recovery_point": {}, "duration_seconds": None}

    def call(self, action, **params):
        return self._aws(self.backup.call, action, **params)

    def paginate(self, action, **params):
        """Every item of a list, from every page."""
        return self._aws(self.backup.paginate, action, **params)

    def _aws(self, method, action, **params):
        """An AWS Backup request; a failure fails the module with the calls made so far."""
        try:
            return method(action, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="AWS Backup %s failed" % action, api_calls=self.api_calls, **self.result)

    def fail(self, reason, msg):
        self.module.fail_json(msg=msg, reason=reason, api_calls=self.api_calls, **self.result)

    def recovery_point(self):
        params = self.params
        if params["recovery_point_arn"]:
            point = self.call(
                "DescribeRecoveryPoint",
                BackupVaultName=params["backup_vault_name"],
                RecoveryPointArn=params["recovery_point_arn"],
            )
            if point.get("Status") != "COMPLETED":
                status = point.get("Status")
                self.fail("no_recovery_point", "recovery point %s is %s" % (point["RecoveryPointArn"], status))
            return point
        points = self.paginate(
            "ListRecoveryPointsByBackupVault",
            BackupVaultName=params["backup_vault_name"],
            ByResourceArn=params["resource_arn"],
        )
        newest = rpo.newest_recovery_point(points)
        if newest is None:
            self.fail(
                "no_recovery_point",
                "no completed recovery point of %s in vault %s" % (params["resource_arn"], params["backup_vault_name"]),
            )
        return newest

    def wait(self, job_id, requested):
        deadline = requested + self.params["wait_timeout"]
        delays = gdb.backoff_delays(initial=1.0, maximum=MAX_POLL_DELAY)
        while True:
            job = self.call("DescribeRestoreJob", RestoreJobId=job_id)
            job.pop("ResponseMetadata", None)
            self.result["restore_job"] = camel_dict_to_snake_dict(job)
            if job["Status"] in ENDED:
                self.result["duration_seconds"] = round(time.time() - requested, 3)
                return job
            remaining = deadline - time.time()
            if remaining <= 0:
                self.fail(
                    "timeout",
                    "restore job %s is still %s after %s s" % (job_id, job["Status"], self.params["wait_timeout"]),
                )
            time.sleep(min(next(delays), remaining))

    def run(self):
        params = self.params
        point = self.recovery_point()
        now = rpo.now_utc()
        self.result["recovery_point"] = {
            "arn": point["RecoveryPointArn"],
            "creation_date": rpo.aware(point["CreationDate"]).isoformat(),
            "age_seconds": rpo.age_seconds(point["CreationDate"], now),
        }
        self.result["changed"] = True
        if self.module.check_mode:
            self.module.exit_json(api_calls=self.api_calls, **self.result)
        requested = time.time()
        started = self.call(
            "StartRestoreJob",
            RecoveryPointArn=point["RecoveryPointArn"],
            IamRoleArn=params["iam_role_arn"],
            ResourceType=params["resource_type"],
            Metadata=metadata_strings(params["metadata"]),
        )
        self.result["restore_job"] = {"restore_job_id": started["RestoreJobId"], "status": "PENDING"}
        if not params["wait"]:
            self.module.exit_json(api_calls=self.api_calls, **self.result)
        job = self.wait(started["RestoreJobId"], requested)
        self.result["created_resource_arn"] = job.get("CreatedResourceArn") or ""
        if job["Status"] != "COMPLETED":
            self.fail(
                "restore_failed",
                "restore job %s %s: %s" % (job["RestoreJobId"], job["Status"], job.get("StatusMessage", "no message")),
            )
        self.module.exit_json(api_calls=self.api_calls, **self.result)


ARGUMENT_SPEC = {
    "recovery_point_arn": {"type": "str"},
    "resource_arn": {"type": "str"},
    "backup_vault_name": {"type": "str"},
    "iam_role_arn": {"type": "str", "required": True},
    "resource_type": {"type": "str", "default": "Aurora"},
    "metadata": {"type": "dict", "required": True},
    "wait": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 7200},
}


def main(module):
    if module.params["resource_type"] == "Aurora" and not module.params["metadata"].get("DBClusterIdentifier"):
        module.fail_json(msg="metadata.DBClusterIdentifier is required to restore an Aurora cluster", api_calls=[])
    if module.params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be above 0", api_calls=[])
    Restore(module).run()


class ActionModule(ControllerModuleAction):
    MODULE = {
        "argument_spec": ARGUMENT_SPEC,
        "required_one_of": [["recovery_point_arn", "resource_arn"]],
        "mutually_exclusive": [["recovery_point_arn", "resource_arn"]],
        "required_by": {"resource_arn": "backup_vault_name", "recovery_point_arn": "backup_vault_name"},
        "supports_check_mode": True,
        "aws": True,
    }
    main = staticmethod(main)
